"""Pages × roles, in the style of attain/org/tests/test_visibility.py."""

from __future__ import annotations

import io

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from attain.conftest import LOGINS, Company
from attain.targets import access, services
from attain.targets.models import PlanStatus, TargetEdit, TargetPlan

from .conftest import move_to_west, new_plan, publish

pytestmark = pytest.mark.django_db


def login(role: str, language: str = "") -> Client:
    client = Client(**({"HTTP_ACCEPT_LANGUAGE": language} if language else {}))
    username, password = LOGINS[role]
    assert client.login(username=username, password=password)
    return client


@pytest.mark.parametrize(
    ("role", "plans", "pace", "mine"),
    [
        ("admin", 200, 200, 200),
        ("sales_ops", 200, 200, 200),
        ("finance", 200, 200, 200),
        ("executive", 200, 200, 200),
        ("manager", 200, 200, 200),
        ("rep", 200, 403, 200),
    ],
)
def test_pages_by_role(
    company: Company, plan: TargetPlan, role: str, plans: int, pace: int, mine: int
) -> None:
    client = login(role)
    assert client.get(reverse("targets:plans")).status_code == plans
    assert client.get(reverse("targets:pace")).status_code == pace
    assert client.get(reverse("targets:mine")).status_code == mine


def test_anonymous_is_sent_to_login(plan: TargetPlan) -> None:
    response = Client().get(reverse("targets:plan", args=[plan.pk]))
    assert response.status_code == 302


@pytest.mark.parametrize(
    ("role", "status"),
    [("sales_ops", 200), ("executive", 200), ("manager", 200), ("rep", 404)],
)
def test_a_draft_is_hidden_from_reps(plan: TargetPlan, role: str, status: int) -> None:
    assert login(role).get(reverse("targets:plan", args=[plan.pk])).status_code == status


def test_manager_sees_only_their_people_in_the_grid(company: Company, plan: TargetPlan) -> None:
    page = login("manager").get(reverse("targets:plan", args=[plan.pk])).content.decode()
    assert 'data-who="r1"' in page and 'data-who="r3"' in page
    assert 'data-who="r4"' not in page  # west is not theirs
    assert 'data-who="west"' in page  # unit totals are not people's data


