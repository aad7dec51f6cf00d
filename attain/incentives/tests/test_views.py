"""Pages and API per role, under the visibility rule."""

from __future__ import annotations

import re
from decimal import Decimal
from html import unescape

import pytest
from django.urls import reverse

from attain.conftest import login
from attain.incentives.models import PeriodResult, Plan, PlanVersion
from attain.web.testing import page_text

from .conftest import REP_PLAN, YEAR

pytestmark = pytest.mark.django_db
Q1 = f"{YEAR}-Q1"


def test_rep_sees_their_numbers_with_links_to_explanations(client, calculated):
    login(client, "rep")
    page = client.get(reverse("incentives:mine"), {"period": Q1}).content.decode()
    assert "¥1,100.00" in page
    assert "?component=rep.commission" in page and "?measure=revenue" in page
    explanation = client.get(
        reverse("incentives:explain", args=["r1", Q1]), {"component": "rep.commission"}
    ).content.decode()
    assert "o-r1-0" in explanation and "700.00" in explanation


def test_the_rep_reads_the_names_the_plan_gives_its_components(client, sales):
    """A component named in the designer ("Component name (optional)": 基本提成) was
    shown to the rep by its id (commission), and the plan by its code (rep): the page and
    the explanation name them as the plan does."""
    from attain.incentives import services

    document = {
        **REP_PLAN,
        "name": "销售代表方案",
        "components": [
            {**REP_PLAN["components"][0], "name": "基本提成"},
            *REP_PLAN["components"][1:],
        ],
    }
    services.activate_plan(None, services.save_plan_version(None, document))
    services.run_calculation(None, YEAR)
    login(client, "rep")
    page = page_text(client.get(reverse("incentives:mine"), {"period": Q1}).content.decode())
    assert "基本提成" in page and "销售代表方案" in page
    assert "levels" in page  # a component without a name keeps its id
    explanation = page_text(
        client.get(
            reverse("incentives:explain", args=["r1", Q1]), {"component": "rep.commission"}
        ).content.decode()
    )
    assert "基本提成" in explanation


def test_a_components_explanation_opens_whatever_its_id_holds(client, sales):
    """A component id with "#", "&", "+" or a space (提成#1, a&b=c, x y+z: the engine takes
    any text) was put in the explanation's link as it is: the link answered 404."""
    from html import unescape as html_unescape

    from attain.incentives import services

    ids = ["提成#1", "a&b=c", "x y+z"]
    document = {
        **REP_PLAN,
        "components": [
            {"id": cid, "kind": "commission", "measure": "revenue", "rate": Decimal("0.01")}
            for cid in ids
        ],
    }
    services.activate_plan(None, services.save_plan_version(None, document))
    services.run_calculation(None, YEAR)
    login(client, "rep")
    page = client.get(reverse("incentives:mine"), {"period": Q1}).content.decode()
    links = set(re.findall(r'href="([^"]*\?component=[^"]*)"', page))
    assert len(links) == 3
    for link in links:
        answer = client.get(html_unescape(link))
        assert answer.status_code == 200, link
        overview = client.get(reverse("incentives:explain", args=["r1", Q1])).content.decode()
        assert html_unescape(link).split("?")[1] in {
            html_unescape(found) for found in re.findall(r'href="\?([^"]*)"', overview)
        }


@pytest.mark.parametrize(("language", "day"), [("en", "02/10/2026"), ("zh-hans", "2026年2月10日")])
def test_an_explanations_records_are_dated_in_the_readers_format(client, calculated, language, day):
    """The records credited (their days stored as ISO text in the explanation) are
    dated as the reader's language writes days."""
    login(client, "rep")
    page = client.get(
        reverse("incentives:explain", args=["r1", Q1]),
        {"component": "rep.commission"},
        HTTP_ACCEPT_LANGUAGE=language,
    ).content.decode()
    text = page_text(page)
    assert "o-r1-0" in text and day in text and "2026-02-10" not in text
    assert not re.search(r"\b\d{4}-\d\d-\d\d\b", text)  # the covered days too


@pytest.mark.parametrize(
    ("role", "status"),
    [("rep", 404), ("manager", 200), ("executive", 200), ("finance", 200)],
)
def test_explanations_follow_the_visibility_rule(client, calculated, role, status):
    login(client, role)
    response = client.get(reverse("incentives:explain", args=["r3", Q1]))
    assert response.status_code == status
    api = client.get(reverse("api-explanation", args=["r3", Q1]))
    assert api.status_code == status


def test_manager_cannot_see_another_team(client, calculated):
    login(client, "manager")
    assert client.get(reverse("incentives:explain", args=["r4", Q1])).status_code == 404
    team = client.get(reverse("incentives:team"), {"period": Q1}).content.decode()
    # whole words: a page's random CSRF token may hold "R4"
    assert re.search(r"\bR3\b", team) and not re.search(r"\bR4\b", team)


def test_the_team_page_is_narrowed_by_unit_and_lists_a_limited_number_of_people(
    client, calculated, company, monkeypatch
):
    """An executive of 10,000 people got every one of them on one page, after 8 s:
    each part lists the first people (a notice says how many there are), and a unit
    narrows it to its own people and those of the units below it."""
    from attain.incentives import views

    monkeypatch.setattr(views, "TEAM_ROWS", 2)
    login(client, "executive")
    page = client.get(reverse("incentives:team"), {"period": Q1})
    assert len(page.context["heatmap"]) == 2 and page.context["heatmap_total"] == 7
    assert "The first 2 of 7 people are shown" in page_text(page.content.decode())
    west = client.get(reverse("incentives:team"), {"period": Q1, "unit": company.west.pk})
    shown = {line["row"].person.code for line in west.context["heatmap"]}
    assert shown == {"m3", "r4"} and west.context["heatmap_total"] == 2
    assert 'id="more-heatmap"' not in west.content.decode()
    east = client.get(reverse("incentives:team"), {"period": Q1, "unit": company.east.pk})
    assert east.context["heatmap_total"] == 5  # m1, r1, r2, m2 and r3


