"""Payouts follow the stored results: after incentives stores results
(``attain.incentives.events.results_stored``), the payouts of those people and periods
are brought in line (:func:`attain.pay.services_payouts.sync_payouts`)."""

from __future__ import annotations

import logging
from typing import Any

from attain.incentives.events import results_stored

log = logging.getLogger(__name__)


def _results_stored(sender: Any, people: list[int], periods: list[str], **kwargs: Any) -> None:
    from .services_payouts import sync_payouts

    try:
        sync_payouts(None, people=people, periods=periods)
    except Exception:  # never fail the calculation that stored the results
        log.exception("bringing payouts up to date failed")


def connect() -> None:
    results_stored.connect(_results_stored, dispatch_uid="pay-results-stored")
