"""The fairness report on a plan page is over the people the reader may see (the one
visibility rule, attain.org.selectors.visible_people): its minimum, median and maximum
used to come from everyone's targets, so a manager read the target ÷ potential of a rep
in another team (here r4's, the maximum)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from attain.conftest import Company
from attain.org.models import Person
from attain.targets import services
from attain.targets.models import TargetPlan

pytestmark = pytest.mark.django_db

POTENTIAL = {"r1": 100000, "r2": 200000, "r3": 400000, "r4": 100000}


def fair(company: Company, plan: TargetPlan, role: str) -> object:
    client = Client()
    client.force_login(company.users[role])
    client.cookies["django_language"] = "zh-hans"
    page = client.get(reverse("targets:plan", args=[plan.pk]))
    assert page.status_code == 200
    with translation.override("zh-hans"):
        note = translation.gettext("These figures are over the people you may see only.")
    assert (note in page.content.decode()) == (role == "manager")
    assert "people you may see" not in note
    return page.context["fair"]


def test_the_fairness_figures_cover_only_the_people_the_reader_sees(
    company: Company, plan: TargetPlan
) -> None:
    for code, potential in POTENTIAL.items():
        Person.objects.filter(code=code).update(potential=potential)
    ops = company.users["sales_ops"]
    for code, target in {"r1": 300000, "r2": 300000, "r3": 300000, "r4": 900000}.items():
        services.edit_cell(ops, plan, measure="revenue", who=code, period="2026", value=target)

    everyone = fair(company, plan, "sales_ops")
    assert everyone.people == 4  # type: ignore[attr-defined]
    assert everyone.to_potential.maximum == Decimal(9)  # type: ignore[attr-defined]

    # m1 leads east (r1, r2, r3); r4 is in west
    team = fair(company, plan, "manager")
    assert team.people == 3  # type: ignore[attr-defined]
    spread = team.to_potential  # type: ignore[attr-defined]
    assert spread.count == 3
    assert (spread.minimum, spread.median, spread.maximum) == (
        Decimal("0.75"),
        Decimal("1.5"),
        Decimal(3),
    )
