"""The rules of the lab vocabulary, applied to one sidecar's attributes.

A value is checked as the text written in the file (``attribute_value``), as the view
keeps it: ``36.5`` and ``"36.5"`` are the same number (quotes are not part of the data).
Each problem is (code, attribute name, place, message); ``vocabulary.attribute_findings``
puts it at its place in the file (``key``: the name, ``value``: the value, ``attributes``:
the mapping, or the sidecar when it has none).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from datetime import date
from typing import TYPE_CHECKING

from ..findings import cited
from ..records import Attribute, Sidecar, attribute_text
from ..records.types import DATETIME_EXAMPLE, parse_session_datetime
from ..records.vocabulary import NUMERIC_TYPES, AttributeDeclaration, compile_pattern

if TYPE_CHECKING:
    from .vocabulary import Lookup, Vocabulary

Problem = tuple[str, str, str, str]  # code, attribute name, place, message

# The texts each type accepts (also the per-root JSON Schema's patterns for quoted values).
NUMBER_TEXT = r"^[-+]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][-+]?[0-9]+)?$"
NUMBER_WORDS = frozenset({".inf", "+.inf", "-.inf", ".nan"})
INTEGER_TEXT = r"^[-+]?[0-9]+(\.0*)?$"
BOOLEAN_TEXTS = ("true", "false", "True", "False", "TRUE", "FALSE")
DATE_TEXT = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
_NUMBER = re.compile(NUMBER_TEXT)
_INTEGER = re.compile(INTEGER_TEXT)
_DATE = re.compile(DATE_TEXT)
WANT = {
    "number": "a number",
    "integer": "an integer",
    "boolean": "a boolean",
    "date": "a date",
    "datetime": "a date and time",
}
EXAMPLES = {
    "number": "36.5",
    "integer": "12",
    "boolean": "true or false",
    "date": "2024-01-15",
    "datetime": DATETIME_EXAMPLE,
}


def did_you_mean(word: str, choices: Iterable[object]) -> str:
    """``; did you mean 'x'?`` for the closest of ``choices``, or ''."""
    close = difflib.get_close_matches(word, [str(c) for c in choices], n=1, cutoff=0.6)
    return f"; did you mean {close[0]!r}?" if close else ""


def number(text: str) -> float | None:
    """The number a value's text writes, or None when it is not one."""
    folded = text.strip().lower()
    if folded in NUMBER_WORDS:
        return float(folded.replace(".", ""))
    if not _NUMBER.match(text.strip()):
        return None
    return float(text)


def typed_value(kind: str | None, text: str) -> object:
    """A value's text as its declared type's Python value (None when it is not one)."""
    if kind == "number":
        return number(text)
    if kind == "integer":
        return int(float(text)) if _INTEGER.match(text.strip()) else None
    if kind == "boolean":
        stripped = text.strip()
        return stripped.lower() == "true" if stripped in BOOLEAN_TEXTS else None
    if kind == "date":
        return _date(text)
    if kind == "datetime":
        try:
            return parse_session_datetime(text)
        except ValueError:
            return None
    return text


def _date(text: str) -> date | None:
    if not _DATE.match(text.strip()):
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        return None


def problems(vocabulary: Vocabulary, record: Sidecar) -> list[Problem]:
    """Every problem of ``record``'s attributes under ``vocabulary``. (Run on every sidecar
    of a root with a vocabulary: an attribute value already seen to pass is one lookup.)"""
    attributes = record.attributes or {}
    declarations = vocabulary.declarations
    passed = vocabulary.passed
    out: list[Problem] = []
    for name, attribute in attributes.items():
        seen = (name, attribute.value, attribute.blob is None)
        if seen in passed:
            continue
        declaration = declarations.get(name)
        if declaration is None:
            out.append(("unknown-attribute", name, "key", _unknown(vocabulary, name)))
            continue
        found = _check(vocabulary, name, declaration, attribute)
        if found:
            out += found
        elif len(passed) < MAX_PASSED:
            passed.add(seen)
    always, by_project = vocabulary.required
    needed = [name for name in always if name not in attributes]
    if by_project and record.projects:
        for project in record.projects:
            needed += [name for name in by_project.get(project, ()) if name not in attributes]
    for name in dict.fromkeys(needed):
        message = _missing(vocabulary, name, declarations[name])
        out.append(("attribute-missing", name, "attributes", message))
    return out


MAX_PASSED = 100_000  # (name, value) pairs remembered as passing, per vocabulary


