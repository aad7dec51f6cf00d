"""The one phone normaliser reads a number the same in Python and on a Polars column."""

import polars as pl
import pytest

from attain.engine.phones import phone_digits, phone_key, phone_keys, shares_a_line, split_phones

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


# A phone field as Chinese CRMs and spreadsheets hold it: one number or several, with
# whatever separates them, and the numbers each field holds.
FIELDS = {
    "0769-8888 1234；186 1234 5678": ["0769-8888 1234", "186 1234 5678"],
    "010-1234567 / 13912345678": ["010-1234567", "13912345678"],
    "138 0013 8000,021-5555 6666": ["138 0013 8000", "021-5555 6666"],
    "０２１－５５５５ ６６６６，１３８ ００１３ ８０００": ["021-5555 6666", "138 0013 8000"],
    "13912345678;13812345678": ["13912345678", "13812345678"],
    "13912345678、010-62345678 转 123": ["13912345678", "010-62345678 转 123"],
    "+86 139 1234 5678 | 0755-8765 4321": ["+86 139 1234 5678", "0755-8765 4321"],
    "86-139-1234-5678／021 6234 5678": ["86-139-1234-5678", "021 6234 5678"],
    # two numbers with only spaces between them: each read whole
    "13912345678 13812345678": ["13912345678", "13812345678"],
    "0769-8888 1234 186 1234 5678": ["0769-8888 1234", "186 1234 5678"],
    "+86 139 1234 5678  +86 10 6234 5678": ["+86 139 1234 5678", "+86 10 6234 5678"],
    "010 6234 5678 ext. 12 13912345678": ["010 6234 5678 ext. 12", "13912345678"],
    # labels, brackets and full-width forms as Chinese input methods type them
    "手机：13912345678；座机：0769-88881234": ["手机:13912345678", "座机:0769-88881234"],
    "（0769）8888-1234 / １３９－１２３４－５６７８": ["(0769)8888-1234", "139-1234-5678"],
    "Tel: +86-21-6234-5678 ext.801, Mob: +86 139 1234 5678": [
        "Tel: +86-21-6234-5678 ext.801",
        "Mob: +86 139 1234 5678",
    ],
    "０７６９－８８８８１２３４\u3000１８６１２３４５６７８": ["0769-88881234", "18612345678"],
    "139 1234 5678 转 8 / 138-0013-8000#12": ["139 1234 5678 转 8", "138-0013-8000#12"],
    "0755 8765 4321\n13912345678；": ["0755 8765 4321", "13912345678"],
    "13912345678或13812345678": ["13912345678", "13812345678"],
    "座机 0769-88881234 及 手机 18612345678": ["座机 0769-88881234", "手机 18612345678"],
    # one number, however it is spaced
    "139 1234 5678": ["139 1234 5678"],
    "1391 234 5678": ["1391 234 5678"],
    "+86 10 6234 5678": ["+86 10 6234 5678"],
    "(0755) 8765 4321 分机 8": ["(0755) 8765 4321 分机 8"],
    "62345678": ["62345678"],
    "；": [],
    "": [],
}


@pytest.mark.parametrize(("field", "numbers"), FIELDS.items())
def test_split_phones(field, numbers):
    assert split_phones(field) == numbers


@pytest.mark.parametrize(
    ("field", "keys"),
    [
        ("0769-8888 1234；186 1234 5678", ["88881234", "18612345678"]),
        ("010-1234567 / 13912345678", ["1234567", "13912345678"]),
        ("138 0013 8000,021-5555 6666", ["13800138000", "55556666"]),
        ("＋８６ １３９ １２３４ ５６７８ 转 ８", ["13912345678"]),
        ("86-139-1234-5678／+86 139 1234 5678", ["13912345678"]),  # one number twice
        ("13912345678 ext 12；0086 21 6234 5678", ["13912345678", "62345678"]),
        # placeholders and fragments identify nobody
        ("0000000；13912345678", ["13912345678"]),
        ("无 / 123", []),
        ("", []),
    ],
)
def test_phone_keys(field, keys):
    assert phone_keys(field) == keys


@pytest.mark.parametrize(
    ("a", "b", "shared"),
    [
        ("0769-8888 1234；186 1234 5678", "18612345678", True),
        ("0769-8888 1234；186 1234 5678", "0769 88881234", True),
        ("010-1234567 / 13912345678", "+86 139 1234 5678", True),
        ("138 0013 8000,021-5555 6666", "(021) 5555-6666 转 3", True),
        ("138 0013 8000,021-5555 6666", "010-5555 6666", False),  # another city
        ("138 0013 8000,021-5555 6666", "13800138001；010-5555 6666", False),
        ("0000000", "0000000", False),
        ("", "", False),
    ],
)
def test_shares_a_line(a, b, shared):
    assert shares_a_line(a, b) is shared
    assert shares_a_line(b, a) is shared


def test_the_integrity_scans_read_a_field_as_the_duplicate_check_does():
    """The integrity scans' contact keys are the keys of each number a field holds, the
    same as :func:`phone_keys` gives the CRM's duplicate check."""
    from attain.engine.integrity.common import contact_keys

    fields = [field for field in FIELDS] + ["0000000；13912345678", "无 / 123"]
    frame = pl.DataFrame({"who": [str(n) for n in range(len(fields))], "phone": fields})
    keys = contact_keys(frame, "who", "phone", "phone")
    found: dict[str, list[str]] = {}
    for who, key in keys.iter_rows():
        found.setdefault(who, []).append(key)
    expected = {str(n): phone_keys(field) for n, field in enumerate(fields) if phone_keys(field)}
    assert {who: sorted(set(k)) for who, k in found.items()} == {
        who: sorted(k) for who, k in expected.items()
    }
