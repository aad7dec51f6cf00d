"""The expression language of spec section 9.

Parsed with Python's :mod:`ast` and a strict whitelist into a small tree of frozen
nodes; everything outside the whitelist is a load-time problem with the expression's
path. A parsed expression is evaluated two ways with the same semantics:

- :func:`evaluate`: row-wise in Python with exact ``Decimal`` (component formulas);
- :func:`compile_polars`: into a Polars expression over a record table (measure
  ``value``/``where``, spiff ``amount``), so big tables are never looped over in Python.

Semantics: ``null`` propagates through arithmetic; a comparison with ``null`` is
false; ``x / 0`` and ``x % 0`` are ``null``; ``MIN``/``MAX`` ignore nulls; truthiness
of a number is "not zero", of text "not empty", of ``null`` false; ``%`` takes the
sign of the divisor (as Python's ``%`` on numbers).
"""

from __future__ import annotations

import ast
import datetime as dt
import decimal
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_FLOOR, ROUND_HALF_EVEN, Context, Decimal
from typing import Any
from typing import Literal as TypingLiteral

import polars as pl

from .numbers import ENGINE_CONTEXT, NotANumber, round_half_up, to_decimal
from .periods import parse_date
from .problems import Problem, closest, full_width, not_a_date, unknown, written_as

Value = Decimal | str | bool | None | dt.date | list["Value"]

# -- the tree ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Const:
    value: Decimal | str | bool | None


@dataclass(frozen=True)
class Name:
    name: str


@dataclass(frozen=True)
class ListOf:
    items: tuple[Node, ...]


@dataclass(frozen=True)
class Unary:
    op: TypingLiteral["-", "+", "not"]
    operand: Node


@dataclass(frozen=True)
class Binary:
    op: TypingLiteral["+", "-", "*", "/", "%"]
    left: Node
    right: Node


@dataclass(frozen=True)
class Compare:
    op: TypingLiteral["==", "!=", "<", "<=", ">", ">=", "in", "not in"]
    left: Node
    right: Node


@dataclass(frozen=True)
class BoolOp:
    op: TypingLiteral["and", "or"]
    values: tuple[Node, ...]


@dataclass(frozen=True)
class IfElse:
    condition: Node
    then: Node
    otherwise: Node


@dataclass(frozen=True)
class Call:
    function: str  # upper case
    args: tuple[Node, ...]


Node = Const | Name | ListOf | Unary | Binary | Compare | BoolOp | IfElse | Call

# function name -> (min args, max args or None)
FUNCTIONS: dict[str, tuple[int, int | None]] = {
    "IF": (3, 3),
    "MIN": (1, None),
    "MAX": (1, None),
    "ABS": (1, 1),
    "ROUND": (1, 2),
    "COALESCE": (1, None),
    "ACTUAL": (1, 1),
    "TARGET": (1, 1),
    "ATTAINMENT": (1, 1),
}
MEASURE_FUNCTIONS = frozenset({"ACTUAL", "TARGET", "ATTAINMENT"})
_CONSTANT_NAMES: dict[str, bool | None] = {
    "true": True,
    "True": True,
    "false": False,
    "False": False,
    "null": None,
    "None": None,
}

Type = TypingLiteral["number", "text", "bool", "date", "null", "list", "any"]


@dataclass(frozen=True)
class Expression:
    """A validated expression: its source, its tree, and what it refers to."""

    source: str
    node: Node
    fields: frozenset[str] = frozenset()
    numeric_fields: frozenset[str] = frozenset()
    measures: frozenset[str] = frozenset()
    type: Type = "any"

    @staticmethod
    def constant(value: Decimal) -> Expression:
        return Expression(str(value), Const(value), type="number")

    @property
    def is_constant(self) -> bool:
        return isinstance(self.node, Const)

    @property
    def bare_field(self) -> str | None:
        return self.node.name if isinstance(self.node, Name) else None


class _Reject(Exception):
    pass


@dataclass
class ExpressionContext:
    """What an expression may refer to.

    `names` maps each allowed variable (record field or component variable) to its type;
    `measures` is the set of measure names `actual('m')` and friends may name, or None
    when those functions are not allowed here (record expressions).
    """

    names: Mapping[str, Type]
    measures: frozenset[str] | None = None
    what: str = "field"
    open: bool = False  # an empty table: any field name is accepted (and is null)


