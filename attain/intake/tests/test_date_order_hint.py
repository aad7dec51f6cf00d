"""A date with day and month in front of the year (04/15/2026 as a US Excel writes it,
15.04.2026 as a German one) is still refused, since 04/05/2026 reads either way round,
but the reason says which way round it can be read and what to write instead."""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

import pytest
from django.utils import translation

from attain.intake.importer import import_file
from attain.intake.parsing import CellError, parse_date, parse_datetime

from .conftest import read_csv, write_csv

ACCEPTED = "2025-03-10, 2025/3/10, 2025年3月10日, 20250310, 10-Mar-2025 or Mar 10, 2025"


def reason(text: str) -> str:
    with pytest.raises(CellError) as refused:
        parse_date(text, what="order date")
    return str(refused.value)


@pytest.mark.parametrize(
    ("text", "order", "write"),
    [
        ("04/15/2026", "month/day/year", "2026-04-15"),
        ("4/15/26", "month/day/year", "2026-04-15"),
        ("12-31-2025", "month/day/year", "2025-12-31"),
        ("15/04/2026", "day/month/year", "2026-04-15"),
        ("31.12.2025", "day/month/year", "2025-12-31"),
    ],
)
def test_a_date_only_one_order_fits_says_so(text: str, order: str, write: str) -> None:
    said = reason(text)
    assert said.startswith(f"bad order date “{text}”")
    assert f"it can only be {order}: write {write}" in said
    assert ACCEPTED in said


@pytest.mark.parametrize(
    ("text", "either"),
    [
        ("04/05/2026", "2026-04-05 (month/day) or 2026-05-04 (day/month)"),
        ("10.03.2025", "2025-10-03 (month/day) or 2025-03-10 (day/month)"),
        ("3/10/25", "2025-03-10 (month/day) or 2025-10-03 (day/month)"),
    ],
)
def test_a_date_read_either_way_round_names_both(text: str, either: str) -> None:
    said = reason(text)
    assert f"write {either}" in said
    assert ACCEPTED in said


def test_day_and_month_alike_still_names_the_format() -> None:
    assert "write 2026-04-04." in reason("04/04/2026")


@pytest.mark.parametrize("text", ["13/13/2026", "04/31/2026", "2025-13-01", "soon"])
def test_no_date_either_way_is_only_a_bad_date(text: str) -> None:
    assert reason(text) == f"bad order date “{text}”"


def test_a_time_after_the_date_is_kept_in_what_to_write() -> None:
    with pytest.raises(CellError, match="write 2026-04-15 2:30 PM"):
        parse_datetime("04/15/2026 2:30 PM", what="time", tz=datetime.UTC)


def test_the_hint_in_chinese() -> None:
    with translation.override("zh-hans"):
        said = reason("04/15/2026")
        assert "只能是月/日/年" in said and "2026-04-15" in said
        assert "2025年3月10日" in said
        assert "日和月" in reason("04/05/2026")


def test_the_rejects_file_gives_the_hint(customers: Any, tmp_path: Path) -> None:
    rows = [
        ["订单号", "客户编号", "负责人", "下单日期", "订单金额"],
        ["U-1", "C1", "r1", "04/15/2026", "10"],
        ["U-2", "C1", "r1", "2026-04-16", "10"],
    ]
    result = import_file(
        None, "orders", write_csv(tmp_path / "o.csv", rows), rejects_path=tmp_path / "r.csv"
    )
    assert (result.imported, result.rejected) == (1, 1)
    line = read_csv(tmp_path / "r.csv")[1]
    assert line[0] == "2" and "month/day/year: write 2026-04-15" in line[1]
