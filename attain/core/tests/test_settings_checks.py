"""Settings that are wrong in a way Attain would not notice on its own: Django system
checks (``attain check``, and at start-up of ``runserver`` and ``migrate``)."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import checks
from django.core.management import call_command
from django.core.management.base import SystemCheckError


def ids(**kwargs: Any) -> dict[str, str]:
    return {message.id: message.msg for message in checks.run_checks(**kwargs)}


def test_an_unknown_sso_match_is_an_error(settings: Any) -> None:
    """ATTAIN_SSO_MATCH=employee_id (a typo for employee_code) silently matched on the
    employee id through the claim employee_number; "Email" matched no one by email."""
    assert "attain.E001" not in ids()
    settings.ATTAIN_SSO_MATCH = "employee_id"
    found = ids()
    assert "attain.E001" in found
    assert "employee_id" in found["attain.E001"] and "employee_code" in found["attain.E001"]


def test_an_unknown_password_login_is_an_error(settings: Any) -> None:
    """ATTAIN_PASSWORD_LOGIN=admin (without the s) let everyone keep their password."""
    settings.ATTAIN_PASSWORD_LOGIN = "admin"
    assert "attain.E002" in ids()


def test_an_unknown_sign_out_is_an_error(settings: Any) -> None:
    """ATTAIN_SSO_SIGN_OUT=local (neither value) would quietly end the provider's session."""
    assert "attain.E004" not in ids()
    settings.ATTAIN_SSO_SIGN_OUT = "local"
    assert "attain.E004" in ids()


def test_the_loopback_base_url_in_production_is_a_deployment_warning(settings: Any) -> None:
    settings.ATTAIN_BASE_URL = "http://127.0.0.1:8000"
    assert "attain.W001" in ids(include_deployment_checks=True)
    settings.ATTAIN_BASE_URL = "https://attain.example.com"
    assert "attain.W001" not in ids(include_deployment_checks=True)


def test_attain_check_fails_on_a_bad_sso_match(settings: Any) -> None:
    settings.ATTAIN_SSO_MATCH = "mail"
    with pytest.raises(SystemCheckError, match="ATTAIN_SSO_MATCH"):
        call_command("check")


def test_passwords_for_administrators_only_without_single_sign_on_is_a_warning(
    settings: Any,
) -> None:
    """ATTAIN_PASSWORD_LOGIN=admins with no identity provider set up (ATTAIN_OIDC_CLIENT_ID
    unset or lost): nobody but the administrators could sign in, and the invitations of a
    roster import told everyone to use a single sign-on button the login page lacks."""
    settings.ATTAIN_PASSWORD_LOGIN, settings.ATTAIN_SSO_ENABLED = "admins", False
    found = ids()
    assert "attain.W002" in found and "ATTAIN_OIDC_CLIENT_ID" in found["attain.W002"]
    settings.ATTAIN_SSO_ENABLED = True
    assert "attain.W002" not in ids()
    settings.ATTAIN_PASSWORD_LOGIN, settings.ATTAIN_SSO_ENABLED = "all", False
    assert "attain.W002" not in ids()


@pytest.mark.parametrize("address", ["attain.example.com", "ftp://attain.example.com", "https://"])
def test_a_base_url_that_is_no_address_is_an_error(settings: Any, address: str) -> None:
    """ATTAIN_BASE_URL=attain.example.com (no https://) made every link in invitations,
    password resets and notifications a dead one, and `attain check` said nothing."""
    settings.ATTAIN_BASE_URL = address
    found = ids()
    assert "attain.E003" in found and address in found["attain.E003"]
    settings.ATTAIN_BASE_URL = ""  # documented: notifications carry no link
    assert "attain.E003" not in ids()
