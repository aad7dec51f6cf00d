"""A local robot-webhook receiver (standard library ``http.server`` in a thread), for the
tests and ``attain bench_notify``: it answers like WeCom/DingTalk (``{"errcode": 0}``),
or fails on purpose (``mode``: ``"ok"``, ``"error"`` an HTTP 500, ``"errcode"`` a
200 with an error code, ``"slow"`` later than any timeout)."""

from __future__ import annotations

import contextlib
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 1024  # the listen backlog: many workers post at once


class Receiver:
    def __init__(self, mode: str = "ok", delay: float = 2.0) -> None:
        self.mode = mode
        self.delay = delay
        self.received: list[dict[str, Any]] = []
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                with receiver.lock:
                    receiver.received.append({"path": self.path, "body": json.loads(raw or b"{}")})
                mode = receiver.mode
                if mode == "slow":
                    time.sleep(receiver.delay)
                if mode == "error":
                    self.answer(500, {"errcode": -1, "errmsg": "system busy"})
                elif mode == "errcode":
                    self.answer(200, {"errcode": 310000, "errmsg": "sign not match"})
                else:
                    self.answer(200, {"errcode": 0, "errmsg": "ok"})

            def answer(self, status: int, body: dict[str, Any]) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                with contextlib.suppress(OSError):  # the client gave up (a timeout test)
                    self.wfile.write(data)

            def log_message(self, format: str, *args: Any) -> None:
                return

        self.server = _Server(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host!s}:{port}/cgi-bin/webhook/send?key=local"

    def count(self) -> int:
        with self.lock:
            return len(self.received)

    def __enter__(self) -> Receiver:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
