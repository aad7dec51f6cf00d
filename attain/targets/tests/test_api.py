from __future__ import annotations

import datetime

import pytest
from rest_framework.test import APIClient

from attain.conftest import Company, api_client_for
from attain.targets.models import Acknowledgement, TargetPlan
from attain.web.testing import every_row

from .conftest import publish

pytestmark = pytest.mark.django_db


def test_anonymous_gets_nothing(plan: TargetPlan) -> None:
    assert APIClient().get("/api/targets/plans/").status_code in (401, 403)
    assert APIClient().get("/api/targets/published/").status_code in (401, 403)


@pytest.mark.parametrize(("role", "count"), [("sales_ops", 1), ("manager", 1), ("rep", 0)])
def test_drafts_are_not_shown_to_reps(
    company: Company, plan: TargetPlan, role: str, count: int
) -> None:
    assert len(api_client_for(company, role).get("/api/targets/plans/").json()["results"]) == count


@pytest.mark.parametrize(
    ("role", "people"),
    [
        ("admin", {"r1", "r2", "r3", "r4"}),
        ("finance", {"r1", "r2", "r3", "r4"}),
        ("manager", {"r1", "r2", "r3"}),
        ("rep", {"r1"}),
    ],
)
def test_published_targets_follow_visibility(
    company: Company, plan: TargetPlan, role: str, people: set[str]
) -> None:
    publish(company, plan)
    body = every_row(api_client_for(company, role), "/api/targets/published/?fiscal_year=2026")
    whos = {row["who"] for row in body}
    assert whos - {"hq", "east", "west"} == people
    assert {"east", "west"} <= whos  # unit targets are not people's data


def test_grid_and_acknowledge(company: Company, plan: TargetPlan) -> None:
    rows = api_client_for(company, "manager").get(f"/api/targets/plans/{plan.pk}/grid/").json()
    assert "r4" not in {row["who"] for row in rows}
    publish(company, plan)
    response = api_client_for(company, "rep").post(
        f"/api/targets/plans/{plan.pk}/acknowledge/", {"comment": "ok"}, format="json"
    )
    assert response.status_code == 200, response.content
    assert Acknowledgement.objects.get().comment == "ok"
    again = api_client_for(company, "rep").post(f"/api/targets/plans/{plan.pk}/acknowledge/")
    assert again.status_code == 400


def test_pace(company: Company, plan: TargetPlan) -> None:
    publish(company, plan)
    rows = every_row(api_client_for(company, "rep"), "/api/targets/pace/?as_of=2026-06-30")
    assert rows and {row["who"] for row in rows} == {"r1"}
    year = next(r for r in rows if r["period"] == "2026")
    assert year["status"] == "behind" and year["actual"] is not None


def test_a_zero_target_is_never_behind(company: Company) -> None:
    """Issue 12, bug 8: a person whose target is 0 is asked for nothing."""
    from decimal import Decimal

    from attain.targets import services

    from .conftest import EQUAL_LEVELS

    plan = services.create_target_plan(
        company.users["sales_ops"],
        name="FY2026 nothing",
        fiscal_year=2026,
        root_unit=company.hq,
        measures={"revenue": Decimal("0")},
        levels=EQUAL_LEVELS,
        months="equal",
    )
    publish(company, plan)
    rows = every_row(api_client_for(company, "rep"), "/api/targets/pace/?as_of=2026-06-30")
    assert rows and all(Decimal(str(row["target"])) == 0 for row in rows)
    assert {row["status"] for row in rows} == {None}


