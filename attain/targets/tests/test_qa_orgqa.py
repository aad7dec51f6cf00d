"""A plan in force lists the organisation changes since publication (QA findings)."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.urls import reverse

from attain.conftest import Company
from attain.org import services as org
from attain.targets.models import TargetPlan

from .conftest import publish

pytestmark = pytest.mark.django_db


def test_the_org_changes_are_listed_with_chinese_punctuation(
    company: Company, plan: TargetPlan
) -> None:
    """In Chinese the list read "R2 · 华东 · 2024-01-01 (26/6/30); R4 …": an English
    semicolon and parentheses in a Chinese sentence."""
    publish(company, plan)
    org.end_employment(None, company.people["r2"], on=datetime.date(2026, 6, 30))
    org.end_employment(None, company.people["r4"], on=datetime.date(2026, 6, 30))
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(company.users["sales_ops"])
    page = client.get(reverse("targets:plan", args=[plan.pk])).content.decode()
    start = page.find("发布后的组织变动")
    changes = page[start : page.find("</p>", start)]
    assert "R2" in changes and "R4" in changes
    assert "; " not in changes and " (" not in changes
    assert "（" in changes and "、" in changes
