"""QA of commitments on the audit trail (loopqa)."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from attain.conftest import Company
from attain.targets import services
from attain.targets.models import TargetPlan
from attain.targets.tests.conftest import publish

pytestmark = pytest.mark.django_db
D = datetime.date


def test_the_audit_trail_names_who_committed_in_the_readers_language(company, plan, client):
    """A commitment is audited with its ``by``; the trail showed that field as "by" to a
    Chinese reader (the field has no name of its own and it was not in the catalogue)."""
    services.submit_commitment(
        company.users["rep"], plan, measure="revenue", who="r1", value=5, comment="能完成"
    )
    client.force_login(company.users["admin"])
    client.cookies["django_language"] = "zh-hans"
    page = client.get(reverse("audit"), {"type": "targets.commitment"}).content.decode()
    assert "<th>经办人</th>" in page and "<th>by</th>" not in page


def test_a_commitment_on_the_audit_trail_is_named_without_english_words(company, plan, client):
    """The trail names the object as it was when written (kept with the event): a
    commitment read "r1 commits 5.00 revenue" to every reader; now employee id, measure
    and value, like a review pack's "m1 2026-Q1 · r1"."""
    services.submit_commitment(company.users["rep"], plan, measure="revenue", who="r1", value=5)
    client.force_login(company.users["admin"])
    client.cookies["django_language"] = "zh-hans"
    page = client.get(reverse("audit"), {"type": "targets.commitment"}).content.decode()
    assert "commits" not in page and "r1 · revenue · 5.00" in page


def test_a_units_forecast_keeps_what_a_mover_booked_there(company, plan):
    """r2 books 1,000 in January in east and moves to west in February: pace counts the
    1,000 in east's quarter (east: 1,100 to date), the forecast summed people by the unit
    they sit in today, so east's quarter was forecast at about 104, below what it had
    booked, and west's at about 2,000 against 1,000 booked there."""
    from decimal import Decimal

    from attain.crm import services as crm
    from attain.crm.tests import make
    from attain.org import services as org
    from attain.targets.forecast import forecast_report
    from attain.targets.pace import pace_report

    publish(company, plan)
    people = company.people
    customer = crm.create_customer(None, name="乙二贸易", owner=people["r2"])
    make.order(customer, people["r1"], D(2026, 3, 1), Decimal(100))
    make.order(customer, people["r2"], D(2026, 1, 20), Decimal(1000))
    org.transfer_person(
        None, people["r2"], on=D(2026, 2, 15), unit=company.west, manager=people["m3"]
    )
    make.order(customer, people["r2"], D(2026, 3, 5), Decimal(500))
    day = D(2026, 3, 15)
    pace = {(r.who, r.period): r for r in pace_report(plan, day) if r.kind == "unit"}
    forecast = {(r.who, r.period): r for r in forecast_report(plan, day) if r.kind == "unit"}
    for unit in ("east", "west", "hq"):
        for period in ("2026-Q1", "2026-03"):
            booked, row = pace[(unit, period)].actual, forecast[(unit, period)]
            assert row.actual == booked, (unit, period, row.actual, booked)
            assert booked <= row.p10 <= row.p50 <= row.p90, (unit, period, row)
    assert forecast[("east", "2026-Q1")].actual == Decimal(1100)
    # a person's own forecast is theirs wherever they sat
    r2 = next(r for r in forecast_report(plan, day) if r.who == "r2" and r.period == "2026-Q1")
    assert r2.actual == Decimal(1500)


def test_an_acknowledgement_on_the_audit_trail_is_named_without_english_words(
    company, plan, client
):
    """An acknowledgement was kept on the trail as "4 acknowledged 1" (row numbers and an
    English word) for every reader; now the employee id and the plan."""
    plan = publish(company, plan)
    services.acknowledge_target(company.users["rep"], plan)
    client.force_login(company.users["admin"])
    client.cookies["django_language"] = "zh-hans"
    page = client.get(reverse("audit"), {"type": "targets.acknowledgement"}).content.decode()
    assert "acknowledged" not in page and f"r1 · {plan}" in page


def test_a_reallocation_is_named_without_english_words():
    from attain.targets.models import Reallocation

    assert str(Reallocation(unit="east", from_month="2026-07")) == "east · 2026-07"


@pytest.mark.parametrize(
    ("typed", "read"), [("12,34", None), ("1,2", None), ("1,234.50", "1234.50")]
)
def test_a_commitment_reads_commas_only_as_thousands_separators(
    company: Company, plan: TargetPlan, typed: str, read: str | None
) -> None:
    """ "12,34" (a decimal comma) was committed as 1,234."""
    from django.core.exceptions import ValidationError

    rep = company.users["rep"]
    if read is None:
        with pytest.raises(ValidationError):
            services.submit_commitment(rep, plan, measure="revenue", who="r1", value=typed)
    else:
        found = services.submit_commitment(rep, plan, measure="revenue", who="r1", value=typed)
        assert found.value == Decimal(read)
