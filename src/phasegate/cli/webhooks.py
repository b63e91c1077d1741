"""`phasegate webhook ...`: subscribe receivers, follow their deliveries, re-send dead ones.

The command line acts as the system, like an operator at the machine; each change is in
the audit trail all the same.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Annotated

import typer

from phasegate.commands import Now, clock_at, decoded, say_written_ahead, text_argument
from phasegate.leases import Status
from phasegate.settings import Settings

if TYPE_CHECKING:
    from phasegate.bootstrap import App


webhook_cli = typer.Typer(
    help="Outgoing webhooks: events posted to other systems, signed, with retries.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)


def _running(
    settings: Settings | None = None, now: str | None = None
) -> AbstractContextManager[App]:
    """The application for one command, on ``--now``'s moment if given, else on the
    configured clock (the real time, or PHASEGATE_CLOCK_START's)."""
    from phasegate.bootstrap import running  # noqa: PLC0415 - keeps `phasegate --help` quick

    settings = settings or Settings.load()
    return running(settings, clock=clock_at(now, settings.zone))


def _one_line(text: str | None, width: int) -> str:
    flat = " ".join((text or "").split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"


def _secret_notice(secret: str) -> None:
    typer.echo(f"secret: {secret}")
    typer.echo(
        "Give the receiver this secret now: it is shown only this once. Each request is "
        "signed with it (headers webhook-id, webhook-timestamp, webhook-signature)."
    )


@webhook_cli.command("add")
def add(
    name: Annotated[str, typer.Argument(help="What the receiver is, e.g. 'Arkiv'.")],
    url: Annotated[str, typer.Argument(help="The http(s) address to post events to.")],
    event: Annotated[
        list[str],
        typer.Option(
            "--event",
            "-e",
            help="An event type to send (repeat, or separate with commas); * for all. "
            "See `phasegate webhook events`.",
        ),
    ],
    format: Annotated[
        str,
        typer.Option(
            help="standard: phasegate's signed JSON; teams: an Adaptive Card for a Microsoft "
            "Teams workflow ('When a Teams webhook request is received')."
        ),
    ] = "standard",
) -> None:
    """Subscribe a receiver to event types; prints its signing secret once."""
    # The engine holds the name and the URL to the text rule, for the API and the pages too.
    name, url = decoded(name, "NAME"), decoded(url, "URL")
    event = [text_argument(chosen, "--event") for chosen in event]
    format = text_argument(format, "--format")
    with _running() as app:
        subscription, secret = app.engine.add_webhook(name, url, event, format=format, actor=None)
        view = app.engine.webhook(subscription)
    shape = " as Teams cards" if view.format == "teams" else ""
    typer.echo(f"Webhook {subscription} ({view.name}) posts {', '.join(view.event_types)}{shape}")
    typer.echo(f"to {view.url}")
    _secret_notice(secret)
    typer.echo(f"Check the receiver with `phasegate webhook ping {subscription}`.")


@webhook_cli.command("events")
def events() -> None:
    """The event types a webhook can be sent."""
    from phasegate.webhooks.catalog import SUBSCRIBABLE  # noqa: PLC0415

    for kind in SUBSCRIBABLE:
        typer.echo(kind)


@webhook_cli.command("list")
def list_command(
    removed: Annotated[bool, typer.Option(help="Include removed webhooks.")] = False,
) -> None:
    """The webhooks: id, name, events, deliveries pending/sent/dead, and the address."""
    with _running() as app:
        views = app.engine.webhooks(include_removed=removed)
    if not views:
        typer.echo("No webhooks. Add one with `phasegate webhook add NAME URL --event TYPE`.")
        return
    typer.echo(f"{'id':>4}  {'name':<20}  {'pending':>7} {'sent':>6} {'dead':>5}  events / url")
    for v in views:
        gone = f"  (removed {v.removed_at:%Y-%m-%d})" if v.removed_at else ""
        typer.echo(
            f"{v.id:>4}  {_one_line(v.name, 20):<20}  {v.pending:>7} {v.sent:>6} {v.dead:>5}  "
            f"{_one_line(', '.join(v.event_types), 60)}{gone}"
        )
        typer.echo(f"{'':>6}{v.url}")


@webhook_cli.command("remove")
def remove(webhook: Annotated[int, typer.Argument(help="The webhook's id.")]) -> None:
    """Stop sending to a webhook; its pending deliveries become dead letters."""
    with _running() as app:
        dropped = app.engine.remove_webhook(webhook, actor=None)
    typer.echo(f"Webhook {webhook} is removed; {dropped} pending delivery(ies) were not sent.")


@webhook_cli.command("rotate-secret")
def rotate_secret(webhook: Annotated[int, typer.Argument(help="The webhook's id.")]) -> None:
    """Give a webhook a new secret; the old one also signs for 24 hours more."""
    with _running() as app:
        secret, until = app.engine.rotate_webhook_secret(webhook, actor=None)
    _secret_notice(secret)
    typer.echo(f"Until {until:%Y-%m-%d %H:%M} UTC each request is signed with the old one too.")


@webhook_cli.command("ping")
def ping(
    webhook: Annotated[int, typer.Argument(help="The webhook's id.")], now: Now = None
) -> None:
    """Queue a test delivery (type Ping); the next pass, or `deliver`, sends it.

    It is queued at --now if given: in a drill, give the drill's time.
    """
    with _running(now=now) as app:
        delivery = app.engine.ping_webhook(webhook, actor=None)
    typer.echo(f"Test delivery {delivery} is queued; `phasegate webhook deliver` sends it now.")


@webhook_cli.command("deliveries")
def deliveries(
    status: Annotated[Status | None, typer.Option(help="Only deliveries in this state.")] = None,
    webhook: Annotated[int | None, typer.Option(help="Only this webhook's.")] = None,
    limit: Annotated[int, typer.Option(min=1, help="At most this many, newest first.")] = 50,
) -> None:
    """Deliveries, newest first, with the last error of those not yet accepted."""
    with _running() as app:
        rows = app.engine.webhook_deliveries(
            status=status.value if status else None, subscription=webhook, limit=limit
        )
    if not rows:
        typer.echo("No deliveries." if status is None else f"No {status.value} deliveries.")
        return
    typer.echo(f"{'id':>6}  {'status':<7}  try  {'written (UTC)':<16}  {'webhook':<20}  event")
    for d in rows:
        typer.echo(
            f"{d.id:>6}  {d.status:<7}  {d.attempts:>3}  {d.created_at:%Y-%m-%d %H:%M}  "
            f"{_one_line(d.webhook_name, 20):<20}  {d.kind}"
        )
        if d.status != "sent" and d.last_error:
            typer.echo(f"{'':>8}last error: {_one_line(d.last_error, 200)}")
    if any(d.status == "dead" for d in rows):
        typer.echo("Fix the cause, then `phasegate webhook resend ID`.")


@webhook_cli.command("resend")
def resend(
    delivery: Annotated[int, typer.Argument(help="The id of a dead delivery.")],
    now: Now = None,
) -> None:
    """Queue a dead delivery again, with the same id and body.

    It is due, and ages, from the time it is queued again: in a drill, give the drill's --now.
    """
    with _running(now=now) as app:
        app.engine.resend_webhook_delivery(delivery, actor=None)
    typer.echo(f"Delivery {delivery} is queued again; `phasegate webhook deliver` sends it now.")


@webhook_cli.command("deliver")
def deliver(now: Now = None) -> None:
    """Post every due delivery once, then exit (the scheduler does this on its own).

    In a drill, give it the --now `phasegate tick` had: deliveries are due, and age, on that clock.
    """
    # The signature's timestamp stays the real time (Deliverer.wall): receivers compare it
    # with their own clocks.
    from phasegate.webhooks.deliverer import (  # noqa: PLC0415
        configured_deliverer,
        deliver_pending_sync,
    )

    settings = Settings.load()
    with _running(settings, now) as app:
        deliverer = configured_deliverer(settings, app.database, app.engine.clock)
        report = deliver_pending_sync(deliverer)
        typer.echo(f"sent {report.sent}, to retry {report.retried}, dead {report.dead}")
        if report.dead:
            typer.echo("See them with `phasegate webhook deliveries --status dead`.")
        say_written_ahead(*app.engine.written_ahead("webhooks"), "delivery(ies)")
