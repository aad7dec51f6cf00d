"""Plans, calculation runs, incremental updates and honours, through the services."""

from __future__ import annotations

import copy
import datetime
import json
import re
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError

from attain.audit.models import AuditEvent
from attain.crm.models import Customer, Order
from attain.incentives import calculation, services
from attain.incentives.models import (
    CalculationRun,
    ComponentResult,
    PeriodResult,
    PlanVersion,
    RunStatus,
    VersionStatus,
)

from .conftest import REP_PLAN, YEAR

pytestmark = pytest.mark.django_db


def _audits(instance):
    kind = ContentType.objects.get_for_model(instance)
    return AuditEvent.objects.filter(content_type=kind, object_id=str(instance.pk))


def test_engine_messages_come_back_at_the_plan_path(company):
    bad = copy.deepcopy(REP_PLAN)
    bad["components"][0]["tiers"]["table"][0]["from"] = Decimal("0.5")
    bad["components"][1]["measure"] = "nope"
    problems = dict(services.plan_problems(bad))
    assert any(path.startswith("components[0].tiers") for path in problems)
    assert any(path.startswith("components[1].measure") for path in problems)
    with pytest.raises(ValidationError):
        services.save_plan_version(None, bad)
    grouped = services.problems_by_field(services.plan_problems(bad))
    assert "tiers" in grouped["components"][0]


def test_an_amount_no_payout_can_hold_is_refused_when_the_plan_is_saved(company):
    """A level of 10^20 (a slip of the finger, or a pasted cell) was saved, approved and
    activated; every later calculation of the year then failed ("… is more than a payout
    can hold") for the whole company. A fixed amount or floor of 16 digits or more
    before the point is refused at its field when the plan is saved or imported."""
    plan = copy.deepcopy(REP_PLAN)
    plan["components"][1]["levels"][2]["amount"] = 10**20
    plan["components"][0]["floor"] = -(10**16)
    plan["components"].append(
        {"id": "flat", "kind": "bonus", "amount": Decimal("10000000000000000.00")}
    )
    problems = dict(services.plan_problems(plan))
    assert set(problems) == {
        "components[1].levels[2].amount",
        "components[0].floor",
        "components[2].amount",
    }
    assert "more than a payout can hold" in problems["components[0].floor"]
    with pytest.raises(ValidationError):
        services.import_plans(None, services.dump_yaml(plan))
    plan["components"][1]["levels"][2]["amount"] = 10**15  # the largest that fits is fine
    plan["components"][0]["floor"] = 0
    plan["components"].pop()
    assert services.plan_problems(plan) == []


def test_names_longer_than_their_stored_columns_are_refused_at_their_field(company):
    """A plan name of 201 characters, a component id or a level label of 65 were
    accepted (SQLite does not check a column's length); on PostgreSQL saving the plan,
    or storing the results of the run that pays it, failed with "value too long"."""
    plan = copy.deepcopy(REP_PLAN) | {"name": "长" * 201}
    plan["components"][0]["id"] = "c" * 65
    plan["components"][1]["levels"][0]["label"] = "基" * 65
    problems = dict(services.plan_problems(plan))
    assert set(problems) == {"name", "components[0].id", "components[1].levels[0].label"}
    assert "200" in problems["name"] and "64" in problems["components[0].id"]
    plan = copy.deepcopy(REP_PLAN) | {"name": "长" * 200}
    plan["components"][0]["id"] = "c" * 64
    plan["components"][1]["levels"][0]["label"] = "基" * 64
    assert services.plan_problems(plan) == []


@pytest.mark.parametrize(
    ("applies", "path"),
    [
        ({"role": ""}, "applies_to.role"),
        ({"roles": ["rep", " "]}, "applies_to.roles[1]"),
        ({"role": "rep", "units": []}, "applies_to.units"),
    ],
)
def test_an_emptied_applies_to_is_refused_not_a_plan_for_nobody(company, applies, path):
    """The designer's "applies to" left empty saved ``{role: ""}`` (or an empty list of
    units): the plan was saved, approved and activated and paid nobody, with no word
    about it. The designer and the import refuse it at the field."""
    plan = copy.deepcopy(REP_PLAN) | {"applies_to": applies}
    assert path in dict(services.plan_problems(plan))


