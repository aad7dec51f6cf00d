"""Plan approval (docs/incentives.md, "Plan approval"): draft → submitted → approved →
active, every step checked against the role (a role × action table), illegal steps
refused changing nothing, every step audited; the warning about plans that would pay
someone twice, on the page and in the API, in English and Chinese."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from attain.audit.models import AuditEvent
from attain.conftest import api_client_for, role_cases, user_of
from attain.incentives import governance, services
from attain.incentives.documents import marginal_commission, plan_document
from attain.incentives.models import PlanVersion, VersionStatus

from .conftest import REP_PLAN, YEAR


def _updates(version: PlanVersion) -> Any:
    from django.contrib.contenttypes.models import ContentType

    kind = ContentType.objects.get_for_model(PlanVersion)
    return AuditEvent.objects.filter(content_type=kind, object_id=str(version.pk), action="update")


# Who may take each step (the version starts in the state the step needs).
ALLOWED = """
    action      admin sales_ops finance executive manager rep anonymous
    submit      Y     Y         -       -         -       -   -
    approve     Y     -         -       Y         -       -   -
    return      Y     Y         -       Y         -       -   -
    activate    Y     Y         -       -         -       -   -
"""
START = {
    "submit": VersionStatus.DRAFT,
    "approve": VersionStatus.SUBMITTED,
    "return": VersionStatus.APPROVED,
    "activate": VersionStatus.APPROVED,
}
END = {
    "submit": VersionStatus.SUBMITTED,
    "approve": VersionStatus.APPROVED,
    "return": VersionStatus.DRAFT,
    "activate": VersionStatus.ACTIVE,
}
STEPS = {
    "submit": lambda user, v: governance.submit_plan_version(user, v),
    "approve": lambda user, v: governance.approve_plan_version(user, v),
    "return": lambda user, v: governance.return_plan_version(user, v, reason="重做"),
    "activate": lambda user, v: services.activate_plan(user, v),
}


def _version(status: str) -> PlanVersion:
    version = services.save_plan_version(None, REP_PLAN)
    if status in (VersionStatus.SUBMITTED, VersionStatus.APPROVED):
        governance.submit_plan_version(None, version)
    if status == VersionStatus.APPROVED:
        governance.approve_plan_version(None, version)
    version.refresh_from_db()
    assert version.status == status
    return version


@pytest.mark.parametrize(("action", "role", "allowed"), role_cases(ALLOWED))
def test_each_role_may_take_the_steps_of_the_table(company, action, role, allowed):
    version = _version(START[action])
    events = AuditEvent.objects.count()
    if allowed:
        STEPS[action](user_of(company, role), version)
        version.refresh_from_db()
        assert version.status == END[action]
        assert AuditEvent.objects.count() > events
        event = AuditEvent.objects.order_by("-pk").first()
        assert event is not None and event.after["status"] == END[action]
    else:
        with pytest.raises(PermissionDenied):
            STEPS[action](user_of(company, role), version)
        version.refresh_from_db()
        assert version.status == START[action]
        assert AuditEvent.objects.count() == events


@pytest.mark.parametrize(
    ("action", "status"),
    [
        ("approve", VersionStatus.DRAFT),
        ("activate", VersionStatus.DRAFT),
        ("activate", VersionStatus.SUBMITTED),
        ("submit", VersionStatus.SUBMITTED),
        ("submit", VersionStatus.APPROVED),
        ("return", VersionStatus.DRAFT),
        ("approve", VersionStatus.APPROVED),
    ],
)
def test_a_step_from_the_wrong_state_is_refused_and_changes_nothing(company, action, status):
    version = _version(status)
    events = AuditEvent.objects.count()
    with pytest.raises(ValidationError) as refused:
        STEPS[action](company.users["admin"], version)
    assert "status" in refused.value.message_dict
    assert "cannot be" in refused.value.message_dict["status"][0]
    version.refresh_from_db()
    assert version.status == status
    assert AuditEvent.objects.count() == events


def test_returning_needs_a_reason(company):
    version = _version(VersionStatus.SUBMITTED)
    with pytest.raises(ValidationError) as refused:
        governance.return_plan_version(company.users["executive"], version, reason=" ")
    assert "reason" in refused.value.message_dict
    version.refresh_from_db()
    assert version.status == VersionStatus.SUBMITTED


def test_the_whole_way_to_active_is_audited_with_who_did_it(company):
    ops, boss = company.users["sales_ops"], company.users["executive"]
    version = services.save_plan_version(ops, REP_PLAN)
    governance.submit_plan_version(ops, version, reason="Q1 新方案")
    governance.approve_plan_version(boss, version)
    services.activate_plan(ops, version)
    steps = [
        (e.actor_id, e.before["status"], e.after["status"])
        for e in _updates(version).order_by("pk")
    ]
    assert steps == [
        (ops.pk, "draft", "submitted"),
        (boss.pk, "submitted", "approved"),
        (ops.pk, "approved", "active"),
    ]


def test_the_system_records_the_approval_when_it_activates(company):
    """The demo and the command line activate through the service: the submit and
    approve steps are recorded on the way."""
    version = services.activate_plan(None, services.save_plan_version(None, REP_PLAN))
    assert version.status == VersionStatus.ACTIVE
    changes = [(e.before["status"], e.after["status"]) for e in _updates(version).order_by("pk")]
    assert changes == [("draft", "submitted"), ("submitted", "approved"), ("approved", "active")]


# Plans that would pay twice -----------------------------------------------------------

SPIFF = plan_document(
    "spiff",
    "Spring spiff",
    "rep",
    YEAR,
    [marginal_commission("extra", [(0, Decimal("0.02"))])],
)


def test_two_plans_paying_reps_on_revenue_are_warned_about(sales):
    assert governance.overlap_warnings() == []  # the rep and the manager plans: no one twice
    spiff = services.save_plan_version(None, SPIFF)
    assert governance.overlap_warnings() == []  # a draft pays no one
    governance.submit_plan_version(None, spiff)
    [warning] = governance.overlap_warnings()
    assert "“Rep plan”" in warning and "“Spring spiff”" in warning
    assert "Revenue" in warning and "销售额" not in warning  # the measure in the reader's words
    assert "r1" in warning and "r4" in warning
    assert f"Jan. 1, {YEAR} – Dec. 31, {YEAR}" in warning
    with translation.override("zh-hans"):
        [chinese] = governance.overlap_warnings(spiff)
    assert "重复" in chinese and "r1" in chinese
    assert f"{YEAR}年1月1日 – {YEAR}年12月31日" in chinese
    governance.return_plan_version(None, spiff, reason="不重复发放")
    assert governance.overlap_warnings() == []


def test_the_warning_names_the_measures_and_joins_lists_in_the_readers_language(sales):
    """The Chinese warning said "就 revenue" (the measure's code) and joined people with an
    English comma: it names the measure as the pages do, lists joined the reader's way."""
    from attain.measures.models import Measure

    Measure.objects.filter(code="revenue").update(name="销售额")
    governance.submit_plan_version(None, services.save_plan_version(None, SPIFF))
    with translation.override("zh-hans"):
        [chinese] = governance.overlap_warnings()
    assert "就 销售额 " in chinese and "revenue" not in chinese
    assert "r1、r2、r3、r4" in chinese
    [english] = governance.overlap_warnings()
    assert "on 销售额 over" in english and "(r1, r2, r3, r4)" in english


def test_plans_for_other_measures_people_or_days_are_not_warned_about(sales):
    collected = plan_document(
        "collect",
        "Collections",
        "rep",
        YEAR,
        [marginal_commission("c", [(0, Decimal("0.01"))], measure="collected")],
    )
    nobody = plan_document(
        "directors",
        "Directors",
        "director",
        YEAR,
        [marginal_commission("c", [(0, Decimal("0.01"))])],
    )
    later = plan_document(
        "next-year",
        "Next year",
        "rep",
        YEAR + 1,
        [marginal_commission("c", [(0, Decimal("0.01"))])],
    )
    for document in (collected, nobody, later):
        governance.submit_plan_version(None, services.save_plan_version(None, document))
    assert governance.overlap_warnings() == []


@pytest.mark.parametrize("key", ["manager", "managers"])
def test_a_plan_for_one_managers_reports_warns_about_those_reports_only(sales, key):
    """The designer writes a plan "applies to: manager m2" as ``{manager: [m2]}``; the
    warning read only ``managers`` and took such a plan for one covering every rep, so
    it named r1, r2 and r4, whom the plan never pays. Only m2's report r3 is named."""
    document = plan_document(
        "m2-team", "M2 team", "rep", YEAR, [marginal_commission("extra", [(0, Decimal("0.02"))])]
    )
    document["applies_to"] = {"role": "rep", key: ["m2"]}
    governance.submit_plan_version(None, services.save_plan_version(None, document))
    [warning] = governance.overlap_warnings()
    assert "“M2 team”" in warning and "would both pay 1 person (r3)" in warning


def test_the_plans_page_shows_the_steps_and_the_warning(client, sales):
    spiff = services.save_plan_version(None, SPIFF)
    client.force_login(sales.users["sales_ops"])
    page = client.get("/performance/plans/").content.decode()
    assert 'class="link submit"' in page and "plan-overlaps" not in page
    answer = client.post(f"/performance/plans/spiff/v{spiff.number}/do/submit/", follow=True)
    text = answer.content.decode()
    assert "submitted for approval" in text
    assert 'id="plan-overlaps"' in text and "would both pay" in text
    assert 'class="link approve"' not in text  # sales operations do not approve

    client.force_login(sales.users["executive"])
    page = client.get("/performance/plans/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    text = page.content.decode()
    assert 'class="link approve"' in text and "重复" in text
    assert 'class="link activate"' not in text
    client.post(f"/performance/plans/spiff/v{spiff.number}/do/approve/")
    spiff.refresh_from_db()
    assert spiff.status == VersionStatus.APPROVED
    # an executive may not activate: the page refuses and nothing changes
    assert client.post(f"/performance/plans/spiff/v{spiff.number}/activate/").status_code == 403
    spiff.refresh_from_db()
    assert spiff.status == VersionStatus.APPROVED

    client.force_login(sales.users["sales_ops"])
    client.post(f"/performance/plans/spiff/v{spiff.number}/activate/")
    spiff.refresh_from_db()
    assert spiff.status == VersionStatus.ACTIVE


def test_a_refused_step_on_the_page_says_why(client, sales):
    spiff = services.save_plan_version(None, SPIFF)
    client.force_login(sales.users["sales_ops"])
    answer = client.post(f"/performance/plans/spiff/v{spiff.number}/activate/", follow=True)
    assert "cannot be activated" in answer.content.decode()
    spiff.refresh_from_db()
    assert spiff.status == VersionStatus.DRAFT


def test_the_api_takes_the_steps_and_warns(sales):
    spiff = services.save_plan_version(None, SPIFF)
    base = f"/api/plans/spiff/versions/{spiff.number}"
    answer = api_client_for(sales, "sales_ops").post(f"{base}/submit/", {}, format="json")
    assert answer.status_code == 200, answer.content
    body = answer.json()
    assert body["version"]["status"] == "submitted"
    assert len(body["warnings"]) == 1 and "would both pay" in body["warnings"][0]

    chinese = api_client_for(sales, "executive").post(
        f"{base}/approve/", {}, format="json", HTTP_ACCEPT_LANGUAGE="zh-hans"
    )
    assert chinese.status_code == 200
    assert "重复" in chinese.json()["warnings"][0]

    refused = api_client_for(sales, "executive").post(f"{base}/activate/", {}, format="json")
    assert refused.status_code == 403
    wrong = api_client_for(sales, "sales_ops").post(f"{base}/approve/", {}, format="json")
    assert wrong.status_code == 403
    again = api_client_for(sales, "admin").post(f"{base}/approve/", {}, format="json")
    assert again.status_code == 400
    assert "status" in again.json()["error"]["fields"]

    listing = api_client_for(sales, "executive").get("/api/plans/").json()
    assert {(v["plan"], v["status"]) for v in listing["versions"]} >= {
        ("spiff", "approved"),
        ("rep", "active"),
    }
    assert len(listing["warnings"]) == 1
    assert api_client_for(sales, "rep").get("/api/plans/").status_code == 403
    assert (
        api_client_for(sales, "sales_ops").post(f"{base}/activate/", {}, format="json").status_code
        == 200
    )
    spiff.refresh_from_db()
    assert spiff.status == VersionStatus.ACTIVE


def test_effective_dates_bound_the_warning(sales):
    """A plan for the second half only overlaps the year plan over that half."""
    half = plan_document(
        "h2", "H2 spiff", "rep", YEAR, [marginal_commission("x", [(0, Decimal("0.01"))])]
    )
    half["effective"] = {"from": f"{YEAR}-07-01", "to": f"{YEAR}-12-31"}
    governance.submit_plan_version(None, services.save_plan_version(None, half))
    [warning] = governance.overlap_warnings()
    assert f"July 1, {YEAR} – Dec. 31, {YEAR}" in warning


def test_a_person_who_changes_role_is_not_paid_twice_by_the_two_role_plans(sales):
    """r2 is a rep until June and a manager from July: the rep plan covers r2's first
    half and a manager plan on their own revenue the second. No day is paid twice, so
    no warning; a manager plan on the team's revenue pays other money altogether."""
    from attain.org.services import transfer_person

    transfer_person(None, sales.people["r2"], on=datetime.date(YEAR, 7, 1), title="manager")
    own = plan_document(
        "mgr-own",
        "Manager own",
        "manager",
        YEAR,
        [marginal_commission("c", [(0, Decimal("0.01"))])],
    )
    governance.submit_plan_version(None, services.save_plan_version(None, own))
    assert governance.overlap_warnings() == []
    # a second plan on the reps' own revenue over the second half still finds r1, r3, r4
    # but not r2, a manager by then
    half = plan_document(
        "h2-reps", "H2 reps", "rep", YEAR, [marginal_commission("x", [(0, Decimal("0.01"))])]
    )
    half["effective"] = {"from": f"{YEAR}-07-01", "to": f"{YEAR}-12-31"}
    governance.submit_plan_version(None, services.save_plan_version(None, half))
    [warning] = governance.overlap_warnings()
    assert "3 people (r1, r3, r4)" in warning


def test_a_draft_does_not_rename_the_plan_in_force_until_it_is_activated(company):
    """Before, saving a draft renamed the active plan at once (on every page, result and
    statement), before anyone approved it, and the rename was not audited."""
    from attain.incentives.models import Plan

    ops, boss = company.users["sales_ops"], company.users["executive"]
    services.activate_plan(None, services.save_plan_version(None, REP_PLAN))
    plan = Plan.objects.get(code=REP_PLAN["id"])
    renamed = {**REP_PLAN, "name": "2026 销售方案（修订）"}
    draft = services.save_plan_version(ops, renamed)
    assert Plan.objects.get(pk=plan.pk).name == REP_PLAN["name"]
    governance.submit_plan_version(ops, draft)
    governance.approve_plan_version(boss, draft)
    services.activate_plan(ops, draft)
    assert Plan.objects.get(pk=plan.pk).name == "2026 销售方案（修订）"
    [event] = AuditEvent.objects.filter(content_type__model="plan", object_id=str(plan.pk))
    assert (event.actor_id, event.before["name"], event.after["name"]) == (
        ops.pk,
        REP_PLAN["name"],
        "2026 销售方案（修订）",
    )


def test_activating_a_version_inside_another_warns_of_the_days_left_without_a_plan(client, company):
    """A January–December version is active; a July–September one is activated: the
    first ends on June 30 and October–December has no version of the plan, which the
    one who activated it was not told (docs/incentives.md, "Versions")."""
    import copy

    services.activate_plan(None, services.save_plan_version(None, REP_PLAN))
    summer = copy.deepcopy(REP_PLAN)
    summer["effective"] = {"from": f"{YEAR}-07-01", "to": f"{YEAR}-09-30"}
    ops, boss = company.users["sales_ops"], company.users["executive"]
    version = services.save_plan_version(ops, summer)
    governance.submit_plan_version(ops, version)
    governance.approve_plan_version(boss, version)
    answer = api_client_for(company, "sales_ops").post(
        f"/api/plans/rep/versions/{version.number}/activate/",
        {},
        format="json",
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert answer.status_code == 200, answer.content
    [warning] = [w for w in answer.json()["warnings"] if "10月1日" in w]
    assert f"{YEAR}年10月1日" in warning and f"{YEAR}年12月31日" in warning
    assert "rep" in warning

    # the page says it too; a version that leaves no day uncovered says nothing of it
    autumn = copy.deepcopy(REP_PLAN)
    autumn["effective"] = {"from": f"{YEAR}-10-01"}
    later = services.save_plan_version(ops, autumn)
    governance.submit_plan_version(ops, later)
    governance.approve_plan_version(boss, later)
    client.force_login(ops)
    page = client.post(
        f"/performance/plans/rep/v{later.number}/activate/", follow=True
    ).content.decode()
    assert "no version of" not in page