def test_a_person_code_that_is_a_unit_code(company: Company, plan: TargetPlan) -> None:
    """Issue 11: a person whose code equals a unit code made pace fail for every role.
    The organisation refuses the clash now; one already in the data is a clear 409."""
    import datetime

    from django.core.exceptions import ValidationError

    from attain.org import services as org
    from attain.org.models import Person

    with pytest.raises(ValidationError) as refused:
        org.create_person(
            company.users["sales_ops"],
            code="east",
            name="Clash",
            unit=company.hq,
            title="rep",
            start=datetime.date(2026, 1, 1),
        )
    assert "code" in refused.value.message_dict
    with pytest.raises(ValidationError):
        org.create_unit(company.users["sales_ops"], code="r1", name="Clash")
    publish(company, plan)
    Person.objects.filter(code="r4").update(code="west")  # a clash from before the check
    for role in ("admin", "rep"):
        response = api_client_for(company, role).get("/api/targets/pace/?as_of=2026-06-30")
        assert response.status_code == 409, response.content
        assert "both a unit id and a person id" in response.json()["error"]["message"]


def test_forecast_follows_visibility_and_says_its_basis(company: Company, plan: TargetPlan) -> None:
    publish(company, plan)
    rows = every_row(api_client_for(company, "rep"), "/api/targets/forecast/?as_of=2026-06-20")
    assert rows and {row["who"] for row in rows} == {"r1"}
    assert {row["period"] for row in rows} == {"2026-Q2", "2026-06"}
    for row in rows:
        assert row["basis"] in ("model", "no_pipeline", "no_history", "new_unit")
        assert row["basis_text"]
        assert float(row["p10"]) <= float(row["p50"]) <= float(row["p90"])
    body = every_row(
        api_client_for(company, "admin"),
        "/api/targets/forecast/?as_of=2026-06-20&period=2026-Q2&measure=revenue",
    )
    assert {row["who"] for row in body if row["kind"] == "person"} >= {"r1", "r2", "r3", "r4"}
    hq = next(row for row in body if row["who"] == "hq")
    assert hq["basis"] == "units"
    chinese = every_row(
        api_client_for(company, "rep"),
        "/api/targets/forecast/?as_of=2026-06-20",
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in r["basis_text"]) for r in chinese)


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31", "2026-02-29"])
def test_forecast_on_an_extreme_day_is_not_a_server_error(
    company: Company, plan: TargetPlan, day: str
) -> None:
    publish(company, plan)
    response = api_client_for(company, "admin").get(f"/api/targets/forecast/?as_of={day}")
    assert response.status_code in (200, 400, 409), response.content


@pytest.mark.parametrize("day", ["", "20260630", "2026-W26-2", "2026-06-30T00:00", " 2026-06-30"])
def test_a_date_not_written_yyyy_mm_dd_is_refused(
    company: Company, plan: TargetPlan, day: str
) -> None:
    publish(company, plan)
    response = api_client_for(company, "rep").get("/api/targets/pace/", {"as_of": day})
    assert response.status_code == 400
    assert "as_of" in response.content.decode()


def test_a_day_the_engine_cannot_handle_is_explained_in_the_readers_language(
    company: Company, plan: TargetPlan
) -> None:
    """?as_of=9999-12-31 lies beyond the fiscal years the engine handles: a 409 that says
    so in Chinese for a Chinese reader (it was the engine's English)."""
    from django.test import Client

    from attain.conftest import LOGINS

    publish(company, plan)
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert client.login(username=LOGINS["executive"][0], password=LOGINS["executive"][1])
    for url in ("/api/targets/pace/", "/api/targets/forecast/"):
        answer = client.get(url, {"as_of": "9999-12-31"})
        assert answer.status_code == 409
        assert "超出了可处理的财年范围" in answer.json()["error"]["message"]
    page = client.get("/targets/pace/", {"as_of": "9999-12-31"}).content.decode()
    assert "超出了可处理的财年范围" in page


