"""Cell parsers for imported files: the formats people really have.

Each parser takes one cell (a string from a CSV file, or a string, number, date or
``None`` from an Excel cell) and returns the value, or raises :class:`CellError` with
the reason in the user's language. Money is ``Decimal`` and never passes through a
binary float, except for numbers that Excel itself stored as floats: those are read
through their shortest decimal representation (what Excel displays) — see
:func:`parse_decimal`.
"""

from __future__ import annotations

import datetime
import functools
import json
import re
import unicodedata
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from decimal import Decimal, InvalidOperation
from typing import Any, cast

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from attain.crm.services import validate_shares
from attain.engine import CURRENCIES

# the formula guards (OWASP "CSV injection") live with the web helpers: every app's
# exports use them; the exports and the import here re-export them
from attain.web.formulas import cell_text as cell_text
from attain.web.formulas import guard_formula as guard_formula
from attain.web.formulas import unguard_formula as unguard_formula

ZERO = Decimal(0)
ONE = Decimal(1)


# A reason quotes the cell it is about; a huge cell (a pasted document) is quoted by its
# start, so that the reason stays readable (the row in the rejects file keeps it all).
_LONG_QUOTE = re.compile(r"“([^”]{60})[^”]{2,}”")


def shorten_quotes(reason: str) -> str:
    """``reason`` with every quoted value over 61 characters cut to its first 60 and …"""
    return _LONG_QUOTE.sub("“\\1…”", reason) if len(reason) > 80 else reason


class CellError(ValueError):
    """A cell that cannot be read; the message is the reason shown to the user."""


def normalise_header(header: Any) -> str:
    """``" External ID "``, ``"external_id"``, ``"金额（元）"``/``"金额"`` and
    ``"订单编号【必填】"``/``"订单编号"`` compare equal."""
    text = unicodedata.normalize("NFKC", cell_text(header)).casefold().strip()
    # a unit or a note in brackets: 金额(元), amount (cny), 订单编号【必填】, 客户编号[必填]
    text = re.sub(r"(?:\([^)]*\)|\[[^\]]*\]|【[^】]*】)$", "", text)
    return re.sub(r"[\s_\-*:.]+", "", text)


# Numbers --------------------------------------------------------------------------

_SPACES = re.compile(r"[\s\u00a0\u3000]+")
_CURRENCY_SIGNS = frozenset("¥￥$€£₩₫")  # "" (an empty text) is not in it
# What is left of an amount without its digits when it was written in some currency:
# a sign (¥, $, HK$, 円) or a code (USD), before or after the number.
_SOME_CURRENCY = re.compile(r"^(?:[a-z]{0,3}[$¥€£₩₫]|円|元|ドル|美元|日元|港元|欧元)$")
# Words for some currencies beside their ISO code and the signs CLDR gives them.
_CURRENCY_WORDS = {
    "CNY": ("¥", "rmb", "元", "人民币"),
    "JPY": ("円", "日元"),
    "USD": ("美元",),
    "HKD": ("港元", "港币"),
    "KRW": ("원",),
}


@functools.cache
def currency_signs(currency: str) -> frozenset[str]:
    """The signs and words an amount in ``currency`` may carry before or after its
    number, NFKC and casefolded: its ISO code, CLDR's signs in English, Chinese and
    Japanese (``$``/``US$``, ``¥``/``JP¥``, ``HK$``), ``$`` for a dollar and some
    words (``円``, ``元``, ``RMB``). ``¥`` is the yuan's and the yen's, ``$`` any
    dollar's."""
    from babel.numbers import get_currency_symbol

    code = currency.upper()
    signs = {code, *_CURRENCY_WORDS.get(code, ())}
    signs |= {str(get_currency_symbol(code, locale)) for locale in ("en", "zh_Hans", "ja")}
    if any(sign.endswith("$") for sign in signs):
        signs.add("$")
    if code != "CNY":
        signs -= {"元"}  # CLDR's Japanese sign for the yuan, not for another currency
    return frozenset(unicodedata.normalize("NFKC", sign).casefold() for sign in signs)


