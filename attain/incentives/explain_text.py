"""The engine's explanation, in the reader's language.

The engine stays language-free: its explanation is data whose step labels are fixed English
patterns with numbers and names inside. This module recognises each pattern, translates it
through the catalogue and formats the numbers inside for the reader (thousands separators,
amounts before the one rounding to the cent with the digits they have, so the lines add
up to what they are beside; the rounded amount to the cent; ratios as percentages). A
label no pattern knows is shown as it came.
"""

from __future__ import annotations

import datetime
import functools
import re
from collections.abc import Callable, Mapping
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation, localcontext
from typing import Any

from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext, pgettext_lazy

from attain.measures.forms import table_choices
from attain.measures.models import Aggregation
from attain.org.company import money_text

COMPONENT_KINDS = {
    "commission": pgettext_lazy("component kind", "commission"),
    "bonus": pgettext_lazy("component kind", "bonus"),
    "scorecard": pgettext_lazy("component kind", "scorecard"),
    "spiff": pgettext_lazy("component kind", "spiff"),
}
SCOPES = {
    "self": pgettext_lazy("credit scope", "own"),
    "team": pgettext_lazy("credit scope", "team"),
    "team_and_self": pgettext_lazy("credit scope", "team and own"),
}
TARGET_RULES = {
    "none": pgettext_lazy("target rule", "none"),
    "given": pgettext_lazy("target rule", "given"),
    "months": pgettext_lazy("target rule", "months"),
    "parts": pgettext_lazy("target rule", "parts"),
    "enclosing": pgettext_lazy("target rule", "enclosing period"),
    "spread": pgettext_lazy("target rule", "spread"),
}
PERIOD_KINDS = {
    "month": pgettext_lazy("period kind", "month"),
    "quarter": pgettext_lazy("period kind", "quarter"),
    "half": pgettext_lazy("period kind", "half"),
    "year": pgettext_lazy("period kind", "year"),
}
DIRECTIONS = {
    "higher": gettext_lazy("higher is better"),
    "lower": gettext_lazy("lower is better"),
}


def label_of(mapping: dict[str, Any], code: Any) -> str:
    return str(mapping.get(str(code), code if code is not None else "—"))


def decimal_of(value: Any) -> Decimal | None:
    if isinstance(value, bool) or value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def number_format(value: Decimal, places: int, force_grouping: bool = True) -> str:
    """Grouped by thousands with a point for decimals: how both English and Chinese
    readers write numbers (Django's zh-hans format does not group)."""
    return f"{value:,.{places}f}"


def _wide(format_value: Callable[[Any], str]) -> Callable[[Any], str]:
    """Formats with the digits the value needs: quantizing an amount of 30 digits (a
    plan may pay 1e30) in the default 28-digit context failed the page. Rounds half-up
    (四舍五入) as the engine rounds money, not the context's default banker's rounding."""

    @functools.wraps(format_value)
    def formatted(value: Any) -> str:
        d = decimal_of(value)
        if d is not None and not d.is_finite():
            return str(value)
        with localcontext(rounding=ROUND_HALF_UP) as context:
            if d is not None:
                context.prec = max(context.prec, d.adjusted() + 12)
            return format_value(value)

    return formatted


@_wide
def number(value: Any) -> str:
    """A number for reading: whole numbers grouped, fractions to 2 places (4 below 1)."""
    d = decimal_of(value)
    if d is None:
        return str(value)
    if d == d.to_integral_value():
        return number_format(d.quantize(Decimal(1)), 0, force_grouping=True)
    places = 2 if abs(d) >= 1 else 4
    rounded = d.quantize(Decimal(1).scaleb(-places)).normalize()
    shown = max(0, -rounded.as_tuple().exponent)  # type: ignore[operator]
    return number_format(rounded, shown, force_grouping=True)


# the places a rate or factor is shown to when its fraction does not end (1/3)
FACTOR_PLACES = 8


