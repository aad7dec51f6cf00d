"""The pay API (and the results API of incentives) says which currency its amounts are
in, and its payroll opens on the pay period under way, as the pages do."""

from __future__ import annotations

import datetime

from rest_framework.test import APIClient

from .payout_factories import PERIOD, store, through
from .test_pages_in_yen import _pay_in
from .test_register_default_period import _fiscal_year_from


def test_the_payouts_and_the_payroll_name_the_currency(company, client):
    """A client reading {"amount": "120000.00"} could not tell yen from yuan: no answer
    of the API named the company's currency."""
    _pay_in("JPY")
    store(company, {"r1": {"commission": "120000"}})
    through(company, "r1", "approved")
    client.force_login(company.users["finance"])
    register = client.get("/api/pay/payouts/", {"period": PERIOD}).json()
    assert register["currency"] == "JPY"
    payroll = client.get("/api/pay/payroll/", {"period": PERIOD}).json()
    assert payroll["currency"] == "JPY" and payroll["rows"][0][2] == "120000"


def test_the_payroll_opens_on_the_quarter_under_way(company, client, monkeypatch):
    _fiscal_year_from(10)
    for period in ("2026-Q1", "2026-Q4"):
        store(company, {"r1": {"commission": "500.00"}}, period=period)
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *a: datetime.date(2026, 12, 7))
    client.force_login(company.users["finance"])
    assert client.get("/api/pay/payroll/").json()["period"] == "2026-Q1"


def test_the_results_and_the_register_totals_name_the_currency(company):
    _pay_in("JPY")
    store(company, {"r1": {"commission": "120000"}})
    api = APIClient()
    api.force_authenticate(company.users["finance"])
    results = api.get("/api/performance/results/", {"period": PERIOD}).json()
    assert results["currency"] == "JPY"
    assert [r["person"] for r in results["results"]] == ["r1"]
    # the register's totals are in the same answer as its currency
    register = api.get("/api/pay/payouts/", {"period": PERIOD}).json()
    assert register["currency"] == "JPY" and register["totals"]["total"] == "120000.00"


def test_the_schema_documents_it():
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    paged = schema["components"]["schemas"]["PaginatedResultList"]
    assert "currency" in paged["properties"] and "currency" in paged["required"]
    register = schema["components"]["schemas"]["Register"]
    assert "currency" in register["required"]
