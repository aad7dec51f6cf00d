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
