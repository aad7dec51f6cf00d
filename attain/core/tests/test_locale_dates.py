"""Dates a person reads are written in their language's formats (English 01/01/2024 in
tables and Jan. 1, 2024 in sentences; Chinese 2024年1月1日), never as ISO text. ISO stays
only in what machines read (attributes such as <time datetime> and date inputs)."""

from __future__ import annotations

import re

import pytest

from attain.web.testing import read_page

# (language, the company's start day in a table, in a sentence or field)
LANGUAGES = [
    ("en", "01/01/2024", "Jan. 1, 2024"),
    ("zh-hans", "2024年1月1日", "2024年1月1日"),
]


def read(company, role: str, url: str, language: str) -> str:
    return read_page(company.users[role], url, language)


@pytest.mark.parametrize(("language", "short", "long"), LANGUAGES)
def test_home_shows_the_employment_start_in_the_readers_format(company, language, short, long):
    assert long in read(company, "rep", "/", language)
    text = read(company, "manager", "/", language)  # the direct reports' table
    assert short in text and "2024-01-01" not in text


@pytest.mark.parametrize(("language", "short", "long"), LANGUAGES)
def test_person_page_dates_in_the_readers_format(company, language, short, long):
    text = read(company, "admin", "/people/r1/", language)
    assert long in text  # Employment start
    assert short in text  # the assignment history table and the change log's values
    # ISO only inside an assignment's name, stored with the change ("R1 · 华东 · 2024-01-01",
    # its words kept whole by markup of their own: spaces folded)
    assert not re.search(r"(?<! · )2024-01-01", re.sub(r"\s+", " ", text))
    # the change log's times: today's day in the reader's format, no ISO time
    assert not re.search(r"\d{4}-\d\d-\d\d \d\d:\d\d", text)


@pytest.mark.parametrize(("language", "short", "long"), LANGUAGES)
def test_people_table_start_in_the_readers_format(company, language, short, long):
    text = read(company, "admin", "/people/", language)
    assert short in text and "2024-01-01" not in text


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_audit_page_times_in_the_readers_format(company, language):
    text = read(company, "admin", "/audit/", language)
    assert not re.search(r"\d{4}-\d\d-\d\d \d\d:\d\d", text)
    if language == "zh-hans":
        assert re.search(r"\d{4}年\d{1,2}月\d{1,2}日 \d\d:\d\d", text)
    else:
        assert re.search(r"\d\d/\d\d/\d{4} \d{1,2}(:\d\d)? [ap]\.m\.|noon|midnight", text)


@pytest.mark.parametrize(
    ("stored", "shown"),
    [
        ("first-run setup", "首次设置"),
        ("test message", "测试消息"),
        ("prepared again", "重新准备"),
        ("demo company", "演示公司"),
    ],
)
def test_reasons_the_system_writes_read_in_the_readers_language(stored: str, shown: str) -> None:
    """Stored in English (whoever's language wrote them), shown in the reader's."""
    from django.utils import translation

    from attain.core.templatetags.core_tags import reason

    with translation.override("zh-hans"):
        assert reason(stored) == shown
    assert reason(stored) == stored
