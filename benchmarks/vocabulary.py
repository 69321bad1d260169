"""The cost of the lab vocabulary: ``python benchmarks/vocabulary.py [N ...] [--repeat R]``.

For each size a root is generated once (``generate.py --vocabulary``: every sidecar follows
the vocabulary, so the checks run in full and find nothing) under ``--workdir``; then
``validate`` (no persistent index: the whole root is read and checked, in memory) is timed
with ``registry/attributes.yaml`` present and absent, alternately, ``--repeat`` times each.
Prints the minimum and median wall and CPU seconds (this process and its workers) and the
ratio of the minimums. Benchmarks are never tests: nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from generate import generate

from session_files import validate


def _cpu() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _once(root: Path) -> tuple[float, float, int]:
    wall, cpu = time.perf_counter(), _cpu()
    report = validate(root)
    return time.perf_counter() - wall, _cpu() - cpu, report.sessions


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("sizes", type=int, nargs="*", default=[10_000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--workdir", default="/tmp/session-files-vocabulary-bench")
    args = parser.parse_args()
    for size in args.sizes:
        root = Path(args.workdir) / str(size)
        if not (root / "registry" / "attributes.yaml").exists():
            root.mkdir(parents=True, exist_ok=True)
            generate(size, str(root), with_vocabulary=True)
        vocabulary = root / "registry" / "attributes.yaml"
        aside = root / "attributes.yaml.aside"
        figures: dict[str, list[tuple[float, float]]] = {"without": [], "with": []}
        for _ in range(args.repeat):
            for label in ("without", "with"):
                if label == "without":
                    os.replace(vocabulary, aside)
                try:
                    wall, cpu, sessions = _once(root)
                finally:
                    if label == "without":
                        os.replace(aside, vocabulary)
                assert sessions == size, (label, sessions)  # every sidecar passes either way
                figures[label].append((wall, cpu))
        print(f"validate, {size:,} sessions ({args.repeat} runs each, interleaved)")
        for label, runs in figures.items():
            walls, cpus = [w for w, _ in runs], [c for _, c in runs]
            print(
                f"  {label:8s} vocabulary: wall min {min(walls):.3f} s median"
                f" {statistics.median(walls):.3f} s; CPU min {min(cpus):.3f} s median"
                f" {statistics.median(cpus):.3f} s"
            )
        wall_ratio = min(w for w, _ in figures["with"]) / min(w for w, _ in figures["without"])
        cpu_ratio = min(c for _, c in figures["with"]) / min(c for _, c in figures["without"])
        print(f"  with / without: wall {wall_ratio:.3f}x, CPU {cpu_ratio:.3f}x")


if __name__ == "__main__":
    main()
