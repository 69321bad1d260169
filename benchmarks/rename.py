"""Time a subject rename: ``python benchmarks/rename.py N OUT``.

Makes (once) a root of N sessions with ``generate.py`` plus 300 sessions of a subject
``M01`` (the issue's typo), indexes it, then renames ``M01`` to ``M201`` and back, timing
each plan (a warm index refresh plus reading the 300 sidecars) and each apply (300 atomic
writes under their locks, the registry, and the index refresh that re-reads them). The
floor is a warm refresh that finds nothing changed.
"""

from __future__ import annotations

import argparse
import os
import random
import time
from datetime import datetime, timedelta

from generate import generate, sidecar

from session_files.api import update_index
from session_files.write.rename import apply_rename, plan_rename

TYPO = "M01"


def make(n: int, out: str) -> None:
    if os.path.exists(os.path.join(out, "registry")):
        return
    generate(n - 300, out)
    rng = random.Random(1)
    for i in range(300):
        when = datetime(2030, 6, 1, 8) + timedelta(hours=i)
        directory = os.path.join(out, TYPO, f"{when:%Y-%m-%d_%H-%M-%S}")
        os.makedirs(directory)
        with open(os.path.join(directory, "session.yaml"), "w", encoding="utf-8") as f:
            f.write(sidecar(TYPO, when, rng))
    with open(os.path.join(out, "registry", "subjects.yaml"), "a", encoding="utf-8") as f:
        f.write(f"{TYPO}:\n  sex: F\n  subject_birth_date: 2024-11-02\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("n", type=int)
    parser.add_argument("out")
    parser.add_argument("--rounds", type=int, default=1, help="rename there and back this often")
    args = parser.parse_args()
    make(args.n, args.out)
    update_index(args.out)
    for _ in range(args.rounds):
        start = time.perf_counter()
        update_index(args.out)
        floor = time.perf_counter() - start
        for old, new in ((TYPO, "M201"), ("M201", TYPO)):
            start = time.perf_counter()
            plan = plan_rename(args.out, "subject", old, new)
            planned = time.perf_counter() - start
            result = apply_rename(plan)
            applied = time.perf_counter() - start - planned
            print(
                f"{args.n:,} sessions: rename {old} -> {new}: {len(result.done)} files,"
                f" plan {planned:.2f} s, apply {applied:.2f} s, total {planned + applied:.2f} s"
                f" (warm refresh floor {floor:.2f} s; index re-read {len(result.refreshed)})"
            )


if __name__ == "__main__":
    main()
