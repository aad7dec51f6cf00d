"""Login lockout, expiring and revocable API tokens, password reset (issue 11)."""

from __future__ import annotations

import datetime
import re

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import translation
from rest_framework.authtoken.models import Token

from attain.accounts.services import can_force_password_reset, force_password_reset
from attain.accounts.testing import LOGINS
from attain.audit.models import Action, AuditEvent
from attain.audit.selectors import history

ROLES = list(LOGINS)


def obtain(username: str, password: str, **extra) -> object:
    return Client().post("/api/auth/token/", {"username": username, "password": password}, **extra)


def token_for(role: str) -> str:
    response = obtain(*LOGINS[role])
    assert response.status_code == 200, response.content
    return response.json()["token"]


def me(token: str) -> int:
    return Client().get("/api/me/", HTTP_AUTHORIZATION=f"Token {token}").status_code


# --- lockout ------------------------------------------------------------------------


def test_sixty_wrong_passwords_then_the_right_one_is_refused(company):
    """Issue 11: 60 wrong passwords, then success. Now the fifth failure locks the
    username out from that address for 15 minutes, the right password included."""
    client = Client()
    for _ in range(60):
        client.post("/login/", {"username": "r1", "password": "wrong"})
    response = client.post("/login/", {"username": "r1", "password": "pw-r1-1"})
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    assert "15 minutes" in response.content.decode()
    assert response["Retry-After"] == "900"


def test_lockout_starts_at_the_configured_limit(company):
    client = Client()
    for _ in range(4):
        assert client.post("/login/", {"username": "r1", "password": "x"}).status_code == 200
    assert client.post("/login/", {"username": "r1", "password": "x"}).status_code == 429
    # The same username from another address, and another username, still sign in.
    other = Client(REMOTE_ADDR="10.0.0.9")
    assert other.post("/login/", {"username": "r1", "password": "pw-r1-1"}).status_code == 302
    assert client.post("/login/", {"username": "ops", "password": "pw-ops-1"}).status_code == 302


def test_lockout_page_is_translated(company):
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.cookies["django_language"] = "zh-hans"
    for _ in range(5):
        response = client.post("/login/", {"username": "r1", "password": "x"})
    assert response.status_code == 429
    assert "登录已锁定" in response.content.decode()


def test_a_success_before_the_limit_resets_the_count(company):
    client = Client()
    for _ in range(4):
        client.post("/login/", {"username": "r1", "password": "x"})
    assert client.post("/login/", {"username": "r1", "password": "pw-r1-1"}).status_code == 302
    client = Client()
    for _ in range(4):
        assert client.post("/login/", {"username": "r1", "password": "x"}).status_code == 200


def test_the_token_endpoint_shares_the_lockout(company):
    for _ in range(5):
        obtain("ops", "wrong")
    response = obtain("ops", "pw-ops-1")
    assert response.status_code == 429
    assert response.json()["error"]["code"] == "locked_out"
    assert Client().post("/login/", {"username": "ops", "password": "pw-ops-1"}).status_code == 429


def test_a_username_signs_in_whatever_its_case_or_width(company):
    """`R1` (caps lock), `ｒ１` (a Chinese input method's full width) are the login r1:
    they were refused as a wrong password."""
    for typed in ("R1", "ｒ１", " r1 "):
        client = Client()
        response = client.post("/login/", {"username": typed, "password": "pw-r1-1"})
        assert response.status_code == 302, typed
        assert client.session["_auth_user_id"] == str(company.users["rep"].pk)
    assert obtain("OPS", "pw-ops-1").status_code == 200


def test_failed_logins_count_against_the_login_whatever_the_case(company):
    """Five wrong passwords as R1, r1, ｒ１ … lock r1 out: before, each spelling had five
    tries of its own (an attacker's way round the lockout)."""
    client = Client()
    for typed in ("R1", "r1", "ｒ１", "R1"):
        assert client.post("/login/", {"username": typed, "password": "x"}).status_code == 200
    assert client.post("/login/", {"username": "r1", "password": "x"}).status_code == 429
    assert client.post("/login/", {"username": "r1", "password": "pw-r1-1"}).status_code == 429


def test_two_old_logins_differing_only_in_case_are_not_guessed(company):
    from attain.accounts.models import User

    User.objects.create_user(username="Twin", password="pw-twin-1")
    User.objects.create_user(username="twin", password="pw-twin-2")
    exact = {"username": "Twin", "password": "pw-twin-1"}
    assert Client().post("/login/", exact).status_code == 302
    assert Client().post("/login/", {**exact, "username": "TWIN"}).status_code == 200


