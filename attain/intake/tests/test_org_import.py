"""Organisation files: `attain import units|people`, the web import, and the bad-input
rules (issue 17). The shared company (attain/conftest.py) is the stored organisation:
hq ─ east (m1 ─ r1, r2, m2 ─ r3), west (m3 ─ r4), all from 2024-01-01."""

from __future__ import annotations

import datetime
from io import StringIO
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse
from django.utils import translation

from attain.accounts.models import Role, User
from attain.audit.models import AuditEvent
from attain.intake import access
from attain.intake.importer import import_file
from attain.intake.models import BatchStatus, ImportBatch
from attain.intake.reading import FileProblem
from attain.intake.tables import TABLES
from attain.org.models import Assignment, Person, Unit

from .conftest import read_csv, write_csv

D = datetime.date
PEOPLE_ZH = ["工号", "姓名", "部门", "岗位", "直属上级", "入职日期", "离职日期", "邮箱", "手机"]
PEOPLE_EN = [
    "Employee ID",
    "Name",
    "Unit code",
    "Job title",
    "Manager ID",
    "Start date",
    "End date",
    "Email",
    "Phone",
    "Login role",
    "Effective date",
]


def people(path: Path, rows: list[list[Any]], header: list[str] = PEOPLE_ZH, **kw: Any) -> Path:
    return write_csv(path, [header, *rows], **kw)


def run(table: str, path: Path, **options: Any) -> Any:
    return import_file(
        None, table, path, rejects_path=path.with_suffix(".rejects.csv"), options=options
    )


def reasons(result: Any) -> dict[str, str]:
    """Rejected rows by their first cell (the code), with the reason."""
    if result.rejects_path is None:
        return {}
    return {row[2]: row[1] for row in read_csv(result.rejects_path)[1:]}


def history(code: str) -> list[tuple[str, str | None, str, D, D | None]]:
    return [
        (a.unit.code, a.manager.code if a.manager else None, a.title, a.valid_from, a.valid_to)
        for a in Assignment.objects.filter(person__code=code)
        .select_related("unit", "manager")
        .order_by("valid_from")
    ]


# Units ------------------------------------------------------------------------------


def test_units_gbk_chinese_headers_parent_by_code(company: Any, tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "units.csv",
        [
            ["部门编码", "部门名称", "上级部门编码", "成立日期"],
            ["sh", "上海", "east-sh", "2025-01-01"],  # its parent comes later in the file
            ["east-sh", "华东上海片区", "east", "2025/1/1"],
            ["east", "华东大区", "hq", ""],  # renames a stored unit
            ["hq", "总部", "", ""],  # unchanged
        ],
        encoding="gbk",
    )
    result = run("units", path)
    assert result.encoding == "GB18030 (GBK)"
    assert (result.imported, result.updated, result.unchanged, result.rejected) == (2, 1, 1, 0)
    sh = Unit.objects.get(code="sh")
    assert (sh.name, sh.parent.code, sh.parent.parent.code) == ("上海", "east-sh", "east")
    assert sh.opened == D(2025, 1, 1)
    assert Unit.objects.get(code="east").name == "华东大区"
    events = AuditEvent.objects.filter(content_type__model="unit", batch__startswith="import-")
    assert events.filter(action="create").count() == 2
    renamed = events.get(action="update")
    assert renamed.before == {"name": "华东"} and renamed.after == {"name": "华东大区"}


def test_unit_rules_missing_parent_cycles_dates(company: Any, tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "units.csv",
        [
            ["code", "name", "parent", "start", "end"],
            ["ok", "OK", "hq", "", ""],
            ["orphan", "Orphan", "nowhere", "", ""],
            ["child", "Child of orphan", "orphan", "", ""],  # its parent is rejected
            ["a", "A", "b", "", ""],
            ["b", "B", "a", "", ""],
            ["late", "Late", "hq", "2025-05-01", "2025-04-01"],
            ["twice", "Twice", "hq", "", ""],
            ["twice", "Twice again", "hq", "", ""],
            ["r1", "Clash with a person", "hq", "", ""],
            ["hq", "HQ under east", "east", "", ""],  # east is inside hq: a cycle
        ],
    )
    result = run("units", path)
    why = reasons(result)
    assert result.imported == 1 and result.rejected == 9
    assert why["orphan"] == "the parent unit “nowhere” is missing"
    assert why["child"] == "the parent unit “orphan” is rejected (row 3)"
    assert why["a"] == why["b"] == "the units would form a cycle: a → b → a"
    assert why["late"] == "the end date April 1, 2025 is before the start date May 1, 2025"
    assert why["twice"] == "the same unit code is in the file more than once (rows 8, 9)"
    assert why["r1"] == "“r1” is already a person's employee id"
    assert "cycle" in why["hq"]
    assert set(Unit.objects.values_list("code", flat=True)) == {"hq", "east", "west", "ok"}
    assert Unit.objects.get(code="hq").parent is None


def test_closing_a_unit_with_people_in_it_is_rejected(company: Any, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "u.csv", [["code", "name", "end"], ["west", "华西", "2025-06-30"]])
    result = run("units", path)
    assert "people are still in the unit after June 30, 2025" in reasons(result)["west"]
    assert Unit.objects.get(code="west").closed is None


# People: a first import -------------------------------------------------------------


