"""The whole document: top-level settings, then each section in the order they depend on.

Units and people come first (everything names them), then the record tables (checked
against the fields the measures and spiffs use), measures, targets, decompositions,
plans and the report periods. Every section is read even when an earlier one has
problems, so that one pass reports them all.
"""

from __future__ import annotations

import decimal
from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path

import polars as pl

from ..memory import no_cycle_collection
from ..model import Scenario
from ..numbers import ENGINE_CONTEXT, ZERO, currency_problem
from ..org import Org, manager_cycles
from ..periods import Period, unhandled_day
from ..problems import Problem, join
from ..yamlio import read_yaml
from .decompositions import read_decompositions
from .measures import read_measures
from .org import read_people, read_units
from .plans import read_plans
from .reader import Reader
from .records import check_records, read_tables
from .targets import read_targets
from .usage import referenced_fields, table_usage

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


def load_scenario(path: str | Path) -> tuple[Scenario | None, list[Problem]]:
    """Read and check a scenario file."""
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None, [Problem(str(path), "file not found")]
    except IsADirectoryError:
        return None, [Problem(str(path), "is a directory, not a scenario file")]
    except UnicodeDecodeError as error:
        return None, [_not_utf8(error)]
    except OSError as error:
        return None, [Problem(str(path), f"cannot read the file: {error}")]
    data, problems = read_yaml(text)
    if data is None and problems:
        return None, problems
    scenario, more = scenario_from_data(data, file.resolve().parent, source=file)
    problems = problems + more
    return (None if problems else scenario), problems


def _not_utf8(error: UnicodeDecodeError) -> Problem:
    """A scenario that is not UTF-8 (saved as GBK by an editor on a Chinese Windows), at
    the line and column of its first byte that is not."""
    before = error.object[: error.start].decode("utf-8")
    line = before.count("\n") + 1
    column = len(before.rsplit("\n", 1)[-1]) + 1
    return Problem(
        f"line {line}, column {column}",
        f"the file is not UTF-8 text (byte 0x{error.object[error.start]:02x}); save it as "
        "UTF-8 (an editor's GBK or ANSI encoding is not read)",
    )


def scenario_from_data(
    data: object,
    base_dir: Path | None = None,
    source: Path | None = None,
    *,
    frames: Mapping[str, pl.DataFrame] | None = None,
) -> tuple[Scenario | None, list[Problem]]:
    """Check an already-parsed scenario document (a dict, as YAML gives it).

    ``frames``: tables the caller holds in memory, keyed by the path a ``{parquet:
    PATH}`` of the document names; such a table is that frame, exactly as if it had been
    written to PATH and read back, and no file is read (an application that builds the
    document from its database saves the round trip)."""
    with decimal.localcontext(ENGINE_CONTEXT), no_cycle_collection():
        reader = Reader(base_dir, source, frames)
        scenario = read_document(reader, data)
    problems = reader.problems.as_list()
    return (None if problems else scenario), problems


def read_document(reader: Reader, data: object) -> Scenario | None:
    """The scenario, or None when any problem was found (all of them are in `reader`)."""
    if not isinstance(data, Mapping):
        reader.add("file", "a scenario must be a YAML mapping with version: 1 at the top")
        return None
    top = reader.mapping(data, "", TOP_LEVEL)
    version = top.get("version")
    if version is None:
        reader.add("version", "is required (version: 1)")
    elif version != 1 or isinstance(version, bool):
        reader.add("version", f"must be 1, not {version!r}")
    currency = reader.text(top.get("currency", "CNY"), "currency") or "CNY"
    problem = currency_problem(currency)
    if problem:
        reader.add("currency", problem)
    fys = top.get("fiscal_year_start", 1)
    if (
        isinstance(fys, bool)
        or not isinstance(fys, int | Decimal)
        or not 1 <= fys <= 12
        or fys != int(fys)
    ):
        reader.add("fiscal_year_start", f"must be a month 1..12, not {fys!r}")
    else:
        reader.fiscal_year_start = int(fys)
    as_of = reader.date(top.get("as_of"), "as_of")
    if as_of is not None and (why := unhandled_day(as_of, reader.fiscal_year_start)):
        reader.add("as_of", why)
        as_of = None
    distribution = read_distribution(reader, top.get("distribution"))

    units = read_units(reader, top.get("units"))
    people = read_people(reader, top.get("people"), units)
    org = Org(units, people)
    reader.problems.extend(manager_cycles(org))
    products = read_products(reader, top.get("products"))

    raw_tables: dict[str, tuple[str, object]] = {}
    records = top.get("records")
    if records is not None:
        for name, value in reader.mapping(records, "records", None).items():
            raw_tables[name] = (f"records.{name}", value)
    if top.get("customers") is not None:
        if "customers" in raw_tables:
            reader.add("records.customers", "customers are given at the top level already")
        raw_tables["customers"] = ("customers", top["customers"])

    measure_rows = reader.mapping(top.get("measures", {}) or {}, "measures", None)
    plan_rows = top.get("plans") or []
    usage = table_usage(measure_rows, plan_rows)
    fields = referenced_fields(measure_rows, plan_rows)
    tables = read_tables(reader, raw_tables, usage, fields)
    measures = read_measures(reader, measure_rows, tables)
    check_records(reader, tables, measures, usage, people)
    targets = read_targets(reader, top.get("targets"), org)
    decompositions = read_decompositions(reader, top.get("decompositions"), units)
    plans = read_plans(reader, plan_rows, tables, org)
    report = read_report(reader, top.get("report"))
    if reader.problems:
        return None
    return Scenario(
        version=1,
        currency=currency,
        fiscal_year_start=reader.fiscal_year_start,
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
        source=reader.source,
        products=tuple(products),
    )


def read_distribution(reader: Reader, value: object) -> tuple[Decimal, ...] | None:
    """The 12 month weights (summing to 100) that spread a yearly target."""
    if value is None:
        return None
    if not isinstance(value, list) or len(value) != 12:
        reader.add("distribution", "must list 12 month weights")
        return None
    weights: list[Decimal] = []
    for index, item in enumerate(value):
        number = reader.number(item, join("distribution", index), low=ZERO)
        if number is None:
            return None
        weights.append(number)
    total = sum(weights, ZERO)
    if abs(total - 100) > Decimal("1e-6"):
        reader.add("distribution", f"weights sum to {total}, not 100")
        return None
    return tuple(weights)


def read_products(reader: Reader, value: object) -> list[str]:
    """The product ids, each once."""
    ids: list[str] = []
    for index, row in enumerate(reader.rows(value, "products")):
        pid = reader.entry_id(row, join("products", index), ids, "product")
        if pid is not None:
            ids.append(pid)
    return ids


def read_report(reader: Reader, value: object) -> list[Period]:
    """The periods the output reports (spec section 8)."""
    if value is None:
        return []
    row = reader.mapping(value, "report", {"periods"})
    raw = row.get("periods", [])
    if not isinstance(raw, list):
        reader.add("report.periods", "must be a list of period ids")
        return []
    periods: list[Period] = []
    for index, item in enumerate(raw):
        period = reader.period(item, f"report.periods[{index}]")
        if period is not None:
            periods.append(period)
    return periods
