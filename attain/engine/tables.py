"""Record tables as Polars frames: inline lists, CSV and parquet, typed for exact sums.

Numbers become ``Decimal(38, scale)`` columns (the scale the data needs), so sums are
exact; floats in parquet files are read through their shortest text, as
``Decimal(str(x))`` would. Identifiers, person fields and dates stay text until the
loader checks them. Every frame carries ``__row``, the 0-based data row.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_EVEN, Context, Decimal
from pathlib import Path
from typing import Any

import polars as pl

from .expressions import MAX_SCALE, TEXT_NUMBER_SCALE, decimal_scale
from .model import ROW
from .numbers import NotANumber, to_decimal
from .problems import Problem, join, written_as

CREDIT = "credit"


@dataclass
class LoadedTable:
    frame: pl.DataFrame
    credit: pl.DataFrame | None
    problems: list[Problem] = field(default_factory=list)


def credit_frame(
    rows: Sequence[int], people: Sequence[str], shares: Sequence[Decimal]
) -> pl.DataFrame:
    scale = min(max([decimal_scale(s) for s in shares], default=0), MAX_SCALE)
    return pl.DataFrame(
        {ROW: list(rows), "person": list(people), "share": list(shares)},
        schema={ROW: pl.Int64, "person": pl.String, "share": pl.Decimal(38, scale)},
    )


def _credit_entries(
    value: object, path: str, row: int, out: list[tuple[int, str, Decimal]]
) -> list[Problem]:
    if not isinstance(value, Mapping) or not value:
        return [Problem(path, "credit must map person ids to shares, like {zhang: 0.5, wang: 0.5}")]
    problems: list[Problem] = []
    for person, share in value.items():
        try:
            number = to_decimal(share)
        except NotANumber:
            hint = written_as(share)
            message = f"share {share!r} is not a number" + (f"; {hint}" if hint else "")
            problems.append(Problem(join(path, str(person)), message))
            continue
        if number.adjusted() >= _SHARE_DIGITS:  # beyond the shares' Decimal(38, 20)
            message = f"share {number:f} is not between 0 and 1"
            problems.append(Problem(join(path, str(person)), message))
            continue
        out.append((row, str(person), number))
    return problems


def _column(values: list[Any]) -> tuple[pl.Series | list[Any], pl.DataType]:
    present = [v for v in values if v is not None]
    if not present:
        return values, pl.String()
    if all(isinstance(v, bool) for v in present):
        return values, pl.Boolean()
    if all(isinstance(v, int | Decimal) and not isinstance(v, bool) for v in present):
        numbers = [None if v is None else to_decimal(v) for v in values]
        scale = min(max(decimal_scale(n) for n in numbers if n is not None), MAX_SCALE)
        if all(n is None or n.adjusted() < _DIGITS - scale for n in numbers):
            return [_at_scale(n, scale) for n in numbers], pl.Decimal(_DIGITS, scale)
        # a number the column's 38 digits cannot hold: the column stays text, as a
        # CSV's would, and each such row is a problem where a measure needs numbers
    texts: list[str | None] = []
    for v in values:
        if v is None:
            texts.append(None)
        elif isinstance(v, bool):
            texts.append("true" if v else "false")
        elif isinstance(v, Decimal):
            texts.append(format(v, "f"))
        elif isinstance(v, dict | list):
            texts.append(json.dumps(v, ensure_ascii=False, default=str))
        else:
            texts.append(str(v))
    return texts, pl.String()


RESERVED = "__"  # the start of the engine's own column names (__row)
_DIGITS = 38  # the precision of Polars' decimals
_SHARE_DIGITS = _DIGITS - MAX_SCALE  # digits a credit share may have before the point
_WIDE = Context(prec=2 * _DIGITS)


def _at_scale(number: Decimal | None, scale: int) -> Decimal | None:
    """`number` with at most `scale` decimals, rounded half-even as Polars rounds a
    decimal given with more (which it cannot even do for some, such as 1.0E-40)."""
    if number is None or decimal_scale(number) <= scale:
        return number
    return number.quantize(Decimal(1).scaleb(-scale), ROUND_HALF_EVEN, _WIDE)


def inline_table(rows: object, path: str) -> LoadedTable:
    """A table written as a YAML list of mappings."""
    if not isinstance(rows, list):
        return LoadedTable(
            pl.DataFrame({ROW: []}, schema={ROW: pl.Int64}),
            None,
            [Problem(path, "must be a list of records or {csv: PATH} / {parquet: PATH}")],
        )
    problems: list[Problem] = []
    columns: dict[str, list[Any]] = {}
    credits: list[tuple[int, str, Decimal]] = []
    for index, row in enumerate(rows):
        row_path = join(path, index)
        if not isinstance(row, Mapping):
            problems.append(Problem(row_path, "must be a mapping of field: value"))
            row = {}
        for key in list(row):
            name = str(key)
            if name.startswith(RESERVED):
                problems.append(
                    Problem(
                        join(row_path, name),
                        f"field names starting with {RESERVED} are reserved for the engine",
                    )
                )
                row = {k: v for k, v in row.items() if str(k) != name}
                continue
            if name != CREDIT and name not in columns:
                columns[name] = [None] * index
        for values in columns.values():
            values.append(None)
        for key, value in row.items():
            name = str(key)
            if name == CREDIT:
                if value is not None:
                    problems.extend(_credit_entries(value, join(row_path, CREDIT), index, credits))
                continue
            columns[name][index] = value
    data: dict[str, Any] = {ROW: list(range(len(rows)))}
    schema: dict[str, pl.DataType] = {ROW: pl.Int64()}
    for name, values in columns.items():
        data[name], schema[name] = _column(values)
        kind = schema[name]
        if name == "id" and isinstance(kind, pl.Decimal) and (kind.scale or 0) > 0:
            # ids with decimals (1.5) are text as written: only whole ids stay numbers
            data[name] = [v if v is None else str(v) for v in values]
            schema[name] = pl.String()
    frame = pl.DataFrame(data, schema=schema)
    credit = credit_frame(*zip(*credits, strict=True)) if credits else None
    return LoadedTable(frame, credit, problems)


def _number_column(series: pl.Series) -> pl.Series | None:
    """The text column as exact decimals, or None when some value is not a number."""
    sample = series.drop_nulls().head(1000).str.strip_chars()
    sample = sample.filter(sample != "")
    if sample.len() and sample.cast(pl.Decimal(38, MAX_SCALE), strict=False).null_count():
        return None  # text, without scanning the whole column
    text = series.str.strip_chars()
    text = pl.Series(series.name, text).set(text == "", None) if (text == "").any() else text
    present = text.is_not_null().sum()
    if present == 0:
        return None
    fractional = text.str.extract(r"\.(\d+)$", 1).str.len_chars().max()
    scale = int(fractional) if isinstance(fractional, int) else 0
    if text.str.contains(r"[eE]").any():
        scale = TEXT_NUMBER_SCALE
    scale = min(scale, MAX_SCALE)
    numbers = text.cast(pl.Decimal(38, scale), strict=False)
    if numbers.is_not_null().sum() != present:
        return None
    return numbers.alias(series.name)


def file_table(
    spec: Mapping[str, Any],
    path: str,
    base_dir: Path | None,
    keep_text: set[str],
    columns: set[str] | None = None,
    frames: Mapping[str, pl.DataFrame] | None = None,
) -> LoadedTable:
    """A table given as {csv: PATH} or {parquet: PATH}, relative to the scenario file.

    `columns`, when given, are the only fields anything uses: a parquet file is read
    with just those (plus ``credit``), so unused wide columns cost nothing. A parquet
    PATH that is a key of `frames` is that frame, as if it had been written there and
    read back (the caller has it in memory already: no file is read).
    """
    keys = set(spec)
    empty = pl.DataFrame({ROW: []}, schema={ROW: pl.Int64})
    if len(keys) != 1 or not keys <= {"csv", "parquet"}:
        return LoadedTable(
            empty, None, [Problem(path, "must be a list or one of {csv: PATH}, {parquet: PATH}")]
        )
    kind = next(iter(keys))
    name = spec[kind]
    if not isinstance(name, str) or not name:
        return LoadedTable(empty, None, [Problem(join(path, kind), "must be a file path")])
    given = frames.get(name) if frames is not None and kind == "parquet" else None
    file = Path(name)
    if not file.is_absolute() and base_dir is not None:
        file = base_dir / file
    if given is None and not file.is_file():
        return LoadedTable(empty, None, [Problem(join(path, kind), f"file not found: {name}")])
    try:
        if given is not None:
            frame = given if columns is None else given.select(_wanted(given.columns, columns))
        elif kind == "csv":
            frame = read_csv(file)
        else:
            if columns is None:
                frame = pl.read_parquet(file)
            else:
                wanted = _wanted(list(pl.read_parquet_schema(file)), columns)
                frame = pl.read_parquet(file, columns=wanted)
    except Exception as error:
        ragged = _ragged_row(file) if kind == "csv" and "more fields" in str(error) else None
        if ragged is not None:
            row, fields, header = ragged
            message = f"{fields} fields, but the header of {name} names {header}"
            return LoadedTable(empty, None, [Problem(join(path, row), message)])
        return LoadedTable(empty, None, [Problem(join(path, kind), f"cannot read {name}: {error}")])
    if kind == "csv" and given is None:
        frame, problem = _header(frame, join(path, kind))
        if problem is not None:
            return LoadedTable(empty, None, [problem])
    reserved = sorted(c for c in frame.columns if c.startswith(RESERVED))
    if reserved and given is None:  # (a file's; the application's own frames have none)
        message = (
            f"column names starting with {RESERVED} are reserved for the engine "
            f"({', '.join(reserved)}); rename them"
        )
        return LoadedTable(empty, None, [Problem(join(path, kind), message)])
    frame = frame.with_row_index(ROW).with_columns(pl.col(ROW).cast(pl.Int64))
    if kind == "csv" and given is None and frame.width > 1:
        # a blank line (or one of empty fields, as spreadsheets export) is no record; the
        # rows keep their numbers, so a problem's path still names the file's data row
        frame = frame.filter(~pl.all_horizontal(pl.exclude(ROW).is_null()))
    problems: list[Problem] = []
    credit: pl.DataFrame | None = None
    if CREDIT in frame.columns:
        credit, credit_problems = _credit_from_text(frame, path)
        problems.extend(credit_problems)
        frame = frame.drop(CREDIT)
    converted: list[pl.Series] = []
    for column in frame.columns:
        if column == ROW:
            continue
        series = frame[column]
        dtype = series.dtype
        if column in keep_text:
            if column == "id" and (dtype.is_integer() or isinstance(dtype, pl.Decimal)):
                continue  # checked for uniqueness as numbers, then made text
            if dtype != pl.String and not dtype.is_temporal():
                converted.append(_as_text(series))
            continue
        if dtype == pl.String:
            numbers = _number_column(series)
            if numbers is not None:
                converted.append(numbers)
        elif dtype.is_float():
            # as their shortest text; a column with NaN, an infinity or a number beyond
            # the decimals stays that text, as a CSV's: its rows are checked (and named)
            # where a measure needs numbers, instead of failing the calculation
            text = series.cast(pl.String)
            numbers = _number_column(text)
            converted.append(numbers if numbers is not None else text)
        elif dtype.is_integer():
            converted.append(series.cast(pl.Decimal(38, 0)))
        elif isinstance(dtype, pl.Datetime):
            converted.append(series.dt.date())
        elif not (dtype.is_numeric() or dtype in (pl.Boolean, pl.Date, pl.Null)):
            # durations, times, lists, structs, bytes, categories: text, so that a
            # measure that needs numbers finds each row that is none (as in a CSV)
            converted.append(_as_text(series))
    if converted:
        frame = frame.with_columns(converted)
    return LoadedTable(frame, credit, problems)


def _as_text(series: pl.Series) -> pl.Series:
    """A column as text: cast where Polars can, else each value's own text (a list, a
    struct or bytes, which it cannot cast)."""
    try:
        return series.cast(pl.String)
    except pl.exceptions.PolarsError:
        values = [None if v is None else str(v) for v in series.to_list()]
        return pl.Series(series.name, values, dtype=pl.String)


_DUPLICATED = re.compile(r"^(.*)_duplicated_\d+$")


def _header(frame: pl.DataFrame, path: str) -> tuple[pl.DataFrame, Problem | None]:
    """A CSV's columns named as its header, without spaces around the names (` date `
    is `date`). A name given twice is a problem: which column a measure means is a
    guess (Polars reads the second `amount` as `amount_duplicated_0`). Columns without
    a name (`a,b,,` from a spreadsheet) are left as they are: nothing can use them."""
    present = set(frame.columns)
    names: list[str] = []
    for column in frame.columns:
        repeat = _DUPLICATED.match(column)
        names.append(repeat.group(1) if repeat and repeat.group(1) in present else column)
    stripped = [name.strip() for name in names]
    counts = Counter(name for name in stripped if name)
    repeated = sorted(name for name, count in counts.items() if count > 1)
    if repeated:
        return frame, Problem(path, "the header names " + ", ".join(repeated) + " more than once")
    renames = {
        column: name
        for column, name in zip(frame.columns, stripped, strict=True)
        if name and name != column
    }
    return (frame.rename(renames) if renames else frame), None


def read_csv(file: Path) -> pl.DataFrame:
    """A CSV file's text columns: UTF-8 (with or without BOM), UTF-16 with its BOM (Excel's
    "Unicode text"), else GB18030/GBK, as Excel saves a CSV on a Chinese Windows.

    UTF-8 is read by Polars directly; only a file that is not UTF-8 is decoded here.
    """
    with file.open("rb") as handle:
        head = handle.read(2)
    if head in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
        return _read_csv_text(file.read_bytes().decode("utf-16"))
    try:
        return pl.read_csv(file, infer_schema=False, encoding="utf8")
    except pl.exceptions.ComputeError as error:
        if "utf-8" not in str(error):
            raise
    data = file.read_bytes()
    if _mostly_utf8(data):
        # UTF-8 text with some other bytes in it (a row pasted from a Latin-1 file):
        # GB18030 would read the whole file without a complaint, and wrongly
        raise ValueError("UTF-8 text with bytes that are not UTF-8 in it")
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError:
        raise ValueError("neither UTF-8, UTF-16 nor GBK (GB18030) text") from None
    return _read_csv_text(text)


_NOT_ASCII = re.compile("[^\x00-\x7f\ufffd]")


def _mostly_utf8(data: bytes) -> bool:
    """Whether bytes that are not all UTF-8 still read mostly as UTF-8: more characters
    beyond ASCII decode than bytes fail. GBK text read as UTF-8 fails almost everywhere
    (a valid sequence now and then by chance); UTF-8 with a stray byte, almost nowhere."""
    text = data.decode("utf-8", errors="replace")
    return len(_NOT_ASCII.findall(text)) > text.count("\ufffd")


def _ragged_row(file: Path) -> tuple[int, int, int] | None:
    """The first data row (0-based, blank lines counted as Polars counts them) with more
    fields than the header, its number of fields and the header's."""
    data = file.read_bytes()
    if data[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
        text = data.decode("utf-16", errors="replace")
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = data.decode("gb18030", errors="replace")
    rows = csv.reader(io.StringIO(text, newline=""))
    header = next(rows, None)
    if header is None:
        return None
    for number, row in enumerate(rows):
        if len(row) > len(header):
            return number, len(row), len(header)
    return None


def _read_csv_text(text: str) -> pl.DataFrame:
    return pl.read_csv(io.BytesIO(text.encode("utf-8")), infer_schema=False, encoding="utf8")


def _wanted(present: Sequence[str], columns: set[str]) -> list[str]:
    """The columns of a table to read, in the table's order."""
    return [c for c in present if c in columns or c == CREDIT]


# A credit text simple enough to read in Polars: {"id": 0.5, "other": 0.5} with plain
# decimal shares and ids without escapes. Anything else goes through ``json.loads``.
_PAIR = r'"([^"\\]*)"\s*:\s*(-?[0-9]{1,18}(?:\.[0-9]+)?)'
_SIMPLE = rf"^\s*\{{\s*{_PAIR}\s*(?:,\s*{_PAIR}\s*)*\}}\s*$"


def _simple_credit(column: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(rows, person, share text) of the simple credit texts, and the other rows."""
    simple = column.filter(pl.col(CREDIT).str.contains(_SIMPLE))
    pairs = (
        simple.select(ROW, pl.col(CREDIT).str.extract_all(_PAIR).alias("__pair"))
        .explode("__pair")
        .select(ROW, pl.col("__pair").str.extract_groups(_PAIR).alias("__groups"))
        .select(
            ROW,
            pl.col("__groups").struct.field("1").alias("person"),
            pl.col("__groups").struct.field("2").alias("share"),
        )
    )
    # a repeated key keeps its last value in JSON: leave such rows to json.loads
    repeated = pairs.filter(pl.struct(ROW, "person").is_duplicated()).select(ROW).unique()
    if repeated.height:
        pairs = pairs.join(repeated, on=ROW, how="anti")
        simple = simple.join(repeated, on=ROW, how="anti")
    rest = column.join(simple.select(ROW), on=ROW, how="anti")
    return pairs, rest


def _credit_from_text(frame: pl.DataFrame, path: str) -> tuple[pl.DataFrame | None, list[Problem]]:
    kind = frame.schema[CREDIT]
    if kind not in (pl.String, pl.Null) and not kind.is_numeric():
        # a parquet column of lists or structs ({zhang: 0.5} written as a struct, a
        # person absent from a row being null there): their JSON, checked as the JSON
        # text the format asks for (Polars cannot cast them)
        texts = [
            None
            if value is None
            else json.dumps(
                {k: v for k, v in value.items() if v is not None}
                if isinstance(value, dict)
                else value,
                ensure_ascii=False,
                default=str,
            )
            for value in frame[CREDIT].to_list()
        ]
        frame = frame.with_columns(pl.Series(CREDIT, texts, dtype=pl.String))
    column = frame.select(ROW, pl.col(CREDIT).cast(pl.String)).filter(
        pl.col(CREDIT).is_not_null() & (pl.col(CREDIT).str.strip_chars() != "")
    )
    pairs, column = _simple_credit(column)
    fast: pl.DataFrame | None = None
    if pairs.height:
        fractional = pairs["share"].str.extract(r"\.([0-9]+)$", 1).str.len_chars().max()
        scale = min(int(fractional) if isinstance(fractional, int) else 0, MAX_SCALE)
        fast = pairs.with_columns(pl.col("share").cast(pl.Decimal(38, scale)))
    entries: list[tuple[int, str, Decimal]] = []
    problems: list[Problem] = []
    for row, text in column.iter_rows():
        credit_path = f"{path}[{row}].{CREDIT}"
        try:
            value = json.loads(text, parse_float=Decimal, parse_int=Decimal)
        except json.JSONDecodeError:
            problems.append(
                Problem(credit_path, f'credit {text!r} is not JSON like {{"zhang": 0.5}}')
            )
            continue
        problems.extend(_credit_entries(value, credit_path, row, entries))
    if not entries:
        return fast, problems
    rows, people, shares = zip(*entries, strict=True)
    slow = credit_frame(rows, people, shares)
    if fast is None:
        return slow, problems
    scale = max(_scale(fast), _scale(slow))
    combined = pl.concat(
        [part.with_columns(pl.col("share").cast(pl.Decimal(38, scale))) for part in (fast, slow)]
    )
    return combined.sort(ROW, maintain_order=True), problems


def _scale(frame: pl.DataFrame) -> int:
    dtype = frame.schema["share"]
    return dtype.scale or 0 if isinstance(dtype, pl.Decimal) else 0


def rows_of(frame: pl.DataFrame) -> list[dict[str, Any]]:
    """Rows of a small reference table (units, people, targets) as plain dicts."""
    return [{k: v for k, v in row.items() if k != ROW} for row in frame.to_dicts()]
