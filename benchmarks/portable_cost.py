"""Cost of the portable-profile checks (``read/portable.py``) on full-path YAML.

    python benchmarks/portable_cost.py [--repeat N]

For a few sidecars that take the full reader (flows, quotes, block notes, a tag; not
``read/simple.py``'s fast path) and a 24 KB registry, the minimum over many runs of:

* ``floor``: libyaml composing the text (``yaml.compose`` with ``CSafeLoader``);
* ``compose``: ``yamlsafe.compose`` (the floor, depth and portability checks);
* ``walk``: the portability check as a second pass over libyaml's tokens (``unportable(text)``);
* ``check``: the check as ``compose`` runs it, from the composed node tree
  (``unportable(text, node)``; it falls back to the token walk where it must).

Ratios are against the floor; the figures are noisy on a shared machine, the ratios less so.
"""

from __future__ import annotations

import argparse
import timeit
from collections.abc import Callable
from pathlib import Path

import yaml

from session_files.read import portable, yamlsafe
from session_files.read.simple import NotSimple, read_simple

ROOT = Path(__file__).resolve().parent.parent

FULL = """\
# yaml-language-server: $schema=../../../../schemas/session.schema.json
schema_version: 1
subject: M001
session_datetime: "2024-01-18T14:00:00"
experimenters: [alice, bob]
projects: [vision-mapping, pilot]
note: |
  Water restriction day 3.
  Animal alert, good licking.
attributes:
  rig: 'rig-1'
  reward_ul: 4
  stimulus: "drifting gratings, 8 directions"
  licks_per_trial:
    blob: {mean: 3.2, sd: 0.8, n_trials: 212}
"""

NOTE = """\
subject: M001
session_datetime: 2024-01-15 10:30:00
note: >
  Two lines of note,
  folded into one.
"""

TAGGED = FULL.replace("reward_ul: 4", "reward_ul: !!str 4")


def registry() -> str:
    """About 24 KB of experimenters, with quoted numbers and flow lists (the full path)."""
    entries = []
    for i in range(240):
        entries.append(
            f"user{i:03d}:\n"
            f"  user_email: user{i:03d}@example.org  # work address\n"
            f'  user_cellphone: "555-{i:04d}"\n'
            f"  user_fullname: User {i} Smith\n"
        )
    return "".join(entries)


def cases() -> dict[str, str]:
    found = {"sidecar, 15 lines": FULL, "sidecar, folded note": NOTE, "sidecar, !!str": TAGGED}
    for path in sorted((ROOT / "examples" / "lab").glob("*/*/session.yaml")):
        text = path.read_text(encoding="utf-8")
        try:
            read_simple(text.encode())
        except NotSimple:
            found[f"examples/{path.parent.parent.name}/{path.parent.name[:10]}"] = text
    found["registry, 24 KB"] = registry()
    return found


def best(call: Callable[[], object], repeat: int) -> float:
    """Minimum time of one call, in microseconds."""
    timer = timeit.Timer(call)
    number, _ = timer.autorange()
    number = max(1, number // 5)
    return min(timer.repeat(repeat=repeat, number=number)) / number * 1e6


def row(name: str, text: str, repeat: int) -> str:
    """One case's figures: microseconds, and ratios against the libyaml floor."""
    node = yaml.compose(text, Loader=yaml.CSafeLoader)
    floor = best(lambda: yaml.compose(text, Loader=yaml.CSafeLoader), repeat)
    full = best(lambda: yamlsafe.compose(text), repeat)
    walk = best(lambda: portable.unportable(text), repeat)
    check = best(lambda: portable.unportable(text, node), repeat)
    return (
        f"{name:28} {len(text):6} {floor:9.1f} {full:9.1f} {walk:8.1f} {check:8.1f}"
        f"   {full / floor:13.2f}  ({walk / floor:.2f}, {check / floor:.2f})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()
    header = f"{'case':28} {'bytes':>6} {'floor µs':>9} {'compose':>9} {'walk':>8} {'check':>8}"
    print(header + "   compose/floor  (walk, check)/floor")
    for name, text in cases().items():
        print(row(name, text, args.repeat))


if __name__ == "__main__":
    main()
