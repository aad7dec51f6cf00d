"""Integrity: the only writers of alerts. A scan stores what the detectors found; a
reviewer assigns, confirms (optionally holding the payout) or dismisses with a reason.
Every change is audited (``attain.audit.services.record_change``)."""

from __future__ import annotations

import datetime
import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

import polars as pl
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from attain.audit.models import Action
from attain.audit.services import record_change, save_update, save_values
from attain.calc.integrity import load_records
from attain.calc.periods import fiscal_year_of_day, period_bounds, periods_of_day
from attain.crm import models as crm
from attain.crm.models import Verification
from attain.crm.records import PLACEMENTS
from attain.crm.services.verification import verify_records
from attain.engine.integrity import Found, ScanPeriod, Settings
from attain.engine.integrity import scan as run_detectors
from attain.measures.models import Aggregation, Measure
from attain.notify.services import announce
from attain.org.models import Person
from attain.targets.selectors import published_targets

from . import access
from .events import send_hold_changed
from .models import Alert, Status

HISTORY_DAYS = 400  # the baselines read this much history before the first period


@dataclass
class ScanOutcome:
    found: Found
    created: int
    updated: int
    periods: list[str]
    withdrawn: int = 0  # open alerts the scan no longer found
    known: int = 0  # new alerts stored dismissed: a dismissed pattern recurring unchanged


def quarters(start: datetime.date, end: datetime.date) -> list[str]:
    """The fiscal quarters that touch ``start``…``end``."""
    labels: list[str] = []
    day = start
    while day <= end:
        label = periods_of_day(day)[2]
        if label not in labels:
            labels.append(label)
        day += datetime.timedelta(days=28)
    last = periods_of_day(end)[2]
    if last not in labels:
        labels.append(last)
    return labels


QUARTER_ID = re.compile(r"\d{4}-Q[1-4]")


def scan_periods(labels: Iterable[str]) -> list[ScanPeriod]:
    """The quarters to scan, each once. Alerts are kept per quarter: a month or a year
    scanned stored the same finding again under another key."""
    periods = []
    for label in dict.fromkeys(labels):
        bounds = period_bounds(label) if QUARTER_ID.fullmatch(label) else None
        if bounds is None:
            raise ValidationError(
                {"period": _("Give a quarter such as 2025-Q4, not “%(p)s”.") % {"p": label}}
            )
        periods.append(ScanPeriod(label, bounds[0], bounds[1]))
    return periods


def detect(periods: list[ScanPeriod], *, as_of: datetime.date | None = None) -> Found:
    """Load the records and run every detector (nothing is stored)."""
    if not periods:
        return Found()
    first = min(p.start for p in periods)
    # The history before the first period, but never before the first day a date can
    # have (a scan of 0001-Q1 simply has no history).
    history = min(HISTORY_DAYS, (first - datetime.date.min).days)
    start = first - datetime.timedelta(days=history)
    end = max(p.end for p in periods)
    records = load_records(start=start, end=end)
    return run_detectors(
        records,
        periods,
        detector_settings(),
        as_of=as_of or timezone.localdate(),
        targets=order_targets(periods),
    )


def detector_settings() -> Settings:
    """The detectors' defaults, with the amount thresholds the deployment configures
    (``ATTAIN_INTEGRITY_THRESHOLDS``: approval limits, spiff levels)."""
    defaults = Settings()
    text = str(getattr(settings, "ATTAIN_INTEGRITY_THRESHOLDS", "") or "")
    values = []
    for part in re.split(r"[,;，；\s]+", text):
        part = part.replace("_", "").strip()
        if not part:
            continue
        try:
            value = Decimal(part)
            if not value.is_finite():
                raise ArithmeticError(part)
        except ArithmeticError as error:
            raise ImproperlyConfigured(
                f"ATTAIN_INTEGRITY_THRESHOLDS: {part!r} is not an amount"
            ) from error
        if value > 0:
            values.append(float(value))
    if not values:
        return defaults
    return replace(defaults, amounts=replace(defaults.amounts, thresholds=tuple(sorted(values))))


MONTH = re.compile(r"\d{4}-\d{2}")


