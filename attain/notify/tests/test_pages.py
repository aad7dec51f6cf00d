"""The bell, the inbox, settings and the deliveries page; the API; who sees what."""

from __future__ import annotations

import html
import re

import pytest
from rest_framework.test import APIClient

from attain.conftest import page_statuses, statuses_of
from attain.notify.models import Delivery, Notification, Preference, Profile, Status, Webhook
from attain.notify.services import notify
from attain.web.testing import page_text

pytestmark = pytest.mark.django_db

ACCESS = """
    action        admin sales_ops finance executive manager rep anonymous
    inbox         Y     Y         Y       Y         Y       Y   -
    settings      Y     Y         Y       Y         Y       Y   -
    deliveries    Y     Y         -       -         -       -   -
    test_webhook  Y     -         -       -         -       -   -
"""


def test_inbox_shows_only_ones_own_with_the_unread_count(client, company) -> None:
    r1, m1 = company.users["rep"], company.users["manager"]
    notify("follow_up_due", [r1], opportunity="Mine", message="call mine")
    notify("follow_up_due", [m1], opportunity="Theirs", message="call theirs")
    client.force_login(r1)
    page = client.get("/notifications/").content.decode()
    assert "call mine" in page and "call theirs" not in page
    assert 'title="unread notifications">1<' in page  # the bell in the navigation


def test_marking_read(client, company) -> None:
    r1, m1 = company.users["rep"], company.users["manager"]
    mine = notify("follow_up_due", [r1], opportunity="a")[0]
    theirs = notify("follow_up_due", [m1], opportunity="b")[0]
    client.force_login(r1)
    assert client.post("/notifications/read/", {"id": theirs.pk}).status_code == 404
    assert client.post("/notifications/read/", {"id": "x"}).status_code == 404
    # digits to str.isdigit() but no number to int(): a 404, not a server error
    assert client.post("/notifications/read/", {"id": "²"}).status_code == 404
    assert client.post("/notifications/read/", {"id": "9" * 30}).status_code == 404
    assert client.post("/notifications/read/", {"id": mine.pk}).status_code == 302
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert mine.read is not None and theirs.read is None
    notify("follow_up_due", [r1], opportunity="c")
    client.post("/notifications/read/")
    assert not Notification.objects.filter(recipient=r1, read__isnull=True).exists()


