"""Follow-up reminders; `attain notify remind|digest|retry|send`. (The other apps' events
are tested in their own tests/test_notices.py.)"""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from attain.crm.tests.conftest import Crm, crm  # noqa: F401  (the fixture)
from attain.notify.models import Notification
from attain.notify.testing import kinds_of

pytestmark = pytest.mark.django_db


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


def test_a_follow_up_notification_reads_in_its_readers_language(company, crm) -> None:  # noqa: F811
    """Issue 12: the notification keeps the reminder's parameters, not its sentence."""
    from django.utils import translation

    from attain.crm.models import FollowUpRule, Reminder
    from attain.crm.tests import make
    from attain.notify.kinds import render

    r1 = company.people["r1"]
    deal = make.opportunity(crm.customers["c_r1"], r1, "Acme", "1000")
    rule = FollowUpRule.objects.create(stage=deal.stage, days=3)
    params = {"customer": "客户甲", "name": "Acme", "days": 3, "stage": "线索"}
    Reminder.objects.create(
        person=r1, opportunity=deal, rule=rule, message="in English", params=params
    )
    with translation.override("en"):
        call_command("notify", "remind")
    note = Notification.objects.get(kind="follow_up_due")
    with translation.override("zh-hans"):
        chinese = render(note.kind, note.params)[1]
    with translation.override("en"):
        english = render(note.kind, note.params)[1]
    assert chinese == "客户甲 · Acme：在“线索”阶段已 3 天未联系。"
    assert english == "客户甲 · Acme: no contact for 3 days in stage Lead."
    # one kept before (only the sentence) still shows its sentence
    assert render("follow_up_due", {"opportunity": "x", "message": "Call them"})[1] == "Call them"


def test_the_commands_run(company, capsys) -> None:
    call_command("notify", "digest")
    call_command("notify", "retry")
    call_command("notify", "send", "test", "r1")
    out = capsys.readouterr().out
    assert "digests queued: 0" in out and "notified 1 logins" in out


def test_sending_by_hand_to_an_unknown_username_names_it(company, capsys) -> None:
    """`attain notify send test admn` (a typo) said "notified 0 logins" and nothing else:
    the administrator trying the channels saw no message and no reason."""
    with pytest.raises(CommandError, match="no login named: admn, nobody"):
        call_command("notify", "send", "test", "r1", "admn", "nobody")
    assert not Notification.objects.exists()  # nobody notified by a half-right command


def _leaver_with_a_reminder(company, crm):  # noqa: F811
    """r1, who left yesterday, with an open follow-up reminder when `attain notify
    remind` runs."""
    import datetime

    from django.utils import timezone

    from attain.crm.models import FollowUpRule, Reminder
    from attain.crm.tests import make

    r1 = company.people["r1"]
    deal = make.opportunity(crm.customers["c_r1"], r1, "Acme", "1000")
    rule = FollowUpRule.objects.create(stage=deal.stage, days=3)
    Reminder.objects.create(person=r1, opportunity=deal, rule=rule, message="Call Acme")
    r1.end = timezone.localdate() - datetime.timedelta(days=1)
    r1.save(update_fields=["end"])
    call_command("notify", "remind")
    return r1


def test_people_who_left_are_not_reminded_but_still_hear_about_their_pay(
    company,
    crm,  # noqa: F811
) -> None:
    """A leaver's login stays (they may look at their last pay), but the daily reminders
    and the team's news stop on their last day; their own payout and disputes still
    reach them."""
    from django.utils import timezone

    from attain.notify.services import notify

    r1 = _leaver_with_a_reminder(company, crm)
    assert notify("targets_published", [r1, company.people["m1"]], year=2026, plan="P") != []
    assert kinds_of(company.users["rep"]) == []
    notify("payout_held", [r1], period="2026-Q3", detail="held")
    assert kinds_of(company.users["rep"]) == ["payout_held"]
    # leaving today: still employed today
    r1.end = timezone.localdate()
    r1.save(update_fields=["end"])
    notify("targets_published", [r1], year=2026, plan="P")
    assert "targets_published" in kinds_of(company.users["rep"])


def test_a_reminder_nobody_receives_is_not_counted_as_sent(
    company,
    crm,  # noqa: F811
    capsys,
) -> None:
    """A leaver's follow-up reminder is not sent (see above), yet `attain notify remind`
    counted it as sent, every day again: the cron log said "follow_ups: 1" for nothing."""
    r1 = _leaver_with_a_reminder(company, crm)
    assert "follow-up reminders sent: 0" in capsys.readouterr().out
    r1.end = None
    r1.save(update_fields=["end"])
    call_command("notify", "remind")
    assert "follow-up reminders sent: 1" in capsys.readouterr().out
    call_command("notify", "remind")  # once only
    assert "follow-up reminders sent: 0" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("language", "day"), [("en", "April 15, 2026"), ("zh-hans", "2026年4月15日")]
)
@pytest.mark.parametrize(
    ("kind", "params"),
    [
        ("team_review_due", {"period": "2026-Q1", "due": "2026-04-15", "days": 15}),
        ("acknowledgement_due", {"year": 2026, "plan": "P", "published": "2026-04-15"}),
        ("behind_pace", {"who": "R1", "percent": "80", "day": "2026-04-15", "plan": "P"}),
    ],
)
def test_a_notifications_days_read_in_its_readers_language(kind, params, language, day) -> None:
    """Days are stored as ISO text and written out in the reader's format."""
    from django.utils import translation

    from attain.notify.kinds import render

    with translation.override(language):
        text = render(kind, params)[1]
    assert day in text and "2026-04-15" not in text
