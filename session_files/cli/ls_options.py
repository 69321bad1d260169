"""What ``session-files ls`` reads from its options besides the view: ``--attribute``
conditions, ``--sort`` keys, and the check that a ``--subject``/``--project``/``--experimenter``
value is a key of its registry (with "did you mean")."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    from session_files.index.catalog import Catalog

# NAME OP VALUE: the two-character operators first, so that `a>=1` is not `a > "=1"`
_CONDITION = re.compile(r"(?P<name>[^=!<>]+?)\s*(?P<op>==|!=|<=|>=|=|<|>)\s*(?P<value>.*)\Z")


def did_you_mean(name: str, choices: Iterable[str]) -> str:
    """``" (did you mean 'x'?)"`` for the choices closest to ``name`` (or ``""``)."""
    import difflib

    close = difflib.get_close_matches(name, sorted(set(choices)), n=3, cutoff=0.6)
    if not close:
        return ""
    return f" (did you mean {' or '.join(map(repr, close))}?)"


def attribute_conditions(
    ctx: click.Context, param: click.Parameter, value: tuple[str, ...]
) -> dict[str, Any]:
    """``--attribute NAME=VALUE`` (or ``!=``, ``<``, ``<=``, ``>``, ``>=``) as the
    ``attributes=`` of ``catalog.sessions``: a value that is a YAML 1.2 number or boolean
    compares as one (``temperature_c>37``), any other as text; one name given several
    times with ``=`` matches any of its values."""
    from session_files.index.conditions import as_boolean, as_number

    conditions: dict[str, Any] = {}
    for text in value:
        match = _CONDITION.match(text)
        if match is None or not match["name"].strip():
            msg = f"{text!r}: write NAME=VALUE, or NAME!=VALUE, NAME<VALUE, NAME>=VALUE..."
            raise click.BadParameter(msg)
        name, op, raw = match["name"].strip(), match["op"], match["value"]
        boolean = as_boolean(raw)
        number = as_number(raw)
        typed: Any = boolean if boolean is not None else number if number is not None else raw
        if op in ("=", "=="):
            previous = conditions.get(name)
            if isinstance(previous, list):
                previous.append(typed)
            elif name in conditions:
                if isinstance(previous, tuple):
                    msg = f"{name}: give either comparisons or values (NAME=VALUE), not both"
                    raise click.BadParameter(msg)
                conditions[name] = [previous, typed]
            else:
                conditions[name] = typed
        elif name in conditions:
            msg = f"{name} is given more than once; one comparison per attribute"
            raise click.BadParameter(msg)
        else:
            conditions[name] = (op, typed)
    return conditions


def sort_keys(ctx: click.Context, param: click.Parameter, value: tuple[str, ...]) -> list[str]:
    """``--sort NAMES``: comma-separated columns; ``-NAME`` sorts that one descending."""
    return [name.strip() for item in value for name in item.split(",") if name.strip()]


def sort_rows(rows: list[dict[str, Any]], keys: Sequence[str]) -> None:
    """Sort ``rows`` in place by ``keys`` (``-NAME`` descending); missing values go last
    whichever the direction, and values of different types compare as text."""
    for key in reversed(keys):
        name = key.removeprefix("-")
        descending = key.startswith("-")
        present = [row for row in rows if row.get(name) is not None]
        absent = [row for row in rows if row.get(name) is None]
        try:
            present.sort(key=lambda row: row[name], reverse=descending)
        except TypeError:
            present.sort(key=lambda row: str(row[name]), reverse=descending)
        rows[:] = present + absent


# option -> (table of the view, its key column, registry file)
REGISTRY_KEYS = {
    "subject": ("subject", "subject", "subjects.yaml"),
    "project": ("project", "project", "projects.yaml"),
    "experimenter": ("experimenter", "user", "experimenters.yaml"),
}


def check_keys(catalog: Catalog, given: dict[str, Sequence[str]]) -> None:
    """Each ``--subject``/``--project``/``--experimenter`` value must be a key of its
    registry: an unknown one (a typo) is a usage error with "did you mean", never an
    empty list that looks like "no sessions"."""
    for option, values in given.items():
        if not values:
            continue
        table, column, file = REGISTRY_KEYS[option]
        keys = {row[column] for row in catalog[table].to_dicts()}
        for value in values:
            if value not in keys:
                msg = (
                    f"{value!r} is not in the {option} registry ({file}){did_you_mean(value, keys)}"
                )
                raise click.BadParameter(msg, param_hint=f"'--{option}'")
