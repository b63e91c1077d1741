"""Delivering the outbox from inside `phasegate serve` while SMTP is configured.

The scheduler (a later capability) will take this over; until then the web process
sends what is due every few seconds. Several processes may do so at once: senders claim
rows in the database, so none is sent twice.
"""

from __future__ import annotations

import asyncio
import logging

from phasegate.bootstrap import App
from phasegate.mail.sender import Sender

log = logging.getLogger(__name__)
INTERVAL_SECONDS = 15.0


async def deliver_forever(app: App, interval: float = INTERVAL_SECONDS) -> None:
    """Send what is due, then wait; a failing pass is logged and the next one tries again."""
    settings = app.settings
    assert settings.smtp_url is not None
    sender = Sender(
        app.database,
        settings.smtp_url.get_secret_value(),
        settings.mail_from,
        clock=app.engine.clock,
        rate_per_minute=settings.mail_rate_per_minute,
    )
    while True:
        try:
            report = await sender.send_pending()
            if report.sent or report.dead or report.connection_error:
                log.info("outbox pass: %s", report)
        except Exception:
            log.exception("outbox pass failed; trying again in %.0f s", interval)
        await asyncio.sleep(interval)
