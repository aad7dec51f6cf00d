"""The engine's explanation steps read in the reader's language, numbers formatted."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import translation

from attain.incentives.explain_text import description_text, detail_text, step_text


def test_steps_are_translated_and_numbers_formatted():
    step = {
        "label": "attainment = actual / target",
        "value": Decimal("0.9523809523809523809523809524"),
        "detail": None,
    }
    tier = {
        "label": "tier 2 [1.0, 1.2): 123456.789012345678901234 × 0.05",
        "value": Decimal("6172.839450617283945061728395"),
        "detail": None,
    }
    with translation.override("zh-hans"):
        assert step_text(step) == {"label": "达成率 = 实际 ÷ 目标", "value": "95.2%", "detail": ""}
        shown = step_text(tier)
        # an amount before the rounding to the cent with its digits (to 8 places)
        assert shown["label"] == "第 2 档 [1, 1.2)：123,456.78901235 × 0.05"
        assert shown["value"] == "6,172.83945062"
        assert detail_text("no target for 2026-Q4 or an enclosing period") == (
            "2026-Q4 及其上级期间都没有目标"
        )
    with translation.override("en"):
        assert step_text(step)["label"] == "attainment = actual ÷ target"
        assert step_text({"label": "actual revenue (team)", "value": "12"})["label"] == (
            "actual revenue (team)"
        )


def test_tier_slices_add_up_to_the_total_beside_them():
    """Each tier's pay is shown with the digits it has, the amount paid rounded once:
    rounded to the cent, slices of 1.255 and 0.005 read 1.26 + 0.01 beside a total of
    1.26, and a reader who adds them up distrusts the whole explanation."""
    steps = [
        {"label": "tier 1 [0, 100): 25.1 × 0.05", "value": Decimal("1.255")},
        {"label": "tier 2 [100, ∞): 0.1 × 0.05", "value": Decimal("0.005")},
        {"label": "marginal tiers total", "value": Decimal("1.260")},
        {"label": "rounded half-up to the currency's minor unit", "value": Decimal("1.26")},
    ]
    with translation.override("en"):
        values = [step_text(step)["value"] for step in steps]
    assert values == ["1.255", "0.005", "1.26", "1.26"]
    with translation.override("en"):
        whole = step_text({"label": "actual 400000 × rate 0.00125", "value": Decimal("500.000")})
        assert whole["value"] == "500.00"  # at least the cents, no trailing digits beyond
        third = step_text({"label": "payout 100 / 3", "value": Decimal(100) / 3})
        assert third["value"] == "33.33333333"  # an endless fraction to 8 places
        rounded = step_text(
            {"label": "rounded half-up to the currency's minor unit", "value": Decimal("2.5")}
        )
        assert rounded["value"] == "2.50"


def test_an_unknown_label_is_shown_as_it_came():
    with translation.override("zh-hans"):
        assert step_text({"label": "something new", "value": "1.5"}) == {
            "label": "something new",
            "value": "1.5",
            "detail": "",
        }


def test_a_measures_description_is_translated_and_its_data_kept():
    """The engine describes a measure in English (`explain._describe`); the page says it
    in the reader's language, with the value, table and condition as written."""
    described = (
        "sum of amount from orders (each record × its credit share), "
        "where status == 'confirmed', rolled up to every manager above"
    )
    with translation.override("zh-hans"):
        text = description_text(described)
        assert text == (
            "orders 中 amount 的合计（每条记录 × 其分成比例；条件：status == 'confirmed'；"
            "逐级汇总给其上级经理）"
        )
        assert (
            description_text("distinct of customer from orders") == "orders 中 customer 的去重计数"
        )
    with translation.override("en"):
        assert description_text(described) == (
            "Sum of amount from orders (each record × its credit share; "
            "where status == 'confirmed'; rolled up to every manager above)"
        )
    assert description_text("something else") == "something else"


