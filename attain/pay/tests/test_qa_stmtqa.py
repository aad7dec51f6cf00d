"""Statements as a finance user met them with data nobody designed (QA, stmtqa)."""

from __future__ import annotations

import json

from attain.incentives.models import PeriodResult

from .payout_factories import PERIOD
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
