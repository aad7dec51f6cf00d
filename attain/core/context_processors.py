from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from attain.accounts.models import Role
from attain.intake.access import can_use_intake
from attain.org.access import can_change_company_settings, can_edit_organisation
from attain.org.company import company, currency_symbol, is_set_up
from attain.org.selectors import can_read_audit, has_left, person_of, role_of


def navigation(request: HttpRequest) -> dict[str, Any]:
    """What the navigation may offer the signed-in user (nothing to a request that was
    refused before it was signed in: Django's 400 page renders it)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "nav": {
            "role": role_of(user),
            "person": person_of(user),
            # someone who has left: only their own pay (attain.org.access.LEAVER_REACHES)
            "has_left": has_left(user),
            "can_edit_org": can_edit_organisation(user),
            "can_read_audit": can_read_audit(user),
            "can_use_intake": can_use_intake(user),
            "can_change_company": can_change_company_settings(user),
            # Django admin's own rule (attain.core.admin_site): a leaver's login is not let in
            "is_admin": user.is_staff and role_of(user) == Role.ADMIN,
        }
    }


def company_settings(request: HttpRequest) -> dict[str, Any]:
    """The company's name (titles, the sidebar) and the languages it offers (the
    language switch), from the cached company settings."""
    settings = company()
    return {
        "company_name": settings.name,
        "offered_languages": list(settings.languages),
        "currency_symbol": currency_symbol(settings.currency),
        "attain_set_up": is_set_up(),
    }