def test_people_chinese_headers_hires_with_history_logins_and_invitations(
    company: Any, tmp_path: Path
) -> None:
    path = people(
        tmp_path / "hr.csv",
        [
            ["e1", "钱一", "west", "rep", "e2", "2025-03-01", "", "e1@example.com", "13900000001"],
            ["e2", "孙二", "west", "manager", "m3", "2025-02-01", "", "e2@example.com", ""],
            ["e3", "周三", "east", "", "", "2025-01-01", "2025-01-31", "e3@example.com", ""],
        ],
        encoding="gbk",
    )
    result = run("people", path, effective="2025-06-01", base_url="https://attain.example")
    assert (result.imported, result.rejected) == (3, 0)
    e1 = Person.objects.get(code="e1")
    assert (e1.name, e1.phone, e1.start) == ("钱一", "13900000001", D(2025, 3, 1))
    assert history("e1") == [("west", "e2", "rep", D(2025, 3, 1), None)]
    assert history("e2") == [("west", "m3", "manager", D(2025, 2, 1), None)]
    # a leaver in the first file: a closed assignment, a default job role, no login
    assert history("e3") == [("east", None, "rep", D(2025, 1, 1), D(2025, 2, 1))]
    assert Person.objects.get(code="e3").user is None
    # logins: a manager is a manager (they have a report in the file), the others reps
    assert e1.user.username == "e1" and e1.user.role == Role.REP
    assert not e1.user.has_usable_password()
    assert Person.objects.get(code="e2").user.role == Role.MANAGER
    assert sorted(m.to[0] for m in mail.outbox) == ["e1@example.com", "e2@example.com"]
    assert "https://attain.example/accounts/password-reset/" in mail.outbox[0].body
    assert "transfers 0, leavers 0, logins created 2, linked 0" in result.notes
    assert "invitations sent 2" in result.notes
    assert AuditEvent.objects.filter(content_type__model="person", action="create").count() >= 3
    assert AuditEvent.objects.filter(content_type__model="user", action="create").exists()


def test_invitation_link_sets_a_password(company: Any, tmp_path: Path, client: Client) -> None:
    path = people(
        tmp_path / "hr.csv",
        [["e1", "钱一", "west", "rep", "m3", "2025-03-01", "", "e1@example.com", ""]],
    )
    run("people", path)
    link = next(line for line in mail.outbox[0].body.splitlines() if "password-reset" in line)
    page = client.get(link.replace("http://127.0.0.1:8000", ""), follow=True)
    assert page.status_code == 200
    form_url = page.redirect_chain[-1][0]
    client.post(form_url, {"new_password1": "a-Long-pass-42", "new_password2": "a-Long-pass-42"})
    assert User.objects.get(username="e1").check_password("a-Long-pass-42")


def test_english_headers_xlsx_role_and_linking(company: Any, tmp_path: Path) -> None:
    existing = User.objects.create_user("wang", email="Wang@Example.com", role=Role.REP)
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(PEOPLE_EN)
    sheet.append(
        [
            "x1",
            "Wang",
            "east",
            "rep",
            "m1",
            datetime.datetime(2025, 4, 1),
            None,
            "wang@example.com",
            13800000000,
            "Sales manager",
            None,
        ]
    )
    sheet.append(["x2", "Li", "east", "rep", "m1", "2025-04-01", "", "", "", "财务", ""])
    path = tmp_path / "people.xlsx"
    book.save(path)
    result = run("people", path, invite=False)
    assert (result.imported, result.rejected) == (2, 0)
    x1 = Person.objects.get(code="x1")
    assert x1.user == existing  # linked by email, case aside
    assert x1.phone == "13800000000"
    assert Person.objects.get(code="x2").user is None  # no email: no login
    assert mail.outbox == []
    assert "logins created 0, linked 1" in result.notes[0]


def test_role_from_the_file_updates_a_linked_login(company: Any, tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "p.csv",
        [
            ["工号", "姓名", "部门", "入职日期", "角色"],
            ["r1", "R1", "east", "2024-01-01", "销售经理"],
        ],
    )
    result = run("people", path)
    assert (result.updated, result.unchanged) == (1, 0)
    assert User.objects.get(username="r1").role == Role.MANAGER
    events = AuditEvent.objects.filter(content_type__model="user", action="update")
    assert [(e.before, e.after) for e in events] == [({"role": "rep"}, {"role": "manager"})]


# People: the bad-input rules --------------------------------------------------------


def test_bad_people_each_rejected_with_its_reason_nothing_half_applied(
    company: Any, tmp_path: Path
) -> None:
    rows = [
        ["c1", "Cycle 1", "east", "rep", "c2", "2025-01-01", "", "", ""],
        ["c2", "Cycle 2", "east", "rep", "c1", "2025-01-01", "", "", ""],
        ["late", "Late boss", "east", "manager", "m1", "2025-06-01", "", "", ""],
        ["early", "Early report", "east", "rep", "late", "2025-01-01", "2025-05-31", "", ""],
        ["dup", "One", "east", "rep", "m1", "2025-01-01", "", "", ""],
        ["dup", "Two", "east", "rep", "m1", "2025-01-01", "", "", ""],
        ["neg", "Ends first", "east", "rep", "m1", "2025-05-01", "2025-04-30", "", ""],
        ["nounit", "No unit", "mars", "rep", "m1", "2025-01-01", "", "", ""],
        ["noboss", "No boss", "east", "rep", "E404", "2025-01-01", "", "", ""],
        ["under", "Under a rejected", "east", "rep", "dup", "2025-02-01", "", "", ""],
        ["self", "Own boss", "east", "rep", "self", "2025-02-01", "", "", ""],
        ["bad mail", "Spaced", "east", "rep", "m1", "2025-02-01", "", "not-an-email", ""],
        ["good", "Good", "east", "rep", "m1", "2025-02-01", "", "", ""],
        ["hq", "A unit's code", "east", "rep", "m1", "2025-02-01", "", "", ""],
        ["nodate", "No start", "east", "rep", "m1", "", "", "", ""],
    ]
    result = run("people", people(tmp_path / "bad.csv", rows))
    why = reasons(result)
    assert result.imported == 2 and result.rejected == 13  # good, and late (a manager)
    assert why["c1"] == why["c2"] == "the managers would form a cycle: c1 → c2 → c1"
    assert why["early"] == (
        "the manager “late” starts on June 1, 2025, after the last day May 31, 2025"
    )
    assert why["dup"] == "the same employee id is in the file more than once (rows 6, 7)"
    assert why["neg"] == "the end date April 30, 2025 is before the start date May 1, 2025"
    assert why["nounit"] == "unknown unit “mars”"
    assert why["noboss"] == "unknown manager “E404”"
    assert why["under"] == "the manager “dup” is rejected (row 6)"
    assert why["self"] == "a person cannot be their own manager"
    assert why["bad mail"].startswith("employee id “bad mail” has a space in it; email")
    assert why["hq"] == "“hq” is already a unit's code"
    assert why["nodate"] == "start date is missing"
    stored = set(Person.objects.values_list("code", flat=True))
    assert stored == {"m1", "r1", "r2", "m2", "r3", "m3", "r4", "good", "late"}
    assert not AuditEvent.objects.filter(object_repr__in=["Cycle 1", "Cycle 2", "One"]).exists()


