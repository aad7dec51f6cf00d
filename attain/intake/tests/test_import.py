"""The import engine and `attain import` / `attain export`, on the shared small company."""

from __future__ import annotations

import datetime
from decimal import Decimal
from io import StringIO
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone, translation

from attain.audit.models import AuditEvent
from attain.crm.bulk import Upsert
from attain.crm.models import Customer, Order, OrderCredit, Payment
from attain.intake import access, importer
from attain.intake.importer import import_file
from attain.intake.models import BatchStatus, ImportBatch
from attain.intake.reading import FileProblem
from attain.intake.services import batch_for_file, run_batch

from .conftest import import_rows, read_csv, write_csv

ZH_HEADER = ["订单号", "客户编号", "负责人", "下单日期", "订单金额", "状态", "业绩分配"]


def orders_rows() -> list[list[Any]]:
    return [
        ZH_HEADER,
        ["O-1", "C1", "r1", "2025-03-10", "¥1,234.50", "已确认", ""],
        ["O-2", "C2", "r2", "2025/3/11", "￥12,000", "已取消", "r2:0.5;r1:0.5"],
        ["O-3", "C1", "r3", "2025年3月12日", "88", "已退货", '{"r3": 0.6, "r4": 0.4}'],
    ]


def test_utf8_csv_with_chinese_headers(customers: Any, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "orders.csv", orders_rows())
    result = import_file(None, "orders", path, rejects_path=tmp_path / "rejects.csv")
    assert (result.imported, result.updated, result.rejected) == (3, 0, 0)
    assert result.encoding == "UTF-8"
    assert result.rejects_path is None
    one = Order.objects.get(external_id="O-1")
    assert one.amount == Decimal("1234.50")
    assert one.date == datetime.date(2025, 3, 10)
    assert one.owner.code == "r1"
    assert one.status == "confirmed"
    assert Order.objects.get(external_id="O-2").status == "cancelled"
    assert Order.objects.get(external_id="O-3").status == "returned"
    shares = dict(
        OrderCredit.objects.filter(order__external_id="O-3").values_list("person__code", "share")
    )
    assert shares == {"r3": Decimal("0.6"), "r4": Decimal("0.4")}


def test_gbk_csv_as_excel_saves_it(customers: Any, tmp_path: Path) -> None:
    rows = [[cell.replace("¥", "￥") for cell in row] for row in orders_rows()]  # GBK has ￥ only
    path = write_csv(tmp_path / "orders.csv", rows, encoding="gbk")
    result = import_file(None, "orders", path)
    assert result.encoding == "GB18030 (GBK)"
    assert result.imported == 3
    assert Order.objects.get(external_id="O-2").amount == Decimal("12000")


def test_utf8_with_bom_and_english_headers(customers: Any, tmp_path: Path) -> None:
    rows = [["External ID", "Customer", "Owner", "Date", "Amount"]]
    rows.append(["E-1", "C1", "R1", "2025-01-02", "1,000.00"])  # employee ids ignore case
    path = write_csv(tmp_path / "orders.csv", rows, encoding="utf-8-sig")
    result = import_file(None, "orders", path)
    assert (result.encoding, result.imported) == ("UTF-8 (BOM)", 1)


def test_xlsx_with_excel_cells(customers: Any, tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["订单号", "客户", "销售", "日期", "金额"])
    sheet.append([1001, "C1", "r1", datetime.datetime(2025, 4, 1), 1999.9])
    sheet.append(["1002", "C2", "r2", "2025/4/2", "¥2,000.00"])
    book.save(tmp_path / "orders.xlsx")
    result = import_file(None, "orders", tmp_path / "orders.xlsx")
    assert (result.encoding, result.imported, result.rejected) == ("XLSX", 2, 0)
    order = Order.objects.get(external_id="1001")
    assert (order.date, order.amount) == (datetime.date(2025, 4, 1), Decimal("1999.90"))


BAD_ROWS = [
    (["B-1", "C1", "E9999", "2025-03-10", "10", "", ""], "unknown owner “E9999”"),
    (["B-2", "C404", "r1", "2025-03-10", "10", "", ""], "unknown customer “C404”"),
    (["B-3", "C1", "r1", "2025-13-01", "10", "", ""], "bad order date “2025-13-01”"),
    (["B-4", "C1", "r1", "2025-03-10", "abc", "", ""], "amount “abc” is not a number"),
    (["B-5", "C1", "r1", "2025-03-10", "10", "", "r1:0.5;r2:0.4"], "sum to 0.9, not 1"),
    (["B-6", "C1", "r1", "2025-03-10", "10", "", "r1:0.5;E9:0.5"], "unknown person"),
    (["B-7", "C1", "r1", "2025-03-10", "10", "maybe", ""], "unknown status “maybe”"),
    (["B-8", "C1", "", "2025-03-10", "10", "", ""], "owner is missing"),
    (["B-9", "MERGED", "r1", "2025-03-10", "10", "", ""], "was merged into another one"),
]


def test_every_bad_row_is_rejected_and_good_rows_land(customers: Any, tmp_path: Path) -> None:
    from attain.crm import services as crm

    merged = crm.create_customer(None, name="Dup Co", external_id="MERGED", allow_duplicate=True)
    crm.merge_customers(None, customers["C1"], merged)
    good = ["G-1", "C1", "r1", "2025-03-10", "10", "", ""]
    rows = [
        ZH_HEADER,
        good,
        *(row for row, _reason in BAD_ROWS),
        ["G-2", "C2", "r2", "2025-03-11", "20", "", ""],
    ]
    path = write_csv(tmp_path / "orders.csv", rows)
    result = import_file(None, "orders", path, rejects_path=tmp_path / "rejects.csv")
    assert (result.imported, result.updated, result.rejected) == (2, 0, len(BAD_ROWS))
    assert set(Order.objects.values_list("external_id", flat=True)) == {"G-1", "G-2"}
    rejects = read_csv(tmp_path / "rejects.csv")
    assert rejects[0] == ["row", "reason", *ZH_HEADER]
    for (row, reason), line, number in zip(BAD_ROWS, rejects[1:], range(3, 20), strict=False):
        assert line[0] == str(number)  # as Excel numbers rows: the header is row 1
        assert reason in line[1]
        assert line[2:] == row


def test_several_reasons_in_one_row(customers: Any, tmp_path: Path) -> None:
    rows = [ZH_HEADER, ["X", "C404", "E9", "nope", "abc", "", ""]]
    result = import_rows(tmp_path, "orders", "o.csv", rows)
    reason = read_csv(tmp_path / "r.csv")[1][1]
    assert result.rejected == 1
    for part in ("unknown customer", "unknown owner", "bad order date", "not a number"):
        assert part in reason


def test_importing_twice_updates_and_never_duplicates(customers: Any, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "orders.csv", orders_rows())
    import_file(None, "orders", path)
    rows = orders_rows()
    rows[1][4] = "2,000"
    rows[3][6] = ""  # the owner has all of it now
    write_csv(path, rows)
    result = import_file(None, "orders", path)
    assert (result.imported, result.updated, result.rejected) == (0, 3, 0)
    assert Order.objects.count() == 3
    assert Order.objects.get(external_id="O-1").amount == Decimal("2000")
    assert not OrderCredit.objects.filter(order__external_id="O-3").exists()
    assert OrderCredit.objects.filter(order__external_id="O-2").count() == 2


def test_same_key_twice_in_a_file_later_row_wins(customers: Any, tmp_path: Path) -> None:
    rows = [
        ZH_HEADER,
        ["D", "C1", "r1", "2025-03-10", "1", "", ""],
        ["D", "C1", "r1", "2025-03-10", "2", "", ""],
    ]
    result = import_file(None, "orders", write_csv(tmp_path / "o.csv", rows), chunk_size=1)
    assert (result.imported, result.updated) == (1, 1)
    assert Order.objects.get(external_id="D").amount == 2
    result = import_file(None, "orders", write_csv(tmp_path / "o.csv", rows))
    assert (result.imported, result.updated) == (0, 2)


