"""Bulk seeding shared by the benchmarks: a portfolio's rows, collected in memory and
written with a few bulk Core inserts, in the formats the engine itself stores.

Imported by ``tick.py`` and ``web.py`` as ``bulk`` (the scripts' folder is on the path).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, ClassVar

from sqlalchemy import Connection, insert, text

from phasegate.bootstrap import App, build
from phasegate.domain.model import Gate, WorkflowDefinition
from phasegate.domain.wheel import Occurrence
from phasegate.settings import Settings
from phasegate.storage.database import connect, upgrade
from phasegate.storage.tables import (
    Base,
    GateRequest,
    GateRequestDecider,
    Person,
    Project,
    ReportRequest,
    RoleGrant,
)

REPO = Path(__file__).resolve().parents[1]
CHUNK = 5000  # rows per bulk insert statement
WORKFLOW = "prosjektveiviseren"
BOARD, PMO = 7, 2
SIGNING_KEY = "benchmark-secret-key-long-enough-for-anything"

FIRST = (
    "Kari", "Ole", "Ingrid", "Lars", "Hanne", "Per", "Marit", "Knut", "Solveig", "Anders",
    "Silje", "Jon", "Ragnhild", "Eirik", "Tone", "Håkon", "Åse", "Bjørn", "Nina", "Øyvind",
)  # fmt: skip
LAST = (
    "Nordmann", "Hansen", "Johansen", "Olsen", "Larsen", "Andersen", "Pedersen", "Nilsen",
    "Kristiansen", "Jensen", "Karlsen", "Berg", "Haugen", "Hagen", "Solberg", "Lie", "Dahl",
)  # fmt: skip
WHAT = (
    "Digitalisering av byggesak", "Ny barneskole", "Omsorgsboliger", "Velferdsteknologi",
    "Sentrumsutvikling", "Vann og avløp", "Kulturhus", "Hjemmetjenester", "Skolebruksplan",
    "Klimatilpasning", "Innbyggerportal", "Sykkelvei", "Idrettshall", "Legevakt",
)  # fmt: skip
WHERE = (
    "Asker", "Heggedal", "Vollen", "Slemmestad", "Holmen", "Borgen", "Nesbru", "Drengsrud",
    "Hvalstad", "Tofte", "Sætre", "Røyken", "Spikkestad", "Gullhella",
)  # fmt: skip


def environment(url: str, base_url: str) -> dict[str, str]:
    """The PHASEGATE_* variables of a production-mode app on ``url``."""
    return {
        "PHASEGATE_ENV": "production",  # templates read once, as in production
        "PHASEGATE_DATABASE_URL": url,
        "PHASEGATE_WORKFLOWS_DIR": str(REPO / "workflows"),
        "PHASEGATE_NOTIFICATIONS_DIR": str(REPO / "notifications"),
        "PHASEGATE_WHEEL_FILE": str(REPO / "workflows" / "arshjul.yaml"),
        "PHASEGATE_SECRET_KEY": SIGNING_KEY,
        "PHASEGATE_BASE_URL": base_url,
    }


def sqlite_app(folder: Path) -> App:
    """phasegate on a new SQLite database in ``folder``, on the real clock, as in
    development (email rendered into the outbox, never sent)."""
    url = f"sqlite:///{folder / 'bench.db'}"
    upgrade(connect(url))
    settings = Settings.load(
        {
            "PHASEGATE_DATABASE_URL": url,
            "PHASEGATE_WORKFLOWS_DIR": str(REPO / "workflows"),
            "PHASEGATE_SECRET_KEY": SIGNING_KEY,
        }
    )
    return build(settings, clock=lambda: datetime.now(UTC))


def emptied(url: str) -> None:
    """Migrate, and empty every phasegate table (TRUNCATE: the audit trail refuses DELETE)."""
    database = connect(url)
    upgrade(database)
    names = ", ".join(t.name for t in Base.metadata.sorted_tables)
    with database.begin() as conn:
        conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    database.dispose()


def gate_of(definition: WorkflowDefinition, gate_id: str) -> Gate:
    gate = definition.gate(gate_id)
    assert gate is not None
    return gate


class Writer:
    """Collects one portfolio's rows in memory, then writes them with a few bulk inserts.

    Subclasses add their tables to ``TABLES`` (in insert order) and write the projects.
    """

    TABLES: ClassVar[tuple[Any, ...]] = (
        Person,
        RoleGrant,
        Project,
        ReportRequest,
        GateRequest,
        GateRequestDecider,
    )

    def __init__(self, app: App, n: int, now: datetime) -> None:
        self.app, self.n, self.now = app, n, now
        self.definition = app.engine.workflows.current(WORKFLOW)
        self.leaders, self.owners = max(20, n // 4), max(10, n // 10)
        self.first_leader = BOARD + PMO + 1
        self.first_owner = self.first_leader + self.leaders
        self.rows: dict[Any, list[dict[str, Any]]] = {table: [] for table in self.TABLES}

    def pin_workflow(self) -> None:
        """The workflow definition the projects follow, pinned as of 400 days ago."""
        with self.app.database.begin() as conn:
            self.app.engine.workflows.pin(conn, self.definition, self.now - timedelta(days=400))
        self.app.engine.workflows.remember(self.definition)

    def insert_rows(self, conn: Connection) -> None:
        for table, rows in self.rows.items():
            for start in range(0, len(rows), CHUNK):
                conn.execute(insert(table), rows[start : start + CHUNK])

    @staticmethod
    def language(person: int) -> str:
        return "en" if person % 7 == 3 else "nb"

    def people(self) -> None:
        """Board members, PMO, then the leaders and the owners."""
        self.rows[Person] += [
            {
                "id": i,
                "name": f"{FIRST[i % len(FIRST)]} {LAST[(i // len(FIRST)) % len(LAST)]}",
                "email": f"person{i}@asker.example",
                "language": self.language(i),
                "created_at": self.now - timedelta(days=400),
                "digest": False,
            }
            for i in range(1, self.first_owner + self.owners)
        ]
        self.rows[RoleGrant] += [
            {"person_id": i, "role": "board" if i <= BOARD else "pmo", "granted_at": self.now}
            for i in range(1, BOARD + PMO + 1)
        ]

    def add_project(
        self,
        p: int,
        *,
        leader: int,
        owner: int,
        area: str,
        portfolio: str,
        phase: str,
        status: str,
        entered: timedelta,
        created: timedelta,
    ) -> None:
        """Project ``p``, in ``phase`` since ``entered`` ago, created ``created`` ago."""
        self.rows[Project].append(
            {
                "id": p,
                "name": f"{WHAT[p % len(WHAT)]} {WHERE[p // len(WHAT) % len(WHERE)]} {p}",
                "owner_id": owner,
                "leader_id": leader,
                "development_area": area,
                "portfolio": portfolio,
                "description": "",
                "phase": phase,
                "status": status,
                "workflow_name": self.definition.name,
                "workflow_version": self.definition.version,
                "phase_entered_at": self.now - entered,
                "created_at": self.now - created,
                "version": 3,
            }
        )

    def report_request(
        self,
        project: int,
        leader: int,
        o: Occurrence,
        *,
        requested_at: datetime,
        closed_at: datetime | None = None,
    ) -> int:
        """A status report asked for by a reporting cycle: done when ``closed_at`` is given."""
        request = len(self.rows[ReportRequest]) + 1
        label = o.event.label
        self.rows[ReportRequest].append(
            {
                "id": request,
                "project_id": project,
                "occurrence_key": o.key,
                "cycle_label": {"nb": label.nb, "en": label.get("en")},
                "kind": "status",
                "person_id": leader,
                "due_at": o.at,
                "status": "open" if closed_at is None else "done",
                "requested_at": requested_at,
                "closed_at": closed_at,
                "report_id": None,
            }
        )
        return request

    def gate_request(
        self,
        project: int,
        gate: Gate,
        leader: int,
        deciders: list[int],
        due: datetime,
        meeting: str | None,
    ) -> None:
        """An open request (its id is the project's) to pass ``gate``, submitted two days
        ago complete, as the engine stores it (see ``phasegate.engine.gates``)."""
        self.rows[GateRequest].append(
            {
                "id": project,
                "project_id": project,
                "gate_id": gate.id,
                "from_phase": gate.from_phase,
                "to_phase": gate.to,
                "policy": gate.deciders.policy.value,
                "decider_role": gate.deciders.role.value,
                "status": "open",
                "checklist": {
                    item.id: {"answer": "done", "comment": ""} for item in gate.checklist
                },
                "documents": {
                    "links": [
                        {
                            "requirement": d.id,
                            "url": f"https://docs.asker.example/{project}/{d.id}.pdf",
                            "title": "",
                        }
                        for d in gate.documents
                    ]
                },
                "submitted_by": leader,
                "submitted_at": self.now - timedelta(days=2),
                "outcome": None,
                "decided_by": None,
                "decided_at": None,
                "closed_reason": None,
                "due_at": due,
                "meeting_key": meeting,
            }
        )
        self.rows[GateRequestDecider] += [
            {"request_id": project, "person_id": person} for person in deciders
        ]

    def gate_titles(self, gate: Gate) -> dict[str, str]:
        """A gate deadline's title in each language, as the engine words it."""
        return {lang: f"{gate.id} – {gate.label.get(lang)}" for lang in ("nb", "en")}
