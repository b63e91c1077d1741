"""Mail benchmark: how close the outbox sender comes to bare SMTP on one connection.

Run it with ``.venv/bin/python benchmarks/mail.py [-n N]``.

The protocol: N messages (default 1000) are queued in a fresh SQLite outbox, then one
``Sender`` pass (no rate limit) delivers them to an aiosmtpd server on loopback, running in
a process of its own as a real relay would. The pass includes everything production does:
claiming batches, building the MIME messages and recording each outcome in its own
transaction. The ceiling is a bare aiosmtplib loop sending the same N messages, built
beforehand, over one connection to the same server. Each is measured ``--rounds`` times
(default 3), alternating, and the best of each counts: the machine's other work only ever
slows a round down. The target is at least half the ceiling's rate.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import aiosmtplib
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

from phasegate.engine.outbox import enqueue
from phasegate.mail.message import Claimed, build_message
from phasegate.mail.render import RenderedEmail
from phasegate.mail.sender import Sender
from phasegate.storage.database import connect, upgrade

TARGET_RATIO = 0.5
MAIL_FROM = "phasegate <phasegate@bench.example>"
TEXT = (
    "Hei Ole-Kristian,\n\nDigitaliseringsstrategi ber om beslutning ved BP3: start "
    "gjennomføring.\n\nGodkjenn: https://phasegate.example/v/abcdef0123456789\n" * 6
)
HTML = "<html><body>" + "<p>Digitaliseringsstrategi ber om beslutning.</p>" * 40 + "</body>"


class Counting:
    """An aiosmtpd handler that counts what it accepts and throws it away."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.accepted = 0

    async def handle_DATA(  # noqa: N802 - aiosmtpd's hook name
        self, _server: SMTP, _session: Session, _envelope: Envelope
    ) -> str:
        with self.lock:
            self.accepted += 1
        return "250 OK"


class LoopbackController(Controller):
    """aiosmtpd's Controller on a free port (it otherwise pings port 0 to start)."""

    def _trigger_server(self) -> None:
        server = self.server
        assert isinstance(server, asyncio.Server)
        self.port = server.sockets[0].getsockname()[1]
        super()._trigger_server()  # type: ignore[no-untyped-call]


def queue(url: str, count: int) -> None:
    database = connect(url)
    upgrade(database)
    now = datetime.now(UTC)
    with database.begin() as conn:
        for i in range(count):
            email = RenderedEmail(f"Beslutning ønskes: prosjekt {i} ved BP3", TEXT, HTML)
            recipient = f"eier{i}@bench.example"
            enqueue(conn, kind="decision_requested", recipient=recipient, email=email, now=now)
    database.dispose()


def through_sender(url: str, smtp_url: str) -> tuple[float, int]:
    database = connect(url)
    sender = Sender(database, smtp_url, MAIL_FROM, clock=lambda: datetime.now(UTC))
    started = time.perf_counter()
    report = asyncio.run(sender.send_pending())
    elapsed = time.perf_counter() - started
    database.dispose()
    return elapsed, report.sent


async def bare_loop(port: int, messages: list[Any]) -> float:
    smtp = aiosmtplib.SMTP(hostname="127.0.0.1", port=port, start_tls=False)
    started = time.perf_counter()
    await smtp.connect()
    for message in messages:
        await smtp.send_message(message)
    await smtp.quit()
    return time.perf_counter() - started


def prebuilt(count: int) -> list[Any]:
    now = datetime.now(UTC)
    rows = [
        Claimed(
            id=i,
            message_id=f"<bare{i}@bench.example>",
            recipient=f"eier{i}@bench.example",
            subject=f"Beslutning ønskes: prosjekt {i} ved BP3",
            body_text=TEXT,
            body_html=HTML,
            attempts=0,
            last_error=None,
            created_at=now,
            claimed_until=now,
        )
        for i in range(count)
    ]
    return [build_message(row, MAIL_FROM) for row in rows]


def serve(connection: Connection) -> None:
    """The SMTP server, in a process of its own so that it does not share our GIL."""
    handler = Counting()
    controller = LoopbackController(handler, hostname="127.0.0.1", port=0)
    controller.start()
    connection.send(int(controller.port))
    connection.recv()  # told to stop
    controller.stop()
    connection.send(handler.accepted)


def measure(port: int, count: int) -> tuple[float, float]:
    """One round: seconds for the Sender, then for the bare loop, on the same N messages."""
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'outbox.db'}"
        queue(url, count)
        sender_seconds, sent = through_sender(url, f"smtp://127.0.0.1:{port}")
    if sent != count:
        raise SystemExit(f"error: the Sender sent {sent} of {count} messages")
    return sender_seconds, asyncio.run(bare_loop(port, prebuilt(count)))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("-n", type=int, default=1000, help="messages to send (default 1000)")
    parser.add_argument("--rounds", type=int, default=3, help="best of this many (default 3)")
    args = parser.parse_args(argv)
    count, rounds = args.n, args.rounds

    spawn = multiprocessing.get_context("spawn")
    ours, theirs = spawn.Pipe()
    server = spawn.Process(target=serve, args=(theirs,))
    server.start()
    try:
        port = int(ours.recv())
        timings = [measure(port, count) for _ in range(rounds)]
        ours.send("stop")
        accepted = int(ours.recv())
    finally:
        server.join(timeout=10)
        if server.is_alive():
            server.kill()
            server.join()
        ours.close()
        theirs.close()

    if accepted != 2 * count * rounds:
        print(f"error: the server accepted {accepted} messages, not {2 * count * rounds}")
        return 1
    sender_rate = count / min(sender for sender, _ in timings)
    bare_rate = count / min(bare for _, bare in timings)
    ratio = sender_rate / bare_rate
    print(f"messages: {count}, best of {rounds} rounds (SMTP server in its own process)")
    print(f"Sender (outbox on SQLite):  {sender_rate:6.0f} msg/s")
    print(f"bare aiosmtplib loop:       {bare_rate:6.0f} msg/s")
    print("every round (Sender / bare, msg/s): " + ", ".join(
        f"{count / sender:.0f} / {count / bare:.0f}" for sender, bare in timings
    ))  # fmt: skip
    verdict = "met" if ratio >= TARGET_RATIO else "NOT met"
    print(f"ratio: {ratio:.2f} (target >= {TARGET_RATIO}: {verdict})")
    return 0 if ratio >= TARGET_RATIO else 1


if __name__ == "__main__":
    sys.exit(main())