def plain_amounts(currency: str, places: int, limit: Decimal) -> Callable[[str], Decimal | None]:
    """``read(text)``: :func:`parse_decimal` of the texts most amounts are written as
    (``1234.50``, ``1,234.50``, ``¥1,234.50`` with a sign of ``currency``, at most
    ``places`` decimals, below ``limit``), read with one regular expression; None for
    any other text, which :func:`parse_decimal` reads (or refuses, with its reason):
    full-width digits, spaces, a sign after the number, a negative amount."""
    signs = "".join(
        sign
        for sign in sorted(_CURRENCY_SIGNS | {"＄"})
        if unicodedata.normalize("NFKC", sign).casefold() in currency_signs(currency)
    )
    sign = f"[{re.escape(signs)}]?" if signs else ""
    pattern = re.compile(rf"(?a){sign}(\d{{1,3}}(?:,\d{{3}})+|\d+)(\.\d{{0,{places}}})?")
    fullmatch = pattern.fullmatch

    def read(text: str) -> Decimal | None:
        match = fullmatch(text)
        if match is None:
            return None
        whole, fraction = match.groups()
        number = Decimal(whole.replace(",", "") + fraction if fraction else whole.replace(",", ""))
        return number if number < limit else None

    return read


def parse_decimal(
    value: Any,
    *,
    places: int,
    what: str,
    limit: Decimal | None = None,
    currency: str = "CNY",
) -> Decimal:
    """A decimal with at most ``places`` decimal places.

    Accepts ``1234.5``, ``1,234.50``, the sign or code of ``currency`` before or after
    it (``¥1,234.50``, ``￥1,234.50``, ``1234.50元`` for CNY; ``$1,234.50``,
    ``1,234.50 USD`` for USD; ``1,250,000円`` for JPY: :func:`currency_signs`; another
    currency's is refused), full-width digits, ``-1,234.50`` and ``(1,234.50)``
    (accounting negative). Excel
    numbers: integers exactly; floats through their shortest representation, rounded
    half-up to ``places`` (a float cannot hold cents exactly, and Excel shows it
    rounded)."""
    if value.__class__ is str and "," not in value and value[:1] not in _CURRENCY_SIGNS:
        # the fast path: a plain number such as 1234.50 (Decimal() refuses a comma or a
        # currency sign, and refusing costs: those go straight to the text path)
        try:
            number = Decimal(value)
        except InvalidOperation:
            pass
        else:
            dot = value.find(".")
            if (
                number.is_finite()
                and "e" not in value
                and "E" not in value
                and "_" not in value  # Decimal("1_000") is 1000: Python's, not a sheet's
                and (dot < 0 or len(value.rstrip()) - dot - 1 <= places)
                and (limit is None or -limit < number < limit)
            ):
                return number
    if isinstance(value, Decimal):
        number = value
    elif isinstance(value, bool):
        shown = cell_text(value)
        raise CellError(_("%(what)s “%(value)s” is not a number") % {"what": what, "value": shown})
    elif isinstance(value, int):
        number = Decimal(value)
    elif isinstance(value, float):
        number = Decimal(repr(value)).quantize(Decimal(1).scaleb(-places), "ROUND_HALF_UP")
    else:
        text = value.strip() if isinstance(value, str) else cell_text(value)
        if "," in text or "_" in text or text[:1] in _CURRENCY_SIGNS:
            number = _parse_decimal_text(text, what, currency)
        else:
            try:
                number = Decimal(text)
            except InvalidOperation:
                number = _parse_decimal_text(text, what, currency)
    if not number.is_finite():
        raise CellError(_("%(what)s “%(value)s” is not a number") % {"what": what, "value": value})
    exponent = number.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -places:
        if number != number.quantize(Decimal(1).scaleb(-places)) and places == 0:
            raise CellError(
                _("%(what)s “%(value)s” is not a whole number")
                % {"what": what, "value": cell_text(value)}
            )
        if number != number.quantize(Decimal(1).scaleb(-places)):
            raise CellError(
                _("%(what)s “%(value)s” has more than %(places)s decimal places")
                % {"what": what, "value": cell_text(value), "places": places}
            )
        number = number.quantize(Decimal(1).scaleb(-places))
    if limit is not None and abs(number) >= limit:
        raise CellError(
            _("%(what)s “%(value)s” is too large") % {"what": what, "value": cell_text(value)}
        )
    return number


def _without_sign(text: str, currency: str) -> str:
    """``text`` without the sign or code of ``currency`` before or after it."""
    folded = text.casefold()
    for sign in sorted(currency_signs(currency), key=len, reverse=True):
        if folded.startswith(sign):
            return text[len(sign) :]
        if folded.endswith(sign):
            return text[: -len(sign)]
    return text


