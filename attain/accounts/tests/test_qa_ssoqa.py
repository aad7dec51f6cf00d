"""QA (ssoqa): signing in and being told things."""

from __future__ import annotations

from typing import Any

from django.core import mail
from django.test import Client

from attain.notify.models import Profile


def test_a_reset_email_is_in_the_logins_language_not_the_browsers(company: Any) -> None:
    """The reset email goes to the login's address and is read there: in the language the
    login chose (as a forced reset's and every notification), not in the language of the
    browser that asked for it (a shared English computer, a colleague's)."""
    user = company.users["rep"]
    user.email = "r1@example.com"
    user.save()
    Profile.objects.create(user=user, language="zh-hans")
    answer = Client(HTTP_ACCEPT_LANGUAGE="en").post(
        "/accounts/password-reset/", {"email": "r1@example.com"}
    )
    assert answer.status_code == 302
    [email] = mail.outbox
    assert email.subject == "Attain：设置新密码"
    assert "请在此设置新密码" in email.body
