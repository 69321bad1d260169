"""Plain data and YAML text of records: what every writer of the package writes.

A leaf of the write path: the checks before a write (``check.py``), the writer
(``writer.py``) and the minimal-edit engine (``edit.py``) all render YAML here, so none
of them imports another to get it.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

from ..read.ambiguous import plain_is_ambiguous
from ..records import Sidecar

__all__ = ["ESCAPE", "dump_flow", "dump_sidecar", "dump_yaml", "to_document"]


def to_document(record: Sidecar) -> dict[str, Any]:
    """The sidecar as plain data in the key order of docs/format.md; absent keys left out."""
    document: dict[str, Any] = {}
    for key in Sidecar.KEY_ORDER:
        value = getattr(record, key)
        if value is None:
            continue
        if key == "attributes":
            value = {
                name: attribute.value
                if attribute.blob is None
                else {"value": attribute.value, "blob": attribute.blob}
                if attribute.value
                else {"blob": attribute.blob}
                for name, attribute in value.items()
            }
        document[key] = value
    return document


class _Dumper(yaml.SafeDumper):
    """Safe dumper that writes multi-line text as a literal block."""


# Characters YAML readers treat as breaks or refuse raw: such text is written double-quoted,
# where they are escaped (PyYAML's emitter would otherwise write some of them raw).
ESCAPE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff]")


def _text(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    if ESCAPE.search(value):
        style: str | None = '"'
    elif "\n" in value.rstrip("\n"):
        style = "|"
    elif plain_is_ambiguous(value):  # '0o17' plain is 15 to YAML 1.2 readers
        style = "'"
    else:
        style = None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


def _list(dumper: yaml.SafeDumper, value: list[Any]) -> yaml.SequenceNode:
    flat = all(isinstance(item, (str, int, float, bool)) or item is None for item in value)
    return dumper.represent_sequence("tag:yaml.org,2002:seq", value, flow_style=flat)


_Dumper.add_representer(str, _text)
_Dumper.add_representer(list, _list)


def dump_yaml(document: Any, *, indent: int = 2) -> str:
    """Block YAML, lists of scalars inline, text that YAML 1.1 and 1.2 would read
    differently quoted: what every writer of the package writes (sidecars, registries)."""
    return yaml.dump(
        document,
        Dumper=_Dumper,
        sort_keys=False,
        allow_unicode=True,
        default_flow_style=False,
        width=100,
        indent=indent,
    )


def dump_sidecar(record: Sidecar) -> bytes:
    """The bytes ``write_sidecar`` writes: block YAML, lists of scalars inline."""
    return dump_yaml(to_document(record)).encode("utf-8")


def dump_flow(value: Any) -> str:
    """A list or mapping as one flow-style line (``[a, b]``, ``{a: 1}``), quoted as
    ``dump_yaml`` quotes."""
    text = yaml.dump(
        value, Dumper=_Dumper, default_flow_style=True, width=1 << 30, allow_unicode=True
    )
    return text.strip().removesuffix("...").strip()
