"""Django's admin site carries Attain's name in the reader's language."""

from __future__ import annotations

import pytest
from django.test import Client


@pytest.mark.parametrize(
    ("language", "header", "absent"),
    [
        ("zh-hans", "Attain 系统管理", "Django 站点管理员"),
        ("en", "Attain administration", "Django administration"),
    ],
)
def test_the_admin_is_attains_in_the_readers_language(company, language, header, absent):
    client = Client()
    client.force_login(company.users["admin"])
    page = client.get("/admin/", headers={"accept-language": language}).content.decode()
    assert (
        f"<title>{'数据管理' if language == 'zh-hans' else 'Data administration'} | {header}"
        in page
    )
    assert header in page and absent not in page