def test_columns_not_in_the_file_keep_their_values(customers: Any, tmp_path: Path) -> None:
    import_file(None, "orders", write_csv(tmp_path / "o.csv", orders_rows()))
    rows = [
        ["订单号", "客户编号", "负责人", "下单日期", "金额"],
        ["O-2", "C2", "r2", "2025-03-11", "5"],
    ]
    import_file(None, "orders", write_csv(tmp_path / "o.csv", rows))
    order = Order.objects.get(external_id="O-2")
    assert (order.amount, order.status, order.credits.count()) == (5, "cancelled", 2)


def test_missing_required_column_rejects_the_file(customers: Any, tmp_path: Path) -> None:
    rows = [["订单号", "客户编号", "下单日期", "金额"], ["O-1", "C1", "2025-03-10", "1"]]
    with pytest.raises(FileProblem, match="no column “owner”"):
        import_file(None, "orders", write_csv(tmp_path / "o.csv", rows))
    assert not Order.objects.exists()


def test_failure_halfway_leaves_nothing(customers: Any, tmp_path: Path, monkeypatch: Any) -> None:
    rows = [ZH_HEADER] + [[f"O-{n}", "C1", "r1", "2025-03-10", "1", "", ""] for n in range(30)]
    path = write_csv(tmp_path / "o.csv", rows)
    original = Upsert.write
    calls = []

    def failing(self: Any, accepted: Any, existing: Any) -> Any:
        calls.append(len(accepted))
        if len(calls) == 2:
            raise RuntimeError("killed")
        return original(self, accepted, existing)

    monkeypatch.setattr(Upsert, "write", failing)
    batch = batch_for_file("orders", path)
    with pytest.raises(RuntimeError):
        run_batch(batch, chunk_size=10)
    assert calls == [10, 10]
    assert not Order.objects.exists()
    batch.refresh_from_db()
    assert batch.status == BatchStatus.FAILED
    assert "killed" in batch.error


def test_batch_is_audited(customers: Any, tmp_path: Path) -> None:
    batch = batch_for_file("orders", write_csv(tmp_path / "o.csv", orders_rows()))
    run_batch(batch)
    batch.refresh_from_db()
    assert (batch.status, batch.imported, batch.encoding) == (BatchStatus.DONE, 3, "UTF-8")
    event = AuditEvent.objects.get(object_id=str(batch.pk), content_type__model="importbatch")
    assert event.after["imported"] == 3


def test_every_imported_record_has_its_own_audit_event(customers: Any, tmp_path: Path) -> None:
    """Issue 11: an import audits each record (compact before/after), under the batch id,
    and the record's history shows it; an unchanged record gets no event."""
    from attain.audit.selectors import for_batch, history

    batch = batch_for_file("orders", write_csv(tmp_path / "o.csv", orders_rows()))
    run_batch(batch)
    created = list(for_batch(f"import-{batch.pk}"))
    assert [e.action for e in created] == ["create"] * 3
    first = Order.objects.get(external_id="O-1")
    event = history(first).get()
    assert event.before is None and event.after["amount"] == f"{first.amount:.2f}"
    assert event.after["owner_id"] == first.owner_id
    rows = orders_rows()
    rows[1][4] = "2,000"
    again = batch_for_file("orders", write_csv(tmp_path / "o2.csv", rows))
    run_batch(again)
    changed = list(for_batch(f"import-{again.pk}"))
    assert [(e.object_id, e.action) for e in changed] == [(str(first.pk), "update")]
    update = history(first).filter(action="update").get()
    assert update.before == {"amount": f"{first.amount:.2f}"}
    assert update.after == {"amount": "2000.00"}


def test_dry_run_writes_nothing(customers: Any, tmp_path: Path) -> None:
    result = import_file(None, "orders", write_csv(tmp_path / "o.csv", orders_rows()), dry_run=True)
    assert result.imported == 3
    assert not Order.objects.exists()


def test_manager_rows_for_people_outside_the_team_are_rejected(
    customers: Any, company: Any, tmp_path: Path
) -> None:
    customers["C1"].owner = company.people["r1"]  # a customer of m1's team
    customers["C1"].save(update_fields=["owner"])
    rows = [
        ZH_HEADER,
        ["M-1", "C1", "r3", "2025-03-10", "1", "", ""],  # r3 reports to m2, under m1
        ["M-2", "C1", "r4", "2025-03-10", "1", "", ""],  # r4 is in the west
        ["M-3", "C1", "r1", "2025-03-10", "1", "", "r1:0.5;r4:0.5"],
    ]
    result = import_file(
        company.users["manager"],
        "orders",
        write_csv(tmp_path / "o.csv", rows),
        rejects_path=tmp_path / "r.csv",
    )
    assert (result.imported, result.rejected) == (1, 2)
    reasons = [line[1] for line in read_csv(tmp_path / "r.csv")[1:]]
    assert "“r4” is not in your team" in reasons[0]
    assert "“r4” is not in your team" in reasons[1]


def test_manager_may_not_take_over_records_outside_the_team(
    customers: Any, company: Any, tmp_path: Path
) -> None:
    """The file names a person of the team, but the stored record is someone else's:
    the row is refused and the record left as it was (and so is a record whose credit
    split names someone outside the team)."""
    rows = [
        ZH_HEADER,
        ["W-1", "C1", "r4", "2025-03-10", "500", "", ""],
        ["W-2", "C1", "r1", "2025-03-10", "700", "", "r1:0.5;r4:0.5"],
        ["T-1", "C1", "r1", "2025-03-10", "100", "", ""],
    ]
    import_file(None, "orders", write_csv(tmp_path / "o.csv", rows))
    takeover = [
        ZH_HEADER,
        ["W-1", "C1", "r1", "2025-03-10", "1", "", ""],  # r4's order, given to r1
        ["W-1", "C1", "r3", "2025-03-10", "2", "", ""],  # and again: both rows refused
        ["W-2", "C1", "r1", "2025-03-10", "1", "", ""],  # credited to r4 in part
        ["T-1", "C1", "r3", "2025-03-10", "3", "", ""],  # within the team: fine
    ]
    result = import_file(
        company.users["manager"],
        "orders",
        write_csv(tmp_path / "t.csv", takeover),
        rejects_path=tmp_path / "r.csv",
        chunk_size=2,
    )
    assert (result.imported, result.updated, result.rejected) == (0, 1, 3)
    reasons = [line[1] for line in read_csv(tmp_path / "r.csv")[1:]]
    assert reasons == ["“W-1” is a record of someone outside your team"] * 2 + [
        "“W-2” is a record of someone outside your team"
    ]
    assert Order.objects.get(external_id="W-1").owner.code == "r4"
    assert Order.objects.get(external_id="W-1").amount == 500
    assert Order.objects.get(external_id="W-2").amount == 700
    assert Order.objects.get(external_id="T-1").owner.code == "r3"


def test_a_record_that_changes_hands_between_staging_and_merge_stops_the_import(
    customers: Any, company: Any, tmp_path: Path, monkeypatch: Any
) -> None:
    """Staging reads without the write lock: the merge checks whose the records are again."""
    rows = [ZH_HEADER, ["H-1", "C1", "r1", "2025-03-10", "100", "", ""]]
    import_file(None, "orders", write_csv(tmp_path / "o.csv", rows))
    stage = importer._stage

    def stage_then_move(*args: Any, **kwargs: Any) -> int:
        chunks = stage(*args, **kwargs)
        Order.objects.filter(external_id="H-1").update(owner=company.people["r4"])
        return chunks

    monkeypatch.setattr(importer, "_stage", stage_then_move)
    rows[1][4] = "1"
    with pytest.raises(FileProblem, match="became a record of someone outside your team"):
        import_file(company.users["manager"], "orders", write_csv(tmp_path / "t.csv", rows))
    assert Order.objects.get(external_id="H-1").amount == 100


