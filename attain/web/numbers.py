"""Reading a number that arrives in any form (a Decimal, an int, the text of a JSON
document, a form's string)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any


def finite_decimal(value: Any) -> Decimal | None:
    """``value`` as a finite Decimal; ``None`` for nothing ("" or ``None``), a boolean,
    text that is not a number, and infinities or NaN."""
    if value is None or value == "" or isinstance(value, bool):
        return None
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return None
    return number if number.is_finite() else None
