"""Charts as Apache ECharts options, built on the server.

Labels are translated and numbers formatted here, so a chart says what the page beside
it says; the values are floats for drawing only (each chart sits next to a text
alternative with the exact figures). ``{% chart option "name" label %}`` (core_tags)
puts one on a page; ``attain/core/static/attain/charts.js`` draws it with the ECharts
build served from our own static files (docs/architecture.md, "Charts").
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

Number = Decimal | int | float | None

PALETTE = ["#2563eb", "#16a34a", "#f59e0b", "#dc2626", "#7c3aed", "#0891b2"]


def _drawn(value: Number, scale: int = 1) -> float | None:
    return None if value is None else round(float(value) * scale, 4)


def _base(percent: bool) -> dict[str, Any]:
    return {
        "color": PALETTE,
        "grid": {"left": 8, "right": 16, "top": 32, "bottom": 8, "containLabel": True},
        "tooltip": {"trigger": "axis", "valueFormatter": "percent" if percent else "number"},
        "legend": {"top": 0, "type": "scroll"},
    }


def bars(
    categories: Sequence[str],
    series: Sequence[tuple[str, Sequence[Number]]],
    *,
    horizontal: bool = False,
    percent: bool = False,
    mark_at: float | None = None,
) -> dict[str, Any]:
    """Bar chart: one bar per category and series. ``percent``: values are ratios (1 =
    100%). ``mark_at``: a reference line (e.g. 100%) on the value axis."""
    scale = 100 if percent else 1
    value_axis: dict[str, Any] = {"type": "value"}
    if percent:
        value_axis["axisLabel"] = {"formatter": "{value}%"}
    category_axis: dict[str, Any] = {"type": "category", "data": list(categories)}
    if horizontal:  # every name shown, top to bottom in the given order
        category_axis.update(inverse=True, axisLabel={"interval": 0})
    option = _base(percent)
    option["xAxis"] = value_axis if horizontal else category_axis
    option["yAxis"] = category_axis if horizontal else value_axis
    option["series"] = [
        {"name": name, "type": "bar", "data": [_drawn(v, scale) for v in values]}
        for name, values in series
    ]
    if mark_at is not None and option["series"]:
        axis = "xAxis" if horizontal else "yAxis"
        option["series"][0]["markLine"] = {
            "silent": True,
            "symbol": "none",
            "label": {"show": False},
            "data": [{axis: mark_at * scale}],
        }
    if len(series) < 2:
        option.pop("legend")
        option["grid"]["top"] = 8
    return option


def lines(
    categories: Sequence[str],
    series: Sequence[tuple[str, Sequence[Number]]],
    *,
    percent: bool = False,
    area: bool = False,
) -> dict[str, Any]:
    """Line chart over ``categories`` (periods), one line per series; None is a gap."""
    scale = 100 if percent else 1
    option = _base(percent)
    option["xAxis"] = {"type": "category", "data": list(categories), "boundaryGap": False}
    option["grid"]["right"] = 32  # room for the last period's label
    option["yAxis"] = {"type": "value"}
    if percent:
        option["yAxis"]["axisLabel"] = {"formatter": "{value}%"}
    option["series"] = [
        {
            "name": name,
            "type": "line",
            "data": [_drawn(v, scale) for v in values],
            **({"areaStyle": {"opacity": 0.12}} if area else {}),
        }
        for name, values in series
    ]
    return option


def with_line(
    option: dict[str, Any], name: str, values: Sequence[Number], *, percent: bool = False
) -> dict[str, Any]:
    """A bar chart with a line on a second value axis (e.g. cost of sales over months)."""
    scale = 100 if percent else 1
    second: dict[str, Any] = {"type": "value", "splitLine": {"show": False}}
    if percent:
        second["axisLabel"] = {"formatter": "{value}%"}
    option["yAxis"] = [option["yAxis"], second]
    option["series"].append(
        {"name": name, "type": "line", "yAxisIndex": 1, "data": [_drawn(v, scale) for v in values]}
    )
    option["legend"] = {"top": 0, "type": "scroll"}
    option["grid"]["top"] = 32
    return option


def histogram(
    buckets: Sequence[str], counts: Sequence[Number], name: str, *, mark: str | None = None
) -> dict[str, Any]:
    """Bars side by side (no gap): how many fall in each bucket. ``mark``: the bucket a
    dashed line marks the start of (e.g. ``100%–120%``)."""
    option = bars(buckets, [(name, counts)])
    option["series"][0]["barCategoryGap"] = "4%"
    if mark is not None and mark in buckets:
        option["series"][0]["markLine"] = {
            "silent": True,
            "symbol": "none",
            "label": {"show": False},
            "lineStyle": {"type": "dashed"},
            "data": [{"xAxis": mark}],
        }
    return option


def scatter(
    series: Sequence[tuple[str, Sequence[tuple[Number, Number]]]],
    *,
    x_name: str,
    y_name: str,
    x_percent: bool = False,
    y_percent: bool = False,
    mark_x: float | None = None,
) -> dict[str, Any]:
    """Points (x, y), one series per group; ``x_percent``/``y_percent``: ratios drawn as
    percentages; ``mark_x``: a reference line across the x axis (e.g. 100%)."""
    x_scale = 100 if x_percent else 1
    y_scale = 100 if y_percent else 1
    option = _base(False)
    option["tooltip"] = {"trigger": "item"}
    option["grid"]["top"] = 32 if len(series) > 1 else 16
    option["grid"]["bottom"] = 24
    option["xAxis"] = {
        "type": "value",
        "name": x_name,
        "nameLocation": "middle",
        "nameGap": 24,
        "scale": True,
    }
    option["yAxis"] = {"type": "value", "name": y_name, "scale": True}
    if x_percent:
        option["xAxis"]["axisLabel"] = {"formatter": "{value}%"}
    if y_percent:
        option["yAxis"]["axisLabel"] = {"formatter": "{value}%"}
    option["series"] = [
        {
            "name": name,
            "type": "scatter",
            "symbolSize": 7,
            "data": [[_drawn(x, x_scale), _drawn(y, y_scale)] for x, y in points],
        }
        for name, points in series
    ]
    if mark_x is not None and option["series"]:
        option["series"][0]["markLine"] = {
            "silent": True,
            "symbol": "none",
            "label": {"show": False},
            "lineStyle": {"type": "dashed"},
            "data": [{"xAxis": mark_x * x_scale}],
        }
    if len(series) < 2:
        option.pop("legend")
    return option


def fan(
    categories: Sequence[str],
    *,
    actual: tuple[str, Sequence[Number]],
    p10: Sequence[Number],
    p50: tuple[str, Sequence[Number]],
    p90: Sequence[Number],
    band: str,
    target: tuple[str, Sequence[Number]] | None = None,
    description: str | None = None,
) -> dict[str, Any]:
    """A fan chart: the actual line up to today, then the P10–P90 band widening to the
    period's end around the P50 line. The band is drawn as P10 plus the stacked gap to
    P90 (that series stays out of the tooltip; P10 and P90 are shown)."""
    option = _base(False)
    option["xAxis"] = {"type": "category", "data": list(categories), "boundaryGap": False}
    option["yAxis"] = {"type": "value", "scale": True}
    option["grid"]["right"] = 32
    gap = [
        None if a is None or b is None else float(b) - float(a)
        for a, b in zip(p10, p90, strict=True)
    ]
    low = [_drawn(v) for v in p10]
    option["series"] = [
        {
            "name": "P10",
            "type": "line",
            "stack": "band",
            "symbol": "none",
            "lineStyle": {"width": 1, "opacity": 0.5},
            "data": low,
        },
        {
            "name": band,
            "type": "line",
            "stack": "band",
            "symbol": "none",
            "lineStyle": {"opacity": 0},
            "areaStyle": {"opacity": 0.25},
            "tooltip": {"show": False},
            "data": [_drawn(v) for v in gap],
        },
        {
            "name": "P90",
            "type": "line",
            "symbol": "none",
            "lineStyle": {"width": 1, "opacity": 0.5},
            "data": [_drawn(v) for v in p90],
        },
        {
            "name": p50[0],
            "type": "line",
            "lineStyle": {"type": "dashed"},
            "data": [_drawn(v) for v in p50[1]],
        },
        {"name": actual[0], "type": "line", "data": [_drawn(v) for v in actual[1]]},
    ]
    if target is not None:
        option["series"].append(
            {
                "name": target[0],
                "type": "line",
                "symbol": "none",
                "lineStyle": {"type": "dotted"},
                "data": [_drawn(v) for v in target[1]],
            }
        )
    for line in option["series"]:
        line["connectNulls"] = True  # month ends without a figure are joined across
        # ECharts' empty value: its text description of the chart (aria) says "-" for
        # it, where a null would read "NaN"
        line["data"] = ["-" if v is None else v for v in line["data"]]
    option["color"] = ["#2563eb", "#93c5fd", "#2563eb", "#2563eb", "#16a34a", "#dc2626"]
    if description:
        option["aria"] = {"enabled": True, "label": {"description": description}}
    return option


def funnel(stages: Sequence[tuple[str, Number]], name: str) -> dict[str, Any]:
    """A funnel, widest first, in the stages' own order (not sorted by value)."""
    return {
        "color": PALETTE,
        "tooltip": {"trigger": "item", "valueFormatter": "number"},
        "series": [
            {
                "name": name,
                "type": "funnel",
                "sort": "none",
                "left": "5%",
                "width": "90%",
                "top": 8,
                "bottom": 8,
                "minSize": "8%",
                "gap": 2,
                "label": {"position": "inside", "formatter": "{b}: {c}"},
                "data": [{"name": stage, "value": _drawn(value)} for stage, value in stages],
            }
        ],
    }