def test_a_credit_code_repeated_in_a_later_chunk_is_rejected(
    customers: Any, tmp_path: Path
) -> None:
    rows = [
        ["客户编号", "客户名称", "统一社会信用代码"],
        ["N1", "One Co", "91350100M000100Y43"],
        ["N2", "Two Co", ""],
        ["N3", "Three Co", "91350100M000100Y43"],  # another chunk, the same code
        ["N1", "One Co (again)", "91350100M000100Y43"],  # its own code: fine
    ]
    result = import_file(
        None,
        "customers",
        write_csv(tmp_path / "c.csv", rows),
        rejects_path=tmp_path / "r.csv",
        chunk_size=2,
    )
    assert (result.imported, result.updated, result.rejected) == (2, 1, 1)
    assert not Customer.objects.filter(external_id="N3").exists()
    assert "already has credit code" in read_csv(tmp_path / "r.csv")[1][1]


def test_credit_shares_of_many_places_are_stored_summing_to_one(
    customers: Any, tmp_path: Path
) -> None:
    """Excel writes ⅓ with 15 digits; the 8 places stored still sum to exactly 1, and a
    share that would round to nothing is refused."""
    rows = [
        ZH_HEADER,
        [
            "S-1",
            "C1",
            "r1",
            "2025-03-10",
            "90",
            "",
            "r1:0.333333333333333;r2:0.333333333333333;r3:0.333333333333333",
        ],
        ["S-2", "C1", "r1", "2025-03-10", "90", "", "r1:0.999999999;r2:0.000000001"],
    ]
    result = import_rows(tmp_path, "orders", "o.csv", rows)
    assert (result.imported, result.rejected) == (1, 1)
    shares = OrderCredit.objects.filter(order__external_id="S-1").values_list("share", flat=True)
    assert sorted(shares) == [Decimal("0.33333333")] * 2 + [Decimal("0.33333334")]
    assert sum(shares) == 1
    assert "is below 0.00000001" in read_csv(tmp_path / "r.csv")[1][1]


def test_control_characters_in_text_are_rejected(customers: Any, tmp_path: Path) -> None:
    """PostgreSQL refuses NUL and an XLSX export any other C0 control character."""
    rows = [
        ["客户编号", "客户名称"],
        ["N1", "Null\x00Co"],
        ["N2", "Tab\x0bCo"],
        ["N3", "Fine Co"],
    ]
    result = import_rows(tmp_path, "customers", "c.csv", rows)
    assert (result.imported, result.rejected) == (1, 2)
    reasons = [line[1] for line in read_csv(tmp_path / "r.csv")[1:]]
    assert "contains a control character (U+0000)" in reasons[0]
    assert "contains a control character (U+000B)" in reasons[1]


def test_dry_run_counts_a_key_of_an_earlier_chunk_as_an_update(
    customers: Any, tmp_path: Path
) -> None:
    rows = [
        ZH_HEADER,
        ["D-1", "C1", "r1", "2025-03-10", "1", "", ""],
        ["D-2", "C1", "r1", "2025-03-10", "1", "", ""],
        ["D-1", "C1", "r1", "2025-03-10", "2", "", ""],
    ]
    path = write_csv(tmp_path / "o.csv", rows)
    dry = import_file(None, "orders", path, dry_run=True, chunk_size=2)
    real = import_file(None, "orders", path, chunk_size=2)
    assert (dry.imported, dry.updated) == (real.imported, real.updated) == (2, 1)


def test_manager_may_not_import_customers(customers: Any, company: Any, tmp_path: Path) -> None:
    rows = [["external_id", "name"], ["N1", "New Co"]]
    with pytest.raises(FileProblem, match="may not import"):
        import_file(company.users["manager"], "customers", write_csv(tmp_path / "c.csv", rows))


def test_customers_with_dedupe_keys_and_credit_codes(customers: Any, tmp_path: Path) -> None:
    rows = [
        ["客户编号", "客户名称", "统一社会信用代码", "电话", "来源", "负责人"],
        ["N1", "广州新兴（集团）有限公司", "91350100m000100y43", "+86 138 0000 0000", "市场", "r1"],
        ["N2", "Other Co", "91350100M000100Y43", "", "", ""],  # the same code again
        ["N3", "Bad code Co", "123", "", "", ""],
        ["C1", "上海华信有限公司 (renamed)", "", "", "转介绍", ""],
    ]
    result = import_rows(tmp_path, "customers", "c.csv", rows)
    assert (result.imported, result.updated, result.rejected) == (1, 1, 2)
    new = Customer.objects.get(external_id="N1")
    assert new.credit_code == "91350100M000100Y43"
    assert (new.name_key, new.phone_key, new.source) == ("广州新兴", "13800000000", "marketing")
    assert Customer.objects.get(external_id="C1").source == "referral"
    reasons = " ".join(line[1] for line in read_csv(tmp_path / "r.csv")[1:])
    assert "already has credit code" in reasons
    assert "not a valid unified social credit code" in reasons


def test_payments_and_the_other_tables(customers: Any, tmp_path: Path) -> None:
    import_file(None, "orders", write_csv(tmp_path / "o.csv", orders_rows()))
    rows = [
        ["回款编号", "客户", "订单号", "收款人", "回款日期", "回款金额", "业绩分配"],
        ["P-1", "C1", "O-1", "r1", "2025-04-01", "1,234.50", "r1:0.7;r2:0.3"],
        ["P-2", "C2", "O-1", "r1", "2025-04-01", "1", ""],  # O-1 is C1's order
    ]
    result = import_rows(tmp_path, "payments", "p.csv", rows)
    assert (result.imported, result.rejected) == (1, 1)
    assert Payment.objects.get(external_id="P-1").credits.count() == 2
    assert "another customer" in read_csv(tmp_path / "r.csv")[1][1]
    tables = {
        "activities": [
            ["类型", "客户", "负责人", "时间", "外部编号", "纬度", "经度"],
            ["拜访", "C1", "r1", "2025-04-01 09:30", "A1", "31.2304161", "121.473701"],
            ["拜访", "C1", "r1", "2025-04-01 10:30", "A2", "31.2", ""],  # half a place
            ["拜访", "C1", "r1", "2025-04-01 11:30", "A3", "95", "121.4"],  # off the globe
        ],
        "surveys": [
            ["外部编号", "客户", "被评价人", "日期", "评分"],
            ["S1", "C1", "r1", "2025-04-01", "4.5"],
            ["S2", "C1", "r1", "2025-04-01", "6"],
        ],
        "training_scores": [
            ["外部编号", "工号", "课程", "日期", "成绩"],
            ["T1", "r1", "产品知识", "2025-04-01", "92"],
        ],
        "peer_ratings": [
            ["外部编号", "评价人", "被评价人", "日期", "评分"],
            ["R1", "r1", "r2", "2025-04-01", "5"],
            ["R2", "r1", "r1", "2025-04-01", "5"],
        ],
        "tickets": [
            ["工单号", "客户", "类型", "创建日期", "状态"],
            ["K1", "C1", "维修", "2025-04-01", "处理中"],
        ],
        "contacts": [
            ["外部编号", "客户", "姓名", "邮箱"],
            ["K1", "C1", "王经理", "wang@example.com"],
            ["K2", "C1", "李", "not-an-email"],
        ],
        "products": [
            ["产品编码", "产品名称", "产品线", "标准价"],
            ["P100", "离心泵", "pumps", "¥9,800"],
        ],
        "opportunities": [
            ["商机编号", "客户", "商机名称", "负责人", "预计金额"],
            ["OP1", "C1", "新厂房", "r1", "500,000"],
        ],
    }
    counts = {}
    for table, table_rows in tables.items():
        result = import_file(None, table, write_csv(tmp_path / f"{table}.csv", table_rows))
        counts[table] = (result.imported, result.rejected)
    assert counts == {
        "activities": (1, 2),
        "surveys": (1, 1),
        "training_scores": (1, 0),
        "peer_ratings": (1, 1),
        "tickets": (1, 0),
        "contacts": (1, 1),
        "products": (1, 0),
        "opportunities": (1, 0),
    }
    from attain.crm.models import Activity, Opportunity

    assert Opportunity.objects.get(external_id="OP1").stage_changes.count() == 1
    visit = Activity.objects.get(external_id="A1")  # where it happened, for the detectors
    assert (visit.latitude, visit.longitude) == (Decimal("31.230416"), Decimal("121.473701"))


