"""The first-run setup: the company's settings and its first administrator, written once.

:func:`set_up_company` is what the setup wizard and ``attain setup`` call. Every value
is checked first (``ValidationError`` keyed by field name); then, in one transaction, the
company settings row is inserted with its fixed id — a second setup running at the same
moment fails on that insert (the database keeps only one row with id 1) and gets
:class:`AlreadySetUp`, so two browsers submitting at once make one administrator — and
the administrator is created. Both writes are in the audit trail.

Afterwards :func:`change_company` is what the settings page and ``/api/company/`` call:
an administrator changes any setting, audited; the fiscal year start and the currency
only while nothing is stored that is counted in them (:func:`counted_data`).
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Iterable, Mapping
from dataclasses import asdict, fields
from typing import Any

from django.conf import settings
from django.contrib.auth import password_validation
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.dispatch import Signal
from django.utils.dates import MONTHS
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, pgettext

from attain.accounts.models import Role, User
from attain.audit.models import Action
from attain.audit.services import record_change, save_values, snapshot

from . import company as company_module
from .access import can_change_company_settings
from .company import CompanyValues
from .models import CompanySettings


class AlreadySetUp(Exception):
    """The company is set up already (by this setup's twin, or long ago)."""


def clean_company(
    *,
    name: Any,
    fiscal_year_start: Any,
    currency: Any,
    time_zone: Any,
    languages: Iterable[Any] | None,
    language: Any = None,
    stored_currency: str = "",
) -> CompanyValues:
    """Checked company settings, or ``ValidationError`` naming every bad field.
    ``stored_currency`` (the company's, once stored) is kept even where Attain no longer
    offers it: an older version's setup offered every code Babel knows (a 3-place dinar,
    a historic code), and an install paying in one must still change its other settings
    (its currency is fixed by its payouts anyway)."""
    errors: dict[str, str] = {}
    name = str(name or "").strip()
    if not name:
        errors["name"] = _("Enter the company's name.")
    elif len(name) > 200:
        errors["name"] = _("The company name has at most 200 characters.")
    month = 0
    try:
        month = int(str(fiscal_year_start).strip())
    except (TypeError, ValueError):
        month = 0
    if not 1 <= month <= 12:
        errors["fiscal_year_start"] = _(
            "The fiscal year start is a month from 1 (January) to 12 (December), not “%(value)s”."
        ) % {"value": fiscal_year_start}
    currency = str(currency or "").strip().upper()
    if currency not in company_module.currencies() and not (
        stored_currency and currency == stored_currency.upper()
    ):
        errors["currency"] = currency_refusal(currency)
    zone = str(time_zone or "").strip()
    try:
        known_zone = bool(zone) and zone in company_module.time_zones()
        if known_zone:
            zoneinfo.ZoneInfo(zone)
    except (ValueError, zoneinfo.ZoneInfoNotFoundError):
        known_zone = False
    if not known_zone:
        errors["time_zone"] = _(
            "The time zone is an IANA name such as Asia/Shanghai, not “%(value)s”."
        ) % {"value": zone}
    offered = company_module.language_codes()
    known = pgettext("list separator", ", ").join(offered)
    # codes in any case ("zh-Hans" is how the locale spells it)
    chosen = tuple(
        dict.fromkeys(str(code).strip().lower() for code in (languages or ()) if str(code).strip())
    )
    unknown = [code for code in chosen if code not in offered]
    if unknown:
        errors["languages"] = _(
            "Attain does not speak “%(value)s”: the languages are %(known)s."
        ) % {
            "value": pgettext("list separator", ", ").join(unknown),
            "known": known,
        }
    elif not chosen:
        errors["languages"] = _(
            "Choose at least one of the languages Attain speaks (%(known)s)."
        ) % {"known": known}
    default = str(language or "").strip().lower() or (chosen[0] if chosen else "")
    if "languages" not in errors and default not in chosen:
        errors["language"] = _(
            "The default language “%(value)s” is not one of the languages offered."
        ) % {"value": default}
    if errors:
        raise ValidationError(errors)
    return CompanyValues(
        name=name,
        fiscal_year_start=month,
        currency=currency,
        time_zone=zone,
        languages=chosen,
        language=default,
    )


def clean_admin(*, username: Any, email: Any, password: Any) -> tuple[str, str, str]:
    """A checked first administrator: username, email, password (Django's password
    validators, as configured in ``AUTH_PASSWORD_VALIDATORS``)."""
    errors: dict[str, Any] = {}
    username = str(username or "").strip()
    email = str(email or "").strip()
    password = str(password or "")
    username_field = User._meta.get_field("username")
    if not username:
        errors["admin_username"] = _("Enter the administrator's username.")
    else:
        try:
            username_field.run_validators(username)
        except ValidationError as error:
            errors["admin_username"] = " ".join(error.messages)
    if not email:
        errors["admin_email"] = _("Enter the administrator's email address.")
    else:
        try:
            validate_email(email)
        except ValidationError:
            errors["admin_email"] = _("“%(value)s” is not an email address.") % {"value": email}
    if not password:
        errors["admin_password"] = _("Enter a password for the administrator.")
    else:
        try:
            password_validation.validate_password(password, User(username=username, email=email))
        except ValidationError as error:
            errors["admin_password"] = " ".join(error.messages)
    if errors:
        raise ValidationError(errors)
    return username, email, password


def set_up_company(
    *,
    values: CompanyValues,
    admin_username: str,
    admin_email: str,
    admin_password: str,
) -> User:
    """Store the company settings and create the first administrator, once.

    Raises :class:`AlreadySetUp` when the company is set up already (or is being set up
    by a concurrent request that wins), ``ValidationError`` for bad input."""
    username, email, password = clean_admin(
        username=admin_username, email=admin_email, password=admin_password
    )
    try:
        with transaction.atomic():
            # First the row with the fixed id: a concurrent setup waits here on the
            # database and then fails on the primary key, before it creates any login.
            row = _insert_settings(values)
            if User.objects.exists():
                raise AlreadySetUp(_("Attain is set up already: sign in."))
            admin = User.objects.create_user(
                username=username,
                email=email,
                password=password,
                role=Role.ADMIN,
                is_staff=True,
                is_superuser=True,
            )
            record_change(
                admin,
                Action.CREATE,
                row,
                after=snapshot(row),
                reason=gettext_noop("first-run setup"),
            )
            record_change(
                admin,
                Action.CREATE,
                admin,
                after=snapshot(admin, exclude=("password", "last_login")),
                reason=gettext_noop("first-run setup"),
            )
    except IntegrityError as error:
        raise AlreadySetUp(_("Attain is set up already: sign in.")) from error
    company_module.forget()
    return admin


def store_company(actor: Any, values: CompanyValues, *, reason: str = "") -> CompanySettings:
    """Store the company settings when there are none yet (the demo company, an install
    whose administrator already exists). Returns the stored row either way."""
    try:
        with transaction.atomic():
            row = _insert_settings(values)
            record_change(actor, Action.CREATE, row, after=snapshot(row), reason=reason)
    except IntegrityError:
        return CompanySettings.objects.get(pk=CompanySettings.SINGLETON_ID)
    company_module.forget()
    return row


def _insert_settings(values: CompanyValues) -> CompanySettings:
    row = CompanySettings(
        id=CompanySettings.SINGLETON_ID,
        name=values.name,
        fiscal_year_start=values.fiscal_year_start,
        currency=values.currency,
        time_zone=values.time_zone,
        languages=list(values.languages),
        language=values.language,
    )
    with transaction.atomic():  # a savepoint: the caller's transaction stays usable
        row.save(force_insert=True)
    return row


def default_values(name: str = "") -> CompanyValues:
    """The deployment's settings as company values (what the wizard proposes)."""
    current = company_module.defaults()
    values = {field.name: getattr(current, field.name) for field in fields(CompanyValues)}
    return CompanyValues(**{**values, "name": name or current.name})


def currency_refusal(currency: str) -> str:
    """Why ``currency`` cannot be the company's: no currency, or one whose minor unit
    amounts stored to the cent cannot hold (Kuwait's dinar has 3 places)."""
    from attain.engine import CURRENCIES, minor_unit

    if currency in CURRENCIES and minor_unit(currency) > 2:
        return _(
            "Attain keeps amounts to the cent (2 decimal places); %(value)s has %(places)s, "
            "so its payouts would be rounded. Choose a currency with 2 decimal places or "
            "fewer."
        ) % {"value": currency, "places": minor_unit(currency)}
    return _("The currency is a three-letter ISO 4217 code such as CNY, not “%(value)s”.") % {
        "value": currency
    }


# What an administrator may change on the settings page and through the API.
EDITABLE = (
    "name",
    "fiscal_year_start",
    "currency",
    "time_zone",
    "languages",
    "language",
    "plan_four_eyes",
)
# The settings every stored plan, target, result and payout is counted in: the periods
# they are stored under are fiscal (2026-Q1 is April–June when the year starts in April)
# and their amounts are in the company's currency, with no currency of their own.
COUNTING_FIELDS = ("fiscal_year_start", "currency")

# Asked before the fiscal year start or the currency changes. The apps above org that
# store what is counted in them (targets, incentives, pay) answer with the names of what
# they hold (translatable, plural: "targets"), or nothing while they hold none.
counted_in_company_settings = Signal()


def counted_data() -> list[str]:
    """What is stored counted in the fiscal year and the currency, named for the reader
    (``["targets", "payouts"]``); empty while both may still change."""
    names: dict[str, None] = {}
    for _receiver, answer in counted_in_company_settings.send(sender=CompanySettings):
        names.update((str(name), None) for name in answer or ())
    return list(names)


def fixed_reason(field: str, counted: list[str], currency: str = "") -> str:
    """The sentence shown beside the fiscal year start or the currency once ``counted``
    is stored: why it is fixed, and how a company still gets another one."""
    data = pgettext("list separator", ", ").join(counted)
    if field == "fiscal_year_start":
        return _(
            "The fiscal year start can no longer change: %(data)s are stored by fiscal "
            "period, and 2026-Q1 would then mean other months. For another fiscal year, "
            "set up a new company (a new install) and import the data into it."
        ) % {"data": data}
    return _(
        "The currency can no longer change: %(data)s are stored as amounts in "
        "%(currency)s, and none would be converted. For another currency, set up a new "
        "company (a new install) and import the data into it, converted."
    ) % {"data": data, "currency": currency}


def fixed_settings(currency: str) -> dict[str, str]:
    """The settings that may no longer change (:data:`COUNTING_FIELDS` once
    :func:`counted_data` finds anything), each with the sentence saying why."""
    counted = counted_data()
    if not counted:
        return {}
    return {name: fixed_reason(name, counted, currency) for name in COUNTING_FIELDS}


def time_zone_note(old: str, new: str) -> str:
    """What to redo after the time zone changed (results count days in it)."""
    return _(
        "The time zone is now %(zone)s. Results calculated before counted "
        "days in %(old)s: recalculate each fiscal year in use (Incentive "
        "plans → Recalculate)."
    ) % {"zone": new, "old": old}


def settings_of(row: CompanySettings | None) -> dict[str, Any]:
    """The :data:`EDITABLE` values of ``row``, or the deployment's while there is none."""
    source: Any = row if row is not None else company_module.defaults()
    values = {name: getattr(source, name) for name in EDITABLE}
    return {**values, "languages": list(values["languages"])}


def _shown(name: str, value: Any) -> str:
    """A setting's value as the settings page names it (languages and months by name)."""
    names = dict(settings.LANGUAGES)  # each language by its own name, as the page lists it
    if name == "languages":
        return ", ".join(names.get(code, code) for code in value)
    if name == "language":
        return str(names.get(value, value))
    if name == "fiscal_year_start":
        return str(MONTHS.get(value, value))
    if name == "plan_four_eyes":
        return _("on") if value else _("off")
    return str(value)


def _check_not_changed_since(
    before: Mapping[str, Any], changes: Mapping[str, Any], seen: Mapping[str, Any]
) -> None:
    """Refuse the changes to settings whose value is no longer the one seen."""
    moved = {
        name: before[name]
        for name, value in changes.items()
        if name in seen and seen[name] != before[name] and value != before[name]
    }
    if moved:
        raise ValidationError(
            {
                name: _(
                    "Someone else changed this setting since you opened the page; it "
                    "is now %(value)s. Save again to replace it."
                )
                % {"value": _shown(name, now)}
                for name, now in moved.items()
            }
        )


def change_company(
    actor: Any,
    changes: Mapping[str, Any],
    *,
    reason: str = "",
    seen: Mapping[str, Any] | None = None,
) -> tuple[CompanySettings, dict[str, Any]]:
    """Change some of the company settings (:data:`EDITABLE` → new value), checked as
    the first-run setup checks them; the fiscal year start and the currency only while
    :func:`counted_data` is empty. One audited update (before → after, ``reason``);
    an install without the row (from before the setup wizard) gets it. Returns the row
    and the values as they were before.

    ``seen``: the values the editor saw when they made ``changes``. A setting someone
    else has changed since then is not overwritten: the change is refused on that
    setting, naming its value now (two administrators saving at once would otherwise
    silently undo each other's changes)."""
    if not can_change_company_settings(actor):
        raise PermissionDenied(_("Only administrators change the company settings."))
    unknown = sorted(set(changes) - set(EDITABLE))
    if unknown:
        raise ValidationError(_("Unknown settings: %(names)s.") % {"names": ", ".join(unknown)})
    four_eyes = changes.get("plan_four_eyes", True)
    if not isinstance(four_eyes, bool):
        raise ValidationError({"plan_four_eyes": _("Four eyes on plan approval is on or off.")})
    with transaction.atomic():
        row = (
            CompanySettings.objects.select_for_update()
            .filter(pk=CompanySettings.SINGLETON_ID)
            .first()
        )
        before = settings_of(row)
        if seen is not None:
            _check_not_changed_since(before, changes, seen)
        wanted = {**before, **changes}
        values = clean_company(
            **{f.name: wanted[f.name] for f in fields(CompanyValues)},
            stored_currency=before["currency"] if row is not None else "",
        )
        after = {**asdict(values), "languages": list(values.languages)}
        after["plan_four_eyes"] = wanted["plan_four_eyes"]
        changed = {name: after[name] for name in EDITABLE if after[name] != before[name]}
        moved = [name for name in COUNTING_FIELDS if name in changed]
        counted = counted_data() if moved else []
        if counted:
            raise ValidationError(
                {name: fixed_reason(name, counted, before["currency"]) for name in moved}
            )
        if row is None:
            row = _insert_settings(values)
            row.plan_four_eyes = after["plan_four_eyes"]
            row.save(update_fields=["plan_four_eyes"])
            record_change(actor, Action.CREATE, row, after=snapshot(row), reason=reason)
        elif changed:
            save_values(actor, row, changed, reason=reason)
    company_module.forget()
    return row, before
