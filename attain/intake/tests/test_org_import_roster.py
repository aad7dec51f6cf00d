"""Rosters as HR systems and Excel write them (QA, onboarding): a unit given by name
and code, full-width email addresses, unit codes in another case, employee numbers
whose leading zeros Excel dropped, two people with one email. The shared company
(attain/conftest.py): hq ─ east (华东), west (华西); m1, r1, r2, m2, r3, m3, r4."""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

import pytest
from django.utils import translation

from attain.accounts.models import User
from attain.intake.importer import import_file
from attain.org.models import Person, Unit

from .conftest import write_csv
from .test_org_import import history, reasons, run

D = datetime.date


def test_a_roster_with_unit_name_and_unit_code_uses_the_code(company: Any, tmp_path: Path) -> None:
    """部门 (name) and 部门编码 (code) side by side: the file was refused ("both give")."""
    path = write_csv(
        tmp_path / "hr.csv",
        [
            ["工号", "姓名", "部门", "部门编码", "入职日期"],
            ["e1", "甲", "华东", "east", "2025-03-01"],
            ["e2", "乙", "华西", "west", "2025-03-01"],
        ],
    )
    result = run("people", path)
    assert (result.imported, result.rejected) == (2, 0), reasons(result)
    assert history("e1")[0][0] == "east" and history("e2")[0][0] == "west"
    assert [(h.header, h.column) for h in result.headers][2:4] == [
        ("部门", "unit_name"),
        ("部门编码", "unit"),
    ]
    assert result.warnings == []


def test_a_unit_name_that_is_not_the_units_is_a_warning(company: Any, tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "hr.csv",
        [
            ["部门编码", "工号", "姓名", "部门名称", "入职日期"],
            ["east", "e1", "甲", "华西", "2025-03-01"],
        ],
    )
    with translation.override("zh-hans"):
        result = run("people", path)
    assert result.imported == 1
    assert history("e1")[0][0] == "east"
    assert result.warnings == ["第 2 行：部门编码“east”在系统中是“华东”，文件写的是“华西”"]


def test_full_width_at_and_digits_in_an_email_are_read_half_width(
    company: Any, tmp_path: Path
) -> None:
    path = write_csv(
        tmp_path / "hr.csv",
        [
            ["工号", "姓名", "部门", "入职日期", "邮箱"],
            ["e1", "甲", "east", "2025-03-01", "ｚｈａｎｇ１２＠example.com"],
        ],
    )
    result = run("people", path, invite=False)
    assert (result.imported, result.rejected) == (1, 0), reasons(result)
    assert Person.objects.get(code="e1").email == "zhang12@example.com"
    assert User.objects.get(username="e1").email == "zhang12@example.com"


def test_unit_codes_match_whatever_their_case(company: Any, tmp_path: Path) -> None:
    units = write_csv(
        tmp_path / "units.csv",
        [["code", "name", "parent"], ["EAST", "华东大区", "HQ"], ["sh", "上海", "East"]],
    )
    result = run("units", units)
    assert (result.imported, result.updated, result.rejected) == (1, 1, 0), reasons(result)
    assert not Unit.objects.filter(code="EAST").exists()
    assert Unit.objects.get(code="east").name == "华东大区"
    assert Unit.objects.get(code="sh").parent.code == "east"
    hr = write_csv(
        tmp_path / "hr.csv",
        [["工号", "姓名", "部门", "入职日期"], ["e1", "甲", "EAST", "2025-03-01"]],
    )
    result = run("people", hr)
    assert result.imported == 1, reasons(result)
    assert history("e1")[0][0] == "east"


def test_an_employee_number_without_its_leading_zeros_is_the_same_person(
    company: Any, tmp_path: Path
) -> None:
    first = write_csv(
        tmp_path / "a.csv",
        [["工号", "姓名", "部门", "入职日期"], ["00123", "甲", "east", "2025-03-01"]],
    )
    assert run("people", first).imported == 1
    again = write_csv(  # opened and saved in Excel: 00123 became 123
        tmp_path / "b.csv",
        [["工号", "姓名", "部门", "入职日期"], ["123", "甲二", "east", "2025-03-01"]],
    )
    with translation.override("zh-hans"):
        result = run("people", again)
    assert (result.imported, result.updated, result.rejected) == (0, 1, 0), reasons(result)
    assert list(Person.objects.filter(name__startswith="甲").values_list("code", "name")) == [
        ("00123", "甲二")
    ]
    assert result.warnings == ["第 2 行：工号“123”按已有的“00123”处理（前导零可能被 Excel 去掉了）"]