@_wide
def factor(value: Any) -> str:
    """A rate or multiplier with the digits it has (0.00125, not 0.0013: the reader
    multiplies by what is shown); an endless fraction to :data:`FACTOR_PLACES` places."""
    d = decimal_of(value)
    if d is None:
        return str(value)
    if d.as_tuple().exponent < -FACTOR_PLACES:  # type: ignore[operator]
        d = d.quantize(Decimal(1).scaleb(-FACTOR_PLACES))
    d = d.normalize() if d != 0 else Decimal(0)
    shown = max(0, -d.as_tuple().exponent)  # type: ignore[operator]
    return number_format(d, shown, force_grouping=True)


@_wide
def money(value: Any) -> str:
    d = decimal_of(value)
    if d is None:
        return str(value)
    return money_text(d)


@_wide
def unrounded(value: Any) -> str:
    """An amount before the one rounding to the cent, with the digits it has (at least
    2, at most :data:`FACTOR_PLACES`): tier slices of 1.255 and 0.005 read as such and
    add up to the total of 1.26 beside them (rounded to the cent, 1.26 + 0.01 did not)."""
    d = decimal_of(value)
    if d is None:
        return str(value)
    if d.as_tuple().exponent < -FACTOR_PLACES:  # type: ignore[operator]
        d = d.quantize(Decimal(1).scaleb(-FACTOR_PLACES))
    places = max(2, -d.normalize().as_tuple().exponent) if d != 0 else 2  # type: ignore[operator]
    return number_format(d.quantize(Decimal(1).scaleb(-places)), places, force_grouping=True)


@_wide
def percent(value: Any) -> str:
    d = decimal_of(value)
    if d is None:
        return str(value)
    return number_format((d * 100).quantize(Decimal("0.1")), 1, force_grouping=True) + "%"


_ISO_DAY = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")


def days(value: Any) -> str:
    """Spans of days the engine writes as ISO ("2026-01-01…2026-03-31, …"): each day in
    the reader's format, the spans joined by the language's list separator."""

    def day(match: re.Match[str]) -> str:
        try:
            found = datetime.date(*(int(g) for g in match.groups()))
        except ValueError:
            return match.group(0)
        return date_format(found, "SHORT_DATE_FORMAT")

    spans = str(value).split(", ")
    return pgettext("list separator", ", ").join(_ISO_DAY.sub(day, span) for span in spans)


Formatter = Callable[[Any], str]
# Groups named after these are numbers of that sort; any other group is text.
_FORMATS: dict[str, Formatter] = {
    "amount": money,
    "actual": number,
    "target": number,
    "value": number,
    "slice": factor,  # with its digits: the reader multiplies it by the rate
    "rate": factor,
    "lower": number,
    "upper": number,
    "start": number,
    "weight": number,
    "cap": money,
    "floor": money,
    "factor": factor,
    "ratio": percent,
    "ratio_floor": percent,  # a scorecard's limits of a metric's ratio: ratios too
    "ratio_cap": percent,
    "attainment": percent,
    "minimum": percent,
    "part": number,
    "whole": number,
    "days": days,
}


def _text(key: str, value: str) -> str:
    if value == "None" and key in _FORMATS:  # the engine's text of no value (no target)
        return pgettext("missing value", "none")
    if key == "scope":
        return label_of(SCOPES, value)
    if key == "direction":
        return label_of(DIRECTIONS, value)
    if key == "kind":
        return label_of(PERIOD_KINDS, value)
    if key == "table":  # a record table, as the measure form offers it (订单, not orders)
        return dict(table_choices()).get(value, value)
    formatter = _FORMATS.get(key)
    return formatter(value) if formatter else value