def test_export_reimports_cleanly(customers: Any, tmp_path: Path) -> None:
    import_file(None, "orders", write_csv(tmp_path / "o.csv", orders_rows()))
    for suffix in ("csv", "xlsx"):
        out = tmp_path / f"orders-export.{suffix}"
        call_command("export", "orders", str(out), stdout=StringIO())
        before = list(Order.objects.order_by("external_id").values())
        credits_before = sorted(
            OrderCredit.objects.values_list("order__external_id", "person__code", "share")
        )
        result = import_file(None, "orders", out)
        assert (result.imported, result.updated, result.rejected) == (0, 3, 0)
        assert list(Order.objects.order_by("external_id").values()) == before
        credits_after = sorted(
            OrderCredit.objects.values_list("order__external_id", "person__code", "share")
        )
        assert credits_after == credits_before
    header = read_csv(tmp_path / "orders-export.csv")[0]
    assert header[:5] == ["external_id", "customer", "owner", "date", "amount"]


def test_cli_prints_the_counts_line(customers: Any, tmp_path: Path) -> None:
    rows = [*orders_rows(), ["O-9", "C1", "E9999", "2025-03-10", "1", "", ""]]
    path = write_csv(tmp_path / "orders.csv", rows)
    out = StringIO()
    call_command("import", "orders", str(path), stdout=out, stderr=StringIO())
    lines = out.getvalue().splitlines()
    assert lines[0] == "imported 3, updated 0, rejected 1"
    assert lines[1] == f"rejected rows: {tmp_path / 'orders.rejects.csv'}"
    assert ImportBatch.objects.get().status == BatchStatus.DONE


def test_cli_file_problems_exit_2(customers: Any, tmp_path: Path) -> None:
    bad = write_csv(tmp_path / "orders.csv", [["订单号"], ["O-1"]])
    with pytest.raises(CommandError, match="no column") as error:
        call_command("import", "orders", str(bad))
    assert error.value.returncode == 2
    with pytest.raises(CommandError) as error:
        call_command("import", "orders", str(tmp_path / "missing.csv"))
    assert error.value.returncode == 2
    with pytest.raises(CommandError):
        call_command("import", "nonsense", str(bad))
    with pytest.raises(CommandError, match="is a folder") as error:  # not "No such file"
        call_command("import", "orders", str(tmp_path))
    assert error.value.returncode == 2
    for size in ("0", "-1"):  # 0 imported one row per chunk, a hundred times slower
        with pytest.raises(CommandError, match="at least 1") as error:
            call_command("import", "orders", str(bad), "--chunk-size", size)
        assert error.value.returncode == 2
    assert not Order.objects.exists()


def _products() -> None:
    from attain.crm.models import Product, ProductLine

    line = ProductLine.objects.get(code="pumps")
    Product.objects.create(code="P100", name="离心泵", line=line)
    Product.objects.create(code="P200", name="隔膜泵", line=line)


def order_lines_rows() -> list[list[Any]]:
    return [
        ["明细编号", "订单号", "产品编码", "数量", "单价", "金额"],
        ["L1", "O-1", "P100", "2", "¥500.25", ""],  # amount: 2 × 500.25
        ["L2", "O-1", "P200", "1.5", "100", "149"],  # a given amount is kept (discount)
        ["L3", "O-404", "P100", "1", "1", ""],  # unknown order
        ["L4", "O-2", "NOPE", "1", "1", ""],  # unknown product
        ["L5", "O-2", "P100", "-1", "1", ""],  # negative quantity
        ["", "O-2", "P100", "1", "1", ""],  # no line id
    ]


def test_order_lines_upsert_by_line_id(customers: Any, tmp_path: Path) -> None:
    from attain.crm.models import OrderLine

    _products()
    import_file(None, "orders", write_csv(tmp_path / "o.csv", orders_rows()))
    path = write_csv(tmp_path / "lines.csv", order_lines_rows())
    result = import_file(None, "order_lines", path, rejects_path=tmp_path / "r.csv")
    assert (result.imported, result.updated, result.rejected) == (2, 0, 4)
    lines = {
        line.external_id: line
        for line in OrderLine.objects.select_related("order", "product").order_by("external_id")
    }
    assert set(lines) == {"L1", "L2"}
    assert (lines["L1"].order.external_id, lines["L1"].product.code) == ("O-1", "P100")
    assert (lines["L1"].quantity, lines["L1"].unit_price) == (Decimal(2), Decimal("500.25"))
    assert lines["L1"].amount == Decimal("1000.50")
    assert lines["L2"].amount == Decimal(149)
    reasons = [row[1] for row in read_csv(tmp_path / "r.csv")[1:]]
    assert len(reasons) == 4
    assert "O-404" in reasons[0] and "NOPE" in reasons[1]
    # Again, with a new price for L1 and no amount column: updated, amount recomputed.
    rows = [
        ["line id", "order id", "product code", "quantity", "unit price"],
        ["L1", "O-1", "P100", "3", "10"],
    ]
    result = import_file(None, "order_lines", write_csv(tmp_path / "again.csv", rows))
    assert (result.imported, result.updated, result.rejected) == (0, 1, 0)
    line = OrderLine.objects.get(external_id="L1")
    assert (line.quantity, line.amount) == (Decimal(3), Decimal("30.00"))
    # quantity × unit price to the cent half-up (四舍五入), as the order form: 0.125 → 0.13
    rows = [rows[0], ["L1", "O-1", "P100", "0.5", "0.25"]]
    import_file(None, "order_lines", write_csv(tmp_path / "half.csv", rows))
    assert OrderLine.objects.get(external_id="L1").amount == Decimal("0.13")
    assert OrderLine.objects.count() == 2
    # The order's own amount is the orders table's: lines do not change it.
    assert Order.objects.get(external_id="O-1").amount == Decimal("1234.50")


def test_order_lines_export_reimports_cleanly(customers: Any, tmp_path: Path) -> None:
    from attain.crm.models import OrderLine

    _products()
    import_file(None, "orders", write_csv(tmp_path / "o.csv", orders_rows()))
    import_file(None, "order_lines", write_csv(tmp_path / "lines.csv", order_lines_rows()))
    out = tmp_path / "lines-export.csv"
    call_command("export", "order_lines", str(out), stdout=StringIO())
    assert read_csv(out)[0] == [
        "external_id",
        "order",
        "product",
        "quantity",
        "unit_price",
        "amount",
    ]
    before = list(OrderLine.objects.order_by("pk").values())
    result = import_file(None, "order_lines", out)
    assert (result.imported, result.updated, result.rejected) == (0, 2, 0)
    assert list(OrderLine.objects.order_by("pk").values()) == before


def test_managers_do_not_import_order_lines(customers: Any, company: Any) -> None:
    spec = importer.get_table("order_lines")
    assert not access.can_import(company.users["manager"], spec)
    assert access.can_import(company.users["sales_ops"], spec)


def test_photo_fingerprints_come_and_go_with_activities(customers: Any, tmp_path: Path) -> None:
    """Evidence photos' perceptual hashes travel through CSV, so the integrity scan finds
    a photo reused on imported visits as on visits typed with the photo."""
    from attain.crm.models import Activity, Evidence

    photo, near = "8f3c0a1b2c3d4e5f", "8f3c0a1b2c3d4e5e"
    rows = [
        ["外部编号", "类型", "客户", "负责人", "时间", "照片指纹"],
        ["A1", "拜访", "C1", "r1", "2025-04-01 09:30", photo.upper()],
        ["A2", "拜访", "C2", "r1", "2025-04-02 09:30", f"{near}; {photo}"],
        ["A3", "拜访", "C1", "r1", "2025-04-03 09:30", ""],
        ["A4", "拜访", "C1", "r1", "2025-04-04 09:30", "not-a-hash"],
    ]
    result = import_rows(tmp_path, "activities", "a.csv", rows)
    assert (result.imported, result.rejected) == (3, 1)
    reason = read_csv(tmp_path / "r.csv")[1][1]
    assert "not-a-hash" in reason and "16" in reason

    def hashes() -> dict[str, list[str]]:
        found: dict[str, list[str]] = {}
        for activity, hash_ in Evidence.objects.order_by("pk").values_list(
            "activity__external_id", "perceptual_hash"
        ):
            found.setdefault(activity, []).append(hash_)
        return found

    assert hashes() == {"A1": [photo], "A2": [near, photo]}
    out = tmp_path / "activities.csv"
    call_command("export", "activities", str(out), stdout=StringIO())
    exported = read_csv(out)
    column = exported[0].index("photo_fingerprints")
    assert {r[0]: r[column] for r in exported[1:]} == {
        "A1": photo,
        "A2": f"{near};{photo}",
        "A3": "",
    }
    # a re-import of the export changes nothing; a new value replaces the old ones
    assert import_file(None, "activities", out).rejected == 0
    assert hashes() == {"A1": [photo], "A2": [near, photo]}
    rows = [["外部编号", "类型", "客户", "负责人", "时间", "照片指纹"]]
    rows.append(["A2", "拜访", "C2", "r1", "2025-04-02 09:30", ""])
    import_file(None, "activities", write_csv(tmp_path / "b.csv", rows))
    assert hashes() == {"A1": [photo]}
    # a file without the column leaves the fingerprints alone
    rows = [["外部编号", "类型", "客户", "负责人", "时间"]]
    rows.append(["A1", "电话", "C1", "r1", "2025-04-01"])
    import_file(None, "activities", write_csv(tmp_path / "c.csv", rows))
    assert hashes() == {"A1": [photo]}
    assert Activity.objects.get(external_id="A1").kind == "call"


