"""The annual cycle's commands: `tick`, `scheduler`, `wheel check|show`, `person digest`."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Annotated

import typer

from phasegate.commands import Now, clock_at, parse_day, text_argument
from phasegate.logs import configure_logging
from phasegate.settings import Locale, Settings

wheel_cli = typer.Typer(help="The annual cycle (årshjul) file.", no_args_is_help=True)
person_cli = typer.Typer(help="People's own preferences.", no_args_is_help=True)


def tick(now: Now = None) -> None:
    """Do one pass of all due work: wheel events, reminders, digests, the outbox, webhooks."""
    from phasegate.bootstrap import running
    from phasegate.scheduler import run_pass, sender_for

    settings = Settings.load()
    clock = clock_at(now, settings.zone)
    configure_logging(settings)
    with running(settings, clock=clock) as app:
        report = run_pass(app, sender_for(app))
    at = app.engine.clock().astimezone(settings.zone)
    t = report.tick
    typer.echo(
        f"tick at {at:%Y-%m-%d %H:%M %Z}: {t.occurrences} wheel event(s) opened, "
        f"{t.report_requests} report(s) requested, {t.measurements} measurement(s) and "
        f"{t.risk_reviews} risk review(s) asked for, {t.reminders} reminder(s), "
        f"{t.escalations} escalation(s), {t.digests} digest(s)"
    )
    if report.mail is not None:
        m = report.mail
        typer.echo(f"outbox: {m.sent} sent, {m.retried} to retry, {m.dead} dead")
        if m.connection_error:
            typer.echo(f"warning: the mail server could not be reached: {m.connection_error}")
    elif settings.dev_mailbox_enabled:
        typer.echo(f"No SMTP configured: the emails are in {settings.base_url}/dev/mailbox")
    if report.webhooks:
        w = report.webhooks
        typer.echo(f"webhooks: {w.sent} sent, {w.retried} to retry, {w.dead} dead")


def scheduler() -> None:
    """Run the scheduler on its own, until Ctrl+C or SIGTERM.

    Run it beside `phasegate serve` started with PHASEGATE_SCHEDULER_IN_WEB=false; any
    number of schedulers may share one database.
    """
    from phasegate.bootstrap import build
    from phasegate.scheduler import run_forever

    settings = Settings.load()
    configure_logging(settings)
    app = build(settings)
    typer.echo(
        f"phasegate scheduler: a tick every {settings.tick_seconds} s"
        + (
            f", the outbox every {settings.outbox_seconds} s"
            if settings.smtp_url
            else "; no SMTP, so mail stays in the outbox"
        )
        + " (Ctrl+C stops it)"
    )
    run_forever(app)


@wheel_cli.command("check")
def wheel_check(
    file: Annotated[
        Path | None, typer.Argument(help="The wheel file (default: PHASEGATE_WHEEL_FILE).")
    ] = None,
) -> None:
    """Validate the wheel file against the default workflow's phases."""
    from phasegate.engine.catalog import WorkflowCatalog
    from phasegate.workflow.wheel_loader import check_wheel_file

    settings = Settings.load()
    path = file or settings.wheel_path
    workflow = WorkflowCatalog(settings.workflows_dir).current(settings.default_workflow)
    try:
        problems = check_wheel_file(path, [p.id for p in workflow.phases])
    except OSError as exc:
        typer.echo(f"{path}: cannot read the file: {exc.strerror}", err=True)
        raise typer.Exit(1) from None
    for problem in problems:
        typer.echo(str(problem), err=True)
    if problems:
        typer.echo(f"{path}: {len(problems)} problem(s)", err=True)
        raise typer.Exit(1)
    typer.echo(f"{path}: ok")


@wheel_cli.command("show")
def wheel_show(
    start: Annotated[
        str | None, typer.Option("--from", help="First day, YYYY-MM-DD (default: today).")
    ] = None,
    days: Annotated[int, typer.Option(min=1, max=3660, help="How many days to show.")] = 365,
    lang: Annotated[Locale, typer.Option(help="Label language.")] = Locale.NB,
) -> None:
    """List the wheel's events, moved off weekends and holidays, with when phasegate acts."""
    from phasegate.engine.catalog import WorkflowCatalog
    from phasegate.workflow.wheel_loader import load_wheel

    chosen = parse_day(start, "--from") if start else None
    settings = Settings.load()
    workflow = WorkflowCatalog(settings.workflows_dir).current(settings.default_workflow)
    wheel = load_wheel(settings.wheel_path, [p.id for p in workflow.phases])
    first = chosen or datetime.now(wheel.zone).date()
    begin = datetime.combine(first, datetime.min.time(), tzinfo=wheel.zone)
    for occurrence in wheel.occurrences(begin, begin + timedelta(days=days)):
        moved = "  (moved from a day off)" if occurrence.at != occurrence.nominal else ""
        typer.echo(
            f"{occurrence.at:%Y-%m-%d %a %H:%M}  {occurrence.event.kind.value:<15} "
            f"{occurrence.event.label.get(lang.value)}  "
            f"[acts {occurrence.opens_at:%Y-%m-%d %H:%M}]{moved}"
        )


@person_cli.command("digest")
def person_digest(
    email: Annotated[str, typer.Argument(help="The person's email address.")],
    off: Annotated[bool, typer.Option("--off", help="Go back to one email per reminder.")] = False,
) -> None:
    """Send this person one daily digest of reminders instead of separate emails."""
    from phasegate.bootstrap import running
    from phasegate.errors import NotFound

    address = text_argument(email, "EMAIL").strip().lower()
    with running() as app:
        people = app.engine.people()
        person = next((p for p in people if p.email == address), None)
        if person is None:
            raise NotFound("email", email=address)
        app.engine.set_digest(person.id, not off, actor=None)
    typer.echo(
        f"{person.name} now gets "
        + ("one email per reminder." if off else "one daily digest of reminders.")
    )
