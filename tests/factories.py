"""Factories and helpers the tests share: a hand-moved clock, settings, complete requests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from phasegate.domain.model import Answer, Gate
from phasegate.domain.rules import ChecklistAnswer, DocumentLink
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


def submit_complete(engine: Engine, project: int, gate: Gate, actor: int) -> int:
    return engine.submit_gate_request(
        project, complete_answers(gate), linked_documents(gate), actor=actor
    )
