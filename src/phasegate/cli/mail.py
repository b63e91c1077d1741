"""`phasegate mail ...`: deliver the outbox, and look after its dead letters."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import typer

from phasegate.commands import Now, clock_at, say_written_ahead
from phasegate.engine.outbox import OutboxEntry
from phasegate.errors import MailNotConfigured, PhasegateError
from phasegate.leases import Status
from phasegate.settings import Settings

if TYPE_CHECKING:
    from phasegate.bootstrap import App

mail_cli = typer.Typer(
    help="Outgoing email: deliver the outbox, list it, and re-send dead letters.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)


def _running(
    settings: Settings, clock: Callable[[], datetime] | None = None
) -> AbstractContextManager[App]:
    """The application for one command, refused if its schema is not current, on
    ``clock`` (the configured one when None); its connections closed afterwards."""
    # Imported here, like the main CLI's, to keep `phasegate --help` quick to start.
    from phasegate.bootstrap import clock_for, running  # noqa: PLC0415

    return running(settings, clock=clock or clock_for(settings))


@contextmanager
def _plain_errors() -> Iterator[None]:
    """Show phasegate's own errors as one line on stderr and exit 1, without a traceback."""
    try:
        yield
    except PhasegateError as exc:
        typer.echo(f"error: {exc.message}", err=True)
        raise typer.Exit(1) from exc


def _one_line(text: str | None, width: int) -> str:
    flat = " ".join((text or "").split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"


def _table(entries: list[OutboxEntry], *, errors: bool) -> None:
    """One line per message (times in UTC), and its last error under it if asked."""
    if entries:
        typer.echo(f"{'id':>6}  {'status':<7}  try  {'written (UTC)':<16}  {'to':<32}  subject")
    for e in entries:
        line = (
            f"{e.id:>6}  {e.status:<7}  {e.attempts:>3}  {e.created_at:%Y-%m-%d %H:%M}  "
            f"{_one_line(e.recipient, 32):<32}  {_one_line(e.subject, 50)}"
        )
        typer.echo(line)
        if errors and e.last_error:
            typer.echo(f"{'':>8}last error: {_one_line(e.last_error, 200)}")


@mail_cli.command("send-pending")
def send_pending(now: Now = None) -> None:
    """Deliver every due message once, then exit (for operators, cron and tests).

    In a drill, give it the --now `phasegate tick` had: mail is due, and ages, on that clock.
    """
    import asyncio  # noqa: PLC0415 - quick start

    from phasegate.mail.sender import configured_sender  # noqa: PLC0415

    with _plain_errors():
        settings = Settings.load()
        clock = clock_at(now, settings.zone)  # a --now it cannot use is refused first
        if settings.smtp_url is None:
            raise MailNotConfigured()
        with _running(settings, clock) as app:
            sender = configured_sender(settings, app.database, app.engine.clock)
            report = asyncio.run(sender.send_pending())
            typer.echo(f"sent {report.sent}, to retry {report.retried}, dead {report.dead}")
            if report.dead:
                typer.echo("See the dead letters with `phasegate mail dead`.")
            say_written_ahead(*app.engine.written_ahead("outbox"), "message(s)")
    if report.connection_error:
        typer.echo(
            f"error: could not deliver through {report.connection_error}. "
            "The messages stay queued and are retried later.",
            err=True,
        )
        raise typer.Exit(1)


@mail_cli.command("list")
def list_command(
    status: Annotated[Status | None, typer.Option(help="Only messages in this state.")] = None,
    limit: Annotated[int, typer.Option(min=1, help="At most this many, newest first.")] = 50,
) -> None:
    """List the outbox, newest first: id, status, attempts, written, recipient, subject."""
    with _plain_errors(), _running(Settings.load()) as app:
        entries = app.engine.outbox_messages(status=status.value if status else None, limit=limit)
    if not entries:
        typer.echo("The outbox is empty." if status is None else f"No {status.value} messages.")
    _table(entries, errors=False)


@mail_cli.command("dead")
def dead(
    limit: Annotated[int, typer.Option(min=1, help="At most this many, newest first.")] = 200,
) -> None:
    """List the dead letters with their last error; re-send one with `resend ID`."""
    with _plain_errors(), _running(Settings.load()) as app:
        entries = app.engine.outbox_messages(status="dead", limit=limit)
    if not entries:
        typer.echo("No dead letters.")
        return
    _table(entries, errors=True)
    typer.echo(f"{len(entries)} dead letter(s). Fix the cause, then `phasegate mail resend ID`.")


@mail_cli.command("resend")
def resend_command(
    message: Annotated[int, typer.Argument(help="The id of a dead letter (see `dead`).")],
    now: Now = None,
) -> None:
    """Queue a dead letter again, with the same Message-ID; the next pass delivers it.

    It is due, and ages, from the time it is queued again: in a drill, give the drill's --now.
    The command line acts as the system, like an operator at the machine; the audit trail
    records the re-send all the same.
    """
    with _plain_errors():
        settings = Settings.load()
        with _running(settings, clock_at(now, settings.zone)) as app:
            entry = app.engine.resend_dead_letter(message, actor=None)
    typer.echo(
        f"Message {entry.id} to {entry.recipient} is queued again ({entry.message_id}); "
        "`phasegate mail send-pending` delivers it."
    )
