"""Writers of payouts (docs/pay.md, "Payout approval"): the only code that changes
:class:`~attain.pay.models.Payout` rows. Every change is audited.

- :func:`sync_payouts` brings payouts in line with the stored results of
  :mod:`attain.incentives` (it runs after every calculation, through
  ``attain.incentives.events.results_stored``). The recalculation rule: a payout whose
  amount or component lines changed goes back to *calculated* (a review or approval was
  of other numbers), with the reason in its note and the audit trail; a *paid* payout
  keeps the amount paid and records the new amount in ``recalculated_amount``.
- :func:`review_payouts` (the person's manager), :func:`approve_payouts` (finance),
  :func:`mark_paid` (finance, with a payment reference and date): one step forward each;
  a step that is not allowed from a payout's state refuses the whole request and changes
  nothing.
- :func:`hold_payout` / :func:`release_payout` (finance, sales operations): a held payout
  is still owed (shown as held, counted in the accrual) but cannot be approved, paid or
  exported until released.
- :func:`set_payroll_mapping`: the payroll export's columns.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop, ngettext, pgettext

from attain.audit.models import Action
from attain.audit.services import (
    record_bulk,
    record_change,
    record_event,
    save_update,
    snapshot,
)
from attain.calc.periods import period_bounds
from attain.incentives.models import ComponentResult, PeriodResult
from attain.integrity.models import Alert
from attain.integrity.models import Status as AlertStatus
from attain.org.models import Person, Unit
from attain.web.inserts import insert_rows

from . import adjustments
from . import payout_access as access
from .models import (
    ZERO,
    Payout,
    PayoutLine,
    PayoutState,
    PayrollMapping,
    PayrollSource,
    amount_text,
)
from .services_close import closed_periods, frozen_keys, lines_by_payout, refresh_adjustments
from .services_settings import update_settings

Lines = dict[tuple[str, str], tuple[str, Decimal]]

CHUNK = 5000  # ids per IN (...) list, well below SQLite's variable limit

AUDITED = ("state", "amount", "recalculated_amount", "held", "hold_reason", "note")


def _state_of(payout: Payout) -> dict[str, Any]:
    values = snapshot(payout)
    return {name: values[name] for name in (*AUDITED, "payment_reference", "paid_on")}


def _money(value: Any) -> Decimal:
    return Decimal(value).quantize(Decimal("0.01"))


@dataclass
class SyncReport:
    created: int = 0
    updated: int = 0
    returned: int = 0  # reviewed/approved payouts sent back to calculated
    paid_changed: int = 0


def sync_payouts(
    actor: Any = None,
    *,
    people: Iterable[int] | None = None,
    periods: Iterable[str] | None = None,
) -> SyncReport:
    """Bring the payouts of ``people`` (person pks; all when None) in ``periods`` (all
    when None) in line with the stored results: one payout per person and period that
    has component results."""
    report = SyncReport()
    components = ComponentResult.objects.all()
    results = PeriodResult.objects.all()
    existing = Payout.objects.all()
    person_pks: list[int] | None = None if people is None else list(people)
    ids: list[str] | None = None if periods is None else list(periods)
    if person_pks is not None:
        components = components.filter(person_id__in=person_pks)
        results = results.filter(person_id__in=person_pks)
        existing = existing.filter(person_id__in=person_pks)
    if ids is not None:
        components = components.filter(period__in=ids)
        results = results.filter(period__in=ids)
        existing = existing.filter(period__in=ids)
    wanted: dict[tuple[int, str], Lines] = {}
    for person_id, period, plan, component, kind, amount in components.values_list(
        "person_id", "period", "plan", "component", "kind", "amount"
    ):
        wanted.setdefault((person_id, period), {})[(plan, component)] = (kind, _money(amount))
    # Resolved disputes' adjustments: a line of their own in the first open payout.
    with transaction.atomic():
        adjustments.place_waiting(person_pks)
    # A payout keeps its dispute lines even when its period has no results any more.
    disputed = adjustments.lines(person_pks, ids)
    added: dict[tuple[int, str], Decimal] = {}
    for key, extra in disputed.items():
        added[key] = sum((amount for _kind, amount in extra.values()), ZERO)
        if key in wanted:
            wanted[key].update(extra)
    facts = {
        (r[0], r[1]): r[2:]
        for r in results.filter(period__in={k[1] for k in wanted}).values_list(
            "person_id", "period", "payout", "end", "unit_id"
        )
    }
    with transaction.atomic():
        # Read as plain rows (a run's sync reads every payout and line of the year, and
        # most are unchanged): model instances only for the payouts that change.
        current: dict[tuple[int, str], tuple[int, Decimal, str, Decimal | None]] = {}
        units: dict[int, int | None] = {}  # payout pk → its unit (the cost centre)
        for pk, person_id, period, amount, state, later, unit_id in (
            existing.select_for_update(of=("self",))
            .order_by("period", "person__code")  # events written in the register's order
            .values_list(
                "pk", "person_id", "period", "amount", "state", "recalculated_amount", "unit_id"
            )
        ):
            current[(person_id, period)] = (pk, amount, state, later)
            units[pk] = unit_id
        lines: dict[int, Lines] = {}
        for payout_id, plan, component, kind, amount in (
            PayoutLine.objects.filter(payout__in=existing.values("pk"))
            .order_by()
            .values_list("payout_id", "plan", "component", "kind", "amount")
        ):
            lines.setdefault(payout_id, {})[(plan, component)] = (kind, amount)
        # Period close (services_close): payouts of closed periods, and those a settled
        # adjustment froze, are never changed; a payout carries its adjustment lines.
        closed = closed_periods()
        frozen = frozen_keys(person_pks, closed)
        adjusted = lines_by_payout([row[0] for row in current.values()])
        created: list[Payout] = []
        for key in wanted:
            if key not in facts or key in current or key in frozen or key[1] in closed:
                continue
            calculated, end, unit_id = facts[key]
            created.append(
                Payout(
                    person_id=key[0],
                    period=key[1],
                    period_end=end,
                    unit_id=unit_id,
                    amount=_money(calculated) + added.get(key, ZERO),
                )
            )
        _create(created, existing)
        _write_lines({p.pk: wanted[(p.person_id, p.period)] for p in created})
        report.created = len(created)
        events = [(p.pk, None, _state_of(p)) for p in created]
        if events:
            record_bulk(
                actor,
                Action.CREATE,
                Payout,
                events,
                reason=gettext_noop("Calculated"),
                describe=_labels(created),
            )
        _follow_held_alerts(actor, created)
        recalculated: list[tuple[Payout, dict[str, Any], Lines]] = []
        changing: dict[int, tuple[tuple[int, str], Lines, Decimal]] = {}
        moved: dict[int, tuple[int | None, int | None]] = {}  # payout pk → units
        for key, (pk, amount, state, recalculated_amount) in current.items():
            if key in frozen:
                continue
            new_lines = {**wanted.get(key, {}), **disputed.get(key, {})}
            new_lines.update(adjusted.get(pk, {}))
            fact = facts.get(key)
            new_amount = (_money(fact[0]) if fact else ZERO) + added.get(key, ZERO)
            new_amount += sum((a for _k, a in adjusted.get(pk, {}).values()), ZERO)
            unchanged = new_amount == amount and new_lines == lines.get(pk, {})
            if unchanged and state != PayoutState.PAID and fact and fact[2] != units[pk]:
                moved[pk] = (units[pk], fact[2])  # the same money, another unit
            if unchanged and (state != PayoutState.PAID or recalculated_amount is None):
                continue
            changing[pk] = (key, new_lines, new_amount)
        _move(actor, moved)
        instances = {payout.pk: payout for payout in _payouts(changing)}
        for pk, (key, new_lines, new_amount) in changing.items():  # in the register's order
            payout = instances[pk]
            fact = facts.get(key)
            if new_amount == payout.amount and new_lines == lines.get(payout.pk, {}):
                if payout.state == PayoutState.PAID and payout.recalculated_amount is not None:
                    before = _state_of(payout)
                    payout.recalculated_amount, payout.note = None, {}  # the note is stale
                    payout.save(update_fields=["recalculated_amount", "note", "updated_at"])
                    record_change(
                        actor, Action.UPDATE, payout, before=before, after=_state_of(payout)
                    )
                continue
            before = _state_of(payout)
            note = {"before": str(payout.amount), "after": str(new_amount)}
            if payout.state == PayoutState.PAID:
                if new_amount == payout.amount:  # the paid total again, split otherwise
                    if payout.recalculated_amount is None:
                        continue
                    payout.recalculated_amount, payout.note = None, {}
                    payout.save(update_fields=["recalculated_amount", "note", "updated_at"])
                    record_change(
                        actor, Action.UPDATE, payout, before=before, after=_state_of(payout)
                    )
                    continue
                if new_amount == payout.recalculated_amount:
                    continue
                payout.recalculated_amount = new_amount
                payout.note = {**note, "kind": "paid_changed"}
                payout.save(update_fields=["recalculated_amount", "note", "updated_at"])
                report.paid_changed += 1
            else:
                if payout.state != PayoutState.CALCULATED:
                    payout.note = {**note, "kind": "returned", "state": payout.state}
                    report.returned += 1
                else:  # the common case after a run: written in bulk below
                    payout.note = {**note, "kind": "recalculated"}
                    payout.amount = new_amount
                    if fact:
                        payout.period_end, payout.unit_id = fact[1], fact[2]
                    recalculated.append((payout, before, new_lines))
                    continue
                payout.state = PayoutState.CALCULATED
                payout.amount = new_amount
                payout.reviewed_by = payout.approved_by = None
                payout.reviewed_at = payout.approved_at = None
                if fact:
                    payout.period_end, payout.unit_id = fact[1], fact[2]
                payout.save()
                PayoutLine.objects.filter(payout=payout).delete()
                _write_lines({payout.pk: new_lines})
            reason = payout.note_text()
            record_change(
                actor, Action.UPDATE, payout, before=before, after=_state_of(payout), reason=reason
            )
        if recalculated:
            changed = [payout for payout, _before, _lines in recalculated]
            now = timezone.now()
            for payout in changed:
                payout.updated_at = now
            Payout.objects.bulk_update(
                changed, ["amount", "note", "period_end", "unit_id", "updated_at"], batch_size=500
            )
            pks = [p.pk for p in changed]
            for start in range(0, len(pks), CHUNK):
                PayoutLine.objects.filter(payout__in=pks[start : start + CHUNK]).delete()
            _write_lines({payout.pk: lines for payout, _before, lines in recalculated})
            record_bulk(
                actor,
                Action.UPDATE,
                Payout,
                ((p.pk, before, _state_of(p)) for p, before, _lines in recalculated),
                reason=gettext_noop("Recalculated"),
                describe=_labels(changed),
            )
            report.updated = len(recalculated)
        # Frozen payouts whose results changed: prior-period adjustments, paid on the
        # first open payout (brought in line by a second pass over those payouts).
        targets = refresh_adjustments(actor, people=person_pks)
        if targets:
            again = sync_payouts(
                actor, people={k[0] for k in targets}, periods={k[1] for k in targets}
            )
            report.created += again.created
            report.updated += again.updated
            report.returned += again.returned
            report.paid_changed += again.paid_changed
    return report


def _labels(payouts: list[Payout]) -> Callable[[Any, Any, Any], str]:
    """The audit label of each payout of a bulk event ("E0054 2026-Q3", as
    ``Payout.__str__`` names one), read with one query per chunk of people."""
    codes: dict[int, str] = {}
    person_pks = sorted({p.person_id for p in payouts})
    for start in range(0, len(person_pks), CHUNK):
        codes.update(
            Person.objects.filter(pk__in=person_pks[start : start + CHUNK]).values_list(
                "pk", "code"
            )
        )
    labels = {p.pk: f"{codes.get(p.person_id, p.person_id)} {p.period}" for p in payouts}
    return lambda pk, _before, _after: labels.get(pk, str(pk))


def _payouts(pks: Iterable[int]) -> Iterable[Payout]:
    """The payouts of ``pks`` as model instances, CHUNK at a time."""
    ordered = sorted(pks)
    for start in range(0, len(ordered), CHUNK):
        yield from Payout.objects.filter(pk__in=ordered[start : start + CHUNK]).order_by("pk")


def _move(actor: Any, moved: Mapping[int, tuple[int | None, int | None]]) -> None:
    """A person moved to another unit with the same money: the unpaid payout follows the
    stored result's unit (the register's unit totals and payroll's cost centre read it),
    keeping its state (the amount reviewed and approved is the same); audited."""
    units = {pk for pair in moved.values() for pk in pair if pk is not None}
    codes = dict(Unit.objects.filter(pk__in=units).values_list("pk", "code"))
    for payout in Payout.objects.select_related("person").filter(pk__in=list(moved)):
        before, after = moved[payout.pk]
        payout.unit_id = after
        payout.save(update_fields=["unit", "updated_at"])
        record_change(
            actor,
            Action.UPDATE,
            payout,
            before={"unit": codes.get(before) if before else None},
            after={"unit": codes.get(after) if after else None},
            reason=gettext_noop("Moved to another unit"),
        )


def _create(payouts: Sequence[Payout], existing: Any) -> None:
    """Insert new ``payouts`` in bulk (``attain.web.inserts``: one ``executemany`` or
    ``COPY``, not ``bulk_create``) and give each its primary key, read back by its
    (person, period) from ``existing`` (the query the new payouts fall under)."""
    if not payouts:
        return
    now = timezone.now()
    fields = [f.attname for f in Payout._meta.concrete_fields if not f.primary_key]
    for payout in payouts:
        payout.updated_at = now
    insert_rows(Payout, ({name: getattr(p, name) for name in fields} for p in payouts))
    by_key = {(p.person_id, p.period): p for p in payouts}
    new_rows = existing.filter(period__in={p.period for p in payouts}).order_by()
    for pk, person_id, period in new_rows.values_list("pk", "person_id", "period"):
        new = by_key.get((person_id, period))
        if new is not None:
            new.pk = pk
            new._state.adding = False


def _write_lines(by_payout: dict[int, Lines]) -> None:
    insert_rows(
        PayoutLine,
        (
            {"payout_id": pk, "plan": plan, "component": component, "kind": kind, "amount": amount}
            for pk, lines in by_payout.items()
            for (plan, component), (kind, amount) in lines.items()
        ),
    )


# Steps --------------------------------------------------------------------------------

ILLEGAL = {
    "review": gettext_lazy("can be reviewed only when calculated"),
    "approve": gettext_lazy("can be approved only when reviewed"),
    "pay": gettext_lazy("can be marked paid only when approved"),
}


class FourEyes(PermissionDenied):
    """Segregation of duties refused a step on a payout: the login's own payout (``rule``
    "own payout") or one the login reviewed (``rule`` "four eyes"); audited by
    :func:`audit_refusal` once the step's transaction has ended."""

    def __init__(self, message: str, payout: Payout, step: str, rule: str) -> None:
        super().__init__(message)
        self.payout, self.step, self.rule, self.state = payout, step, rule, payout.state


