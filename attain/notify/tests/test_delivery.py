"""Sending through the worker path: retries with backoff, failures reported, languages,
preferences, the digest."""

from __future__ import annotations

import dataclasses
import datetime
from typing import Any

import pytest
from django.core import mail
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from attain.notify import channels, delivery
from attain.notify.models import Channel, Delivery, Notification, Profile, Status, Webhook
from attain.notify.receiver import Receiver
from attain.notify.services import mark_read, notify, requeue_due, save_settings, send_digests

pytestmark = pytest.mark.django_db(transaction=False)


def personal_hook(user, url: str, platform: str = "wecom", language: str = "") -> None:
    Profile.objects.update_or_create(
        user=user,
        defaults={"webhook_platform": platform, "webhook_url": url, "language": language},
    )


def run_queue() -> None:
    """What `attain worker` does with the queued delivery tasks (in this process)."""
    for task in DBTaskResult.objects.ready().order_by("enqueued_at"):
        delivery.deliver(task.task_result.args[0])
        task.delete()


def test_notify_only_queues_work_nothing_is_sent_in_the_request(
    company, receiver, django_capture_on_commit_callbacks
) -> None:
    r1 = company.users["rep"]
    personal_hook(r1, receiver.url)
    with django_capture_on_commit_callbacks(execute=True):
        notes = notify("import_finished", [r1], file="a.csv", status="done", table="orders")
    assert len(notes) == 1 and Notification.objects.filter(recipient=r1).count() == 1
    assert receiver.count() == 0  # nothing sent yet: a task waits for the worker
    assert DBTaskResult.objects.filter(task_path="attain.notify.tasks.deliver_task").count() == 1
    run_queue()
    assert receiver.count() == 1
    body = receiver.received[0]["body"]
    assert body["msgtype"] == "markdown" and "a.csv" in body["markdown"]["content"]
    assert Delivery.objects.get().status == Status.SENT


def test_a_failing_webhook_is_retried_with_backoff_then_reported(
    company, fast_retries, django_capture_on_commit_callbacks
) -> None:
    r1 = company.users["rep"]
    with Receiver(mode="error") as failing:
        personal_hook(r1, failing.url)
        with django_capture_on_commit_callbacks(execute=True):
            notify("follow_up_due", [r1], opportunity="Big deal", message="Call them")
        d = Delivery.objects.get()
        waits = []
        for attempt in (1, 2, 3):
            before = timezone.now()
            delivery.deliver([d.pk])
            after = timezone.now()
            d.refresh_from_db()
            assert d.attempts == attempt
            assert "HTTP 500" in d.last_error
            if attempt < 3:
                assert d.status == Status.RETRYING
                waits.append((d.next_attempt - before, d.next_attempt - after))
                # not due yet: a second worker run sends nothing
                assert delivery.deliver([d.pk])["sent"] == 0 and failing.count() == attempt
                Delivery.objects.filter(pk=d.pk).update(next_attempt=timezone.now())
        assert d.status == Status.FAILED and d.next_attempt is None
        assert failing.count() == 3
    # 30 s then 60 s after the attempt: doubling
    for (longest, shortest), seconds in zip(waits, (30, 60), strict=True):
        assert shortest.total_seconds() <= seconds <= longest.total_seconds()
    # each retry was queued as a delayed task
    queued = DBTaskResult.objects.order_by("enqueued_at")
    assert queued.count() == 3  # the first send and two delayed retries
    last = queued.last()
    assert last is not None and last.run_after - last.enqueued_at > datetime.timedelta(seconds=59)


def test_a_webhook_that_times_out_is_retried(company, fast_retries) -> None:
    r1 = company.users["rep"]
    with Receiver(mode="slow", delay=1.5) as slow:
        personal_hook(r1, slow.url)
        notify("follow_up_due", [r1], opportunity="x", message="y")
        d = Delivery.objects.get()
        started = timezone.now()
        delivery.deliver([d.pk])
        took = (timezone.now() - started).total_seconds()
    d.refresh_from_db()
    assert d.status == Status.RETRYING and d.attempts == 1
    assert "timed out" in d.last_error.lower()
    assert took < 1.4  # the timeout, not the receiver, ended the wait


def test_an_error_code_answer_is_retried(company, fast_retries) -> None:
    r1 = company.users["rep"]
    with Receiver(mode="errcode") as refusing:
        personal_hook(r1, refusing.url, platform="dingtalk")
        notify("follow_up_due", [r1], opportunity="x", message="y")
        delivery.deliver([Delivery.objects.get().pk])
    d = Delivery.objects.get()
    assert d.status == Status.RETRYING and "310000" in d.last_error


