"""The annual cycle's emails: reminders, escalations, report requests, agendas, digests,
and the asks for due measurements and risk reviews.

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
from phasegate.domain.benefits import IndicatorDefinition, Progress
from phasegate.domain.reminders import DeadlineKind, Reminder
from phasegate.engine.unit import UnitOfWork
from phasegate.links import measurement_url, project_url, report_url, risk_review_url
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
        elif kind is DeadlineKind.MEASUREMENT and deadline.project_id is not None:
            indicator, _, day = target_text.partition(":")
            action_url = self.measurement_link(
                deadline.project_id,
                int(indicator),
                person.id,
                date.fromisoformat(day),
                now,
                deadline.due_at,
            )
        elif kind is DeadlineKind.RISK_REVIEW and deadline.project_id is not None:
            risk = int(target_text.partition(":")[0])
            action_url = risk_review_url(self.gates.base_url, deadline.project_id, risk)
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

    def measurement_link(
        self, project: int, indicator: int, person: int, due_on: date, now: datetime, due: datetime
    ) -> str:
        """The signed form for one due measurement; it lives as long as a report link."""
        token = self.gates.signer.issue_measurement(
            project, indicator, person, due_on, now, self.report_link_ttl(now, due)
        )
        return measurement_url(self.gates.base_url, token)

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
        if item["action_url"] and item["kind"] != DeadlineKind.RISK_REVIEW.value:
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

    def measurement_requested(
        self,
        uow: UnitOfWork,
        *,
        person: Recipient,
        project: tuple[int, str],
        benefit: str,
        indicator: tuple[int, str],
        definition: IndicatorDefinition,
        progress: Progress,
        owner: bool,
        due_on: date,
        due: datetime,
    ) -> str:
        """Ask for one due measurement, with what the indicator is and where it stands."""
        latest = progress.latest
        context = {
            "recipient": {"name": person.name},
            "project": {"name": project[1]},
            "benefit": {"title": benefit},
            "indicator": {
                "name": indicator[1],
                "unit": definition.unit,
                "direction": definition.direction.value,
                "baseline": definition.baseline,
                "baseline_on": definition.baseline_on,
                "target": definition.target,
                "target_on": definition.target_on,
            },
            "latest": None
            if latest is None
            else {
                "value": latest.value,
                "measured_on": latest.measured_on,
                "percent": progress.percent,
            },
            "as_owner": owner,  # False: asked as the project manager, for want of an owner
            "due_at": due,
            "form_url": self.measurement_link(
                project[0], indicator[0], person.id, due_on, uow.now, due
            ),
            "expires_at": uow.now + self.report_link_ttl(uow.now, due),
            "project_url": project_url(self.gates.base_url, project[0]),
        }
        return self.gates.send(uow, "measurement_requested", person, project[0], context)

    def risk_review_requested(
        self, uow: UnitOfWork, *, person: Recipient, risk: Row[Any], owner: bool, due: datetime
    ) -> str:
        """Ask the risk's owner to reassess it by its review date."""
        context = {
            "recipient": {"name": person.name},
            "project": {"name": risk.project},
            "risk": {
                "title": risk.title,
                "kind": risk.kind,
                "probability": risk.probability,
                "consequence": risk.consequence,
                "score": risk.score,
            },
            "as_owner": owner,
            "due_at": due,
            "form_url": risk_review_url(self.gates.base_url, risk.project_id, risk.id),
        }
        return self.gates.send(uow, "risk_review_requested", person, risk.project_id, context)

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