def order_targets(periods: Sequence[ScanPeriod]) -> pl.DataFrame | None:
    """Each person's published target for each scanned period in order amount (the sum
    of their month targets within the period, in a measure summing the orders' amount
    by owner and date: the first such measure, by code, that gives the person one), for
    the timing test's push-out (拉单/压单); None when no such target is in force."""
    codes = sorted(
        m.code
        for m in Measure.objects.filter(
            table="orders", agg=Aggregation.SUM, person_field="owner", date_field="date"
        )
        if m.value.strip() == "amount"
    )
    if not codes or not periods:
        return None
    people = set(Person.objects.values_list("code", flat=True))
    years = sorted({fiscal_year_of_day(day) for p in periods for day in (p.start, p.end)})
    sums: dict[tuple[str, str, str], Decimal] = {}
    for year in years:
        for target in published_targets(measures=codes, fiscal_year=year):
            who, month = str(target["who"]), str(target["period"])
            if who not in people or not MONTH.fullmatch(month):
                continue
            first = datetime.date(int(month[:4]), int(month[5:]), 1)
            for period in periods:
                if period.start <= first <= period.end:
                    key = (str(target["measure"]), who, period.label)
                    sums[key] = sums.get(key, Decimal(0)) + Decimal(str(target["value"]))
    chosen: dict[tuple[str, str], Decimal] = {}
    for code in codes:  # the first measure that gives the person a target
        for (measure, who, label), value in sorted(sums.items()):
            if measure == code:
                chosen.setdefault((who, label), value)
    if not chosen:
        return None
    return pl.DataFrame(
        {
            "person": [who for who, _label in chosen],
            "period": [label for _who, label in chosen],
            "amount": [float(value) for value in chosen.values()],
        },
        schema={"person": pl.String, "period": pl.String, "amount": pl.Float64},
    )


def default_periods() -> list[str]:
    """The last eight quarters up to today."""
    today = timezone.localdate()
    return quarters(today - datetime.timedelta(days=7 * 92), today)[-8:]


def _key(detector: str, pattern: str, period: str, people: Iterable[str]) -> str:
    text = "|".join([detector, pattern, period, *sorted(people)])
    return text if len(text) <= 300 else hashlib.sha256(text.encode()).hexdigest()