@dataclass
class _Checker:
    text: str
    context: ExpressionContext
    fields: set[str] = field(default_factory=set)
    numeric_fields: set[str] = field(default_factory=set)
    measures: set[str] = field(default_factory=set)
    errors: list[str] = field(default_factory=list)

    # -- conversion from Python's ast, whitelist only --------------------------------
    def convert(self, node: ast.AST) -> Node:
        if isinstance(node, ast.Constant):
            value = node.value
            if isinstance(value, bool) or value is None:
                return Const(value)
            if isinstance(value, int | float):
                segment = ast.get_source_segment(self.text, node) or repr(value)
                number = to_decimal(segment.replace("_", ""))
                if self.context.measures is None and not _fits_polars(number):
                    # a record expression is computed in Polars' 38-digit decimals
                    raise _Reject(f"the number {segment} is beyond the engine's 38 digits")
                return Const(number)
            if isinstance(value, str):
                return Const(value)
            raise _Reject(f"the constant {value!r} is not allowed")
        if isinstance(node, ast.Name):
            if node.id in _CONSTANT_NAMES:
                return Const(_CONSTANT_NAMES[node.id])
            return Name(node.id)
        if isinstance(node, ast.List | ast.Tuple):
            return ListOf(tuple(self.convert(item) for item in node.elts))
        if isinstance(node, ast.UnaryOp):
            unary_ops: dict[type[ast.unaryop], TypingLiteral["-", "+", "not"]] = {
                ast.USub: "-",
                ast.UAdd: "+",
                ast.Not: "not",
            }
            if type(node.op) not in unary_ops:
                raise _Reject("the operator ~ is not allowed")
            return Unary(unary_ops[type(node.op)], self.convert(node.operand))
        if isinstance(node, ast.BinOp):
            binary_ops: dict[type[ast.operator], TypingLiteral["+", "-", "*", "/", "%"]] = {
                ast.Add: "+",
                ast.Sub: "-",
                ast.Mult: "*",
                ast.Div: "/",
                ast.Mod: "%",
            }
            if type(node.op) not in binary_ops:
                raise _Reject(f"the operator {type(node.op).__name__} is not allowed")
            return Binary(
                binary_ops[type(node.op)], self.convert(node.left), self.convert(node.right)
            )
        if isinstance(node, ast.Compare):
            compare_ops: dict[
                type[ast.cmpop],
                TypingLiteral["==", "!=", "<", "<=", ">", ">=", "in", "not in"],
            ] = {
                ast.Eq: "==",
                ast.NotEq: "!=",
                ast.Lt: "<",
                ast.LtE: "<=",
                ast.Gt: ">",
                ast.GtE: ">=",
                ast.In: "in",
                ast.NotIn: "not in",
            }
            parts: list[Node] = []
            left = self.convert(node.left)
            for comparison, comparator in zip(node.ops, node.comparators, strict=True):
                if type(comparison) not in compare_ops:
                    raise _Reject(f"the comparison {type(comparison).__name__} is not allowed")
                right = self.convert(comparator)
                parts.append(Compare(compare_ops[type(comparison)], left, right))
                left = right
            return parts[0] if len(parts) == 1 else BoolOp("and", tuple(parts))
        if isinstance(node, ast.BoolOp):
            logic: TypingLiteral["and", "or"] = "and" if isinstance(node.op, ast.And) else "or"
            return BoolOp(logic, tuple(self.convert(value) for value in node.values))
        if isinstance(node, ast.IfExp):
            return IfElse(
                self.convert(node.test), self.convert(node.body), self.convert(node.orelse)
            )
        if isinstance(node, ast.Call):
            if not isinstance(node.func, ast.Name):
                raise _Reject("only the functions of the expression language may be called")
            name = node.func.id.upper()
            if name == "NOT":  # a spreadsheet's NOT(x), AND(x, y), OR(x, y)
                raise _Reject(f"unknown function {node.func.id}(); write not x")
            if name in ("AND", "OR"):
                raise _Reject(f"unknown function {node.func.id}(); write x {name.lower()} y")
            if name not in FUNCTIONS:
                raise _Reject(f"unknown function {node.func.id}()")
            if node.keywords:
                raise _Reject(f"{node.func.id}() takes no keyword arguments")
            if any(isinstance(arg, ast.Starred) for arg in node.args):
                raise _Reject(f"{node.func.id}() takes no * arguments")
            low, high = FUNCTIONS[name]
            count = len(node.args)
            if count < low or (high is not None and count > high):
                expected = str(low) if low == high else f"{low} or more"
                if high is not None and high != low:
                    expected = f"{low} to {high}"
                raise _Reject(f"{node.func.id}() takes {expected} arguments, not {count}")
            return Call(name, tuple(self.convert(arg) for arg in node.args))
        if isinstance(node, ast.Attribute):
            raise _Reject(f"attributes such as .{node.attr} are not allowed")
        if isinstance(node, ast.Subscript):
            raise _Reject("subscripts such as x[0] are not allowed")
        if isinstance(node, ast.Lambda):
            raise _Reject("lambdas are not allowed")
        raise _Reject(f"{type(node).__name__} is not allowed in an expression")

    # -- static checks: names, measures, types ----------------------------------------
    def check(self, node: Node) -> Type:
        if isinstance(node, Const):
            if node.value is None:
                return "null"
            if isinstance(node.value, bool):
                return "bool"
            if isinstance(node.value, Decimal):
                return "number"
            return "text"
        if isinstance(node, Name):
            if node.name not in self.context.names and self.context.open:
                self.fields.add(node.name)
                return "null"
            if node.name not in self.context.names:
                self.errors.append(self.unknown_name(node.name))
                return "any"
            self.fields.add(node.name)
            return self.context.names[node.name]
        if isinstance(node, ListOf):
            for item in node.items:
                if not isinstance(item, Const):
                    self.errors.append("list items must be literal values")
            return "list"
        if isinstance(node, Unary):
            operand = self.check(node.operand)
            if node.op == "not":
                return "bool"
            self.numeric(node.operand, operand, f"unary {node.op}")
            return "number"
        if isinstance(node, Binary):
            left = self.check(node.left)
            right = self.check(node.right)
            self.numeric(node.left, left, node.op)
            self.numeric(node.right, right, node.op)
            return "number"
        if isinstance(node, Compare):
            left = self.check(node.left)
            right = self.check(node.right)
            if node.op in ("in", "not in"):
                if right not in ("list", "any"):
                    self.errors.append(f"'{node.op}' needs a list like [1, 2] on its right")
                elif (
                    isinstance(node.right, ListOf)
                    and left == "text"
                    and isinstance(node.left, Name)
                ):
                    pass
                return "bool"
            if node.op in ("<", "<=", ">", ">="):
                self.ordering(node, left, right)
            elif "number" in (left, right):
                other = node.right if left == "number" else node.left
                other_type = right if left == "number" else left
                if other_type == "text" and isinstance(other, Name):
                    self.numeric_fields.add(other.name)
            return "bool"
        if isinstance(node, BoolOp):
            for value in node.values:
                self.check(value)
            return "bool"
        if isinstance(node, IfElse):
            self.check(node.condition)
            return _join(self.check(node.then), self.check(node.otherwise))
        # Call
        name = node.function
        if name in MEASURE_FUNCTIONS:
            if self.context.measures is None:
                self.errors.append(
                    f"{name.lower()}() is only available in plan component expressions"
                )
                return "number"
            arg = node.args[0]
            if not isinstance(arg, Const) or not isinstance(arg.value, str):
                self.errors.append(f"{name.lower()}() needs a measure name in quotes")
            elif arg.value not in self.context.measures:
                self.errors.append(
                    f"{name.lower()}() names "
                    + unknown("measure", arg.value, self.context.measures)
                )
            else:
                self.measures.add(arg.value)
            return "number"
        types = [self.check(arg) for arg in node.args]
        if name == "IF":
            return _join(types[1], types[2])
        if name == "COALESCE":
            joined: Type = "null"
            for part_type in types:
                joined = _join(joined, part_type)
            return joined
        if name == "ROUND" and len(node.args) == 2:
            places = node.args[1]
            if not (
                isinstance(places, Const)
                and isinstance(places.value, Decimal)
                and places.value == places.value.to_integral_value()
                and 0 <= places.value <= 18
            ):
                self.errors.append(
                    "ROUND() needs a whole number of places 0..18 as its second argument"
                )
        for arg, arg_type in zip(node.args, types, strict=True):
            self.numeric(arg, arg_type, f"{name}()")
        return "number"

    def numeric(self, node: Node, node_type: Type, where: str) -> None:
        if node_type in ("number", "null", "any"):
            return
        if node_type == "text" and isinstance(node, Name):
            self.numeric_fields.add(node.name)  # checked row by row when the table loads
            return
        self.errors.append(f"{where} needs numbers, not {node_type}")

    def unknown_name(self, name: str) -> str:
        """An unknown name, with what to write: a component without a measure has no
        `attainment` of its own (`attainment('revenue')` names one); a typo's field."""
        measures = self.context.measures
        if name in ("actual", "target", "attainment") and measures is not None:
            example = f"{name}('{min(measures)}')" if measures else f"{name}('m')"
            return (
                f"{name!r} means this component's measure, and it names none; add "
                f"measure: to the component, or write {example}"
            )
        message = f"unknown {self.context.what} {name!r}"
        suggestion = closest(name, self.context.names)
        if suggestion is not None:
            return f"{message}; did you mean {suggestion!r}?"
        if self.context.what == "field":  # `status == ok`: text without its quotes
            return f"{message}; if it is text, put it in quotes: {name!r}"
        return message

    def ordering(self, node: Compare, left: Type, right: Type) -> None:
        kinds = {left, right} - {"null", "any"}
        if not kinds or (len(kinds) == 1 and kinds <= {"number", "text", "date"}):
            return
        if kinds == {"date", "text"}:
            literal = node.right if left == "date" else node.left
            if isinstance(literal, Const) and parse_date(literal.value) is None:
                self.errors.append(not_a_date(literal.value))
            return
        if kinds == {"number", "text"}:
            for side, side_type in ((node.left, left), (node.right, right)):
                if side_type == "text" and isinstance(side, Name):
                    self.numeric_fields.add(side.name)
                elif side_type == "text":
                    self.errors.append(f"'{node.op}' compares a number with text")
            return
        self.errors.append(f"'{node.op}' cannot compare {left} with {right}")


