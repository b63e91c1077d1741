"""The JSON API for integrations and scripts, over the same engine operations as the pages.

Callers sign in with an API token (``Authorization: Bearer pgt_…``, made on /account) or
a browser session (then with the ``X-CSRF-Token`` header for changes). The engine checks
who may do what, exactly as for the pages and email links. Errors have one body shape,
``{"error": code, "message": text}``; lists are paginated with ``limit`` and ``offset``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Annotated, Any, Generic, TypeVar

from fastapi import APIRouter, Query
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field

from phasegate.bootstrap import App
from phasegate.domain.model import Answer
from phasegate.domain.rules import ChecklistAnswer, DocumentLink
from phasegate.engine.views import AuditEntry, GateRequestView, ProjectView
from phasegate.errors import RuleViolation
from phasegate.exports import audit_csv
from phasegate.web.access import Rule, SignedIn, guard
from phasegate.web.overview import attachment
from phasegate.web.params import TEXT_LENGTH, Limit, Line, Lines, Offset, PersonRef, RowId
from phasegate.web.report_api import ErrorOut

T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    """One page of a list: ``items``, and where it is in the whole (``total``)."""

    items: list[T]
    total: int
    limit: int
    offset: int


class FromView(BaseModel):
    """Made from an engine view (a frozen dataclass), reading its attributes by name."""

    model_config = ConfigDict(from_attributes=True)


class ProjectOut(FromView):
    id: int
    name: str
    phase: str
    phase_label: str
    status: str
    owner: str | None
    leader: str | None
    development_area: str | None
    portfolio: str | None
    workflow: str
    workflow_version: int
    open_request: int | None


class ProjectIn(BaseModel):
    name: Line = Field(min_length=1, max_length=200)
    owner: PersonRef | None = None
    leader: PersonRef | None = None
    development_area: Line | None = Field(default=None, max_length=200)
    portfolio: Line | None = Field(default=None, max_length=200)
    description: Lines = Field(default="", max_length=TEXT_LENGTH)
    phase: Line | None = Field(
        default=None, max_length=50, description="Starting phase; the first if left out."
    )


class VoteOut(FromView):
    voter: str
    outcome: str
    comment: str
    channel: str
    cast_at: datetime


class GateRequestOut(FromView):
    id: int
    project_id: int
    project: str
    gate: str
    from_phase: str
    to_phase: str
    status: str
    policy: str
    decider_role: str
    deciders: list[str]
    votes: list[VoteOut]
    awaiting_events: list[str]
    submitted_by: str
    submitted_at: datetime
    due_at: datetime | None
    outcome: str | None
    decided_by: str | None
    decided_at: datetime | None


class AnswerIn(BaseModel):
    answer: Answer
    comment: Lines = Field(default="", max_length=TEXT_LENGTH)


class DocumentIn(BaseModel):
    requirement: Line = Field(
        max_length=100, description="The id of the document the gate asks for."
    )
    url: Line = Field(max_length=2000)
    title: Line = Field(default="", max_length=300)


ItemId = Annotated[Line, Field(max_length=100)]


class GateRequestIn(BaseModel):
    answers: dict[ItemId, AnswerIn] = Field(
        max_length=500, description="Checklist item id → answer."
    )
    documents: list[DocumentIn] = Field(default=[], max_length=500)
    gate: Line | None = Field(
        default=None, max_length=50, description="The gate; the next one if left out."
    )


class VoteIn(BaseModel):
    outcome: Line = Field(
        max_length=20, examples=["approve"], description="approve, rework, hold or stop"
    )
    comment: Lines = Field(default="", max_length=TEXT_LENGTH)


class VoteResultOut(BaseModel):
    request: int
    decided: bool
    outcome: str | None
    phase: str
    status: str
    awaiting_events: list[str]


class WithdrawIn(BaseModel):
    reason: Lines = Field(min_length=1, max_length=TEXT_LENGTH)


class OccurrenceOut(BaseModel):
    key: str
    event: str
    kind: str
    label: str
    at: datetime
    nominal: datetime
    opens_at: datetime
    ends_at: datetime


class AuditOut(FromView):
    id: int
    occurred_at: datetime
    kind: str
    actor: str
    project_id: int | None
    payload: dict[str, Any]


ERRORS: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorOut} for status in (401, 403, 404, 409, 422)
}


def api_routes(app: App) -> APIRouter:
    engine = app.engine
    signed_in = guard(app, Rule.SIGNED_IN)  # declared on the router, and gives `me`
    router = APIRouter(prefix="/api", dependencies=[signed_in], responses=ERRORS)
    language = app.settings.locale.value

    @router.get("/projects", tags=["projects"])
    def list_projects(
        me: SignedIn,
        limit: Limit = 50,
        offset: Offset = 0,
        phase: str | None = None,
        status: str | None = None,
    ) -> Page[ProjectOut]:
        """The portfolio, by portfolio and name; filter by phase or status."""
        lang = me.language
        chosen = [
            p
            for p in engine.portfolio()
            if (phase is None or p.phase == phase) and (status is None or p.status == status)
        ]
        return _page([_project(p, lang) for p in chosen], limit, offset)

    @router.get("/projects/{project}", tags=["projects"])
    def get_project(me: SignedIn, project: RowId) -> ProjectOut:
        return _project(engine.project(project), me.language)

    @router.post("/projects", status_code=201, tags=["projects"])
    def register_project(me: SignedIn, body: ProjectIn) -> ProjectOut:
        """Register a project (in its first phase unless ``phase`` says otherwise)."""
        who = me
        project = engine.register_project(
            body.name,
            owner=body.owner,
            leader=body.leader,
            development_area=body.development_area,
            portfolio=body.portfolio,
            description=body.description,
            phase=body.phase,
            actor=who.person,
        )
        return _project(engine.project(project), who.language)

    @router.get("/projects/{project}/audit", tags=["audit"])
    def project_audit(project: RowId, limit: Limit = 100, offset: Offset = 0) -> Page[AuditOut]:
        """The project's audit trail, in the order it happened."""
        return _page([_audit(e) for e in engine.audit_trail(project)], limit, offset)

    @router.get(
        "/projects/{project}/audit.csv",
        tags=["audit"],
        response_class=Response,
        responses={200: {"content": {"text/csv": {}}, "description": "The trail as CSV."}},
    )
    def project_audit_csv(project: RowId) -> Response:
        """The project's audit trail as CSV for Excel (``;``, UTF-8 with a byte order mark),
        in the order it happened; cells that would run as formulas are defused."""
        body = audit_csv(engine.audit_trail(project))
        return attachment(body, "text/csv; charset=utf-8", f"audit-{project}.csv")

    @router.post("/projects/{project}/gate-requests", status_code=201, tags=["gates"])
    def submit_gate_request(me: SignedIn, project: RowId, body: GateRequestIn) -> GateRequestOut:
        """Ask for the next gate (or ``gate``) with the checklist answers and documents."""
        request = engine.submit_gate_request(
            project,
            {k: ChecklistAnswer(v.answer, v.comment) for k, v in body.answers.items()},
            [DocumentLink(d.requirement, d.url, d.title) for d in body.documents],
            gate=body.gate,
            actor=me.person,
        )
        return _request(engine.gate_request(request))

    @router.get("/gate-requests/{request}", tags=["gates"])
    def get_gate_request(request: RowId) -> GateRequestOut:
        return _request(engine.gate_request(request))

    @router.post("/gate-requests/{request}/votes", tags=["gates"])
    def vote(me: SignedIn, request: RowId, body: VoteIn) -> VoteResultOut:
        """Cast your vote; the engine refuses non-deciders, your own gate and a second vote."""
        result = engine.cast_vote(
            request, body.outcome, body.comment, channel="api", actor=me.person
        )
        return VoteResultOut(
            request=result.request,
            decided=result.decided,
            outcome=result.outcome,
            phase=result.project_phase,
            status=result.project_status,
            awaiting_events=list(result.awaiting_events),
        )

    @router.post("/gate-requests/{request}/withdraw", tags=["gates"])
    def withdraw(me: SignedIn, request: RowId, body: WithdrawIn) -> GateRequestOut:
        engine.withdraw_gate_request(request, body.reason, actor=me.person)
        return _request(engine.gate_request(request))

    @router.get("/pending", tags=["gates"])
    def pending(
        me: SignedIn,
        scope: Annotated[str, Query(pattern="^(mine|board)$")] = "mine",
        limit: Limit = 50,
        offset: Offset = 0,
    ) -> Page[GateRequestOut]:
        """Open decisions: yours to make (``mine``), or the whole board's queue (``board``)."""
        who = me
        views = (
            engine.board_pending_decisions()
            if scope == "board"
            else engine.pending_decisions(who.person)
        )
        return _page([_request(v) for v in views], limit, offset)

    @router.get("/wheel", tags=["annual cycle"])
    def wheel(
        me: SignedIn, start: datetime | None = None, days: Annotated[int, Query(ge=1, le=800)] = 365
    ) -> list[OccurrenceOut]:
        """The wheel's events from ``start`` (default now) for ``days`` days."""
        lang = me.language or language
        first = start or engine.clock()
        if first.tzinfo is None:
            raise RuleViolation("start_without_zone", field="start")
        return [
            OccurrenceOut(
                key=o.key,
                event=o.event.id,
                kind=o.event.kind.value,
                label=o.event.label.get(lang),
                at=o.at,
                nominal=o.nominal,
                opens_at=o.opens_at,
                ends_at=o.ends_at,
            )
            for o in app.wheel.occurrences(first, first + timedelta(days=days))
        ]

    return router


def _page(items: Sequence[T], limit: int, offset: int) -> Page[T]:
    return Page(
        items=list(items[offset : offset + limit]), total=len(items), limit=limit, offset=offset
    )


def _project(p: ProjectView, language: str) -> ProjectOut:
    """The view's fields as they are, with its phase named in the caller's language."""
    return ProjectOut.model_validate({**vars(p), "phase_label": p.phase_label.get(language)})


def _request(v: GateRequestView) -> GateRequestOut:
    return GateRequestOut.model_validate(v)


def _audit(e: AuditEntry) -> AuditOut:
    return AuditOut.model_validate(e)