def test_a_manager_cannot_narrow_the_team_page_to_another_team(client, calculated, company):
    login(client, "manager")
    units = client.get(reverse("incentives:team"), {"period": Q1}).context["units"]
    assert company.west not in units and company.east in units
    page = client.get(reverse("incentives:team"), {"period": Q1, "unit": company.west.pk})
    assert not re.search(r"\bR4\b", page.content.decode())  # the unit ignored: their own team
    assert {line["row"].person.code for line in page.context["heatmap"]} == {"r1", "r2", "m2", "r3"}


@pytest.mark.parametrize(
    ("role", "allowed"),
    [("rep", False), ("manager", False), ("finance", True), ("executive", True)],
)
def test_dashboard_by_role(client, calculated, role, allowed):
    login(client, role)
    response = client.get(reverse("incentives:dashboard"), {"period": Q1})
    assert response.status_code == (200 if allowed else 403)
    if allowed:
        assert "75.0%" in response.content.decode() or "25.0%" in response.content.decode()


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        ("rep", False),
        ("manager", False),
        ("finance", False),
        ("executive", True),  # approves plan versions
        ("sales_ops", True),
    ],
)
def test_plans_for_editors_and_approvers(client, calculated, role, allowed):
    login(client, role)
    assert client.get(reverse("incentives:plans")).status_code == (200 if allowed else 403)


def test_results_api_per_role(client, calculated):
    login(client, "rep")
    rows = client.get(reverse("api-results"), {"period": Q1}).json()["results"]
    assert [r["person"] for r in rows] == ["r1"]
    assert rows[0]["payout"] == "1100.00"
    assert {c["component"] for c in rows[0]["components"]} == {"commission", "levels"}
    client.logout()
    login(client, "manager")
    codes = {
        r["person"] for r in client.get(reverse("api-results"), {"period": Q1}).json()["results"]
    }
    assert codes == {"m1", "r1", "r2", "m2", "r3"}


def test_results_api_reads_the_components_of_its_page_only(client, calculated):
    """A page of results reads the components of the people on it, not those of every
    person the reader may see (10,000 people's for one page of 100)."""
    from django.db.models.signals import post_init

    from attain.incentives.models import ComponentResult

    login(client, "admin")
    whole = client.get(reverse("api-results"), {"period": Q1}).json()
    assert whole["count"] > 1
    loaded = []

    def count(sender, instance, **kwargs):
        loaded.append(instance)

    post_init.connect(count, sender=ComponentResult)
    try:
        page = client.get(reverse("api-results"), {"period": Q1, "page_size": 1}).json()
    finally:
        post_init.disconnect(count, sender=ComponentResult)
    [row] = page["results"]
    assert len(loaded) == len(row["components"])
    assert row == next(r for r in whole["results"] if r["person"] == row["person"])


def test_leaderboard_ranks_by_attainment(client, calculated):
    login(client, "executive")
    board = client.get(reverse("api-leaderboard"), {"period": Q1}).json()
    assert [e["person"] for e in board][:2] == ["r1", "r2"]
    assert client.get(reverse("incentives:leaderboard"), {"period": Q1}).status_code == 200


def test_designer_builds_a_plan_without_yaml(client, company):
    login(client, "sales_ops")
    url = reverse("incentives:new_plan")
    fields = {
        "id": "fresh",
        "name": "New",
        "applies_kind": "role",
        "applies_value": "rep",
        "period": "quarter",
        "effective_from": f"{YEAR}-01-01",
    }
    page = client.post(url, {**fields, "action": "add:commission"}).content.decode()
    assert 'name="c0-rate"' in page
    bad = client.post(
        url,
        {
            **fields,
            "c0-id": "c",
            "c0-kind": "commission",
            "c0-measure": "revenue",
            "c0-pay": "rate",
            "c0-rate": "1.5",
            "action": "save",
        },
    )
    assert bad.status_code == 400
    assert "components[0].rate" in bad.content.decode()
    good = client.post(
        url,
        {
            **fields,
            "c0-id": "c",
            "c0-kind": "commission",
            "c0-measure": "revenue",
            "c0-pay": "rate",
            "c0-rate": "0.05",
            "action": "save",
        },
    )
    assert good.status_code == 302
    version = PlanVersion.objects.get(plan__code="fresh")
    assert "rate: 0.05" in version.source
    exported = client.get(reverse("incentives:export", args=["fresh", 1]))
    assert exported.content.decode() == version.source


def test_the_designers_preview_counts_one_person_in_the_singular(client, company):
    """A draft for one person previewed as "… would have paid ¥0.00 to 1 people."."""
    login(client, "sales_ops")
    fields = {
        "id": "solo",
        "name": "Solo",
        "applies_kind": "people",
        "applies_value": "r1",
        "period": "year",
        "effective_from": "2000-01-01",
        "c0-id": "c",
        "c0-kind": "commission",
        "c0-measure": "revenue",
        "c0-pay": "rate",
        "c0-rate": "0.05",
        "action": "preview",
    }
    page = page_text(client.post(reverse("incentives:new_plan"), fields).content.decode())
    assert "to 1 person." in " ".join(page.split())
    chinese = page_text(
        client.post(
            reverse("incentives:new_plan"), fields, HTTP_ACCEPT_LANGUAGE="zh-hans"
        ).content.decode()
    )
    assert "将向 1 人发放共" in " ".join(chinese.split())


