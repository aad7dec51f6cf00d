"""Honours and the leaderboard: ties share, and a fiscal year starting in April keeps
January–March of the next calendar year."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from attain.conftest import LOGINS, Company
from attain.incentives import selectors, services
from attain.incentives.models import Honour, PeriodResult

pytestmark = pytest.mark.django_db


def result(company: Company, code: str, period: str, attainment: str) -> None:
    year, month = int(period[:4]), int(period[5:7])
    PeriodResult.objects.create(
        person=company.people[code],
        period=period,
        period_kind="month",
        start=datetime.date(year, month, 1),
        end=datetime.date(year, month, 28),
        unit=company.east,
        role="rep",
        main_attainment=Decimal(attainment),
    )


def test_april_year_honours_are_awarded_again_and_ties_share(
    company: Company, settings: pytest.FixtureRequest
) -> None:
    settings.ATTAIN_FISCAL_YEAR_START = 4  # type: ignore[attr-defined]
    # FY2025 (April 2025 – March 2026) has an honour in 2026-02: FY2026's run keeps it
    result(company, "r1", "2026-02", "1.5")
    services.award_honours(None, 2025)
    for code in ("r1", "r2"):  # r1 and r2 (both east) tie in January 2027 (FY2026)
        result(company, code, "2026-12", "0.9")
        result(company, code, "2027-01", "1.2")
    services.award_honours(None, 2026)
    services.award_honours(None, 2026)  # after every full run: idempotent
    champions = set(Honour.objects.filter(kind="champion").values_list("person__code", "period"))
    assert champions == {("r1", "2026-02"), ("r1", "2027-01"), ("r2", "2027-01")}
    improved = set(
        Honour.objects.filter(kind="most_improved").values_list("person__code", "period")
    )
    assert improved == {("r1", "2027-01"), ("r2", "2027-01")}

    client = Client()
    assert client.login(username=LOGINS["executive"][0], password=LOGINS["executive"][1])
    page = client.get(reverse("incentives:leaderboard"), {"period": "2027-01"})
    assert page.status_code == 200
    assert [r.rank for r in page.context["rows"]] == [1, 1]
    assert "2027-01" in page.context["periods"] and "2027-02" in page.context["periods"]
    shown = {(h.person.code, h.period) for h in page.context["honours"]}
    assert ("r1", "2027-01") in shown and ("r1", "2026-02") not in shown  # FY2025's
    board = client.get(reverse("api-leaderboard"), {"period": "2027-01"}).json()
    assert [e["rank"] for e in board] == [1, 1]


def test_the_first_month_of_the_year_has_a_most_improved(company: Company) -> None:
    """Most improved compared each month with the one before only within the fiscal
    year: January (April with a year from April) never had one. It rises over the last
    month of the year before, whose own honours the new year's run leaves alone."""
    result(company, "r1", "2025-12", "0.5")
    result(company, "r2", "2025-12", "1.1")
    services.award_honours(None, 2025)
    result(company, "r1", "2026-01", "0.9")
    result(company, "r2", "2026-01", "1.0")
    services.award_honours(None, 2026)
    services.award_honours(None, 2026)
    improved = set(
        Honour.objects.filter(kind="most_improved").values_list("person__code", "period")
    )
    assert improved == {("r1", "2026-01")}
    champions = set(Honour.objects.filter(kind="champion").values_list("person__code", "period"))
    assert champions == {("r2", "2025-12"), ("r2", "2026-01")}


def test_a_big_unit_board_shows_the_reader_and_counts_everyone(company: Company) -> None:
    """A unit of hundreds: the board was cut at its first 200 rows, so a rep ranked
    lower did not find themself (page or API), and the people at 0% beyond the cut were
    neither listed nor counted."""
    from attain.org.models import Person

    others = Person.objects.bulk_create(
        Person(code=f"big{n:03d}", name="王伟", start=datetime.date(2024, 1, 1)) for n in range(260)
    )
    for n, person in enumerate(others):
        PeriodResult.objects.create(
            person=person,
            period="2026-03",
            period_kind="month",
            start=datetime.date(2026, 3, 1),
            end=datetime.date(2026, 3, 31),
            unit=company.east,
            role="rep",
            main_attainment=Decimal("0") if n >= 230 else Decimal("2") - Decimal(n) / 1000,
        )
    result(company, "r1", "2026-03", "0.5")  # below all 230 with a result: rank 231
    result(company, "r2", "2026-03", "0")
    client = Client()
    assert client.login(username=LOGINS["rep"][0], password=LOGINS["rep"][1])
    page = client.get(reverse("incentives:leaderboard"), {"period": "2026-03"})
    mine = [r for r in page.context["rows"] if r.person.code == "r1"]
    assert [r.rank for r in mine] == [231]
    assert page.context["ranked_count"] == 231 and page.context["unranked_count"] == 31
    text = page.content.decode()
    assert "31 people with no result yet" in text and "231 ranked, 31 at 0%" in text
    board = client.get(reverse("api-leaderboard"), {"period": "2026-03"}).json()
    assert len(board) == 262
    assert [e["rank"] for e in board if e["person"] == "r1"] == [231]


