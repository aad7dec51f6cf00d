"""One row of an import file checked and turned into field values: every cell parsed
by its column's kind, references looked up (people and product lines once per file,
customers, orders, opportunities and tickets once per chunk), the table's own rules
applied. A bad row gets all its reasons, in the reader's language. No query per row."""

from __future__ import annotations

import datetime
import re
import unicodedata
from collections.abc import Callable
from decimal import ROUND_FLOOR, Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import models
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from attain.crm.bounds import (
    BOUNDED,
    DATE,
    MONEY,
    bound_errors,
    policy,
    reviews_records,
    table_of,
)
from attain.crm.bulk import fetch_by_keys
from attain.crm.models import Product, ProductLine, Stage, StageKind, Verification
from attain.crm.records import PLACEMENTS
from attain.crm.selectors import visible_customers
from attain.crm.stages import every_stage_name
from attain.org.company import company, money_places
from attain.org.imports import fold_code
from attain.org.models import Person
from attain.org.selectors import visible_people

from .access import imports_for_anyone
from .parsing import (
    CellError,
    cell_text,
    parse_bool,
    parse_credit,
    parse_date,
    parse_datetime,
    parse_decimal,
    parse_fingerprints,
    plain_amounts,
    shorten_quotes,
    unguard_formula,
)
from .reading import Uncalculated
from .tables import CHILD_ROWS, CHUNK_REFERENCES, Column, Kind, TableSpec

MONEY_LIMIT = Decimal(10) ** 16  # max_digits 18, 2 places
SHARE_PLACES = Decimal("1e-8")
_REQUIRED: Any = object()
# Characters no text may hold: C0 controls but tab, line feed and carriage return (what
# an XLSX cell cannot hold; PostgreSQL refuses NUL in any text).
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")
# a long number id as Excel writes it to a CSV once it has shown it as a number
# (202503100001234567 → 2.02503E+17): its digits are gone, and as a key it would make a
# new record
_SHORTENED = re.compile(r"[+-]?\d(?:\.\d+)?E\+\d+", re.IGNORECASE)
_EXCEL_DIGITS = 1e15  # a whole number from 10^15 on has more digits than Excel keeps


def _shortened(what: str, value: str) -> CellError:
    return CellError(
        _(
            "%(what)s “%(value)s” is a long number Excel shortened: its "
            "digits are lost; export the ids again with the column "
            "formatted as text"
        )
        % {"what": what, "value": value}
    )


