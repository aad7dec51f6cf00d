"""Accessibility of the explanation pages (QA)."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from attain.conftest import login

from .conftest import YEAR

pytestmark = pytest.mark.django_db


def test_the_payout_overview_table_has_column_headers(client, calculated):
    """The explanation's overview listed each plan's components and amounts in a table
    without header cells: a screen reader read bare cells (or took it for layout) and
    could not say which column was the amount."""
    login(client, "rep")
    page = client.get(reverse("incentives:explain", args=["r1", f"{YEAR}-Q1"])).content.decode()
    main = page[page.index('id="content"') :]
    tables = re.findall(r"<table.*?</table>", main, re.S)
    assert tables
    for table in tables:
        assert "<th" in table, table[:200]


def test_the_overviews_plan_headings_bracket_as_the_reader_writes(client, calculated):
    """A Chinese overview headed each plan '销售提成 (rep)' with ASCII brackets."""
    login(client, "rep")
    client.cookies["django_language"] = "zh-hans"
    page = client.get(reverse("incentives:explain", args=["r1", f"{YEAR}-Q1"])).content.decode()
    headings = re.findall(r"<h3>(.*?)</h3>", page[page.index('id="content"') :], re.S)
    plans = [h for h in headings if "：" in h]
    assert plans and all("（" in h and " (" not in h for h in plans), headings
