"""The annual cycle's emails: reminders, escalations, report requests, agendas and digests.

Like the gate emails, each is rendered in the recipient's language and written to the
outbox in the transaction that caused it. A person who chose the daily digest gets their
reminders collected instead (:mod:`phasegate.cycle.tick` sends the digest).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Row

from phasegate.cycle.plans import Cycle
from phasegate.domain.reminders import DeadlineKind, Reminder
from phasegate.engine.unit import UnitOfWork
from phasegate.links import report_url
from phasegate.mail.compose import MailComposer, Recipient

ROLE_LABELS = {
    "pmo": {
        "nb": "porteføljekontoret (PMO)",
        "nn": "porteføljekontoret (PMO)",
        "en": "the portfolio office (PMO)",
    },
    "board": {"nb": "porteføljestyret", "nn": "porteføljestyret", "en": "the portfolio board"},
}
#: A report link lives at least this long after the deadline, for late reporters.
REPORT_LINK_GRACE = timedelta(days=30)


@dataclass(frozen=True)
class DeadlineRow:
    """What the composer needs of a deadline row."""

    id: int
    kind: str
    subject: str
    person_id: int
    project_id: int | None
    project_name: str | None
    title: str
    due_at: datetime
    meeting_key: str | None = None  # for a board member's vote: the meeting it is due at


class CycleMail:
    """Writes the cycle's emails with the gate composer's rendering, links and outbox."""

    def __init__(self, gates: MailComposer, cycle: Cycle) -> None:
        self.gates = gates
        self.cycle = cycle

    # --- the pieces every reminder shows ---------------------------------------------

    def item(self, deadline: DeadlineRow, person: Recipient, now: datetime) -> dict[str, Any]:
        """What is owed, by when, and how to do it, for one person."""
        kind = DeadlineKind(deadline.kind)
        what, _, target_text = deadline.subject.partition(":")
        target = int(target_text) if what in ("gate_request", "report_request") else 0
        links: list[dict[str, str]] = []
        action_url: str | None = None
        meeting: str | None = None
        if kind in (DeadlineKind.GATE_DECISION, DeadlineKind.OWNER_DECISION):
            links = self.gates.vote_links(target, person.id, now)
            if kind is DeadlineKind.GATE_DECISION:
                meeting = self.gates.meeting_label(deadline.meeting_key, person.language)
        elif kind in (DeadlineKind.STATUS_REPORT, DeadlineKind.BENEFIT_REPORT):
            action_url = self.report_link(target, person.id, now, deadline.due_at)
        plan = self.cycle.plan(kind)
        return {
            "kind": kind.value,
            "title": deadline.title,
            "project": deadline.project_name,
            "due_at": deadline.due_at,
            "meeting": meeting,
            "action_url": action_url,
            "links": links,
            "overdue_working_days": plan.overdue_working_days(deadline.due_at, now),
        }

    def report_link_ttl(self, now: datetime, due: datetime) -> timedelta:
        """A report link lives past the deadline, so a late report can still be handed in."""
        return max(self.gates.link_ttl, due + REPORT_LINK_GRACE - now)

    def report_link(self, request: int, person: int, now: datetime, due: datetime) -> str:
        ttl = self.report_link_ttl(now, due)
        return report_url(
            self.gates.base_url, self.gates.signer.issue_report(request, person, now, ttl)
        )

    # --- reminders ---------------------------------------------------------------------

    def reminder_context(
        self,
        item: dict[str, Any],
        person: Recipient,
        deadline: DeadlineRow,
        reminder: Reminder,
        overdue_sent: int,
        now: datetime,
    ) -> dict[str, Any]:
        plan = self.cycle.plan(deadline.kind)
        role = plan.policy.escalate_to
        return {
            "recipient": {"name": person.name},
            "item": item,
            "stage": reminder.stage.value,
            "working_days_left": plan.working_days_left(deadline.due_at, now),
            "reminder_number": reminder.number,
            "reminders_left": None if role is None else plan.policy.at_most - overdue_sent,
            "escalate_to": None if role is None else ROLE_LABELS[role.value][person.language],
            "expires_at": self._links_expire(item, now, deadline.due_at),
        }

    # --- report requests and agendas -------------------------------------------------

    def _links_expire(self, item: dict[str, Any], now: datetime, due: datetime) -> datetime | None:
        if item["links"]:
            return now + self.gates.link_ttl
        if item["action_url"]:
            return now + self.report_link_ttl(now, due)
        return None

    def report_requested(
        self,
        uow: UnitOfWork,
        *,
        request: int,
        person: Recipient,
        project: Row[Any],
        phase_label: str,
        cycle_label: str,
        report_kind: str,
        due: datetime,
    ) -> str:
        url = self.report_link(request, person.id, uow.now, due)
        ttl = self.report_link_ttl(uow.now, due)
        context = {
            "recipient": {"name": person.name},
            "project": {"name": project.name, "phase": phase_label},
            "cycle": {"label": cycle_label},
            "report_kind": report_kind,
            "due_at": due,
            "form_url": url,
            "expires_at": uow.now + ttl,
        }
        return self.gates.send(uow, "report_requested", person, project.id, context)

    def board_agenda(
        self,
        uow: UnitOfWork,
        *,
        person: Recipient,
        meeting_label: str,
        starts_at: datetime,
        items: list[dict[str, Any]],
    ) -> str:
        context = {
            "recipient": {"name": person.name},
            "meeting": {"label": meeting_label, "starts_at": starts_at},
            "items": items,
            "board_url": f"{self.gates.base_url}/decisions",  # where the board decides
        }
        return self.gates.send(uow, "board_agenda", person, None, context)

    def digest(
        self, uow: UnitOfWork, person: Recipient, day: date, entries: list[dict[str, Any]]
    ) -> str:
        context = {"recipient": {"name": person.name}, "day": day, "entries": entries}
        return self.gates.send(uow, "digest", person, None, context)
