"""A calculation run whose worker died is marked failed (translated reason) and runs
again from its page and the API; a run records its worker and heartbeat."""

from __future__ import annotations

import datetime

from django.urls import reverse
from django.utils import timezone

from attain.conftest import login
from attain.incentives import services
from attain.incentives.models import CalculationRun, PeriodResult, RunKind, RunStatus
from attain.web import leases
from attain.web.testing import dead_pid

from .conftest import YEAR


def killed_run(**fields) -> CalculationRun:
    """A run as a worker killed with -9 leaves it: running at 40%."""
    defaults = {
        "kind": RunKind.FULL,
        "fiscal_year": YEAR,
        "status": RunStatus.RUNNING,
        "progress": 40,
        "worker": f"{leases.host()}:{dead_pid()}",
        "heartbeat_at": timezone.now(),
    }
    return CalculationRun.objects.create(**{**defaults, **fields})


def test_a_run_records_its_worker_and_heartbeat(sales):
    run = services.run_calculation(None, YEAR)
    run.refresh_from_db()
    assert run.status == RunStatus.DONE
    assert run.worker == leases.holder() and run.heartbeat_at is not None


def test_dead_worker_run_fails_and_runs_again_from_its_page(
    client, sales, django_capture_on_commit_callbacks
):
    run = killed_run()
    login(client, "sales_ops")
    page = client.get(reverse("incentives:run", args=[run.pk]), HTTP_ACCEPT_LANGUAGE="zh-hans")
    run.refresh_from_db()
    assert run.status == RunStatus.FAILED
    assert "重新运行" in run.problems[0]
    assert "重新运行" in page.content.decode()  # the button
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("incentives:start_run"), {"year": run.fiscal_year})
    again = CalculationRun.objects.get(pk=int(response.url.rstrip("/").split("/")[-1]))
    assert again.status == RunStatus.DONE
    assert PeriodResult.objects.filter(period=f"{YEAR}-Q1").exists()


def test_stale_heartbeat_fails_then_api_runs_again(
    client, sales, settings, django_capture_on_commit_callbacks
):
    settings.ATTAIN_WORKER_LEASE_SECONDS = 60
    stale = killed_run(
        worker="elsewhere:1", heartbeat_at=timezone.now() - datetime.timedelta(minutes=2)
    )
    alive = killed_run(worker=leases.holder())
    login(client, "sales_ops")
    body = client.get(f"/api/calculation-runs/{stale.pk}/").json()
    assert body["status"] == "failed" and "elsewhere:1" in body["problems"][0]
    alive.refresh_from_db()
    assert alive.status == RunStatus.RUNNING
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/api/calculation-runs/", {"fiscal_year": YEAR}, content_type="application/json"
        )
    assert response.status_code == 202
    run = CalculationRun.objects.get(pk=response.json()["id"])
    assert run.status == RunStatus.DONE
    login(client, "rep")
    assert client.get(f"/api/calculation-runs/{run.pk}/").status_code == 403
    assert client.post("/api/calculation-runs/", {"fiscal_year": YEAR}).status_code == 403


def test_a_full_run_moves_its_progress_step_by_step(sales, monkeypatch):
    """Issue 12: the progress bar moves through loading, calculating and storing (it
    went 5 % → 100 % on a small company), as the page reads it from the database."""
    seen: list[tuple[int, str]] = []
    record = services._progress

    def spy(run, percent, stage):
        record(run, percent, stage)
        stored = CalculationRun.objects.get(pk=run.pk)
        seen.append((stored.progress, stored.stage))

    monkeypatch.setattr(services, "_progress", spy)
    run = services.run_calculation(None, YEAR)
    assert run.status == RunStatus.DONE and run.progress == 100
    percents = [p for p, _stage in seen]
    assert percents == sorted(percents) and percents[0] == 5
    assert {"Loading records", "Calculating", "Storing results"} <= {s for _p, s in seen}
    storing = {p for p, stage in seen if stage == "Storing results"}
    assert len(storing) >= 3 and max(storing) > 40, seen
