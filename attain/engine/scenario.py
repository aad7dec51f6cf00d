"""Load a scenario (spec sections 1-7, 9) and check everything section 10 asks for.

``load_scenario(path)`` returns ``(scenario, problems)``: a typed, frozen
:class:`~attain.engine.model.Scenario` when there is no problem, else ``None`` and every
problem found (the loader never stops at the first one).
"""

from __future__ import annotations

import ast
import datetime as dt
import decimal
import itertools
import json
import re
from collections.abc import Callable, Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal, cast

import polars as pl

from .expressions import Expression, ExpressionContext, Type, column_type, parse
from .model import (
    ROW,
    Agg,
    AppliesTo,
    Component,
    Decomposition,
    Gate,
    HistoryEntry,
    Level,
    Measure,
    Metric,
    Person,
    Plan,
    RecordTable,
    Scenario,
    Scope,
    TargetSpec,
    Tier,
    Tiers,
    Unit,
)
from .numbers import ENGINE_CONTEXT, ONE, ZERO, NotANumber, no_cycle_collection, to_decimal
from .org import BEGINNING, END_OF_TIME, Org, manager_cycles, unit_cycles
from .periods import Period, parse_date, parse_period
from .problems import Problem, Problems, join
from .tables import LoadedTable, file_table, inline_table, rows_of
from .yamlio import read_yaml

TOP_LEVEL = {
    "version",
    "currency",
    "fiscal_year_start",
    "as_of",
    "distribution",
    "units",
    "people",
    "products",
    "customers",
    "records",
    "measures",
    "targets",
    "decompositions",
    "plans",
    "report",
}
AGGS = ("sum", "count", "avg", "min", "max", "distinct")
METHODS = ("equal", "history", "potential", "capacity", "blend")
KINDS = ("commission", "bonus", "scorecard", "spiff")
COMMON_COMPONENT_KEYS = {"id", "kind", "name", "gate", "multiplier", "cap", "floor"}
COMPONENT_KEYS = {
    "commission": {"measure", "scope", "rate", "tiers"},
    "bonus": {"when", "amount", "measure", "levels", "scope"},
    "scorecard": {"metrics", "score", "payout"},
    "spiff": {"from", "where", "amount", "person"},
}
MAX_REPORTED_PER_FIELD = 20
CURRENCY = re.compile(r"^[A-Z]{3}$")


def load_scenario(path: str | Path) -> tuple[Scenario | None, list[Problem]]:
    """Read and check a scenario file."""
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None, [Problem(str(path), "file not found")]
    except (OSError, UnicodeDecodeError) as error:
        return None, [Problem(str(path), f"cannot read the file: {error}")]
    data, problems = read_yaml(text)
    if data is None and problems:
        return None, problems
    scenario, more = scenario_from_data(data, file.resolve().parent, source=file)
    problems = problems + more
    return (None if problems else scenario), problems


def scenario_from_data(
    data: object, base_dir: Path | None = None, source: Path | None = None
) -> tuple[Scenario | None, list[Problem]]:
    """Check an already-parsed scenario document (a dict, as YAML gives it)."""
    with decimal.localcontext(ENGINE_CONTEXT), no_cycle_collection():
        loader = _Loader(base_dir, source)
        scenario = loader.load(data)
    problems = loader.problems.as_list()
    return (None if problems else scenario), problems


# -- small typed readers ---------------------------------------------------------------


