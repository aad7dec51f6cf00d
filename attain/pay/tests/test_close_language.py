"""A close is frozen by a background worker, which runs in the deployment's language: a
refusal it wrote (a payout fell below zero after the close was asked for) was stored in
that language, so a Chinese finance user read English on the pay periods page. The
worker now writes in the language of the login who asked, as imports do."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from attain.conftest import Company
from attain.notify.models import Profile
from attain.pay import services_close, tasks_close
from attain.pay.models import Payout
from attain.pay.models_close import PayPeriod, PeriodState
from attain.pay.tasks_close import close_task

from .payout_factories import AMOUNTS, PERIOD, store


class _Queue:
    """The task queue: keeps what was queued, for the test to run as the worker."""

    def __init__(self) -> None:
        self.queued: list[tuple[Any, ...]] = []

    def enqueue(self, *args: Any) -> None:
        self.queued.append(args)


def _refused_close(company: Company, asked_in: str, captured: Any, monkeypatch: Any) -> PayPeriod:
    store(company, AMOUNTS)
    queue = _Queue()
    monkeypatch.setattr(tasks_close, "close_task", queue)
    with captured(execute=True), translation.override(asked_in):
        row = services_close.close_period(company.users["admin"], PERIOD)
    [args] = queue.queued  # queued once the request's transaction commits
    # between the request and the worker, a recalculation brings r2 below zero
    store(company, {**AMOUNTS, "r2": {"commission": "-1.00"}})
    assert Payout.objects.get(period=PERIOD, person__code="r2").amount == Decimal("-1.00")
    with translation.override("en"):  # the worker: LANGUAGE_CODE
        with pytest.raises(ValidationError):  # the refusal, shown on the page
            close_task.call(*args)
        assert translation.get_language() == "en"
    row.refresh_from_db()
    assert row.state == PeriodState.OPEN
    return row


def test_the_refusal_is_in_the_language_the_user_chose(
    company: Company, django_capture_on_commit_callbacks: Any, monkeypatch: Any
) -> None:
    Profile.objects.create(user=company.users["admin"], language="zh-hans")
    row = _refused_close(company, "en", django_capture_on_commit_callbacks, monkeypatch)
    assert "低于零" in row.problems[0], row.problems
    assert "below zero" not in row.problems[0]


def test_without_a_choice_the_language_of_the_page_that_asked(
    company: Company, django_capture_on_commit_callbacks: Any, monkeypatch: Any
) -> None:
    row = _refused_close(company, "zh-hans", django_capture_on_commit_callbacks, monkeypatch)
    assert "低于零" in row.problems[0], row.problems
