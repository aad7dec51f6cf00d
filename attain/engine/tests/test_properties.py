"""Properties that must hold for any input, checked with hypothesis."""

from __future__ import annotations

import decimal
import json
from decimal import Decimal
from fractions import Fraction
from typing import Any

from hypothesis import example, given, settings
from hypothesis import strategies as st

from attain.engine import numbers, workers
from attain.engine.decomposition import largest_remainder
from attain.engine.explain import explain
from attain.engine.model import Tier
from attain.engine.numbers import minor_unit, money_text, plain, round_half_up, significant
from attain.engine.output import DocumentWriter, number, to_json
from attain.engine.periods import parse_period
from attain.engine.plans import marginal_slices

from .helpers import commission_plan, result_of, run, scenario

FAST = settings(max_examples=25, deadline=None)

amounts = st.decimals(
    min_value=-50000, max_value=500000, places=2, allow_nan=False, allow_infinity=False
)


@given(
    total=st.integers(min_value=0, max_value=10**9),
    weights=st.lists(st.integers(min_value=0, max_value=1000), min_size=1, max_size=12),
)
@settings(max_examples=200, deadline=None)
def test_largest_remainder_parts_sum_exactly(total: int, weights: list[int]) -> None:
    parts = largest_remainder(total, [(str(i), Fraction(w)) for i, w in enumerate(weights)])
    assert sum(p.units for p in parts) == total
    assert all(p.units >= 0 for p in parts)


@given(
    value=st.integers(min_value=0, max_value=10**8),
    overassign=st.sampled_from([1, "1.05", "1.1", "1.25"]),
    months=st.sampled_from(["equal", [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]]),
)
@FAST
def test_decomposition_members_sum_to_total_and_months_to_the_year(
    value: int, overassign: str | int, months: Any
) -> None:
    document = scenario(
        records={"orders": []},
        measures={"revenue": {"from": "orders", "value": "amount"}},
        decompositions=[
            {
                "id": "d",
                "measure": "revenue",
                "from": {"who": "east", "period": 2025, "value": value},
                "method": "equal",
                "overassign": Decimal(str(overassign)),
                "months": months,
            }
        ],
    )
    result = result_of(document)
    total = (Decimal(value) * Decimal(str(overassign))).quantize(
        Decimal(1), rounding="ROUND_HALF_UP"
    )
    yearly = [t for t in result.generated if t.period.id == "2025"]
    assert sum(t.value for t in yearly) == total
    for person in ("li", "zhang", "wang"):
        monthly = [
            t.value for t in result.generated if t.who == person and t.period.kind == "month"
        ]
        assert sum(monthly) == next(t.value for t in yearly if t.who == person)


@given(
    actual=st.decimals(min_value=0, max_value=10**7, places=2),
    step=st.decimals(min_value=Decimal("0.01"), max_value=1000, places=2),
    starts=st.lists(
        st.decimals(min_value=Decimal("0.01"), max_value=3, places=2), max_size=4, unique=True
    ),
    rates=st.lists(st.decimals(min_value=0, max_value=1, places=3), min_size=5, max_size=5),
    target=st.decimals(min_value=1, max_value=10**6, places=0),
)
@settings(max_examples=300, deadline=None)
def test_marginal_tiers_are_continuous_and_non_decreasing(
    actual: Decimal, step: Decimal, starts: list[Decimal], rates: list[Decimal], target: Decimal
) -> None:
    table = [Tier(Decimal(0), rates[0])] + [
        Tier(s, r) for s, r in zip(sorted(starts), rates[1:], strict=False)
    ]

    def pay(x: Decimal) -> Decimal:
        return sum((s[4] for s in marginal_slices(x, table, target)), Decimal(0))

    low, high = pay(actual), pay(actual + step)
    assert high >= low
    assert high - low <= step * max(t.rate for t in table)  # no jumps at tier bounds


@given(
    amount=amounts,
    share=st.decimals(min_value=Decimal("0.01"), max_value=Decimal("0.99"), places=2),
)
@FAST
def test_splitting_a_record_keeps_unit_totals(amount: Decimal, share: Decimal) -> None:
    def unit_total(credit: dict[str, Decimal] | None) -> Any:
        record: dict[str, Any] = {
            "id": "o",
            "date": "2025-01-05",
            "owner": "zhang",
            "amount": amount,
        }
        if credit:
            record["credit"] = credit
        out = run(
            scenario(
                records={"orders": [record]},
                measures={"revenue": {"from": "orders", "value": "amount"}},
                report={"periods": ["2025-01"]},
            )
        )
        return out["units"]["east"]["2025-01"]["measures"]["revenue"]

    assert unit_total({"zhang": share, "wang": 1 - share}) == unit_total(None)


