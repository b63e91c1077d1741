"""Status and benefit reports from the request email's link (the JSON API: report_api.py).

``GET``/``HEAD /report/{token}`` shows the form and changes nothing: mail scanners open
every link in a message, so only the ``POST`` from the form's buttons (save a draft, or
publish) writes, guarded by the same per-link CSRF cookie and HMAC field as vote links.
The page carries no script, and every field works without one.

The JSON API under ``/api/report-requests/{token}`` takes its authority from the same
token. ``version`` is the draft version the writer read (null: "I saw no draft"), so two
people editing one report never overwrite each other unseen.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from fastapi.templating import Jinja2Templates
from starlette.concurrency import run_in_threadpool

from phasegate.bootstrap import App
from phasegate.domain.reports import (
    DIMENSION_LABELS,
    SCALES,
    Colour,
    Dimension,
    ReportContent,
    ReportKind,
    level_of,
    required_dimensions,
)
from phasegate.engine.reports import ReportRequestView, ReportView
from phasegate.engine.views import PersonView
from phasegate.errors import (
    ConcurrentUpdate,
    LinkError,
    LinkExpired,
    LinkTampered,
    NoReportRequested,
    NotFound,
    NotPermitted,
    PhasegateError,
    ReportInvalid,
    ReportLocked,
)
from phasegate.links import ReportLink
from phasegate.mail.render import format_money
from phasegate.web.access import Rule, guard
from phasegate.web.links import COOKIE_VALUE, LinkPages, Refusal, Voice

FIGURES = ("budget", "spent", "forecast")
FIELDS = frozenset({*map(str, Dimension), *FIGURES})
SWATCHES = {Colour.GREEN: "#15803d", Colour.YELLOW: "#ca8a04", Colour.RED: "#b91c1c"}
API_STATUS: Mapping[type[PhasegateError], int] = {
    LinkTampered: 400,
    NotPermitted: 403,
    NotFound: 404,
    LinkExpired: 410,
    NoReportRequested: 410,
    ReportInvalid: 422,
}
# The domain's problems, as (pattern, the field they belong to, the words on the page).
PROBLEMS = (
    (re.compile(r"^(\w+): not filled in"), None, "missing"),
    (re.compile(r"^(\w+): '.*' is red;"), None, "red"),
    (re.compile(r"^cost: 'unknown' needs a comment"), "cost", "unknown"),
    (re.compile(r"^cost: '.*' needs the budget figure"), "budget", "budget"),
    (re.compile(r"^(\w+): .* is not a whole number"), None, "amount"),
    (re.compile(r"^(\w+): .* is negative"), None, "negative"),
    (re.compile(r"^(\w+): .* is not a value"), None, "value"),
)


# --- the link, and what it may do --------------------------------------------------------


@dataclass(frozen=True)
class Visit:
    """A genuine report link, whose it is, the request it answers, and its reader's voice."""

    token: str
    link: ReportLink
    person: PersonView
    ask: ReportRequestView
    voice: Voice


