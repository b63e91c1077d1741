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
from phasegate.domain.register_events import REGISTER_EVENTS
from phasegate.domain.text import shown
from phasegate.errors import WebhookInvalid

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
        *REGISTER_EVENTS,
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
        raise WebhookInvalid("no_events", field="event_types", types=list(SUBSCRIBABLE))
    unknown = [name for name in wanted if name != EVERYTHING and name not in SUBSCRIBABLE]
    if unknown:
        raise WebhookInvalid(
            "events_unknown",
            field="event_types",
            unknown=[shown(name, 60) for name in unknown[:10]],
            types=list(SUBSCRIBABLE),
        )
    return [EVERYTHING] if EVERYTHING in wanted else wanted


def receiver_url(url: str) -> str:
    """The receiver's address, checked: an absolute http or https URL with a host."""
    url = url.strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise WebhookInvalid("url_not_web", field="url", url=shown(url))
    if len(url) > MAX_URL:
        raise WebhookInvalid("url_too_long", field="url", length=len(url), limit=MAX_URL)
    return url


def payload_format(chosen: str) -> str:
    """The format as stored, checked."""
    if chosen not in FORMATS:
        raise WebhookInvalid("format_unknown", field="format", format=shown(chosen, 40))
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
