"""Time publish and pull against a throwaway PostgreSQL 15: ``python benchmarks/publish.py [N ...]``
(``benchmarks/run.py --publish N ...`` puts the same rows in its table).

For each size a root is generated (``generate.py``, fixed seed) and copied (the steps edit
it), its index built first (a lab's root has one), then each step runs as its own
``session-files`` process against the server (``tests/fixtures_postgres.py``'s, or the
``DJ_*`` variables' with ``--dj``), timed, with its peak memory (max RSS):

* publish first     every row into a new schema; floor: ``COPY`` of the same rows (dumped
                    from that schema) into the same tables of another schema, one transaction
* publish no-change again, nothing changed; floor: ``session-files index`` (a no-change refresh)
* publish 1% replace 1% of the sidecars edited (a note and an attribute), ``--replace``
* publish 1% prune  1% of the sidecars removed, ``--prune`` (cascade accounting included)
* pull              the schema written back as a new root

Benchmarks are never tests: nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path[:0] = [str(HERE), str(REPO)]
from generate import generate  # noqa: E402

# One step in a process of its own: seconds and peak RSS (MiB) on the last line.
CHILD = """
import json, resource, sys, time
start = time.perf_counter()
from session_files.cli import main
try:
    main(sys.argv[1:], prog_name="session-files")
except SystemExit as done:
    code = done.code