@pytest.fixture
def sso_by_email(settings: Any) -> None:
    """Single sign-on on, matching people by their email."""
    settings.ATTAIN_SSO_ENABLED, settings.ATTAIN_SSO_MATCH = True, "email"


@pytest.mark.usefixtures("sso_by_email")
def test_a_second_person_with_an_active_persons_email_is_refused(
    company: Any, tmp_path: Path
) -> None:
    """Single sign-on matches people by email: two active people with one address
    could neither sign in."""
    Person.objects.filter(code="r1").update(email="r1@example.com")
    path = write_csv(
        tmp_path / "hr.csv",
        [
            ["工号", "姓名", "部门", "入职日期", "邮箱"],
            ["e1", "甲", "east", "2025-03-01", "R1@example.com"],
            ["e2", "乙", "east", "2025-03-01", "same@example.com"],
            ["e3", "丙", "east", "2025-03-01", "same@example.com"],
            ["e4", "丁", "east", "2025-03-01", "e4@example.com"],
        ],
    )
    with translation.override("zh-hans"):
        result = run("people", path, invite=False)
    why = reasons(result)
    assert result.imported == 2 and result.rejected == 2, why
    assert why["e1"] == "邮箱“R1@example.com”已属于 r1；两人共用一个邮箱无法用单点登录登录"
    assert why["e3"] == "邮箱“same@example.com”已属于 e2；两人共用一个邮箱无法用单点登录登录"
    assert not User.objects.filter(username__in=["e1", "e3"]).exists()


@pytest.mark.parametrize("match", ["off", "employee_code"])
def test_a_shared_mailbox_is_imported_with_a_warning_unless_sign_on_matches_by_email(
    company: Any, tmp_path: Path, settings: Any, match: str
) -> None:
    """A team's shared mailbox (several reps, one sales@) lost every rep but the first
    while nothing signs in by email: each is imported, the import warns."""
    settings.ATTAIN_SSO_ENABLED = match != "off"
    settings.ATTAIN_SSO_MATCH = "employee_code" if match != "off" else "email"
    path = write_csv(
        tmp_path / "hr.csv",
        [
            ["工号", "姓名", "部门", "入职日期", "邮箱"],
            ["e2", "乙", "east", "2025-03-01", "sales@example.com"],
            ["e3", "丙", "east", "2025-03-01", "Sales@example.com"],
        ],
    )
    with translation.override("zh-hans"):
        result = run("people", path, invite=False)
    assert (result.imported, result.rejected) == (2, 0), reasons(result)
    assert Person.objects.get(code="e3").email == "Sales@example.com"
    assert result.warnings == [
        "第 3 行：邮箱“Sales@example.com”也是 e2 的：在单点登录按邮箱匹配人员之前，"
        "请为每人设置各自的邮箱"
    ]


def test_the_import_page_lists_the_warnings(company: Any, tmp_path: Path, client: Any) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    from attain.intake.models import ImportBatch

    client.force_login(company.users["sales_ops"])
    client.cookies["django_language"] = "zh-hans"
    content = "工号,姓名,部门名称,部门编码,入职日期\r\ne1,甲,华西,east,2025-03-01\r\n"
    response = client.post(
        reverse("intake"),
        {"table": "people", "file": SimpleUploadedFile("hr.csv", content.encode("gbk"))},
    )
    preview = client.get(response["Location"]).content.decode()
    assert "导入前请核对" in preview and "文件写的是“华西”" in preview
    client.post(response["Location"])
    batch = ImportBatch.objects.get()
    page = client.get(reverse("intake-batch", args=[batch.pk])).content.decode()
    assert "已导入，但请核对" in page
    assert "第 2 行：部门编码“east”在系统中是“华东”，文件写的是“华西”" in page


