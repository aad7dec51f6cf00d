"""Payroll pays amounts: a payout of zero (one carried to zero after its deficit moved
on, or a person who earned nothing) is not a line of the payroll file unless the
payroll system wants every person (the column setting "zero_lines"). Marking the export
paid settles the zero payouts with it, so none is left approved for ever."""

from __future__ import annotations

from decimal import Decimal

from rest_framework.test import APIClient

from attain.pay import selectors_payouts as selectors
from attain.pay import services_payouts as services
from attain.pay.models import DEFAULT_COLUMNS

from .payout_factories import PAID_ON, PERIOD, payout, store, through

AMOUNTS = {"r1": {"commission": "1200.10"}, "r2": {"commission": "0.00"}}


def _approved(company) -> None:
    store(company, AMOUNTS)
    for code in AMOUNTS:
        through(company, code, "approved")


def test_a_zero_payout_is_not_a_line_of_the_payroll_file(company):
    _approved(company)
    payroll = selectors.payroll(company.users["finance"], PERIOD)
    assert [row[0] for row in payroll.rows] == ["r1"]
    assert payroll.total == Decimal("1200.10")
    assert [p.person.code for p in payroll.zeros] == ["r2"]
    # the export marked paid settles the zero payout with it (paid at zero)
    services.mark_paid(
        company.users["finance"], payroll.payouts, reference="PAY-9", paid_on=PAID_ON
    )
    assert payout(company, "r2").state == "paid"
    assert payout(company, "r2").payment_reference == "PAY-9"


def test_a_payroll_system_that_wants_every_person_gets_the_zero_lines(company):
    _approved(company)
    services.set_payroll_mapping(
        company.users["finance"], DEFAULT_COLUMNS, "COMM", zero_lines=True, reason="全员"
    )
    payroll = selectors.payroll(company.users["finance"], PERIOD)
    assert [(row[0], row[2]) for row in payroll.rows] == [
        ("r1", Decimal("1200.10")),
        ("r2", Decimal("0.00")),
    ]
    assert payroll.zeros == []


def test_the_page_and_the_api_say_what_was_left_out(company, client):
    _approved(company)
    client.force_login(company.users["finance"])
    page = client.get("/pay/payroll/", {"period": PERIOD}).content.decode()
    assert "1 payout of 0.00 is not in the file" in page
    csv = client.get("/pay/payroll/", {"period": PERIOD, "export": "csv"}).content.decode()
    assert "r1" in csv and "r2" not in csv
    api = APIClient()
    api.force_authenticate(company.users["finance"])
    body = api.get("/api/pay/payroll/", {"period": PERIOD}).json()
    assert body["count"] == 1 and body["zero_payouts"] == ["r2"]
    columns = api.get("/api/pay/payroll/columns/").json()
    assert columns["zero_lines"] is False
    answer = api.put(
        "/api/pay/payroll/columns/",
        {"columns": DEFAULT_COLUMNS, "pay_code": "COMM", "zero_lines": True},
        format="json",
    )
    assert answer.status_code == 200 and answer.json()["zero_lines"] is True
    body = api.get("/api/pay/payroll/", {"period": PERIOD}).json()
    assert body["count"] == 2 and body["zero_payouts"] == []
    # a PUT without the field keeps the setting as it is
    api.put(
        "/api/pay/payroll/columns/",
        {"columns": DEFAULT_COLUMNS, "pay_code": "PAY"},
        format="json",
    )
    assert api.get("/api/pay/payroll/columns/").json()["zero_lines"] is True
    client.cookies["django_language"] = "zh-hans"
    client.post(
        "/pay/payroll/",
        {"form": "columns", "columns": "工号=employee_id\n金额=amount", "pay_code": "COMM"},
    )
    assert selectors.payroll_mapping().zero_lines is False  # the box left unticked
    page = client.get("/pay/payroll/", {"period": PERIOD}).content.decode()
    assert "1 笔金额为 0.00 的发放不在文件中" in page
