"""The onboarding checklist: what an administrator does after the first-run setup, each
step ticked off when the database shows it done, each linking to the page that does it
(docs/onboarding.md tells the same story at length)."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from attain.crm.models import Customer, Order, Payment
from attain.incentives.models import PlanVersion, VersionStatus
from attain.org.access import can_edit_organisation
from attain.org.company import company
from attain.org.models import Person, Unit
from attain.targets.models import IN_FORCE, TargetPlan

StrOrPromise = str | Promise


@dataclass(frozen=True)
class Item:
    label: str
    done: bool
    url: str
    action: str


@dataclass(frozen=True)
class Step:
    title: StrOrPromise
    text: StrOrPromise
    items: list[Item]

    @property
    def done(self) -> bool:
        return all(item.done for item in self.items)


def _import(table: str) -> str:
    return f"{reverse('intake')}?table={table}"


def _import_item(label: StrOrPromise, done: bool, table: str) -> Item:
    """An item done by importing ``table`` (the import page opens with it chosen)."""
    return Item(str(label), done, _import(table), str(_("Import")))


def steps() -> list[Step]:
    return [
        Step(
            _("Import the organisation"),
            _(
                "Units, then people with their employee id, unit, manager and email: export them "
                "from the HR system (CSV in UTF-8 or GBK, or XLSX). Everyone with an email "
                "gets a login and an invitation."
            ),
            [
                _import_item(_("Units"), Unit.objects.exists(), "units"),
                _import_item(_("People"), Person.objects.exists(), "people"),
            ],
        ),
        Step(
            _("Import the CRM data"),
            _(
                "Customers, orders and payments from the CRM or the ERP; each is matched to "
                "the people just imported."
            ),
            [
                _import_item(_("Customers"), Customer.objects.exists(), "customers"),
                _import_item(_("Orders"), Order.objects.exists(), "orders"),
                _import_item(_("Payments"), Payment.objects.exists(), "payments"),
            ],
        ),
        Step(
            _("Publish a plan"),
            _(
                "Set the year's targets and publish them, and activate an incentive plan: "
                "everyone is told and sees their own targets and pay."
            ),
            [
                Item(
                    str(_("Targets published")),
                    TargetPlan.objects.filter(status__in=IN_FORCE).exists(),
                    reverse("targets:plans"),
                    str(_("Targets")),
                ),
                Item(
                    str(_("An incentive plan active")),
                    PlanVersion.objects.filter(status=VersionStatus.ACTIVE).exists(),
                    reverse("incentives:plans"),
                    str(_("Plans")),
                ),
            ],
        ),
    ]


@login_required
def onboarding(request: HttpRequest) -> HttpResponse:
    if not can_edit_organisation(request.user):
        raise PermissionDenied
    checklist = steps()
    return render(
        request,
        "core/onboarding.html",
        {
            "company": company(),
            "steps": checklist,
            "all_done": all(step.done for step in checklist),
        },
    )
