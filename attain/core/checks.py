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
