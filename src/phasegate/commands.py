"""What phasegate's commands share: one clock for a drill (*øvelse*), and free text from the
command line checked by the one text rule.

**One clock.** ``tick``, ``mail send-pending``, ``mail resend``, ``webhook deliver``,
``webhook ping`` and ``webhook resend`` take the same ``--now``. Without it a command runs
on the configured clock: the real time, or the drill clock ``PHASEGATE_CLOCK_START`` and
``PHASEGATE_CLOCK_SPEED`` describe. With it the command acts as at that moment, so mail
that ``tick --now T`` wrote at T is delivered by ``mail send-pending --now T``, not judged
by the wall clock (not yet due, or dead of old age).

**Free text.** Arguments come from outside: Python decodes bytes that are not UTF-8 to
lone surrogates (``surrogateescape``), and a terminal passes control characters through.
:func:`text_argument` holds them to :func:`phasegate.domain.text.tidy`, so a bad value is refused
with the reason and exit status 2, never a traceback.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Annotated, NoReturn
from zoneinfo import ZoneInfo

import typer

from phasegate.domain.text import reason, shown, tidy

#: The moments ``--now`` accepts. Beyond them the calendar maths (a year of wheel events,
#: leases, maximum ages) would leave the years Python's dates can hold.
EARLIEST, LATEST = datetime(1900, 1, 1, tzinfo=UTC), datetime(9000, 1, 1, tzinfo=UTC)

Now = Annotated[
    str | None,
    typer.Option(
        help="Act as at this moment, ISO 8601 (e.g. 2027-04-19T08:00); without a zone it is "
        "the organisation's local time. In a drill, give each command the drill's time. "
        "Default: the real time, or the drill clock PHASEGATE_CLOCK_START describes.",
        show_default=False,
    ),
]


def refuse(message: str) -> NoReturn:
    """End the command as a bad argument ends it: one line on stderr, exit status 2."""
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(2)


def parse_moment(text: str, zone: ZoneInfo) -> datetime:
    """An ISO 8601 moment in UTC; a time without a zone is read in the organisation's zone.

    Raises ValueError with the sentence to show when ``text`` is not such a moment."""
    try:
        written = datetime.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(
            f"--now {shown(text)!r} is not an ISO 8601 time; write it like 2027-04-19T08:00 "
            "or 2027-04-19T08:00+02:00."
        ) from None
    if written.tzinfo is None:
        written = written.replace(tzinfo=zone)
    moment: datetime | None
    try:
        moment = written.astimezone(UTC)
    except OverflowError:  # on the first or the last day Python's dates hold
        moment = None
    if moment is None or not EARLIEST <= moment < LATEST:
        raise ValueError(
            f"--now {shown(text)!r} is out of range; give a time from the year "
            f"{EARLIEST.year} to {LATEST.year - 1}."
        )
    return moment


def clock_at(now: str | None, zone: ZoneInfo) -> Callable[[], datetime] | None:
    """The clock of a command given ``--now``: stopped at that moment. None without it: the
    configured clock (see the module's docstring). A value that is not a time is refused."""
    if now is None:
        return None
    try:
        moment = parse_moment(now, zone)
    except ValueError as exc:
        refuse(str(exc))
    return lambda: moment


def parse_day(text: str, option: str) -> date:
    """A calendar day written YYYY-MM-DD, in the years ``--now`` accepts; refused otherwise."""
    try:
        day = date.fromisoformat(text.strip())
    except ValueError:
        refuse(f"{option} {shown(text)!r} is not a day; write it like 2027-04-19.")
    if not EARLIEST.year <= day.year < LATEST.year:
        refuse(
            f"{option} {shown(text)!r} is out of range; give a day from the year "
            f"{EARLIEST.year} to {LATEST.year - 1}."
        )
    return day


def decoded(value: str, what: str) -> str:
    """``value``, refused if the terminal gave bytes that are not UTF-8, naming ``what``."""
    for at, char in enumerate(value):
        if "\udc80" <= char <= "\udcff":  # surrogateescape keeps byte 0xNN as U+DCNN
            refuse(
                f"{what} contains the byte 0x{ord(char) - 0xDC00:02X} (at position {at + 1}), "
                "which is not UTF-8 text; set the terminal to UTF-8 (for example "
                "LANG=nb_NO.UTF-8) and type the value again."
            )
    return value


def text_argument(value: str, what: str) -> str:
    """``value`` tidied as one line of text, or refused with the reason, naming ``what``
    (``EMAIL``, ``--event``) and never repeating the value itself."""
    tidied = tidy(decoded(value, what))
    if not tidied.ok:
        refuse(f"{what} {reason(tidied)}.")
    return tidied.text


def say_written_ahead(count: int, first: datetime | None, what: str) -> None:
    """Say how many rows wait in a queue (the outbox, the webhook deliveries) that were
    written later than now, and when the first was (``Engine.written_ahead``): work a drill
    queued at a later time, which a pass now leaves waiting. ``what``: "message(s)",
    "delivery(ies)"."""
    if count and first is not None:
        typer.echo(
            f"{count} {what} were written later than now (the first at "
            f"{first:%Y-%m-%d %H:%M} UTC), as a drill's `phasegate tick --now` writes them; "
            "they are not due yet. Send them with --now at that time or later."
        )
