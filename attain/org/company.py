"""The company's settings as every reader sees them: the row the first-run setup stored
(:class:`~attain.org.models.CompanySettings`), or the deployment's settings while there
is none (``ATTAIN_COMPANY_NAME``, ``ATTAIN_FISCAL_YEAR_START``, ``ATTAIN_CURRENCY``,
``TIME_ZONE``, ``LANGUAGES``, ``LANGUAGE_CODE``; four eyes on plan approval, on).

Both questions are asked on every request, so both are cached in the process:

- :func:`is_set_up` — once true it stays true (a company is never "un-set-up"); while
  false it asks the database each time (two ``EXISTS`` queries, only on an empty
  install).
- :func:`company` — the stored row for :data:`TTL_SECONDS`; the process that writes it
  forgets its copy at once (:func:`forget`), other processes see it within the TTL.
"""

from __future__ import annotations

import threading
import time
import zoneinfo
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache

from django.conf import settings

TTL_SECONDS = 30.0


@dataclass(frozen=True)
class CompanyValues:
    """What the company settings row holds (and the setup wizard asks for)."""

    name: str
    fiscal_year_start: int
    currency: str
    time_zone: str
    languages: tuple[str, ...]
    language: str


@dataclass(frozen=True)
class Company(CompanyValues):
    stored: bool  # from the company settings row (else from the deployment's settings)
    # whoever submitted a plan version does not approve it (docs/incentives.md)
    plan_four_eyes: bool = True

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)


_lock = threading.Lock()
_set_up = False
_row: tuple[float, Company | None] | None = None


def forget() -> None:
    """Drop the cached answers (after a write, and between tests)."""
    global _set_up, _row
    with _lock:
        _set_up = False
        _row = None


def is_set_up() -> bool:
    """Whether the first-run setup is behind us: company settings are stored, or a
    login exists (an install from before the setup wizard, or one made with
    ``createsuperuser`` or an import)."""
    global _set_up, _row
    if _set_up:
        return True
    from attain.accounts.models import User

    from .models import CompanySettings

    done = CompanySettings.objects.exists() or User.objects.exists()
    if done:
        with _lock:
            _set_up = True
            _row = None  # the row may have just been written by another process
    return done


def _stored() -> Company | None:
    global _row
    cached = _row
    now = time.monotonic()
    if cached is not None and now - cached[0] < TTL_SECONDS:
        return cached[1]
    from .models import CompanySettings

    row = CompanySettings.objects.filter(pk=CompanySettings.SINGLETON_ID).first()
    value = (
        None
        if row is None
        else Company(
            name=row.name,
            fiscal_year_start=row.fiscal_year_start,
            currency=row.currency,
            time_zone=row.time_zone,
            languages=tuple(row.languages) or language_codes(),
            language=row.language,
            stored=True,
            plan_four_eyes=row.plan_four_eyes,
        )
    )
    with _lock:
        _row = (now, value)
    return value


def defaults() -> Company:
    """What the deployment's settings say (read each time: tests change them)."""
    codes = language_codes()
    language = settings.LANGUAGE_CODE if settings.LANGUAGE_CODE in codes else codes[0]
    return Company(
        name=getattr(settings, "ATTAIN_COMPANY_NAME", ""),
        fiscal_year_start=int(getattr(settings, "ATTAIN_FISCAL_YEAR_START", 1)),
        currency=getattr(settings, "ATTAIN_CURRENCY", "CNY"),
        time_zone=settings.TIME_ZONE,
        languages=codes,
        language=language,
        stored=False,
    )


def company() -> Company:
    """The company's settings: the stored row, else the deployment's defaults."""
    return _stored() or defaults()


def language_codes() -> tuple[str, ...]:
    """Every language Attain speaks (``settings.LANGUAGES``)."""
    return tuple(code for code, _name in settings.LANGUAGES)


@lru_cache(maxsize=1)
def time_zones() -> tuple[str, ...]:
    """The IANA time zones this machine knows, sorted."""
    return tuple(sorted(zoneinfo.available_timezones()))


def money_places() -> int:
    """The decimal places amounts are shown and entered with: the minor unit of the
    company's currency (CNY, USD: 2; JPY, KRW, VND: none). Amounts are stored to the cent,
    so never more than 2."""
    from attain.engine import minor_unit

    return min(minor_unit(company().currency), 2)


def money_text(amount: Decimal) -> str:
    """An amount as pages, statements and messages show it: thousands grouped in the
    active language, rounded half up to :func:`money_places` (``1,234.50``; ``1,235`` in
    yen)."""
    from django.utils.formats import number_format

    places = money_places()
    rounded = amount.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    return number_format(rounded + 0, places, force_grouping=True)


# ISO 4217's fund codes (Bolivia's Mvdol, the WIR franc, Chile's UF…): units of account,
# not a currency anyone's pay is set in
FUND_CODES = frozenset({"BOV", "CHE", "CHW", "CLF", "COU", "MXV", "USN", "UYI", "UYW"})


@lru_cache(maxsize=1)
def currencies() -> tuple[str, ...]:
    """The currencies a company may pay in: ISO 4217's in use (as the engine knows them),
    without fund codes and without the few with 3 or 4 decimal places (Kuwait's dinar,
    Oman's rial…), which amounts stored to the cent cannot hold; sorted."""
    from attain.engine import CURRENCIES, minor_unit
    from attain.web.fields import MONEY

    places = MONEY["decimal_places"]
    return tuple(sorted(c for c in CURRENCIES if c not in FUND_CODES and minor_unit(c) <= places))


def currency_symbol(currency: str | None = None) -> str:
    """The sign of the company's currency (or ``currency``) in the active language:
    ``¥`` for CNY in every language (the pages were written with it), else CLDR's
    (``$``/``US$``, ``€``, ``HK$``…)."""
    from babel import Locale, UnknownLocaleError
    from babel.numbers import get_currency_symbol
    from django.utils.translation import get_language, to_locale

    code = currency or company().currency
    if code == "CNY":
        return "¥"
    try:
        locale = Locale.parse(to_locale(get_language() or "en"))
    except (ValueError, UnknownLocaleError):
        locale = Locale.parse("en")
    return str(get_currency_symbol(code, locale=locale))
