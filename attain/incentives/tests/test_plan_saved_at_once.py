"""A plan saved twice at the same moment (a double click on "Save" served by two web
processes, or two editors) on PostgreSQL: before, both requests numbered their version
the same and the second failed on the unique version number with a server error."""

from __future__ import annotations

import contextlib
import copy
import threading
from decimal import Decimal

import pytest
from django.db import connection

from attain.incentives import services
from attain.incentives.models import Plan, PlanVersion
from attain.web.testing import at_once

from .conftest import REP_PLAN


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks: PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_a_plan_saved_twice_at_once_is_one_new_version(company, monkeypatch):
    ops = company.users["sales_ops"]
    services.save_plan_version(ops, REP_PLAN)
    changed = copy.deepcopy(REP_PLAN)
    changed["components"][0]["tiers"]["table"][0]["rate"] = Decimal("0.06")
    both = threading.Barrier(2)
    real = Plan.latest

    def latest(plan):  # both requests read the latest version before either saves
        found = real(plan)
        with contextlib.suppress(threading.BrokenBarrierError):
            both.wait(timeout=3)  # (unless the other waits for this one's lock)
        return found

    monkeypatch.setattr(Plan, "latest", latest)
    saved = at_once(lambda: services.save_plan_version(ops, changed).pk)
    assert saved[0] == saved[1], saved
    assert PlanVersion.objects.filter(plan__code=REP_PLAN["id"]).count() == 2
