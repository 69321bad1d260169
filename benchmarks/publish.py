"""Time publish, replace, prune and pull: ``python benchmarks/publish.py [N ...]``.

For each size (default 5000) a root is generated (``generate.py``, fixed seed), then timed
against a throwaway PostgreSQL 15 server (the tests' own, ``tests/fixtures_postgres.py``;
``--backend mysql``: the tests' MariaDB 10.11, ``tests/fixtures_mysql.py``; ``--dj`` uses the
server of the ``DJ_*`` variables instead), each step in a fresh schema state as a lab would
meet it:

* first publish     every session and registry row inserted, into a new schema
* again, unchanged  nothing to change (the cost of comparing)
* replace 1%        1% of the sidecars' notes and one attribute edited, ``--replace``
* prune 1%          1% of the sidecars removed, ``--prune`` (cascade accounting included)
* pull              the whole schema written back as a new root

Benchmarks are never tests: nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

sys.path[:0] = [str(Path(__file__).resolve().parent), str(Path(__file__).resolve().parents[1])]
from generate import generate  # noqa: E402

from session_files.datajoint import load_datajoint, publish, pull  # noqa: E402


def timed(action: Callable[[], object]) -> tuple[float, object]:
    start = time.perf_counter()
    value = action()
    return time.perf_counter() - start, value


@contextlib.contextmanager
def server(use_environment: bool, backend: str) -> Iterator[None]:
    if use_environment:
        yield
        return
    from tests.fixtures_mysql import running_mariadb
    from tests.fixtures_postgres import running_postgres

    with (running_mariadb if backend == "mysql" else running_postgres)() as started:
        os.environ.update(started.env())
        yield


def connect() -> None:
    dj = load_datajoint()
    dj.config["database.backend"] = os.environ.get("DJ_BACKEND", "postgresql")
    dj.config["database.host"] = os.environ["DJ_HOST"]
    dj.config["database.port"] = int(os.environ["DJ_PORT"])
    dj.config["database.user"] = os.environ["DJ_USER"]
    dj.config["database.password"] = os.environ["DJ_PASS"]
    dj.config["database.use_tls"] = False
    dj.config["safemode"] = False
    dj.conn(reset=True)


def sidecars(root: Path) -> list[Path]:
    return sorted(root.rglob("session.yaml"))


def bench(n: int, workdir: Path) -> None:
    root = workdir / f"root-{n}"
    shutil.rmtree(root, ignore_errors=True)  # the steps below edit the root: start afresh
    generate(n, str(root))
    schema = f"bench_{uuid.uuid4().hex[:8]}"
    files = sidecars(root)
    step = max(1, n // 100)

    seconds, result = timed(lambda: publish(root, schema, progress=False))
    print(f"| first publish | {n} | {seconds:.1f} s | {len(result.sessions_inserted)} inserted |")  # type: ignore[attr-defined]
    seconds, result = timed(lambda: publish(root, schema, progress=False))
    print(f"| again, unchanged | {n} | {seconds:.1f} s | {result.changes} changes |")  # type: ignore[attr-defined]

    for path in files[::step]:  # 1%: a note and an attribute value edited
        text = path.read_text(encoding="utf-8").replace("  rig: ", "  rig: new-", 1)
        path.write_text(text.replace("attributes:", "note: edited\nattributes:", 1)
                        if "note:" not in text else text.replace("note: ", "note: edited, ", 1),
                        encoding="utf-8")  # fmt: skip
    seconds, result = timed(lambda: publish(root, schema, replace=True, progress=False))
    print(f"| replace 1% | {n} | {seconds:.1f} s | {len(result.sessions_replaced)} updated |")  # type: ignore[attr-defined]

    for path in files[1::step]:
        path.unlink()
    seconds, result = timed(lambda: publish(root, schema, prune=True, progress=False))
    print(f"| prune 1% | {n} | {seconds:.1f} s | {len(result.sessions_pruned)} pruned |")  # type: ignore[attr-defined]

    target = workdir / f"pulled-{n}"
    shutil.rmtree(target, ignore_errors=True)
    seconds, pulled = timed(lambda: pull(target, schema))
    print(f"| pull | {n} | {seconds:.1f} s | {pulled.sessions} sessions written |")  # type: ignore[attr-defined]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sizes", nargs="*", type=int, default=[5000])
    parser.add_argument("--workdir", type=Path, default=None)
    parser.add_argument("--dj", action="store_true", help="use the server of the DJ_* variables")
    parser.add_argument("--backend", choices=["postgresql", "mysql"], default="postgresql")
    args = parser.parse_args()
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="session-files-publish-bench-"))
    with server(args.dj, args.backend):
        connect()
        print("| step | sessions | time | what |")
        print("|---|---|---|---|")
        for n in args.sizes:
            bench(n, workdir)


if __name__ == "__main__":
    main()
