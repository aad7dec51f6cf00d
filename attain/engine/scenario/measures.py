"""``measures``: what is counted or summed, from which record table."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, cast

from ..expressions import Expression, ExpressionContext, Type, column_type
from ..model import ROW, Agg, Measure, RecordTable
from ..numbers import ONE
from ..problems import join, unknown
from .reader import Reader

AGGS = ("sum", "count", "avg", "min", "max", "distinct")


def table_context(table: RecordTable | None) -> ExpressionContext:
    """The fields of a record table with their types, for expressions over its rows."""
    names: dict[str, Type] = {}
    if table is not None:
        for column, dtype in table.frame.schema.items():
            if column != ROW:
                names[column] = "text" if column == "id" else column_type(dtype)[0]
    return ExpressionContext(names, open=table is not None and table.frame.height == 0)


def read_measures(
    reader: Reader, rows: Mapping[str, Any], tables: Mapping[str, RecordTable]
) -> dict[str, Measure]:
    """Every measure; sets `reader.measure_names` for the sections read after it."""
    measures: dict[str, Measure] = {}
    allowed = {"from", "value", "where", "agg", "date", "person", "money", "rollup"}
    for name, value in rows.items():
        path = join("measures", name)
        if not isinstance(value, Mapping):  # `revenue: orders.amount`: one problem, with a model
            reader.add(path, "must be a mapping, like {from: orders, value: amount}")
            continue
        row = reader.mapping(value, path, allowed)
        table_name = reader.text(row.get("from"), join(path, "from"))
        table = tables.get(table_name) if table_name else None
        if table_name is not None and table is None:
            reader.add(join(path, "from"), unknown("record table", table_name, tables))
        agg = cast(Agg, reader.choice(row.get("agg"), join(path, "agg"), AGGS, "sum"))
        date_field = reader.text(row.get("date", "date"), join(path, "date")) or "date"
        person_field = reader.text(row.get("person", "owner"), join(path, "person")) or "owner"
        context = table_context(table)
        value_expr: Expression | None = Expression.constant(ONE)
        where_expr: Expression | None = None
        if table is not None:
            if date_field not in table.frame.columns:
                reader.add(join(path, "date"), f"table {table_name!r} has no field {date_field!r}")
            value_expr = reader.expression(row.get("value", 1), join(path, "value"), context)
            if "where" in row:
                where_expr = reader.expression(row["where"], join(path, "where"), context)
            if (
                value_expr is not None
                and agg in ("sum", "avg", "min", "max")
                and value_expr.type in ("bool", "date", "list")
            ):
                reader.add(
                    join(path, "value"), f"{agg} needs numbers; this value is {value_expr.type}"
                )
            if (
                value_expr is not None
                and agg in ("sum", "avg", "min", "max")
                and value_expr.type == "text"
                and value_expr.bare_field is None
            ):
                reader.add(join(path, "value"), f"{agg} needs numbers; this value is text")
        default_money = (
            agg == "sum"
            and value_expr is not None
            and value_expr.bare_field is not None
            and "amount" in value_expr.bare_field
        )
        money = reader.flag(row.get("money"), join(path, "money"), default_money)
        rollup = reader.flag(row.get("rollup"), join(path, "rollup"), False)
        if table is None or value_expr is None:
            continue
        measures[name] = Measure(
            name,
            table.name,
            value_expr,
            where_expr,
            agg,
            date_field,
            person_field,
            money,
            rollup,
            path,
        )
    reader.measure_names = frozenset(rows)
    return measures
