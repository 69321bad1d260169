"""Time the engine against what the hardware allows: ``python benchmarks/run.py [N ...]``.

For each size (default 1000 and 10000) a root is generated once (``generate.py``, fixed
seed) under ``--workdir``; every figure is printed next to its floor and the ratio:

* cold index     vs walk + read every sidecar + ``yaml.load(CSafeLoader)``, one process
* warm refresh   vs ``os.scandir`` walk + stat of every sidecar (nothing changed)
* 1% changed     refresh after rewriting 1% of the sidecars (floor: warm floor)
* load_catalog   from a fresh index (``refresh=False``), up to the first count
* one subject    ``catalog.sessions(subject=...)``, best of 5
* peak memory    max RSS of a child process doing a cold index (and of its workers)

Benchmarks are never tests: nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import yaml

sys.path[:0] = [str(Path(__file__).resolve().parent), str(Path(__file__).resolve().parents[1])]
from generate import generate  # noqa: E402

from session_files import load_catalog, update_index  # noqa: E402

MEMORY_CHILD = """
import resource, sys
from session_files import update_index
update_index(sys.argv[1], index=sys.argv[2], progress=False)
me = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
workers = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(me, workers)
"""


def sidecars(root: Path) -> list[str]:
    found = []
    stack = [str(root)]
    while stack:
        with os.scandir(stack.pop()) as entries:
            for entry in entries:
                if entry.name.startswith(".") or entry.name == "registry":
                    continue
                if entry.is_dir(follow_symlinks=False):
                    stack.append(entry.path)
                elif entry.name == "session.yaml":
                    found.append(entry.path)
    return found


def floor_cold(root: Path) -> None:
    for path in sidecars(root):
        with open(path, "rb") as handle:
            yaml.load(handle.read(), Loader=yaml.CSafeLoader)


def floor_warm(root: Path) -> None:
    for path in sidecars(root):
        os.stat(path)


def timed(action: Callable[[], object]) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def best(action: Callable[[], object], times: int = 3) -> float:
    return min(timed(action) for _ in range(times))


def change_one_percent(root: Path, round_: int) -> int:
    paths = sorted(sidecars(root))[::100]
    for path in paths:
        with open(path, "a", encoding="utf-8") as handle:
            handle.write(f"# edited {round_}\n")
    return len(paths)


def peak_memory(root: Path) -> tuple[float, float]:
    with tempfile.TemporaryDirectory() as scratch:
        out = subprocess.run(
            [sys.executable, "-c", MEMORY_CHILD, str(root), str(Path(scratch) / "i.sqlite")],
            check=True,
            capture_output=True,
            text=True,
            cwd=Path(__file__).resolve().parents[1],
        ).stdout.split()
    return int(out[0]) / 1024, int(out[1]) / 1024  # KiB -> MiB (Linux)


def row(figure: str, n: int, ours: float, floor: float | None, unit: str, target: str) -> None:
    scale = 1000 if unit == "ms" else 1
    ratio = f"{ours / floor:5.2f}x" if floor else "     -"
    floor_text = f"{floor * scale:10.3f}" if floor else " " * 10
    print(f"{figure:<16}{n:>8}{ours * scale:12.3f}{floor_text}{ratio:>8}  {unit:<4}{target}")


def bench(n: int, workdir: Path) -> None:
    root = workdir / f"root-{n}"
    if not (root / "registry").is_dir():
        shutil.rmtree(root, ignore_errors=True)
        generate(n, str(root))
    index = root / ".session-files" / "index.sqlite"
    floor_cold(root)  # warm the page cache for both sides
    cold_floor = best(lambda: floor_cold(root), 2)
    shutil.rmtree(root / ".session-files", ignore_errors=True)
    cold = timed(lambda: update_index(root, progress=False))
    row("cold index", n, cold, cold_floor, "s", "<= 1.0x floor")
    warm_floor = best(lambda: floor_warm(root))
    warm = best(lambda: update_index(root, progress=False))
    row("warm refresh", n, warm, warm_floor, "s", "<= 2x floor and < 3 s")
    changed = change_one_percent(root, int(time.time()))
    partial = timed(lambda: update_index(root, progress=False))
    row(f"{changed} changed", n, partial, warm_floor, "s", "")
    update_index(root, progress=False)

    def load() -> None:
        with load_catalog(root, index=index, refresh=False) as catalog:
            len(catalog["session"])

    row("load_catalog", n, best(load), None, "s", "< 1 s")
    with load_catalog(root, index=index, refresh=False) as catalog:
        query = best(lambda: catalog.sessions(subject="M001"), 5)
        count = len(catalog.sessions(subject="M001"))
    row(f"sessions({count})", n, query, None, "ms", "< 50 ms")
    main, workers = peak_memory(root)
    print(
        f"{'peak memory':<16}{n:>8}{main:12.1f}{'':>10}{'':>8}  MiB main; workers {workers:.1f} MiB"
        "  (< 1 GiB)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sizes", nargs="*", type=int, default=[1000, 10000])
    parser.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()) / "sf-bench")
    args = parser.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    print(f"{sys.version.split()[0]}, {os.cpu_count()} cores; roots in {args.workdir}")
    print(f"{'figure':<16}{'size':>8}{'ours':>12}{'floor':>10}{'ratio':>8}  unit target")
    for n in args.sizes:
        bench(n, args.workdir)


if __name__ == "__main__":
    main()
