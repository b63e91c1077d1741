"""What a subscriber may hear, and the request body it gets. Pure: no I/O.

Only events about the portfolio are offered: projects, phases, gates, votes, reports and
the annual cycle. Events about people, sign-in and API tokens are never sent out.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from phasegate.domain import events as ev
from phasegate.errors import WebhookInvalid
from phasegate.text import shown

SUBSCRIBABLE: tuple[str, ...] = tuple(
    kind.__name__
    for kind in (
        ev.ProjectRegistered,
        ev.PhaseEntered,
        ev.GateRequested,
        ev.GateRequestWithdrawn,
        ev.VoteCast,
        ev.GateDecided,
        ev.GateAwaitingEvents,
        ev.ExternalEventRecorded,
        ev.ProjectHeld,
        ev.ProjectResumed,
        ev.ProjectStopped,
        ev.ProjectCompleted,
        ev.ReportRequested,
        ev.ReportPublished,
        ev.ReportRequestCancelled,
        ev.BoardAgendaSent,
        ev.DeadlineEscalated,
    )
)
EVERYTHING = "*"
#: The test delivery a PMO sends to check that a receiver is set up right.
PING = "Ping"
MAX_URL = 2000
#: How a subscription's deliveries are written: phasegate's JSON, or a Teams card.
FORMATS = ("standard", "teams")


def event_types(chosen: Iterable[str]) -> list[str]:
    """The event types as stored: known, each once, in the given order; ``*`` is all.

    Accepts comma-separated entries ("GateDecided,PhaseEntered") as well as separate ones.
    """
    wanted: list[str] = []
    for entry in chosen:
        for name in (part.strip() for part in entry.split(",")):
            if name and name not in wanted:
                wanted.append(name)
    if not wanted:
        raise WebhookInvalid(
            "Name at least one event type, or * for all of them. The types are: "
            + ", ".join(SUBSCRIBABLE)
            + "."
        )
    unknown = [name for name in wanted if name != EVERYTHING and name not in SUBSCRIBABLE]
    if unknown:
        raise WebhookInvalid(
            f"Unknown event type(s): {', '.join(shown(name, 60) for name in unknown[:10])}. "
            "The types are: " + ", ".join(SUBSCRIBABLE) + ", or * for all of them."
        )
    return [EVERYTHING] if EVERYTHING in wanted else wanted


def receiver_url(url: str) -> str:
    """The receiver's address, checked: an absolute http or https URL with a host."""
    url = url.strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise WebhookInvalid(
            f"'{shown(url)}' is not a web address phasegate can post to: give an absolute "
            "http:// or https:// URL, such as https://archive.asker.example/phasegate."
        )
    if len(url) > MAX_URL:
        raise WebhookInvalid(f"The URL is {len(url)} characters long; at most {MAX_URL} fit.")
    return url


def payload_format(chosen: str) -> str:
    """The format as stored, checked."""
    if chosen not in FORMATS:
        raise WebhookInvalid(
            f"Unknown format '{shown(chosen, 40)}': use standard (phasegate's signed JSON) or "
            "teams (a card for a Microsoft Teams workflow)."
        )
    return chosen


def hears(event_types_: Iterable[str], kind: str) -> bool:
    """Whether a subscription to ``event_types_`` is sent an event of ``kind``."""
    chosen = set(event_types_)
    return kind in chosen or (EVERYTHING in chosen and kind in SUBSCRIBABLE)


def body(kind: str, occurred_at: datetime, data: Mapping[str, Any]) -> str:
    """The request body, ``{"type", "timestamp", "data"}`` as Standard Webhooks suggests.

    It is made once, when the delivery is queued, so every retry sends the same bytes.
    """
    return json.dumps(
        {
            "type": kind,
            "timestamp": occurred_at.astimezone(UTC).isoformat().replace("+00:00", "Z"),
            "data": data,
        },
        ensure_ascii=False,
        separators=(",", ":"),
        sort_keys=True,
        default=str,
    )