class ReportDesk:
    """The operations behind both the form and the API; the engine checks every write."""

    def __init__(self, app: App) -> None:
        self.engine = app.engine
        self.signer = app.signer

    def open(self, token: str) -> tuple[ReportLink, PersonView, ReportRequestView]:
        """Raises LinkTampered, LinkExpired, or NotFound for a request or person now gone."""
        link = self.signer.verify_report(token, self.engine.clock())
        return link, self.engine.person(link.person), self.engine.report_request(link.request)

    def may_write(self, project: int, person: int) -> bool:
        """The engine's own rule, asked in a reading transaction (a GET writes nothing)."""
        return self.engine.may_write_reports(project, person)

    def answered(self, ask: ReportRequestView) -> ReportView | None:
        """The published report that answered the request, once it is done."""
        return self.engine.report(ask.report_id) if ask.report_id is not None else None

    def current(self, ask: ReportRequestView) -> tuple[ReportView | None, ReportContent]:
        """The report as the form starts from it: the draft, else the previous report."""
        draft = self.engine.draft_report(ask.project_id)
        if draft is not None:
            return draft, draft.content
        return None, self.engine.prefilled_report(ask.project_id)

    def previous(self, project: int) -> ReportView | None:
        published = [r for r in self.engine.project_reports(project) if not r.is_draft]
        return max(published, key=lambda r: (r.published_at, r.id), default=None)

    @staticmethod
    def require_open(ask: ReportRequestView, published: ReportView | None = None) -> None:
        if ask.status == "cancelled":
            raise NoReportRequested(
                f"{ask.project} no longer owes this report for {ask.label('en')}: the request "
                "was cancelled (the project left the phase that reports, for example)."
            )
        if ask.status == "done":
            by = f" by {published.published_by}" if published and published.published_by else ""
            raise ReportLocked(
                f"The report for {ask.label('en')} is already published{by}, and it is locked. "
                "Nothing was changed."
            )

    def save(
        self,
        person: int,
        ask: ReportRequestView,
        content: ReportContent,
        seen: int | None,
        seen_report: int | None = None,
    ) -> ReportView:
        """Save the draft the writer read (``seen``), or start one if they saw none."""
        if seen is None:
            report = self.engine.start_report(ask.project_id, ask.kind, actor=person)
            seen = 1  # a draft nobody has saved yet holds only what the form showed
        else:
            draft = self.engine.draft_report(ask.project_id)
            if draft is None or seen_report not in (None, draft.id):
                raise ConcurrentUpdate(
                    "The draft you had open was published or replaced while you had it open, "
                    "and your changes were not saved. Open the report again."
                )
            report = draft.id
        self.engine.save_report(report, content, seen_version=seen, actor=person)
        return self.engine.report(report)

    def publish(
        self,
        person: int,
        ask: ReportRequestView,
        content: ReportContent | None,
        seen: int | None,
        seen_report: int | None = None,
    ) -> ReportView:
        """Save ``content`` first if given, then publish the draft; returns it published."""
        if content is not None:
            saved = self.save(person, ask, content, seen, seen_report)
            report, seen = saved.id, saved.version
        else:
            draft = self.engine.draft_report(ask.project_id)
            if draft is None:
                raise ReportInvalid(
                    ["there is no draft to publish: send the report with it, or save a draft first"]
                )
            report = draft.id
        self.engine.publish_report(report, seen_version=seen, request=ask.id, actor=person)
        return self.engine.report(report)


# --- the form ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Filled:
    """The form's fields as the reader typed them (or as they were saved), all text."""

    values: Mapping[str, str]
    comments: Mapping[str, str]
    figures: Mapping[str, str]

    @classmethod
    def of(cls, content: ReportContent) -> Filled:
        values, comments = content.to_json()
        amounts = (content.budget, content.spent, content.forecast)
        figures = {n: _grouped(a) for n, a in zip(FIGURES, amounts, strict=True)}
        return cls(values, comments, figures)

    @classmethod
    def posted(cls, form: Mapping[str, str]) -> Filled:
        return cls(
            {str(d): form.get(f"value_{d}", "") for d in Dimension},
            {str(d): form.get(f"comment_{d}", "") for d in Dimension},
            {name: form.get(name, "") for name in FIGURES},
        )

    def content(self) -> ReportContent:
        """The report these fields say; ReportInvalid lists every field that cannot be read."""
        return ReportContent.from_json(self.values, self.comments, **self.figures)


@dataclass(frozen=True)
class Problems:
    """What stops the report, each put beside its field in the reader's words."""

    by_field: dict[str, list[str]] = field(default_factory=dict)
    summary: list[tuple[str | None, str, str]] = field(default_factory=list)  # anchor, what, text

    @classmethod
    def of(cls, exc: ReportInvalid | None, voice: Voice) -> Problems:
        found = cls()
        for problem in exc.problems if exc else ():
            where, text = _describe(problem, voice)
            found.by_field.setdefault(where or "", []).append(text)
            name = _field_label(where, voice) if where else ""
            found.summary.append((f"field-{where}" if where else None, name, text))
        return found


def _grouped(amount: int | None) -> str:
    """Whole kroner as people write them, "12 000 000"; the domain reads the spaces back."""
    return "" if amount is None else f"{amount:,}".replace(",", " ")


def _describe(problem: str, voice: Voice) -> tuple[str | None, str]:
    """The field a domain problem is about, and the problem in the reader's language.

    The domain words its problems in English for the API and logs; a problem it adds
    later that no pattern here knows is still shown, as the domain wrote it.
    """
    for pattern, where, key in PROBLEMS:
        matched = pattern.match(problem)
        if matched and (where or matched.group(1) in FIELDS):
            return where or matched.group(1), voice.t[f"report_problem_{key}"]
    head, _, rest = problem.partition(": ")
    return (head, rest) if head in FIELDS and rest else (None, problem)


def _field_label(name: str, voice: Voice) -> str:
    if name in FIGURES:
        return voice.t[f"report_{name}"]
    return DIMENSION_LABELS[Dimension(name)].get(voice.locale)


def _colour(colour: Colour, voice: Voice) -> dict[str, str]:
    return {"text": voice.t[f"report_colour_{colour}"], "swatch": SWATCHES[colour]}


