"""Factories and helpers the tests share: a hand-moved clock, settings, complete requests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from phasegate.domain.benefits import BenefitKind, Direction, IndicatorDefinition
from phasegate.domain.model import Answer, Gate, Requirement
from phasegate.domain.rules import ChecklistAnswer, DocumentLink
from phasegate.engine.benefits import BenefitDraft, IndicatorDraft
from phasegate.engine.service import Engine
from phasegate.settings import Settings

REPO = Path(__file__).resolve().parents[1]
WORKFLOWS = REPO / "workflows"
TEST_SECRET = "test-secret-key-that-is-long-enough-for-production-use"


class Clock:
    """A clock the test moves by hand; the engine asks it for the time."""

    def __init__(self, start: datetime | None = None) -> None:
        self.now = start or datetime(2026, 3, 2, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now


def make_settings(database_url: str, **overrides: object) -> Settings:
    values = {
        "PHASEGATE_DATABASE_URL": database_url,
        "PHASEGATE_WORKFLOWS_DIR": str(WORKFLOWS),
        "PHASEGATE_WHEEL_FILE": str(WORKFLOWS / "arshjul.yaml"),
        "PHASEGATE_SECRET_KEY": TEST_SECRET,
        "PHASEGATE_ENV": "test",
        "PHASEGATE_SCHEDULER_IN_WEB": "false",  # tests run ticks themselves
    }
    values.update({f"PHASEGATE_{k.upper()}": str(v) for k, v in overrides.items()})
    return Settings.load(values)


@dataclass(frozen=True)
class Cast:
    """The people around one project: its manager, its owner, and a board of three."""

    leader: int
    owner: int
    board: tuple[int, int, int]
    pmo: int
    outsider: int


def complete_answers(gate: Gate) -> dict[str, ChecklistAnswer]:
    """Every checklist item answered done."""
    return {item.id: ChecklistAnswer(Answer.DONE) for item in gate.checklist}


def linked_documents(gate: Gate) -> list[DocumentLink]:
    return [DocumentLink(d.id, f"https://docs.asker.example/{d.id}.pdf") for d in gate.documents]


def meet_requirements(engine: Engine, project: int, gate: Gate) -> None:
    """Give the project what the gate's ``requires:`` asks of its data (BP3: a benefit with
    a baselined indicator), as its project manager would before asking."""
    if Requirement.BASELINED_BENEFIT in gate.requires:
        case = engine.business_case(project)
        if not any(b.indicators for b in case.benefits):
            benefit = engine.add_benefit(
                project,
                BenefitDraft("Spart tid i saksbehandlingen", "", BenefitKind.TIME, None),
                actor=None,
            )
            engine.add_indicator(
                benefit,
                IndicatorDraft(
                    "Timer spart per år",
                    IndicatorDefinition(
                        "timer",
                        Direction.HIGHER,
                        Decimal(0),
                        date(2026, 1, 1),
                        Decimal(1000),
                        date(2028, 12, 31),
                    ),
                ),
                actor=None,
            )


def submit_complete(engine: Engine, project: int, gate: Gate, actor: int) -> int:
    meet_requirements(engine, project, gate)
    return engine.submit_gate_request(
        project, complete_answers(gate), linked_documents(gate), actor=actor
    )
