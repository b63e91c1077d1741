"""Webhook delivery benchmark: how fast queued deliveries reach a receiver on loopback.

Run it with ``make bench`` (or ``.venv/bin/python benchmarks/webhooks.py [-n N]``).

N events are queued for R receivers (an HTTP server in this process, on 127.0.0.1, that
answers 200 at once), on SQLite, and one deliverer pass posts them all: claim with a
lease, sign, post (side by side across receivers, in order within one), record. It prints
deliveries per second and checks that every delivery arrived exactly once.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from bulk import sqlite_app
from phasegate.webhooks.deliverer import Deliverer


@contextmanager
def receiver() -> Iterator[tuple[str, Counter[str]]]:
    """A loopback receiver that answers 200 and counts each webhook-id it gets."""
    seen: Counter[str] = Counter()
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, as a real receiver would

        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("content-length", "0")))
            with lock:
                seen[self.headers["webhook-id"]] += 1
            self.send_response(200)
            self.send_header("content-length", "0")
            self.end_headers()

        def log_message(self, *_args: Any) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/in", seen
    finally:
        server.shutdown()
        server.server_close()


def run(n: int, receivers: int) -> None:
    with tempfile.TemporaryDirectory() as folder, receiver() as (url, seen):
        app = sqlite_app(Path(folder))
        engine = app.engine
        for r in range(receivers):
            engine.add_webhook(f"receiver {r}", f"{url}?r={r}", ["ProjectRegistered"], actor=None)
        for i in range(n):
            engine.register_project(f"Prosjekt {i}", owner=None, leader=None)
        deliverer = Deliverer(app.database, clock=engine.clock)
        started = time.perf_counter()
        report = asyncio.run(deliverer.deliver_pending())
        elapsed = time.perf_counter() - started
        app.database.dispose()
    expected = n * receivers
    if report.sent != expected or len(seen) != expected or set(seen.values()) != {1}:
        sys.exit(f"expected {expected} deliveries once each; {report}, {len(seen)} distinct ids")
    print(
        f"{receivers} receiver(s): {expected} deliveries in {elapsed:.2f} s = "
        f"{expected / elapsed:6.0f} deliveries/s ({elapsed * 1000 / expected:.2f} ms each)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=1000, help="events to deliver (default 1000)")
    args = parser.parse_args()
    print(f"phasegate webhook benchmark: {args.n} events, one pass, SQLite, loopback receiver")
    run(args.n, 1)
    run(args.n, 4)


if __name__ == "__main__":
    main()
