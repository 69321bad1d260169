"""The package's layering, checked on the source: the read path never imports the write
path, the library never imports the CLI, and ``layout`` is a leaf."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "session_files"


def imported(path: Path) -> set[str]:
    """The absolute names of the package's modules that ``path`` imports (anywhere in it)."""
    module = ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join([*base, *([node.module] if node.module else [])])
            else:
                target = node.module or ""
            names.add(target)
            names.update(f"{target}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return {name for name in names if name.split(".")[0] == "session_files"}


def modules(*folders: str) -> list[Path]:
    return sorted(path for folder in folders for path in (PACKAGE / folder).rglob("*.py"))


@pytest.mark.parametrize("path", modules("read", "index"), ids=lambda p: p.name)
def test_the_read_path_never_imports_the_write_path(path: Path) -> None:
    assert not {name for name in imported(path) if name.startswith("session_files.write")}


@pytest.mark.parametrize(
    "path",
    [
        p
        for p in PACKAGE.rglob("*.py")
        if "cli" not in p.relative_to(PACKAGE).parts and p.name != "__main__.py"
    ],
    ids=lambda p: str(p.relative_to(PACKAGE)),
)
def test_the_library_never_imports_the_cli(path: Path) -> None:
    assert not {name for name in imported(path) if name.startswith("session_files.cli")}


def test_layout_is_a_leaf() -> None:
    assert imported(PACKAGE / "layout.py") == set()


def test_the_package_ships_its_types() -> None:
    """``py.typed`` (PEP 561) exists and is package data, so users' type checkers read the
    package's annotations."""
    assert (PACKAGE / "py.typed").is_file()
    pyproject = (PACKAGE.parent / "pyproject.toml").read_text(encoding="utf-8")
    assert '[tool.setuptools.package-data]\nsession_files = ["py.typed"]' in pyproject