def test_gbk_whose_first_megabyte_is_ascii(customers: Any, tmp_path: Path) -> None:
    """The encoding was guessed from the first 1 MB only: a GBK file whose Chinese comes
    later was refused as broken UTF-8."""
    rows = [["external_id", "customer", "owner", "date", "amount", "status"]]
    rows += [[f"A-{n}", "C1", "r1", "2025-03-10", "1", "confirmed"] for n in range(40_000)]
    rows.append(["Z-1", "C1", "r1", "2025-03-10", "2", "已确认"])
    path = write_csv(tmp_path / "late.csv", rows, encoding="gbk")
    assert path.stat().st_size > 1 << 20
    result = import_file(None, "orders", path)
    assert (result.imported, result.rejected) == (40_001, 0)
    assert result.encoding == "GB18030 (GBK)"


def test_blank_lines_before_the_header_and_a_workbook_named_csv(
    customers: Any, tmp_path: Path
) -> None:
    path = write_csv(tmp_path / "blank.csv", [[], [""], *orders_rows()])
    assert path.read_text("utf-8").startswith("\n")  # (read_text turns CRLF into LF)
    result = import_file(None, "orders", path, rejects_path=tmp_path / "r.csv")
    assert (result.imported, result.rejected) == (3, 0)
    book = openpyxl.Workbook()
    for row in orders_rows():
        book.active.append(row)
    named = tmp_path / "book.csv"
    book.save(named)
    result = import_file(None, "orders", named)
    assert (result.imported + result.updated, result.rejected) == (3, 0)


def test_an_order_cancelled_by_a_later_file_without_a_date_is_dated_by_the_import(
    customers: Any, tmp_path: Path
) -> None:
    """A weekly CRM export with a status but no cancellation date: the order booked as
    confirmed and cancelled in a later file is dated cancelled on the day of that import
    (the integrity scan's wash orders need it); an unchanged status keeps its date; a
    date in the file wins."""
    import_file(None, "orders", write_csv(tmp_path / "a.csv", orders_rows()))
    assert Order.objects.get(external_id="O-1").status_changed_on is None
    later = [
        ZH_HEADER,
        ["O-1", "C1", "r1", "2025-03-10", "1234.50", "已取消", ""],
        ["O-2", "C2", "r2", "2025-03-11", "12000", "已取消", ""],
    ]
    import_file(None, "orders", write_csv(tmp_path / "b.csv", later))
    one = Order.objects.get(external_id="O-1")
    assert (one.status, one.status_changed_on) == ("cancelled", timezone.localdate())
    assert Order.objects.get(external_id="O-2").status_changed_on is None  # unchanged
    event = AuditEvent.objects.filter(object_id=str(one.pk)).order_by("pk").last()
    assert event.after["status_changed_on"] == timezone.localdate().isoformat()
    dated = [
        [*ZH_HEADER, "取消日期"],
        ["O-2", "C2", "r2", "2025-03-11", "12000", "已退货", "", "2025-04-02"],
    ]
    import_file(None, "orders", write_csv(tmp_path / "c.csv", dated))
    assert Order.objects.get(external_id="O-2").status_changed_on == datetime.date(2025, 4, 2)
    again = [[*ZH_HEADER, "取消日期"], ["O-2", "C2", "r2", "2025-03-11", "12000", "已退货", "", ""]]
    import_file(None, "orders", write_csv(tmp_path / "d.csv", again))
    assert Order.objects.get(external_id="O-2").status_changed_on == datetime.date(2025, 4, 2)


def test_xlsx_whose_first_sheet_is_hidden_reads_the_sheet_people_see(
    customers: Any, tmp_path: Path
) -> None:
    # an ERP's or a template's workbook often starts with a hidden sheet of lookup lists
    book = openpyxl.Workbook()
    lists = book.active
    lists.title = "lists"
    lists.append(["状态"])
    lists.append(["已确认"])
    lists.sheet_state = "hidden"
    data = book.create_sheet("订单")
    data.append(["订单号", "客户", "销售", "日期", "金额"])
    data.append(["V-1", "C1", "r1", "2025-03-10", 10])
    book.active = 1
    book.save(tmp_path / "orders.xlsx")
    preview = import_file(
        None, "orders", tmp_path / "orders.xlsx", dry_run=True, sample_size=20, row_limit=200
    )
    assert (preview.imported, preview.rejected) == (1, 0)
    result = import_file(None, "orders", tmp_path / "orders.xlsx")
    assert (result.imported, result.rejected) == (1, 0)
    assert Order.objects.get(external_id="V-1").amount == Decimal("10")


def _visit_exported(
    customers: Any, company: Any, tmp_path: Path, when: datetime.datetime
) -> tuple[Path, str]:
    """Visit A1 (C1, r1) at ``when``, exported by `attain export activities`: the file
    and its occurred_at cell."""
    from attain.crm.services.activities import log_activity

    log_activity(
        None,
        kind="visit",
        customer=customers["C1"],
        owner=company.people["r1"],
        occurred_at=when,
        external_id="A1",
    )
    out = tmp_path / "activities.csv"
    call_command("export", "activities", str(out), stdout=StringIO())
    exported = read_csv(out)
    return out, exported[1][exported[0].index("occurred_at")]


def test_an_activity_with_a_fraction_of_a_second_exports_and_imports_back_unchanged(
    customers: Any, company: Any, tmp_path: Path
) -> None:
    # the API and the app give occurred_at to the microsecond: the export wrote whole
    # seconds and the import dropped any fraction, so re-importing an unchanged export
    # moved every such activity
    from attain.crm.models import Activity

    when = datetime.datetime(2025, 3, 10, 23, 30, 15, 250000, tzinfo=datetime.UTC)
    out, exported = _visit_exported(customers, company, tmp_path, when)
    assert exported == "2025-03-11 07:30:15.250000"
    result = import_file(None, "activities", out)
    assert (result.updated, result.rejected) == (1, 0)
    assert Activity.objects.get(external_id="A1").occurred_at == when


@pytest.mark.parametrize(
    "header",
    [
        "合同金额（万元）",
        "金额(千元)",
        "Amount (k CNY)",
        "金额('000)",
        "金额(000s)",
        "Amount (in 000s)",
        "Amount (CNY 000)",
        "Amount (M)",
        "金额(w)",
        "Amount (CNY bn)",
    ],
)
def test_an_amount_column_in_ten_thousands_of_yuan_is_refused(
    customers: Any, tmp_path: Path, header: str
) -> None:
    # 金额（万元） was read as 金额: 12.5 (万元, ¥125,000) became ¥12.50, silently
    rows = [
        ["2025年订单"],
        ["订单号", "客户", "销售", "日期", header],
        ["W-1", "C1", "r1", "2025-03-10", "12.5"],
    ]
    with pytest.raises(FileProblem) as problem:
        import_file(None, "orders", write_csv(tmp_path / "orders.csv", rows))
    assert header in str(problem.value) and "amount" in str(problem.value)
    assert not Order.objects.exists()


