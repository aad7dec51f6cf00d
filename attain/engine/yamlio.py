"""Reading scenario YAML exactly: floats become Decimal from their text, dates stay text
(the loader checks them with a path), only ``true``/``false`` are booleans, and a
duplicate key is a problem rather than a silent overwrite."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

import yaml

from .problems import Problem

_TIMESTAMP = "tag:yaml.org,2002:timestamp"
_BOOL = "tag:yaml.org,2002:bool"


_Base: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml: fast


class _Loader(_Base):  # type: ignore[valid-type,misc]
    duplicate_keys: list[Problem]


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag not in (_TIMESTAMP, _BOOL)]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.copy().items()
}
_Loader.add_implicit_resolver(
    _BOOL, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
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


def read_yaml(text: str) -> tuple[Any, list[Problem]]:
    """The document, and any problems (syntax errors name their line and column)."""
    loader = _Loader(text)
    loader.duplicate_keys = []
    try:
        data = loader.get_single_data()
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "file"
        return None, [Problem(where, f"YAML syntax error: {error.problem or error}")]
    except yaml.YAMLError as error:
        return None, [Problem("file", f"YAML error: {error}")]
    finally:
        loader.dispose()
    return data, loader.duplicate_keys
