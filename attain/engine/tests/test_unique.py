"""`unique_rows` gives exactly the rows of Polars' own ``unique()``, whatever the
columns hold (nulls, negative and huge integers, far-apart dates, any text), and
falls back to it where the codes cannot be packed."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from attain.engine.unique import unique_rows

SCHEMA = {
    "text": pl.String,
    "day": pl.Date,
    "code": pl.UInt32,
    "big": pl.Int64,
    "flag": pl.Boolean,
    "small": pl.Int8,
}
KEYS = [
    ["text", "day", "code"],
    ["text", "code"],
    ["text", "day", "flag"],
    ["big", "code", "text"],
    ["day"],
    ["category", "big", "flag", "code"],
    ["small", "category"],
]

rows = st.lists(
    st.tuples(
        st.one_of(st.none(), st.sampled_from(["a", "b", "张三", "", " a", "p00001"]), st.text()),
        st.one_of(st.none(), st.dates(dt.date(1, 1, 1), dt.date(9999, 12, 31))),
        st.one_of(st.none(), st.integers(0, 2**32 - 1)),
        st.one_of(st.none(), st.integers(-(2**63), 2**63 - 1), st.integers(-3, 3)),
        st.one_of(st.none(), st.booleans()),
        st.one_of(st.none(), st.integers(-128, 127)),
    ),
    max_size=40,
)


def _sorted(frame: pl.DataFrame, keys: list[str]) -> pl.DataFrame:
    return frame.select(keys).sort(keys, nulls_last=True)


def _frame(data: list[tuple[object, ...]]) -> pl.DataFrame:
    frame = pl.DataFrame(data, schema=SCHEMA, orient="row")
    return frame.with_columns(category=pl.col("text").cast(pl.Categorical))


@settings(max_examples=150, deadline=None)
@given(rows)
def test_same_rows_as_unique(data: list[tuple[object, ...]]) -> None:
    frame = _frame(data)
    for keys in KEYS:
        found = unique_rows(frame, keys)
        assert found.schema == frame.select(keys).schema
        assert _sorted(found, keys).equals(_sorted(frame.select(keys).unique(), keys))


@pytest.mark.parametrize("lazy", [False, True])
def test_repeated_rows_collapse(lazy: bool) -> None:
    frame = _frame(
        [("a", dt.date(2025, 1, 1), 7, -1, True, 0)] * 3
        + [("b", dt.date(2025, 1, 1), 7, -1, True, 0)]
        + [(None, None, None, None, None, None)] * 2
    )
    found = unique_rows(frame.lazy() if lazy else frame, ["text", "day", "code", "big"])
    assert found.height == 3


def test_too_wide_falls_back() -> None:
    """Two full-range 64-bit columns cannot be packed into one key: the same rows."""
    frame = pl.DataFrame(
        {"x": [-(2**63), 2**63 - 1, 0, 0], "y": [2**63 - 1, -(2**63), 0, 0]},
        schema={"x": pl.Int64, "y": pl.Int64},
    )
    assert _sorted(unique_rows(frame, ["x", "y"]), ["x", "y"]).equals(
        _sorted(frame.unique(), ["x", "y"])
    )
