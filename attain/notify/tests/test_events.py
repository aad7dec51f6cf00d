"""Events wired to notifications: targets published, acknowledgement due, integrity
hold, import finished, follow-up reminders; `attain notify remind|digest|retry`."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.utils import timezone

from attain.crm.tests.conftest import Crm, crm  # noqa: F401  (the fixture)
from attain.intake import services as intake
from attain.integrity import services as integrity
from attain.integrity.models import Alert
from attain.notify.models import Notification
from attain.notify.reminders import remind
from attain.targets import services as targets
from attain.targets.tests.conftest import new_plan, publish

pytestmark = pytest.mark.django_db


def kinds_of(user) -> list[str]:
    return list(Notification.objects.filter(recipient=user).values_list("kind", flat=True))


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


def test_an_integrity_hold_tells_the_people_and_their_manager(company) -> None:
    alert = Alert.objects.create(
        key="k",
        detector="duplicates",
        period="2026-Q1",
        score=Decimal("0.9"),
        reason_en="x",
        reason_zh="x",
        people_codes=["r1"],
    )
    alert.people.set([company.people["r1"]])
    integrity.decide(company.users["sales_ops"], alert, confirm=True, reason="Dup", hold=True)
    note = Notification.objects.get(recipient=company.users["rep"])
    assert note.kind == "integrity_hold" and note.params["reason"] == "Dup"
    assert kinds_of(company.users["manager"]) == ["integrity_hold"]  # m1 leads r1


def test_a_finished_import_tells_who_imported_it(company, settings, tmp_path) -> None:
    settings.MEDIA_ROOT = tmp_path
    admin = company.users["admin"]
    upload = SimpleUploadedFile("units.csv", b"code,name\nx,y\n", content_type="text/csv")
    try:
        batch = intake.create_batch(admin, "customers", upload)
        intake.run_batch(batch)
    except Exception:  # a refused file is a failed import: told as well
        pass
    assert set(kinds_of(admin)) & {"import_finished", "import_failed"}


def test_open_follow_up_reminders_are_sent_once(company, crm) -> None:  # noqa: F811
    from attain.crm.models import FollowUpRule, Reminder
    from attain.crm.tests import make

    r1 = company.people["r1"]
    deal = make.opportunity(crm.customers["c_r1"], r1, "Acme", "1000")
    rule = FollowUpRule.objects.create(stage=deal.stage, days=3)
    Reminder.objects.create(person=r1, opportunity=deal, rule=rule, message="Call Acme")
    call_command("notify", "remind")
    call_command("notify", "remind")
    notes = Notification.objects.filter(kind="follow_up_due")
    assert notes.count() == 1 and notes.get().params["message"] == "Call Acme"


def test_the_commands_run(company, capsys) -> None:
    call_command("notify", "digest")
    call_command("notify", "retry")
    call_command("notify", "send", "test", "r1")
    out = capsys.readouterr().out
    assert "digests queued: 0" in out and "notified 1 logins" in out
