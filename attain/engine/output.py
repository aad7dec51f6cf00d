"""The JSON document of spec section 8, written with exact decimal text."""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from typing import Any, TextIO

import polars as pl

from .calculate import PeriodResult, PlanResult, Result
from .memory import no_cycle_collection
from .model import Scenario
from .numbers import (
    ZERO,
    minor_unit,
    money_text,
    number_text,
    plain,
    quotient_text,
    ratio_text,
)
from .periods import Month


class Number:
    """A JSON number given as exact text (never through a binary float)."""

    def __init__(self, text: str) -> None:
        self.text = text


def number(value: Decimal | None, money: bool, currency: str) -> Number | None:
    if value is None:
        return None
    return Number(number_text(value, money, minor_unit(currency)))


def period_document(result: PeriodResult, scenario: Scenario, with_plans: bool) -> dict[str, Any]:
    currency = scenario.currency
    money = {name: m.money for name, m in scenario.measures.items()}
    document: dict[str, Any] = {
        "measures": {k: number(v, money[k], currency) for k, v in result.measures.items()},
        "targets": {k: number(v.value, money[k], currency) for k, v in result.targets.items()},
        "attainment": {k: number(v, False, currency) for k, v in result.attainment.items()},
        "pace": {
            k: None
            if v is None
            else {
                "elapsed": number(v.elapsed, False, currency),
                "projected": number(v.projected, money[k], currency),
                "status": v.status,
            }
            for k, v in result.pace.items()
        },
    }
    if with_plans:
        plans: dict[str, Any] = {}
        for plan_id, plan in result.plans.items():
            entry: dict[str, Any] = {
                "components": {
                    cid: money_text(c.amount, currency) for cid, c in plan.components.items()
                }
            }
            levels = {cid: c.level for cid, c in plan.components.items() if c.has_levels}
            scores = {
                cid: number(c.score, False, currency)
                for cid, c in plan.components.items()
                if c.kind == "scorecard"
            }
            if levels:
                entry["levels"] = levels
            if scores:
                entry["scores"] = scores
            entry["payout"] = money_text(plan.payout, currency)
            plans[plan_id] = entry
        document["plans"] = plans
        document["payout"] = money_text(result.payout, currency)
    return document


def to_document(result: Result) -> dict[str, Any]:
    scenario = result.scenario
    currency = scenario.currency
    order = [p.id for p in result.periods]
    people = _by_period(result.people, order, scenario, with_plans=True)
    units = _by_period(result.units, order, scenario, with_plans=False)
    head = to_document_head(result)
    return {
        "version": 1,
        "currency": currency,
        "as_of": result.as_of.isoformat() if result.as_of else None,
        "people": people,
        "units": units,
        "targets": head["targets"],
        "warnings": head["warnings"],
    }


def _by_period(
    rows_by_id: Mapping[str, Mapping[str, PeriodResult]],
    order: list[str],
    scenario: Scenario,
    with_plans: bool,
) -> dict[str, dict[str, dict[str, Any]]]:
    """Per person (or unit), its period documents in the order of the result's periods."""
    return {
        key: {
            period_id: period_document(rows[period_id], scenario, with_plans)
            for period_id in order
            if period_id in rows
        }
        for key, rows in rows_by_id.items()
    }


def to_document_head(result: Result) -> dict[str, Any]:
    """The generated targets and the warnings of the document."""
    scenario = result.scenario
    currency = scenario.currency
    targets = []
    for spec in result.generated:
        money = scenario.measures[spec.measure].money
        targets.append(
            {
                "decomposition": spec.decomposition,
                "measure": spec.measure,
                "who": spec.who,
                "period": spec.period.id,
                "value": number(spec.value, money, currency),
            }
        )
    return {
        "targets": targets,
        "warnings": [{"path": w.path, "message": w.message} for w in result.warnings],
    }


def _write(value: Any, out: list[str], indent: int, level: int) -> None:
    pad = "\n" + " " * (indent * (level + 1)) if indent else ""
    end = "\n" + " " * (indent * level) if indent else ""
    sep = ": " if indent else ":"
    if isinstance(value, Number):
        out.append(value.text)
    elif isinstance(value, Mapping):
        if not value:
            out.append("{}")
            return
        out.append("{")
        for i, (key, item) in enumerate(value.items()):
            if i:
                out.append(",")
            out.append(pad)
            out.append(json.dumps(str(key), ensure_ascii=False))
            out.append(sep)
            _write(item, out, indent, level + 1)
        out.append(end + "}")
    elif isinstance(value, list | tuple):
        if not value:
            out.append("[]")
            return
        out.append("[")
        for i, item in enumerate(value):
            if i:
                out.append(",")
            out.append(pad)
            _write(item, out, indent, level + 1)
        out.append(end + "]")
    elif isinstance(value, Decimal):
        out.append(plain(value))
    else:
        out.append(json.dumps(value, ensure_ascii=False))


