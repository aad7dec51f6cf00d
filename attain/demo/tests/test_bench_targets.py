"""`attain bench_targets` (attain.targets) on a small generated company: it previews a
saved plan and leaves the database as it found it."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from attain.demo.generator import MIN_PEOPLE, generate
from attain.targets.models import PlanMeasure, TargetPlan


def test_bench_previews_a_plan_and_takes_it_back(db: Any) -> None:
    generate(people=MIN_PEOPLE, echo=None)
    plans = TargetPlan.objects.count()
    out = StringIO()
    call_command("bench_targets", "--people", str(MIN_PEOPLE), "--runs", "1", stdout=out)
    text = out.getvalue()
    assert "people × 12 months" in text
    assert "warm, repeated preview" in text
    assert "target ≤ 2 s wall, cold or warm:" in text
    assert TargetPlan.objects.count() == plans  # the bench's plan is not kept
    assert not PlanMeasure.objects.filter(plan__name="bench").exists()


def test_bench_needs_a_generated_company(db: Any) -> None:
    with pytest.raises(CommandError, match="attain demo generate"):
        call_command("bench_targets", stdout=StringIO())