def _rows(content: ReportContent, voice: Voice) -> dict[str, Any]:
    """A report to read: each rated dimension with its colour in words, and the figures."""
    rows = []
    for dimension in Dimension:
        value = content.values.get(dimension)
        comment = content.comments.get(dimension, "")
        if value is None and not comment:
            continue
        level = level_of(dimension, value) if value else None
        rows.append(
            {
                "label": DIMENSION_LABELS[dimension].get(voice.locale),
                "value": level.label.get(voice.locale) if level else voice.t["report_not_rated"],
                "colour": _colour(level.colour, voice) if level else None,
                "comment": comment,
            }
        )
    amounts = (content.budget, content.spent, content.forecast)
    figures = [
        (voice.t[f"report_{name}"], format_money(amount, voice.locale))
        for name, amount in zip(FIGURES, amounts, strict=True)
        if amount is not None
    ]
    return {"rows": rows, "figures": figures}


class ReportPages:
    """The pages behind the report link. Only the desk's save and publish write."""

    def __init__(self, app: App, templates: Jinja2Templates) -> None:
        self.links = LinkPages(app, templates, app.engine.clock)  # voice, CSRF, rendering
        self.desk = ReportDesk(app)
        self.zone = app.settings.zone
        self.cookie_path = urlsplit(app.settings.base_url).path.rstrip("/") + "/report"

    # --- reading the link ------------------------------------------------------------------

    def visit(self, request: Request, token: str) -> Visit | Response:
        """The link and its request; or the page that refuses it (the vote links' statuses)."""
        voice = self.links.voice_of_id(None)
        try:
            link, person, ask = self.desk.open(token)
        except LinkExpired as exc:
            voice = self.links.voice_of_id(exc.person)
            message = voice.t["report_expired"].format(when=voice.when(exc.expired_at))
            return self.refused(
                request, voice, Refusal(410, voice.t["link_expired_title"], message)
            )
        except LinkError:
            return self.refused(request, voice, self.tampered(voice), not_genuine=True)
        except NotFound:
            t = voice.t
            return self.refused(request, voice, Refusal(404, t["link_gone_title"], t["link_gone"]))
        visit = Visit(token, link, person, ask, self.links.voice_of(person))
        if ask.status == "cancelled":
            return self.refused(request, visit.voice, self.cancelled(visit))
        return visit

    @staticmethod
    def tampered(voice: Voice) -> Refusal:
        return Refusal(400, voice.t["link_tampered_title"], voice.t["report_tampered"])

    def cancelled(self, visit: Visit) -> Refusal:
        t, ask = visit.voice.t, visit.ask
        message = t["report_cancelled"].format(
            project=ask.project, kind=t[f"report_kind_{ask.kind}"].lower(), cycle=self.cycle(visit)
        )
        return Refusal(410, t["report_cancelled_title"], f"{message} {t['link_nothing_changed']}")

    def not_permitted(self, visit: Visit) -> Refusal:
        t = visit.voice.t
        detail = t["report_not_reporter_detail"].format(
            name=visit.person.name, project=visit.ask.project
        )
        return Refusal(403, t["report_not_reporter_title"], t["report_not_reporter"], detail)

    def refused(
        self, request: Request, voice: Voice, refusal: Refusal, *, not_genuine: bool = False
    ) -> Response:
        english = None
        if not_genuine and voice.locale != "en":  # we cannot know whose link it was
            english = self.tampered(Voice("en", self.zone))
        context = {"refusal": refusal, "english": english}
        return self.links.render(request, voice, "link_refused.html", context, refusal.status)

    @staticmethod
    def cycle(visit: Visit) -> str:
        return visit.ask.label(visit.voice.locale)

    # --- the routes' work ------------------------------------------------------------------

    def show(self, request: Request, token: str) -> Response:
        visit = self.visit(request, token)
        if isinstance(visit, Response):
            return visit
        if visit.ask.status == "done":
            return self.done(request, visit, again=False)
        if not self.desk.may_write(visit.ask.project_id, visit.person.id):
            return self.refused(request, visit.voice, self.not_permitted(visit))
        draft, content = self.desk.current(visit.ask)
        return self.form(request, visit, draft, Filled.of(content))

    def submit(self, request: Request, token: str, form: Mapping[str, str]) -> Response:
        visit = self.visit(request, token)
        if isinstance(visit, Response):
            return visit
        refused = self.refusal_to_write(request, visit, form)
        return refused if refused is not None else self.write(request, visit, form)

    def refusal_to_write(
        self, request: Request, visit: Visit, form: Mapping[str, str]
    ) -> Response | None:
        t = visit.voice.t
        if not self.links.csrf_ok(request, visit.token, form.get("csrf", "")):
            forged = Refusal(403, t["report_csrf_title"], t["report_csrf"])
            return self.refused(request, visit.voice, forged)
        if visit.ask.status == "done":  # a second click on publish, or an old tab
            return self.done(request, visit, again=True)
        if not self.desk.may_write(visit.ask.project_id, visit.person.id):
            return self.refused(request, visit.voice, self.not_permitted(visit))
        return None

    def write(self, request: Request, visit: Visit, form: Mapping[str, str]) -> Response:
        """Save the form as the draft, or save and publish it."""
        filled = Filled.posted(form)
        seen = (_number(form.get("version")), _number(form.get("draft")))
        try:
            content = filled.content()
        except ReportInvalid as exc:  # fields that cannot be read: nothing is saved
            draft = self.desk.current(visit.ask)[0]
            return self.form(request, visit, draft, filled, exc=exc, seen=seen)
        try:
            if form.get("action") == "publish":
                return self.publish(request, visit, filled, content, seen)
            saved = self.desk.save(visit.person.id, visit.ask, content, *seen)
        except (ConcurrentUpdate, ReportLocked):
            return self.conflict(request, visit, content)
        except NotPermitted:
            return self.refused(request, visit.voice, self.not_permitted(visit))
        saved_at = self.clock_time(saved.updated_at, visit.voice)
        notice = visit.voice.t["report_saved"].format(time=saved_at)
        return self.form(request, visit, saved, Filled.of(saved.content), notice=notice)

    def publish(
        self,
        request: Request,
        visit: Visit,
        filled: Filled,
        content: ReportContent,
        seen: tuple[int | None, int | None],
    ) -> Response:
        try:
            published = self.desk.publish(visit.person.id, visit.ask, content, *seen)
        except ReportInvalid as exc:  # saved as a draft, and not published
            draft = self.desk.current(visit.ask)[0]
            return self.form(request, visit, draft, filled, exc=exc, saved=True)
        return self.published(request, visit, published, again=False)

    def conflict(self, request: Request, visit: Visit, mine: ReportContent) -> Response:
        """Someone saved or published first: show what is there now, and what was typed."""
        ask = self.desk.engine.report_request(visit.ask.id)
        visit = Visit(visit.token, visit.link, visit.person, ask, visit.voice)
        if ask.status == "done":
            return self.done(request, visit, again=True)
        draft, content = self.desk.current(ask)
        return self.form(request, visit, draft, Filled.of(content), conflict=mine)

    def done(self, request: Request, visit: Visit, *, again: bool) -> Response:
        report = self.desk.answered(visit.ask)
        if report is None:  # done, yet no report to show: say so plainly
            t = visit.voice.t
            refusal = Refusal(409, t["report_already_title"], t["link_nothing_changed"])
            return self.refused(request, visit.voice, refusal)
        return self.published(request, visit, report, again=again)

    def clock_time(self, moment: datetime, voice: Voice) -> str:
        return moment.astimezone(self.zone).strftime("%H.%M" if voice.locale == "nb" else "%H:%M")

    # --- pages -----------------------------------------------------------------------------

    def form(
        self,
        request: Request,
        visit: Visit,
        draft: ReportView | None,
        filled: Filled,
        *,
        notice: str = "",
        exc: ReportInvalid | None = None,
        saved: bool = False,
        conflict: ReportContent | None = None,
        seen: tuple[int | None, int | None] | None = None,
    ) -> Response:
        """The report form, filled in; with every problem beside its field.

        ``seen`` keeps the version the reader's form was made from when the form comes
        back unsaved, so sending it again can never overwrite someone else's save.
        """
        voice, ask, t = visit.voice, visit.ask, visit.voice.t
        kind = draft.kind if draft is not None else ask.kind
        required = required_dimensions(kind)
        problems = Problems.of(exc, voice)
        version, draft_id = seen or ((draft.version, draft.id) if draft else (None, None))
        name = self.links.cookie_name(visit.token)
        cookie = request.cookies.get(name, "")
        if not COOKIE_VALUE.match(cookie):
            cookie = secrets.token_urlsafe(32)
        context = {
            "title": t[f"report_title_{kind}"].format(project=ask.project),
            "person": visit.person,
            "facts": self.facts(visit, kind, draft),
            "source": self.source(visit, draft),
            "required": ", ".join(DIMENSION_LABELS[d].get(voice.locale) for d in required),
            "fields": [_field(d, d in required, filled, problems, voice) for d in Dimension],
            "figures": [
                {
                    "name": n,
                    "label": t[f"report_{n}"],
                    "value": filled.figures.get(n, ""),
                    "problems": problems.by_field.get(n, []),
                }
                for n in FIGURES
            ],
            "notice": notice,
            "problems": problems.summary,
            "problems_intro": t["report_problems_saved" if saved else "report_problems_unsaved"],
            "conflict": _rows(conflict, voice) if conflict is not None else None,
            "version": "" if version is None else version,
            "draft": "" if draft_id is None else draft_id,
            "csrf": self.links.csrf_for(cookie, visit.token),
            "action": request.url.path,
            "expires": voice.when(visit.link.expires_at),
        }
        status = 409 if conflict is not None else 400 if exc is not None else 200
        response = self.links.render(request, voice, "report_form.html", context, status)
        response.set_cookie(
            name,
            cookie,
            path=self.cookie_path,
            secure=self.links.secure,
            httponly=True,
            samesite="strict",
        )
        return response

    def facts(
        self, visit: Visit, kind: ReportKind, draft: ReportView | None
    ) -> list[tuple[str, str]]:
        voice = visit.voice
        t = voice.t
        state = t["report_state_new"]
        if draft is not None:
            state = t["report_state_draft"].format(when=voice.when(draft.updated_at))
        return [
            (t["project"], visit.ask.project),
            (t["report_cycle"], self.cycle(visit)),
            (t["report_kind"], t[f"report_kind_{kind}"]),
            (t["report_due"], voice.when(visit.ask.due_at)),
            (t["status"], state),
        ]

    def source(self, visit: Visit, draft: ReportView | None) -> str:
        t, voice = visit.voice.t, visit.voice
        if draft is not None:
            return t["report_from_draft"]
        previous = self.desk.previous(visit.ask.project_id)
        if previous is None or previous.published_at is None:
            return t["report_from_nothing"]
        return t["report_from_previous"].format(when=voice.when(previous.published_at))

    def published(
        self, request: Request, visit: Visit, report: ReportView, *, again: bool
    ) -> Response:
        """The published report, read only: a receipt, or the answer to a second click."""
        voice = visit.voice
        t = voice.t
        assert report.published_at is not None  # only published reports answer requests
        lines = [
            t["report_published"].format(
                kind=t[f"report_kind_{report.kind}"],
                project=report.project,
                cycle=self.cycle(visit),
                when=voice.when(report.published_at),
                who=report.published_by or "phasegate",
            ),
            t["report_locked"],
        ]
        if again:
            lines.append(t["link_nothing_changed"])
        context = {
            "title": t["report_already_title" if again else "report_published_title"],
            "lines": lines,
            **_rows(report.content, voice),
        }
        status = 409 if again else 200
        return self.links.render(request, voice, "report_published.html", context, status)


