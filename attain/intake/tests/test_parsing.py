"""The cell formats people really have: worked examples, no database."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from attain.intake.parsing import (
    CellError,
    normalise_header,
    parse_bool,
    parse_credit,
    parse_date,
    parse_decimal,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1234.5", "1234.50"),
        ("1,234.50", "1234.50"),
        ("¥1,234.50", "1234.50"),
        ("￥1,234.50", "1234.50"),
        ("¥ 12,345,678.9", "12345678.90"),
        ("1234.50元", "1234.50"),
        ("RMB 88", "88"),
        ("(1,234.50)", "-1234.50"),
        ("¥(1,234.50)", "-1234.50"),  # Excel's accounting format saved as CSV
        ("(¥1,234.50)", "-1234.50"),
        ("RMB (88.00)", "-88"),
        ("-1,234.50", "-1234.50"),
        ("１２３４.５０", "1234.50"),
        ("  42 ", "42"),
        (1234, "1234"),
        (1234.5, "1234.50"),
        (0.1 + 0.2, "0.30"),  # an Excel float: read as Excel shows it
        # SAP and other ERPs write the minus after the number
        ("1200-", "-1200"),
        ("1,234.50-", "-1234.50"),
        ("¥1,234.50-", "-1234.50"),
        ("1,234.50- ", "-1234.50"),
    ],
)
def test_amounts(text: object, expected: str) -> None:
    assert parse_decimal(text, places=2, what="amount") == Decimal(expected)


@pytest.mark.parametrize(
    "text",
    [
        *("abc", "1.2.3", "12,34", "NaN", "Infinity", "¥", "1e5x", "(-5)", "--5", "-¥-5", "(¥-5)"),
        # Python reads 1_000 as 1000 (and a typo 12_50 as 1250); no spreadsheet writes it
        *("1_000", "12_50", "¥1_000", "1_000.50"),
        *("-1200-", "(1200)-", "1200--", "-"),
    ],
)
def test_not_numbers(text: str) -> None:
    with pytest.raises(CellError, match="is not a number"):
        parse_decimal(text, places=2, what="amount")


def test_too_many_places_and_too_large() -> None:
    with pytest.raises(CellError, match="more than 2 decimal places"):
        parse_decimal("1.234", places=2, what="amount")
    assert parse_decimal("1.230", places=2, what="amount") == Decimal("1.23")
    with pytest.raises(CellError, match="too large"):
        parse_decimal("1e20", places=2, what="amount", limit=Decimal(10) ** 16)


@pytest.mark.parametrize(
    "text",
    [
        "2025-03-10",
        "2025/3/10",
        "2025.3.10",
        "2025年3月10日",
        "2025-03-10 00:00:00",
        "２０２５-03-10",
        "20250310",
        20250310,
        "20250310 09:30",
        datetime.datetime(2025, 3, 10, 0, 0),
        datetime.date(2025, 3, 10),
    ],
)
def test_dates(text: object) -> None:
    assert parse_date(text, what="date") == datetime.date(2025, 3, 10)


@pytest.mark.parametrize(
    "text", ["2025-13-01", "2025-02-30", "10/3/2025", "soon", "20251301", "2025031", "45726"]
)
def test_bad_dates(text: str) -> None:
    with pytest.raises(CellError, match=f"bad date “{text}”"):
        parse_date(text, what="date")


def test_credit_formats() -> None:
    half = Decimal("0.5")
    assert parse_credit("E0001:0.5;E0002:0.5") == [("E0001", half), ("E0002", half)]
    assert parse_credit('{"E0001": 0.5, "E0002": 0.5}') == [("E0001", half), ("E0002", half)]
    assert parse_credit("E0001：50%；E0002：50%") == [("E0001", half), ("E0002", half)]
    assert parse_credit("") == []


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("E1:0.5;E2:0.4", "sum to 0.9, not 1"),
        ("E1:1.5;E2:-0.5", "greater than 0"),
        ("E1:0.5;E1:0.5", "appears twice"),
        ("E1 0.5", "not “employee id:share”"),
        ("E1:half", "is not a number"),
        ("{bad json", "not valid JSON"),
    ],
)
def test_bad_credit(text: str, reason: str) -> None:
    with pytest.raises(CellError, match=reason):
        parse_credit(text)


def test_headers_compare_loosely() -> None:
    assert normalise_header(" External ID ") == normalise_header("external_id")
    assert normalise_header("金额（元）") == normalise_header("金额")
    assert normalise_header("AMOUNT (CNY)") == "amount"


def test_bools() -> None:
    assert parse_bool("是", what="active") is True
    assert parse_bool("FALSE", what="active") is False
    with pytest.raises(CellError):
        parse_bool("maybe", what="active")


def test_an_excel_true_or_false_cell_reads_as_excel_shows_it() -> None:
    """A TRUE cell in a workbook is "TRUE" wherever it is written back to the user (the
    reason, the rejects file, a text field), as in the CSV Excel saves: not Python's
    "True", not "1"."""
    from attain.intake.parsing import cell_text

    with pytest.raises(CellError, match="“TRUE” is not a number"):
        parse_decimal(True, places=2, what="amount")
    assert (cell_text(True), cell_text(False)) == ("TRUE", "FALSE")
    assert parse_bool(True, what="active") is True
    assert parse_bool(cell_text(False), what="active") is False


@pytest.mark.parametrize("text", ["1.234,56", "1 234,56", "12,34", "1.234.567,8"])
def test_a_decimal_comma_is_refused_saying_how_amounts_are_written(text: str) -> None:
    """A European Excel writes 1.234,56: refused (never read as 1.234 or 123456) with
    a reason that says which separator is which, not only "is not a number"."""
    with pytest.raises(CellError) as raised:
        parse_decimal(text, places=2, what="amount")
    assert "decimal point" in str(raised.value) and text in str(raised.value)


@pytest.mark.parametrize(
    ("cell", "day"), [(45726, "2025-03-10"), ("45726", "2025-03-10"), (45726.5, "2025-03-10")]
)
def test_an_excel_day_number_is_refused_naming_the_day_it_would_be(cell: object, day: str) -> None:
    """A date column not formatted as dates in Excel holds day numbers (45726): the row
    was rejected as "bad order date “45726”", which does not say what is wrong."""
    with pytest.raises(CellError) as raised:
        parse_date(cell, what="order date")
    message = str(raised.value)
    assert "45726" in message and "a number, not a date" in message and day in message, message


def test_a_year_alone_is_not_taken_for_a_day_number() -> None:
    with pytest.raises(CellError) as raised:
        parse_date("2025", what="order date")
    assert "day number" not in str(raised.value)
