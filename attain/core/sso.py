"""Single sign-on: OpenID Connect through mozilla-django-oidc.

The library runs the authorization-code flow (state, nonce, PKCE, the ID token's
signature against the provider's keys). Attain adds what is its own:

* the ID token's audience and issuer are checked (the library leaves them);
* the signed-in identity is matched to a **person** of the organisation, by email or by
  employee id (``ATTAIN_SSO_MATCH`` / ``ATTAIN_SSO_CLAIM``), and that person's login is
  the one signed in. Nobody unknown gets in: no match, two matches, a person not
  employed today, a person without a login (unless ``ATTAIN_SSO_CREATE_LOGIN=1``) or a
  disabled login are refused with a page that says why, in the reader's language;
* tokens are never logged, and only the ID token is kept (in the server-side session,
  never sent to the browser) so that signing out of Attain also ends the provider's
  session (OpenID Connect RP-Initiated Logout, ``ATTAIN_SSO_SIGN_OUT``): on a shared
  computer the next person pressing the button would otherwise be signed straight back
  in as the last one.
"""

from __future__ import annotations

import functools
import logging
import unicodedata
from typing import Any
from urllib.parse import urlencode

import jwt
import requests
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, get_user_model
from django.contrib.auth.views import LogoutView
from django.core.exceptions import SuspiciousOperation, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import View
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.utils import import_from_settings
from mozilla_django_oidc.views import (
    OIDCAuthenticationCallbackView,
    OIDCAuthenticationRequestView,
)

from attain.accounts.models import User
from attain.org.models import Person
from attain.org.services import create_login_at_first_sign_in

logger = logging.getLogger(__name__)

# Why a sign-in was refused (the key the refusal page words).
NO_CLAIM = "no_claim"
UNKNOWN = "unknown"
AMBIGUOUS = "ambiguous"
NOT_EMPLOYED = "not_employed"
NO_LOGIN = "no_login"
INACTIVE = "inactive"
UNVERIFIED = "unverified"
FAILED = "failed"
NOT_SET_UP = "not_set_up"


# Settings a discovery document (ATTAIN_OIDC_DISCOVERY_URL) fills when they are unset.
DISCOVERED = {
    "OIDC_OP_AUTHORIZATION_ENDPOINT": "authorization_endpoint",
    "OIDC_OP_TOKEN_ENDPOINT": "token_endpoint",
    "OIDC_OP_USER_ENDPOINT": "userinfo_endpoint",
    "OIDC_OP_JWKS_ENDPOINT": "jwks_uri",
    "ATTAIN_OIDC_ISSUER": "issuer",
    "ATTAIN_OIDC_END_SESSION_ENDPOINT": "end_session_endpoint",
}


@functools.lru_cache(maxsize=8)
def discovery_document(url: str) -> dict[str, Any]:
    """The provider's ``.well-known/openid-configuration``, read once per process."""
    answer = requests.get(url, timeout=getattr(settings, "OIDC_TIMEOUT", 10))
    answer.raise_for_status()
    document = answer.json()
    if not isinstance(document, dict):
        raise requests.RequestException("the discovery document is not a JSON object")
    return document


def sso_setting(attr: str, *default: Any) -> Any:
    """A setting of the library: the environment's, else the discovery document's."""
    url = getattr(settings, "ATTAIN_OIDC_DISCOVERY_URL", "")
    if attr in DISCOVERED and url and not getattr(settings, attr, ""):
        return discovery_document(url).get(DISCOVERED[attr], "")
    return import_from_settings(attr, *default)


# The provider's endpoints a sign-on needs (the JWKS only for a key-pair algorithm).
REQUIRED = (
    "OIDC_OP_AUTHORIZATION_ENDPOINT",
    "OIDC_OP_TOKEN_ENDPOINT",
    "OIDC_OP_USER_ENDPOINT",
    "OIDC_OP_JWKS_ENDPOINT",
)


def missing_settings() -> list[str]:
    """The endpoints neither the environment nor the discovery document gives (may raise
    ``requests.RequestException`` when the discovery document cannot be read)."""
    wanted = list(REQUIRED)
    if str(getattr(settings, "OIDC_RP_SIGN_ALGO", "RS256")).startswith("HS") or getattr(
        settings, "OIDC_RP_IDP_SIGN_KEY", None
    ):
        wanted.remove("OIDC_OP_JWKS_ENDPOINT")
    return [name for name in wanted if not str(sso_setting(name, "") or "").strip()]


