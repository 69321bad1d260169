"""Hardening, round two (issue 15): the index never destroys what is not its own, never goes
stale, never blocks; no single file stops, hangs or forges a run.

Each test here failed on the main branch before the fix it covers.
"""

from __future__ import annotations

import json
import os
import pwd
import shutil
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from session_files import load_catalog, update_index, validate
from session_files.cli import main
from session_files.index import store
from session_files.index.store import IndexRefusedError
from tests.fixtures_roots import cold, sidecar, snapshot, write_root

REPO = Path(__file__).resolve().parents[1]
LONG_AGO = 1_500_000_000_000_000_000  # 2017: far outside the racy window
SUBJECT_FILE = "M001/2024-01-15_10-30-00/session.yaml"


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def indexed(root: Path, index: Path | None = None) -> tuple[object, object]:
    from session_files.index import open_index
    from session_files.read.scan import open_root

    conn, _ = open_index(open_root(root), index or root / ".session-files/index.sqlite")
    try:
        return snapshot(conn)
    finally:
        conn.close()


# 1. the index never destroys what is not its own -------------------------------------


def _other_database(path: Path, *, meta: bool) -> bytes:
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE photos (id INTEGER, name TEXT)")
    conn.execute("INSERT INTO photos VALUES (1, 'holiday')")
    if meta:  # a `meta` table like the index's own, but not the index's
        conn.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
        conn.execute("INSERT INTO meta VALUES ('format', 'photo album')")
    conn.commit()
    conn.close()
    return path.read_bytes()


@pytest.mark.parametrize("kind", ["text", "registry", "sqlite", "sqlite-with-meta", "hard-link"])
def test_index_path_that_is_not_an_index_is_refused_and_left_untouched(
    lab: Path, tmp_path: Path, kind: str
) -> None:
    target = tmp_path / "target"
    if kind == "text":
        target.write_text("notes\n", encoding="utf-8")
    elif kind == "registry":
        target = lab / "registry/subjects.yaml"
    elif kind == "hard-link":
        os.link(lab / "registry/subjects.yaml", target)
    else:
        _other_database(target, meta=kind == "sqlite-with-meta")
    before = target.read_bytes()
    siblings = sorted(p.name for p in target.parent.iterdir())
    code, out, err = run("index", str(lab), "--index", str(target))
    assert code == 2, out + err
    assert "refusing to use" in err and "it is left untouched" in err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert target.read_bytes() == before
    assert sorted(p.name for p in target.parent.iterdir()) == siblings
    with pytest.raises(IndexRefusedError):
        load_catalog(lab, index=target)
    with pytest.raises(IndexRefusedError):
        validate(lab, index=target)
    assert target.read_bytes() == before


@pytest.mark.parametrize("what", ["database", "index"])
def test_a_link_at_the_default_index_location_is_refused(
    lab: Path, tmp_path: Path, what: str
) -> None:
    elsewhere = tmp_path / "elsewhere.sqlite"
    if what == "database":
        _other_database(elsewhere, meta=True)
    else:  # even a real index of ours is never written through a link
        update_index(lab, index=elsewhere)
    before = elsewhere.read_bytes()
    (lab / ".session-files").mkdir()
    (lab / ".session-files/index.sqlite").symlink_to(elsewhere)
    code, _, err = run("index", str(lab))
    assert code == 2
    assert "it is a symbolic link" in err
    assert elsewhere.read_bytes() == before
    code, _, err = run("ls", str(lab))
    assert code == 2
    assert "it is a symbolic link" in err


def test_a_link_planted_at_the_journal_name_is_refused(lab: Path, tmp_path: Path) -> None:
    victim = tmp_path / "victim"
    index = tmp_path / "index.sqlite"
    (tmp_path / "index.sqlite-wal").symlink_to(victim)
    with pytest.raises(IndexRefusedError, match="symbolic link"):
        update_index(lab, index=index)
    assert not victim.exists()
    assert not index.exists()


def test_an_index_of_ours_is_still_rebuilt_and_an_older_one_is_recognised(
    lab: Path, tmp_path: Path
) -> None:
    index = tmp_path / "index.sqlite"
    update_index(lab, index=index)
    conn = sqlite3.connect(index)
    conn.execute("PRAGMA application_id = 0")  # as written before the id existed
    conn.commit()
    conn.close()
    assert update_index(lab, index=index).refresh.warnings == []
    header = index.read_bytes()[:100]
    assert int.from_bytes(header[68:72], "big") == store.APPLICATION_ID
    assert indexed(lab, index) == cold(lab)