def test_a_cycle_through_the_stored_organisation_is_rejected(company: Any, tmp_path: Path) -> None:
    # m1 under r3, who is (stored) under m2, who is under m1: a cycle through the database
    path = people(
        tmp_path / "p.csv",
        [["m1", "M1", "east", "manager", "r3", "2024-01-01"]],
        header=PEOPLE_ZH[:6],
    )
    result = run("people", path, effective="2025-01-01")
    assert reasons(result)["m1"] == "the managers would form a cycle: m1 → r3 → m2 → m1"
    assert history("m1") == [("east", None, "manager", D(2024, 1, 1), None)]


def test_rejects_in_chinese(company: Any, tmp_path: Path) -> None:
    rows = [
        ["c1", "甲", "east", "rep", "c2", "2025-01-01"],
        ["c2", "乙", "east", "rep", "c1", "2025-01-01"],
        ["n", "丙", "mars", "rep", "", "2025-01-01"],
    ]
    with translation.override("zh-hans"):
        result = run("people", people(tmp_path / "p.csv", rows, header=PEOPLE_ZH[:6]))
    why = reasons(result)
    assert why["c1"] == "上级关系会形成循环：c1 → c2 → c1"
    assert why["n"] == "未知的部门“mars”"


# People: a re-import ----------------------------------------------------------------


def month_two(tmp_path: Path, effective: str = "") -> Path:
    """Next month's HR export: r2 moves west under m3, r3 gets m1 as manager, r4 leaves,
    m1's phone changes; everyone else as before."""
    header = [
        "工号",
        "姓名",
        "部门",
        "岗位",
        "直属上级",
        "入职日期",
        "离职日期",
        "手机",
        "生效日期",
    ]
    return write_csv(
        tmp_path / "hr-2.csv",
        [
            header,
            ["m1", "M1", "east", "manager", "", "2024-01-01", "", "139", ""],
            ["r1", "R1", "east", "rep", "m1", "2024-01-01", "", "", ""],
            ["r2", "R2", "west", "rep", "m3", "2024-01-01", "", "", effective],
            ["m2", "M2", "east", "manager", "m1", "2024-01-01", "", "", ""],
            ["r3", "R3", "east", "rep", "m1", "2024-01-01", "", "", ""],
            ["m3", "M3", "west", "manager", "", "2024-01-01", "", "", ""],
            ["r4", "R4", "west", "rep", "m3", "2024-01-01", "2025-06-30", "", ""],
        ],
    )


def test_reimport_makes_transfers_leavers_and_keeps_history(
    company: Any, tmp_path: Path, client: Client
) -> None:
    path = month_two(tmp_path, effective="2025-07-15")
    result = run("people", path, effective="2025-07-01")
    assert (result.imported, result.updated, result.unchanged, result.rejected) == (0, 4, 3, 0)
    assert "transfers 2, leavers 1" in result.notes[0]
    # the row's own effective date wins over the one chosen at import
    assert history("r2") == [
        ("east", "m1", "rep", D(2024, 1, 1), D(2025, 7, 15)),
        ("west", "m3", "rep", D(2025, 7, 15), None),
    ]
    assert history("r3") == [
        ("east", "m2", "rep", D(2024, 1, 1), D(2025, 7, 1)),
        ("east", "m1", "rep", D(2025, 7, 1), None),
    ]
    assert Person.objects.get(code="r4").end == D(2025, 6, 30)
    assert history("r4") == [("west", "m3", "rep", D(2024, 1, 1), D(2025, 7, 1))]
    assert Person.objects.get(code="m1").phone == "139"
    # the person's page shows the transfer
    client.force_login(company.users["admin"])
    page = client.get(reverse("person", args=["r2"])).content.decode()
    assert "07/15/2025" in page and "华西" in page and "华东" in page
    assert "<dd>139</dd>" in client.get(reverse("person", args=["m1"])).content.decode()
    # the same file again changes nothing and writes no audit event
    events = AuditEvent.objects.count()
    again = run("people", path, effective="2025-07-01")
    assert (again.imported, again.updated, again.unchanged) == (0, 0, 7)
    assert AuditEvent.objects.count() == events


def test_change_dated_before_a_recorded_change_is_rejected(company: Any, tmp_path: Path) -> None:
    run("people", month_two(tmp_path), effective="2025-07-01")
    path = people(
        tmp_path / "p.csv", [["r3", "R3", "west", "rep", "m3", "2024-01-01"]], header=PEOPLE_ZH[:6]
    )
    result = run("people", path, effective="2025-03-01")
    assert "a change from July 1, 2025 is recorded" in reasons(result)["r3"]


