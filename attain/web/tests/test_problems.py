"""The engine's problems in the reader's language (attain.web.problems)."""

from __future__ import annotations

import pytest
from django.utils import translation

from attain.web.problems import WORDINGS, _pattern, problem_text


@pytest.mark.parametrize(
    ("message", "chinese"),
    [
        ("is required", "必填"),
        (
            "the 2025 target of wang for revenue is already 500 from decompositions[0] "
            "(and 1 more); 300 is not used",
            "wang 在 2025 的 revenue 目标已由 decompositions[0] 定为 500（另有 1 处）；"
            "300 不予采用",
        ),
        (
            "the 2025 target of east for revenue stays 1000 from decompositions[0]; "
            "this decomposition still splits 600",
            "east 在 2025 的 revenue 目标仍为 decompositions[0] 定的 1000；本次分解仍拆分 600",
        ),
        (
            "'1e30' has too many digits: numbers given as text may have at most 26 before "
            "the decimal point (measures.revenue)",
            "'1e30' 位数过多：以文本给出的数字，小数点前最多 26 位（measures.revenue）",
        ),
        (
            "123456789012345678901234567 is too large: with credit shares of 12 decimals, "
            "the engine's 38 digits leave at most 26 before the decimal point",
            "123456789012345678901234567 过大：业绩分成比例有 12 位小数",
        ),
        ("unknown person or unit 'nobody'", "未知的人员或组织单元 'nobody'"),
        (
            "'confirmed' is not a number (plans[0].components[6] needs numbers)",
            "'confirmed' 不是数字（plans[0].components[6] 需要数字）",
        ),
        (
            "'2026-Q5' is not a period id (2025, 2025-H1, 2025-Q1 … 2025-Q4, 2025-03)",
            "'2026-Q5' 不是期间编号",
        ),
        ("unknown key 'c'", "未知的键 'c'"),
        ("inf is not a finite number", "inf 不是有限的数字"),
        ("None is not one of commission, bonus, scorecard, spiff", "None 不是以下之一："),
        ("rate 1.2 is outside [0, 1]", "费率 1.2 超出 [0, 1]"),
        ("from values must strictly increase (10 then 5)", "from 值须严格递增（10 之后是 5）"),
        ("YAML syntax error: did not find expected node content", "YAML 语法错误："),
        ("is required ({role: rep}, {people: [...]} or {units: [...]})", "必填（{role: rep}"),
        (
            "invalid expression 'foo(1)': unknown function foo()",
            "表达式 'foo(1)' 无效：未知的函数 foo()",
        ),
        ("invalid expression 'x.y': something new", "表达式 'x.y' 无效：something new"),
        ("person 'a' has no 'potential' attribute", "人员 'a' 没有 'potential' 属性"),
        (
            "aliases repeat what is anchored here into more than 100,000 values; write the "
            "data out instead of repeating it with aliases",
            "别名把此处锚点的内容重复展开成超过 100,000 个值",
        ),
        (
            "YAML syntax error: a tab; YAML is indented with spaces, not tabs",
            "YAML 语法错误：此处是制表符；YAML 用空格缩进，不能用制表符。",
        ),
        (
            "YAML syntax error: the character #x0007 is not allowed in YAML",
            "YAML 语法错误：YAML 中不允许出现字符 #x0007。",
        ),
        (
            "field names starting with __ are reserved for the engine",
            "以 __ 开头的字段名留给引擎使用。",
        ),
        (
            "5 fields, but the header of payments.csv names 4",
            "有 5 个字段，但 payments.csv 的表头只有 4 个。",
        ),
        ("no value and no target of u for 2025 to decompose", "没有可分解的值：u 在 2025"),
        (
            """invalid expression "s == 'a: b' or f(1)": unknown function f()""",
            """表达式 "s == 'a: b' or f(1)" 无效：未知的函数 f()""",
        ),
    ],
)
def test_known_wordings_are_translated_and_english_is_unchanged(message, chinese):
    assert problem_text(message) == message  # English: the engine's own text
    with translation.override("zh-hans"):
        assert problem_text(message).startswith(chinese)


def test_an_unknown_wording_keeps_the_engines_text():
    with translation.override("zh-hans"):
        assert problem_text("something the engine says one day") == (
            "something the engine says one day"
        )


def test_every_wording_matches_itself_first():
    """No wording is shadowed by a more general one listed before it."""
    for wording in WORDINGS:
        example = wording.replace("%(source)s", "'s'").replace("%(", "<").replace(")s", ">")
        first = next(w for w in WORDINGS if _pattern(w).match(example))
        assert first == wording, (wording, first)
