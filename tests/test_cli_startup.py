"""The command line starts without the heavy libraries: ``--version``, ``--help`` and each
command's help import neither pydantic nor the engine (speed is measured in benchmarks/;
this checks what is imported, in a fresh interpreter)."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

import session_files
from session_files import update_index
from session_files.index.refresh import RACY_NS

HEAVY = ("pydantic", "yaml", "jsonschema", "tqdm", "platformdirs", "session_files.records")

PROBE = """
import json, sys
args = json.loads(sys.argv[1])
if args is None:
    import session_files.cli
else:
    from session_files.cli import main
    try:
        main(args, prog_name="session-files")
    except SystemExit:
        pass
print(json.dumps(sorted(name for name in json.loads(sys.argv[2]) if name in sys.modules)))
"""


def heavy_imports(args: list[str] | None, heavy: tuple[str, ...] = HEAVY) -> list[str]:
    out = subprocess.run(
        [sys.executable, "-c", PROBE, json.dumps(args), json.dumps(heavy)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    loaded: list[str] = json.loads(out.splitlines()[-1])
    return loaded


@pytest.mark.parametrize(
    "args",
    [
        None,
        ["--version"],
        ["--help"],
        ["publish", "--help"],
        ["pull", "--help"],
        ["export", "--help"],
        ["report", "--help"],
        ["index", "--help"],
        ["ls", "--help"],
        ["validate", "--help"],
        ["new", "--help"],
        ["schema", "--help"],
        ["export", "--help"],
        ["report", "--help"],
    ],
    ids=lambda args: "import" if args is None else " ".join(args),
)
def test_the_command_line_starts_without_heavy_imports(args: list[str] | None) -> None:
    assert heavy_imports(args) == []


def test_the_package_names_resolve_on_first_use() -> None:
    for name in session_files.__all__:
        assert getattr(session_files, name) is not None
    assert set(session_files.__all__) == set(session_files._HOMES)
    assert set(session_files.__all__) <= set(dir(session_files))
    with pytest.raises(AttributeError, match="no_such_name"):
        session_files.no_such_name  # noqa: B018


def test_a_no_change_index_imports_no_models(lab: Path) -> None:
    time.sleep(RACY_NS / 1e9 + 0.1)  # not "racy": a file this old is trusted by its stat
    assert heavy_imports(["index", str(lab)]) != []  # the first build parses everything
    assert heavy_imports(["index", str(lab)]) == []  # nothing changed: nothing parsed
    # without ignore patterns, pathspec and its regular-expression engines are not needed;
    # a local root needs no pathlib_abc
    assert heavy_imports(["index", str(lab)], ("pathspec", "re2", "pathlib_abc")) == []
    # the config's settings are kept in the index while its bytes are unchanged; an edit
    # is seen at once (here: an ignore pattern that leaves one session out)
    (lab / "session-files.yaml").write_text("ignore: [M002/]\n", encoding="utf-8")
    update = update_index(lab, progress=False)
    assert update.refresh.removed == ["M002/2024-02-01_11-15-00/session.yaml"]
    assert update.sessions == 2
    assert heavy_imports(["index", str(lab)]) == []
    (lab / "session-files.yaml").write_text("ignore: [M001/]\n", encoding="utf-8")
    assert update_index(lab, progress=False).sessions == 1


def test_a_no_change_ls_imports_no_models(lab: Path) -> None:
    time.sleep(RACY_NS / 1e9 + 0.1)  # not "racy": a file this old is trusted by its stat
    assert heavy_imports(["index", str(lab)]) != []  # the first build parses everything
    for fmt in ("table", "csv", "json", "paths"):  # nothing changed: the view needs no models
        assert heavy_imports(["ls", str(lab), "--format", fmt]) == [], fmt
    assert heavy_imports(["ls", str(lab)]) == []
