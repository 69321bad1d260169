"""The side-by-side run against pybids: an equivalent BIDS tree and pybids in its own venv.

The BIDS tree holds what the session-files root holds: one session directory per session
(``sub-<subject>/ses-<date>T<time>/``) with one JSON sidecar carrying the same metadata
(experimenters, projects, note, attributes) and one small data file beside it, plus
``dataset_description.json`` and ``participants.tsv``. pybids is installed with pip into
``<workdir>/pybids-venv`` (never a dependency of this project) and times
``BIDSLayout(root, validate=False)``, which walks the tree and indexes every sidecar's
metadata into its in-memory SQLite database.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import venv
from pathlib import Path

import yaml

PYBIDS = "pybids==0.22.0"

CHILD = """
import sys, time
start = time.perf_counter()
from bids import BIDSLayout
imported = time.perf_counter()
layout = BIDSLayout(sys.argv[1], validate=False)
done = time.perf_counter()
print(done - start, done - imported, len(layout.get(extension=".json", suffix="beh")))
"""


def pybids_python(workdir: Path) -> Path:
    """The interpreter of a venv holding pybids (created and installed on first use)."""
    env = workdir / "pybids-venv"
    python = env / "bin" / "python"
    if not python.exists():
        venv.create(env, with_pip=True)
    probe = subprocess.run([python, "-c", "import bids"], capture_output=True, check=False)
    if probe.returncode != 0:
        subprocess.run([python, "-m", "pip", "install", "-q", PYBIDS], check=True)
    return python


def _label(text: str) -> str:
    """A BIDS label (alphanumeric only)."""
    return re.sub(r"[^A-Za-z0-9]", "", text)


def bids_tree(root: Path, out: Path) -> int:
    """Write the BIDS equivalent of the session-files root ``root`` into ``out``; returns the
    number of sessions written. Done once per root (a marker file records completion)."""
    marker = out / ".complete"
    if marker.exists():
        return int(marker.read_text(encoding="utf-8"))
    out.mkdir(parents=True, exist_ok=True)
    (out / "dataset_description.json").write_text(
        json.dumps({"Name": "session-files benchmark", "BIDSVersion": "1.9.0"}), encoding="utf-8"
    )
    subjects: set[str] = set()
    count = 0
    for directory, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d != "registry")
        if "session.yaml" not in files:
            continue
        with open(os.path.join(directory, "session.yaml"), "rb") as handle:
            record = yaml.load(handle.read(), Loader=yaml.CSafeLoader)
        subject = _label(str(record["subject"]))
        when = record["session_datetime"]
        session = f"{when:%Y%m%dT%H%M%S}"
        subjects.add(subject)
        target = out / f"sub-{subject}" / f"ses-{session}" / "beh"
        target.mkdir(parents=True, exist_ok=True)
        stem = f"sub-{subject}_ses-{session}_task-rest"
        metadata = {
            "Experimenters": record.get("experimenters") or [],
            "Projects": record.get("projects") or [],
            "Note": record.get("note"),
            "Attributes": record.get("attributes") or {},
        }
        (target / f"{stem}_beh.json").write_text(json.dumps(metadata), encoding="utf-8")
        (target / f"{stem}_beh.tsv").write_text("onset\tduration\n0\t1\n", encoding="utf-8")
        count += 1
    participants = "participant_id\n" + "".join(f"sub-{s}\n" for s in sorted(subjects))
    (out / "participants.tsv").write_text(participants, encoding="utf-8")
    marker.write_text(str(count), encoding="utf-8")
    return count


def time_pybids(python: Path, tree: Path) -> tuple[float, float, int]:
    """(seconds including pybids' import, seconds of BIDSLayout alone, sidecars found)."""
    out = subprocess.run(
        [python, "-c", CHILD, str(tree)], check=True, capture_output=True, text=True
    ).stdout.split()
    return float(out[0]), float(out[1]), int(out[2])


if __name__ == "__main__":  # pragma: no cover - a manual check
    print(bids_tree(Path(sys.argv[1]), Path(sys.argv[2])))
