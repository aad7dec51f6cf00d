"""Messages about a person's employment name days in the reader's language (English
Jan. 1, 2024; Chinese 2024年1月1日), never as ISO text."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import translation

from attain.org import services

LANGUAGES = [("en", "Jan. 1, 2024"), ("zh-hans", "2024年1月1日")]


@pytest.mark.parametrize(("language", "start"), LANGUAGES)
def test_refusals_name_the_employment_start_in_the_readers_format(company, language, start):
    r1 = company.people["r1"]
    before = datetime.date(2023, 12, 31)
    with translation.override(language):
        with pytest.raises(ValidationError) as ended:
            services.end_employment(company.users["admin"], r1, on=before)
        with pytest.raises(ValidationError) as moved:
            services.transfer_person(company.users["admin"], r1, on=before, unit=company.west)
    for refused in (ended.value, moved.value):
        text = " ".join(m for ms in refused.message_dict.values() for m in ms)
        assert start in text and "2024-01-01" not in text and "2023-12-31" not in text


@pytest.mark.parametrize(
    ("language", "message"),
    [("en", "Employment ends on June 30, 2026."), ("zh-hans", "离职日期为 2026年6月30日。")],
)
def test_the_person_page_confirms_the_last_day_in_the_readers_format(company, language, message):
    client = Client()
    client.force_login(company.users["admin"])
    page = client.post(
        "/people/r2/",
        {"end-on": "2026-06-30", "end-reason": "left"},
        HTTP_ACCEPT_LANGUAGE=language,
        follow=True,
    ).content.decode()
    assert message in page
