"""One changed target cell: what an Excel re-import or a reallocation proposes."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class CellChange:
    measure: str
    who: str
    period: str
    before: Decimal
    after: Decimal
    name: str = ""  # the unit's or person's name, for showing
    parent: str = ""  # the unit the row sits under (a reallocation moves rows)

    def as_dict(self) -> dict[str, str]:
        return {
            "measure": self.measure,
            "who": self.who,
            "parent": self.parent,
            "period": self.period,
            "before": str(self.before),
            "after": str(self.after),
        }
