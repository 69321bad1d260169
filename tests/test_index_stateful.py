"""A refreshed index always equals a cold rebuild, whatever happens to the files.

Hypothesis drives random adds, rewrites, deletes, renames, registry and config edits on a
real temporary directory; after every step the persistent index is refreshed and its view
and findings compared with a from-scratch in-memory build.

Timestamps: the test can age files (as if written long ago) and can rewrite a file "in
the same timestamp tick" (same size, mtime put back) -- but only where a real filesystem
with a 1 s tick could do that: when the file's mtime is within one tick of the last
refresh. Anything else would be a change no stat-based tool could see.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from pathlib import Path

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from session_files.index import open_index
from session_files.read.scan import open_root
from tests.fixtures_roots import EXPERIMENTERS, PROJECTS, SUBJECTS, cold, sidecar, snapshot

TICK_NS = 1_000_000_000
LONG_AGO = 1_400_000_000_000_000_000
SLOTS = ["a", "b", "M001/x", "M001/y", "ü z/deep/er"]
SUBJECT_KEYS = ["M001", "M002", "M009"]  # same length: a rewrite can keep the size
WHEN = ["2024-01-15 10:30:00", "'2024-01-15T10:30:00'", "2024-01-16 00:00:00"]
USERS = st.lists(st.sampled_from(["alice", "bob", "cara"]), unique=True, max_size=2)


class IndexMachine(RuleBasedStateMachine):
    """The filesystem is the model: after every refresh the index must match a rebuild."""

    @initialize()
    def make_root(self) -> None:
        self.base = Path(tempfile.mkdtemp(prefix="stateful-"))
        self.root = self.base / "root"
        (self.root / "registry").mkdir(parents=True)
        self.registry = {
            "subjects.yaml": SUBJECTS,
            "projects.yaml": PROJECTS,
            "experimenters.yaml": EXPERIMENTERS,
        }
        for name, text in self.registry.items():
            (self.root / "registry" / name).write_text(text, encoding="utf-8")
        self.index = self.base / "index.sqlite"
        self.refreshed_at = 0
        self.age_counter = 0

    def teardown(self) -> None:
        if hasattr(self, "base"):
            shutil.rmtree(self.base, ignore_errors=True)

    def _sidecar(self, slot: str) -> Path:
        return self.root / slot / "session.yaml"

    @rule(
        slot=st.sampled_from(SLOTS),
        subject=st.sampled_from(SUBJECT_KEYS),
        when=st.sampled_from(WHEN),
        users=USERS,
        broken=st.booleans(),
    )
    def write(self, slot: str, subject: str, when: str, users: list[str], broken: bool) -> None:
        text = sidecar(subject, when, users, ["pilot"]) + ("bad key: 1\n" if broken else "")
        target = self._sidecar(slot)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")

    @rule(slot=st.sampled_from(SLOTS))
    def delete(self, slot: str) -> None:
        self._sidecar(slot).unlink(missing_ok=True)

    @rule(source=st.sampled_from(SLOTS), destination=st.sampled_from(SLOTS))
    def rename(self, source: str, destination: str) -> None:
        old, new = self._sidecar(source), self._sidecar(destination)
        if old.exists() and not new.exists():
            new.parent.mkdir(parents=True, exist_ok=True)
            os.rename(old, new)

    @rule()
    def rewrite_in_the_same_tick(self) -> None:
        """Every sidecar still in the tick of the last refresh gets the next subject."""
        for target in self.root.rglob("session.yaml"):
            stat = target.stat()
            if stat.st_mtime_ns <= self.refreshed_at - TICK_NS:
                continue  # not something a filesystem could do: that tick is long over
            text = target.read_text(encoding="utf-8")
            old = text.splitlines()[0].removeprefix("subject: ")
            new = SUBJECT_KEYS[(SUBJECT_KEYS.index(old) + 1) % len(SUBJECT_KEYS)]
            target.write_text(text.replace(old, new, 1), encoding="utf-8")
            os.utime(target, ns=(stat.st_atime_ns, stat.st_mtime_ns))
            assert target.stat().st_size == stat.st_size

    @rule()
    def age_every_file(self) -> None:
        for path in self.root.rglob("session.yaml"):
            self.age_counter += 1
            os.utime(path, ns=(LONG_AGO, LONG_AGO + self.age_counter * TICK_NS))

    @rule(add=st.booleans(), kind=st.sampled_from(["subjects.yaml", "experimenters.yaml"]))
    def edit_registry(self, add: bool, kind: str) -> None:
        extra = {
            "subjects.yaml": "M009: {sex: U, subject_birth_date: 2023-01-01}\n",
            "experimenters.yaml": "cara:\n",
        }[kind]
        text = self.registry[kind] + (extra if add else "")
        (self.root / "registry" / kind).write_text(text, encoding="utf-8")

    @rule(
        which=st.sampled_from(
            [
                "",
                "severity: {unknown-experimenter: warning}\n",
                "ignore: ['b/']\n",
                "severity: {duplicate-session: off}\n",
            ]
        )
    )
    def edit_config(self, which: str) -> None:
        (self.root / "session-files.yaml").write_text(which, encoding="utf-8")

    @invariant()
    def refreshed_index_equals_a_rebuild(self) -> None:
        conn, result = open_index(open_root(self.root), self.index)
        self.refreshed_at = time.time_ns()
        try:
            refreshed = snapshot(conn)
        finally:
            conn.close()
        assert result.warnings == []
        assert refreshed == cold(self.root)
        # a second refresh with nothing changed finds nothing to do
        conn, again = open_index(open_root(self.root), self.index)
        self.refreshed_at = time.time_ns()
        try:
            assert (again.added, again.modified, again.removed) == ([], [], [])
            assert not again.sources_changed
            assert snapshot(conn) == refreshed
        finally:
            conn.close()


IndexMachine.TestCase.settings = settings(max_examples=30, stateful_step_count=20, deadline=None)
TestIndexMachine = IndexMachine.TestCase
