"""``attain bench_web``: p50/p95/p99 of the "My performance" page under concurrent users,
against a trivial page (``/login/``) in the same run, and the latency of an incremental
update (a new order → visible on the rep's page).

It starts the production server (gunicorn, ``--workers 4 --threads 2``) with
``ATTAIN_DEBUG=0`` on the configured database, signs in as the
given user, and drives the pages with ``--users`` threads (closed loop, no think time,
``http.client``), or benchmarks a server already running with ``--url``.
"""

from __future__ import annotations

import datetime
import http.client
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

SERVER_OPTIONS = ("--workers", "4", "--threads", "2", "--log-level", "warning")


class Session:
    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.cookies: dict[str, str] = {}

    def request(
        self, method: str, path: str, body: str | None = None
    ) -> tuple[int, dict[str, str], bytes]:
        connection = http.client.HTTPConnection(self.host, self.port, timeout=60)
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Referer"] = f"http://{self.host}:{self.port}{path}"
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        data = response.read()
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name] = rest.split(";")[0]
        connection.close()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, data

    def login(self, username: str, password: str) -> None:
        self.request("GET", "/login/")
        body = urllib.parse.urlencode(
            {
                "username": username,
                "password": password,
                "csrfmiddlewaretoken": self.cookies.get("csrftoken", ""),
            }
        )
        status, _headers, _data = self.request("POST", "/login/", body)
        if status != 302 or "sessionid" not in self.cookies:
            raise CommandError(f"could not sign in as {username} (HTTP {status})")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _main_actual(session: Session, path: str, period: str) -> Decimal | None:
    """The main measure's actual as the rep's page shows it."""
    _status, _headers, body = session.request("GET", f"{path}?period={period}")
    found = re.search(rb'id="main-actual">([^<]+)<', body)
    if found is None:
        return None
    return Decimal(found[1].decode().replace(",", ""))


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(p / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]