def test_the_forecast_of_someone_who_left_says_so_within_the_documented_bases(
    company: Company, plan: TargetPlan
) -> None:
    """The forecast of someone who left during the period has the basis ``left``, which
    the API's schema did not list among the bases (a client checking the enum failed)."""
    from drf_spectacular.generators import SchemaGenerator

    from attain.org import services as org

    publish(company, plan)
    org.end_employment(None, company.people["r3"], on=datetime.date(2026, 6, 10))
    rows = every_row(api_client_for(company, "admin"), "/api/targets/forecast/?as_of=2026-06-20")
    r3 = [row for row in rows if row["who"] == "r3"]
    assert r3 and {row["basis"] for row in r3} == {"left"}
    schema = SchemaGenerator().get_schema(request=None, public=True)
    bases = set()
    for name, component in schema["components"]["schemas"].items():
        if "Basis" in name and "enum" in component:
            bases |= set(component["enum"])
    assert {row["basis"] for row in rows} <= bases, bases


def test_a_grids_measure_that_the_plan_has_not_is_a_400_naming_it(
    company: Company, plan: TargetPlan
) -> None:
    """``?measure=revenu`` (a typo) answered 404 "Not found", which reads as no such
    plan; now a 400 at ``measure`` naming the plan's measures, as every query parameter."""
    client = api_client_for(company, "manager")
    url = f"/api/targets/plans/{plan.pk}/grid/"
    response = client.get(url, {"measure": "revenu"}, headers={"accept-language": "zh-hans"})
    assert response.status_code == 400, response.content[:300]
    assert response.json()["error"]["fields"]["measure"] == ["请给出以下之一：revenue。"]
    assert client.get(url, {"measure": "revenue"}).status_code == 200
    assert client.get(f"{url}?measure=revenue&measure=revenue").status_code == 400


REPORTS = [
    "/api/targets/published/?fiscal_year=2026",
    "/api/targets/pace/?as_of=2026-06-30",
    "/api/targets/forecast/?as_of=2026-06-20",
]


@pytest.mark.parametrize("url", REPORTS)
@pytest.mark.parametrize("role", ["admin", "manager", "rep"])
def test_the_reports_come_a_page_at_a_time_with_every_row_once(
    company: Company, plan: TargetPlan, url: str, role: str
) -> None:
    """The published targets, pace and forecast returned every row at once (3-4 MB on a
    company of 2,000 people); now the common pager's pages (``?page=``, ``?page_size=``,
    100 a page): a list longer than a page says its ``next``, and the pages together hold
    the rows the reader saw at once before, each once."""
    publish(company, plan)
    client = api_client_for(company, role)
    whole = client.get(f"{url}&page_size=1000").json()
    assert whole["next"] is None and whole["count"] == len(whole["results"]) > 1, whole
    first = client.get(f"{url}&page_size=1").json()
    assert first["count"] == whole["count"] and len(first["results"]) == 1
    assert first["next"] and "page=2" in first["next"] and first["previous"] is None
    paged = every_row(client, f"{url}&page_size=1")
    assert sorted(map(str, paged)) == sorted(map(str, whole["results"]))
    assert len(paged) == whole["count"]
    default = client.get(url).json()  # the default page: 100 rows, as every list
    assert len(default["results"]) == min(100, whole["count"])
    assert client.get(f"{url}&page=999").status_code == 404
    assert client.get(f"{url}&page=x").status_code == 400


def test_the_published_targets_pages_are_the_rows_the_reader_saw_before(
    company: Company, plan: TargetPlan
) -> None:
    """Every role's pages hold exactly what the unpaged answer held: the targets in force
    of the units and of the people the reader may see."""
    from attain.org.selectors import visible_people
    from attain.targets.selectors import published_targets

    publish(company, plan)
    people = set(company.people)
    for role in ("admin", "finance", "executive", "sales_ops", "manager", "rep"):
        seen = set(visible_people(company.users[role]).values_list("code", flat=True))
        expected = {
            (t["measure"], t["who"], t["period"], f"{t['value']:.2f}")
            for t in published_targets(fiscal_year=2026)
            if t["who"] not in people or t["who"] in seen
        }
        rows = every_row(api_client_for(company, role), "/api/targets/published/?fiscal_year=2026")
        assert {(r["measure"], r["who"], r["period"], r["value"]) for r in rows} == expected
        assert len(rows) == len(expected), role
