"""Which gate requests are on a board meeting's agenda (*sakslisten*), pure.

One rule serves the agenda email, the wheel's page for the meeting and the board's queue:

- A board gate request is on the agenda of the meeting it is due at (``due_at``: the
  first meeting its notice period reaches).
- A meeting that does not decide it carries it over: it is on the next meeting's agenda
  too, and on every one after, until it is decided or withdrawn. A request with no
  meeting (none was in the wheel when it was submitted) is on the first one.
- An agenda is read as it stood when phasegate sent it to the board, so the page of a
  past meeting lists what its email listed, also the requests the meeting then decided.
  Until it is sent it is read as it stands now: what would go out. While the meeting
  before it is still ahead, it holds only the requests due at it, since those due
  earlier go on that meeting's agenda first.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from phasegate.domain.wheel import Occurrence


@dataclass(frozen=True)
class AgendaWindow:
    """The board requests an agenda holds: submitted by ``as_of`` and not decided or
    withdrawn before it, due by ``due_by``, and if ``due_after`` is set, due after it."""

    as_of: datetime
    due_by: datetime
    due_after: datetime | None = None


def agenda_window(
    meeting: Occurrence,
    previous: Occurrence | None,
    sent_at: datetime | None,
    now: datetime,
) -> AgendaWindow:
    """The window of ``meeting``'s agenda; ``previous`` is the board meeting before it and
    ``sent_at`` when its agenda went out (None: not yet)."""
    as_of = sent_at if sent_at is not None else min(now, meeting.at)
    if previous is not None and previous.at > as_of:
        return AgendaWindow(as_of, meeting.at, due_after=previous.at)
    return AgendaWindow(as_of, meeting.at)
