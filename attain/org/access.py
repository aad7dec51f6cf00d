"""Who may do what with the organisation, one condition per line.

What a person's data anyone may *see* is the one visibility rule,
:func:`attain.org.selectors.visible_people`; this module says who may *change* the
organisation and who gets the organisation-wide summaries.
"""

from __future__ import annotations

from typing import Any

from attain.accounts.models import (
    COMPANY_SETTINGS_ROLES,
    ORGANISATION_EDITOR_ROLES,
    ORGANISATION_WIDE_ROLES,
)

from .selectors import role_of


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
