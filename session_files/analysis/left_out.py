"""How many sidecars the view leaves out (no command is silent about it).

Placeholder until the shared left-out report of issue 9 is on main: ``export`` and
``report`` call ``left_out`` here, and switch to that function when it lands.
"""

from __future__ import annotations

from session_files.index.catalog import Catalog


def left_out(catalog: Catalog) -> int:
    """Sidecars seen in the root that contribute no session to the view."""
    conn = catalog._conn  # the index's own tables: every sidecar seen, and the view
    row = conn.execute('SELECT (SELECT count(*) FROM file) - (SELECT count(*) FROM "session")')
    return max(0, int(row.fetchone()[0]))


def left_out_message(count: int) -> str:
    """The stderr line for ``count`` left-out sidecars."""
    noun = "sidecar was" if count == 1 else "sidecars were"
    return (
        f"{count} {noun} left out of the view because of errors;"
        " run `session-files validate` to see why"
    )