def _join(a: Type, b: Type) -> Type:
    if a == b:
        return a
    if a == "null":
        return b
    if b == "null":
        return a
    return "any"


# operators of spreadsheets and other languages, as this language writes them
_OTHER_OPERATORS = (
    (re.compile(r"&&"), "and", "&&"),
    (re.compile(r"\|\|"), "or", "||"),
    (re.compile(r"<>"), "!=", "<>"),
    (re.compile(r"(?<![=!<>])=(?!=)"), "==", "="),
    (re.compile(r"\bAND\b"), "and", "AND"),
    (re.compile(r"\bOR\b"), "or", "OR"),
    (re.compile(r"\bNOT\b"), "not", "NOT"),
)


def _operator_written_as(text: str) -> tuple[str, str] | None:
    """The operator to write for one written as a spreadsheet writes it (`a = 'x'`,
    `a <> 'x'`, `a AND b`, `a && b`), outside quoted text; None when there is none."""
    bare = re.sub(r"'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"", "''", text)
    for pattern, good, bad in _OTHER_OPERATORS:
        if pattern.search(bare):
            return good, bad
    return None


def parse(
    source: object, path: str, context: ExpressionContext
) -> tuple[Expression | None, list[Problem]]:
    """Parse and check an expression; problems name `path`."""
    if isinstance(source, bool):
        return Expression(str(source).lower(), Const(source), type="bool"), []
    if isinstance(source, int | Decimal | float):
        try:
            value = to_decimal(source)
        except NotANumber as error:  # YAML's .inf or .nan: a problem, not a traceback
            return None, [Problem(path, str(error))]
        if context.measures is None and not _fits_polars(value):  # as a literal in text
            reason = f"the number {source} is beyond the engine's 38 digits"
            return None, [Problem(path, f"invalid expression {source!r}: {reason}")]
        return Expression(str(source), Const(value), type="number"), []
    if not isinstance(source, str):
        return None, [Problem(path, "must be an expression (text) or a number")]
    text = source.strip()
    if not text:
        return None, [Problem(path, "expression is empty")]
    try:
        tree = ast.parse(text, mode="eval")
    except SyntaxError as error:
        # Python's own wording ("invalid syntax", "'(' was never closed") changes from one
        # version to the next and has no translation: the engine says where, in its words.
        where = error.offset if error.offset and 0 < error.offset <= len(text) else None
        reason = f"syntax error at character {where}" if where else "syntax error"
        reason = written_as(text) or reason  # `5%`: a percentage typed as a spreadsheet shows it
        written = _operator_written_as(text)
        wide = full_width(re.sub(r"'[^'\\]*'|\"[^\"\\]*\"", "''", text))
        if wide is not None:
            reason = f"{reason}; write the full-width {wide[0]!r} as {wide[1]!r}"
        elif written is not None:
            reason = f"{reason}; write {written[0]} instead of {written[1]}"
        return None, [Problem(path, f"invalid expression {source!r}: {reason}")]
    checker = _Checker(text, context)
    try:
        node = checker.convert(tree.body)
    except _Reject as reason:
        return None, [Problem(path, f"invalid expression {source!r}: {reason}")]
    except NotANumber as reason:
        return None, [Problem(path, f"invalid expression {source!r}: {reason}")]
    result_type = checker.check(node)
    if checker.errors:
        return None, [
            Problem(path, f"invalid expression {source!r}: {message}")
            for message in dict.fromkeys(checker.errors)
        ]
    return (
        Expression(
            text,
            node,
            frozenset(checker.fields),
            frozenset(checker.numeric_fields),
            frozenset(checker.measures),
            result_type,
        ),
        [],
    )


# -- Python evaluation ------------------------------------------------------------------


class MeasureFunctions:
    """What `actual('m')`, `target('m')`, `attainment('m')` return in a component."""

    def actual(self, measure: str) -> Decimal | None:  # pragma: no cover - interface
        raise NotImplementedError

    def target(self, measure: str) -> Decimal | None:  # pragma: no cover - interface
        raise NotImplementedError

    def attainment(self, measure: str) -> Decimal | None:  # pragma: no cover - interface
        raise NotImplementedError


def truthy(value: Value) -> bool:
    if value is None:
        return False
    if isinstance(value, bool):
        return value
    if isinstance(value, Decimal):
        return value != 0
    if isinstance(value, str):
        return value != ""
    return True


def _num(value: Value) -> Decimal | None:
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, Decimal):
        return value
    if isinstance(value, str):
        try:
            return to_decimal(value)
        except NotANumber:
            return None
    return None


