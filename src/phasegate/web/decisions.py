"""Deciding gate requests in phasegate itself: the board's queue, and your own.

At the meeting the board opens its queue and decides there; any decider may also decide
from "my decisions" instead of an email link. Each outcome is its own small form, and the
vote is the POST from its button, under the same engine rules as a link (channel "web").
A refusal shows the page again with the reason, and changes nothing. No script.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from phasegate.bootstrap import App
from phasegate.domain.reports import Dimension, level_of
from phasegate.engine.signin import Principal
from phasegate.engine.views import GateRequestView, checklist_lines, document_lines
from phasegate.errors import (
    AlreadyDecided,
    AlreadyVoted,
    CommentRequired,
    ConcurrentUpdate,
    NotADecider,
    NotFound,
    RuleViolation,
)
from phasegate.i18n import Words, pick, words
from phasegate.i18n.formats import format_datetime
from phasegate.web.access import Rule, SignedIn, guard, session_csrf
from phasegate.web.links import Voice, gate_benefits
from phasegate.web.params import TEXT_LENGTH, Lines, RowId

OUTCOMES = ("approve", "rework", "hold", "stop")
COMMENT_NEEDED = frozenset({"rework", "hold", "stop"})
LISTS = {"board": "/decisions", "mine": "/decisions/mine"}


@dataclass(frozen=True)
class Refused:
    """A vote the engine refused: where, what was typed, and why."""

    request: int
    outcome: str
    comment: str
    message: str
    status: int
    comment_missing: bool = False


@dataclass(frozen=True)
class Item:
    """One request as the page shows it."""

    view: GateRequestView
    purpose: str
    to_phase: str
    checklist: list[tuple[str, str, str]]
    documents: list[Any]
    waited: str
    meeting: str
    report: dict[str, Any] | None
    my_vote: str  # "You voted ..." when the reader has voted
    may_vote: bool
    refused: Refused | None = None
    comments: dict[str, str] = field(default_factory=dict)
    benefits: list[Any] | None = None  # at BP6: each benefit's achievement (web/links.py)


def decision_routes(app: App, templates: Jinja2Templates) -> APIRouter:
    """The board's queue, the reader's own queue, and the vote from either."""
    pages = DecisionPages(app, templates)
    router = APIRouter()
    me_dep = guard(app, Rule.SIGNED_IN)

    @router.api_route(
        "/decisions",
        methods=["GET", "HEAD"],
        response_class=HTMLResponse,
        include_in_schema=False,
        dependencies=[me_dep],
    )
    def board_queue(me: SignedIn, request: Request, done: int | None = None) -> Response:
        return pages.show(request, me, "board", done=done)

    @router.api_route(
        "/decisions/mine",
        methods=["GET", "HEAD"],
        response_class=HTMLResponse,
        include_in_schema=False,
        dependencies=[me_dep],
    )
    def my_queue(me: SignedIn, request: Request, done: int | None = None) -> Response:
        return pages.show(request, me, "mine", done=done)

    @router.post(
        "/decisions/{request_id}/vote",
        response_class=HTMLResponse,
        include_in_schema=False,
        dependencies=[me_dep],
    )
    def vote(
        me: SignedIn,
        request: Request,
        request_id: RowId,
        outcome: Annotated[str, Form(pattern="^(approve|rework|hold|stop)$")],
        comment: Annotated[Lines, Form(max_length=TEXT_LENGTH)] = "",
        back: Annotated[str, Form(pattern="^(board|mine)$")] = "board",
    ) -> Response:
        locale = pages.locale_of(request, me)
        try:
            app.engine.cast_vote(request_id, outcome, comment, channel="web", actor=me.person)
        except (RuleViolation, ConcurrentUpdate, NotFound) as exc:
            refused = pages.refusal(request_id, outcome, comment, me, locale, exc)
            return pages.show(request, me, back, refused=refused)
        query = urlencode({"done": request_id, "lang": locale})
        return RedirectResponse(f"{LISTS[back]}?{query}", status_code=303)

    return router


class DecisionPages:
    """Reading the queues and rendering them; only the vote route's engine call writes."""

    def __init__(self, app: App, templates: Jinja2Templates) -> None:
        self.app = app
        self.engine = app.engine
        self.templates = templates
        self.zone = app.settings.zone
        self.default_locale = app.settings.locale.value

    def locale_of(self, request: Request, me: Principal) -> str:
        return pick(request.query_params.get("lang"), me.language, default=self.default_locale)

    def when(self, moment: Any, locale: str) -> str:
        return format_datetime(moment, locale, self.zone)

    def show(
        self,
        request: Request,
        me: Principal,
        which: str,
        *,
        done: int | None = None,
        refused: Refused | None = None,
    ) -> Response:
        locale = self.locale_of(request, me)
        if which == "mine":
            views = self.engine.pending_decisions(me.person)
        else:
            views = self.engine.board_pending_decisions()
        upcoming = self.engine.next_agenda()  # carried-over requests are due at it
        if upcoming is not None:
            views = upcoming.placed(views)
        items = [self.item(view, me, locale, refused) for view in views]
        context = {
            "locale": locale,
            "which": which,
            "me_id": me.person,
            "when": lambda moment: self.when(moment, locale),
            "items": items,
            "outcomes": OUTCOMES,
            "comment_needed": COMMENT_NEEDED,
            "csrf": session_csrf(self.app, request),
            "done": self.confirmation(done, me, locale) if done is not None else [],
            "refused": refused,
        }
        status = refused.status if refused is not None else 200
        return self.templates.TemplateResponse(
            request, "decisions.html", context, status_code=status
        )

    def item(
        self, view: GateRequestView, me: Principal, locale: str, refused: Refused | None
    ) -> Item:
        t = words(locale)
        definition = self.engine.definition_of(view.project_id)
        gate = definition.gate(view.gate)
        assert gate is not None  # the request was made from this workflow version
        mine = [v for v in view.votes if v.voter_id == me.person]
        mine_here = refused if refused is not None and refused.request == view.id else None
        return Item(
            view=view,
            purpose=gate.purpose.get(locale),
            to_phase=definition.label_of(view.to_phase).get(locale),
            checklist=[
                (line.text, t.get(f"link_answer_{line.answer}", line.answer), line.comment)
                for line in checklist_lines(view, gate, locale)
            ],
            documents=document_lines(view, gate, locale),
            waited=self.waited(view, t),
            meeting=self.meeting(view, locale, t),
            report=self.latest_report(view.project_id, locale, t),
            my_vote=(
                t(
                    "decisions_you_voted",
                    outcome=t.get(f"outcome_{mine[-1].outcome}", mine[-1].outcome),
                    when=self.when(mine[-1].cast_at, locale),
                )
                if mine
                else ""
            ),
            may_vote=view.status == "open" and me.person in view.decider_ids and not mine,
            refused=mine_here,
            comments={mine_here.outcome: mine_here.comment} if mine_here else {},
            benefits=gate_benefits(self.engine, view.project_id, gate, Voice(locale, self.zone)),
        )

    def waited(self, view: GateRequestView, t: Words) -> str:
        """Working days since it was submitted, counted on the organisation's calendar."""
        start = view.submitted_at.astimezone(self.zone).date()
        today = self.engine.clock().astimezone(self.zone).date()
        days = max(0, self.app.wheel.calendar.working_days_between(start, today))
        if days == 1:
            return t("decisions_working_day")
        return t("decisions_working_days", n=days)

    def meeting(self, view: GateRequestView, locale: str, t: Words) -> str:
        """The board meeting whose agenda the request is on, or the owner's deadline."""
        if view.due_at is None:
            return ""
        when = self.when(view.due_at, locale)
        if not view.meeting_key:
            return f"{t('decisions_deadline')}: {when}"
        event = self.app.wheel.event_of(view.meeting_key)
        label = event.label.get(locale) if event is not None else view.meeting_key
        return f"{t('decisions_meeting')}: {label}, {when}"

    def latest_report(self, project: int, locale: str, t: Words) -> dict[str, Any] | None:
        """The project's latest published report: each light with its colour in words."""
        published = [r for r in self.engine.project_reports(project) if not r.is_draft]
        if not published:
            return None
        report = published[0]  # newest first
        rows = []
        for dimension in Dimension:
            value = report.content.values.get(dimension)
            if value is None:
                continue
            level = level_of(dimension, value)
            rows.append(
                {
                    "label": t(f"report_dimension_{dimension}"),
                    "value": t(f"report_level_{dimension}_{level.value}"),
                    "colour": t(f"report_colour_{level.colour}"),
                    "tone": str(level.colour),
                    "comment": report.content.comments.get(dimension, ""),
                }
            )
        assert report.published_at is not None
        published_at = t("decisions_report_published", when=self.when(report.published_at, locale))
        return {"rows": rows, "published": published_at}

    def confirmation(self, request_id: int, me: Principal, locale: str) -> list[str]:
        """What the reader's vote did, read back from the request as it stands now."""
        t = words(locale)
        try:
            view = self.engine.gate_request(request_id)
        except NotFound:
            return []
        mine = [v for v in view.votes if v.voter_id == me.person]
        if not mine:
            return []
        lines = [
            t(
                "link_recorded",
                outcome=t.get(f"outcome_{mine[-1].outcome}", mine[-1].outcome),
                gate=f"{view.gate}: {view.gate_label.get(locale)}",
                project=view.project,
            )
        ]
        if view.status == "decided":
            project = self.engine.project(view.project_id)
            outcome = view.outcome or ""
            lines.append(t("link_now_decided", outcome=t.get(f"outcome_{outcome}", "")))
            now = "rework" if outcome == "rework" else project.status
            lines.append(t.get(f"link_now_{now}", "", phase=project.phase_label.get(locale)))
        elif view.awaiting_events:
            lines.append(t("link_waits_for_events", events=", ".join(view.awaiting_events)))
        else:
            lines.append(t("link_waits_for_votes"))
        return [line for line in lines if line]

    def refusal(
        self,
        request_id: int,
        outcome: str,
        comment: str,
        me: Principal,
        locale: str,
        exc: RuleViolation | ConcurrentUpdate | NotFound,
    ) -> Refused:
        """Why the engine refused, in the reader's words where we have them."""
        t = words(locale)
        nothing = t("decisions_nothing_changed")
        if isinstance(exc, CommentRequired):
            return Refused(request_id, outcome, comment, t("link_comment_missing"), 400, True)
        said = exc.say(locale, self.app.settings.zone)
        if isinstance(exc, NotFound | NotADecider):  # also a project manager on their own gate
            return Refused(request_id, outcome, comment, f"{said} {nothing}", exc.status)
        if isinstance(exc, AlreadyDecided):
            message = t(
                "link_decided",
                who=exc.decided_by,
                when=self.when(exc.decided_at, locale),
                outcome=t.get(f"outcome_{exc.outcome}", exc.outcome),
            )
            return Refused(request_id, outcome, comment, f"{message} {nothing}", exc.status)
        if isinstance(exc, AlreadyVoted):
            view = self.engine.gate_request(request_id)
            mine = [v for v in view.votes if v.voter_id == me.person]
            if mine:
                message = t(
                    "link_voted",
                    outcome=t.get(f"outcome_{mine[-1].outcome}", mine[-1].outcome),
                    when=self.when(mine[-1].cast_at, locale),
                )
                return Refused(request_id, outcome, comment, f"{message} {nothing}", exc.status)
        return Refused(request_id, outcome, comment, said, exc.status)


__all__ = ["decision_routes"]
