"""Hostile input: every bad file yields its exact finding, at bounded cost, and the rest of
the root is still indexed.

Sidecars come from many programs, some of them buggy, and data roots live on shared
drives. Each case below is a file or a directory entry that such a world produces; each
one must become a finding (never an exception, a hang or a crash), and the good sessions
beside it must still make it into the view.

The cases that could kill the interpreter (deep nesting: libyaml's composer is recursive C)
or block it (a FIFO named ``session.yaml``) run in a child process, so a segfault or a hang
fails the test instead of taking pytest down. Unreadable files are made unreadable for
real: when the tests run as root (CI), the scan runs in a child that drops to ``nobody``.
"""

from __future__ import annotations

import json
import os
import pwd
import subprocess
import sys
import tracemalloc
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import Any

import pytest

import session_files
from session_files import parse_sidecar, validate
from session_files.api import validate_and_load
from session_files.index import open_index, read_findings
from session_files.index.extract import extract
from session_files.layout import MAX_BYTES
from session_files.read.config import parse_config
from session_files.read.registry import parse_registry
from session_files.read.scan import Listing, LocalRoot, ignore_spec, open_root
from session_files.read.yamlsafe import MAX_DEPTH, MAX_VALUES

MiB = 1024 * 1024
GOOD = b"subject: M001\nsession_datetime: 2024-01-15 10:30:00\n"
SUBJECTS = b"M001:\n  sex: F\n  subject_birth_date: 2023-10-01\n"
PACKAGE_PARENT = str(Path(session_files.__file__).resolve().parent.parent)


def alias_bomb(levels: int = 9, width: int = 9) -> bytes:
    """The "billion laughs": nine lists of nine aliases of the list before (9**9 leaves)."""
    lines = ["a0: &a0 [" + ", ".join(["lol"] * width) + "]"]
    for level in range(1, levels):
        refs = ", ".join([f"*a{level - 1}"] * width)
        lines.append(f"a{level}: &a{level} [{refs}]")
    return ("\n".join(lines) + "\n").encode()


def flow_nesting(depth: int) -> bytes:
    return b"[" * depth + b"]" * depth


def block_nesting(depth: int) -> bytes:
    return b"- " * depth + b"x\n"


@dataclass(frozen=True)
class Case:
    """A hostile ``session.yaml`` and the one finding it must produce."""

    name: str
    data: bytes
    code: str
    line: int | None
    column: int | None


