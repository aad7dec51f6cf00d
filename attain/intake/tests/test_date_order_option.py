"""An import may say in which order its dates put day and month before the year
(``date_order``: mdy as a US Excel writes 04/15/2026, dmy as a European one writes
15.04.2026); without it such dates are refused with a hint (test_date_order_hint)."""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import translation

from attain.crm.models import Order
from attain.intake.importer import import_file
from attain.intake.models import ImportBatch
from attain.intake.parsing import CellError, parse_date, parse_datetime, reading_dates

from .conftest import read_csv, write_csv

US = "订单号,客户编号,负责人,下单日期,金额\nU-1,C1,r1,04/15/2026,10\nU-2,C1,r1,12/01/2025,20\n"
EUROPE = "订单号,客户编号,负责人,下单日期,金额\nE-1,C1,r1,15.04.2026,10\nE-2,C1,r1,01.12.2025,20\n"


@pytest.mark.parametrize(
    ("order", "text", "day"),
    [
        ("mdy", "04/15/2026", datetime.date(2026, 4, 15)),
        ("mdy", "4/5/26", datetime.date(2026, 4, 5)),
        ("mdy", "12-01-2025", datetime.date(2025, 12, 1)),
        ("dmy", "15.04.2026", datetime.date(2026, 4, 15)),
        ("dmy", "04/05/2026", datetime.date(2026, 5, 4)),
        ("dmy", "1/12/25", datetime.date(2025, 12, 1)),
        # a date with its year first reads whatever the order
        ("mdy", "2026-04-05", datetime.date(2026, 4, 5)),
        ("dmy", "2026/4/5", datetime.date(2026, 4, 5)),
    ],
)
def test_dates_read_in_the_order_chosen(order: str, text: str, day: datetime.date) -> None:
    with reading_dates(order):
        assert parse_date(text, what="order date") == day
    with pytest.raises(CellError):  # and only inside
        parse_date("04/15/2026", what="order date")


def test_a_time_after_the_date_is_kept() -> None:
    with reading_dates("mdy"):
        found = parse_datetime("04/15/2026 2:30 PM", what="time", tz=datetime.UTC)
    assert found == datetime.datetime(2026, 4, 15, 14, 30, tzinfo=datetime.UTC)


def test_a_value_that_is_no_date_in_the_order_is_refused_saying_so() -> None:
    with reading_dates("mdy"), pytest.raises(CellError) as refused:
        parse_date("15/04/2026", what="order date")
    assert str(refused.value) == (
        "bad order date “15/04/2026”: not a date read as Month first (04/15/2026)"
    )
    with translation.override("zh-hans"), reading_dates("dmy"):
        with pytest.raises(CellError) as refused:
            parse_date("04/15/2026", what="下单日期")
        assert "按日在前（15/04/2026）读取不是有效日期" in str(refused.value)


def test_an_unknown_order_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="ydm"), reading_dates("ydm"):
        pass


def test_the_refusal_without_an_order_points_to_the_choice() -> None:
    with pytest.raises(CellError, match="date order chosen for the import"):
        parse_date("04/15/2026", what="order date")


def test_import_file_reads_in_the_batch_order(customers: Any, tmp_path: Path) -> None:
    path = tmp_path / "us.csv"
    path.write_text(US, encoding="utf-8")
    result = import_file(
        None, "orders", path, rejects_path=tmp_path / "r.csv", options={"date_order": "mdy"}
    )
    assert (result.imported, result.rejected) == (2, 0)
    dates = dict(Order.objects.values_list("external_id", "date"))
    assert dates == {"U-1": datetime.date(2026, 4, 15), "U-2": datetime.date(2025, 12, 1)}


def test_without_an_order_the_rows_are_rejected(customers: Any, tmp_path: Path) -> None:
    rows = [line.split(",") for line in US.strip().split("\n")]
    result = import_file(
        None, "orders", write_csv(tmp_path / "o.csv", rows), rejects_path=tmp_path / "r.csv"
    )
    assert (result.imported, result.rejected) == (0, 2)
    rejected = read_csv(tmp_path / "r.csv")
    assert "it can only be month/day/year: write 2026-04-15" in rejected[1][1]
    assert "write 2025-12-01 (month/day) or 2025-01-12 (day/month)" in rejected[2][1]


def test_the_upload_form_keeps_the_order_and_the_preview_says_it(
    client: Client, company: Any, customers: Any
) -> None:
    client.force_login(company.users["sales_ops"])
    page = client.get(reverse("intake")).content.decode()
    assert 'name="date_order"' in page and "Day first (15/04/2026)" in page
    response = client.post(
        reverse("intake"),
        {
            "table": "orders",
            "file": SimpleUploadedFile("eu.csv", EUROPE.encode()),
            "date_order": "dmy",
        },
    )
    batch = ImportBatch.objects.get()
    assert batch.options == {"date_order": "dmy"}
    preview = client.get(response["Location"]).content.decode()
    assert "Dates before their year are read as: Day first (15/04/2026)" in preview
    client.post(reverse("intake-preview", args=[batch.pk]))
    dates = dict(Order.objects.values_list("external_id", "date"))
    assert dates == {"E-1": datetime.date(2026, 4, 15), "E-2": datetime.date(2025, 12, 1)}


def test_the_upload_form_refuses_an_unknown_order(
    client: Client, company: Any, customers: Any
) -> None:
    client.force_login(company.users["sales_ops"])
    with translation.override("zh-hans"):
        response = client.post(
            reverse("intake"),
            {"table": "orders", "file": SimpleUploadedFile("eu.csv", b"x"), "date_order": "x"},
            HTTP_ACCEPT_LANGUAGE="zh-hans",
        )
    assert response.status_code == 200
    assert not ImportBatch.objects.exists()


def test_the_api_takes_the_order(client: Client, company: Any, customers: Any) -> None:
    client.force_login(company.users["sales_ops"])
    response = client.post(
        "/api/imports/",
        {"table": "orders", "file": SimpleUploadedFile("us.csv", US.encode()), "date_order": "mdy"},
    )
    assert response.status_code == 202
    body = client.get(f"/api/imports/{response.json()['id']}/").json()
    assert (body["date_order"], body["imported"], body["rejected"]) == ("mdy", 2, 0)
    refused = client.post(
        "/api/imports/",
        {"table": "orders", "file": SimpleUploadedFile("us.csv", US.encode()), "date_order": "x"},
    )
    assert refused.status_code == 400
    assert set(refused.json()["error"]["fields"]) == {"date_order"}


def test_the_command_takes_the_order(customers: Any, tmp_path: Path) -> None:
    path = tmp_path / "us.csv"
    path.write_text(US, encoding="utf-8")
    call_command("import", "orders", str(path), "--date-order", "mdy")
    assert Order.objects.get(external_id="U-1").date == datetime.date(2026, 4, 15)
    assert ImportBatch.objects.get().options["date_order"] == "mdy"
