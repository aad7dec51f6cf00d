"""A company whose fiscal year starts in April: the pages' "this year" is the fiscal
year of today, not the calendar year."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from attain.conftest import login

pytestmark = pytest.mark.django_db


@pytest.fixture
def february_of_an_april_year(settings, monkeypatch):
    """10 February 2027 in a company whose fiscal year starts in April: fiscal 2026."""
    settings.ATTAIN_FISCAL_YEAR_START = 4
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: datetime.date(2027, 2, 10))


def test_the_calculation_form_proposes_the_fiscal_year_of_today(
    client, company, february_of_an_april_year
):
    """In February 2027 the form proposed 2027, a fiscal year that starts in April:
    "Calculate" ran a year not begun and left the current one's results as they were."""
    login(client, "sales_ops")
    page = client.get(reverse("incentives:plans")).content.decode()
    assert 'name="year" value="2026"' in page


def test_a_calculation_without_a_year_runs_the_fiscal_year_of_today(
    client, company, february_of_an_april_year, django_capture_on_commit_callbacks
):
    from attain.incentives.models import CalculationRun

    login(client, "sales_ops")
    with django_capture_on_commit_callbacks(execute=False):
        client.post(reverse("incentives:start_run"), {"year": ""})
    assert CalculationRun.objects.get().fiscal_year == 2026


def test_a_new_plan_starts_on_the_first_day_of_the_fiscal_year(
    client, company, february_of_an_april_year
):
    """A new plan was proposed from 1 January of the calendar year (2027-01-01), in the
    middle of fiscal 2026's last quarter."""
    login(client, "sales_ops")
    page = client.get(reverse("incentives:new_plan")).content.decode()
    assert 'name="effective_from" value="2026-04-01"' in page


def _payouts(period):
    from attain.incentives.models import ComponentResult

    return {
        (row.person.code, row.component): row.amount
        for row in ComponentResult.objects.filter(period=period).select_related("person")
    }


def test_a_run_keeps_to_its_fiscal_year_when_a_plan_spans_two(sales, settings):
    """With the fiscal year from April, the 2026 plan (January – December) also covers
    fiscal 2025's last quarter (January – March 2026). Calculating fiscal 2026 computed
    that quarter too, from fiscal 2026's records only, and stored it: every 2025-Q4
    payout became 0. Calculating fiscal 2025 did the same to 2026-Q1 … Q3."""
    from attain.incentives import services
    from attain.incentives.models import PlanTarget

    settings.ATTAIN_FISCAL_YEAR_START = 4
    for code in ("r1", "r2", "r3", "r4"):
        PlanTarget.objects.create(measure="revenue", who=code, period="2025", value=40000)
    services.run_calculation(None, 2025)  # the February orders are fiscal 2025's
    before = _payouts("2025-Q4")
    assert before[("r1", "commission")] > 0
    services.run_calculation(None, 2026)
    assert _payouts("2025-Q4") == before


def test_a_run_of_last_year_leaves_this_years_results_alone(sales, settings):
    """A plan without an end date, run for last year on a day of this year, computed the
    quarters up to today from last year's records only and stored them over this
    year's."""
    from attain.incentives import services
    from attain.incentives.documents import dump_yaml
    from attain.incentives.models import PlanVersion

    for version in PlanVersion.objects.all():
        document = version.document()
        document["effective"] = {"from": "2025-01-01"}
        version.source = dump_yaml(document)
        version.effective_from, version.effective_to = datetime.date(2025, 1, 1), None
        version.save()
    services.run_calculation(None, 2026)
    before = _payouts("2026-Q1")
    assert before[("r1", "commission")] > 0
    services.run_calculation(None, 2025)
    assert _payouts("2026-Q1") == before


def test_a_what_if_run_is_filed_under_its_fiscal_year(
    calculated, settings, django_capture_on_commit_callbacks
):
    """A what-if over 2026-Q4 of a year from April (January – March 2027) was listed
    as a run of fiscal 2027 (the calendar year of its first day)."""
    from decimal import Decimal

    from attain.incentives import services, services_what_if
    from attain.incentives.documents import marginal_commission, plan_document

    from .conftest import YEAR

    settings.ATTAIN_FISCAL_YEAR_START = 4
    draft = services.save_plan_version(
        None,
        plan_document(
            "rep", "Rep plan", "rep", YEAR, [marginal_commission("c", [(0, Decimal("0.1"))])]
        ),
    )
    with django_capture_on_commit_callbacks(execute=False):
        run = services_what_if.start_what_if(
            calculated.users["sales_ops"], draft, "2026-Q4", "2026-Q4"
        )
    assert run.fiscal_year == 2026


def test_the_team_page_reads_the_fiscal_quarters_days(client, calculated, settings, monkeypatch):
    """With the fiscal year from April, 2026-Q3 is October – December 2026: the team
    page's pipeline and the reasons of those behind pace read July – September."""
    from attain.incentives import selectors

    settings.ATTAIN_FISCAL_YEAR_START = 4
    seen = []
    real = selectors.funnel

    def funnel(user, start, end, people):
        seen.append((start, end))
        return real(user, start, end, people)

    monkeypatch.setattr(selectors, "funnel", funnel)
    login(client, "manager")
    assert client.get(reverse("incentives:team"), {"period": "2026-Q3"}).status_code == 200
    assert seen == [(datetime.date(2026, 10, 1), datetime.date(2026, 12, 31))]


def test_the_estimator_dates_its_order_in_the_fiscal_quarter(calculated, settings, monkeypatch):
    """With the fiscal year from April, 2026-Q4 is January – March 2027: the estimator
    dated its extra order 7 December 2026 (in calendar Q4, fiscal Q3), so more sales
    in 2026-Q4 changed nothing."""
    from decimal import Decimal

    from attain.incentives import services
    from attain.org.models import Person

    settings.ATTAIN_FISCAL_YEAR_START = 4
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: datetime.date(2026, 12, 7))
    found = services.estimate_earnings(Person.objects.get(code="r1"), "2026-Q4", Decimal("50000"))
    assert found["date"] == datetime.date(2027, 1, 1)


def test_the_designers_preview_reads_the_fiscal_quarters_records(sales, settings):
    """With the fiscal year from April, the preview of 2026-Q1 (April – June 2026)
    loaded fiscal 2025 (calendar Q1 starts in January 2026) and paid no one."""
    from decimal import Decimal

    from attain.crm.models import Customer, Order
    from attain.incentives import services
    from attain.incentives.models import PlanTarget

    from .conftest import REP_PLAN

    settings.ATTAIN_FISCAL_YEAR_START = 4
    Order.objects.create(
        external_id="o-may",
        customer=Customer.objects.get(),
        owner=sales.people["r1"],
        date=datetime.date(2026, 5, 10),
        amount=Decimal("8000"),
    )
    PlanTarget.objects.create(measure="revenue", who="r1", period="2026-Q1", value=10000)
    found = services.preview_plan(dict(REP_PLAN), "2026-Q1")
    assert found["total"] > 0