class _Loader:
    def __init__(self, base_dir: Path | None, source: Path | None) -> None:
        self.base_dir = base_dir
        self.source = source
        self.problems = Problems()
        self.fiscal_year_start = 1

    def add(self, path: str, message: str) -> None:
        self.problems.add(path, message)

    def mapping(self, value: object, path: str, allowed: set[str] | None) -> dict[str, Any]:
        if not isinstance(value, Mapping):
            self.add(path, "must be a mapping")
            return {}
        result = {str(k): v for k, v in value.items()}
        if allowed is not None:
            for key in result:
                if key not in allowed:
                    self.add(join(path, key), f"unknown key {key!r}")
        return result

    def text(self, value: object, path: str, required: bool = True) -> str | None:
        if value is None:
            if required:
                self.add(path, "is required")
            return None
        if isinstance(value, bool | dict | list):
            self.add(path, f"must be text, not {value!r}")
            return None
        if isinstance(value, Decimal):
            return format(value, "f")
        return str(value)

    def number(
        self,
        value: object,
        path: str,
        required: bool = True,
        low: Decimal | None = None,
        high: Decimal | None = None,
        positive: bool = False,
    ) -> Decimal | None:
        if value is None:
            if required:
                self.add(path, "is required")
            return None
        try:
            number = to_decimal(value)
        except NotANumber:
            self.add(path, f"{value!r} is not a number")
            return None
        if positive and number <= 0:
            self.add(path, f"must be greater than 0, not {number}")
            return None
        if (low is not None and number < low) or (high is not None and number > high):
            self.add(path, f"{number} is outside [{low}, {high}]")
            return None
        return number

    def date(self, value: object, path: str, required: bool = False) -> dt.date | None:
        if value is None:
            if required:
                self.add(path, "is required")
            return None
        parsed = parse_date(value)
        if parsed is None:
            self.add(path, f"{value!r} is not a date (YYYY-MM-DD)")
        return parsed

    def period(self, value: object, path: str, required: bool = True) -> Period | None:
        if value is None:
            if required:
                self.add(path, "is required")
            return None
        parsed = parse_period(value, self.fiscal_year_start)
        if parsed is None:
            self.add(
                path,
                f"{value!r} is not a period id (2025, 2025-H1, 2025-Q1 … 2025-Q4, 2025-03)",
            )
        return parsed

    def choice(self, value: object, path: str, options: tuple[str, ...], default: str) -> str:
        if value is None:
            return default
        if not isinstance(value, str) or value not in options:
            self.add(path, f"{value!r} is not one of {', '.join(options)}")
            return default
        return value

    def flag(self, value: object, path: str, default: bool) -> bool:
        if value is None:
            return default
        if not isinstance(value, bool):
            self.add(path, f"must be true or false, not {value!r}")
            return default
        return value

    def id_list(self, value: object, path: str) -> list[str]:
        if isinstance(value, str | int) and not isinstance(value, bool):
            return [str(value)]
        if not isinstance(value, list):
            self.add(path, "must be a list of ids")
            return []
        result: list[str] = []
        for index, item in enumerate(value):
            text = self.text(item, join(path, index))
            if text is not None:
                result.append(text)
        return result

    def rows(self, value: object, path: str) -> list[dict[str, Any]]:
        """A reference list (units, people, targets …): inline, CSV or parquet."""
        if value is None:
            return []
        if isinstance(value, Mapping):
            loaded = file_table(value, path, self.base_dir, keep_text=set())
            self.problems.extend(loaded.problems)
            return rows_of(loaded.frame)
        if not isinstance(value, list):
            self.add(path, "must be a list, or {csv: PATH} / {parquet: PATH}")
            return []
        result: list[dict[str, Any]] = []
        for index, row in enumerate(value):
            if not isinstance(row, Mapping):
                self.add(join(path, index), "must be a mapping")
                result.append({})
            else:
                result.append({str(k): v for k, v in row.items()})
        return result

    def attributes(self, row: Mapping[str, Any], path: str, known: set[str]) -> dict[str, Decimal]:
        result: dict[str, Decimal] = {}
        for key, value in row.items():
            if key in known or value is None or value == "":
                continue
            try:
                result[key] = to_decimal(value)
            except NotANumber:
                self.add(
                    join(path, key),
                    f"unknown key {key!r} (extra keys are numeric attributes; "
                    f"{value!r} is not a number)",
                )
        return result

    # -- the document ----------------------------------------------------------------
    def load(self, data: object) -> Scenario | None:
        if not isinstance(data, Mapping):
            self.add("file", "a scenario must be a YAML mapping with version: 1 at the top")
            return None
        top = self.mapping(data, "", TOP_LEVEL)
        version = top.get("version")
        if version is None:
            self.add("version", "is required (version: 1)")
        elif version != 1 or isinstance(version, bool):
            self.add("version", f"must be 1, not {version!r}")
        currency = self.text(top.get("currency", "CNY"), "currency") or "CNY"
        if not CURRENCY.match(currency):
            self.add("currency", f"{currency!r} is not an ISO 4217 code like CNY")
        fys = top.get("fiscal_year_start", 1)
        if (
            isinstance(fys, bool)
            or not isinstance(fys, int | Decimal)
            or not 1 <= fys <= 12
            or fys != int(fys)
        ):
            self.add("fiscal_year_start", f"must be a month 1..12, not {fys!r}")
        else:
            self.fiscal_year_start = int(fys)
        as_of = self.date(top.get("as_of"), "as_of")
        distribution = self.distribution(top.get("distribution"))

        units = self.units(top.get("units"))
        people = self.people(top.get("people"), units)
        org = Org(units, people)
        self.problems.extend(manager_cycles(org))
        products = self.products(top.get("products"))

        raw_tables: dict[str, tuple[str, object]] = {}
        records = top.get("records")
        if records is not None:
            for name, value in self.mapping(records, "records", None).items():
                raw_tables[name] = (f"records.{name}", value)
        if top.get("customers") is not None:
            if "customers" in raw_tables:
                self.add("records.customers", "customers are given at the top level already")
            raw_tables["customers"] = ("customers", top["customers"])

        measure_rows = self.mapping(top.get("measures", {}) or {}, "measures", None)
        plan_rows = top.get("plans") or []
        usage = self.table_usage(measure_rows, plan_rows)
        fields = referenced_fields(measure_rows, plan_rows)
        tables = self.tables(raw_tables, usage, people, fields)
        measures = self.measures(measure_rows, tables)
        self.check_records(tables, measures, usage, people)
        targets = self.targets(top.get("targets"), measures, units, people)
        decompositions = self.decompositions(top.get("decompositions"), measures, units)
        plans = self.plans(plan_rows, measures, tables, units, people)
        report = self.report(top.get("report"))
        if self.problems:
            return None
        return Scenario(
            version=1,
            currency=currency,
            fiscal_year_start=self.fiscal_year_start,
            as_of=as_of,
            distribution=distribution,
            units=units,
            people=people,
            tables=tables,
            measures=measures,
            targets=tuple(targets),
            decompositions=tuple(decompositions),
            plans=tuple(plans),
            report_periods=tuple(report),
            source=self.source,
            products=tuple(products),
        )

    def distribution(self, value: object) -> tuple[Decimal, ...] | None:
        if value is None:
            return None
        if not isinstance(value, list) or len(value) != 12:
            self.add("distribution", "must list 12 month weights")
            return None
        weights: list[Decimal] = []
        for index, item in enumerate(value):
            number = self.number(item, join("distribution", index), low=ZERO)
            if number is None:
                return None
            weights.append(number)
        total = sum(weights, ZERO)
        if abs(total - 100) > Decimal("1e-6"):
            self.add("distribution", f"weights sum to {total}, not 100")
            return None
        return tuple(weights)

    def units(self, value: object) -> dict[str, Unit]:
        units: dict[str, Unit] = {}
        rows = self.rows(value, "units")
        for index, row in enumerate(rows):
            path = join("units", index)
            uid = self.text(row.get("id"), join(path, "id"))
            if uid is None:
                continue
            if uid in units:
                self.add(join(path, "id"), f"duplicate unit id {uid!r}")
                continue
            name = self.text(row.get("name"), join(path, "name"), required=False) or uid
            parent = self.text(row.get("parent"), join(path, "parent"), required=False)
            attributes = self.attributes(row, path, {"id", "name", "parent"})
            units[uid] = Unit(uid, name, parent, attributes, path)
        for unit in units.values():
            if unit.parent is not None and unit.parent not in units:
                self.add(f"{unit.path}.parent", f"unknown unit {unit.parent!r}")
        self.problems.extend(unit_cycles({k: u for k, u in units.items() if u.parent in units}))
        return units

    def people(self, value: object, units: Mapping[str, Unit]) -> dict[str, Person]:
        people: dict[str, Person] = {}
        rows = self.rows(value, "people")
        known = {"id", "name", "unit", "manager", "role", "start", "end", "history"}
        pending: list[tuple[str, str]] = []  # (manager id, path)
        for index, row in enumerate(rows):
            path = join("people", index)
            pid = self.text(row.get("id"), join(path, "id"))
            if pid is None:
                continue
            if pid in people:
                self.add(join(path, "id"), f"duplicate person id {pid!r}")
                continue
            unit = self.text(row.get("unit"), join(path, "unit"))
            if unit is not None and unit not in units:
                self.add(join(path, "unit"), f"unknown unit {unit!r}")
            manager = self.text(row.get("manager"), join(path, "manager"), required=False)
            if manager == "":
                manager = None
            if manager is not None:
                pending.append((manager, join(path, "manager")))
            role = self.text(row.get("role"), join(path, "role"), required=False)
            start = self.date(row.get("start") or None, join(path, "start"))
            end = self.date(row.get("end") or None, join(path, "end"))
            if start and end and end < start:
                self.add(join(path, "end"), f"employment ends ({end}) before it starts ({start})")
            history = self.history(row.get("history"), join(path, "history"), units, pending)
            attributes = self.attributes(row, path, known)
            people[pid] = Person(
                pid,
                self.text(row.get("name"), "", False) or pid,
                unit or "",
                manager,
                role,
                start,
                end,
                attributes,
                tuple(history),
                path,
            )
        for manager, path in pending:
            if manager not in people:
                self.add(path, f"unknown person {manager!r}")
        return people

    def history(
        self,
        value: object,
        path: str,
        units: Mapping[str, Unit],
        pending: list[tuple[str, str]],
    ) -> list[HistoryEntry]:
        if value is None or value == "":
            return []
        if isinstance(value, str):
            try:
                value = json.loads(value, parse_float=Decimal)
            except json.JSONDecodeError:
                self.add(path, "must be a JSON list of {from, unit, manager} entries")
                return []
        if not isinstance(value, list):
            self.add(path, "must be a list of {from, unit, manager} entries")
            return []
        entries: list[HistoryEntry] = []
        previous: dt.date | None = None
        for index, item in enumerate(value):
            entry_path = join(path, index)
            row = self.mapping(item, entry_path, {"from", "unit", "manager", "role"})
            start = self.date(row.get("from"), join(entry_path, "from"), required=True)
            changes: dict[str, str | None] = {}
            if "unit" in row:
                unit = self.text(row["unit"], join(entry_path, "unit"))
                if unit is not None and unit not in units:
                    self.add(join(entry_path, "unit"), f"unknown unit {unit!r}")
                changes["unit"] = unit
            if "manager" in row:
                manager = self.text(row["manager"], join(entry_path, "manager"), required=False)
                if manager is not None:
                    pending.append((manager, join(entry_path, "manager")))
                changes["manager"] = manager
            if "role" in row:
                changes["role"] = self.text(row["role"], join(entry_path, "role"), required=False)
            if start is None:
                continue
            if previous is not None and start < previous:
                self.add(join(entry_path, "from"), "history entries must be in date order")
            previous = start
            entries.append(HistoryEntry(start, changes, entry_path))
        return entries

    def products(self, value: object) -> list[str]:
        ids: list[str] = []
        for index, row in enumerate(self.rows(value, "products")):
            pid = self.text(row.get("id"), join(join("products", index), "id"))
            if pid is None:
                continue
            if pid in ids:
                self.add(join(join("products", index), "id"), f"duplicate product id {pid!r}")
            ids.append(pid)
        return ids

    # -- records ---------------------------------------------------------------------
    def table_usage(
        self, measure_rows: Mapping[str, Any], plan_rows: object
    ) -> dict[str, dict[str, set[str]]]:
        """Per table, the date and person fields that measures and spiffs use."""
        usage: dict[str, dict[str, set[str]]] = {}

        def note(table: object, date: object, person: object) -> None:
            if not isinstance(table, str):
                return
            entry = usage.setdefault(table, {"date": set(), "person": set()})
            entry["date"].add(date if isinstance(date, str) else "date")
            entry["person"].add(person if isinstance(person, str) else "owner")

        for row in measure_rows.values():
            if isinstance(row, Mapping):
                note(row.get("from"), row.get("date"), row.get("person"))
        if isinstance(plan_rows, list):
            for plan in plan_rows:
                components = plan.get("components") if isinstance(plan, Mapping) else None
                for component in components if isinstance(components, list) else []:
                    if isinstance(component, Mapping) and component.get("kind") == "spiff":
                        note(component.get("from"), component.get("date"), component.get("person"))
        return usage

    def tables(
        self,
        raw: Mapping[str, tuple[str, object]],
        usage: Mapping[str, Mapping[str, set[str]]],
        people: Mapping[str, Person],
        usage_fields: Mapping[str, set[str] | None] | None = None,
    ) -> dict[str, RecordTable]:
        usage_fields = usage_fields or {}
        tables: dict[str, RecordTable] = {}
        for name, (path, value) in raw.items():
            used = usage.get(name, {"date": set(), "person": set()})
            date_fields = set(used["date"]) or ({"date"} if path.startswith("records.") else set())
            keep_text = {"id"} | date_fields | set(used["person"])
            if isinstance(value, Mapping):
                fields = usage_fields.get(name)
                columns = None if fields is None else fields | keep_text
                loaded = file_table(value, path, self.base_dir, keep_text, columns)
            else:
                loaded = inline_table(value, path)
            self.problems.extend(loaded.problems)
            frame = self.check_table(loaded, path, date_fields)
            tables[name] = RecordTable(name, path, frame, loaded.credit)
        return tables

    def report_rows(
        self, frame: pl.DataFrame, path: str, column: str, message: Callable[[Any], str]
    ) -> None:
        """Report each row of `frame` (columns __row and `column`), a capped number of them."""
        count = frame.height
        for row, value in frame.head(MAX_REPORTED_PER_FIELD).select(ROW, column).iter_rows():
            self.add(f"{path}[{row}].{column}", message(value))
        if count > MAX_REPORTED_PER_FIELD:
            self.add(path, f"… and {count - MAX_REPORTED_PER_FIELD} more rows with a bad {column}")

    def check_table(self, loaded: LoadedTable, path: str, date_fields: set[str]) -> pl.DataFrame:
        frame = loaded.frame
        if "id" not in frame.columns:
            if frame.height:
                self.add(path, "records need an id field")
            frame = frame.with_columns(pl.lit(None, dtype=pl.String).alias("id"))
        # uniqueness is checked on the ids as given (integers hash much faster than text)
        nulls = frame["id"].null_count()
        present = frame.height - nulls
        # (null counts as one value of n_unique; dropping nulls first would lose the
        # column's sortedness, which makes n_unique ten times faster for sorted ids)
        distinct = frame["id"].n_unique() - (1 if nulls else 0)
        as_text = (
            pl.col("id").cast(pl.String)
            if not isinstance(frame.schema["id"], pl.Decimal)
            else pl.col("id").cast(pl.Int128).cast(pl.String)
        )
        if frame.schema["id"] != pl.String:
            frame = frame.with_columns(as_text)
        if present != frame.height:
            missing = frame.filter(pl.col("id").is_null())
            self.report_rows(missing, path, "id", lambda _v: "every record needs an id")
        if distinct != present:
            duplicated = frame.filter(
                pl.col("id").is_not_null() & ~pl.col("id").is_first_distinct()
            )
            self.report_rows(duplicated, path, "id", lambda v: f"duplicate id {v!r} in this table")
        for field in sorted(date_fields):
            if field not in frame.columns:
                if frame.height:
                    self.add(f"{path}[0].{field}", f"records need a {field} field (YYYY-MM-DD)")
                frame = frame.with_columns(pl.lit(None, dtype=pl.Date).alias(field))
                continue
            dtype = frame.schema[field]
            if dtype == pl.Date:
                if frame[field].null_count():
                    self.report_rows(
                        frame.filter(pl.col(field).is_null()),
                        path,
                        field,
                        lambda _v: "a record needs a date",
                    )
                continue
            if isinstance(dtype, pl.Datetime):
                parsed = pl.col(field).dt.date()
            else:
                parsed = (
                    pl.col(field)
                    .cast(pl.String)
                    .str.strip_chars()
                    .str.to_date("%Y-%m-%d", strict=False)
                )
            checked = frame.with_columns(parsed.alias("__parsed"))
            bad = checked.filter(pl.col("__parsed").is_null())
            self.report_rows(
                bad,
                path,
                field,
                lambda v: (
                    "a record needs a date" if v is None else f"{v!r} is not a date (YYYY-MM-DD)"
                ),
            )
            frame = checked.with_columns(pl.col("__parsed").alias(field)).drop("__parsed")
        return frame

    def check_records(
        self,
        tables: Mapping[str, RecordTable],
        measures: Mapping[str, Measure],
        usage: Mapping[str, Mapping[str, set[str]]],
        people: Mapping[str, Person],
    ) -> None:
        known = pl.Series(list(people), dtype=pl.String).implode()
        for name, table in tables.items():
            credited = (
                table.credit.select(ROW).unique()
                if table.credit is not None
                else pl.DataFrame({ROW: []}, schema={ROW: pl.Int64})
            )
            if table.credit is not None:
                self.check_credit(table, people)
            for field in sorted(usage.get(name, {}).get("person", set())):
                frame = table.frame
                if field not in frame.columns:
                    if frame.height > credited.height:
                        self.add(
                            f"{table.path}[0].{field}",
                            f"records need a {field} field (a person id)",
                        )
                    continue
                values = frame.select(ROW, pl.col(field).cast(pl.String))
                has_credit = pl.col(ROW).is_in(credited[ROW].implode())
                unknown = values.filter(pl.col(field).is_not_null() & ~pl.col(field).is_in(known))
                self.report_rows(unknown, table.path, field, lambda v: f"unknown person {v!r}")
                absent = values.filter(pl.col(field).is_null() & ~has_credit)
                self.report_rows(absent, table.path, field, lambda _v: "no person to credit")
        checked: set[tuple[str, str]] = set()
        for measure in measures.values():
            self.check_numbers(
                tables, measure.table, measure.value, measure.path, measure.agg, checked
            )
            if measure.where is not None:
                self.check_numbers(
                    tables, measure.table, measure.where, measure.path, "count", checked
                )

    def check_numbers(
        self,
        tables: Mapping[str, RecordTable],
        table_name: str,
        expression: Expression,
        owner: str,
        agg: str,
        checked: set[tuple[str, str]],
    ) -> None:
        table = tables.get(table_name)
        if table is None:
            return
        fields = set(expression.numeric_fields)
        if agg in ("sum", "avg", "min", "max") and expression.bare_field:
            fields.add(expression.bare_field)
        for field in sorted(fields):
            if (table_name, field) in checked or field not in table.frame.columns:
                continue
            checked.add((table_name, field))
            if table.frame.schema[field] != pl.String:
                continue
            text = pl.col(field).str.strip_chars()
            bad = table.frame.filter(
                pl.col(field).is_not_null() & text.cast(pl.Decimal(38, 12), strict=False).is_null()
            )
            self.report_rows(
                bad, table.path, field, lambda v: f"{v!r} is not a number ({owner} needs numbers)"
            )

    def check_credit(self, table: RecordTable, people: Mapping[str, Person]) -> None:
        assert table.credit is not None
        credit = table.credit
        known = pl.Series(list(people), dtype=pl.String).implode()
        suspect = credit.filter(~pl.col("person").is_in(known) | (pl.col("share") <= 0))
        for row, person, share in suspect.iter_rows():
            path = f"{table.path}[{row}].credit"
            if person not in people:
                self.add(f"{path}.{person}", f"unknown person {person!r}")
            if share is not None and share <= 0:
                self.add(f"{path}.{person}", f"share must be greater than 0, not {share}")
        tolerance = Decimal("1e-9")
        sums = (
            credit.group_by(ROW)
            .agg(pl.col("share").sum().alias("total"))
            .filter(pl.col("total") != 1)
            .sort(ROW)
        )
        for row, total in sums.iter_rows():
            if abs(total - ONE) > tolerance:
                self.add(
                    f"{table.path}[{row}].credit",
                    f"shares sum to {total.normalize():f}, not 1",
                )

    # -- measures --------------------------------------------------------------------
    def table_context(self, table: RecordTable | None) -> ExpressionContext:
        names: dict[str, Type] = {}
        if table is not None:
            for column, dtype in table.frame.schema.items():
                if column != ROW:
                    names[column] = column_type(dtype)[0]
        return ExpressionContext(names, open=table is not None and table.frame.height == 0)

    def measures(
        self, rows: Mapping[str, Any], tables: Mapping[str, RecordTable]
    ) -> dict[str, Measure]:
        measures: dict[str, Measure] = {}
        allowed = {"from", "value", "where", "agg", "date", "person", "money", "rollup"}
        for name, value in rows.items():
            path = join("measures", name)
            row = self.mapping(value, path, allowed)
            table_name = self.text(row.get("from"), join(path, "from"))
            table = tables.get(table_name) if table_name else None
            if table_name is not None and table is None:
                self.add(join(path, "from"), f"unknown record table {table_name!r}")
            agg = cast(Agg, self.choice(row.get("agg"), join(path, "agg"), AGGS, "sum"))
            date_field = self.text(row.get("date", "date"), join(path, "date")) or "date"
            person_field = self.text(row.get("person", "owner"), join(path, "person")) or "owner"
            context = self.table_context(table)
            value_expr: Expression | None = Expression.constant(ONE)
            where_expr: Expression | None = None
            if table is not None:
                if date_field not in table.frame.columns:
                    self.add(
                        join(path, "date"), f"table {table_name!r} has no field {date_field!r}"
                    )
                value_expr = self.expression(row.get("value", 1), join(path, "value"), context)
                if "where" in row:
                    where_expr = self.expression(row["where"], join(path, "where"), context)
                if (
                    value_expr is not None
                    and agg in ("sum", "avg", "min", "max")
                    and value_expr.type in ("bool", "date", "list")
                ):
                    self.add(
                        join(path, "value"), f"{agg} needs numbers; this value is {value_expr.type}"
                    )
                if (
                    value_expr is not None
                    and agg in ("sum", "avg", "min", "max")
                    and value_expr.type == "text"
                    and value_expr.bare_field is None
                ):
                    self.add(join(path, "value"), f"{agg} needs numbers; this value is text")
            default_money = (
                agg == "sum"
                and value_expr is not None
                and value_expr.bare_field is not None
                and "amount" in value_expr.bare_field
            )
            money = self.flag(row.get("money"), join(path, "money"), default_money)
            rollup = self.flag(row.get("rollup"), join(path, "rollup"), False)
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
        self.measure_names = frozenset(rows)
        return measures

    measure_names: frozenset[str] = frozenset()

    def expression(self, value: object, path: str, context: ExpressionContext) -> Expression | None:
        expression, problems = parse(value, path, context)
        self.problems.extend(problems)
        return expression

    # -- targets ---------------------------------------------------------------------
    def targets(
        self,
        value: object,
        measures: Mapping[str, Measure],
        units: Mapping[str, Unit],
        people: Mapping[str, Person],
    ) -> list[TargetSpec]:
        targets: list[TargetSpec] = []
        seen: dict[tuple[str, str, str], str] = {}
        allowed = {"measure", "who", "period", "value", "spread"}
        for index, raw in enumerate(self.rows(value, "targets")):
            path = join("targets", index)
            row = self.mapping(raw, path, allowed)
            measure = self.text(row.get("measure"), join(path, "measure"))
            if measure is not None and measure not in self.measure_names:
                self.add(join(path, "measure"), f"unknown measure {measure!r}")
            who = self.who(row.get("who"), join(path, "who"), units, people)
            period = self.period(row.get("period"), join(path, "period"))
            number = self.number(row.get("value"), join(path, "value"))
            spread = self.choice(
                row.get("spread"), join(path, "spread"), ("none", "distribution"), "distribution"
            )
            if measure is None or who is None or period is None or number is None:
                continue
            key = (measure, who, period.id)
            if key in seen:
                self.add(
                    path,
                    f"duplicate target for {measure} / {who} / {period.id} (first at {seen[key]})",
                )
                continue
            seen[key] = path
            targets.append(TargetSpec(measure, who, period, number, spread != "none", path))
        return targets

    def who(
        self, value: object, path: str, units: Mapping[str, Unit], people: Mapping[str, Person]
    ) -> str | None:
        who = self.text(value, path)
        if who is None:
            return None
        if who in units and who in people:
            self.add(path, f"{who!r} is both a unit id and a person id; make ids distinct")
            return None
        if who not in units and who not in people:
            self.add(path, f"unknown person or unit {who!r}")
            return None
        return who

    # -- decompositions ----------------------------------------------------------------
    def decompositions(
        self, value: object, measures: Mapping[str, Measure], units: Mapping[str, Unit]
    ) -> list[Decomposition]:
        result: list[Decomposition] = []
        if value is None:
            return result
        if not isinstance(value, list):
            self.add("decompositions", "must be a list")
            return result
        allowed = {
            "id",
            "measure",
            "from",
            "to",
            "roles",
            "method",
            "history_period",
            "potential_field",
            "blend",
            "ramp",
            "overassign",
            "max_overassign",
            "months",
            "seasonal_years",
            "round_to",
        }
        ids: set[str] = set()
        for index, raw in enumerate(value):
            path = join("decompositions", index)
            row = self.mapping(raw, path, allowed)
            did = self.text(row.get("id"), join(path, "id"))
            if did is not None:
                if did in ids:
                    self.add(join(path, "id"), f"duplicate decomposition id {did!r}")
                ids.add(did)
            measure = self.text(row.get("measure"), join(path, "measure"))
            if measure is not None and measure not in self.measure_names:
                self.add(join(path, "measure"), f"unknown measure {measure!r}")
            source = self.mapping(row.get("from"), join(path, "from"), {"who", "period", "value"})
            who = self.text(source.get("who"), join(path, "from.who"))
            if who is not None and who not in units:
                self.add(join(path, "from.who"), f"unknown unit {who!r}")
            period = self.period(source.get("period"), join(path, "from.period"))
            total = self.number(source.get("value"), join(path, "from.value"), required=False)
            to = self.choice(row.get("to"), join(path, "to"), ("people", "units"), "people")
            roles = None
            if row.get("roles") is not None:
                roles = frozenset(self.id_list(row["roles"], join(path, "roles")))
            method = self.choice(row.get("method"), join(path, "method"), METHODS, "equal")
            if "method" not in row:
                self.add(
                    join(path, "method"),
                    "is required (equal, history, potential, capacity or blend)",
                )
            blend: dict[str, Decimal] = {}
            if method == "blend":
                blend_row = self.mapping(
                    row.get("blend"), join(path, "blend"), set(METHODS) - {"blend"}
                )
                for name, weight in blend_row.items():
                    number = self.number(weight, join(path, f"blend.{name}"), low=ZERO)
                    if number is not None and name in METHODS:
                        blend[name] = number
                if blend and abs(sum(blend.values(), ZERO) - ONE) > Decimal("1e-9"):
                    self.add(
                        join(path, "blend"), f"weights sum to {sum(blend.values(), ZERO)}, not 1"
                    )
                if not blend_row:
                    self.add(join(path, "blend"), "is required with method: blend")
            elif "blend" in row:
                self.add(join(path, "blend"), "is only used with method: blend")
            used = set(blend) if method == "blend" else {method}
            history_period = None
            if "history" in used or "history_period" in row:
                history_period = self.period(
                    row.get("history_period"), join(path, "history_period")
                )
            potential_field = (
                self.text(row.get("potential_field", "potential"), join(path, "potential_field"))
                or "potential"
            )
            ramp: list[Decimal] = []
            if row.get("ramp") is not None:
                if not isinstance(row["ramp"], list):
                    self.add(join(path, "ramp"), "must be a list of productivity factors")
                else:
                    for k, item in enumerate(row["ramp"]):
                        factor = self.number(item, join(path, f"ramp[{k}]"), low=ZERO)
                        if factor is not None:
                            ramp.append(factor)
            overassign = (
                self.number(row.get("overassign", 1), join(path, "overassign"), positive=True)
                or ONE
            )
            max_over = self.number(
                row.get("max_overassign", Decimal("1.25")),
                join(path, "max_overassign"),
                positive=True,
            ) or Decimal("1.25")
            if overassign > max_over:
                self.add(
                    join(path, "overassign"), f"{overassign} is above max_overassign {max_over}"
                )
            months: str | tuple[Decimal, ...] | None = None
            raw_months = row.get("months")
            if isinstance(raw_months, list):
                if len(raw_months) != 12:
                    self.add(join(path, "months"), "must be equal, seasonal or 12 month weights")
                else:
                    weights = [
                        self.number(w, join(path, f"months[{k}]"), low=ZERO)
                        for k, w in enumerate(raw_months)
                    ]
                    if all(w is not None for w in weights):
                        months = tuple(cast(list[Decimal], weights))
                        if sum(months, ZERO) <= 0:
                            self.add(join(path, "months"), "weights must not all be 0")
            elif raw_months is not None:
                months = self.choice(
                    raw_months, join(path, "months"), ("equal", "seasonal"), "equal"
                )
            seasonal_years: list[int] = []
            if row.get("seasonal_years") is not None:
                years = row["seasonal_years"]
                if not isinstance(years, list):
                    self.add(join(path, "seasonal_years"), "must be a list of fiscal years")
                else:
                    for k, year in enumerate(years):
                        if (
                            isinstance(year, bool)
                            or not isinstance(year, int | str)
                            or not str(year).isdigit()
                        ):
                            self.add(
                                join(path, f"seasonal_years[{k}]"), f"{year!r} is not a fiscal year"
                            )
                        else:
                            seasonal_years.append(int(year))
            elif months == "seasonal" and period is not None:
                start_year = int(period.id[:4])
                seasonal_years = [start_year - 2, start_year - 1]
            round_to = (
                self.number(row.get("round_to", 1), join(path, "round_to"), positive=True) or ONE
            )
            if did is None or measure is None or who is None or period is None or self.problems:
                continue
            if who not in units:
                continue
            result.append(
                Decomposition(
                    did,
                    measure,
                    who,
                    period,
                    total,
                    cast(Literal["people", "units"], to),
                    roles,
                    method,
                    history_period,
                    potential_field,
                    blend,
                    tuple(ramp),
                    overassign,
                    months,
                    tuple(seasonal_years),
                    round_to,
                    path,
                )
            )
        return result

    # -- plans -----------------------------------------------------------------------
    def plans(
        self,
        value: object,
        measures: Mapping[str, Measure],
        tables: Mapping[str, RecordTable],
        units: Mapping[str, Unit],
        people: Mapping[str, Person],
    ) -> list[Plan]:
        result: list[Plan] = []
        if not isinstance(value, list):
            self.add("plans", "must be a list")
            return result
        ids: set[str] = set()
        allowed = {"id", "name", "applies_to", "effective", "period", "components"}
        for index, raw in enumerate(value):
            path = join("plans", index)
            row = self.mapping(raw, path, allowed)
            pid = self.text(row.get("id"), join(path, "id"))
            if pid is not None:
                if pid in ids:
                    self.add(join(path, "id"), f"duplicate plan id {pid!r}")
                ids.add(pid)
            applies = self.applies_to(
                row.get("applies_to"), join(path, "applies_to"), units, people
            )
            effective = self.mapping(
                row.get("effective", {}) or {}, join(path, "effective"), {"from", "to"}
            )
            start = self.date(effective.get("from"), join(path, "effective.from")) or BEGINNING
            end = self.date(effective.get("to"), join(path, "effective.to")) or END_OF_TIME
            if end < start:
                self.add(join(path, "effective.to"), "ends before it starts")
            kind = self.choice(
                row.get("period"),
                join(path, "period"),
                ("month", "quarter", "half", "year"),
                "quarter",
            )
            if "period" not in row:
                self.add(join(path, "period"), "is required (month, quarter, half or year)")
            components: list[Component] = []
            component_ids: set[str] = set()
            raw_components = row.get("components")
            if not isinstance(raw_components, list):
                self.add(join(path, "components"), "must be a list of components")
                raw_components = []
            for k, raw_component in enumerate(raw_components):
                component = self.component(
                    raw_component, join(path, f"components[{k}]"), measures, tables
                )
                if component is None:
                    continue
                if component.id in component_ids:
                    self.add(
                        join(component.path, "id"),
                        f"duplicate component id {component.id!r} in this plan",
                    )
                component_ids.add(component.id)
                components.append(component)
            if pid is None:
                continue
            name = self.text(row.get("name"), join(path, "name"), required=False) or pid
            result.append(
                Plan(
                    pid,
                    name,
                    applies,
                    start,
                    end,
                    cast(Literal["month", "quarter", "half", "year"], kind),
                    tuple(components),
                    path,
                )
            )
        return result

    def applies_to(
        self, value: object, path: str, units: Mapping[str, Unit], people: Mapping[str, Person]
    ) -> AppliesTo:
        if value is None:
            self.add(path, "is required ({role: rep}, {people: [...]} or {units: [...]})")
            return AppliesTo()
        row = self.mapping(value, path, {"role", "roles", "people", "units", "managers", "manager"})
        roles = None
        for key in ("role", "roles"):
            if key in row:
                roles = frozenset(self.id_list(row[key], join(path, key)))
        chosen_people = None
        if "people" in row:
            chosen_people = frozenset(self.id_list(row["people"], join(path, "people")))
            for k, pid in enumerate(self.id_list(row["people"], join(path, "people"))):
                if pid not in people:
                    self.add(join(path, f"people[{k}]"), f"unknown person {pid!r}")
        chosen_units = None
        if "units" in row:
            chosen_units = frozenset(self.id_list(row["units"], join(path, "units")))
            for k, uid in enumerate(self.id_list(row["units"], join(path, "units"))):
                if uid not in units:
                    self.add(join(path, f"units[{k}]"), f"unknown unit {uid!r}")
        managers = None
        for key in ("manager", "managers"):
            if key in row:
                managers = frozenset(self.id_list(row[key], join(path, key)))
                for pid in managers:
                    if pid not in people:
                        self.add(join(path, key), f"unknown person {pid!r}")
        return AppliesTo(roles, chosen_people, chosen_units, managers)

    def component_context(self, measure: str | None, kind: str) -> ExpressionContext:
        names: dict[str, Type] = {}
        if measure is not None:
            names.update({"actual": "number", "target": "number", "attainment": "number"})
        if kind == "scorecard":
            names["score"] = "number"
        return ExpressionContext(names, self.measure_names, what="variable")

    def component(
        self,
        value: object,
        path: str,
        measures: Mapping[str, Measure],
        tables: Mapping[str, RecordTable],
    ) -> Component | None:
        if not isinstance(value, Mapping):
            self.add(path, "must be a mapping")
            return None
        kind_value = value.get("kind")
        if kind_value not in KINDS:
            self.add(join(path, "kind"), f"{kind_value!r} is not one of {', '.join(KINDS)}")
            return None
        kind = cast(Literal["commission", "bonus", "scorecard", "spiff"], kind_value)
        row = self.mapping(value, path, COMMON_COMPONENT_KEYS | COMPONENT_KEYS[kind])
        cid = self.text(row.get("id"), join(path, "id"))
        measure = None
        if "measure" in row or kind == "commission":
            measure = self.text(row.get("measure"), join(path, "measure"))
            if measure is not None and measure not in self.measure_names:
                self.add(join(path, "measure"), f"unknown measure {measure!r}")
                measure = None
        context = self.component_context(measure, kind)
        scope = cast(
            Scope,
            self.choice(
                row.get("scope"), join(path, "scope"), ("self", "team", "team_and_self"), "self"
            ),
        )

        def expr(key: str) -> Expression | None:
            if key not in row or row[key] is None:
                return None
            return self.expression(row[key], join(path, key), context)

        gate = None
        if row.get("gate") is not None:
            gate_row = self.mapping(row["gate"], join(path, "gate"), {"min_attainment", "measure"})
            minimum = self.number(gate_row.get("min_attainment"), join(path, "gate.min_attainment"))
            gate_measure = self.text(gate_row.get("measure", measure), join(path, "gate.measure"))
            if gate_measure is not None and gate_measure not in self.measure_names:
                self.add(join(path, "gate.measure"), f"unknown measure {gate_measure!r}")
            elif minimum is not None and gate_measure is not None:
                gate = Gate(minimum, gate_measure)
        component = Component(
            id=cid or "",
            kind=kind,
            path=path,
            measure=measure,
            scope=scope,
            gate=gate,
            multiplier=expr("multiplier"),
            cap=expr("cap"),
            floor=expr("floor"),
        )
        fields: dict[str, Any] = {}
        if kind == "commission":
            fields.update(self.commission(row, path, context))
        elif kind == "bonus":
            fields.update(self.bonus(row, path, context, measure))
        elif kind == "scorecard":
            fields.update(self.scorecard(row, path, context))
        else:
            fields.update(self.spiff(row, path, tables))
        if cid is None:
            return None
        from dataclasses import replace

        return replace(component, **fields)

    def commission(
        self, row: Mapping[str, Any], path: str, context: ExpressionContext
    ) -> dict[str, Any]:
        has_rate, has_tiers = "rate" in row, "tiers" in row
        if has_rate == has_tiers:
            self.add(path, "a commission needs exactly one of rate and tiers")
            return {}
        if has_rate:
            rate = row["rate"]
            if isinstance(rate, str):
                return {"rate": self.expression(rate, join(path, "rate"), context)}
            number = self.number(rate, join(path, "rate"))
            if number is not None and not ZERO <= number <= ONE:
                self.add(join(path, "rate"), f"rate {number} is outside [0, 1]")
                return {}
            return {"rate": Expression.constant(number)} if number is not None else {}
        tiers_path = join(path, "tiers")
        tiers = self.mapping(row["tiers"], tiers_path, {"basis", "mode", "table"})
        basis = self.choice(
            tiers.get("basis"), join(tiers_path, "basis"), ("attainment", "amount"), "attainment"
        )
        mode = self.choice(
            tiers.get("mode"), join(tiers_path, "mode"), ("marginal", "whole"), "marginal"
        )
        table_path = join(tiers_path, "table")
        raw_table = tiers.get("table")
        if not isinstance(raw_table, list) or not raw_table:
            self.add(table_path, "must be a non-empty list of {from, rate}")
            return {}
        table: list[Tier] = []
        for k, raw in enumerate(raw_table):
            tier_path = join(table_path, k)
            tier = self.mapping(raw, tier_path, {"from", "rate"})
            start = self.number(tier.get("from"), join(tier_path, "from"))
            rate = self.number(tier.get("rate"), join(tier_path, "rate"))
            if rate is not None and not ZERO <= rate <= ONE:
                self.add(join(tier_path, "rate"), f"rate {rate} is outside [0, 1]")
                rate = None
            if start is None or rate is None:
                return {}
            table.append(Tier(start, rate))
        if table[0].start != 0:
            self.add(table_path, f"must start at from: 0, not {table[0].start}")
        for previous, current in itertools.pairwise(table):
            if current.start <= previous.start:
                self.add(
                    table_path,
                    f"from values must strictly increase ({previous.start} then {current.start})",
                )
                break
        return {
            "tiers": Tiers(
                cast(Literal["attainment", "amount"], basis),
                cast(Literal["marginal", "whole"], mode),
                tuple(table),
            )
        }

    def bonus(
        self, row: Mapping[str, Any], path: str, context: ExpressionContext, measure: str | None
    ) -> dict[str, Any]:
        fields: dict[str, Any] = {}
        if "when" in row:
            fields["when"] = self.expression(row["when"], join(path, "when"), context)
        has_amount, has_levels = "amount" in row, "levels" in row
        if has_amount == has_levels:
            self.add(path, "a bonus needs exactly one of amount and levels")
            return fields
        if has_amount:
            fields["amount"] = self.expression(row["amount"], join(path, "amount"), context)
            return fields
        if measure is None:
            if "measure" not in row:
                self.add(join(path, "measure"), "is required with levels")
            return fields
        levels_path = join(path, "levels")
        if not isinstance(row["levels"], list) or not row["levels"]:
            self.add(levels_path, "must be a non-empty list of {min_attainment, amount, label}")
            return fields
        levels: list[Level] = []
        for k, raw in enumerate(row["levels"]):
            level_path = join(levels_path, k)
            level = self.mapping(raw, level_path, {"min_attainment", "amount", "label"})
            minimum = self.number(level.get("min_attainment"), join(level_path, "min_attainment"))
            amount = (
                self.expression(level.get("amount"), join(level_path, "amount"), context)
                if "amount" in level
                else None
            )
            if "amount" not in level:
                self.add(join(level_path, "amount"), "is required")
            label = self.text(level.get("label"), join(level_path, "label"), required=False)
            if minimum is not None and amount is not None:
                if any(existing.min_attainment == minimum for existing in levels):
                    self.add(join(level_path, "min_attainment"), f"two levels start at {minimum}")
                levels.append(Level(minimum, amount, label))
        fields["levels"] = tuple(sorted(levels, key=lambda level: level.min_attainment))
        return fields

    def scorecard(
        self, row: Mapping[str, Any], path: str, context: ExpressionContext
    ) -> dict[str, Any]:
        metrics_path = join(path, "metrics")
        raw_metrics = row.get("metrics")
        if not isinstance(raw_metrics, list) or not raw_metrics:
            self.add(metrics_path, "must be a non-empty list of {measure, weight}")
            return {}
        metrics: list[Metric] = []
        for k, raw in enumerate(raw_metrics):
            metric_path = join(metrics_path, k)
            metric = self.mapping(raw, metric_path, {"measure", "weight", "target", "direction"})
            measure = self.text(metric.get("measure"), join(metric_path, "measure"))
            if measure is not None and measure not in self.measure_names:
                self.add(join(metric_path, "measure"), f"unknown measure {measure!r}")
                measure = None
            weight = self.number(metric.get("weight"), join(metric_path, "weight"), positive=True)
            target = self.number(metric.get("target"), join(metric_path, "target"), required=False)
            direction = self.choice(
                metric.get("direction"),
                join(metric_path, "direction"),
                ("higher", "lower"),
                "higher",
            )
            if measure is not None and weight is not None:
                metrics.append(
                    Metric(measure, weight, target, cast(Literal["higher", "lower"], direction))
                )
        score = self.mapping(row.get("score", {}) or {}, join(path, "score"), {"floor", "cap"})
        floor = self.number(score.get("floor", 0), join(path, "score.floor"))
        cap = self.number(score.get("cap"), join(path, "score.cap"), required=False)
        if floor is not None and cap is not None and cap < floor:
            self.add(join(path, "score.cap"), f"cap {cap} is below floor {floor}")
        payout = (
            self.expression(row["payout"], join(path, "payout"), context)
            if "payout" in row
            else None
        )
        return {"metrics": tuple(metrics), "score_floor": floor, "score_cap": cap, "payout": payout}

    def spiff(
        self, row: Mapping[str, Any], path: str, tables: Mapping[str, RecordTable]
    ) -> dict[str, Any]:
        table_name = self.text(row.get("from"), join(path, "from"))
        table = tables.get(table_name) if table_name else None
        if table_name is not None and table is None:
            self.add(join(path, "from"), f"unknown record table {table_name!r}")
            return {}
        context = self.table_context(table)
        where = (
            self.expression(row["where"], join(path, "where"), context) if "where" in row else None
        )
        if "amount" not in row:
            self.add(join(path, "amount"), "is required")
            return {}
        amount = self.expression(row["amount"], join(path, "amount"), context)
        if amount is not None and amount.type not in ("number", "any", "null", "text"):
            self.add(join(path, "amount"), f"must be a number, not {amount.type}")
        if amount is not None and table is not None:
            checked: set[tuple[str, str]] = set()
            self.check_numbers(tables, table.name, amount, path, "sum", checked)
        person = self.text(row.get("person", "owner"), join(path, "person")) or "owner"
        return {"table": table_name, "where": where, "amount": amount, "person_field": person}

    def report(self, value: object) -> list[Period]:
        if value is None:
            return []
        row = self.mapping(value, "report", {"periods"})
        raw = row.get("periods", [])
        if not isinstance(raw, list):
            self.add("report.periods", "must be a list of period ids")
            return []
        periods: list[Period] = []
        for index, item in enumerate(raw):
            period = self.period(item, f"report.periods[{index}]")
            if period is not None:
                periods.append(period)
        return periods


