"""Single sign-on, end to end: Attain (mozilla-django-oidc) against a real OpenID Connect
provider (django-oauth-toolkit) served by the same live server, no network.

The "browser" is a ``requests`` session that follows every redirect of the
authorization-code flow: Attain's button → the provider's authorize endpoint → the
provider's sign-in → back to Attain's callback, which exchanges the code (with the PKCE
verifier) at the provider's token endpoint, checks the RS256 ID token against the
provider's published keys (a key generated for this test), the nonce, the audience and
the issuer, reads the userinfo, and signs in the person's Attain login. Attain is at
``localhost`` and the provider at ``127.0.0.1``, so each keeps its own cookies.
"""

from __future__ import annotations

import logging
import re
from typing import Any
from unittest import mock
from urllib.parse import parse_qs, urljoin, urlsplit

import jwt
import pytest
import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.contrib.sessions.backends.db import SessionStore
from django.urls import reverse

from attain.accounts.models import Role, User
from attain.audit.models import AuditEvent
from attain.core import sso
from attain.org.models import Person

pytest.importorskip("oauth2_provider")

CLIENT_ID = "attain-test"
CLIENT_SECRET = "attain-test-secret-0123456789"
IDP_PASSWORD = "idp-pw-1"


def _private_key() -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()


KEY = _private_key()


@pytest.fixture
def provider(settings: Any, live_server: Any, company: Any) -> dict[str, str]:
    return configure_provider(settings, live_server)


def configure_provider(settings: Any, live_server: Any) -> dict[str, str]:
    """Serve the provider from the live server and point Attain's single sign-on at it
    (also used by the onboarding test, attain/core/tests/test_onboarding_flow.py)."""
    from oauth2_provider.models import get_application_model

    attain = live_server.url  # http://localhost:port
    idp = attain.replace("localhost", "127.0.0.1")
    settings.ROOT_URLCONF = "attain.core.tests.oidc_provider"
    settings.OAUTH2_PROVIDER = {
        "OIDC_ENABLED": True,
        "OIDC_RSA_PRIVATE_KEY": KEY,
        "PKCE_REQUIRED": True,
        "SCOPES": {"openid": "OpenID", "email": "Email", "profile": "Profile"},
        "OAUTH2_VALIDATOR_CLASS": "attain.core.tests.oidc_provider.CorporateValidator",
        "OIDC_RP_INITIATED_LOGOUT_ENABLED": True,
        # an ID token of its own session signs out without asking (the default asks)
        "OIDC_RP_INITIATED_LOGOUT_ALWAYS_PROMPT": False,
    }
    settings.ATTAIN_SSO_ENABLED = True
    settings.AUTHENTICATION_BACKENDS = [
        *settings.AUTHENTICATION_BACKENDS,
        "attain.core.sso.SingleSignOnBackend",
    ]
    settings.ATTAIN_SSO_PROVIDER_NAME = "Corporate IdP"
    settings.ATTAIN_OIDC_ISSUER = f"{idp}/o"
    settings.OIDC_RP_CLIENT_ID = CLIENT_ID
    settings.OIDC_RP_CLIENT_SECRET = CLIENT_SECRET
    settings.OIDC_OP_AUTHORIZATION_ENDPOINT = f"{idp}/o/authorize/"
    settings.OIDC_OP_TOKEN_ENDPOINT = f"{idp}/o/token/"
    settings.OIDC_OP_USER_ENDPOINT = f"{idp}/o/userinfo/"
    settings.OIDC_OP_JWKS_ENDPOINT = f"{idp}/o/.well-known/jwks.json"
    settings.OIDC_RP_SIGN_ALGO = "RS256"
    settings.OIDC_USE_PKCE = True
    application = get_application_model()
    application.objects.create(
        name="Attain",
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,  # stored hashed by the provider
        client_type=application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=application.GRANT_AUTHORIZATION_CODE,
        redirect_uris=f"{attain}/sso/callback/",
        post_logout_redirect_uris=f"{attain}/login/",
        algorithm=application.RS256_ALGORITHM,
        skip_authorization=True,
    )
    return {"attain": attain, "idp": idp}


