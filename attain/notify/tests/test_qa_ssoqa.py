"""QA (ssoqa): being told things."""

from __future__ import annotations

from typing import Any

from attain.notify.models import Delivery, Status, Webhook
from attain.web.testing import page_text


def test_a_group_webhooks_delivery_is_not_called_a_personal_one(client: Any, company: Any) -> None:
    """The deliveries page listed a group robot's message as "销售群 · 个人机器人 Webhook"
    (personal robot webhook): an administrator looked for a person's settings."""
    hook = Webhook.objects.create(name="销售群", platform="dingtalk", url="http://127.0.0.1:9/x")
    Delivery.objects.create(
        channel="webhook", webhook=hook, kind="test", status=Status.FAILED, attempts=5
    )
    client.force_login(company.users["admin"])
    text = page_text(
        client.get("/notifications/deliveries/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    )
    assert "销售群 · 群机器人 Webhook" in text
    assert "个人机器人" not in text
