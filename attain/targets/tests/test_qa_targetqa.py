"""Targets QA (targetqa): decomposition, approval and acknowledgement edge cases."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import translation
from openpyxl import Workbook, load_workbook

from attain.conftest import Company
from attain.targets import services
from attain.targets.allocation import compute_allocation
from attain.targets.guards import overassignment
from attain.targets.models import PlanStatus, TargetCell, TargetPlan
from attain.targets.selectors import published_targets
from attain.targets.templatetags.targets_tags import whole
from attain.targets.tests.conftest import new_plan, publish
from attain.targets.tests.test_views import _upload


def test_months_edited_above_the_limit_are_inflation_too(
    company: Company, plan: TargetPlan
) -> None:
    """A rep's twelve months typed far above their year: the stored (published) year is
    the months' sum, so the over-assignment guard counts it, and submission is refused."""
    ops = company.users["sales_ops"]
    for month in range(1, 13):
        services.edit_cell(
            ops, plan, measure="revenue", who="r4", period=f"2026-{month:02d}", value="9000000"
        )
    grid = compute_allocation(plan).grids["revenue"]
    west = next(o for o in overassignment(grid, plan.max_overassign) if o.who == "west")
    assert west.children_value == 108_000_000
    assert west.over_limit
    with pytest.raises(ValidationError):
        services.submit_plan(ops, plan)
    plan.refresh_from_db()
    assert plan.status == PlanStatus.DRAFT
    assert not TargetCell.objects.filter(plan=plan).exists()


def test_targets_rounded_to_cents_are_shown_with_their_cents(
    company: Company, client: Client
) -> None:
    """A plan rounded to 0.01 of a tiny total: r1's target is 0.02 (two months of 0.01).
    My targets and the plan's grid showed every such target as 0."""
    ops = company.users["sales_ops"]
    plan = new_plan(company, ops, total="0.07", round_to="0.01")
    publish(company, plan)
    r1 = TargetCell.objects.get(plan=plan, who="r1", period="2026").value
    assert r1 == Decimal("0.02")
    client.force_login(company.users["rep"])
    mine = client.get("/targets/mine/").content.decode()
    assert ": 0.02</h3>" in mine
    assert ">0.01<" in mine  # a month
    client.force_login(ops)
    page = client.get(f"/targets/{plan.pk}/").content.decode()
    assert ">0.07<" in page  # the company's year


def test_whole_targets_keep_their_grouping() -> None:
    assert whole(Decimal("1234567.00")) == "1,234,567"
    assert whole(Decimal("1234567.5")) == "1,234,567.50"
    assert whole(Decimal("0.01")) == "0.01"
    assert whole(None) == "—"


def test_a_unit_plan_follows_its_parent_allocation_when_the_plan_above_changes(
    company: Company, plan: TargetPlan
) -> None:
    """A manager's east plan takes east's 728,571 in force; the company then lowers east
    to 500,000. Submitting the east plan was accepted and, published, put 728,571 back in
    force for east and its reps (46% above their parent allocation), and the manager could
    not bring the plan's total down to the new allocation either."""
    ops, manager = company.users["sales_ops"], company.users["manager"]
    publish(company, plan)
    east = services.create_target_plan(
        manager, name="East", fiscal_year=2026, root_unit=company.east, measures={"revenue": ""}
    )
    assert east.plan_measures.get().total == Decimal("728571")
    revised = services.revise_plan(ops, plan, "east lost a key account")
    services.edit_cell(ops, revised, measure="revenue", who="east", period="2026", value="500000")
    publish(company, revised)
    with pytest.raises(ValidationError) as refused:
        services.submit_plan(manager, east)
    assert "500,000" in str(refused.value) or "500000" in str(refused.value)
    east.refresh_from_db()
    assert east.status == PlanStatus.DRAFT
    # saving the settings takes the allocation in force, and the plan goes through
    services.update_plan(manager, east, measures={"revenue": "500000"})
    assert east.plan_measures.get().total == Decimal("500000")
    services.submit_plan(manager, east)
    services.approve_plan(company.users["executive"], east)
    services.publish_plan(manager, east)
    found = {
        (t["who"], t["period"]): t["value"]
        for t in published_targets(measures=["revenue"], fiscal_year=2026)
    }
    assert found[("east", "2026")] == Decimal("500000")
    assert sum(found[(r, "2026")] for r in ("r1", "r2", "r3")) == Decimal("500000")
    # a later version of the unit plan is checked against the plan above, not itself
    again = services.revise_plan(manager, east, "r2 changed territory")
    services.submit_plan(manager, again)


