"""System checks of Attain's own settings (``attain check``; ``attain check --deploy``
adds the deployment ones). Django runs them before ``runserver`` and ``migrate``."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core import checks

LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1", "0.0.0.0"})


@checks.register(checks.Tags.security, deploy=True)
def base_url_reachable(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """ATTAIN_BASE_URL left at its development default: the links in invitations sent
    from the command line, ``attain reset_password`` and notifications point at the
    server's own loopback address, which no one else can open."""
    host = urlsplit(str(getattr(settings, "ATTAIN_BASE_URL", "") or "")).hostname or ""
    if host not in LOOPBACK:
        return []
    return [
        checks.Warning(
            f"ATTAIN_BASE_URL is {settings.ATTAIN_BASE_URL!r}: links in invitations, "
            "password resets and notifications point at this machine only.",
            hint="Set ATTAIN_BASE_URL to the address people reach Attain at, "
            "e.g. https://attain.example.com (docs/operations.md).",
            id="attain.W001",
        )
    ]


SSO_MATCHES = ("email", "employee_code")
PASSWORD_LOGINS = ("all", "admins")
SIGN_OUTS = ("provider", "attain")


def _not_one_of(
    name: str, default: str, allowed: tuple[str, ...], *, hint: str, id: str
) -> list[checks.CheckMessage]:
    """The error of the setting ``name`` (``default`` when unset) when it is not one of
    ``allowed`` (none when it is)."""
    value = getattr(settings, name, default)
    if value in allowed:
        return []
    message = f"{name} is {value!r}; it must be one of: {', '.join(allowed)}."
    return [checks.Error(message, hint=hint, id=id)]


@checks.register()
def sign_in_settings(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """Single sign-on and password settings that are not one of their values: Attain
    would otherwise go on quietly (an unknown ATTAIN_SSO_MATCH matched people by
    employee id, an unknown ATTAIN_PASSWORD_LOGIN let everyone keep their password)."""
    errors = [
        *_not_one_of(
            "ATTAIN_SSO_MATCH",
            "email",
            SSO_MATCHES,
            hint="email: a signed-in identity is the person with that email; "
            "employee_code: the person with that employee id (docs/operations.md).",
            id="attain.E001",
        ),
        *_not_one_of(
            "ATTAIN_SSO_SIGN_OUT",
            "provider",
            SIGN_OUTS,
            hint="provider: signing out of Attain also ends the identity provider's "
            "session; attain: Attain's only (docs/operations.md).",
            id="attain.E004",
        ),
        *_not_one_of(
            "ATTAIN_PASSWORD_LOGIN",
            "all",
            PASSWORD_LOGINS,
            hint="admins: only administrators may sign in with a password (docs/operations.md).",
            id="attain.E002",
        ),
    ]
    password = getattr(settings, "ATTAIN_PASSWORD_LOGIN", "all")
    if password == "admins" and not getattr(settings, "ATTAIN_SSO_ENABLED", False):
        # nobody else could sign in, and invitations would point at a button not shown
        errors.append(
            checks.Warning(
                "ATTAIN_PASSWORD_LOGIN is 'admins' but single sign-on is off "
                "(ATTAIN_OIDC_CLIENT_ID is not set): only administrators could sign in.",
                hint="Set up single sign-on first, or leave ATTAIN_PASSWORD_LOGIN at 'all' "
                "(docs/operations.md).",
                id="attain.W002",
            )
        )
    return errors


@checks.register()
def base_url_is_an_address(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """ATTAIN_BASE_URL without its scheme or host (``attain.example.com``): every link
    in invitations, password resets and notifications would be a dead one. Empty is
    allowed (notifications then carry no link)."""
    value = str(getattr(settings, "ATTAIN_BASE_URL", "") or "")
    if not value:
        return []
    try:
        parts = urlsplit(value)
    except ValueError:
        parts = None
    if parts is not None and parts.scheme in ("http", "https") and parts.hostname:
        return []
    return [
        checks.Error(
            f"ATTAIN_BASE_URL is {value!r}, which is not an address such as "
            "https://attain.example.com: the links in invitations, password resets and "
            "notifications would not open.",
            hint="Write it with http:// or https:// and the host name (docs/operations.md).",
            id="attain.E003",
        )
    ]


@checks.register()
def currency_is_one_attain_pays_in(
    app_configs: Any = None, **kwargs: Any
) -> list[checks.CheckMessage]:
    """ATTAIN_CURRENCY is the company's currency until the first-run setup stores one: a
    code that is no currency (``RMB``), or one with 3 decimal places, would be used for
    every plan and payout. A warning, not an error: once the setup has stored the company
    it is only the wizard's proposal, and it must never stop ``attain migrate`` of an
    upgrade (the stored currency still counts)."""
    from attain.org.company import currencies
    from attain.org.services_company import currency_refusal

    value = str(getattr(settings, "ATTAIN_CURRENCY", "CNY") or "")
    if value in currencies():
        return []
    return [
        checks.Warning(
            f"ATTAIN_CURRENCY is {value!r}: {currency_refusal(value)}",
            hint="Set it to an ISO 4217 code such as CNY, HKD or USD (docs/operations.md).",
            id="attain.W005",
        )
    ]
