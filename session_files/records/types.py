"""Column types and the rules every record shares: lengths, keys, dates and times, ``Strict``."""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    StringConstraints,
    WithJsonSchema,
)

SCHEMA_VERSION = 1

# ---------------------------------------------------------------- column types
# Text columns never hold NUL: PostgreSQL and MySQL refuse it in varchar.
NO_NUL = "^[^\x00]*$"


def _text(min_length: int, max_length: int) -> StringConstraints:
    return StringConstraints(min_length=min_length or None, max_length=max_length, pattern=NO_NUL)


def _composed(key: str) -> str:
    """Keys must be in Unicode NFC: ``Mé`` written with a combining accent (NFD, as macOS
    file names and some keyboards make it) would be a second subject in PostgreSQL, which
    compares bytes, while MySQL's collations may take the two for one (a duplicate key)."""
    if not key.isascii() and not unicodedata.is_normalized("NFC", key):
        composed = unicodedata.normalize("NFC", key)
        msg = (
            f"is not in Unicode normal form NFC (it uses combining characters); write it"
            f" composed, as {composed!r}, so that every database compares it the same way"
        )
        raise ValueError(msg)
    return key


_KEY = AfterValidator(_composed)
SubjectId = Annotated[str, _text(1, 8), _KEY]
ProjectId = Annotated[str, _text(1, 32), _KEY]
UserId = Annotated[str, _text(1, 32), _KEY]
AttributeName = Annotated[str, _text(1, 32), _KEY]
AttributeText = Annotated[str, _text(0, 2000)]
NoteText = Annotated[str, _text(0, 1024)]
SessionDir = Annotated[str, _text(1, 256)]
Nickname = Annotated[str, _text(0, 64)]
Description = Annotated[str, _text(0, 1024)]
Email = Annotated[str, _text(0, 128)]
Cellphone = Annotated[str, _text(0, 32)]
Fullname = Annotated[str, _text(0, 64)]
Sex = Literal["M", "F", "U"]

NAIVE_DATETIME_PATTERN = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt ][0-9]{2}:[0-9]{2}:[0-9]{2}$"
_NAIVE_RE = re.compile(NAIVE_DATETIME_PATTERN)
_DATE_ONLY_RE = re.compile(r"^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}$")
_FRACTION_RE = re.compile(r"[0-9]:[0-9]{2}\.[0-9]")
_OFFSET_RE = re.compile(r"([Zz]|[+-][0-9]{1,2}(:?[0-9]{2})?)$")
DATETIME_EXAMPLE = "2024-01-15 10:30:00"


def now() -> datetime:
    """The current local date and time, to the whole second: a valid ``session_datetime``."""
    return datetime.now().replace(microsecond=0)


def parse_session_datetime(value: object) -> datetime:
    """Parse a naive, whole-second date and time, or say exactly why not."""
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            msg = "has a UTC offset; write naive local time (DataJoint datetime keeps no zone)"
            raise ValueError(msg)
        if value.microsecond:
            msg = (
                "has fractional seconds; DataJoint datetime keeps whole seconds (from Python:"
                " session_files.now(), or .replace(microsecond=0))"
            )
            raise ValueError(msg)
        return value
    if not isinstance(value, str):
        msg = f"expected a date and time like {DATETIME_EXAMPLE}"
        raise ValueError(msg)
    text = value.strip()
    if _NAIVE_RE.match(text):
        try:
            return datetime.fromisoformat(text[:10] + " " + text[11:])
        except ValueError as exc:
            msg = f"is not a valid date and time ({exc}); write it like {DATETIME_EXAMPLE}"
            raise ValueError(msg) from None
    if _DATE_ONLY_RE.match(text):
        msg = f"has a date but no time; write it like {DATETIME_EXAMPLE}"
    elif _OFFSET_RE.search(text) and ":" in text:
        msg = (
            f"has a UTC offset ({_OFFSET_RE.search(text).group(1)}); write naive local time"  # type: ignore[union-attr]
            f" like {DATETIME_EXAMPLE} (DataJoint datetime keeps no zone)"
        )
    elif _FRACTION_RE.search(text):
        msg = f"has fractional seconds; DataJoint datetime keeps whole seconds: {DATETIME_EXAMPLE}"
    else:
        msg = f"is not a date and time; write it like {DATETIME_EXAMPLE}"
    raise ValueError(msg)


NaiveDatetime = Annotated[
    datetime,
    BeforeValidator(parse_session_datetime),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": NAIVE_DATETIME_PATTERN,
            "description": "Naive local date and time, whole seconds: YYYY-MM-DD HH:MM:SS.",
            "examples": [DATETIME_EXAMPLE],
        }
    ),
]


def _date_from_text(value: object) -> object:
    if isinstance(value, str) and _DATE_ONLY_RE.match(value.strip()):
        year, month, day = (int(part) for part in value.strip().split("-"))
        try:
            return date(year, month, day)
        except ValueError as exc:
            msg = f"is not a valid date ({exc}); write it like 2023-10-01"
            raise ValueError(msg) from None
    if isinstance(value, datetime) or not isinstance(value, (date, str)):
        msg = "expected a date like 2023-10-01"
        raise ValueError(msg)
    return value


BirthDate = Annotated[
    date,
    BeforeValidator(_date_from_text),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": r"^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}$",
            "examples": ["2023-10-01"],
        }
    ),
]


def _no_repeats(values: list[str] | None) -> list[str] | None:
    if values is None:
        return None
    seen: set[str] = set()
    for value in values:
        if value in seen:
            msg = f"lists {value!r} twice; name each entry once"
            raise ValueError(msg)
        seen.add(value)
    return values


class Strict(BaseModel):
    """Base of every record: unknown keys are errors, strings are never coerced."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)
