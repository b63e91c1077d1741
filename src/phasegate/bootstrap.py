"""The composition root: builds the engine from settings, in one place."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

from sqlalchemy import Engine as Database

from phasegate.engine.handlers import build_handlers
from phasegate.engine.service import Clock, Engine
from phasegate.links import LinkSigner
from phasegate.mail.compose import MailComposer
from phasegate.mail.render import Notifications
from phasegate.settings import Settings
from phasegate.storage.database import connect, ensure_schema_current
from phasegate.workflow.catalog import WorkflowCatalog


def system_clock() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class App:
    """Everything a running phasegate needs, built once and passed down."""

    settings: Settings
    database: Database
    engine: Engine
    secret_key: str
    signer: LinkSigner


def build(
    settings: Settings,
    *,
    clock: Clock = system_clock,
    check_schema: bool = True,
    pool_size: int = 5,
) -> App:
    """Connect, check the schema is current, and wire the engine."""
    database = connect(settings.database_url, pool_size=pool_size)
    if check_schema:
        try:
            ensure_schema_current(database)
        except Exception:
            database.dispose()  # a refused start must not leave connections behind
            raise
    secret_key = settings.resolved_secret_key()
    signer = LinkSigner(
        secret_key, settings.previous_secret_keys(), timedelta(days=settings.link_ttl_days)
    )
    mail = MailComposer(
        Notifications(settings.notifications_dir, settings.zone),
        signer,
        settings.base_url,
        settings.zone,
        timedelta(days=settings.link_ttl_days),
        domain=urlsplit(settings.base_url).hostname or "phasegate.local",
    )
    engine = Engine(
        database,
        WorkflowCatalog(settings.workflows_dir),
        clock,
        build_handlers(mail),
        default_workflow=settings.default_workflow,
    )
    return App(settings, database, engine, secret_key, signer)