@pytest.mark.parametrize("plan_id", ["销售方案", "rep 2026", " rep", "r" * 65])
def test_a_plan_id_that_cannot_be_its_address_is_refused(company, client, plan_id):
    """A Chinese or spaced plan id was imported and stored, and then the plans page
    failed for everyone (its links to /performance/plans/<id>/ could not be made)."""
    plan = copy.deepcopy(REP_PLAN) | {"id": plan_id, "name": "中文方案"}
    assert "id" in dict(services.plan_problems(plan))
    with pytest.raises(ValidationError) as error:
        services.import_plans(None, services.dump_yaml(plan))
    assert any(m.startswith("plans[0].id: ") for m in error.value.messages)
    assert not PlanVersion.objects.exists()
    client.force_login(company.users["sales_ops"])
    assert client.get("/performance/plans/").status_code == 200


def test_only_editors_change_plans(company):
    with pytest.raises(PermissionDenied):
        services.save_plan_version(company.users["rep"], REP_PLAN)
    version = services.save_plan_version(company.users["sales_ops"], REP_PLAN)
    assert version.number == 1 and version.status == VersionStatus.DRAFT
    assert AuditEvent.objects.filter(object_id=str(version.pk)).exists()


def test_versions_are_effective_dated(company):
    first = services.activate_plan(None, services.save_plan_version(None, REP_PLAN))
    later = copy.deepcopy(REP_PLAN)
    later["effective"] = {"from": "2026-07-01", "to": "2026-12-31"}
    later["components"][0]["tiers"]["table"][0]["rate"] = Decimal("0.06")
    second = services.activate_plan(None, services.save_plan_version(None, later))
    first.refresh_from_db()
    assert second.number == 2
    assert first.status == VersionStatus.ACTIVE
    assert first.effective_to == datetime.date(2026, 6, 30)
    assert "to: '2026-06-30'" in first.source


def test_a_version_that_ends_before_an_active_one_leaves_it_the_days_after(company):
    """A July–December version is active; a January–September one is activated: the
    first kept nothing (retired) and October–December had no plan at all."""
    later = copy.deepcopy(REP_PLAN)
    later["effective"] = {"from": "2026-07-01", "to": "2026-12-31"}
    first = services.activate_plan(None, services.save_plan_version(None, later))
    earlier = copy.deepcopy(REP_PLAN)
    earlier["effective"] = {"from": "2026-01-01", "to": "2026-09-30"}
    earlier["components"][0]["tiers"]["table"][0]["rate"] = Decimal("0.06")
    second = services.activate_plan(None, services.save_plan_version(None, earlier))
    first.refresh_from_db()
    assert second.status == VersionStatus.ACTIVE
    assert first.status == VersionStatus.ACTIVE
    assert (first.effective_from, first.effective_to) == (
        datetime.date(2026, 10, 1),
        datetime.date(2026, 12, 31),
    )
    assert "from: '2026-10-01'" in first.source
    ids = [
        p["id"]
        for p in calculation.active_plans(datetime.date(2026, 1, 1), datetime.date(2026, 12, 31))
    ]
    assert sorted(ids) == ["rep", "rep@v1"]


def test_a_version_that_ends_before_another_begins_leaves_it_as_it_is(company):
    """An October–December version is active; a January–June one is activated: they
    share no day, so October–December keeps its version and its start (moving it to
    July would have paid by it for months nobody approved it for)."""
    later = copy.deepcopy(REP_PLAN)
    later["effective"] = {"from": "2026-10-01", "to": "2026-12-31"}
    first = services.activate_plan(None, services.save_plan_version(None, later))
    earlier = copy.deepcopy(REP_PLAN)
    earlier["effective"] = {"from": "2026-01-01", "to": "2026-06-30"}
    services.activate_plan(None, services.save_plan_version(None, earlier))
    first.refresh_from_db()
    assert first.status == VersionStatus.ACTIVE
    assert (first.effective_from, first.effective_to) == (
        datetime.date(2026, 10, 1),
        datetime.date(2026, 12, 31),
    )


def test_yaml_import_and_export_round_trip(company):
    version = services.save_plan_version(None, REP_PLAN)
    exported = version.source
    PlanVersion.objects.all().delete()
    [imported] = services.import_plans(None, exported, activate=True)
    assert imported.source == exported
    assert imported.status == VersionStatus.ACTIVE
    with pytest.raises(ValidationError) as error:
        services.import_plans(None, "id: x\nkind: nope\n")
    assert any("plans[0]" in m for m in error.value.messages)


