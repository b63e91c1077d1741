"""What the demo tells whoever started it about where its emails can be read."""

from __future__ import annotations

from phasegate.mail.smtp import parse_smtp_url
from phasegate.settings import Settings

SENDERS = "`phasegate serve`, `phasegate scheduler` or `phasegate mail send-pending`"


def where_the_emails_go(settings: Settings, *, serving: bool) -> str:
    """Where the emails are, as ``settings`` have it, in words.

    With PHASEGATE_SMTP_URL set they go to that server, but only when something delivers
    the outbox. The development mailbox is served only while it is on
    (:attr:`Settings.dev_mailbox_enabled`: without SMTP, or with PHASEGATE_DEV_MAILBOX=true,
    and never in production), and only while phasegate serves.
    """
    places = []
    if settings.smtp_url is not None:
        target = parse_smtp_url(settings.smtp_url.get_secret_value())
        if not serving:
            when = f"when {SENDERS} runs"
        elif settings.scheduler_in_web:
            when = f"within {settings.outbox_seconds} seconds"
        else:
            when = "when `phasegate scheduler` runs"  # PHASEGATE_SCHEDULER_IN_WEB=false
        places.append(f"they go to the mail server {target.host}:{target.port} {when}")
    if settings.dev_mailbox_enabled:
        mailbox = f"{settings.base_url}/dev/mailbox"
        places.append(
            f"they are in the development mailbox, {mailbox}"
            + ("" if serving else ", while `phasegate serve` runs")
        )
    if not places:
        places.append(
            "they wait in the outbox (`phasegate mail list`) until PHASEGATE_SMTP_URL names "
            "a mail server"
        )
    return "; and ".join(places)