def audit_refusal(actor: Any, refusal: FourEyes) -> None:
    """Record a four-eyes refusal (as the plan four-eyes refusal is): a "refused" event
    on the payout, the step, the payout's state and the rule, the message as reason."""
    record_event(
        actor,
        Action.REFUSED,
        Payout,
        refusal.payout.pk,
        str(refusal.payout),
        after={"step": refusal.step, "state": refusal.state, "rule": refusal.rule},
        reason=str(refusal),
    )


def _step(
    actor: Any,
    payouts: Sequence[Payout],
    *,
    name: str,
    source: str,
    target: str,
    allowed: Callable[[Payout], bool],
    refused: str,
    stamp: Callable[[Payout], None],
    reason: str = "",
    amounts: Mapping[str, Decimal] | None = None,
    seen: str = "export",
) -> int:
    """Move every payout in ``payouts`` from ``source`` to ``target``, all or nothing;
    ``amounts`` (person code → amount), when given, the amount each must still have:
    the amounts of the payroll export (``seen`` "export") or of the register's page
    (``seen`` "page") the step was taken from."""
    changed = (
        _("%(payout)s changed since the page was shown (%(shown)s → %(now)s): look again.")
        if seen == "page"
        else _("%(payout)s changed since the export (%(shown)s → %(now)s): export again.")
    )
    if not payouts:
        raise ValidationError({"people": _("Choose at least one payout.")})
    try:
        return _step_in_transaction(
            actor, payouts, name, source, target, allowed, refused, stamp, reason, amounts, changed
        )
    except FourEyes as refusal:
        # audited, and kept: the refusal is written after the step's transaction ended
        audit_refusal(actor, refusal)
        raise


