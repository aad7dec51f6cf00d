"""What every integrity detector shares: periods, alerts, notes, the input frames and
the few statistics (Poisson and binomial tails) the detectors test their counts with.

A detector compares what a person did with what their own history and their peers
make expected, and raises an alert only when the difference is too large to be chance
(a tail probability below ``alpha``). The score maps that probability to [0, 1]:
``score = min(1, -log10(p) / 6)``, so ``p = 0.001`` scores 0.5 (the default alert
threshold) and ``p = 1e-6`` or less scores 1. Rules that are evidence by themselves (the
same photo on two visits) carry a fixed score instead.
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import polars as pl

from ..phones import phone_digits, split_phones

DETECTORS = (
    "wash_orders",
    "timing",
    "reciprocal_credit",
    "shell_customers",
    "fake_activities",
    "amounts",
    "rating_rings",
)
THRESHOLD = 0.5  # the default score from which an alert is raised


@dataclass(frozen=True)
class ScanPeriod:
    """A period to scan, e.g. ``ScanPeriod("2025-Q4", date(2025, 10, 1), date(2025, 12, 31))``."""

    label: str
    start: datetime.date
    end: datetime.date

    def days(self) -> int:
        return (self.end - self.start).days + 1


@dataclass(frozen=True)
class Alert:
    """One suspicion: who, which records, when, how sure, and why (en and zh-hans)."""

    detector: str
    people: tuple[str, ...]
    records: tuple[tuple[str, str], ...]  # (table, external id)
    period: str
    score: float
    reason_en: str
    reason_zh: str
    pattern: str = ""  # the sub-pattern within the detector, e.g. "photo_reuse"

    def document(self, language: str = "en") -> dict[str, object]:
        return {
            "detector": self.detector,
            "people": list(self.people),
            "records": [{"table": t, "external_id": i} for t, i in self.records],
            "period": self.period,
            "score": round(self.score, 4),
            "reason": self.reason_zh if language.startswith("zh") else self.reason_en,
            "reason_en": self.reason_en,
            "reason_zh": self.reason_zh,
            "pattern": self.pattern,
        }


@dataclass(frozen=True)
class Note:
    """A test that was not run for lack of data ("not enough data"), never an alarm."""

    detector: str
    period: str
    person: str
    reason_en: str
    reason_zh: str


@dataclass
class Found:
    alerts: list[Alert] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)

    def extend(self, other: Found) -> None:
        self.alerts.extend(other.alerts)
        self.notes.extend(other.notes)


def _frame(schema: dict[str, pl.DataType]) -> pl.DataFrame:
    return pl.DataFrame(schema=schema)


SCHEMAS: dict[str, dict[str, pl.DataType]] = {
    "orders": {
        "id": pl.String(),
        "date": pl.Date(),
        "owner": pl.String(),
        "customer": pl.String(),
        "amount": pl.Float64(),
        "status": pl.String(),
        "status_changed_on": pl.Date(),
    },
    "credits": {"order": pl.String(), "person": pl.String(), "share": pl.Float64()},
    "payments": {
        "id": pl.String(),
        "date": pl.Date(),
        "order": pl.String(),
        "customer": pl.String(),
        "amount": pl.Float64(),
    },
    "customers": {
        "id": pl.String(),
        "owner": pl.String(),
        "created": pl.Date(),
        "phone": pl.String(),
        "email": pl.String(),
        "credit_code": pl.String(),
    },
    "contacts": {"customer": pl.String(), "phone": pl.String(), "email": pl.String()},
    "people": {
        "code": pl.String(),
        "unit": pl.String(),
        "email": pl.String(),
        "phone": pl.String(),
    },
    "assignments": {
        "person": pl.String(),
        "unit": pl.String(),
        "valid_from": pl.Date(),
        "valid_to": pl.Date(),
    },
    "activities": {
        "id": pl.String(),
        "owner": pl.String(),
        "at": pl.Datetime("us"),
        "customer": pl.String(),
        "kind": pl.String(),
        "lat": pl.Float64(),
        "lon": pl.Float64(),
        "summary": pl.String(),
    },
    "evidence": {"activity": pl.String(), "hash": pl.String()},
    "peer_ratings": {
        "id": pl.String(),
        "date": pl.Date(),
        "owner": pl.String(),
        "rater": pl.String(),
        "score": pl.Float64(),
    },
    "surveys": {
        "id": pl.String(),
        "date": pl.Date(),
        "owner": pl.String(),
        "customer": pl.String(),
        "score": pl.Float64(),
    },
}


@dataclass
class Records:
    """The record frames a scan reads (any may be missing or empty; see ``SCHEMAS``).

    - ``orders``: id, date, owner, customer, amount, status (confirmed / cancelled /
      returned), status_changed_on;
    - ``credits``: order, person, share: one row per credited person of a split order;
    - ``payments``: id, date, order, customer, amount;
    - ``customers``: id, owner, created, phone, email, credit_code; ``contacts``:
      customer, phone, email;
    - ``people``: code, unit (the unit at the scan, for peer groups), email, phone;
      ``assignments``: person, unit, valid_from, valid_to (exclusive; None: open): where
      each sat when, so a period's teams are those of the period (a person who moved
      after it is judged with their teammates of then); people without an assignment on
      a day are in their ``people`` unit;
    - ``activities``: id, owner, at (local datetime), customer, kind, lat, lon, summary;
      ``evidence``: activity, hash (a 64-bit perceptual hash as 16 hex digits);
    - ``peer_ratings``: id, date, owner (the rated person), rater, score;
      ``surveys``: id, date, owner, customer, score.
    """

    frames: dict[str, pl.DataFrame] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for name, schema in SCHEMAS.items():
            frame = self.frames.get(name)
            if frame is None:
                self.frames[name] = _frame(schema)
                continue
            missing = {c: t for c, t in schema.items() if c not in frame.columns}
            frame = frame.with_columns(pl.lit(None, dtype=t).alias(c) for c, t in missing.items())
            self.frames[name] = frame.with_columns(
                pl.col(c).cast(t, strict=False) for c, t in schema.items()
            )

    def __getitem__(self, name: str) -> pl.DataFrame:
        return self.frames[name]

    def units(self, on: datetime.date | None = None) -> dict[str, str]:
        """Each person's unit: on the day ``on`` when the assignments say, else (and
        without ``on``) their ``people`` unit."""
        people = self.frames["people"]
        units = {
            str(code): str(unit or "")
            for code, unit in zip(people["code"], people["unit"], strict=True)
        }
        if on is not None:
            held = self.frames["assignments"].filter(
                pl.col("person").is_not_null()
                & (pl.col("valid_from").is_null() | (pl.col("valid_from") <= on))
                & (pl.col("valid_to").is_null() | (pl.col("valid_to") > on))
            )
            for person, unit in (
                held.sort("valid_from", nulls_last=False).select("person", "unit").iter_rows()
            ):
                units[str(person)] = str(unit or "")
        return units


# Contact details ------------------------------------------------------------------


def _one_repeated(value: pl.Expr) -> pl.Expr:
    """The text is one character repeated (``0000000``)."""
    return value.str.strip_chars(value.str.slice(0, 1)) == ""


def contact_key(column: str, kind: str) -> pl.Expr:
    """A contact detail (``kind``: phone, email or code) as a comparable key, or None
    when it identifies nobody: a phone (:func:`phone_digits`) of fewer than 7 digits or
    of one digit
    repeated (0000000, a placeholder), an email without an @ ("n/a", "无"), a credit
    code of fewer than 8 letters and digits. Full-width characters typed with a Chinese
    input method (１３９…, ＠) read as their half-width forms (NFKC, as the CRM's duplicate
    keys read them)."""
    value = pl.col(column).cast(pl.String).fill_null("").str.normalize("NFKC")
    if kind == "phone":
        value = phone_digits(value)
        usable = (value.str.len_chars() >= 7) & ~_one_repeated(value)
        return pl.when(usable).then(value).otherwise(None)
    value = value.str.strip_chars().str.to_lowercase()
    if kind == "email":
        usable = value.str.contains(r"^[^@\s]+@[^@\s]+$")
        return pl.when(usable).then(value).otherwise(None)
    value = value.str.replace_all(r"[^0-9a-z]", "")
    usable = (value.str.len_chars() >= 8) & ~_one_repeated(value)
    return pl.when(usable).then(value).otherwise(None)


def contact_keys(frame: pl.DataFrame, who: str, column: str, kind: str) -> pl.DataFrame:
    """``frame``'s ``who`` column and the :func:`contact_key` of its ``column`` (one row
    per key, those that identify nobody left out). A phone field holding two numbers
    gives a key for each, read as the CRM's duplicate check reads them
    (:func:`~attain.engine.phones.split_phones`): the digits of both run together are
    nobody's number."""
    if kind == "phone":
        text = pl.col(column).cast(pl.String).fill_null("")
        fields = frame.select(text.unique()).to_series()
        numbers = pl.DataFrame(
            {
                "_field": fields,
                "_number": [split_phones(field) for field in fields],
            },
            schema={"_field": pl.String(), "_number": pl.List(pl.String())},
        )
        frame = (
            frame.select(who, text.alias("_field"))
            .join(numbers, on="_field", how="left")
            .select(who, pl.col("_number").alias(column))
            .explode(column)
        )
    return frame.select(who, contact_key(column, kind).alias("key")).drop_nulls("key")


