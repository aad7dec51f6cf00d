"""Issue 17 done when, tried as a new user would, in one test: an empty install, the
setup wizard, an HR export of 500 people and a CRM export imported, a plan published,
each rep told through a WeCom-style robot (the local receiver), a rep signing in through
the local OpenID Connect provider, and next month's HR export moving three people, whose
history shows the transfers."""

from __future__ import annotations

import csv
import datetime
from decimal import Decimal
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from attain.accounts.models import Role, User
from attain.calc.periods import fiscal_year_of_day
from attain.crm.models import Customer, Order, Payment
from attain.notify import delivery
from attain.notify.receiver import Receiver
from attain.notify.services import save_settings
from attain.org.models import Assignment, Person, Unit
from attain.targets import services as targets
from attain.targets.models import PlanStatus

from .test_sso import configure_provider, idp_account, sign_in_through_provider, signed_in_user

pytest.importorskip("oauth2_provider")
pytestmark = pytest.mark.slow

REGIONS = {"EAST": "华东大区", "SOUTH": "华南大区", "NORTH": "华北大区", "WEST": "西部大区"}
START = datetime.date(2024, 1, 1)
MOVED = {"E0100": "T20", "E0201": "T05", "E0300": "T11"}  # rep → their new team


def roster(moved: dict[str, str] | None = None) -> tuple[list[list[str]], list[list[str]]]:
    """The HR system's units and its 500-person roster (花名册), Chinese headers."""
    units = [["部门编码", "部门名称", "上级部门编码"], ["HQ", "总部", ""]]
    people = [["工号", "姓名", "部门", "岗位", "直属上级", "入职日期", "邮箱", "角色"]]
    people.append(["E0001", "总经理", "HQ", "executive", "", str(START), "e0001@acme.cn", "高管"])
    teams: list[tuple[str, str]] = []  # (team code, team manager)
    number = 2
    for index, (region, name) in enumerate(REGIONS.items()):
        units.append([region, name, "HQ"])
        head = f"E{number:04d}"
        people.append([head, f"{name}总监", region, "manager", "E0001", str(START), "", ""])
        number += 1
        for team in range(5):
            code = f"T{index * 5 + team + 1:02d}"
            units.append([code, f"{name}{team + 1}组", region])
            manager = f"E{number:04d}"
            people.append([manager, f"{code}经理", code, "manager", head, str(START), "", ""])
            teams.append((code, manager))
            number += 1
    managers = dict(teams)
    while number <= 500:
        code = f"E{number:04d}"
        team = (moved or {}).get(code) or teams[number % len(teams)][0]
        email = f"{code.lower()}@acme.cn"
        people.append([code, f"销售{code}", team, "rep", managers[team], str(START), email, ""])
        number += 1
    return units, people


def write_csv(path: Path, rows: list[list[str]], encoding: str = "utf-8-sig") -> Path:
    with path.open("w", newline="", encoding=encoding) as handle:
        csv.writer(handle).writerows(rows)
    return path


def run_queue() -> None:
    """What `attain worker` does with the queued notification deliveries."""
    deliveries = DBTaskResult.objects.ready().filter(task_path="attain.notify.tasks.deliver_task")
    for task in deliveries.order_by("enqueued_at"):
        delivery.deliver(task.task_result.args[0])
        task.delete()