def test_the_designer_saves_a_plan_with_a_tier_row_left_empty(client, company):
    """'+ Tier' pressed once too often: the empty row refused the plan ("rate: required")."""
    login(client, "sales_ops")
    fields = {
        "id": "spare",
        "name": "Spare row",
        "applies_kind": "role",
        "applies_value": "rep",
        "period": "quarter",
        "effective_from": f"{YEAR}-01-01",
        "c0-id": "c",
        "c0-kind": "commission",
        "c0-measure": "revenue",
        "c0-pay": "tiers",
        "c0-t0-from": "0",
        "c0-t0-rate": "0.02",
        "c0-t1-from": "",
        "c0-t1-rate": "",
        "action": "save",
    }
    assert client.post(reverse("incentives:new_plan"), fields).status_code == 302
    assert "rate: 0.02" in PlanVersion.objects.get(plan__code="spare").source


def test_import_page(client, company):
    from attain.incentives.documents import dump_yaml

    login(client, "sales_ops")
    response = client.post(
        reverse("incentives:import"), {"text": dump_yaml(REP_PLAN), "activate": "on"}
    )
    assert response.status_code == 302
    # a person's import submits the versions for approval (docs/incentives.md)
    assert Plan.objects.get(code="rep").latest().status == "submitted"


def test_import_page_names_a_syntax_errors_line_in_the_readers_language(client, company):
    """A YAML syntax error points at its line and column in Chinese too (the engine's
    "line 5, column 21" was shown in English on the Chinese page); nothing is stored."""
    login(client, "sales_ops")
    text = "id: broken\nname: 坏方案\ncomponents:\n  - id: a\n    kind: commission: x\n"
    response = client.post(
        reverse("incentives:import"), {"text": text}, HTTP_ACCEPT_LANGUAGE="zh-hans"
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "第 5 行第 21 列" in body
    assert "line 5" not in body
    assert not Plan.objects.filter(code="broken").exists()
    english = client.post(reverse("incentives:import"), {"text": text}).content.decode()
    assert "line 5, column 21" in english


def test_import_page_says_a_duplicate_key_in_the_readers_language(client, company):
    """A key written twice (`period` once more at the end of a long plan) was told in
    English on the Chinese page ("line 6: duplicate key 'period' (each key may appear
    once in a mapping)"), and a character YAML cannot read likewise; nothing is stored."""
    login(client, "sales_ops")
    text = (
        "id: twice\nname: 重复的键\napplies_to: {role: rep}\nperiod: quarter\n"
        "components: []\nperiod: month\n"
    )
    body = unescape(
        page_text(
            client.post(
                reverse("incentives:import"), {"text": text}, HTTP_ACCEPT_LANGUAGE="zh-hans"
            ).content.decode()
        )
    )
    assert "第 6 行：重复的键 'period'（一个映射中每个键只能出现一次）" in body
    assert "duplicate key" not in body and "line 6" not in body
    assert not Plan.objects.filter(code="twice").exists()
    unreadable = unescape(
        page_text(
            client.post(
                reverse("incentives:import"),
                {"text": "id: bell\x07\n"},
                HTTP_ACCEPT_LANGUAGE="zh-hans",
            ).content.decode()
        )
    )
    # a control character is named at its line and column (attain.engine.yamlio)
    assert "第 1 行第 9 列：YAML 语法错误：YAML 中不允许出现字符 #x0007。" in unreadable
    english = unescape(
        page_text(client.post(reverse("incentives:import"), {"text": text}).content.decode())
    )
    assert "line 6: duplicate key 'period' (each key may appear once in a mapping)" in english


def test_import_page_refuses_an_infinite_cap_with_a_message(client, company):
    """`cap: .inf` (YAML's infinity, "no cap" to a spreadsheet user) answered 500 on the
    import page; it is refused at its field, in the reader's language."""
    from attain.incentives.documents import dump_yaml

    login(client, "sales_ops")
    plan = {**REP_PLAN, "components": [{**REP_PLAN["components"][0], "cap": "CAP"}]}
    text = dump_yaml(plan).replace("CAP", ".inf")
    response = client.post(
        reverse("incentives:import"), {"text": text}, HTTP_ACCEPT_LANGUAGE="zh-hans"
    )
    assert response.status_code == 200
    assert "plans[0].components[0].cap: inf 不是有限的数字" in page_text(response.content.decode())
    assert not Plan.objects.filter(code=REP_PLAN["id"]).exists()


def test_run_page_starts_a_task_and_shows_progress(
    client, sales, django_capture_on_commit_callbacks
):
    login(client, "sales_ops")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("incentives:start_run"), {"year": YEAR})
    assert response.status_code == 302
    status = client.get(response.url).content.decode()
    assert "Done" in status and "100%" in status
    assert PeriodResult.objects.filter(period=Q1).count() == 7


def test_estimator_page(client, calculated):
    login(client, "rep")
    response = client.post(reverse("incentives:estimate", args=["r1", Q1]), {"amount": "1000"})
    assert "¥100.00" in response.content.decode()  # 1,000 more at the 10% tier


