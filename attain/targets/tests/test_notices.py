"""Targets' notifications (attain.notify): published, acknowledgement due, behind pace."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from attain.notify.models import Notification
from attain.notify.reminders import remind
from attain.notify.testing import kinds_of
from attain.targets import services as targets
from attain.targets.tests.conftest import new_plan, publish

pytestmark = pytest.mark.django_db


def test_publishing_targets_notifies_everyone_with_a_target(company) -> None:
    plan = publish(company, new_plan(company, company.users["sales_ops"], name="FY2026"))
    r1 = company.users["rep"]
    assert kinds_of(r1) == ["targets_published"]
    note = Notification.objects.get(recipient=r1)
    assert note.params["plan"] == "FY2026" and note.params["year"] == 2026
    # within the grace period nobody is reminded; after it, those who have not acknowledged
    remind(timezone.localdate())
    assert "acknowledgement_due" not in kinds_of(r1)
    type(plan).objects.filter(pk=plan.pk).update(
        published=timezone.now() - datetime.timedelta(days=4)
    )
    remind(timezone.localdate())
    assert kinds_of(r1).count("acknowledgement_due") == 1
    targets.acknowledge_target(r1, plan)
    remind(timezone.localdate())
    assert kinds_of(r1).count("acknowledgement_due") == 1


def test_behind_pace_is_told_once_a_month_to_the_person_and_manager(company) -> None:
    publish(company, new_plan(company, company.users["sales_ops"], name="FY2026"))
    june = datetime.date(2026, 6, 15)
    remind(june)
    remind(june)  # the same month: not again
    r1, m1 = company.users["rep"], company.users["manager"]
    mine = Notification.objects.filter(recipient=r1, kind="behind_pace")
    assert mine.count() == 1, "r1 has sold nothing by mid-June"
    assert mine.get().params["month"] == "2026-06" and mine.get().params["percent"] == "0"
    # the manager hears of each of their people behind, their own pace too
    assert Notification.objects.filter(recipient=m1, kind="behind_pace", params__code="r1").exists()


def test_behind_pace_names_the_measure_not_its_code(company) -> None:
    """The notification said "Behind pace on revenue" (the measure's code) to a Chinese
    reader; it names the measure as the pages do."""
    from django.utils import translation

    from attain.measures.models import Measure
    from attain.notify.kinds import render

    publish(company, new_plan(company, company.users["sales_ops"], name="FY2026"))
    remind(datetime.date(2026, 6, 15))
    note = Notification.objects.filter(recipient=company.users["rep"], kind="behind_pace").get()
    assert note.params["measure"] == Measure.objects.get(code="revenue").name  # as stored
    with translation.override("zh-hans"):
        title, _text = render(note.kind, note.params)
    assert title == "销售额 进度落后"  # the default measure's name in the reader's language
    with translation.override("en"):
        title, _text = render(note.kind, note.params)
    assert title == "Behind pace on Revenue"
    remind(datetime.date(2026, 6, 20))  # still told once in the month
    assert (
        Notification.objects.filter(recipient=company.users["rep"], kind="behind_pace").count() == 1
    )


def test_acknowledgement_due_counts_the_days_from_the_day_it_is_run_for(company) -> None:
    """The reminders are run for a day (``remind(today)``); the acknowledgement due counted
    its three days from the clock instead, so a run for a later day (a catch-up, or the
    next morning's run for a plan published late in the afternoon three days before) did
    not remind anyone, and a run for an earlier day reminded too soon."""
    plan = publish(company, new_plan(company, company.users["sales_ops"], name="FY2026"))
    r1 = company.users["rep"]
    published = timezone.localdate(plan.published)
    remind(published + datetime.timedelta(days=2))
    assert "acknowledgement_due" not in kinds_of(r1)
    remind(published + datetime.timedelta(days=3))
    assert kinds_of(r1).count("acknowledgement_due") == 1
    type(plan).objects.filter(pk=plan.pk).update(
        published=timezone.now() - datetime.timedelta(days=30)
    )
    Notification.objects.filter(kind="acknowledgement_due").delete()
    remind(timezone.localdate() - datetime.timedelta(days=28))  # two days after publication
    assert "acknowledgement_due" not in kinds_of(r1)


def test_behind_pace_links_the_person_to_their_targets_and_the_manager_to_team_pace(
    company, client
) -> None:
    """Before, the manager's notice about r1 opened the manager's own *My targets*."""
    from django.urls import reverse

    from attain.notify.delivery import message_for
    from attain.notify.models import Delivery

    publish(company, new_plan(company, company.users["sales_ops"], name="FY2026"))
    remind(datetime.date(2026, 6, 15))
    expected = {"rep": reverse("targets:mine"), "manager": reverse("targets:pace")}
    for role, page in expected.items():
        user = company.users[role]
        client.force_login(user)
        inbox = client.get(reverse("notify:inbox")).content.decode()
        assert f'href="{page}"' in inbox, role
        api = client.get("/api/notifications/").json()
        about_r1 = [n for n in api["results"] if n["params"].get("code") == "r1"]
        assert about_r1 and {n["link"] for n in about_r1} == {page}, role
        note = Notification.objects.filter(recipient=user, params__code="r1").get()
        email = message_for(Delivery(channel="email", notification=note, kind=note.kind), "en")
        assert email.link.endswith(page), role
