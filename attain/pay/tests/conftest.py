"""Fixtures shared by the pay tests."""

from __future__ import annotations

import pytest

from .payout_factories import AMOUNTS, store


@pytest.fixture
def stored(company, settings, tmp_path):
    """The shared company with the payouts of :data:`AMOUNTS` stored for the period;
    uploaded files (dispute attachments, statements) go to a temporary folder."""
    settings.MEDIA_ROOT = tmp_path
    store(company, AMOUNTS)
    return company
