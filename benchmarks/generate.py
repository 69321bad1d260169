"""Generate a realistic data root: ``python benchmarks/generate.py N OUT``.

N sessions spread over ~200 subjects in a SUBJECT/DATE_TIME/ layout, with registries,
experimenters, projects, attributes (one with a blob) and notes. The seed is fixed, so the
same N always gives the same root.
"""

from __future__ import annotations

import argparse
import os
import random
from datetime import datetime, timedelta

SUBJECTS = 200
USERS = ["alice", "bob", "chen", "dana", "erik", "fatima", "gus", "hana"]
PROJECTS = ["vision-mapping", "optogenetics-pv", "pilot", "decision-making", "sleep-ca1"]
RIGS = ["rig-1", "rig-2", "rig-3", "ephys-1", "ephys-2"]
NOTES = [
    "Recording went well; slight drift near the end.",
    "Animal alert, good licking.",
    "Session aborted after 20 minutes (animal disengaged).",
    "Habituation only, no recording.",
]


def subject_ids() -> list[str]:
    """Subject keys: M001..., R001... (at most 8 characters)."""
    return [("M" if i % 4 else "R") + f"{i:03d}" for i in range(1, SUBJECTS + 1)]


def registries(out: str, subjects: list[str], rng: random.Random) -> None:
    os.makedirs(os.path.join(out, "registry"), exist_ok=True)
    lines = []
    for subject in subjects:
        born = datetime(2023, 1, 1) + timedelta(days=rng.randrange(365))
        lines += [
            f"{subject}:",
            f"  sex: {rng.choice('MFU')}",
            f"  subject_birth_date: {born:%Y-%m-%d}",
            f"  subject_nickname: nick-{subject.lower()}",
            "  subject_description: C57BL/6J wild type",
        ]
    with open(os.path.join(out, "registry", "subjects.yaml"), "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")
    with open(os.path.join(out, "registry", "projects.yaml"), "w", encoding="utf-8") as f:
        f.writelines(f"{p}:\n  project_description: The {p} project\n" for p in PROJECTS)
    with open(os.path.join(out, "registry", "experimenters.yaml"), "w", encoding="utf-8") as f:
        f.writelines(
            f"{u}:\n  user_email: {u}@example.org\n  user_fullname: {u.title()} Smith\n"
            for u in USERS
        )


def sidecar(subject: str, when: datetime, rng: random.Random) -> str:
    users = rng.sample(USERS, rng.randint(1, 2))
    projects = rng.sample(PROJECTS, rng.randint(0, 2))
    lines = [
        "# yaml-language-server: $schema=../../schemas/session.schema.json",
        "schema_version: 1",
        f"subject: {subject}",
        f"session_datetime: {when:%Y-%m-%d %H:%M:%S}",
        f"experimenters: [{', '.join(users)}]",
    ]
    if projects:
        lines.append(f"projects: [{', '.join(projects)}]")
    if rng.random() < 0.5:
        lines.append(f"note: {rng.choice(NOTES)}")
    depths = [rng.randrange(800, 2000, 50) for _ in range(3)]
    lines += [
        "attributes:",
        f"  rig: {rng.choice(RIGS)}",
        f"  temperature_c: {rng.uniform(35.5, 37.5):.2f}",
        "  probe_depths_um:",
        "    value: three shanks",
        f"    blob: [{', '.join(map(str, depths))}]",
    ]
    return "\n".join(lines) + "\n"


VOCABULARY = """\
rig:
  registry: rigs
  required: true
  description: the recording rig
temperature_c:
  type: number
  unit: degC
  minimum: 30
  maximum: 42
probe_depths_um:
  type: blob
  unit: um
"""


def vocabulary(out: str) -> None:
    """The lab vocabulary the sidecars follow: ``attributes.yaml`` and ``rigs.yaml``."""
    with open(os.path.join(out, "registry", "attributes.yaml"), "w", encoding="utf-8") as f:
        f.write(VOCABULARY)
    with open(os.path.join(out, "registry", "rigs.yaml"), "w", encoding="utf-8") as f:
        f.writelines(f"{rig}:\n  description: the {rig} rig\n" for rig in RIGS)


def generate(n: int, out: str, seed: int = 20240115, *, with_vocabulary: bool = False) -> None:
    """Write a root of ``n`` sessions into ``out`` (with a lab vocabulary, if asked)."""
    rng = random.Random(seed)
    subjects = subject_ids()
    registries(out, subjects, rng)
    if with_vocabulary:
        vocabulary(out)
    start = datetime(2024, 1, 1, 8, 0, 0)
    for i in range(n):
        subject = subjects[i % len(subjects)]
        when = start + timedelta(days=i // len(subjects), seconds=rng.randrange(36000))
        directory = os.path.join(out, subject, f"{when:%Y-%m-%d_%H-%M-%S}")
        os.makedirs(directory, exist_ok=True)
        with open(os.path.join(directory, "session.yaml"), "w", encoding="utf-8") as f:
            f.write(sidecar(subject, when, rng))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("n", type=int, help="number of sessions")
    parser.add_argument("out", help="directory to create the root in")
    parser.add_argument(
        "--vocabulary", action="store_true", help="add registry/attributes.yaml and rigs.yaml"
    )
    args = parser.parse_args()
    generate(args.n, args.out, with_vocabulary=args.vocabulary)


if __name__ == "__main__":
    main()