def _step_in_transaction(
    actor: Any,
    payouts: Sequence[Payout],
    name: str,
    source: str,
    target: str,
    allowed: Callable[[Payout], bool],
    refused: str,
    stamp: Callable[[Payout], None],
    reason: str,
    amounts: Mapping[str, Decimal] | None,
    changed: str,
) -> int:
    """:func:`_step`'s checks and changes, in one transaction."""
    with transaction.atomic():
        rows = lock_payouts(payouts)
        for payout in rows:
            if access.is_own(actor, payout.person) and not allowed(payout):
                label = payout_label(payout)
                raise FourEyes(access.own_refusal(label), payout, name, "own payout")
            if not allowed(payout):
                raise PermissionDenied(refused)
            if name == "approve" and access.reviewed_it(actor, payout):
                label = payout_label(payout)
                raise FourEyes(access.reviewer_refusal(label), payout, name, "four eyes")
        problems = []
        for payout in rows:
            label = payout_label(payout)
            if payout.state != source:
                problems.append(
                    _("%(payout)s is %(state)s: it %(rule)s.")
                    % {
                        "payout": label,
                        "state": payout.get_state_display().lower(),
                        "rule": ILLEGAL[name],
                    }
                )
            elif payout.held and name in {"approve", "pay"}:
                problems.append(
                    _("%(payout)s is held (%(reason)s): release it first.")
                    % {"payout": label, "reason": payout.hold_reason}
                )
            elif payout.amount < ZERO and name in {"approve", "pay"}:
                problems.append(negative_refusal(label, payout.amount))
            elif amounts is not None and amounts.get(payout.person.code) != payout.amount:
                problems.append(
                    changed
                    % {
                        "payout": label,
                        "shown": amount_text(amounts.get(payout.person.code, "—")),
                        "now": amount_text(payout.amount),
                    }
                )
        if problems:
            raise ValidationError({"action": problems})
        for payout in rows:
            before = _state_of(payout)
            payout.state = target
            stamp(payout)
            payout.note = {}
            save_update(actor, payout, before=before, state=_state_of, reason=reason)
    return len(rows)