def idp_account(username: str, email: str = "", employee_number: str = "") -> User:
    """An account of the identity provider (not an Attain login a person has)."""
    return User.objects.create_user(
        username, email=email, password=IDP_PASSWORD, last_name=employee_number
    )


def sign_in_through_provider(provider: dict[str, str], idp_username: str) -> tuple[Any, Any]:
    """Click "Sign in with …", sign in at the provider, come back: the browser and the
    last page."""
    browser = requests.Session()
    page = browser.get(f"{provider['attain']}/login/?next=/audit/")
    assert "Sign in with Corporate IdP" in page.text
    start = browser.get(
        f"{provider['attain']}/sso/start/?next=/", allow_redirects=False, timeout=30
    )
    authorize = start.headers["Location"]
    assert authorize.startswith(f"{provider['idp']}/o/authorize/")
    query = parse_qs(urlsplit(authorize).query)
    assert query["code_challenge_method"] == ["S256"]
    assert query["state"] and query["nonce"] and query["code_challenge"]
    # not signed in at the provider: its sign-in page first
    answer = browser.get(authorize, allow_redirects=False, timeout=30)
    assert answer.status_code == 302
    login = urljoin(authorize, answer.headers["Location"])
    assert login.startswith(f"{provider['idp']}/login/")
    form = browser.get(login, timeout=30)
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text)
    assert csrf is not None
    answer = browser.post(
        login,
        data={
            "csrfmiddlewaretoken": csrf.group(1),
            "username": idp_username,
            "password": IDP_PASSWORD,
            "next": parse_qs(urlsplit(login).query)["next"][0],
        },
        headers={"Referer": login},
        allow_redirects=False,
        timeout=30,
    )
    assert answer.status_code == 302, answer.text[:500]
    # authorize again (signed in now) → Attain's callback → Attain's home or a refusal
    last = browser.get(urljoin(login, answer.headers["Location"]), timeout=60)
    return browser, last


def signed_in_user(browser: Any) -> int | None:
    key = next(
        (
            c.value
            for c in browser.cookies
            if c.name == "sessionid" and "127" not in (c.domain or "")
        ),
        None,
    )
    if key is None:
        return None
    user_id = SessionStore(session_key=key).get("_auth_user_id")
    return int(user_id) if user_id is not None else None


@pytest.mark.slow
def test_a_person_signs_in_by_email_and_is_their_own_login(
    provider: dict[str, str], company: Any, caplog: Any
) -> None:
    caplog.set_level(logging.DEBUG)
    Person.objects.filter(code="r1").update(email="r1@corp.example")
    idp_account("idp-r1", email="R1@corp.example")
    browser, page = sign_in_through_provider(provider, "idp-r1")
    assert page.status_code == 200, page.text[:500]
    assert page.url.rstrip("/") == provider["attain"]  # the home page, not the login
    assert signed_in_user(browser) == company.users["rep"].pk
    # and the session works on an Attain page
    assert browser.get(f"{provider['attain']}/", timeout=30).url.rstrip("/") == provider["attain"]
    # no token (a JWT starts with "eyJ") reached the log
    assert not [r for r in caplog.records if "eyJ" in r.getMessage()]


@pytest.mark.slow
def test_an_unknown_identity_is_refused_with_a_page_that_says_why(
    provider: dict[str, str], company: Any
) -> None:
    idp_account("idp-stranger", email="stranger@corp.example")
    browser, page = sign_in_through_provider(provider, "idp-stranger")
    assert page.status_code == 403
    assert 'data-sso-refusal="unknown"' in page.text
    assert "stranger@corp.example" in page.text
    assert signed_in_user(browser) is None


