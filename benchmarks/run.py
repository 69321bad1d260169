"""Time the engine against what the hardware allows: ``python benchmarks/run.py [N ...]``.

For each size (default 1000 and 10000) a root is generated once (``generate.py``, fixed
seed) under ``--workdir``; every figure is printed next to its floor, the ratio and the
target. Each figure is measured ``--repeat`` times (min and median shown; ratios use the
minimums, the least disturbed runs on a shared machine):

* startup         ``session-files --version`` / ``--help`` vs ``python -c pass``
* cold index      vs walk + read every sidecar + ``yaml.load(CSafeLoader)``, one process
* warm refresh    ``update_index`` vs an ``os.scandir`` walk + stat of every sidecar
* warm CLI        ``session-files index ROOT`` vs the same walk in a fresh interpreter
* 1% changed      refresh after rewriting 1% of the sidecars (floor: the warm floor)
* load_catalog    from a fresh index (``refresh=False``), up to the first count
* one subject     ``catalog.sessions(subject=...)``
* peak memory     max RSS of a cold index: the main process plus each worker
* pybids          (``--pybids N ...``, at those sizes) ``BIDSLayout(validate=False)`` on the equivalent BIDS tree,
                  pybids in its own venv (``bids.py``); the ratio is pybids / ours
* publish / pull  (``--publish N ...``, at those sizes) against a throwaway PostgreSQL 15:
                  first publish next to a COPY floor of the same rows, a no-change
                  republish next to a no-change refresh, 1% replace and prune, pull, each
                  as its own process with its max RSS (``publish.py``)
* s3 cold / warm  (``--s3 N``) N sidecars in a bucket of a local S3 endpoint (moto's
                  server, ``s3.py``) vs listing + reading them with s3fs directly

``--markdown PATH`` also writes the table as Markdown (docs/benchmarks.md is written so).
Benchmarks are never tests: nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path[:0] = [str(HERE), str(REPO)]
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
WALK_CHILD = """
import os, sys
stack = [sys.argv[1]]
while stack:
    with os.scandir(stack.pop()) as entries:
        for entry in entries:
            if entry.name.startswith(".") or entry.name == "registry":
                continue
            if entry.is_dir(follow_symlinks=False):
                stack.append(entry.path)
            elif entry.name == "session.yaml":
                entry.stat(follow_symlinks=False)