def test_measures_page_saves_through_the_engine(client, company):
    from attain.measures.models import Measure

    login(client, "sales_ops")
    url = reverse("incentives:measures")
    fields = {
        "code": "big_orders",
        "name": "大单",
        "table": "orders",
        "value": "amount",
        "where": "amount >=",
        "agg": "sum",
        "date_field": "date",
        "person_field": "owner",
        "higher_is_better": "on",
    }
    bad = client.post(url, fields)
    assert bad.status_code == 200 and not Measure.objects.filter(code="big_orders").exists()
    fields["where"] = "amount >= 100000"
    assert client.post(url, fields).status_code == 302
    assert Measure.objects.get(code="big_orders").where == "amount >= 100000"


def test_rep_leaderboard_is_their_unit_without_payouts(client, calculated):
    login(client, "rep")
    board = client.get(reverse("api-leaderboard"), {"period": Q1}).json()
    assert {e["person"] for e in board} == {"r1", "r2", "r3"}  # 华东, not r4 (华西)
    assert all("payout" not in e for e in board)
    page = client.get(reverse("incentives:mine"), {"period": Q1}).content.decode()
    assert "Outstanding achiever" in page  # the honours badge


@pytest.mark.parametrize("name", ["api-results", "api-leaderboard"])
def test_api_needs_a_login(client, calculated, name):
    assert client.get(reverse(name)).status_code in (401, 403)


def test_pages_need_a_login(client, calculated):
    response = client.get(reverse("incentives:mine"))
    assert response.status_code == 302 and "/login/" in response.url


@pytest.mark.parametrize(
    ("page", "role"),
    [
        ("incentives:mine", "rep"),
        ("incentives:team", "manager"),
        ("incentives:dashboard", "executive"),
        ("incentives:leaderboard", "rep"),
    ],
)
def test_a_garbage_period_falls_back_with_a_message(client, calculated, page, role):
    """Regression (issues 11, 12): ``?period=garbage`` was a 500 (``int('garb')``)."""
    login(client, role)
    response = client.get(reverse(page), {"period": "garbage"})
    assert response.status_code == 200
    assert "“garbage” is not a period" in response.content.decode()
    assert response.context["period"] != "garbage"


def test_a_zero_target_is_never_behind_pace(calculated):
    """Regression (issue 12, bug 8) for the team page's list of who is behind."""
    from attain.incentives import selectors

    manager = calculated.users["manager"]
    row = PeriodResult.objects.get(person=calculated.people["r3"], period=Q1)
    row.pace = {"revenue": {"status": "behind"}}
    row.save()
    assert row in selectors.behind_pace(manager, Q1)
    row.targets = {**row.targets, "revenue": "0"}
    row.save()
    assert row not in selectors.behind_pace(manager, Q1)


