"""QA (scoreqa): measures beyond revenue on the rep's page and the team's heatmap."""

from __future__ import annotations

import pytest
from django.urls import reverse

from attain.conftest import login
from attain.incentives.models import PeriodResult

from .conftest import YEAR

pytestmark = pytest.mark.django_db
Q1 = f"{YEAR}-Q1"


def _give(row, code, actual, target, attainment, status, projected):
    row.measures = {**row.measures, code: actual}
    row.targets = {**row.targets, code: target}
    row.attainment = {**row.attainment, code: attainment}
    pace = {"elapsed": "0.5", "projected": projected, "status": status}
    row.pace = {**(row.pace or {}), code: pace}
    row.save()


def _line(client, code):
    response = client.get(reverse("incentives:mine"), {"period": Q1})
    return next(line for line in response.context["lines"] if line["code"] == code)


def test_fewer_complaints_than_the_target_is_not_behind(client, calculated):
    """Complaints are lower-is-better (the measure says so): 0 complaints against a
    target of at most 2 read 落后 (behind) on the rep's page and a red 0 % on the
    manager's heatmap, as if more complaints were wanted."""
    row = PeriodResult.objects.get(person=calculated.people["r1"], period=Q1)
    _give(row, "complaints", 0, "2", "0", "behind", "0")
    login(client, "rep")
    assert _line(client, "complaints")["pace"]["status"] == "on_track"
    _give(row, "complaints", 1, "2", "0.5", "behind", "2")
    assert _line(client, "complaints")["pace"]["status"] == "on_track"
    _give(row, "complaints", 2, "2", "1", "on_track", "4")
    assert _line(client, "complaints")["pace"]["status"] == "behind"
    _give(row, "complaints", 2, "2", "1", "met", "2")
    row.pace["complaints"]["elapsed"] = "1"
    row.save()
    assert _line(client, "complaints")["pace"]["status"] == "met"
    _give(row, "complaints", 3, "2", "1.5", "met", "3")
    row.pace["complaints"]["elapsed"] = "1"
    row.save()
    assert _line(client, "complaints")["pace"]["status"] == "missed"

    _give(row, "complaints", 0, "2", "0", "behind", "0")
    client.logout()
    login(client, "manager")
    page = client.get(reverse("incentives:team"), {"period": Q1}).content.decode()
    cell = page[page.index(f'href="/performance/?person=r1&period={Q1}"') :]
    at = cell.index('data-measure="complaints"')
    cell = cell[at - 60 : at]
    assert "heat-1" not in cell and "heat-4" in cell


def test_a_zero_target_shows_no_pace_on_the_reps_page(client, calculated):
    """A target of 0 new customers has no attainment (spec 5.3): the rep's page said
    落后 (behind) for it while the team page never lists a zero target as behind."""
    row = PeriodResult.objects.get(person=calculated.people["r1"], period=Q1)
    _give(row, "new_customers", 0, "0", None, "behind", "0")
    login(client, "rep")
    assert _line(client, "new_customers")["pace"] is None


def test_designer_warns_about_a_metric_against_its_measures_direction(db):
    """A scorecard metric's direction defaults to higher: complaints (a lower-is-better
    measure) left at higher paid more for more complaints, and a higher-is-better metric
    with a fixed target of 0 always scored 0 (x ÷ 0 has no ratio), both without a word
    from the designer."""
    from django.utils import translation

    from attain.incentives import services

    def warnings(metrics):
        document = {"id": "card", "components": [{"id": "kpi", "kind": "scorecard",
                                                  "metrics": metrics}]}  # fmt: skip
        return services.plan_warnings(document)

    with translation.override("zh-hans"):
        [wrong_way] = warnings([{"measure": "complaints", "weight": 10, "target": 2}])
        [zero] = warnings([{"measure": "visits", "weight": 10, "target": 0}])
    assert "投诉" in wrong_way and "越低越好" in wrong_way
    assert "拜访" in zero and "0" in zero
    assert not any(", " in text or ": " in text for text in (wrong_way, zero))
    lower = {"measure": "complaints", "weight": 10, "target": 0, "direction": "lower"}
    assert warnings([lower]) == []
    with translation.override("en"):
        [english] = warnings([{"measure": "complaints", "weight": 10, "target": 2}])
    assert "lower is better" in english


def test_the_explanation_reads_a_lower_is_better_pace_the_right_way_round(client, calculated):
    """The explanation of 0 complaints against a target of at most 2 said 未达成 (missed)."""
    from attain.incentives.models import PlanTarget

    PlanTarget.objects.create(measure="complaints", who="r1", period=str(YEAR), value=2,
                              spread="none")  # fmt: skip
    login(client, "rep")
    url = reverse("incentives:explain", args=["r1", Q1])
    response = client.get(url, {"measure": "complaints"}, HTTP_ACCEPT_LANGUAGE="en")
    entry = response.context["entry"]
    assert entry["target"]["value"] == "2" and entry["actual"] == "0"
    assert entry["pace"]["status"] in ("met", "on_track")


def test_the_explanation_of_distinct_customers_names_the_customers(client, calculated):
    """A distinct count of customers listed its orders with — as each one's value: the
    rep could not see which customers were counted, or that two orders were one."""
    from attain.measures.models import Measure

    Measure.objects.create(code="buyers", name="Buyers", table="orders", value="customer",
                           agg="distinct", money=False)  # fmt: skip
    login(client, "rep")
    url = reverse("incentives:explain", args=["r1", Q1])
    response = client.get(url, {"measure": "buyers"})
    records = response.context["entry"]["records"]
    assert records and all(r["value"] for r in records)
    page = response.content.decode()
    for record in records:
        assert f'<td class="num">{record["value"]}</td>' in page
