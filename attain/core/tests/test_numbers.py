"""Numbers are grouped by thousands in both languages, money to 2 places: one pair of
filters (attain/core/templatetags/numbers.py) and the zh-hans format override."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.contrib.humanize.templatetags.humanize import intcomma
from django.template import Context, Template
from django.test import Client
from django.utils import translation

from attain.core.templatetags.numbers import grouped, money


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_filters_group_in_both_languages(language):
    with translation.override(language):
        assert grouped(1234567) == "1,234,567"
        assert grouped(Decimal("1234.500")) == "1,234.5"
        assert grouped(Decimal("12")) == "12"
        assert money(Decimal("1234567.005")) == "1,234,567.01"
        assert money(-1234.5) == "-1,234.50"
        assert money(0) == "0.00"
        assert money(None) == grouped(None) == "—"
        assert grouped("n/a") == "n/a"
        # Django's own zh-hans format does not group; the project's override does
        assert intcomma(1234567) == "1,234,567"
        rendered = Template("{% load numbers %}{{ a|money }} {{ n|grouped }}").render(
            Context({"a": Decimal("98765.4"), "n": 10000})
        )
        assert rendered == "98,765.40 10,000"


def test_pages_show_grouped_numbers_in_chinese(company):
    from attain.crm import services

    customer = services.create_customer(None, name="甲一科技", owner=company.people["r1"])
    services.create_opportunity(
        None, customer=customer, name="大单", owner=company.people["r1"], amount=Decimal(1234567)
    )
    client = Client()
    client.force_login(company.users["admin"])
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    funnel = client.get("/crm/opportunities/").content.decode()
    assert "1,234,567.00" in funnel
    board = client.get("/crm/pipeline/").content.decode()
    assert "1,234,567.00" in board


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_percentages_over_a_thousand_are_grouped(language):
    """Leaderboards, team and pace pages showed 2963.0% beside grouped amounts."""
    from attain.incentives.templatetags.incentives import pct
    from attain.targets.templatetags.targets_tags import percent

    with translation.override(language):
        assert pct(Decimal("29.63")) == percent(Decimal("29.63")) == "2,963.0%"
        assert pct(Decimal("0.8734")) == percent(Decimal("0.8734")) == "87.3%"


PLURAL = re.compile(
    r"\{% blocktranslate count (\w+)=[^%]*%\}(.*?)\{% endblocktranslate %\}", re.DOTALL
)


def test_plural_counts_are_shown_grouped():
    """``{% blocktranslate count n=x %}{{ n }} …`` prints the count ungrouped (1234
    rows): a count shown in the text is the ``grouped`` one of the ``with`` clause."""
    root = Path(__file__).resolve().parents[2]
    shown_raw = [
        f"{path.relative_to(root)}: {{{{ {match.group(1)} }}}}"
        for path in sorted(root.rglob("templates/**/*.html"))
        for match in PLURAL.finditer(path.read_text(encoding="utf-8"))
        if "{{ " + match.group(1) + " }}" in match.group(2)
    ]
    assert shown_raw == []


@pytest.mark.parametrize(
    ("language", "text"), [("en", "1,234 fields"), ("zh-hans", "1,234 个字段")]
)
def test_a_plural_count_is_grouped_in_both_languages(language, text):
    template = Template(
        "{% load i18n numbers %}{% blocktranslate count number=n with counter=n|grouped %}"
        "{{ counter }} field{% plural %}{{ counter }} fields{% endblocktranslate %}"
    )
    with translation.override(language):
        assert template.render(Context({"n": 1234})) == text
