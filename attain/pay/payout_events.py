"""Payouts follow the stored results: after incentives stores results
(``attain.incentives.events.results_stored``), the payouts of those people and periods
are brought in line (:func:`attain.pay.services_payouts.sync_payouts`). An integrity
alert confirmed with a hold (``attain.integrity.events.hold_changed``) holds the unpaid
payouts of its people for its period, and tells the reviewer which were paid already;
lifting it releases them. Activating a plan
version effective in a closed pay period (``attain.incentives.events.version_activated``)
warns that the period's payouts will not change (docs/pay.md, "Period close"). Stored
payouts fix the company's fiscal year start and currency
(``attain.org.services_company.counted_in_company_settings``)."""

from __future__ import annotations

import logging
from typing import Any

from django.utils.translation import pgettext_lazy

from attain.incentives.events import results_stored, version_activated
from attain.integrity.events import hold_changed
from attain.org.services_company import counted_in_company_settings

log = logging.getLogger(__name__)


def _results_stored(sender: Any, people: list[int], periods: list[str], **kwargs: Any) -> None:
    from .services_payouts import sync_payouts

    try:
        sync_payouts(None, people=people, periods=periods)
    except Exception:  # never fail the calculation that stored the results
        log.exception("bringing payouts up to date failed")


def _hold_changed(sender: Any, alert: Any, hold: bool, actor: Any, **kwargs: Any) -> list[str]:
    from .services_payouts import follow_integrity_hold, paid_beyond_hold

    follow_integrity_hold(actor, alert, hold=hold)
    return paid_beyond_hold(alert) if hold else []


def _version_activated(sender: Any, version: Any, **kwargs: Any) -> list[str]:
    from .services_close import closed_period_warnings

    return closed_period_warnings(version.effective_from, version.effective_to, version)


def _counted(sender: Any, **kwargs: Any) -> list[Any]:
    """Payouts and pay periods are counted in the company's fiscal year and currency
    (:func:`attain.org.services_company.counted_data`)."""
    from .models import Payout
    from .models_close import PayPeriod

    stored = Payout.objects.exists() or PayPeriod.objects.exists()
    return [pgettext_lazy("stored data", "payouts")] if stored else []


def connect() -> None:
    counted_in_company_settings.connect(_counted, dispatch_uid="pay-counted")
    version_activated.connect(_version_activated, dispatch_uid="pay-version-activated")
    results_stored.connect(_results_stored, dispatch_uid="pay-results-stored")
    hold_changed.connect(_hold_changed, dispatch_uid="pay-integrity-hold")
