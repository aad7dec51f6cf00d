"""Statements as a finance user met them with data nobody designed (QA, stmtqa)."""

from __future__ import annotations

import io
import json

import pypdf
import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from attain.incentives.models import PeriodResult
from attain.pay import services_payouts
from attain.pay import statements as pdf
from attain.pay.models import Payout
from attain.pay.models_statements import StatementSet
from attain.pay.services_statements import generate_statements

from .payout_factories import AMOUNTS, PERIOD, payout, store
from .test_statements import _generate, _statement, _text, published  # noqa: F401  (fixture)


def test_the_chinese_statement_brackets_codes_dates_and_kinds_the_chinese_way(published):  # noqa: F811
    result = PeriodResult.objects.get(person__code="r1", period=PERIOD)
    step = {"label": "actual 40005 × rate 0.025", "value": "1000.125", "detail": "试用期"}
    commission = {"kind": "commission", "amount": "1000.10", "steps": [step]}
    plans = {"rep": {"name": "销售代表方案", "components": {"commission": commission}}}
    result.explanation = json.dumps({"currency": "CNY", "plans": plans})
    result.save()
    _generate()
    text = _text(_statement("r1"))  # r1 reads Chinese
    assert "（r1）" in text and "(r1)" not in text
    assert "2026-Q1（2026年1月1日 – 2026年3月31日）" in text
    assert "销售代表方案 · commission（提成）" in text and "(提成)" not in text
    assert "（试用期）" in text
    english = _text(_statement("r2"))
    assert "(r2)" in english and "2026-Q1 (" in english


def test_a_big_amount_stays_on_one_line_in_its_column():
    """A 15-digit amount in the narrow amount column was broken after "…345.6": the
    reader saw a different number on the first line."""
    amount = "123,456,789,012,345.67"
    document = pdf.StatementDocument(
        language="zh-hans",
        company="示例",
        title="薪酬结算单",
        facts=[],
        sections=[pdf.Section("应发金额", rows=[["应发金额", amount]], widths=[0.78, 0.22])],
    )
    pages = pypdf.PdfReader(io.BytesIO(pdf.render(document))).pages
    assert amount in "\n".join(page.extract_text() for page in pages)


def test_the_chinese_pay_pages_and_messages_bracket_the_chinese_way(company, client):
    """ "(4 笔发放)" and "R1 (r1) 2026-Q1 …": ASCII brackets in Chinese text."""
    store(company, AMOUNTS)
    finance = company.users["finance"]
    with translation.override("zh-hans"), pytest.raises(ValidationError) as refused:
        services_payouts.approve_payouts(finance, [payout(company, "r1")])  # not reviewed
    assert "（r1）" in str(refused.value) and "(r1)" not in str(refused.value)
    services_payouts.review_payouts(company.users["admin"], list(Payout.objects.all()))
    services_payouts.approve_payouts(finance, list(Payout.objects.all()))
    client.force_login(finance)
    page = client.get(f"/pay/payroll/?period={PERIOD}", HTTP_ACCEPT_LANGUAGE="zh-hans")
    text = page.content.decode()
    assert f"（{len(AMOUNTS)} 笔发放）" in text
    assert "（工号）" in text and "(工号)" not in text
    english = client.get(f"/pay/payroll/?period={PERIOD}", HTTP_ACCEPT_LANGUAGE="en")
    assert f"({len(AMOUNTS)} payouts)" in english.content.decode()
    StatementSet.objects.create(period=PERIOD)
    generate_statements(StatementSet.objects.get().pk, processes=1)
    page = client.get(f"/pay/statements/?period={PERIOD}", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert "（r1）" in page.content.decode() and "(r1)" not in page.content.decode()


def test_the_chinese_pay_pages_do_not_call_payouts_bonuses(company, client):
    """The pay periods' count of payouts and the register's list of payouts were headed
    奖金 (bonus): "奖金 5" read as a bonus of 5 next to the total."""
    store(company, AMOUNTS)
    client.force_login(company.users["finance"])
    periods = client.get("/pay/periods/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert '<th class="num">发放笔数</th>' in periods
    register = client.get(f"/pay/payouts/?period={PERIOD}", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert "<h2>发放</h2>" in register.content.decode()
    english = client.get("/pay/periods/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<th class="num">Payouts</th>' in english