@pytest.mark.slow
def test_by_employee_number_a_person_without_a_login_gets_one_when_allowed(
    provider: dict[str, str], company: Any, settings: Any
) -> None:
    settings.ATTAIN_SSO_MATCH = "employee_code"
    settings.ATTAIN_SSO_CLAIM = "employee_number"
    # this time only the discovery document says where the endpoints and the issuer are
    for name in (
        "OIDC_OP_AUTHORIZATION_ENDPOINT",
        "OIDC_OP_TOKEN_ENDPOINT",
        "OIDC_OP_USER_ENDPOINT",
        "OIDC_OP_JWKS_ENDPOINT",
        "ATTAIN_OIDC_ISSUER",
    ):
        setattr(settings, name, "")
    settings.ATTAIN_OIDC_DISCOVERY_URL = f"{provider['idp']}/o/.well-known/openid-configuration"
    idp_account("idp-r2", email="someone@corp.example", employee_number="R2")
    # not allowed: refused, nothing created
    browser, page = sign_in_through_provider(provider, "idp-r2")
    assert page.status_code == 403
    assert 'data-sso-refusal="no_login"' in page.text
    assert not User.objects.filter(username="r2").exists()
    # allowed: a representative's login without a password, linked and audited
    settings.ATTAIN_SSO_CREATE_LOGIN = True
    browser, page = sign_in_through_provider(provider, "idp-r2")
    assert page.status_code == 200, page.text[:500]
    login = User.objects.get(username="r2")
    assert signed_in_user(browser) == login.pk
    assert login.role == Role.REP
    assert not login.has_usable_password()
    assert Person.objects.get(code="r2").user == login
    assert AuditEvent.objects.filter(
        actor_name="sso:Corporate IdP", object_id=str(login.pk)
    ).exists()


def _sign_out(browser: Any, attain: str) -> Any:
    """Press "Sign out" on Attain's home page: the answer, not followed."""
    home = browser.get(f"{attain}/", timeout=30)
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', home.text)
    assert csrf is not None
    return browser.post(
        f"{attain}/logout/",
        data={"csrfmiddlewaretoken": csrf.group(1)},
        headers={"Referer": f"{attain}/"},
        allow_redirects=False,
        timeout=30,
    )


def _provider_asks_for_a_password(browser: Any, provider: dict[str, str]) -> bool:
    """Whether pressing the button again goes to the provider's sign-in page (rather than
    straight back into Attain as whoever signed in last)."""
    start = browser.get(f"{provider['attain']}/sso/start/", allow_redirects=False, timeout=30)
    answer = browser.get(start.headers["Location"], allow_redirects=False, timeout=30)
    location = urljoin(start.headers["Location"], answer.headers.get("Location", ""))
    return location.startswith(f"{provider['idp']}/login/")


@pytest.mark.slow
def test_signing_out_ends_the_providers_session_too(
    provider: dict[str, str], company: Any, settings: Any, caplog: Any
) -> None:
    """On a shared computer, signing out of Attain left the provider's session open: the
    next person pressing the button was signed straight back in as the last one. The
    end-session endpoint comes from the discovery document here."""
    caplog.set_level(logging.DEBUG)
    settings.ATTAIN_OIDC_DISCOVERY_URL = f"{provider['idp']}/o/.well-known/openid-configuration"
    Person.objects.filter(code="r1").update(email="r1@corp.example")
    idp_account("idp-r1", email="r1@corp.example")
    browser, _page = sign_in_through_provider(provider, "idp-r1")
    assert signed_in_user(browser) == company.users["rep"].pk
    assert not _provider_asks_for_a_password(browser, provider)  # the provider remembers
    answer = _sign_out(browser, provider["attain"])
    assert answer.status_code == 302
    location = answer.headers["Location"]
    assert location.startswith(f"{provider['idp']}/o/logout/?")
    query = parse_qs(urlsplit(location).query)
    assert query["client_id"] == [CLIENT_ID]
    assert query["post_logout_redirect_uri"] == [f"{provider['attain']}/login/"]
    assert query["id_token_hint"][0].startswith("eyJ")
    assert signed_in_user(browser) is None  # Attain's session ended at once
    back = browser.get(location, timeout=30)
    assert back.status_code == 200
    assert back.url == f"{provider['attain']}/login/"
    assert _provider_asks_for_a_password(browser, provider)
    # Attain still logs no token (the test's own HTTP client logs the URLs it opens)
    ours = [r for r in caplog.records if not r.name.startswith("urllib3")]
    assert ours and not [r for r in ours if "eyJ" in r.getMessage()]


