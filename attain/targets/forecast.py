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
from .pace import pace_report

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


def forecast_report(plan: TargetPlan, as_of: datetime.date) -> list[ForecastRow]:
    """Everyone with a target of the plan's measures, for the quarter and month of
    ``as_of`` (cached per data change)."""
    key = (plan.pk, as_of, data_fingerprint(ignore_audit_of=("incentives",)))
    return cached("targets.forecast", key, lambda: _compute(plan, as_of), keep=8)


def _compute(plan: TargetPlan, as_of: datetime.date) -> list[ForecastRow]:
    pace = pace_report(plan, as_of)
    targets = {(r.kind, r.who, r.measure, r.period): r.target for r in pace}
    carriers = {(r.kind, r.who) for r in pace}
    codes = sorted({r.measure for r in pace})
    if not codes:
        return []
    people = dict(Person.objects.values_list("code", "name"))
    units = dict(Unit.objects.values_list("code", "name"))
    rows: list[ForecastRow] = []
    for measure, period, person_rows, unit_rows in forecast_periods(codes, as_of):
        for r in person_rows.iter_rows(named=True):
            if ("person", r["person"]) not in carriers:
                continue
            rows.append(
                ForecastRow(
                    r["person"],
                    people.get(r["person"], r["person"]),
                    "person",
                    measure,
                    period.id,
                    _money(r["actual"]),
                    targets.get(("person", r["person"], measure, period.id)),
                    _money(r["p10"]),
                    _money(r["p50"]),
                    _money(r["p90"]),
                    _money(r["run_rate"]),
                    _money(r["pipeline"]),
                    r["basis"],
                )
            )
        for r in unit_rows.iter_rows(named=True):
            if ("unit", r["unit"]) not in carriers:
                continue
            rows.append(
                ForecastRow(
                    r["unit"],
                    units.get(r["unit"], r["unit"]),
                    "unit",
                    measure,
                    period.id,
                    _money(r["actual"]),
                    targets.get(("unit", r["unit"], measure, period.id)),
                    _money(r["p10"]),
                    _money(r["p50"]),
                    _money(r["p90"]),
                    None,
                    None,
                    "units",
                )
            )
    return rows


def by_key(rows: list[ForecastRow]) -> dict[str, ForecastRow]:
    return {r.key: r for r in rows}