def test_a_stale_unit_plan_is_refused_in_chinese(company: Company, plan: TargetPlan) -> None:
    publish(company, plan)
    east = services.create_target_plan(
        company.users["manager"],
        name="East",
        fiscal_year=2026,
        root_unit=company.east,
        measures={"revenue": ""},
    )
    revised = services.revise_plan(company.users["sales_ops"], plan, "east shrinks")
    services.edit_cell(
        company.users["sales_ops"], revised, measure="revenue", who="east", period="2026", value=1
    )
    publish(company, revised)
    with translation.override("zh-hans"), pytest.raises(ValidationError) as refused:
        services.submit_plan(company.users["manager"], east)
    assert "生效的 revenue 目标现为 1，而非 728,571" in str(refused.value)


def _exported(client: Client, plan: TargetPlan) -> Workbook:
    url = reverse("targets:export", args=[plan.pk])
    return load_workbook(io.BytesIO(client.get(url).content))


def _change_r2_february(book: Workbook, value: object) -> None:
    for row in book["revenue"].iter_rows(min_row=2):
        if row[0].value == "r2":
            row[6].value = value


def test_a_workbook_without_the_plans_sheet_says_so_not_that_nothing_differs(
    company: Company, plan: TargetPlan, client: Client
) -> None:
    """The "revenue" sheet renamed (营收, Sheet1…) or the rows pasted into a new workbook:
    the import said "no cell differs from the plan", though the file changes r2."""
    client.force_login(company.users["sales_ops"])
    book = _exported(client, plan)
    _change_r2_february(book, 99999)
    book["revenue"].title = "营收"
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "zh-hans"
    page = _upload(client, plan, book)
    assert "没有与计划不同的单元格" not in page
    assert "工作簿中没有名为 revenue 的工作表" in page
    assert "营收" in page  # the sheets it has


def test_month_headers_that_a_spreadsheet_made_dates_still_import(
    company: Company, plan: TargetPlan, client: Client
) -> None:
    """A month header typed again as 2026-01 becomes a date in Excel or WPS (shown as
    Jan-26): the sheet was refused as if its first row were wrong."""
    client.force_login(company.users["sales_ops"])
    book = _exported(client, plan)
    _change_r2_february(book, 99999)
    for column in range(6, 18):
        book["revenue"].cell(row=1, column=column).value = datetime.datetime(2026, column - 5, 1)
    page = _upload(client, plan, book)
    assert "the first row must be" not in page
    assert "99,999" in page and "Apply these changes" in page


def test_the_change_log_names_the_methods_per_level_in_the_readers_language(
    company: Company, plan: TargetPlan, client: Client
) -> None:
    """The change log showed a plan's methods as the stored JSON, English keys and all
    ("units: [{method: blend, blend: {equal: 0.5, capacity: 0.5}}]; people: {method:
    equal}"), on the Chinese page too."""
    services.update_plan(
        company.users["sales_ops"],
        plan,
        levels={
            "units": [
                {"method": "blend", "blend": {"equal": "0.5", "capacity": "0.5"}},
                {"method": "history", "overassign": "1.1"},
            ],
            "people": {"method": "equal"},
        },
    )
    client.force_login(company.users["sales_ops"])
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "zh-hans"
    page = client.get(reverse("targets:changes", args=[plan.pk])).content.decode()
    assert "{method:" not in page and "people:" not in page
    assert "第 1 层：综合加权（平均分配 0.5、按爬坡产能 0.5）" in page
    assert "第 2 层：按历史（上年实际），超额分配倍数 1.1" in page
    assert "人员：平均分配" in page