def scan(actor: Any, *, periods: Iterable[str] | None = None) -> ScanOutcome:
    """Run the detectors over ``periods`` (default: the last eight quarters) and store
    the alerts: new ones open, open ones refreshed, decided ones left as decided."""
    if not access.can_scan(actor):
        raise PermissionDenied
    labels = list(periods) if periods else default_periods()
    found = detect(scan_periods(labels))
    people = {p.code: p for p in Person.objects.all()}
    created = updated = withdrawn = known = 0
    keys: set[str] = set()
    with transaction.atomic():
        for alert in found.alerts:
            key = _key(alert.detector, alert.pattern, alert.period, alert.people)
            keys.add(key)
            values = {
                "detector": alert.detector,
                "pattern": alert.pattern,
                "period": alert.period,
                "people_codes": list(alert.people),
                "records": [{"table": t, "external_id": i} for t, i in alert.records],
                "score": Decimal(str(round(alert.score, 4))),
                "reason_en": alert.reason_en,
                "reason_zh": alert.reason_zh,
            }
            # locked: a reviewer deciding it meanwhile waits, or has decided already
            row = Alert.objects.select_for_update().filter(key=key).first()
            if row is None:
                dismissed = _dismissed_before(values)
                stored = dict(values)
                if dismissed is not None:  # a known pattern recurring unchanged
                    stored |= {
                        "status": Status.DISMISSED,
                        "recurs": dismissed,
                        "resolution": dismissed.resolution,
                        "decided_at": timezone.now(),
                    }
                try:
                    with transaction.atomic():  # another scan may store it meanwhile
                        row = Alert.objects.create(key=key, **stored)
                except IntegrityError:  # it did: refreshed below as a stored alert
                    row = Alert.objects.select_for_update().get(key=key)
                else:
                    row.people.set([people[c] for c in alert.people if c in people])
                    record_change(
                        actor,
                        Action.CREATE,
                        row,
                        after=_state(row),
                        reason=gettext_noop("known pattern") if dismissed else "integrity scan",
                    )
                    created += 1
                    known += dismissed is not None
                    continue
            if (
                row.status == Status.OPEN
                and row.reopened_at is None  # a reviewer reopened it to decide it
                and (dismissed := _dismissed_before(values))
            ):
                # open since a scan of several periods at once, and a reviewer has
                # since dismissed the pattern in an earlier one: a known pattern too
                before = _state(row)
                for name, value in values.items():
                    setattr(row, name, value)
                row.status, row.recurs = Status.DISMISSED, dismissed
                row.resolution, row.decided_at = dismissed.resolution, timezone.now()
                save_update(
                    actor, row, before=before, state=_state, reason=gettext_noop("known pattern")
                )
                updated += 1
                known += 1
            elif row.status == Status.DISMISSED and _grown(row, values):
                # the dismissal covered fewer records than the scan now finds (more
                # orders washed, another copy booked): the reviewer decides again
                before = _state(row)
                for name, value in values.items():
                    setattr(row, name, value)
                row.status, row.resolution, row.decided_at = Status.OPEN, "", None
                # for the reviewer to decide: never filed as a known pattern meanwhile
                row.recurs, row.reopened_at = None, timezone.now()
                save_update(
                    actor,
                    row,
                    before=before,
                    state=_state,
                    reason=gettext_noop("found again with new records"),
                )
                updated += 1
            elif row.status == Status.WITHDRAWN or (
                row.status == Status.OPEN
                and (row.score, row.records) != (values["score"], values["records"])
            ):
                before = _state(row)
                reason = gettext_noop("rescan")
                if row.status == Status.WITHDRAWN:  # found again: open again
                    row.status, reason = Status.OPEN, gettext_noop("found again")
                for name, value in values.items():
                    setattr(row, name, value)
                save_update(actor, row, before=before, state=_state, reason=reason)
                updated += 1
        # Open alerts of the scanned periods the scan no longer finds: the records they
        # named were corrected (or the others' changed); nobody should decide on them.
        stale = Alert.objects.filter(period__in=labels, status=Status.OPEN)
        for row in stale.select_for_update().order_by("pk"):
            if row.status != Status.OPEN:  # decided while the scan waited for the lock
                continue
            if row.key in keys:
                continue
            before = _state(row)
            row.status = Status.WITHDRAWN
            save_update(
                actor, row, before=before, state=_state, reason=gettext_noop("no longer found")
            )
            withdrawn += 1
    return ScanOutcome(found, created, updated, labels, withdrawn, known)


# Detectors whose alert, when it repeats unchanged a pattern a reviewer dismissed for
# the same people in an earlier period, is stored dismissed as a known pattern: two
# reps who share accounts under the plan's split rules split every quarter.
RECURRING = ("reciprocal_credit",)
RECURRENCE_DAYS = 366  # the dismissed alert's period ended at most this long before
RECURRENCE_GROWTH = 1.5  # "unchanged": at most this many times the records dismissed


def _dismissed_before(values: dict[str, Any]) -> Alert | None:
    """The reviewed, dismissed alert that an alert about to be stored (``values``)
    repeats unchanged, or None: the latest decided alert of the same detector, pattern
    and people in a period that ended within ``RECURRENCE_DAYS`` before this one began
    was dismissed, and this one names at most ``RECURRENCE_GROWTH`` times the records
    the reviewer saw (a pair splitting far more than when it was dismissed, or a pair
    never reviewed, is a case again)."""
    if values["detector"] not in RECURRING:
        return None
    bounds = period_bounds(values["period"])
    if bounds is None:
        return None
    earliest = bounds[0] - datetime.timedelta(days=RECURRENCE_DAYS)
    people = sorted(values["people_codes"])
    latest: tuple[datetime.date, Alert] | None = None
    for row in Alert.objects.filter(
        detector=values["detector"],
        pattern=values["pattern"],
        status__in=[Status.CONFIRMED, Status.DISMISSED],
    ).select_related("recurs"):
        span = period_bounds(row.period)
        if span is None or sorted(row.people_codes) != people:
            continue
        if earliest <= span[1] < bounds[0] and (latest is None or span[1] > latest[0]):
            latest = (span[1], row)
    if latest is None or latest[1].status != Status.DISMISSED:
        return None
    reviewed = latest[1].recurs or latest[1]  # the alert a reviewer actually dismissed
    if len(values["records"]) > RECURRENCE_GROWTH * max(len(reviewed.records), 1):
        return None
    return reviewed


