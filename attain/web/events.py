"""Events sent once per transaction, after it commits.

An app that announces changes to the apps above it (``attain.crm.events.records_changed``,
``attain.org.events.organisation_changed``) collects what a transaction changed in a
batch of sets and sends the batch once, after the commit; a rolled back transaction
sends nothing, and outside a transaction the batch is sent at once. Receivers get the
sets as frozensets, by name; a receiver that fails is logged and never fails the write
that caused it.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from django.db import connection, transaction
from django.dispatch import Signal

log = logging.getLogger(__name__)


class _Send:
    """A transaction's batch for one signal, sent after the commit. Every note registers
    it again (so a savepoint rolled back keeps it registered from outside): the first to
    run sends the whole batch, the others find it empty."""

    def __init__(self, signal: Signal, fields: Sequence[str]) -> None:
        self.signal = signal
        self.sets: dict[str, set[Any]] = {name: set() for name in fields}

    def __call__(self) -> None:
        found = {name: frozenset(values) for name, values in self.sets.items()}
        for values in self.sets.values():
            values.clear()
        if not any(found.values()):
            return
        for receiver, response in self.signal.send_robust(sender=type(self), **found):
            if isinstance(response, Exception):  # never fail the write that caused it
                log.error(
                    "%s receiver %r failed",
                    self.signal,
                    receiver,
                    exc_info=(type(response), response, response.__traceback__),
                )


def pending(signal: Signal, fields: Sequence[str]) -> dict[str, set[Any]]:
    """The sets (by name) of this transaction's batch for ``signal``, to add to: they
    are sent after the commit (at once outside a transaction)."""
    send = None
    if connection.in_atomic_block:
        send = next(
            (
                f
                for _s, f, _r in connection.run_on_commit
                if isinstance(f, _Send) and f.signal is signal
            ),
            None,
        )
    if send is None:  # a new transaction (a rolled back one left nothing registered)
        send = _Send(signal, fields)
    transaction.on_commit(send)
    return send.sets
