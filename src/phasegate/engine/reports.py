"""Status reports (*statusrapporter*): start a draft, save it, publish it.

A new report is a draft, pre-filled from the project's previous published report. A
project has at most one draft at a time (a unique index), so "new report" twice gives the
same draft. Saving names the version it read, so two people editing one draft cannot
overwrite each other unseen. Publishing checks the report is complete, locks it, stamps
the date, and answers the project's open report requests of that kind.

The project's manager and owner, and the PMO and admins, may write its reports.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Row, bindparam, insert, select, update

from phasegate.domain import events as ev
from phasegate.domain.problems import Invalid, Problem
from phasegate.domain.reports import (
    Colour,
    Dimension,
    ReportContent,
    ReportKind,
    prefill,
    problems_for_publishing,
)
from phasegate.domain.wheel import BENEFIT_PHASE
from phasegate.engine.access import OFFICE_ROLES
from phasegate.engine.business_case import register_snapshot
from phasegate.engine.lookups import get_project, roles_of
from phasegate.engine.unit import UnitOfWork
from phasegate.errors import (
    ConcurrentUpdate,
    NoReportRequested,
    NotFound,
    NotPermitted,
    ReportInvalid,
    ReportLocked,
)
from phasegate.storage.tables import Person, Project, ReportRequest, StatusReport

_S = StatusReport
_COLUMNS = (
    _S.id,
    _S.project_id,
    _S.kind,
    _S.status,
    _S.ratings,
    _S.comments,
    _S.budget,
    _S.spent,
    _S.forecast,
    _S.created_at,
    _S.updated_at,
    _S.published_at,
    _S.version,
    _S.register,
    Project.name.label("project"),
    Person.name.label("published_by"),
)
_FROM = (
    select(*_COLUMNS)
    .join(Project, Project.id == _S.project_id)
    .outerjoin(Person, Person.id == _S.published_by)
)
Q_REPORT = _FROM.where(_S.id == bindparam("report"))
Q_REPORT_LOCKED = (
    select(_S.id, _S.project_id, _S.kind, _S.status, _S.version)
    .where(_S.id == bindparam("report"))
    .with_for_update()
)
_RR = ReportRequest
Q_REPORT_REQUEST = (
    select(
        _RR.id,
        _RR.project_id,
        Project.name.label("project"),
        _RR.kind,
        _RR.cycle_label,
        _RR.occurrence_key,
        _RR.person_id,
        _RR.due_at,
        _RR.status,
        _RR.requested_at,
        _RR.closed_at,
        _RR.report_id,
    )
    .join(Project, Project.id == _RR.project_id)
    .where(_RR.id == bindparam("request"))
)
# The draft's id first: .scalar() callers take the id, report_to_write the kind too.
Q_DRAFT = select(_S.id, _S.kind).where(_S.project_id == bindparam("project"), _S.status == "draft")
Q_LATEST_PUBLISHED = (
    select(_S.ratings, _S.comments, _S.budget, _S.spent, _S.forecast)
    .where(_S.project_id == bindparam("project"), _S.status == "published")
    .order_by(_S.published_at.desc(), _S.id.desc())
    .limit(1)
)
Q_LATEST_PUBLISHED_ID = Q_LATEST_PUBLISHED.with_only_columns(_S.id)
Q_REPORT_PROJECT = select(_S.project_id).where(_S.id == bindparam("report"))
Q_PROJECT_REPORTS = _FROM.where(_S.project_id == bindparam("project")).order_by(
    _S.created_at.desc(), _S.id.desc()
)
Q_OPEN_REQUEST_KIND = (
    select(ReportRequest.kind)
    .where(ReportRequest.project_id == bindparam("project"), ReportRequest.status == "open")
    .order_by(ReportRequest.due_at)
    .limit(1)
)
Q_REQUEST_LOCKED = (
    select(ReportRequest.status, ReportRequest.report_id)
    .where(ReportRequest.id == bindparam("request"))
    .with_for_update()
)
W_REPORT = insert(StatusReport).returning(_S.id)
W_SAVE = (
    update(StatusReport)
    .where(_S.id == bindparam("report"), _S.version == bindparam("seen"), _S.status == "draft")
    .values(
        ratings=bindparam("ratings"),
        comments=bindparam("comments"),
        budget=bindparam("budget"),
        spent=bindparam("spent"),
        forecast=bindparam("forecast"),
        updated_at=bindparam("now"),
        version=_S.version + 1,
    )
)
W_PUBLISH = (
    update(StatusReport)
    .where(_S.id == bindparam("report"), _S.version == bindparam("seen"), _S.status == "draft")
    .values(
        status="published",
        published_at=bindparam("now"),
        published_by=bindparam("actor"),
        register=bindparam("register"),
        updated_at=bindparam("now"),
        version=_S.version + 1,
    )
)
W_ANSWER_REQUESTS = (
    update(ReportRequest)
    .where(
        ReportRequest.project_id == bindparam("project"),
        ReportRequest.kind == bindparam("of_kind"),
        ReportRequest.status == "open",
    )
    .values(status="done", closed_at=bindparam("now"), report_id=bindparam("report"))
    .returning(ReportRequest.id)
)


@dataclass(frozen=True)
class ReportRequestView:
    """A reporting cycle's request to one project (*rapporteringsforespørsel*)."""

    id: int
    project_id: int
    project: str
    kind: ReportKind
    cycle_label: dict[str, str]  # {"nb": …, "nn": …, "en": …}; rows before nynorsk lack nn
    cycle: str  # the wheel occurrence key
    person_id: int | None  # who is asked
    due_at: datetime
    status: str  # open | done | cancelled
    requested_at: datetime
    closed_at: datetime | None
    report_id: int | None

    def label(self, language: str) -> str:
        return self.cycle_label.get(language) or self.cycle_label["nb"]