"""


@dataclass
class Figure:
    """One line of the table."""

    name: str
    size: str
    ours: list[float]
    floor: list[float] | None
    unit: str
    target: str
    ratio_of: str = "ours/floor"  # or "floor/ours" (how many times faster than the floor)

    def cells(self) -> list[str]:
        scale = 1000 if self.unit == "ms" else 1
        ours_min, ours_med = min(self.ours) * scale, statistics.median(self.ours) * scale
        cells = [self.name, self.size, f"{ours_min:.3f}", f"{ours_med:.3f}"]
        if self.floor:
            floor_min = min(self.floor) * scale
            if self.ratio_of == "ours/floor":
                ratio = f"{ours_min / floor_min:.2f}x"
            else:
                ratio = f"{floor_min / ours_min:.1f}x faster"
            cells += [f"{floor_min:.3f}", ratio]
        else:
            cells += ["", ""]
        return [*cells, self.unit, self.target]


HEADER = ["figure", "size", "ours min", "ours median", "floor min", "ratio", "unit", "target"]
WIDTHS = [18, 8, 10, 12, 10, 14, 6, 0]


def line(cells: list[str]) -> str:
    """Cells in fixed-width columns: numbers right-aligned, the rest left-aligned."""
    out = [
        cell.rjust(width) + ("  " if i == 5 else "") if 0 < i < 6 else cell.ljust(width)
        for i, (cell, width) in enumerate(zip(cells, WIDTHS, strict=True))
    ]
    return "".join(out).rstrip()


def show(figure: Figure, figures: list[Figure]) -> None:
    figures.append(figure)
    cells = figure.cells()
    print(line(cells), flush=True)


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


def runs(action: Callable[[], object], times: int) -> list[float]:
    return [timed(action) for _ in range(times)]


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
            cwd=REPO,
        ).stdout.split()
    return int(out[0]) / 1024, int(out[1]) / 1024  # KiB -> MiB (Linux)


def cli() -> list[str]:
    return [sys.executable, "-m", "session_files"]


def run_quiet(command: list[str]) -> None:
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, cwd=REPO)


def compile_package() -> None:
    """Byte-compile the package, as installing it does: a checkout run with
    PYTHONDONTWRITEBYTECODE set would compile every module on each command-line run."""
    import compileall

    compileall.compile_dir(str(REPO / "session_files"), quiet=1)


def startup(repeat: int, figures: list[Figure]) -> None:
    times = max(5, repeat * 3)
    floor = runs(lambda: run_quiet([sys.executable, "-c", "pass"]), times)
    for flag in ("--version", "--help"):
        ours = runs(lambda flag=flag: run_quiet([*cli(), flag]), times)  # type: ignore[misc]
        show(Figure(f"startup {flag}", "-", ours, floor, "s", "< 0.1 s"), figures)


def bench(n: int, workdir: Path, repeat: int, figures: list[Figure], pybids: bool) -> None:
    root = workdir / f"root-{n}"
    if not (root / "registry").is_dir():
        shutil.rmtree(root, ignore_errors=True)
        generate(n, str(root))
    index = root / ".session-files" / "index.sqlite"
    size = f"{n:,}"
    floor_cold(root)  # warm the page cache for both sides
    cold_floor = runs(lambda: floor_cold(root), repeat)

    def cold() -> None:
        shutil.rmtree(root / ".session-files", ignore_errors=True)
        update_index(root, progress=False)

    cold_target = "<= 0.7x floor" if n >= 100_000 else "<= 0.9x floor"
    cold_runs = runs(cold, repeat)
    show(Figure("cold index", size, cold_runs, cold_floor, "s", cold_target), figures)
    time.sleep(2.1)  # past the racy window: the warm refresh trusts every stat
    update_index(root, progress=False)
    warm_floor = runs(lambda: floor_warm(root), repeat)
    warm = runs(lambda: update_index(root, progress=False), repeat)
    show(Figure("warm refresh", size, warm, warm_floor, "s", "<= 1.2x floor"), figures)
    walk = [sys.executable, "-c", WALK_CHILD, str(root)]
    cli_floor = runs(lambda: run_quiet(walk), repeat)
    cli_warm = runs(lambda: run_quiet([*cli(), "index", str(root)]), repeat)
    show(Figure("warm CLI index", size, cli_warm, cli_floor, "s", "<= 1.2x floor"), figures)
    changed = change_one_percent(root, int(time.time()))
    partial = [timed(lambda: update_index(root, progress=False))]
    show(Figure(f"{changed} changed", size, partial, warm_floor, "s", ""), figures)
    update_index(root, progress=False)

    def load() -> None:
        with load_catalog(root, index=index, refresh=False) as catalog:
            len(catalog["session"])

    show(Figure("load_catalog", size, runs(load, repeat), None, "s", "< 1 s"), figures)
    with load_catalog(root, index=index, refresh=False) as catalog:
        query = runs(lambda: catalog.sessions(subject="M001"), max(5, repeat))
        count = len(catalog.sessions(subject="M001"))
    show(Figure(f"sessions({count})", size, query, None, "ms", "< 50 ms"), figures)
    main, worker = peak_memory(root)
    workers = min(os.cpu_count() or 1, 8)
    total = main + workers * worker if worker else main
    target = f"< 300 MiB (main {main:.0f} + {workers} x worker {worker:.0f})"
    show(Figure("peak memory", size, [total], None, "MiB", target), figures)
    if pybids:
        from bids import bids_tree, pybids_python, time_pybids

        python = pybids_python(workdir)
        tree = workdir / f"bids-{n}"
        bids_tree(root, tree)
        results = [time_pybids(python, tree) for _ in range(repeat)]
        layout = [layout for _, layout, _ in results]
        show(
            Figure("pybids layout", size, cold_runs, layout, "s", ">= 25x faster", "floor/ours"),
            figures,
        )


def s3(n: int, workdir: Path, repeat: int, figures: list[Figure]) -> None:
    from s3 import endpoint, floor_cold, floor_warm, options, upload
    from upath import UPath

    root = workdir / f"root-{n}"
    if not (root / "registry").is_dir():
        shutil.rmtree(root, ignore_errors=True)
        generate(n, str(root))
    size = f"{n:,}"
    with endpoint() as url:
        bucket = f"lab-{uuid.uuid4().hex[:8]}"
        upload(url, root, bucket)
        remote = UPath(f"s3://{bucket}/", **options(url))
        cold_floor = runs(lambda: floor_cold(url, bucket), repeat)
        scratch = Path(tempfile.mkdtemp(prefix="sf-bench-s3-"))
        try:

            def cold() -> None:
                (scratch / "i.sqlite").unlink(missing_ok=True)
                update_index(remote, index=scratch / "i.sqlite", progress=False)

            show(Figure("s3 cold index", size, runs(cold, repeat), cold_floor, "s", ""), figures)
            warm_floor = runs(lambda: floor_warm(url, bucket), repeat)
            warm = runs(
                lambda: update_index(remote, index=scratch / "i.sqlite", progress=False), repeat
            )
            show(Figure("s3 warm refresh", size, warm, warm_floor, "s", ""), figures)
        finally:
            shutil.rmtree(scratch, ignore_errors=True)


def publishing(sizes: list[int], workdir: Path, repeat: int, figures: list[Figure]) -> None:
    """The publish and pull rows (``publish.py``), against one throwaway PostgreSQL."""
    from publish import figures as publish_figures
    from publish import server

    with server(use_environment=False):
        for n in sizes:
            root = workdir / f"root-{n}"
            if not (root / "registry").is_dir():
                shutil.rmtree(root, ignore_errors=True)
                generate(n, str(root))
            for name, ours, floor, unit, target in publish_figures(n, root, workdir, repeat):
                show(Figure(name, f"{n:,}", ours, floor, unit, target), figures)


def markdown(figures: list[Figure], command: str) -> str:
    lines = [
        "# Benchmarks",
        "",
        f"Generated by `{command}`; do not edit by hand.",
        f"Python {platform.python_version()}, {os.cpu_count()} cores, {platform.system()};"
        " a shared machine, so the minimum of the runs is the figure that counts and the"
        " ratio compares minimums.",
        "",
        "| " + " | ".join(HEADER) + " |",
        "|" + "|".join(["---"] * len(HEADER)) + "|",
    ]
    lines += ["| " + " | ".join(figure.cells()) + " |" for figure in figures]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("sizes", nargs="*", type=int, default=[1000, 10000])
    parser.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()) / "sf-bench")
    parser.add_argument("--repeat", type=int, default=3, help="runs per figure (min, median)")
    parser.add_argument(
        "--pybids", type=int, nargs="*", default=[], metavar="N", help="also pybids at these sizes"
    )
    parser.add_argument("--s3", type=int, default=0, metavar="N", help="also N sidecars on S3")
    parser.add_argument(
        "--publish", type=int, nargs="*", default=[], metavar="N",
        help="also publish/pull into PostgreSQL at these sizes",
    )  # fmt: skip
    parser.add_argument("--markdown", type=Path, help="also write the table here")
    args = parser.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    print(f"{sys.version.split()[0]}, {os.cpu_count()} cores; roots in {args.workdir}")
    print(line(HEADER))
    figures: list[Figure] = []
    compile_package()
    startup(args.repeat, figures)
    for n in args.sizes:
        bench(n, args.workdir, args.repeat, figures, n in args.pybids)
    if args.s3:
        s3(args.s3, args.workdir, args.repeat, figures)
    if args.publish:
        publishing(args.publish, args.workdir, args.repeat, figures)
    if args.markdown:
        shown = [str(n) for n in args.sizes] + [f"--repeat {args.repeat}"]
        shown += ["--pybids " + " ".join(map(str, args.pybids))] if args.pybids else []
        shown += [f"--s3 {args.s3}"] if args.s3 else []
        shown += ["--publish " + " ".join(map(str, args.publish))] if args.publish else []
        command = " ".join(["python benchmarks/run.py", *shown, f"--markdown {args.markdown}"])
        args.markdown.write_text(markdown(figures, command), encoding="utf-8")


if __name__ == "__main__":
    main()