def dumps(document: Any, indent: int = 2, level: int = 0) -> str:
    out: list[str] = []
    _write(document, out, indent, level)
    return "".join(out)


def to_json(result: Result, indent: int = 2) -> str:
    """The run's JSON text (spec section 8).

    With the default indent this is a direct writer, the same text as
    ``dumps(to_document(result))`` without building the nested dicts first.
    """
    with no_cycle_collection():
        if indent != 2:
            return dumps(to_document(result), indent)
        return DocumentWriter(result).text()


_STATUS = {s: json.dumps(s) for s in ("on_track", "at_risk", "behind", "met", "missed")}


def status_text(status: str) -> str:
    """A pace status as JSON text."""
    return _STATUS[status]


def _key(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def _quoted(texts: list[str | None]) -> pl.Series:
    """Each text as a JSON string (None as null), quoting each distinct one once."""
    distinct = list(dict.fromkeys(texts))
    quoted = ["null" if t is None else _key(t) for t in distinct]
    series = pl.Series(texts, dtype=pl.String)
    if None in distinct:  # replace_strict does not map a null: fill it in after
        at = distinct.index(None)
        del distinct[at], quoted[at]
        return series.replace_strict(distinct, quoted, return_dtype=pl.String).fill_null("null")
    return series.replace_strict(distinct, quoted, return_dtype=pl.String)


_OPEN = ["{\n" + "  " * (level + 1) for level in range(12)]
_SEP = [",\n" + "  " * (level + 1) for level in range(12)]
_CLOSE = ["\n" + "  " * level + "}" for level in range(12)]


_PLACE = "\x00"  # a value's place while a template is made (JSON text never has it raw)


def _template(text: str) -> str:
    """A %-format template from a text with `_PLACE` marks."""
    return text.replace("%", "%%").replace(_PLACE, "%s")


def _object(items: list[str], level: int) -> str:
    """A mapping whose items are already ``"key": value`` texts, indented 2 per level."""
    if not items:
        return "{}"
    if level < 12:
        return _OPEN[level] + _SEP[level].join(items) + _CLOSE[level]
    pad = ",\n" + "  " * (level + 1)
    return "{\n" + "  " * (level + 1) + pad.join(items) + "\n" + "  " * level + "}"


class DocumentWriter:
    """The section 8 document, written straight from the result (indent 2)."""

    def __init__(self, result: Result) -> None:
        self.result = result
        scenario = result.scenario
        self.currency = scenario.currency
        self.places = minor_unit(self.currency)
        self.names = list(scenario.measures)
        self.columns = [
            (name, m.money, 1 << i) for i, (name, m) in enumerate(scenario.measures.items())
        ]
        self.keys = [_key(n) + ": " for n in self.names]
        self._ids: dict[str, str] = {}
        self._targets: str | None = None
        self._periods: dict[tuple[int, int], str] = {}
        self._plans: dict[tuple[str, int, tuple[bool, ...]], str] = {}
        self._labels: dict[str, str] = {}
        self._elapsed: dict[Decimal, str] = {}  # the same few values for everyone
        self._no_plans: dict[int, str] = {}  # a row's end without plans, per level

    def key(self, text: str) -> str:
        found = self._ids.get(text)
        if found is None:
            found = self._ids[text] = _key(text) + ": "
        return found

    def number(self, value: Decimal | None, money: bool) -> str:
        """`number` of the generic writer, as text."""
        return "null" if value is None else number_text(value, money, self.places)

    def period(self, result: PeriodResult, level: int, with_plans: bool) -> str:
        """One period's object: its numbers put into a template made once per shape."""
        places = self.places
        measures = result.measures
        targets = result.targets
        attainments = result.attainment
        paces_of = result.pace
        actuals: list[str] = []
        goals: list[str] = []
        ratios: list[str] = []
        paces: list[str] = []
        shape = 0  # bit i: measure i has a pace
        for name, money, bit in self.columns:
            actual = measures[name]
            actuals.append("null" if actual is None else number_text(actual, money, places))
            target = targets[name].value
            if target is None:  # then attainment and pace are null too
                goals.append("null")
                ratios.append("null")
                continue
            goals.append(number_text(target, money, places))
            ratio = attainments[name]
            ratios.append("null" if ratio is None else ratio_text(ratio))
            pace = paces_of[name]
            if pace is not None:
                shape |= bit
                elapsed = self._elapsed.get(pace.elapsed)
                if elapsed is None:
                    elapsed = self._elapsed[pace.elapsed] = ratio_text(pace.elapsed)
                projected = pace.projected
                paces += (
                    elapsed,
                    "null" if projected is None else quotient_text(projected, money, places),
                    _STATUS[pace.status],
                )
        key = (level, shape)
        template = self._periods.get(key)
        if template is None:
            template = self._periods[key] = self._period_template(level, shape)
        values = actuals + goals + ratios + paces
        text = template % tuple(values)
        if not with_plans:
            return text + _CLOSE[level]
        return text + self.period_end(result.plans, level)

    def period_end(self, plans: Mapping[str, PlanResult], level: int) -> str:
        """A person's period object after its pace: the plans and the payout, closed."""
        if not plans:  # no plan covers the row: the same text every time
            end = self._no_plans.get(level)
            if end is None:
                payout = f'"payout": "{money_text(ZERO, self.currency)}"'
                end = _SEP[level] + '"plans": {}' + _SEP[level] + payout + _CLOSE[level]
                self._no_plans[level] = end
            return end
        texts = [self.plan(plan_id, plan, level + 2) for plan_id, plan in plans.items()]
        total = sum((plan.payout for plan in plans.values()), ZERO)
        return (
            _SEP[level]
            + '"plans": '
            + _object(texts, level + 1)
            + _SEP[level]
            + '"payout": "'
            + money_text(total, self.currency)
            + '"'
            + _CLOSE[level]
        )

    def entry_texts(self, who: str, texts: list[str]) -> str:
        """``entry`` from its periods' texts (one for each of the result's periods)."""
        periods = [self.key(p.id) + t for p, t in zip(self.result.periods, texts, strict=True)]
        return self.key(who) + _object(periods, 2)

    def _period_template(self, level: int, shape: int) -> str:
        """The measures, targets, attainment and pace of a period, ``%s`` for the values
        (the object is left open for the plans)."""
        return _template(_PLACE.join(self.period_pieces(level, shape)))

    def period_pieces(self, level: int, shape: int) -> list[str]:
        """The text of :meth:`_period_template` around its values, in pieces: the
        values go between them (actuals, targets, attainments, then each pace's three)."""
        inner = level + 1
        pace_items = [
            key
            + (
                _object(
                    ['"elapsed": ' + _PLACE, '"projected": ' + _PLACE, '"status": ' + _PLACE],
                    inner + 1,
                )
                if present
                else "null"
            )
            for key, present in zip(
                self.keys, [bool(shape & bit) for _n, _m, bit in self.columns], strict=True
            )
        ]
        items = [
            '"measures": ' + _object([key + _PLACE for key in self.keys], inner),
            '"targets": ' + _object([key + _PLACE for key in self.keys], inner),
            '"attainment": ' + _object([key + _PLACE for key in self.keys], inner),
            '"pace": ' + _object(pace_items, inner),
        ]
        return (_OPEN[level] + _SEP[level].join(items)).split(_PLACE)

    def plan(self, plan_id: str, plan: PlanResult, level: int) -> str:
        """A plan's ``"id": {...}`` item in a period, at `level` (the plan's object)."""
        components = plan.components.values()
        shape = tuple(c.has_levels for c in components)
        key = (plan_id, level, shape)
        template = self._plans.get(key)
        if template is None:
            template = self._plans[key] = self._plan_template(plan_id, plan, level)
        currency = self.currency
        values = [money_text(c.amount, currency) for c in components]
        values += [self.label(c.level) for c in components if c.has_levels]
        values += [
            "null" if c.score is None else ratio_text(c.score)
            for c in components
            if c.kind == "scorecard"
        ]
        values.append(money_text(plan.payout, currency))
        return template % tuple(values)

    def _plan_template(self, plan_id: str, plan: PlanResult, level: int) -> str:
        components = [(c.id, c.kind, c.has_levels) for c in plan.components.values()]
        return _template(_PLACE.join(self.plan_pieces(plan_id, components, level)))

    def plan_pieces(
        self, plan_id: str, components: Sequence[tuple[str, str, bool]], level: int
    ) -> list[str]:
        """The text of a plan's item around its values, in pieces: the values go between
        them (each component's amount, the levels reached, the scores, the payout).
        `components`: (id, kind, has levels) of each."""
        entry = [
            '"components": '
            + _object([self.key(c) + '"' + _PLACE + '"' for c, _k, _l in components], level + 1)
        ]
        levels = [self.key(c) + _PLACE for c, _k, has in components if has]
        scores = [self.key(c) + _PLACE for c, kind, _l in components if kind == "scorecard"]
        if levels:
            entry.append('"levels": ' + _object(levels, level + 1))
        if scores:
            entry.append('"scores": ' + _object(scores, level + 1))
        entry.append('"payout": "' + _PLACE + '"')
        return (self.key(plan_id) + _object(entry, level)).split(_PLACE)

    def label(self, level: str | None) -> str:
        if level is None:
            return "null"
        found = self._labels.get(level)
        if found is None:
            found = self._labels[level] = _key(level)
        return found

    def targets(self) -> str:
        if self._targets is None:
            self._targets = self._targets_text()
        return self._targets

    def _targets_text(self) -> str:
        """The generated targets' list: each item the same template around its five
        values, filled in by Polars (a decomposition writes one item per person and
        month: a hundred thousand of them); each distinct text is quoted once."""
        generated = self.result.generated
        if not generated:
            return "[]"
        money = {name: m.money for name, m in self.result.scenario.measures.items()}
        numbers = {
            key: self.number(*key) for key in {(s.value, money[s.measure]) for s in generated}
        }
        columns = [
            _quoted([s.decomposition for s in generated]),
            _quoted([s.measure for s in generated]),
            _quoted([s.who for s in generated]),
            _quoted([s.period.id for s in generated]),
            pl.Series([numbers[s.value, money[s.measure]] for s in generated], dtype=pl.String),
        ]
        template = _object(
            [f'"{key}": {_PLACE}' for key in ("decomposition", "measure", "who", "period")]
            + ['"value": ' + _PLACE],
            2,
        ).split(_PLACE)
        joined: list[pl.Expr] = [pl.lit(template[0])]
        for column, piece in zip(columns, template[1:], strict=True):
            joined += [pl.lit(column), pl.lit(piece)]
        items = pl.select(pl.concat_str(joined).str.join(",\n    ")).item()
        return "[\n    " + str(items) + "\n  ]"

    def entry(self, who: str, rows: Mapping[str, PeriodResult], with_plans: bool) -> str:
        """One person's or unit's ``"id": {period: ...}`` item of the document."""
        periods = [
            self.key(period.id) + self.period(rows[period.id], 3, with_plans)
            for period in self.result.periods
            if period.id in rows
        ]
        return self.key(who) + _object(periods, 2)

    def text(self) -> str:
        out = io.StringIO()
        self.write(out)
        return out.getvalue()

    def write(
        self,
        out: TextIO,
        people: Callable[[ObjectWriter], None] | None = None,
        units: list[str] | None = None,
        targets: str | None = None,
    ) -> None:
        """Write the document to `out`, piece by piece (never one 100 MB string).

        `people`, when given, writes the people's items itself; the units' items and the
        targets, when given, are already written.
        """
        result = self.result
        document = ObjectWriter(out, 0)
        document.item('"version": 1')
        document.item('"currency": ' + _key(self.currency))
        document.item(
            '"as_of": ' + ("null" if result.as_of is None else _key(result.as_of.isoformat()))
        )
        document.item('"people": ')
        people_writer = ObjectWriter(out, 1)
        if people is None:
            for who, rows in result.people.items():
                people_writer.item(self.entry(who, rows, True))
        else:
            people(people_writer)
        people_writer.close()
        document.item('"units": ')
        units_writer = ObjectWriter(out, 1)
        if units is None:
            units = [self.entry(w, rows, False) for w, rows in result.units.items()]
        for item in units:
            units_writer.item(item)
        units_writer.close()
        document.item('"targets": ' + (self.targets() if targets is None else targets))
        warnings = [{"path": w.path, "message": w.message} for w in result.warnings]
        document.item('"warnings": ' + dumps(warnings, 2, 1))
        document.close()


class ObjectWriter:
    """A mapping's ``"key": value`` items written to a stream as they come.

    The same text as :func:`_object` (indent 2 per level). An item may be just its
    ``"key": `` when the value is written right after it.
    """

    def __init__(self, out: TextIO, level: int) -> None:
        self.out = out
        self.level = level
        self.count = 0

    def _separator(self) -> None:
        self.out.write(_OPEN[self.level] if self.count == 0 else _SEP[self.level])
        self.count += 1

    def item(self, text: str) -> None:
        self._separator()
        self.out.write(text)

    def raw(self, data: bytes | memoryview) -> None:
        """Items already written as UTF-8 text, joined by this level's separator."""
        self._separator()
        buffer = getattr(self.out, "buffer", None)
        if buffer is None:
            self.out.write(bytes(data).decode())
        else:
            self.out.flush()
            buffer.write(data)

    def close(self) -> None:
        self.out.write("{}" if self.count == 0 else _CLOSE[self.level])


def separator(level: int) -> str:
    return _SEP[level]


def opening(level: int) -> str:
    """The text opening a mapping at `level` up to its first item (indent 2)."""
    return _OPEN[level]


def closing(level: int) -> str:
    """The text closing a mapping at `level` after its last item."""
    return _CLOSE[level]


def month_id(key: int) -> str:
    return Month.from_key(key).id