def test_leaver_who_still_manages_people_is_rejected(company: Any, tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "p.csv",
        [
            ["工号", "姓名", "部门", "入职日期", "离职日期"],
            ["m3", "M3", "west", "2024-01-01", "2025-06-30"],
        ],
    )
    result = run("people", path)
    assert reasons(result)["m3"].startswith("still manages r4 after the last day")
    assert Person.objects.get(code="m3").end is None
    # with r4 moved to another manager from the day after, m3 may leave
    path = write_csv(
        tmp_path / "p2.csv",
        [
            ["工号", "姓名", "部门", "直属上级", "入职日期", "离职日期", "生效日期"],
            ["m3", "M3", "west", "", "2024-01-01", "2025-06-30", ""],
            ["r4", "R4", "west", "m1", "2024-01-01", "", "2025-07-01"],
        ],
    )
    result = run("people", path)
    assert result.rejected == 0
    assert Person.objects.get(code="m3").end == D(2025, 6, 30)


def test_start_date_is_not_overwritten(company: Any, tmp_path: Path) -> None:
    path = people(
        tmp_path / "p.csv", [["r1", "R1", "east", "rep", "m1", "2023-05-01"]], header=PEOPLE_ZH[:6]
    )
    result = run("people", path)
    assert "differs from the stored one (Jan. 1, 2024)" in reasons(result)["r1"]
    assert Person.objects.get(code="r1").start == D(2024, 1, 1)


def test_dry_run_writes_nothing(company: Any, tmp_path: Path) -> None:
    result = import_file(None, "people", month_two(tmp_path), dry_run=True)
    assert (result.updated, result.unchanged) == (4, 3)
    assert Assignment.objects.count() == 7
    assert Person.objects.get(code="r4").end is None


# Hostile and odd files ---------------------------------------------------------------


def test_hostile_and_odd_people_file(company: Any, tmp_path: Path) -> None:
    path = tmp_path / "odd.csv"
    text = (
        "\ufeff 工号 ,姓名,部门,入职日期,extra\n"
        "\n"
        'h1,=HYPERLINK("http://evil"),east,2025年3月1日,ignored\n'
        ",,,,\n"
        "h2," + "长" * 201 + ",east,2025-03-01,\n"
        "h3,Three,east,not a date,\n"
        "h4,Four,east\n"
    )
    path.write_bytes(text.encode())
    result = run("people", path, invite=False)
    why = reasons(result)
    assert result.imported == 1 and result.rejected == 3
    assert Person.objects.get(code="h1").name == '=HYPERLINK("http://evil")'
    assert "longer than 200 characters" in why["h2"]
    assert "not a date" in why["h3"] or "start date" in why["h3"]
    assert why["h4"] == "start date is missing"
    # the rejects file guards formulas for Excel
    rows = read_csv(result.rejects_path)
    assert all(not cell.startswith("=") for row in rows for cell in row)


def test_missing_required_column_rejects_the_file(company: Any, tmp_path: Path) -> None:
    from attain.intake.reading import FileProblem

    path = write_csv(tmp_path / "p.csv", [["工号", "姓名"], ["z", "Z"]])
    with pytest.raises(FileProblem, match="unit"):
        run("people", path)
    # in Chinese, with the headers that give the column and the table's own name
    with translation.override("zh-hans"), pytest.raises(FileProblem) as problem:
        run("people", path)
    assert "“unit” (部门 / 所属部门 / 单位)" in str(problem.value)
    # the headers in the reader's language first
    assert "“start” (入职日期 / 开始日期 / 入职时间)" in str(problem.value)
    assert "（人员 必需）" in str(problem.value)  # not “people”


# Access, CLI, web --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        ("admin", True),
        ("sales_ops", True),
        ("finance", False),
        ("executive", False),
        ("manager", False),
        ("rep", False),
    ],
)
def test_who_may_import_the_organisation(company: Any, role: str, allowed: bool) -> None:
    user = company.users[role]
    assert access.can_import(user, TABLES["people"]) is allowed
    assert access.can_import(user, TABLES["units"]) is allowed


@pytest.mark.parametrize("effective", ["2025-08-01", "2025/8/1", "2025年8月1日"])
def test_cli_with_effective_date(company: Any, tmp_path: Path, effective: str) -> None:
    """The date as the files may give it, not only as ISO."""
    out = StringIO()
    call_command(
        "import",
        "people",
        str(month_two(tmp_path)),
        "--effective",
        effective,
        "--no-invite",
        stdout=out,
    )
    lines = out.getvalue().splitlines()
    assert lines[0] == "imported 0, updated 4, rejected 0, unchanged 3"
    assert lines[1].startswith("transfers 2, leavers 1")
    assert history("r3")[-1] == ("east", "m1", "rep", D(2025, 8, 1), None)
    batch = ImportBatch.objects.get()
    assert batch.options["effective"] == "2025-08-01"
    assert batch.status == BatchStatus.DONE


def test_cli_with_an_effective_date_that_is_no_date(company: Any, tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="2025-13-01"):
        call_command("import", "people", str(month_two(tmp_path)), "--effective", "2025-13-01")