def _grown(row: Alert, values: dict[str, Any]) -> bool:
    """Whether a dismissed alert's finding now names records the dismissal did not
    cover, among the records it is about (those of its first table: the customers of a
    shell-customer alert, not the orders they went on to place): any new one, or for a
    recurring pattern (reciprocal credit, whose shared accounts keep adding split
    orders) more than ``RECURRENCE_GROWTH`` times the records the reviewer saw."""
    if not values["records"]:
        return False
    table = values["records"][0]["table"]
    seen = {r.get("external_id") for r in row.records if r.get("table") == table}
    now = {r["external_id"] for r in values["records"] if r["table"] == table}
    if now <= seen:
        return False
    if row.detector not in RECURRING:
        return True
    reviewed = row.recurs or row  # the alert a reviewer actually dismissed
    dismissed = sum(r.get("table") == table for r in reviewed.records)
    return bool(len(now) > RECURRENCE_GROWTH * max(dismissed, 1))


def _state(alert: Alert) -> dict[str, Any]:
    return {
        "detector": alert.detector,
        "period": alert.period,
        "people": alert.people_codes,
        "score": str(alert.score),
        "status": alert.status,
        "assignee": alert.assignee.get_username() if alert.assignee else None,
        "resolution": alert.resolution,
        "hold": alert.hold,
        "recurs": alert.recurs_id,
        "reopened_at": alert.reopened_at.isoformat() if alert.reopened_at else None,
    }


def _locked(alert: Alert) -> Alert:
    """The alert as stored now, locked until the transaction ends; the caller's copy
    takes its values (the page that shows it after the change reads them)."""
    alert.refresh_from_db(from_queryset=Alert.objects.select_for_update())
    return alert


def _check_reviewer(actor: Any, alert: Alert) -> None:
    """Only a reviewer acts on an alert, and never on one about themself."""
    if not access.can_review(actor):
        raise PermissionDenied
    if access.concerns(actor, alert):
        raise PermissionDenied(_("Nobody reviews an integrity alert about themself."))


def _reviewer_reason(
    actor: Any, alert: Alert, reason: str, *, field: str = "reason", missing: str = ""
) -> str:
    """:func:`_check_reviewer`, then the reason given (stripped), an error at ``field``
    (``missing``, else "give a reason for the decision") when there is none."""
    _check_reviewer(actor, alert)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({field: missing or _("Give a reason for the decision.")})
    return reason


def assign(actor: Any, alert: Alert, assignee: Any) -> Alert:
    _check_reviewer(actor, alert)
    if assignee is not None and not access.can_review(assignee):
        raise ValidationError(
            {"assignee": _("Only sales operations, finance or an administrator can review alerts.")}
        )
    if assignee is not None and access.concerns(assignee, alert):
        raise ValidationError({"assignee": _("Nobody reviews an integrity alert about themself.")})
    with transaction.atomic():
        save_values(
            actor, alert, {"assignee": assignee}, state=_state, reason=gettext_noop("assign")
        )
    return alert


def decide(
    actor: Any,
    alert: Alert,
    *,
    confirm: bool,
    reason: str,
    hold: bool = False,
    reject_records: bool = False,
) -> list[str]:
    """Confirm (optionally holding the payout of the people concerned, and with
    ``reject_records`` stopping the alert's records from counting: they are rejected as
    finance rejects a record, the results follow, and where the period is already closed
    pay turns the difference into an adjustment, the clawback) or dismiss.

    Returns what the reviewer should know the hold could not do (payouts already paid),
    in the active language; empty when there is nothing to say."""
    reason = _reviewer_reason(actor, alert, reason)
    if alert.status != Status.OPEN:
        raise ValidationError({"status": _("This alert has already been decided.")})
    if reject_records and not confirm:
        raise ValidationError(
            {"reject_records": _("Only a confirmed alert stops its records counting.")}
        )
    with transaction.atomic():
        alert = _locked(alert)  # another reviewer (or a scan) may have changed it since
        if alert.status != Status.OPEN:
            raise ValidationError({"status": _("This alert has already been decided.")})
        decision = {
            "status": Status.CONFIRMED if confirm else Status.DISMISSED,
            "resolution": reason,
            "hold": bool(confirm and hold),
            "decided_at": timezone.now(),
        }
        save_values(actor, alert, decision, state=_state, reason=reason)
        if reject_records:
            _reject_records(actor, alert, reason)
        warnings = send_hold_changed(alert, hold=True, actor=actor) if alert.hold else []
        if alert.hold:
            _announce_hold(alert, reason)
    return warnings  # filled as the transaction committed


