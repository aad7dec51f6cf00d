"""CSV files as the Excel of another country saves them: a Japanese company's Excel
writes Shift-JIS (CP932), and some systems separate cells with a vertical bar."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from attain.crm.models import Customer
from attain.intake.importer import import_file
from attain.intake.reading import FileProblem

ROWS = [
    ("顧客コード", "顧客名", "city"),
    ("J-1", "東京商事株式会社", "東京"),
    ("J-2", "さくら精機（株）", "大阪"),
]


def _csv(tmp_path: Path, encoding: str, delimiter: str = ",") -> Path:
    path = tmp_path / "customers.csv"
    text = "".join(delimiter.join(row) + "\r\n" for row in ROWS)
    path.write_bytes(text.encode(encoding))
    return path


def test_a_japanese_companys_shift_jis_csv_is_read_as_shift_jis(
    company: Any, tmp_path: Path, settings: Any
) -> None:
    """Excel on a Japanese Windows saves CSV in CP932: read as GB18030 (the Chinese
    default) its headers became other characters and the file was refused."""
    settings.ATTAIN_CURRENCY = "JPY"
    result = import_file(None, "customers", _csv(tmp_path, "cp932"))
    assert (result.imported, result.rejected) == (2, 0)
    assert "Shift-JIS" in result.encoding
    stored = dict(Customer.objects.values_list("external_id", "name"))
    assert stored == {"J-1": "東京商事株式会社", "J-2": "さくら精機（株）"}
    assert set(Customer.objects.values_list("city", flat=True)) == {"東京", "大阪"}


def test_a_japanese_company_still_reads_gbk(company: Any, tmp_path: Path, settings: Any) -> None:
    """A file that is not Shift-JIS (a Chinese office's GBK) is read as before."""
    settings.ATTAIN_CURRENCY = "JPY"
    path = tmp_path / "customers.csv"
    path.write_bytes("客户编号,客户名称\r\nG-1,上海华信有限公司\r\n".encode("gbk"))
    result = import_file(None, "customers", path)
    assert result.imported == 1
    assert Customer.objects.get(external_id="G-1").name == "上海华信有限公司"


def test_a_chinese_company_still_reads_gbk_first(company: Any, tmp_path: Path) -> None:
    path = tmp_path / "customers.csv"
    path.write_bytes("客户编号,客户名称\r\nG-1,上海华信有限公司\r\n".encode("gbk"))
    assert import_file(None, "customers", path).encoding.startswith("GB18030")
    assert Customer.objects.get(external_id="G-1").name == "上海华信有限公司"


def test_a_csv_separated_by_vertical_bars(company: Any, tmp_path: Path, settings: Any) -> None:
    """ERP exports (SAP's among them) separate cells with |: the whole line was one
    header cell and the file was refused as having no external_id column."""
    settings.ATTAIN_CURRENCY = "JPY"
    result = import_file(None, "customers", _csv(tmp_path, "utf-8", "|"))
    assert (result.imported, result.rejected) == (2, 0)
    assert Customer.objects.get(external_id="J-1").city == "東京"


def test_a_comma_file_with_a_bar_in_its_header_stays_a_comma_file(
    company: Any, tmp_path: Path
) -> None:
    path = tmp_path / "customers.csv"
    path.write_text("external_id,name,city|region\r\nK-1,甲,上海|华东\r\n", encoding="utf-8")
    assert import_file(None, "customers", path).imported == 1
    assert Customer.objects.get(external_id="K-1").name == "甲"


def test_a_japanese_company_is_told_which_encodings_are_read(
    company: Any, tmp_path: Path, settings: Any
) -> None:
    settings.ATTAIN_CURRENCY = "JPY"
    path = tmp_path / "customers.csv"
    path.write_bytes(b"\x81\x00\xff\xfe" * 10)
    with pytest.raises(FileProblem) as raised:
        import_file(None, "customers", path)
    assert "Shift-JIS" in str(raised.value)


@pytest.mark.parametrize(
    ("encoding", "named"),
    [("cp932", "Shift-JIS"), ("cp950", "Big5")],
)
def test_names_in_another_encoding_under_english_headers_are_refused(
    company: Any, tmp_path: Path, encoding: str, named: str
) -> None:
    """A Shift-JIS or Big5 file with English headers, in a company paying in yuan: the
    headers read, and every name was imported as other characters (東京商事株式会社 as
    搶嫗彜帠姅幃夛幮), with nothing said."""
    names = {
        "cp932": ["東京商事株式会社", "さくら精機株式会社", "大阪府営業部"],
        "cp950": ["鴻海精密工業股份有限公司", "台灣積體電路製造", "新竹科學園區"],
    }[encoding]
    path = tmp_path / "customers.csv"
    lines = ["external_id,name"] + [f"X-{n},{name}" for n, name in enumerate(names)]
    path.write_bytes("\r\n".join(lines).encode(encoding))
    with pytest.raises(FileProblem) as raised:
        import_file(None, "customers", path)
    message = str(raised.value)
    assert named in message and "UTF-8" in message, message
    assert not Customer.objects.exists()


@pytest.mark.parametrize(
    "names",
    [
        # traditional characters, in GBK
        ["鴻海精密工業股份有限公司", "台灣積體電路製造", "陳大文", "國際貿易"],
        ["上海华信（集团）有限公司", "北京远景科技", "张伟：华东"],
        ["（一）", "①号楼", "×××", "℃"],  # punctuation and signs
    ],
)
def test_gbk_files_of_a_chinese_company_are_not_taken_for_another_encoding(
    company: Any, tmp_path: Path, names: list[str]
) -> None:
    path = tmp_path / "customers.csv"
    lines = ["external_id,name"] + [f"X-{n},{name}" for n, name in enumerate(names)]
    path.write_bytes("\r\n".join(lines).encode("gbk"))
    assert import_file(None, "customers", path).imported == len(names)
    assert sorted(Customer.objects.values_list("name", flat=True)) == sorted(names)
