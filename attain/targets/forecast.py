"""Forecasts of period-end values beside pace: per person and unit, for the measures of a
plan that can be forecast (sums and counts), for the quarter and the month of a day.

Computed by :mod:`attain.calc.forecast` (the engine's model, docs/forecast.md) and cached
per plan, day and data fingerprint like pace.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from attain.calc.cache import cached, data_fingerprint
from attain.calc.forecast import forecast_periods
from attain.org.models import Person, Unit

from .models import TargetPlan
from .pace import PaceRow, pace_report

BASIS_TEXT = {
    "model": _(
        "Actual to date + the open pipeline (win odds learned from stage history) + the "
        "person's run-rate and seasonality, fitted on earlier periods."
    ),
    "no_pipeline": _(
        "Actual to date + the person's run-rate and seasonality, fitted on earlier "
        "periods; no pipeline feeds this measure."
    ),
    "no_history": _(
        "Too little history (under 60 days): actual ÷ elapsed share, with a wide range."
    ),
    "new_unit": _(
        "A unit opened this month and too little history: actual ÷ elapsed share, with a "
        "wide range."
    ),
    "units": _("The sum of its people's forecasts; the range assumes they vary independently."),
    "left": _("Left during the period: what they booked is final."),
}
CENT = Decimal("0.01")


@dataclass(frozen=True)
class ForecastRow:
    who: str
    name: str
    kind: str  # "person" or "unit"
    measure: str
    period: str
    actual: Decimal
    target: Decimal | None
    p10: Decimal
    p50: Decimal
    p90: Decimal
    run_rate: Decimal | None
    pipeline: Decimal | None
    basis: str

    @property
    def basis_text(self) -> str:
        return str(BASIS_TEXT.get(self.basis, self.basis))

    def attainment(self, value: Decimal) -> Decimal | None:
        return (value / self.target).quantize(Decimal("0.0001")) if self.target else None

    @property
    def attainment_p10(self) -> Decimal | None:
        return self.attainment(self.p10)

    @property
    def attainment_p50(self) -> Decimal | None:
        return self.attainment(self.p50)

    @property
    def attainment_p90(self) -> Decimal | None:
        return self.attainment(self.p90)

    @property
    def key(self) -> str:
        return f"{self.kind}|{self.who}|{self.measure}|{self.period}"


def _money(value: object) -> Decimal:
    return Decimal(str(value or 0)).quantize(CENT)


def forecast_report(
    plan: TargetPlan, as_of: datetime.date, *, pace: list[PaceRow] | None = None
) -> list[ForecastRow]:
    """Everyone with a target of the plan's measures, for the quarter and month of
    ``as_of`` (cached per data change). ``pace``: the plan's :func:`pace_report` of that
    day, when already at hand."""
    key = (plan.pk, as_of, data_fingerprint(ignore_audit_of=("incentives",)))
    return cached("targets.forecast", key, lambda: _compute(plan, as_of, pace), keep=8)


def _compute(
    plan: TargetPlan, as_of: datetime.date, pace: list[PaceRow] | None
) -> list[ForecastRow]:
    if pace is None:
        pace = pace_report(plan, as_of)
    targets = {(r.kind, r.who, r.measure, r.period): r.target for r in pace}
    carriers = {(r.kind, r.who) for r in pace}
    codes = sorted({r.measure for r in pace})
    if not codes:
        return []
    names = {
        "person": dict(Person.objects.values_list("code", "name")),
        "unit": dict(Unit.objects.values_list("code", "name")),
    }
    rows: list[ForecastRow] = []
    for measure, period, person_rows, unit_rows in forecast_periods(codes, as_of):
        for kind, frame in (("person", person_rows), ("unit", unit_rows)):
            for r in frame.iter_rows(named=True):
                who = r[kind]
                if (kind, who) not in carriers:
                    continue
                # A unit's row sums its people's: no run rate, pipeline or basis of its own.
                of_person = kind == "person"
                rows.append(
                    ForecastRow(
                        who,
                        names[kind].get(who, who),
                        kind,
                        measure,
                        period.id,
                        _money(r["actual"]),
                        targets.get((kind, who, measure, period.id)),
                        _money(r["p10"]),
                        _money(r["p50"]),
                        _money(r["p90"]),
                        _money(r["run_rate"]) if of_person else None,
                        _money(r["pipeline"]) if of_person else None,
                        r["basis"] if of_person else "units",
                    )
                )
    return rows


def by_key(rows: list[ForecastRow]) -> dict[str, ForecastRow]:
    return {r.key: r for r in rows}


@dataclass(frozen=True)
class Fan:
    """A fan chart's points for one row of the pace page (docs/forecast.md, "Fan")."""

    dates: list[datetime.date]
    actual: list[Decimal | None]  # to date: 0 at the period's start, the actual today
    p10: list[Decimal | None]
    p50: list[Decimal | None]
    p90: list[Decimal | None]
    target: list[Decimal | None]  # the target spread evenly over the days


def fan(
    period: tuple[datetime.date, datetime.date],
    as_of: datetime.date,
    actual: Decimal,
    target: Decimal | None,
    ahead: list[ForecastRow],
) -> Fan | None:
    """The period's actual to date, then the range of where it ends up: at the end of
    every forecast period (the month and the quarter of ``as_of``, ``ahead``) that ends
    within the period and after ``as_of``, actual to date + that period's forecast
    remainder (P10, P50, P90 − its own actual to date). None when nothing lies ahead."""
    start, end = period
    points: dict[datetime.date, tuple[Decimal, Decimal, Decimal]] = {}
    for row in sorted(ahead, key=lambda r: "-Q" not in r.period):  # a month last: it wins
        bounds = _bounds(row.period)
        if bounds is None or not (as_of < bounds[1] <= end) or bounds[0] < start:
            continue
        points[bounds[1]] = tuple(  # type: ignore[assignment]
            actual + (value - row.actual) for value in (row.p10, row.p50, row.p90)
        )
    if not points or not start <= as_of <= end:
        return None
    month_ends = []
    day = start
    while day <= end:  # the month ends, so the axis runs at an even pace
        following = (day.replace(day=1) + datetime.timedelta(days=32)).replace(day=1)
        month_ends.append(min(end, following - datetime.timedelta(days=1)))
        day = following
    dates = sorted({start, as_of, *points, *month_ends})
    days = (end - start).days + 1

    def on(day: datetime.date) -> Decimal | None:
        if target is None:
            return None
        return (target * Decimal((day - start).days + 1) / Decimal(days)).quantize(CENT)

    found = Fan([], [], [], [], [], [])
    for day in dates:
        found.dates.append(day)
        found.target.append(Decimal(0) if day == start else on(day))
        if day == as_of:
            found.actual.append(actual)
            found.p10.append(actual)
            found.p50.append(actual)
            found.p90.append(actual)
        elif day == start:
            found.actual.append(Decimal(0))
            found.p10.append(None)
            found.p50.append(None)
            found.p90.append(None)
        elif day in points:
            low, middle, high = points[day]
            found.actual.append(None)
            found.p10.append(low)
            found.p50.append(middle)
            found.p90.append(high)
        else:  # a month end without a figure: the lines join across it
            found.actual.append(None)
            found.p10.append(None)
            found.p50.append(None)
            found.p90.append(None)
    return found


def _bounds(period: str) -> tuple[datetime.date, datetime.date] | None:
    from attain.calc.periods import period_bounds

    return period_bounds(period)