def test_the_sweep_queues_due_deliveries_again(company, fast_retries) -> None:
    r1 = company.users["rep"]
    personal_hook(r1, "http://127.0.0.1:9/nothing")
    notify("follow_up_due", [r1], opportunity="x", message="y")
    DBTaskResult.objects.all().delete()  # a lost task
    assert requeue_due() == 0  # a new one may still be waiting for its task
    assert requeue_due(timezone.now() + datetime.timedelta(minutes=11)) == 1


def test_each_recipient_reads_their_own_language(company, receiver) -> None:
    r1, m1 = company.users["rep"], company.users["manager"]
    personal_hook(r1, receiver.url, language="zh-hans")
    personal_hook(m1, receiver.url, language="en")
    notify("payout_calculated", [r1, m1], year=2026)
    delivery.deliver(list(Delivery.objects.values_list("pk", flat=True)))
    texts = sorted(r["body"]["markdown"]["content"] for r in receiver.received)
    assert any("2026" in t and "计算" in t for t in texts), texts
    assert any("Results for 2026 are calculated" in t for t in texts), texts


def test_group_webhooks_get_one_message_per_event_in_their_language(company, receiver) -> None:
    Webhook.objects.create(name="销售群", platform="wecom", url=receiver.url, language="zh-hans")
    Webhook.objects.create(name="pay", platform="wecom", url=receiver.url, kinds=["payout_held"])
    people = list(company.people.values())
    notify("targets_published", people, year=2026, plan="FY2026")
    group = Delivery.objects.filter(webhook__isnull=False)
    assert group.count() == 1  # the "pay" group does not take this kind
    delivery.deliver([group.get().pk])
    assert "2026" in receiver.received[0]["body"]["markdown"]["content"]
    # personal pay news never goes to a group
    notify("payout_held", people, period="2026-Q1", detail="x")
    assert Delivery.objects.filter(webhook__isnull=False, kind="payout_held").count() == 0


def test_preferences_choose_the_channels(company, settings) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    r1 = company.users["rep"]
    r1.email = "r1@example.com"
    r1.save()
    notify("behind_pace", [r1], measure="revenue", who="R1", percent=80, day="2026-05-01")
    assert not Delivery.objects.filter(channel=Channel.EMAIL).exists()  # email is opt-in
    save_settings(
        r1,
        switches={("behind_pace", "email"): True, ("behind_pace", "in_app"): False},
        language="zh-hans",
    )
    notes = notify("behind_pace", [r1], measure="revenue", who="R1", percent=80, day="2026-05")
    assert notes[0].read is not None  # in the app: off, so not unread
    d = Delivery.objects.get(channel=Channel.EMAIL)
    delivery.deliver([d.pk])
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["r1@example.com"]
    assert "revenue" in mail.outbox[0].subject


def test_the_daily_digest_replaces_single_emails(company, settings) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    r1 = company.users["rep"]
    r1.email = "r1@example.com"
    r1.save()
    save_settings(r1, switches={("follow_up_due", "email"): True}, digest=True)
    notify("follow_up_due", [r1], opportunity="A", message="call A")
    notify("follow_up_due", [r1], opportunity="B", message="call B")
    assert not Delivery.objects.exists()
    assert send_digests() == 1
    assert send_digests() == 0  # nothing new
    d = Delivery.objects.get(kind="digest")
    delivery.deliver([d.pk])
    assert len(mail.outbox) == 1
    assert "call A" in mail.outbox[0].body and "call B" in mail.outbox[0].body
    assert "2" in mail.outbox[0].subject


def test_people_without_a_login_and_unknown_kinds(company) -> None:
    assert notify("follow_up_due", [company.people["r2"]], opportunity="x") == []
    with pytest.raises(ValueError, match="unknown notification kind"):
        notify("no_such_kind", [company.users["rep"]])


def test_mark_read_touches_only_ones_own(company) -> None:
    r1, m1 = company.users["rep"], company.users["manager"]
    mine = notify("follow_up_due", [r1], opportunity="x")[0]
    theirs = notify("follow_up_due", [m1], opportunity="y")[0]
    assert mark_read(r1, [theirs.pk]) == 0
    assert mark_read(r1, [mine.pk]) == 1
    theirs.refresh_from_db()
    assert theirs.read is None