@dataclass(frozen=True)
class ReportView:
    """A status report as people read it."""

    id: int
    project_id: int
    project: str
    kind: ReportKind
    status: str  # draft | published
    content: ReportContent
    created_at: datetime
    updated_at: datetime
    published_at: datetime | None
    published_by: str | None
    version: int
    register: Mapping[str, Any] | None = None  # published: top risks and plan of that day

    @property
    def colours(self) -> dict[Dimension, Colour]:
        return self.content.colours()

    @property
    def is_draft(self) -> bool:
        return self.status == "draft"


def require_reporter(uow: UnitOfWork, project_id: int) -> None:
    """A project's reports are written by its manager or owner, the PMO or an admin."""
    project = get_project(uow, project_id)
    person = uow.actor.person
    if person is None or person in (project.leader_id, project.owner_id):
        return
    if roles_of(uow, person) & OFFICE_ROLES:
        return
    raise NotPermitted("reporter", person=uow.actor_name, project=project.name)


def report_content(
    values: Mapping[str, object],
    comments: Mapping[str, object],
    budget: object = None,
    spent: object = None,
    forecast: object = None,
) -> ReportContent:
    """A report as a form or the API sends it; ReportInvalid lists every problem, each on
    its field (the domain's reading, ``ReportContent.from_json``)."""
    try:
        return ReportContent.from_json(values, comments, budget, spent, forecast)
    except Invalid as exc:
        raise ReportInvalid(exc.problems) from exc


@dataclass(frozen=True)
class Basis:
    """The latest published report a form was made from (None: there was none yet).

    A form that answers no report request has no request to lock, so a second publish of
    it (a double click, the back button) would start and publish a second report. Given
    its basis, a draft is started only while that is still the project's latest report,
    checked under the project's row lock that publishing takes too: of two racing
    publishes, the second starts nothing and is refused.
    """

    previous: int | None


def start_report(
    uow: UnitOfWork,
    project_id: int,
    kind: ReportKind | None = None,
    basis: Basis | None = None,
) -> int:
    """The project's draft: the one already started, or a new one from the last report."""
    require_reporter(uow, project_id)
    project = get_project(uow, project_id, lock=True)  # one start or publish at a time
    if basis is not None and uow.scalar(Q_LATEST_PUBLISHED_ID, project=project_id) != (
        basis.previous
    ):
        raise ReportLocked("newer_published")
    existing = uow.scalar(Q_DRAFT, project=project_id)
    if existing is not None:
        return int(existing)
    if kind is None:
        kind = new_report_kind(uow.conn, project_id, project.phase)
    content = prefilled(uow.conn, project_id)
    ratings, comments = content.to_json()
    return int(
        uow.scalar(
            W_REPORT,
            project_id=project_id,
            kind=kind.value,
            status="draft",
            ratings=ratings,
            comments=comments,
            budget=content.budget,
            spent=content.spent,
            forecast=content.forecast,
            created_by=uow.actor.person,
            created_at=uow.now,
            updated_at=uow.now,
            published_by=None,
            published_at=None,
            version=1,
        )
    )