def _comparable(left: Value, right: Value) -> tuple[object, object] | None:
    if left is None or right is None:
        return None
    if isinstance(left, dt.date) and isinstance(right, str):
        parsed = parse_date(right)
        return None if parsed is None else (left, parsed)
    if isinstance(right, dt.date) and isinstance(left, str):
        parsed = parse_date(left)
        return None if parsed is None else (parsed, right)
    if isinstance(left, Decimal) or isinstance(right, Decimal):
        a, b = _num(left), _num(right)
        return None if a is None or b is None else (a, b)
    return (left, right)


def evaluate(
    expression: Expression | Node,
    env: Mapping[str, Value],
    functions: MeasureFunctions | None = None,
) -> Value:
    """Evaluate exactly, with Decimal arithmetic (at least 28 significant digits)."""
    node = expression.node if isinstance(expression, Expression) else expression
    current = decimal.getcontext()
    if current.prec >= ENGINE_CONTEXT.prec and current.rounding == ENGINE_CONTEXT.rounding:
        return _eval(node, env, functions)  # a calculation runs in the engine's context
    with decimal.localcontext(ENGINE_CONTEXT):
        return _eval(node, env, functions)


def _eval(node: Node, env: Mapping[str, Value], functions: MeasureFunctions | None) -> Value:
    if isinstance(node, Const):
        return node.value
    if isinstance(node, Name):
        return env.get(node.name)
    if isinstance(node, ListOf):
        return [_eval(item, env, functions) for item in node.items]
    if isinstance(node, Unary):
        operand = _eval(node.operand, env, functions)
        if node.op == "not":
            return not truthy(operand)
        number = _num(operand)
        if number is None:
            return None
        return -number if node.op == "-" else number
    if isinstance(node, Binary):
        left = _num(_eval(node.left, env, functions))
        right = _num(_eval(node.right, env, functions))
        if left is None or right is None:
            return None
        if node.op == "+":
            return left + right
        if node.op == "-":
            return left - right
        if node.op == "*":
            return left * right
        if right == 0:
            return None
        if node.op == "/":
            return left / right
        return left - right * (left / right).to_integral_value(rounding=ROUND_FLOOR)
    if isinstance(node, Compare):
        left_value = _eval(node.left, env, functions)
        right_value = _eval(node.right, env, functions)
        if node.op in ("in", "not in"):
            if left_value is None or not isinstance(right_value, list):
                return False
            found = any(
                (pair := _comparable(left_value, item)) is not None and pair[0] == pair[1]
                for item in right_value
            )
            return found if node.op == "in" else not found
        pair = _comparable(left_value, right_value)
        if pair is None:
            return False
        a: Any = pair[0]
        b: Any = pair[1]
        try:
            if node.op == "==":
                return bool(a == b)
            if node.op == "!=":
                return bool(a != b)
            if node.op == "<":
                return bool(a < b)
            if node.op == "<=":
                return bool(a <= b)
            if node.op == ">":
                return bool(a > b)
            return bool(a >= b)
        except TypeError:
            return False
    if isinstance(node, BoolOp):
        if node.op == "and":
            return all(truthy(_eval(value, env, functions)) for value in node.values)
        return any(truthy(_eval(value, env, functions)) for value in node.values)
    if isinstance(node, IfElse):
        if truthy(_eval(node.condition, env, functions)):
            return _eval(node.then, env, functions)
        return _eval(node.otherwise, env, functions)
    return _call(node, env, functions)


