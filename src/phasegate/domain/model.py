"""The workflow as data: phases, gates (*beslutningspunkter*), checklists and deciders.

These are plain frozen values built by :mod:`phasegate.workflow.loader`. They do no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Policy(StrEnum):
    """How many deciders must agree: any one, a majority, or all of them."""

    ONE = "one"
    MAJORITY = "majority"
    ALL = "all"


class DeciderRole(StrEnum):
    """Who decides a gate, resolved to people per project."""

    OWNER = "owner"  # prosjekteier
    BOARD = "board"  # porteføljestyre


class Outcome(StrEnum):
    """The four decisions a gate can end in."""

    APPROVE = "approve"  # godkjent: on to the next phase
    REWORK = "rework"  # bearbeides: stays, may submit again
    HOLD = "hold"  # satt på vent: paused, can be resumed
    STOP = "stop"  # stanset: terminated, final


class Answer(StrEnum):
    """An answer to one checklist item."""

    DONE = "done"
    NOT_RELEVANT = "not_relevant"
    STILL_OPEN = "still_open"


class TerminalKind(StrEnum):
    COMPLETED = "completed"
    STOPPED = "stopped"


class ProjectStatus(StrEnum):
    ACTIVE = "active"
    ON_HOLD = "on_hold"
    COMPLETED = "completed"
    STOPPED = "stopped"


class Channel(StrEnum):
    """Where a vote came from."""

    WEB = "web"
    LINK = "link"  # an approval link in an email
    API = "api"


@dataclass(frozen=True)
class Label:
    """A text in Norwegian bokmål, and perhaps in English and nynorsk (*nynorsk*).

    Bokmål is required: a language the label lacks is shown in bokmål.
    """

    nb: str
    en: str | None = None
    nn: str | None = None

    def get(self, locale: str) -> str:
        """The text in ``locale`` ("nb", "nn" or "en"), else in bokmål."""
        if locale == "nn" and self.nn:
            return self.nn
        return self.en if locale == "en" and self.en else self.nb

    def __str__(self) -> str:
        return self.nb


@dataclass(frozen=True)
class Phase:
    id: str
    label: Label
    owned_by: str = "line"


@dataclass(frozen=True)
class Terminal:
    id: str
    label: Label
    kind: TerminalKind


@dataclass(frozen=True)
class ChecklistItem:
    id: str
    text: Label
    mandatory: bool = False


@dataclass(frozen=True)
class DocumentRequirement:
    id: str
    label: Label


@dataclass(frozen=True)
class Deciders:
    role: DeciderRole
    policy: Policy


class Requirement(StrEnum):
    """What a project's own data must hold before a gate request can be submitted; a gate
    lists them under ``requires:`` in the workflow file."""

    #: A benefit has an indicator with a baseline and a target (*nullpunktsmåling og mål*).
    BASELINED_BENEFIT = "baselined_benefit"
    #: The uncertainty register has at least one open, assessed risk.
    RISK_ASSESSED = "risk_assessed"
    #: The cost plan has at least one year.
    COST_PLAN = "cost_plan"
    #: The people plan has at least one year.
    PEOPLE_PLAN = "people_plan"


@dataclass(frozen=True)
class Gate:
    """A decision point (*beslutningspunkt*) that leads from one phase to the next."""

    id: str
    from_phase: str
    to: str
    label: Label
    purpose: Label
    deciders: Deciders
    checklist: tuple[ChecklistItem, ...]
    documents: tuple[DocumentRequirement, ...] = ()
    requires_events: tuple[str, ...] = ()
    requires: tuple[Requirement, ...] = ()

    @property
    def trigger(self) -> str:
        """The phase machine's trigger for passing this gate."""
        return f"pass_{self.id}"

    def item(self, item_id: str) -> ChecklistItem | None:
        return next((i for i in self.checklist if i.id == item_id), None)


@dataclass(frozen=True)
class WorkflowDefinition:
    """One version of a workflow file, validated."""

    name: str
    version: int
    title: Label
    phases: tuple[Phase, ...]
    terminals: tuple[Terminal, ...]
    gates: tuple[Gate, ...]
    checksum: str = ""
    source: str = field(default="", repr=False)

    @property
    def initial_phase(self) -> str:
        return self.phases[0].id

    @property
    def completed(self) -> str:
        return self._terminal(TerminalKind.COMPLETED)

    @property
    def stopped(self) -> str:
        return self._terminal(TerminalKind.STOPPED)

    def _terminal(self, kind: TerminalKind) -> str:
        return next(t.id for t in self.terminals if t.kind is kind)

    @property
    def state_ids(self) -> tuple[str, ...]:
        return tuple(p.id for p in self.phases) + tuple(t.id for t in self.terminals)

    def is_phase(self, state: str) -> bool:
        return any(p.id == state for p in self.phases)

    def label_of(self, state: str) -> Label:
        for phase in self.phases:
            if phase.id == state:
                return phase.label
        for terminal in self.terminals:
            if terminal.id == state:
                return terminal.label
        return Label(state)

    def gate(self, gate_id: str) -> Gate | None:
        return next((g for g in self.gates if g.id == gate_id), None)

    def gates_from(self, phase: str) -> tuple[Gate, ...]:
        return tuple(g for g in self.gates if g.from_phase == phase)
