"""Custom month weights and the ramp are checked when a plan is saved, in the planner's
language, as the methods per level are: they used to be saved as typed, so a weight that
is not a number broke the plan page (a server error on every visit) and a negative or
missing weight showed the engine's own English message instead of the settings'."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import translation

from attain.conftest import Company
from attain.targets import services
from attain.targets.models import TargetPlan

from .conftest import new_plan

pytestmark = pytest.mark.django_db

TWELVE = ["8"] * 8 + ["9"] * 4


@pytest.mark.parametrize(
    ("weights", "words"),
    [
        (["x"] * 12, "“x”"),
        (["-10"] + ["10"] * 11, "-10"),
        (["1", "2", "3"], "12"),
        (["0"] * 12, "0"),
        (["NaN"] * 12, "NaN"),
        (["10"] * 12, "120"),  # the settings say 12 weights summing to 100
        (["1"] * 12, "12"),
    ],
)
def test_custom_month_weights_that_the_engine_refuses_are_refused_when_saved(
    company: Company, plan: TargetPlan, weights: list[str], words: str
) -> None:
    ops = company.users["sales_ops"]
    with pytest.raises(ValidationError) as refused:
        services.update_plan(ops, plan, months="custom", month_weights=weights)
    assert words in " ".join(refused.value.message_dict["month_weights"])
    plan.refresh_from_db()
    assert plan.month_weights == []
    with pytest.raises(ValidationError):
        new_plan(company, ops, months="custom", month_weights=weights)
    assert TargetPlan.objects.count() == 1


@pytest.mark.parametrize("ramp", [["abc"], ["-0.5", "0.5"], ["Infinity"]])
def test_a_ramp_factor_that_is_no_number_or_negative_is_refused_when_saved(
    company: Company, plan: TargetPlan, ramp: list[str]
) -> None:
    with pytest.raises(ValidationError) as refused:
        services.update_plan(company.users["sales_ops"], plan, ramp=ramp)
    assert refused.value.message_dict["ramp"]
    plan.refresh_from_db()
    assert plan.ramp == []


def test_good_weights_and_ramp_are_saved(company: Company, plan: TargetPlan) -> None:
    services.update_plan(
        company.users["sales_ops"],
        plan,
        months="custom",
        month_weights=TWELVE,
        ramp=["0.25", "0.5", "0.75"],
    )
    plan.refresh_from_db()
    assert plan.month_weights == TWELVE and plan.ramp == ["0.25", "0.5", "0.75"]


def _post_weights_in_chinese(company: Company, plan: TargetPlan, weight: str) -> Any:
    """The plan's settings page posted by sales operations reading Chinese, every one of
    the 12 custom month weights ``weight``; the page shown after."""
    client = Client()
    client.force_login(company.users["sales_ops"])
    client.cookies["django_language"] = "zh-hans"
    data: dict[str, Any] = {
        "name": "t",
        "roles": "rep",
        "months": "custom",
        "month_weights": ", ".join([weight] * 12),
        "round_to": "1",
        "max_overassign": "1.25",
        "unit-levels": "1",
        "u0-method": "equal",
        "people-method": "equal",
        "total-revenue": "1200000",
    }
    return client.post(reverse("targets:settings", args=[plan.pk]), data, follow=True)


def test_the_settings_page_says_what_is_wrong_in_chinese_and_the_plan_page_still_opens(
    company: Company, plan: TargetPlan
) -> None:
    page = _post_weights_in_chinese(company, plan, "x")
    assert page.status_code == 200
    text = page.content.decode()
    with translation.override("zh-hans"):
        weight = translation.gettext("Month weight %(n)s") % {"n": 1}
        expected = translation.gettext("%(level)s: “%(value)s” is not a number.") % {
            "level": weight,
            "value": "x",
        }
    assert expected in text and "weight" not in expected
    plan.refresh_from_db()
    assert plan.month_weights == []


def test_month_weights_not_adding_up_to_100_are_refused_on_the_settings_page_in_chinese(
    company: Company, plan: TargetPlan
) -> None:
    page = _post_weights_in_chinese(company, plan, "10")
    assert page.status_code == 200
    with translation.override("zh-hans"):
        expected = translation.gettext(
            "The month weights add up to %(sum)s, not 100: give 12 weights that add up to 100."
        ) % {"sum": "120"}
    assert expected in page.content.decode() and "weights" not in expected
    plan.refresh_from_db()
    assert plan.month_weights == []