# 1.234,56, 1 234,56 (its spaces gone) or 12,34: a decimal comma, as a European Excel
# writes amounts
_DECIMAL_COMMA = re.compile(r"\d+(?:\.\d{3})*,\d+")


def _parse_decimal_text(text: str, what: str, currency: str) -> Decimal:
    original = text
    text = _SPACES.sub("", unicodedata.normalize("NFKC", text))
    signs = 0  # one way of saying negative: (5), -5, ¥-5, ¥(5); (-5) is no number
    if text.startswith("(") and text.endswith(")"):
        signs, text = signs + 1, text[1:-1]
    if text.startswith("-"):
        signs, text = signs + 1, text[1:]
    elif text.endswith("-"):  # 1,234.50-: how SAP and other ERPs write a negative
        signs, text = signs + 1, text[:-1]
    text = _without_sign(text, currency)
    if text.startswith("-"):  # ¥-12.00
        signs, text = signs + 1, text[1:]
    elif text.startswith("(") and text.endswith(")"):
        # ¥(1,234.50): Excel's accounting format, as a CSV saved by Excel writes it
        signs, text = signs + 1, text[1:-1]
    negative = signs == 1
    if re.fullmatch(r"\d{1,3}(,\d{3})+(\.\d*)?", text):
        text = text.replace(",", "")
    if signs > 1 or not re.fullmatch(r"\d+(\.\d*)?|\.\d+", text):
        sign = re.sub(r"[\d.,()\-]", "", text).casefold()
        some = _SOME_CURRENCY.match(sign) or sign.upper() in CURRENCIES
        if sign and some and _without_sign(text, currency) == text:
            raise CellError(
                _(
                    "%(what)s “%(value)s” is in another currency: amounts are in "
                    "%(currency)s, the company's currency"
                )
                % {"what": what, "value": original, "currency": currency}
            )
        if _DECIMAL_COMMA.fullmatch(text):
            raise CellError(
                _(
                    "%(what)s “%(value)s” is not a number: write it with a decimal point "
                    "and, if you like, commas between thousands (1,234.56)"
                )
                % {"what": what, "value": original}
            )
        raise CellError(
            _("%(what)s “%(value)s” is not a number") % {"what": what, "value": original}
        )
    number = Decimal(text)
    return -number if negative else number


# Dates ----------------------------------------------------------------------------

_TIME = (
    r"(?:[ T]+(?:(?P<half0>上午|下午|[AP]M)\s*)?(?P<hour>\d{1,2}):(?P<minute>\d{2})"
    r"(?::(?P<second>\d{2})(?:\.(?P<fraction>\d+))?)?(?:\s*(?P<half1>[AP]M|上午|下午))?)?$"
)
_DATE = re.compile(
    r"^(?P<year>\d{4})\s*[-/.年]\s*(?P<month>\d{1,2})\s*[-/.月]\s*(?P<day>\d{1,2})\s*日?" + _TIME,
    re.IGNORECASE,
)
# 20250310, as ERP exports write dates (and Excel keeps them, as numbers)
_COMPACT_DATE = re.compile(r"^(?P<year>\d{4})(?P<month>\d{2})(?P<day>\d{2})" + _TIME, re.IGNORECASE)
# The month by its English name, which no one reads the wrong way round: 1-Mar-2024 (and
# 01-MAR-24, Excel's d-mmm-yy in a CSV and Oracle ERP's DD-MON-YY), 1 March 2024,
# Mar 1, 2024.
_NAMED_MONTH_DATES = (
    re.compile(
        r"^(?P<day>\d{1,2})[-\s/]+(?P<name>[a-z]{3,9})\.?[-\s/,]+(?P<year>\d{4}|\d{2})" + _TIME,
        re.IGNORECASE,
    ),
    re.compile(
        r"^(?P<name>[a-z]{3,9})\.?\s+(?P<day>\d{1,2})(?:st|nd|rd|th)?,?\s+(?P<year>\d{4})" + _TIME,
        re.IGNORECASE,
    ),
)
_MONTHS = (
    *("january", "february", "march", "april", "may", "june", "july"),
    *("august", "september", "october", "november", "december"),
)