def test_backoff_doubles_and_is_capped(settings) -> None:
    settings.ATTAIN_NOTIFY_RETRY_SECONDS = 30
    assert [delivery.backoff(n).total_seconds() for n in (1, 2, 3, 4)] == [30, 60, 120, 240]
    assert delivery.backoff(40) == datetime.timedelta(days=1)


def test_who_chose_no_language_reads_the_companys(company, receiver) -> None:
    """A Chinese company (the setup wizard's default language 简体中文): its people's
    messages and its groups' were written in English, the deployment's LANGUAGE_CODE."""
    from attain.org.services_company import default_values, store_company

    values = default_values("华东精密")
    store_company(None, dataclasses.replace(values, language="zh-hans"))
    personal_hook(company.users["rep"], receiver.url)  # no language chosen
    personal_hook(company.users["manager"], receiver.url, language="en")
    Webhook.objects.create(name="销售群", platform="wecom", url=receiver.url)
    notify("payout_calculated", [company.users["rep"], company.users["manager"]], year=2026)
    delivery.deliver(list(Delivery.objects.values_list("pk", flat=True)))
    texts = sorted(r["body"]["markdown"]["content"] for r in receiver.received)
    assert len(texts) == 3
    assert sum("计算" in t for t in texts) == 2, texts  # the rep and the group
    assert sum("Results for 2026 are calculated" in t for t in texts) == 1, texts


