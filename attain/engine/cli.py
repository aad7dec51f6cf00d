"""``attain scenario run|check|explain`` and ``attain bench engine``.

Exit codes: 0 success, 2 invalid input (every problem on stderr as ``PATH: message``,
nothing on stdout), 1 when a benchmarked run fails.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from datetime import date
from typing import TextIO

import polars as pl

from .calculate import Result, calculate, decomposition_problems
from .explain import explain, explanation_json, explanation_text
from .model import Scenario
from .periods import parse_date, parse_period, unhandled_day
from .problems import Problem, not_a_date, not_a_period
from .scenario import load_scenario
from .workers import PEOPLE_PER_WORKER, write_json

USAGE = """usage:
  attain scenario run FILE [--as-of YYYY-MM-DD] [--workers N]
  attain scenario check FILE
  attain scenario explain FILE PERSON PERIOD [--as-of YYYY-MM-DD] [--format text|json]
  attain bench engine [--people N] [--orders M] [--seed S] [--dir PATH] [--keep] [--scaling]
  attain bench forecast [--people N] [--seed S] [--from DATE] [--to DATE] [--json FILE]
  attain bench integrity [--people N] [--orders M] [--seed S]"""
BENCH_USAGE = """usage: attain bench engine [--people N] [--orders M] [--seed S] [--dir PATH]
         [--keep] [--repeat R] [--scaling] [--generate-only] [--json]
         [--matrix [--features F1,F2,...]]
       attain bench forecast [--people N] [--seed S] [--from DATE] [--to DATE] [--json FILE]
       attain bench integrity [--people N] [--orders M] [--seed S]
(each takes --help)"""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        raise _UsageError(message)


class _UsageError(Exception):
    pass


def _report(problems: Sequence[Problem], err: TextIO) -> int:
    for problem in problems:
        print(str(problem), file=err)
    return 2


def _parser() -> _Parser:
    parser = _Parser(prog="attain scenario", add_help=True)
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="calculate and print the JSON result")
    run.add_argument("file")
    run.add_argument("--as-of", dest="as_of")
    run.add_argument(
        "--workers",
        type=int,
        default=None,
        help="processes for the people's rows (default: up to 4 cores on Linux, "
        f"one per {PEOPLE_PER_WORKER} people)",
    )
    check = sub.add_parser("check", help="validate only")
    check.add_argument("file")
    exp = sub.add_parser("explain", help="how every number of a person and period was reached")
    exp.add_argument("file")
    exp.add_argument("person")
    exp.add_argument("period")
    exp.add_argument("--as-of", dest="as_of")
    exp.add_argument("--format", choices=("text", "json"), default="text")
    return parser


def _scenario(file: str, as_of_text: str | None, err: TextIO) -> tuple[Scenario, date | None] | int:
    as_of = None
    if as_of_text is not None:
        as_of = parse_date(as_of_text)
        if as_of is None:
            return _report([Problem("--as-of", not_a_date(as_of_text))], err)
    scenario, problems = load_scenario(file)
    if scenario is None:
        return _report(problems, err)
    if as_of is not None and (why := unhandled_day(as_of, scenario.fiscal_year_start)):
        return _report([Problem("--as-of", why)], err)
    return scenario, as_of


def _run(
    file: str,
    as_of_text: str | None,
    workers: int | None,
    out: TextIO,
    err: TextIO,
    fast_exit: bool,
) -> int:
    loaded = _scenario(file, as_of_text, err)
    if isinstance(loaded, int):
        return loaded
    scenario, as_of = loaded
    if workers is not None and workers < 1:
        return _report([Problem("--workers", f"must be at least 1, not {workers}")], err)
    errors = write_json(scenario, out, as_of, workers)
    if errors:
        return _report(errors, err)
    out.write("\n")
    if fast_exit:
        out.flush()
        err.flush()
        os._exit(0)
    return 0


def _load(file: str, as_of_text: str | None, err: TextIO) -> tuple[Scenario, Result | None] | int:
    loaded = _scenario(file, as_of_text, err)
    if isinstance(loaded, int):
        return loaded
    scenario, as_of = loaded
    result = calculate(scenario, as_of)
    if result.errors:
        return _report(result.errors, err)
    return scenario, result


def _as_command(out: TextIO | None, err: TextIO | None) -> bool:
    """True when this is the `attain scenario run` process itself (not a library call)."""
    return out is None and err is None and sys.argv[1:3] == ["scenario", "run"]


def main(args: list[str], out: TextIO | None = None, err: TextIO | None = None) -> int:
    """Entry point; `args` starts with "scenario" or "bench".

    As the `attain scenario run` command (called without streams), a successful run
    ends the process right after its output is flushed: tearing down millions of
    result objects one by one would add seconds and change nothing.
    """
    fast_exit = _as_command(out, err)
    out = out or sys.stdout
    err = err or sys.stderr
    if not args:
        print(USAGE, file=err)
        return 2
    if args[0] == "bench" and args[1:2] == ["integrity"]:
        from .integrity_bench import main as integrity_bench_main

        return integrity_bench_main(args[2:], out, err)
    if args[0] == "bench" and args[1:2] == ["forecast"]:
        from .forecast_bench import main as forecast_bench_main

        return forecast_bench_main(args[2:], out, err)
    if args[0] == "bench":
        if args[1:2] in (["-h"], ["--help"]):
            print(BENCH_USAGE, file=out)
            return 0
        if len(args) < 2 or args[1] != "engine":
            print(BENCH_USAGE, file=err)
            return 2
        from .bench import main as bench_main

        return bench_main(args[2:], out, err)
    if args[0] != "scenario":
        print(USAGE, file=err)
        return 2
    try:
        options = _parser().parse_args(args[1:])
    except _UsageError as error:
        print(f"{error}\n{USAGE}", file=err)
        return 2
    except SystemExit as exit_:  # --help
        return int(exit_.code or 0)
    if options.command == "check":
        scenario, problems = load_scenario(options.file)
        if scenario is None:
            return _report(problems, err)
        found = decomposition_problems(scenario)
        if found:
            return _report(found, err)
        print("OK", file=err)
        return 0
    try:
        if options.command == "run":
            return _run(options.file, options.as_of, options.workers, out, err, fast_exit)
        return _explain(options, out, err)
    except (pl.exceptions.ComputeError, pl.exceptions.InvalidOperationError) as error:
        # Polars' decimals hold 38 digits: a sum or product beyond them (records of 10^18
        # and more, or an expression multiplying large values) is a problem, not a traceback
        detail = (str(error).strip().splitlines() or [""])[0]
        if "overflow" not in detail:  # (a failed cast is no overflow: a traceback still)
            raise
        return _report(
            [Problem("records", f"numbers too large for the engine's 38 digits: {detail}")], err
        )


def _explain(options: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    loaded = _load(options.file, options.as_of, err)
    if isinstance(loaded, int):
        return loaded
    scenario, result = loaded
    assert result is not None
    problems = []
    if options.person not in scenario.people and options.person not in scenario.units:
        problems.append(Problem("PERSON", f"unknown person {options.person!r}"))
    period = parse_period(options.period, scenario.fiscal_year_start)
    if period is None:
        problems.append(Problem("PERIOD", not_a_period(options.period)))
    if problems or period is None:
        return _report(problems, err)
    explanation = explain(result, options.person, period)
    if options.format == "json":
        out.write(explanation_json(explanation) + "\n")
    else:
        out.write(explanation_text(explanation))
    return 0