def test_the_page_speaks_the_readers_language(client, company) -> None:
    r1 = company.users["rep"]
    notify("payout_calculated", [r1], year=2026)
    client.force_login(r1)
    client.cookies["django_language"] = "zh-hans"
    page = client.get("/notifications/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "2026" in page and "Results for 2026 are calculated" not in page


def test_saving_settings(client, company) -> None:
    r1 = company.users["rep"]
    client.force_login(r1)
    assert client.get("/notifications/settings/").status_code == 200
    data = {
        "language": "zh-hans",
        "digest": "on",
        "webhook_platform": "feishu",
        "webhook_url": "https://open.feishu.cn/open-apis/bot/v2/hook/x",
        "webhook_secret": "s",
        "behind_pace__email": "on",
        "behind_pace__in_app": "on",
    }
    assert client.post("/notifications/settings/", data).status_code == 302
    profile = Profile.objects.get(user=r1)
    assert profile.language == "zh-hans" and profile.digest and profile.webhook_platform == "feishu"
    assert Preference.objects.get(user=r1, kind="behind_pace", channel="email").enabled
    assert not Preference.objects.get(user=r1, kind="follow_up_due", channel="in_app").enabled
    # a URL without its platform is refused on the field
    data["webhook_platform"] = ""
    response = client.post("/notifications/settings/", data)
    assert response.status_code == 200 and "Choose the platform" in response.content.decode()


@pytest.mark.parametrize("action", ["inbox", "settings", "deliveries"])
def test_who_opens_which_page(client, company, action) -> None:
    url = {
        "inbox": "/notifications/",
        "settings": "/notifications/settings/",
        "deliveries": "/notifications/deliveries/",
    }[action]
    assert statuses_of(client, company, url) == page_statuses(ACCESS, action)
    client.logout()
    assert client.get(url).status_code == 302  # to the login page


def test_sending_a_test_message_is_for_administrators(client, company) -> None:
    hook = Webhook.objects.create(name="g", platform="wecom", url="http://127.0.0.1:9/x")
    expected = {
        role: (302 if code == 200 else code)
        for role, code in page_statuses(ACCESS, "test_webhook").items()
    }
    found = {}
    for role, user in company.users.items():
        client.force_login(user)
        found[role] = client.post(f"/notifications/webhooks/{hook.pk}/test/").status_code
    assert found == expected
    assert Delivery.objects.filter(webhook=hook, kind="test").count() == 1


def _failed_delivery(error: str) -> Delivery:
    """A test message to a DingTalk webhook that failed five times with ``error``."""
    hook = Webhook.objects.create(name="销售群", platform="dingtalk", url="http://127.0.0.1:9/x")
    return Delivery.objects.create(
        channel="webhook",
        webhook=hook,
        kind="test",
        status=Status.FAILED,
        attempts=5,
        last_error=error,
    )


def test_failed_deliveries_are_listed_for_administrators(client, company) -> None:
    _failed_delivery("HTTP 500 system busy")
    client.force_login(company.users["admin"])
    page = client.get("/notifications/deliveries/?status=failed").content.decode()
    assert "HTTP 500 system busy" in page and "销售群" in page


def test_the_group_webhooks_table_has_column_headers(client, company) -> None:
    """The group webhooks were a table of bare cells (and, without any, a table holding
    only "No group webhooks."): a screen reader could not say which column was which."""
    client.force_login(company.users["admin"])
    page = client.get("/notifications/deliveries/").content.decode()
    section = page[page.index("Group webhooks") :]
    assert "<table" not in section and "No group webhooks." in section
    Webhook.objects.create(name="销售群", platform="dingtalk", url="http://127.0.0.1:9/x")
    page = client.get("/notifications/deliveries/", headers={"accept-language": "zh-hans"})
    html = page.content.decode()
    table = html[html.rindex("<table") :]  # the last table: the group webhooks'
    table = table[: table.index("</table>")]
    assert "<th>名称</th><th>平台</th>" in table and "销售群" in table


def test_a_failed_digest_names_whose_it_is(client, company) -> None:
    """A digest (no notification, no group) was listed with an empty recipient: the
    administrator saw "no email address" and could not tell whose address to add."""
    r1 = company.users["rep"]
    Delivery.objects.create(
        channel="email",
        kind="digest",
        params={"user": r1.pk, "notifications": []},
        status=Status.FAILED,
        attempts=5,
        last_error="no email address",
    )
    client.force_login(company.users["admin"])
    page = client.get("/notifications/deliveries/?status=failed").content.decode()
    row = next(line for line in page.splitlines() if " · " in line and "<td>" in line)
    assert f"<td>{r1} · " in row


@pytest.mark.parametrize(("language", "label"), [("en", "Daily digest"), ("zh-hans", "每日汇总")])
def test_a_digest_is_named_in_the_readers_language(client, company, language, label) -> None:
    """A digest's row gave its kind as the code "digest", in English and in Chinese."""
    Delivery.objects.create(
        channel="email", kind="digest", params={"user": company.users["rep"].pk}
    )
    client.force_login(company.users["admin"])
    page = client.get("/notifications/deliveries/", HTTP_ACCEPT_LANGUAGE=language)
    assert f"<td>{label}</td>" in page.content.decode()
    assert "<td>digest</td>" not in page.content.decode()


def test_api_lists_only_the_callers_notifications(company) -> None:
    r1, m1 = company.users["rep"], company.users["manager"]
    mine = notify("follow_up_due", [r1], opportunity="Mine", message="m")[0]
    theirs = notify("follow_up_due", [m1], opportunity="Theirs", message="t")[0]
    api = APIClient()
    api.force_authenticate(r1)
    rows = api.get("/api/notifications/").json()["results"]
    assert [row["id"] for row in rows] == [mine.pk]
    assert rows[0]["title"] == "Follow up: Mine" and rows[0]["link"] == "/crm/reminders/"
    answer = api.post("/api/notifications/read/", {"ids": [theirs.pk, mine.pk]}, format="json")
    assert answer.status_code == 200 and answer.json() == {"marked": 1}
    assert api.post("/api/notifications/read/", {"ids": ["x"]}, format="json").status_code == 400
    assert api.post("/api/notifications/read/", 0, format="json").status_code == 400
    assert api.post("/api/notifications/read/", {"ids": [1]}).status_code == 415  # not JSON
    assert APIClient().get("/api/notifications/").status_code == 401


@pytest.mark.parametrize(
    ("url", "allowed"),
    [
        ("https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k", True),
        ("http://10.1.2.3/hook", True),  # a chat platform inside the company's network
        ("http://127.0.0.1:5432/", False),
        ("http://localhost:8000/admin/", False),
        ("http://169.254.169.254/latest/meta-data/", False),
        ("http://[::1]/", False),
        ("http://[::ffff:127.0.0.1]/", False),
        ("http://0.0.0.0/", False),
    ],
)
def test_a_personal_webhook_cannot_point_at_the_server_itself(
    client, company, url, allowed
) -> None:
    """Any login (a rep) sets a personal webhook the worker then posts to: not to the
    server's own ports nor to a cloud's metadata address."""
    client.force_login(company.users["rep"])
    data = {"webhook_platform": "wecom", "webhook_url": url}
    response = client.post("/notifications/settings/", data, HTTP_ACCEPT_LANGUAGE="zh-hans")
    saved = Profile.objects.filter(user=company.users["rep"], webhook_url=url).exists()
    assert saved == allowed
    if not allowed:
        assert "而不是本服务器自己的地址" in response.content.decode()


def test_amounts_counts_and_table_names_are_written_in_the_readers_language() -> None:
    """A resolved dispute's adjustment (1234567.5), an import's row counts (1234567) and
    its table ("orders") reached a Chinese reader as stored."""
    from django.utils import translation

    from attain.notify.kinds import render

    with translation.override("zh-hans"):
        _title, resolved = render(
            "dispute_resolved",
            {"number": 3, "amount": "1234567.5", "paid_in": "2026-Q4", "reason": "ok"},
        )
        _title, imported = render(
            "import_finished",
            {"file": "a.csv", "table": "orders", "written": 1234567, "rejected": 0},
        )
        _title, failed = render("import_failed", {"file": "a.csv"})  # an older row
    assert "1,234,567.50" in resolved
    assert "1,234,567 行" in imported and "orders" not in imported and "订单" in imported
    assert "None" not in failed


@pytest.mark.parametrize("url", ["ftp://robot.example.cn/hook", "ftps://robot.example.cn/hook"])
def test_a_personal_webhook_is_an_http_address(client, company, url) -> None:
    """ftp:// passed the settings page (a URL to Django): every message to it then failed
    in the worker ("must start with http:// or https://"), which the login never sees."""
    client.force_login(company.users["rep"])
    data = {"webhook_platform": "wecom", "webhook_url": url}
    response = client.post("/notifications/settings/", data, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert not Profile.objects.filter(user=company.users["rep"], webhook_url=url).exists()
    assert "Webhook 地址须以 https:// 或 http:// 开头" in response.content.decode()


@pytest.mark.parametrize(
    ("stored", "shown"),
    [
        ("no email address", "没有邮箱地址"),
        ("no personal webhook set", "未设置个人 Webhook"),
        ("HTTP 500 system busy", "服务器返回 HTTP 500 system busy"),
        ("errcode 310000: sign not match", "平台拒绝了该消息（errcode 310000: sign not match）"),
        (
            "the answer is not the platform's (no errcode or code in it)",
            "应答不是平台的（其中没有 errcode 或 code）：可能是代理或登录页面作了应答",
        ),
        ("TimeoutError: timed out", "等待应答超时（TimeoutError）"),
        (
            "ConnectionRefusedError: [Errno 111] Connection refused",
            "连接被拒绝（ConnectionRefusedError: [Errno 111] Connection refused）",
        ),
        (
            "the webhook's host 10.0.0.1 is this machine or a reserved address",
            "Webhook 的主机 10.0.0.1 是本机或保留地址",
        ),
        ("the webhook URL must start with http:// or https://", "Webhook 地址须以"),
        (
            "RemoteDisconnected: Remote end closed connection without response",
            "连接被关闭（RemoteDisconnected: Remote end closed",
        ),
        (
            "SMTPAuthenticationError: (535, b'bad')",
            "发送失败：SMTPAuthenticationError: (535, b'bad')",
        ),
    ],
)
def test_delivery_errors_are_shown_in_the_readers_language(client, company, stored, shown) -> None:
    """The deliveries page of a Chinese administrator gave each failure's reason, and
    its kind, in English (as the worker wrote them down)."""
    _failed_delivery(stored)
    client.force_login(company.users["admin"])
    client.cookies["django_language"] = "zh-hans"
    page = html.unescape(client.get("/notifications/deliveries/").content.decode())
    assert shown in page
    assert "<td>test</td>" not in page  # the kind by its label


@pytest.mark.parametrize(
    ("language", "written"),
    [
        ("en", r"\d\d/\d\d/\d{4} (\d{1,2}(:\d\d)? [ap]\.m\.|noon|midnight)"),
        ("zh-hans", r"\d{4}年\d{1,2}月\d{1,2}日 \d\d:\d\d"),
    ],
)
def test_the_inbox_times_are_in_the_readers_format(client, company, language, written) -> None:
    import re

    notify("targets_published", [company.users["rep"]], year=2026, plan="P")
    client.force_login(company.users["rep"])
    page = client.get("/notifications/", HTTP_ACCEPT_LANGUAGE=language).content.decode()
    text = page_text(page)
    assert re.search(written, text) and not re.search(r"\d{4}-\d\d-\d\d \d\d:\d\d", text)


@pytest.mark.parametrize("url", ["ftp://robot.example.cn/hook", "ftps://robot.example.cn/hook"])
def test_a_group_webhook_is_an_http_address(client, company, url) -> None:
    """The admin's group webhook took ftp:// (Django's URLField allows it) while the worker
    refuses anything but http(s): every event to that group failed after five attempts."""
    client.force_login(company.users["admin"])
    data = {"name": "Sales group", "platform": "wecom", "url": url, "active": "on"}
    response = client.post("/admin/notify/webhook/add/", data, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 200  # the form again, with the error
    assert not Webhook.objects.filter(url=url).exists()
    assert "Webhook 地址须以 https:// 或 http:// 开头" in response.content.decode()


def test_a_group_webhook_with_an_https_address_is_saved(client, company) -> None:
    client.force_login(company.users["admin"])
    url = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k"
    data = {"name": "Sales group", "platform": "wecom", "url": url, "active": "on"}
    response = client.post("/admin/notify/webhook/add/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Webhook.objects.filter(url=url).exists()


@pytest.mark.parametrize(
    ("language", "words"), [("en", "no email address for you"), ("zh-hans", "没有您的邮箱")]
)
def test_the_settings_say_when_emails_cannot_reach_the_login(
    client, company, language, words
) -> None:
    """A login without an email address (a roster row with a blank 邮箱) switching email
    on is sent none: the page says so, rather than letting the switch look like it works."""
    r1 = company.users["rep"]
    client.force_login(r1)
    client.cookies["django_language"] = language
    assert words in page_text(client.get("/notifications/settings/").content)
    company.people["r1"].email = "r1@example.com"
    company.people["r1"].save()
    assert words not in page_text(client.get("/notifications/settings/").content)


KEY = "0b7e1c9a-5f43-4e1b-9d2a-feedc0ffee42"


def test_a_webhook_key_is_not_written_in_the_audit_trail(client, company) -> None:
    """WeCom has no signing secret: the key in a robot's URL is the secret (docs say the
    secret is not audited). A rep's personal robot and the administrator's group robot
    were written whole into the trail, which sales operations read: they could post as
    either robot. The trail shows where it points and that it changed, not the key."""
    from attain.audit.models import AuditEvent

    url = f"https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key={KEY}"
    client.force_login(company.users["rep"])
    data = {"webhook_platform": "wecom", "webhook_url": url}
    assert client.post("/notifications/settings/", data).status_code == 302
    client.force_login(company.users["admin"])
    data = {"name": "Sales group", "platform": "wecom", "url": url, "active": "on"}
    assert client.post("/admin/notify/webhook/add/", data).status_code == 302
    hook = Webhook.objects.get(name="Sales group")
    data["url"] = url.replace("key=", "key=x")  # a new key: the change is still recorded
    assert client.post(f"/admin/notify/webhook/{hook.pk}/change/", data).status_code == 302
    events = list(AuditEvent.objects.filter(action__in=["create", "update"]))
    written = " ".join(f"{e.before} {e.after}" for e in events)
    assert "qyapi.weixin.qq.com" in written
    assert KEY not in written
    changed = [e for e in events if e.object_repr.startswith("Sales group") and e.before]
    assert changed and changed[-1].before["url"] != changed[-1].after["url"]
    client.force_login(company.users["sales_ops"])
    assert KEY not in client.get("/api/audit/?page_size=1000").content.decode()


@pytest.mark.parametrize(
    ("language", "name"), [("en", "Targets published · Email"), ("zh-hans", "目标已发布 · 邮箱")]
)
def test_each_switch_of_the_settings_is_named_for_screen_readers(
    client, company, language, name
) -> None:
    """The table's boxes had no label: a screen reader read "checkbox, checked" 24 times."""
    client.force_login(company.users["rep"])
    page = client.get("/notifications/settings/", HTTP_ACCEPT_LANGUAGE=language).content.decode()
    boxes = re.findall(r'<input type="checkbox" name="\w+__\w+"[^>]*>', page)
    assert boxes and all("aria-label=" in box for box in boxes), boxes[:2]
    assert f'aria-label="{html.escape(name)}"' in page


@pytest.mark.parametrize("url", ["http://127.1/", "http://0x7f000001/", "https://robot/"])
def test_an_invalid_http_address_is_not_told_to_start_with_http(client, company, url) -> None:
    """An address that starts with http:// but is no valid URL was told both "Enter a
    valid URL" and "A webhook address starts with https:// or http://": the second is
    false for it. Only the first is said."""
    client.force_login(company.users["rep"])
    data = {"webhook_platform": "wecom", "webhook_url": url}
    page = client.post("/notifications/settings/", data, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert "请输入合法的URL" in page.content.decode()
    assert "开头" not in page.content.decode()
    client.force_login(company.users["admin"])
    data = {"name": "Sales group", "platform": "wecom", "url": url, "active": "on"}
    page = client.post("/admin/notify/webhook/add/", data, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert "开头" not in page.content.decode() and not Webhook.objects.filter(url=url).exists()


def test_the_inbox_link_says_open_the_page_in_chinese(client, company) -> None:
    """The link beside each notification ("Open", a verb) read 待处理 ("pending", the
    status of the same English word) in Chinese."""
    notify("follow_up_due", [company.users["rep"]], opportunity="a")
    client.force_login(company.users["rep"])
    page = client.get("/notifications/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert ">打开</a>" in page and ">待处理</a>" not in page
    page = client.get("/notifications/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert ">Open</a>" in page


def test_a_group_webhook_offers_the_kinds_for_groups_to_tick(client, company) -> None:
    """The kinds a group webhook takes were a JSON text box: an administrator typed
    ["targets_published"] (a typo, and the group silently heard nothing). Now each kind a
    group may carry is a check box with its label; a kind for no group is refused."""
    client.force_login(company.users["admin"])
    page = client.get("/admin/notify/webhook/add/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    body = page.content.decode()
    assert 'type="checkbox" name="kinds" value="targets_published"' in body
    assert 'value="behind_pace"' not in body and "<textarea" not in body
    url = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k"
    data = {"name": "Sales group", "platform": "wecom", "url": url, "active": "on"}
    chosen = {**data, "kinds": ["targets_published", "payout_calculated"]}
    assert client.post("/admin/notify/webhook/add/", chosen).status_code == 302
    hook = Webhook.objects.get()
    assert hook.kinds == ["targets_published", "payout_calculated"]
    page = client.get(f"/admin/notify/webhook/{hook.pk}/change/").content.decode()
    assert 'value="payout_calculated" id="id_kinds_' in page and "checked" in page
    bad = client.post("/admin/notify/webhook/add/", {**data, "name": "B", "kinds": ["behind_pace"]})
    assert bad.status_code == 200 and not Webhook.objects.filter(name="B").exists()