class RowValidator:
    def __init__(self, spec: TableSpec, actor: Any, positions: dict[str, int]) -> None:
        self.spec = spec
        self.model = spec.model
        self.tz = timezone.get_current_timezone()
        self.present = [c for c in spec.columns if c.name in positions]
        self.refs: dict[Kind, dict[str, tuple[Any, ...]]] = {k: {} for k in CHUNK_REFERENCES}
        self.people = dict(Person.objects.values_list("code", "pk"))
        self.people_folded = {fold_code(code): pk for code, pk in self.people.items()}
        self.named: dict[str, list[tuple[str, str]]] | None = None  # see _unknown_person
        self.allowed: set[int] | None = None
        self.actor = actor
        if not imports_for_anyone(actor):
            self.allowed = set(visible_people(actor).values_list("pk", flat=True))
        self.product_lines = dict(ProductLine.objects.values_list("code", "pk"))
        self.products: dict[str, int] = {}
        if any(c.kind is Kind.PRODUCT for c in self.present):
            self.products = dict(Product.objects.values_list("code", "pk"))
        self.stages: dict[str, int] = {}
        for pk, code, name in Stage.objects.values_list("pk", "code", "name"):
            self.stages[code.casefold()] = pk
            for written in every_stage_name(code, name):
                self.stages.setdefault(written.casefold(), pk)
        first = Stage.objects.filter(kind=StageKind.OPEN).order_by("position").first()
        self.fields = {f.name: f for f in self.model._meta.concrete_fields}
        self.defaults: dict[str, Any] = {}
        for f in self.model._meta.concrete_fields:
            if f.primary_key:
                continue
            self.defaults[f.attname] = None if f.null else f.get_default()
        if "stage_id" in self.defaults:
            self.defaults["stage_id"] = first.pk if first else None
        # (position in the row, column, attname, parse) for every column in the file.
        self.parsers = [
            (positions[c.name], c, self._attname(c), self._parser(c)) for c in self.present
        ]
        self.ref_columns = [
            (positions[c.name], c.kind) for c in self.present if c.kind in CHUNK_REFERENCES
        ]
        # The same, flattened for the per-row loop: (position, attname, parse, value when
        # empty or _REQUIRED, key for a reference's customer or None).
        self.fast_parsers = [
            (
                position,
                attname,
                parse,
                _REQUIRED
                if column.required
                else ([] if column.kind in CHILD_ROWS else self.defaults[attname]),
                "_" + attname.removesuffix("_id") + "_customer"
                if column.kind in CHUNK_REFERENCES
                else None,
            )
            for position, column, attname, parse in self.parsers
        ]
        # Hard bounds of money, quantity and date fields (the services' own rules), and
        # the verification state the rows take: an import by finance or sales operations
        # counts at once (and verifies a pending record it matches); a rep's or a
        # manager's rows (their own or their team's, which they are paid on) wait for
        # verification, like their entries on the pages, when the table's policy says so.
        self.bounded = BOUNDED.get(self.model.__name__, {})
        self.rules = policy(table_of(self.model.__name__)) if self.bounded else None
        self.today = timezone.localdate()
        self.credit_notes = reviews_records(actor)
        # What surely breaks no bound, checked without a call (bound_errors, with its
        # messages, runs for anything else): money from 0 to the ceiling, quantities
        # from 0, dates (not times) up to the last day allowed.
        self.ceiling: Decimal | None = None
        # a currency without decimals (JPY): an amount with some breaks a bound
        self.whole_money = money_places() == 0
        self.last_day: datetime.date | None = None
        if self.rules is not None:
            self.ceiling = self.rules.amount_ceiling
            self.last_day = self.today + datetime.timedelta(days=self.rules.max_future_days)
        self.stamped: dict[str, Any] = {}
        if self.model.__name__ in PLACEMENTS and "verification" in self.fields:
            rules = self.rules or policy(table_of(self.model.__name__))
            waits = not reviews_records(actor) and rules.review_own
            self.stamped["verification"] = Verification.PENDING if waits else Verification.VERIFIED
        # Non-null fields without a default (foreign keys, dates): a row must give them.
        self.must_have = [
            f.attname
            for f in self.model._meta.concrete_fields
            if not f.primary_key and not f.null and self.defaults[f.attname] is None
        ]

    # Columns ------------------------------------------------------------------------

    def fields_by_att(self, attname: str) -> models.Field[Any, Any]:
        return next(f for f in self.model._meta.concrete_fields if f.attname == attname)

    def _attname(self, column: Column) -> str:
        if column.kind in CHILD_ROWS:
            return column.name
        return str(self.fields[column.field_name].attname)

    def _what(self, column: Column) -> str:
        if column.kind is Kind.CREDIT:
            return _("credit")
        if column.kind is Kind.FINGERPRINTS:
            return _("photo fingerprint")
        return str(self.fields[column.field_name].verbose_name)

    def _parser(self, column: Column) -> Callable[[Any], Any]:
        what = self._what(column)
        kind = column.kind
        if kind is Kind.TEXT:
            model_field = self.fields[column.field_name]
            limit = model_field.max_length or 0
            email = isinstance(model_field, models.EmailField)
            key = column.field_name == self.spec.key

            def text(cell: Any) -> str:
                if key and type(cell) is float and abs(cell) >= _EXCEL_DIGITS:
                    # an Excel number cell keeps 15 significant digits: a longer id in
                    # one lost the rest (202403010001234567 is stored as …234600)
                    raise _shortened(what, cell_text(cell))
                value = cell if type(cell) is str else cell_text(cell)
                value = unguard_formula(value.strip())
                control = _CONTROL.search(value)
                if control is not None:  # PostgreSQL refuses NUL, Excel the others
                    raise CellError(
                        _("%(what)s contains a control character (U+%(code)s)")
                        % {"what": what, "code": f"{ord(control.group()):04X}"}
                    )
                if key and _SHORTENED.fullmatch(value):
                    raise _shortened(what, value)
                if limit and len(value) > limit:
                    raise CellError(
                        _("%(what)s is longer than %(limit)s characters")
                        % {"what": what, "limit": limit}
                    )
                if email and value:
                    try:
                        validate_email(value)
                    except ValidationError:
                        raise CellError(
                            _("%(what)s “%(value)s” is not an email address")
                            % {"what": what, "value": value}
                        ) from None
                return value

            return text
        if kind is Kind.MONEY:
            currency = company().currency  # its sign may be written: $1,234.50, 1,250,000円
            plain = plain_amounts(currency, 2, MONEY_LIMIT)

            def money(cell: Any) -> Decimal:
                if cell.__class__ is str:
                    number = plain(cell)
                    if number is not None:
                        return number
                return parse_decimal(
                    cell, places=2, what=what, limit=MONEY_LIMIT, currency=currency
                )

            return money
        if kind is Kind.DECIMAL:
            low, high, places = column.minimum, column.maximum, column.places

            def decimal(cell: Any) -> Decimal:
                value = parse_decimal(cell, places=places, what=what, limit=MONEY_LIMIT)
                if (low is not None and value < low) or (high is not None and value > high):
                    raise CellError(
                        _("%(what)s %(value)s is not between %(low)s and %(high)s")
                        % {"what": what, "value": value, "low": low, "high": high}
                    )
                return value

            return decimal
        if kind is Kind.INTEGER:

            def integer(cell: Any) -> int:
                value = parse_decimal(cell, places=0, what=what, limit=Decimal(2**31))
                if value < 0:
                    raise CellError(_("%(what)s must not be negative") % {"what": what})
                return int(value)

            return integer
        if kind is Kind.DATE:  # a file has few distinct days: each text parsed once
            return _remembered(lambda cell: parse_date(cell, what=what))
        if kind is Kind.DATETIME:
            return lambda cell: parse_datetime(cell, what=what, tz=self.tz)
        if kind is Kind.BOOL:
            return lambda cell: parse_bool(cell, what=what)
        if kind is Kind.CHOICE:
            return self._choice_parser(column, what)
        if kind is Kind.PERSON:
            return self._person_parser(column, what)
        if kind is Kind.CREDIT:
            return self._credit_parser(column)
        if kind is Kind.FINGERPRINTS:
            return lambda cell: parse_fingerprints(cell, what=what)
        if kind is Kind.PRODUCT_LINE:
            return self._lookup_parser(self.product_lines, what, fold=False)
        if kind is Kind.PRODUCT:
            return self._lookup_parser(self.products, what, fold=False)
        if kind is Kind.STAGE:
            return self._lookup_parser(self.stages, what, fold=True)
        return self._chunk_ref_parser(kind, what)

    def _choice_parser(self, column: Column, what: str) -> Callable[[Any], str]:
        model_field = self.fields[column.field_name]
        mapping: dict[str, str] = {}
        for value, label in model_field.choices or ():
            mapping[_fold(str(value))] = str(value)
            mapping[_fold(str(label))] = str(value)
        for value, aliases in column.choices.items():
            for alias in aliases:
                mapping[_fold(alias)] = value
        # each choice as the reader writes it: its label in their language (拜访), else
        # (in English) its value (visit, in_progress)
        choices = list(model_field.choices or ())
        with translation.override("en"):
            english = [str(label) for _value, label in choices]
        allowed = pgettext("list separator", ", ").join(
            str(value) if str(label) == in_english else str(label)
            for (value, label), in_english in zip(choices, english, strict=True)
        )

        def choice(cell: Any) -> str:
            text = cell_text(cell)
            found = mapping.get(text) or mapping.get(_fold(text))
            if found is None:
                raise CellError(
                    _("unknown %(what)s “%(value)s” (one of: %(allowed)s)")
                    % {"what": what, "value": text, "allowed": allowed}
                )
            return found

        return choice

    def _person(self, code: str, what: str, scoped: bool) -> int:
        pk = self.people.get(code) or self.people_folded.get(fold_code(code))
        if pk is None:
            raise self._unknown_person(code, what)
        if scoped and self.allowed is not None and pk not in self.allowed:
            raise CellError(
                _("%(what)s “%(value)s” is not in your team") % {"what": what, "value": code}
            )
        return pk

    def _unknown_person(self, text: str, what: str) -> CellError:
        """An unknown employee id; when it is a person's name or email (as old CRMs
        export 负责人), the reason names the id to write instead (of someone the
        importer may see). The row is rejected all the same: a name is no id (a former
        employee may have had it)."""
        if self.named is None:  # built once, at the first unknown person of a file
            self.named = {}
            people = Person.objects.all()
            if self.allowed is not None:  # a manager: their team's, no one else's
                people = people.filter(pk__in=self.allowed)
            for code, name, email in people.values_list("code", "name", "email"):
                for label in {fold_code(name), fold_code(email or "")} - {""}:
                    self.named.setdefault(label, []).append((code, name))
        found = self.named.get(fold_code(text), [])
        if len(found) == 1:
            return CellError(
                _(
                    "%(what)s “%(value)s” is not an employee id: "
                    "the employee id of %(name)s is %(code)s"
                )
                % {"what": what, "value": text, "name": found[0][1], "code": found[0][0]}
            )
        if found:
            return CellError(
                _(
                    "%(what)s “%(value)s” is not an employee id: "
                    "%(count)s people have this name (%(codes)s)"
                )
                % {
                    "what": what,
                    "value": text,
                    "count": len(found),
                    "codes": pgettext("list separator", ", ").join(
                        sorted(code for code, _name in found)
                    ),
                }
            )
        return CellError(_("unknown %(what)s “%(value)s”") % {"what": what, "value": text})

    def _person_parser(self, column: Column, what: str) -> Callable[[Any], int]:
        scoped = column.scoped
        return lambda cell: self._person(cell_text(cell), what, scoped)

    def _credit_parser(self, column: Column) -> Callable[[Any], list[tuple[int, Decimal]]]:
        what = _("person in the credit")

        def credit(cell: Any) -> list[tuple[int, Decimal]]:
            shares = parse_credit(cell)
            stored = stored_shares([share for _code, share in shares])
            found = []
            for (code, share), kept in zip(shares, stored, strict=True):
                if kept <= 0:
                    raise CellError(
                        _("credit share %(share)s of “%(code)s” is below 0.00000001")
                        % {"share": share, "code": code}
                    )
                found.append((self._person(code, what, column.scoped), kept))
            return found

        return credit

    @staticmethod
    def _lookup_parser(table: dict[str, int], what: str, *, fold: bool) -> Callable[[Any], int]:
        def lookup(cell: Any) -> int:
            text = cell_text(cell)
            pk = table.get(text.casefold() if fold else text)
            if pk is None:
                raise CellError(_("unknown %(what)s “%(value)s”") % {"what": what, "value": text})
            return pk

        return lookup

    def _chunk_ref_parser(self, kind: Kind, what: str) -> Callable[[Any], tuple[Any, ...]]:
        def reference(cell: Any) -> tuple[Any, ...]:
            text = cell_text(cell)
            found = self.refs[kind].get(text)
            if found is None:
                raise CellError(_("unknown %(what)s “%(value)s”") % {"what": what, "value": text})
            if kind is Kind.CUSTOMER and found[1] is not None:
                raise CellError(
                    _("customer “%(value)s” was merged into another one") % {"value": text}
                )
            return found

        return reference

    # Chunks ------------------------------------------------------------------------

    def load_references(self, rows: list[tuple[int, list[Any]]]) -> None:
        wanted: dict[Kind, set[str]] = {}
        for position, kind in self.ref_columns:
            keys = wanted.setdefault(kind, set())
            for _row, cells in rows:
                keys.add(cell_text(cells[position]))
        for kind, keys in wanted.items():
            keys.discard("")
            model = CHUNK_REFERENCES[kind]
            extra = "merged_into_id" if kind is Kind.CUSTOMER else "customer_id"
            self.refs[kind] = {
                key: (pk, other)
                for key, pk, other in fetch_by_keys(model, "external_id", keys, ["pk", extra])
            }
            if kind is Kind.CUSTOMER and self.allowed is not None and self.refs[kind]:
                # a customer the importer may not see is unknown to them, as in the API
                # (naming it would show them the customer and its records once imported)
                named, visible = (
                    list(self.refs[kind]),
                    visible_customers(self.actor, include_merged=True),
                )
                seen = {
                    key
                    for start in range(0, len(named), 10_000)
                    for key in visible.filter(
                        external_id__in=named[start : start + 10_000]
                    ).values_list("external_id", flat=True)
                }
                self.refs[kind] = {k: v for k, v in self.refs[kind].items() if k in seen}

    def validate_chunk(
        self, chunk: list[tuple[int, list[Any]]]
    ) -> list[tuple[dict[str, Any] | None, str]]:
        """:meth:`validate` of each row of ``chunk`` ((row number, cells) pairs), the
        same values and the same reasons in the same order, worked out column by column:
        a column of few distinct texts (people, customers, statuses, dates, credit
        splits) is parsed once per text, not once per row (rows with the same text share
        its value: a credit split's list, as rows without one share their empty list),
        and a row's values dict is built in one step from its column values."""
        rows = [cells for _number, cells in chunk]
        count = len(rows)
        names: list[str] = []
        columns: list[list[Any]] = []
        reasons: list[list[str] | None] = [None] * count
        absent: list[tuple[int, str]] = []  # (row, key) a row without the cell lacks
        for (position, attname, parse, empty, extra), column in zip(
            self.fast_parsers, self.present, strict=True
        ):
            missing = ""
            if empty is _REQUIRED:
                missing = _("%(what)s is missing") % {"what": self._what(column)}
            texts = [cells[position] for cells in rows]
            if column.kind in _FEW_TEXTS and set(map(type, texts)) <= {str}:
                # each distinct text parsed once, the column read through the results
                known = {text: self._cell(text, parse, empty, column) for text in set(texts)}
                parsed = list(map(known.__getitem__, texts))
                plain = not any(value.__class__ is _Reason for value in known.values())
                if plain and extra is not None and empty not in parsed:
                    names += [attname, str(extra)]
                    columns += [[value[0] for value in parsed], [value[1] for value in parsed]]
                    continue
            else:
                parsed = [self._cell(cell, parse, empty, column) for cell in texts]
                plain = not any(value.__class__ is _Reason for value in parsed)
            if plain and extra is None:
                names.append(attname)
                columns.append(parsed)
                continue
            found: list[Any] = [_REFUSED] * count
            customers: list[Any] | None = [_REFUSED] * count if extra is not None else None
            for index, value in enumerate(parsed):
                if value.__class__ is _Reason:
                    text = missing if value is _MISSING else value.text
                    problems = reasons[index]
                    if problems is None:
                        reasons[index] = [text]
                    else:
                        problems.append(text)
                    continue
                if customers is None:
                    found[index] = value
                elif value is empty:  # no cell: the default, and no customer to compare
                    found[index] = value
                    absent.append((index, str(extra)))
                else:
                    found[index], customers[index] = value
            names.append(attname)
            columns.append(found)
            if customers is not None:
                names.append(str(extra))
                columns.append(customers)
        gone: dict[int, list[str]] = {}
        for index, key in absent:
            gone.setdefault(index, []).append(key)
        # What _finish checks row by row, for the whole chunk first: which rows lack a
        # field they must have, and whether every value is surely within its bounds.
        column_of = dict(zip(names, columns, strict=True))
        column_wise = self.spec.fill is None and all(name in column_of for name in self.must_have)
        lacking: set[int] = set()
        bounded = True
        if column_wise:
            for name in self.must_have:
                values_of = column_of[name]
                if None in values_of:
                    lacking.update(i for i, value in enumerate(values_of) if value is None)
            bounded = self._chunk_surely_bounded(column_of)
        separator = pgettext("reasons separator", "; ")
        results: list[tuple[dict[str, Any] | None, str]] = []
        for index, row in enumerate(zip(*columns, strict=True) if columns else [()] * count):
            problems = reasons[index]
            if problems is not None:
                results.append((None, separator.join(problems)))
                continue
            values = dict(zip(names, row, strict=True))
            if gone:
                for key in gone.get(index, ()):
                    del values[key]
            if column_wise and index not in lacking:
                results.append(self._finish(values, has_all=True, bounded=bounded))
            else:
                results.append(self._finish(values))
        return results

    def _chunk_surely_bounded(self, column_of: dict[str, list[Any]]) -> bool:
        """True when every value of the chunk's columns (rows refused for a cell hold
        :data:`_REFUSED`) surely breaks no bound: :meth:`_surely_bounded` of every row."""
        for name, kind in self.bounded.items():
            column = column_of.get(name)
            if column is None:
                continue
            values = [value for value in column if value is not None and value is not _REFUSED]
            if not values:
                continue
            classes = set(map(type, values))
            if kind == DATE:
                if classes != {datetime.date} or self.last_day is None:
                    return False
                if max(values) > self.last_day:
                    return False
                continue
            if not classes <= {Decimal, int} or min(values) < 0:
                return False
            if kind == MONEY and (self.ceiling is None or max(values) > self.ceiling):
                return False
            whole = kind == MONEY and self.whole_money  # a currency without decimals (JPY)
            if whole and any(v.__class__ is Decimal and v % 1 for v in values):
                return False
        return True

    def _cell(self, cell: Any, parse: Callable[[Any], Any], empty: Any, column: Column) -> Any:
        """One cell of :meth:`validate_chunk`: its value, ``empty`` when it has none (or
        :data:`_MISSING` when it must), or a :class:`_Reason` it is refused for."""
        if cell is None or (cell.__class__ is str and (not cell or cell.isspace())):
            return _MISSING if empty is _REQUIRED else empty
        if cell.__class__ is Uncalculated:
            return _Reason(self._uncalculated(column, cell))
        try:
            return parse(cell)
        except CellError as error:
            return _Reason(shorten_quotes(str(error)))

    def _uncalculated(self, column: Column, cell: Any) -> str:
        return shorten_quotes(
            _(
                "%(what)s “%(value)s” is a formula whose value the file does not "
                "hold (the program that wrote it did not calculate it): open the "
                "file in Excel, save it and import it again"
            )
            % {"what": self._what(column), "value": cell}
        )

    def _finish(
        self, values: dict[str, Any], *, has_all: bool = False, bounded: bool = False
    ) -> tuple[dict[str, Any] | None, str]:
        """A row whose cells all parsed: the table's own rules, its bounds, its stamp
        (``has_all``: it is known to have every field it must; ``bounded``: its values
        are known to be surely within their bounds)."""
        if self.spec.fill is not None:
            self.spec.fill(values)
        if not has_all:
            for attname in self.must_have:
                if values.get(attname) is None:
                    what = str(self.fields_by_att(attname).verbose_name)
                    return None, _("%(what)s is missing") % {"what": what}
        if self.spec.check is not None:
            reason = self.spec.check(values)
            if reason:
                return None, reason
        if self.bounded and not bounded and not self._surely_bounded(values):
            errors = bound_errors(
                self.model,
                values,
                rules=self.rules,
                today=self.today,
                credit_notes=self.credit_notes,
            )
            if errors:
                return None, pgettext("reasons separator", "; ").join(errors.values())
        if self.stamped:
            values.update(self.stamped)
        return values, ""

    def validate(self, cells: list[Any]) -> tuple[dict[str, Any] | None, str]:
        """The row's values by attname, or None and the reasons it is rejected (the
        definition :meth:`validate_chunk` keeps, row by row)."""
        values: dict[str, Any] = {}
        reasons: list[str] = []
        for position, attname, parse, empty, extra in self.fast_parsers:
            cell = cells[position]
            if cell is None or (cell.__class__ is str and (not cell or cell.isspace())):
                if empty is _REQUIRED:
                    column = next(c for c in self.present if self._attname(c) == attname)
                    reasons.append(_("%(what)s is missing") % {"what": self._what(column)})
                else:
                    values[attname] = empty
                continue
            if cell.__class__ is Uncalculated:
                column = next(c for c in self.present if self._attname(c) == attname)
                reasons.append(self._uncalculated(column, cell))
                continue
            try:
                value = parse(cell)
            except CellError as error:
                reasons.append(shorten_quotes(str(error)))
                continue
            if extra is None:
                values[attname] = value
            else:  # a looked-up record: its id, and its customer for consistency checks
                values[attname] = value[0]
                values[extra] = value[1]
        if reasons:
            return None, pgettext("reasons separator", "; ").join(reasons)
        return self._finish(values)

    def _surely_bounded(self, values: dict[str, Any]) -> bool:
        """True when ``values`` surely break no bound (see ``__init__``); False means
        :func:`bound_errors` decides."""
        for name, kind in self.bounded.items():
            value = values.get(name)
            if value is None:
                continue
            cls = value.__class__
            if kind == DATE:
                surely = cls is datetime.date and self.last_day is not None
                if not surely or value > self.last_day:
                    return False
                continue
            number = cls is Decimal or cls is int
            if not number or value < 0:
                return False
            if kind == MONEY and (self.ceiling is None or value > self.ceiling):
                return False
            if kind == MONEY and self.whole_money and value != value.to_integral_value():
                return False
        return True