def _field(
    dimension: Dimension, required: bool, filled: Filled, problems: Problems, voice: Voice
) -> dict[str, Any]:
    """One dimension's radio group: its scale, each value's colour in words as well."""
    return {
        "name": str(dimension),
        "label": DIMENSION_LABELS[dimension].get(voice.locale),
        "required": required,
        "chosen": filled.values.get(dimension, ""),
        "choices": [
            {
                "value": level.value,
                "label": level.label.get(voice.locale),
                "colour": _colour(level.colour, voice),
            }
            for level in SCALES[dimension]
        ],
        "comment": filled.comments.get(dimension, ""),
        "problems": problems.by_field.get(str(dimension), []),
    }


def _number(text: str | None) -> int | None:
    return int(text) if text and text.isdigit() else None


# --- the routes ----------------------------------------------------------------------------


def report_routes(app: App) -> APIRouter:
    """The report form behind the links in report-request emails (the API: report_api)."""
    templates = Jinja2Templates(directory=Path(__file__).with_name("templates"))
    pages = ReportPages(app, templates)
    router = APIRouter(dependencies=[guard(app, Rule.LINK_TOKEN)])

    # The pages are not API: kept out of the schema (GET and HEAD would share an operation id).
    @router.api_route(
        "/report/{token}",
        methods=["GET", "HEAD"],
        response_class=HTMLResponse,
        include_in_schema=False,
    )
    def report_form(request: Request, token: str) -> Response:
        """The form; changes nothing (mail scanners open every link)."""
        return pages.show(request, token)

    @router.post("/report/{token}", response_class=HTMLResponse, include_in_schema=False)
    async def report_submit(request: Request, token: str) -> Response:
        """Save the draft (action=save) or publish it (action=publish)."""
        posted = await request.form()
        fields = {k: v for k, v in posted.items() if isinstance(v, str)}
        return await run_in_threadpool(pages.submit, request, token, fields)

    return router