def test_with_password_login_for_administrators_only_invitations_say_sign_in_with_sso(
    company: Any, tmp_path: Path, settings: Any
) -> None:
    """ATTAIN_PASSWORD_LOGIN=admins: a representative cannot sign in with a password, yet
    their invitation asked them to choose one."""
    from django.core import mail

    settings.ATTAIN_PASSWORD_LOGIN = "admins"
    settings.ATTAIN_SSO_PROVIDER_NAME = "企业微信"
    path = write_csv(
        tmp_path / "hr.csv",
        [
            ["工号", "姓名", "部门", "入职日期", "邮箱", "角色"],
            ["e1", "甲", "east", "2025-03-01", "e1@example.com", ""],
            ["e2", "乙", "east", "2025-03-01", "e2@example.com", "管理员"],
        ],
    )
    run("people", path, base_url="https://attain.example")
    sent = {m.to[0]: m.body for m in mail.outbox}
    rep, admin = sent["e1@example.com"], sent["e2@example.com"]
    assert "password-reset" not in rep
    assert "企业微信" in rep and "https://attain.example/login/" in rep
    assert "https://attain.example/accounts/password-reset/" in admin


@pytest.mark.usefixtures("sso_by_email")
def test_an_email_given_up_by_a_rejected_row_stays_its_owners(company: Any, tmp_path: Path) -> None:
    """r1's row gives up r1@ but is rejected (its start date differs), so r1 keeps r1@:
    a new person may not take it, else two active people share one address."""
    Person.objects.filter(code="r1").update(email="r1@example.com")
    path = write_csv(
        tmp_path / "hr.csv",
        [
            ["工号", "姓名", "部门", "入职日期", "邮箱"],
            ["r1", "r1", "east", "2001-01-01", "new@example.com"],
            ["e1", "甲", "east", "2025-03-01", "r1@example.com"],
        ],
    )
    result = run("people", path, invite=False)
    why = reasons(result)
    assert result.rejected == 2, why
    assert "start date" in why["r1"]
    assert "r1@example.com" in why["e1"] and "r1" in why["e1"]
    assert list(Person.objects.filter(email__iexact="r1@example.com").values_list("code")) == [
        ("r1",)
    ]


def test_an_email_is_refused_only_for_a_holder_that_is_imported(
    company: Any, tmp_path: Path
) -> None:
    """e2 is rejected (its manager is unknown), so it takes no address: e3, the next row
    with the same one, is imported with it."""
    path = write_csv(
        tmp_path / "hr.csv",
        [
            ["工号", "姓名", "部门", "入职日期", "邮箱", "上级"],
            ["e2", "乙", "east", "2025-03-01", "same@example.com", "nobody"],
            ["e3", "丙", "east", "2025-03-01", "same@example.com", ""],
        ],
    )
    result = run("people", path, invite=False)
    why = reasons(result)
    assert (result.imported, result.rejected) == (1, 1), why
    assert "same@example.com" not in why["e2"]
    assert Person.objects.get(code="e3").email == "same@example.com"


def test_the_reasons_write_their_days_for_the_reader(company: Any, tmp_path: Path) -> None:
    """A reason on the preview (and in the rejects file) was written with ISO days in
    Chinese too."""
    path = write_csv(
        tmp_path / "hr.csv",
        [
            ["工号", "姓名", "部门", "入职日期", "离职日期"],
            ["e1", "甲", "east", "2025-05-01", "2025-04-01"],
        ],
    )
    with translation.override("zh-hans"):
        result = run("people", path, invite=False)
    assert reasons(result)["e1"] == "结束日期 2025年4月1日 早于开始日期 2025年5月1日"


def test_a_roster_with_manager_name_and_manager_id_uses_the_id(
    company: Any, tmp_path: Path
) -> None:
    """直属上级 (the manager's name) beside 上级工号 (their id) was refused as two columns
    for the manager: the id gives the manager, a name that is not theirs is a warning."""
    path = write_csv(
        tmp_path / "hr.csv",
        [
            ["工号", "姓名", "部门", "入职日期", "直属上级", "上级工号"],
            ["e1", "甲", "east", "2025-03-01", "m1", "m1"],
            ["e2", "乙", "east", "2025-03-01", "王五", "m1"],
            ["e3", "丙", "east", "2025-03-01", "甲", "e1"],
        ],
    )
    with translation.override("zh-hans"):
        result = run("people", path, invite=False)
    assert (result.imported, result.rejected) == (3, 0), reasons(result)
    manager = Person.objects.get(code="m1").name
    assert result.warnings == [f"第 3 行：上级“m1”是“{manager}”，文件写的是“王五”"]
    assert history("e2")[-1][1] == "m1" and history("e3")[-1][1] == "e1"