def _month_named(name: str) -> int:
    """1–12 for a month's English name or its abbreviation (Mar, Sept), else 0."""
    name = name.casefold()
    for number, month in enumerate(_MONTHS, 1):
        if month.startswith(name) and len(name) >= 3:
            return number
    return 0


# The order of day and month in dates written before their year (04/15/2026 as a US
# Excel writes it, 15.04.2026 as a German one): an import's choice, since 04/05/2026 reads
# either way round. "ymd" (the default) reads none of them and says what to write.
DATE_ORDERS = {
    "ymd": gettext_lazy("Year first (2026-04-15)"),
    "mdy": gettext_lazy("Month first (04/15/2026)"),
    "dmy": gettext_lazy("Day first (15/04/2026)"),
}
_date_order: ContextVar[str] = ContextVar("date_order", default="ymd")


@contextmanager
def reading_dates(order: str) -> Iterator[None]:
    """Dates written day and month before the year are read in ``order`` ("mdy" or
    "dmy"; "ymd" reads none of them) by the parsers called inside."""
    if order not in DATE_ORDERS:
        raise ValueError(order)
    token = _date_order.set(order)
    try:
        yield
    finally:
        _date_order.reset(token)


def _in_date_order(
    normal: str, text: str, what: str
) -> tuple[datetime.date, datetime.time | None] | None:
    """A date written day and month before the year read in the import's date order,
    or None when the order is year first or ``normal`` is not such a date."""
    order = _date_order.get()
    parts = _day_month_year(normal) if order != "ymd" else None
    if parts is None:
        return None
    year, first, second, rest = parts
    month, day = (first, second) if order == "mdy" else (second, first)
    try:
        day_value = datetime.date(year, month, day)
    except ValueError:
        raise CellError(
            _("bad %(what)s “%(value)s”: not a date read as %(order)s")
            % {"what": what, "value": text, "order": DATE_ORDERS[order]}
        ) from None
    if not rest:
        return day_value, None
    with reading_dates("ymd"):
        return _date_parts(f"{day_value.isoformat()} {rest}", what)


def _date_parts(value: Any, what: str) -> tuple[datetime.date, datetime.time | None]:
    if isinstance(value, datetime.datetime):
        return value.date(), value.time()
    if isinstance(value, datetime.date):
        return value, None
    text = value.strip() if isinstance(value, str) else cell_text(value)
    normal = unicodedata.normalize("NFKC", text)
    match = _DATE.match(normal) or _COMPACT_DATE.match(normal)
    try:
        if match is not None:
            month = int(match["month"])
        else:
            match = next(filter(None, (p.match(normal) for p in _NAMED_MONTH_DATES)), None)
            if match is None:
                raise ValueError(text)
            month = _month_named(match["name"])
        day_value = datetime.date(_full_year(match["year"]), month, int(match["day"]))
        if match["hour"] is None:
            return day_value, None
        hour = int(match["hour"])
        half = match["half0"] or match["half1"]
        if match["half0"] and match["half1"]:
            raise ValueError(text)
        if half is not None:  # 12-hour time: 12:30 AM is 00:30, 12:30 PM is 12:30
            if not 1 <= hour <= 12:
                raise ValueError(text)
            hour = hour % 12 + (12 if half.upper() in {"PM", "下午"} else 0)
        # a fraction of a second is kept to the microsecond (what an export writes)
        micro = int((match["fraction"] or "0")[:6].ljust(6, "0"))
        second = int(match["second"] or 0)
        return day_value, datetime.time(hour, int(match["minute"]), second, micro)
    except ValueError:
        read = _in_date_order(normal, text, what)
        if read is not None:
            return read
        hint = _day_month_hint(normal, text, what) or _day_number_hint(normal, text, what)
        if hint is not None:
            raise CellError(hint) from None
        raise CellError(_("bad %(what)s “%(value)s”") % {"what": what, "value": text}) from None


_DAY_NUMBER = re.compile(r"\d{1,7}(?:\.\d+)?")
_EXCEL_EPOCH = datetime.date(1899, 12, 30)  # Excel's day 0 for days after 1900-02-28