def test_full_run_stores_results_components_and_explanations(calculated):
    run = CalculationRun.objects.get(kind="full")
    assert run.status == RunStatus.DONE and run.progress == 100
    row = PeriodResult.objects.get(person__code="r1", period=f"{YEAR}-Q1")
    assert row.measures["revenue"] == "12000"
    assert row.targets["revenue"] == "10000"
    assert row.main_attainment == Decimal("1.2")
    # 10,000 × 5% + 2,000 × 10% = 700; 卓越 level (attainment 1.2) pays 400
    components = {
        c.component: c for c in ComponentResult.objects.filter(person=row.person, period=row.period)
    }
    assert components["commission"].amount == Decimal("700.00")
    assert components["levels"].level == "卓越" and components["levels"].amount == Decimal("400")
    assert row.payout == Decimal("1100.00")
    assert row.explanation == ""  # a full run leaves explanations to when they are read
    explanation = services.explanation_of(row)
    assert explanation["plans"]["rep"]["payout"] == "1100.00"
    row.refresh_from_db()
    assert json.loads(row.explanation)["plans"]["rep"]["payout"] == "1100.00"  # kept
    assert {r["id"] for r in explanation["measures"]["revenue"]["records"]} == {"o-r1-0", "o-r1-1"}
    # m1's override: 1% of the team's 21,000 (r1, r2, and r3 under m2)
    m1 = ComponentResult.objects.get(person__code="m1", period=f"{YEAR}-Q1", component="override")
    assert m1.amount == Decimal("210.00")
    assert _audits(run).count() == 1


def test_a_new_order_updates_the_rep_and_their_managers(
    calculated, django_capture_on_commit_callbacks
):
    people = calculated.people
    with django_capture_on_commit_callbacks(execute=True):
        Order.objects.create(
            external_id="o-new",
            customer=Customer.objects.first(),
            owner=people["r3"],
            date=datetime.date(YEAR, 3, 5),
            amount=Decimal("1000"),
        )
    r3 = PeriodResult.objects.get(person__code="r3", period=f"{YEAR}-Q1")
    assert r3.measures["revenue"] == "4000"
    m1 = ComponentResult.objects.get(person__code="m1", period=f"{YEAR}-Q1", component="override")
    assert m1.amount == Decimal("220.00")
    m2 = ComponentResult.objects.get(person__code="m2", period=f"{YEAR}-Q1", component="override")
    assert m2.amount == Decimal("40.00")
    run = CalculationRun.objects.filter(kind="incremental").first()
    assert run is not None
    # (the fixture's own orders, never committed in the test transaction, ride along)
    assert {"r3", "m2", "m1"} <= set(_audits(run).get().after["people"])
    # r1 untouched, and everything equals a full recalculation
    before = {(r.person_id, r.period): r.payout for r in PeriodResult.objects.all()}
    services.run_calculation(None, YEAR)
    after = {(r.person_id, r.period): r.payout for r in PeriodResult.objects.all()}
    assert before == after