def test_a_metric_without_a_value_reads_none_in_the_readers_language():
    step = {
        "label": "metric revenue (higher): actual 1200, target None (no target)",
        "value": "0",
    }
    with translation.override("zh-hans"):
        label = step_text(step)["label"]
    assert "None" not in label
    assert "目标 无" in label or "目标无" in label, label


def test_a_metric_whose_target_names_its_row_is_translated():
    """A target given in a scenario's row reads "given (targets[70])": its brackets
    left the whole scorecard step in English on the Chinese page."""
    step = {
        "label": "metric revenue (higher): actual 15309.830, target 72643.00 (given (targets[70]))",
        "value": "0.2108",
    }
    with translation.override("zh-hans"):
        label = step_text(step)["label"]
    assert not label.startswith("metric"), label
    assert "15,309.83" in label and "72,643" in label, label


def test_amounts_beyond_28_digits_are_formatted():
    """A level bonus of 1e30 in the designer's preview failed the page (quantize in
    the default 28-digit context)."""
    from attain.incentives.explain_text import money, number, percent
    from attain.incentives.templatetags.incentives import money as money_filter
    from attain.incentives.templatetags.incentives import money2, num, pct

    big = Decimal("1E+30")
    assert money(big) == money2(big) == "1,000,000,000,000,000,000,000,000,000,000.00"
    assert money_filter(big).endswith("1,000,000,000,000,000,000,000,000,000,000.00")
    assert number(big) == num(big) == "1,000,000,000,000,000,000,000,000,000,000"
    assert percent(big).endswith("0.0%") and pct(big).endswith("0.0%")
    assert money(Decimal("-123456789012345678901234567.891")).endswith("234,567.89")


def test_covered_days_are_written_in_the_readers_format():
    """The engine writes covered days as ISO spans; the reader sees their own format."""
    detail = "on covered days 2026-01-01…2026-02-14, 2026-03-01…2026-03-31"
    with translation.override("zh-hans"):
        shown = detail_text(detail)
    assert shown.endswith("2026年1月1日…2026年2月14日、2026年3月1日…2026年3月31日")
    assert "2026-01-01" not in shown
    with translation.override("en"):
        assert detail_text(detail) == (
            "on covered days 01/01/2026…02/14/2026, 03/01/2026…03/31/2026"
        )


def test_numbers_are_shown_rounded_half_up():
    """A step of exactly half a cent (40005 × 0.025 = 1000.125) read 1,000.12 just above
    the step "rounded half-up to the currency's minor unit: 1,000.13": every shown number
    rounds half-up (四舍五入), as the engine rounds money, not the banker's way."""
    from attain.incentives.explain_text import money, number, percent
    from attain.incentives.templatetags.incentives import money as money_filter
    from attain.incentives.templatetags.incentives import money2, num, pct

    half = Decimal("1000.125")
    with translation.override("en"):
        assert number(half) == money(half) == money2(half) == "1,000.13"
        assert money_filter(half).endswith("1,000.13")
        # the step before the rounding shows its digits; the rounding step, the cents
        assert step_text({"label": "actual 40005 × rate 0.025", "value": half})["value"] == (
            "1,000.125"
        )
        rounding = "rounded half-up to the currency's minor unit"
        assert step_text({"label": rounding, "value": half})["value"] == "1,000.13"
        assert number(Decimal("0.00125")) == "0.0013" and num(Decimal("0.00125")) == "0.0013"
        assert percent(Decimal("0.80025")) == pct(Decimal("0.80025")) == "80.0%"
        assert percent(Decimal("0.80250")) == pct(Decimal("0.80250")) == "80.3%"
        assert money(Decimal("-0.125")) == "-0.13"


def test_a_spiffs_step_names_its_record_table_as_its_readers_know_it():
    """A Chinese statement read "符合条件的 orders 记录的 Σ 金额 × 分成": the table's
    engine name in a Chinese sentence (the measure form offers it as 订单)."""
    step = {"label": "Σ amount × share over matching orders records", "value": "120.5"}
    with translation.override("zh-hans"):
        assert step_text(step)["label"] == "符合条件的订单记录的 Σ 金额 × 分成"
    with translation.override("en"):
        assert step_text(step)["label"] == "Σ amount × share over the matching orders records"