def _day_number_hint(normal: str, text: str, what: str) -> str | None:
    """The reason for a number where a date belongs: Excel's day number (45726 is
    2025-03-10), what a date column holds when it is not formatted as dates. Not read
    as a date (a number may be anything), but the reason says which day it would be:
    from 10000 (1927-05-18; a smaller number is more likely a year or a typo) to
    2958465 (9999-12-31)."""
    if not _DAY_NUMBER.fullmatch(normal) or not 10000 <= float(normal) < 2958466:
        return None
    day = _EXCEL_EPOCH + datetime.timedelta(days=int(float(normal)))
    return _(
        "bad %(what)s “%(value)s”: a number, not a date; if it is Excel's day number for "
        "%(date)s, format the column as dates in Excel (or write %(date)s)"
    ) % {"what": what, "value": text, "date": day.isoformat()}


# Day and month before the year (04/15/2026 as a US Excel writes it, 15.04.2026 as a
# German one): not read, since 04/05/2026 reads either way round, but the reason says
# which way round the value can be read and what to write.
_DAY_MONTH_YEAR = re.compile(
    r"^(?P<first>\d{1,2})\s*(?P<sep>[-/.])\s*(?P<second>\d{1,2})\s*(?P=sep)\s*"
    r"(?P<year>\d{4}|\d{2})(?P<rest>.*)$"
)
_TIME_ONLY = re.compile(_TIME, re.IGNORECASE)


def _full_year(digits: str) -> int:
    """A year as written: a two-digit one as Excel reads it, 1930–2029."""
    year = int(digits)
    if len(digits) == 2:
        year += 2000 if year < 30 else 1900
    return year


def _day_month_year(normal: str) -> tuple[int, int, int, str] | None:
    """A date written day and month before the year (either way round), as (year, the
    first number, the second, the time after it), or None when ``normal`` is not one."""
    match = _DAY_MONTH_YEAR.match(normal)
    if match is None or _TIME_ONLY.match(match["rest"]) is None:
        return None
    first, second = int(match["first"]), int(match["second"])
    return _full_year(match["year"]), first, second, match["rest"].strip()


def _day_month_hint(normal: str, text: str, what: str) -> str | None:
    """The reason for a date written day and month first, or ``None`` when ``normal``
    is not one or reads as no date either way round."""
    parts = _day_month_year(normal)
    if parts is None:
        return None
    year, first, second, rest = parts

    def written(month: int, day: int) -> str | None:
        try:
            day_value = datetime.date(year, month, day)
        except ValueError:
            return None
        return f"{day_value.isoformat()} {rest}".strip()

    month_first, day_first = written(first, second), written(second, first)
    if month_first is None and day_first is None:
        return None
    formats = _(
        "Day and month before the year are read only in the date order chosen for the "
        "import (03/10/2025 reads either way round); otherwise dates are read as "
        "2025-03-10, 2025/3/10, 2025年3月10日, 20250310, 10-Mar-2025 or Mar 10, 2025."
    )
    known = {"what": what, "value": text, "formats": formats}
    if month_first == day_first:
        return _("bad %(what)s “%(value)s”: write %(date)s. %(formats)s") % {
            **known,
            "date": month_first,
        }
    if day_first is None:
        return _(
            "bad %(what)s “%(value)s”: it can only be month/day/year: write %(date)s. %(formats)s"
        ) % {**known, "date": month_first}
    if month_first is None:
        return _(
            "bad %(what)s “%(value)s”: it can only be day/month/year: write %(date)s. %(formats)s"
        ) % {**known, "date": day_first}
    return _(
        "bad %(what)s “%(value)s”: day and month read either way round: write "
        "%(month_first)s (month/day) or %(day_first)s (day/month). %(formats)s"
    ) % {**known, "month_first": month_first, "day_first": day_first}


def parse_date(value: Any, *, what: str) -> datetime.date:
    """``2025-03-10``, ``2025/3/10``, ``2025.3.10``, ``2025年3月10日``, ``20250310``,
    ``10-Mar-2025``, ``Mar 10, 2025``, an Excel date cell;
    a time of day after the date is allowed and dropped."""
    if type(value) is str and len(value) == 10:
        try:
            return datetime.date.fromisoformat(value)
        except ValueError:
            pass
    return _date_parts(value, what)[0]


def parse_datetime(value: Any, *, what: str, tz: datetime.tzinfo) -> datetime.datetime:
    """A date with an optional time of day (``2025-03-10 14:30``), in ``tz``."""
    day, time = _date_parts(value, what)
    return datetime.datetime.combine(day, time or datetime.time(0), tzinfo=tz)


# Credit splits --------------------------------------------------------------------

_CREDIT_SEPARATORS = re.compile(r"[;,|\n]+")