def test_wrong_token_credentials_are_a_400(company):
    response = obtain("ops", "wrong")
    assert response.status_code == 400
    assert response.json()["error"]["fields"]["non_field_errors"]


# --- tokens -------------------------------------------------------------------------


def test_token_carries_its_expiry_and_is_reused_until_then(company):
    first = obtain("ops", "pw-ops-1").json()
    second = obtain("ops", "pw-ops-1").json()
    assert first["token"] == second["token"]
    expires = datetime.datetime.fromisoformat(first["expires"])
    created = Token.objects.get(key=first["token"]).created
    assert expires - created == datetime.timedelta(days=30)
    events = history(company.users["sales_ops"]).filter(action=Action.TOKEN_CREATED)
    assert events.count() == 1
    assert first["token"] not in str(events.get().after)


def test_delete_revokes_the_callers_token(company):
    """Issue 11: DELETE /api/auth/token/ was a 405. Now 204, and the token is dead."""
    token = token_for("rep")
    response = Client().delete("/api/auth/token/", HTTP_AUTHORIZATION=f"Token {token}")
    assert response.status_code == 204
    assert me(token) == 401
    assert history(company.users["rep"]).filter(action=Action.TOKEN_REVOKED).exists()
    assert obtain("r1", "pw-r1-1").json()["token"] != token


def test_an_expired_token_is_a_401_and_a_new_one_is_issued(company, settings):
    token = token_for("rep")
    Token.objects.filter(key=token).update(
        created=Token.objects.get(key=token).created - datetime.timedelta(days=31)
    )
    assert me(token) == 401
    fresh = token_for("rep")
    assert fresh != token
    assert me(fresh) == 200
    settings.ATTAIN_TOKEN_TTL = datetime.timedelta(days=40)
    assert me(fresh) == 200


def test_a_password_change_revokes_the_tokens(company):
    """Issue 11: tokens survived a password change."""
    token = token_for("manager")
    user = company.users["manager"]
    user.set_password("a-new-password-9")
    user.save()
    assert me(token) == 401
    assert not Token.objects.filter(user=user).exists()


def test_the_reason_a_password_change_revoked_the_tokens_is_translated(company):
    """The audit trail shows a system-written reason in the reader's language: this one
    stayed English in Chinese."""
    from django.utils import translation

    token_for("manager")
    user = company.users["manager"]
    user.set_password("a-new-password-9")
    user.save()
    [event] = [e for e in history(user) if e.action == Action.TOKEN_REVOKED]
    with translation.override("zh-hans"):
        assert translation.gettext(event.reason) == "密码已更改"


@pytest.mark.parametrize("fields", [None, ["is_active"]])
def test_disabling_a_login_revokes_its_tokens(company, fields):
    """A disabled login's token was refused, and worked again once the login was enabled
    again (an account re-enabled by mistake, or someone back from leave)."""
    from django.utils import translation

    token = token_for("manager")
    user = company.users["manager"]
    user.is_active = False
    user.save(update_fields=fields)
    user.is_active = True
    user.save(update_fields=fields)
    assert me(token) == 401
    assert not Token.objects.filter(user=user).exists()
    [event] = [e for e in history(user) if e.action == Action.TOKEN_REVOKED]
    with translation.override("zh-hans"):
        assert translation.gettext(event.reason) == "登录已停用"


def test_saving_a_user_without_a_new_password_keeps_the_token(company):
    token = token_for("manager")
    user = company.users["manager"]
    user.first_name = "Ming"
    user.save()
    assert me(token) == 200


def test_delete_without_a_token_is_a_401(company):
    assert Client().delete("/api/auth/token/").status_code == 401


# --- password reset -----------------------------------------------------------------


def _reset_link() -> str:
    match = re.search(r"https?://\S+/accounts/password-reset/\S+/\S+/", mail.outbox[-1].body)
    assert match, mail.outbox[-1].body
    return match.group(0)


