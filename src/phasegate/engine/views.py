"""What the engine hands back: plain frozen values, never live database rows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from phasegate.domain.model import Gate, Label


@dataclass(frozen=True)
class PersonView:
    id: int
    name: str
    email: str
    language: str
    roles: tuple[str, ...] = ()
    digest: bool = False  # wants one daily digest of reminders


@dataclass(frozen=True)
class ProjectView:
    id: int
    name: str
    phase: str
    phase_label: Label
    status: str
    owner: str | None
    leader: str | None
    development_area: str | None
    portfolio: str | None
    workflow: str
    workflow_version: int
    version: int
    open_request: int | None = None
    open_gate: str | None = None


@dataclass(frozen=True)
class VoteView:
    voter: str
    outcome: str
    comment: str
    channel: str
    cast_at: datetime
    voter_id: int = 0


@dataclass(frozen=True)
class GateRequestView:
    id: int
    project_id: int
    project: str
    gate: str
    gate_label: Label
    from_phase: str
    to_phase: str
    status: str
    policy: str
    decider_role: str
    deciders: tuple[str, ...]
    votes: tuple[VoteView, ...]
    awaiting_events: tuple[str, ...]
    submitted_by: str
    submitted_at: datetime
    outcome: str | None = None
    decided_by: str | None = None
    decided_at: datetime | None = None
    checklist: dict[str, Any] | None = None
    documents: list[dict[str, str]] | None = None
    closed_reason: str | None = None  # why it was withdrawn
    decider_ids: tuple[int, ...] = ()
    due_at: datetime | None = None  # the board meeting it is on, or the owner's deadline
    meeting_key: str | None = None  # that meeting in the wheel, "<event id>/<YYYYMMDDTHHMM>"


@dataclass(frozen=True)
class VoteResult:
    """What one vote did: whether it decided the gate, and where the project is now."""

    request: int
    decided: bool
    outcome: str | None
    project_phase: str
    project_status: str
    awaiting_events: tuple[str, ...] = ()


@dataclass(frozen=True)
class AuditEntry:
    id: int
    occurred_at: datetime
    kind: str
    actor: str
    actor_id: int | None
    project_id: int | None
    payload: dict[str, Any]


@dataclass(frozen=True)
class ChecklistLine:
    """One answered checklist item as people read it: the item's text, the answer, why."""

    text: str
    answer: str  # done | not_relevant | still_open
    comment: str


@dataclass(frozen=True)
class DocumentLine:
    label: str  # what the gate asked for, in the reader's language
    title: str  # what the project manager called it, if anything
    url: str

    @property
    def is_web(self) -> bool:
        return self.url.startswith(("https://", "http://"))


def checklist_lines(request: GateRequestView, gate: Gate, locale: str) -> list[ChecklistLine]:
    """The request's answers in the workflow's order, with the item texts in ``locale``."""
    answers: dict[str, Any] = request.checklist or {}
    order = [item.id for item in gate.checklist]
    lines = []
    for item_id in order + sorted(set(answers) - set(order)):
        if item_id not in answers:
            continue
        item = gate.item(item_id)
        lines.append(
            ChecklistLine(
                item.text.get(locale) if item else item_id,
                str(answers[item_id].get("answer", "")),
                str(answers[item_id].get("comment") or ""),
            )
        )
    return lines


def document_lines(request: GateRequestView, gate: Gate, locale: str) -> list[DocumentLine]:
    """The linked documents, each with the label of the requirement it meets."""
    labels = {doc.id: doc.label.get(locale) for doc in gate.documents}
    return [
        DocumentLine(
            labels.get(doc.get("requirement", ""), doc.get("requirement", "")),
            doc.get("title", ""),
            doc.get("url", ""),
        )
        for doc in request.documents or []
    ]