@pytest.mark.parametrize("page", ["onboarding.md", "onboarding.zh.md"])
def test_the_onboarding_pages_example_files_import(db: None, tmp_path: Path, page: str) -> None:
    """The units and the roster docs/onboarding.md shows, written to files as they are:
    the people of the example were refused (EAST set up in 2024, its manager hired
    into it in 2022, and everyone under her with her)."""
    text = (Path(__file__).resolve().parents[3] / "docs" / page).read_text(encoding="utf-8")
    tables: list[list[list[str]]] = []
    for block in text.split("\n\n"):
        lines = [line for line in block.splitlines() if line.startswith("|")]
        if lines and lines[0].startswith(("| 部门编码", "| 工号")):
            rows = [[cell.strip() for cell in line.strip("|").split("|")] for line in lines]
            tables.append([rows[0], *rows[2:]])
    units, people = tables
    assert (run("units", write_csv(tmp_path / "units.csv", units)).rejected) == 0
    result = run("people", write_csv(tmp_path / "people.csv", people), invite=False)
    assert (result.imported, result.rejected) == (2, 0), reasons(result)


def test_a_roster_with_the_headers_of_chinese_hr_exports(company: Any, tmp_path: Path) -> None:
    """A DingTalk-style roster (入职时间, 工作邮箱, 直属主管, 手机号码) was refused for
    having no start column; with that column renamed it imported without emails, hence
    without logins, and without managers, the other columns being left out silently."""
    path = write_csv(
        tmp_path / "hr.csv",
        [
            ["工号", "姓名", "部门", "直属主管", "入职时间", "离职时间", "工作邮箱", "手机号码"],
            ["e1", "甲", "east", "m1", "2025-03-01", "", "jia@example.com", "13900000000"],
        ],
    )
    result = run("people", path, invite=False)
    assert (result.imported, result.rejected) == (1, 0), reasons(result)
    person = Person.objects.get(code="e1")
    assert (person.email, person.phone) == ("jia@example.com", "13900000000")
    assert history("e1")[0][:2] == ("east", "m1")
    assert User.objects.get(username="e1").email == "jia@example.com"
    english = write_csv(
        tmp_path / "en.csv",
        [
            ["Employee ID", "Name", "Department", "Hire Date", "Email Address", "Mobile Phone"],
            ["e2", "B", "east", "2025-03-01", "b@example.com", "139"],
        ],
    )
    result = run("people", english, invite=False)
    assert (result.imported, result.rejected) == (1, 0), reasons(result)
    assert (Person.objects.get(code="e2").email, Person.objects.get(code="e2").phone) == (
        "b@example.com",
        "139",
    )


@pytest.mark.parametrize(
    "header",
    [
        ["部门ID", "部门名称", "上级部门ID", "成立时间"],
        ["部门编号", "部门名称", "上级部门编号", "成立日期"],
        ["Department ID", "Department Name", "Parent Department ID", "start date"],
    ],
)
def test_a_units_file_as_hr_systems_export_it(db: None, tmp_path: Path, header: list[str]) -> None:
    """部门ID / 上级部门ID (DingTalk, Feishu), 部门编号, Department ID: the file was refused
    for having no code column."""
    path = write_csv(
        tmp_path / "units.csv",
        [header, ["hq", "总部", "", "2020-01-01"], ["sh", "上海", "hq", "2021-01-01"]],
    )
    result = run("units", path)
    assert (result.imported, result.rejected) == (2, 0), reasons(result)
    sh = Unit.objects.get(code="sh")
    assert (sh.name, sh.parent.code, sh.opened) == ("上海", "hq", datetime.date(2021, 1, 1))


def test_the_rows_of_a_duplicate_id_are_listed_the_readers_way(
    company: Any, tmp_path: Path
) -> None:
    """第 2, 3 行 (an English comma in a Chinese reason): 第 2、3 行."""
    path = write_csv(
        tmp_path / "hr.csv",
        [
            ["工号", "姓名", "部门", "入职日期"],
            ["e1", "甲", "east", "2025-03-01"],
            ["E1", "乙", "east", "2025-03-01"],
        ],
    )
    with translation.override("zh-hans"):
        result = run("people", path)
    assert result.rejected == 2
    assert all("第 2、3 行" in reason for reason in reasons(result).values()), reasons(result)
    with translation.override("en"):
        result = run("people", path)
    assert all("rows 2, 3" in reason for reason in reasons(result).values()), reasons(result)


