"""A planner changes a draft plan (a cell of the grid, its settings) at the moment another
submits it for approval (PostgreSQL, two web processes). Before, the change was checked
against the plan as the request had read it (a draft) and written after the submission:
the approver approved numbers that changed under them, and a settings save even wrote
the plan back to "draft"."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection

from attain.audit.models import AuditEvent
from attain.conftest import Company
from attain.targets import services
from attain.targets.models import PlanStatus, TargetEdit, TargetPlan

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks: PostgreSQL"),
    pytest.mark.django_db(transaction=True),
]


def submitted_meanwhile(
    company: Company, plan: TargetPlan, monkeypatch: Any, name: str
) -> Callable[[], None]:
    """Make ``services.<name>`` (called inside the change's transaction) let the other
    planner submit the plan first; the returned function waits for them to finish."""
    real = getattr(services, name)
    done = threading.Event()
    started: list[threading.Thread] = []

    def submit() -> None:
        try:
            services.submit_plan(company.users["sales_ops"], TargetPlan.objects.get(pk=plan.pk))
        finally:
            connection.close()
            done.set()

    def in_the_middle(*args: Any, **kwargs: Any) -> Any:
        if not started:
            started.append(threading.Thread(target=submit))
            started[0].start()
            done.wait(timeout=3)  # (unless the submission waits for this change's lock)
        return real(*args, **kwargs)

    monkeypatch.setattr(services, name, in_the_middle)
    return lambda: started[0].join()


def test_a_cell_edited_as_the_plan_is_submitted_is_not_changed_after_it(
    company: Company, plan: TargetPlan, monkeypatch: Any
) -> None:
    finish = submitted_meanwhile(company, plan, monkeypatch, "typed_number")
    services.edit_cell(
        company.users["sales_ops"], plan, measure="revenue", who="r1", period="2026", value="5"
    )
    finish()
    assert TargetPlan.objects.get(pk=plan.pk).status == PlanStatus.SUBMITTED
    submitted = AuditEvent.objects.filter(
        content_type__model="targetplan", after__status=PlanStatus.SUBMITTED
    ).get()
    edit = AuditEvent.objects.filter(content_type__model="targetedit").get()
    assert edit.pk < submitted.pk  # the submission waited for the edit: it includes it
    assert TargetEdit.objects.get().value == 5


def test_settings_saved_as_the_plan_is_submitted_do_not_make_it_a_draft_again(
    company: Company, plan: TargetPlan, monkeypatch: Any
) -> None:
    finish = submitted_meanwhile(company, plan, monkeypatch, "_check_years")
    services.update_plan(company.users["sales_ops"], plan, name="FY2026 营收")
    finish()
    stored = TargetPlan.objects.get(pk=plan.pk)
    assert (stored.status, stored.name) == (PlanStatus.SUBMITTED, "FY2026 营收")


def test_a_cell_edited_while_the_submission_computes_is_in_the_submitted_grid(
    company: Company, plan: TargetPlan, monkeypatch: Any
) -> None:
    """The submission computed the grid before it locked the plan: an edit another planner
    saved in between was kept as an edit but missing from the grid submitted (and then
    approved and published). Now either the edit waits and is refused (the plan is
    submitted), or the grid submitted has it."""
    from attain.targets.models import TargetCell

    real = services.compute_allocation
    edited: list[Any] = []

    def edit() -> None:
        try:
            edited.append(
                services.edit_cell(
                    company.users["sales_ops"],
                    TargetPlan.objects.get(pk=plan.pk),
                    measure="revenue",
                    who="r1",
                    period="2026",
                    value="5",
                )
            )
        except Exception as error:  # a refusal: the plan was submitted meanwhile
            edited.append(error)
        finally:
            connection.close()

    def computed_then_edited(*args: Any, **kwargs: Any) -> Any:
        allocation = real(*args, **kwargs)
        if not edited:
            other = threading.Thread(target=edit)
            other.start()
            other.join(timeout=3)  # (unless the edit waits for the submission's lock)
        return allocation

    monkeypatch.setattr(services, "compute_allocation", computed_then_edited)
    services.submit_plan(company.users["sales_ops"], plan)
    for _ in range(30):  # the edit, if it waited for the lock, ends now
        if edited:
            break
        threading.Event().wait(0.1)
    cell = TargetCell.objects.get(plan=plan, measure="revenue", who="r1", period="2026")
    if TargetEdit.objects.filter(plan=plan, who="r1", value=5).exists():
        assert cell.value == 5, f"the edit is kept but the grid submitted has {cell.value}"
    else:
        assert isinstance(edited[0], Exception), edited