# (pattern, message, how the step's own value reads)
_STEP_PATTERNS: list[tuple[str, Callable[[], str], Formatter]] = [
    (
        r"actual (?P<measure>\S+) \((?P<scope>\w+)\)",
        lambda: _("actual %(measure)s (%(scope)s)"),
        number,
    ),
    (r"target (?P<measure>\S+)", lambda: _("target %(measure)s"), number),
    (r"attainment = actual / target", lambda: _("attainment = actual ÷ target"), percent),
    (
        r"rounded half-up to the currency's minor unit",
        lambda: _("rounded half-up to the currency's minor unit"),
        money,
    ),
    (
        r"actual (?P<actual>\S+) × rate (?P<rate>\S+)",
        lambda: _("actual %(actual)s × rate %(rate)s"),
        unrounded,
    ),
    (
        r"no target: tiers by attainment pay 0",
        lambda: _("no target: tiers by attainment pay 0"),
        unrounded,
    ),
    (
        r"actual (?P<actual>\S+) ≤ 0: clawback at the base rate (?P<rate>\S+)",
        lambda: _("actual %(actual)s ≤ 0: clawback at the base rate %(rate)s"),
        unrounded,
    ),
    (
        r"tier (?P<tier>\d+) \[(?P<lower>[^,]+), (?P<upper>[^)]+)\): "
        r"(?P<slice>\S+) × (?P<rate>\S+)",
        lambda: _("tier %(tier)s [%(lower)s, %(upper)s): %(slice)s × %(rate)s"),
        unrounded,
    ),
    (r"marginal tiers total", lambda: _("marginal tiers total"), unrounded),
    (
        r"whole: highest tier reached from (?P<start>\S+); (?P<actual>\S+) × (?P<rate>\S+)",
        lambda: _("whole: highest tier reached from %(start)s; %(actual)s × %(rate)s"),
        unrounded,
    ),
    (r"when (?P<formula>.+)", lambda: _("when %(formula)s"), lambda v: _yes_no(v)),
    (r"amount (?P<formula>.+)", lambda: _("amount %(formula)s"), unrounded),
    (r"no level reached", lambda: _("no level reached"), unrounded),
    (
        r"level (?P<level>.+) \(attainment ≥ (?P<minimum>\S+)\)",
        lambda: _("level %(level)s (attainment ≥ %(minimum)s)"),
        unrounded,
    ),
    (
        r"metric (?P<measure>\S+) \((?P<direction>\w+)\): actual (?P<actual>\S+), "
        r"target (?P<target>\S+) \((?P<origin>.*)\)",  # "given (targets[70])"
        lambda: _("metric %(measure)s (%(direction)s): actual %(actual)s, target %(target)s"),
        percent,
    ),
    (
        r"score = Σ weight × ratio / Σ weight",
        lambda: _("score = Σ weight × ratio ÷ Σ weight"),
        percent,
    ),
    (
        r"no payout formula: the scorecard pays 0",
        lambda: _("no payout formula: the scorecard pays 0"),
        unrounded,
    ),
    (r"payout (?P<formula>.+)", lambda: _("payout %(formula)s"), unrounded),
    (
        r"Σ amount × share over matching (?P<table>\S+) records",
        lambda: _("Σ amount × share over the matching %(table)s records"),
        unrounded,
    ),
    (
        r"gate: no attainment of (?P<measure>\S+); pays 0",
        lambda: _("gate: no attainment of %(measure)s; pays 0"),
        unrounded,
    ),
    (
        r"gate: attainment (?P<attainment>\S+) < (?P<minimum>\S+); pays 0",
        lambda: _("gate: attainment %(attainment)s < %(minimum)s; pays 0"),
        unrounded,
    ),
    (
        r"gate: attainment (?P<attainment>\S+) ≥ (?P<minimum>\S+); open",
        lambda: _("gate: attainment %(attainment)s ≥ %(minimum)s; open"),
        unrounded,
    ),
    (
        r"multiplier (?P<formula>.+) = (?P<factor>\S+)",
        lambda: _("multiplier %(formula)s = %(factor)s"),
        unrounded,
    ),
    (r"cap (?P<cap>\S+)", lambda: _("cap %(cap)s"), unrounded),
    (r"floor (?P<floor>\S+)", lambda: _("floor %(floor)s"), unrounded),
]
_DETAIL_PATTERNS: list[tuple[str, Callable[[], str]]] = [
    (r"on covered days (?P<days>.+)", lambda: _("on covered days %(days)s")),
    (
        r"ratio (?P<ratio>\S+), clamped to \[(?P<ratio_floor>[^,]+), (?P<ratio_cap>[^\]]+)\], "
        r"weight (?P<weight>\S+)",
        lambda: _(
            "ratio %(ratio)s, limited to [%(ratio_floor)s, %(ratio_cap)s], weight %(weight)s"
        ),
    ),
    (r"no target is given", lambda: _("no target is given")),
    (r"given \((?P<origin>.+)\)", lambda: _("given (%(origin)s)")),
    (r"sum of the month targets", lambda: _("sum of the month targets")),
    (r"sum of the (?P<kind>\w+) targets", lambda: _("sum of the %(kind)s targets")),
    (
        r"the (?P<period>\S+) target applies as is \(spread: none\)",
        lambda: _("the %(period)s target applies as is (not spread)"),
    ),
    (r"the months of (?P<period>\S+) weigh 0", lambda: _("the months of %(period)s weigh 0")),
    (
        r"(?P<period>\S+) target (?P<target>\S+) × month weights (?P<part>\S+) / (?P<whole>\S+)",
        lambda: _("%(period)s target %(target)s × month weights %(part)s ÷ %(whole)s"),
    ),
    (
        r"no target for (?P<period>\S+) or an enclosing period",
        lambda: _("no target for %(period)s or an enclosing period"),
    ),
]
_STEPS = [(re.compile(p), m, f) for p, m, f in _STEP_PATTERNS]
_DETAILS = [(re.compile(p), m) for p, m in _DETAIL_PATTERNS]