def test_invisible_characters_in_an_email_are_left_out(company: Any, tmp_path: Path) -> None:
    """An address pasted from a web page or a chat carries a zero-width space (U+200B) or
    a stray BOM: it passed as an address and was stored with it, so single sign-on by
    email never found the person and the invitation went to an address nobody has."""
    path = write_csv(
        tmp_path / "hr.csv",
        [
            ["工号", "姓名", "部门", "入职日期", "邮箱"],
            ["e1", "甲", "east", "2025-03-01", "d@example.com\u200b"],
            ["e2", "乙", "east", "2025-03-01", "\ufeffe\u200d@example.com"],
        ],
    )
    result = run("people", path, invite=False)
    assert (result.imported, result.rejected) == (2, 0), reasons(result)
    assert Person.objects.get(code="e1").email == "d@example.com"
    assert Person.objects.get(code="e2").email == "e@example.com"
    assert User.objects.get(username="e1").email == "d@example.com"


# A first roster: managers hired after their reports ----------------------------------


def _late_manager_roster(tmp_path: Path) -> Path:
    """mgr joins on 1 June 2025, after the reps under them (rep, left: January; same:
    the same day; gone: left before mgr came)."""
    return write_csv(
        tmp_path / "hr.csv",
        [
            ["工号", "姓名", "部门", "岗位", "直属上级", "入职日期", "离职日期"],
            ["rep", "老员工", "east", "rep", "mgr", "2025-01-01", ""],
            ["left", "离职者", "east", "rep", "mgr", "2025-01-01", "2025-09-30"],
            ["same", "同日", "east", "rep", "mgr", "2025-06-01", ""],
            ["gone", "早走", "east", "rep", "mgr", "2025-01-01", "2025-05-31"],
            ["mgr", "新经理", "east", "manager", "m1", "2025-06-01", ""],
        ],
    )


def test_a_new_person_reports_to_a_later_manager_from_the_managers_start(
    company: Any, tmp_path: Path
) -> None:
    """A rep hired before their manager: the row was refused ("the manager starts on …,
    after …"), and no 生效日期 helps a new person; almost every roster has such rows."""
    from attain.audit.models import AuditEvent
    from attain.org.models import Assignment

    path = _late_manager_roster(tmp_path)
    preview = import_file(None, "people", path, dry_run=True)
    assert not Person.objects.filter(code="rep").exists()
    result = run("people", path)
    assert (result.imported, result.rejected) == (4, 1), reasons(result)
    assert reasons(result)["gone"] == (
        "the manager “mgr” starts on June 1, 2025, after the last day May 31, 2025"
    )
    assert history("rep") == [
        ("east", None, "rep", D(2025, 1, 1), D(2025, 6, 1)),
        ("east", "mgr", "rep", D(2025, 6, 1), None),
    ]
    assert history("left") == [
        ("east", None, "rep", D(2025, 1, 1), D(2025, 6, 1)),
        ("east", "mgr", "rep", D(2025, 6, 1), D(2025, 10, 1)),
    ]
    assert history("same") == [("east", "mgr", "rep", D(2025, 6, 1), None)]
    expected = [
        f"row {row}: reports to “mgr” from June 1, 2025, when mgr starts; no manager before"
        for row in (2, 3)
    ]
    assert result.warnings == preview.warnings == expected
    rep = Person.objects.get(code="rep")
    created = AuditEvent.objects.filter(
        content_type__model="assignment",
        action="create",
        object_id__in=[
            str(pk) for pk in Assignment.objects.filter(person=rep).values_list("pk", flat=True)
        ],
    )
    assert sorted(
        (a["valid_from"], a["manager"], a["valid_to"]) for a in (e.after or {} for e in created)
    ) == [
        ("2025-01-01", None, "2025-06-01"),
        ("2025-06-01", Person.objects.get(code="mgr").pk, None),
    ]
    assert len({e.batch for e in created}) == 1 and created[0].batch
    again = run("people", path)  # the same roster again: nothing changes
    assert (again.imported, again.updated, again.unchanged) == (0, 0, 4), reasons(again)
    assert again.warnings == []


