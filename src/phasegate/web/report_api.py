"""The report JSON API: the same operations as the report form, with the link's token.

``/api/report-requests/{token}`` takes its authority from the token in the report-request
email. ``version`` is the draft version the writer read (null: "I saw no draft"), so two
people editing one report never overwrite each other unseen. Errors carry the API's
``{"error", "message", "params"}`` body in the request's language, and ``problems`` (each
with its field) for an incomplete report.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Body, Request, Response
from pydantic import BaseModel, Field

from phasegate.bootstrap import App
from phasegate.domain.model import Label
from phasegate.domain.reports import (
    SCALES,
    Colour,
    Dimension,
    ReportContent,
    ReportKind,
    required_dimensions,
)
from phasegate.engine.reports import ReportRequestView, ReportView, report_content
from phasegate.errors import NotPermitted, PhasegateError
from phasegate.i18n import words
from phasegate.web.access import Rule, guard
from phasegate.web.params import TEXT_LENGTH, Line, Lines, RowId, Version
from phasegate.web.refusals import refusal_answer
from phasegate.web.reports import ReportDesk

T = TypeVar("T")

# --- models and operations ---------------------------------------------------------------


class LabelOut(BaseModel):
    nb: str
    nn: str
    en: str

    @classmethod
    def catalog(cls, key: str) -> LabelOut:
        """A word of the catalog in each language."""
        return cls(nb=words("nb")(key), nn=words("nn")(key), en=words("en")(key))

    @classmethod
    def of(cls, label: Label | Mapping[str, str]) -> LabelOut:
        if isinstance(label, Label):
            return cls(nb=label.nb, nn=label.get("nn"), en=label.get("en"))
        nb = label.get("nb", "")
        return cls(nb=nb, nn=label.get("nn") or nb, en=label.get("en") or nb)


class LevelOut(BaseModel):
    value: str
    colour: Colour
    label: LabelOut


class RequestOut(BaseModel):
    """A reporting cycle's request to one project."""

    id: int
    project_id: int
    project: str
    kind: ReportKind
    cycle: str = Field(description="the annual cycle's occurrence, e.g. tertial-1/20270430T1200")
    cycle_label: LabelOut
    person_id: int | None = Field(description="who is asked")
    due_at: datetime
    status: str = Field(description="open | done | cancelled")
    requested_at: datetime
    closed_at: datetime | None
    report_id: int | None = Field(description="the published report that answered it")


class ReportOut(BaseModel):
    """A report: a draft, a published one, or (id null) what a new draft would start with."""

    id: int | None
    project_id: int
    kind: ReportKind
    status: str = Field(description="new (no draft yet) | draft | published")
    version: int | None = Field(description="send it back when saving or publishing")
    values: dict[Dimension, str]
    comments: dict[Dimension, str]
    budget: int | None = Field(description="whole kroner")
    spent: int | None
    forecast: int | None
    colours: dict[Dimension, Colour]
    published_at: datetime | None = None
    published_by: str | None = None


class RequestSheetOut(BaseModel):
    """Everything needed to fill in the report a link asks for."""

    request: RequestOut
    report: ReportOut
    scales: dict[Dimension, list[LevelOut]] = Field(
        description="each dimension's values, best first"
    )
    required: list[Dimension] = Field(description="what must be rated before publishing")


Word = Annotated[Line, Field(max_length=50)]  # a dimension, or one of its values
Comment = Annotated[Lines, Field(max_length=TEXT_LENGTH)]
Amount = Annotated[Line, Field(max_length=40)]  # "120 000 000"


class ReportIn(BaseModel):
    """A report's content; values and comments keyed by dimension, blank = not filled in."""

    values: dict[Word, Word | None] = Field(default_factory=dict, max_length=20)
    comments: dict[Word, Comment | None] = Field(default_factory=dict, max_length=20)
    budget: int | Amount | None = Field(default=None, description="whole kroner")
    spent: int | Amount | None = None
    forecast: int | Amount | None = None
    version: Version | None = Field(
        default=None, description="the draft version you read; null if you saw no draft"
    )

    def content(self) -> ReportContent:
        """What the body says; ReportInvalid lists every problem, each on its field."""
        return report_content(self.values, self.comments, self.budget, self.spent, self.forecast)

    def has_content(self) -> bool:
        return bool(self.model_fields_set - {"version"})


class ProblemOut(BaseModel):
    code: str = Field(description="a stable code, e.g. report_value_missing")
    field: str | None = Field(description="what it is about: a dimension, a figure, item-<id>")
    params: dict[str, Any] = Field(description="its particulars; moments in ISO 8601")
    message: str = Field(description="in the language of Accept-Language")


class ErrorOut(BaseModel):
    error: str = Field(description="a stable code, e.g. report_invalid, link_expired")
    message: str = Field(description="what happened and what to do, in Accept-Language's language")
    params: dict[str, Any] = Field(
        default_factory=dict, description="the particulars; moments in ISO 8601"
    )
    field: str | None = Field(default=None, description="the field it is about, if one")
    problems: list[ProblemOut] | None = Field(
        default=None, description="each thing wrong, for a request refused for several"
    )


ERRORS: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorOut, "description": what}
    for status, what in (
        (400, "the link is damaged or not made by phasegate"),
        (403, "this person may not write the project's reports"),
        (404, "the request or person no longer exists"),
        (409, "already published, or someone else saved first: read it again"),
        (410, "the link expired, or the report is no longer owed"),
        (422, "the report is not complete or not readable: see problems"),
    )
}


