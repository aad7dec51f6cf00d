"""`attain worker` survives a locked or lost database; a busy database answers 503."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.db import InterfaceError, OperationalError
from django.test import RequestFactory
from django.utils import translation

from attain.ops import worker as worker_module
from attain.ops.worker import SurvivingWorker, backoff_delay
from attain.web.middleware import DatabaseBusyMiddleware, is_busy


def make_worker() -> SurvivingWorker:
    return SurvivingWorker(
        queue_names=["*"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="test:1",
        excluded_queue_names=[],
        max_backoff=4,
    )


def test_backoff_grows_exponentially_with_jitter_up_to_the_cap() -> None:
    for failures, ceiling in [(1, 0.5), (2, 1), (3, 2), (4, 4), (9, 4)]:
        delays = [backoff_delay(failures, 4) for _ in range(50)]
        assert all(ceiling / 2 <= d <= ceiling for d in delays)
        assert len(set(delays)) > 1  # jitter


def test_locked_and_lost_database_are_retried(monkeypatch: Any) -> None:
    sleeps: list[float] = []
    monkeypatch.setattr(worker_module.time, "sleep", sleeps.append)
    monkeypatch.setattr(worker_module, "reset_connections", lambda: None)
    errors = [OperationalError("database is locked"), InterfaceError("connection already closed")]

    def flaky() -> str:
        if errors:
            raise errors.pop(0)
        return "claimed"

    worker = make_worker()
    assert worker.retrying(flaky) == "claimed"
    assert len(sleeps) == 2 and worker.failures == 0
    with pytest.raises(OperationalError):  # a real error is not hidden
        worker.retrying(lambda: (_ for _ in ()).throw(OperationalError("no such table: x")))


def test_a_task_outcome_is_saved_even_when_the_database_was_locked(monkeypatch: Any) -> None:
    monkeypatch.setattr(worker_module.time, "sleep", lambda _s: None)
    monkeypatch.setattr(worker_module, "reset_connections", lambda: None)
    saved: list[str] = []
    failures = [OperationalError("database is locked")] * 3

    class Task:
        takes_context = False

        def get_backend(self) -> Any:
            return object()

        def call(self, *args: Any, **kwargs: Any) -> int:
            return 42

    class Result:
        id = "t1"
        task = Task()
        task_result = type("R", (), {"args": [], "kwargs": {}})()

        def set_successful(self, value: Any) -> None:
            if failures:
                raise failures.pop()
            saved.append(f"ok {value}")

        def set_failed(self, error: BaseException) -> None:
            saved.append("failed")

    class Signal:
        def send(self, **kwargs: Any) -> None:
            pass

    monkeypatch.setattr(worker_module, "task_started", Signal())
    monkeypatch.setattr(worker_module, "task_finished", Signal())
    make_worker().run_task(Result())  # type: ignore[arg-type]
    assert saved == ["ok 42"]


def test_busy_database_is_a_503_with_retry_after(settings: Any) -> None:
    settings.ATTAIN_BUSY_RETRY_AFTER_SECONDS = 7
    middleware = DatabaseBusyMiddleware(lambda request: None)  # type: ignore[arg-type,return-value]
    locked = OperationalError("database is locked")
    assert is_busy(locked) and not is_busy(OperationalError("no such column: x"))
    api = middleware.process_exception(RequestFactory().post("/api/customers/"), locked)
    assert api is not None and api.status_code == 503 and api["Retry-After"] == "7"
    body = json.loads(api.content)["error"]
    assert (body["status"], body["code"]) == (503, "database_busy")
    with translation.override("zh-hans"):
        page = middleware.process_exception(RequestFactory().post("/crm/customers/"), locked)
    assert page is not None and page.status_code == 503 and page["Retry-After"] == "7"
    assert "数据库正忙" in page.content.decode()
    assert middleware.process_exception(RequestFactory().get("/"), ValueError("x")) is None
