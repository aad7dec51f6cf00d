"""Settings that are wrong in a way Attain would not notice on its own: Django system
checks (``attain check``, and at start-up of ``runserver`` and ``migrate``)."""

from __future__ import annotations

from typing import Any

from django.core import checks


def ids(**kwargs: Any) -> dict[str, str]:
    return {message.id: message.msg for message in checks.run_checks(**kwargs)}


def test_the_loopback_base_url_in_production_is_a_deployment_warning(settings: Any) -> None:
    settings.ATTAIN_BASE_URL = "http://127.0.0.1:8000"
    assert "attain.W001" in ids(include_deployment_checks=True)
    settings.ATTAIN_BASE_URL = "https://attain.example.com"
    assert "attain.W001" not in ids(include_deployment_checks=True)