seconds = time.perf_counter() - start
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps([seconds, rss, code]))
"""
TABLES = [
    "subject", "project", "experimenter", "session", "session__attribute",
    "session_directory", "session_experimenter", "session_note", "project_session",
]  # fmt: skip

Row = tuple[str, list[float], list[float] | None, str, str]  # name, ours, floor, unit, target


def step(*args: str) -> tuple[float, float]:
    """Run ``session-files ARGS``; its seconds and peak MiB."""
    done = subprocess.run(
        [sys.executable, "-c", CHILD, *args], capture_output=True, text=True, cwd=REPO, check=False
    )
    try:
        seconds, rss, code = json.loads(done.stdout.strip().splitlines()[-1])
    except (IndexError, ValueError):
        raise RuntimeError(f"session-files {' '.join(args)} failed:\n{done.stderr}") from None
    if code not in (0, None):
        raise RuntimeError(f"session-files {' '.join(args)} exited {code}:\n{done.stdout}")
    return float(seconds), float(rss)


@contextlib.contextmanager
def server(use_environment: bool, backend: str = "postgresql") -> Iterator[None]:
    """The DJ_* variables point at a server (a throwaway one unless ``use_environment``:
    PostgreSQL 15, or with ``backend`` mysql the tests' MariaDB 10.11)."""
    if use_environment:
        yield
        return
    from tests.fixtures_mysql import running_mariadb
    from tests.fixtures_postgres import running_postgres

    with (running_mariadb if backend == "mysql" else running_postgres)() as started:
        saved = dict(os.environ)
        os.environ.update(started.env())
        try:
            yield
        finally:
            os.environ.clear()
            os.environ.update(saved)


def _psycopg() -> Any:
    import psycopg2

    return psycopg2.connect(
        host=os.environ["DJ_HOST"], port=int(os.environ.get("DJ_PORT", "5432")),
        user=os.environ["DJ_USER"], password=os.environ["DJ_PASS"],
        dbname=os.environ.get("DJ_DATABASE_NAME", "postgres"),
    )  # fmt: skip


def copy_floor(schema: str, times: int) -> list[float]:
    """Seconds to COPY the schema's rows into the same (empty) tables of another schema."""
    from session_files.datajoint import load_datajoint
    from session_files.datajoint.declaration import prepare

    dj = load_datajoint()
    dumps: dict[str, str] = {}
    connection = _psycopg()
    with connection.cursor() as cursor:
        for table in TABLES:
            buffer = io.StringIO()
            cursor.copy_expert(f'COPY "{schema}"."{table}" TO STDOUT', buffer)
            dumps[table] = buffer.getvalue()
    connection.rollback()
    seconds = []
    for _ in range(times):
        floor = f"floor_{uuid.uuid4().hex[:8]}"
        prepare(dj, dj.conn(), floor, None)
        start = time.perf_counter()
        with connection.cursor() as cursor:
            for table in TABLES:
                cursor.copy_expert(
                    f'COPY "{floor}"."{table}" FROM STDIN', io.StringIO(dumps[table])
                )
        connection.commit()
        seconds.append(time.perf_counter() - start)
    connection.close()
    return seconds


def sidecars(root: Path) -> list[Path]:
    return sorted(root.rglob("session.yaml"))


def edit_one_percent(root: Path) -> None:
    """A note and an attribute value edited in 1% of the sidecars."""
    for path in sidecars(root)[::100]:
        text = path.read_text(encoding="utf-8").replace("  rig: ", "  rig: new-", 1)
        if "note:" in text:
            text = text.replace("note: ", "note: edited, ", 1)
        else:
            text = text.replace("attributes:", "note: edited\nattributes:", 1)
        path.write_text(text, encoding="utf-8")


def figures(n: int, source: Path, workdir: Path, repeat: int) -> list[Row]:
    """The publish and pull rows at ``n`` sessions (``source``: a generated root)."""
    root = workdir / f"publish-{n}"
    shutil.rmtree(root, ignore_errors=True)
    shutil.copytree(source, root, ignore=shutil.ignore_patterns(".session-files"))
    step("index", str(root))
    rows: list[Row] = []
    first, first_rss, schema = [], 0.0, ""
    for _ in range(repeat):
        schema = f"bench_{uuid.uuid4().hex[:8]}"
        seconds, rss = step("publish", str(root), "--schema", schema)
        first.append(seconds)
        first_rss = max(first_rss, rss)
    postgres = os.environ.get("DJ_BACKEND", "postgresql") == "postgresql"
    floor = copy_floor(schema, repeat) if postgres else None  # COPY: PostgreSQL's
    rows.append(("publish first", first, floor, "s", "<= 2x COPY floor"))
    rows.append(("publish first", [first_rss], None, "MiB", "<= 400 MiB (max RSS)"))
    again, refresh = [], []
    for _ in range(repeat):  # interleaved, each after a refresh: both meet a warm cache
        step("index", str(root))
        refresh.append(step("index", str(root))[0])
        again.append(step("publish", str(root), "--schema", schema))
    rows.append(("publish no-change", [s for s, _ in again], refresh, "s", "<= 3 s at 100k"))
    rows.append(("publish no-change", [max(r for _, r in again)], None, "MiB", "<= 300 MiB"))
    edit_one_percent(root)
    seconds, rss = step("publish", str(root), "--schema", schema, "--replace")
    target = "<= 2x no-change + changed rows"
    rows.append(("publish 1% replace", [seconds], [min(s for s, _ in again)], "s", target))
    rows.append(("publish 1% replace", [rss], None, "MiB", "bounded"))
    for path in sidecars(root)[1::100]:
        path.unlink()
    seconds, rss = step("publish", str(root), "--schema", schema, "--prune")
    rows.append(("publish 1% prune", [seconds], [min(s for s, _ in again)], "s", target))
    pulled = []
    for _ in range(repeat):
        target_dir = workdir / f"pulled-{n}"
        shutil.rmtree(target_dir, ignore_errors=True)
        pulled.append(step("pull", str(target_dir), "--schema", schema))
    rows.append(("pull", [s for s, _ in pulled], None, "s", "<= 30 s at 100k"))
    rows.append(("pull", [max(r for _, r in pulled)], None, "MiB", ""))
    return rows


BEGIN, END = "<!-- publish: benchmarks/publish.py -->", "<!-- /publish -->"


def section(lines: list[str], command: str) -> str:
    """The publish/pull section of docs/benchmarks.md."""
    head = [
        BEGIN,
        "## Publish and pull (PostgreSQL 15)",
        "",
        f"Generated by `{command}`; do not edit by hand. Each step is its own"
        " `session-files` process against a throwaway local PostgreSQL 15 (fsync off);"
        " the floor of a first publish is `COPY` of the same rows into the same tables"
        " in one transaction, that of a no-change republish a no-change `session-files"
        " index` refresh.",
        "",
        "| step | size | unit | ours min | floor min | ratio | target |",
        "|---|---|---|---|---|---|---|",
    ]
    return "\n".join([*head, *lines, END]) + "\n"


def write_section(path: Path, text: str) -> None:
    """Put the section into ``path``, replacing the one there."""
    old = path.read_text(encoding="utf-8") if path.exists() else ""
    if BEGIN in old and END in old:
        before, rest = old.split(BEGIN, 1)
        after = rest.split(END, 1)[1].lstrip("\n")
        new = before + text + after
    else:
        new = old.rstrip("\n") + "\n\n" + text
    path.write_text(new, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("sizes", nargs="*", type=int, default=[5000])
    parser.add_argument("--workdir", type=Path, default=None)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--dj", action="store_true", help="use the server of the DJ_* variables")
    parser.add_argument("--backend", choices=["postgresql", "mysql"], default="postgresql")
    parser.add_argument("--markdown", type=Path, help="also write the table into this file")
    args = parser.parse_args()
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="session-files-publish-bench-"))
    lines: list[str] = []
    with server(args.dj, args.backend):
        for n in args.sizes:
            source = workdir / f"root-{n}"
            if not (source / "registry").is_dir():
                generate(n, str(source))
            for name, ours, floor, unit, target in figures(n, source, workdir, args.repeat):
                best = min(ours)
                shown = f"{min(floor):.2f}" if floor else ""
                ratio = f"{best / min(floor):.2f}x" if floor else ""
                row = f"| {name} | {n:,} | {unit} | {best:.2f} | {shown} | {ratio} | {target} |"
                print(row, flush=True)
                lines.append(row)
    if args.markdown:
        shown = " ".join(map(str, args.sizes))
        command = f"python benchmarks/publish.py {shown} --repeat {args.repeat}"
        write_section(args.markdown, section(lines, command + f" --markdown {args.markdown}"))


if __name__ == "__main__":
    main()