# 2. never stale -------------------------------------------------------------------


def _aged_and_indexed(lab: Path) -> None:
    for path in lab.rglob("session.yaml"):
        os.utime(path, ns=(LONG_AGO, LONG_AGO))
    update_index(lab)
    update_index(lab)  # no file is racy any more: each is trusted by its stat


def _same_size_other_subject(path: Path) -> str:
    text = path.read_text(encoding="utf-8")
    assert "subject: M001" in text
    return text.replace("subject: M001", "subject: M002")


@pytest.mark.parametrize("how", ["touch -d", "mv older copy", "restore", "rsync -t"])
def test_a_rewrite_that_keeps_size_and_mtime_is_still_seen(lab: Path, how: str) -> None:
    _aged_and_indexed(lab)
    target = lab / SUBJECT_FILE
    new = _same_size_other_subject(target)
    if how == "touch -d":  # rewritten in place, then given back its old mtime
        target.write_text(new, encoding="utf-8")
        os.utime(target, ns=(LONG_AGO, LONG_AGO))
    elif how == "mv older copy":  # an older copy of the same size moved over it
        copy = target.with_name("copy.tmp")
        copy.write_text(new, encoding="utf-8")
        os.utime(copy, ns=(LONG_AGO, LONG_AGO))
        copy.rename(target)
    elif how == "restore":  # a backup restored with its recorded times (cp -p)
        backup = lab.parent / "backup.yaml"
        backup.write_text(new, encoding="utf-8")
        os.utime(backup, ns=(LONG_AGO, LONG_AGO))
        target.unlink()
        shutil.copy2(backup, target)
    else:  # what rsync -t does: a temporary file beside it, its times set, renamed over
        temporary = target.with_name(".session.yaml.XXXXXX")
        temporary.write_text(new, encoding="utf-8")
        os.utime(temporary, ns=(LONG_AGO, LONG_AGO))
        os.replace(temporary, target)
    assert target.stat().st_mtime_ns == LONG_AGO
    assert update_index(lab).refresh.modified == [SUBJECT_FILE]
    assert indexed(lab) == cold(lab)


UNPRIVILEGED_REFRESH = textwrap.dedent(
    """
    import json, os, sys
    from session_files import update_index
    from session_files.index import open_index, read_findings
    from session_files.read.scan import open_root
    from pathlib import Path
    # the engine imports its parsers when first needed; this interpreter's own library may
    # be unreadable to the unprivileged user, so load them before dropping privileges
    import session_files.index.extract, session_files.index.integrity
    import session_files.index.schema, session_files.read.config, session_files.read.registry
    root, index, target = sys.argv[1], Path(sys.argv[2]), sys.argv[3]
    os.setgroups([])
    os.setgid(int(sys.argv[5]))
    os.setuid(int(sys.argv[4]))
    os.utime(target, ns=(1_500_000_000_000_000_000,) * 2)
    update_index(root, index=index)
    update_index(root, index=index)
    os.chmod(target, 0)
    def codes(path):
        conn, _ = open_index(open_root(root), path)
        try:
            return sorted((f.path, f.code) for f in read_findings(conn))
        finally:
            conn.close()
    update_index(root, index=index)
    print(json.dumps([codes(index), codes(None)]))
    """
)