def test_the_later_manager_warning_in_chinese_and_existing_people_keep_the_rule(
    company: Any, tmp_path: Path
) -> None:
    path = write_csv(
        tmp_path / "hr.csv",
        [
            ["工号", "姓名", "部门", "直属上级", "入职日期", "生效日期"],
            ["mgr", "新经理", "east", "m1", "2025-06-01", ""],
            ["rep", "老员工", "east", "mgr", "2025-01-01", ""],
            ["r1", "R1", "east", "mgr", "2024-01-01", "2025-03-01"],  # stored: a transfer
        ],
    )
    with translation.override("zh-hans"):
        result = run("people", path)
    assert result.warnings == ["第 3 行：自 2025年6月1日（“mgr”入职之日）起向其汇报，此前无上级"]
    assert reasons(result) == {"r1": "上级“mgr”于 2025年6月1日 入职，晚于 2025年3月1日"}
    assert history("r1")[-1][1] == "m1"


def test_a_later_managers_team_override_counts_their_reports_orders_from_their_start(
    company: Any, tmp_path: Path
) -> None:
    """The organisation the roster leaves, as the engine reads it: the rep's April order
    is no one's team's; the manager's override counts the June one only."""
    import json
    from decimal import Decimal

    from attain.calc.org import load_org
    from attain.engine import calculate, parse_period, scenario_from_data

    path = write_csv(
        tmp_path / "hr.csv",
        [
            ["工号", "姓名", "部门", "岗位", "直属上级", "入职日期"],
            ["rep", "老员工", "east", "rep", "mgr", "2025-01-01"],
            ["mgr", "新经理", "east", "manager", "m1", "2025-06-01"],
        ],
    )
    assert run("people", path).imported == 2
    units, people = load_org(start=D(2025, 4, 1))
    wanted = people.filter(people["id"].is_in(["rep", "mgr", "m1"]))
    document = {
        "version": 1,
        "currency": "CNY",
        "units": [
            {"id": u["id"], "name": u["name"], "parent": u["parent"]} for u in units.to_dicts()
        ],
        "people": [
            {
                "id": p["id"],
                "name": p["name"],
                "unit": p["unit"],
                "manager": p["manager"] if p["manager"] in {"rep", "mgr", "m1"} else None,
                "role": p["role"],
                "start": p["start"].isoformat(),
                **({"history": json.loads(p["history"])} if p["history"] else {}),
            }
            for p in wanted.to_dicts()
        ],
        "records": {
            "orders": [
                {"id": "o1", "date": "2025-04-10", "owner": "rep", "amount": 1000},
                {"id": "o2", "date": "2025-06-10", "owner": "rep", "amount": 2000},
            ]
        },
        "measures": {"revenue": {"from": "orders", "value": "amount"}},
        "plans": [
            {
                "id": "mgr",
                "applies_to": {"role": "manager"},
                "effective": {"from": "2025-01-01", "to": "2025-12-31"},
                "period": "quarter",
                "components": [
                    {
                        "id": "o",
                        "kind": "commission",
                        "measure": "revenue",
                        "scope": "team",
                        "rate": 0.01,
                    }
                ],
            }
        ],
        "report": {"periods": ["2025-Q2"]},
    }
    scenario, problems = scenario_from_data(document)
    assert scenario is not None, problems
    result = calculate(scenario)
    period = parse_period("2025-Q2")
    assert period is not None
    q2 = period.id
    assert result.people["mgr"][q2].payout == Decimal("20.00")  # 1% of the June 2,000
    assert result.people["m1"][q2].payout == Decimal("20.00")  # m1 is above mgr from June


# Someone new under a manager who leaves ------------------------------------------------