def _report_out(
    content: ReportContent, report: ReportView | None, ask: ReportRequestView | None = None
) -> ReportOut:
    """A report as the API gives it; without ``report``, a new draft of ``ask``'s project."""
    values, comments = content.to_json()
    common = {
        "values": values,
        "comments": comments,
        "budget": content.budget,
        "spent": content.spent,
        "forecast": content.forecast,
        "colours": content.colours(),
    }
    if report is not None:
        return ReportOut(
            id=report.id,
            project_id=report.project_id,
            kind=report.kind,
            status=report.status,
            version=report.version,
            published_at=report.published_at,
            published_by=report.published_by,
            **common,
        )
    assert ask is not None
    return ReportOut(
        id=None, project_id=ask.project_id, kind=ask.kind, status="new", version=None, **common
    )


def _request_out(ask: ReportRequestView) -> RequestOut:
    return RequestOut(
        id=ask.id,
        project_id=ask.project_id,
        project=ask.project,
        kind=ask.kind,
        cycle=ask.cycle,
        cycle_label=LabelOut.of(ask.cycle_label),
        person_id=ask.person_id,
        due_at=ask.due_at,
        status=ask.status,
        requested_at=ask.requested_at,
        closed_at=ask.closed_at,
        report_id=ask.report_id,
    )


class ReportApi:
    """The JSON side: the same desk, the token as the authority, errors as JSON."""

    def __init__(self, app: App) -> None:
        self.desk = ReportDesk(app)
        self.locale = app.settings.locale.value
        self.zone = app.settings.zone

    def answer(self, work: Callable[[], T], request: Request, response: Response) -> Any:
        """What ``work`` returns, or its refusal in the request's language; never cached,
        since the token is in the address."""
        response.headers["Cache-Control"] = "no-store"
        try:
            return work()
        except PhasegateError as exc:
            never = {"Cache-Control": "no-store"}
            return refusal_answer(request, exc, self.locale, self.zone, headers=never)

    def writer(self, token: str, *, writing: bool) -> tuple[int, ReportRequestView]:
        """Who writes, and the request; raises if the link or the request forbids it."""
        link, person, ask = self.desk.open(token)
        if writing or ask.status == "cancelled":
            self.desk.require_open(ask, self.desk.answered(ask))
        if not self.desk.may_write(ask.project_id, person.id):
            raise NotPermitted("reporter", person=person.name, project=ask.project)
        return link.person, ask

    def sheet(self, token: str) -> RequestSheetOut:
        _, ask = self.writer(token, writing=False)
        published = self.desk.answered(ask) if ask.status == "done" else None
        if published is not None:
            report: ReportView | None = published
            content = published.content
        else:
            report, content = self.desk.current(ask)
        return RequestSheetOut(
            request=_request_out(ask),
            report=_report_out(content, report, ask),
            scales={
                d: [
                    LevelOut(
                        value=lv.value,
                        colour=lv.colour,
                        label=LabelOut.catalog(f"report_level_{d}_{lv.value}"),
                    )
                    for lv in SCALES[d]
                ]
                for d in Dimension
            },
            required=list(required_dimensions(report.kind if report else ask.kind)),
        )

    def save(self, token: str, body: ReportIn) -> ReportOut:
        person, ask = self.writer(token, writing=True)
        saved = self.desk.save(person, ask, body.content(), body.version)
        return _report_out(saved.content, saved)

    def publish(self, token: str, body: ReportIn | None) -> ReportOut:
        person, ask = self.writer(token, writing=True)
        given = body if body is not None else ReportIn()
        content = given.content() if given.has_content() else None
        published = self.desk.publish(person, ask, content, given.version)
        return _report_out(published.content, published)

    def published(self, project: int) -> list[ReportOut]:
        engine = self.desk.engine
        engine.project(project)  # NotFound for a project that does not exist
        reports = [r for r in engine.project_reports(project) if not r.is_draft]
        reports.sort(key=lambda r: (r.published_at, r.id), reverse=True)
        return [_report_out(r.content, r) for r in reports]


def report_api_routes(app: App) -> APIRouter:
    """The JSON API over the report requests and the published reports."""
    api = ReportApi(app)
    router = APIRouter()

    by_token = [guard(app, Rule.LINK_TOKEN)]

    @router.get(
        "/api/report-requests/{token}",
        response_model=RequestSheetOut,
        responses=ERRORS,
        dependencies=by_token,
    )
    def report_request_sheet(token: str, request: Request, response: Response) -> Any:
        """The request, its draft (or what a new one starts with), the scales and what is
        required. Reading only."""
        return api.answer(lambda: api.sheet(token), request, response)

    @router.put(
        "/api/report-requests/{token}/draft",
        response_model=ReportOut,
        responses=ERRORS,
        dependencies=by_token,
    )
    def report_save_draft(token: str, body: ReportIn, request: Request, response: Response) -> Any:
        """Save the draft, starting it if the project has none. Give the version you read."""
        return api.answer(lambda: api.save(token, body), request, response)

    @router.post(
        "/api/report-requests/{token}/publish",
        response_model=ReportOut,
        responses=ERRORS,
        dependencies=by_token,
    )
    def report_publish(
        token: str,
        request: Request,
        response: Response,
        body: Annotated[ReportIn | None, Body()] = None,
    ) -> Any:
        """Publish the draft, saving the content in the body first if there is any. The
        report is then locked and dated, and answers the project's open requests."""
        return api.answer(lambda: api.publish(token, body), request, response)

    @router.get(
        "/api/projects/{project_id}/reports",
        response_model=list[ReportOut],
        dependencies=[guard(app, Rule.SIGNED_IN)],
    )
    def project_reports(project_id: RowId) -> Any:
        """The project's published reports, newest first (drafts are not shown)."""
        return api.published(project_id)

    return router