def _call(node: Call, env: Mapping[str, Value], functions: MeasureFunctions | None) -> Value:
    name = node.function
    if name in MEASURE_FUNCTIONS:
        if functions is None:
            return None
        arg = node.args[0]
        measure = arg.value if isinstance(arg, Const) and isinstance(arg.value, str) else ""
        if name == "ACTUAL":
            return functions.actual(measure)
        if name == "TARGET":
            return functions.target(measure)
        return functions.attainment(measure)
    if name == "IF":
        condition = _eval(node.args[0], env, functions)
        return _eval(node.args[1] if truthy(condition) else node.args[2], env, functions)
    if name == "COALESCE":
        for arg in node.args:
            value = _eval(arg, env, functions)
            if value is not None:
                return value
        return None
    values = [_num(_eval(arg, env, functions)) for arg in node.args]
    if name in ("MIN", "MAX"):
        present = [value for value in values if value is not None]
        if not present:
            return None
        return min(present) if name == "MIN" else max(present)
    if values[0] is None:
        return None
    if name == "ABS":
        return abs(values[0])
    places = int(values[1]) if len(values) > 1 and values[1] is not None else 0
    # (beyond ±100 places nothing a number here holds changes: clamped, not an error)
    return round_half_up(values[0], max(-100, min(places, 100)))


