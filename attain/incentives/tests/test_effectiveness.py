"""Plan effectiveness (docs/effectiveness.md): the figures from stored results, the page
in Chinese, who may see it, and the what-if on history through the engine."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from attain.audit.models import Action, AuditEvent
from attain.conftest import statuses_of
from attain.incentives import effectiveness, services, services_what_if, what_if
from attain.incentives.documents import level_bonus, marginal_commission, plan_document
from attain.incentives.models import (
    CalculationRun,
    ComponentResult,
    PeriodResult,
    PlanVersion,
    RunKind,
)

from .conftest import REP_PLAN, YEAR

Q1 = f"{YEAR}-Q1"


def _draft(rate: str = "0.10") -> PlanVersion:
    """A new version of the rep plan, in draft: a flat richer commission."""
    document = plan_document(
        "rep",
        "Rep plan",
        "rep",
        YEAR,
        [
            marginal_commission("commission", [(0, Decimal(rate))]),
            level_bonus("levels", [(Decimal("0.8"), 100), (Decimal("1.0"), 200)]),
        ],
    )
    return services.save_plan_version(None, document)


def test_figures_of_the_stored_results(calculated):
    found = effectiveness.figures(Q1)
    plans = {d.group: d for d in found.by_plan}
    # r1 12,000 / 10,000 a quarter; r2 6,000; r3 3,000; r4 nothing (targets 40,000 a year)
    assert plans["Rep plan"].people == 4
    assert plans["Rep plan"].at_or_above == 1
    assert plans["Rep plan"].band is None  # four people: too few to judge
    assert {d.group for d in found.by_unit} == {"华东", "华西"}
    costs = {c.period: c for c in found.costs}
    paid = sum((c.amount for c in ComponentResult.objects.filter(period=Q1)), Decimal(0))
    assert costs[Q1].payout == pytest.approx(float(paid))
    assert costs[Q1].revenue == pytest.approx(21000.0)
    # no one has a market potential: fairness says so instead of guessing
    assert found.fairness.people == 0 and found.fairness.follows is None
    assert {(f.plan, f.component) for f in found.components} >= {("Rep plan", "commission")}


def test_the_page_in_chinese(client, calculated):
    client.force_login(calculated.users["executive"])
    response = client.get(
        reverse("incentives:effectiveness"), {"period": Q1}, HTTP_ACCEPT_LANGUAGE="zh-hans"
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "方案成效" in page and "达成率分布" in page and "按绩效付酬" in page
    assert "没有记录市场潜力" in page  # no potential data: said plainly
    assert 'role="img"' in page and "aria-label=" in page  # charts have a text name
    assert "Plan effectiveness" not in page


@pytest.mark.parametrize("path", ["incentives:effectiveness"])
def test_who_sees_the_page(client, company, path):
    assert statuses_of(client, company, reverse(path)) == {
        "admin": 200,
        "sales_ops": 200,
        "finance": 403,
        "executive": 200,
        "manager": 403,
        "rep": 403,
    }


def test_a_what_if_compares_the_draft_with_the_plan_in_force_and_stores_no_results(calculated):
    before = list(PeriodResult.objects.order_by("pk").values_list("pk", "payout", "updated_at"))
    components = ComponentResult.objects.count()
    draft = _draft()
    run = services_what_if.start_what_if(calculated.users["sales_ops"], draft, "2026-Q1", "2026-Q2")
    services_what_if.run_what_if(run)  # the task (queued on commit, which tests never reach)
    run.refresh_from_db()
    assert run.kind == RunKind.PREVIEW and run.status == "done" and run.progress == 100
    result = services_what_if.what_if_of(run)["result"]
    assert result["same_plan"] and result["baseline"] == ["rep v1"]
    people = {p["person"]: p for p in result["people"]}
    stored = {
        c.person.code: c.amount
        for c in ComponentResult.objects.filter(period=Q1, plan="rep", component="commission")
    }
    # in force: what the stored results say the rep plan paid (commission + levels)
    rep_q1 = {
        r.person.code: r.payout
        for r in PeriodResult.objects.filter(period=Q1, role="rep").select_related("person")
    }
    assert Decimal(people["r1"]["in_force"]) == rep_q1["r1"]
    # the draft: 10% of everything, and 200 at 100% or more (r1: 12,000 of 10,000)
    assert Decimal(people["r1"]["draft"]) == Decimal("1400.00")
    assert Decimal(people["r2"]["draft"]) == Decimal("600.00")
    assert "m1" not in people  # the manager plan is another plan
    total = sum((Decimal(p["change"]) for p in result["people"]), Decimal(0))
    assert Decimal(result["change"]) == total
    assert Decimal(result["in_force"]) + total == Decimal(result["draft"])
    assert {p["period"] for p in result["periods"]} == {"2026-Q1", "2026-Q2"}
    assert stored  # the stored results are untouched
    after = list(PeriodResult.objects.order_by("pk").values_list("pk", "payout", "updated_at"))
    assert after == before and ComponentResult.objects.count() == components
    assert AuditEvent.objects.filter(action=Action.RUN_STARTED, object_id=str(run.pk)).exists()


def test_a_new_plan_is_compared_for_the_people_it_covers(calculated):
    document = {**REP_PLAN, "id": "spring", "name": "Spring"}
    draft = services.save_plan_version(None, document)
    result = what_if.run(draft, what_if.parse_range("2026-Q1", "2026-Q1"))
    assert not result["same_plan"]
    assert {p["person"] for p in result["people"]} == {"r1", "r2", "r3", "r4"}
    # the same rules as the rep plan: the same pay
    assert result["in_force"] == result["draft"] and result["change"] == "0.00"


@pytest.mark.parametrize(
    ("first", "last", "field"),
    [
        ("2026", "2026-Q2", "from"),
        ("2026-Q1", "garbage", "to"),
        ("2026-Q3", "2026-Q1", "to"),
        ("2024-01", "2026-02", "to"),
        ("0001-Q1", "0001-Q2", "from"),
    ],
)
def test_a_bad_range_names_the_field_and_queues_nothing(calculated, first, last, field):
    draft = _draft()
    runs = CalculationRun.objects.count()
    with pytest.raises(ValidationError) as error:
        services_what_if.start_what_if(None, draft, first, last)
    assert field in error.value.message_dict
    assert CalculationRun.objects.count() == runs


def test_only_a_version_not_in_force_and_only_the_right_roles(calculated):
    active = PlanVersion.objects.get(plan__code="rep", number=1)
    with pytest.raises(ValidationError) as error:
        services_what_if.start_what_if(None, active, "2026-Q1", "2026-Q1")
    assert "version" in error.value.message_dict
    for role in ("finance", "manager", "rep"):
        with pytest.raises(PermissionDenied):
            services_what_if.start_what_if(calculated.users[role], _draft(), "2026-Q1", "2026-Q1")


def test_the_what_if_pages(client, calculated, django_capture_on_commit_callbacks):
    draft = _draft()
    client.force_login(calculated.users["sales_ops"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("incentives:start_what_if"),
            {"version": draft.pk, "from": "2026-Q1", "to": "2026-Q1"},
        )
    run = CalculationRun.objects.filter(kind=RunKind.PREVIEW).latest("pk")
    assert response.status_code == 302 and response.url == reverse(
        "incentives:what_if", args=[run.pk]
    )
    page = client.get(response.url, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "逐人对比" in page and "R1" in page and "1,400.00" in page
    assert "2026年3月31日" in page and "2026-03-31" not in page  # the data's day
    bad = client.post(
        reverse("incentives:start_what_if"), {"version": draft.pk, "from": "x", "to": "2026-Q1"}
    )
    assert bad.status_code == 302 and bad.url.endswith("#what-if")
    client.force_login(calculated.users["manager"])
    assert client.get(reverse("incentives:what_if", args=[run.pk])).status_code == 403
    assert (
        client.post(
            reverse("incentives:start_what_if"),
            {"version": draft.pk, "from": "2026-Q1", "to": "2026-Q1"},
        ).status_code
        == 403
    )


def test_cost_of_sales_is_summed_as_exact_money(calculated):
    """Payouts and revenue of the cost of sales are money: summed exactly (binary floats
    summed 0.10 + 0.20 to 0.30000000000000004, which the API gave as it was)."""
    from rest_framework.test import APIClient

    amounts = ["0.10", "0.20", "1234567.89", "0.07", "99999999.99"]
    rows = list(ComponentResult.objects.filter(period=Q1).order_by("pk"))
    for n, row in enumerate(rows):
        row.amount = Decimal(amounts[n % len(amounts)])
        row.save(update_fields=["amount"])
    paid = sum((row.amount for row in rows), Decimal(0))
    costs = {c.period: c for c in effectiveness.figures(Q1).costs}
    assert costs[Q1].payout == paid and isinstance(costs[Q1].payout, Decimal)
    assert costs[Q1].revenue == Decimal(21000)
    api = APIClient()
    api.force_authenticate(calculated.users["executive"])
    body = api.get("/api/performance/effectiveness/", {"period": Q1}).json()
    cost = {c["period"]: c for c in body["cost_of_sales"]}[Q1]
    assert (cost["payout"], cost["revenue"]) == (f"{paid:.2f}", "21000.00")
    pay = {p["plan"]: p for p in body["pay"]}["Rep plan"]
    shown = dict(effectiveness.figures(Q1).pay)["Rep plan"].total
    assert isinstance(shown, Decimal) and pay["total"] == f"{shown:.2f}"


def test_the_api(client, calculated, django_capture_on_commit_callbacks):
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(calculated.users["executive"])
    body = api.get("/api/performance/effectiveness/", {"period": Q1}).json()
    assert body["period"] == Q1 and "Rep plan" in {d["group"] for d in body["by_plan"]}
    assert api.get("/api/performance/effectiveness/", {"period": "nope"}).status_code == 400
    for edge in ("0001", "0001-Q1", "9998-Q4"):  # the calendar's ends: figures, not errors
        assert api.get("/api/performance/effectiveness/", {"period": edge}).status_code == 200
    _draft()
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(
            "/api/performance/what-if/",
            {"plan": "rep", "version": 2, "start": "2026-Q1", "end": "2026-Q1"},
            format="json",
        )
    assert response.status_code == 202
    run = response.json()
    detail = api.get(f"/api/performance/what-if/{run['id']}/").json()
    assert detail["status"] == "done"
    assert {p["person"] for p in detail["result"]["people"]} >= {"r1", "r2"}
    bad = api.post(
        "/api/performance/what-if/",
        {"plan": "rep", "version": 2, "start": "2026-Q1", "end": "soon"},
        format="json",
    )
    assert bad.status_code == 400 and set(bad.json()["error"]["fields"]) == {"end"}


def test_the_dashboards_payout_total_is_exact(calculated):
    """The dashboard's total payout of a period is a sum of money: exact on SQLite too
    (its SUM() of binary REALs read 0.300000000000000 for 0.10 + 0.20)."""
    from attain.incentives import selectors

    rows = list(PeriodResult.objects.filter(period=Q1).order_by("pk"))
    for n, row in enumerate(rows):
        row.payout = Decimal(["0.10", "0.20", "-0.30"][n % 3])
        row.save(update_fields=["payout"])
    paid = sum((row.payout for row in rows), Decimal(0))
    assert str(selectors.distribution(Q1)["payout"]) == f"{paid:.2f}"


@pytest.mark.parametrize("version", ["²", "9" * 30])
def test_a_what_if_of_no_version_is_told_to_choose_one(client, calculated, version):
    """ "²" (a digit to str.isdigit(), no number to int()) was a server error."""
    client.force_login(calculated.users["sales_ops"])
    answer = client.post(
        reverse("incentives:start_what_if"),
        {"version": version, "from": "2026-Q1", "to": "2026-Q1"},
    )
    assert answer.status_code == 302 and answer.url.endswith("#what-if")


def test_the_dashboard_gives_one_cost_of_sales_per_quarter_as_plan_effectiveness(calculated):
    """The dashboard's cost of sales of a quarter (its headline and its chart's point) is
    plan effectiveness's: everyone's pay of the periods lying in it ÷ everyone's own
    revenue. The headline took everyone's pay ÷ the reps' revenue and the chart the reps'
    pay only: three figures for one quarter; and a year showed no payouts at all."""
    from attain.incentives import selectors

    manager = PeriodResult.objects.filter(period=Q1).exclude(role="rep").first()
    assert manager is not None and manager.payout
    manager.measures = {**manager.measures, "revenue": "1000"}  # a manager's own sales
    manager.save(update_fields=["measures"])
    cost = {c.period: c for c in effectiveness.figures(Q1).costs}[Q1]
    dist = selectors.distribution(Q1)
    assert (dist["payout"], dist["revenue"]) == (cost.payout, cost.revenue)
    assert dist["cost_of_sales"] == cost.ratio
    chart = {c["period"]: c["cost_of_sales"] for c in selectors.cost_over_quarters(Q1, 8)}
    assert chart[Q1] == cost.ratio
    year = selectors.distribution(str(YEAR))
    quarters = ComponentResult.objects.filter(period__contains="-Q")
    paid = sum((c.amount for c in quarters), Decimal(0))
    assert paid and year["payout"] == paid


def test_two_units_of_one_name_stay_two_groups(calculated):
    """Two regions each with a 销售一部: the effectiveness page and the dashboard grouped
    units by name and showed one bar for both; each is now its own group, told apart by
    its code where the names are the same."""
    from attain.incentives import selectors
    from attain.org.models import Unit

    west = Unit.objects.get(name="华西")
    Unit.objects.filter(pk=west.pk).update(name="华东")
    east = Unit.objects.exclude(pk=west.pk).get(name="华东")
    labels = {f"华东 ({east.code})", f"华东 ({west.code})"}
    assert {d.group for d in effectiveness.figures(Q1).by_unit} == labels
    dist = selectors.distribution(Q1)
    assert {row["unit"] for row in dist["by_unit"]} == labels


def test_a_month_of_a_quarterly_plan_shows_no_payouts_rather_than_nothing_paid(
    client, calculated, company
):
    """The plans pay by quarter: no pay period lies within a month, so the dashboard of
    a month read ¥0.00 payouts and a cost of sales of 0.0%. It shows "—" and says why."""
    from attain.incentives import selectors

    month = f"{YEAR}-01"
    assert PeriodResult.objects.filter(period=month).exists()
    dist = selectors.distribution(month)
    assert dist["payout"] is None and dist["cost_of_sales"] is None
    client.force_login(company.users["admin"])
    page = client.get(
        f"/performance/dashboard/?period={month}", HTTP_ACCEPT_LANGUAGE="zh-hans"
    ).content.decode()
    assert 'id="cost">—<' in page and "<span>奖金</span><strong>—</strong>" in page
    assert "没有发放期间落在此期间内" in page


def test_the_scatter_lists_people_in_one_order_on_every_database(calculated):
    """Pay against attainment took the component results in the order the database gave
    them (no ORDER BY): SQLite and PostgreSQL drew the points in different orders (seen
    comparing the demo company on both), and added each person's pay, as floats, in
    different orders too. By person now. Stored here against that order: last person
    first, so neither SQLite's ids nor PostgreSQL's heap give it."""
    rows = sorted(ComponentResult.objects.all(), key=lambda r: (-r.person_id, r.pk))
    ComponentResult.objects.all().delete()
    for i, row in enumerate(rows):
        row.pk = 10_000 + i
        row.save(force_insert=True)
    paid = {r.person_id for r in rows if effectiveness.plan_code(r.plan) == REP_PLAN["id"]}
    attainment = dict(
        PeriodResult.objects.filter(period=Q1).values_list("person_id", "main_attainment")
    )
    expected = [float(attainment[pk]) for pk in sorted(paid) if attainment.get(pk) is not None]
    points = effectiveness.figures(Q1).scatter["Rep plan"]
    assert [attained for attained, _paid in points] == expected
