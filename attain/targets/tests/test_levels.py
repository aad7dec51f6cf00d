"""Issue 12 bugs 3 and 4: the method per level on the plan page. A refused setting is
a translated error with nothing saved (no "settings saved" beside it), every unit level
keeps its row, and the over-assignment is limited compounded across levels (层层加码)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from attain.conftest import LOGINS, Company
from attain.org import services as org
from attain.targets import services
from attain.targets.guards import check_levels
from attain.targets.models import TargetPlan

from .conftest import new_plan

pytestmark = pytest.mark.django_db


def login(role: str) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    username, password = LOGINS[role]
    assert client.login(username=username, password=password)
    return client


@pytest.fixture
def deep_plan(company: Company) -> TargetPlan:
    """hq → east → east-1 (two unit levels above the deepest team), limit 1.25."""
    org.create_unit(None, code="east1", name="华东一部", parent=company.east)
    return new_plan(company, company.users["sales_ops"], name="three levels")


def settings_post(plan: TargetPlan, **levels: str) -> dict[str, str]:
    form = {
        "name": plan.name,
        "roles": plan.roles,
        "months": plan.months,
        "round_to": "1",
        "max_overassign": "1.25",
        "unit-levels": "2",
        "u0-method": "equal",
        "u1-method": "capacity",
        "people-method": "equal",
        "u0-overassign": "1",
        "u1-overassign": "1",
        "people-overassign": "1",
    }
    form.update({key.replace("_", "-"): value for key, value in levels.items()})
    return form


def test_a_level_above_the_limit_is_refused_translated_and_nothing_resets(
    deep_plan: TargetPlan,
) -> None:
    client = login("sales_ops")
    url = reverse("targets:settings", args=[deep_plan.pk])
    response = client.post(url, settings_post(deep_plan, u1_overassign="1.1"), follow=True)
    deep_plan.refresh_from_db()
    assert [u["method"] for u in deep_plan.levels["units"]] == ["equal", "capacity"]
    assert "设置已保存" in response.content.decode()

    response = client.post(url, settings_post(deep_plan, u0_overassign="1.3"), follow=True)
    page = response.content.decode()
    assert "高于计划上限" in page  # translated refusal
    assert "设置已保存" not in page  # and no "settings saved" beside it
    deep_plan.refresh_from_db()
    assert deep_plan.levels["units"][0]["overassign"] == "1"  # nothing saved
    assert deep_plan.levels["units"][1] == {"method": "capacity", "overassign": "1.1"}
    # both unit levels keep their rows (and their methods) on the page shown again
    assert 'name="u0-method"' in page and 'name="u1-method"' in page
    assert 'name="u1-overassign" value="1.1"' in page


def test_the_over_assignment_compounds_across_levels(deep_plan: TargetPlan) -> None:
    """1.2 × 1.1 = 1.32 passed a 1.25 limit when only each level was checked."""
    client = login("sales_ops")
    url = reverse("targets:settings", args=[deep_plan.pk])
    before = deep_plan.levels
    page = client.post(
        url, settings_post(deep_plan, u0_overassign="1.2", u1_overassign="1.1"), follow=True
    ).content.decode()
    assert "1.32" in page and "逐级叠加" in page
    deep_plan.refresh_from_db()
    assert deep_plan.levels == before

    page = client.post(
        url, settings_post(deep_plan, u0_overassign="1.1", u1_overassign="1.1"), follow=True
    ).content.decode()
    assert "设置已保存" in page
    assert "从顶层部门到人员的叠加比例" in page  # the compound ratio is shown
    shown = page.split("从顶层部门到人员的叠加比例：")[1].split(" ")[0]
    assert Decimal(1) <= Decimal(shown) <= Decimal("1.21")  # realised, within the limit
    # the limit beside the levels is in Chinese brackets (it read "1.0500 倍 (每个…)")
    assert "（每个组织单元上限" in page and "(每个组织单元上限" not in page


def test_check_levels_in_the_service(company: Company) -> None:
    levels = {"units": [{"overassign": "1.2"}], "people": {"overassign": "1.1"}}
    check_levels(levels, Decimal("1.25"), 0)  # people only: 1.1
    with pytest.raises(ValidationError) as refused:
        check_levels(levels, Decimal("1.25"), 1)  # 1.2 × 1.1
    assert "1.32" in str(refused.value)
    with pytest.raises(ValidationError):
        check_levels({"people": {"overassign": "0.9"}}, Decimal("1.25"), 0)
    with pytest.raises(ValidationError):
        check_levels({"people": {"method": "blend", "blend": {"equal": "0.5"}}}, Decimal("1.25"), 0)
    with pytest.raises(ValidationError):
        services.create_target_plan(
            None,
            name="x",
            fiscal_year=2026,
            root_unit=company.hq,
            measures={"revenue": Decimal(1)},
            levels=levels,
            max_overassign=Decimal("1.25"),
        )
