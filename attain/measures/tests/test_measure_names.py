"""The default measures are named in the reader's language, not both at once."""

from __future__ import annotations

import pytest
from django.template import Context, Template
from django.utils import translation

from attain.measures.models import Measure
from attain.measures.services import measure_names


@pytest.mark.django_db
def test_a_default_measure_is_named_in_the_readers_language() -> None:
    """An English company's rep read “销售额 Revenue”, “客户活动 Activities”… on every
    page, the default measures' names being stored in both languages at once."""
    with translation.override("en"):
        names = measure_names()
        page = Template("{% load measure_tags %}{% measure_name 'revenue' %}").render(Context())
    assert names["revenue"] == page == "Revenue"
    assert names["new_customers"] == "New customers"
    assert not any("\u4e00" <= ch <= "\u9fff" for name in names.values() for ch in name)
    with translation.override("zh-hans"):
        names = measure_names()
    assert (names["revenue"], names["collected"], names["visits"]) == ("销售额", "回款", "拜访")


@pytest.mark.django_db
def test_a_measure_the_company_renamed_keeps_its_name() -> None:
    Measure.objects.filter(code="revenue").update(name="Net bookings")
    with translation.override("zh-hans"):
        assert measure_names()["revenue"] == "Net bookings"