def test_a_sidecar_turned_unreadable_is_seen(shared_tmp: Path) -> None:
    """``chmod 000`` changes no size and no mtime, only the ctime. Permission bits only
    bind an unprivileged user, so the refreshes run as ``nobody``."""
    root = write_root(shared_tmp / "root", {"a/session.yaml": sidecar(), "registry/x": ""})
    nobody = pwd.getpwnam("nobody")
    for path in [shared_tmp, *shared_tmp.rglob("*")]:
        os.chown(path, nobody.pw_uid, nobody.pw_gid)
    proc = subprocess.run(
        [
            sys.executable,
            "-c",
            UNPRIVILEGED_REFRESH,
            str(root),
            str(shared_tmp / "index.sqlite"),
            str(root / "a/session.yaml"),
            str(nobody.pw_uid),
            str(nobody.pw_gid),
        ],
        capture_output=True,
        text=True,
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    refreshed, rebuilt = json.loads(proc.stdout)
    assert ["a/session.yaml", "unreadable"] in rebuilt
    assert refreshed == rebuilt


# 10. readers never block a refresh, nor their own process ----------------------------


def test_an_open_catalog_iterator_does_not_block_its_own_process(
    lab: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(store, "BUSY_TIMEOUT_S", 3.0)  # before: 600 s, then "locked"
    catalog = load_catalog(lab)
    rows = iter(catalog["session"])
    first = next(rows)
    write_root(lab, {"new/session.yaml": sidecar("M002", "2024-06-01 00:00:00")})
    again = load_catalog(lab)
    assert len(again["session"]) == 4
    again.close()
    assert len([first, *rows]) == 3  # the iterator's snapshot, whole
    catalog.close()


READER = textwrap.dedent(
    """
    import sys, time
    from session_files import load_catalog
    catalog = load_catalog(sys.argv[1])
    rows = iter(catalog["session"])
    next(rows)
    print("reading", flush=True)
    sys.stdin.readline()
    print(len(list(rows)) + 1, flush=True)
    """
)


def test_a_reader_in_another_process_does_not_block_a_refresh(
    lab: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(store, "BUSY_TIMEOUT_S", 3.0)
    update_index(lab)
    reader = subprocess.Popen(
        [sys.executable, "-c", READER, str(lab)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        cwd=REPO,
    )
    try:
        assert reader.stdout is not None and reader.stdin is not None
        assert reader.stdout.readline() == "reading\n"
        write_root(lab, {"new/session.yaml": sidecar("M002", "2024-06-01 00:00:00")})
        assert update_index(lab).refresh.added == ["new/session.yaml"]
        reader.stdin.write("\n")
        reader.stdin.flush()
        assert reader.stdout.readline() == "3\n"  # the reader's own snapshot, whole
    finally:
        reader.kill()
        reader.communicate()
    assert indexed(lab) == cold(lab)


# 4, 9. numbers Python cannot make are findings on their file --------------------------


@pytest.mark.parametrize(
    ("rel", "text", "code", "line", "column"),
    [
        ("session-files.yaml", "ignore:\n  - !!int high\n", "yaml-syntax", 2, 5),
        ("session-files.yaml", "severity: 0b_\n", "yaml-syntax", 1, 11),
        ("registry/projects.yaml", "vision:\n  project_description: 0x_\n", "yaml-syntax", 2, 24),
        ("registry/projects.yaml", "pilot: " + "1" * 5000 + "\n", "yaml-forbidden", 1, 8),
        ("extra/session.yaml", sidecar() + "note: !!float abc\n", "yaml-syntax", 3, 7),
    ],
)
def test_a_number_python_cannot_make_is_a_finding_and_the_rest_is_indexed(
    lab: Path, rel: str, text: str, code: str, line: int, column: int
) -> None:
    (lab / rel).parent.mkdir(parents=True, exist_ok=True)
    (lab / rel).write_text(text, encoding="utf-8")
    code_, out, err = run("validate", str(lab), "--format", "json")
    assert code_ == 1, out + err
    findings = json.loads(out)["findings"]
    where = [[f["path"], f["code"], f["line"], f["column"]] for f in findings]
    assert [rel, code, line, column] in where, findings
    assert update_index(lab).sessions >= 1  # the rest of the root is indexed


# 5, 6. the root config's patterns and registry URL -------------------------------------


@pytest.mark.parametrize(
    ("config", "line", "column", "says"),
    [
        ('ignore: ["!"]\n', 1, 10, "not a valid gitignore-style pattern"),
        ('ignore:\n  - tmp/\n  - "trailing\\\\"\n', 3, 5, "not a valid gitignore-style pattern"),
        ('ignore: ["[z-a]"]\n', 1, 10, "not a valid gitignore-style pattern"),
        ("ignore: [" + "x" * 2000 + "]\n", 1, 10, "may be at most 1,024"),
        ("ignore: [" + ", ".join(["a"] * 1001) + "]\n", 1, 9, "at most 1000"),
        ("registry: gcs://bucket/registry\n", 1, 11, "that filesystem is not installed"),
        ("registry: nofs://x/registry\n", 1, 11, "unknown filesystem"),
    ],
)
def test_a_bad_pattern_or_registry_url_is_a_finding_and_the_defaults_apply(
    lab: Path, config: str, line: int, column: int, says: str
) -> None:
    (lab / "session-files.yaml").write_text(config, encoding="utf-8")
    code, out, err = run("validate", str(lab), "--format", "json")
    assert code == 1, out + err
    report = json.loads(out)
    assert [(f["path"], f["code"], f["line"], f["column"]) for f in report["findings"]] == [
        ("session-files.yaml", "schema", line, column)
    ]
    assert says in report["findings"][0]["message"]
    assert report["counts"]["sessions"] == 3  # the defaults: the lab's own registry


HANG_GUARD_S = 120  # not a speed assertion: before, this scan never finished


def test_a_backtracking_ignore_pattern_costs_linear_time(lab: Path) -> None:
    """``*a*a*...*b`` against long names of ``a``: Python's regex backtracks through every
    way to place the stars (C(n, k) tries), RE2 reads each name once."""
    pattern = "*a" * 12 + "*b"
    (lab / "session-files.yaml").write_text(f'ignore: ["{pattern}"]\n', encoding="utf-8")
    for i in range(20):
        write_root(
            lab, {f"{'a' * 200}{i}/session.yaml": sidecar("M002", f"2025-01-01 00:00:{i:02d}")}
        )
    proc = subprocess.run(
        [sys.executable, "-m", "session_files", "validate", str(lab)],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=HANG_GUARD_S,
        check=False,
    )
    assert (proc.returncode, proc.stdout.splitlines()[-1]) == (
        0,
        "23 sessions, 0 errors, 0 warnings",
    )


# 7. archives and remote roots: no endless walk, every read bounded ---------------------

ZIP_GOOD = b"subject: M001\nsession_datetime: 2024-01-15 10:30:00\n"
ZIP_SUBJECTS = b"M001:\n  sex: F\n  subject_birth_date: 2023-10-01\n"


def test_an_absolute_archive_entry_does_not_make_the_scan_loop(tmp_path: Path) -> None:
    import zipfile

    archive = tmp_path / "root.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("a/session.yaml", ZIP_GOOD)
        z.writestr("/abs/session.yaml", ZIP_GOOD.replace(b"10:30", b"11:30"))
        z.writestr("registry/subjects.yaml", ZIP_SUBJECTS)
    proc = subprocess.run(
        [sys.executable, "-m", "session_files", "validate", f"zip://::{archive}"],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=HANG_GUARD_S,  # before: an endless walk into the entry with an empty name
        check=False,
    )
    assert proc.returncode in (0, 1), proc.stderr
    assert proc.stdout.splitlines()[-2].startswith("1 session,")  # then the count per code


BOUNDED_READ = textwrap.dedent(
    """
    import sys
    from session_files import validate
    report = validate(sys.argv[1], registry=sys.argv[2])
    print([(f.path, f.code) for f in report.findings])
    # VmHWM: this process's own peak (ru_maxrss may carry the forking parent's over exec)
    peak = [line for line in open("/proc/self/status") if line.startswith("VmHWM:")][0]
    print(int(peak.split()[1]) // 1024)
    """
)


def test_a_huge_archive_entry_is_read_only_up_to_the_limit(lab: Path, tmp_path: Path) -> None:
    """A 256 MiB registry entry (it compresses to 250 KiB) costs 1 MiB of reading, not the
    whole entry: before, the whole object was read, then cut."""
    import zipfile

    archive = tmp_path / "registry.zip"
    block = b"#" * (1 << 20)
    with (
        zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as z,
        z.open("registry/subjects.yaml", "w", force_zip64=True) as entry,
    ):
        for _ in range(256):
            entry.write(block)
    proc = subprocess.run(
        [sys.executable, "-c", BOUNDED_READ, str(lab), f"zip://registry::{archive}"],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=HANG_GUARD_S,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    findings, peak_mib = proc.stdout.splitlines()
    assert "registry.zip/subjects.yaml', 'unreadable')" in findings
    assert int(peak_mib) < 200, peak_mib  # before: over 512 MiB (the entry, then its copy)


# 13. every failure to run is one line and exit status 2 --------------------------------


def test_ls_until_the_last_day_there_is(lab: Path) -> None:
    code, out, err = run("ls", str(lab), "--until", "9999-12-31", "--format", "paths")
    assert (code, err, len(out.splitlines())) == (0, "", 3)


def test_an_index_path_that_is_a_device_or_directory_or_cannot_be_made(
    lab: Path, tmp_path: Path
) -> None:
    device = tmp_path / "null"
    os.mknod(device, 0o666 | __import__("stat").S_IFCHR, os.makedev(1, 3))
    (tmp_path / "folder").mkdir()
    (tmp_path / "file").write_text("x", encoding="utf-8")
    for command in ("index", "ls"):
        for target, says in (
            (device, "it is not a regular file"),
            (tmp_path / "folder", "is a directory"),
            (tmp_path / "file" / "index.sqlite", "File exists"),
        ):
            code, out, err = run(command, str(lab), "--index", str(target))
            assert code == 2, (command, target, out, err)
            assert says in err and "Traceback" not in err, err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file", "folder", "lab", "null"]


AS_NOBODY = textwrap.dedent(
    """
    import os, sys
    from click.testing import CliRunner
    from session_files.cli import main
    from session_files.cli import ls, new  # every lazy import done before dropping
    import session_files.api, session_files.write.writer
    os.setgroups([])
    os.setgid(int(sys.argv[2]))
    os.setuid(int(sys.argv[1]))
    os.environ["HOME"] = "/nonexistent"
    os.environ.pop("XDG_CACHE_HOME", None)
    for args in (sys.argv[3:5], sys.argv[5:]):
        result = CliRunner().invoke(main, args)
        print(result.exit_code, repr(result.stderr))
    """
)


def test_a_read_only_root_without_a_cache_and_an_unwritable_directory(shared_tmp: Path) -> None:
    root = write_root(shared_tmp / "root", {"a/session.yaml": sidecar(), "registry/x": ""})
    for path in [shared_tmp, *shared_tmp.rglob("*")]:
        path.chmod(0o755 if path.is_dir() else 0o644)
    nobody = pwd.getpwnam("nobody")
    proc = subprocess.run(
        [
            sys.executable,
            "-c",
            AS_NOBODY,
            str(nobody.pw_uid),
            str(nobody.pw_gid),
            "ls",
            str(root),
            "new",
            str(root / "a"),
            "--subject",
            "M001",
            "--datetime",
            "2024-01-15 10:30:00",
            "--force",
            "--no-check",  # the registries are empty: the write itself is what is tested
        ],
        capture_output=True,
        text=True,
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    ls_line, new_line = proc.stdout.splitlines()
    for line, says in ((ls_line, "Error: could not list"), (new_line, "Error: could not write")):
        assert line.startswith("2 ") and says in line and "Permission denied" in line, line
        assert line.count("\\n") == 1 and "Traceback" not in line, line


FULL_DISK = textwrap.dedent(
    """
    import resource, signal, sys
    from session_files.cli import main
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails: EFBIG
    resource.setrlimit(resource.RLIMIT_FSIZE, (16, 16))
    main(sys.argv[1:])
    """
)


def test_new_on_a_full_disk(tmp_path: Path) -> None:
    proc = subprocess.run(
        [
            sys.executable,
            "-c",
            FULL_DISK,
            "new",
            str(tmp_path / "s"),
            "--subject",
            "M001",
            "--datetime",
            "2024-01-15 10:30:00",
            "--no-check",  # not in a root: the write itself is what is tested
        ],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.startswith("Error: could not write") and "Traceback" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "s" / "session.yaml").exists()


# 12. no file the tool creates is created through a link --------------------------------


def test_a_link_planted_at_the_lock_file_is_never_followed(tmp_path: Path) -> None:
    from session_files.read.sidecar import SidecarError
    from session_files.write.update import LOCK_NAME
    from tests.fixtures_roots import set_attributes

    session = write_root(tmp_path / "s", {"session.yaml": sidecar()})
    victim = tmp_path / "anywhere" / "x"
    victim.parent.mkdir()
    (session / LOCK_NAME).symlink_to(victim)
    with pytest.raises(SidecarError, match="cannot be locked"):
        set_attributes(session, {"rig": "3"})
    assert not victim.exists()  # before: created (as root: any file)
    (session / LOCK_NAME).unlink()
    set_attributes(session, {"rig": "3"})
    assert (session / LOCK_NAME).is_file() and not (session / LOCK_NAME).is_symlink()


# 11. names never forge output lines nor reach the terminal as escapes -----------------

FORGED = "x\nregistry/subjects.yaml:1:1: error: schema: forged\n"
OSC = "\x1b]0;pwned\x07\x1b[2J\u202eevil"


def test_control_characters_in_names_are_escaped_in_human_output(lab: Path) -> None:
    write_root(
        lab,
        {
            f"{FORGED}/Session.yaml": sidecar(),  # misnamed: a finding naming this path
            f"{OSC}/session.yaml": sidecar("M404", "2025-01-01 00:00:00"),  # unknown subject
            f"{FORGED}ok/session.yaml": sidecar("M002", "2025-02-01 00:00:00"),
        },
    )
    code, out, err = run("validate", str(lab))
    assert code == 1, out + err
    for text in (out, err):
        assert "\x1b" not in text and "\x07" not in text and "\u202e" not in text
        assert not any(line.startswith("registry/subjects.yaml:1:1") for line in text.splitlines())
    assert "x\\nregistry/subjects.yaml:1:1: error: schema: forged\\n/Session.yaml" in out
    assert "\\x1b]0;pwned\\x07\\x1b[2J\\u202eevil/session.yaml" in out
    code, out, err = run("ls", str(lab))
    assert code == 0 and err.startswith("warning: 1 sidecar was left out")
    assert len(out.splitlines()) == 1 + 4  # the header and four sessions: no forged rows
    assert "\x1b" not in out and "x\\nregistry" in out
    code, out, _ = run("ls", str(lab), "--format", "paths")
    assert len(out.splitlines()) == 4
    code, out, _ = run("ls", str(lab), "--format", "paths", "-0")
    assert f"{FORGED}ok\0" in out  # -0 gives the exact names


# 15. a root is normalized once ----------------------------------------------------------


def test_a_root_spelled_with_dot_dot_is_the_same_root(lab: Path) -> None:
    (lab.parent / "x").mkdir()
    spelled = f"{lab.parent}/x/../{lab.name}"
    (lab / "registry/projects.yaml").write_text("vision: [not a mapping]\n", encoding="utf-8")
    code, out, _ = run("validate", spelled)
    assert code == 1
    assert out.startswith("registry/projects.yaml:1:9: error: schema:"), out  # causes first
    assert f"{lab}/registry" not in out  # before: the registry shown by its absolute path
    update_index(spelled)
    assert indexed(lab) == cold(lab)
    assert indexed(lab) == cold(spelled)


# 14. an update keeps the modeline and the leading comments ----------------------------

MODELINE = "# yaml-language-server: $schema=../schemas/session.schema.json\n"


def test_an_update_keeps_the_modeline_and_leading_comments(tmp_path: Path) -> None:
    from tests.fixtures_roots import set_attributes

    session = tmp_path / "s"
    original = MODELINE + "# written by rig-3\n\n" + sidecar() + "# a trailing note\n"
    write_root(session, {"session.yaml": original})
    set_attributes(session, {"rig": "3"})
    text = (session / "session.yaml").read_text(encoding="utf-8")
    # every comment and blank line is kept (a minimal edit: the new key is the only change)
    assert text.startswith(MODELINE + "# written by rig-3\n\nsubject: M001\n"), text
    assert text.endswith("# a trailing note\n")
    assert "rig: '3'" in text or 'rig: "3"' in text or "rig: 3" in text
    set_attributes(session, {"rig": "4"})  # and again: no comment doubled
    again = (session / "session.yaml").read_text(encoding="utf-8")
    assert again.count(MODELINE) == 1 and again.count("# written by rig-3") == 1


# 3. one name, two Unicode spellings --------------------------------------------------


def test_a_key_not_in_nfc_is_a_finding_not_a_second_subject(tmp_path: Path) -> None:
    import unicodedata

    composed, decomposed = "Mé", unicodedata.normalize("NFD", "Mé")
    assert composed != decomposed
    entry = "  sex: F\n  subject_birth_date: 2023-10-01\n"
    root = write_root(
        tmp_path / "root",
        {
            "registry/subjects.yaml": f"{composed}:\n{entry}{decomposed}:\n{entry}",
            "a/session.yaml": sidecar(composed, "2024-01-15 10:30:00"),
            "b/session.yaml": sidecar(decomposed, "2024-01-15 10:30:00"),
        },
    )
    report = validate(root)
    where = sorted((f.path, f.code, f.line) for f in report.findings)
    assert where == [
        ("b/session.yaml", "schema", 1),
        ("registry/subjects.yaml", "schema", 4),
    ], report.findings
    assert all("NFC" in f.message for f in report.findings)
    assert report.sessions == 1  # before: two sessions of two subjects, and no word
