"""Loading the Asker demo portfolio, safely more than once."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from phasegate.demo.business_case import load_cases
from phasegate.domain.model import Answer
from phasegate.domain.rules import ChecklistAnswer, DocumentLink
from phasegate.engine.service import Engine
from phasegate.errors import DuplicateName
from phasegate.portfolio.table import SEED_PHASES, email_for
from phasegate.workflow.yamlfile import load_data

SEED_FILE = Path(__file__).with_name("asker.yaml")


@dataclass(frozen=True)
class SeedResult:
    people_added: int
    projects_added: int
    projects_total: int
    requests_submitted: int = 0
    cases_added: int = 0  # projects given benefits, risks and plans now


def seed_phase(word: str) -> str:
    try:
        return SEED_PHASES[word.strip().lower()]
    except KeyError as exc:
        raise ValueError(f"Unknown phase in the seed: {word!r}") from exc


def load_demo(engine: Engine, seed_file: Path = SEED_FILE) -> SeedResult:
    """Add the seed's people, board and projects that are not there yet, and the business
    cases of ``business_case.yaml`` (demo data: benefits, risks and plans) to projects
    that have none."""
    data: dict[str, Any] = load_data(seed_file, "seed")
    domain = data["email_domain"]
    people_before = len(engine.people())

    def person(name: str | None) -> int | None:
        if not name:
            return None
        email = email_for(name, domain)
        found = engine.person_by_email(email)
        return found if found is not None else engine.register_person(name, email)

    for name in data.get("board", []):
        member = person(name)
        assert member is not None
        engine.grant_role(member, "board")
    pmo = None
    for name in data.get("pmo", []):
        officer = person(name)
        assert officer is not None
        engine.grant_role(officer, "pmo")
        pmo = pmo or officer
    added = 0
    existing = {p.name for p in engine.portfolio()}
    for portfolio in data["portfolios"]:
        for entry in portfolio["projects"]:
            if entry["name"] in existing:
                continue
            try:
                engine.register_project(
                    entry["name"],
                    owner=person(entry.get("owner")),
                    leader=person(entry.get("leader")),
                    development_area=entry.get("area"),
                    portfolio=portfolio["name"],
                    phase=seed_phase(entry["phase"]),
                )
                added += 1
            except DuplicateName:  # another demo process added it a moment ago
                continue
    cases = load_cases(engine, person, pmo)
    requested = _request_first_gate(engine, data.get("demo_request"), domain)
    return SeedResult(
        people_added=len(engine.people()) - people_before,
        projects_added=added,
        projects_total=len(engine.portfolio()),
        requests_submitted=requested,
        cases_added=cases,
    )


def _request_first_gate(engine: Engine, spec: dict[str, str] | None, domain: str) -> int:
    """Let one idea ask the board for BP1, so the demo has decisions waiting in the mailbox.

    Only while that project is still an idea with nothing asked yet: a second run, or a
    demo where the board has already decided, is left as it is.
    """
    if not spec:
        return 0
    project = next((p for p in engine.portfolio() if p.name == spec["project"]), None)
    if project is None or project.phase != "idea" or project.open_request is not None:
        return 0
    if any(e.kind == "GateRequested" for e in engine.audit_trail(project.id)):
        return 0
    gate = engine.workflows.current(project.workflow).gates_from("idea")[0]
    answers = {item.id: ChecklistAnswer(Answer.DONE) for item in gate.checklist}
    documents = [DocumentLink(d.id, spec["document_url"]) for d in gate.documents]
    leader = engine.person_by_email(email_for(project.leader, domain)) if project.leader else None
    engine.submit_gate_request(project.id, answers, documents, actor=leader)
    return 1
