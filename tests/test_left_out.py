"""No silent loss (SPEC 8, 9): left-out sidecars are always reported, and the root is found
as git finds its repository, never a subfolder mistaken for one."""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest
from click.testing import CliRunner

import session_files
from session_files import IncompleteCatalogWarning, load_catalog
from session_files.cli import main
from tests.fixtures_roots import write_root

LEFT_OUT = "warning: {n} left out of the view of {root} because of errors; to see them, run: session-files validate {root}\n"


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def _all_bad(lab: Path) -> Path:
    """Every sidecar of the lab broken (a typo'd key in each)."""
    for path in lab.rglob("session.yaml"):
        path.write_text(path.read_text() + "subjet: typo\n")
    return lab


def test_ls_on_a_root_whose_sidecars_all_have_errors_says_so(lab: Path) -> None:
    """Was: an empty table, exit 0, nothing on stderr."""
    _all_bad(lab)
    code, out, err = run("ls", str(lab))
    assert code == 0
    assert out.splitlines() == ["subject  session_datetime  session_dir  experimenters  projects"]
    assert err == LEFT_OUT.format(n="3 sidecars were", root=lab)
    code, _, err = run("ls", str(lab), "--strict", "--format", "json")
    assert (code, err) == (1, LEFT_OUT.format(n="3 sidecars were", root=lab))


def test_ls_and_index_are_quiet_when_nothing_is_left_out(lab: Path) -> None:
    assert run("ls", str(lab), "--strict")[::2] == (0, "")
    assert run("index", str(lab), "--strict")[::2] == (0, "")


def test_index_says_how_many_were_left_out(lab: Path) -> None:
    (lab / "M002/2024-02-01_11-15-00/session.yaml").write_text("subject: [\n")
    code, out, err = run("index", str(lab))
    assert code == 0
    assert "sessions: 2" in out.splitlines()
    assert err == LEFT_OUT.format(n="1 sidecar was", root=lab)
    assert run("index", str(lab), "--strict")[0] == 1


def test_load_catalog_warns_and_exposes_the_findings(lab: Path) -> None:
    """Was: an empty session table without a word."""
    _all_bad(lab)
    assert issubclass(IncompleteCatalogWarning, UserWarning)
    assert "IncompleteCatalogWarning" in session_files.__all__
    with pytest.warns(IncompleteCatalogWarning, match=r"^3 sidecars were left out") as caught:
        catalog = load_catalog(lab)
    assert "catalog.findings" in str(caught[0].message)
    with catalog:
        assert len(catalog["session"]) == 0
        assert catalog.left_out == 3
        assert {f.code for f in catalog.findings} == {"schema"}
        assert len(catalog.findings) == 3


def test_load_catalog_of_a_clean_root_does_not_warn(lab: Path) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with load_catalog(lab) as catalog:
            assert (catalog.left_out, catalog.findings) == (0, [])


def test_a_subfolder_is_never_taken_for_the_root(
    lab: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Was: `cd ROOT/M001 && session-files ls` listed nothing and created M001/.session-files."""
    monkeypatch.chdir(lab / "M001")
    code, out, err = run("ls")
    assert (code, err) == (0, "")
    assert len(out.splitlines()) == 4  # the header and the root's three sessions
    assert not (lab / "M001/.session-files").exists()
    assert (lab / ".session-files").is_dir()
    monkeypatch.chdir(lab / "M001/2024-01-15_10-30-00")
    code, out, _ = run("validate")
    assert (code, out.splitlines()[-1]) == (0, "3 sessions, 0 errors, 0 warnings")
    assert run("index")[0] == 0


def test_the_config_file_alone_marks_a_root(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = write_root(
        tmp_path / "data", {"session-files.yaml": "registry: meta\n", "a/b/x.txt": ""}
    )
    monkeypatch.chdir(root / "a/b")
    code, _, err = run("ls")
    assert (code, err) == (0, "")
    assert (root / ".session-files").is_dir()
    assert not (root / "a/.session-files").exists()


@pytest.mark.parametrize(
    "command",
    [
        ["ls"],
        ["index"],
        ["validate"],
        ["export", "--table", "session", "--out", "../s.csv"],
        ["report", "--out", "../r.html"],
        ["publish", "--schema", "sf_nowhere"],
    ],
    ids=lambda args: args[0],
)
def test_no_root_above_exits_2_and_says_what_was_looked_for(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: list[str]
) -> None:
    if any((parent / "registry").is_dir() or (parent / "session-files.yaml").is_file()
           for parent in tmp_path.parents):  # fmt: skip
        pytest.fail(f"a directory above {tmp_path} looks like a root; the test cannot run")
    plain = tmp_path / "plain"
    plain.mkdir()
    monkeypatch.chdir(plain)
    code, _, err = run(*command)
    assert code == 2
    assert "session-files.yaml" in err and "registry/" in err and str(plain) in err
    assert list(plain.iterdir()) == []  # nothing written into a directory that is no root
