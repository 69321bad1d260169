"""``session-files report`` against ``session-files ls`` on one root:
``python benchmarks/report.py [N] [--workdir DIR] [--repeat R] [--bad-every K]``.

A root of N sessions (``generate.py``, fixed seed; every K-th sidecar then names an
unknown subject, so the page has findings) is indexed once; then each command runs R
times on the warm index, in a fresh process, and the minimum and median wall times, the
ratio report / ls (target < 2) and the page's size (target < 5 MB) are printed.
Benchmarks are never tests: nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from generate import generate


def _break(root: Path, every: int) -> int:
    """Make every ``every``-th sidecar (in sorted order) name an unknown subject."""
    paths = sorted(root.rglob("session.yaml"))
    broken = 0
    for i, path in enumerate(paths, 1):
        if every and i % every == 0:
            text = path.read_text(encoding="utf-8")
            lines = [
                "subject: X999" if line.startswith("subject:") else line
                for line in text.splitlines()
            ]
            path.write_text("\n".join(lines) + "\n", encoding="utf-8")
            broken += 1
    return broken


def _time(args: list[str], repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run(args, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        times.append(time.perf_counter() - start)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("n", type=int, nargs="?", default=100_000)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/session-files-bench"))
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--bad-every", type=int, default=100)
    args = parser.parse_args()
    root = args.workdir / f"report-{args.n}"
    if not root.is_dir():
        generate(args.n, str(root))
        print(f"generated {root}; broke {_break(root, args.bad_every)} sidecars")
    cli = [sys.executable, "-m", "session_files"]
    subprocess.run([*cli, "index", str(root)], check=True, stdout=subprocess.DEVNULL)
    page = args.workdir / f"report-{args.n}.html"
    ls = _time([*cli, "ls", str(root)], args.repeat)
    report = _time(
        [*cli, "report", str(root), "--out", str(page), "--attribute", "rig"], args.repeat
    )
    for name, times in (("ls", ls), ("report", report)):
        print(f"{name:<7} min {min(times):6.2f} s  median {statistics.median(times):6.2f} s")
    print(f"ratio   report / ls (minimums): {min(report) / min(ls):.2f}  (target < 2)")
    print(f"page    {os.path.getsize(page) / 1e6:.2f} MB  (target < 5 MB)")


if __name__ == "__main__":
    main()
