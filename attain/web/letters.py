"""Case-insensitive text lookups that fold every letter on SQLite, as on PostgreSQL.

Django writes ``icontains`` (and ``iexact``, ``istartswith``, ``iendswith``) on
PostgreSQL as ``UPPER(column) LIKE UPPER(pattern)``, which folds every letter: “MÜLLER”
finds “Müller”, “ＡＢＣ” finds “ａｂｃ”, “ÉLODIE” finds “Élodie”. On SQLite it writes a bare
``LIKE``, which folds ASCII letters only, so the same search found them on PostgreSQL
and not on a laptop. Here, on SQLite, a pattern holding a non-ASCII letter that has a
case compares both sides through :func:`upper`, a function of this module registered
on every SQLite connection (one letter for one letter, as PostgreSQL's ``upper``: “ß”
stays “ß”). Any other pattern (ASCII, Chinese: no case) keeps the bare ``LIKE`` and its
speed. Accents are not folded on either database: “Muller” does not find “Müller”.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.backends.signals import connection_created
from django.db.models import lookups

SQL_FUNCTION = "attain_upper"


def upper(text: Any) -> Any:
    """``text`` in capitals, letter by letter (a letter whose capital is two letters, as
    “ß”, stays as it is); anything but text as it is."""
    if not isinstance(text, str):
        return text
    return "".join(u if len(u := c.upper()) == 1 else c for c in text)


def _cased_beyond_ascii(value: Any) -> bool:
    return isinstance(value, str) and any(
        not c.isascii() and (c.upper() != c or c.lower() != c) for c in value
    )


class _FoldsEveryLetter(lookups.BuiltinLookup):
    def as_sqlite(self, compiler: Any, connection: Any) -> Any:
        sql, params = super().as_sql(compiler, connection)
        if not any(_cased_beyond_ascii(p) for p in params):
            return sql, params
        lhs_sql, lhs_params = self.process_lhs(compiler, connection)
        rhs_sql, rhs_params = self.process_rhs(compiler, connection)
        rhs_sql = self.get_rhs_op(connection, f"{SQL_FUNCTION}({rhs_sql})")
        return f"{SQL_FUNCTION}({lhs_sql}) {rhs_sql}", [*lhs_params, *rhs_params]


class IContains(_FoldsEveryLetter, lookups.IContains):
    pass


class IExact(_FoldsEveryLetter, lookups.IExact):
    pass


class IStartsWith(_FoldsEveryLetter, lookups.IStartsWith):
    pass


class IEndsWith(_FoldsEveryLetter, lookups.IEndsWith):
    pass


def _register_function(sender: Any, connection: Any, **kwargs: Any) -> None:
    if connection.vendor == "sqlite":
        connection.connection.create_function(SQL_FUNCTION, 1, upper, deterministic=True)


def install() -> None:
    """Register the lookups on text fields and the function on SQLite connections (an
    app's ``ready``)."""
    for field in (models.CharField, models.TextField):
        for lookup in (IContains, IExact, IStartsWith, IEndsWith):
            field.register_lookup(lookup)
    connection_created.connect(_register_function, dispatch_uid="attain.web.letters")