def save_report(
    uow: UnitOfWork, report_id: int, content: ReportContent, seen_version: int | None = None
) -> int:
    """Replace the draft's content; returns its new version."""
    row = _lock_draft(uow, report_id)
    ratings, comments = content.to_json()
    done = uow.conn.execute(
        W_SAVE,
        {
            "report": report_id,
            "seen": row.version if seen_version is None else seen_version,
            "ratings": ratings,
            "comments": comments,
            "budget": content.budget,
            "spent": content.spent,
            "forecast": content.forecast,
            "now": uow.now,
        },
    ).rowcount
    if done != 1:
        raise ConcurrentUpdate("report_saved")
    return int(row.version) + 1


def publish_report(
    uow: UnitOfWork,
    report_id: int,
    seen_version: int | None = None,
    request: int | None = None,
    *,
    year: int | None = None,
) -> list[int]:
    """Lock the report and stamp its date; returns the report requests it answered.

    Given the report ``request`` it answers (a form opened from a request's link), the
    request is locked first and must still be open: of two publishes racing for one
    request (a double click), the second is refused instead of publishing a second report.
    """
    # Locks in one order everywhere: the project (as start_report and gate decisions take
    # it), then the request, then the report.
    project = uow.scalar(Q_REPORT_PROJECT, report=report_id)
    if project is not None:
        get_project(uow, int(project), lock=True)
    if request is not None:
        _require_open_request(uow, request)
    row = _lock_draft(uow, report_id)
    view = read_report(uow.conn, report_id)
    if problems := problems_for_publishing(view.content, view.kind):
        raise ReportInvalid(problems)
    done = uow.conn.execute(
        W_PUBLISH,
        {
            "report": report_id,
            "seen": row.version if seen_version is None else seen_version,
            "now": uow.now,
            "actor": uow.actor.person,
            # the organisation's year (the engine's ``today()``); UTC's when not given
            "register": register_snapshot(uow.conn, row.project_id, year or uow.now.year),
        },
    ).rowcount
    if done != 1:
        raise ConcurrentUpdate("report_changed")
    answered = [
        int(r)
        for r in uow.conn.execute(
            W_ANSWER_REQUESTS,
            {"project": row.project_id, "of_kind": row.kind, "now": uow.now, "report": report_id},
        ).scalars()
    ]
    uow.emit(
        ev.ReportPublished(
            project=row.project_id, report=report_id, report_kind=row.kind, requests=tuple(answered)
        )
    )
    return answered


def _require_open_request(uow: UnitOfWork, request: int) -> None:
    found = uow.one(Q_REQUEST_LOCKED, request=request)
    if found is None:
        raise NotFound("report_request", request=str(request))
    if found.status == "done":
        raise ReportLocked("request_answered", report=str(found.report_id))
    if found.status != "open":
        raise NoReportRequested()


@dataclass(frozen=True)
class ReportToWrite:
    """What the acting person would write for a project now: a report of ``kind``, and
    whether a draft of it is already started."""

    kind: ReportKind
    draft_started: bool


def report_to_write(uow: UnitOfWork, project_id: int) -> ReportToWrite | None:
    """The report the acting person may write for the project (None: they may not);
    asks, changes nothing."""
    if not may_write(uow, project_id):
        return None
    draft = uow.one(Q_DRAFT, project=project_id)
    if draft is not None:
        return ReportToWrite(ReportKind(draft.kind), draft_started=True)
    phase = get_project(uow, project_id).phase
    return ReportToWrite(new_report_kind(uow.conn, project_id, phase), draft_started=False)


def may_write(uow: UnitOfWork, project_id: int) -> bool:
    """Whether the acting person may write the project's reports (asks, changes nothing)."""
    try:
        require_reporter(uow, project_id)
    except NotPermitted:
        return False
    return True


def _lock_draft(uow: UnitOfWork, report_id: int) -> Row[Any]:
    row = uow.one(Q_REPORT_LOCKED, report=report_id)
    if row is None:
        raise NotFound("report", report=str(report_id))
    require_reporter(uow, row.project_id)
    if row.status != "draft":
        raise ReportLocked("report_published", report=str(report_id))
    return row


def read_report(conn: Any, report_id: int) -> ReportView:
    row = conn.execute(Q_REPORT, {"report": report_id}).first()
    if row is None:
        raise NotFound("report", report=str(report_id))
    return _view(row)


