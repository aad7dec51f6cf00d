"""The API's default permission: a login, and a leaver's only to their own pay."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request

from attain.org.access import leaver_may_reach


class SignedInAndReachable(IsAuthenticated):
    """Signed in (else 401), and the operation one the login may reach: the login of
    someone who has left reaches only :data:`attain.org.access.LEAVER_REACHES` (403)."""

    message = _("Someone who has left reaches only their own pay.")

    def has_permission(self, request: Request, view: Any) -> bool:
        if not super().has_permission(request, view):
            return False
        match = request.resolver_match
        return leaver_may_reach(request.user, match.view_name if match else None)