def lock_payouts(payouts: Sequence[Payout]) -> list[Payout]:
    """``payouts`` read again and locked for a step (in a transaction), with their
    people, in a fixed order (no deadlock between two steps)."""
    return list(
        Payout.objects.select_for_update()
        .select_related("person")
        .filter(pk__in=[p.pk for p in payouts])
        .order_by("pk")
    )


def negative_refusal(label: str, amount: Decimal) -> str:
    """The message refusing to approve or pay a payout below zero (a clawback or a
    dispute adjustment larger than what was earned): payroll gets no negative pay line."""
    return _(
        "%(payout)s comes to %(amount)s, below zero: a negative payout is not approved, "
        "exported or paid (payroll gets no negative pay line). Carry its deficit forward "
        "(the register's action “%(action)s”, with the reason): the payout comes to zero "
        "and the deficit is recovered from the person's next payout. It can also be "
        "approved once a recalculation brings it to zero or more."
    ) % {"payout": label, "amount": amount_text(amount), "action": _("Carry the deficit forward")}


@dataclass(frozen=True)
class _SignOff:
    """A step taken on the register's page by who signs it off: who may take it at all
    (``can``), for whose payout (``may``), and the payout's fields that record who took
    it and when (``<signed>_by``, ``<signed>_at``)."""

    source: str
    target: str
    can: Callable[[Any], bool]
    may: Callable[[Any, Any], bool]
    refused: Any  # a lazy translation
    signed: str


