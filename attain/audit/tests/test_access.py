"""Role × action for the audit trail: read it, verify its chain."""

from __future__ import annotations

import pytest
from django.test import Client

ROLES = ["admin", "sales_ops", "finance", "executive", "manager", "rep"]
READERS = {"admin", "sales_ops"}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("url", ["/api/audit/", "/api/audit/verify/", "/audit/"])
def test_only_admins_and_sales_ops_read_and_verify_the_trail(company, role, url):
    client = Client()
    client.force_login(company.users[role])
    response = client.get(url)
    assert response.status_code == (200 if role in READERS else 403)
    if role in READERS and url == "/api/audit/verify/":
        assert response.json()["intact"] is True


@pytest.mark.parametrize("url", ["/api/audit/", "/api/audit/verify/"])
def test_anonymous_callers_get_401(company, url):
    assert Client().get(url).status_code == 401


def test_audit_does_not_import_org():
    import ast
    import pathlib

    import attain.audit

    root = pathlib.Path(attain.audit.__file__).parent
    for file in root.rglob("*.py"):
        if "tests" in file.parts:
            continue
        tree = ast.parse(file.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module:
                assert not node.module.startswith("attain.org"), file
