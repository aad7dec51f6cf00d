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
        (
            "must be a mapping, like {from: orders, value: amount}",
            "须为映射，例如 {from: orders, value: amount}",
        ),
        ("unknown unit 'U'; did you mean 'u'?", "未知的组织单元 'U'；是否想写 'u'？"),
        ("unknown unit 'x'", "未知的组织单元 'x'"),
        ("unknown measure 'revnue'; did you mean 'revenue'?", "未知的度量 'revnue'；是否想写"),
        ("unknown person or unit 'A'; did you mean 'a'?", "未知的人员或组织单元 'A'；是否想写"),
        (
            "invalid expression \"actual('revnue')\": actual() names unknown measure 'revnue'; "
            "did you mean 'revenue'?",
            "表达式 \"actual('revnue')\" 无效：actual() 引用了未知的度量 'revnue'；是否想写",
        ),
        (
            "YAML syntax error: could not find expected ':'; line 16 holds the full-width '：': "
            "write ':'",
            "YAML 语法错误：could not find expected ':'；第 16 行有全角字符 '：'：请改为半角 ':'",
        ),
        (
            "YAML syntax error: did not find expected key; line 3 holds a full-width space "
            "(U+3000): write spaces",
            "YAML 语法错误：did not find expected key；第 3 行有全角空格（U+3000）：请改用半角空格",
        ),
        (
            "invalid expression '０.０５': syntax error at character 1; write the full-width "
            "'０' as '0'",
            "表达式 '０.０５' 无效：第 1 个字符处有语法错误；请把全角字符 '０' 改为半角 '0'",
        ),
        ("rate 5 is outside [0, 1]; write 5% as 0.05", "费率 5 超出 [0, 1]；请把 5% 写成 0.05"),
        (
            "invalid expression \"status = 'ok'\": syntax error at character 8; "
            "write == instead of =",
            "表达式 \"status = 'ok'\" 无效：第 8 个字符处有语法错误；请用 == 代替 =",
        ),
        (
            "invalid expression 'AND(a, b)': unknown function AND(); write x and y",
            "表达式 'AND(a, b)' 无效：未知的函数 AND()；请写成 x and y",
        ),
        (
            "invalid expression 'NOT(a)': unknown function NOT(); write not x",
            "表达式 'NOT(a)' 无效：未知的函数 NOT()；请写成 not x",
        ),
        (
            "invalid expression 's == ok': unknown field 'ok'; if it is text, put it in "
            "quotes: 'ok'",
            "表达式 's == ok' 无效：未知的字段 'ok'；如果是文本，请加引号：'ok'",
        ),
        (
            "'2025Q1' is not a period id (2025, 2025-H1, 2025-Q1 … 2025-Q4, 2025-03); "
            "write 2025-Q1",
            "'2025Q1' 不是期间编号（如 2025、2025-H1、2025-Q1 … 2025-Q4、2025-03）；请写成 2025-Q1",
        ),
        (
            "'2025/06/30' is not a date (YYYY-MM-DD); write 2025-06-30",
            "'2025/06/30' 不是日期（YYYY-MM-DD）；请写成 2025-06-30",
        ),
        ("share '50%' is not a number; write 50% as 0.5", "份额 '50%' 不是数字；请把 50% 写成 0.5"),
        ("share 'x' is not a number", "份额 'x' 不是数字"),
        ("unknown key 'capp'; did you mean 'cap'?", "未知的键 'capp'；是否想写 'cap'？"),
        ("unknown key 'zz'; the keys here are id, name", "未知的键 'zz'；此处可写的键为 id, name"),
        ("'5%' is not a number; write 5% as 0.05", "'5%' 不是数字；请把 5% 写成 0.05"),
        (
            "'1,000' is not a number; write 1,000 as 1000, without thousands separators",
            "'1,000' 不是数字；请把 1,000 写成 1000，不要千位分隔符",
        ),
        (
            "'2025-02-30' is not a date: 2025-02 has 28 days",
            "'2025-02-30' 不是日期：2025-02 只有 28 天",
        ),
        ("'2025-13-01' is not a date: there is no month 13", "'2025-13-01' 不是日期：没有第 13 月"),
        ("invalid expression '5%': write 5% as 0.05", "表达式 '5%' 无效：请把 5% 写成 0.05"),
        (
            "invalid expression 'stauts == 1': unknown field 'stauts'; did you mean 'status'?",
            "表达式 'stauts == 1' 无效：未知的字段 'stauts'；是否想写 'status'？",
        ),
        (
            "invalid expression 'attainment >= 1': 'attainment' means this component's measure, "
            "and it names none; add measure: to the component, or write attainment('revenue')",
            "表达式 'attainment >= 1' 无效：'attainment' 指本组件自身的度量",
        ),
        (
            "YAML syntax error: did not find expected key; check the indentation of this line "
            "and the lines above it: the keys of one mapping, and the items of one list, start "
            "in the same column",
            "YAML 语法错误：did not find expected key；请检查本行及上面几行的缩进",
        ),
        (
            "YAML syntax error: mapping values are not allowed here; put a value that holds ': ' "
            "in quotes ('A: B'), or check the indentation of this line and the lines above it",
            "YAML 语法错误：mapping values are not allowed here；含有“: ”的值须加引号",
        ),
        (
            "YAML syntax error: could not find expected ':'; write each key as key: value, with "
            "a space after the colon (here or just above)",
            "YAML 语法错误：could not find expected ':'；每个键须写成 key: value",
        ),
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
