"""From gate events to outgoing email, inside the transaction that caused them.

These are handlers (see :mod:`phasegate.engine.handlers`). Each one gathers what the
email needs, renders it in the recipient's language, and writes it to the outbox with
the same connection as the change. If the change rolls back, so does the email; if it
commits, the email is on its way. A sender delivers the rows later.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from sqlalchemy import Row

from phasegate.domain import events as ev
from phasegate.domain.model import Gate, Outcome, WorkflowDefinition
from phasegate.domain.wheel import BENEFIT_PHASE, event_id_of
from phasegate.engine import queries
from phasegate.engine.business_case import read_benefits
from phasegate.engine.outbox import enqueue_many, outbox_row
from phasegate.engine.recipients import Q_DECIDERS, Q_PEOPLE, Q_PROJECT, Q_VOTERS
from phasegate.engine.signin import make_sign_in_link
from phasegate.engine.unit import UnitOfWork
from phasegate.engine.views import checklist_lines, document_lines
from phasegate.links import LinkSigner, project_url, vote_url
from phasegate.mail.render import Notifications


@dataclass(frozen=True)
class Recipient:
    id: int
    name: str
    email: str
    language: str
    digest: bool = False  # wants reminders in one daily digest


class MailComposer:
    """Writes the decision emails: requested, vote recorded, decision made."""

    def __init__(
        self,
        notifications: Notifications,
        signer: LinkSigner,
        base_url: str,
        zone: ZoneInfo,
        link_ttl: timedelta,
        domain: str,
        meetings: Mapping[str, Mapping[str, str]] | None = None,
        sign_in_ttl: timedelta = timedelta(minutes=15),
    ) -> None:
        self.notifications = notifications
        self.signer = signer
        self.base_url = base_url
        self.zone = zone
        self.link_ttl = link_ttl
        self.domain = domain
        # Board meeting labels by wheel event id and language, for "on the agenda of …".
        self.meetings = meetings or {}
        self.sign_in_ttl = sign_in_ttl

    def meeting_label(self, meeting_key: str | None, language: str) -> str | None:
        """The board meeting a request is on, in the reader's language (None if none)."""
        if meeting_key is None:
            return None
        labels = self.meetings.get(event_id_of(meeting_key), {})
        return labels.get(language) or labels.get("nb")

    # --- handlers -------------------------------------------------------------------

    def decision_requested(self, event: ev.GateRequested, uow: UnitOfWork) -> None:
        """Each decider gets their own email with their own links, one per outcome."""
        request = queries.gate_request(uow.conn, uow.workflows, event.request)
        project, definition, gate = self._subject(uow, event.project, event.gate)
        benefits = self.achievement(uow, event.project, gate)
        for person in self.people(uow, event.deciders):
            meeting = self.meeting_label(request.meeting_key, person.language)
            context = {
                "recipient": {"name": person.name},
                "project": {
                    "name": project.name,
                    "phase": definition.label_of(project.phase).get(person.language),
                },
                "gate": {
                    "id": gate.id,
                    "label": gate.label.get(person.language),
                    "purpose": gate.purpose.get(person.language),
                },
                "submitted_by": request.submitted_by,
                "submitted_at": request.submitted_at,
                "policy": request.policy,
                "deciders": list(request.deciders),
                "checklist": [
                    {"text": line.text, "answer": line.answer, "comment": line.comment}
                    for line in checklist_lines(request, gate, person.language)
                ],
                "documents": [
                    {"label": doc.title or doc.label, "url": doc.url}
                    for doc in document_lines(request, gate, person.language)
                ],
                "links": self.vote_links(event.request, person.id, uow.now),
                "expires_at": uow.now + self.link_ttl,
                "due": {"at": request.due_at, "meeting": meeting},
                "benefits": benefits,
            }
            self.send(uow, "decision_requested", person, event.project, context)

    def vote_recorded(self, event: ev.VoteCast, uow: UnitOfWork) -> None:
        """The other deciders of a board gate hear who has voted, while it is still open."""
        request = queries.gate_request(uow.conn, uow.workflows, event.request)
        if request.status != "open" or request.decider_role != "board":
            return  # decided by this vote: the decision email says it all
        _, _, gate = self._subject(uow, event.project, event.gate)
        voter = uow.name_of(event.voter)
        voted = {int(p) for p in uow.conn.execute(Q_VOTERS, {"request": event.request}).scalars()}
        deciders = self.people(
            uow, uow.conn.execute(Q_DECIDERS, {"request": event.request}).scalars()
        )
        rows = []
        for person in deciders:
            if person.id == event.voter:
                continue
            context = {
                "recipient": {"name": person.name},
                "project": {"name": request.project},
                "gate": {"id": gate.id, "label": gate.label.get(person.language)},
                "voter": voter,
                "outcome": event.outcome,
                "comment": event.comment,
                "cast_at": uow.now,
                "policy": request.policy,
                "votes": [
                    {"voter": v.voter, "outcome": v.outcome, "cast_at": v.cast_at}
                    for v in request.votes
                ],
                # The reader is "you", never named in the third person among the others.
                "waiting_for": [p.name for p in deciders if p.id not in voted | {person.id}],
                "awaiting_you": person.id not in voted,
                "links": []
                if person.id in voted
                else self.vote_links(event.request, person.id, uow.now),
            }
            rows.append(self.outbox_row(uow, "vote_recorded", person, event.project, context))
        enqueue_many(uow.conn, rows)  # one INSERT for the whole board

    def decision_made(self, event: ev.GateDecided, uow: UnitOfWork) -> None:
        """The project manager and the owner hear the decision and what it means."""
        request = queries.gate_request(uow.conn, uow.workflows, event.request)
        project, definition, gate = self._subject(uow, event.project, event.gate)
        decided_by = uow.name_of(event.decided_by)
        wanted = [p for p in (project.leader_id, project.owner_id) if p is not None]
        for person in self.people(uow, wanted):
            context = {
                "recipient": {"name": person.name},
                "project": {"name": project.name},
                "gate": {"id": gate.id, "label": gate.label.get(person.language)},
                "outcome": event.outcome,
                "decided_by": decided_by,
                "decided_at": uow.now,
                "phase_before": definition.label_of(request.from_phase).get(person.language),
                "phase_after": definition.label_of(project.phase).get(person.language),
                "votes": [
                    {
                        "voter": v.voter,
                        "outcome": v.outcome,
                        "comment": v.comment,
                        "cast_at": v.cast_at,
                    }
                    for v in request.votes
                ],
                "project_url": project_url(self.base_url, event.project),
            }
            self.send(uow, "decision_made", person, event.project, context)

    def sign_in_requested(self, event: ev.SignInRequested, uow: UnitOfWork) -> None:
        """The sign-in link exists only in this email: made here, stored hashed."""
        token, expires = make_sign_in_link(uow, event.person, self.sign_in_ttl)
        for person in self.people(uow, [event.person]):
            context = {
                "recipient": {"name": person.name},
                "url": f"{self.base_url}/login/{token}{_next_query(event.next)}",
                "expires_at": expires,
            }
            self.send(uow, "sign_in", person, None, context)

    # --- helpers --------------------------------------------------------------------

    def achievement(self, uow: UnitOfWork, project: int, gate: Gate) -> list[dict[str, Any]] | None:
        """For a gate out of realisation (BP6, *gevinstene er realisert*): every benefit
        and indicator with its achievement, as ``domain.benefits.progress`` computes it for
        every view. None for other gates, whose emails leave benefits out."""
        if gate.from_phase != BENEFIT_PHASE:
            return None
        today = uow.now.astimezone(self.zone).date()
        return [
            {
                "title": b.title,
                "owner": b.owner,
                "status": b.status.value,
                "indicators": [
                    {
                        "name": i.name,
                        "unit": i.unit,
                        "baseline": i.definition.baseline,
                        "target": i.definition.target,
                        "target_on": i.definition.target_on,
                        "latest": None
                        if i.progress.latest is None
                        else {
                            "value": i.progress.latest.value,
                            "measured_on": i.progress.latest.measured_on,
                        },
                        "percent": i.progress.percent,
                        "trend": i.progress.trend.value,
                    }
                    for i in b.indicators
                ],
            }
            for b in read_benefits(uow.conn, project, today)
        ]

    def send(
        self,
        uow: UnitOfWork,
        kind: str,
        person: Recipient,
        project: int | None,
        context: dict[str, Any],
    ) -> str:
        """Render the email and queue it in the operation's transaction; its Message-ID."""
        row = self.outbox_row(uow, kind, person, project, context)
        enqueue_many(uow.conn, [row])
        return str(row["message_id"])

    def outbox_row(
        self,
        uow: UnitOfWork,
        kind: str,
        person: Recipient,
        project: int | None,
        context: dict[str, Any],
    ) -> dict[str, Any]:
        """Render the email into an outbox row, for callers that queue many at once."""
        return outbox_row(
            kind=kind,
            recipient=person.email,
            email=self.notifications.render(kind, person.language, context),
            now=uow.now,
            person_id=person.id,
            project_id=project,
            domain=self.domain,
        )

    def vote_links(self, request: int, person: int, now: datetime) -> list[dict[str, str]]:
        return [
            {
                "outcome": outcome.value,
                "url": vote_url(self.base_url, self.signer.issue(request, person, outcome, now)),
            }
            for outcome in Outcome
        ]

    def people(self, uow: UnitOfWork, ids: Iterable[int]) -> list[Recipient]:
        wanted = sorted(set(ids))
        if not wanted:
            return []
        rows = uow.conn.execute(Q_PEOPLE, {"people": wanted}).all()
        return sorted(
            (Recipient(r.id, r.name, r.email, r.language, r.digest) for r in rows),
            key=lambda p: p.id,
        )

    def _subject(
        self, uow: UnitOfWork, project: int, gate_id: str
    ) -> tuple[Row[Any], WorkflowDefinition, Gate]:
        """The project as it is now, the workflow version it runs on, and the gate."""
        row = uow.one(Q_PROJECT, project=project)
        assert row is not None
        definition = uow.workflows.pinned(uow.conn, row.workflow_name, row.workflow_version)
        gate = definition.definition.gate(gate_id)
        assert gate is not None
        return row, definition.definition, gate


def _next_query(page: str) -> str:
    """Where a sign-in link leads on to, as its query; nothing for the overview."""
    return "" if page == "/" else f"?next={quote(page, safe='/')}"