CASES = [
    # resource bombs
    Case("alias-bomb", alias_bomb(), "yaml-forbidden", 6, 5),
    Case(
        "self-alias", GOOD + b"attributes:\n  a:\n    blob: &x [1, *x]\n", "yaml-forbidden", 5, 11
    ),
    Case("nesting-10k-flow", flow_nesting(10_000), "yaml-forbidden", 1, 1001),
    Case("nesting-10k-block", block_nesting(10_000), "yaml-forbidden", 1, 2 * MAX_DEPTH + 1),
    Case("nesting-10k-map", b"{a: " * 10_000 + b"1" + b"}" * 10_000, "yaml-forbidden", 1, 401),
    Case("over-1MiB", b"# padding\n" * (MiB // 10 + 1), "unreadable", None, None),
    Case("1MiB-of-values", b"[" + b"a," * (MiB // 2 - 1) + b"]", "yaml-forbidden", 1, 200_000),
    Case(
        "100k-keys",
        GOOD + b"".join(b"k%06d: 1\n" % i for i in range(MAX_VALUES // 2)),
        "yaml-forbidden",
        MAX_VALUES // 2,  # the 100,001st value: 5 on lines 1-2, then 2 a line
        10,
    ),
    # not text
    Case("binary-garbage", bytes(range(256)) * 64, "unreadable", 2, 118),
    Case(
        "invalid-utf8",
        b"subject: M\xe9001\nsession_datetime: 2024-01-15 10:30:00\n",
        "unreadable",
        1,
        11,
    ),
    Case("utf16", GOOD.decode().encode("utf-16"), "unreadable", 1, 1),
    Case(
        "nul-byte",
        b"subject: M001\x00\nsession_datetime: 2024-01-15 10:30:00\n",
        "yaml-syntax",
        1,
        14,
    ),
    Case("nul-byte-deep-comment", b"a: \x00\n# " + b"[" * 2000 + b"\n", "yaml-syntax", 1, 4),
    Case("bell-after-nonascii", "é: ok\nnote: \x07\n".encode(), "yaml-syntax", 2, 7),
    # tags that would construct objects, or that we do not know
    Case(
        "python-object",
        b"--- !!python/object:os.system\nsubject: M001\nsession_datetime: 2024-01-15 10:30:00\n",
        "yaml-forbidden",
        1,
        5,
    ),
    Case(
        "python-object-apply",
        GOOD + b'note: !!python/object/apply:os.system ["echo pwned"]\n',
        "yaml-forbidden",
        3,
        7,
    ),
    Case("python-name", GOOD + b"note: !!python/name:os.system\n", "yaml-forbidden", 3, 7),
    Case("custom-scalar", GOOD + b"note: !custom hello\n", "yaml-forbidden", 3, 7),
    Case("custom-root", b"--- !custom\n" + GOOD, "yaml-forbidden", 1, 5),
    Case(
        "custom-attribute-map",
        GOOD + b"attributes:\n  rig: !custom {value: rig-3}\n",
        "yaml-forbidden",
        4,
        8,
    ),
    Case(
        "custom-in-blob",
        GOOD + b"attributes:\n  rig:\n    blob: !lab [1, 2]\n",
        "yaml-forbidden",
        5,
        11,
    ),
    Case("binary-tag", GOOD + b"note: !!binary aGVsbG8=\n", "yaml-forbidden", 3, 7),
    Case(
        "merge-key",
        GOOD + b"attributes:\n  a: &x {value: v}\n  b:\n    <<: *x\n",
        "yaml-forbidden",
        6,
        5,
    ),
    # shapes
    Case("two-documents", GOOD + b"---\n" + GOOD, "yaml-syntax", 4, 1),
    Case("empty", b"", "schema", None, None),
    Case("only-comments", b"# written by rig-3\n# nothing else\n", "schema", None, None),
    Case("top-level-list", b"- subject: M001\n", "schema", 1, 1),
    Case("top-level-scalar", b"M001\n", "schema", 1, 1),
    Case("long-implicit-key", b"k" * 2000 + b": 1\n" + GOOD, "yaml-syntax", 1, 2001),
    Case("long-explicit-key", b"? " + b"k" * 100_000 + b"\n: 1\n" + GOOD, "schema", 1, 3),
    Case("long-value", GOOD + b"note: " + b"x" * (MiB - 100) + b"\n", "schema", 3, 7),
    Case("long-attribute-name", GOOD + b"attributes:\n  " + b"a" * 1000 + b": 1\n", "schema", 4, 3),
    # numbers YAML 1.1 promises but Python cannot make (each stopped a whole run before)
    Case("hex-without-digits", GOOD + b"note: 0x_\n", "yaml-syntax", 3, 7),
    Case("binary-without-digits", GOOD + b"note: 0b_\n", "yaml-syntax", 3, 7),
    Case("int-tag-on-text", GOOD + b"note: !!int high\n", "yaml-syntax", 3, 7),
    Case("float-tag-on-text", GOOD + b"note: !!float abc\n", "yaml-syntax", 3, 7),
    Case("bool-tag-on-text", GOOD + b"note: !!bool maybe\n", "yaml-syntax", 3, 7),
    Case("int-tag-on-empty", GOOD + b"note: !!int ''\n", "yaml-syntax", 3, 7),
    Case("int-5000-digits", GOOD + b"note: " + b"7" * 5000 + b"\n", "yaml-forbidden", 3, 7),
    Case("hex-4000-digits", GOOD + b"note: 0x" + b"f" * 4000 + b"\n", "yaml-forbidden", 3, 7),
    # PyYAML's base-60 conversion is quadratic: 1 MiB of it took ~22 s
    Case(
        "sexagesimal-1MiB",
        GOOD + b"note: 1" + b":0" * (MiB // 2 - 40) + b"\n",
        "yaml-forbidden",
        3,
        7,
    ),
]
BY_NAME = {case.name: case for case in CASES}


def positions(
    findings: tuple[session_files.Finding, ...] | list[session_files.Finding],
) -> list[tuple[str, int | None, int | None]]:
    return [(f.code, f.line, f.column) for f in findings]


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
def test_hostile_sidecar_yields_its_finding(case: Case) -> None:
    parsed = parse_sidecar(case.data, "bad/session.yaml")
    assert positions(parsed.findings) == [(case.code, case.line, case.column)]
    assert parsed.record is None
    assert all(f.message and f.path == "bad/session.yaml" for f in parsed.findings)


REGISTRY_CASES = [
    "alias-bomb",
    "nesting-10k-flow",
    "over-1MiB",
    "1MiB-of-values",
    "binary-garbage",
    "nul-byte",
    "nul-byte-deep-comment",
    "python-object",
    "custom-root",
    "two-documents",
    "hex-without-digits",
    "int-tag-on-text",
    "bool-tag-on-text",
    "int-5000-digits",
    "sexagesimal-1MiB",
]


@pytest.mark.parametrize("name", REGISTRY_CASES)
def test_hostile_registry_and_config_yield_the_same_finding(name: str) -> None:
    case = BY_NAME[name]
    registry = parse_registry("subjects", case.data, "registry/subjects.yaml")
    assert positions(registry.findings) == [(case.code, case.line, case.column)]
    assert registry.rows == {}
    config = parse_config(case.data)
    assert positions(config.findings) == [(case.code, case.line, case.column)]


def test_registry_root_tag_is_refused_not_ignored() -> None:
    # before the fix the root mapping's tag was never looked at: the entries were accepted
    parsed = parse_registry("subjects", b"--- !!python/object:dict\n" + SUBJECTS, "s.yaml")
    assert positions(parsed.findings) == [("yaml-forbidden", 1, 5)]
    assert parsed.rows == {}


def test_finding_messages_say_what_is_wrong() -> None:
    def message(name: str) -> str:
        return parse_sidecar(BY_NAME[name].data, "s").findings[0].message

    assert "100,000 values" in message("alias-bomb")
    assert "100,000 values" in message("1MiB-of-values")
    assert f"more than {MAX_DEPTH} levels" in message("nesting-10k-flow")
    assert f"more than {MAX_DEPTH} levels" in message("nesting-10k-block")
    assert "U+0000" in message("nul-byte")
    assert "!!python/object:os.system" in message("python-object")
    assert "1 MiB" in message("over-1MiB")
    assert "one document" in message("two-documents")
    assert "refers to itself" in message("self-alias")


def test_many_bad_keys_cost_work_linear_in_their_number() -> None:
    """Thousands of unknown keys are thousands of findings, each located by an index of
    the mapping: before, every finding scanned the whole mapping (49,990 unknown keys took
    minutes). Counted in executed lines of the position lookup, not in seconds."""
    import session_files.read.yamlsafe as yamlsafe

    lines = 0

    def tracer(frame: FrameType, event: str, arg: Any) -> Any:
        nonlocal lines
        if frame.f_code.co_filename == yamlsafe.__file__:
            lines += event == "line"
            return tracer
        return None

    keys = 2000
    data = GOOD + b"".join(b"k%06d: 1\n" % i for i in range(keys))
    sys.settrace(tracer)
    try:
        parsed = parse_sidecar(data, "s")
    finally:
        sys.settrace(None)
    assert len(parsed.findings) == keys
    assert lines < 200 * keys  # the quadratic lookup ran ~12 million lines here


# ------------------------------------------------------------- isolation in a child process
CHILD_PARSE = """
import json, sys
from session_files import parse_sidecar
findings = parse_sidecar(sys.stdin.buffer.read(), "s").findings
print(json.dumps([[f.code, f.line, f.column] for f in findings]))
"""


def child_env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": PACKAGE_PARENT}


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (flow_nesting(100_000), ["yaml-forbidden", 1, 1001]),
        (block_nesting(100_000), ["yaml-forbidden", 1, 2 * MAX_DEPTH + 1]),
        (
            b"a:\n" + b"".join(b" " * i + b"- \n" for i in range(1, 1200)),
            ["yaml-forbidden", 101, 101],
        ),
        (b"{a: " * 100_000 + b"1" + b"}" * 100_000, ["yaml-forbidden", 1, 401]),
    ],
    ids=["flow-100k", "block-100k", "block-indented-1200", "flow-map-100k"],
)
def test_deep_nesting_cannot_crash_the_interpreter(data: bytes, expected: list[object]) -> None:
    """libyaml's composer recurses in C: ~100k levels would overflow the C stack. The
    event-level pre-check refuses at MAX_DEPTH (the positions show that it, and not
    libyaml's own 1000-level limit, stopped the block-style cases)."""
    proc = subprocess.run(
        [sys.executable, "-c", CHILD_PARSE],
        input=data,
        capture_output=True,
        env=child_env(),
        timeout=300,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr.decode(errors="replace")
    assert json.loads(proc.stdout) == [expected]


def test_worst_files_cost_bounded_memory() -> None:
    """Peak Python memory per hostile file; the bound is generous (the measured peaks are
    a few MiB; ``docs/security.md`` has the table). Before the value-count pre-check,
    ``1MiB-of-values`` alone peaked at ~140 MiB of node objects."""
    tracemalloc.start()
    try:
        for case in CASES:
            tracemalloc.reset_peak()
            before = tracemalloc.get_traced_memory()[0]
            parse_sidecar(case.data, "s")
            peak = tracemalloc.get_traced_memory()[1] - before
            assert peak < 64 * MiB, f"{case.name} peaked at {peak / MiB:.1f} MiB"
    finally:
        tracemalloc.stop()


# ------------------------------------------------------------------- whole roots
def build_root(root: Path, bad: dict[str, bytes]) -> Path:
    """Two good sessions, a registry, and one bad sidecar per entry of ``bad``."""
    (root / "registry").mkdir(parents=True)
    (root / "registry" / "subjects.yaml").write_bytes(SUBJECTS)
    for name, when in (("good-1", "2024-01-15 10:30:00"), ("good-2", "2024-01-16 09:00:00")):
        (root / name).mkdir()
        (root / name / "session.yaml").write_bytes(
            f"subject: M001\nsession_datetime: {when}\n".encode()
        )
    for name, data in bad.items():
        (root / "bad" / name).mkdir(parents=True)
        (root / "bad" / name / "session.yaml").write_bytes(data)
    return root


def session_dirs(catalog: session_files.Catalog) -> list[str]:
    with catalog:
        return sorted(session.session_dir for session in catalog.sessions())


def test_every_hostile_file_in_one_root_and_the_rest_is_still_indexed(tmp_path: Path) -> None:
    root = build_root(tmp_path / "root", {case.name: case.data for case in CASES})
    report, catalog = validate_and_load(root)
    expected = sorted(
        (f"bad/{case.name}/session.yaml", case.code, case.line, case.column) for case in CASES
    )
    assert sorted((f.path, f.code, f.line, f.column) for f in report.findings) == expected
    assert report.sessions == 2
    assert session_dirs(catalog) == ["good-1", "good-2"]


def test_hostile_registry_leaves_sessions_indexed_against_the_others(tmp_path: Path) -> None:
    root = build_root(tmp_path / "root", {})
    (root / "registry" / "projects.yaml").write_bytes(alias_bomb())
    (root / "session-files.yaml").write_bytes(flow_nesting(10_000))
    report = validate(root)
    assert positions(report.findings) == [
        ("yaml-forbidden", 1, 1001),  # session-files.yaml: the root config comes first
        ("yaml-forbidden", 6, 5),  # projects.yaml
    ]
    assert [f.path for f in report.findings] == ["session-files.yaml", "registry/projects.yaml"]
    assert report.sessions == 2


def test_links_never_lead_out_of_the_root_and_loops_end(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    (outside / "s").mkdir(parents=True)
    (outside / "s" / "session.yaml").write_bytes(GOOD.replace(b"10:30", b"11:11"))
    root = build_root(tmp_path / "root", {})
    (root / "loop").symlink_to(".")  # a directory link to its own parent
    (root / "a").symlink_to("b")
    (root / "b").symlink_to("a")  # two links pointing at each other
    (root / "self").symlink_to("self")
    (root / "up").symlink_to("..")
    (root / "away").symlink_to(outside)
    (root / "stolen").mkdir()
    (root / "stolen" / "session.yaml").symlink_to(outside / "s" / "session.yaml")
    (root / "passwd").mkdir()
    (root / "passwd" / "session.yaml").symlink_to("/etc/passwd")

    report, catalog = validate_and_load(root)
    assert [(f.path, f.code) for f in report.findings] == [
        ("away", "symlink-outside-root"),
        ("passwd/session.yaml", "symlink-outside-root"),
        ("stolen/session.yaml", "symlink-outside-root"),
        ("up", "symlink-outside-root"),
    ]
    assert all(f.severity == "warning" and "not followed" in f.message for f in report.findings)
    assert session_dirs(catalog) == ["good-1", "good-2"]  # nothing from outside, nothing twice


def test_a_fifo_named_session_yaml_does_not_hang_the_scan(tmp_path: Path) -> None:
    root = build_root(tmp_path / "root", {})
    (root / "pipe").mkdir()
    os.mkfifo(root / "pipe" / "session.yaml")
    os.mkfifo(root / "registry" / "projects.yaml")
    code = (
        "import json, sys\nfrom session_files import validate\nr = validate(sys.argv[1])\n"
        "print(json.dumps([r.sessions, [[f.path, f.code, f.message] for f in r.findings]]))"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code, str(root)],
        capture_output=True,
        env=child_env(),
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr.decode(errors="replace")
    sessions, findings = json.loads(proc.stdout)
    assert sessions == 2
    assert findings == [
        [  # a registry's finding comes first: the cause of any unknown-project
            "registry/projects.yaml",
            "unreadable",
            "cannot be read (not a regular file); check its permissions",
        ],
        [
            "pipe/session.yaml",
            "unreadable",
            "cannot be read (not a regular file); check its permissions",
        ],
    ]


def test_read_sidecar_refuses_a_fifo_without_blocking(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "session.yaml")
    code = (
        "import sys\nfrom session_files import read_sidecar, SidecarError\n"
        "try:\n    read_sidecar(sys.argv[1])\nexcept SidecarError as exc:\n"
        "    print(exc.findings[0].code, exc.findings[0].message)"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path)],
        capture_output=True,
        env=child_env(),
        timeout=60,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr.decode(errors="replace")
    assert proc.stdout.decode().strip() == "unreadable cannot be read: not a regular file"


UNPRIVILEGED_VALIDATE = """
import json, os, sys
from session_files import validate
validate(sys.argv[1])  # as the starting user: every lazy import is done before dropping
if os.geteuid() == 0:
    os.setgroups([])
    os.setgid(int(sys.argv[3]))
    os.setuid(int(sys.argv[2]))
    assert os.geteuid() != 0
r = validate(sys.argv[1])
print(json.dumps([r.sessions, [[f.path, f.code, f.line, f.column, f.message] for f in r.findings]]))
"""


def test_unreadable_files_and_directories_are_findings(shared_tmp: Path) -> None:
    """Permission bits only bind an unprivileged user: as root, the scan runs in a child
    that drops to ``nobody`` after importing (the interpreter itself may live in a
    directory ``nobody`` cannot read)."""
    root = build_root(shared_tmp / "root", {})
    (root / "secret").mkdir()
    (root / "secret" / "session.yaml").write_bytes(GOOD.replace(b"10:30", b"12:00"))
    (root / "locked" / "s").mkdir(parents=True)
    (root / "locked" / "s" / "session.yaml").write_bytes(GOOD.replace(b"10:30", b"13:00"))
    (root / "registry" / "projects.yaml").write_bytes(b"vision:\n")
    for directory, _, files in os.walk(root):  # all readable by all, whatever the umask
        Path(directory).chmod(0o755)
        for name in files:
            (Path(directory) / name).chmod(0o644)
    for denied in ("secret/session.yaml", "locked", "registry/projects.yaml"):
        (root / denied).chmod(0o000)
    nobody = pwd.getpwnam("nobody")
    proc = subprocess.run(
        [
            sys.executable,
            "-c",
            UNPRIVILEGED_VALIDATE,
            str(root),
            str(nobody.pw_uid),
            str(nobody.pw_gid),
        ],
        capture_output=True,
        env={**child_env(), "XDG_CACHE_HOME": str(shared_tmp / "cache")},
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr.decode(errors="replace")
    sessions, findings = json.loads(proc.stdout)
    denied = "cannot be read (Permission denied); check its permissions"
    assert findings == [
        ["registry/projects.yaml", "unreadable", None, None, denied],  # causes first
        [
            "locked",
            "unreadable",
            None,
            None,
            "directory cannot be listed (Permission denied); its sessions are not indexed",
        ],
        ["secret/session.yaml", "unreadable", None, None, denied],
    ]
    assert sessions == 2


class VanishingRoot(LocalRoot):
    """A real local root in which one sidecar is deleted right after the listing."""

    def __init__(self, path: Path, victim: str) -> None:
        super().__init__(path)
        self.victim = victim

    def scan(self, skip_dirs: frozenset[str], ignore: Any) -> Listing:
        listing = super().scan(skip_dirs, ignore)
        (self.path / self.victim).unlink()
        return listing


def test_a_file_that_disappears_between_listing_and_reading(tmp_path: Path) -> None:
    root = build_root(tmp_path / "root", {})
    (root / "gone").mkdir()
    (root / "gone" / "session.yaml").write_bytes(GOOD.replace(b"10:30", b"14:00"))

    # the read path, on its own
    local = open_root(root)
    listing = local.scan(frozenset({"registry"}), ignore_spec([]))
    assert "gone/session.yaml" in [entry.path for entry in listing.sidecars]
    (root / "gone" / "session.yaml").unlink()
    gone = next(entry for entry in listing.sidecars if entry.path == "gone/session.yaml")
    extracted = extract(local, gone)
    assert [(row[0], row[3], row[4]) for row in extracted.files] == [("gone/session.yaml", None, 1)]
    assert [row[3] for row in extracted.findings] == ["unreadable"]

    # and through the engine, deleted between its scan and its reads
    (root / "gone" / "session.yaml").write_bytes(GOOD.replace(b"10:30", b"14:00"))
    conn, _ = open_index(VanishingRoot(root, "gone/session.yaml"), None)
    try:
        findings = read_findings(conn)
        sessions = conn.execute("SELECT session_dir FROM session_directory ORDER BY 1").fetchall()
    finally:
        conn.close()
    assert [(f.path, f.code, f.line, f.column) for f in findings] == [
        ("gone/session.yaml", "unreadable", None, None)
    ]
    assert "No such file" in findings[0].message
    assert sessions == [("good-1",), ("good-2",)]


def test_strange_names_are_indexed_or_reported_never_a_crash(tmp_path: Path) -> None:
    root = build_root(tmp_path / "root", {})
    names = ["Søren/2024-01-15 10-30", "with space ", "new\nline", "tab\there", "日本語"]
    for minute, name in enumerate(names):
        (root / name).mkdir(parents=True)
        (root / name / "session.yaml").write_bytes(
            GOOD.replace(b"10:30", f"11:{minute:02d}".encode())
        )
    raw = os.fsencode(root) + b"/latin1-\xe9t\xe9"  # a name that is not UTF-8
    os.mkdir(raw)
    with open(raw + b"/session.yaml", "wb") as handle:
        handle.write(GOOD.replace(b"10:30", b"12:34"))
    os.symlink(b"/nonexistent/\xff", os.fsencode(root) + b"/dangling-\xfe")
    os.symlink(b"/tmp/\xff", os.fsencode(root) + b"/outside-bytes")

    report, catalog = validate_and_load(root)
    assert [(f.path, f.code) for f in report.findings] == [
        ("latin1-\\xe9t\\xe9", "unreadable"),
        ("outside-bytes", "symlink-outside-root"),
    ]
    assert "not UTF-8" in report.findings[0].message
    assert "/tmp/\\xff" in report.findings[1].message
    assert session_dirs(catalog) == sorted(["good-1", "good-2", *names])
    json.dumps(report.to_dict())  # every path and message is text


def test_sql_in_names_and_values_is_stored_as_text(tmp_path: Path) -> None:
    """Every value reaches SQLite as a bound parameter: text that looks like SQL is data."""
    root = build_root(tmp_path / "root", {})
    (root / "registry" / "subjects.yaml").write_bytes(
        SUBJECTS + b'"O\'N;--":\n  sex: M\n  subject_birth_date: 2023-10-02\n'
    )
    evil = "x'); DROP TABLE session; --"
    (root / evil).mkdir()
    (root / evil / "session.yaml").write_bytes(
        b'subject: "O\'N;--"\nsession_datetime: 2024-02-01 10:00:00\n'
        b'note: "\'); DELETE FROM session_note; --"\n'
        b"attributes:\n  \"a' OR '1'='1\": \"1; DROP TABLE subject\"\n"
    )
    report, catalog = validate_and_load(root)
    assert report.findings == []
    sessions = {s.session_dir: s for s in catalog.sessions()}
    assert sorted(sessions) == sorted(["good-1", "good-2", evil])
    assert sessions[evil].subject == "O'N;--"
    assert sessions[evil].session_note == "'); DELETE FROM session_note; --"
    assert catalog["session__attribute"].to_dicts()[0]["attribute_name"] == "a' OR '1'='1"
    assert len(catalog["subject"]) == 2


def test_limits_are_the_documented_numbers() -> None:
    assert (MAX_BYTES, MAX_DEPTH, MAX_VALUES) == (1024 * 1024, 100, 100_000)