def verified(value: Any) -> bool:
    """An ``email_verified`` claim: a boolean, or (as some providers' userinfo sends it)
    the text "true"/"false"; absent counts as verified, anything else as not."""
    if value is None or value is True:
        return True
    if isinstance(value, str):
        return value.strip().casefold() == "true"
    return False


def enabled() -> bool:
    return bool(getattr(settings, "ATTAIN_SSO_ENABLED", False))


def provider_name() -> str:
    """The identity provider as the login page names it (企业微信, Keycloak, …)."""
    return str(
        getattr(settings, "ATTAIN_SSO_PROVIDER_NAME", "") or gettext_lazy("your company account")
    )


def match_login(claims: dict[str, Any]) -> tuple[User | None, str]:
    """The login of the one person the claims name, or ``(None, reason)``."""
    match = getattr(settings, "ATTAIN_SSO_MATCH", "email")
    claim = getattr(settings, "ATTAIN_SSO_CLAIM", "email")
    # as the org import compares them (fold_code, fold_email): width (Ｅ００５４, ＠ typed
    # through a Chinese input method), case and surrounding spaces do not matter
    value = unicodedata.normalize("NFKC", str(claims.get(claim) or "")).strip()
    if not value:
        return None, NO_CLAIM
    if match == "email":
        if not verified(claims.get("email_verified")):
            return None, UNVERIFIED
        people = Person.objects.filter(email__iexact=value)
    else:
        people = Person.objects.filter(code__iexact=value)
    if not people.exists():
        return None, UNKNOWN
    # someone rehired under a new employee id keeps the old, ended record: the one
    # employed today is the person signing in
    found = list(people.employed_on(timezone.localdate()).select_related("user")[:2])
    if not found:
        return None, NOT_EMPLOYED
    if len(found) > 1:
        return None, AMBIGUOUS
    person = found[0]
    user = person.user
    if user is None:
        if not getattr(settings, "ATTAIN_SSO_CREATE_LOGIN", False):
            return None, NO_LOGIN
        try:
            user = create_login_at_first_sign_in(person, provider=provider_name())
        except ValidationError:
            return None, NO_LOGIN
    if not user.is_active:
        return None, INACTIVE
    return user, ""


class ProviderMisconfigured(Exception):
    """An answer of the provider that no working setup gives (a setting names the wrong
    address): the sign-on is not set up, whoever tries it."""