# A record table of an alert (as the detectors name them) → its model.
_MODELS = {
    placement.table: getattr(crm, name)
    for name, placement in PLACEMENTS.items()
    if hasattr(getattr(crm, name), "verification")
}


def _reject_records(actor: Any, alert: Alert, reason: str) -> int:
    """Reject the alert's records that count toward pay; returns how many changed."""
    keys: dict[str, list[str]] = {}
    for record in alert.records:
        if record.get("table") in _MODELS:
            keys.setdefault(record["table"], []).append(str(record["external_id"]))
    if not keys:
        raise ValidationError(
            {"reject_records": _("This alert names no record that counts toward pay.")}
        )
    why = _("Integrity alert %(pk)s: %(reason)s") % {"pk": alert.pk, "reason": reason}
    changed = 0
    for table, external_ids in sorted(keys.items()):
        model = _MODELS[table]
        pks = model._default_manager.filter(external_id__in=external_ids).values_list(
            "pk", flat=True
        )
        changed += verify_records(actor, model, list(pks), Verification.REJECTED, reason=why)
    return changed


def _announce_hold(alert: Alert, reason: str) -> None:
    """The people whose payout is held, and their managers, hear of it: each person of
    their own hold, a manager of their own people's (a ring across units names nobody
    of another team to a manager)."""
    today = timezone.localdate()
    told: dict[Any, list[Any]] = {}
    for person in alert.people.order_by("code"):
        told.setdefault(person, []).append(person)
        held = person.assignment_on(today)
        if held and held.manager and held.manager != person:
            told.setdefault(held.manager, []).append(person)
    by_names: dict[str, tuple[list[str], list[Any]]] = {}  # names → their codes, recipients
    for recipient, people in told.items():
        names = ", ".join(p.name for p in people)
        by_names.setdefault(names, ([p.code for p in people], []))[1].append(recipient)
    for who, (codes, recipients) in by_names.items():
        announce(
            "integrity_hold", recipients, period=alert.period, who=who, reason=reason, codes=codes
        )


def reopen(actor: Any, alert: Alert, *, reason: str) -> Alert:
    """Open a confirmed or dismissed alert again for another decision (dismissed by
    mistake, or a dispute showed the finding wrong), with a reason, audited. The decision
    is cleared; a held payout is lifted first (``release_hold``), and records a clawback
    rejected stay rejected until finance restores them. A known pattern reopened is no
    longer one: it is reviewed on its own, and a later scan leaves it open."""
    reason = _reviewer_reason(
        actor,
        alert,
        reason,
        field="reopen_reason",
        missing=_("Give a reason for reopening the alert."),
    )
    with transaction.atomic():
        alert = _locked(alert)
        if alert.status not in (Status.CONFIRMED, Status.DISMISSED):
            raise ValidationError(
                {"reopen_reason": _("Only a confirmed or dismissed alert can be reopened.")}
            )
        if alert.hold:
            raise ValidationError(
                {"reopen_reason": _("This alert holds a payout: lift the hold first.")}
            )
        undecided = {
            "status": Status.OPEN,
            "resolution": "",
            "decided_at": None,
            "recurs": None,
            "reopened_at": timezone.now(),
        }
        save_values(actor, alert, undecided, state=_state, reason=reason)
    return alert


def release_hold(actor: Any, alert: Alert, *, reason: str) -> Alert:
    reason = _reviewer_reason(actor, alert, reason)
    if not alert.hold:
        raise ValidationError({"reason": _("This alert holds no payout.")})
    with transaction.atomic():
        alert = _locked(alert)
        if not alert.hold:  # lifted by another reviewer meanwhile
            raise ValidationError({"reason": _("This alert holds no payout.")})
        was_held = alert.hold
        save_values(actor, alert, {"hold": False}, state=_state, reason=reason)
        if was_held:
            send_hold_changed(alert, hold=False, actor=actor)
    return alert