# -- Polars compilation -----------------------------------------------------------------

MAX_SCALE = 20
DIVISION_SCALE = 18
TEXT_NUMBER_SCALE = 12


@dataclass(frozen=True)
class Compiled:
    expr: pl.Expr
    type: Type
    scale: int = 0  # for numbers: the Decimal scale of `expr`


_WIDE = Context(prec=80)


def _fits_polars(value: Decimal) -> bool:
    """Whether a literal fits Polars' 38-digit decimals at the scale it is compiled with."""
    return value.adjusted() < 38 - min(decimal_scale(value), MAX_SCALE)


def decimal_scale(value: Decimal) -> int:
    exponent = value.as_tuple().exponent
    assert isinstance(exponent, int)
    return max(0, -exponent)


def _as_decimal(compiled: Compiled, scale: int) -> pl.Expr:
    return compiled.expr.cast(pl.Decimal(38, min(scale, MAX_SCALE)))


def column_type(dtype: pl.DataType) -> tuple[Type, int]:
    if isinstance(dtype, pl.Decimal):
        return "number", dtype.scale or 0
    if dtype.is_integer():
        return "number", 0
    if dtype.is_float():
        return "number", DIVISION_SCALE
    if dtype == pl.Boolean:
        return "bool", 0
    if dtype == pl.Date:
        return "date", 0
    if dtype == pl.Null:
        return "null", 0
    return "text", 0


def compile_polars(expression: Expression, schema: Mapping[str, pl.DataType]) -> Compiled:
    """A Polars expression with the same meaning as :func:`evaluate` on each row.

    Numbers are Decimal columns; products keep every digit (the scales add up to
    ``MAX_SCALE``), quotients keep ``DIVISION_SCALE`` decimals.
    """
    return _compile(expression.node, schema)


def as_number(compiled: Compiled) -> Compiled:
    """A compiled value as a Decimal number (text parsed, anything else null)."""
    return _number(compiled)


