"""`attain demo load` speaks the command's language (attain.core.language)."""

from __future__ import annotations


def test_the_demo_login_table_lines_up_in_chinese():
    """The demo's login table: its header in the reader's language, its columns lined up
    by display width (a Chinese character takes two columns of a terminal)."""
    import unicodedata

    from django.utils import translation

    from attain.demo.generator import DemoLogin
    from attain.demo.management.commands.demo import Command

    logins = [DemoLogin("admin", "demo-1234", "admin", "系统管理员")]
    with translation.override("zh-hans"):
        table = Command.login_table(logins)
    lines = table.splitlines()
    assert lines[0] == "演示账号："
    assert lines[1].split()[:3] == ["用户名", "密码", "角色"]

    def width(text: str) -> int:
        return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)

    # the third column (the role) begins at the same column in the header and the rows
    header, rule, row = lines[1], lines[2], lines[3]
    assert width(header[: header.index("角色")]) == width(row[: row.index("admin", 5)])
    assert rule.startswith("-" * width("用户名"))


def test_the_demo_loaders_speak_the_active_language(db):
    """`attain demo load` under a Chinese locale: the loaders' lines (here: with no demo
    company yet) are Chinese, and English otherwise."""
    from django.utils import translation

    from attain.targets.demo import load_demo_targets

    said: list[str] = []
    with translation.override("zh-hans"):
        load_demo_targets(echo=said.append)
    with translation.override("en"):
        load_demo_targets(echo=said.append)
    assert said == [
        "没有演示公司（组织单元 hq）：请先运行 `attain demo load`。",
        "No demo company (unit hq); run `attain demo load` first.",
    ]


def test_the_crm_summary_names_each_table_in_the_readers_language(db):
    """The CRM history's line listed its tables by their code names in English inside a
    Chinese sentence ("创建了 CRM 历史（120 customers, …）")."""
    from django.utils import translation

    from attain.demo.crm import load_crm_demo
    from attain.demo.generator import generate

    generate(people=20, seed=3, echo=None)
    said: list[str] = []
    with translation.override("zh-hans"):
        load_crm_demo(seed=3, echo=said.append)
    line = said[-1]
    assert "客户 " in line and "订单 " in line and "、" in line, line
    assert "customers" not in line and "orders" not in line, line