def test_a_scorecard_ratios_limits_are_percentages_as_the_ratio_is():
    """ "ratio 125.7%, limited to [0, 1.2]" read as if 125.7 lay within 1.2: the limits
    are ratios too, shown as the ratio is."""
    detail = "ratio 1.256597542491449891180433205513524717587, clamped to [0, 1.2], weight 20"
    with translation.override("en"):
        assert detail_text(detail) == "ratio 125.7%, limited to [0.0%, 120.0%], weight 20"
    with translation.override("zh-hans"):
        assert detail_text(detail) == "比率 125.7%，限定在 [0.0%, 120.0%]，权重 20"


def test_rates_and_multipliers_are_shown_as_the_plan_gives_them():
    """A rate of 0.125 % (0.00125) read 0.0013 in the step "actual 400,000 × rate 0.0013
    = 500.00" (400,000 × 0.0013 is 520), a multiplier of 0.875 read 0.88: a rate or
    factor is shown with all its digits (a factor's endless fraction, 1/3, to 8 places)."""
    flat = {"label": "actual 400000 × rate 0.00125", "value": Decimal("500.00000")}
    tier = {"label": "tier 1 [0, 100000): 100000 × 0.000125", "value": Decimal("12.5")}
    factor = {"label": "multiplier IF(attainment < 1, 0.875, 1) = 0.875", "value": Decimal(875)}
    third = {
        "label": "multiplier 1 / 3 = 0.3333333333333333333333333333",
        "value": Decimal("333.3333333333333333333333333"),
    }
    with translation.override("zh-hans"):
        assert step_text(flat)["label"] == "实际 400,000 × 费率 0.00125"
    with translation.override("en"):
        assert step_text(flat)["label"] == "actual 400,000 × rate 0.00125"
        assert step_text(tier)["label"] == "tier 1 [0, 100,000): 100,000 × 0.000125"
        assert step_text(factor)["label"] == "multiplier IF(attainment < 1, 0.875, 1) = 0.875"
        assert step_text(third)["label"] == "multiplier 1 / 3 = 0.33333333"
        assert step_text({"label": "actual 1 × rate 0.05000", "value": 1})["label"] == (
            "actual 1 × rate 0.05"
        )


def test_a_negative_amount_of_money_has_its_sign_before_the_currency():
    """A clawback's negative payout read ¥-3,724,592.29; the sign goes first: -¥3,724,592.29."""
    from attain.incentives.templatetags.incentives import money as money_filter

    assert money_filter(Decimal("-3724592.29")) == "-¥3,724,592.29"
    assert money_filter(Decimal("3724592.29")) == "¥3,724,592.29"
    assert money_filter(Decimal("-0.001")) == "¥0.00"  # rounds to no amount: no sign


@pytest.mark.parametrize(
    ("language", "counts", "expected"),
    [
        ("en", (1, 1, 1), "1 person, 1 result row in 0.5 s (1 warning)."),
        ("en", (1200, 22800, 0), "1,200 people, 22,800 result rows in 0.5 s (0 warnings)."),
        ("zh-hans", (1, 19, 1), "1 人，19 行结果，耗时 0.5 秒（1 条警告）。"),
    ],
)
def test_a_runs_summary_counts_in_the_singular_and_the_plural(language, counts, expected):
    """A run of one person read "1 people, … (1 warnings)."."""
    from types import SimpleNamespace

    from django.template.loader import render_to_string

    people, rows, warnings = counts
    run = SimpleNamespace(
        pk=1,
        status="done",
        kind="incremental",
        stage="",
        progress=100,
        people=people,
        rows=rows,
        warnings=warnings,
        seconds=Decimal("0.5"),
        partitions=SimpleNamespace(all=list),
        get_status_display=lambda: "done",
    )
    with translation.override(language):
        html = render_to_string("incentives/run_status.html", {"run": run})
    assert expected in " ".join(html.split())
