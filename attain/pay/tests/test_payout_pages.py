"""The payout pages: bulk approve, holds, exports (guarded against formulas), totals."""

from __future__ import annotations

import csv
import datetime
import html
import io
import json
import re
from decimal import Decimal

import openpyxl
import pytest

from attain.incentives.events import results_stored
from attain.incentives.models import PeriodResult
from attain.org.models import Person
from attain.pay import services_payouts as services
from attain.pay.models import Payout

from .payout_factories import AMOUNTS, PERIOD, payout, store, store_person, through


def _review_all(company):
    services.review_payouts(company.users["admin"], list(Payout.objects.all()))


def test_finance_approves_in_bulk_and_an_illegal_choice_changes_nothing(company, client):
    store(company, AMOUNTS)
    services.review_payouts(company.users["admin"], list(Payout.objects.exclude(person__code="r4")))
    client.force_login(company.users["finance"])
    url = f"/pay/payouts/?period={PERIOD}"
    answer = client.post(url, {"action": "approve", "people": ["r1", "r4"]}, follow=True)
    assert "R4" in answer.content.decode()  # r4 is only calculated: refused by name
    assert not Payout.objects.filter(state="approved").exists()
    client.post(url, {"action": "approve", "people": ["r1", "r2", "r3"]})
    assert Payout.objects.filter(state="approved").count() == 3


def test_a_step_applies_to_the_period_the_page_showed_not_a_newer_one(company, client):
    # the manager opens the register (the newest period, 2026-Q1, by default) and ticks
    # r1; meanwhile the next quarter is calculated: the review went to r1's 2026-Q2
    store(company, AMOUNTS)
    client.force_login(company.users["manager"])
    page = client.get("/pay/payouts/").content.decode()
    assert 'name="period" value="2026-Q1"' in page
    pk = store_person(
        company,
        "r1",
        {"commission": "10.00"},
        period="2026-Q2",
        start=datetime.date(2026, 4, 1),
        end=datetime.date(2026, 6, 30),
        unit=company.east,
    )
    results_stored.send(sender=PeriodResult, people=[pk], periods=["2026-Q2"])
    client.post("/pay/payouts/", {"action": "review", "people": ["r1"], "period": "2026-Q1"})
    assert payout(company, "r1", "2026-Q2").state == "calculated"
    assert payout(company, "r1").state == "reviewed"
    # so does marking the payroll export paid
    through(company, "r1", "approved", "2026-Q2")
    finance = company.users["finance"]
    services.approve_payouts(finance, [payout(company, "r1")])
    client.force_login(finance)
    assert 'name="period" value="2026-Q2"' in client.get("/pay/payroll/").content.decode()
    client.post(
        "/pay/payroll/",
        {
            "form": "paid",
            "period": "2026-Q1",
            "reference": "B-1",
            "paid_on": "2026-04-15",
            "people": '["r1"]',
            "amounts": '{"r1": "1200.10"}',
        },
    )
    assert payout(company, "r1").state == "paid"
    assert payout(company, "r1", "2026-Q2").state == "approved"


def test_a_rep_cannot_move_their_own_payout_from_the_page(company, client):
    store(company, AMOUNTS)
    client.force_login(company.users["rep"])
    page = client.get(f"/pay/payouts/?period={PERIOD}")
    assert page.context["actions"] == []
    client.post(f"/pay/payouts/?period={PERIOD}", {"action": "review", "people": ["r1"]})
    assert Payout.objects.get(person__code="r1").state == "calculated"


def test_hold_shown_on_the_register_and_to_the_rep(company, client):
    store(company, AMOUNTS)
    client.force_login(company.users["sales_ops"])
    client.post(
        f"/pay/payouts/?period={PERIOD}",
        {"action": "hold", "people": ["r1"], "reason": "under review 审核"},
    )
    assert Payout.objects.get(person__code="r1").held
    client.force_login(company.users["rep"])
    page = client.get(f"/pay/payouts/?period={PERIOD}").content.decode()
    assert "under review 审核" in page