def _yes_no(value: Any) -> str:
    return {"true": _("yes"), "false": _("no")}.get(str(value), str(value))


def _fill(match: re.Match[str], message: str, names: Mapping[str, str] | None = None) -> str:
    """``names``: the measures' names by code (a measure is then named, not coded)."""
    return message % {
        k: (names or {}).get(v, v) if k == "measure" else _text(k, v)
        for k, v in match.groupdict().items()
    }


def detail_text(detail: Any) -> str:
    if not detail:
        return ""
    for pattern, message in _DETAILS:
        match = pattern.fullmatch(str(detail))
        if match:
            return _fill(match, message())
    return str(detail)


def step_text(step: dict[str, Any], names: Mapping[str, str] | None = None) -> dict[str, str]:
    """One step as the reader sees it: label, value and detail, translated and formatted
    (``names``: the measures' names by code, as the page around the steps names them)."""
    label, value = str(step.get("label", "")), step.get("value")
    for pattern, message, formatter in _STEPS:
        match = pattern.fullmatch(label)
        if match:
            return {
                "label": _fill(match, message(), names),
                "value": "" if value is None else formatter(value),
                "detail": detail_text(step.get("detail")),
            }
    return {
        "label": label,
        "value": "" if value is None else number(value),
        "detail": detail_text(step.get("detail")),
    }


# How the engine describes a measure (``attain.engine.explain._describe``).
_DESCRIPTION = re.compile(
    r"(?P<agg>\w+) of (?P<value>.+?) from (?P<table>\w+)"
    r"(?P<shares> \(each record × its credit share\))?"
    r"(?:, where (?P<where>.+?))?"
    r"(?P<rollup>, rolled up to every manager above)?"
)


def description_text(description: Any) -> str:
    """A measure's description in the reader's language (its value, table and condition
    are data and stay as written)."""
    text = str(description or "")
    match = _DESCRIPTION.fullmatch(text)
    if match is None:
        return text
    agg = match["agg"]
    sentence = _("%(agg)s of %(value)s from %(table)s") % {
        "agg": dict(Aggregation.choices).get(agg, agg),
        "value": match["value"],
        "table": match["table"],
    }
    details = []
    if match["shares"]:
        details.append(_("each record × its credit share"))
    if match["where"]:
        details.append(_("where %(condition)s") % {"condition": match["where"]})
    if match["rollup"]:
        details.append(_("rolled up to every manager above"))
    if not details:
        return sentence
    return _("%(text)s (%(details)s)") % {"text": sentence, "details": _("; ").join(details)}
