"""``attain bench_notify``: fan out 10,000 notifications through the real worker path.

It starts a local webhook receiver (:mod:`attain.notify.receiver`, standard library
``http.server`` in a thread), gives ``--count`` throwaway logins a personal WeCom-style
webhook pointing at it, calls :func:`attain.notify.services.notify` once for all of them
(stored notifications, deliveries, queued tasks) and starts ``--workers`` processes of
``attain worker --batch``; the clock stops when the receiver has every message and every
delivery is recorded sent. As a baseline, the same number of bare HTTP posts (same
threads, no database, no worker) is timed in the same run. The logins and everything
hanging off them are deleted afterwards. Goal (issue 17): at most 60 seconds.

Personal webhooks may not reach loopback addresses (``ATTAIN_PERSONAL_WEBHOOKS_ANYWHERE``);
the receiver is on 127.0.0.1, so the bench's workers are started allowing that one
address (``ATTAIN_PERSONAL_WEBHOOKS_ALLOWED``), not every address.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from attain.notify import channels
from attain.notify.models import Delivery, Profile, Status
from attain.notify.receiver import Receiver
from attain.notify.services import notify
from attain.web.tasks import runs_in_background

PREFIX = "bench-notify-"
GOAL_SECONDS = 60.0


class Command(BaseCommand):
    help = "Time 10,000 notifications sent by the background workers to a local webhook."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--count", type=int, default=10_000)
        parser.add_argument("--workers", type=int, default=2, help="worker processes")
        parser.add_argument("--timeout", type=float, default=600.0, help="give up after (s)")

    def handle(self, *args: Any, **options: Any) -> None:
        if not runs_in_background():
            raise CommandError("bench_notify needs the database task queue (unset ATTAIN_TASKS)")
        count, workers = options["count"], options["workers"]
        threads = int(getattr(settings, "ATTAIN_NOTIFY_THREADS", 16))
        with Receiver() as receiver:
            baseline = self.bare_posts(receiver, count, threads)
            receiver.received.clear()
            users = self.make_logins(count, receiver.url)
            try:
                seconds = self.fan_out(receiver, users, workers, options["timeout"])
            finally:
                self.clean_up()
        rate = count / seconds
        self.stdout.write(
            f"notifications: {count} to a local webhook, {workers} worker processes × "
            f"{threads} threads, {connection_vendor()}\n"
            f"fan-out through the workers: {seconds:.2f} s ({rate:,.0f}/s)\n"
            f"baseline, bare HTTP posts: {baseline:.2f} s ({count / baseline:,.0f}/s)\n"
            f"ratio to the baseline: {seconds / baseline:.1f}×\n"
            f"goal ≤ {GOAL_SECONDS:.0f} s: {'met' if seconds <= GOAL_SECONDS else 'MISSED'}"
        )

    def bare_posts(self, receiver: Receiver, count: int, threads: int) -> float:
        body = {"msgtype": "markdown", "markdown": {"content": "**bench** baseline"}}
        began = time.perf_counter()
        with ThreadPoolExecutor(max_workers=threads) as pool:
            list(pool.map(lambda _i: channels.post_json(receiver.url, body), range(count)))
        return time.perf_counter() - began

    def make_logins(self, count: int, url: str) -> list[Any]:
        self.clean_up()
        user_model = get_user_model()
        with transaction.atomic():
            user_model.objects.bulk_create(
                [
                    user_model(username=f"{PREFIX}{i:06d}", password="!", is_active=True)
                    for i in range(count)
                ],
                batch_size=2000,
            )
            users = list(user_model.objects.filter(username__startswith=PREFIX))
            Profile.objects.bulk_create(
                [Profile(user=u, webhook_platform="wecom", webhook_url=url) for u in users],
                batch_size=2000,
            )
        return users

    def fan_out(self, receiver: Receiver, users: list[Any], workers: int, limit: float) -> float:
        began = time.perf_counter()
        notify("test", users)  # stores, queues; sends nothing itself
        command = [sys.executable, "-m", "attain.cli", "worker", "--batch", "--interval", "0.05"]
        # the workers may reach the bench's own receiver (on 127.0.0.1), and only it: they
        # also send whatever else is queued, which keeps its guard
        address = urllib.parse.urlsplit(receiver.url)
        env = {**os.environ, "ATTAIN_PERSONAL_WEBHOOKS_ALLOWED": address.netloc}

        def start() -> subprocess.Popen[bytes]:
            return subprocess.Popen(
                command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env
            )

        processes = [start() for _ in range(workers)]
        try:
            pending = Delivery.objects.filter(
                notification__recipient__username__startswith=PREFIX
            ).exclude(status=Status.SENT)
            while True:
                if receiver.count() >= len(users) and not pending.exists():
                    break
                if time.perf_counter() - began > limit:
                    raise CommandError(f"not done after {limit:.0f} s")
                if all(p.poll() is not None for p in processes) and pending.exists():
                    if not pending.exclude(status=Status.FAILED).exists():
                        raise CommandError("some deliveries failed; see the deliveries page")
                    # workers exited between two queued retries: start one more
                    processes.append(start())
                time.sleep(0.05)
            return time.perf_counter() - began
        finally:
            for p in processes:
                if p.poll() is None:
                    p.terminate()
                p.wait(timeout=30)

    def clean_up(self) -> None:
        get_user_model().objects.filter(username__startswith=PREFIX).delete()


def connection_vendor() -> str:
    from django.db import connection

    return str(connection.vendor)