@pytest.mark.slow
def test_signing_out_can_end_attains_session_only(
    provider: dict[str, str], company: Any, settings: Any
) -> None:
    settings.ATTAIN_SSO_SIGN_OUT = "attain"
    settings.ATTAIN_OIDC_END_SESSION_ENDPOINT = f"{provider['idp']}/o/logout/"
    Person.objects.filter(code="r1").update(email="r1@corp.example")
    idp_account("idp-r1", email="r1@corp.example")
    browser, _page = sign_in_through_provider(provider, "idp-r1")
    answer = _sign_out(browser, provider["attain"])
    assert answer.status_code == 302
    assert answer.headers["Location"] == "/login/"
    assert signed_in_user(browser) is None
    assert not _provider_asks_for_a_password(browser, provider)


# Without the provider: the pages and settings around it -------------------------------


def test_single_sign_on_is_off_unless_configured(client: Any, db: None) -> None:
    assert client.get(reverse("sso_start")).status_code == 404
    assert client.get(reverse("sso_callback")).status_code == 404
    assert "sso-button" not in client.get(reverse("login")).content.decode()


@pytest.fixture
def configured(settings: Any) -> None:
    settings.ATTAIN_SSO_ENABLED = True
    settings.ATTAIN_SSO_PROVIDER_NAME = "企业微信"
    settings.OIDC_RP_CLIENT_ID = CLIENT_ID
    settings.OIDC_OP_AUTHORIZATION_ENDPOINT = "https://idp.example/authorize"
    settings.OIDC_OP_TOKEN_ENDPOINT = "https://idp.example/token"
    settings.OIDC_OP_USER_ENDPOINT = "https://idp.example/userinfo"
    settings.OIDC_OP_JWKS_ENDPOINT = "https://idp.example/jwks"


def test_the_button_is_translated_and_names_the_provider(
    client: Any, db: None, configured: None
) -> None:
    page = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "使用 企业微信 登录" in page
    start = client.get(reverse("sso_start"))
    assert start.status_code == 302
    assert start["Location"].startswith("https://idp.example/authorize?")


def test_a_password_session_signs_out_of_attain_only(
    client: Any, company: Any, configured: None, settings: Any
) -> None:
    """Someone who signed in with a password has no provider session to end."""
    settings.ATTAIN_OIDC_END_SESSION_ENDPOINT = "https://idp.example/logout"
    client.force_login(company.users["rep"], backend="attain.accounts.backends.PasswordBackend")
    answer = client.post(reverse("logout"))
    assert answer.status_code == 302 and answer["Location"] == reverse("login")


def test_a_provider_without_an_end_session_endpoint_signs_out_of_attain_only(
    client: Any, company: Any, configured: None
) -> None:
    client.force_login(company.users["rep"], backend="attain.core.sso.SingleSignOnBackend")
    answer = client.post(reverse("logout"))
    assert answer.status_code == 302 and answer["Location"] == reverse("login")
    assert "_auth_user_id" not in client.session


def test_an_unreadable_discovery_document_at_sign_out_still_signs_out(
    client: Any, company: Any, configured: None, settings: Any
) -> None:
    settings.ATTAIN_OIDC_DISCOVERY_URL = "https://idp.example/.well-known/openid-configuration"
    sso.discovery_document.cache_clear()
    client.force_login(company.users["rep"], backend="attain.core.sso.SingleSignOnBackend")
    with mock.patch.object(sso.requests, "get", side_effect=requests.ConnectionError("down")):
        answer = client.post(reverse("logout"))
    sso.discovery_document.cache_clear()
    assert answer.status_code == 302 and answer["Location"] == reverse("login")
    assert "_auth_user_id" not in client.session