SIGN_OFFS = {
    "review": _SignOff(
        PayoutState.CALCULATED,
        PayoutState.REVIEWED,
        access.can_review_payouts,
        access.may_review,
        gettext_lazy("Only the person's manager reviews a payout."),
        "reviewed",
    ),
    "approve": _SignOff(
        PayoutState.REVIEWED,
        PayoutState.APPROVED,
        access.can_approve_payouts,
        access.may_approve,
        gettext_lazy("Only finance approves payouts."),
        "approved",
    ),
}


def _sign_off(
    name: str,
    actor: Any,
    payouts: Sequence[Payout],
    reason: str,
    amounts: Mapping[str, Decimal] | None,
) -> int:
    """The review or approval ``name`` (one of :data:`SIGN_OFFS`) through :func:`_step`,
    stamped with who took it and when."""
    step = SIGN_OFFS[name]
    refused = str(step.refused)
    access.check(step.can(actor), refused)
    now = timezone.now()

    def stamp(payout: Payout) -> None:
        setattr(payout, f"{step.signed}_by", actor)
        setattr(payout, f"{step.signed}_at", now)

    return _step(
        actor,
        payouts,
        name=name,
        source=step.source,
        target=step.target,
        allowed=lambda p: step.may(actor, p.person),
        refused=refused,
        stamp=stamp,
        reason=reason,
        amounts=amounts,
        seen="page",
    )


def review_payouts(
    actor: Any,
    payouts: Sequence[Payout],
    *,
    reason: str = "",
    amounts: Mapping[str, Decimal] | None = None,
) -> int:
    """The person's manager has checked the numbers (``amounts``: those the register's
    page showed, when it was taken there)."""
    return _sign_off("review", actor, payouts, reason, amounts)