def test_planner_edits_a_cell_and_the_grid_comes_back(company: Company, plan: TargetPlan) -> None:
    client = login("sales_ops")
    url = reverse("targets:cell", args=[plan.pk])
    data = {"measure": "revenue", "who": "r1", "period": "2026-02", "value": "12345"}
    response = client.post(url, data, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert 'value="12345"' in response.content.decode()
    assert TargetEdit.objects.get(plan=plan).value == 12345
    # a rep may not
    login("rep").post(url, {**data, "value": "1"})
    assert TargetEdit.objects.get(plan=plan).value == 12345


def test_workflow_through_the_pages(company: Company, plan: TargetPlan) -> None:
    ops, boss, rep = login("sales_ops"), login("executive"), login("rep")

    def act(client: Client, action: str, **data: str) -> None:
        client.post(reverse("targets:action", args=[plan.pk, action]), data)
        plan.refresh_from_db()

    act(ops, "submit")
    assert plan.status == PlanStatus.SUBMITTED
    act(ops, "approve")  # not an approver
    assert plan.status == PlanStatus.SUBMITTED
    act(boss, "approve")
    act(ops, "publish")
    assert plan.status == PlanStatus.PUBLISHED
    page = rep.get(reverse("targets:mine")).content.decode()
    assert "I accept my targets" in page
    rep.post(reverse("targets:acknowledge", args=[plan.pk]), {"comment": "fair"})
    assert "fair" in rep.get(reverse("targets:mine")).content.decode()
    log = ops.get(reverse("targets:changes", args=[plan.pk]))
    assert log.status_code == 200 and "fair" in log.content.decode()
    assert rep.get(reverse("targets:changes", args=[plan.pk])).status_code == 403
    assert ops.get(reverse("targets:pace")).status_code == 200


def test_excel_round_trip(company: Company, plan: TargetPlan) -> None:
    client = login("sales_ops")
    exported = client.get(reverse("targets:export", args=[plan.pk]))
    assert exported.status_code == 200
    book = load_workbook(io.BytesIO(exported.content))
    sheet = book["revenue"]
    header = [c.value for c in sheet[1]]
    assert header[:5] == ["code", "kind", "name", "parent", "year"]
    _edit(book, "r2", 6, 99999)  # February
    _edit(book, "r3", 7, "lots")
    page = _upload(client, plan, book)
    assert "not a number" in page and "Apply these changes" not in page
    _edit(book, "r3", 7, None)
    page = _upload(client, plan, book)
    assert "99,999" in page and "Apply these changes" in page
    token = page.split('name="confirm" value="')[1].split('"')[0]
    assert not TargetEdit.objects.exists()
    client.post(reverse("targets:import", args=[plan.pk]), {"confirm": token})
    assert TargetEdit.objects.get().period == "2026-02"


def test_an_unchanged_export_of_a_rep_who_moved_imports_as_no_change(company: Company) -> None:
    """r2 moved from east to west in May: they have a row under each team. Importing the
    exported workbook unchanged finds no difference (each line is compared with the row
    of its parent), instead of thirteen changes that would move r2's months around; a
    negative value names its cell with the column."""
    import datetime

    from attain.targets import excel
    from attain.targets.allocation import compute_allocation

    from .conftest import new_plan

    move_to_west(company, "r2", datetime.date(2026, 5, 15))
    plan = new_plan(company, company.users["sales_ops"])
    grids = compute_allocation(plan).grids
    exported = excel.export_workbook(plan, grids)
    result = excel.read_workbook(io.BytesIO(exported), plan, grids)
    assert result.changes == [] and result.errors == ["no cell differs from the plan"]
    book = load_workbook(io.BytesIO(exported))
    for line in book["revenue"].iter_rows(min_row=2):
        if line[0].value == "r2" and line[3].value == "west":
            line[16].value = 5  # December, in west
        if line[0].value == "r1":
            line[6].value = -1  # February
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    result = excel.read_workbook(buffer, plan, grids)
    assert [(c.who, c.period, c.after) for c in result.changes] == [("r2", "2026-12", 5)]
    assert any("revenue!G" in error for error in result.errors)


@pytest.mark.parametrize("rows", [("west",), ("east", "west")])
def test_a_movers_year_cells_change_their_year_by_as_much(
    company: Company, rows: tuple[str, ...]
) -> None:
    """r2 moved from east to west in May: each row's year is that row's part. Adding
    1,000 to one row's year (or to both) is one edit of r2's year, by 1,000 (or 2,000),
    and applying it keeps the rest of r2's target."""
    import datetime

    from attain.targets import excel, services
    from attain.targets.allocation import compute_allocation

    from .conftest import new_plan

    move_to_west(company, "r2", datetime.date(2026, 5, 15))
    plan = new_plan(company, company.users["sales_ops"])
    grids = compute_allocation(plan).grids
    total = sum(row.year for row in grids["revenue"].rows if row.who == "r2")
    book = load_workbook(io.BytesIO(excel.export_workbook(plan, grids)))
    for line in book["revenue"].iter_rows(min_row=2):
        if line[0].value == "r2" and line[3].value in rows:
            line[4].value = float(line[4].value) + 1000
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    result = excel.read_workbook(buffer, plan, grids)
    wanted = total + 1000 * len(rows)
    assert [(c.who, c.period, c.before, c.after) for c in result.changes] == [
        ("r2", "2026", total, wanted)
    ]
    services.apply_edits(
        company.users["sales_ops"],
        plan,
        [(c.measure, c.who, c.period, c.after) for c in result.changes],
    )
    after = compute_allocation(plan).grids["revenue"]
    assert sum(row.year for row in after.rows if row.who == "r2") == wanted


def test_import_refuses_a_file_that_is_not_a_workbook(plan: TargetPlan) -> None:
    buffer = io.BytesIO(b"hello")
    buffer.name = "t.xlsx"
    page = login("sales_ops").post(reverse("targets:import", args=[plan.pk]), {"file": buffer})
    assert "not an Excel workbook" in page.content.decode()
    _ = Workbook  # imported for the reader's convenience


def _upload(client: Client, plan: TargetPlan, book: Workbook) -> str:
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    buffer.name = "t.xlsx"
    url = reverse("targets:import", args=[plan.pk])
    return client.post(url, {"file": buffer}).content.decode()


def _edit(book: Workbook, who: str, column: int, value: object) -> None:
    for row in book["revenue"].iter_rows(min_row=2):
        if row[0].value == who:
            row[column].value = value


def test_excel_workbook_speaks_the_exporters_language(plan: TargetPlan) -> None:
    chinese = login("sales_ops", "zh-hans")
    exported = chinese.get(reverse("targets:export", args=[plan.pk]))
    book = load_workbook(io.BytesIO(exported.content))
    sheet = book["revenue"]
    header = [c.value for c in sheet[1]]
    assert header[:5] == ["编码", "类型", "名称", "上级", "全年"]
    assert header[5] == "2026-01"  # the months keep their ids
    kinds = {row[1].value for row in sheet.iter_rows(min_row=2)}
    assert kinds == {"部门", "个人"}
    assert "plan" not in book.sheetnames
    labels = [row[0].value for row in book["方案"].iter_rows()]
    assert labels == ["方案", "版本", "财年", "说明"]
    # The Chinese workbook re-imports, from a Chinese page and from an English one.
    _edit(book, "r2", 6, 99999)
    page = _upload(chinese, plan, book)
    assert "99,999" in page and 'name="confirm" value="' in page
    page = _upload(login("sales_ops"), plan, book)
    assert "99,999" in page and "Apply these changes" in page
    # A header in neither language is refused, in the reader's language.
    sheet["A1"].value = "código"
    page = _upload(login("sales_ops"), plan, book)
    assert "the first row must be code, kind, name, parent, year" in page


def test_an_english_workbook_imports_on_a_chinese_page(plan: TargetPlan) -> None:
    english = login("sales_ops").get(reverse("targets:export", args=[plan.pk]))
    book = load_workbook(io.BytesIO(english.content))
    assert [c.value for c in book["revenue"][1]][:5] == ["code", "kind", "name", "parent", "year"]
    assert {row[1].value for row in book["revenue"].iter_rows(min_row=2)} == {"unit", "person"}
    assert [row[0].value for row in book["plan"].iter_rows()][:3] == [
        "plan",
        "version",
        "fiscal_year",
    ]
    _edit(book, "r2", 6, 99999)
    page = _upload(login("sales_ops", "zh-hans"), plan, book)
    assert "99,999" in page and 'name="confirm" value="' in page


def test_manager_creates_a_unit_plan_from_the_page(company: Company, plan: TargetPlan) -> None:
    publish(company, plan)
    client = login("manager")
    client.post(
        reverse("targets:plans"),
        {"name": "East 2026", "fiscal_year": 2026, "root_unit": "east", "measure": "revenue"},
    )
    east = TargetPlan.objects.get(name="East 2026")
    assert east.plan_measures.get().total > 0
    services.update_plan(
        company.users["manager"], east, levels={"units": [{}], "people": {"method": "equal"}}
    )
    assert client.get(reverse("targets:plan", args=[east.pk])).status_code == 200


def test_a_manager_gets_inputs_only_for_their_people(company: Company, plan: TargetPlan) -> None:
    page = login("manager").get(reverse("targets:plan", args=[plan.pk])).content.decode()
    assert 'aria-label="r1 2026"' in page
    assert 'aria-label="m1 2026"' not in page  # not their own target
    assert 'aria-label="east 2026"' not in page  # nor their own unit's
    assert 'aria-label="west 2026"' not in page
    assert not access.can_edit_cell(company.users["manager"], plan, "m1")


def test_a_rep_commits_from_my_targets(company: Company, plan: TargetPlan) -> None:
    publish(company, plan)
    client = login("rep")
    assert "Commit" in client.get(reverse("targets:mine")).content.decode()
    client.post(
        reverse("targets:commit", args=[plan.pk]),
        {"measure": "revenue", "value": "123456", "comment": "stretch"},
    )
    page = client.get(reverse("targets:mine")).content.decode()
    assert "123,456" in page
    ops = login("sales_ops").get(reverse("targets:plan", args=[plan.pk])).content.decode()
    assert "123,456" in ops  # the gap table


def test_pace_opens_on_the_running_plan_and_drops_a_stale_period(
    company: Company, plan: TargetPlan
) -> None:
    """Issue 12 bug 12: pace opened on the newest plan (next year's: all zeros) and,
    switching plans, kept the other plan's period (an empty page)."""
    from decimal import Decimal

    from .conftest import EQUAL_LEVELS

    publish(company, plan)
    ops = company.users["sales_ops"]
    later = services.create_target_plan(
        ops,
        name="FY2027",
        fiscal_year=2027,
        root_unit=company.hq,
        measures={"revenue": Decimal(1_000_000)},
        levels=EQUAL_LEVELS,
        months="equal",
    )
    publish(company, later)
    client = login("sales_ops")
    url = reverse("targets:pace")
    response = client.get(url, {"as_of": "2026-06-30"})
    assert response.context["plan"] == plan and response.context["period"] == "2026"
    assert response.context["rows"]
    response = client.get(url, {"as_of": "2026-06-30", "plan": plan.pk, "period": "2027"})
    assert response.context["period"] == "2026" and response.context["rows"]
    response = client.get(url, {"as_of": "2026-06-30", "plan": later.pk})
    assert response.context["plan"] == later and response.context["period"] == "2027"
    for garbage in ({"period": "garbage"}, {"plan": "x"}, {"as_of": "someday"}):
        response = client.get(url, {"as_of": "2026-06-30", **garbage})  # issue 12 bug 2
        assert response.status_code == 200 and response.context["plan"] == plan, garbage


@pytest.mark.parametrize(
    ("language", "header", "basis", "quarter_end"),
    [
        (
            "en",
            'Forecast P50 <span class="nowrap">(P10–P90)</span>',
            "history, no pipeline",
            "06/30/2026",
        ),
        (
            "zh-hans",
            '预测 <span class="nowrap">P50（P10–P90）</span>',
            "历史（无商机）",
            "2026年6月30日",
        ),
    ],
)
def test_pace_and_my_targets_show_the_forecast_range_and_its_basis(
    company: Company, plan: TargetPlan, language: str, header: str, basis: str, quarter_end: str
) -> None:
    """Issue 16: beside the linear projection, the forecast's P50, its P10–P90 range and
    what it rests on (no opportunities in this company: the basis says so)."""
    publish(company, plan)
    client = login("manager")
    client.cookies["django_language"] = language
    response = client.get(
        reverse("targets:pace"),
        {"as_of": "2026-06-20", "period": "2026-Q2"},
        HTTP_ACCEPT_LANGUAGE=language,
    )
    page = response.content.decode()
    assert header in page and basis in page
    assert response.context["forecasts"]
    # the fan chart: a named chart with its figures, for a unit first
    assert response.context["fan_chart"] and response.context["fan_row"]["row"].kind == "unit"
    assert 'id="chart-fan"' in page and 'role="img"' in page
    # the chart's description: the quarter's end dated for its reader, the measure by name
    description = str(response.context["fan_chart"])
    measure = "销售额" if language == "zh-hans" else "Revenue"  # in the reader's language
    assert quarter_end in description and measure in description
    assert "销售额 Revenue" not in description
    # so are the days along its axis, never ISO
    assert "2026-06-30" not in description and "2026-04-01" not in description
    assert "<tr><td>2026-06-30</td>" not in page and f"<tr><td>{quarter_end}</td>" in page
    chosen = response.context["fan_rows"][-1]
    again = client.get(
        reverse("targets:pace"),
        {
            "as_of": "2026-06-20",
            "period": "2026-Q2",
            "fan": f"{chosen.kind}|{chosen.who}|{chosen.measure}",
        },
    )
    assert again.context["fan_row"]["row"] == chosen
    rep = login("rep")
    mine = rep.get(reverse("targets:mine"), HTTP_ACCEPT_LANGUAGE=language).content.decode()
    assert header in mine


def test_a_commitment_too_large_to_store_is_refused(company: Company, plan: TargetPlan) -> None:
    """1e30 was stored as Inf by SQLite and broke the rep's page for good; 12.345 was
    cut to 12.34 by the database (half-even), not rounded half-up."""
    from decimal import Decimal

    from attain.targets.models import Commitment

    publish(company, plan)
    client = login("rep")
    url = reverse("targets:commit", args=[plan.pk])
    client.post(url, {"measure": "revenue", "value": "1e30", "comment": ""})
    assert not Commitment.objects.exists()
    client.post(url, {"measure": "revenue", "value": "12.345", "comment": ""})
    assert Commitment.objects.get().value == Decimal("12.35")
    assert client.get(reverse("targets:mine")).status_code == 200


@pytest.mark.parametrize(
    ("next_page", "lands"),
    [
        ("/targets/mine/", "/targets/mine/"),
        ("https://evil.example/", None),
        ("//evil.example", None),
    ],
)
def test_a_commitment_goes_back_only_to_a_page_of_this_site(
    company: Company, plan: TargetPlan, next_page: str, lands: str | None
) -> None:
    publish(company, plan)
    response = login("rep").post(
        reverse("targets:commit", args=[plan.pk]),
        {"measure": "revenue", "value": "100", "comment": "", "next": next_page},
    )
    assert response.status_code == 302
    assert response["Location"] == (lands or reverse("targets:mine"))


def test_the_workbook_runs_no_formula_from_a_name_or_code(
    company: Company, plan: TargetPlan
) -> None:
    # a name or a code that a spreadsheet would run (CSV injection) is text in the file,
    # with the record exports' apostrophe, and the file still imports back
    from attain.org.models import Person, Unit

    Person.objects.filter(code="r2").update(name='=HYPERLINK("http://evil.example","x")')
    Person.objects.filter(code="r3").update(name="R\x0b3\x01")  # XML cannot hold them
    Unit.objects.filter(code="east").update(code="-east")
    TargetPlan.objects.filter(pk=plan.pk).update(name="FY2026\x0brevenue")  # a property
    client = login("sales_ops")
    book = load_workbook(io.BytesIO(client.get(reverse("targets:export", args=[plan.pk])).content))
    cells = {row[0].value: row for row in book["revenue"].iter_rows(min_row=2)}
    assert cells["r2"][2].value == '\'=HYPERLINK("http://evil.example","x")'
    assert cells["r2"][2].data_type == "s"
    assert cells["r2"][3].value == "'-east"
    assert cells["r3"][2].value == "R\n3"  # Word's line break stays one: words apart
    assert book.properties.title == "FY2026\nrevenue"
    assert cells["'-east"][1].value == "unit"
    assert not any(c.data_type == "f" for row in cells.values() for c in row)
    _edit(book, "r2", 6, 99999)
    page = _upload(client, plan, book)
    assert "unknown code" not in page
    assert "99,999" in page and "Apply these changes" in page


def test_a_target_typed_as_text_with_full_width_digits_imports(plan: TargetPlan) -> None:
    # typed with a Chinese input method: １２，０００ (full-width digits and comma)
    client = login("sales_ops")
    book = load_workbook(io.BytesIO(client.get(reverse("targets:export", args=[plan.pk])).content))
    _edit(book, "r2", 6, "１２，０００")
    _edit(book, "r3", 6, "12 345.50")
    page = _upload(client, plan, book)
    assert "not a number" not in page
    assert ">12,000<" in page and ">12,345.50<" in page and "Apply these changes" in page


def test_measures_sharing_their_first_31_characters_get_a_sheet_each(
    company: Company,
) -> None:
    """Excel names a sheet with at most 31 characters: two measure codes alike up to
    there got one sheet name, openpyxl renamed the second sheet, and the import read
    both measures from the first."""
    import dataclasses

    from attain.targets import excel
    from attain.targets.allocation import compute_allocation

    from .conftest import new_plan

    plan = new_plan(company, company.users["sales_ops"])
    revenue = compute_allocation(plan).grids["revenue"]
    first, second = "revenue_from_new_customers_east_a", "revenue_from_new_customers_east_b"
    grids = {
        first: dataclasses.replace(revenue, measure=first),
        second: dataclasses.replace(revenue, measure=second),
    }
    titles = excel.sheet_titles(grids)
    assert titles == {first: first[:31], second: first[:29] + "~2"}
    assert excel.sheet_titles(["Plan", "plan"]) == {"Plan": "Plan~2", "plan": "plan~3"}
    book = load_workbook(io.BytesIO(excel.export_workbook(plan, grids)))
    assert book.sheetnames[:2] == [titles[first], titles[second]]
    for line in book[titles[second]].iter_rows(min_row=2):
        if line[0].value == "r1":
            line[4].value = float(line[4].value) + 1000
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    result = excel.read_workbook(buffer, plan, grids)
    assert result.errors == []
    assert [(c.measure, c.who, c.period) for c in result.changes] == [(second, "r1", "2026")]


def test_an_edit_of_an_unknown_cell_is_explained_in_chinese(company) -> None:
    """The plan page said "edited cell of unknown unit or person 'ghost'" in English to a
    Chinese planner (an edit of someone no longer in the plan's tree)."""
    plan = new_plan(company, company.users["sales_ops"], name="FY2026 revenue")
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(company.users["sales_ops"])
    cell = {"measure": "revenue", "who": "ghost", "period": "2026", "value": "5"}
    TargetEdit.objects.create(plan=plan, **cell)  # an edit of someone no longer there
    body = client.get(f"/targets/{plan.pk}/").content.decode()
    assert "edited cell" not in body
    assert "修改过的单元格指向未知的组织单元或人员：ghost" in body


def test_a_cell_of_no_one_is_refused_and_the_plan_still_allocates(company) -> None:
    """A cell posted for an id no unit or person has was stored, and from then on every
    allocation of the plan failed on it."""
    plan = new_plan(company, company.users["sales_ops"], name="FY2026 revenue")
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(company.users["sales_ops"])
    cell = {"measure": "revenue", "who": "ghost", "period": "2026", "value": "5"}
    answer = client.post(f"/targets/{plan.pk}/cell/", cell, follow=True).content.decode()
    assert "没有组织单元或人员使用此编号：ghost" in answer
    assert not TargetEdit.objects.filter(plan=plan, who="ghost").exists()
    body = client.get(f"/targets/{plan.pk}/").content.decode()
    assert "指向未知的组织单元或人员" not in body


@pytest.mark.parametrize("role", ["admin", "sales_ops", "finance", "executive", "manager"])
def test_the_export_link_is_shown_only_to_who_may_export(
    company: Company, plan: TargetPlan, role: str
) -> None:
    """Finance and executives saw "Export to Excel" and got a refusal (403) following it."""
    client = Client()
    client.force_login(company.users[role])
    page = client.get(f"/targets/{plan.pk}/")
    export = reverse("targets:export", args=[plan.pk])
    shown = export in page.content.decode()
    assert shown == (client.get(export).status_code == 200)


@pytest.mark.parametrize("typed", ["12 34", "1²", "1,23", "1 234,567"])
def test_a_typo_in_a_target_cell_is_no_number(typed: str) -> None:
    """Spaces and full-width digits are read only as a Chinese input method or thousands
    separators write them: 12 34 was read as 1,234 and 1² as 12, without a word."""
    from decimal import Decimal

    from attain.targets import excel

    with pytest.raises(ValueError, match=typed):
        excel._number(typed)
    assert excel._number("１２，３４５．５") == Decimal("12345.5")


def test_a_target_too_large_to_store_is_refused_when_the_workbook_is_read(
    plan: TargetPlan,
) -> None:
    """A cell of 10²⁰ was listed as a difference with "Apply these changes", and only
    refused when applied: the file's problems are named when it is read."""
    client = login("sales_ops")
    book = load_workbook(io.BytesIO(client.get(reverse("targets:export", args=[plan.pk])).content))
    _edit(book, "r2", 6, 10**20)
    page = _upload(client, plan, book)
    assert "Enter a number below 10¹⁵." in page
    assert "Apply these changes" not in page


def test_a_settings_error_names_its_field_with_the_readers_punctuation(plan: TargetPlan) -> None:
    """The field and its problem were joined with an English ": " on Chinese pages."""
    client = login("sales_ops", "zh-hans")
    page = client.post(
        reverse("targets:settings", args=[plan.pk]),
        {
            "name": plan.name,
            "roles": "rep",
            "months": "even",
            "round_to": "0",
            "max_overassign": "1",
        },
        follow=True,
    ).content.decode()
    assert "取整到：" in page
    assert "取整到: " not in page


def test_a_true_cell_in_the_grid_is_named_as_excel_shows_it(
    company: Company, plan: TargetPlan
) -> None:
    """A TRUE typed into a month's cell: the error quotes “TRUE”, not Python's “True”."""
    client = login("sales_ops")
    exported = client.get(reverse("targets:export", args=[plan.pk]))
    book = load_workbook(io.BytesIO(exported.content))
    _edit(book, "r2", 6, True)
    page = _upload(client, plan, book)
    assert "not a number: “TRUE”" in page, page[page.find("not a number") - 200 :][:400]
