"""The login page's single sign-on button."""

from __future__ import annotations

from typing import Any

from django import template
from django.conf import settings

from attain.core import sso

register = template.Library()


@register.simple_tag
def sso_login() -> dict[str, Any]:
    return {
        "enabled": sso.enabled(),
        "provider": sso.provider_name(),
        "admins_only": getattr(settings, "ATTAIN_PASSWORD_LOGIN", "all") == "admins",
    }