records_strategy = st.lists(
    st.tuples(
        st.sampled_from(["zhang", "wang", "li"]),
        st.integers(min_value=0, max_value=180),
        amounts,
    ),
    min_size=1,
    max_size=12,
)


def _document(rows: list[tuple[str, int, Decimal]]) -> dict[str, Any]:
    import datetime as dt

    records = [
        {
            "id": f"o{i}",
            "date": (dt.date(2025, 1, 1) + dt.timedelta(days=d)).isoformat(),
            "owner": who,
            "amount": a,
        }
        for i, (who, d, a) in enumerate(rows)
    ]
    component = {
        "id": "c",
        "kind": "commission",
        "measure": "revenue",
        "tiers": {
            "mode": "marginal",
            "table": [{"from": 0, "rate": "0.03"}, {"from": 1, "rate": "0.07"}],
        },
        "multiplier": "IF(attainment >= 0.5, 1.1, 1)",
    }
    return scenario(
        records={"orders": records},
        measures={"revenue": {"from": "orders", "value": "amount"}},
        targets=[
            {"measure": "revenue", "who": who, "period": 2025, "value": 300000}
            for who in ("zhang", "wang")
        ],
        plans=commission_plan(component),
    )


@given(rows=records_strategy, seed=st.randoms(use_true_random=False))
@FAST
def test_the_order_of_records_never_changes_results(
    rows: list[tuple[str, int, Decimal]], seed: Any
) -> None:
    shuffled = list(rows)
    seed.shuffle(shuffled)
    first = to_json(result_of(_document(rows)))
    second = to_json(result_of(_document(shuffled)))
    assert json.loads(first)["people"] == json.loads(second)["people"]
    assert json.loads(first)["units"] == json.loads(second)["units"]


@given(rows=records_strategy)
@FAST
def test_explain_sums_to_the_run_payout(rows: list[tuple[str, int, Decimal]]) -> None:
    result = result_of(_document(rows))
    document = json.loads(to_json(result))
    for period in ("2025-Q1", "2025-Q2"):
        parsed = parse_period(period)
        assert parsed is not None
        explanation = explain(result, "zhang", parsed)
        assert f"{explanation.payout:.2f}" == document["people"]["zhang"][period]["payout"]


any_decimal = st.decimals(
    allow_nan=False, allow_infinity=False, min_value=-(10**15), max_value=10**15
)


@given(value=any_decimal, currency=st.sampled_from(["CNY", "JPY", "KWD"]))
@settings(max_examples=400, deadline=None)
def test_written_numbers_are_the_rounded_numbers(value: Decimal, currency: str) -> None:
    """The writer's shortcuts give the text of rounding and then printing."""
    writer = DocumentWriter(result_of(scenario()))
    writer.places = minor_unit(currency)
    expected_money = plain(round_half_up(value, writer.places))
    assert writer.number(value, True) == ("0" if expected_money == "-0" else expected_money)
    assert writer.number(value, False) == plain(significant(value))
    # the app's stored documents use the same text
    for money in (True, False):
        stored = number(value, money, currency)
        assert stored is not None and stored.text == writer.number(value, money)
    rounded = round_half_up(value, minor_unit(currency))
    text = format(rounded, "f")
    assert money_text(value, currency) == (
        text[1:] if text.startswith("-") and not rounded else text
    )


quotients = st.builds(
    lambda a, b: a / b,
    st.decimals(allow_nan=False, allow_infinity=False, min_value=-(10**15), max_value=10**15),
    st.decimals(
        allow_nan=False, allow_infinity=False, min_value=-(10**15), max_value=10**15
    ).filter(bool),
)
extreme = st.decimals(allow_nan=False, allow_infinity=False, places=None).filter(
    lambda d: abs(d.adjusted()) < 300
)


@given(value=quotients | any_decimal | extreme)
@example(value=Decimal("0.1234565"))  # ties: half-up, not half-even
@example(value=Decimal("-2.5000005"))
@example(value=Decimal("0.0012345675"))
@example(value=Decimal("-0.004"))  # money: -0.00 is written 0
@example(value=Decimal("-0.4"))  # and -0 without places
@example(value=Decimal("1E+31"))  # too large to round in 40 digits
@example(value=Decimal("1E-1000033"))  # an exponent out of the default context's range
@example(value=Decimal("-Infinity"))
@example(value=Decimal("123456789012345678901234567890.5"))
@settings(max_examples=600, deadline=None)
def test_quotient_text_is_number_text(value: Decimal) -> None:
    """A quotient's text, rounded first, is the text of the general writer."""
    # to_json outside a run's context: Python's default context
    assert numbers.ratio_text(value) == numbers.number_text(value, False, 2)
    with decimal.localcontext(numbers.ENGINE_CONTEXT):
        assert numbers.ratio_text(value) == numbers.number_text(value, False, 2)
        for places in (0, 2, 3):
            for money in (True, False):
                quotient = numbers.quotient_text(value, money, places)
                assert quotient == numbers.number_text(value, money, places)


