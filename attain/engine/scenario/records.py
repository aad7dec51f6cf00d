"""Record tables (``records:`` and ``customers``): loaded, then checked row by row.

Ids must be present and unique, dates readable, person fields name known people,
credit shares known people and sum to 1, and text fields that a measure or a spiff
uses as a number must hold numbers. Bad rows are reported by position, a capped number
per field.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal

import polars as pl

from ..expressions import MAX_SCALE, TEXT_NUMBER_SCALE, Expression
from ..model import ROW, Measure, Person, RecordTable, id_text
from ..numbers import ONE
from ..periods import handled_days, unhandled_day
from ..problems import not_a_date, shown
from ..tables import LoadedTable, file_table, inline_table
from .reader import Reader

DECIMAL_DIGITS = 38  # the precision of Polars' decimals


def read_tables(
    reader: Reader,
    raw: Mapping[str, tuple[str, object]],
    usage: Mapping[str, Mapping[str, set[str]]],
    usage_fields: Mapping[str, set[str] | None] | None = None,
) -> dict[str, RecordTable]:
    """Every record table, reading only the columns some expression may use."""
    usage_fields = usage_fields or {}
    tables: dict[str, RecordTable] = {}
    for name, (path, value) in raw.items():
        used = usage.get(name, {"date": set(), "person": set()})
        date_fields = set(used["date"]) or ({"date"} if path.startswith("records.") else set())
        keep_text = {"id"} | date_fields | set(used["person"])
        if isinstance(value, Mapping):
            fields = usage_fields.get(name)
            columns = None if fields is None else fields | keep_text
            loaded = file_table(
                value, path, reader.base_dir, keep_text, columns, frames=reader.frames
            )
        else:
            loaded = inline_table(value, path)
        reader.problems.extend(loaded.problems)
        frame = _check_table(reader, loaded, path, date_fields)
        tables[name] = RecordTable(name, path, frame, loaded.credit)
    return tables


def _check_table(
    reader: Reader, loaded: LoadedTable, path: str, date_fields: set[str]
) -> pl.DataFrame:
    """Ids present and unique, date fields read as dates (the frame with them parsed)."""
    frame = loaded.frame
    if "id" not in frame.columns:
        if frame.height:
            reader.add(path, "records need an id field")
        frame = frame.with_columns(pl.lit(None, dtype=pl.String).alias("id"))
    # uniqueness is checked on the ids as given (integers hash much faster than text)
    nulls = frame["id"].null_count()
    present = frame.height - nulls
    # (null counts as one value of n_unique; dropping nulls first would lose the
    # column's sortedness, which makes n_unique ten times faster for sorted ids)
    distinct = frame["id"].n_unique() - (1 if nulls else 0)
    dtype = frame.schema["id"]
    if not (dtype.is_integer() or isinstance(dtype, pl.Decimal) or dtype == pl.String):
        frame = frame.with_columns(id_text(dtype))  # integers stay numbers (id_text)
    if present != frame.height:
        missing = frame.filter(pl.col("id").is_null())
        reader.report_rows(missing, path, "id", lambda _v: "every record needs an id")
    if distinct != present:
        duplicated = frame.filter(
            pl.col("id").is_not_null() & ~pl.col("id").is_first_distinct()
        ).with_columns(id_text(frame.schema["id"]))
        reader.report_rows(
            duplicated, path, "id", lambda v: f"duplicate id {shown(v)} in this table"
        )
    for field in sorted(date_fields):
        if field not in frame.columns:
            if frame.height:
                reader.add(f"{path}[0].{field}", f"records need a {field} field (YYYY-MM-DD)")
            frame = frame.with_columns(pl.lit(None, dtype=pl.Date).alias(field))
            continue
        dtype = frame.schema[field]
        if dtype == pl.Date:
            if frame[field].null_count():
                reader.report_rows(
                    frame.filter(pl.col(field).is_null()),
                    path,
                    field,
                    lambda _v: "a record needs a date",
                )
            _check_range(reader, frame, path, field)
            continue
        if isinstance(dtype, pl.Datetime):
            parsed = pl.col(field).dt.date()
        else:
            parsed = (
                pl.col(field)
                .cast(pl.String)
                .str.strip_chars()
                .str.to_date("%Y-%m-%d", strict=False)
            )
        checked = frame.with_columns(parsed.alias("__parsed"))
        bad = checked.filter(pl.col("__parsed").is_null())
        reader.report_rows(
            bad,
            path,
            field,
            lambda v: "a record needs a date" if v is None else not_a_date(v),
        )
        frame = checked.with_columns(pl.col("__parsed").alias(field)).drop("__parsed")
        _check_range(reader, frame, path, field)
    return frame


def _check_range(reader: Reader, frame: pl.DataFrame, path: str, field: str) -> None:
    """Dates in the fiscal years periods can name (:func:`handled_days`)."""
    first, last = handled_days(reader.fiscal_year_start)
    day = pl.col(field)
    low, high = frame.select(day.min().alias("low"), day.max().alias("high")).row(0)
    if low is None or (first <= low and high <= last):
        return
    outside = frame.filter((day < first) | (day > last))
    reader.report_rows(
        outside, path, field, lambda v: unhandled_day(v, reader.fiscal_year_start) or ""
    )


def check_records(
    reader: Reader,
    tables: Mapping[str, RecordTable],
    measures: Mapping[str, Measure],
    usage: Mapping[str, Mapping[str, set[str]]],
    people: Mapping[str, Person],
) -> None:
    """Person fields and credit splits name known people; measured fields are numbers."""
    known = pl.Series(list(people), dtype=pl.String).implode()
    for name, table in tables.items():
        credited = (
            table.credit.select(ROW).unique()
            if table.credit is not None
            else pl.DataFrame({ROW: []}, schema={ROW: pl.Int64})
        )
        if table.credit is not None:
            _check_credit(reader, table, people)
        for field in sorted(usage.get(name, {}).get("person", set())):
            frame = table.frame
            if field not in frame.columns:
                if frame.height > credited.height:
                    reader.add(
                        f"{table.path}[0].{field}",
                        f"records need a {field} field (a person id)",
                    )
                continue
            values = frame.select(ROW, pl.col(field).cast(pl.String))
            has_credit = pl.col(ROW).is_in(credited[ROW].implode())
            unknown = values.filter(pl.col(field).is_not_null() & ~pl.col(field).is_in(known))
            reader.report_rows(unknown, table.path, field, lambda v: f"unknown person {shown(v)}")
            absent = values.filter(pl.col(field).is_null() & ~has_credit)
            reader.report_rows(absent, table.path, field, lambda _v: "no person to credit")
    checked: set[tuple[str, str]] = set()
    fitted: set[tuple[str, str]] = set()
    for measure in measures.values():
        check_numbers(
            reader, tables, measure.table, measure.value, measure.path, measure.agg, checked
        )
        if measure.agg not in ("count", "distinct") and measure.value.bare_field is not None:
            _check_digits(reader, tables.get(measure.table), measure.value.bare_field, fitted)
        if measure.where is not None:
            check_numbers(
                reader, tables, measure.table, measure.where, measure.path, "count", checked
            )


def _check_digits(
    reader: Reader, table: RecordTable | None, field: str, fitted: set[tuple[str, str]]
) -> None:
    """Values that a credit share multiplies must fit the engine's 38 digits.

    `share × value` keeps every decimal of both (up to :data:`MAX_SCALE`), so a table
    with credit shares of t decimals leaves ``38 − min(s + t, MAX_SCALE)`` digits before
    the point for a field of s decimals; a larger value was a Polars error (a traceback).
    """
    if table is None or table.credit is None or (table.name, field) in fitted:
        return
    fitted.add((table.name, field))
    frame = table.frame
    dtype = frame.schema.get(field)
    share_dtype = table.credit.schema["share"]
    if not isinstance(share_dtype, pl.Decimal):
        return
    if isinstance(dtype, pl.Decimal):
        value, scale = pl.col(field), dtype.scale or 0
    elif dtype == pl.String:  # read as numbers of TEXT_NUMBER_SCALE decimals (as_number)
        text = pl.col(field).str.strip_chars()
        value, scale = text.cast(pl.Decimal(38, TEXT_NUMBER_SCALE), strict=False), TEXT_NUMBER_SCALE
    else:
        return
    shares = share_dtype.scale or 0
    digits = DECIMAL_DIGITS - min(scale + shares, MAX_SCALE)
    if digits >= DECIMAL_DIGITS:  # whole shares × whole values: every Decimal(38) fits
        return
    big = frame.filter(value.abs() >= Decimal(10) ** digits)
    reader.report_rows(
        big,
        table.path,
        field,
        lambda v: (
            f"{_plain(v)} is too large: with credit shares of {shares} decimals, "
            f"the engine's 38 digits leave at most {digits} before the decimal point"
        ),
    )


def _plain(value: object) -> str:
    return f"{value.normalize():f}" if isinstance(value, Decimal) else str(value).strip()


def check_numbers(
    reader: Reader,
    tables: Mapping[str, RecordTable],
    table_name: str,
    expression: Expression,
    owner: str,
    agg: str,
    checked: set[tuple[str, str]],
) -> None:
    """Text fields that `expression` uses as numbers must hold numbers."""
    table = tables.get(table_name)
    if table is None:
        return
    fields = set(expression.numeric_fields)
    if agg in ("sum", "avg", "min", "max") and expression.bare_field:
        fields.add(expression.bare_field)
    for field in sorted(fields):
        if (table_name, field) in checked or field not in table.frame.columns:
            continue
        checked.add((table_name, field))
        if table.frame.schema[field] != pl.String:
            continue
        text = pl.col(field).str.strip_chars()
        bad = table.frame.filter(
            pl.col(field).is_not_null() & text.cast(pl.Decimal(38, 12), strict=False).is_null()
        )
        reader.report_rows(bad, table.path, field, lambda v: _not_a_number(v, owner))


_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?", re.ASCII)


def _not_a_number(value: object, owner: str) -> str:
    """Why a text value is no number here: not one at all, or one beyond the digits text
    is read with (numbers in text keep 12 decimals of the engine's 38 digits)."""
    text = str(value).strip()
    # (Decimal() also takes １２３ and 1_000, which Polars does not read as numbers)
    digits = DECIMAL_DIGITS - TEXT_NUMBER_SCALE
    if _NUMBER.fullmatch(text) and Decimal(text).adjusted() >= digits:
        return (
            f"{shown(value)} has too many digits: numbers given as text may have at most "
            f"{digits} before the decimal point ({owner})"
        )
    return f"{shown(value)} is not a number ({owner} needs numbers)"


def _check_credit(reader: Reader, table: RecordTable, people: Mapping[str, Person]) -> None:
    """Credit splits name known people with positive shares summing to 1."""
    assert table.credit is not None
    credit = table.credit
    known = pl.Series(list(people), dtype=pl.String).implode()
    suspect = credit.filter(~pl.col("person").is_in(known) | (pl.col("share") <= 0))
    for row, person, share in suspect.iter_rows():
        path = f"{table.path}[{row}].credit"
        if person not in people:
            reader.add(f"{path}.{person}", f"unknown person {person!r}")
        if share is not None and share <= 0:
            reader.add(f"{path}.{person}", f"share must be greater than 0, not {share}")
    tolerance = Decimal("1e-9")
    sums = (
        credit.group_by(ROW)
        .agg(pl.col("share").sum().alias("total"))
        .filter(pl.col("total") != 1)
        .sort(ROW)
    )
    for row, total in sums.iter_rows():
        if abs(total - ONE) > tolerance:
            reader.add(
                f"{table.path}[{row}].credit",
                f"shares sum to {total.normalize():f}, not 1",
            )