# Statistics ------------------------------------------------------------------------


def poisson_tail(k: int, mean: float) -> float:
    """P(X ≥ k) for X ~ Poisson(mean)."""
    if k <= 0:
        return 1.0
    if mean <= 0:
        return 0.0
    term = math.exp(-mean)
    below = term
    for i in range(1, k):
        term *= mean / i
        below += term
    return max(0.0, min(1.0, 1.0 - below)) if below < 0.999999 else _poisson_upper(k, mean)


def _poisson_upper(k: int, mean: float) -> float:
    # The upper tail summed directly (precise where 1 - below cancels).
    log_term = -mean + k * math.log(mean) - math.lgamma(k + 1)
    total = 0.0
    i = k
    while True:
        term = math.exp(log_term)
        total += term
        if term < 1e-18 or i > k + 10_000:
            break
        i += 1
        log_term += math.log(mean / i)
    return min(1.0, total)


def binomial_tail(k: int, n: int, p: float) -> float:
    """P(X ≥ k) for X ~ Binomial(n, p)."""
    if k <= 0:
        return 1.0
    if k > n:
        return 0.0
    if p <= 0:
        return 0.0
    if p >= 1:
        return 1.0
    total = 0.0
    for i in range(k, n + 1):
        total += math.exp(
            math.lgamma(n + 1)
            - math.lgamma(i + 1)
            - math.lgamma(n - i + 1)
            + i * math.log(p)
            + (n - i) * math.log1p(-p)
        )
    return min(1.0, total)


