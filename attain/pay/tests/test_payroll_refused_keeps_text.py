"""A refused payroll step (the column mapping, marking the export paid) shows the
payroll page again (status 400) with the refusal and what the login typed, as the
register does: nothing is typed twice."""

from __future__ import annotations

from attain.pay import services_payouts as services
from attain.pay.models import Payout, PayrollMapping

from .payout_factories import AMOUNTS, PERIOD
from .payout_factories import store as store_amounts

REASON = "Payroll asked for the bank's column names"


def test_refused_payroll_columns_keep_the_columns_pay_code_and_reason(company, client):
    client.force_login(company.users["sales_ops"])
    before = PayrollMapping.objects.first()
    columns = "工号=employee_id\nBetrag=amount\nNotiz=no_such_source"
    answer = client.post(
        "/pay/payroll/",
        {"form": "columns", "columns": columns, "pay_code": "BONUS-7", "reason": REASON},
    )
    assert answer.status_code == 400
    html = answer.content.decode()
    assert "Column 3: the source must be one of" in html
    assert columns in html.replace("\r\n", "\n")
    assert 'value="BONUS-7"' in html
    assert f'value="{REASON}"' in html.replace("&#x27;", "'")
    after = PayrollMapping.objects.first()
    assert (after.columns if after else None) == (before.columns if before else None)


def test_refused_marking_paid_keeps_the_reference_and_date(company, client):
    store_amounts(company, AMOUNTS)
    services.review_payouts(company.users["admin"], list(Payout.objects.all()))
    services.approve_payouts(company.users["finance"], list(Payout.objects.all()))
    client.force_login(company.users["finance"])
    answer = client.post(
        f"/pay/payroll/?period={PERIOD}",
        {
            "form": "paid",
            "period": PERIOD,
            "people": '["nobody"]',
            "reference": "BANK-2026-04-15",
            "paid_on": "2026-04-15",
        },
    )
    assert answer.status_code == 400
    html = answer.content.decode()
    assert "No payout for nobody in this period." in html
    assert 'value="BANK-2026-04-15"' in html and 'value="2026-04-15"' in html
    assert not Payout.objects.filter(state="paid").exists()


def test_saved_payroll_columns_still_go_back_to_the_page(company, client):
    client.force_login(company.users["sales_ops"])
    answer = client.post(
        "/pay/payroll/",
        {"form": "columns", "columns": "ID=employee_id\nAmount=amount", "pay_code": "B"},
    )
    assert answer.status_code == 302
