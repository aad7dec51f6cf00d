"""CRM pages write dates in the reader's language (English 03/01/2026 in tables, Mar. 1,
2026 in fields; Chinese 2026年3月1日), never as ISO text; ISO stays in attributes."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

import pytest
from django.utils import timezone

from attain.crm.tests import make
from attain.web.testing import read_page

LANGUAGES = [
    ("en", {"order": "03/01/2026", "payment": "04/01/2026", "close": "May 31, 2026"}),
    ("zh-hans", {"order": "2026年3月1日", "payment": "2026年4月1日", "close": "2026年5月31日"}),
]
ISO = re.compile(r"\b20\d\d-\d\d-\d\d\b")


def read(company, role: str, url: str, language: str) -> str:
    return read_page(company.users[role], url, language)


@pytest.mark.parametrize(("language", "day"), LANGUAGES)
def test_customer_page_dates_in_the_readers_format(company, crm, language, day):
    customer = crm.customers["c_r1"]
    make.activity(
        customer,
        company.people["r1"],
        occurred_at=timezone.make_aware(datetime.datetime(2026, 3, 1, 9, 30)),
    )
    text = read(company, "admin", f"/crm/customers/{customer.external_id}/", language)
    assert day["order"] in text and day["payment"] in text
    assert not ISO.search(text), ISO.search(text)


@pytest.mark.parametrize(("language", "day"), LANGUAGES)
@pytest.mark.parametrize(
    ("url", "which"), [("/crm/orders/", "order"), ("/crm/payments/", "payment")]
)
def test_lists_show_dates_in_the_readers_format(company, crm, language, day, url, which):
    text = read(company, "admin", url, language)
    assert day[which] in text
    assert not ISO.search(text), ISO.search(text)


@pytest.mark.parametrize(("language", "day"), LANGUAGES)
def test_opportunity_pages_dates_in_the_readers_format(company, crm, language, day):
    opportunity = make.opportunity(
        crm.customers["c_r1"],
        company.people["r1"],
        "一期",
        Decimal(1000),
        expected_close=datetime.date(2026, 5, 31),
    )
    text = read(company, "admin", f"/crm/opportunities/{opportunity.external_id}/", language)
    assert day["close"] in text
    assert not ISO.search(text), ISO.search(text)
    for url in ("/crm/opportunities/", "/crm/pipeline/"):
        text = read(company, "admin", url, language)
        assert not ISO.search(text), (url, ISO.search(text))


@pytest.mark.parametrize(("language", "day"), LANGUAGES)
def test_search_shows_an_orders_day_in_the_readers_format(company, crm, language, day):
    text = read(company, "admin", "/search/?q=" + crm.orders["o_r1"].external_id, language)
    assert day["order"] in text
    assert not ISO.search(text), ISO.search(text)


@pytest.mark.parametrize(("language", "day"), [("en", "Jan. 1, 2020"), ("zh-hans", "2020年1月1日")])
def test_a_rating_before_employment_names_the_day_in_the_readers_format(company, language, day):
    from django.core.exceptions import ValidationError
    from django.utils import translation

    from attain.crm.services.ratings import record_peer_rating

    with translation.override(language), pytest.raises(ValidationError) as refused:
        record_peer_rating(
            company.users["admin"],
            rater=company.people["r2"],
            person=company.people["r1"],
            date=datetime.date(2020, 1, 1),
            score=Decimal(4),
        )
    text = " ".join(refused.value.messages)
    assert day in text and "2020-01-01" not in text


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_customer_page_counts_are_grouped(company, crm, language):
    """ "Showing the latest 100 of 1,200": the count grouped as the page's other figures."""
    from attain.crm.models import Activity

    customer = crm.customers["c_r1"]
    when = timezone.make_aware(datetime.datetime(2026, 3, 1, 9, 30))
    Activity.objects.bulk_create(
        Activity(customer=customer, owner=company.people["r1"], kind="call", occurred_at=when)
        for _ in range(1200)
    )
    text = read(company, "admin", f"/crm/customers/{customer.external_id}/", language)
    assert "1,200" in text and "1200" not in text


@pytest.mark.parametrize(("language", "month"), [("en", "March 2026"), ("zh-hans", "2026年3月")])
def test_a_second_rating_in_a_month_names_the_month_in_the_readers_format(company, language, month):
    from django.core.exceptions import ValidationError
    from django.utils import translation

    from attain.crm.services.ratings import record_peer_rating

    rate = dict(rater=company.people["r2"], person=company.people["r1"], score=Decimal(4))
    record_peer_rating(company.users["admin"], date=datetime.date(2026, 3, 2), **rate)
    with translation.override(language), pytest.raises(ValidationError) as refused:
        record_peer_rating(company.users["admin"], date=datetime.date(2026, 3, 20), **rate)
    text = " ".join(refused.value.messages)
    assert month in text and "2026-03" not in text
