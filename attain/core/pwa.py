"""Installable web app: the service worker, served from the site's root so it may look
after every page (it stores only static files, never a page: see core/sw.js)."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.templatetags.static import static

# What a phone keeps for a slow connection: styles, scripts, the logo and icons.
SHELL = (
    "attain/app.css",
    "attain/page.js",
    "attain/logo.svg",
    "attain/icon-192.png",
    "attain/icon-512.png",
    "attain/manifest.webmanifest",
)


def service_worker(request: HttpRequest) -> HttpResponse:
    shell = [static(path) for path in SHELL]
    # a new deployment (new hashed file names) is a new cache; the old one is dropped
    version = hashlib.sha256("\n".join(shell).encode()).hexdigest()[:12]
    body = render_to_string(
        "core/sw.js",
        {"shell": shell, "version": version, "static_prefix": settings.STATIC_URL},
    )
    response = HttpResponse(body, content_type="application/javascript; charset=utf-8")
    response["Cache-Control"] = "no-cache"
    return response
