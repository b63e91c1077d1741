"""The composition root: builds the engine from settings, in one place."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

from sqlalchemy import Engine as Database

from phasegate.cycle.deadlines import DeadlineKeeper
from phasegate.cycle.mail import CycleMail
from phasegate.cycle.plans import Cycle
from phasegate.cycle.tick import Ticker
from phasegate.domain.wheel import Wheel
from phasegate.engine.catalog import WorkflowCatalog
from phasegate.engine.handlers import build_handlers
from phasegate.engine.schema import open_database
from phasegate.engine.service import Clock, Engine
from phasegate.errors import WorkflowError
from phasegate.i18n import LOCALES
from phasegate.links import LinkSigner
from phasegate.mail.compose import MailComposer
from phasegate.mail.render import Notifications
from phasegate.metrics import Metrics
from phasegate.settings import Environment, Settings
from phasegate.webhooks.fanout import Fanout
from phasegate.workflow.wheel_loader import load_wheel


def system_clock() -> datetime:
    return datetime.now(UTC)


def clock_for(settings: Settings) -> Clock:
    """The system clock, or the simulated one a drill configured (PHASEGATE_CLOCK_START)."""
    start, speed = settings.clock_start, settings.clock_speed
    if start is None:
        return system_clock
    began = time.monotonic()

    def simulated() -> datetime:
        return (start + timedelta(seconds=(time.monotonic() - began) * speed)).astimezone(UTC)

    return simulated


@dataclass(frozen=True)
class App:
    """Everything a running phasegate needs, built once and passed down."""

    settings: Settings
    database: Database
    engine: Engine
    secret_key: str
    signer: LinkSigner
    cycle: Cycle
    ticker: Ticker
    metrics: Metrics

    @property
    def wheel(self) -> Wheel:
        return self.cycle.wheel


def known_phases(settings: Settings, workflows: WorkflowCatalog) -> list[str] | None:
    """Every phase of the workflows in the directory, which the wheel's cycles may name.

    A workflow file that does not load contributes nothing here; it fails on its own
    when a project uses it. None when no workflow loads, so the wheel is not held up.
    """
    wheel = settings.wheel_path.resolve()
    found = (p.stem for p in settings.workflows_dir.glob("*.yaml") if p.resolve() != wheel)
    names = [settings.default_workflow, *sorted(found)]
    phases: dict[str, None] = {}
    for name in dict.fromkeys(names):
        try:
            definition = workflows.current(name)
        except WorkflowError:
            continue
        phases.update(dict.fromkeys(p.id for p in definition.phases))
    return list(phases) or None


def build(
    settings: Settings,
    *,
    clock: Clock | None = None,
    check_schema: bool = True,
    pool_size: int = 5,
) -> App:
    """Read the wheel, connect, check the schema is current, and wire the engine."""
    workflows = WorkflowCatalog(settings.workflows_dir)
    cycle = Cycle(load_wheel(settings.wheel_path, known_phases=known_phases(settings, workflows)))
    database = open_database(settings.database_url, pool_size=pool_size, check=check_schema)
    secret_key = settings.resolved_secret_key()
    signer = LinkSigner(
        secret_key, settings.previous_secret_keys(), timedelta(days=settings.link_ttl_days)
    )
    mail = MailComposer(
        Notifications(
            settings.notifications_dir,
            settings.zone,
            reload=settings.env is not Environment.PRODUCTION,
        ),
        signer,
        settings.base_url,
        settings.zone,
        timedelta(days=settings.link_ttl_days),
        domain=urlsplit(settings.base_url).hostname or "phasegate.local",
        meetings={
            event.id: {lang: event.label.get(lang) for lang in LOCALES}
            for event in cycle.wheel.events
        },
        sign_in_ttl=timedelta(minutes=settings.sign_in_link_minutes),
    )
    engine = Engine(
        database,
        workflows,
        clock or clock_for(settings),
        build_handlers(mail, DeadlineKeeper(cycle)),
        default_workflow=settings.default_workflow,
        publisher=Fanout(settings.base_url, settings.locale.value),
        wheel=cycle.wheel,
        scale=settings.scale,
    )
    metrics = Metrics(engine)
    ticker = Ticker(engine, cycle, CycleMail(mail, cycle), timed=metrics.tick_duration.time)
    return App(settings, database, engine, secret_key, signer, cycle, ticker, metrics)


@contextmanager
def running(settings: Settings | None = None, *, clock: Clock | None = None) -> Iterator[App]:
    """The wired application for one command, its database connections closed afterwards."""
    app = build(settings or Settings.load(), clock=clock)
    try:
        yield app
    finally:
        app.database.dispose()