def parse_credit(value: Any) -> list[tuple[str, Decimal]]:
    """``E0001:0.5;E0002:0.5`` (also ``,`` or ``|`` between parts, ``=`` instead of
    ``:``, shares as ``50%``) or JSON ``{"E0001": 0.5, "E0002": 0.5}``: (employee id,
    share) pairs. Checks the shares are above 0 and sum to 1; the employee ids are
    resolved by the caller."""
    text = unicodedata.normalize("NFKC", cell_text(value)).strip()
    if not text:
        return []
    pairs: list[tuple[str, str]] = []
    if text.startswith("{"):
        try:
            data = json.loads(text, parse_float=str, parse_int=str)
        except ValueError:
            raise CellError(_("credit “%(value)s” is not valid JSON") % {"value": text}) from None
        if not isinstance(data, dict):
            raise CellError(_("credit “%(value)s” is not valid JSON") % {"value": text})
        pairs = [(str(code).strip(), str(share).strip()) for code, share in data.items()]
    else:
        for part in _CREDIT_SEPARATORS.split(text):
            if not part.strip():
                continue
            code, sep, share = part.replace("=", ":").partition(":")
            if not sep:
                raise CellError(
                    _("credit part “%(part)s” is not “employee id:share”") % {"part": part.strip()}
                )
            pairs.append((code.strip(), share.strip()))
    shares: list[tuple[str, Decimal]] = []
    seen: set[str] = set()
    for code, share_text in pairs:
        if code in seen:
            raise CellError(_("“%(code)s” appears twice in the credit") % {"code": code})
        seen.add(code)
        try:
            if share_text.endswith("%"):
                share = Decimal(share_text[:-1].strip()) / 100
            else:
                share = Decimal(share_text)
        except InvalidOperation:
            raise CellError(
                _("credit share “%(share)s” of “%(code)s” is not a number")
                % {"share": share_text, "code": code}
            ) from None
        if not share.is_finite():
            raise CellError(
                _("credit share “%(share)s” of “%(code)s” is not a number")
                % {"share": share_text, "code": code}
            )
        shares.append((code, share))
    try:  # the same rule, and the same message, as the CRM services
        validate_shares(cast(Mapping[Any, Decimal], dict(shares)))
    except ValidationError as error:
        raise CellError(" ".join(error.messages)) from None
    return shares


_FINGERPRINT = re.compile(r"[0-9a-f]{16}")
_FINGERPRINT_SEPARATORS = re.compile(r"[;,|\s]+")
MAX_FINGERPRINTS = 20


def parse_fingerprints(value: Any, *, what: str) -> list[str]:
    """``8f3c0a1b2c3d4e5f;0123456789abcdef`` (also ``,``, ``|`` or spaces between them):
    evidence photos' perceptual hashes, 16 hexadecimal digits each, in lower case, each
    once, in the order given."""
    text = unicodedata.normalize("NFKC", cell_text(value)).strip().lower()
    found: list[str] = []
    for part in _FINGERPRINT_SEPARATORS.split(text):
        if not part:
            continue
        if not _FINGERPRINT.fullmatch(part):
            raise CellError(
                _("%(what)s “%(value)s” is not 16 hexadecimal digits")
                % {"what": what, "value": part}
            )
        if part not in found:
            found.append(part)
    if len(found) > MAX_FINGERPRINTS:
        raise CellError(
            _("more than %(count)d values of %(what)s in one cell")
            % {"count": MAX_FINGERPRINTS, "what": what}
        )
    return found


def format_share(share: Decimal) -> str:
    """``0.50000000`` → ``0.5`` (for exports)."""
    text = format(share.normalize(), "f")
    return text


def format_credit(shares: list[tuple[str, Decimal]]) -> str:
    return ";".join(f"{code}:{format_share(share)}" for code, share in shares)


# Booleans -------------------------------------------------------------------------

_TRUE = {"1", "true", "yes", "y", "是", "启用", "有效", "√", "t"}
_FALSE = {"0", "false", "no", "n", "否", "停用", "无效", "×", "f"}


def parse_bool(value: Any, *, what: str) -> bool:
    if isinstance(value, bool):
        return value
    text = unicodedata.normalize("NFKC", cell_text(value)).casefold()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise CellError(_("%(what)s “%(value)s” is not yes or no") % {"what": what, "value": text})