class Command(BaseCommand):
    help = "Measure the My performance page under concurrent users, and incremental updates."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--users", type=int, default=50)
        parser.add_argument("--requests", type=int, default=2000, help="per page")
        parser.add_argument("--username", default="rep")
        parser.add_argument("--password", default="demo")
        parser.add_argument("--path", default="/performance/")
        parser.add_argument("--port", type=int, default=0, help="default: a free port")
        parser.add_argument("--url", help="benchmark a server already running there")
        parser.add_argument("--updates", type=int, default=5, help="incremental updates to time")
        parser.add_argument(
            "--think", type=float, default=0.0, help="seconds each user waits between requests"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        self.verbosity = options["verbosity"]
        server = None
        if options["url"]:
            parsed = urllib.parse.urlparse(options["url"])
            host, port = parsed.hostname or "127.0.0.1", parsed.port or 80
            self.server_label = f"already running at {options['url']}"
        else:
            self.server_label = "gunicorn " + " ".join(SERVER_OPTIONS[:4]) + ", ATTAIN_DEBUG=0"
            host, port = "127.0.0.1", options["port"] or _free_port()
            server = self._start(port)
        try:
            self._run(host, port, options)
        finally:
            if server is not None:
                server.terminate()
                server.wait(timeout=10)

    def _start(self, port: int) -> subprocess.Popen[bytes]:
        env = {
            **os.environ,
            "ATTAIN_DEBUG": "0",
            "ATTAIN_SECRET_KEY": os.environ.get("ATTAIN_SECRET_KEY", "bench-web-not-secret"),
            "ATTAIN_ALLOWED_HOSTS": "127.0.0.1",
        }
        attain = [sys.executable, "-c", "from attain.cli import main; main()"]
        # Without debug, static files come from the manifest `collectstatic` writes.
        subprocess.run([*attain, "collectstatic", "--noinput", "-v", "0"], env=env, check=True)
        command = [
            *(sys.executable, "-m", "gunicorn", "config.wsgi"),
            *("--bind", f"127.0.0.1:{port}", *SERVER_OPTIONS),
        ]
        server = subprocess.Popen(
            command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        for _ in range(100):
            try:
                http.client.HTTPConnection("127.0.0.1", port, timeout=1).request("GET", "/login/")
                return server
            except OSError:
                time.sleep(0.1)
        server.terminate()
        raise CommandError("the server did not start")

    def _run(self, host: str, port: int, options: dict[str, Any]) -> None:
        session = Session(host, port)
        session.login(options["username"], options["password"])
        users, count = options["users"], options["requests"]
        self.stdout.write(
            f"{users} concurrent users (think time {options['think']} s), "
            f"{count} requests per page, "
            f"server: {self.server_label}"
        )
        anonymous = Session(host, port)  # the trivial page: the sign-in form
        think = options["think"]
        self._load(anonymous, "/login/", "trivial /login/", users, count, think)
        self._load(session, options["path"], "My performance", users, count, think)
        if options["updates"]:
            self._updates(session, options)

    def _load(
        self, session: Session, path: str, label: str, users: int, count: int, think: float
    ) -> None:
        for _ in range(20):  # warm up
            session.request("GET", path)
        latencies: list[float] = []
        server_times: list[float] = []
        errors = 0
        statuses: dict[int, int] = {}
        failures: list[bytes] = []
        lock = threading.Lock()

        def one(_n: int) -> None:
            nonlocal errors
            if think:
                time.sleep(think * (0.5 + random.random()))
            began = time.perf_counter()
            status, headers, body = session.request("GET", path)
            if status != 200 and not failures:
                failures.append(body[:2000])
            elapsed = (time.perf_counter() - began) * 1000
            timing = re.search(r"dur=([\d.]+)", headers.get("server-timing", ""))
            with lock:
                latencies.append(elapsed)
                if timing:
                    server_times.append(float(timing[1]))
                statuses[status] = statuses.get(status, 0) + 1
                if status != 200:
                    errors += 1

        began = time.perf_counter()
        with ThreadPoolExecutor(max_workers=users) as pool:
            list(pool.map(one, range(count)))
        wall = time.perf_counter() - began
        line = (
            f"{label:18} n={len(latencies)} errors={errors} {statuses} "
            f"p50={percentile(latencies, 50):.0f} ms p95={percentile(latencies, 95):.0f} ms "
            f"p99={percentile(latencies, 99):.0f} ms mean={statistics.fmean(latencies):.0f} ms "
            f"throughput={len(latencies) / wall:.0f}/s"
        )
        if server_times:
            line += (
                f" | view time p50={percentile(server_times, 50):.1f} ms "
                f"p95={percentile(server_times, 95):.1f} ms"
            )
        self.stdout.write(line)
        if failures and self.verbosity > 1:
            self.stdout.write(failures[0].decode(errors="replace"))

    def _updates(self, session: Session, options: dict[str, Any]) -> None:
        from django.contrib.auth import get_user_model

        from attain.crm.models import Customer, Order
        from attain.org.models import Person

        user = get_user_model().objects.get(username=options["username"])
        person = Person.objects.filter(user=user).first()
        if person is None:
            self.stdout.write("incremental: the user has no person; skipped")
            return
        customer = Customer.objects.filter(owner=person).first() or Customer.objects.first()
        today = datetime.date.today()
        period = f"{today.year}-Q{(today.month - 1) // 3 + 1}"
        timings = []
        for n in range(options["updates"]):
            amount = Decimal("1000.00") + n
            before = _main_actual(session, options["path"], period)
            began = time.perf_counter()
            with transaction.atomic():  # the update runs when this commits
                order = Order.objects.create(
                    external_id=f"BENCH-{time.time_ns()}",
                    customer=customer,
                    owner=person,
                    date=today,
                    amount=amount,
                )
            saved = time.perf_counter()
            after = _main_actual(session, options["path"], period)
            visible = time.perf_counter()
            shown = (before is not None and after == before + amount, before, after)
            timings.append(((saved - began) * 1000, (visible - began) * 1000, shown))
            order.delete()
        for saved_ms, visible_ms, shown in timings:
            self.stdout.write(
                f"incremental update: order saved + results recomputed {saved_ms:.0f} ms, "
                f"rep's page fetched after {visible_ms:.0f} ms "
                f"({'shows the new revenue' if shown[0] else 'NOT updated'}: "
                f"{shown[1]} → {shown[2]})"
            )
        self.stdout.write(
            f"incremental p50={statistics.median([t[1] for t in timings]):.0f} ms "
            f"max={max(t[1] for t in timings):.0f} ms"
        )