def test_a_user_with_an_email_resets_their_password(company):
    user = company.users["rep"]
    user.email = "r1@example.com"
    user.save()
    token = token_for("rep")
    client = Client()
    assert client.get("/accounts/password-reset/").status_code == 200
    response = client.post("/accounts/password-reset/", {"email": "r1@example.com"})
    assert response.status_code == 302
    assert mail.outbox[-1].to == ["r1@example.com"]
    link = _reset_link().split("testserver", 1)[1]
    form = client.get(link, follow=True)
    assert form.status_code == 200
    response = client.post(
        form.redirect_chain[-1][0],
        {"new_password1": "Brand-new-pass-42", "new_password2": "Brand-new-pass-42"},
    )
    assert response.status_code == 302
    assert Client().login(username="r1", password="Brand-new-pass-42")
    assert me(token) == 401


def _password_events(user) -> list[AuditEvent]:
    return [e for e in history(user) if e.action == Action.UPDATE and "password" in (e.after or {})]


def test_an_administrator_setting_someones_password_is_audited(company, settings):
    """An administrator could set another login's password in Django admin (and sign in
    as it) without a trace in the audit trail: only the token revocation, when it had
    tokens, was recorded. Now who set whose password is, never the password."""
    settings.AXES_ENABLED = False
    target = company.users["rep"]
    client = Client()
    client.force_login(company.users["admin"])
    response = client.post(
        f"/admin/accounts/user/{target.pk}/password/",
        {
            "password1": "Chosen-by-admin-7",
            "password2": "Chosen-by-admin-7",
            "usable_password": "true",
        },
    )
    assert response.status_code == 302, response.content[:2000]
    assert Client().login(username="r1", password="Chosen-by-admin-7")
    [event] = _password_events(target)
    assert event.actor == company.users["admin"]
    target.refresh_from_db()
    assert target.password not in str(event.after) and "Chosen" not in str(event.after)
    from django.utils import translation

    with translation.override("zh-hans"):  # the trail shows the reason in the reader's
        assert translation.gettext(event.reason) == "在 Django 管理后台设置了密码"


def test_a_password_chosen_through_a_reset_link_is_audited(company):
    user = company.users["rep"]
    user.email = "r1@example.com"
    user.save()
    client = Client()
    client.post("/accounts/password-reset/", {"email": "r1@example.com"})
    form = client.get(_reset_link().split("testserver", 1)[1], follow=True)
    client.post(
        form.redirect_chain[-1][0],
        {"new_password1": "Brand-new-pass-42", "new_password2": "Brand-new-pass-42"},
    )
    [event] = _password_events(user)
    assert event.actor == user


def test_unknown_email_says_the_same_and_sends_nothing(company):
    response = Client().post("/accounts/password-reset/", {"email": "nobody@example.com"})
    assert response.status_code == 302
    assert mail.outbox == []


def test_reset_pages_are_translated(company):
    client = Client()
    client.cookies["django_language"] = "zh-hans"
    assert "重置密码" in client.get("/accounts/password-reset/").content.decode()
    assert "忘记密码" in client.get("/login/").content.decode()


def test_reset_password_command_forces_a_reset(company, capsys):
    token = token_for("finance")
    call_command("reset_password", "fin", "--base-url", "https://attain.example.com")
    out = capsys.readouterr().out
    assert "https://attain.example.com/accounts/password-reset/" in out
    user = company.users["finance"]
    user.refresh_from_db()
    assert not user.has_usable_password()
    assert me(token) == 401
    assert history(user).filter(action=Action.PASSWORD_RESET).exists()


@pytest.mark.parametrize("address", ["attain.example.com", "notaurl", "ftp://attain.example.com"])
def test_reset_password_command_refuses_a_base_url_that_is_no_address(company, address):
    """A typo in --base-url made the password unusable and mailed a dead link."""
    with pytest.raises(CommandError, match="not an address"):
        call_command("reset_password", "fin", "--base-url", address)
    user = company.users["finance"]
    user.refresh_from_db()
    assert user.has_usable_password()
    assert not history(user).filter(action=Action.PASSWORD_RESET).exists()


def test_admin_action_emails_the_reset_link(company):
    user = company.users["executive"]
    user.email = "exec@example.com"
    user.save()
    client = Client()
    client.force_login(company.users["admin"])
    response = client.post(
        "/admin/accounts/user/",
        {"action": "force_password_reset", "_selected_action": [user.pk]},
    )
    assert response.status_code == 302
    assert mail.outbox[-1].to == ["exec@example.com"]
    user.refresh_from_db()
    assert not user.has_usable_password()


@pytest.mark.parametrize("role", ROLES)
def test_only_admins_force_a_reset(company, role):
    target = company.users["rep"]
    actor = company.users[role]
    assert can_force_password_reset(actor) == (role == "admin")
    if role == "admin":
        force_password_reset(actor, target, base_url="http://x")
    else:
        with pytest.raises(PermissionDenied):
            force_password_reset(actor, target, base_url="http://x")
    assert not can_force_password_reset(AnonymousUser())


