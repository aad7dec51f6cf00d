"""The distinct rows of a few key columns, through one packed 64-bit key.

A distinct measure asks for the distinct (person, day, value) rows of every record,
then (unit, month, value) and (unit, value) rows: ``unique`` over several columns of
millions of rows, which Polars does about five times slower than ``unique`` over one
integer column. So each key column is turned into a small integer code (its offset
from the column's minimum; strings and categories through their category codes), the
codes are packed into one ``UInt64`` when their widths add up to at most 64 bits, that
one column is made unique, and the columns are read back from the distinct keys. The
rows are exactly those of ``frame.unique()`` (in another order); columns of other types,
or codes too wide to pack, take ``unique()`` itself.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import polars as pl

_INTEGERS = (pl.Int8, pl.Int16, pl.Int32, pl.Int64, pl.UInt8, pl.UInt16, pl.UInt32, pl.UInt64)
_BITS = 63  # the packed key stays below 2**63: every literal is an Int64
_TABLE_SLACK = 4  # a category table at most this many times the rows (+ 1024) is used
_KEY = "__unique_key"


@dataclass
class _Coded:
    code: pl.Expr  # UInt64 in 0 … 2**bits - 1 (a null has the largest code used)
    bits: int
    decode: Callable[[pl.Expr], pl.Expr]  # codes (UInt64) → the column's values


def unique_rows(frame: pl.DataFrame | pl.LazyFrame, keys: Sequence[str]) -> pl.DataFrame:
    """``frame.select(keys).unique()``, several times faster on millions of rows."""
    plain = frame.lazy().select(keys).collect()  # a lazy frame's plan runs once
    if plain.height < 2:
        return plain.unique()
    strings = [k for k, t in plain.schema.items() if t == pl.String]
    data = plain.with_columns(pl.col(strings).cast(pl.Categorical))
    coded: list[_Coded] = []
    for name in keys:
        found = _code(data[name], name in strings)
        if found is None:
            return plain.unique()
        coded.append(found)
    if sum(c.bits for c in coded) > _BITS:
        return plain.unique()
    shifts: list[int] = []  # of each column, the last one lowest
    shift = 0
    for column in reversed(coded):
        shifts.insert(0, shift)
        shift += column.bits
    key = pl.sum_horizontal(
        column.code * (1 << at) if at else column.code
        for column, at in zip(coded, shifts, strict=True)
    )  # the columns' bits do not overlap
    distinct = data.lazy().select(key.alias(_KEY)).unique().collect().lazy()
    found_key = pl.col(_KEY)
    return distinct.select(
        column.decode((found_key // (1 << at)) % (1 << column.bits)).alias(name)
        for name, column, at in zip(keys, coded, shifts, strict=True)
    ).collect()


def _code(column: pl.Series, string: bool) -> _Coded | None:
    dtype = column.dtype
    name = column.name
    if dtype == pl.Boolean:
        return _integer_codes(column.cast(pl.UInt8), pl.col(name).cast(pl.UInt8), pl.Boolean)
    if dtype in _INTEGERS:
        return _integer_codes(column, pl.col(name), dtype)
    if dtype == pl.Date:
        return _integer_codes(column.to_physical(), pl.col(name).to_physical(), pl.Date)
    if isinstance(dtype, pl.Categorical):
        return _category_codes(column, string)
    return None


def _bounds(column: pl.Series) -> tuple[int, int]:
    low, high = column.min(), column.max()
    if not isinstance(low, int) or not isinstance(high, int):  # every value null
        return 0, 0
    return low, high


def _offsets(values: pl.Expr, low: int, null: int) -> pl.Expr:
    """value - low as UInt64, a null as `null`."""
    if low >= 0:
        shifted = values.cast(pl.UInt64) - low
    else:
        shifted = (values.cast(pl.Int64) - low).cast(pl.UInt64)
    return shifted.fill_null(null)


def _integer_codes(
    column: pl.Series, values: pl.Expr, dtype: pl.DataType | type[pl.DataType]
) -> _Coded | None:
    """Offsets from the minimum; a null is one past the largest."""
    low, high = _bounds(column)
    null = high - low + 1
    bits = null.bit_length()
    if bits > _BITS:
        return None

    def decode(found: pl.Expr) -> pl.Expr:
        value = found + low if low >= 0 else found.cast(pl.Int64) + low
        if dtype == pl.Date:
            value = value.cast(pl.Int32)
        return pl.when(found != null).then(value).cast(dtype)

    return _Coded(_offsets(values, low, null), bits, decode)


def _category_codes(column: pl.Series, string: bool) -> _Coded | None:
    """Category codes as offsets from the smallest, decoded through a table of the
    categories present indexed by that offset (a null is one past the largest)."""
    physical = column.to_physical()
    low, high = _bounds(physical)
    null = high - low + 1
    if null > _TABLE_SLACK * column.len() + 1024:
        return None  # codes too spread out for a table
    categories = column.drop_nulls().unique()
    positions = categories.to_physical().cast(pl.Int64) - low
    table = pl.Series([None] * (null + 1), dtype=pl.String).scatter(
        positions, categories.cast(pl.String)
    )
    if not string:
        table = table.cast(column.dtype)

    def decode(found: pl.Expr) -> pl.Expr:
        return pl.lit(table).gather(found)

    return _Coded(_offsets(pl.col(column.name).to_physical(), low, null), null.bit_length(), decode)
