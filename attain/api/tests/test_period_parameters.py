"""A period parameter that is not a period is a 400 naming it, in the reader's language:
a typo (``2026Q1``, ``2026-13``) read as a period without data answered an empty list,
which looks like nobody having results or targets."""

from __future__ import annotations

from rest_framework.test import APIClient

from attain.conftest import Company
from attain.targets.tests.conftest import new_plan, publish

URLS = [
    "/api/performance/results/",
    "/api/performance/leaderboard/",
    "/api/targets/pace/",
    "/api/targets/forecast/",
]


def test_a_period_parameter_must_be_a_period(company: Company) -> None:
    publish(company, new_plan(company, company.users["sales_ops"], name="FY"))
    client = APIClient()
    client.force_authenticate(company.users["manager"])
    for url in URLS:
        for period in ["2026Q1", "2026-13", "2026-Q5", "FY2026", " 2026"]:
            response = client.get(url, {"period": period}, headers={"accept-language": "zh-hans"})
            assert response.status_code == 400, (url, period, response.content)
            assert response.json()["error"]["fields"]["period"] == [
                "请给出期间，例如 2026、2026-H1、2026-Q3 或 2026-03。"
            ]
        for period in ["2026", "2026-H2", "2026-Q1", "2026-03", ""]:  # empty: not given
            assert client.get(url, {"period": period}).status_code == 200, (url, period)


PAY_URLS = [
    "/api/pay/payouts/",
    "/api/pay/payroll/",
    "/api/pay/accrual/",
    "/api/pay/statements/",
    "/api/pay/disputes/",
]


def test_a_pay_period_parameter_must_be_a_period(company: Company) -> None:
    """The pay endpoints took any short code: ``2026-13`` answered an empty register,
    payroll or accrual, as if nothing were owed."""
    client = APIClient()
    client.force_authenticate(company.users["finance"])
    for url in PAY_URLS:
        for period in ["2026Q1", "2026-13", "2026-Q5", "FY2026", "2026-W01"]:
            response = client.get(url, {"period": period})
            assert response.status_code == 400, (url, period, response.content)
            assert list(response.json()["error"]["fields"]) == ["period"], url
        for period in ["2026", "2026-H2", "2026-Q1", "2026-03"]:
            response = client.get(url, {"period": period})
            assert response.status_code == 200, (url, period, response.content)