def test_register_exports_are_guarded_and_exact(company, client):
    store(company, AMOUNTS)
    Person.objects.filter(code="r2").update(name='=HYPERLINK("http://x")')
    client.force_login(company.users["finance"])
    answer = client.get(f"/pay/payouts/?period={PERIOD}&export=csv")
    text = answer.content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][:3] == ["Period", "Employee ID", "Name"]
    names = {r[2] for r in rows[1:]}
    assert '\'=HYPERLINK("http://x")' in names
    amount = rows[0].index("Amount")
    total = sum(Decimal(r[amount]) for r in rows[1:])
    assert total == sum((Decimal(v) for c in AMOUNTS.values() for v in c.values()), Decimal(0))
    answer = client.get(f"/pay/payouts/?period={PERIOD}&export=xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(answer.content)).active
    values = list(sheet.iter_rows(values_only=True))
    assert values[0][0] == "Period" and len(values) == len(rows)
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)


def test_register_and_accrual_files_speak_the_readers_language(company, client):
    # a Chinese finance user's register and accrual files had English headers (period,
    # employee_id, hold_reason…) and states (approved, true): the files are reports for
    # people, like the pages, so they are written in the reader's language
    store(company, AMOUNTS)
    services.hold_payout(company.users["finance"], payout(company, "r1"), reason="x")
    payout(company, "r2").lines.create(plan="", component="2025-Q4", kind="adjustment", amount=1)
    client.force_login(company.users["finance"])
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    text = client.get(f"/pay/payouts/?period={PERIOD}&export=csv").content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == [
        "期间", "工号", "姓名", "组织单元", "状态", "暂扣", "暂扣原因",
        "方案", "组成项", "金额", "付款参考号", "支付日期",
    ]  # fmt: skip
    held = [r for r in rows[1:] if r[1] == "r1"]
    assert held and {(r[4], r[5], r[6]) for r in held} == {("已计算", "是", "x")}
    assert {r[5] for r in rows[1:] if r[1] != "r1"} == {"否"}
    assert ["调整", "2025-Q4"] in [r[7:9] for r in rows]  # a prior-period adjustment line
    answer = client.get(f"/pay/accrual/?period={PERIOD}&export=xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(answer.content)).active
    assert [c.value for c in sheet[1]] == [
        "期间", "组织单元", "人数", "已计算", "已复核", "已审批", "暂扣", "尚未支付",
    ]  # fmt: skip
    # the payroll file keeps the columns finance configured for the bank
    exported = client.get(f"/pay/payroll/?period={PERIOD}&export=csv").content.decode("utf-8-sig")
    assert exported.splitlines()[0] == "employee_id,name,amount,pay_code,cost_centre,period"


def test_xlsx_exports_show_amounts_to_the_cent_and_grouped(company, client):
    # Excel showed 333.33 + 0.01 as "333.34" but 1,200.10 as "1200.1" and 0.00 as "0":
    # an amount cell keeps its number and shows its cents and thousands
    store(company, {**AMOUNTS, "r2": {"commission": "1234567.50", "bonus": "0.00"}})
    client.force_login(company.users["finance"])
    for url in (
        f"/pay/payouts/?period={PERIOD}&export=xlsx",
        f"/pay/accrual/?period={PERIOD}&export=xlsx",
    ):
        sheet = openpyxl.load_workbook(io.BytesIO(client.get(url).content)).active
        header = [c.value for c in sheet[1]]
        money = [
            c
            for row in sheet.iter_rows(min_row=2)
            for c in row
            if c.data_type == "n" and header[c.column - 1] != "People"
        ]
        assert money and {c.number_format for c in money} == {"#,##0.00"}, url
        assert Decimal("1236368.14") in {Decimal(str(c.value)) for c in money} or (
            Decimal("1234567.5") in {Decimal(str(c.value)) for c in money}
        ), url  # the accrual's east total, the register's line


def test_payroll_page_total_equals_the_register_and_marks_paid(company, client):
    store(company, AMOUNTS)
    _review_all(company)
    services.approve_payouts(company.users["finance"], list(Payout.objects.all()))
    services.hold_payout(
        company.users["finance"], Payout.objects.get(person__code="r4"), reason="x"
    )
    client.force_login(company.users["finance"])
    register = client.get(f"/pay/payouts/?period={PERIOD}").context["register"]
    page = client.get(f"/pay/payroll/?period={PERIOD}")
    assert page.context["payroll"].total == register.totals.payable
    exported = client.get(f"/pay/payroll/?period={PERIOD}&export=csv").content.decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(exported)))
    assert sum(Decimal(r["amount"]) for r in rows) == register.totals.payable
    assert {r["employee_id"] for r in rows} == {"m1", "r1", "r2", "r3"}
    client.post(
        f"/pay/payroll/?period={PERIOD}",
        {
            "form": "paid",
            "reference": "BANK-2026-04",
            "paid_on": "2026-04-15",
            "people": page.context["exported"],
        },
    )
    paid = Payout.objects.filter(state="paid")
    assert paid.count() == 4 and {p.payment_reference for p in paid} == {"BANK-2026-04"}
    assert Payout.objects.get(person__code="r4").state == "approved"  # held: not paid