def test_the_digest_holds_only_the_kinds_whose_email_is_switched_on(company, settings) -> None:
    """The digest replaces the single emails, so it carries what they would have: a kind
    whose email is off (the default) is not in it; with every email off there is none."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    r1, m1 = company.users["rep"], company.users["manager"]
    for user in (r1, m1):
        user.email = f"{user.username}@example.com"
        user.save()
    save_settings(r1, switches={("follow_up_due", "email"): True}, digest=True)
    save_settings(m1, switches={}, digest=True)  # the digest, but no email switched on
    notify("follow_up_due", [r1, m1], opportunity="A", message="call A")
    notify("behind_pace", [r1, m1], measure="revenue", who="R1", percent=80, day="2026-05")
    assert send_digests() == 1
    delivery.deliver([Delivery.objects.get(kind="digest").pk])
    assert [m.to for m in mail.outbox] == [["r1@example.com"]]
    assert "call A" in mail.outbox[0].body and "revenue" not in mail.outbox[0].body
    assert send_digests() == 0  # both were handled: nothing waits


def test_a_group_hears_nothing_when_nobody_was_notified(company) -> None:
    """The daily acknowledgement reminder for people who all have left (or have no
    login): nobody is notified, so no group chat is told "please acknowledge"."""
    Webhook.objects.create(name="销售群", platform="wecom", url="http://127.0.0.1:9/")
    assert notify("acknowledgement_due", [company.people["r2"]], year=2026, plan="P") == []
    assert not Delivery.objects.exists()
    notify("acknowledgement_due", [company.users["rep"]], year=2026, plan="P")
    assert Delivery.objects.filter(webhook__isnull=False).count() == 1


def _deliver_through_a_name(
    company: Any, receiver: Receiver, monkeypatch: Any, name: str, addresses: list[str]
) -> Delivery:
    """r1's personal webhook at the host ``name`` (the receiver's port), which resolves
    to ``addresses`` one after another and then to 127.0.0.1; one notice to r1, delivered.
    Its delivery, read again."""
    import socket

    real = socket.getaddrinfo
    answers = iter(addresses)

    def resolve(host: str, *args: Any, **kwargs: Any) -> Any:
        if host == name:
            return real(next(answers, "127.0.0.1"), *args, **kwargs)
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", resolve)
    r1 = company.users["rep"]
    port = receiver.url.split(":")[2].split("/")[0]
    personal_hook(r1, receiver.url.replace(f"127.0.0.1:{port}", f"{name}:{port}"))
    notify("follow_up_due", [r1], opportunity="x", message="y")
    delivery.deliver([Delivery.objects.get().pk])
    return Delivery.objects.get()


def test_a_personal_webhook_whose_name_leads_to_this_machine_is_not_sent(
    company, receiver, settings, monkeypatch
) -> None:
    """A host name (here one that resolves to 127.0.0.1, like localtest.me) passes the
    settings page, which sees only the name: the worker refuses to send to it."""
    settings.ATTAIN_PERSONAL_WEBHOOKS_ANYWHERE = False
    d = _deliver_through_a_name(company, receiver, monkeypatch, "robot.example", [])
    assert d.status != Status.SENT and "this machine" in d.last_error
    assert receiver.received == []


def test_only_the_allowed_address_on_this_machine_is_sent_to(company, receiver, settings) -> None:
    """`attain bench_notify` lets its workers reach its own receiver by naming its exact
    address: any other address on this machine stays refused (the workers also send
    whatever else is queued)."""
    settings.ATTAIN_PERSONAL_WEBHOOKS_ANYWHERE = False
    port = int(receiver.url.split(":")[2].split("/")[0])
    r1, r2 = company.users["rep"], company.users["manager"]
    personal_hook(r1, receiver.url)
    personal_hook(r2, receiver.url.replace(f":{port}/", f":{port + 1}/"))
    settings.ATTAIN_PERSONAL_WEBHOOKS_ALLOWED = {f"127.0.0.1:{port}"}
    notify("follow_up_due", [r1, r2], opportunity="x", message="y")
    delivery.deliver(list(Delivery.objects.values_list("pk", flat=True)))
    sent = Delivery.objects.get(notification__recipient=r1)
    refused = Delivery.objects.get(notification__recipient=r2)
    assert sent.status == Status.SENT
    assert refused.status != Status.SENT and "this machine" in refused.last_error
    assert len(receiver.received) == 1


def test_a_forced_password_reset_is_written_in_the_readers_language(company) -> None:
    """An English-speaking administrator resets a rep who reads Chinese: the email is
    the rep's, in Chinese (it was in the administrator's language)."""
    from django.utils import translation

    from attain.accounts.services import force_password_reset

    rep = company.users["rep"]
    rep.email = "r1@example.com"
    rep.save()
    Profile.objects.create(user=rep, language="zh-hans")
    with translation.override("en"):
        force_password_reset(company.users["admin"], rep, base_url="http://x")
    assert "设置新密码" in mail.outbox[-1].subject, mail.outbox[-1].subject
    assert "管理员" in mail.outbox[-1].body, mail.outbox[-1].body


def test_an_email_to_a_mail_server_that_never_answers_waits_only_the_timeout(
    company: object, fast_retries: None, settings: Any
) -> None:
    """A mail server that takes the connection and says nothing (a firewall, a stuck
    relay): the email waited for ever, past the claim's lease, so the sweep queued it for
    another worker (a duplicate once both got through) and the sending thread was lost.
    docs/operations.md: ATTAIN_NOTIFY_TIMEOUT_SECONDS is the longest wait for one webhook
    or mail server answer."""
    import socket
    import threading

    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)  # the kernel completes the connection; nobody ever answers
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", server.getsockname()[1]
    settings.EMAIL_USE_TLS = False
    outcome: list[str] = []
    message = channels.Message("标题", "正文")
    worker = threading.Thread(
        target=lambda: outcome.append(delivery._run(lambda: channels.send_email("a@x.cn", message)))
    )
    try:
        worker.start()
        worker.join(timeout=5)
        assert not worker.is_alive(), "the email is still waiting for the mail server"
    finally:
        server.close()  # lets a waiting thread end
        worker.join(timeout=5)
    assert "timed out" in outcome[0]


def test_a_name_that_resolves_elsewhere_once_checked_is_not_sent_to_this_machine(
    company: Any, receiver: Receiver, settings: Any, monkeypatch: Any
) -> None:
    """DNS rebinding: the name a login typed resolves to a public address when the worker
    checks it and to 127.0.0.1 (time to live 0) when the connection is opened. The check
    and the connection each asked the resolver, so the message went to this machine;
    the address actually connected to is what is checked now."""
    settings.ATTAIN_PERSONAL_WEBHOOKS_ANYWHERE = False
    # the first answer is public (TEST-NET-3), then local
    d = _deliver_through_a_name(company, receiver, monkeypatch, "rebind.example", ["203.0.113.7"])
    assert receiver.received == []
    assert d.status != Status.SENT and "this machine" in d.last_error


def test_a_claim_lasts_as_long_as_its_sends_can_take(company: Any, settings: Any) -> None:
    """A worker's claim kept its deliveries from the sweep (`attain notify retry`) for
    four timeouts and a minute, whatever their number: 100 deliveries (a task) to a
    webhook that answers only at the timeout, on fewer sending threads than that, were
    still being sent when the claim ran out, and the sweep gave the rest to another
    worker, which sent them again."""
    settings.ATTAIN_NOTIFY_TIMEOUT_SECONDS = 5
    settings.ATTAIN_NOTIFY_THREADS = 4
    for user in company.users.values():
        personal_hook(user, "https://robot.example/hook")
    users = list(company.users.values())
    for _ in range(17):
        notify("follow_up_due", users, opportunity="x", message="y")
    ids = list(Delivery.objects.values_list("pk", flat=True)[:100])
    assert len(ids) == 100
    now = timezone.now()
    claimed = delivery.claim(ids, now)
    assert len(claimed) == 100
    # each thread sends 25 in turn; each send may wait the timeout twice (a kept
    # connection the server closed is opened again once)
    slowest = datetime.timedelta(seconds=25 * 2 * 5)
    assert all(d.next_attempt is not None and d.next_attempt - now > slowest for d in claimed)
    assert requeue_due(now + slowest) == 0


def test_a_line_break_in_a_name_does_not_lose_the_email(company, settings) -> None:
    """A measure named in a spreadsheet cell with a line break (Alt+Enter) reached the
    email's subject: the mail library refuses a header with a line break (no header
    injection), so the email failed on every attempt and was lost. The subject is now
    one line; nothing is injected."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    r1 = company.users["rep"]
    r1.email = "r1@example.com"
    r1.save()
    save_settings(r1, switches={("behind_pace", "email"): True})
    measure = "Revenue\r\nBcc: evil@example.com"
    notify("behind_pace", [r1], measure=measure, who="R1", percent=80, day="2026-05-01")
    d = Delivery.objects.get(channel=Channel.EMAIL)
    assert delivery.deliver([d.pk]) == {"sent": 1, "retrying": 0, "failed": 0}
    (email,) = mail.outbox
    assert email.subject == "Behind pace on Revenue Bcc: evil@example.com"
    assert email.to == ["r1@example.com"] and not email.bcc
    assert "evil@example.com" not in email.message()["To"]