def test_a_callback_with_a_forged_state_is_refused(client: Any, db: None, configured: None) -> None:
    client.get(reverse("sso_start"))  # a real state in the session
    answer = client.get(reverse("sso_callback"), {"code": "x", "state": "forged"})
    assert answer.status_code == 400
    assert 'data-sso-refusal="failed"' in answer.content.decode()


def test_password_login_can_be_kept_for_administrators(
    client: Any, company: Any, settings: Any
) -> None:
    settings.ATTAIN_PASSWORD_LOGIN = "admins"
    refused = client.post(reverse("login"), {"username": "r1", "password": "pw-r1-1"})
    assert refused.status_code == 200  # the form again, not signed in
    assert "_auth_user_id" not in client.session
    admitted = client.post(reverse("login"), {"username": "admin", "password": "pw-admin-1"})
    assert admitted.status_code == 302
    assert int(client.session["_auth_user_id"]) == company.users["admin"].pk


def test_an_unreachable_provider_is_a_page_and_passwords_still_work(
    client: Any, company: Any, configured: None, settings: Any
) -> None:
    settings.OIDC_OP_AUTHORIZATION_ENDPOINT = ""
    settings.ATTAIN_OIDC_DISCOVERY_URL = "http://127.0.0.1:9/.well-known/openid-configuration"
    settings.AUTHENTICATION_BACKENDS = [
        *settings.AUTHENTICATION_BACKENDS,
        "attain.core.sso.SingleSignOnBackend",
    ]
    answer = client.get(reverse("sso_start"))
    assert answer.status_code == 502
    assert 'data-sso-refusal="failed"' in answer.content.decode()
    # the sign-on backend does not reach for the provider on a password login
    admitted = client.post(reverse("login"), {"username": "r1", "password": "pw-r1-1"})
    assert admitted.status_code == 302


@pytest.mark.slow
def test_an_id_token_from_another_issuer_or_for_another_client_is_refused(
    provider: dict[str, str], company: Any, settings: Any
) -> None:
    Person.objects.filter(code="r1").update(email="r1@corp.example")
    idp_account("idp-r1", email="r1@corp.example")
    settings.ATTAIN_OIDC_ISSUER = "https://elsewhere.example"
    browser, page = sign_in_through_provider(provider, "idp-r1")
    assert page.status_code == 400
    assert 'data-sso-refusal="failed"' in page.text
    assert signed_in_user(browser) is None


