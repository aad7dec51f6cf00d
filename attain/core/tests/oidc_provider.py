"""A real OpenID Connect provider for the single sign-on tests: django-oauth-toolkit,
mounted under /o/ of a test-only URLconf next to Attain's own pages.

Its users are ordinary rows of the login table (the provider shares the test database):
an identity-provider account ``idp-…`` carries the email and, in ``last_name``, the
employee number the provider asserts. They are not Attain's logins: Attain matches the
asserted claims to people.
"""

from __future__ import annotations

from typing import Any

from django.urls import include, path
from oauth2_provider.oauth2_validators import OAuth2Validator

from config.urls import urlpatterns as attain_urlpatterns

urlpatterns = [
    path("o/", include("oauth2_provider.urls", namespace="oauth2_provider")),
    *attain_urlpatterns,
]


class CorporateValidator(OAuth2Validator):
    """Claims as a corporate directory sends them: email (verified) and employee number."""

    oidc_claim_scope = {
        **OAuth2Validator.oidc_claim_scope,
        "email": "email",
        "email_verified": "email",
        "employee_number": "profile",
    }

    def get_additional_claims(self, request: Any) -> dict[str, Any]:
        return {
            "email": request.user.email,
            "email_verified": True,
            "employee_number": request.user.last_name,
        }