distinct_rows = st.lists(
    st.tuples(
        st.sampled_from(["zhang", "wang", "li"]),
        st.integers(min_value=0, max_value=364),
        st.one_of(st.none(), st.sampled_from(["c1", "c2", "c3", "c4", "c5", "c6"])),
        st.one_of(st.none(), st.sampled_from(["0.5", "0.3"])),
    ),
    max_size=25,
)


@given(rows=distinct_rows, rollup=st.booleans())
@FAST
def test_distinct_counts_equal_a_plain_count_of_sets(
    rows: list[tuple[str, int, str | None, str | None]], rollup: bool
) -> None:
    """A distinct measure per person, unit and period, against sets built in Python.

    Spec 4: a split record's value is distinct for each person it credits (shares are
    ignored); units count the records of their people on the record's date and of every
    unit below; `rollup` credits the manager chain. `wang` moves to `west` in April.
    """
    import datetime as dt

    records: list[dict[str, Any]] = []
    credited: list[tuple[str, dt.date, str | None]] = []
    for i, (who, day, customer, share) in enumerate(rows):
        date = dt.date(2025, 1, 1) + dt.timedelta(days=day)
        record: dict[str, Any] = {
            "id": f"o{i}",
            "date": date.isoformat(),
            "owner": who,
            "customer": customer,
        }
        people = [who]
        if share is not None and who != "wang":
            record["credit"] = {who: Decimal(share), "wang": 1 - Decimal(share)}
            people = [who, "wang"]
        records.append(record)
        credited += [(p, date, customer) for p in people]
    document = scenario(
        units=[
            {"id": "hq", "name": "HQ"},
            {"id": "east", "name": "East", "parent": "hq"},
            {"id": "west", "name": "West", "parent": "hq"},
        ],
        people=[
            {"id": "li", "unit": "east", "role": "manager"},
            {"id": "zhang", "unit": "east", "manager": "li", "role": "rep"},
            {
                "id": "wang",
                "unit": "east",
                "manager": "li",
                "role": "rep",
                "history": [{"from": "2025-04-01", "unit": "west", "manager": None}],
            },
        ],
        records={"orders": records},
        measures={
            "customers": {
                "from": "orders",
                "value": "customer",
                "agg": "distinct",
                "rollup": rollup,
            }
        },
        report={"periods": ["2025", "2025-Q1", "2025-Q2", "2025-03", "2025-04"]},
    )
    out = run(document)
    # the columns count every period in one pass (`distinct_counts`): the same text
    result = result_of(document)
    assert workers.run_json(result.scenario, None, workers=1) == ([], to_json(result))

    def unit_of(person: str, date: dt.date) -> str:
        return "west" if person == "wang" and date >= dt.date(2025, 4, 1) else "east"

    def manager_of(person: str, date: dt.date) -> str | None:
        if person == "li" or (person == "wang" and date >= dt.date(2025, 4, 1)):
            return None
        return "li"

    for period in ("2025", "2025-Q1", "2025-Q2", "2025-03", "2025-04"):
        parsed = parse_period(period)
        assert parsed is not None
        inside = [c for c in credited if parsed.start <= c[1] <= parsed.end]
        for person in ("li", "zhang", "wang"):
            values = {v for p, d, v in inside if v is not None and p == person}
            if rollup:
                values |= {v for p, d, v in inside if v is not None and manager_of(p, d) == person}
            assert out["people"][person][period]["measures"]["customers"] == len(values)
        for unit in ("hq", "east", "west"):
            values = {v for p, d, v in inside if v is not None and unit in ("hq", unit_of(p, d))}
            assert out["units"][unit][period]["measures"]["customers"] == len(values), unit


line_rows = st.lists(
    st.tuples(
        st.sampled_from(["zhang", "wang", "li", "zhou"]),
        st.integers(min_value=0, max_value=200),
        amounts,
        st.none() | st.sampled_from(["0.5", "0.3"]),
    ),
    max_size=30,
)
windows = st.lists(
    st.tuples(st.integers(min_value=0, max_value=210), st.integers(min_value=0, max_value=60)),
    min_size=1,
    max_size=3,
)


