"""Events this app sends. ``results_stored``: stored results of ``people`` (person pks)
for ``periods`` (period ids) were replaced, sent after the writing transaction; pay
governance listens to bring its payouts in line (attain.pay.payout_events).
``version_activated``: a plan ``version`` was activated; receivers return a list of
warnings for the one who activated it, in the active language (pay governance warns
when the version takes effect in a closed pay period, attain.pay.payout_events)."""

from __future__ import annotations

from django.dispatch import Signal

results_stored = Signal()
version_activated = Signal()
