"""Migration 0011: full runs of a year queued twice before the constraint (a double
click) keep the older one queued; the later ones end failed, saying why."""

from __future__ import annotations

import pytest

from attain.web.testing import migrated

BEFORE = [("incentives", "0010_planversion_submitted_by")]
AFTER = [("incentives", "0011_one_queued_run_per_year")]


@pytest.mark.django_db(transaction=True)
def test_runs_queued_twice_keep_the_older_one(db):
    apps = migrated(BEFORE)
    Run = apps.get_model("incentives", "CalculationRun")
    older, later = (Run.objects.create(kind="full", fiscal_year=2026) for _ in range(2))
    other_year = Run.objects.create(kind="full", fiscal_year=2025)
    Run = migrated(AFTER).get_model("incentives", "CalculationRun")
    assert Run.objects.get(pk=older.pk).status == "queued"
    assert Run.objects.get(pk=other_year.pk).status == "queued"
    replaced = Run.objects.get(pk=later.pk)
    assert replaced.status == "failed" and "earlier queued run" in replaced.stage
    migrated()  # back to the latest, for the tests that follow
