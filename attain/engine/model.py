"""The scenario as typed, frozen values (what the loader produces, what the engine reads)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property
from pathlib import Path
from typing import Literal

import polars as pl

from .expressions import Expression
from .periods import Period

Agg = Literal["sum", "count", "avg", "min", "max", "distinct"]
Scope = Literal["self", "team", "team_and_self"]
ROW = "__row"  # the 0-based data row of a record, for problem paths and stable order


@dataclass(frozen=True)
class Unit:
    id: str
    name: str
    parent: str | None
    attributes: Mapping[str, Decimal] = field(default_factory=dict)
    path: str = ""


@dataclass(frozen=True)
class HistoryEntry:
    start: dt.date
    changes: Mapping[str, str | None]  # "unit", "manager", "role": only the fields named
    path: str = ""


@dataclass(frozen=True)
class Person:
    id: str
    name: str
    unit: str
    manager: str | None
    role: str | None
    start: dt.date | None
    end: dt.date | None
    attributes: Mapping[str, Decimal] = field(default_factory=dict)
    history: tuple[HistoryEntry, ...] = ()
    path: str = ""


def id_text(dtype: pl.DataType) -> pl.Expr:
    """A record table's ``id`` column as text (record ids are text everywhere).

    Integer and whole-decimal ids stay numbers in the loaded frame (turning ten million
    of them into text costs a quarter of a second, and most runs never read them):
    this is their text, made where an id is read (the credited rows, an expression
    using ``id``, a problem naming one)."""
    if isinstance(dtype, pl.Decimal):
        return pl.col("id").cast(pl.Int128).cast(pl.String)
    return pl.col("id").cast(pl.String)


@dataclass(frozen=True, eq=False)
class RecordTable:
    """A record table: its fields as a frame (with ``__row``), credit splits apart.

    `credit` has columns ``__row``, ``person``, ``share`` (Decimal) for the records that
    carry a ``credit`` split; records without one are credited to their person field.
    An integer or whole-decimal ``id`` column is kept as numbers: :func:`id_text`.
    """

    name: str
    path: str
    frame: pl.DataFrame
    credit: pl.DataFrame | None = None

    @cached_property
    def split(self) -> pl.Series:
        """Per row of `frame`: does the record carry a credit split?"""
        if self.credit is None or not self.credit.height:
            return pl.repeat(False, self.frame.height, dtype=pl.Boolean, eager=True)
        return self.frame[ROW].is_in(self.credit[ROW].unique().implode())


@dataclass(frozen=True)
class Measure:
    name: str
    table: str
    value: Expression
    where: Expression | None
    agg: Agg
    date_field: str
    person_field: str
    money: bool
    rollup: bool
    path: str


@dataclass(frozen=True)
class TargetSpec:
    measure: str
    who: str
    period: Period
    value: Decimal
    spread: bool
    path: str
    decomposition: str | None = None


@dataclass(frozen=True)
class Decomposition:
    id: str
    measure: str
    who: str
    period: Period
    value: Decimal | None
    to: Literal["people", "units"]
    roles: frozenset[str] | None
    method: str
    history_period: Period | None
    potential_field: str
    blend: Mapping[str, Decimal]
    ramp: tuple[Decimal, ...]
    overassign: Decimal
    months: str | tuple[Decimal, ...] | None
    seasonal_years: tuple[int, ...]
    round_to: Decimal
    path: str


@dataclass(frozen=True)
class Tier:
    start: Decimal
    rate: Decimal


@dataclass(frozen=True)
class Tiers:
    basis: Literal["attainment", "amount"]
    mode: Literal["marginal", "whole"]
    table: tuple[Tier, ...]


@dataclass(frozen=True)
class Gate:
    min_attainment: Decimal
    measure: str


@dataclass(frozen=True)
class Level:
    min_attainment: Decimal
    amount: Expression
    label: str | None


@dataclass(frozen=True)
class Metric:
    measure: str
    weight: Decimal
    target: Decimal | None
    direction: Literal["higher", "lower"]


@dataclass(frozen=True)
class Component:
    id: str
    kind: Literal["commission", "bonus", "scorecard", "spiff"]
    path: str
    measure: str | None = None
    scope: Scope = "self"
    rate: Expression | None = None
    tiers: Tiers | None = None
    gate: Gate | None = None
    multiplier: Expression | None = None
    cap: Expression | None = None
    floor: Expression | None = None
    when: Expression | None = None
    amount: Expression | None = None
    levels: tuple[Level, ...] = ()
    metrics: tuple[Metric, ...] = ()
    score_floor: Decimal | None = None
    score_cap: Decimal | None = None
    payout: Expression | None = None
    table: str | None = None
    where: Expression | None = None
    person_field: str = "owner"


@dataclass(frozen=True)
class AppliesTo:
    roles: frozenset[str] | None = None
    people: frozenset[str] | None = None
    units: frozenset[str] | None = None
    managers: frozenset[str] | None = None


@dataclass(frozen=True)
class Plan:
    id: str
    name: str
    applies_to: AppliesTo
    effective_from: dt.date
    effective_to: dt.date
    period_kind: Literal["month", "quarter", "half", "year"]
    components: tuple[Component, ...]
    path: str


@dataclass(frozen=True, eq=False)
class Scenario:
    version: int
    currency: str
    fiscal_year_start: int
    as_of: dt.date | None
    distribution: tuple[Decimal, ...] | None
    units: Mapping[str, Unit]
    people: Mapping[str, Person]
    tables: Mapping[str, RecordTable]
    measures: Mapping[str, Measure]
    targets: tuple[TargetSpec, ...]
    decompositions: tuple[Decomposition, ...]
    plans: tuple[Plan, ...]
    report_periods: tuple[Period, ...]
    source: Path | None = None
    products: tuple[str, ...] = ()