def _names(source: object, out: set[str]) -> bool:
    """Add every name an expression text mentions; False when it cannot be parsed."""
    if source is None or isinstance(source, bool | int | float | Decimal):
        return True
    if not isinstance(source, str):
        return False
    try:
        tree = ast.parse(source.strip(), mode="eval")
    except (SyntaxError, ValueError):
        return False
    out.update(node.id for node in ast.walk(tree) if isinstance(node, ast.Name))
    return True


def referenced_fields(
    measure_rows: Mapping[str, Any], plan_rows: object
) -> dict[str, set[str] | None]:
    """Per record table, every field name its measures' and spiffs' expressions mention.

    A superset of the fields used (function names and variables count too); ``None``
    for a table when some expression cannot be read, so the whole file is loaded and
    the expression's problem is reported as usual.
    """
    found: dict[str, set[str] | None] = {}

    def note(table: object, *sources: object) -> None:
        if not isinstance(table, str):
            return
        names = found.get(table, set())
        if names is None:
            return
        if not all(_names(source, names) for source in sources):
            found[table] = None
            return
        found[table] = names

    for row in measure_rows.values():
        if isinstance(row, Mapping):
            note(row.get("from"), row.get("value"), row.get("where"))
    if isinstance(plan_rows, list):
        for plan in plan_rows:
            components = plan.get("components") if isinstance(plan, Mapping) else None
            for component in components if isinstance(components, list) else []:
                if isinstance(component, Mapping) and component.get("kind") == "spiff":
                    note(component.get("from"), component.get("amount"), component.get("where"))
    return found
