"""Names for a screen reader (phone QA, second round): on 'My performance' a measure with
no value in the period showed its actual as a link reading only "—"; a screen reader
said "dash, link", not what it opens. The link is now named after its measure (on the
manager's heat map, after its person)."""

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


def test_a_heatmap_cell_without_attainment_is_named_for_its_person(client, calculated):
    """The manager's heat map linked a person's cell with no attainment as "—" too (a
    measure with a target but no value yet)."""
    from attain.incentives.models import PeriodResult

    for result in PeriodResult.objects.filter(person__code="r2", period=f"{YEAR}-Q2"):
        result.attainment.pop("revenue", None)
        result.save(update_fields=["attainment"])
    client.login(username=LOGINS["manager"][0], password=LOGINS["manager"][1])
    page = client.get(
        reverse("incentives:team") + f"?period={YEAR}-Q2", HTTP_ACCEPT_LANGUAGE="zh-hans"
    ).content.decode()
    heatmap = page[page.index('id="heatmap"') :]
    dashes = re.findall(r"<a [^>]*>—</a>", heatmap[: heatmap.index("</table>")])
    assert dashes, "someone has no attainment in the period"
    assert all(re.search(r'aria-label="[^"]+：本期无达成率"', link) for link in dashes), dashes