def _unknown(vocabulary: Vocabulary, name: str) -> str:
    path = vocabulary.path
    if vocabulary.unusable is not None:
        return (
            f"attribute {name!r} cannot be checked because {path} is unusable (no"
            f" declaration can be read from it); fix that first: {cited(vocabulary.unusable)}"
        )
    cause = vocabulary.broken.get(name)
    if cause is not None:
        return (
            f"attribute {name!r} is in {path} but its declaration was left out because of"
            f" errors; fix that first: {cited(cause)}"
        )
    hint = did_you_mean(name, vocabulary.declarations)
    if not hint:
        hint = f"; declare it in {path} (or fix the name)"
    return f"attribute {name!r} is not declared in {path}{hint}"


def _missing(vocabulary: Vocabulary, name: str, declaration: AttributeDeclaration) -> str:
    if declaration.required is True:
        scope = "every session"
    else:
        projects = declaration.required or []
        listed = ", ".join(repr(project) for project in projects)
        scope = f"the sessions of project{'s' if len(projects) > 1 else ''} {listed}"
    return (
        f"attribute {name!r} is missing; {vocabulary.path} requires it in {scope}:"
        f" add '{name}: <value>' under attributes"
    )


def _shown(text: str) -> str:
    return repr(text if len(text) <= 60 else text[:57] + "...")


def _check(
    vocabulary: Vocabulary, name: str, declaration: AttributeDeclaration, attribute: Attribute
) -> list[Problem]:
    kind = declaration.type
    text = attribute.value
    has_value = bool(text) or attribute.blob is None
    if kind == "blob":
        if attribute.blob is None:
            declared = f"({vocabulary.path} declares {name!r} as type: {kind})"
            msg = f"attribute {name!r} has no blob {declared}; write it as {{blob: <any data>}}"
            return [("attribute-type", name, "value", msg)]
        return []
    if not has_value:
        if kind is None and not (declaration.values or declaration.registry or declaration.pattern):
            return []
        msg = f"attribute {name!r} has only a blob; give it a value ({{value: ..., blob: ...}})"
        return [("attribute-type", name, "value", msg)]
    value = typed_value(kind, text) if kind is not None else text
    if value is None:
        declared = f"({vocabulary.path} declares {name!r} as type: {kind})"
        msg = (
            f"attribute {name!r} is {_shown(text)}, not {WANT[str(kind)]} {declared};"
            f" write it like {EXAMPLES[str(kind)]}"
        )
        return [("attribute-type", name, "value", msg)]
    return _value_rules(vocabulary, name, declaration, text, value)


def _value_rules(
    vocabulary: Vocabulary,
    name: str,
    declaration: AttributeDeclaration,
    text: str,
    value: object,
) -> list[Problem]:
    kind = declaration.type
    path = vocabulary.path
    why: list[str] = []
    values = declaration.values
    if values is not None:
        if kind in NUMERIC_TYPES:
            allowed = any(float(v) == value for v in values)
        else:
            allowed = text in {str(attribute_text(v)) for v in values}
        if not allowed:
            shown = ", ".join(repr(str(v)) for v in values[:20])
            hint = did_you_mean(text, [str(v) for v in values])
            why.append(f"not one of the values {path} allows for it: {shown}{hint}")
    if declaration.registry is not None:
        lookup = vocabulary.lookups.get(declaration.registry)
        if lookup is not None and text not in lookup.keys:
            why.append(_not_in_lookup(lookup, text))
    low, high = declaration.minimum, declaration.maximum
    if (low is not None or high is not None) and type(value) in (int, float):
        unit = f" {declaration.unit}" if declaration.unit else ""
        if low is not None and not value >= low:  # type: ignore[operator]
            why.append(f"below the minimum {low}{unit} that {path} declares")
        if high is not None and not value <= high:  # type: ignore[operator]
            why.append(f"above the maximum {high}{unit} that {path} declares")
    pattern = declaration.pattern
    if pattern is not None and compile_pattern(pattern).search(text) is None:
        why.append(f"which does not match the pattern {pattern!r} that {path} declares")
    return [
        ("attribute-value", name, "value", f"attribute {name!r} is {_shown(text)}, {reason}")
        for reason in why
    ]


def _not_in_lookup(lookup: Lookup, key: str) -> str:
    if lookup.unusable is not None:
        return (
            f"which cannot be checked because {lookup.path} is unusable (no key can be read"
            f" from it); fix that first: {cited(lookup.unusable)}"
        )
    cause = lookup.broken.get(key)
    if cause is not None:
        return (
            f"which is in {lookup.path} but its entry was left out because of errors; fix"
            f" that first: {cited(cause)}"
        )
    if lookup.missing:
        return (
            f"which is not in {lookup.path} (that file does not exist): create it with the"
            " allowed keys"
        )
    hint = did_you_mean(key, sorted(lookup.keys)) or f"; add it to {lookup.path} (or fix the value)"
    return f"which is not in {lookup.path}{hint}"