def test_web_upload_preview_import(company: Any, tmp_path: Path, client: Client) -> None:
    client.force_login(company.users["sales_ops"])
    content = month_two(tmp_path).read_bytes().decode().replace("r1,R1,east", "r1,R1,mars")
    response = client.post(
        reverse("intake"),
        {
            "table": "people",
            "effective": "2025-09-01",
            "file": SimpleUploadedFile("二月花名册.csv", content.encode("gbk")),
        },
    )
    batch = ImportBatch.objects.get()
    assert response["Location"] == reverse("intake-preview", args=[batch.pk])
    assert batch.options["effective"] == "2025-09-01" and batch.options["invite"] is False
    page = client.get(response["Location"]).content.decode()
    assert "unknown unit “mars”" in page and "unchanged" in page
    assert "Changes take effect on Sept. 1, 2025" in page
    assert len(history("r3")) == 1  # the preview writes nothing
    client.post(reverse("intake-preview", args=[batch.pk]))
    batch.refresh_from_db()
    assert (batch.status, batch.updated, batch.rejected) == (BatchStatus.DONE, 4, 1)
    assert history("r3")[-1][3] == D(2025, 9, 1)


def test_the_preview_names_the_columns_in_the_readers_language(
    company: Any, tmp_path: Path, client: Client
) -> None:
    """A Chinese reader's preview said each column of the HR file was imported as
    "code", "name", "unit", "manager", "start"…, and a file with both 部门 and 部门编码
    was refused because both "give unit": the table's column names, in English."""
    client.force_login(company.users["sales_ops"])
    client.cookies["django_language"] = "zh-hans"
    content = month_two(tmp_path).read_bytes().decode("utf-8")
    response = client.post(
        reverse("intake"),
        {"table": "people", "file": SimpleUploadedFile("花名册.csv", content.encode("gbk"))},
    )
    page = client.get(response["Location"]).content.decode()
    assert '<span class="mono">工号</span>' in page
    assert '<span class="mono">入职日期</span>' in page
    assert '<span class="mono">code</span>' not in page
    assert '<span class="mono">start</span>' not in page
    # (部门 and 部门编码 side by side are a unit's name and code: test_org_import_roster)
    both = "工号,姓名,部门,单位,入职日期\r\nn1,甲,east,east,2025-01-01\r\n"
    response = client.post(
        reverse("intake"),
        {"table": "people", "file": SimpleUploadedFile("两列.csv", both.encode("gbk"))},
    )
    page = client.get(response["Location"]).content.decode()
    assert "列“部门”和“单位”都对应 部门。" in page
    client.cookies["django_language"] = "en"
    page = client.get(response["Location"]).content.decode()
    assert "Columns “部门” and “单位” both give unit." in page


def test_finance_cannot_choose_people(company: Any, client: Client) -> None:
    client.force_login(company.users["finance"])
    page = client.get(reverse("intake")).content.decode()
    assert 'value="people"' not in page and "Changes take effect on" not in page
    response = client.post(
        reverse("intake"), {"table": "people", "file": SimpleUploadedFile("p.csv", b"a\n1\n")}
    )
    assert response.status_code == 200 and not ImportBatch.objects.exists()


def test_org_tables_are_not_exported(company: Any, client: Client) -> None:
    client.force_login(company.users["admin"])
    assert client.get(reverse("intake-export", args=["people", "csv"])).status_code == 404


def test_the_command_exports_the_people_as_a_roster_that_imports_back_unchanged(
    company: Any, tmp_path: Path
) -> None:
    """`attain export people` ended in a FieldError (people have no unit field: where they
    sit is their assignments). It writes the roster: today's unit and manager (a leaver's
    on their last day), and the file imports back with every row unchanged."""
    from attain.org import services as org

    people = company.people
    today = datetime.date.today()
    org.transfer_person(None, people["r2"], on=today, unit=company.west, manager=people["m3"])
    org.end_employment(None, people["r4"], on=today - datetime.timedelta(days=10))
    path = tmp_path / "people.csv"
    call_command("export", "people", str(path), stdout=StringIO())
    rows = {
        line.split(",")[0]: line.split(",")
        for line in path.read_text(encoding="utf-8-sig").splitlines()[1:]
    }
    header = path.read_text(encoding="utf-8-sig").splitlines()[0].split(",")
    r2 = dict(zip(header, rows["r2"], strict=True))
    assert (r2["unit"], r2["manager"], r2["manager_name"], r2["role"]) == ("west", "m3", "M3", "")
    r4 = dict(zip(header, rows["r4"], strict=True))
    assert r4["unit"] == "west" and r4["end"] == (today - datetime.timedelta(days=10)).isoformat()
    result = import_file(None, "people", path)
    assert result.unchanged == len(people) and result.rejected == 0


def test_a_person_cannot_join_a_unit_that_is_not_open(company: Any, tmp_path: Path) -> None:
    Unit.objects.filter(code="west").update(opened=D(2025, 1, 1))
    path = people(
        tmp_path / "p.csv",
        [
            ["n1", "N1", "west", "rep", "", "2024-06-01"],
            ["r1", "R1", "west", "rep", "", "2024-01-01"],
        ],
        header=PEOPLE_ZH[:6],
    )
    why = reasons(run("people", path, effective="2024-12-01"))
    assert why["n1"] == "The unit “west” is not open on June 1, 2024."
    assert why["r1"] == "The unit “west” is not open on Dec. 1, 2024."


def test_employee_ids_match_whatever_their_case_or_width(company: Any, tmp_path: Path) -> None:
    """``R1`` is r1 and ``ｍ３`` (full width) is m3: the docs say case does not matter,
    yet they made a second person and an unknown manager."""
    before = Person.objects.count()
    path = people(
        tmp_path / "hr.csv",
        [
            ["R1", "张一", "east", "rep", "M1", "2024-01-01", "", "", ""],
            ["ｅ9", "新人", "west", "rep", "ｍ３", "2025-03-01", "", "", ""],
            ["e10", "另一人", "west", "rep", "E9", "2025-03-01", "", "", ""],
        ],
    )
    result = run("people", path, effective="2025-06-01")
    assert result.rejected == 0, reasons(result)
    assert Person.objects.count() == before + 2
    assert not Person.objects.filter(code="R1").exists()
    assert history("e9") == [("west", "m3", "rep", D(2025, 3, 1), None)]
    assert history("e10")[0][1] == "e9"


