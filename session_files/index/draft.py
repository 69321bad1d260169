"""A draft ``registry/attributes.yaml`` inferred from the sidecars a root already has, so a
lab with thousands of legacy sidecars starts its vocabulary from what it has.

Every sidecar that parsed is counted (also those whose other errors keep them out of the
view). Each name gets the type every one of its values has (text when they differ), the
values themselves when they are few, and, when every session sets it, ``required: true``:
so the draft passes on the root it was made from, and the lab tightens it from there.
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections import Counter
from dataclasses import dataclass, field

from session_files.layout import VOCABULARY_KIND
from session_files.read.yamlsafe import STR, plain_tag

MAX_VALUES = 10  # at most this many distinct values are listed as `values`
_PLAIN_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*\Z")
_TYPES = ("boolean", "integer", "number", "date", "datetime")


@dataclass
class _Usage:
    sessions: int = 0
    blobs: int = 0
    values: Counter[str] = field(default_factory=Counter)


def _type(usage: _Usage) -> str:
    from session_files.read.attribute_rules import typed_value

    if usage.blobs:
        return "blob"
    texts = [text for text in usage.values if text != ""]
    for kind in _TYPES:
        if texts and all(typed_value(kind, text) is not None for text in texts):
            return kind
    return "text"


def _key(name: str) -> str:
    """A name as a YAML key: plain where every YAML reader reads it as that text."""
    from session_files.read.ambiguous import plain_is_ambiguous

    if _PLAIN_KEY.match(name) and not plain_is_ambiguous(name) and plain_tag(name) == STR:
        return name
    return _quoted(name)


def _quoted(text: object) -> str:
    return json.dumps(text, ensure_ascii=False)  # JSON strings and numbers are YAML flow


def draft_vocabulary(conn: sqlite3.Connection) -> str:
    """The text of a draft ``attributes.yaml`` for the sidecars staged in the index."""
    (sessions,) = conn.execute("SELECT count(*) FROM stage_session").fetchone()
    usage: dict[str, _Usage] = {}
    for name, value, blob, count in conn.execute(
        "SELECT attribute_name, attribute_value, attribute_blob IS NOT NULL, count(*)"
        " FROM stage_attribute GROUP BY 1, 2, 3 ORDER BY 1"
    ):
        seen = usage.setdefault(name, _Usage())
        seen.sessions += count
        seen.blobs += count if blob else 0
        seen.values[value] += count
    lines = [
        f"# A draft of registry/{VOCABULARY_KIND}.yaml from the {sessions:,} sidecars of this"
        " root (session-files vocabulary).",
        "# Review it: types are inferred from the text written (declare identifiers such as",
        "# serial numbers 'type: text'). As it is, it passes on this root. See docs/format.md.",
    ]
    for name, seen in usage.items():
        kind = _type(seen)
        lines.append(f"{_key(name)}:  # in {seen.sessions:,} of {sessions:,} sessions")
        lines.append(f"  type: {kind}")
        if seen.sessions == sessions:
            lines.append("  required: true")
        distinct = sorted(seen.values)
        if kind in ("text",) and len(distinct) <= MAX_VALUES and "" not in distinct:
            lines.append(f"  values: [{', '.join(_quoted(v) for v in distinct)}]")
        elif kind in ("integer", "number"):
            from session_files.read.attribute_rules import number

            numbers = sorted((n, v) for v in distinct if (n := number(v)) is not None)
            if numbers:
                lines.append(f"  # seen from {numbers[0][1]} to {numbers[-1][1]}")
    return "\n".join(lines) + "\n"
