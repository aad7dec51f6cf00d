"""Reads of payouts, always through the one visibility rule (docs/pay.md, "Payout
register"): the register with its totals, the payroll export's rows and the accrual."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from attain.calc.periods import period_bounds
from attain.org.company import money_places
from attain.org.models import Unit
from attain.org.selectors import unit_descendant_ids, visible_people

from .models import (
    DEFAULT_COLUMNS,
    ZERO,
    Payout,
    PayoutLine,
    PayoutState,
    PayrollMapping,
    PayrollSource,
)


def payouts(
    user: Any,
    *,
    period: str | None = None,
    unit: Unit | None = None,
    state: str | None = None,
    held: bool | None = None,
) -> QuerySet[Payout]:
    """The payouts of the people ``user`` may see, filtered."""
    return (
        _selected(user, period=period, unit=unit, state=state, held=held)
        .select_related("person", "unit")
        .prefetch_related(
            Prefetch("lines", queryset=PayoutLine.objects.order_by("plan", "component")),
            "adjustments",
        )
        .order_by("-period", "unit__name", "person__code")
    )


def _selected(
    user: Any,
    *,
    period: str | None = None,
    unit: Unit | None = None,
    state: str | None = None,
    held: bool | None = None,
) -> QuerySet[Payout]:
    rows = Payout.objects.filter(person__in=visible_people(user))
    if period:
        rows = rows.filter(period=period)
    if unit is not None:
        rows = rows.filter(unit_id__in=unit_descendant_ids(unit))
    if state:
        rows = rows.filter(state=state)
    if held is not None:
        rows = rows.filter(held=held)
    return rows


def periods(user: Any) -> list[str]:
    """The pay periods with payouts ``user`` may see, newest first."""
    return list(
        Payout.objects.filter(person__in=visible_people(user))
        .order_by("-period")
        .values_list("period", flat=True)
        .distinct()
    )


def period_under_way(periods: list[str]) -> str:
    """The pay period the pages open on, of ``periods`` (newest first): the newest that
    has begun in the company's time zone. Calculating a fiscal year stores payouts for
    its quarters still to come (zeros); an October fiscal year's 2026-Q4 ends in
    September 2027. The newest of all when none has begun; "" when there are none."""
    today = timezone.localdate()
    for period in periods:
        bounds = period_bounds(period)
        if bounds is None or bounds[0] <= today:
            return period
    return periods[0] if periods else ""


@dataclass
class Totals:
    """Sums of a set of payouts: all, by state, held, payable (approved and not held)."""

    total: Decimal = ZERO
    by_state: dict[str, Decimal] = field(
        default_factory=lambda: dict.fromkeys(PayoutState.values, ZERO)
    )
    held: Decimal = ZERO
    payable: Decimal = ZERO
    count: int = 0

    def add_amount(self, amount: Decimal, *, state: str, held: bool) -> None:
        self.total += amount
        self.by_state[state] += amount
        self.count += 1
        if held:
            self.held += amount
        if state == PayoutState.APPROVED and not held:  # Payout.payable
            self.payable += amount


@dataclass
class Register:
    rows: list[Payout]
    totals: Totals
    by_unit: list[tuple[str, str, Totals]]  # (unit code, unit name, totals)
    page: Page[Payout] | None = None  # the page ``rows`` are, when paged


REGISTER_PAGE = 100  # payouts a page of the register lists


def register(user: Any, *, page: str | int | None = None, **filters: Any) -> Register:
    """The payouts the filters select with their totals (all and by unit). With ``page``
    (a page number as the address gives it), ``rows`` are that page's
    (:data:`REGISTER_PAGE` a page; a number past the end: the last page), while the
    totals still cover every payout selected."""
    totals, by_unit = register_totals(user, **filters)
    listed = payouts(user, **filters)
    if page is None:
        return Register(rows=list(listed), totals=totals, by_unit=by_unit)
    shown = Paginator(listed, REGISTER_PAGE).get_page(page)
    return Register(rows=list(shown.object_list), totals=totals, by_unit=by_unit, page=shown)


def register_totals(user: Any, **filters: Any) -> tuple[Totals, list[tuple[str, str, Totals]]]:
    """The totals of the payouts the filters select: all, and by unit (code, name, totals;
    by unit name), summed in the database's rows without loading the payouts."""
    totals = Totals()
    units: dict[tuple[str, str], Totals] = defaultdict(Totals)
    amounts = (
        _selected(user, **filters)
        .order_by()  # summed, not shown: no join and sort by person
        .values_list("unit__code", "unit__name", "state", "held", "amount")
    )
    for code, name, state, held, amount in amounts.iterator(chunk_size=5000):
        totals.add_amount(amount, state=state, held=held)
        key = (code, name) if code is not None else ("", _("No unit"))
        units[key].add_amount(amount, state=state, held=held)
    by_unit = [(code, name, t) for (code, name), t in sorted(units.items(), key=lambda i: i[0][1])]
    return totals, by_unit


def register_header() -> list[str]:
    """The register file's column headers, in the reader's language (the file is a report
    for people, as the page is: nothing reads it back)."""
    return [
        pgettext("export column", "Period"),
        pgettext("export column", "Employee ID"),
        pgettext("export column", "Name"),
        pgettext("export column", "Unit"),
        pgettext("export column", "State"),
        pgettext("export column", "Held"),
        pgettext("export column", "Hold reason"),
        pgettext("export column", "Plan"),
        pgettext("export column", "Component"),
        pgettext("export column", "Amount"),
        pgettext("export column", "Payment reference"),
        pgettext("export column", "Paid on"),
    ]