@pytest.mark.parametrize(
    ("language", "subject"),
    [("en", "Your Attain digest: 1 notification"), ("zh-hans", "Attain 每日汇总：1 条通知")],
)
def test_a_digest_of_one_reads_in_the_singular(company, settings, language, subject) -> None:
    """The digest's subject was "Your Attain digest: 1 notifications"."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    r1 = company.users["rep"]
    r1.email = "r1@example.com"
    r1.save()
    save_settings(r1, switches={("follow_up_due", "email"): True}, digest=True, language=language)
    notify("follow_up_due", [r1], opportunity="A", message="call A")
    assert send_digests() == 1
    delivery.deliver([Delivery.objects.get(kind="digest").pk])
    assert mail.outbox[0].subject == subject


def test_nothing_queued_for_a_login_disabled_since_is_sent(company, receiver) -> None:
    """A message queued before the login was disabled (someone who left) goes neither to
    their personal webhook nor to their mailbox; the deliveries page says why."""
    r1 = company.users["rep"]
    personal_hook(r1, receiver.url)
    notify("payout_calculated", [r1], year=2026)
    r1.is_active = False
    r1.save(update_fields=["is_active"])
    delivery.deliver(list(Delivery.objects.values_list("pk", flat=True)))
    assert receiver.received == [] and mail.outbox == []
    found = Delivery.objects.filter(notification__recipient=r1)
    assert found.exists() and all(d.last_error == "the login is disabled" for d in found)
    from django.utils import translation

    from attain.notify.errors import describe

    with translation.override("zh-hans"):
        assert describe("the login is disabled") == "该登录账号已停用"


def test_a_login_without_an_email_address_gets_no_email_to_fail(company, settings) -> None:
    """Email switched on (or the digest chosen) by someone without an address (a roster
    row with a blank 邮箱): nothing to send, so no delivery retried until it fails and is
    logged at ERROR for the administrators; the in-app notification stays."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    r1 = company.users["rep"]
    assert r1.email == "" and company.people["r1"].email == ""
    save_settings(r1, switches={("follow_up_due", "email"): True})
    notes = notify("follow_up_due", [r1], opportunity="A", message="call A")
    assert len(notes) == 1 and notes[0].read is None
    assert not Delivery.objects.exists()
    save_settings(r1, switches={("follow_up_due", "email"): True}, digest=True)
    notify("follow_up_due", [r1], opportunity="B", message="call B")
    assert send_digests() == 0
    assert not Delivery.objects.exists()
    # the person's email from HR is enough
    company.people["r1"].email = "r1@example.com"
    company.people["r1"].save()
    notify("follow_up_due", [r1], opportunity="C", message="call C")
    assert send_digests() == 1
    delivery.deliver(list(Delivery.objects.values_list("pk", flat=True)))
    assert mail.outbox[0].to == ["r1@example.com"] and "call C" in mail.outbox[0].body