@pytest.mark.parametrize("role", ROLES)
def test_every_role_obtains_and_revokes_its_own_token(company, role):
    token = token_for(role)
    assert me(token) == 200
    assert (
        Client().delete("/api/auth/token/", HTTP_AUTHORIZATION=f"Token {token}").status_code == 204
    )
    assert me(token) == 401


@pytest.mark.parametrize("role", ROLES)
def test_revoking_touches_only_the_callers_token(company, role):
    others = {r: token_for(r) for r in ROLES if r != role}
    client = Client()
    client.force_login(company.users[role])
    assert client.delete("/api/auth/token/").status_code == 204
    assert all(me(token) == 200 for token in others.values())


def test_lockout_events_are_in_the_audit_trail(company):
    for _ in range(3):
        obtain("exec", "nope")
    assert AuditEvent.objects.filter(action=Action.LOGIN_FAILED).count() == 3


def test_reset_password_links_point_at_the_base_url_and_take_many_logins(company, capsys, settings):
    """Invitations of a 2,000-person import expire after a day: the fresh ones, for many
    logins at once, must point where people reach Attain (ATTAIN_BASE_URL), not at
    127.0.0.1:8000."""
    settings.ATTAIN_BASE_URL = "https://attain.acme.cn"
    with pytest.raises(CommandError, match="'nobody'"):
        call_command("reset_password", "fin", "nobody")
    assert company.users["finance"].has_usable_password()  # nothing reset
    call_command("reset_password", "fin", "exec")
    out = capsys.readouterr().out
    assert out.count("https://attain.acme.cn/accounts/password-reset/") == 2
    assert "127.0.0.1" not in out


def _closed_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])  # closed again: a connection is refused


def _force_reset_in_chinese(company, users):
    """The administrator, reading Chinese, forces a password reset of ``users`` (each
    given an e-mail address first) from the admin's user list; the page after."""
    for user in users:
        user.email = f"{user.username}@example.com"
        user.save()
    client = Client()
    client.force_login(company.users["admin"])
    client.cookies["django_language"] = "zh-hans"
    return client.post(
        "/admin/accounts/user/",
        {"action": "force_password_reset", "_selected_action": [u.pk for u in users]},
        follow=True,
    )