def register_rows(rows: list[Payout], *, typed: bool = False) -> list[list[Any]]:
    """The register as a table: one line per component of each payout (a payout without
    components: one line with its amount)."""
    table: list[list[Any]] = [register_header()]
    yes, no = _("Yes"), _("No")
    for payout in rows:
        head = [
            payout.period,
            payout.person.code,
            payout.person.name,
            payout.unit.code if payout.unit else "",
            payout.get_state_display(),
            yes if payout.held else no,
            payout.hold_reason if payout.held else "",
        ]
        tail = [payout.payment_reference, payout.paid_on]
        lines: list[PayoutLine | None] = list(payout.lines.all()) or [None]
        for line in lines:
            if line is None:
                table.append([*head, "", "", in_places(payout.amount), *tail])
            else:
                # a prior-period adjustment line: plan "", component the adjusted period
                plan = line.plan or pgettext("component kind", line.kind)
                table.append([*head, plan, line.component, in_places(line.amount), *tail])
    return table


# Payroll ------------------------------------------------------------------------------


def payroll_mapping() -> PayrollMapping:
    row = PayrollMapping.objects.filter(pk=1).first()
    return row or PayrollMapping(pk=1, columns=list(DEFAULT_COLUMNS))


def payroll_payouts(user: Any, period: str) -> list[Payout]:
    """What payroll pays for ``period``: approved payouts that are not held, and never
    one below zero (approved before that was refused): no negative pay line."""
    return list(
        payouts(user, period=period, state=PayoutState.APPROVED, held=False)
        .filter(amount__gte=ZERO)
        .order_by("person__code")
    )


def in_places(amount: Decimal) -> Decimal:
    """``amount`` (stored to the cent) with the places of the company's currency, as a
    file gives it: 120000 in yen, 1234.50 in yuan or dollars. Payouts in a currency
    without cents are whole, so nothing is rounded away."""
    return amount.quantize(Decimal(1).scaleb(-money_places()), rounding=ROUND_HALF_UP)


def _value(payout: Payout, source: str, mapping: PayrollMapping) -> Any:
    if source == PayrollSource.EMPLOYEE_ID:
        return payout.person.code
    if source == PayrollSource.NAME:
        return payout.person.name
    if source == PayrollSource.AMOUNT:
        return in_places(payout.amount)
    if source == PayrollSource.PAY_CODE:
        return mapping.pay_code
    if source == PayrollSource.COST_CENTRE:
        return payout.unit.code if payout.unit else ""
    return payout.period


@dataclass
class Payroll:
    header: list[str]
    rows: list[list[Any]]
    payouts: list[Payout]  # every payout the export settles: marked paid with it
    total: Decimal
    zeros: list[Payout] = field(default_factory=list)  # of ``payouts``: no line, nothing to pay


def payroll(user: Any, period: str) -> Payroll:
    """The payroll file of ``period``: a line per approved payout that is not held, in
    the configured columns. A payout of zero is no line (payroll pays amounts; a payout
    carried to zero after its deficit moved on, or nothing earned), unless the mapping's
    ``zero_lines`` asks for every person; it is still among ``payouts``, which marking
    the export paid settles (paid at zero)."""
    mapping = payroll_mapping()
    columns = mapping.columns or DEFAULT_COLUMNS
    chosen = payroll_payouts(user, period)
    zeros = [] if mapping.zero_lines else [p for p in chosen if p.amount == ZERO]
    lines = [p for p in chosen if p not in zeros]
    rows = [[_value(p, c["source"], mapping) for c in columns] for p in lines]
    total = sum((p.amount for p in chosen), ZERO)
    return Payroll([c["header"] for c in columns], rows, chosen, total, zeros)


# Accrual ------------------------------------------------------------------------------


@dataclass
class AccrualRow:
    period: str
    unit_code: str
    unit_name: str
    calculated: Decimal = ZERO
    reviewed: Decimal = ZERO
    approved: Decimal = ZERO
    held: Decimal = ZERO
    total: Decimal = ZERO
    people: int = 0


def accrual(user: Any, period: str | None = None) -> list[AccrualRow]:
    """Earned but not yet paid, by period and unit: every payout not yet paid (held
    ones too: a held amount is still owed)."""
    found: dict[tuple[str, str], AccrualRow] = {}
    rows = payouts(user, period=period).exclude(state=PayoutState.PAID).order_by()
    for p in rows.values_list("period", "unit__code", "unit__name", "state", "held", "amount"):
        period_id, code, name, state, held, amount = p
        key = (period_id, code or "")
        row = found.setdefault(key, AccrualRow(period_id, code or "", name or _("No unit")))
        setattr(row, state, getattr(row, state) + amount)
        if held:
            row.held += amount
        row.total += amount
        row.people += 1
    return sorted(found.values(), key=lambda r: (r.period, r.unit_name))


def accrual_table(rows: list[AccrualRow]) -> list[list[Any]]:
    """The accrual report as a file: headers in the reader's language, as on the page."""
    table: list[list[Any]] = [
        [
            pgettext("export column", "Period"),
            pgettext("export column", "Unit"),
            pgettext("export column", "People"),
            pgettext("export column", "Calculated"),
            pgettext("export column", "Reviewed"),
            pgettext("export column", "Approved"),
            pgettext("export column", "Held"),
            pgettext("export column", "Not yet paid"),
        ]
    ]
    table += [
        [r.period, r.unit_code, r.people, r.calculated, r.reviewed, r.approved, r.held, r.total]
        for r in rows
    ]
    return table
