"""Small scenarios on corners of the spec, each with values computed by hand from the
spec's text (`NN-name.expected.yaml` beside it, comments giving the arithmetic; the
format of the spec's examples, so their `check_scenarios.py` reads them too), and the
same text from the columns, from the Python rows alone and from `calculate()`."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

from attain.engine import calculate, load_scenario, to_json, workers
from attain.engine.columnar.rows import PeopleColumns

SCENARIOS = Path(__file__).resolve().parent / "scenarios"
FILES = sorted(p for p in SCENARIOS.rglob("*.yaml") if not p.name.endswith(".expected.yaml"))


def _lookup(document: object, dotted: str) -> object:
    """The value at a dotted path; a key may itself hold dots (`2025-Q1` does not, but
    a period or id might), a list position is a number."""
    node, parts, i = document, dotted.split("."), 0
    while i < len(parts):
        if isinstance(node, list):
            node, i = node[int(parts[i])], i + 1
            continue
        assert isinstance(node, dict), dotted
        for j in range(len(parts), i, -1):
            if ".".join(parts[i:j]) in node:
                node, i = node[".".join(parts[i:j])], j
                break
        else:
            raise KeyError(dotted)
    return node


def _expected(path: Path) -> list[tuple[str, str]]:
    rows = []
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.split(" #", 1)[0].strip()
        if line and not line.startswith("#"):
            key, _, value = line.partition(": ")
            rows.append((key.strip(), value.strip()))
    return rows


def _matches(found: object, text: str) -> bool:
    """`"text"` exactly, `null`, a JSON object, else a number equal to the one printed
    (quotients to 6 significant digits, as section 4.0 prints them)."""
    if text.startswith('"'):
        return found == text[1:-1]
    if text == "null":
        return found is None
    if text.startswith("{"):
        return bool(found == json.loads(text))
    if isinstance(found, bool) or not isinstance(found, int | Decimal):
        return False
    return Decimal(found) == Decimal(text)


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_hand_checked_values_and_one_text_from_every_path(
    path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    loaded, problems = load_scenario(path)
    assert loaded is not None, problems
    errors, columns = workers.run_json(loaded, workers=1)
    assert errors == []
    assert columns == to_json(calculate(loaded))
    monkeypatch.setattr(PeopleColumns, "rows", lambda self: None)
    errors, python = workers.run_json(loaded, workers=1)
    assert errors == [] and python == columns
    document = json.loads(columns, parse_float=Decimal)
    wrong = []
    for dotted, text in _expected(path.with_name(path.stem + ".expected.yaml")):
        found = _lookup(document, dotted)
        if not _matches(found, text):
            wrong.append(f"{dotted} = {found!r}, expected {text}")
    assert wrong == []
