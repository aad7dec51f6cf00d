"""Who may do what with the organisation, one condition per line.

What a person's data anyone may *see* is the one visibility rule,
:func:`attain.org.selectors.visible_people`; this module says who may *change* the
organisation and who gets the organisation-wide summaries, and what the login of
someone who has left may still reach.
"""

from __future__ import annotations

from typing import Any

from attain.accounts.models import (
    COMPANY_SETTINGS_ROLES,
    ORGANISATION_EDITOR_ROLES,
    ORGANISATION_WIDE_ROLES,
)

from .selectors import has_left, role_of


def can_edit_organisation(user: Any) -> bool:
    """Units, people, reporting lines and logins are changed by admins and sales operations."""
    if user is None:  # the system itself (demo generator, imports run from the CLI)
        return True
    return role_of(user) in ORGANISATION_EDITOR_ROLES


def can_see_organisation_summary(user: Any) -> bool:
    """Headcount, hires, leavers and transfers of the whole company: the roles that see
    everyone."""
    return role_of(user) in ORGANISATION_WIDE_ROLES


def can_change_company_settings(user: Any) -> bool:
    """The company's settings (the settings page, ``/api/company/``) are changed by
    administrators only; the first-run setup and ``attain setup`` come before any login."""
    if user is None:  # the system itself (attain setup, the demo)
        return True
    return role_of(user) in COMPANY_SETTINGS_ROLES


# What the login of someone who has left (employment ended before today) may still reach,
# by URL name: their own payouts, statements and disputes (a dispute about their own pay
# may still be opened), their notifications, their login (home, sign-in and out, password,
# language, an API token) and the API's document. Every other page and API operation
# answers 403, and so does any page added later until it is named here: a former employee
# keeps no access to the company's customers, records, targets, team or imports, and
# writes nothing but their own disputes and acknowledgements. Django admin keeps its own
# rule (attain.core.admin_site: a leaver is not let in).
LEAVER_REACHES = frozenset(
    {
        # pages
        "home",
        "login",
        "logout",
        "sso_start",
        "sso_callback",
        "set_language",
        "service_worker",
        "password_reset",
        "password_reset_done",
        "password_reset_confirm",
        "password_reset_complete",
        "pay:register",
        "pay:statements",
        "pay:my_statements",
        "pay:statement_pdf",
        "pay:statement_ack",
        "pay:disputes",
        "pay:dispute_new",
        "pay:dispute",
        "pay:dispute_file",
        "notify:inbox",
        "notify:read",
        "notify:preferences",
        # the API
        "openapi",
        "api-docs",
        "api-me",
        "api-token",
        "pay-payouts",
        "pay-adjustments",
        "pay-statements",
        "pay-statement-pdf",
        "pay-statement-acknowledge",
        "pay-disputes",
        "pay-dispute",
        "pay-dispute-messages",
        "api-notifications",
        "api-notifications-read",
    }
)


def leaver_may_reach(user: Any, view_name: str | None) -> bool:
    """May ``user`` reach the page or API operation named ``view_name`` (a resolved URL's
    ``view_name``: ``namespace:name``)? Everyone may, but the login of someone who has
    left reaches only :data:`LEAVER_REACHES`."""
    if not has_left(user):
        return True
    return view_name in LEAVER_REACHES
