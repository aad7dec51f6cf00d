"""The forecast's database adapter and ``attain forecast backtest``."""

from __future__ import annotations

import datetime
import json
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from attain.conftest import Company
from attain.crm.models import Customer, Opportunity, Order, Stage, StageChange, StageKind
from attain.engine import known_at

pytestmark = pytest.mark.django_db


def _at(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(10)))


@pytest.fixture
def history(company: Company) -> Company:
    from attain.measures.models import Measure

    if not Measure.objects.filter(code="revenue").exists():
        Measure.objects.create(
            code="revenue",
            name="revenue",
            table="orders",
            value="amount",
            money=True,
            where="status != 'cancelled'",
        )
    customer = Customer.objects.create(name="客户甲", owner=company.people["r1"])
    day = datetime.date(2025, 1, 6)
    sizes = {"r1": 3000, "r2": 1500, "r3": 800, "r4": 2000}
    while day <= datetime.date(2026, 6, 30):
        for code, size in sizes.items():
            Order.objects.create(
                customer=customer,
                owner=company.people[code],
                date=day,
                amount=Decimal(size + day.day * 10),
                status="confirmed",
            )
        day += datetime.timedelta(days=7)
    first = Stage.objects.filter(kind=StageKind.OPEN).order_by("position").first()
    won = Stage.objects.filter(kind=StageKind.WON).first()
    assert first is not None and won is not None
    # one deal won on 2026-02-20, created 2026-01-10
    deal = Opportunity.objects.create(
        customer=customer,
        name="deal",
        owner=company.people["r1"],
        stage=won,
        amount=Decimal("50000"),
        created_on=datetime.date(2026, 1, 10),
        closed_on=datetime.date(2026, 2, 20),
    )
    StageChange.objects.create(opportunity=deal, to_stage=first, changed_at=_at(deal.created_on))
    StageChange.objects.create(
        opportunity=deal, from_stage=first, to_stage=won, changed_at=_at(datetime.date(2026, 2, 20))
    )
    return company


def test_the_backtest_writes_the_documented_document(history: Company, tmp_path: Path) -> None:
    out = tmp_path / "backtest.json"
    call_command(
        "forecast",
        "backtest",
        "--measure",
        "revenue",
        "--from",
        "2026-01-01",
        "--to",
        "2026-03-31",
        "--json",
        str(out),
    )
    document = json.loads(out.read_text())
    assert set(document) == {"cutoffs", "wape_model", "wape_run_rate"}
    assert len(document["cutoffs"]) == 3 * 2 + 2  # months and the quarter, at 1/3 and 2/3
    first = document["cutoffs"][0]
    assert first["date"] == "2026-01-10" and first["period"] == "2026-01"
    assert set(first) == {"date", "period", "wape_model", "wape_run_rate", "people"}
    assert first["people"] == 7  # everyone employed at the cut-off
    assert 0 <= document["wape_model"] < 1 and 0 <= document["wape_run_rate"] < 1


def test_a_backtest_from_a_leap_day_reads_the_two_years_before(history: Company) -> None:
    """--from 2024-02-29: the history read before it starts two years earlier; there
    is no 29 February 2022, which made the command fail with a traceback."""
    from attain.calc.forecast import run_backtest

    document = run_backtest("revenue", datetime.date(2024, 2, 29), datetime.date(2024, 3, 31))
    assert set(document) == {"cutoffs", "wape_model", "wape_run_rate"}


def test_a_measure_that_cannot_be_forecast_is_refused(history: Company) -> None:
    with pytest.raises(CommandError, match="cannot be forecast"):
        call_command(
            "forecast",
            "backtest",
            "--measure",
            "nope",
            "--from",
            "2026-01-01",
            "--to",
            "2026-03-31",
        )


def test_the_stage_on_a_day_comes_from_the_dated_history(history: Company) -> None:
    """The opportunity table's current stage (won) is never read: on 2026-02-01 the deal
    is open in its first stage, as its history says."""
    from attain.calc.forecast import load, measure_named

    data = load(measure_named("revenue"), datetime.date(2025, 1, 1), datetime.date(2026, 6, 30))
    assert data.opportunities is not None and data.stages is not None
    assert "stage" not in data.opportunities.columns
    assert "closed_on" not in data.opportunities.columns
    then = known_at(data, datetime.date(2026, 2, 1))
    assert then.stages is not None
    assert then.stages["kind"].to_list() == ["open"]


def test_forecasts_of_several_measures_read_the_tables_once(
    history: Company, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Revenue and an order count read the same orders: the pace page's forecasts loaded
    the year's records once per measure (at 10,000 people, 9 s each)."""
    from attain.calc import forecast, run
    from attain.measures.models import Measure

    Measure.objects.create(code="orders_n", name="orders", table="orders", agg="count")
    builds: list[object] = []
    real = run.build_scenario

    def counted(**kwargs: object) -> object:
        builds.append(kwargs["measures"])
        return real(**kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(run, "build_scenario", counted)
    found = forecast.forecast_periods(["revenue", "orders_n"], datetime.date(2025, 5, 20))
    assert len(builds) == 1
    assert {code for code, *_rest in found} == {"revenue", "orders_n"}
    alone = forecast.forecast_periods(["orders_n"], datetime.date(2025, 5, 20))
    assert [rows.to_dicts() for code, _p, rows, _u in found if code == "orders_n"] == [
        rows.to_dicts() for _c, _p, rows, _u in alone
    ]


def test_a_json_file_that_cannot_be_written_is_refused_before_the_backtest(
    history: Company, tmp_path: Path
) -> None:
    """A folder as --json was a traceback after the whole backtest had run."""
    with pytest.raises(CommandError, match="is a folder") as raised:
        call_command(
            "forecast",
            "backtest",
            *("--measure", "revenue", "--from", "2026-01-01", "--to", "2026-03-31"),
            *("--json", str(tmp_path)),
        )
    assert raised.value.returncode == 2


def test_a_backtest_before_anyone_is_imported_is_no_traceback(db, tmp_path: Path) -> None:
    """A company set up but not yet imported (no people, no orders): the backtest ended
    in a Polars SchemaError traceback (the empty people frame had null-typed columns to
    join on); it reports its cut-offs with nobody in them."""
    from attain.measures.models import Measure

    if not Measure.objects.filter(code="revenue").exists():
        Measure.objects.create(code="revenue", name="revenue", table="orders", value="amount")
    out = tmp_path / "backtest.json"
    call_command(
        "forecast",
        "backtest",
        *("--measure", "revenue", "--from", "2026-01-01", "--to", "2026-03-31"),
        *("--json", str(out)),
    )
    document = json.loads(out.read_text())
    assert [row["people"] for row in document["cutoffs"]] == [0] * 8