def _number(compiled: Compiled) -> Compiled:
    """Coerce to a Decimal number (text fields are parsed; bad text becomes null)."""
    if compiled.type == "number":
        return Compiled(_as_decimal(compiled, compiled.scale), "number", compiled.scale)
    if compiled.type == "text":
        parsed = compiled.expr.str.strip_chars().cast(
            pl.Decimal(38, TEXT_NUMBER_SCALE), strict=False
        )
        return Compiled(parsed, "number", TEXT_NUMBER_SCALE)
    if compiled.type in ("null", "any", "bool", "date", "list"):
        return Compiled(pl.lit(None, dtype=pl.Decimal(38, 0)), "number", 0)
    return compiled


def truthy_expr(compiled: Compiled) -> pl.Expr:
    if compiled.type == "bool":
        return compiled.expr.fill_null(False)
    if compiled.type == "number":
        return (compiled.expr != 0).fill_null(False)
    if compiled.type == "text":
        return (compiled.expr != "").fill_null(False)
    if compiled.type == "date":
        return compiled.expr.is_not_null()
    return pl.lit(False)


def _literal(value: Decimal | str | bool | None) -> Compiled:
    if value is None:
        return Compiled(pl.lit(None), "null")
    if isinstance(value, bool):
        return Compiled(pl.lit(value, dtype=pl.Boolean), "bool")
    if isinstance(value, Decimal):
        scale = min(decimal_scale(value), MAX_SCALE)
        if decimal_scale(value) > scale:  # rounded as Polars rounds (1e-400 it cannot)
            value = value.quantize(Decimal(1).scaleb(-scale), ROUND_HALF_EVEN, _WIDE)
        return Compiled(pl.lit(value, dtype=pl.Decimal(38, scale)), "number", scale)
    return Compiled(pl.lit(value, dtype=pl.String), "text")


def _unify(parts: Sequence[Compiled]) -> tuple[list[pl.Expr], Type, int]:
    kinds = {part.type for part in parts} - {"null"}
    if not kinds:
        return [part.expr for part in parts], "null", 0
    if "number" in kinds:
        numbers = [_number(part) if part.type != "null" else part for part in parts]
        scale = max(part.scale for part in numbers if part.type == "number")
        dtype = pl.Decimal(38, scale)
        return [part.expr.cast(dtype) for part in numbers], "number", scale
    if kinds == {"date", "text"}:
        exprs = [
            part.expr.str.to_date("%Y-%m-%d", strict=False) if part.type == "text" else part.expr
            for part in parts
        ]
        return [e.cast(pl.Date) for e in exprs], "date", 0
    kind = next(iter(kinds)) if len(kinds) == 1 else "text"
    target: pl.DataType = {"bool": pl.Boolean(), "date": pl.Date()}.get(kind, pl.String())
    return [part.expr.cast(target) for part in parts], kind, 0


def _nonzero(divisor: pl.Expr) -> pl.Expr:
    """The divisor, null where it is 0: `x / 0` and `x % 0` are null."""
    return pl.when(divisor == 0).then(None).otherwise(divisor)


def _compile(node: Node, schema: Mapping[str, pl.DataType]) -> Compiled:
    if isinstance(node, Const):
        return _literal(node.value)
    if isinstance(node, Name):
        kind, scale = column_type(schema[node.name])
        expr = pl.col(node.name)
        if kind == "number":
            expr = expr.cast(pl.Decimal(38, scale))
        return Compiled(expr, kind, scale)
    if isinstance(node, ListOf):
        return Compiled(pl.lit(None), "list")
    if isinstance(node, Unary):
        operand = _compile(node.operand, schema)
        if node.op == "not":
            return Compiled(~truthy_expr(operand), "bool")
        number = _number(operand)
        if node.op == "-":
            return Compiled(-number.expr, "number", number.scale)
        return number
    if isinstance(node, Binary):
        left = _number(_compile(node.left, schema))
        right = _number(_compile(node.right, schema))
        if node.op in ("+", "-"):
            scale = max(left.scale, right.scale)
            a, b = _as_decimal(left, scale), _as_decimal(right, scale)
            return Compiled(a + b if node.op == "+" else a - b, "number", scale)
        if node.op == "*":
            scale = min(left.scale + right.scale, MAX_SCALE)
            return Compiled(_as_decimal(left, scale) * right.expr, "number", scale)
        if node.op == "/":
            scale = max(DIVISION_SCALE, left.scale, right.scale)
            # (a divisor of 0 is null before dividing: Polars evaluates both branches
            # of a `when`, and divides two constants while planning)
            quotient = _as_decimal(left, scale) / _nonzero(right.expr)
            return Compiled(quotient.cast(pl.Decimal(38, scale)), "number", scale)
        scale = max(left.scale, right.scale)
        a, b = _as_decimal(left, scale), _as_decimal(right, scale)
        return Compiled((a % _nonzero(b)).cast(pl.Decimal(38, scale)), "number", scale)
    if isinstance(node, Compare):
        return _compile_compare(node, schema)
    if isinstance(node, BoolOp):
        parts = [truthy_expr(_compile(value, schema)) for value in node.values]
        result = parts[0]
        for part in parts[1:]:
            result = result & part if node.op == "and" else result | part
        return Compiled(result, "bool")
    if isinstance(node, IfElse):
        condition = truthy_expr(_compile(node.condition, schema))
        (then, otherwise), kind, scale = _unify(
            [_compile(node.then, schema), _compile(node.otherwise, schema)]
        )
        return Compiled(pl.when(condition).then(then).otherwise(otherwise), kind, scale)
    return _compile_call(node, schema)


