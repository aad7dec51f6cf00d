"""Daily reminders about targets, sent through :mod:`attain.notify` when
``attain notify remind`` runs (its ``reminders`` signal; notify never imports targets):

- acknowledgement due: people with a target in a published plan who have not
  acknowledged it ``ACKNOWLEDGE_AFTER_DAYS`` days after publication, every day until they
  do; a plan whose last one waiting has left becomes acknowledged instead;
- behind pace: people (and their managers) whose current month is "behind" in a plan
  in force (:func:`attain.targets.pace.pace_report`), once per plan, person, measure and month.
"""

from __future__ import annotations

import datetime
import logging
from typing import Any

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import pgettext_lazy

from attain.calc.periods import fiscal_year_of_day, periods_of_day
from attain.measures.services import stored_measure_names
from attain.notify.models import Notification as Sent
from attain.notify.services import announce
from attain.org.models import Person

from .models import IN_FORCE, Acknowledgement, Kind, PlanStatus, TargetCell, TargetPlan
from .pace import pace_report
from .services import settle_acknowledgement

log = logging.getLogger(__name__)
ACKNOWLEDGE_AFTER_DAYS = 3


def acknowledgement_due(today: datetime.date) -> int:
    told = 0
    cutoff = today - datetime.timedelta(days=ACKNOWLEDGE_AFTER_DAYS)  # the day run for
    for plan in TargetPlan.objects.filter(status=PlanStatus.PUBLISHED):
        if settle_acknowledgement(plan):  # the last one waiting has left
            continue
        if plan.published is None or timezone.localdate(plan.published) > cutoff:
            continue
        codes = set(
            TargetCell.objects.filter(plan=plan, kind=Kind.PERSON).values_list("who", flat=True)
        )
        done = set(Acknowledgement.objects.filter(plan=plan).values_list("person__code", flat=True))
        waiting = list(Person.objects.filter(code__in=codes - done, user__isnull=False))
        if waiting and plan.published is not None:
            announce(
                "acknowledgement_due",
                waiting,
                year=plan.fiscal_year,
                plan=plan.name,
                published=timezone.localdate(plan.published),
            )
            told += len(waiting)
    return told


def behind_pace(today: datetime.date) -> int:
    month = periods_of_day(today)[3]
    told = 0
    year = fiscal_year_of_day(today)
    names = stored_measure_names()  # each reader's name when shown (attain.notify.kinds)
    for plan in TargetPlan.objects.filter(status__in=IN_FORCE, fiscal_year=year):
        rows = [r for r in pace_report(plan, today) if r.kind == "person" and r.status == "behind"]
        for row in rows:
            if row.period != month or row.attainment is None:
                continue
            already = (
                Sent.objects.filter(
                    kind="behind_pace",
                    params__plan=plan.name,
                    params__code=row.who,
                    params__month=month,
                )
                # the measure by its code (``measure`` held the code before it held the name)
                .filter(Q(params__measure_code=row.measure) | Q(params__measure=row.measure))
                .exists()
            )
            person = Person.objects.filter(code=row.who).first()
            if already or person is None:
                continue
            assignment = person.assignment_on(today)
            manager = assignment.manager if assignment else None
            recipients = [person, *([manager] if manager else [])]
            announce(
                "behind_pace",
                recipients,
                plan=plan.name,
                code=row.who,
                who=row.name,
                measure=names.get(row.measure, row.measure),  # its name, not its code
                measure_code=row.measure,
                month=month,
                day=today,
                percent=f"{row.attainment * 100:.0f}",
            )
            told += 1
    return told


def on_reminders(sender: Any, today: datetime.date, **_: Any) -> None:
    for check in (acknowledgement_due, behind_pace):
        try:
            check(today)
        except Exception:  # one failing check must not stop the others
            log.exception("targets reminder %s failed", check.__name__)


def stored_targets(sender: Any, **_: Any) -> list[Any]:
    """Target plans are stored by fiscal period, their amounts in the company's currency
    (:func:`attain.org.services_company.counted_data`)."""
    return [pgettext_lazy("stored data", "targets")] if TargetPlan.objects.exists() else []


def connect() -> None:
    from attain.notify.signals import reminders
    from attain.org.services_company import counted_in_company_settings

    reminders.connect(on_reminders, dispatch_uid="attain.targets.notices")
    counted_in_company_settings.connect(stored_targets, dispatch_uid="targets-counted")