class SingleSignOnBackend(OIDCAuthenticationBackend):
    """mozilla-django-oidc's backend, matching people instead of creating users.

    It reads its settings (and the discovery document) only when a sign-on comes back,
    so a password login never waits for the identity provider."""

    get_settings = staticmethod(sso_setting)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.UserModel = get_user_model()

    def authenticate(self, request: Any, **kwargs: Any) -> Any:
        if request is None or "nonce" not in kwargs:
            return None  # a password login, not the sign-on callback
        super().__init__()
        return super().authenticate(request, **kwargs)

    def verify_token(self, token: str, **kwargs: Any) -> Any:
        payload = super().verify_token(token, **kwargs)
        audience = payload.get("aud")
        audiences = audience if isinstance(audience, list) else [audience]
        if self.OIDC_RP_CLIENT_ID not in audiences:
            raise SuspiciousOperation("The ID token is not for this client.")
        issuer = self.get_settings("ATTAIN_OIDC_ISSUER", "")
        if issuer and payload.get("iss") != issuer:
            raise SuspiciousOperation("The ID token's issuer is not the configured one.")
        return payload

    def get_token(self, payload: dict[str, Any]) -> Any:
        """The token endpoint's answer, which must hold an ID token: without one the
        setup is OAuth 2.0 only, or the scopes leave out "openid"."""
        answer = super().get_token(payload)
        if not isinstance(answer, dict):
            raise ProviderMisconfigured("the answer of OIDC_OP_TOKEN_ENDPOINT is not a JSON object")
        if not answer.get("id_token"):
            raise ProviderMisconfigured(
                "the token endpoint sent no ID token: is 'openid' in ATTAIN_OIDC_SCOPES, "
                "and is the client an OpenID Connect one?"
            )
        return answer

    def get_userinfo(self, access_token: str, id_token: str, payload: Any) -> Any:
        answer = super().get_userinfo(access_token, id_token, payload)
        if not isinstance(answer, dict):
            raise ProviderMisconfigured(
                "the answer of OIDC_OP_USER_ENDPOINT is not a JSON object of claims"
            )
        return answer

    def retrieve_matching_jwk(self, token: str) -> Any:
        """The provider's key that signed ``token``, from its JWKS endpoint: the key with
        the token's ``kid`` (a provider with one key may leave ``kid`` out: on both
        sides, or on the key). An answer that is not a key set (the endpoint set to the
        discovery document's address, say) or a key that is not one raises
        :class:`ProviderMisconfigured`, where the library failed with a KeyError."""
        answer = requests.get(
            self.OIDC_OP_JWKS_ENDPOINT,
            verify=self.get_settings("OIDC_VERIFY_SSL", True),
            timeout=self.get_settings("OIDC_TIMEOUT", None),
            proxies=self.get_settings("OIDC_PROXY", None),
        )
        answer.raise_for_status()
        document = answer.json()
        keys = document.get("keys") if isinstance(document, dict) else None
        if not isinstance(keys, list) or not all(isinstance(key, dict) for key in keys):
            raise ProviderMisconfigured(
                "the answer of OIDC_OP_JWKS_ENDPOINT is not a JSON Web Key Set ({...keys: [...]})"
            )
        header = jwt.get_unverified_header(token)
        kid, algorithm = header.get("kid"), header.get("alg")
        usable = [key for key in keys if key.get("alg", algorithm) == algorithm]
        found = [key for key in usable if key.get("kid") == kid] or [
            key for key in usable if "kid" not in key
        ]
        if not found:
            raise SuspiciousOperation("Could not find a valid JWKS.")
        try:
            return jwt.PyJWK(found[-1])
        except (jwt.PyJWKError, jwt.InvalidKeyError) as error:
            raise ProviderMisconfigured(
                f"a key of OIDC_OP_JWKS_ENDPOINT is not usable ({type(error).__name__})"
            ) from None

    def get_or_create_user(self, access_token: str, id_token: str, payload: Any) -> Any:
        userinfo = self.get_userinfo(access_token, id_token, payload)
        if userinfo.get("sub") not in (None, payload.get("sub")):
            raise SuspiciousOperation("The userinfo subject is not the ID token's.")
        user, reason = match_login({**payload, **userinfo})
        if user is None:
            self.request.attain_sso_refusal = reason
            claim = getattr(settings, "ATTAIN_SSO_CLAIM", "email")
            self.request.attain_sso_value = str({**payload, **userinfo}.get(claim) or "")[:200]
        return user

    def get_user(self, user_id: Any) -> Any:
        user = super().get_user(user_id)
        return user if user is not None and user.is_active else None


class SignOnStart(OIDCAuthenticationRequestView):
    """/sso/start/: off to the identity provider (404 when single sign-on is off)."""

    get_settings = staticmethod(sso_setting)

    def __init__(self, **kwargs: Any) -> None:
        View.__init__(self, **kwargs)  # the settings are read in get(), where errors show

    def get(self, request: HttpRequest) -> HttpResponse:
        if not enabled():
            raise Http404
        try:
            missing = missing_settings()
            self.OIDC_OP_AUTH_ENDPOINT = self.get_settings("OIDC_OP_AUTHORIZATION_ENDPOINT")
            self.OIDC_RP_CLIENT_ID = self.get_settings("OIDC_RP_CLIENT_ID")
        except requests.RequestException as error:
            logger.warning("single sign-on discovery failed: %s", type(error).__name__)
            return refused(request, FAILED, status=502)
        if missing:
            # without them the browser would be sent nowhere (a redirect to itself)
            logger.error(
                "single sign-on is not set up: no %s (set ATTAIN_OIDC_DISCOVERY_URL or the "
                "endpoints, docs/operations.md)",
                ", ".join(missing),
            )
            return refused(request, NOT_SET_UP, status=503)
        response: HttpResponse = super().get(request)
        return response