def test_an_amount_column_in_yuan_keeps_its_unit(customers: Any, tmp_path: Path) -> None:
    rows = [
        ["订单号", "客户", "销售", "日期", "金额（元）"],
        ["W-1", "C1", "r1", "2025-03-10", "12.5"],
    ]
    assert import_file(None, "orders", write_csv(tmp_path / "orders.csv", rows)).imported == 1
    rows[0][4] = "Amount (CNY)"
    assert import_file(None, "orders", write_csv(tmp_path / "orders.csv", rows)).updated == 1
    assert Order.objects.get().amount == Decimal("12.50")


def test_the_command_line_reads_and_writes_times_in_the_company_time_zone(
    customers: Any, company: Any, tmp_path: Path, client: Any
) -> None:
    # the pages and the workers count in the company's time zone; `attain export` and
    # `attain import` counted in the deployment's default (ATTAIN_TIME_ZONE): a visit
    # exported from the command line and imported on the page moved by hours
    from attain.crm.models import Activity
    from attain.org.testing import set_company_time_zone

    set_company_time_zone("America/New_York")
    when = datetime.datetime(2025, 3, 10, 15, 0, tzinfo=datetime.UTC)
    assert _visit_exported(customers, company, tmp_path, when)[1] == "2025-03-10 11:00:00"  # EDT
    rows = [["external_id", "kind", "customer", "owner", "occurred_at"]]
    rows.append(["A2", "call", "C1", "r1", "2025-03-10 11:00"])
    call_command(
        "import", "activities", str(write_csv(tmp_path / "a.csv", rows)), stdout=StringIO()
    )
    assert Activity.objects.get(external_id="A2").occurred_at == when


@pytest.mark.parametrize(
    "header", ["标准价（元/千克）", "单价(元/千瓦时)", "标准价(每千米)", "list price (CNY per k)"]
)
def test_a_price_per_unit_is_no_multiple_of_yuan(header: str) -> None:
    """元/千克 names what a price is per, not a multiple of yuan: such a products file
    was refused whole."""
    from attain.intake.importer import refuse_scaled_money
    from attain.intake.tables import TABLES

    refuse_scaled_money(TABLES["products"], ["编码", header], {"code": 0, "list_price": 1})
    with pytest.raises(FileProblem):
        refuse_scaled_money(TABLES["products"], ["编码", "标准价(万元)"], {"list_price": 1})


def test_rows_of_only_spaces_are_blank_rows(customers: Any, tmp_path: Path) -> None:
    """A row whose cells hold nothing but spaces (a space typed into an unused cell, a
    CSV line of blanks after the data) is a blank row, skipped as the empty ones are,
    not a row rejected for every missing column."""
    rows = [*orders_rows(), [" ", "", "  ", "", "", "", ""], ["\t"], ["", "", "", "", "", "", "　"]]
    path = write_csv(tmp_path / "orders.csv", rows)
    result = import_file(None, "orders", path, rejects_path=tmp_path / "rejects.csv")
    assert (result.imported, result.updated, result.rejected) == (3, 0, 0)
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["订单号", "客户", "销售", "日期", "金额"])
    sheet.append(["X-1", "C1", "r1", "2025-04-01", 10])
    sheet.cell(row=900, column=7, value=" ")  # in a column without a header, far down
    book.save(tmp_path / "orders.xlsx")
    result = import_file(None, "orders", tmp_path / "orders.xlsx")
    assert (result.imported, result.rejected) == (1, 0)


@pytest.mark.parametrize(
    "header",
    ["金额（美元）", "订单金额(USD)", "Amount (US$)", "金额（港币）", "金额(HKD)", "金额（欧元）"],
)
def test_an_amount_column_in_another_currency_is_refused(
    customers: Any, tmp_path: Path, header: str
) -> None:
    """Attain reads amounts in yuan: a column whose unit names another currency was
    read as yuan without a word ($1,000 as ¥1,000), as 万元 would be read as 元."""
    rows = [["订单号", "客户编号", "负责人", "下单日期", header]]
    rows.append(["F-1", "C1", "r1", "2025-03-10", "1000"])
    with pytest.raises(FileProblem) as problem:
        import_file(None, "orders", write_csv(tmp_path / "orders.csv", rows))
    assert header in str(problem.value) and "yuan" in str(problem.value)
    assert not Order.objects.exists()


@pytest.mark.parametrize(
    "header",
    ["金额（元）", "金额(人民币)", "Amount (CNY)", "金额(RMB)", "金额(¥)", "Amount (paid to us)"],
)
def test_an_amount_column_in_yuan_imports(customers: Any, tmp_path: Path, header: str) -> None:
    rows = [["订单号", "客户编号", "负责人", "下单日期", header]]
    rows.append(["F-1", "C1", "r1", "2025-03-10", "1000"])
    result = import_file(None, "orders", write_csv(tmp_path / "orders.csv", rows))
    assert result.imported == 1


def test_a_quotation_mark_never_closed_refuses_the_file(customers: Any, tmp_path: Path) -> None:
    """A cell that opens with a quotation mark that never closes swallows the rest of
    the file: K-2 and K-3 became part of K-1's name and the import said "imported 1,
    rejected 0". Such a file is now refused, naming the row; a quoted cell with a line
    break that does close still imports."""
    path = tmp_path / "customers.csv"
    path.write_text(
        '客户编号,客户名称,城市\nK-1,"Acme,上海\nK-2,Beta,北京\nK-3,Gamma,广州\n', encoding="utf-8"
    )
    with pytest.raises(FileProblem) as problem:
        import_file(None, "customers", path)
    assert "row 2" in str(problem.value)
    assert not Customer.objects.filter(external_id__startswith="K").exists()
    path.write_text(
        '客户编号,客户名称,城市\nK-1,"Acme\n上海",上海\nK-2,Beta,"北京"\n', encoding="utf-8"
    )
    result = import_file(None, "customers", path)
    assert (result.imported, result.rejected) == (2, 0)
    assert Customer.objects.get(external_id="K-1").name == "Acme\n上海"


def test_a_huge_cell_is_quoted_shortened_in_the_reason(customers: Any, tmp_path: Path) -> None:
    """A reason quotes the cell: a 200,000-character amount (a pasted document) made a
    200,000-character reason, in the preview and in the rejects file (whose cell Excel
    cuts at 32,767). The reason shows the cell's start; the row keeps all of it."""
    huge = "x" * 200_000
    rows = [ZH_HEADER[:5], ["H-1", "C1", "r1", "2025-03-10", huge]]
    path = write_csv(tmp_path / "orders.csv", rows)
    result = import_file(None, "orders", path, rejects_path=tmp_path / "rejects.csv")
    assert result.rejected == 1
    row = read_csv(tmp_path / "rejects.csv")[1]
    assert row[1] == f"amount “{'x' * 60}…” is not a number"
    assert row[-1] == huge


