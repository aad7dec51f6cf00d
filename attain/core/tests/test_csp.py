"""The Content-Security-Policy: on every page, strict (no inline script or style), and
the templates carry nothing inline that it would block. HTTPS settings switch by
environment."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

from django.test import Client

TEMPLATES = sorted(Path(__file__).resolve().parents[2].glob("*/templates/**/*.html"))
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
INLINE_STYLE = re.compile(r"<style\b|\sstyle=", re.IGNORECASE)
HANDLER = re.compile(r"\son[a-z]+=", re.IGNORECASE)


def test_templates_have_no_inline_script_style_or_handlers() -> None:
    assert TEMPLATES
    found = []
    for path in TEMPLATES:
        text = path.read_text()
        for pattern in (INLINE_SCRIPT, INLINE_STYLE, HANDLER):
            found += [f"{path.name}: {m.group(0)}" for m in pattern.finditer(text)]
    assert found == []


def _policy(response) -> dict[str, str]:
    header = response["Content-Security-Policy"]
    return {part.split()[0]: part for part in (p.strip() for p in header.split(";")) if part}


def test_every_page_has_a_strict_policy(company) -> None:
    client = Client()
    login = client.get("/login/")
    policy = _policy(login)
    assert policy["default-src"] == "default-src 'self'"
    assert "unsafe-inline" not in policy["script-src"]
    assert "unsafe-inline" not in policy["style-src"]
    assert "frame-ancestors 'none'" in policy["frame-ancestors"]
    client.force_login(company.users["admin"])
    for url in ("/", "/people/", "/units/", "/crm/customers/", "/intake/", "/targets/"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "unsafe-inline" not in response["Content-Security-Policy"], url
    docs = client.get("/api/docs")
    assert "unsafe-inline" not in _policy(docs)["script-src"]
    assert "<script>" not in docs.content.decode()  # the split view: no inline script


def _settings_with(env: dict[str, str]) -> dict[str, object]:
    code = (
        "import json, config.settings as s;"
        "print(json.dumps({k: getattr(s, k, None) for k in ("
        "'SECURE_SSL_REDIRECT','SECURE_HSTS_SECONDS','SECURE_HSTS_INCLUDE_SUBDOMAINS',"
        "'SECURE_HSTS_PRELOAD','SECURE_PROXY_SSL_HEADER','SESSION_COOKIE_SECURE',"
        "'CSRF_COOKIE_SECURE','CSRF_TRUSTED_ORIGINS','ATTAIN_LIMITS')}))"
    )
    base = {k: v for k, v in os.environ.items() if not k.startswith("ATTAIN_")}
    out = subprocess.run(
        [sys.executable, "-c", code],
        env={**base, **env},
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parents[3],
    )
    return json.loads(out.stdout)


def test_https_settings_switch_by_environment() -> None:
    development = _settings_with({"ATTAIN_DEBUG": "1"})
    assert development["SECURE_SSL_REDIRECT"] is False
    assert development["SECURE_HSTS_SECONDS"] == 0
    assert development["SESSION_COOKIE_SECURE"] is False
    production = _settings_with(
        {
            "ATTAIN_DEBUG": "0",
            "ATTAIN_SECRET_KEY": "x" * 50,
            "ATTAIN_SSL_REDIRECT": "1",
            "ATTAIN_HSTS_SECONDS": "31536000",
            "ATTAIN_HSTS_INCLUDE_SUBDOMAINS": "1",
            "ATTAIN_HSTS_PRELOAD": "1",
            "ATTAIN_PROXY_SSL_HEADER": "1",
            "ATTAIN_CSRF_TRUSTED_ORIGINS": "https://attain.example.com",
            "ATTAIN_IMPORT_MAX_MB": "5",
        }
    )
    assert production["SECURE_SSL_REDIRECT"] is True
    assert production["SECURE_HSTS_SECONDS"] == 31536000
    assert production["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    assert production["SECURE_HSTS_PRELOAD"] is True
    assert production["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert production["SESSION_COOKIE_SECURE"] is True
    assert production["CSRF_COOKIE_SECURE"] is True
    assert production["CSRF_TRUSTED_ORIGINS"] == ["https://attain.example.com"]
    assert production["ATTAIN_LIMITS"]["IMPORT_MAX_BYTES"] == 5 << 20


def test_an_empty_database_url_means_the_embedded_default() -> None:
    code = "import json, config.settings as s; print(json.dumps(s.DATABASES['default']['ENGINE']))"
    out = subprocess.run(
        [sys.executable, "-c", code],
        env={**os.environ, "DATABASE_URL": " "},
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parents[3],
    )
    assert json.loads(out.stdout) == "django.db.backends.sqlite3"