class _Reason:
    """Why a cell is refused (:meth:`RowValidator.validate_chunk`)."""

    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text


_MISSING = _Reason("")  # a required cell without a value: its column says what is missing
_REFUSED = _Reason("")  # in a column of validate_chunk: a row refused for that cell
# Columns whose cells repeat a few texts: each text parsed once per chunk (the parsers of
# these kinds give a value that depends on the text alone, within a chunk).
_FEW_TEXTS = frozenset(
    {
        Kind.PERSON,
        Kind.CHOICE,
        Kind.BOOL,
        Kind.DATE,
        Kind.CREDIT,
        Kind.PRODUCT_LINE,
        Kind.PRODUCT,
        Kind.STAGE,
        *CHUNK_REFERENCES,
    }
)


def stored_shares(shares: list[Decimal]) -> list[Decimal]:
    """Credit shares at the 8 places stored, still summing to exactly 1 when the given
    ones do (within the services' tolerance): each is rounded down to 8 places and the
    hundred-millionths left go one each to the largest remainders (the earlier share on
    a tie). Shares of 8 places or fewer stay as they are. (Rounding each share by itself
    would store 3 × 0.33333333 for Excel's ⅓.)"""
    units = [share.scaleb(8) for share in shares]
    floors = [int(unit.to_integral_value(rounding=ROUND_FLOOR)) for unit in units]
    left = 10**8 - sum(floors)
    if not 0 <= left <= len(shares):  # the shares do not sum to 1: rounded one by one
        return [share.quantize(SHARE_PLACES) for share in shares]
    order = sorted(range(len(shares)), key=lambda i: (floors[i] - units[i], i))
    for i in order[:left]:
        floors[i] += 1
    return [Decimal(floor).scaleb(-8) for floor in floors]


REMEMBERED = 4096  # the distinct cell texts a remembering parser keeps, at most


def _remembered(parse: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """``parse``, remembering its value for the last texts it read (at most
    :data:`REMEMBERED`; then it starts again, so memory stays bounded). For parsers
    whose value depends on the text only; a text it rejects is not remembered."""
    known: dict[str, Any] = {}

    def remembered(cell: Any) -> Any:
        if cell.__class__ is not str:
            return parse(cell)
        found = known.get(cell)
        if found is None:
            found = parse(cell)
            if len(known) >= REMEMBERED:
                known.clear()
            known[cell] = found
        return found

    return remembered


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip().casefold()