@pytest.mark.parametrize("content", [b"", b"\xef\xbb\xbf", b"\n\r\n\n", b" , ,\n"])
def test_an_empty_csv_file_says_so(customers: Any, tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "orders.csv"
    path.write_bytes(content)
    with pytest.raises(FileProblem, match="The file is empty"):
        import_file(None, "orders", path)


def test_a_quotation_mark_never_closed_in_the_header_refuses_the_file(
    customers: Any, tmp_path: Path
) -> None:
    path = tmp_path / "customers.csv"
    path.write_text('\n客户编号,"客户名称,城市\nK-1,Acme,上海\n', encoding="utf-8")
    with pytest.raises(FileProblem, match="in row 2 opens a cell"):
        import_file(None, "customers", path)


@pytest.mark.parametrize(
    ("currency", "header"),
    [
        ("HKD", "金额(HKD)"),
        ("HKD", "金额（港币）"),
        ("USD", "Amount (USD)"),
        ("USD", "金额（美元）"),
        ("USD", "Amount (US$)"),
    ],
)
def test_an_amount_column_in_the_companys_own_currency_imports(
    customers: Any, tmp_path: Path, settings: Any, currency: str, header: str
) -> None:
    """The company's currency is a setting (ATTAIN_CURRENCY, the first-run setup): a Hong
    Kong company's 金额(HKD) is its own money, not another currency to convert. It was
    refused whole; another currency still is."""
    settings.ATTAIN_CURRENCY = currency
    rows = [["订单号", "客户编号", "负责人", "下单日期", header]]
    rows.append(["F-1", "C1", "r1", "2025-03-10", "1000"])
    result = import_file(None, "orders", write_csv(tmp_path / "orders.csv", rows))
    assert result.imported == 1
    rows[0][4] = "金额（欧元）"
    with pytest.raises(FileProblem):
        import_file(None, "orders", write_csv(tmp_path / "orders.csv", rows))


def test_another_currency_is_refused_naming_the_companys(
    customers: Any, tmp_path: Path, settings: Any
) -> None:
    """A company in USD importing 金额（欧元） is told to convert to its own currency, not
    to yuan (which it does not use); in Chinese too."""
    settings.ATTAIN_CURRENCY = "USD"
    rows = [["订单号", "客户编号", "负责人", "下单日期", "金额（欧元）"]]
    rows.append(["F-1", "C1", "r1", "2025-03-10", "1000"])
    with pytest.raises(FileProblem) as problem:
        import_file(None, "orders", write_csv(tmp_path / "orders.csv", rows))
    assert "USD" in str(problem.value) and "yuan" not in str(problem.value)
    with translation.override("zh-hans"), pytest.raises(FileProblem) as problem:
        import_file(None, "orders", write_csv(tmp_path / "orders.csv", rows))
    assert "USD" in str(problem.value) and "人民币" not in str(problem.value)
    assert "未导入任何数据" in str(problem.value)


def test_a_managers_import_cannot_name_a_customer_they_may_not_see(
    customers: Any, company: Any, tmp_path: Path
) -> None:
    """As in the API, a customer outside the importer's view is unknown to them: an
    order naming it (by a guessed id) is rejected, so the customer and its records do
    not become theirs to read, and the reason does not tell whether the id exists."""
    from attain.crm.selectors import visible_customers

    customers["C2"].owner = company.people["r4"]  # the west's, not m1's team
    customers["C2"].save(update_fields=["owner"])
    rows = [
        ZH_HEADER,
        ["G-1", "C2", "r1", "2025-03-10", "100", "", ""],
        ["G-2", "C9", "r1", "2025-03-10", "100", "", ""],  # no such customer
    ]
    result = import_file(
        company.users["manager"],
        "orders",
        write_csv(tmp_path / "o.csv", rows),
        rejects_path=tmp_path / "r.csv",
    )
    assert (result.imported, result.rejected) == (0, 2)
    reasons = [line[1] for line in read_csv(tmp_path / "r.csv")[1:]]
    assert reasons == ["unknown customer “C2”", "unknown customer “C9”"]
    assert not visible_customers(company.users["manager"]).filter(external_id="C2").exists()
    # an administrator's import names any customer
    result = import_file(company.users["admin"], "orders", write_csv(tmp_path / "a.csv", rows[:2]))
    assert result.imported == 1


def test_an_order_of_one_customer_on_another_customers_opportunity_is_rejected(
    customers: Any, company: Any, tmp_path: Path
) -> None:
    """As for a payment's order and an activity's opportunity (and an order recorded in
    the app or the API): a row tying C2's order to C1's deal is rejected."""
    from attain.crm import services as crm

    deal = crm.create_opportunity(
        None, customer=customers["C1"], name="华信水泵", owner=company.people["r1"], amount=1
    )
    rows = [
        ["订单号", "客户", "负责人", "日期", "金额", "商机"],
        ["O-1", "C1", "r1", "2025-03-10", "10", deal.external_id],
        ["O-2", "C2", "r1", "2025-03-10", "10", deal.external_id],
    ]
    result = import_rows(tmp_path, "orders", "o.csv", rows)
    assert (result.imported, result.rejected) == (1, 1)
    assert Order.objects.get(external_id="O-1").opportunity == deal
    assert not Order.objects.filter(external_id="O-2").exists()
    assert "another customer" in read_csv(tmp_path / "r.csv")[1][1]


def test_a_ticket_on_another_customers_order_and_a_survey_on_another_customers_ticket(
    customers: Any, tmp_path: Path
) -> None:
    """As in the app and the API: a ticket of C2 on C1's order, and a survey of C2 on
    C1's ticket, are rejected; the same rows on C1 are imported."""
    from attain.crm.models import ServiceTicket, Survey

    import_file(None, "orders", write_csv(tmp_path / "o.csv", orders_rows()))  # O-1 is C1's
    tickets = [
        ["工单号", "客户", "订单号", "类型", "创建日期"],
        ["T-1", "C1", "O-1", "安装", "2025-04-01"],
        ["T-2", "C2", "O-1", "安装", "2025-04-01"],
    ]
    result = import_rows(tmp_path, "tickets", "t.csv", tickets)
    assert (result.imported, result.rejected) == (1, 1)
    assert "another customer" in read_csv(tmp_path / "r.csv")[1][1]
    surveys = [
        ["问卷编号", "客户", "被评价人", "工单号", "日期", "评分"],
        ["S-1", "C1", "r1", "T-1", "2025-04-02", "5"],
        ["S-2", "C2", "r1", "T-1", "2025-04-02", "5"],
    ]
    result = import_file(
        None, "surveys", write_csv(tmp_path / "s.csv", surveys), rejects_path=tmp_path / "q.csv"
    )
    assert (result.imported, result.rejected) == (1, 1), read_csv(tmp_path / "q.csv")
    assert "another customer" in read_csv(tmp_path / "q.csv")[1][1]
    assert set(ServiceTicket.objects.values_list("external_id", flat=True)) == {"T-1"}
    assert set(Survey.objects.values_list("external_id", flat=True)) == {"S-1"}


def test_the_rejects_file_guards_the_files_own_headers_against_formulas(
    customers: Any, tmp_path: Path
) -> None:
    """The rejects file gives back the file's header as well as its rows; a column named
    like a formula ran as one when an administrator opened a manager's rejects in Excel
    (the rows' cells were already guarded)."""
    rows = [
        ["订单号", "客户", "负责人", "日期", "金额", '=HYPERLINK("http://x.example","备注")'],
        ["O-1", "C1", "r1", "2025-03-10", "10", "=1+1"],
        ["O-2", "C9", "r1", "2025-03-10", "10", "=1+1"],  # no customer C9: rejected
    ]
    result = import_rows(tmp_path, "orders", "o.csv", rows)
    assert result.rejected == 1
    header, row = read_csv(tmp_path / "r.csv")[:2]
    assert header[-1] == "'" + rows[0][-1]
    assert row[-1] == "'=1+1"


@pytest.mark.parametrize("suffix", ["csv", "xlsx"])
def test_an_export_that_fails_keeps_the_file_it_would_replace(
    customers: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, suffix: str
) -> None:
    """An export is written next to its name and renamed when complete: one that fails
    half way (the database gone, Ctrl-C) leaves last week's export as it was and no
    half-written file; a folder given as the file is refused with exit code 2."""
    from attain.intake import exporter

    out = tmp_path / f"customers.{suffix}"
    out.write_bytes(b"last week's export")
    real_rows = exporter.export_rows

    def rows_then_failure(*args: Any, **kwargs: Any) -> Any:
        rows = real_rows(*args, **kwargs)
        yield next(rows)
        raise RuntimeError("the database went away")

    monkeypatch.setattr(exporter, "export_rows", rows_then_failure)
    with pytest.raises(RuntimeError):
        call_command("export", "customers", str(out), stdout=StringIO())
    assert out.read_bytes() == b"last week's export"
    assert sorted(p.name for p in tmp_path.iterdir()) == [out.name]

    monkeypatch.setattr(exporter, "export_rows", real_rows)
    with pytest.raises(CommandError, match="is a folder") as raised:
        call_command("export", "customers", str(tmp_path), stdout=StringIO())
    assert raised.value.returncode == 2


@pytest.mark.parametrize("where", ["folder", "under a file"])
def test_a_rejects_file_that_cannot_be_written_is_refused_before_the_import(
    customers: Any, tmp_path: Path, where: str
) -> None:
    """--rejects naming a folder, or a path under a file, is refused with exit code 2
    and nothing is imported (a traceback before, or one at the first bad row)."""
    path = write_csv(tmp_path / "o.csv", [*orders_rows(), ["O-4", "C1", "r1", "not a day", "1"]])
    rejects = tmp_path if where == "folder" else path / "rejects.csv"
    with pytest.raises(CommandError, match="rejects") as raised:
        call_command("import", "orders", str(path), "--rejects", str(rejects), stdout=StringIO())
    assert raised.value.returncode == 2
    assert not Order.objects.exists()
    assert not ImportBatch.objects.exists()


def test_ctrl_c_during_an_import_fails_its_batch_and_imports_nothing(
    customers: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ctrl-C was a KeyboardInterrupt traceback that left the batch "running" until a
    worker or a page noticed its process was gone."""
    from attain.intake import services

    def interrupted(*args: Any, **kwargs: Any) -> Any:
        raise KeyboardInterrupt

    monkeypatch.setattr(services, "import_file", interrupted)
    path = write_csv(tmp_path / "o.csv", orders_rows())
    with pytest.raises(CommandError, match="interrupted") as raised:
        call_command("import", "orders", str(path), stdout=StringIO(), stderr=StringIO())
    assert raised.value.returncode == 130
    batch = ImportBatch.objects.get()
    assert batch.status == BatchStatus.FAILED and "interrupted" in batch.error
    assert not Order.objects.exists()


def test_an_import_the_database_is_too_busy_for_fails_saying_so(
    customers: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another import (a worker's, a second `attain import`) merging held SQLite's write
    lock past the busy timeout: the command printed an OperationalError traceback and
    the batch's page said "OperationalError('database is locked')"."""
    from django.db import OperationalError

    from attain.intake import services

    def locked(*args: Any, **kwargs: Any) -> Any:
        raise OperationalError("database is locked")

    monkeypatch.setattr(services, "import_file", locked)
    path = write_csv(tmp_path / "o.csv", orders_rows())
    with pytest.raises(CommandError, match="busy") as raised:
        call_command("import", "orders", str(path), stdout=StringIO(), stderr=StringIO())
    assert raised.value.returncode == 1
    batch = ImportBatch.objects.get()
    assert batch.status == BatchStatus.FAILED
    assert "OperationalError" not in batch.error and "nothing" in batch.error
    assert not Order.objects.exists()


@pytest.mark.parametrize("end", ["\r\n\x1a", "\x1a", "\r\n\x1a\r\n"])
def test_the_end_of_file_mark_windows_copy_adds_is_not_a_row(
    customers: Any, tmp_path: Path, end: str
) -> None:
    """`copy a.csv+b.csv all.csv` (how many combine monthly exports on Windows) ends the
    file with Ctrl-Z (U+001A), DOS's end-of-file mark: it was a rejected last row
    ("external id contains a control character (U+001A); customer is missing; …"), or
    the last row's last cell ("88\x1a" is not a number)."""
    rows = [",".join(row[:6]) for row in orders_rows()]
    text = "\r\n".join(rows).replace("¥1,234.50", "1234.50").replace("￥12,000", "12000")
    path = tmp_path / "orders.csv"
    path.write_bytes((text + end).encode("gbk"))
    result = import_file(None, "orders", path, rejects_path=tmp_path / "rejects.csv")
    assert (result.imported, result.rejected) == (3, 0)
    assert Order.objects.get(external_id="O-3").amount == Decimal("88")


def test_a_control_character_in_the_middle_of_a_file_still_rejects_its_row(
    customers: Any, tmp_path: Path
) -> None:
    path = tmp_path / "orders.csv"
    text = ",".join(ZH_HEADER[:6]) + "\r\n\x1a\r\nO-1,C1,r1,2025-03-10,5,已确认\r\n"
    path.write_bytes(text.encode("gbk"))
    result = import_file(None, "orders", path, rejects_path=tmp_path / "rejects.csv")
    assert (result.imported, result.rejected) == (1, 1)


@pytest.mark.parametrize(
    ("encoding", "header"),
    [
        ("big5", "訂單編號,客戶編號,業務員,訂單日期,金額\n"),  # a Taiwan office's Excel
        ("shift_jis", "注文番号,顧客番号,担当者,注文日,金額\n"),  # a Japanese one's
    ],
)
def test_a_csv_in_another_encoding_is_refused_naming_the_encoding_it_was_read_in(
    customers: Any, tmp_path: Path, encoding: str, header: str
) -> None:
    """Big5 or Shift-JIS bytes read as GB18030 without an error, into other characters:
    the file was refused as having "no column “external_id” (外部编号 / …)" while the
    user sees 訂單編號 in it. The reason says how the file was read and what to do."""
    path = tmp_path / "orders.csv"
    path.write_bytes((header + "O-1,C1,r1,2025-03-10,100\n").encode(encoding))
    with pytest.raises(FileProblem) as raised:
        import_file(None, "orders", path)
    message = str(raised.value)
    assert "external_id" in message  # the missing columns are still named
    assert "GB18030" in message and "UTF-8" in message
    assert header.split(",")[0].encode(encoding).decode("gb18030") in message  # as read


def test_a_gbk_file_with_some_known_columns_gets_no_encoding_hint(
    customers: Any, tmp_path: Path
) -> None:
    path = tmp_path / "orders.csv"
    path.write_bytes("订单编号,客户编号,金额\nO-1,C1,100\n".encode("gbk"))
    with pytest.raises(FileProblem) as raised:
        import_file(None, "orders", path)
    assert "GB18030" not in str(raised.value)


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be"])
def test_utf16_csv_with_or_without_its_bom(customers: Any, tmp_path: Path, encoding: str) -> None:
    """UTF-16 without a BOM read as UTF-8 text full of NULs: "no column external_id"."""
    path = write_csv(tmp_path / "orders.csv", orders_rows(), encoding=encoding)
    result = import_file(None, "orders", path)
    assert (result.encoding, result.imported, result.rejected) == ("UTF-16", 3, 0)
    assert Order.objects.get(external_id="O-1").amount == Decimal("1234.50")


def test_an_old_excel_file_or_binary_data_named_csv_is_not_read_as_text(
    customers: Any, tmp_path: Path
) -> None:
    """An .xls saved as orders.csv is an old workbook whatever its name; other binary
    data (zero bytes, control characters) is neither UTF-16 nor any other text."""
    from attain.intake.reading import OLD_EXCEL, FileProblem

    xls = tmp_path / "orders.csv"
    xls.write_bytes(OLD_EXCEL + bytes(range(256)) * 8)
    with pytest.raises(FileProblem, match=r"Old \.xls files are not supported"):
        import_file(None, "orders", xls)
    junk = tmp_path / "junk.csv"
    junk.write_bytes(b"\x01\x00\x02\x00\x03\x00\x04\x00" * 64)
    with pytest.raises(FileProblem, match="neither UTF-8 nor GBK"):
        import_file(None, "orders", junk)


@pytest.mark.parametrize(
    ("raised", "expected"),
    [
        (KeyboardInterrupt, "导入被中断（Ctrl-C）。"),
        (RuntimeError, "导入因意外错误而停止：RuntimeError('disk on fire')"),
    ],
)
def test_an_import_stopped_by_an_interruption_or_a_bug_says_so_in_the_readers_language(
    customers: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, raised: Any, expected: str
) -> None:
    """The batch's page read "interrupted (Ctrl-C): nothing was imported" (English, and
    under its own "Nothing was imported.") or a bare "RuntimeError('…')"."""
    from django.utils import translation

    from attain.intake import services

    def stopped(*args: Any, **kwargs: Any) -> Any:
        raise raised("disk on fire")

    monkeypatch.setattr(services, "import_file", stopped)
    path = write_csv(tmp_path / "o.csv", orders_rows())
    with translation.override("zh-hans"), pytest.raises((raised, CommandError)):
        call_command("import", "orders", str(path), stdout=StringIO(), stderr=StringIO())
    assert ImportBatch.objects.get().error == expected
