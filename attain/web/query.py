"""Query parameters of the API, read strictly: a value the OpenAPI document does not
allow is a 400 naming the parameter, never silently ignored (nor a 500). (Apart from
attain.web.api: the pagination class, which DRF's generic views load, uses it.)"""

from __future__ import annotations

import datetime
import re

from django.utils.translation import gettext as _
from rest_framework import serializers
from rest_framework.request import Request

from attain.engine import parse_period

ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)
# The period ids :func:`query_period` reads, for the OpenAPI document (it checks more:
# year 0000 is not one); empty too, which it reads as not given (the default period)
PERIOD_PATTERN = r"^([0-9]{4}(-(H[12]|Q[1-4]|0[1-9]|1[0-2]))?)?$"


def _bad(name: str, message: str) -> serializers.ValidationError:
    return serializers.ValidationError({name: [message]})


def query_one(request: Request, name: str) -> str | None:
    """The parameter's one value (``None`` when absent or empty); given twice, a 400."""
    values = request.query_params.getlist(name)
    if len(values) > 1:
        raise _bad(name, _("Give this parameter once."))
    return values[0] if values and values[0] != "" else None


def query_int(request: Request, name: str, minimum: int | None = None) -> int | None:
    """A whole-number parameter; given but empty (``?unit=``) is a 400 too."""
    if request.query_params.getlist(name) == [""]:
        raise _bad(name, _("Give a whole number."))
    raw = query_one(request, name)
    if raw is None:
        return None
    try:
        value = int(raw)
    except ValueError:
        raise _bad(name, _("Give a whole number.")) from None
    if minimum is not None and value < minimum:
        raise _bad(name, _("Give a whole number of at least %(min)s.") % {"min": minimum})
    return value


def query_bool(request: Request, name: str) -> bool:
    """``true`` or ``false``, as the OpenAPI document's booleans are written (absent:
    false); anything else, an empty value included, is a 400."""
    found = query_optional_bool(request, name)
    return bool(found)


def query_optional_bool(request: Request, name: str) -> bool | None:
    """:func:`query_bool`, but ``None`` when the parameter is absent (no filter)."""
    if request.query_params.getlist(name) == [""]:
        raise _bad(name, _("Give true or false."))
    raw = query_one(request, name)
    if raw is None:
        return None
    value = raw.lower()
    if value not in {"true", "false"}:
        raise _bad(name, _("Give true or false."))
    return value == "true"


def query_date(request: Request, name: str) -> datetime.date | None:
    """A date parameter written YYYY-MM-DD; given but empty (``?as_of=``) is a 400."""
    if request.query_params.getlist(name) == [""]:
        raise _bad(name, _("Give a date as YYYY-MM-DD."))
    raw = query_one(request, name)
    if raw is None:
        return None
    # fromisoformat also takes 20260105 and 2026-W01-1; the document promises YYYY-MM-DD
    if not ISO_DATE.fullmatch(raw):
        raise _bad(name, _("Give a date as YYYY-MM-DD."))
    try:
        return datetime.date.fromisoformat(raw)
    except ValueError:
        raise _bad(name, _("Give a date as YYYY-MM-DD.")) from None


def query_period(request: Request, name: str = "period") -> str | None:
    """A period id parameter (2026, 2026-H1, 2026-Q3, 2026-03); not a period (``2026-13``,
    ``2026Q1``) is a 400: a typo would otherwise read as a period without data, an empty
    list that looks like nobody's results. Given empty (``?period=&person=``, as clients
    build their addresses and the docs show them) it is not given: None."""
    message = _("Give a period such as 2026, 2026-H1, 2026-Q3 or 2026-03.")
    if request.query_params.getlist(name) == [""]:
        return None
    raw = query_one(request, name)
    if raw is None:
        return None
    parsed = parse_period(raw) if "\x00" not in raw else None
    if parsed is None or parsed.id != raw:
        raise _bad(name, message)
    return raw
