"""`unique_rows` gives exactly the rows of Polars' own ``unique()``, whatever the
columns hold (nulls, negative and huge integers, far-apart dates, any text), and
falls back to it where the codes cannot be packed; `distinct_counts` gives the
counts of a group-by per span."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from attain.engine.unique import SPAN, distinct_counts, unique_rows

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


spans = st.lists(
    st.tuples(st.integers(-3, 30), st.integers(0, 14)).map(lambda s: (s[0], s[0] + s[1])),
    min_size=1,
    max_size=6,
)
counted = st.lists(
    st.tuples(
        st.sampled_from(["a", "b", "张三", "", None]),
        st.one_of(st.none(), st.sampled_from(["x", "y", "客户", ""]), st.integers(-5, 5)),
        st.integers(-5, 40),
    ),
    max_size=60,
)


def _by_span(
    frame: pl.DataFrame, key: str, value: str, wanted: list[tuple[int, int]]
) -> pl.DataFrame:
    """Each span counted by itself: the group-by the engine asks one span at a time."""
    parts = [
        frame.filter(pl.col("month").is_between(first, last))
        .group_by(key)
        .agg(pl.col(value).drop_nulls().n_unique().alias("distinct"))
        .filter(pl.col("distinct") > 0)
        .with_columns(pl.lit(n, pl.UInt32).alias(SPAN))
        for n, (first, last) in enumerate(wanted)
    ]
    return pl.concat(parts).select(key, SPAN, pl.col("distinct").cast(pl.UInt32))


@settings(max_examples=150, deadline=None)
@given(counted, spans)
def test_distinct_counts_per_span(
    data: list[tuple[object, ...]], wanted: list[tuple[int, int]]
) -> None:
    """Texts, categories and integers, nulls among the values and the keys, months
    outside every span, spans that overlap or repeat: the counts of one group-by per span."""
    texts = [(k, None if v is None else str(v), m) for k, v, m in data]
    numbers = [(k, v if isinstance(v, int) else None, m) for k, v, m in data]
    for rows_, value_type in ((texts, pl.String), (numbers, pl.Int64)):
        frame = pl.DataFrame(
            rows_, schema={"who": pl.String, "value": value_type, "month": pl.Int32}, orient="row"
        )
        for key in ("who", "category"):
            coded = frame.with_columns(category=pl.col("who").cast(pl.Categorical))
            found = distinct_counts(coded, key, "value", "month", wanted)
            assert found is not None
            expected = _by_span(coded, key, "value", wanted)
            order = [key, SPAN]
            assert found.schema == expected.schema
            assert found.sort(order, nulls_last=True).equals(expected.sort(order, nulls_last=True))


def test_distinct_counts_too_wide() -> None:
    """Values over the whole 64-bit range cannot be packed with a key: None (the
    engine then counts each period by itself)."""
    frame = pl.DataFrame(
        {"who": ["a", "b"], "value": [-(2**63), 2**63 - 1], "month": [1, 2]},
        schema={"who": pl.String, "value": pl.Int64, "month": pl.Int32},
    )
    assert distinct_counts(frame, "who", "value", "month", [(1, 2), (2, 2)]) is None
