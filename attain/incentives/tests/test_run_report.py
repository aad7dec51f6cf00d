"""A finished run's page: payout by plan, the change from the previous full run of the
year, and the warnings grouped by kind in the reader's language."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db.models import Sum
from django.test import Client

from attain.crm.models import Customer, Order
from attain.incentives import services
from attain.incentives.models import CalculationRun, ComponentResult, RunKind, RunStatus
from attain.incentives.run_report import kind_of, run_report

from .conftest import YEAR


def admin(company, language: str = "en") -> Client:
    client = Client()
    client.force_login(company.users["admin"])
    client.post("/i18n/setlang/", {"language": language, "next": "/"})
    return client


def test_a_full_run_keeps_its_totals_by_plan(calculated):
    run = CalculationRun.objects.get(kind=RunKind.FULL)
    for plan in ("rep", "mgr"):
        paid = ComponentResult.objects.filter(plan=plan).aggregate(s=Sum("amount"))["s"]
        assert Decimal(run.totals[plan]["payout"]) == paid
    assert run.totals["rep"]["name"] == "Rep plan"
    assert run.totals["rep"]["people"] >= 1
    report = run_report(run)
    assert report["previous"] is None
    assert all(row["change"] is None for row in report["plan_rows"])


def test_the_next_run_shows_the_change(calculated, django_capture_on_commit_callbacks):
    first = CalculationRun.objects.get(kind=RunKind.FULL)
    rep_before = Decimal(first.totals["rep"]["payout"])
    Order.objects.create(
        external_id="o-r2-big",
        customer=Customer.objects.get(),
        owner=calculated.people["r2"],
        date=datetime.date(YEAR, 2, 20),
        amount=Decimal("10000"),
    )
    second = services.run_calculation(None, YEAR)
    report = run_report(second)
    assert report["previous"] == first
    rows = {row["plan"]: row for row in report["plan_rows"]}
    assert rows["rep"]["previous"] == rep_before
    assert rows["rep"]["change"] == rows["rep"]["payout"] - rep_before
    assert rows["rep"]["change"] > 0
    assert report["total_change"] == report["total"] - report["previous_total"]
    page = admin(calculated).get(f"/performance/runs/{second.pk}/").content.decode()
    assert "Payout by plan" in page and "Rep plan" in page
    assert f"+{rows['rep']['change']:,.2f}" in page
    assert f'href="/performance/runs/{first.pk}/"' in page


def test_warnings_are_grouped_by_kind_and_translated(company):
    details = [
        [
            "plans.rep.components.levels",
            "r1 2026-Q1: no target for revenue; tiers by attainment pay 0",
        ]
    ] * 7 + [
        ["plans.rep.components.c", "r2 2026-01: multiplier 'x' gave no number; using 1"],
        ["plans.rep.components.d", "r2 2026-01: something new"],
    ]
    run = CalculationRun.objects.create(
        kind=RunKind.FULL,
        fiscal_year=YEAR,
        status=RunStatus.DONE,
        progress=100,
        warnings=12,
        warning_details=details,
        totals={},
    )
    groups = run_report(run)["warning_groups"]
    assert [(g.kind, g.count, len(g.examples)) for g in groups] == [
        ("no_target", 7, 5),
        ("multiplier_no_number", 1, 1),
        ("other", 1, 1),
    ]
    assert run_report(run)["warnings_hidden"] == 3
    english = admin(company).get(f"/performance/runs/{run.pk}/").content.decode()
    assert "No target for the measure: tiers by attainment pay 0: <strong>7</strong>" in english
    assert "3 more warnings were counted but not kept." in english
    chinese = admin(company, "zh-hans").get(f"/performance/runs/{run.pk}/").content.decode()
    assert "没有该度量的目标：按达成率分档的部分支付 0" in chinese
    assert "r1 2026-Q1：revenue 没有目标，按达成率分档的部分支付 0" in chinese  # each example too
    assert "r2 2026-01: something new" in chinese  # a wording not known: the engine's text
    assert "警告" in chinese


def test_known_engine_wordings_have_a_kind():
    assert kind_of("r1 2026-Q1: rate 'x' gave no number; the component pays 0")[0] == (
        "rate_no_number"
    )
    assert kind_of("total 1001 is not a multiple of round_to 10; using 1000")[0] == "rounded"
    assert kind_of("weights shares are all 0; members share equally instead")[0] == ("equal_shares")
    assert kind_of("anything else")[0] == "other"


def test_a_run_without_warnings_says_so(company):
    run = CalculationRun.objects.create(
        kind=RunKind.FULL, fiscal_year=YEAR, status=RunStatus.DONE, progress=100
    )
    page = admin(company).get(f"/performance/runs/{run.pk}/").content.decode()
    assert "No warnings: every component had what it needed." in page
    assert "The first full run of the year: nothing to compare with." in page


def test_a_clash_between_decompositions_has_its_own_group() -> None:
    from attain.incentives.run_report import kind_of

    for message in (
        "the 2025 target of wang for revenue is already 500 from decompositions[0]; "
        "300 is not used",
        "the 2025 target of east for revenue stays 1000 from decompositions[0]; "
        "this decomposition still splits 600",
    ):
        assert kind_of(message)[0] == "clash"
