"""Names for a screen reader (phone QA, second round): on 'My performance' a measure with
no value in the period showed its actual as a link reading only "—"; a screen reader
said "dash, link", not what it opens. The link is now named after its measure."""

from __future__ import annotations

import re

from django.urls import reverse

from attain.conftest import LOGINS

from .conftest import YEAR


def test_a_measures_link_without_a_value_is_named_after_its_measure(client, calculated):
    client.login(username=LOGINS["rep"][0], password=LOGINS["rep"][1])
    page = client.get(
        reverse("incentives:mine") + f"?period={YEAR}-Q1", HTTP_ACCEPT_LANGUAGE="zh-hans"
    ).content.decode()
    dashes = re.findall(r"<a [^>]*>—</a>", page)
    assert dashes, "the company has a measure with no value in the period"
    assert all(re.search(r'aria-label="[^"]+：本期无数值"', link) for link in dashes), dashes