def approve_payouts(
    actor: Any,
    payouts: Sequence[Payout],
    *,
    reason: str = "",
    amounts: Mapping[str, Decimal] | None = None,
) -> int:
    """Finance approves reviewed payouts for payment (``amounts``: those the register's
    page showed, when it was taken there)."""
    return _sign_off("approve", actor, payouts, reason, amounts)


def mark_paid(
    actor: Any,
    payouts: Sequence[Payout],
    *,
    reference: str,
    paid_on: datetime.date | None,
    reason: str = "",
    amounts: Mapping[str, Decimal] | None = None,
    seen: str = "export",
) -> int:
    """Finance records the payment of approved payouts: a reference and the date paid.
    ``amounts`` (person code → amount): those of the export sent to the bank (``seen``
    "export") or of the register's page (``seen`` "page"); a payout whose amount
    differs now (recalculated and approved again since) refuses the step."""
    access.check(access.can_pay_payouts(actor), _("Only finance marks payouts paid."))
    reference = (reference or "").strip()
    errors = {}
    if not reference:
        errors["reference"] = _("Give the payment reference.")
    if "\x00" in reference:
        errors["reference"] = _("The reference holds a character that is not allowed.")
    if paid_on is None:
        errors["paid_on"] = _("Give the date paid.")
    elif paid_on > timezone.localdate() + datetime.timedelta(days=31):
        errors["paid_on"] = _("The date paid is more than a month ahead.")
    else:  # a typo (1900, 2006): nothing is paid for a period before it begins
        early = sorted(
            (bounds[0], p.period) for p in payouts if (bounds := period_bounds(p.period))
        )
        if early and paid_on < early[-1][0]:
            errors["paid_on"] = _("The date paid is before %(period)s begins (%(start)s).") % {
                "period": early[-1][1],
                "start": date_format(early[-1][0], "DATE_FORMAT"),
            }
    if errors:
        raise ValidationError(errors)

    def stamp(payout: Payout) -> None:
        payout.paid_by, payout.paid_on, payout.payment_reference = actor, paid_on, reference

    return _step(
        actor,
        payouts,
        name="pay",
        source=PayoutState.APPROVED,
        target=PayoutState.PAID,
        allowed=lambda p: access.may_pay(actor, p.person),
        refused=_("Only finance marks payouts paid."),
        stamp=stamp,
        reason=reason or reference,
        amounts=amounts,
        seen=seen,
    )


def payout_label(payout: Payout) -> str:
    """A payout named in a message: the person, their code and the period, bracketed as
    the active language brackets (（） in Chinese)."""
    return _("%(name)s (%(code)s) %(period)s") % {
        "name": payout.person.name,
        "code": payout.person.code,
        "period": payout.period,
    }


def check_not_own(actor: Any, payout: Payout, step: str) -> None:
    """Segregation of duties: nobody holds or releases (``step``) their own payout; the
    refusal is audited (call it outside a transaction that the refusal rolls back)."""
    person = payout.person
    if not access.may_hold(actor, person):
        label = payout_label(payout)
        refusal = FourEyes(access.own_refusal(label), payout, step, "own payout")
        if access.is_own(actor, person):
            audit_refusal(actor, refusal)
        raise refusal


def hold_payout(actor: Any, payout: Payout, *, reason: str) -> Payout:
    """Hold one person's payout: still owed, not paid until released."""
    if not access.can_hold_payouts(actor):
        raise PermissionDenied(_("Only finance or sales operations hold payouts."))
    check_not_own(actor, payout, "hold")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason for the hold.")})
    with transaction.atomic():
        payout = Payout.objects.select_for_update().get(pk=payout.pk)
        if payout.state == PayoutState.PAID:
            raise ValidationError({"action": _("A paid payout cannot be held.")})
        if payout.held:
            raise ValidationError({"action": _("This payout is already held.")})
        before = _state_of(payout)
        payout.held, payout.hold_reason = True, reason[:500]
        payout.held_by, payout.held_at = actor, timezone.now()
        save_update(actor, payout, before=before, state=_state_of, reason=reason)
    return payout