def _compile_compare(node: Compare, schema: Mapping[str, pl.DataType]) -> Compiled:
    left = _compile(node.left, schema)
    if node.op in ("in", "not in"):
        assert isinstance(node.right, ListOf)
        values = [item.value for item in node.right.items if isinstance(item, Const)]
        present = [value for value in values if value is not None]
        if left.type == "number" or (
            left.type == "text" and present and all(isinstance(v, Decimal) for v in present)
        ):
            number = _number(left)
            numbers = [v for v in present if isinstance(v, Decimal)]
            scale = max([number.scale, *(decimal_scale(v) for v in numbers)])
            series = pl.Series(numbers, dtype=pl.Decimal(38, scale))
            found = _as_decimal(number, scale).is_in(series.implode())
        elif left.type == "date":
            dates = [parse_date(v) for v in present]
            found = left.expr.is_in(
                pl.Series([d for d in dates if d is not None], dtype=pl.Date).implode()
            )
        elif left.type == "bool":
            flags = [v for v in present if isinstance(v, bool)]
            found = left.expr.is_in(pl.Series(flags, dtype=pl.Boolean).implode())
        else:
            texts = [v for v in present if isinstance(v, str)]
            found = left.expr.cast(pl.String).is_in(pl.Series(texts, dtype=pl.String).implode())
        found = found.fill_null(False)
        return Compiled(found if node.op == "in" else ~found, "bool")
    right = _compile(node.right, schema)
    (a, b), _kind, _scale = _unify([left, right])
    ops: dict[str, Callable[[pl.Expr, pl.Expr], pl.Expr]] = {
        "==": lambda x, y: x == y,
        "!=": lambda x, y: x != y,
        "<": lambda x, y: x < y,
        "<=": lambda x, y: x <= y,
        ">": lambda x, y: x > y,
        ">=": lambda x, y: x >= y,
    }
    if left.type == "null" or right.type == "null":
        return Compiled(pl.lit(False), "bool")
    return Compiled(ops[node.op](a, b).fill_null(False), "bool")


def _compile_call(node: Call, schema: Mapping[str, pl.DataType]) -> Compiled:
    name = node.function
    args = [_compile(arg, schema) for arg in node.args]
    if name == "IF":
        condition = truthy_expr(args[0])
        (then, otherwise), kind, scale = _unify(args[1:])
        return Compiled(pl.when(condition).then(then).otherwise(otherwise), kind, scale)
    if name == "COALESCE":
        exprs, kind, scale = _unify(args)
        return Compiled(pl.coalesce(exprs), kind, scale)
    numbers = [_number(arg) for arg in args]
    if name in ("MIN", "MAX"):
        scale = max(number.scale for number in numbers)
        exprs = [_as_decimal(number, scale) for number in numbers]
        combined = pl.min_horizontal(exprs) if name == "MIN" else pl.max_horizontal(exprs)
        return Compiled(combined, "number", scale)
    if name == "ABS":
        return Compiled(numbers[0].expr.abs(), "number", numbers[0].scale)
    if name == "ROUND":
        places = 0
        if len(node.args) > 1:
            arg = node.args[1]
            assert isinstance(arg, Const) and isinstance(arg.value, Decimal)
            places = int(arg.value)
        rounded = numbers[0].expr.round(places, mode="half_away_from_zero")
        return Compiled(rounded, "number", numbers[0].scale)
    return Compiled(pl.lit(None, dtype=pl.Decimal(38, 0)), "number", 0)
