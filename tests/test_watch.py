"""``session-files watch`` as a real process: a finding appears, clears, and Ctrl-C exits 0."""

from __future__ import annotations

import queue
import shutil
import signal
import subprocess
import sys
import threading
from pathlib import Path

from .fixtures_roots import REGISTRY, sidecar, write_root

WAIT_S = 60  # an upper bound for each expected line, never a speed assertion


class Lines:
    """The lines a process prints on stdout, read on a thread, waited for with a bound."""

    def __init__(self, proc: subprocess.Popen[str]) -> None:
        self.seen: list[str] = []
        self._queue: queue.Queue[str] = queue.Queue()
        assert proc.stdout is not None
        stream = proc.stdout
        threading.Thread(
            target=lambda: [self._queue.put(line) for line in stream], daemon=True
        ).start()

    def wait_for(self, text: str) -> str:
        while True:
            try:
                line = self._queue.get(timeout=WAIT_S)
            except queue.Empty:
                raise AssertionError(
                    f"no line with {text!r} after {WAIT_S} s; saw {self.seen}"
                ) from None
            self.seen.append(line)
            if text in line:
                return line


def test_watch_reports_a_finding_when_it_appears_and_when_it_clears(tmp_path: Path) -> None:
    root = write_root(tmp_path / "lab", {**REGISTRY, "M001/a/session.yaml": sidecar("M001")})
    command = [sys.executable, "-m", "session_files", "watch", str(root)]
    with subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    ) as proc:
        try:
            watched(proc, root)
        finally:
            if proc.poll() is None:
                proc.kill()


def watched(proc: subprocess.Popen[str], root: Path) -> None:
    lines = Lines(proc)
    assert lines.wait_for("watching") == f"watching {root}: 1 session, 0 errors, 0 warnings\n"

    write_root(root, {"M009/b/session.yaml": sidecar("M009", "2024-02-01 09:00:00")})
    appeared = lines.wait_for("new:")
    assert appeared == (
        "new: M009/b/session.yaml:1:10: error: unknown-subject:"
        " subject 'M009' is not in registry/subjects.yaml\n"
    )
    assert lines.wait_for("session") == "1 session, 1 error, 0 warnings\n"

    write_root(root, {"M009/b/session.yaml": sidecar("M002", "2024-02-01 09:00:00")})
    assert lines.wait_for("cleared:") == "cleared: " + appeared.removeprefix("new: ")
    assert lines.wait_for("session") == "2 sessions, 0 errors, 0 warnings\n"

    shutil.rmtree(root / "M009")
    assert lines.wait_for("session") == "1 session, 0 errors, 0 warnings\n"
    proc.send_signal(signal.SIGINT)
    assert proc.wait(timeout=WAIT_S) == 0
    assert proc.stderr is not None
    assert proc.stderr.read() == ""


def test_watch_outside_any_root_exits_2(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "session_files", "watch"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=WAIT_S,
        check=False,
    )
    assert proc.returncode == 2
    assert "no data root found" in proc.stderr


def test_the_library_watch_yields_events_and_stops_on_its_event(tmp_path: Path) -> None:
    import session_files

    root = write_root(tmp_path / "lab", {**REGISTRY, "M001/a/session.yaml": sidecar("M001")})
    stop = threading.Event()
    events = session_files.watch(root, stop_event=stop)
    first = next(events)
    assert (first.sessions, first.errors, first.appeared, first.cleared) == (1, 0, [], [])
    write_root(root, {"M001/a/session.yaml": sidecar("M009")})
    second = next(events)
    assert [f.code for f in second.appeared] == ["unknown-subject"]
    assert (second.sessions, second.errors) == (0, 1)
    stop.set()
    assert next(events, None) is None
