"""The one phone normaliser reads a number the same in Python and on a Polars column."""

import polars as pl
import pytest

from attain.engine.phones import phone_digits, phone_key

SAMPLES = {
    "010-62345678": "62345678",
    "(010) 6234 5678": "62345678",
    "+86 10 62345678": "62345678",
    "0086 755 8765 4321": "87654321",
    "62345678": "62345678",
    "+86 139-1234-5678": "13912345678",
    "００８６１３８００１３８０００": "13800138000",
    "13800138000": "13800138000",
    "ext. 12": "12",
    # an extension after the number is not part of the line's key
    "138 0013 8000 转 123": "13800138000",
    "010 6234 5678 ext. 12": "62345678",
    "010-62345678 分机8": "62345678",
    "13800138000#123": "13800138000",
    "62345678 X12": "62345678",
    "": "",
}


@pytest.mark.parametrize(("text", "key"), SAMPLES.items())
def test_phone_key(text, key):
    assert phone_key(text) == key


def test_the_column_reads_as_the_function():
    frame = pl.DataFrame({"phone": list(SAMPLES)})
    column = frame.select(phone_digits(pl.col("phone").str.normalize("NFKC"))).to_series()
    assert column.to_list() == list(SAMPLES.values())
