"""Problems (errors and warnings) as values: collected, never raised one at a time.

A problem names the most specific place in the scenario with a PATH in the notation of
the scenario spec, section 10: keys joined with dots, list positions in brackets
(``plans[0].components[1].tiers.table``, ``records.payments[17]``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with (or worth telling about) a scenario."""

    path: str
    message: str
    # for an application that words it in its reader's language: what kind of problem
    # it is and its values (the message stays the scenario format's English)
    code: str = field(default="", compare=False)
    params: tuple[tuple[str, str], ...] = field(default=(), compare=False)

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


def shown(value: object) -> str:
    """A value in a message as the scenario wrote it: text quoted, a number as its digits
    (not Python's Decimal('2025.01'))."""
    if isinstance(value, Decimal) or (
        isinstance(value, int | float) and not isinstance(value, bool)
    ):
        return str(value)
    return repr(value)


def join(path: str, key: str | int) -> str:
    """The path of `key` inside `path`: a dotted key, or a bracketed list position."""
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else key


@dataclass
class Problems:
    """A collector: modules add problems as they find them and carry on."""

    items: list[Problem] = field(default_factory=list)
    limit_per_path_prefix: int = 25

    def add(self, path: str, message: str) -> None:
        self.items.append(Problem(path, message))

    def extend(self, problems: list[Problem]) -> None:
        self.items.extend(problems)

    def __bool__(self) -> bool:
        return bool(self.items)

    def __len__(self) -> int:
        return len(self.items)

    def as_list(self) -> list[Problem]:
        """Problems in the order found, without exact duplicates."""
        seen: set[Problem] = set()
        unique: list[Problem] = []
        for problem in self.items:
            if problem not in seen:
                seen.add(problem)
                unique.append(problem)
        return unique