def test_two_stored_ids_that_differ_only_in_case_keep_their_own_rows(
    company: Any, tmp_path: Path
) -> None:
    """Made before ids were folded: the exact id names its own person."""
    first = people(tmp_path / "a.csv", [["x1", "甲", "west", "rep", "", "2024-01-01", "", "", ""]])
    assert run("people", first).imported == 1
    Person.objects.create(code="X1", name="乙", start=D(2024, 1, 1))
    second = people(
        tmp_path / "b.csv", [["X1", "乙改", "west", "rep", "", "2024-01-01", "", "", ""]]
    )
    run("people", second, effective="2025-06-01")
    assert Person.objects.get(code="X1").name == "乙改"
    assert Person.objects.get(code="x1").name == "甲"


def test_blank_lines_before_a_tab_separated_header(company: Any, tmp_path: Path) -> None:
    path = tmp_path / "hr.tsv.csv"
    lines = [
        "",
        "\t".join(PEOPLE_ZH),
        "\t".join(["t1", "丙", "west", "rep", "", "2025-03-01", "", "", ""]),
    ]
    path.write_text("\r\n".join(lines) + "\r\n", encoding="utf-8")
    result = run("people", path)
    assert (result.imported, result.rejected) == (1, 0), reasons(result)


def test_only_an_administrator_gives_or_takes_the_administrator_role(
    company: Any, tmp_path: Path
) -> None:
    """Sales operations import the organisation, but an import of theirs cannot make
    anyone (themself included) an administrator, nor change an administrator's role: it
    would let them past every check that is the administrator's alone."""
    ops = company.users["sales_ops"]
    Person.objects.filter(code="r1").update(email="r1@example.com")
    ops_person = Person.objects.get(code="r2")
    ops_person.user = ops
    ops_person.save(update_fields=["user"])
    boss = User.objects.create_user("boss", email="boss@example.com", role=Role.ADMIN)
    Person.objects.filter(code="m2").update(user=boss)
    path = write_csv(
        tmp_path / "p.csv",
        [
            ["工号", "姓名", "部门", "入职日期", "直属上级", "邮箱", "角色"],
            ["r2", "R2", "east", "2024-01-01", "m1", "", "管理员"],
            ["m2", "M2", "east", "2024-01-01", "m1", "", "销售代表"],
            ["n1", "N1", "east", "2025-01-01", "m1", "n1@example.com", "administrator"],
            ["r1", "R1", "east", "2024-01-01", "m1", "", "销售经理"],
        ],
    )
    result = import_file(
        ops, "people", path, rejects_path=path.with_suffix(".rejects.csv"), options={}
    )
    rejected = reasons(result)
    assert set(rejected) == {"r2", "m2", "n1"}
    assert "administrator" in rejected["r2"] and "administrator" in rejected["m2"]
    ops.refresh_from_db()
    boss.refresh_from_db()
    assert (ops.role, boss.role) == (Role.SALES_OPS, Role.ADMIN)
    assert not User.objects.filter(username="n1").exists()
    assert User.objects.get(username="r1").role == Role.MANAGER  # other roles: as before
    # an administrator may
    result = import_file(
        company.users["admin"],
        "people",
        path,
        rejects_path=path.with_suffix(".rejects.csv"),
        options={"invite": False},
    )
    assert reasons(result) == {}
    assert User.objects.get(username="n1").role == Role.ADMIN
    ops.refresh_from_db()
    assert ops.role == Role.ADMIN


def test_invitations_are_written_in_the_companys_language(company: Any, tmp_path: Path) -> None:
    """A Chinese company imported from the command line (or by an administrator reading
    English): the new people's invitations were in English."""
    import dataclasses

    from attain.org.services_company import default_values, store_company

    store_company(None, dataclasses.replace(default_values("华东"), language="zh-hans"))
    path = people(
        tmp_path / "hr.csv",
        [["e1", "钱一", "west", "rep", "m3", "2025-03-01", "", "e1@example.com", ""]],
    )
    with translation.override("en"):
        run("people", path)
    assert mail.outbox[0].subject == "Attain：您的账号已开通"
    assert "password-reset" in mail.outbox[0].body