@given(rows=line_rows, asked=windows, limit=st.none() | st.integers(min_value=0, max_value=5))
@FAST
def test_indexed_record_lines_equal_the_records_frame(
    rows: list[tuple[str, int, Decimal, str | None]],
    asked: list[tuple[int, int]],
    limit: int | None,
) -> None:
    """Explaining many people reads record lines from a per-person index; they must be
    the rows :meth:`MeasureEngine.records` filters and sorts, for every scope and any
    windows (overlapping too), with credit splits and a manager change in the year."""
    import datetime as dt

    first = dt.date(2025, 1, 1)
    records: list[dict[str, Any]] = []
    for i, (who, day, amount, share) in enumerate(rows):
        record: dict[str, Any] = {
            "id": f"o{i}",
            "date": (first + dt.timedelta(days=day)).isoformat(),
            "owner": who,
            "amount": amount,
        }
        if share is not None and who != "wang":
            record["credit"] = {who: Decimal(share), "wang": 1 - Decimal(share)}
        records.append(record)
    document = scenario(
        people=[
            {"id": "zhou", "unit": "hq", "role": "director"},
            {"id": "li", "unit": "east", "manager": "zhou", "role": "manager"},
            {"id": "zhang", "unit": "east", "manager": "li", "role": "rep"},
            {
                "id": "wang",
                "unit": "east",
                "manager": "li",
                "role": "rep",
                "history": [{"from": "2025-04-01", "manager": "zhou"}],
            },
        ],
        records={"orders": records},
        measures={"revenue": {"from": "orders", "value": "amount"}},
    )
    measures = result_of(document).calculation.measures
    intervals = [(first + dt.timedelta(days=a), first + dt.timedelta(days=a + n)) for a, n in asked]
    columns = ["id", "__date", "via", "__share", "__value", "__credited"]
    for scope in ("self", "team", "team_and_self"):
        for person in ("zhou", "li", "zhang", "wang"):
            frame = measures.records("revenue", person, intervals, scope)
            expected = frame.select(columns).rows()
            if limit is not None:
                expected, more = expected[:limit], max(0, len(expected) - limit)
            else:
                more = 0
            for _ in range(5):  # past the first asks, the index answers
                assert measures.record_lines("revenue", person, intervals, scope, limit) == (
                    expected,
                    more,
                )


stats_rows = st.lists(
    st.tuples(
        st.sampled_from(["zhang", "wang", "li"]),
        st.integers(min_value=0, max_value=364),
        st.decimals(min_value=-1000, max_value=1000, places=2),
        st.one_of(st.none(), st.sampled_from(["0.5", "0.25"])),
    ),
    max_size=25,
)


@given(rows=stats_rows, rollup=st.booleans())
@FAST
def test_period_values_equal_the_values_of_their_stats(
    rows: list[tuple[str, int, Decimal, str | None]], rollup: bool
) -> None:
    """A period's avg, min, max and distinct values, read from the grouped columns, are
    the values of the period's :class:`Stats` (the path explanations take)."""
    import datetime as dt

    records: list[dict[str, Any]] = []
    for i, (who, day, amount, share) in enumerate(rows):
        record: dict[str, Any] = {
            "id": f"o{i}",
            "date": (dt.date(2025, 1, 1) + dt.timedelta(days=day)).isoformat(),
            "owner": who,
            "amount": amount,
        }
        if share is not None and who != "wang":
            record["credit"] = {who: Decimal(share), "wang": 1 - Decimal(share)}
        records.append(record)
    aggs = ("avg", "min", "max", "distinct")
    document = scenario(
        units=[{"id": "hq", "name": "HQ"}],
        people=[
            {"id": "li", "unit": "hq", "role": "manager"},
            {"id": "zhang", "unit": "hq", "manager": "li", "role": "rep"},
            {"id": "wang", "unit": "hq", "manager": "li", "role": "rep"},
        ],
        records={"orders": records},
        measures={
            agg: {"from": "orders", "value": "amount", "agg": agg, "rollup": rollup} for agg in aggs
        },
        report={"periods": ["2025", "2025-Q1", "2025-03", "2025-12"]},
    )
    by_values = result_of(document).calculation.measures
    by_stats = result_of(document).calculation.measures
    with decimal.localcontext(numbers.ENGINE_CONTEXT):
        for period_id in ("2025", "2025-Q1", "2025-03", "2025-12"):
            period = parse_period(period_id)
            assert period is not None
            for agg in aggs:
                for scope in ("self", "team", "team_and_self"):
                    for person in ("li", "zhang", "wang", "nobody"):
                        stats = by_stats.stats(agg, person, period, scope)
                        value = by_values.value(agg, person, period, scope)
                        expected = stats.value(agg)
                        assert value == expected and str(value) == str(expected)
