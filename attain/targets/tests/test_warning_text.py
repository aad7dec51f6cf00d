"""The engine's decomposition warnings read in the reader's language, naming who."""

from __future__ import annotations

from django.utils import translation

from attain.engine import Problem, Scenario, scenario_from_data
from attain.targets.allocation import warning_text

SCENARIO = {
    "version": 1,
    "currency": "CNY",
    "units": [{"id": "hq", "name": "总部"}],
    "people": [{"id": "wang", "name": "王芳", "unit": "hq", "role": "rep"}],
    "records": {"orders": []},
    "measures": {"revenue": {"from": "orders", "value": "amount"}},
}


def _scenario() -> Scenario:
    scenario, problems = scenario_from_data(SCENARIO)
    assert scenario is not None, problems
    return scenario


def test_a_clash_between_two_splits_is_said_in_chinese() -> None:
    scenario = _scenario()
    clash = Problem(
        "decompositions[1]",
        "the 2025-01 target of wang for revenue is already 100 from decompositions[0]; "
        "200 is not used",
        "clash",
        (("who", "wang"), ("period", "2025-01"), ("count", "1")),
    )
    with translation.override("zh-hans"):
        text = warning_text(clash, scenario)
    assert text == "王芳 (wang)：其 2025-01 目标已由先前的分解生成，本次分解的值不予采用"
    with translation.override("en"):
        assert warning_text(clash, scenario).startswith("王芳 (wang): its 2025-01 target")


def test_a_split_of_its_own_value_over_an_earlier_target_is_said_in_chinese() -> None:
    scenario = _scenario()
    clash = Problem(
        "decompositions[1]",
        "the 2025 target of hq for revenue stays 1000 from decompositions[0]; "
        "this decomposition still splits 600",
        "clash_value",
        (("who", "hq"), ("period", "2025")),
    )
    with translation.override("zh-hans"):
        text = warning_text(clash, scenario)
    assert text == "总部 (hq)：其 2025 目标已由先前的分解生成并保持不变；本次分解仍拆分自己的值"


def test_a_rounded_total_is_written_with_the_decimals_it_has() -> None:
    """The total was written with the cents of its over-assignment product beside a
    rounded figure without them: "1,000,500.00 rounded to 1,001,000"."""
    scenario = _scenario()
    rounded = Problem(
        "decompositions[0]",
        "total 1000500.00 is not a multiple of round_to 1000; using 1001000",
        "rounded",
        (("who", "wang"), ("total", "1000500.00"), ("rounded", "1001000"), ("period", "2025")),
    )
    with translation.override("en"):
        assert warning_text(rounded, scenario).endswith(
            ": 1,000,500 rounded to 1,001,000 to allocate whole units"
        )
    cents = Problem(
        "decompositions[0]",
        "total 0.0150 is not a multiple of round_to 0.01; using 0.02",
        "rounded",
        (("who", "wang"), ("total", "0.0150"), ("rounded", "0.02"), ("period", "2025")),
    )
    with translation.override("en"):
        assert ": 0.015 rounded to 0.02 " in warning_text(cents, scenario)
