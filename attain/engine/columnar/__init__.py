"""The people's rows as columns: every person's measures, targets, attainment and pace
for every reported period in a few Polars passes, written as the writer's own text.

The text of a row's first part (``"measures"`` to ``"pace"``) is what
:meth:`attain.engine.output.DocumentWriter.period` writes from the row's
:class:`~attain.engine.calculate.PeriodResult`, byte for byte. Numbers stay exact: sums
are Polars decimals, read as scaled 128-bit integers, and every quotient is one integer
division rounded half-up. The engine divides with 40 significant digits
(:data:`~attain.engine.numbers.ENGINE_CONTEXT`) and then rounds the text, so its digits
could differ from one rounding only where the exact quotient ``n / d`` lies within
10⁻³⁹ (relative) of a rounding boundary without being on it: that needs
``n × 10^places ≥ 10³⁸``, and such rows, like anything else at or beyond
:data:`LIMIT`, are left to the Python path. So is every row this module does not
know how to write: a target of zero or less, a target spread into digits that do not
end, a scenario with a measure that is not a sum or a count. Such rows come back as
``None`` and the caller computes them as before; the property test against the
reference implementation (``tests/test_reference_engine.py``) runs both.

Comparisons (pace status, met or missed) are exact integer comparisons; the engine
compares 40-digit roundings, which order the same way while both sides stay below
:data:`COMPARED` (the argument of :func:`attain.engine.targets._elapsed`).

Rule 5.1 is :meth:`attain.engine.targets.TargetBook.steps` applied to everyone at
once: the first step whose targets are all given wins, as in ``TargetBook.resolve``.
"""

from .rows import PeopleColumns, Rows

__all__ = ["PeopleColumns", "Rows"]
