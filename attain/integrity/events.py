"""What integrity tells the layers above it: an alert's payout hold was set or lifted
(``hold_changed``, sent after the transaction commits). Pay listens and holds or
releases the payouts of the alert's people for its period (attain.pay.payout_events),
and answers with what a hold could not do (payouts already paid), for the reviewer."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.dispatch import Signal

# sender: Alert; alert: the Alert; hold: True when set, False when lifted; actor: who
hold_changed = Signal()


def send_hold_changed(alert: Any, *, hold: bool, actor: Any) -> list[str]:
    """Send ``hold_changed`` once the transaction commits. Returns the list the
    listeners' warnings are put in then: filled when the caller's outermost transaction
    ends (a request's), empty if it never commits."""
    warnings: list[str] = []

    def send() -> None:
        for _receiver, answer in hold_changed.send(
            sender=type(alert), alert=alert, hold=hold, actor=actor
        ):
            warnings.extend(answer or ())

    transaction.on_commit(send)
    return warnings