def release_payout(actor: Any, payout: Payout, *, reason: str = "") -> Payout:
    """Release a hold: the payout goes on from the state it was held in."""
    if not access.can_hold_payouts(actor):
        raise PermissionDenied(_("Only finance or sales operations release holds."))
    check_not_own(actor, payout, "release")
    with transaction.atomic():
        payout = Payout.objects.select_for_update().get(pk=payout.pk)
        if not payout.held:
            raise ValidationError({"action": _("This payout is not held.")})
        if payout.hold_source.startswith(f"{INTEGRITY_HOLD}:"):
            # the alert decides: lifted here, the alert would still say it holds the
            # payout (and a reviewer could lift a hold on their own pay)
            raise ValidationError(
                {"action": _("An integrity review holds this payout: lift it on its alert.")}
            )
        before = _state_of(payout)
        keeper = next((alert for alert in _holding_alerts() if _holds(alert, payout)), None)
        if keeper is not None:  # held since before a confirmed alert: it holds it now
            payout.hold_source = f"{INTEGRITY_HOLD}:{keeper.pk}"
            payout.hold_reason = _hold_reason(keeper)
            save_update(
                actor,
                payout,
                before=before,
                state=_state_of,
                reason=gettext_noop("Hold released; an integrity review still holds the payout"),
            )
            return payout
        payout.held, payout.held_by, payout.held_at = False, None, None
        payout.hold_source = ""
        save_update(
            actor,
            payout,
            before=before,
            state=_state_of,
            reason=reason or gettext_noop("Hold released"),
        )
    return payout


INTEGRITY_HOLD = "integrity"  # Payout.hold_source of a hold that follows an alert


def _overlaps(payout_period: str, payout_end: datetime.date, alert_period: str) -> bool:
    """Whether a payout's period (a month, quarter, half, year or a plan's own period)
    shares a day with an integrity alert's (a quarter): a monthly plan's payouts of the
    quarter's months are the alert's too."""
    alert = period_bounds(alert_period)
    if alert is None:
        return payout_period == alert_period
    own = period_bounds(payout_period)
    if own is None:
        return alert[0] <= payout_end <= alert[1]
    return own[0] <= alert[1] and alert[0] <= own[1]


def _integrity_hold(actor: Any, payout: Payout, alert: Any) -> bool:
    """Hold ``payout`` for ``alert`` (confirmed with a hold); False when already held."""
    if payout.held or payout.state == PayoutState.PAID:
        return False
    before = _state_of(payout)
    reason = _hold_reason(alert)
    payout.held, payout.hold_reason = True, reason
    payout.hold_source = f"{INTEGRITY_HOLD}:{alert.pk}"
    payout.held_by, payout.held_at = actor, timezone.now()
    save_update(actor, payout, before=before, state=_state_of, reason=reason)
    return True


def follow_integrity_hold(actor: Any, alert: Any, *, hold: bool) -> int:
    """Hold (or release) the unpaid payouts of an integrity alert's people for the
    alert's period (every payout whose period shares a day with it: the months of a
    quarter for a monthly plan), as decided by the integrity reviewer (audited as
    theirs). Releasing lifts only the holds this alert placed. Returns how many
    payouts changed."""
    payouts = Payout.objects.filter(person__in=alert.people.all()).exclude(state=PayoutState.PAID)
    tag = f"{INTEGRITY_HOLD}:{alert.pk}"
    changed = 0
    with transaction.atomic():
        locked = list(payouts.select_for_update())
        # read once the payouts are locked: an alert confirmed meanwhile (whose own
        # hold found them still held by this one) keeps them held
        others = [] if hold else list(_holding_alerts().exclude(pk=alert.pk))
        for payout in locked:
            if not _overlaps(payout.period, payout.period_end, alert.period):
                continue
            if hold:
                changed += _integrity_hold(actor, payout, alert)
            elif payout.held and payout.hold_source == tag:
                before = _state_of(payout)
                keeper = next((other for other in others if _holds(other, payout)), None)
                if keeper is not None:  # another confirmed alert still holds it
                    payout.hold_source = f"{INTEGRITY_HOLD}:{keeper.pk}"
                    payout.hold_reason = _hold_reason(keeper)
                    reason = _("Integrity hold lifted; another alert still holds the payout")
                else:
                    payout.held, payout.held_by, payout.held_at = False, None, None
                    payout.hold_source = ""
                    reason = _("Integrity hold lifted")
                save_update(actor, payout, before=before, state=_state_of, reason=reason)
                changed += 1
    return changed