def test_an_incremental_update_leaves_explanations_to_when_they_are_read(
    calculated, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        Order.objects.create(
            external_id="o-new",
            customer=Customer.objects.first(),
            owner=calculated.people["r3"],
            date=datetime.date(YEAR, 3, 5),
            amount=Decimal("1000"),
        )
    row = PeriodResult.objects.select_related("run", "person").get(
        person__code="r3", period=f"{YEAR}-Q1"
    )
    assert row.run.kind == "incremental" and row.explanation == ""
    explanation = services.explanation_of(row)  # as of the update's day, and kept
    assert "o-new" in {r["id"] for r in explanation["measures"]["revenue"]["records"]}
    assert Decimal(explanation.get("payout") or "0") == row.payout
    row.refresh_from_db()
    assert json.loads(row.explanation) == json.loads(json.dumps(explanation))


def test_deleting_an_order_updates_too(calculated, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        order = Order.objects.get(external_id="o-r1-1")
        order.payments.all().delete()
        order.delete()
    row = PeriodResult.objects.get(person__code="r1", period=f"{YEAR}-Q1")
    assert row.measures["revenue"] == "5000"


def test_honours(calculated):
    services.award_honours(None, YEAR)
    kinds = set(calculated.people["r1"].honours.values_list("kind", "period"))
    assert ("champion", f"{YEAR}-02") in kinds
    assert ("excellent", f"{YEAR}-Q1") in kinds


def test_estimator_adds_one_synthetic_order(calculated):
    estimate = services.estimate_earnings(calculated.people["r2"], f"{YEAR}-Q1", Decimal("4000"))
    # r2: 6,000 → 10,000 of a 10,000 target: commission 300 → 500, bonus 0 → 200 (优秀)
    by_id = {c["component"]: c for c in estimate["components"]}
    assert by_id["commission"]["then"] == Decimal("500.00")
    assert by_id["levels"]["then"] == Decimal("200")
    assert estimate["gain"] == Decimal("400.00")


def test_the_preview_of_a_half_year_plan_shows_only_the_period_asked_for(sales):
    """Asked for a quarter, a half-yearly plan's preview listed its halves and added
    them up under the quarter's name; the designer asks for the last half now."""
    plan = copy.deepcopy(REP_PLAN) | {"period": "half"}
    quarter = services.preview_plan(plan, f"{YEAR}-Q1")
    assert (quarter["people"], quarter["total"], quarter["rows"]) == (0, Decimal(0), [])
    half = services.preview_plan(plan, f"{YEAR}-H1")
    assert half["people"] == 4
    assert {row["period"] for row in half["rows"]} == {f"{YEAR}-H1"}


def test_preview_pays_nothing_and_stores_nothing(sales):
    preview = services.preview_plan(REP_PLAN, f"{YEAR}-Q1")
    assert preview["people"] == 4
    assert preview["total"] == Decimal("1100.00") + Decimal("300.00") + Decimal("150.00")
    assert not PeriodResult.objects.exists()


def test_moving_an_order_to_another_rep_corrects_both(
    calculated, django_capture_on_commit_callbacks
):
    order = Order.objects.get(external_id="o-r1-1")
    order.owner = calculated.people["r4"]
    with django_capture_on_commit_callbacks(execute=True):
        order.save()
    assert (
        PeriodResult.objects.get(person__code="r1", period=f"{YEAR}-Q1").measures["revenue"]
        == "5000"
    )
    assert (
        PeriodResult.objects.get(person__code="r4", period=f"{YEAR}-Q1").measures["revenue"]
        == "7000"
    )


def test_plan_targets_from_yaml_import(company):
    text = "plans: []\ntargets:\n- {measure: revenue, who: r1, period: '2026', value: 50000}\n"
    services.import_plans(None, text)
    from attain.incentives.models import PlanTarget

    assert PlanTarget.objects.get(who="r1").value == Decimal("50000")


@pytest.mark.parametrize(
    ("text", "paths"),
    [
        ("plans: 5\n", ["plans: "]),
        ("plans: []\ntargets: 5\n", ["targets: "]),
        ("plans: []\ntargets: [5]\n", ["targets[0]: "]),
        (
            "plans: []\ntargets:\n- {measure: revenue, who: r1, period: '2026', value: 1}\n"
            "- {measure: revenue, who: nobody, period: '2026', value: 1}\n"
            "- {measure: nope, who: r1, period: 2026-Q5, value: x}\n",
            ["targets[1].who: ", "targets[2].measure: ", "targets[2].period: "],
        ),
        (
            "plans: []\ntargets:\n- {measure: revenue, who: r1, period: '2026', value: 1e20}\n",
            ["targets[0].value: "],
        ),
    ],
)
def test_a_yaml_import_with_bad_plans_or_targets_says_where(company, text, paths):
    """``plans: 5`` or a target that is no mapping failed the import page with a
    TypeError; a target of an unknown person was stored and then read by every
    calculation of its year (which the engine refuses)."""
    from attain.incentives.models import PlanTarget

    with pytest.raises(ValidationError) as error:
        services.import_plans(None, text)
    for path in paths:
        assert any(m.startswith(path) for m in error.value.messages), error.value.messages
    assert not PlanTarget.objects.exists()


def test_a_target_typed_with_plans_keeps_spread_none(company):
    """A satisfaction target of 4.5 for the year applies as is to each quarter
    (``spread: none``, spec 5.1); the key was dropped and the quarter read 1.125."""
    from attain.incentives.calculation import targets_for
    from attain.incentives.models import PlanTarget

    text = (
        "plans: []\ntargets:\n"
        "- {measure: revenue, who: r1, period: '2026', value: 4.5, spread: none}\n"
        "- {measure: revenue, who: r2, period: '2026', value: 40000}\n"
    )
    services.import_plans(None, text)
    assert PlanTarget.objects.get(who="r1").as_scenario()["spread"] == "none"
    assert "spread" not in PlanTarget.objects.get(who="r2").as_scenario()
    typed = {t["who"]: t for t in targets_for(YEAR, ["revenue"])}
    assert typed["r1"]["spread"] == "none"
    first = AuditEvent.objects.filter(object_id=str(PlanTarget.objects.get(who="r1").pk)).count()
    services.import_plans(None, text.replace("4.5", "4.8"))
    assert (
        AuditEvent.objects.filter(object_id=str(PlanTarget.objects.get(who="r1").pk)).count()
        == first + 1
    )


def test_a_bulk_change_queues_a_full_run(calculated, django_capture_on_commit_callbacks, settings):
    from attain.incentives import signals

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    changes = {
        (calculated.people["r1"].pk, datetime.date(YEAR, 1, 1) + datetime.timedelta(d))
        for d in range(signals.BATCH_LIMIT + 1)
    }
    with django_capture_on_commit_callbacks(execute=True):
        signals.recalculate(changes)
    queued = CalculationRun.objects.filter(kind="full", status="queued")
    assert sorted(queued.values_list("fiscal_year", flat=True)) == [YEAR, YEAR + 1]


def test_explanations_read_later_equal_those_of_the_run(calculated):
    """A full run stores no explanations; computed when read (as of the run's day), each
    is the one the run would have written, and a result whose records changed since is
    explained as it is now but not kept."""
    from attain.engine import explain, explanation_document

    run = CalculationRun.objects.filter(kind="full").first()
    assert run is not None and run.as_of is not None
    rows = list(
        PeriodResult.objects.filter(period__startswith=str(YEAR)).select_related("person", "run")
    )
    assert rows and all(r.explanation == "" for r in rows)
    assert services.explain_results(rows) == len(rows)
    with calculation.loaded_year(YEAR, as_of=run.as_of) as loaded:
        result = calculation.run_engine(loaded, run.as_of)
    period_of = {p.id: p for p in result.periods}

    def same(text: str) -> str:  # which entry of the scenario's target list, cut down or not
        return re.sub(r"targets\[\d+\]", "targets[]", text)

    for row in PeriodResult.objects.select_related("person"):
        document = explanation_document(explain(result, row.person.code, period_of[row.period]))
        written = json.dumps(
            document, ensure_ascii=False, separators=(",", ":"), default=services._json_default
        )
        assert same(row.explanation) == same(written)
    # a result older than its records: explained, not kept
    stale = PeriodResult.objects.get(person__code="r1", period=f"{YEAR}-Q1")
    PeriodResult.objects.filter(pk=stale.pk).update(explanation="", payout=Decimal("1.00"))
    stale.refresh_from_db()
    assert services.explanation_of(stale)["plans"]["rep"]["payout"] == "1100.00"
    stale.refresh_from_db()
    assert stale.explanation == ""


@pytest.mark.parametrize("chain", [{"r1"}, {"r3", "m2", "m1"}])
def test_a_cut_down_year_gives_its_people_the_rows_of_the_whole_year(calculated, chain):
    """An incremental update's load (records of the people needed, kept in memory and
    cut down, targets read for the people and units kept only) gives the people updated
    exactly the rows of the whole year's calculation."""
    from attain.engine import period_document

    as_of = datetime.date(YEAR, 3, 31)
    periods = {f"{YEAR}-03", f"{YEAR}-Q1", f"{YEAR}-H1", str(YEAR)}
    with calculation.loaded_year(YEAR, as_of=as_of) as whole:
        everyone = calculation.run_engine(whole, as_of)
        targets = whole.data["targets"]
    with calculation.loaded_year(
        YEAR, as_of=as_of, only_for=chain, report=sorted(periods), fresh=True
    ) as cut:
        some = calculation.run_engine(cut, as_of, people=chain, periods=periods)
        kept = {
            *cut.frames[cut.data["people"]["parquet"]]["id"],
            *cut.frames[cut.data["units"]["parquet"]]["id"],
        }
        assert cut.data["targets"] == [t for t in targets if t["who"] in kept]
        assert len(cut.data["targets"]) < len(targets)
    for code in chain:
        assert set(some.people[code]) == periods
        for period in periods:
            mine = period_document(some.people[code][period], some.scenario, True)
            theirs = period_document(everyone.people[code][period], everyone.scenario, True)
            assert services._plain(mine) == services._plain(theirs)


def test_saving_an_imported_plan_unchanged_makes_no_new_version(company):
    """An imported file writes ``rate`` before ``scope``; the designer writes them the
    other way round: saving it unchanged made a version 2 that needed approving again."""
    text = (
        "id: ordered\nname: 顺序\napplies_to: {role: rep}\n"
        "effective: {from: 2026-01-01, to: 2026-12-31}\nperiod: quarter\n"
        "components:\n- {id: c1, kind: commission, measure: revenue, rate: 0.010, scope: team}\n"
    )
    [first] = services.import_plans(None, text)
    document = copy.deepcopy(first.document())
    component = document["components"][0]
    component["rate"] = Decimal("0.01")
    document["components"][0] = {
        k: component[k] for k in ("id", "kind", "measure", "scope", "rate")
    }
    assert services.save_plan_version(None, document) == first
    document["components"][0]["rate"] = Decimal("0.02")
    assert services.save_plan_version(None, document).number == 2


def test_a_payout_too_large_to_store_fails_the_run_saying_where(sales):
    """A bonus of 1e30 failed the run with "InvalidOperation: [...]" only. (A fixed
    amount that large is refused when the plan is saved; an expression's is known only
    when it is calculated.)"""
    plan = copy.deepcopy(REP_PLAN) | {
        "id": "huge",
        "components": [
            {
                "id": "big",
                "kind": "bonus",
                "when": "true",
                "amount": "1000000000000000 * 1000000000000000",
            }
        ],
    }
    services.activate_plan(None, services.save_plan_version(None, plan))
    run = services.run_calculation(None, YEAR)
    assert run.status == RunStatus.FAILED
    assert run.problems and all("huge.big: " in p for p in run.problems), run.problems
    assert "more than a payout can hold" in run.problems[0]
    assert not PeriodResult.objects.exists()


def test_a_payout_whose_components_fit_but_whose_total_does_not_fails_the_run(sales):
    """Two bonuses of 9 × 10¹⁵ each fit a payout; their total of 1.8 × 10¹⁶ does not."""
    plan = copy.deepcopy(REP_PLAN) | {
        "id": "twice",
        "components": [
            {"id": f"b{n}", "kind": "bonus", "when": "true", "amount": Decimal("9E+15")}
            for n in (1, 2)
        ],
    }
    services.activate_plan(None, services.save_plan_version(None, plan))
    run = services.run_calculation(None, YEAR)
    assert run.status == RunStatus.FAILED
    assert run.problems and "more than a payout can hold" in run.problems[0], run.problems
    assert not PeriodResult.objects.exists()


@pytest.mark.parametrize(
    ("spiff", "at"),
    [
        ({"where": "amout >= 100000"}, "components[0].where"),
        ({"amount": "amout * 0.01"}, "components[0].amount"),
        ({"person": "seller"}, "components[0].person"),
    ],
)
def test_a_spiff_naming_a_field_its_table_has_not_is_refused(company, spiff, at):
    """A spiff on `amout >= 100000` (a typo) was saved, approved and activated (checked
    on empty tables, with no fields to miss); every calculation of the company then
    failed ("plans[5].components[0].where: … unknown field 'amout'")."""
    document = {
        **REP_PLAN,
        "components": [{"id": "s", "kind": "spiff", "from": "orders", "amount": "500", **spiff}],
    }
    assert at in [path for path, _message in services.plan_problems(document)]
    with pytest.raises(ValidationError):
        services.save_plan_version(None, document)
    fine = {
        **document,
        "components": [
            {
                "id": "s",
                "kind": "spiff",
                "from": "payments",
                "where": "amount > 0",
                "amount": "500",
                "person": "collector",
            }
        ],
    }
    assert services.plan_problems(fine) == []


@pytest.mark.parametrize("plan_id", ["new", "import"])
def test_a_plan_id_the_plans_pages_use_is_refused(company, plan_id):
    """/performance/plans/new/ is the page for a new plan and …/import/ the import page: a
    plan saved with either id could never be opened in the designer."""
    plan = copy.deepcopy(REP_PLAN) | {"id": plan_id}
    assert "the plans pages use it" in dict(services.plan_problems(plan))["id"]
    with pytest.raises(ValidationError):
        services.import_plans(None, services.dump_yaml(plan))
