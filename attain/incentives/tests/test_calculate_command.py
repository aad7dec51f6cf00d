"""`attain calculate YEAR`: a fiscal year outside what the engine handles is refused
before a run is created, by the command, the API and the web form alike."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from attain.conftest import login
from attain.incentives.models import CalculationRun


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("options", "said"),
    [(["--partitions", "0"], "at least 1"), (["--here", "--partitions", "3"], "leave out")],
)
def test_bad_options_are_usage_errors_like_a_bad_year(options, said):
    """A bad year exited 2 (a usage error), a bad --partitions 1 (as a failed run)."""
    with pytest.raises(CommandError, match=said) as raised:
        call_command("calculate", "2026", *options)
    assert raised.value.returncode == 2
    assert not CalculationRun.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("year", ["0", "1899", "9999", "99999"])
@pytest.mark.parametrize("where", [[], ["--here"]])
def test_a_year_out_of_range_is_refused_and_no_run_is_left(year, where):
    with pytest.raises(CommandError, match="1900 to 9998") as raised:
        call_command("calculate", year, *where)
    assert raised.value.returncode == 2
    assert not CalculationRun.objects.exists()


@pytest.mark.django_db
def test_the_api_and_the_page_refuse_year_9999(client, company):
    login(client, "sales_ops")
    answer = client.post(
        "/api/calculation-runs/", {"fiscal_year": 9999}, content_type="application/json"
    )
    assert answer.status_code == 400
    client.post(reverse("incentives:start_run"), {"year": "9999"})
    assert not CalculationRun.objects.exists()


@pytest.mark.django_db
def test_waiting_for_a_run_no_worker_takes_says_so_and_ctrl_c_stops_waiting(company, monkeypatch):
    """`attain calculate YEAR --wait` with no worker running printed "Queued 0%" and
    waited for ever; Ctrl-C was a KeyboardInterrupt traceback."""
    from io import StringIO

    from attain.incentives.management.commands import calculate

    slept = []

    def sleep(seconds):
        slept.append(seconds)
        if len(slept) > 40:
            raise KeyboardInterrupt

    monkeypatch.setattr(calculate.time, "sleep", sleep)
    out, err = StringIO(), StringIO()
    with pytest.raises(CommandError, match="stopped waiting") as raised:
        call_command("calculate", "2026", "--wait", stdout=out, stderr=err)
    assert raised.value.returncode == 130
    assert "attain worker" in err.getvalue()
    assert CalculationRun.objects.get().status == "queued"