def test_no_most_improved_over_a_month_without_data(company: Company) -> None:
    """February has results but nobody sold anything (the orders were not imported yet):
    everyone's March "rose" from 0% and the best of March was most improved, an honour
    measured from no data. A month with someone's result is a base, also for those at 0%."""
    for code in ("r1", "r2"):
        result(company, code, "2026-02", "0")
    result(company, "r1", "2026-03", "0.8")
    result(company, "r2", "2026-03", "0.5")
    result(company, "r1", "2026-04", "0.6")
    result(company, "r2", "2026-04", "0.9")
    services.award_honours(None, 2026)
    improved = set(
        Honour.objects.filter(kind="most_improved").values_list("person__code", "period")
    )
    assert improved == {("r2", "2026-04")}


def test_a_leaver_is_not_ranked_nor_honoured_for_months_after_their_last_day(sales) -> None:
    """r1 left on 31 January but their February orders (booked late, still in their
    name) gave them 360% in February: they headed February's leaderboard and were its
    monthly champion although they worked no day of it. A month in which a person is not
    employed is neither ranked nor honoured; January, when r1 still worked, is."""
    from attain.org import services as org_services

    org_services.end_employment(None, sales.people["r1"], on=datetime.date(2026, 1, 31))
    services.run_calculation(None, 2026)
    client = Client()
    assert client.login(username=LOGINS["executive"][0], password=LOGINS["executive"][1])
    february = client.get(reverse("api-leaderboard"), {"period": "2026-02"}).json()
    assert [e["person"] for e in february if e["rank"] is not None] == ["r2", "r3"]
    assert "r1" not in {e["person"] for e in february}
    january = client.get(reverse("api-leaderboard"), {"period": "2026-01"}).json()
    assert "r1" in {e["person"] for e in january}
    page = client.get(reverse("incentives:leaderboard"), {"period": "2026-02"})
    assert "r1" not in {r.person.code for r in page.context["rows"]}
    champions = set(Honour.objects.filter(kind="champion").values_list("person__code", "period"))
    assert ("r1", "2026-02") not in champions and ("r2", "2026-02") in champions


@pytest.mark.parametrize("unit", ["²", "٣", "9" * 30])
def test_a_unit_that_is_no_id_shows_the_whole_board(company: Company, unit: str) -> None:
    """``?unit=²`` (a digit to str.isdigit(), no number to int()) was a server error."""
    client = Client()
    client.force_login(company.users["rep"])
    page = client.get(reverse("incentives:leaderboard"), {"unit": unit})
    assert page.status_code == 200


def test_the_leaderboard_lists_tied_honours_by_name(company: Company) -> None:
    """The board shows 30 honours by period and kind: with more 卓越 achievers in one
    quarter than fit, SQLite and PostgreSQL each picked and ordered their own 30 (the
    demo company showed different people). Ties now go by name, then employee id."""
    by_name = sorted(company.people.values(), key=lambda p: (p.name, p.code))
    stored = [by_name[i] for i in (3, 2, 6, 0, 5, 1, 4)]  # neither by name nor by id
    for person in stored:
        Honour.objects.create(
            pk=100 - by_name.index(person),  # ids against the names' order
            person=person,
            kind="excellent",
            period="2026-Q4",
        )
    client = Client()
    assert client.login(username=LOGINS["executive"][0], password=LOGINS["executive"][1])
    page = client.get(reverse("incentives:leaderboard"), {"period": "2026-Q4"})
    assert [h.person.code for h in page.context["honours"]] == [p.code for p in by_name]
    assert [h.person.code for h in selectors.honours_of(by_name[0])] == [by_name[0].code]