def test_payroll_columns_edited_on_the_page(company, client):
    client.force_login(company.users["sales_ops"])
    client.post(
        "/pay/payroll/",
        {"form": "columns", "columns": "工号=employee_id\n金额=amount", "pay_code": "BONUS"},
    )
    client.force_login(company.users["finance"])
    page = client.get("/pay/payroll/")
    assert page.context["mapping"].columns == [
        {"header": "工号", "source": "employee_id"},
        {"header": "金额", "source": "amount"},
    ]


def test_accrual_page_counts_what_is_owed(company, client):
    store(company, AMOUNTS)
    client.force_login(company.users["finance"])
    page = client.get("/pay/accrual/")
    assert page.context["total"] == sum(
        (Decimal(v) for c in AMOUNTS.values() for v in c.values()), Decimal(0)
    )


def test_pages_in_chinese(company, client):
    store(company, AMOUNTS)
    client.force_login(company.users["finance"])
    page = client.get(f"/pay/payouts/?period={PERIOD}", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert "发放登记簿" in page.content.decode()


def test_command_line_export_matches_the_register(company, tmp_path):
    from django.core.management import call_command

    store(company, AMOUNTS)
    _review_all(company)
    services.approve_payouts(company.users["finance"], list(Payout.objects.all()))
    target = tmp_path / "payroll.csv"
    out = io.StringIO()
    call_command("pay", "export", "--period", PERIOD, "--output", str(target), stdout=out)
    rows = list(csv.DictReader(io.StringIO(target.read_text(encoding="utf-8-sig"))))
    total = sum(Decimal(r["amount"]) for r in rows)
    assert total == sum((p.amount for p in Payout.objects.all()), Decimal(0))
    assert f"total {total}" in out.getvalue()
    call_command("pay", "accrual", stdout=out)
    call_command("pay", "sync", stdout=out)
    assert "created 0" in out.getvalue()
    nothing = io.StringIO()
    call_command("pay", "accrual", "--period", "1999-Q1", stdout=nothing)
    assert nothing.getvalue().strip() == "nothing accrued for 1999-Q1"


def test_holding_several_from_the_register_is_all_or_nothing_and_names_the_payout(company, client):
    store(company, AMOUNTS)
    services.hold_payout(
        company.users["finance"], Payout.objects.get(person__code="r2"), reason="already"
    )
    client.force_login(company.users["sales_ops"])
    answer = client.post(
        f"/pay/payouts/?period={PERIOD}",
        {"action": "hold", "people": ["r1", "r2", "r3"], "reason": "check"},
        follow=True,
    )
    assert "(r2)" in answer.content.decode()  # the refused payout is named
    assert list(Payout.objects.filter(held=True).values_list("person__code", flat=True)) == ["r2"]


def test_an_export_whose_period_holds_a_newline_or_chinese_still_downloads(company, client):
    store(company, AMOUNTS)
    client.force_login(company.users["finance"])
    for url in [
        "/pay/payouts/?period=a%0Ab&export=csv",
        "/pay/payroll/?period=a%0Ab&export=xlsx",
        "/pay/accrual/?period=a%0Db&export=csv",
        "/pay/payouts/?period=%E4%B8%AD&export=csv",
    ]:
        answer = client.get(url)
        assert answer.status_code == 200, url
        assert "\n" not in answer["Content-Disposition"]
        assert answer["Content-Disposition"].startswith("attachment; filename")


def test_marking_the_export_paid_pays_only_what_the_page_showed(company, client):
    """A payout approved after finance opened (and exported) the payroll is not in the
    file sent to the bank: marking the export paid leaves it approved."""
    store(company, AMOUNTS)
    _review_all(company)
    finance = company.users["finance"]
    services.approve_payouts(finance, list(Payout.objects.exclude(person__code="r3")))
    client.force_login(finance)
    page = client.get(f"/pay/payroll/?period={PERIOD}").content.decode()
    shown = html.unescape(re.search(r'name="people" value="([^"]+)"', page).group(1))
    assert sorted(json.loads(shown)) == ["m1", "r1", "r2", "r4"]
    services.approve_payouts(finance, [Payout.objects.get(person__code="r3")])  # meanwhile
    client.post(
        f"/pay/payroll/?period={PERIOD}",
        {"form": "paid", "reference": "BANK-7", "paid_on": "2026-04-15", "people": shown},
    )
    assert Payout.objects.get(person__code="r3").state == "approved"
    assert Payout.objects.filter(state="paid").count() == 4


def test_marking_a_big_payroll_paid_stays_within_the_form_field_limit(company, client):
    """The payouts shown are posted in one field, not one each: a payroll of tens of
    thousands of people stays within Django's limit of form fields."""
    store(company, AMOUNTS)
    _review_all(company)
    services.approve_payouts(company.users["finance"], list(Payout.objects.all()))
    client.force_login(company.users["finance"])
    page = client.get(f"/pay/payroll/?period={PERIOD}").content.decode()
    assert page.count('name="people"') == 1


def test_finance_approves_more_than_a_thousand_payouts_at_once(company, client):
    """One check box per payout: a period of a big company is approved in one go
    (Django's default limit of 1,000 form fields answered 400 Bad Request)."""
    store(company, AMOUNTS)
    _review_all(company)
    client.force_login(company.users["finance"])
    chosen = ["m1", "r1", "r2", "r3", "r4"] + [f"X{n}" for n in range(1200)]
    answer = client.post(f"/pay/payouts/?period={PERIOD}", {"action": "approve", "people": chosen})
    assert answer.status_code == 302
    assert Payout.objects.filter(state="approved").count() == 5


def test_an_xlsx_export_whose_period_excel_cannot_name_a_sheet_by_still_downloads(company, client):
    # the sheet is named after the period typed in the address: a character Excel
    # forbids in a sheet's name (/ : * ? [ ]) was a 500
    store(company, AMOUNTS)
    client.force_login(company.users["finance"])
    for url in [
        "/pay/payouts/?period=2026%2FQ3&export=xlsx",
        "/pay/payroll/?period=a:b*c&export=xlsx",
        "/pay/accrual/?period=%5B2026%5D%3F&export=xlsx",
        "/pay/accrual/?period=a%01b&export=xlsx",
    ]:
        answer = client.get(url)
        assert answer.status_code == 200, url
        book = openpyxl.load_workbook(io.BytesIO(answer.content))
        assert not set("/:*?[]\x01") & set(book.active.title), url
    answer = client.get(f"/pay/payouts/?period={PERIOD}&export=xlsx")
    assert openpyxl.load_workbook(io.BytesIO(answer.content)).active.title == f"payouts-{PERIOD}"


def test_a_payout_recalculated_after_payment_shows_its_amounts_grouped(company, client):
    """The register gave the recalculated amount and the note's change as stored
    (2345678.25, 1234567.50 → 2345678.25) where every other amount is grouped."""
    store(company, {"r1": {"commission": "1234567.50"}})
    through(company, "r1", "paid")
    store(company, {"r1": {"commission": "2345678.25"}})
    client.force_login(company.users["finance"])
    page = client.get(f"/pay/payouts/?period={PERIOD}", HTTP_ACCEPT_LANGUAGE="zh-hans")
    # (the form's hidden amounts field holds them as sent back, for the step's check)
    body = re.sub(r'name="amounts" value="[^"]*"', "", page.content.decode())
    assert "2345678" not in body and "1234567" not in body
    assert "2,345,678.25" in body and "1,234,567.50 → 2,345,678.25" in body


def test_a_payout_whose_amount_changed_since_the_export_is_not_marked_paid(company, client):
    """Finance exports the payroll; meanwhile r1's payout is recalculated, reviewed and
    approved again with another amount. The bank paid the exported amount: marking the
    export paid refuses (it recorded the new amount as paid, and the difference was
    never paid) and says to export again; nothing is marked paid."""
    store(company, AMOUNTS)
    _review_all(company)
    finance = company.users["finance"]
    services.approve_payouts(finance, list(Payout.objects.all()))
    client.force_login(finance)
    page = client.get(f"/pay/payroll/?period={PERIOD}").content.decode()
    fields = dict(re.findall(r'name="(people|amounts)" value="([^"]+)"', page))
    shown = {name: html.unescape(value) for name, value in fields.items()}
    assert json.loads(shown["amounts"])["r1"] == "1200.10"
    store(company, {"r1": {"commission": "1500.10", "bonus": "200.00"}})  # meanwhile
    through(company, "r1", "approved")
    answer = client.post(
        f"/pay/payroll/?period={PERIOD}",
        {"form": "paid", "reference": "BANK-8", "paid_on": "2026-04-15", **shown},
        follow=True,
    )
    assert not Payout.objects.filter(state="paid").exists()
    assert "1,200.10" in answer.content.decode() and "1,700.10" in answer.content.decode()


@pytest.mark.parametrize("amounts", ['{"r1": "sNaN"}', '{"r1": "Infinity"}', "[1]", "{"])
def test_marking_paid_with_amounts_that_are_no_amounts_is_refused(company, client, amounts):
    # the page's amounts field altered (or cut short): a server error for "sNaN", and
    # the other forms skipped the check of the amounts sent to the bank altogether
    store(company, AMOUNTS)
    _review_all(company)
    services.approve_payouts(company.users["finance"], list(Payout.objects.all()))
    client.force_login(company.users["finance"])
    answer = client.post(
        f"/pay/payroll/?period={PERIOD}",
        {
            "form": "paid",
            "reference": "BANK-9",
            "paid_on": "2026-04-15",
            "people": '["r1"]',
            "amounts": amounts,
        },
    )
    assert answer.status_code == 400  # the page again, with the refusal (and what was typed)
    assert not Payout.objects.filter(state="paid").exists()
    assert "export again" in answer.content.decode()
    assert 'value="BANK-9"' in answer.content.decode()


def test_the_register_writes_the_date_paid_for_the_reader(company, client):
    store(company, AMOUNTS)
    through(company, "r1", "paid")  # paid 2026-04-15
    client.force_login(company.users["finance"])
    for language, day in [("en", "April 15, 2026"), ("zh-hans", "2026年4月15日")]:
        page = client.get(f"/pay/payouts/?period={PERIOD}", HTTP_ACCEPT_LANGUAGE=language)
        row = page.content.decode().split('data-person="r1"')[1].split("</tr>")[0]
        assert day in row and "2026-04-15" not in row, row


@pytest.mark.parametrize(
    "args",
    [
        ["export", "--period", "2026-Q5"],
        ["export", "--period", "garbage"],
        ["accrual", "--period", "2026-13"],
        ["statements", "Q3-2026"],
    ],
)
def test_command_line_refuses_what_is_not_a_period(company, tmp_path, monkeypatch, args):
    """A typo in the period was an empty payroll file (exit 0) or "nothing accrued"."""
    from django.core.management import CommandError, call_command

    monkeypatch.chdir(tmp_path)
    with pytest.raises(CommandError, match="not a period") as raised:
        call_command("pay", *args, stdout=io.StringIO())
    assert raised.value.returncode == 2
    assert list(tmp_path.iterdir()) == []


def test_command_line_refuses_a_folder_as_the_payroll_file_and_a_file_as_the_folder(
    company, tmp_path
):
    from django.core.management import CommandError, call_command

    store(company, AMOUNTS)
    with pytest.raises(CommandError, match="is a folder") as raised:
        call_command("pay", "export", "--period", PERIOD, "--output", str(tmp_path))
    assert raised.value.returncode == 2
    a_file = tmp_path / "statements"
    a_file.write_text("not a folder")
    with pytest.raises(CommandError, match="not a folder") as raised:
        call_command("pay", "statements", PERIOD, "--out", str(a_file))
    assert raised.value.returncode == 2


def _shown_amounts(page: str) -> str:
    """The register's amounts field: the amounts of the payouts the page showed."""
    return html.unescape(re.search(r'name="amounts" value="([^"]+)"', page).group(1))


@pytest.mark.parametrize(("role", "action"), [("manager", "review"), ("finance", "approve")])
def test_a_step_on_the_register_refuses_a_payout_recalculated_since_the_page(
    company, client, role, action
):
    # the page shows r1 at 1,200.10; a calculation meanwhile makes it 5,000.00 (a
    # calculated payout stays calculated, a reviewed one is reviewed again): the step
    # from the page opened before reviewed (approved) an amount nobody looked at
    store(company, AMOUNTS)
    if action == "approve":
        _review_all(company)
    client.force_login(company.users[role])
    url = f"/pay/payouts/?period={PERIOD}"
    shown = _shown_amounts(client.get(url).content.decode())
    assert json.loads(shown)["r1"] == "1200.10"
    store(company, {"r1": {"commission": "5000.00"}})
    if action == "approve":
        services.review_payouts(company.users["admin"], [payout(company, "r1")])
    state = payout(company, "r1").state
    body = {"action": action, "people": ["r1", "r2"], "period": PERIOD, "amounts": shown}
    text = html.unescape(client.post(url, body, follow=True).content.decode())
    assert "1,200.10" in text and "5,000.00" in text
    assert payout(company, "r1").state == state  # nothing changed, r2 neither
    assert payout(company, "r2").state == state
    body["amounts"] = _shown_amounts(client.get(url).content.decode())  # looked at again
    client.post(url, body)
    assert payout(company, "r1").state == payout(company, "r2").state != state


def test_the_payroll_pages_labels_end_in_the_languages_colon(company, client):
    """ "合计: 1,200.10" read with an English colon on the Chinese payroll page."""
    store(company, AMOUNTS)
    _review_all(company)
    services.approve_payouts(company.users["finance"], list(Payout.objects.all()))
    client.force_login(company.users["finance"])
    page = client.get(f"/pay/payroll/?period={PERIOD}", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert "合计：" in page.content.decode() and "合计:" not in page.content.decode()
