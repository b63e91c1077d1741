"""The scheduler: APScheduler as a clock that runs ticks and delivers the outbox.

The database decides what is due (see :mod:`phasegate.cycle.tick`); APScheduler only says
"now". It runs inside ``phasegate serve`` (a background thread) or on its own as
``phasegate scheduler``. Any number of schedulers may run against one database.

Misfires are handled on purpose. APScheduler's default grace time of one second would
silently drop a run that starts late (a busy machine, a suspended laptop), so every job
runs however late it is (``misfire_grace_time=None``), and runs missed while the process
was stopped or stuck are coalesced into one (``coalesce=True``). The first run is at
start-up, so a scheduler that was down catches up at once: one pass, and one catch-up
reminder per overdue item.
"""

from __future__ import annotations

import asyncio
import logging
import signal
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from types import FrameType
from typing import Any

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.triggers.interval import IntervalTrigger

from phasegate.bootstrap import App
from phasegate.cycle.tick import TickReport
from phasegate.mail.sender import Sender, SendReport, configured_sender
from phasegate.webhooks.deliverer import (
    DeliveryReport,
    configured_deliverer,
    deliver_pending_sync,
)

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PassReport:
    """One scheduler pass: the tick, the outbox delivery when SMTP is configured, and the
    webhooks."""

    tick: TickReport
    mail: SendReport | None
    webhooks: DeliveryReport | None = None


def sender_for(app: App) -> Sender | None:
    """A sender for the configured SMTP relay, or None when mail stays in the outbox."""
    if app.settings.smtp_url is None:
        return None
    return configured_sender(app.settings, app.database, app.engine.clock)


def run_pass(app: App, sender: Sender | None = None) -> PassReport:
    """Do everything due now once: the tick, then deliver what it (and others) queued:
    the email when there is a sender, and the webhooks."""
    report = tick_once(app)
    mail = deliver(sender) if sender is not None else None
    deliverer = configured_deliverer(app.settings, app.database, app.engine.clock)
    return PassReport(report, mail, deliver_pending_sync(deliverer))


def tick_once(app: App) -> TickReport:
    """One tick of the annual cycle, logged when it did anything."""
    report = app.ticker.tick()
    if report:
        log.info("tick: %s", report)
    return report


def deliver(sender: Sender) -> SendReport:
    """One outbox pass, logged when it sent, buried or could not reach the server."""
    report = asyncio.run(sender.send_pending())
    if report.sent or report.dead or report.connection_error:
        log.info("outbox: %s", report)
    return report


def add_jobs(scheduler: BaseScheduler, app: App) -> None:
    """The tick every PHASEGATE_TICK_SECONDS; the outbox and the webhooks every
    PHASEGATE_OUTBOX_SECONDS."""
    settings = app.settings
    sender = sender_for(app)
    deliverer = configured_deliverer(settings, app.database, app.engine.clock)
    when: dict[str, Any] = {
        "misfire_grace_time": None,  # run however late: never drop due work
        "coalesce": True,  # many missed runs become one
        "max_instances": 1,  # a slow pass is never overlapped by the next in this process
        "next_run_time": datetime.now(UTC),  # catch up at start-up
    }
    scheduler.add_job(
        _safely,
        IntervalTrigger(seconds=settings.tick_seconds),
        args=["the tick", partial(tick_once, app)],
        id="tick",
        name="annual cycle tick",
        **when,
    )
    if sender is not None:
        scheduler.add_job(
            _safely,
            IntervalTrigger(seconds=settings.outbox_seconds),
            args=["outbox delivery", partial(deliver, sender)],
            id="outbox",
            name="outbox delivery",
            **when,
        )
    scheduler.add_job(
        _safely,
        IntervalTrigger(seconds=settings.outbox_seconds),
        args=["webhook delivery", partial(deliver_pending_sync, deliverer)],
        id="webhooks",
        name="webhook delivery",
        **when,
    )


def background_scheduler(app: App) -> BackgroundScheduler:
    """The scheduler inside ``phasegate serve``; the caller starts and shuts it down."""
    scheduler = BackgroundScheduler(timezone=app.wheel.zone)
    add_jobs(scheduler, app)
    return scheduler


def run_forever(app: App) -> None:
    """``phasegate scheduler``: run until Ctrl+C or SIGTERM, finishing the pass under way."""
    scheduler = BackgroundScheduler(timezone=app.wheel.zone)
    add_jobs(scheduler, app)
    stopping = threading.Event()

    def stop(signum: int, _frame: FrameType | None) -> None:
        log.info("stopping the scheduler (signal %s) after the pass under way", signum)
        stopping.set()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    scheduler.start()
    try:
        while not stopping.wait(1.0):
            continue
    finally:
        # Wait for the jobs here, in the main thread: once it returns, the interpreter
        # shuts down, and a pass under way could no longer record what it sent.
        scheduler.shutdown(wait=True)


def _safely(what: str, work: Callable[[], object]) -> None:
    """Run one job; a failure is logged, and the job's next run tries again."""
    try:
        work()
    except Exception:
        log.exception("%s failed; the next pass tries again", what)
