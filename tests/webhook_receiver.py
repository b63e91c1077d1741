"""A real HTTP receiver on loopback, standing in for a Teams flow or an archive system.

It records every request it gets (headers, body) and answers with the statuses a test
lines up (200 once they run out), so a test can make it fail, redirect or vanish.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass(frozen=True)
class Received:
    """One request as it arrived."""

    path: str
    headers: dict[str, str]  # lower-case names
    body: bytes

    @property
    def json(self) -> Any:
        return json.loads(self.body)

    @property
    def type(self) -> str:
        return str(self.json["type"])


@dataclass
class Receiver:
    url: str
    requests: list[Received] = field(default_factory=list)
    answers: list[tuple[int, dict[str, str]]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    delay: float = 0.0  # seconds to think before answering, like a busy receiver

    def answer(self, status: int, times: int = 1, **headers: str) -> None:
        """Answer the next ``times`` requests with ``status`` (and these headers)."""
        with self.lock:
            self.answers.extend([(status, headers)] * times)

    def next_answer(self) -> tuple[int, dict[str, str]]:
        with self.lock:
            return self.answers.pop(0) if self.answers else (200, {})

    def record(self, received: Received) -> None:
        with self.lock:
            self.requests.append(received)

    def types(self) -> list[str]:
        with self.lock:
            return [r.type for r in self.requests]


@contextmanager
def receiving(port: int = 0) -> Iterator[Receiver]:
    """A receiver listening on 127.0.0.1 (any free port, or ``port``) until the block ends."""
    receiver: Receiver

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("content-length", "0"))
            body = self.rfile.read(length)
            headers = {name.lower(): value for name, value in self.headers.items()}
            receiver.record(Received(self.path, headers, body))
            status, extra = receiver.next_answer()
            if receiver.delay:
                time.sleep(receiver.delay)
            answer = b"ok" if status < 300 else b"the receiver refused this"
            self.send_response(status)
            for name, value in extra.items():
                self.send_header(name, value)
            self.send_header("content-length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, *_args: Any) -> None:
            return  # quiet: pytest shows what the test asserts

    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    receiver = Receiver(f"http://127.0.0.1:{server.server_address[1]}/hooks/phasegate")
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
