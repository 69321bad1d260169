"""Hypothesis strategies for records, shared by the round-trip and schema-agreement tests."""

from __future__ import annotations

import unicodedata
from datetime import datetime
from typing import Any

from hypothesis import strategies as st

from session_files.records import Attribute, Sidecar

# Any character a YAML file can hold (no surrogates; YAML cannot carry most C0 controls raw,
# but the writer escapes them, so they are included on purpose), except NUL, which text
# columns refuse (databases do not store it).
TEXT = st.characters(exclude_categories=("Cs",), exclude_characters="\x00")


def text(min_size: int = 0, max_size: int = 20) -> st.SearchStrategy[str]:
    return st.text(TEXT, min_size=min_size, max_size=max_size)


def keys(max_size: int) -> st.SearchStrategy[str]:
    """Keys as the format allows them: in Unicode NFC (one spelling per name)."""
    return text(1, max_size).filter(lambda key: unicodedata.is_normalized("NFC", key))


naive_datetimes = st.datetimes(
    min_value=datetime(1000, 1, 1), max_value=datetime(9999, 12, 31, 23, 59, 59)
).map(lambda value: value.replace(microsecond=0))

json_scalars = st.none() | st.booleans() | st.integers() | text(max_size=10)
json_scalars = json_scalars | st.floats(allow_nan=False, allow_infinity=False)
blobs: st.SearchStrategy[Any] = st.recursive(
    json_scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)

attributes = st.builds(
    Attribute,
    value=text(max_size=40),
    blob=blobs,
)

sidecars = st.builds(
    Sidecar,
    schema_version=st.sampled_from([None, 1]),
    subject=keys(8),
    session_datetime=naive_datetimes,
    experimenters=st.none() | st.lists(keys(32), max_size=4, unique=True),
    projects=st.none() | st.lists(keys(32), max_size=3, unique=True),
    note=st.none() | text(max_size=200),
    attributes=st.none() | st.dictionaries(keys(32), attributes, max_size=5),
)