def test_single_sign_on_without_its_endpoints_says_so_instead_of_looping(
    client: Any, company: Any, configured: None, settings: Any, caplog: Any
) -> None:
    """Only the client id set (no discovery URL, no endpoints): the button led to a
    redirect to "?response_type=…", i.e. back to itself, for ever."""
    settings.OIDC_OP_AUTHORIZATION_ENDPOINT = ""
    settings.OIDC_OP_TOKEN_ENDPOINT = ""
    answer = client.get(reverse("sso_start"), HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert answer.status_code == 503
    page = answer.content.decode()
    assert 'data-sso-refusal="not_set_up"' in page
    assert "使用 企业微信 登录尚未设置完整" in page
    assert "OIDC_OP_AUTHORIZATION_ENDPOINT, OIDC_OP_TOKEN_ENDPOINT" in caplog.text
    # a discovery document that is not one (a JSON list) is a failed sign-on, not a 500
    settings.ATTAIN_OIDC_DISCOVERY_URL = "https://idp.example/.well-known/openid-configuration"
    with mock.patch("attain.core.sso.requests.get") as get:
        get.return_value.json.return_value = ["not", "a", "document"]
        sso.discovery_document.cache_clear()
        try:
            assert client.get(reverse("sso_start")).status_code == 502
        finally:
            sso.discovery_document.cache_clear()


@pytest.mark.parametrize("flag", ["false", "False", "0", "no", 0, False])
def test_an_email_the_provider_has_not_verified_signs_nobody_in(
    company: Any, settings: Any, flag: Any
) -> None:
    """Some providers' userinfo sends ``email_verified`` as text ("false"): it is not a
    verified address, whoever typed it."""
    Person.objects.filter(code="r1").update(email="r1@corp.example")
    assert sso.match_login({"email": "r1@corp.example", "email_verified": flag}) == (
        None,
        sso.UNVERIFIED,
    )
    for ok in (True, "true", " TRUE ", None):
        user, reason = sso.match_login({"email": "r1@corp.example", "email_verified": ok})
        assert user == company.users["rep"] and reason == ""


def test_someone_rehired_under_a_new_id_signs_in_as_the_employed_one(
    company: Any, settings: Any
) -> None:
    """Two records with one email: the ended one of a first employment and the current
    one (a rehire gets a new 工号). Only two people employed today are ambiguous."""
    import datetime

    from django.utils import timezone

    today = timezone.localdate()
    Person.objects.filter(code="r2").update(
        email="back@corp.example", end=today - datetime.timedelta(days=400)
    )
    Person.objects.filter(code="r1").update(email="back@corp.example")
    claims = {"email": "back@corp.example", "email_verified": True}
    assert sso.match_login(claims) == (company.users["rep"], "")
    Person.objects.filter(code="r1").update(end=today - datetime.timedelta(days=1))
    assert sso.match_login(claims) == (None, sso.NOT_EMPLOYED)
    Person.objects.filter(code__in=["r1", "r2"]).update(end=None)
    assert sso.match_login(claims) == (None, sso.AMBIGUOUS)
    assert sso.match_login({"email": "nobody@corp.example"}) == (None, sso.UNKNOWN)


# The provider's answers, without the provider: a callback with mocked HTTP -------------


def _public_jwk(**extra: Any) -> dict[str, Any]:
    import json

    from cryptography.hazmat.primitives.serialization import load_pem_private_key

    private = load_pem_private_key(KEY.encode(), password=None)
    assert isinstance(private, rsa.RSAPrivateKey)
    public = private.public_key()
    return {**json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(public)), **extra}


def _callback(
    client: Any,
    settings: Any,
    jwks: Any,
    *,
    kid: str | None = "k1",
    userinfo: Any = None,
    tokens: Any = None,
) -> Any:
    """Start a sign-on, then come back with an ID token (signed by KEY, with ``kid`` in its
    header) while the JWKS endpoint answers ``jwks``."""
    settings.AUTHENTICATION_BACKENDS = [
        *settings.AUTHENTICATION_BACKENDS,
        "attain.core.sso.SingleSignOnBackend",
    ]
    query = parse_qs(urlsplit(client.get(reverse("sso_start"))["Location"]).query)
    claims = {"aud": CLIENT_ID, "nonce": query["nonce"][0], "sub": "s-1"}
    token = jwt.encode(
        {**claims, "email": "r1@corp.example"},
        KEY,
        algorithm="RS256",
        headers={"kid": kid} if kid else None,
    )
    answers = {
        "https://idp.example/jwks": jwks,
        "https://idp.example/userinfo": {"sub": "s-1", "email": "r1@corp.example"}
        if userinfo is None
        else userinfo,
    }

    def get(url: str, **kwargs: Any) -> Any:
        answer = mock.Mock(status_code=200, headers={"content-type": "application/json"})
        answer.json.return_value = answers[url]
        return answer

    posted = mock.Mock(status_code=200)
    posted.json.return_value = (
        {"id_token": token, "access_token": "a-1"} if tokens is None else tokens
    )
    with (
        mock.patch("mozilla_django_oidc.auth.requests.post", return_value=posted),
        mock.patch("mozilla_django_oidc.auth.requests.get", side_effect=get),
        mock.patch("attain.core.sso.requests.get", side_effect=get),
    ):
        return client.get(reverse("sso_callback"), {"code": "c-1", "state": query["state"][0]})


