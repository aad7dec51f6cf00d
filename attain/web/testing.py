"""Helpers for tests: small real files (each starts with the magic number of its type),
a page's text as a person reads it, and the `attain` command run as another process."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any


def page_text(html: str | bytes) -> str:
    """The page's text as a person reads it: tags and their attributes left out."""
    if isinstance(html, bytes):
        html = html.decode()
    return re.sub(r"<[^>]*>", " ", html)


def read_page(user: Any, url: str, language: str) -> str:
    """:func:`page_text` of ``url`` as ``user`` reads it in ``language`` (a 200 asserted)."""
    from django.test import Client

    client = Client()
    client.force_login(user)
    answer = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
    assert answer.status_code == 200, url
    return page_text(answer.content)


def every_row(client: Any, url: str, **headers: Any) -> list[dict[str, Any]]:
    """The rows of every page of a paged API list, following ``next`` from ``url`` (each
    page a 200)."""
    rows: list[dict[str, Any]] = []
    address: str | None = url
    while address:
        answer = client.get(address, **headers)
        assert answer.status_code == 200, answer.content[:300]
        rows += answer.json()["results"]
        address = answer.json()["next"]
    return rows


def paged_rows(client: Any, url: str, page_size: int) -> list[dict[str, Any]]:
    """The rows of the paged API list ``url`` read ``page_size`` at a time, checking the
    common pager on the way: the first page has no ``previous``, says the whole count and
    has a ``next`` only when there is more than a page; a page far past the last (9) is
    a 404."""
    address = f"{url}?page_size={page_size}"
    first = client.get(address).json()
    rows = every_row(client, address)
    assert first["count"] == len(rows) and first["previous"] is None
    assert (first["next"] is not None) == (len(rows) > page_size)
    assert client.get(f"{url}?page=9").status_code == 404
    return rows


def image_bytes(fmt: str = "JPEG", size: tuple[int, int] = (4, 3)) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", size, "red").save(out, fmt)
    return out.getvalue()


M4A_BYTES = b"\x00\x00\x00\x18ftypM4A \x00\x00\x00\x00M4A isom" + b"\x00" * 16
PDF_BYTES = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"
HTML_BYTES = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"
SVG_BYTES = (
    b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)">'
    b"<script>alert(document.domain)</script></svg>"
)


def at_once(work: Callable[[], Any], times: int = 2) -> list[Any]:
    """Call ``work`` from ``times`` threads at the same moment (a barrier lets them go
    together), as two web processes or workers would; each thread's database connection
    is closed when it ends. Returns what each call returned, or the exception it raised,
    in the order they finished."""
    import threading

    from django.db import connection

    together = threading.Barrier(times)
    outcomes: list[Any] = []

    def call() -> None:
        try:
            together.wait(timeout=10)
            outcomes.append(work())
        except Exception as error:  # what the test looks at, not a crash of the thread
            outcomes.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=call) for _ in range(times)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def command_env(
    database_url: str, var_dir: Path, *, leave_out: Iterable[str] = ()
) -> dict[str, str]:
    """The environment of an `attain` command run as another process on a database of
    its own: this one's, without the test run's task backend and settings module (and
    ``leave_out``), with ``database_url``, ``var_dir`` and the project's settings."""
    dropped = {"ATTAIN_TASKS", "DJANGO_SETTINGS_MODULE", *leave_out}
    env = {key: value for key, value in os.environ.items() if key not in dropped}
    env.update(
        DATABASE_URL=database_url,
        ATTAIN_VAR_DIR=str(var_dir),
        DJANGO_SETTINGS_MODULE="config.settings",
    )
    return env


def run_attain(
    *args: str, env: Mapping[str, str], timeout: float, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    """`attain ARGS` run by this Python as another process, its output captured as text
    (the exit code is the caller's to check)."""
    return subprocess.run(
        [sys.executable, "-m", "attain.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=timeout,
        check=False,
    )


def dead_pid() -> int:
    """The id of a process that has ended (a worker killed before it could finish)."""
    process = subprocess.Popen(["true"])
    process.wait()
    return process.pid


def migrated(targets: list[tuple[str, str]] | None = None) -> Any:
    """Migrate the test database back or forward to ``targets`` ((app, migration) pairs;
    every app's latest when None) and return the apps as they are there (the historical
    models). A test of a data migration needs ``django_db(transaction=True)``."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    goal = targets if targets is not None else executor.loader.graph.leaf_nodes()
    executor.migrate(goal)
    return executor.loader.project_state(goal).apps