def test_someone_new_under_a_manager_who_leaves_before_them_is_rejected(
    company: Any, tmp_path: Path
) -> None:
    """The manager's 离职日期 in the same file (or stored): the new person was imported
    under them with no end, and the engine credited the leaver with the team's results
    after their last day. Allowed when the new person leaves on or before that day."""
    path = write_csv(
        tmp_path / "hr.csv",
        [
            ["工号", "姓名", "部门", "岗位", "直属上级", "入职日期", "离职日期"],
            ["old", "离职经理", "east", "manager", "m1", "2024-01-01", "2025-06-30"],
            ["stay", "留任", "east", "rep", "old", "2025-01-01", ""],
            ["later", "晚走", "east", "rep", "old", "2025-01-01", "2025-07-31"],
            ["same", "同日", "east", "rep", "old", "2025-01-01", "2025-06-30"],
            ["early", "早走", "east", "rep", "old", "2025-01-01", "2025-05-31"],
            # joins after them (the recent rule) and is gone before them: rejected too
            ["brief", "短期经理", "east", "manager", "m1", "2025-06-01", "2025-09-30"],
            ["rep", "老员工", "east", "rep", "brief", "2025-01-01", ""],
            ["temp", "临时", "east", "rep", "brief", "2025-01-01", "2025-09-30"],
        ],
    )
    result = run("people", path)
    assert (result.imported, result.rejected) == (5, 3), reasons(result)
    assert reasons(result) == {
        "stay": "the manager “old” leaves on June 30, 2025; "
        "this person is still employed after that day",
        "later": "the manager “old” leaves on June 30, 2025; "
        "this person is still employed after that day",
        "rep": "the manager “brief” leaves on Sept. 30, 2025; "
        "this person is still employed after that day",
    }
    assert history("same") == [("east", "old", "rep", D(2025, 1, 1), D(2025, 7, 1))]
    assert history("early") == [("east", "old", "rep", D(2025, 1, 1), D(2025, 6, 1))]
    assert history("temp") == [
        ("east", None, "rep", D(2025, 1, 1), D(2025, 6, 1)),
        ("east", "brief", "rep", D(2025, 6, 1), D(2025, 10, 1)),
    ]
    assert result.warnings == [
        "row 9: reports to “brief” from June 1, 2025, when brief starts; no manager before"
    ]
    # the manager is stored with the end date now: a later file is refused the same way
    later = write_csv(
        tmp_path / "hr2.csv",
        [
            ["工号", "姓名", "部门", "直属上级", "入职日期"],
            ["new", "新人", "east", "old", "2025-03-01"],
        ],
    )
    with translation.override("zh-hans"):
        again = run("people", later)
    assert reasons(again) == {"new": "上级“old”的最后工作日为 2025年6月30日，此人在此之后仍在职"}
    assert not Person.objects.filter(code__in=["stay", "later", "rep", "new"]).exists()


def test_a_leaver_keeps_their_end_and_someone_new_under_them_is_rejected(
    company: Any, tmp_path: Path
) -> None:
    """m3 (stored) leaves in the file that also hires someone under m3: the new person's
    row is the one refused, not m3's leaving (its reports are moved in the file)."""
    path = write_csv(
        tmp_path / "hr.csv",
        [
            ["工号", "姓名", "部门", "直属上级", "入职日期", "离职日期", "生效日期"],
            ["m3", "M3", "west", "", "2024-01-01", "2025-06-30", ""],
            ["r4", "R4", "west", "m1", "2024-01-01", "", "2025-07-01"],
            ["n", "新人", "west", "m3", "2025-03-01", "", ""],
        ],
    )
    result = run("people", path)
    assert reasons(result) == {
        "n": "the manager “m3” leaves on June 30, 2025; "
        "this person is still employed after that day"
    }
    assert Person.objects.get(code="m3").end == D(2025, 6, 30)
    assert not Person.objects.filter(code="n").exists()


def test_a_transfer_to_a_manager_who_leaves_before_the_person_is_rejected(
    company: Any, tmp_path: Path
) -> None:
    """r1 moved under someone whose 离职日期 is in the same file (hired in it) or stored:
    r1 stayed under them after their last day, as for someone new."""
    path = write_csv(
        tmp_path / "hr.csv",
        [
            ["工号", "姓名", "部门", "直属上级", "入职日期", "离职日期", "生效日期"],
            ["boss", "B", "east", "m1", "2024-06-01", "2025-06-30", ""],
            ["r1", "R1", "east", "boss", "2024-01-01", "", "2025-03-01"],
        ],
    )
    result = run("people", path)
    why = "the manager “boss” leaves on June 30, 2025; this person is still employed after that day"
    assert reasons(result) == {"r1": why}
    assert history("r1") == [("east", "m1", "rep", D(2024, 1, 1), None)]
    # boss is stored with the end date now: a transfer dated before it is refused too
    path = write_csv(
        tmp_path / "hr2.csv",
        [
            ["工号", "姓名", "部门", "直属上级", "入职日期", "生效日期"],
            ["r2", "R2", "east", "boss", "2024-01-01", "2025-04-01"],
        ],
    )
    result = run("people", path)
    assert reasons(result) == {"r2": why}
    assert history("r2") == [("east", "m1", "rep", D(2024, 1, 1), None)]