def paid_beyond_hold(alert: Any) -> list[str]:
    """What an integrity hold could not do: the payouts of the alert's people for its
    period that are paid already (a hold stops only unpaid ones), named for the reviewer
    with the way to take the money back. Empty when there are none."""
    paid = [
        payout
        for payout in Payout.objects.filter(
            person__in=alert.people.all(), state=PayoutState.PAID
        ).select_related("person")
        if _overlaps(payout.period, payout.period_end, alert.period)
    ]
    if not paid:
        return []
    periods: dict[Any, list[str]] = {}
    for payout in sorted(paid, key=lambda p: (p.person.name, p.person.code, p.period_end)):
        periods.setdefault(payout.person, []).append(payout.period)
    comma = pgettext("list separator", ", ")
    people = pgettext("reasons separator", "; ").join(
        _("%(name)s (%(periods)s)") % {"name": person.name, "periods": comma.join(found)}
        for person, found in periods.items()
    )
    message = ngettext(
        "%(count)d payout already paid cannot be held: %(people)s. To take the money "
        "back, confirm with “%(option)s” (the clawback).",
        "%(count)d payouts already paid cannot be held: %(people)s. To take the money "
        "back, confirm with “%(option)s” (the clawback).",
        len(paid),
    )
    return [message % {"count": len(paid), "people": people, "option": _(REJECT_OPTION)}]


# The integrity decision's option that stops an alert's records counting (its label)
REJECT_OPTION = gettext_noop("Stop these records counting")


def _holding_alerts() -> Any:
    """The integrity alerts confirmed with a hold, with their people."""
    return Alert.objects.filter(status=AlertStatus.CONFIRMED, hold=True).prefetch_related("people")


def _holds(alert: Any, payout: Payout) -> bool:
    """Whether a confirmed alert with a hold covers the payout's person and period."""
    people = {person.pk for person in alert.people.all()}
    return payout.person_id in people and _overlaps(payout.period, payout.period_end, alert.period)


def _hold_reason(alert: Any) -> str:
    reason: str = _("Integrity review: %(reason)s") % {"reason": alert.resolution}
    return reason[:500]


def _follow_held_alerts(actor: Any, payouts: Sequence[Payout]) -> int:
    """New payouts of a person and period an integrity alert already holds are held
    too (the alert was confirmed before the period was calculated)."""
    if not payouts:
        return 0
    held = 0
    for alert in _holding_alerts().order_by("pk"):
        for payout in payouts:
            if _holds(alert, payout):
                held += _integrity_hold(actor, payout, alert)
    return held


# Payroll column mapping ---------------------------------------------------------------


# a line break or tab in a header or the pay code breaks every row of the bank's file
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def set_payroll_mapping(
    actor: Any,
    columns: Sequence[dict[str, str]],
    pay_code: str,
    *,
    zero_lines: bool | None = None,
    reason: str = "",
) -> PayrollMapping:
    """Store the payroll export's columns: each ``{"header", "source"}`` in order; and
    whether a payout of zero is a line of the file (None: as it is)."""
    access.check_edit_payroll_mapping(actor)
    problems = []
    cleaned = []
    headers: set[str] = set()
    for n, column in enumerate(columns, start=1):
        header = str(column.get("header", "")).strip()
        source = str(column.get("source", "")).strip()
        if not header or len(header) > 60 or _CONTROL.search(header):
            problems.append(
                _("Column %(n)s: give a header of at most 60 characters, on one line.") % {"n": n}
            )
        elif header in headers:
            problems.append(
                _("Column %(n)s: the header %(header)s is used twice.") % {"n": n, "header": header}
            )
        if source not in PayrollSource.values:
            problems.append(
                _("Column %(n)s: the source must be one of %(sources)s.")
                % {"n": n, "sources": ", ".join(PayrollSource.values)}
            )
        headers.add(header)
        cleaned.append({"header": header, "source": source})
    errors: dict[str, Any] = {}
    if not cleaned:
        errors["columns"] = _("Give at least one column.")
    elif problems:
        errors["columns"] = problems
    elif "amount" not in {c["source"] for c in cleaned}:
        errors["columns"] = _("The export needs an amount column.")
    pay_code = (pay_code or "").strip()
    if not pay_code or len(pay_code) > 40 or _CONTROL.search(pay_code):
        errors["pay_code"] = _("Give a pay code of at most 40 characters, on one line.")
    if errors:
        raise ValidationError(errors)
    values: dict[str, Any] = {"columns": cleaned, "pay_code": pay_code}
    if zero_lines is not None:
        values["zero_lines"] = bool(zero_lines)
    return update_settings(
        actor,
        PayrollMapping,
        values,
        state=lambda row: {
            "columns": row.columns,
            "pay_code": row.pay_code,
            "zero_lines": row.zero_lines,
        },
        reason=reason,
    )
