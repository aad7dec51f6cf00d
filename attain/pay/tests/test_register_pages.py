"""The payout register lists its payouts a page at a time (10,000 people × 19 periods
was one enormous page): the totals still cover every payout the filters select, the page
links keep the filters, and a step applies to the payouts chosen on the page shown."""

from __future__ import annotations

from decimal import Decimal

import pytest

from attain.pay import selectors_payouts as selectors
from attain.pay.models import Payout

from .payout_factories import AMOUNTS, PERIOD, store

VISIBLE = {
    "admin": set(AMOUNTS),
    "sales_ops": set(AMOUNTS),
    "finance": set(AMOUNTS),
    "executive": set(AMOUNTS),
    "manager": {"m1", "r1", "r2", "r3"},
    "rep": {"r1"},
}


@pytest.fixture
def two_a_page(monkeypatch):
    monkeypatch.setattr(selectors, "REGISTER_PAGE", 2)


def _pages(client, address):
    """Every page of the register from ``address`` on, following its Next links."""
    pages = []
    while address:
        page = client.get(address)
        assert page.status_code == 200
        pages.append(page)
        html = page.content.decode()
        nav = html.split('<nav class="pager">')[1].split("</nav>")[0] if "pager" in html else ""
        links = [part.split('"')[0] for part in nav.split('href="')[1:]]
        following = [link for link in links if f"page={len(pages) + 1}" in link]
        address = f"/pay/payouts/{following[0]}".replace("&amp;", "&") if following else None
    return pages


@pytest.mark.parametrize("role", list(VISIBLE))
def test_every_role_pages_through_what_they_may_see(company, client, two_a_page, role):
    store(company, AMOUNTS)
    client.force_login(company.users[role])
    pages = _pages(client, f"/pay/payouts/?period={PERIOD}&held=no")
    shown = [p.person.code for page in pages for p in page.context["register"].rows]
    assert sorted(shown) == sorted(VISIBLE[role])  # each once, none missing
    assert len(pages) == -(-len(VISIBLE[role]) // 2)
    assert all(len(page.context["register"].rows) <= 2 for page in pages)
    expected = sum(
        (Decimal(v) for code in VISIBLE[role] for v in AMOUNTS[code].values()), Decimal(0)
    )
    for page in pages:  # the totals are the whole selection's, on every page
        assert page.context["register"].totals.total == expected
        assert page.context["register"].totals.count == len(VISIBLE[role])
    if len(pages) > 1:  # the links keep the filters
        html = pages[0].content.decode()
        nav = html.split('<nav class="pager">')[1].split("</nav>")[0]
        assert f"period={PERIOD}" in nav and "held=no" in nav and "page=2" in nav


def test_the_page_labels_are_translated(company, client, two_a_page):
    store(company, AMOUNTS)
    client.force_login(company.users["finance"])
    client.cookies["django_language"] = "zh-hans"
    html = client.get(f"/pay/payouts/?period={PERIOD}&page=2").content.decode()
    nav = html.split('<nav class="pager">')[1].split("</nav>")[0]
    assert "上一页" in nav and "下一页" in nav and "共 5 条" in nav


def test_a_step_applies_to_the_payouts_chosen_on_the_page(company, client, two_a_page):
    store(company, AMOUNTS)
    client.force_login(company.users["finance"])
    address = f"/pay/payouts/?period={PERIOD}&page=2"
    on_page = [p.person.code for p in client.get(address).context["register"].rows]
    assert len(on_page) == 2
    chosen = on_page[1]
    answer = client.post(address, {"action": "hold", "people": [chosen], "reason": "check"})
    assert answer.status_code == 302 and answer["Location"] == address  # back on the page
    held = set(
        Payout.objects.filter(period=PERIOD, held=True).values_list("person__code", flat=True)
    )
    assert held == {chosen}


def test_a_page_past_the_end_shows_the_last(company, client, two_a_page):
    store(company, AMOUNTS)
    client.force_login(company.users["admin"])
    page = client.get(f"/pay/payouts/?period={PERIOD}&page=99")
    assert page.status_code == 200
    assert len(page.context["register"].rows) == 1  # 5 payouts, 2 a page


@pytest.mark.parametrize("role", list(VISIBLE))
def test_the_api_register_comes_a_page_at_a_time(company, role):
    """``GET /api/pay/payouts/`` returned every payout with its lines at once (3-4 MB on a
    company of 2,000 people); now the common pager's pages (``?page=``, ``?page_size=``,
    100 a page), each with ``count``, ``next`` and ``previous`` and the totals of every
    payout selected; the pages hold the payouts the role saw at once before, each once."""
    from rest_framework.test import APIClient

    store(company, AMOUNTS)
    api = APIClient()
    api.force_authenticate(company.users[role])
    address = f"/api/pay/payouts/?period={PERIOD}&page_size=2"
    first = api.get(address).json()
    assert first["count"] == len(VISIBLE[role]) and first["previous"] is None
    assert len(first["payouts"]) == min(2, len(VISIBLE[role]))
    assert (first["next"] is not None) == (len(VISIBLE[role]) > 2)
    expected = sum(
        (Decimal(v) for code in VISIBLE[role] for v in AMOUNTS[code].values()), Decimal(0)
    )
    shown: list[str] = []
    pages = 0
    while address:
        body = api.get(address).json()
        pages += 1
        shown += [p["person"] for p in body["payouts"]]
        assert Decimal(body["totals"]["total"]) == expected  # every page: all selected
        assert body["totals"]["count"] == len(VISIBLE[role])
        address = body["next"]
    assert sorted(shown) == sorted(VISIBLE[role])  # each once, none missing
    assert pages == -(-len(VISIBLE[role]) // 2)
    whole = api.get(f"/api/pay/payouts/?period={PERIOD}").json()  # 100 a page by default
    assert whole["next"] is None and len(whole["payouts"]) == len(VISIBLE[role])


def test_the_api_register_reads_its_page_strictly(company):
    from rest_framework.test import APIClient

    store(company, AMOUNTS)
    api = APIClient()
    api.force_authenticate(company.users["admin"])
    assert api.get(f"/api/pay/payouts/?period={PERIOD}&page=99").status_code == 404
    assert api.get(f"/api/pay/payouts/?period={PERIOD}&page=x").status_code == 400
    assert api.get(f"/api/pay/payouts/?period={PERIOD}&page_size=0").status_code == 400
