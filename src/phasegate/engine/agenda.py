"""A board meeting's agenda read from the database, by the rule in
:mod:`phasegate.domain.agenda`: the agenda email (in the tick that opens the meeting),
the wheel's page for the meeting and the board's queue all read it here."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import Connection, bindparam, or_, select

from phasegate.domain.agenda import agenda_window
from phasegate.domain.wheel import EventKind, Occurrence, Wheel
from phasegate.engine.catalog import WorkflowCatalog
from phasegate.engine.queries import request_views
from phasegate.engine.views import GateRequestView
from phasegate.storage.tables import GateRequest, WheelOccurrence

Q_SENT = select(WheelOccurrence.opened_at).where(WheelOccurrence.key == bindparam("key"))
_R = GateRequest
Q_AGENDA = (
    select(_R)
    .where(
        _R.decider_role == "board",
        _R.submitted_at <= bindparam("as_of"),
        or_(_R.decided_at.is_(None), _R.decided_at >= bindparam("as_of")),
        or_(_R.due_at.is_(None), _R.due_at <= bindparam("due_by")),
    )
    .order_by(_R.submitted_at, _R.id)
)
Q_AGENDA_AFTER = Q_AGENDA.where(_R.due_at > bindparam("due_after"))


@dataclass(frozen=True)
class Agenda:
    """A board meeting and the gate requests on its agenda (*saksliste*)."""

    meeting: Occurrence
    requests: tuple[GateRequestView, ...]

    def placed(self, views: Sequence[GateRequestView]) -> list[GateRequestView]:
        """The views, those on this agenda (carried over ones too) due at this meeting."""
        here = {r.id for r in self.requests}
        at, key = self.meeting.at, self.meeting.key
        return [replace(v, due_at=at, meeting_key=key) if v.id in here else v for v in views]


def read_agenda(
    conn: Connection,
    workflows: WorkflowCatalog,
    wheel: Wheel | None,
    meeting: Occurrence,
    now: datetime,
) -> list[GateRequestView]:
    """The requests on ``meeting``'s agenda, oldest first; none for other kinds of event."""
    if meeting.event.kind is not EventKind.BOARD_MEETING:
        return []
    previous = wheel.board_meeting_before(meeting) if wheel is not None else None
    sent_at = conn.execute(Q_SENT, {"key": meeting.key}).scalar()
    window = agenda_window(meeting, previous, sent_at, now)
    params = {"as_of": window.as_of, "due_by": window.due_by}
    if window.due_after is None:
        return request_views(conn, workflows, Q_AGENDA, params)
    return request_views(conn, workflows, Q_AGENDA_AFTER, {**params, "due_after": window.due_after})