def test_switching_the_digest_on_does_not_email_the_past_again(company, settings) -> None:
    """Someone who has had their emails one by one (or none) and then chooses the daily
    digest: the first digest held every notification they ever had, those already
    emailed among them, instead of what came since."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    r1 = company.users["rep"]
    r1.email = "r1@example.com"
    r1.save()
    save_settings(r1, switches={("follow_up_due", "email"): True})
    notify("follow_up_due", [r1], opportunity="A", message="call A")
    delivery.deliver(list(Delivery.objects.values_list("pk", flat=True)))
    assert len(mail.outbox) == 1 and "call A" in mail.outbox[0].body
    save_settings(r1, switches={("follow_up_due", "email"): True}, digest=True)
    assert send_digests() == 0  # nothing came since
    notify("follow_up_due", [r1], opportunity="B", message="call B")
    assert send_digests() == 1
    delivery.deliver([Delivery.objects.get(kind="digest").pk])
    assert len(mail.outbox) == 2
    assert "call B" in mail.outbox[1].body and "call A" not in mail.outbox[1].body


@pytest.mark.parametrize(
    ("language", "words"),
    [("en", "notification settings"), ("zh-hans", "通知设置")],
)
def test_an_email_says_where_to_stop_it(company, settings, language, words) -> None:
    """An email (one by one or the digest) ends with the recipient's notification
    settings page, in their language: there they switch it off (unsubscribe)."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.ATTAIN_BASE_URL = "https://attain.example.com/"
    r1 = company.users["rep"]
    r1.email = "r1@example.com"
    r1.save()
    save_settings(r1, switches={("follow_up_due", "email"): True}, language=language)
    notify("follow_up_due", [r1], opportunity="A", message="call A")
    save_settings(r1, switches={("follow_up_due", "email"): True}, digest=True)
    notify("follow_up_due", [r1], opportunity="B", message="call B")
    send_digests()
    delivery.deliver(list(Delivery.objects.values_list("pk", flat=True)))
    assert len(mail.outbox) == 2
    for sent in mail.outbox:
        last = sent.body.splitlines()[-1]
        assert words in last and last.endswith("https://attain.example.com/notifications/settings/")
    assert sorted("call A" in sent.body for sent in mail.outbox) == [False, True]


def test_a_chinese_digest_and_group_message_are_punctuated_the_chinese_way(
    company, settings, receiver
) -> None:
    """The digest's lines and a group's "people notified" were joined with an English
    colon and brackets whatever the language (• 标题: 正文)."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    r1 = company.users["rep"]
    r1.email = "r1@example.com"
    r1.save()
    save_settings(
        r1, switches={("acknowledgement_due", "email"): True}, language="zh-hans", digest=True
    )
    Webhook.objects.create(name="销售群", platform="wecom", url=receiver.url, language="zh-hans")
    notify("acknowledgement_due", [r1], year=2026, plan="P", published="2026-03-01")
    send_digests()
    delivery.deliver(list(Delivery.objects.values_list("pk", flat=True)))
    assert mail.outbox[0].body.startswith("• 请确认您 2026 年的目标：“P”")
    group = receiver.received[0]["body"]["markdown"]["content"]
    assert "（已通知人数：1）" in group, group


def test_a_webhook_address_with_chinese_in_it_is_sent_to(
    company, receiver, django_capture_on_commit_callbacks
) -> None:
    """The settings page takes an address with Chinese in its path or query (a robot's
    name pasted in): every message to it then failed as an unexpected error
    (UnicodeEncodeError), logged with its traceback and retried until failed. It is
    sent percent-encoded, as a browser would."""
    r1 = company.users["rep"]
    personal_hook(r1, receiver.url.rstrip("/") + "/机器人?key=k&name=销售群")
    with django_capture_on_commit_callbacks(execute=True):
        notify("follow_up_due", [r1], opportunity="Big deal", message="Call them")
    run_queue()
    assert Delivery.objects.get().status == Status.SENT, Delivery.objects.get().last_error
    assert receiver.received[0]["path"].endswith(
        "/%E6%9C%BA%E5%99%A8%E4%BA%BA?key=k&name=%E9%94%80%E5%94%AE%E7%BE%A4"
    )
