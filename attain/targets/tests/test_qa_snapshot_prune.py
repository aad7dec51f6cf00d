"""The earlier day's snapshot shown while today's is calculated must survive the pruning
that storing today's placeholder does."""

from __future__ import annotations

import datetime
from typing import Any

from django.test import override_settings
from django.utils import timezone

from attain.calc import cache
from attain.targets import snapshots
from attain.targets.models import PaceSnapshot, TargetPlan

from .test_snapshots import WORKER, published  # noqa: F401  (the fixture)


@override_settings(TASKS=WORKER)
def test_today_shows_an_earlier_day_even_when_it_is_the_oldest_calculated(
    published: TargetPlan,  # noqa: F811
    django_capture_on_commit_callbacks: Any,
) -> None:
    """Yesterday's snapshot was calculated first, then ten other days were asked for (the
    API's ?as_of=, a year back). Before: opening today stored today's placeholder, whose
    pruning (ten kept per plan) deleted yesterday's, which the page was about to show:
    PaceSnapshot.DoesNotExist, a 500 on Team pace. After: yesterday's figures are shown."""
    today = timezone.localdate()
    yesterday = today - datetime.timedelta(days=1)
    snapshots.stored_pace(published, yesterday)
    for months in range(1, snapshots.KEEP):
        snapshots.stored_pace(
            published,
            yesterday - datetime.timedelta(days=365 + 31 * months),
        )
    assert PaceSnapshot.objects.filter(plan=published).count() == snapshots.KEEP
    cache.clear()  # another process: rows read from the database
    with django_capture_on_commit_callbacks(execute=True):
        shown = snapshots.stored_pace(published, today)
    assert shown.as_of == yesterday and not shown.current and shown.rows
