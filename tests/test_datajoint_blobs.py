"""Attribute blobs survive DataJoint 2's blob codec, and the conflict check is strict."""

from __future__ import annotations

import math
from datetime import date, datetime
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from session_files.datajoint import _dj
from session_files.datajoint.plan import same_value

# What a YAML `blob:` can hold after safe loading: core scalars, dates, lists, mappings.
SCALARS = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=20)
    | st.dates()
    | st.datetimes(min_value=datetime(1900, 1, 1))
)
YAML_DATA = st.recursive(
    SCALARS,
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(st.text(max_size=8) | st.integers(), children, max_size=4)
    ),
    max_leaves=12,
)


@given(YAML_DATA)
def test_yaml_data_round_trips_through_the_blob_codec(value: Any) -> None:
    blob = _dj.load().blob
    assert same_value(blob.unpack(blob.pack(value)), value)


def test_same_value_tells_types_apart() -> None:
    assert not same_value(1, True)
    assert not same_value(1, 1.0)
    assert not same_value([1, 2], (1, 2))
    assert not same_value(date(2024, 1, 1), datetime(2024, 1, 1))
    assert not same_value({"a": 1}, {"a": 1, "b": 2})
    assert not same_value([1, 2], [1, 2, 3])


def test_same_value_sees_equal_data() -> None:
    assert same_value(math.nan, math.nan)
    assert same_value({"a": [1, {"b": None}], "c": 2.5}, {"c": 2.5, "a": [1, {"b": None}]})
    assert same_value("text", "text")
