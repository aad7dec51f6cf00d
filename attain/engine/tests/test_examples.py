"""The hand-checked examples of the spec, through the command line entry point."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from attain.engine.cli import main

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"


def expected_values(path: Path) -> dict[str, str]:
    values: dict[str, str] = {}
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.split(" #", 1)[0].strip()
        if not line or line.startswith("#"):
            continue
        key, _, value = line.partition(":")
        values[key.strip()] = value.strip()
    return values


def lookup(document: object, dotted: str) -> object:
    node = document
    parts = dotted.split(".")
    i = 0
    while i < len(parts):
        assert isinstance(node, dict), dotted
        for j in range(len(parts), i, -1):
            key = ".".join(parts[i:j])
            if key in node:
                node = node[key]
                i = j
                break
        else:
            raise KeyError(dotted)
    return node


def cli(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(args), out, err)
    return code, out.getvalue(), err.getvalue()


@pytest.mark.parametrize("name", ["01-team-quarter", "02-decomposition", "03-scorecard"])
def test_valid_examples_match_their_expectations(name: str) -> None:
    code, out, err = cli("scenario", "run", str(EXAMPLES / f"{name}.yaml"))
    assert code == 0, err
    document = json.loads(out)
    for dotted, text in expected_values(EXAMPLES / f"{name}.expected.yaml").items():
        actual = lookup(document, dotted)
        if text.startswith('"'):
            assert actual == text.strip('"'), dotted
        elif text == "null":
            assert actual is None, dotted
        else:
            try:
                number = float(text)
            except ValueError:
                assert actual == text, dotted
                continue
            assert isinstance(actual, int | float), dotted
            assert abs(actual - number) <= 0.01 or abs(actual - number) <= 1e-5 * abs(number), (
                dotted
            )


def test_invalid_example_names_every_problem_and_prints_nothing() -> None:
    code, out, err = cli("scenario", "run", str(EXAMPLES / "04-invalid.yaml"))
    assert code == 2
    assert out == ""
    for path in [
        "people[0].manager",
        "records.orders[0].credit",
        "records.orders[1].id",
        "records.orders[1].date",
        "records.orders[1].owner",
        "distribution",
        "measures.bad.from",
        "plans[0].components[0].rate",
        "plans[0].components[1].tiers.table",
        "plans[0].components[2].when",
    ]:
        assert f"{path}:" in err, path


def test_check_accepts_a_valid_scenario_and_rejects_an_invalid_one() -> None:
    assert cli("scenario", "check", str(EXAMPLES / "01-team-quarter.yaml"))[0] == 0
    code, out, err = cli("scenario", "check", str(EXAMPLES / "04-invalid.yaml"))
    assert (code, out) == (2, "")
    assert "distribution: weights sum to 99, not 100" in err


@pytest.mark.parametrize(
    ("name", "person", "period"),
    [
        ("01-team-quarter", "zhang", "2025-Q1"),
        ("01-team-quarter", "li", "2025-Q2"),
        ("03-scorecard", "p1", "2025-Q1"),
    ],
)
def test_explain_total_equals_the_run_payout(name: str, person: str, period: str) -> None:
    file = str(EXAMPLES / f"{name}.yaml")
    run_payout = json.loads(cli("scenario", "run", file)[1])["people"][person][period]["payout"]
    code, out, _err = cli("scenario", "explain", file, person, period, "--format", "json")
    assert code == 0
    assert json.loads(out)["payout"] == run_payout
    code, text, _err = cli("scenario", "explain", file, person, period)
    assert f"Payout {period}: {run_payout}" in text


def test_explain_lists_credited_records_and_the_target_rule() -> None:
    code, text, _ = cli(
        "scenario", "explain", str(EXAMPLES / "01-team-quarter.yaml"), "zhang", "2025-Q1"
    )
    assert code == 0
    assert "o3: 40000 × share 0.5 → 20000" in text
    assert "2025 target 480000 × month weights 3 / 12" in text
    assert "tier 1" in text


def test_explain_computes_in_the_engines_digits(tmp_path: Path) -> None:
    """explain computed the components again in Python's default 28 digits: a score of
    1/3 times 3 × 10^27 paid …999.90 in the explanation and 10^27 in the run."""
    file = tmp_path / "s.yaml"
    file.write_text(
        "version: 1\nunits: [{id: u}]\npeople: [{id: a, unit: u, role: rep}]\n"
        "records: {orders: [{id: o1, date: 2025-01-05, owner: a, amount: 1}]}\n"
        "measures: {revenue: {from: orders, value: amount}}\n"
        "targets: [{measure: revenue, who: a, period: 2025-Q1, value: 3}]\n"
        "plans:\n  - id: p\n    applies_to: {role: rep}\n    period: quarter\n"
        "    effective: {from: 2025-01-01, to: 2025-03-31}\n"
        "    components: [{id: sc, kind: scorecard, metrics: [{measure: revenue, weight: 1}],\n"
        '      payout: "score * 3000000000000000000000000000"}]\n',
        encoding="utf-8",
    )
    run = json.loads(cli("scenario", "run", str(file))[1])["people"]["a"]["2025-Q1"]
    assert run["payout"] == "1000000000000000000000000000.00"
    code, out, _ = cli("scenario", "explain", str(file), "a", "2025-Q1", "--format", "json")
    assert code == 0
    assert json.loads(out)["payout"] == run["payout"]


def test_explain_shows_min_and_max_records_without_their_share(tmp_path: Path) -> None:
    """min and max ignore shares, yet explain once listed a split record's value as
    `5 × share 0.25 → 1.25` under a max of 5."""
    file = tmp_path / "s.yaml"
    file.write_text(
        "version: 1\nunits: [{id: u}]\npeople: [{id: a, unit: u}, {id: b, unit: u}]\n"
        "records:\n  surveys:\n"
        "    - {id: s1, date: 2025-07-01, owner: a, score: 4}\n"
        "    - {id: s2, date: 2025-07-02, owner: a, score: 5, credit: {a: 0.25, b: 0.75}}\n"
        "measures:\n  hi: {from: surveys, value: score, agg: max}\n"
        "  sat: {from: surveys, value: score, agg: avg}\n",
        encoding="utf-8",
    )
    code, text, _ = cli("scenario", "explain", str(file), "a", "2025-07")
    assert code == 0
    hi = text.split("  hi = 5", 1)[1].split("  sat = ", 1)[0]
    assert "s2: 5 → 5" in hi
    assert "s2: 5 × share 0.25 → 1.25" in text.split("  sat = ", 1)[1]
    code, out, _ = cli("scenario", "explain", str(file), "a", "2025-07", "--format", "json")
    records = json.loads(out)["measures"]["hi"]["records"]
    assert [(r["id"], r["credited"]) for r in records] == [("s1", 4), ("s2", 5)]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["scenario", "explain", "EX", "ghost", "2025-Q1"], "PERSON: unknown person 'ghost'"),
        (["scenario", "explain", "EX", "zhang", "2025-Q9"], "PERIOD: '2025-Q9' is not a period id"),
        (["scenario", "run", "EX", "--as-of", "2025-02-30"], "--as-of: '2025-02-30' is not a date"),
        (["scenario", "run", "/no/such/file.yaml"], "/no/such/file.yaml: file not found"),
    ],
)
def test_bad_command_input_is_a_clear_message_not_a_traceback(
    args: list[str], message: str
) -> None:
    args = [str(EXAMPLES / "01-team-quarter.yaml") if a == "EX" else a for a in args]
    code, out, err = cli(*args)
    assert (code, out) == (2, "")
    assert message in err
    assert "Traceback" not in err


def test_yaml_syntax_error_names_the_line(tmp_path: Path) -> None:
    file = tmp_path / "broken.yaml"
    file.write_text("version: 1\nunits: [\n", encoding="utf-8")
    code, out, err = cli("scenario", "run", str(file))
    assert (code, out) == (2, "")
    assert "YAML syntax error" in err


def test_bench_needs_a_subcommand_and_names_every_one() -> None:
    code, out, err = cli("bench")
    assert (code, out) == (2, "")
    for name in ("engine", "forecast", "integrity"):
        assert f"attain bench {name}" in err
    code, out, err = cli("bench", "--help")
    assert (code, err) == (0, "")
    assert "attain bench integrity" in out


def test_bench_forecast_help_is_help(capsys: pytest.CaptureFixture[str]) -> None:
    """``attain bench forecast --help`` was refused as an unrecognized argument."""
    code, _out, _err = cli("bench", "forecast", "--help")
    assert code == 0
    assert "--people" in capsys.readouterr().out


def test_check_reports_what_only_a_decomposition_finds(tmp_path: Path) -> None:
    """``check`` said OK where ``run`` then failed: a potential attribute missing."""
    file = tmp_path / "potential.yaml"
    file.write_text(
        "version: 1\n"
        "units: [{id: u, name: U}]\n"
        "people:\n"
        "  - {id: a, name: A, unit: u, role: rep}\n"
        "  - {id: b, name: B, unit: u, role: rep, potential: 3}\n"
        "records: {orders: [{id: o1, date: 2025-01-10, owner: a, amount: 1}]}\n"
        "measures: {revenue: {from: orders, value: amount}}\n"
        "decompositions:\n"
        "  - {id: d, measure: revenue, from: {who: u, period: 2025, value: 5}, to: people,"
        " method: potential}\n",
        encoding="utf-8",
    )
    code, _out, err = cli("scenario", "check", str(file))
    assert code == 2
    assert "decompositions[0].potential_field: person 'a' has no 'potential' attribute" in err
    assert cli("scenario", "run", str(file))[0] == 2


def test_explaining_a_unit_states_no_payout() -> None:
    """A unit has measures and targets but no plans: its explanation ended with a
    'Payout 2025-Q1: 0.00' line as if it were paid."""
    code, text, _ = cli(
        "scenario", "explain", str(EXAMPLES / "01-team-quarter.yaml"), "east", "2025-Q1"
    )
    assert code == 0
    assert "(unit east)" in text
    assert "Payout" not in text