def read_report_request(conn: Any, request_id: int) -> ReportRequestView:
    row = conn.execute(Q_REPORT_REQUEST, {"request": request_id}).first()
    if row is None:
        raise NotFound("report_request", request=str(request_id))
    return ReportRequestView(
        id=row.id,
        project_id=row.project_id,
        project=row.project,
        kind=ReportKind(row.kind),
        cycle_label=dict(row.cycle_label),
        cycle=row.occurrence_key,
        person_id=row.person_id,
        due_at=row.due_at,
        status=row.status,
        requested_at=row.requested_at,
        closed_at=row.closed_at,
        report_id=row.report_id,
    )


def draft_of(conn: Any, project_id: int) -> ReportView | None:
    """The project's draft report, if one is started (reading only)."""
    report = conn.execute(Q_DRAFT, {"project": project_id}).scalar()
    return None if report is None else read_report(conn, int(report))


def latest_published(conn: Any, project_id: int) -> ReportView | None:
    """The project's latest published report, the one a new form is based on (reading
    only); the same order start_report checks a form's basis against."""
    report = conn.execute(Q_LATEST_PUBLISHED_ID, {"project": project_id}).scalar()
    return None if report is None else read_report(conn, int(report))


def new_report_kind(conn: Any, project_id: int, phase: str) -> ReportKind:
    """The kind a new draft of the project's report takes (reading only): what its open
    report request asks for, else a benefit report in realisation and a status report
    in any other phase."""
    asked = conn.execute(Q_OPEN_REQUEST_KIND, {"project": project_id}).scalar()
    if asked:
        return ReportKind(asked)
    return ReportKind.BENEFIT if phase == BENEFIT_PHASE else ReportKind.STATUS


def prefilled(conn: Any, project_id: int) -> ReportContent:
    """What a new draft would start with: the previous published report (reading only)."""
    previous = conn.execute(Q_LATEST_PUBLISHED, {"project": project_id}).first()
    return prefill(_content(previous) if previous is not None else None)


def project_reports(conn: Any, project_id: int) -> list[ReportView]:
    """Every report of the project, newest first (drafts included)."""
    return [_view(row) for row in conn.execute(Q_PROJECT_REPORTS, {"project": project_id})]


def _content(row: Row[Any]) -> ReportContent:
    return ReportContent(dict(row.ratings), dict(row.comments), row.budget, row.spent, row.forecast)


def _view(row: Row[Any]) -> ReportView:
    return ReportView(
        id=row.id,
        project_id=row.project_id,
        project=row.project,
        kind=ReportKind(row.kind),
        status=row.status,
        content=_content(row),
        created_at=row.created_at,
        updated_at=row.updated_at,
        published_at=row.published_at,
        published_by=row.published_by,
        version=row.version,
        register=row.register,
    )


def write_report(
    uow: UnitOfWork,
    project_id: int,
    content: ReportContent | None,
    *,
    publish: bool,
    seen_version: int | None,
    seen_report: int | None = None,
    kind: ReportKind | None = None,
    request: int | None = None,
    basis: Basis | None = None,
    year: int | None = None,
) -> tuple[int, tuple[Problem, ...]]:
    """What one press of "Lagre" or "Publiser" does, in one transaction: start the
    project's draft if the writer saw none, save ``content`` over the draft they saw
    (``seen_report`` at ``seen_version``), and publish it when asked, answering ``request``.
    Returns the report's id, and what stops it being published: then the draft is saved
    as it was sent (nothing typed is lost) and the caller refuses the publishing.

    The project is locked first, then the request, then the report: the order every
    report and gate operation takes, so two writers queue instead of deadlocking."""
    get_project(uow, project_id, lock=True)
    if publish and request is not None:
        _require_open_request(uow, request)
    draft = uow.scalar(Q_DRAFT, project=project_id)
    if content is not None:
        if seen_version is None:
            report = start_report(uow, project_id, kind, basis)
            seen_version = 1  # a draft nobody has saved yet holds only what the form showed
        elif draft is None or seen_report not in (None, int(draft)):
            raise ConcurrentUpdate("draft_replaced")
        else:
            report = int(draft)
        seen_version = save_report(uow, report, content, seen_version)
    elif draft is None:
        raise ReportInvalid([Problem.of("report_no_draft")])
    else:
        report = int(draft)
    if publish:
        view = read_report(uow.conn, report)
        if problems := problems_for_publishing(view.content, view.kind):
            return report, tuple(problems)
        publish_report(uow, report, seen_version, request, year=year)
    return report, ()
