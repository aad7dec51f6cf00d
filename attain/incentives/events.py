"""Events this app sends. ``results_stored``: stored results of ``people`` (person pks)
for ``periods`` (period ids) were replaced, sent after the writing transaction; pay
governance listens to bring its payouts in line (attain.pay.payout_events)."""

from __future__ import annotations

from django.dispatch import Signal

results_stored = Signal()