class SignOnCallback(OIDCAuthenticationCallbackView):
    """/sso/callback/: back from the identity provider."""

    get_settings = staticmethod(sso_setting)

    def get(self, request: HttpRequest) -> HttpResponse:
        if not enabled():
            raise Http404
        try:
            response: HttpResponse = super().get(request)
            return response
        except ProviderMisconfigured as error:
            logger.error("single sign-on is not set up correctly: %s (docs/operations.md)", error)
            return refused(request, NOT_SET_UP, status=502)
        except (SuspiciousOperation, requests.RequestException, jwt.InvalidTokenError) as error:
            # the exception's class only: its text may carry the provider's answer
            logger.warning("single sign-on failed: %s", type(error).__name__)
            return refused(request, FAILED, status=400)

    def login_failure(self) -> HttpResponse:
        return refused(self.request, getattr(self.request, "attain_sso_refusal", FAILED))


SIGN_OUT_CHOICES = ("provider", "attain")
ID_TOKEN = "oidc_id_token"  # where mozilla-django-oidc keeps it (OIDC_STORE_ID_TOKEN)


def provider_sign_out_url(request: HttpRequest, id_token: str) -> str:
    """Where the browser goes to end the provider's session too (RP-Initiated Logout):
    the provider's end-session endpoint, told who signs out (``id_token_hint``), which
    client asks and where to come back (Attain's sign-in page, which must be registered
    at the provider as a post-logout redirect URI). "" when there is none to go to:
    ``ATTAIN_SSO_SIGN_OUT=attain``, or the provider publishes no such endpoint, or its
    discovery document cannot be read (then the Attain session alone ends)."""
    if getattr(settings, "ATTAIN_SSO_SIGN_OUT", "provider") != "provider":
        return ""
    try:
        endpoint = str(sso_setting("ATTAIN_OIDC_END_SESSION_ENDPOINT", "") or "").strip()
    except requests.RequestException as error:
        logger.warning("single sign-on discovery failed at sign-out: %s", type(error).__name__)
        return ""
    if not endpoint:
        return ""
    query = {
        "client_id": str(sso_setting("OIDC_RP_CLIENT_ID", "")),
        "post_logout_redirect_uri": request.build_absolute_uri(reverse("login")),
    }
    if id_token:
        query = {"id_token_hint": id_token, **query}
    return endpoint + ("&" if "?" in endpoint else "?") + urlencode(query)


class SignOut(LogoutView):
    """/logout/: ends the Attain session and, for a session begun with single sign-on,
    the provider's too (see :func:`provider_sign_out_url`)."""

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        through_sso = enabled() and request.session.get(BACKEND_SESSION_KEY) == (
            f"{SingleSignOnBackend.__module__}.{SingleSignOnBackend.__qualname__}"
        )
        id_token = str(request.session.get(ID_TOKEN) or "")
        response: HttpResponse = super().post(request, *args, **kwargs)  # flushes the session
        if through_sso:
            url = provider_sign_out_url(request, id_token)
            if url:
                return HttpResponseRedirect(url)
        return response


def refused(request: HttpRequest, reason: str, status: int = 403) -> HttpResponse:
    provider = provider_name()
    claim = getattr(settings, "ATTAIN_SSO_CLAIM", "email")
    value = getattr(request, "attain_sso_value", "")
    messages = {
        NO_CLAIM: _(
            "%(provider)s did not send “%(claim)s”, which Attain uses to recognise people. "
            "Ask your administrator to check the single sign-on settings."
        ),
        UNKNOWN: _(
            "Signed in with %(provider)s, but nobody in Attain's organisation has "
            "%(claim)s “%(value)s”. Ask your administrator to record it on your person."
        ),
        AMBIGUOUS: _(
            "More than one person in Attain has %(claim)s “%(value)s”. An administrator "
            "must correct the records before you can sign in."
        ),
        NOT_EMPLOYED: _("Attain's records do not show you employed today, so you cannot sign in."),
        NO_LOGIN: _(
            "You are in Attain's organisation but have no login yet. Ask your administrator "
            "to create one."
        ),
        INACTIVE: _("Your Attain login is disabled. Ask your administrator."),
        UNVERIFIED: _("%(provider)s has not verified your email address."),
        FAILED: _("Signing in with %(provider)s did not complete. Please try again."),
        NOT_SET_UP: _(
            "Signing in with %(provider)s is not set up completely. Sign in with your "
            "password, or ask your administrator to finish the single sign-on settings."
        ),
    }
    message = messages.get(reason, messages[FAILED]) % {
        "provider": provider,
        "claim": claim,
        "value": value,
    }
    return render(
        request,
        "core/sso_refused.html",
        {"message": message, "provider": provider, "reason": reason},
        status=status,
    )
