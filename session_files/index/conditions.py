"""Conditions of ``Catalog.sessions``: equality and comparisons on attributes and subjects.

A condition is a value (equality), a list of values (any of them) or a tuple
``(operator, value)`` with one of ``== != < <= > >=`` (``in`` / ``not in`` take a list).
The type of the value chooses how the stored text is compared: a number compares the
attribute values that are numbers (``36.50`` equals ``36.5``), a boolean those that are
booleans (``true``, ``True``, ``TRUE``...), text, a date or a date and time compare the
text as written (ISO dates sort as text). A value that is not of that type never matches.
"""

from __future__ import annotations

import math
import re
import sqlite3
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any

from .query import TimeBound, bound, quoted

# YAML 1.2 core schema: the scalars every reader takes as numbers or booleans.
_INT_RE = re.compile(r"[-+]?[0-9]+\Z")
_FLOAT_RE = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?\Z")
_INF_RE = re.compile(r"[-+]?\.(inf|Inf|INF)\Z")
_NAN_RE = re.compile(r"\.(nan|NaN|NAN)\Z")
_TRUE = frozenset({"true", "True", "TRUE"})
_FALSE = frozenset({"false", "False", "FALSE"})

OPERATORS = ("==", "!=", "<", "<=", ">", ">=", "in", "not in")
_SQL_OP = {"==": "=", "!=": "!=", "<": "<", "<=": "<=", ">": ">", ">=": ">="}

NUMBER_FN = "session_files_number"
BOOLEAN_FN = "session_files_boolean"


def as_number(text: str | None) -> int | float | None:
    """The number a YAML 1.2 reader sees in ``text``, or None when it is not one."""
    if text is None:
        return None
    if _INT_RE.match(text):
        return int(text)
    if _FLOAT_RE.match(text):
        return float(text)
    if _INF_RE.match(text):
        return -math.inf if text.startswith("-") else math.inf
    if _NAN_RE.match(text):
        return math.nan
    return None


def as_boolean(text: str | None) -> bool | None:
    """The boolean a YAML 1.2 reader sees in ``text``, or None when it is not one."""
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    return None


def _sql_number(text: Any) -> float | None:
    number = as_number(text) if isinstance(text, str) else None
    return None if number is None or math.isnan(number) else float(number)


def _sql_boolean(text: Any) -> int | None:
    value = as_boolean(text) if isinstance(text, str) else None
    return None if value is None else int(value)


def register(conn: sqlite3.Connection) -> None:
    """Give ``conn`` the SQL functions the conditions use."""
    conn.create_function(NUMBER_FN, 1, _sql_number, deterministic=True)
    conn.create_function(BOOLEAN_FN, 1, _sql_boolean, deterministic=True)


def _one(column: str, op: str, value: Any, what: str) -> tuple[str, list[Any]]:
    """SQL for ``column OP value``, comparing as the type of ``value`` says."""
    sql_op = _SQL_OP[op]
    if isinstance(value, bool):
        if op not in ("==", "!="):
            msg = f"{what}: a boolean compares only with == or != (not {op!r})"
            raise ValueError(msg)
        return f"{BOOLEAN_FN}({column}) {sql_op} ?", [int(value)]
    if isinstance(value, (int, float)):
        return f"{NUMBER_FN}({column}) {sql_op} ?", [float(value)]
    if isinstance(value, datetime):
        return f"{column} {sql_op} ?", [value.isoformat(sep=" ")]
    if isinstance(value, (date, str)):
        return f"{column} {sql_op} ?", [value.isoformat() if isinstance(value, date) else value]
    msg = f"{what}: cannot compare with {value!r} (give text, a number, a boolean or a date)"
    raise TypeError(msg)


def _any(column: str, values: Sequence[Any], what: str, negate: bool) -> tuple[str, list[Any]]:
    if not values:
        return ("1" if negate else "0"), []
    parts = [_one(column, "==", value, what) for value in values]
    sql = "(" + " OR ".join(part for part, _ in parts) + ")"
    params = [param for _, values_ in parts for param in values_]
    return (f"NOT {sql}" if negate else sql), params


def compile_condition(column: str, condition: Any, what: str) -> tuple[str, list[Any]]:
    """SQL (and its parameters) that holds where ``column`` meets ``condition``."""
    if isinstance(condition, list):
        return _any(column, condition, what, negate=False)
    if isinstance(condition, tuple):
        if len(condition) != 2 or condition[0] not in OPERATORS:
            msg = (
                f"{what}: a comparison is (operator, value) with one of"
                f" {', '.join(OPERATORS)}, e.g. ('>', 37); not {condition!r}"
            )
            raise ValueError(msg)
        op, value = condition
        if op in ("in", "not in"):
            if not isinstance(value, (list, tuple, set, frozenset)):
                msg = f"{what}: {op!r} takes a list of values, not {value!r}"
                raise ValueError(msg)
            return _any(column, list(value), what, negate=op == "not in")
        return _one(column, op, value, what)
    return _one(column, "==", condition, what)


def sessions_where(
    subject: str | Sequence[str] | None,
    project: str | Sequence[str] | None,
    experimenter: str | Sequence[str] | None,
    since: TimeBound,
    until: TimeBound,
    subject_columns: Mapping[str, Any],
    attributes: object,
) -> tuple[str, list[Any]]:
    """The WHERE clause over ``session_directory d`` and its parameters."""
    where: list[str] = []
    params: list[Any] = []
    if subject is not None:
        keys = _any_of(subject)
        where.append(f"d.subject IN ({', '.join('?' * len(keys))})")
        params += keys
    for value, table, column in (
        (project, "project_session", "project"),
        (experimenter, "session_experimenter", "user"),
    ):
        if value is not None:
            keys = _any_of(value)
            where.append(
                f"EXISTS (SELECT 1 FROM {table} x WHERE x.subject = d.subject AND"
                f" x.session_datetime = d.session_datetime AND x.{quoted(column)}"
                f" IN ({', '.join('?' * len(keys))}))"
            )
            params += keys
    for bound_value, upper in ((since, False), (until, True)):
        limit = bound(bound_value, upper)
        if limit is not None:
            where.append(f"d.session_datetime {limit[0]} ?")
            params.append(limit[1])
    for name, condition in subject_columns.items():
        if condition is not None:
            sql, values = compile_condition(f"s.{quoted(name)}", condition, name)
            where.append(f"EXISTS (SELECT 1 FROM subject s WHERE s.subject = d.subject AND {sql})")
            params += values
    if attributes is not None and not isinstance(attributes, Mapping):
        msg = f"attributes: give a mapping of name -> condition, not {attributes!r}"
        raise TypeError(msg)
    for name, condition in (attributes or {}).items():
        sql, values = compile_condition("a.attribute_value", condition, f"attribute {name!r}")
        where.append(
            'EXISTS (SELECT 1 FROM "session__attribute" a WHERE a.subject = d.subject'
            " AND a.session_datetime = d.session_datetime AND a.attribute_name = ?"
            f" AND {sql})"
        )
        params += [name, *values]
    return " AND ".join(where), params


def _any_of(value: str | Sequence[str]) -> list[str]:
    return [value] if isinstance(value, str) else list(value)