@pytest.mark.parametrize(
    "jwks",
    [
        {"issuer": "https://idp.example", "jwks_uri": "https://idp.example/jwks"},
        ["not", "a", "key", "set"],
        {"keys": [{"kty": "RSA", "kid": "k1", "n": "x", "e": "AQAB"}]},
    ],
    ids=["the discovery document", "a list", "a broken key"],
)
def test_a_jwks_endpoint_that_gives_no_usable_keys_is_a_page_not_a_500(
    client: Any, company: Any, configured: None, settings: Any, caplog: Any, jwks: Any
) -> None:
    """ATTAIN_OIDC_JWKS_ENDPOINT set to the wrong address (the discovery document's, say):
    every sign-on ended in a server error (KeyError: 'keys')."""
    client.raise_request_exception = False
    answer = _callback(client, settings, jwks)
    assert answer.status_code == 502
    assert 'data-sso-refusal="not_set_up"' in answer.content.decode()
    assert "OIDC_OP_JWKS_ENDPOINT" in caplog.text
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize(
    ("token_kid", "key_kid", "signed_in"),
    [("k1", "k1", True), (None, None, True), ("k1", None, True), ("k1", "k2", False)],
)
def test_a_provider_with_one_key_may_leave_its_kid_out(
    client: Any,
    company: Any,
    configured: None,
    settings: Any,
    token_kid: str | None,
    key_kid: str | None,
    signed_in: bool,
) -> None:
    """A key set's ``kid`` is optional (RFC 7517): a token or a key without one was a
    server error (KeyError: 'kid')."""
    client.raise_request_exception = False
    Person.objects.filter(code="r1").update(email="r1@corp.example")
    extra = {"kid": key_kid} if key_kid else {}
    answer = _callback(client, settings, {"keys": [_public_jwk(**extra)]}, kid=token_kid)
    if signed_in:
        assert answer.status_code == 302
        assert int(client.session["_auth_user_id"]) == company.users["rep"].pk
    else:
        assert answer.status_code == 400
        assert 'data-sso-refusal="failed"' in answer.content.decode()
        assert "_auth_user_id" not in client.session


@pytest.mark.parametrize(
    ("tokens", "userinfo", "setting"),
    [
        ({"access_token": "a-1", "token_type": "Bearer"}, None, "ATTAIN_OIDC_SCOPES"),
        (["a-1"], None, "OIDC_OP_TOKEN_ENDPOINT"),
        (None, ["s-1", "r1@corp.example"], "OIDC_OP_USER_ENDPOINT"),
    ],
    ids=["no ID token (scopes without openid)", "a list of tokens", "a list as userinfo"],
)
def test_token_and_userinfo_answers_that_are_not_openid_connect_are_a_page(
    client: Any,
    company: Any,
    configured: None,
    settings: Any,
    caplog: Any,
    tokens: Any,
    userinfo: Any,
    setting: str,
) -> None:
    """A token endpoint that answers without an ID token (a plain OAuth 2.0 setup, or
    scopes without "openid") or a JSON list, and a userinfo endpoint answering a list:
    a server error (AttributeError) or "try again" for a setup that can never work."""
    client.raise_request_exception = False
    Person.objects.filter(code="r1").update(email="r1@corp.example")
    jwks = {"keys": [_public_jwk(kid="k1")]}
    answer = _callback(client, settings, jwks, tokens=tokens, userinfo=userinfo)
    assert answer.status_code == 502
    assert 'data-sso-refusal="not_set_up"' in answer.content.decode()
    assert setting in caplog.text
    assert "_auth_user_id" not in client.session


def test_a_login_made_at_first_sign_in_is_a_managers_for_someone_with_reports(
    company: Any,
) -> None:
    """m2 (r3 reports to them) and r2 have no login: their first sign-on makes a
    manager's login for m2, who then sees their team, and a representative's for r2."""
    from attain.org.selectors import visible_people
    from attain.org.services import create_login_at_first_sign_in

    manager = create_login_at_first_sign_in(company.people["m2"], provider="IdP")
    rep = create_login_at_first_sign_in(company.people["r2"], provider="IdP")
    assert (manager.role, rep.role) == (Role.MANAGER, Role.REP)
    assert set(visible_people(manager).values_list("code", flat=True)) == {"m2", "r3"}
