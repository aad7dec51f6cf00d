"""Review cycles through the services: the packs, comments, actions carried to the next
review, the audit trail, notifications, bad input and the reminder sweep."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from attain.audit.models import AuditEvent
from attain.notify.models import Notification
from attain.reviews import selectors, services
from attain.reviews.models import Review, ReviewAction, ReviewComment, ReviewPack
from attain.reviews.notices import last_period, reviews_due

D = datetime.date


def _open(team, period="2026-Q1"):
    return services.open_review(team.users["manager"], team.people["m1"], period)


def test_a_review_prepares_a_pack_for_each_person_of_the_team(team):
    review = _open(team)
    packs = {p.person.code: p for p in review.packs.all()}
    assert set(packs) == {"r1", "r2", "m2"}  # m1's direct reports, not r3 (m2's)
    assert review.cadence == "quarter" and review.due_on == D(2026, 4, 10)
    r1 = packs["r1"].data
    revenue = r1["measures"][0]
    assert revenue["code"] == "revenue" and revenue["target"] is not None
    assert revenue["p10"] is not None and revenue["p90"] is not None
    assert float(revenue["p10"]) <= float(revenue["p50"]) <= float(revenue["p90"])
    funnel = r1["funnel"]
    assert funnel["steps"][funnel["weak"]] == "线索 → 需求确认"
    assert funnel["rates"][funnel["weak"]] == "0"
    codes = [r["code"] for r in r1["reasons"]]
    assert "weak_stage" in codes and "deal_slipping" in codes
    assert packs["r2"].data["funnel"]["weak"] is None
    assert r1["activities"]["kinds"]["visit"] >= 0
    assert AuditEvent.objects.filter(
        content_type__model="review", object_id=str(review.pk)
    ).exists()
    assert AuditEvent.objects.filter(content_type__model="reviewpack").count() == 3
    # r1 has a login: told the pack is ready
    assert Notification.objects.filter(recipient=team.users["rep"], kind="review_opened").exists()


def test_comments_and_actions_carry_to_the_next_review(team):
    q1 = _open(team)
    pack = q1.packs.get(person__code="r1")
    services.add_comment(team.users["manager"], pack, "拜访太少")
    services.add_comment(team.users["rep"], pack, "下季度加倍")
    sides = list(pack.comments.values_list("side", flat=True))
    assert sides == ["manager", "person"]
    agreed = services.add_action(
        team.users["manager"], pack, text="每周拜访两家新客户", owner="r1", due_on="2026-05-31"
    )
    services.close_review(team.users["manager"], q1)
    with pytest.raises(ValidationError) as closed:
        services.add_comment(team.users["rep"], pack, "too late")
    assert "review" in closed.value.message_dict
    q2 = _open(team, "2026-Q2")
    assert q2.previous == q1
    carried = selectors.carried_actions(q2.packs.get(person__code="r1"))
    assert carried == [agreed] and not carried[0].done
    services.tick_action(team.users["rep"], agreed, True)  # the owner ticks it
    agreed.refresh_from_db()
    assert agreed.done and agreed.done_by == team.users["rep"]
    assert AuditEvent.objects.filter(
        content_type__model="reviewaction", object_id=str(agreed.pk), action="update"
    ).exists()
    assert not selectors.carried_actions(q2.packs.get(person__code="r2"))


@pytest.mark.parametrize(
    ("period", "field"), [("2026", "period"), ("2026-H1", "period"), ("garbage", "period")]
)
def test_a_review_is_for_a_month_or_a_quarter(team, period, field):
    with pytest.raises(ValidationError) as error:
        _open(team, period)
    assert field in error.value.message_dict
    assert not Review.objects.exists()


def test_one_review_per_team_and_period_and_a_team_needs_people(team):
    _open(team)
    with pytest.raises(ValidationError) as error:
        _open(team)
    assert "period" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.open_review(team.users["admin"], team.people["r1"], "2026-Q1")
    assert "manager" in error.value.message_dict
    assert Review.objects.count() == 1


def test_bad_actions_are_refused_naming_the_field_and_write_nothing(team):
    pack = _open(team).packs.get(person__code="r1")
    manager = team.users["manager"]
    cases = [
        ({"text": " ", "owner": "r1", "due_on": "2026-05-01"}, "text"),
        ({"text": "x", "owner": "r4", "due_on": "2026-05-01"}, "owner"),
        ({"text": "x", "owner": "r1", "due_on": "31/05/2026"}, "due_on"),
        ({"text": "x", "owner": "r1", "due_on": "2025-12-31"}, "due_on"),
    ]
    for fields, field in cases:
        with pytest.raises(ValidationError) as error:
            services.add_action(manager, pack, **fields)
        assert field in error.value.message_dict
    with pytest.raises(ValidationError):
        services.add_comment(manager, pack, "x" * (services.MAX_TEXT + 1))
    assert not ReviewAction.objects.exists() and not ReviewComment.objects.exists()


def test_who_may_write(team):
    review = _open(team)
    r2 = review.packs.get(person__code="r2")
    for role in ("sales_ops", "executive", "finance"):
        with pytest.raises(PermissionDenied):
            services.add_comment(team.users[role], r2, "x")
    with pytest.raises(PermissionDenied):  # r1 writes on their own pack only
        services.add_comment(team.users["rep"], r2, "x")
    with pytest.raises(PermissionDenied):  # a rep opens no review
        services.open_review(team.users["rep"], team.people["m1"], "2026-Q2")
    with pytest.raises(PermissionDenied):  # m1 opens their own team's only
        services.open_review(team.users["manager"], team.people["m3"], "2026-Q1")
    assert (
        services.open_review(team.users["admin"], team.people["m3"], "2026-Q1").packs.count() == 1
    )
    assert ReviewPack.objects.filter(person__code="r4").exists()


def test_the_reminder_sweep_tells_each_manager_once_per_period(team):
    assert last_period("quarter", D(2026, 4, 5)) == "2026-Q1"
    assert last_period("month", D(2026, 4, 5)) == "2026-03"
    told = reviews_due(D(2026, 4, 5))
    # managers with a login and a team: m1 only (m2 and m3 have no login)
    notes = Notification.objects.filter(kind="team_review_due")
    assert told == 1 and [n.recipient for n in notes] == [team.users["manager"]]
    assert notes[0].params["period"] == "2026-Q1"
    assert reviews_due(D(2026, 4, 6)) == 0  # once
    _open(team, "2026-Q2")  # the latest review is quarterly; Q2 is open: nothing due
    assert reviews_due(D(2026, 7, 2)) == 0


def test_the_demo_reviews_carry_an_action_into_the_current_quarter(team):
    from attain.reviews.demo import load_demo_reviews

    earlier, current = load_demo_reviews(username="m1")
    assert earlier.status == "closed" and current.previous == earlier
    agreed = ReviewAction.objects.get()
    pack = current.packs.get(person=agreed.pack.person)
    assert selectors.carried_actions(pack) == [agreed]
    assert [r.pk for r in load_demo_reviews(username="m1")] == [earlier.pk, current.pk]  # once