def score_of(p: float) -> float:
    """A tail probability as a score: 0.001 → 0.5, 1e-6 or less → 1."""
    if p <= 0:
        return 1.0
    return max(0.0, min(1.0, -math.log10(p) / 6))


def period_of(day: datetime.date, periods: Sequence[ScanPeriod]) -> ScanPeriod | None:
    for period in periods:
        if period.start <= day <= period.end:
            return period
    return None


def records(table: str, ids: Iterable[object], limit: int = 200) -> tuple[tuple[str, str], ...]:
    seen = sorted({str(i) for i in ids if i is not None})
    return tuple((table, i) for i in seen[:limit])


def in_period(frame: pl.DataFrame, column: str, period: ScanPeriod) -> pl.DataFrame:
    return frame.filter(pl.col(column).is_between(period.start, period.end))


def not_enough(detector: str, period: str, person: str, what_en: str, what_zh: str) -> Note:
    return Note(
        detector,
        period,
        person,
        f"Not enough data: {what_en}.",
        f"数据不足：{what_zh}。",
    )


def few_orders(detector: str, period: str, person: str, n: int) -> Note:
    """Too few orders in ``period`` to judge ``person``."""
    return not_enough(
        detector, period, person, f"{n} orders in {period}", f"{period} 只有 {n} 笔订单"
    )