def test_a_title_and_blank_rows_above_the_header_are_skipped(company: Any, tmp_path: Path) -> None:
    """HR systems export a roster with a title row ("花名册 …", merged across the
    columns) and a blank row above the header: it was refused as having no 工号 column."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["华东精密 花名册（导出时间 2026-12-01）"])
    sheet.merge_cells("A1:H1")
    sheet.append([])
    sheet.append(["序号", "工号", "姓名", "部门", "岗位", "直属上级", "入职日期", "邮箱"])
    sheet.append([1, "e1", "钱一", "west", "rep", "m3", "2025/3/1", ""])
    sheet.append([2, "e2", "孙二", "mars", "rep", "m3", "2025年3月1日", ""])
    path = tmp_path / "花名册.xlsx"
    book.save(path)
    result = run("people", path)
    assert (result.imported, result.rejected) == (1, 1)
    assert Person.objects.get(code="e1").start == D(2025, 3, 1)
    rejects = read_csv(result.rejects_path)
    assert rejects[0][2:4] == ["序号", "工号"]  # the header, not the title
    assert rejects[1][:3] == ["5", "unknown unit “mars”", "2"]  # the row as Excel numbers it
    # a CSV (GBK) with a title line; a file with no header in its first rows still says so
    csv_path = people(tmp_path / "u.csv", [["e3", "周三", "east", "", "", "2025-01-01"]])
    text = "人员名单,,,,,\n" + csv_path.read_text()
    csv_path.write_bytes(text.encode("gbk"))
    assert run("people", csv_path).imported == 1
    nothing = write_csv(tmp_path / "n.csv", [["标题"], *([["x"]] * 12), PEOPLE_ZH])
    with pytest.raises(FileProblem, match="no column"):
        run("people", nothing)


def test_codes_that_cannot_be_page_addresses_are_rejected(
    company: Any, tmp_path: Path, client: Client
) -> None:
    """An employee id with a dot, a slash or Chinese characters was imported, and then
    the people page (which links each person by their id) failed for everyone."""
    path = people(
        tmp_path / "p.csv",
        [
            ["E.01", "点号", "east", "rep", "m1", "2025-01-01", "", "", ""],
            ["销售01", "中文号", "east", "rep", "m1", "2025-01-01", "", "", ""],
            ["A/B", "斜杠", "east", "rep", "E.01", "2025-01-01", "", "", ""],
            ["Ｅ９００２", "全角", "east", "rep", "m1", "2025-01-01", "", "", ""],
        ],
    )
    with translation.override("zh-hans"):
        result = run("people", path)
    rejected = reasons(result)
    assert set(rejected) == {"E.01", "销售01", "A/B"}
    assert "工号 “销售01” 只能包含字母 A–Z、数字、“-” 和 “_”" in rejected["销售01"]
    assert Person.objects.filter(code="E9002").exists()  # full width is fine
    client.force_login(company.users["admin"])
    assert client.get(reverse("people")).status_code == 200


def test_a_manager_given_by_name_or_email_is_told_to_be_given_by_employee_id(
    company: Any, tmp_path: Path
) -> None:
    """HR exports often name the manager (直属上级: 王芳) or give their email: the reason
    said the manager “may hold only the letters A–Z, digits, - and _”, as if the name
    were wrong, not the column's content."""
    path = people(
        tmp_path / "p.csv",
        [
            ["n1", "甲", "east", "rep", "王芳", "2025-01-01", "", "", ""],
            ["n2", "乙", "east", "rep", "M1@Example.com", "2025-01-01", "", "", ""],
        ],
    )
    result = run("people", path)
    assert reasons(result) == {
        "n1": "manager “王芳” is not an employee id: give the manager's employee id",
        "n2": "manager “M1@Example.com” is not an employee id: give the manager's employee id",
    }
    with translation.override("zh-hans"):
        result = run("people", path)
    assert reasons(result)["n1"] == "上级“王芳”不是工号：请填写上级的工号"


def test_a_new_email_from_hr_becomes_the_logins_when_it_came_from_hr(
    company: Any, tmp_path: Path
) -> None:
    """The company moves to a new mail domain: the roster has everyone's new address, but
    the logins kept the old one, so notifications and password-reset links went to
    mailboxes that are gone (or given to someone else)."""
    r1, m1 = company.users["rep"], company.users["manager"]
    Person.objects.filter(code="r1").update(email="r1@old.example")
    Person.objects.filter(code="m1").update(email="m1@old.example")
    User.objects.filter(pk=r1.pk).update(email="R1@old.example")  # from HR (case aside)
    User.objects.filter(pk=m1.pk).update(email="me@private.example")  # their own
    path = write_csv(
        tmp_path / "p.csv",
        [
            ["工号", "姓名", "部门", "入职日期", "邮箱"],
            ["r1", "R1", "east", "2024-01-01", "r1@new.example"],
            ["m1", "M1", "east", "2024-01-01", "m1@new.example"],
        ],
    )
    result = run("people", path)
    assert (result.updated, result.rejected) == (2, 0)
    r1.refresh_from_db()
    m1.refresh_from_db()
    assert (r1.email, m1.email) == ("r1@new.example", "me@private.example")
    event = AuditEvent.objects.get(content_type__model="user", action="update")
    assert (event.before, event.after) == ({"email": "R1@old.example"}, {"email": "r1@new.example"})
    # from sales operations: the person's email changes, the login's does not (its
    # password-reset link would go to whatever address they wrote)
    path = write_csv(
        tmp_path / "p2.csv",
        [
            ["工号", "姓名", "部门", "入职日期", "邮箱"],
            ["r1", "R1", "east", "2024-01-01", "x@ops.example"],
        ],
    )
    import_file(company.users["sales_ops"], "people", path, options={})
    r1.refresh_from_db()
    assert Person.objects.get(code="r1").email == "x@ops.example"
    assert r1.email == "r1@new.example"


