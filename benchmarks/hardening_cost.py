"""Cost of the hostile inputs of issue 15, each in a fresh Python process.

    python benchmarks/hardening_cost.py

For each case: wall time, growth of the peak resident set (``ru_maxrss``) over the
process's own start, and the peak of Python allocations (``tracemalloc``). The table in
docs/security.md is this script's output on the 2-core CI machine.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

MiB = 1 << 20
GOOD = "subject: M001\nsession_datetime: 2024-01-15 10:30:00\n"
SUBJECTS = "M001:\n  sex: F\n  subject_birth_date: 2023-10-01\n"

FILES = {
    "note: 0x_ (no digits)": GOOD + "note: 0x_\n",
    "note: !!int high": GOOD + "note: !!int high\n",
    "note: !!bool maybe": GOOD + "note: !!bool maybe\n",
    "5,000-digit integer": GOOD + "note: " + "7" * 5000 + "\n",
    "4,000-digit hex integer": GOOD + "note: 0x" + "f" * 4000 + "\n",
    "1 MiB of 1:0:0:... (base 60)": GOOD + "note: 1" + ":0" * (MiB // 2 - 40) + "\n",
    "1 MiB of digits": GOOD + "note: " + "7" * (MiB - 100) + "\n",
}

PARSE = textwrap.dedent(
    """
    import json, resource, sys, time, tracemalloc
    from session_files.read.sidecar import parse_sidecar
    def hwm():  # this process's own peak RSS in KiB (ru_maxrss may carry the parent's)
        return int([l for l in open("/proc/self/status") if l.startswith("VmHWM:")][0].split()[1])
    data = open(sys.argv[1], "rb").read()
    base = hwm()
    start = time.perf_counter()
    parse_sidecar(data, "s")
    ms = (time.perf_counter() - start) * 1000
    rss = (hwm() - base) / 1024
    tracemalloc.start()
    parse_sidecar(data, "s")
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    print(json.dumps([len(data), ms, rss, peak]))
    """
)

ROOT = textwrap.dedent(
    """
    import json, resource, sys, time
    from session_files import validate
    def hwm():
        return int([l for l in open("/proc/self/status") if l.startswith("VmHWM:")][0].split()[1])
    base = hwm()
    start = time.perf_counter()
    report = validate(sys.argv[1], registry=sys.argv[2] if len(sys.argv) > 2 else None)
    ms = (time.perf_counter() - start) * 1000
    rss = (hwm() - base) / 1024
    size = sum(len(f.message) for f in report.findings)
    print(json.dumps([size, ms, rss, None]))
    """
)


def run(script: str, *args: str) -> list[float]:
    out = subprocess.run(
        [sys.executable, "-c", script, *args], capture_output=True, text=True, check=True
    ).stdout
    result: list[float] = json.loads(out.splitlines()[-1])
    return result


def root_cases(tmp: Path) -> dict[str, list[str]]:
    import zipfile

    cases: dict[str, list[str]] = {}
    # ignore pattern that backtracks exponentially in Python's regex
    root = tmp / "ignore"
    (root / "registry").mkdir(parents=True)
    (root / "registry/subjects.yaml").write_text(SUBJECTS)
    (root / "session-files.yaml").write_text('ignore: ["' + "*a" * 12 + '*b"]\n')
    for i in range(200):
        (root / f"{'a' * 200}{i}").mkdir()
        when = f"10:{i // 60:02d}:{i % 60:02d}"
        (root / f"{'a' * 200}{i}/session.yaml").write_text(GOOD.replace("10:30:00", when))
    cases["ignore *a*a...*b (12 stars), 200 names of 200 a's"] = [str(root)]
    # thousands of copies of one session
    root = tmp / "copies"
    (root / "registry").mkdir(parents=True)
    (root / "registry/subjects.yaml").write_text(SUBJECTS)
    for i in range(6000):
        (root / f"{i:05d}").mkdir()
        (root / f"{i:05d}/session.yaml").write_text(GOOD)
    cases["6,000 copies of one session (total message bytes)"] = [str(root)]
    # a 1 GiB registry entry in an archive
    archive = tmp / "registry.zip"
    block = b"#" * MiB
    with (
        zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as z,
        z.open("registry/subjects.yaml", "w", force_zip64=True) as entry,
    ):
        for _ in range(1024):
            entry.write(block)
    small = tmp / "small"
    (small / "a").mkdir(parents=True)
    (small / "a/session.yaml").write_text(GOOD)
    cases["1 GiB registry entry in a zip:// archive"] = [str(small), f"zip://registry::{archive}"]
    return cases


def main() -> None:
    print("| case | bytes | ms | peak RSS +MiB | tracemalloc peak MiB |")
    print("|---|---:|---:|---:|---:|")
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        for label, text in FILES.items():
            path = tmp / "case.yaml"
            path.write_text(text)
            size, ms, rss, peak = run(PARSE, str(path))
            print(f"| {label} | {size:,.0f} | {ms:,.0f} | {rss:,.0f} | {peak:.1f} |")
        for label, args in root_cases(tmp).items():
            size, ms, rss, _ = run(ROOT, *args)
            print(f"| {label} | {size:,.0f} | {ms:,.0f} | {rss:,.0f} | |")


if __name__ == "__main__":
    main()