def test_a_reset_while_the_mail_server_is_down_hands_over_the_links(company, settings, capsys):
    """The documented way to resend invitations the mail server did not take (Force a
    password reset) was a server error while the server was still down: the first login's
    password was already unusable, its link lost, the other logins untouched."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", _closed_port()
    settings.EMAIL_USE_TLS = False
    users = [company.users["executive"], company.users["finance"]]
    response = _force_reset_in_chinese(company, users)
    assert response.status_code == 200
    page = response.content.decode()
    assert page.count("/accounts/password-reset/") == 2
    assert "邮件未能发出" in page
    for user in users:
        user.refresh_from_db()
        assert not user.has_usable_password()
    # the command speaks the active language (the Chinese page above left zh-hans on)
    call_command("reset_password", "fin")
    out = capsys.readouterr().out
    assert "邮件未发出" in out and "/accounts/password-reset/" in out
    with translation.override("en"):
        call_command("reset_password", "fin")
    out = capsys.readouterr().out
    assert "not emailed" in out and "/accounts/password-reset/" in out


def test_the_mail_server_is_waited_for_a_bounded_time():
    """Django waits for the mail server without a timeout unless told: one that takes the
    connection and never answers held a password reset or an invitation (and the
    administrator's request) for ever."""
    from django.conf import settings
    from django.core.mail import get_connection

    assert settings.EMAIL_TIMEOUT and settings.EMAIL_TIMEOUT > 0
    smtp = get_connection("django.core.mail.backends.smtp.EmailBackend")
    assert smtp.timeout == settings.EMAIL_TIMEOUT


def test_a_one_minute_lockout_says_one_minute(company, settings):
    """ATTAIN_LOGIN_LOCKOUT_MINUTES=1 locked people out "for 1 minutes"."""
    from django.utils import translation

    from attain.accounts.lockout import lockout_message

    settings.AXES_COOLOFF_TIME = datetime.timedelta(minutes=1)
    assert "Try again in 1 minute, or reset your password." in lockout_message()
    with translation.override("zh-hans"):
        assert "请在 1 分钟后重试" in lockout_message()
    settings.AXES_COOLOFF_TIME = datetime.timedelta(minutes=15)
    assert "Try again in 15 minutes, or reset your password." in lockout_message()


# ATTAIN_PASSWORD_LOGIN=admins: only administrators keep a password; everyone else signs in
# through single sign-on, so no path sends them a link to set one.


@pytest.mark.parametrize("role", ROLES)
def test_no_set_password_link_for_single_sign_on_logins_from_the_service(company, settings, role):
    settings.ATTAIN_PASSWORD_LOGIN = "admins"
    target = company.users[role]
    target.email = f"{target.username}@example.com"
    target.save()
    if role == "admin":
        assert "/accounts/password-reset/" in force_password_reset(
            None, target, base_url="http://x"
        )
        assert len(mail.outbox) == 1
        return
    with pytest.raises(ValidationError) as refused:
        force_password_reset(None, target, base_url="http://x")
    assert "single sign-on" in " ".join(refused.value.messages)
    assert target.username in " ".join(refused.value.messages)
    target.refresh_from_db()
    assert target.has_usable_password()  # nothing changed, nothing sent, nothing audited
    assert mail.outbox == []
    assert not history(target).filter(action=Action.PASSWORD_RESET).exists()


def test_reset_password_command_refuses_single_sign_on_logins(company, settings, capsys):
    settings.ATTAIN_PASSWORD_LOGIN = "admins"
    with pytest.raises(CommandError, match="single sign-on") as refused:
        call_command("reset_password", "admin", "fin")
    assert "fin" in str(refused.value)
    for role in ("admin", "finance"):  # all or nothing, as for an unknown name
        assert company.users[role].has_usable_password()
    assert mail.outbox == []
    call_command("reset_password", "admin")  # an administrator's still works
    assert "/accounts/password-reset/" in capsys.readouterr().out
    settings.ATTAIN_PASSWORD_LOGIN = "all"
    call_command("reset_password", "fin")
    assert "/accounts/password-reset/" in capsys.readouterr().out


def test_admin_action_refuses_single_sign_on_logins_in_chinese(company, settings):
    settings.ATTAIN_PASSWORD_LOGIN = "admins"
    from attain.accounts.models import Role, User

    second = User.objects.create_user(username="admin2", role=Role.ADMIN, password="pw-admin-2")
    users = [company.users["executive"], second]
    response = _force_reset_in_chinese(company, users)
    page = response.content.decode()
    assert "单点登录" in page and "exec" in page
    assert [m.to for m in mail.outbox] == [["admin2@example.com"]]
    users[0].refresh_from_db()
    assert users[0].has_usable_password()


@pytest.mark.parametrize("role", ROLES)
def test_forgot_password_sends_no_link_to_single_sign_on_logins(company, settings, role):
    settings.ATTAIN_PASSWORD_LOGIN = "admins"
    target = company.users[role]
    target.email = "someone@example.com"
    target.save()
    client = Client()
    client.cookies["django_language"] = "zh-hans"
    form = client.get("/accounts/password-reset/").content.decode()
    assert "单点登录" in form  # the page says who may still reset a password
    response = client.post("/accounts/password-reset/", {"email": "someone@example.com"})
    assert response.status_code == 302  # the same answer as for an unknown address
    assert len(mail.outbox) == (1 if role == "admin" else 0)
    settings.ATTAIN_PASSWORD_LOGIN = "all"
    client.post("/accounts/password-reset/", {"email": "someone@example.com"})
    assert len(mail.outbox) == (2 if role == "admin" else 1)


def test_a_superuser_is_an_administrator_who_keeps_a_password(company, settings):
    """``createsuperuser`` makes a login with the default role (rep) and the superuser
    flag, which every page reads as an administrator; with ATTAIN_PASSWORD_LOGIN=admins
    it kept no way in (password refused, no reset link) where the docs promise that
    administrators still sign in with a password."""
    from attain.accounts.models import User

    settings.ATTAIN_PASSWORD_LOGIN = "admins"
    User.objects.create_superuser("root", "root@example.com", "pw-root-1")
    response = Client().post("/login/", {"username": "root", "password": "pw-root-1"})
    assert response.status_code == 302 and response["Location"] == "/"
    Client().post("/accounts/password-reset/", {"email": "root@example.com"})
    assert [m.to for m in mail.outbox] == [["root@example.com"]]
