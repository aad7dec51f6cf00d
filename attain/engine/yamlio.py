"""Reading scenario YAML exactly: floats become Decimal from their text, dates stay text
(the loader checks them with a path), only ``true``/``false`` are booleans, and a
duplicate key is a problem rather than a silent overwrite."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

import yaml

from .problems import YAML_WIDE, Problem, full_width

_TIMESTAMP = "tag:yaml.org,2002:timestamp"
_BOOL = "tag:yaml.org,2002:bool"
_MERGE = "tag:yaml.org,2002:merge"


_Base: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml: fast


class _Loader(_Base):  # type: ignore[valid-type,misc]
    duplicate_keys: list[Problem]


_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
_Loader.yaml_implicit_resolvers = {
    first: [
        (tag, regexp) for tag, regexp in resolvers if tag not in (_TIMESTAMP, _BOOL, _INT, _FLOAT)
    ]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.copy().items()
}
_Loader.add_implicit_resolver(
    _BOOL, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)
# YAML 1.1's integers and floats without its octal (010 is 8) and base-60 (1:30 is 90)
# forms, which turn an amount or an id into another number silently: such a scalar is
# text as written (an id 007 stays "007"; an amount 010 is read as the number 10).
_Loader.add_implicit_resolver(
    _INT,
    re.compile(r"^(?:[-+]?0b[0-1_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+)$"),
    list("-+0123456789"),
)
_Loader.add_implicit_resolver(
    _FLOAT,
    re.compile(
        r"""^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?
        |\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?
        |[-+]?\.(?:inf|Inf|INF)
        |\.(?:nan|NaN|NAN))$""",
        re.X,
    ),
    list("-+0123456789."),
)


def _float(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> Any:
    text = str(loader.construct_scalar(node)).replace("_", "")
    try:
        value = Decimal(text)
    except InvalidOperation:
        return loader.construct_yaml_float(node)
    return value if value.is_finite() else float(text.replace(".", "", 1) or "nan")


def _mapping(loader: _Loader, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
    seen: set[object] = set()
    for key_node, _value_node in node.value:
        if key_node.tag == _MERGE:  # `<<: *defaults`: flatten_mapping merges it below
            continue
        key = loader.construct_object(key_node, deep=deep)
        if isinstance(key, list | dict):
            continue
        if key in seen:
            loader.duplicate_keys.append(
                Problem(
                    f"line {key_node.start_mark.line + 1}",
                    f"duplicate key {key!r} (each key may appear once in a mapping)",
                )
            )
        seen.add(key)
    loader.flatten_mapping(node)
    return dict(loader.construct_pairs(node, deep=deep))


_Loader.add_constructor("tag:yaml.org,2002:float", _float)
_Loader.add_constructor("tag:yaml.org,2002:map", _mapping)


# Values that aliases (*name) may add to a document by repeating what an anchor (&name)
# holds. Templates repeated by hand stay far below it; a "billion laughs" bomb (aliases
# of aliases, a few lines that expand to 10**9 values) is refused before it is built.
MAX_ALIAS_VALUES = 100_000


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    return []


def _alias_bomb(root: yaml.Node | None) -> yaml.Node | None:
    """The anchored node whose repetition takes the document past MAX_ALIAS_VALUES, if any
    (sizes counted once per node, without building anything)."""
    if root is None:
        return None
    size: dict[int, int] = {}
    open_nodes: set[int] = set()
    repeated = 0
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        key = id(node)
        if done:
            size[key] = 1 + sum(size.get(id(child), 1) for child in _children(node))
            open_nodes.discard(key)
        elif key in size:  # seen before: this is an alias repeating it
            repeated += size[key]
            if repeated > MAX_ALIAS_VALUES:
                return node
        elif key not in open_nodes:  # (an alias inside its own anchor is no repetition)
            open_nodes.add(key)
            stack.append((node, True))
            stack.extend((child, False) for child in reversed(_children(node)))
    return None


def _character_problem(text: str, error: yaml.reader.ReaderError) -> Problem:
    """A character YAML does not allow, at its line and column (libyaml counts the
    position in UTF-8 bytes), on one line."""
    if isinstance(_Loader, type) and issubclass(_Loader, yaml.SafeLoader):
        before = text[: error.position]  # the pure-Python reader counts characters
    else:
        before = text.encode("utf-8")[: error.position].decode("utf-8", errors="ignore")
    line = before.count("\n") + 1
    column = len(before.rsplit("\n", 1)[-1]) + 1
    character = f"#x{error.character:04x}" if isinstance(error.character, int) else "?"
    return Problem(
        f"line {line}, column {column}",
        f"YAML syntax error: the character {character} is not allowed in YAML",
    )


def _character_at(text: str, line: int, column: int) -> str:
    lines = text.split("\n")
    return lines[line][column : column + 1] if line < len(lines) else ""


# libyaml's words for a line indented more or less than its neighbours
_INDENTATION = {"did not find expected key", "did not find expected '-' indicator"}
# ... or a value holding ": " (`name: A: B`)
_COLON_IN_VALUE = {
    "mapping values are not allowed in this context",
    "mapping values are not allowed here",
}
INDENTATION_HINT = (
    "check the indentation of this line and the lines above it: the keys of one mapping, "
    "and the items of one list, start in the same column"
)
QUOTE_HINT = (
    "put a value that holds ': ' in quotes ('A: B'), or check the indentation of this "
    "line and the lines above it"
)
COLON_HINT = "write each key as key: value, with a space after the colon (here or just above)"


def _full_width_near(text: str, line: int) -> tuple[int, tuple[str, str]] | None:
    """A full-width ``：``, ``，``, space, bracket or quote on the line of a syntax error
    or the line above (where an input method left it), with its 1-based line number."""
    lines = text.split("\n")
    for number in (line, line - 1):
        if 0 <= number < len(lines):
            found = full_width(lines[number], YAML_WIDE)
            if found is not None:
                return number + 1, found
    return None


def read_yaml(text: str) -> tuple[Any, list[Problem]]:
    """The document, and any problems (syntax errors name their line and column)."""
    loader = _Loader(text)
    loader.duplicate_keys = []
    try:
        root = loader.get_single_node()
        bomb = _alias_bomb(root)
        if bomb is not None:
            return None, [
                Problem(
                    f"line {bomb.start_mark.line + 1}",
                    f"aliases repeat what is anchored here into more than "
                    f"{MAX_ALIAS_VALUES:,} values; write the data out instead of "
                    f"repeating it with aliases",
                )
            ]
        data = loader.construct_document(root) if root is not None else None
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "file"
        problem = error.problem or error
        wide = _full_width_near(text, mark.line) if mark else None
        if mark and _character_at(text, mark.line, mark.column) == "\t":
            problem = "a tab; YAML is indented with spaces, not tabs"
        elif wide is not None:
            line, (character, narrow) = wide
            if character == "\u3000":
                problem = f"{problem}; line {line} holds a full-width space (U+3000): write spaces"
            else:
                problem = (
                    f"{problem}; line {line} holds the full-width {character!r}: write {narrow!r}"
                )
        elif str(problem) in _INDENTATION:
            problem = f"{problem}; {INDENTATION_HINT}"
        elif str(problem) in _COLON_IN_VALUE:
            problem = f"{problem}; {QUOTE_HINT}"
        elif str(problem) == "could not find expected ':'":
            problem = f"{problem}; {COLON_HINT}"
        return None, [Problem(where, f"YAML syntax error: {problem}")]
    except yaml.reader.ReaderError as error:  # a character YAML does not allow
        return None, [_character_problem(text, error)]
    except yaml.YAMLError as error:
        return None, [Problem("file", f"YAML error: {error}")]
    finally:
        loader.dispose()
    return data, loader.duplicate_keys