class BrokenMail:
    """A mail server that cannot be reached (ATTAIN_EMAIL_HOST wrong or down)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        pass

    def send_messages(self, messages: Any) -> int:
        raise ConnectionRefusedError(111, "Connection refused")


def test_the_import_page_says_when_the_invitations_could_not_be_sent(
    company: Any, tmp_path: Path, client: Client, settings: Any
) -> None:
    """The mail server is down: the people are imported (as the command line said), but
    the page said nothing, and sales operations thought everyone was invited."""
    settings.EMAIL_BACKEND = "attain.intake.tests.test_org_import.BrokenMail"
    client.force_login(company.users["sales_ops"])
    content = people(
        tmp_path / "hr.csv",
        [["e1", "钱一", "west", "rep", "m3", "2025-03-01", "", "e1@example.com", ""]],
    ).read_bytes()
    response = client.post(
        reverse("intake"),
        {"table": "people", "invite": "on", "file": SimpleUploadedFile("hr.csv", content)},
    )
    batch = ImportBatch.objects.get()
    assert batch.options["invite"] is True
    client.post(response["Location"])
    batch.refresh_from_db()
    assert (batch.status, batch.imported) == (BatchStatus.DONE, 1)
    page = client.get(
        reverse("intake-batch", args=[batch.pk]), HTTP_ACCEPT_LANGUAGE="zh-hans"
    ).content.decode()
    assert "人员已导入，但邀请邮件未能发出（ConnectionRefusedError" in page


def test_sales_operations_cannot_steer_an_administrators_sign_in(
    company: Any, tmp_path: Path, settings: Any
) -> None:
    """Single sign-on signs a login in by its person's email (or id). Sales operations
    could change the email of an administrator's person to their own, or link an
    administrator's login to a person of theirs, and then sign in as the administrator."""
    settings.ATTAIN_SSO_ENABLED, settings.ATTAIN_SSO_MATCH = True, "email"
    from django.core.exceptions import ValidationError

    from attain.org import services

    ops = company.users["sales_ops"]
    boss = User.objects.create_user("boss", email="boss@corp.example", role=Role.ADMIN)
    Person.objects.filter(code="m2").update(user=boss, email="boss@corp.example")
    path = write_csv(
        tmp_path / "p.csv",
        [
            ["工号", "姓名", "部门", "入职日期", "直属上级", "邮箱"],
            ["m2", "M2", "east", "2024-01-01", "m1", "ops@corp.example"],
            ["n9", "N9", "east", "2025-01-01", "m1", "boss@corp.example"],
        ],
    )
    result = import_file(ops, "people", path, rejects_path=path.with_suffix(".r.csv"), options={})
    assert "may change the email" in reasons(result)["m2"]
    assert Person.objects.get(code="m2").email == "boss@corp.example"
    # m2 keeps boss@ (its row is rejected): n9 may not take it, nor boss's login
    assert "boss@corp.example" in reasons(result)["n9"]
    assert not Person.objects.filter(code="n9").exists()
    with pytest.raises(ValidationError, match="administrator"):
        services.update_person(ops, Person.objects.get(code="m2"), email="ops@corp.example")
    with pytest.raises(ValidationError, match="administrator"):
        services.update_person(ops, Person.objects.get(code="r2"), user=boss)
    # an administrator may; other people's emails stay sales operations' to change
    services.update_person(company.users["admin"], Person.objects.get(code="m2"), email="b@x.cn")
    services.update_person(ops, Person.objects.get(code="r2"), email="r2@corp.example")


@pytest.mark.parametrize("role", [Role.FINANCE, Role.EXECUTIVE, Role.SALES_OPS])
def test_sales_operations_cannot_raise_themselves_or_steer_a_finance_sign_in(
    company: Any, tmp_path: Path, role: Role
) -> None:
    """Not only the administrator's: sales operations cannot make themselves finance or
    executive by an import, nor move a finance (executive, other sales operations)
    login's person's email to their own and sign in as it."""
    from django.core.exceptions import ValidationError

    from attain.org import services

    ops = company.users["sales_ops"]
    Person.objects.filter(code="r2").update(user=ops)
    other = User.objects.create_user("money", email="money@corp.example", role=role)
    Person.objects.filter(code="m2").update(user=other, email="money@corp.example")
    label = str(Role(role).label)
    path = write_csv(
        tmp_path / "p.csv",
        [
            ["工号", "姓名", "部门", "入职日期", "直属上级", "邮箱", "角色"],
            ["r2", "R2", "east", "2024-01-01", "m1", "", label],
            ["m2", "M2", "east", "2024-01-01", "m1", "ops@corp.example", label],
        ],
    )
    result = import_file(ops, "people", path, rejects_path=path.with_suffix(".r.csv"), options={})
    rejected = reasons(result)
    if role == Role.SALES_OPS:  # r2's role is theirs already: only m2's email is refused
        assert set(rejected) == {"m2"}
    else:
        assert "may give the role" in rejected["r2"]
    assert "may change the email" in rejected["m2"]
    ops.refresh_from_db()
    assert ops.role == Role.SALES_OPS
    assert Person.objects.get(code="m2").email == "money@corp.example"
    with pytest.raises(ValidationError, match="administrator"):
        services.update_person(ops, Person.objects.get(code="m2"), email="ops@corp.example")


def test_an_unknown_role_lists_the_roles_as_the_reader_calls_them(
    company: Any, tmp_path: Path
) -> None:
    """The reason listed the internal values (admin, sales_ops …), which the Chinese
    roster cannot use as they read; the roles' names are what the 角色 column takes."""
    path = write_csv(
        tmp_path / "p.csv",
        [
            ["工号", "姓名", "部门", "入职日期", "角色"],
            ["e1", "钱一", "east", "2025-01-01", "销售主管"],
        ],
    )
    with translation.override("zh-hans"):
        reason = reasons(run("people", path))["e1"]
    assert "销售主管" in reason
    assert "管理员, 销售运营, 财务, 高管, 销售经理, 销售代表" in reason
    assert "sales_ops" not in reason


def test_a_formula_the_roster_does_not_hold_the_value_of_rejects_its_row(
    company: Any, tmp_path: Path
) -> None:
    """A roster written by a program that does not calculate (openpyxl, XlsxWriter: the
    workbook asks Excel to calculate on opening) holds no value for a formula: the
    person is not imported named “=B3” (or “0”), the row is rejected saying why, as in
    a record file."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(PEOPLE_ZH)
    sheet.append(["f1", "钱一", "west", "rep", "", "2025-03-01", "", "", ""])
    sheet.append(["f2", "=B2", "west", "=D2", "", "2025-03-01", "", "", ""])
    path = tmp_path / "people.xlsx"
    book.save(path)
    result = run("people", path, effective="2025-06-01", invite=False)
    assert (result.imported, result.rejected) == (1, 1)
    assert not Person.objects.filter(code="f2").exists()
    assert "is a formula whose value the file does not hold" in reasons(result)["f2"]
