"""Aggregates of exact numbers (money) that stay exact on SQLite too.

SQLite keeps a ``DecimalField`` with NUMERIC affinity, that is as a binary REAL, and its
``SUM()`` adds binary floats: 0.10 + 0.20 comes back as 0.300000000000000 (Django keeps
15 significant digits of the float), 0.10 + 0.20 − 0.30 as 5.55111512312578E-17, a large
total as 6983140.88000001. :class:`ExactSum` adds whole minor units (cents) there instead,
which SQLite adds as exact 64-bit integers; PostgreSQL's ``numeric`` sum is exact already.
Either way the result is a ``Decimal`` with exactly ``places`` decimals.

Limits on SQLite: the stored values themselves keep 15 significant digits (the REAL), so
a total is exact up to 10¹⁵ minor units (10 trillion with cents), as exact as the
column's own values.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import models

MONEY_PLACES = 2


class ExactSum(models.Sum):
    """``Sum`` of a decimal expression to ``places`` decimals (money: 2), exact on SQLite
    and PostgreSQL alike; None when there is nothing to add (as ``Sum``). On SQLite each
    value is rounded (half away from zero) to ``places`` before it is added, so give the
    places of the values themselves: 2 for an amount, 5 for an amount (2) × a probability
    (3)."""

    def __init__(self, expression: Any, *, places: int = MONEY_PLACES, **extra: Any) -> None:
        if extra.get("default") is not None:
            raise TypeError("ExactSum takes no default: write `or Decimal(0)`")
        self.places = places
        super().__init__(
            expression,
            output_field=models.DecimalField(max_digits=38, decimal_places=places),
            **extra,
        )

    def as_sqlite(self, compiler: Any, connection: Any, **extra_context: Any) -> Any:
        scale = 10**self.places
        template = f"%(function)s(%(distinct)sCAST(ROUND((%(expressions)s) * {scale}) AS INTEGER))"
        # as_sql, not super().as_sqlite: that would CAST the sum AS NUMERIC (a REAL again)
        return self.as_sql(compiler, connection, template=template, **extra_context)

    def get_db_converters(self, connection: Any) -> list[Any]:
        return [*super().get_db_converters(connection), self._exact]

    def _exact(self, value: Any, expression: Any, connection: Any) -> Decimal | None:
        if value is None:
            return None
        if connection.vendor == "sqlite":  # whole minor units
            return Decimal(int(value)).scaleb(-self.places)
        return Decimal(value).quantize(Decimal(1).scaleb(-self.places), rounding=ROUND_HALF_UP)
