"""``attain worker``: the background worker for imports and calculation runs.

django-tasks' ``db_worker`` with the same options, plus: retries with backoff when the
database is locked or lost (it never dies of that), a reaper for the runs, batches and
tasks of workers that died (:mod:`attain.ops.worker`), and ``--supervise``, which runs
the worker as a child process and starts it again whenever it exits (``make demo``
uses it; in production a service manager does the same, see docs/operations.md).
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from argparse import ArgumentParser
from types import FrameType
from typing import Any

from django.utils.translation import gettext as _
from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand

from attain.ops.worker import SurvivingWorker, backoff_delay, lengthen_busy_timeout, max_backoff
from attain.web import leases

QUICK_EXIT = 10.0  # a child that ran less than this many seconds backs off before restart


class Command(DbWorkerCommand):
    help = (
        "Run the background worker (imports, calculation runs): retries a locked or lost "
        "database with backoff, marks failed the work of workers that died; --supervise "
        "restarts it whenever it exits."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        super().add_arguments(parser)
        parser.set_defaults(worker_id=None, reload=False)
        parser.add_argument(
            "--supervise",
            action="store_true",
            help="run the worker as a child process and restart it whenever it exits",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options.pop("supervise"):
            self.supervise()
            return
        self.configure_logging(options["verbosity"])
        lengthen_busy_timeout()
        queue_names = options["queue_name"].split(",")
        excluded = options["exclude_queues"].split(",") if options["exclude_queues"] else []
        worker = SurvivingWorker(
            queue_names=queue_names,
            interval=options["interval"],
            batch=options["batch"],
            backend_name=options["backend_name"],
            startup_delay=options["startup_delay"],
            max_tasks=options["max_tasks"],
            worker_id=options["worker_id"] or leases.holder(),
            excluded_queue_names=excluded,
            max_backoff=max_backoff(),
        )
        worker.configure_signals()
        worker.run()

    def supervise(self) -> None:
        """Start ``attain worker`` (without --supervise) again each time it exits; stop
        it and stop when told to (SIGTERM, SIGINT)."""
        argv = [sys.argv[0], *[a for a in sys.argv[1:] if a != "--supervise"]]
        child: subprocess.Popen[bytes] | None = None
        stopping = False

        def stop(signum: int, frame: FrameType | None) -> None:
            nonlocal stopping
            stopping = True
            if child is not None and child.poll() is None:
                child.send_signal(signal.SIGTERM)

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        failures = 0
        while not stopping:
            started = time.monotonic()
            child = subprocess.Popen(argv)  # our own command line
            code = child.wait()
            if stopping:
                break
            failures = failures + 1 if time.monotonic() - started < QUICK_EXIT else 1
            delay = backoff_delay(failures, max_backoff())
            self.stderr.write(
                _("worker exited with %(code)s; starting it again in %(seconds).1f s")
                % {"code": code, "seconds": delay}
            )
            time.sleep(delay)
        if child is not None and child.poll() is None:
            try:
                child.wait(timeout=30)
            except subprocess.TimeoutExpired:
                child.kill()