def test_from_an_empty_install_to_a_running_company(
    transactional_db, live_server, settings, tmp_path
):
    # 1. an empty install: every page goes to the wizard, which the administrator runs
    admin_client = Client()
    assert admin_client.get("/")["Location"] == reverse("setup")
    admin_client.post(reverse("setup"), {"language": "zh-hans"})
    admin_client.post(
        reverse("setup-company"),
        {
            "name": "Acme 仪器",
            "fiscal_year_start": "4",
            "currency": "CNY",
            "time_zone": "Asia/Shanghai",
            "languages": ["zh-hans", "en"],
        },
    )
    answer = admin_client.post(
        reverse("setup-admin"),
        {
            "admin_username": "admin",
            "admin_email": "it@acme.cn",
            "admin_password": "Lantern-Harbour-93",
            "admin_password2": "Lantern-Harbour-93",
        },
    )
    assert answer["Location"] == reverse("onboarding")
    admin = User.objects.get(username="admin")

    # 2. the HR export: 25 units, 500 people (GBK, as Excel saves a Chinese CSV)
    units, people = roster()
    assert len(people) == 501
    call_command("import", "units", str(write_csv(tmp_path / "部门.csv", units, "gbk")))
    call_command(
        "import", "people", str(write_csv(tmp_path / "花名册.csv", people, "gbk")), "--no-invite"
    )
    assert Unit.objects.count() == 25 and Person.objects.count() == 500
    reps = list(Person.objects.filter(assignments__title="rep").select_related("user"))
    assert len(reps) == 475 and all(rep.user is not None for rep in reps)
    assert User.objects.get(username="E0001").role == Role.EXECUTIVE

    # 3. the CRM export: customers and this fiscal year's orders, owned by the reps
    today = timezone.localdate()
    year = fiscal_year_of_day(today)
    customers = [["外部编号", "客户名称", "负责人"]] + [
        [f"C{n:03d}", f"客户{n}", reps[n % len(reps)].code] for n in range(1, 101)
    ]
    orders = [["外部编号", "客户", "负责人", "日期", "金额"]] + [
        [
            f"O{n:04d}",
            f"C{n % 100 + 1:03d}",
            reps[(n % 100 + 1) % len(reps)].code,
            str(datetime.date(year, 4, 1) + datetime.timedelta(days=n % 28)),
            f"¥{1000 + n * 10:,}.00",
        ]
        for n in range(1, 301)
    ]
    # the first 100 orders are paid: customer, order number, collector, date, amount
    payments = [["回款编号", "客户", "订单号", "收款人", "回款日期", "回款金额"]] + [
        [f"P{n:04d}", order[1], order[0], order[2], order[3], order[4]]
        for n, order in enumerate(orders[1:101], start=1)
    ]
    call_command("import", "customers", str(write_csv(tmp_path / "客户.csv", customers)))
    call_command("import", "orders", str(write_csv(tmp_path / "订单.csv", orders)))
    call_command("import", "payments", str(write_csv(tmp_path / "回款.csv", payments)))
    assert Customer.objects.count() == 100 and Order.objects.count() == 300
    assert Payment.objects.count() == 100
    checklist = admin_client.get(reverse("onboarding")).context["steps"]
    assert [step.done for step in checklist] == [True, True, False]

    # 4. every rep has a WeCom robot of their own (here on this machine, which personal
    # webhooks are otherwise refused); a plan is published
    settings.ATTAIN_PERSONAL_WEBHOOKS_ANYWHERE = True
    with Receiver() as receiver:
        for rep in reps:
            save_settings(
                rep.user,
                switches={},
                webhook_platform="wecom",
                webhook_url=f"{receiver.url}&who={rep.code}",
            )
        plan = targets.create_target_plan(
            admin,
            name=f"FY{year} 收入",
            fiscal_year=year,
            root_unit=Unit.objects.get(code="HQ"),
            measures={"revenue": Decimal("60000000")},
            levels={
                "units": [{"method": "equal"}],
                "people": {"method": "equal"},
            },
            months="equal",
        )
        targets.submit_plan(admin, plan)
        targets.approve_plan(User.objects.get(username="E0001"), plan)
        targets.publish_plan(admin, plan)
        assert plan.status == PlanStatus.PUBLISHED
        run_queue()
        told = {
            parse_qs(urlsplit(message["path"]).query)["who"][0]: message["body"]
            for message in receiver.received
        }
    assert set(told) == {rep.code for rep in reps}  # each rep, once
    sample = told[reps[0].code]
    assert sample["msgtype"] == "markdown" and str(year) in sample["markdown"]["content"]
    checklist = admin_client.get(reverse("onboarding")).context["steps"]
    assert checklist[2].items[0].done  # targets published

    # 5. a rep signs in through the company's identity provider (matched by email)
    provider = configure_provider(settings, live_server)
    rep = Person.objects.get(code="E0100")
    idp_account("wang.e0100", email=rep.email)
    browser, page = sign_in_through_provider(provider, "wang.e0100")
    assert page.status_code == 200
    assert signed_in_user(browser) == rep.user_id

    # 6. next month's HR export moves three reps; their history shows the transfers
    first_of_next_month = (today.replace(day=1) + datetime.timedelta(days=32)).replace(day=1)
    _units, people = roster(moved=MOVED)
    call_command(
        "import",
        "people",
        str(write_csv(tmp_path / "花名册-下月.csv", people)),
        "--no-invite",
        "--effective",
        str(first_of_next_month),
    )
    for code, team in MOVED.items():
        history = list(Assignment.objects.filter(person__code=code).order_by("valid_from"))
        assert len(history) == 2, code
        assert history[0].valid_to == first_of_next_month
        assert (history[1].unit.code, history[1].valid_from) == (team, first_of_next_month)
        page = admin_client.get(reverse("person", args=[code])).content.decode()
        assert history[0].unit.name in page and history[1].unit.name in page
    moved_or_changed = Assignment.objects.filter(valid_from=first_of_next_month)
    assert moved_or_changed.count() == 3  # nobody else changed
