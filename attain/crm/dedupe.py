"""Normalised keys for finding the same customer entered twice.

Two customers are duplicate candidates when any key matches: the unified social credit
code (统一社会信用代码), the normalised name, the phone number or the email address.
"""

from __future__ import annotations

import re
import unicodedata

from attain.engine import phone_key as engine_phone_key
from attain.engine import phone_keys, shares_a_line

# Legal-form and filler words that do not tell two companies apart.
_NAME_SUFFIXES = (
    "股份有限公司",
    "有限责任公司",
    "有限公司",
    "集团公司",
    "集团",
    "分公司",
    "公司",
    # Latin legal forms count only as whole words.
    " co",
    " company",
    " limited",
    " ltd",
    " inc",
    " corp",
    " corporation",
    " gmbh",
    " llc",
)
_PUNCTUATION = re.compile(r"[\s\W_]+", re.UNICODE)
_USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def name_key(name: str) -> str:
    """Full-width to half-width, case-folded, legal suffixes, brackets and punctuation
    removed: “上海 华信（集团）有限公司” and “上海华信集团” give the same key."""
    text = unicodedata.normalize("NFKC", name).casefold().strip()
    text = re.sub(r"[(\[（【].*?[)\]）】]", "", text)  # (集团), (上海) and the like
    # Dots and commas separate words: "co.,ltd" and "co., ltd." both end in " ltd".
    text = re.sub(r"[.,、]+", " ", text)
    changed = True
    while changed:
        changed = False
        stripped = text.rstrip(" ")
        for suffix in _NAME_SUFFIXES:
            if stripped.endswith(suffix) and len(stripped) > len(suffix):
                text = stripped[: -len(suffix)]
                changed = True
                break
    return _PUNCTUATION.sub("", text)


def phone_key(phone: str) -> str:
    """The keys of the numbers a phone field holds, space-separated, read as the
    integrity scans read them (one normaliser, in the engine): ``010-62345678`` is
    ``62345678``, ``+86 138 0013 8000`` is ``13800138000`` and ``0769-8888 1234；186 1234
    5678`` is ``88881234 18612345678``. Placeholders (``0000000``) and fragments of fewer
    than 7 digits give no key."""
    return " ".join(phone_keys(phone))


def phone_search_key(text: str) -> str:
    """The digits of a phone number typed in a search, read as one number (a few digits
    of it find the customers whose :func:`phone_key` holds them)."""
    return engine_phone_key(text)


def same_phone(a: str, b: str) -> bool:
    """Whether two customers' phone fields hold one line in common: the same key, unless
    both numbers are written with different area codes (010-62345678 and 021-62345678
    share a key, 62345678, and are two lines)."""
    return shares_a_line(a, b)


def email_key(email: str) -> str:
    return unicodedata.normalize("NFKC", email).strip().lower()


def normalise_credit_code(code: str) -> str:
    return re.sub(r"\s", "", unicodedata.normalize("NFKC", code)).upper()


def credit_code_is_valid(code: str) -> bool:
    """Check an 18-character unified social credit code, including its check digit
    (GB 32100-2015)."""
    if len(code) != 18 or any(c not in _USCC_ALPHABET for c in code):
        return False
    total = sum(_USCC_ALPHABET.index(c) * w for c, w in zip(code[:17], _USCC_WEIGHTS, strict=True))
    check = (31 - total % 31) % 31
    return _USCC_ALPHABET[check] == code[17]


def with_check_digit(first17: str) -> str:
    """Complete 17 characters into a valid code (used by the demo data and tests)."""
    total = sum(_USCC_ALPHABET.index(c) * w for c, w in zip(first17, _USCC_WEIGHTS, strict=True))
    return first17 + _USCC_ALPHABET[(31 - total % 31) % 31]