@pytest.mark.parametrize("year", ["20266", "10000", "9999"])
def test_a_fiscal_year_typed_with_a_digit_too_many_is_refused(
    company: Company, client: Client, year: str
) -> None:
    """20266 for 2026: the plan was created, and its page failed for good with a server
    error (year 10000 is out of range). 9999 fails the same once the seasonal split or a
    fiscal year starting in April reaches 10000."""
    client.force_login(company.users["sales_ops"])
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "zh-hans"
    data = {"name": "FY", "fiscal_year": year, "root_unit": "hq", "measure": "revenue"}
    response = client.post(reverse("targets:plans"), {**data, "total": "100"})
    assert response.status_code == 200
    assert not TargetPlan.objects.exists()
    assert "请输入 1900 到 9998 之间的年份。" in response.content.decode()


def test_a_history_year_out_of_the_calendar_is_refused(company: Company, plan: TargetPlan) -> None:
    for year in (0, 10000):
        with pytest.raises(ValidationError) as refused:
            services.update_plan(company.users["sales_ops"], plan, history_year=year)
        assert "history_year" in refused.value.message_dict
    plan.refresh_from_db()
    assert plan.history_year is None
    compute_allocation(plan)


def test_a_total_too_large_to_keep_is_refused_not_a_server_error(company: Company) -> None:
    """999,999,999,999,999,999.99 passed the check (below 10¹⁸) but SQLite keeps 15
    digits: it came back as 10¹⁸, too long for the column, and creating the plan failed
    with a server error; 9 × 10¹⁷ over-assigned by 1.2 failed the same at submission."""
    ops = company.users["sales_ops"]
    with pytest.raises(ValidationError):
        new_plan(company, ops, total="999999999999999999.99")
    with pytest.raises(ValidationError):
        new_plan(company, ops, total="900000000000000000")
    assert not TargetPlan.objects.exists()
    levels = {"units": [{"method": "equal", "overassign": "1.2"}], "people": {"method": "equal"}}
    plan = new_plan(company, ops, total="999999999999999", levels=levels)
    publish(company, plan)
    years = dict(TargetCell.objects.filter(plan=plan, period="2026").values_list("who", "value"))
    assert years["hq"] == Decimal("999999999999999")
    assert years["east"] + years["west"] == Decimal("1199999999999999")


def test_a_manager_cannot_raise_the_over_assignment_limit_of_their_unit_plan(
    company: Company, plan: TargetPlan
) -> None:
    """The limit is the planners' guard rail (层层加码): a manager set their east plan's
    to 5 and handed their people 4× east's target; submission passed."""
    manager = company.users["manager"]
    publish(company, plan)
    east = services.create_target_plan(
        manager, name="East", fiscal_year=2026, root_unit=company.east, measures={"revenue": ""}
    )
    inflated = {
        "units": [{"method": "equal"}],
        "people": {"method": "equal", "overassign": "4"},
    }
    with pytest.raises((ValidationError, PermissionDenied)):
        services.update_plan(manager, east, max_overassign=Decimal(5), levels=inflated)
    east.refresh_from_db()
    assert east.max_overassign == Decimal("1.25")
    # the same limit saved again (the settings form sends it each time), or a lower one
    services.update_plan(manager, east, max_overassign=Decimal("1.25"))
    services.update_plan(manager, east, max_overassign=Decimal("1.1"))
    with pytest.raises((ValidationError, PermissionDenied)):
        services.update_plan(manager, east, max_overassign=Decimal("1.2"))
    with pytest.raises((ValidationError, PermissionDenied)):
        services.create_target_plan(
            manager,
            name="East 2",
            fiscal_year=2026,
            root_unit=company.east,
            measures={"revenue": ""},
            max_overassign=Decimal(5),
        )
    # planners set it
    services.update_plan(company.users["sales_ops"], east, max_overassign=Decimal(2))