def test_leaderboard_opens_on_the_latest_month_with_results_and_ranks_no_zeros(client, calculated):
    """Issue 12 bug 12: the board opened on the current month, where nobody has a
    result yet, and ranked everyone at 0.0% from 1 to n."""
    login(client, "executive")
    url = reverse("incentives:leaderboard")
    with_data = PeriodResult.objects.filter(
        period_kind="month", role="rep", main_attainment__gt=0
    ).order_by("-period")[0]
    response = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.context["period"] == with_data.period
    assert all(r.main_attainment > 0 for r in response.context["rows"])
    empty = f"{YEAR}-12"
    assert not PeriodResult.objects.filter(period=empty, main_attainment__gt=0).exists()
    response = client.get(url, {"period": empty}, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.context["rows"] == []
    assert response.context["unranked"]  # listed, but not ranked
    page = response.content.decode()
    assert "不参与排名" in page and "<td>1</td>" not in page


def test_leaderboard_api_agrees_with_the_page_on_period_and_zeros(client, calculated):
    """The API opened on the current month, where nobody has a result yet, and ranked
    everyone at 0% (1, 1, 1, …) before the people with a negative result: the page
    opened on the latest month with results and listed 0% unranked, after the ranking."""
    login(client, "executive")
    page = client.get(reverse("incentives:leaderboard"))
    board = client.get(reverse("api-leaderboard")).json()
    shown = [
        (r.person.code, getattr(r, "rank", None))
        for r in [*page.context["rows"], *page.context["unranked"]]
    ]
    assert [(e["person"], e["rank"]) for e in board] == shown
    assert board[0]["rank"] == 1 and board[0]["attainment"] != "0.000000"  # a month with results
    # a refund larger than the sales (negative) is ranked, after everyone above it;
    # nobody is ranked at 0%
    row = PeriodResult.objects.get(person=calculated.people["r2"], period=Q1)
    row.main_attainment = -Decimal("0.25")
    row.save()
    PeriodResult.objects.filter(person=calculated.people["r3"], period=Q1).update(main_attainment=0)
    board = client.get(reverse("api-leaderboard"), {"period": Q1}).json()
    page = client.get(reverse("incentives:leaderboard"), {"period": Q1})
    shown = [
        (r.person.code, getattr(r, "rank", None))
        for r in [*page.context["rows"], *page.context["unranked"]]
    ]
    assert [(e["person"], e["rank"]) for e in board] == shown
    assert [(e["person"], e["rank"]) for e in board if e["person"] in ("r2", "r3")] == [
        ("r2", 2),
        ("r3", None),
    ]


def test_designer_warns_about_a_metric_without_targets_and_missing_values(client, company):
    """Issue 12 bug 11: the demo rep scorecard weighed 回款 (no target: always 0) and
    counted missing satisfaction as 0, and the designer warned about neither."""
    from django.utils import translation

    from attain.incentives import services
    from attain.measures.models import Measure

    Measure.objects.update_or_create(
        code="satisfaction",
        defaults={"name": "满意度", "table": "surveys", "value": "score", "agg": "avg"},
    )
    Measure.objects.update_or_create(
        code="collected", defaults={"name": "回款", "table": "payments", "value": "amount"}
    )
    document = {
        "id": "card",
        "components": [
            {
                "id": "kpi",
                "kind": "scorecard",
                "metrics": [
                    {"measure": "collected", "weight": 20},
                    {"measure": "satisfaction", "weight": 15, "target": "4.5"},
                ],
            }
        ],
    }
    with translation.override("zh-hans"):
        warnings = services.plan_warnings(document)
    assert len(warnings) == 2
    assert "回款 没有目标" in warnings[0] and "满意度" in warnings[1]


def test_designer_warns_about_a_cap_below_the_floor(db):
    """A component whose cap is below its floor always pays the floor (cap, then floor:
    spec 7.1): the engine accepts it, the designer says so. Expressions are not judged."""
    from django.utils import translation

    from attain.incentives import services

    def component(cap: object, floor: object) -> dict:
        return {"id": "base", "kind": "commission", "measure": "revenue", "rate": "0.05",
                "cap": cap, "floor": floor}  # fmt: skip

    def warned(cap: object, floor: object) -> list[str]:
        with translation.override("zh-hans"):
            return services.plan_warnings({"id": "p", "components": [component(cap, floor)]})

    assert warned(10, 100) == ["base：上限 10 低于下限 100，所以它总是支付下限。"]
    assert warned("500", 100) == []
    assert "上限 5,000 低于下限 20,000" in warned("5000", "20000")[0]  # the reader's numbers
    assert warned(100, 100) == []
    assert warned("actual * 0.1", 100) == []
    assert warned(None, 100) == []


def _chart(page: str, name: str) -> dict:
    """The ECharts option a page declares for chart ``name`` (attain.web.charts)."""
    import json
    import re

    found = re.search(
        rf'<script id="chart-{name}-data" type="application/json">(.*?)</script>', page, re.S
    )
    assert found, f"no chart {name}"
    assert f'data-chart="chart-{name}-data"' in page
    return json.loads(found.group(1))


def test_dashboard_draws_its_figures_as_charts_with_the_figures_as_text(client, calculated):
    login(client, "executive")
    page = client.get(reverse("incentives:dashboard"), {"period": Q1}).content.decode()
    distribution = _chart(page, "distribution")
    counts = distribution["series"][0]["data"]
    assert sum(counts) == PeriodResult.objects.filter(period=Q1, role="rep").count()
    assert _chart(page, "cost")["series"][0]["data"]  # the quarter's payouts ÷ revenue
    assert "charts.js" in page and "echarts.min.js" in page
    assert '<details class="chart-data"' in page  # the same figures as text


def test_a_dashboard_of_one_rep_reads_in_the_singular(client, calculated):
    """A company (or a period) with one rep's result read "of 1 reps"."""
    login(client, "executive")
    reps = PeriodResult.objects.filter(period=Q1, role="rep", main_attainment__isnull=False)
    reps.exclude(pk=reps.order_by("pk")[0].pk).delete()
    page = client.get(reverse("incentives:dashboard"), {"period": Q1}).content.decode()
    assert "of 1 rep<" in page and "of 1 reps" not in page


def test_the_reps_page_charts_their_pace_against_target(client, calculated):
    login(client, "rep")
    page = client.get(reverse("incentives:mine"), {"period": Q1}).content.decode()
    option = _chart(page, "pace")
    actual, target = (series["data"] for series in option["series"])
    assert len(actual) == len(target) == 12
    assert target == sorted(t for t in target if t is not None)  # added up month by month


def test_the_leaderboard_charts_its_first_ten(client, calculated):
    login(client, "executive")
    page = client.get(reverse("incentives:leaderboard"), {"period": Q1}).content.decode()
    option = _chart(page, "top")
    names = option["yAxis"]["data"]
    assert 0 < len(names) <= 10
    values = option["series"][0]["data"]
    assert values == sorted(values, reverse=True)  # the ranking's order


def test_a_dashboard_without_results_says_why(client, company, calculated):
    """Issue 12: a period without stored results explains itself instead of 0 % and ¥0."""
    login(client, "executive")
    empty = client.get(reverse("incentives:dashboard"), {"period": "2030-01"})
    assert b'id="no-results"' in empty.content
    full = client.get(reverse("incentives:dashboard"), {"period": f"{YEAR}-Q1"})
    assert b'id="no-results"' not in full.content


@pytest.mark.parametrize("period", ["0001", "0001-H1", "0001-Q1", "0001-01", "0999-Q3"])
def test_a_dashboard_of_the_first_centuries_says_there_is_nothing(client, calculated, period):
    """Year 1 is a period the engine knows; its quarters were written "1-Q4" (not
    "0001-Q4"), which the dashboard's cost of sales read back as a number: a 500."""
    login(client, "executive")
    page = client.get(reverse("incentives:dashboard"), {"period": period})
    assert page.status_code == 200 and b'id="no-results"' in page.content
    year = period[:4]
    assert f"{year}-Q1" in page.context["periods"]
    assert f"{int(year)}-Q1" not in page.context["periods"]


@pytest.mark.parametrize(
    "amount", ["NaN", "Infinity", "sNaN", "1e30", "1e400", "-1", "0", "abc", "12,34", "1,2,3"]
)
def test_the_estimate_refuses_amounts_it_cannot_use(client, calculated, amount):
    """Such amounts once reached Polars (a panic that no error page catches) or the
    database (too many digits); now the form says what to enter. "12,34" (a decimal
    comma) was read as 1,234."""
    login(client, "rep")
    url = reverse("incentives:estimate", args=["r1", Q1])
    response = client.post(url, {"amount": amount})
    assert response.status_code == 200
    assert "Enter an amount" in response.content.decode()


@pytest.mark.parametrize(
    ("language", "example"), [("en", "e.g. 50,000."), ("zh-hans", "例如 50,000。")]
)
def test_the_estimate_gives_its_example_amount_grouped(client, calculated, language, example):
    """The estimate's example read 50000 (in the field and in its error) where every other
    amount of the page is grouped, and the field reads 50,000 too."""
    login(client, "rep")
    client.post("/i18n/setlang/", {"language": language, "next": "/"})
    page = client.get(reverse("incentives:mine"), {"period": Q1}).content.decode()
    assert 'placeholder="50,000"' in page
    url = reverse("incentives:estimate", args=["r1", Q1])
    assert example in client.post(url, {"amount": "abc"}).content.decode()


def test_a_calculation_run_of_an_impossible_year_is_refused(client, calculated):
    from attain.incentives.models import CalculationRun

    login(client, "admin")
    runs = CalculationRun.objects.count()
    response = client.post(reverse("incentives:start_run"), {"year": "-1"}, follow=True)
    assert "Enter a fiscal year from 1900 to 9998." in response.content.decode()
    partial = client.post(reverse("incentives:start_run"), {"year": "abc"}, HTTP_HX_REQUEST="true")
    assert 'role="alert"' in partial.content.decode()
    assert CalculationRun.objects.count() == runs


def test_a_plan_file_that_is_not_utf8_is_refused_with_a_reason(client, calculated):
    from django.core.files.uploadedfile import SimpleUploadedFile

    login(client, "admin")
    upload = SimpleUploadedFile("plan.yaml", "名称: 方案".encode("gbk"))
    response = client.post(reverse("incentives:import"), {"file": upload})
    assert response.status_code == 200
    assert "The file is not UTF-8 text" in response.content.decode()


def test_the_error_pages_speak_the_readers_language(rf):
    from django.utils import translation
    from django.views.defaults import bad_request, server_error

    with translation.override("zh-hans"):
        page = server_error(rf.get("/")).content.decode()
        assert 'lang="zh-hans"' in page and "出错了" in page
        assert "请求无法读取" in bad_request(rf.get("/"), Exception()).content.decode()
    assert "Something went wrong" in server_error(rf.get("/")).content.decode()


def test_the_plan_import_page_says_the_engines_problems_in_chinese(client, company):
    login(client, "sales_ops")
    page = client.post(
        reverse("incentives:import"),
        {"text": "id: p\nc: 1\n"},
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    ).content.decode()
    assert "未知的键 &#x27;c&#x27;" in page or "未知的键 'c'" in page
    assert "必填" in page


def test_a_failed_run_says_why_in_the_readers_language(client, company):
    """A run refused by the engine keeps its English problems; the Chinese run page
    showed them as they were ("unknown measure 'collected'")."""
    from attain.incentives import services
    from attain.incentives.models import CalculationRun, RunKind

    run = CalculationRun.objects.create(kind=RunKind.FULL, fiscal_year=YEAR)
    problem = "plans[1].components[2].metrics[1].measure: unknown measure 'collected'"
    services.fail_run(run, [problem, "the worker stopped"])
    login(client, "admin")
    page = client.get(
        reverse("incentives:run", args=[run.pk]), HTTP_ACCEPT_LANGUAGE="zh-hans"
    ).content.decode()
    assert "plans[1].components[2].metrics[1].measure: 未知的度量 &#x27;collected&#x27;" in page
    assert "the worker stopped" in page
    english = client.get(reverse("incentives:run", args=[run.pk]), HTTP_ACCEPT_LANGUAGE="en")
    assert "unknown measure &#x27;collected&#x27;" in english.content.decode()


def test_a_components_steps_name_the_measure_as_the_page_does(client, calculated):
    """The steps of "why is my payout this" said "实际 revenue（本人）" (the measure's code)
    while the page around them names it 销售额: the steps name it too."""
    from attain.measures.models import Measure

    Measure.objects.filter(code="revenue").update(name="销售额")
    login(client, "rep")
    page = client.get(
        reverse("incentives:explain", args=["r1", Q1]),
        {"component": "rep.commission"},
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    ).content.decode()
    steps = re.search(r'(?s)<ol class="steps">(.*?)</ol>', page)
    assert steps is not None
    assert "实际 销售额（本人）" in steps.group(1) and "目标 销售额" in steps.group(1)
    assert "revenue" not in steps.group(1)


def test_the_dashboards_share_over_time_counts_each_months_reps_at_or_above_target(
    calculated,
):
    """The share per month is counted by the database: the same as counting the stored
    results one by one (exactly 100% counts as met; a rep without a target is left out)."""
    from attain.incentives import selectors

    months = {}
    for period, attainment in PeriodResult.objects.filter(
        role="rep", main_attainment__isnull=False
    ).values_list("period", "main_attainment"):
        if len(period) == 7 and period[4] == "-" and period[5:].isdigit():
            people, met = months.get(period, (0, 0))
            months[period] = (people + 1, met + (attainment >= 1))
    PeriodResult.objects.filter(role="rep", period=f"{YEAR}-01").update(
        main_attainment=Decimal("1.0000")
    )
    people, _met = months.get(f"{YEAR}-01", (0, 0))
    months[f"{YEAR}-01"] = (people, people)
    assert people, "the fixture has January results"
    series = {s["period"]: (s["people"], s["share"]) for s in selectors.over_time(YEAR)}
    assert series == {
        month: (people, Decimal(met) / people) for month, (people, met) in months.items()
    }


def test_months_not_begun_are_left_out_of_the_share_over_time(calculated, monkeypatch):
    """The calculation stores a month ahead as 0% attained: the dashboard's chart and
    figures showed the rest of the year at 0.0% as if nobody had sold."""
    import datetime

    from attain.incentives import selectors

    monkeypatch.setattr(
        selectors.timezone, "localdate", lambda *a, **k: datetime.date(int(YEAR), 4, 15)
    )
    periods = [s["period"] for s in selectors.over_time(int(YEAR))]
    assert periods and periods[-1] <= f"{YEAR}-04"


def test_the_designers_tier_and_level_rows_are_named_for_screen_readers(client, calculated):
    """The inputs of a tier or level row had no label (the column heading is not one) and
    each row's remove button read as "✕"."""
    login(client, "sales_ops")
    url = reverse("incentives:designer", args=["rep"])
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    rows = re.findall(r'<input name="c\d+-[tl]\d+-\w+"[^>]*>', page)
    assert len(rows) == 2 * 2 + 3 * 3, rows  # two tiers (from, rate), three levels
    assert all("aria-label=" in row for row in rows), rows
    assert 'aria-label="起始 2"' in page and 'aria-label="最低达成率 3"' in page
    removes = re.findall(r'<button[^>]*value="remove-row:[^"]*"[^>]*>', page)
    assert len(removes) == 5 and all('aria-label="删除第 ' in b for b in removes), removes


def test_designer_warns_about_attainment_typed_in_percent(db):
    """Tiers on attainment typed as 0, 80, 100 (percent) pay the first rate up to 8,000 %
    of the target: the engine accepts it, the designer says what it means."""
    from django.utils import translation

    from attain.incentives import services

    tiers = {"basis": "attainment", "mode": "marginal",
             "table": [{"from": 0, "rate": "0.02"}, {"from": 80, "rate": "0.04"},
                       {"from": 100, "rate": "0.06"}]}  # fmt: skip
    commission = {"id": "base", "kind": "commission", "measure": "revenue", "tiers": tiers}
    bonus = {"id": "level", "kind": "bonus", "measure": "revenue",
             "levels": [{"min_attainment": "0.8", "amount": 100},
                        {"min_attainment": "1.2", "amount": 200}]}  # fmt: skip
    with translation.override("zh-hans"):
        warned = services.plan_warnings({"id": "p", "components": [commission, bonus]})
    assert warned == ["base：达成率 100 表示目标的 10,000%；达成率以小数书写（80% 写作 0.8）。"]
    money = {**tiers, "basis": "amount"}  # money tiers from 80 and 100 yuan: meant so
    assert services.plan_warnings({"components": [{**commission, "tiers": money}]}) == []
    gate = {**bonus, "gate": {"min_attainment": 50}}
    with translation.override("en"):
        [english] = services.plan_warnings({"components": [gate]})
    assert english == (
        "level: attainment 50 means 5,000% of the target; attainment is written as a "
        "fraction (0.8 for 80%)."
    )


def test_leaderboard_api_takes_a_unit_code_and_refuses_an_unknown_unit(client, calculated):
    """``?unit=`` took only a unit's database number, which no API answer gives (units
    are named by code everywhere else), and a number naming no unit was ignored: the
    whole company's board came back as if it were the unit's."""
    from attain.org.models import Unit

    login(client, "executive")
    url = reverse("api-leaderboard")
    west = Unit.objects.get(code="west")
    everyone = {e["person"] for e in client.get(url, {"period": Q1}).json()}
    by_code = client.get(url, {"period": Q1, "unit": "west"})
    assert by_code.status_code == 200, by_code.content[:200]
    in_west = {e["person"] for e in by_code.json()}
    assert in_west and in_west < everyone
    by_number = {e["person"] for e in client.get(url, {"period": Q1, "unit": west.pk}).json()}
    assert by_number == in_west  # the page's addresses keep working
    for unknown in ["nowhere", "999999"]:
        response = client.get(url, {"period": Q1, "unit": unknown})
        assert response.status_code == 400, unknown
        assert list(response.json()["error"]["fields"]) == ["unit"]
    parameters = client.get("/api/openapi.json").json()["paths"][url]["get"]["parameters"]
    assert {p["name"]: p["schema"]["type"] for p in parameters}["unit"] == "string"


def test_the_team_page_of_a_period_lists_who_worked_in_the_team_then(client, calculated, company):
    """A rep who left the team keeps their place on the manager's team page for the
    periods they worked (their final quarter is the manager's to review, as their
    results are), and is not listed for the periods after their last day (anyone's
    team page listed a leaver with empty cells for every later period)."""
    import datetime

    from attain.incentives import services
    from attain.org import services as org_services

    org_services.end_employment(None, company.people["r2"], on=datetime.date(YEAR, 3, 31))
    services.run_calculation(None, YEAR)
    login(client, "manager")
    page = client.get(reverse("incentives:team"), {"period": Q1}).content.decode()
    assert re.search(r"\bR2\b", page)
    login(client, "executive")
    later = client.get(reverse("incentives:team"), {"period": f"{YEAR}-Q3"}).content.decode()
    assert re.search(r"\bR1\b", later) and not re.search(r"\bR2\b", later)


def test_a_leavers_login_ranks_no_period_after_their_last_day(client, calculated, company):
    """A leaver's login keeps only their own pay (attain.org.access.LEAVER_REACHES): the
    boards of later periods (their former colleagues' names and attainment, months after
    they left) answered as if they still worked there, and now no board answers at all,
    not even of the periods they worked."""
    import datetime

    from attain.incentives import services
    from attain.org import services as org_services

    org_services.end_employment(None, company.people["r1"], on=datetime.date(YEAR, 3, 31))
    services.run_calculation(None, YEAR)
    login(client, "rep")
    for period in (Q1, f"{YEAR}-Q3"):
        assert client.get("/api/performance/leaderboard/", {"period": period}).status_code == 403
        page = client.get(reverse("incentives:leaderboard"), {"period": period})
        assert page.status_code == 403 and not re.search(r"\bR2\b", page.content.decode())


def test_the_results_api_takes_one_person(client, calculated):
    """?person= given twice answered the last one's results, where ?period= given twice
    (and every other parameter of the API) is a 400 naming it."""
    login(client, "executive")
    answer = client.get(reverse("api-results"), {"period": Q1, "person": ["r1", "r2"]})
    assert answer.status_code == 400 and set(answer.json()["error"]["fields"]) == {"person"}
    one = client.get(reverse("api-results"), {"period": Q1, "person": "r1"}).json()
    assert [row["person"] for row in one["results"]] == ["r1"]


def test_a_half_year_is_among_the_period_choices(client, calculated):
    """A calculation stores halves too; asked for one (a link, a typed address), the
    page showed its results under a chooser that had no such option and so read as the
    year before."""
    login(client, "rep")
    page = client.get(reverse("incentives:mine"), {"period": f"{YEAR}-H1"})
    assert page.context["period"] == f"{YEAR}-H1"
    assert f'<option value="{YEAR}-H1" selected>' in page.content.decode()


def test_leaderboard_unit_chooser_names_units_apart_and_leaves_out_closed_ones(client, calculated):
    """Two units of one name read the same in the chooser (the code tells them apart);
    a unit closed before the period, or opened after it, has nobody to rank in it."""
    from attain.org.models import Unit

    hq = Unit.objects.get(code="hq")
    Unit.objects.create(code="east2", name="华东", parent=hq)
    Unit.objects.create(code="gone", name="已撤销组", parent=hq, closed=f"{YEAR - 1}-12-31")
    Unit.objects.create(code="later", name="新设组", parent=hq, opened=f"{YEAR + 1}-01-01")
    login(client, "executive")
    html = client.get(reverse("incentives:leaderboard"), {"period": Q1}).content.decode()
    options = re.findall(r'<option value="\d+"[^>]*>([^<]*)</option>', html)
    assert "华东 (east)" in options and "华东 (east2)" in options
    assert "华西" in options
    assert "已撤销组" not in options and "新设组" not in options
    gone = Unit.objects.get(code="gone").pk
    chosen = client.get(reverse("incentives:leaderboard"), {"period": Q1, "unit": gone})
    assert f'<option value="{gone}" selected>已撤销组</option>' in chosen.content.decode()


def test_a_rep_hired_after_the_period_is_told_why_it_has_no_board(client, calculated, company):
    """A rep's board is their unit's for the periods they worked: one who started after
    the period is told so, not that there are no results (the message a leaver's login
    used to test; a leaver now reaches no board at all)."""
    import datetime

    from attain.incentives import services
    from attain.org.models import Person

    Person.objects.filter(code="r1").update(start=datetime.date(YEAR, 5, 1))
    services.run_calculation(None, YEAR)
    login(client, "rep")
    html = client.get(reverse("incentives:leaderboard"), {"period": Q1}).content.decode()
    assert "You did not work in a unit in this period" in html
    assert "No results for this period." not in html
    assert not re.search(r"\bR2\b", html)


def test_the_dashboard_of_a_period_counts_the_reps_who_worked_in_it(client, calculated, company):
    """A rep who left in January kept a result at 0% for every later period, and the
    dashboard counted it: past quarters read one rep more, one more below 50% and a lower
    share at or above 100%, the chart over time likewise (the leaderboard and the team
    page count only who worked in the period)."""
    import datetime

    from attain.incentives import selectors, services
    from attain.org import services as org_services

    org_services.end_employment(None, company.people["r4"], on=datetime.date(YEAR, 1, 31))
    services.run_calculation(None, YEAR)
    assert PeriodResult.objects.filter(person__code="r4", period=Q1).exists()
    later = f"{YEAR}-Q2"
    assert PeriodResult.objects.filter(
        person__code="r4", period=later, main_attainment__isnull=False
    ).exists()
    ranked = len(selectors.leaderboard(company.users["executive"], later))
    shown = selectors.distribution(later)
    assert shown["total"] == ranked == 3
    assert sum(bucket["count"] for bucket in shown["buckets"]) == 3
    assert sum(unit["people"] for unit in shown["by_unit"]) == 3
    months = {row["period"]: row["people"] for row in selectors.over_time(YEAR)}
    assert months[f"{YEAR}-01"] == 4 and months[f"{YEAR}-03"] == 3
    login(client, "executive")
    page = client.get(reverse("incentives:dashboard"), {"period": later})
    assert page.status_code == 200 and page.context["dist"]["total"] == 3
