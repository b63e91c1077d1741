"""Approval links from email: GET and HEAD show a confirmation page, only its button votes.

Mail scanners (Safe Links, Defender, Mimecast) open every link in a message and run its
scripts, so a GET or HEAD here never changes anything, and the page carries no script at
all. The vote is the POST from the page's one button, guarded by a CSRF token: a random
cookie, and in the form an HMAC of that cookie with the link's token.

Every refusal (a damaged, expired, used or superseded link) is a page that says why and
what to do, in the decider's language, and changes nothing.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from contextlib import suppress
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response
from fastapi.templating import Jinja2Templates

from phasegate.bootstrap import App
from phasegate.domain.benefits import Progress
from phasegate.domain.model import Gate, WorkflowDefinition
from phasegate.domain.wheel import BENEFIT_PHASE
from phasegate.engine.service import Clock, Engine
from phasegate.engine.views import (
    GateRequestView,
    PersonView,
    VoteResult,
    checklist_lines,
    document_lines,
)
from phasegate.errors import (
    AlreadyDecided,
    AlreadyVoted,
    CommentRequired,
    ConcurrentUpdate,
    LinkError,
    LinkExpired,
    LinkTampered,
    NotADecider,
    NotFound,
    RequestClosed,
    RuleViolation,
)
from phasegate.i18n import Words, pick, words
from phasegate.i18n.formats import format_date, format_datetime, format_number
from phasegate.links import VoteLink
from phasegate.web.access import Rule, guard
from phasegate.web.params import TEXT_LENGTH, Lines

HEADERS = {
    "Cache-Control": "no-store",
    # The token is in the address: never hand it on to a document's host.
    "Referrer-Policy": "no-referrer",
    "Content-Security-Policy": (
        # Designsystemet's stylesheet and font come from phasegate itself (/static).
        "default-src 'none'; style-src 'self'; font-src 'self'; img-src 'self'; "
        "form-action 'self'; "
        "frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "X-Robots-Tag": "noindex, nofollow",
}
COMMENT_NEEDED = frozenset({"rework", "hold", "stop"})
COOKIE_VALUE = re.compile(r"^[A-Za-z0-9_-]{32,64}$")


@dataclass(frozen=True)
class Voice:
    """One reader's language: the words, and times written their way in the org's zone."""

    locale: str
    zone: ZoneInfo

    @property
    def t(self) -> Words:
        return words(self.locale)

    def when(self, moment: datetime) -> str:
        return format_datetime(moment, self.locale, self.zone)

    def outcome(self, value: str | None) -> str:
        return self.t.get(f"outcome_{value}", value or "")


@dataclass(frozen=True)
class Refusal:
    """Why a link cannot be used now, as the page will say it."""

    status: int
    title: str
    message: str
    detail: str = ""


def gate_benefits(engine: Engine, project: int, gate: Gate, voice: Voice) -> list[Any] | None:
    """For a gate out of realisation (BP6, *gevinstene er realisert*): every benefit with
    each indicator's baseline, target, latest value, achievement and trend in words, as the
    deciders read them (``domain.benefits.progress``, the one computation). None for other
    gates."""
    if gate.from_phase != BENEFIT_PHASE:
        return None
    t = voice.t

    def number(value: Any) -> str:
        return format_number(value, voice.locale)

    def achieved(progress: Progress) -> tuple[str, str, str]:
        latest = progress.latest
        if latest is None:
            return t("gate_not_measured"), "", ""
        day = format_date(latest.measured_on, voice.locale, voice.zone)
        return (
            f"{number(latest.value)} ({day})",
            t("gate_percent", percent=progress.percent),
            t(f"gate_trend_{progress.trend.value}"),
        )

    return [
        {
            "title": b.title,
            "owner": t("gate_benefit_owner", name=b.owner)
            if b.owner
            else t("gate_benefit_no_owner"),
            "status": t("gate_benefit_status", status=t(f"gate_benefit_status_{b.status.value}")),
            "indicators": [
                (
                    i.name,
                    t(
                        "gate_span",
                        baseline=number(i.definition.baseline),
                        target=number(i.definition.target),
                        unit=i.unit,
                    ),
                    *achieved(i.progress),
                )
                for i in b.indicators
            ],
        }
        for b in engine.business_case(project).benefits
    ]


def link_routes(app: App, templates: Jinja2Templates, clock: Clock) -> APIRouter:
    """The routes behind the links in decision and measurement emails."""
    pages = LinkPages(app, templates, clock)
    router = APIRouter(dependencies=[guard(app, Rule.LINK_TOKEN)])

    @router.api_route(
        "/decide/{token}",
        methods=["GET", "HEAD"],
        response_class=HTMLResponse,
        include_in_schema=False,
    )
    def confirm(request: Request, token: str) -> Response:
        opened = pages.open(request, token)
        if isinstance(opened, Response):
            return opened
        link, person, view, voice = opened
        refusal = pages.refusal_for(person, view, voice)
        if refusal is not None:
            return pages.refused(request, voice, refusal)
        return pages.form(request, token, link, person, view, voice)

    @router.post("/decide/{token}", response_class=HTMLResponse, include_in_schema=False)
    def vote(
        request: Request,
        token: str,
        comment: Annotated[Lines, Form(max_length=TEXT_LENGTH)] = "",
        csrf: Annotated[str, Form(max_length=200)] = "",
    ) -> Response:
        opened = pages.open(request, token)
        if isinstance(opened, Response):
            return opened
        link, person, view, voice = opened
        if not pages.csrf_ok(request, token, csrf):
            return pages.refused(request, voice, pages.forged(voice))
        try:
            result = app.engine.cast_vote(
                link.request, link.outcome, comment, channel="link", actor=link.person
            )
        except CommentRequired:
            return pages.comment_missing(request, token, link, person, voice, comment)
        except (RuleViolation, ConcurrentUpdate) as exc:
            return pages.refused(request, voice, pages.vote_refused(link, person, voice, exc))
        return pages.recorded(request, link, view, voice, result)

    # The form behind a measurement email's link, with the same rules; that module builds on
    # this one's pages, so it is imported here.
    from phasegate.web.measure_link import measurement_routes  # noqa: PLC0415

    links = APIRouter()
    links.include_router(router)
    links.include_router(measurement_routes(app, pages))
    return links


class LinkPages:
    """Reading a link, and the pages it leads to. Only the route's engine call writes."""

    def __init__(self, app: App, templates: Jinja2Templates, clock: Clock) -> None:
        settings = app.settings
        self.engine: Engine = app.engine
        self.templates = templates
        self.clock = clock
        self.zone = settings.zone
        self.default_locale = settings.locale.value
        self.signer = app.signer  # the same signer that made the links in the email
        self.csrf_key = app.secret_key.encode()
        self.secure = settings.base_url.startswith("https://")
        self.cookie_path = urlsplit(settings.base_url).path.rstrip("/") + "/decide"

    # --- reading the link -------------------------------------------------------------

    def open(
        self, request: Request, token: str
    ) -> tuple[VoteLink, PersonView, GateRequestView, Voice] | Response:
        """The link, whose it is and what it is for; or the page that refuses it."""
        voice = Voice(self.default_locale, self.zone)
        try:
            link = self.signer.verify(token, self.clock())
        except LinkExpired as exc:
            voice = self.voice_of_id(exc.person)
            t = voice.t
            message = t("link_expired", when=voice.when(exc.expired_at))
            expired = Refusal(exc.status, t("link_expired_title"), message)
            return self.refused(request, voice, expired)
        except LinkError:
            return self.refused(request, voice, self.tampered(voice), not_genuine=True)
        try:
            person = self.engine.person(link.person)
            view = self.engine.gate_request(link.request)
        except NotFound:
            t = voice.t
            gone = Refusal(NotFound.status, t("link_gone_title"), t("link_gone"))
            return self.refused(request, voice, gone)
        return link, person, view, self.voice_of(person)

    def voice_of(self, person: PersonView) -> Voice:
        return Voice(pick(person.language, default=self.default_locale), self.zone)

    def voice_of_id(self, person: int | None) -> Voice:
        if person is not None:
            with suppress(NotFound):
                return self.voice_of(self.engine.person(person))
        return Voice(self.default_locale, self.zone)

    @staticmethod
    def tampered(voice: Voice) -> Refusal:
        t = voice.t
        return Refusal(LinkTampered.status, t("link_tampered_title"), t("link_tampered"))

    def refusal_for(
        self, person: PersonView, view: GateRequestView, voice: Voice
    ) -> Refusal | None:
        """Why this person cannot use this link on the request as it stands, if they cannot."""
        t = voice.t
        nothing = t("link_nothing_changed")
        if view.status == "decided":
            assert view.decided_at is not None
            message = t(
                "link_decided",
                who=view.decided_by or "phasegate",
                when=voice.when(view.decided_at),
                outcome=voice.outcome(view.outcome),
            )
            return Refusal(409, t("link_decided_title"), f"{message} {nothing}")
        if view.status == "withdrawn":
            message = t("link_withdrawn", gate=view.gate, project=view.project)
            reason = f"{t('link_reason')}: {view.closed_reason}" if view.closed_reason else ""
            return Refusal(410, t("link_withdrawn_title"), f"{message} {nothing}", reason)
        mine = [v for v in view.votes if v.voter_id == person.id]
        if person.id in view.decider_ids and not mine:
            return None  # an open request this person decides and has not voted on
        if mine:
            message = t(
                "link_voted",
                outcome=voice.outcome(mine[-1].outcome),
                when=voice.when(mine[-1].cast_at),
            )
            return Refusal(409, t("link_voted_title"), f"{message} {nothing}")
        detail = t(
            "link_not_decider_detail",
            name=person.name,
            gate=view.gate,
            project=view.project,
            deciders=", ".join(view.deciders),
        )
        return Refusal(403, t("link_not_decider_title"), t("link_not_decider"), detail)

    def vote_refused(
        self,
        link: VoteLink,
        person: PersonView,
        voice: Voice,
        exc: RuleViolation | ConcurrentUpdate,
    ) -> Refusal:
        """The engine refused the vote: say why, as the request stands now."""
        t = voice.t
        said = exc.say(voice.locale, voice.zone)
        if isinstance(exc, NotADecider):  # also a project manager voting on their own gate
            return Refusal(exc.status, t("link_not_decider_title"), t("link_not_decider"), said)
        if isinstance(exc, AlreadyDecided | AlreadyVoted | RequestClosed | ConcurrentUpdate):
            view = self.engine.gate_request(link.request)
            refusal = self.refusal_for(person, view, voice)
            if refusal is not None:
                return refusal
        return Refusal(exc.status, t("link_conflict_title"), t("link_conflict"), said)

    # --- CSRF -------------------------------------------------------------------------

    @staticmethod
    def cookie_name(token: str) -> str:
        # One cookie per link: a decider may open several links at once in several tabs.
        return "phasegate_csrf_" + hashlib.sha256(token.encode()).hexdigest()[:16]

    def csrf_for(self, cookie: str, token: str) -> str:
        message = b"csrf\x00" + cookie.encode() + b"\x00" + token.encode()
        return hmac.new(self.csrf_key, message, hashlib.sha256).hexdigest()

    @staticmethod
    def forged(voice: Voice) -> Refusal:
        t = voice.t
        return Refusal(403, t("link_csrf_title"), t("link_csrf"))

    def csrf_ok(self, request: Request, token: str, csrf: str) -> bool:
        cookie = request.cookies.get(self.cookie_name(token), "")
        if not cookie or not csrf:
            return False
        return hmac.compare_digest(self.csrf_for(cookie, token), csrf)

    # --- pages ------------------------------------------------------------------------

    def form(
        self,
        request: Request,
        token: str,
        link: VoteLink,
        person: PersonView,
        view: GateRequestView,
        voice: Voice,
        *,
        comment: str = "",
        error: str = "",
    ) -> Response:
        """The confirmation page: everything to decide on, a comment field, one button."""
        name = self.cookie_name(token)
        cookie = request.cookies.get(name, "")
        if not COOKIE_VALUE.match(cookie):
            cookie = secrets.token_urlsafe(32)
        definition = self.definition(view)
        gate = definition.gate(view.gate)
        assert gate is not None  # the request was made from this workflow version
        context = {
            "person": person,
            "view": view,
            "outcome": link.outcome,
            "to_phase": definition.label_of(view.to_phase).get(voice.locale),
            "checklist": [
                (line.text, voice.t.get(f"link_answer_{line.answer}", line.answer), line.comment)
                for line in checklist_lines(view, gate, voice.locale)
            ],
            "documents": document_lines(view, gate, voice.locale),
            "comment_needed": link.outcome in COMMENT_NEEDED,
            "comment": comment,
            "error": error,
            "csrf": self.csrf_for(cookie, token),
            "action": request.url.path,
            "expires": voice.when(link.expires_at),
            "benefits": gate_benefits(self.engine, view.project_id, gate, voice),
        }
        response = self.render(request, voice, "link_confirm.html", context, 400 if error else 200)
        response.set_cookie(
            name,
            cookie,
            path=self.cookie_path,
            secure=self.secure,
            httponly=True,
            samesite="strict",
        )
        return response

    def comment_missing(
        self,
        request: Request,
        token: str,
        link: VoteLink,
        person: PersonView,
        voice: Voice,
        comment: str,
    ) -> Response:
        # The engine checks the request, the decider and an earlier vote before it asks for
        # a comment, so only the comment is missing here.
        view = self.engine.gate_request(link.request)
        error = voice.t("link_comment_missing")
        return self.form(request, token, link, person, view, voice, comment=comment, error=error)

    def recorded(
        self,
        request: Request,
        link: VoteLink,
        view: GateRequestView,
        voice: Voice,
        result: VoteResult,
    ) -> Response:
        t = voice.t
        lines = [
            t(
                "link_recorded",
                outcome=voice.outcome(link.outcome),
                gate=f"{view.gate}: {view.gate_label.get(voice.locale)}",
                project=view.project,
            )
        ]
        if result.decided:
            phase = self.definition(view).label_of(result.project_phase).get(voice.locale)
            lines.append(t("link_now_decided", outcome=voice.outcome(result.outcome)))
            now = "rework" if result.outcome == "rework" else result.project_status
            lines.append(t.get(f"link_now_{now}", "", phase=phase))
        elif result.awaiting_events:
            lines.append(t("link_waits_for_events", events=", ".join(result.awaiting_events)))
        else:
            lines.append(t("link_waits_for_votes"))
        return self.render(request, voice, "link_result.html", {"lines": lines, "view": view})

    def refused(
        self, request: Request, voice: Voice, refusal: Refusal, *, not_genuine: bool = False
    ) -> Response:
        english = None
        if not_genuine and voice.locale != "en":  # we cannot know whose link it was
            english = self.tampered(Voice("en", self.zone))
        context = {"refusal": refusal, "english": english}
        return self.render(request, voice, "link_refused.html", context, refusal.status)

    def render(
        self,
        request: Request,
        voice: Voice,
        name: str,
        context: dict[str, Any],
        status: int = 200,
    ) -> Response:
        return self.templates.TemplateResponse(
            request,
            name,
            {"locale": voice.locale, "when": voice.when, **context},
            status_code=status,
            headers=HEADERS,
        )

    def definition(self, view: GateRequestView) -> WorkflowDefinition:
        """The workflow version the project runs on, for the labels of its gate."""
        return self.engine.definition_of(view.project_id)
