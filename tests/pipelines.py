"""Pipelines declared the way a lab declares them: by a separate Python process with DataJoint.

Nothing here goes through session-files' own table classes: the scripts run in a
subprocess, connect with the ``DJ_*`` variables of the test server, and declare or
populate their own tables.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

from tests.fixtures_postgres import PostgresServer
from tests.test_datajoint_definitions import ELEMENT_SESSION

# A downstream analysis in its own schema: `-> Session` found through a virtual module, with
# a part table (two rows per session), so deletes reach two levels down.
ANALYSIS = """
import sys
import datajoint as dj

dj.config["safemode"] = False
session_schema, analysis_schema = sys.argv[1], sys.argv[2]
session = dj.VirtualModule("session", session_schema)
schema = dj.Schema(analysis_schema)


@schema
class Analysis(dj.Computed):
    definition = '''
    -> session.Session
    ---
    spikes: int32
    '''

    class Unit(dj.Part):
        definition = '''
        -> master
        unit: int32
        '''

    def make(self, key):
        self.insert1({**key, "spikes": 7})
        self.Unit.insert([{**key, "unit": 1}, {**key, "unit": 2}])


Analysis.populate()
print(len(Analysis()))
"""


def element_session_script() -> str:
    """Declare element-session 0.2's ``session_with_datetime`` (with its ``session_id``) and
    the upstream tables in one schema, from element-session's own definitions."""
    tables = {name: textwrap.dedent(text).strip() for name, text in ELEMENT_SESSION.items()}
    tables["session"] += "\n---\nsession_id=null: int32"
    classes = [
        ("Subject", "subject"),
        ("Project", "project"),
        ("Experimenter", "experimenter"),
    ]
    lines = [
        "import sys",
        "import datajoint as dj",
        "schema = dj.Schema(sys.argv[1])",
    ]
    for cls, table in classes:
        lines += ["@schema", f"class {cls}(dj.Manual):", f"    definition = {tables[table]!r}"]
    lines += [
        "@schema",
        "class Session(dj.Manual):",
        f"    definition = {tables['session']!r}",
        "    class Attribute(dj.Part):",
        f"        definition = {tables['session__attribute']!r}",
    ]
    for cls, table in (
        ("SessionDirectory", "session_directory"),
        ("SessionExperimenter", "session_experimenter"),
        ("SessionNote", "session_note"),
        ("ProjectSession", "project_session"),
    ):
        lines += ["@schema", f"class {cls}(dj.Manual):", f"    definition = {tables[table]!r}"]
    return "\n".join(lines) + "\n"


def run(server: PostgresServer, script: str, *args: str) -> str:
    """Run a DataJoint script in a fresh interpreter against the test server; its stdout."""
    env = {**os.environ, **server.env(), "DJ_LOG_LEVEL": "WARNING"}
    env.pop("PYTHONPATH", None)
    done = subprocess.run(
        [sys.executable, "-c", script, *args],
        capture_output=True,
        text=True,
        env=env,
        check=False,
        cwd=Path(__file__).parent,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()
