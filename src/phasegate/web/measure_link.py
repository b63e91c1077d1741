"""A due measurement from its email link: GET and HEAD show the form, only its POST records.

The benefit owner (or, for want of one, the project manager) is asked by the årshjul for
each measurement the indicator's plan has due (:mod:`phasegate.cycle.registers`); the
email's link is signed for that person, that indicator and that due date
(:meth:`phasegate.links.LinkSigner.issue_measurement`). As with vote links, mail scanners
open every link, so a GET or HEAD changes nothing and the page carries no script; the POST
is guarded by the same per-link CSRF cookie and HMAC field, and records the value through
``Engine.record_measurement`` with channel ``email``, as the person the link was sent to.

A link answers its due measurement once. While it is owed, the form shows; once it is
recorded (by this link or any other way) the page says so, with the latest value. The
engine enforces it too: a measurement from an email link is refused when the person owes
none for the indicator (``cycle/deadlines.py``), so a double click keeps one value.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Annotated, Any
from urllib.parse import urlsplit

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response

from phasegate.bootstrap import App
from phasegate.cycle.deadlines import measurement_subject
from phasegate.domain.benefits import Measurement, parse_value, problems_in_measurement
from phasegate.domain.problems import Problem
from phasegate.engine.business_case import BenefitView, IndicatorView
from phasegate.engine.views import PersonView
from phasegate.errors import (
    ConcurrentUpdate,
    LinkError,
    LinkExpired,
    LinkTampered,
    NotFound,
    NotPermitted,
    RegisterInvalid,
    say_problem,
)
from phasegate.i18n.formats import format_date, format_number
from phasegate.links import MeasurementLink
from phasegate.web.access import Rule, guard
from phasegate.web.links import COOKIE_VALUE, LinkPages, Refusal, Voice
from phasegate.web.params import TEXT_LENGTH, Line, Lines

FIELDS = ("value", "measured_on", "comment")


@dataclass(frozen=True)
class Visit:
    """A genuine measurement link: whose, for what, whether it is still owed, in whose voice."""

    token: str
    link: MeasurementLink
    person: PersonView
    project: str
    benefit: BenefitView
    indicator: IndicatorView
    owed: bool
    voice: Voice


@dataclass(frozen=True)
class Typed:
    """What the person typed, kept when the form comes back with problems."""

    value: str = ""
    measured_on: str = ""
    comment: str = ""


class MeasurementPages:
    """The pages behind a measurement link. Only the POST's one engine call writes."""

    def __init__(self, app: App, links: LinkPages) -> None:
        self.engine = app.engine
        self.signer = app.signer
        self.links = links  # voice, CSRF, rendering: the vote links' own
        self.cookie_path = urlsplit(app.settings.base_url).path.rstrip("/") + "/measure"

    # --- reading the link -----------------------------------------------------------------

    def visit(self, request: Request, token: str) -> Visit | Response:
        """The link and what it is for; or the page that refuses it."""
        voice = self.links.voice_of_id(None)
        try:
            link = self.signer.verify_measurement(token, self.engine.clock())
        except LinkExpired as exc:
            voice = self.links.voice_of_id(exc.person)
            said = voice.t("measure_expired", when=voice.when(exc.expired_at))
            expired = Refusal(exc.status, voice.t("link_expired_title"), said)
            return self.links.refused(request, voice, expired)
        except LinkError:
            return self.refused(request, voice, self.tampered(voice), not_genuine=True)
        try:
            person = self.engine.person(link.person)
            project = self.engine.project(link.project).name
            found = self._indicator(link)
        except NotFound:
            gone = Refusal(NotFound.status, voice.t("link_gone_title"), voice.t("link_gone"))
            return self.links.refused(request, voice, gone)
        subject = measurement_subject(link.indicator, link.due_on)
        owed = any(d.subject == subject for d in self.engine.open_deadlines(person=person.id))
        voice = self.links.voice_of(person)
        return Visit(token, link, person, project, *found, owed, voice)

    def _indicator(self, link: MeasurementLink) -> tuple[BenefitView, IndicatorView]:
        for benefit in self.engine.business_case(link.project).benefits:
            for indicator in benefit.indicators:
                if indicator.id == link.indicator:
                    return benefit, indicator
        raise NotFound("indicator", indicator=str(link.indicator))

    @staticmethod
    def tampered(voice: Voice) -> Refusal:
        return Refusal(
            LinkTampered.status, voice.t("link_tampered_title"), voice.t("measure_tampered")
        )

    def refused(
        self, request: Request, voice: Voice, refusal: Refusal, *, not_genuine: bool = False
    ) -> Response:
        english = None
        if not_genuine and voice.locale != "en":  # we cannot know whose link it was
            english = self.tampered(Voice("en", voice.zone))
        context = {"refusal": refusal, "english": english}
        return self.links.render(request, voice, "link_refused.html", context, refusal.status)

    # --- the routes' work ----------------------------------------------------------------

    def show(self, request: Request, token: str) -> Response:
        visit = self.visit(request, token)
        if isinstance(visit, Response):
            return visit
        if not visit.owed:
            return self.done(request, visit, again=True)
        today = self.engine.today()
        typed = Typed(measured_on=min(visit.link.due_on, today).isoformat())
        return self.form(request, visit, typed)

    def submit(self, request: Request, token: str, typed: Typed, csrf: str) -> Response:
        visit = self.visit(request, token)
        if isinstance(visit, Response):
            return visit
        t = visit.voice.t
        if not self.links.csrf_ok(request, token, csrf):
            forged = Refusal(403, t("measure_csrf_title"), t("measure_csrf"))
            return self.links.refused(request, visit.voice, forged)
        if not visit.owed:  # a second click, or an old tab: it is already answered
            return self.done(request, visit, again=True)
        value, measured_on, problems = self.parsed(visit, typed)
        if value is None or measured_on is None or problems:
            return self.form(request, visit, typed, problems)
        return self.record(request, visit, typed, value, measured_on)

    def record(
        self, request: Request, visit: Visit, typed: Typed, value: Decimal, measured_on: date
    ) -> Response:
        """The one write: the engine records it, or says why not."""
        try:
            self.engine.record_measurement(
                visit.indicator.id,
                value,
                measured_on,
                typed.comment,
                channel="email",
                actor=visit.person.id,
            )
        except RegisterInvalid as exc:
            return self.form(request, visit, typed, list(exc.problems))
        except NotPermitted as exc:
            said = exc.say(visit.voice.locale, visit.voice.zone)
            title = visit.voice.t("measure_not_permitted_title")
            return self.links.refused(request, visit.voice, Refusal(exc.status, title, said))
        except ConcurrentUpdate:  # answered meanwhile: a double click's second request
            return self.done(request, visit, again=True)
        return self.done(request, visit, again=False)

    def parsed(
        self, visit: Visit, typed: Typed
    ) -> tuple[Decimal | None, date | None, list[Problem]]:
        """The value and the day as typed, with every problem at once (the engine checks
        the day again as it records)."""
        problems = []
        value = parse_value(typed.value)
        if not typed.value.strip():
            problems.append(Problem.of("value_missing", "value"))
        elif value is None:
            problems.append(Problem.of("value_not_number", "value", value=typed.value))
        measured_on = None
        try:
            measured_on = date.fromisoformat(typed.measured_on.strip())
        except ValueError:
            if typed.measured_on.strip():
                problems.append(
                    Problem.of("value_not_date", "measured_on", value=typed.measured_on)
                )
            else:
                problems.append(Problem.of("value_missing", "measured_on"))
        if measured_on is not None:
            kept = Measurement(value or Decimal(0), measured_on)
            definition = visit.indicator.definition
            problems += problems_in_measurement(definition, kept, self.engine.today())
        return value, measured_on, problems

    # --- pages -----------------------------------------------------------------------------

    def facts(self, visit: Visit) -> list[tuple[str, str]]:
        """What the indicator is and where it stands, as the project page shows it."""
        voice, t = visit.voice, visit.voice.t
        d = visit.indicator.definition
        progress = visit.indicator.progress
        direction = t(f"measure_direction_{d.direction.value}")
        rows = [
            (t("measure_fact_project"), visit.project),
            (t("measure_fact_benefit"), visit.benefit.title),
            (t("measure_fact_indicator"), f"{visit.indicator.name} ({direction})"),
            (t("measure_fact_baseline"), self.amount(voice, d.baseline, d.unit, d.baseline_on)),
            (t("measure_fact_target"), self.amount(voice, d.target, d.unit, d.target_on)),
        ]
        latest = progress.latest
        if latest is None:
            rows.append((t("measure_fact_latest"), t("measure_none_yet")))
        else:
            rows.append(
                (
                    t("measure_fact_latest"),
                    self.amount(voice, latest.value, d.unit, latest.measured_on),
                )
            )
            rows.append((t("measure_fact_achievement"), self.achievement(visit)))
        rows.append(
            (t("measure_fact_due"), format_date(visit.link.due_on, voice.locale, voice.zone))
        )
        return rows

    @staticmethod
    def amount(voice: Voice, value: Decimal, unit: str, day: date) -> str:
        number = format_number(value, voice.locale)
        return voice.t(
            "measure_amount",
            value=number,
            unit=unit,
            day=format_date(day, voice.locale, voice.zone),
        )

    @staticmethod
    def achievement(visit: Visit) -> str:
        progress, t = visit.indicator.progress, visit.voice.t
        if progress.percent is None:
            return t("measure_none_yet")
        return t(
            "measure_percent",
            percent=progress.percent,
            trend=t(f"measure_trend_{progress.trend.value}"),
        )

    def form(
        self, request: Request, visit: Visit, typed: Typed, problems: list[Problem] | None = None
    ) -> Response:
        """The form with the indicator's facts, under a CSRF cookie of the link's own."""
        voice = visit.voice
        said: dict[str, list[str]] = {}
        for problem in problems or []:
            field = problem.field if problem.field in FIELDS else "value"
            said.setdefault(field, []).append(say_problem(problem, voice.locale, voice.zone))
        name = self.links.cookie_name(visit.token)
        cookie = request.cookies.get(name, "")
        if not COOKIE_VALUE.match(cookie):
            cookie = secrets.token_urlsafe(32)
        context: dict[str, Any] = {
            "person": visit.person,
            "visit": visit,
            "facts": self.facts(visit),
            "typed": typed,
            "problems": said,
            "labels": {f: voice.t(f"measure_field_{f}") for f in FIELDS},
            "unit": visit.indicator.definition.unit,
            "csrf": self.links.csrf_for(cookie, visit.token),
            "action": request.url.path,
            "expires": voice.when(visit.link.expires_at),
        }
        status = 422 if said else 200
        response = self.links.render(request, voice, "link_measurement.html", context, status)
        response.set_cookie(
            name,
            cookie,
            path=self.cookie_path,
            secure=self.links.secure,
            httponly=True,
            samesite="strict",
        )
        return response

    def done(self, request: Request, visit: Visit, *, again: bool) -> Response:
        """The measurement as recorded: a receipt, or the answer to a second click."""
        voice, t = visit.voice, visit.voice.t
        benefit, indicator = self._indicator(visit.link)  # read again: it has changed
        visit = Visit(
            visit.token, visit.link, visit.person, visit.project, benefit, indicator, False, voice
        )
        latest = max(indicator.measurements, key=lambda m: m.id, default=None)  # newest kept
        lines: list[str] = []
        if latest is not None:
            key = "measure_already" if again else "measure_recorded"
            lines.append(
                t(
                    key,
                    indicator=indicator.name,
                    project=visit.project,
                    amount=self.amount(
                        voice, latest.value, indicator.definition.unit, latest.measured_on
                    ),
                    who=latest.recorded_by or "phasegate",
                    when=voice.when(latest.recorded_at),
                )
            )
            lines.append(t("measure_achievement_now", achievement=self.achievement(visit)))
        else:
            lines.append(t("measure_no_longer", indicator=indicator.name, project=visit.project))
        if again:
            lines.append(t("link_nothing_changed"))
        title = t("measure_already_title") if again else t("measure_recorded_title")
        context = {"title": title, "lines": lines, "again": again, "facts": self.facts(visit)}
        return self.links.render(
            request, voice, "link_measurement_done.html", context, 409 if again else 200
        )


def measurement_routes(app: App, links: LinkPages) -> APIRouter:
    """The form behind the links in measurement emails (and their reminders)."""
    pages = MeasurementPages(app, links)
    router = APIRouter(dependencies=[guard(app, Rule.LINK_TOKEN)])

    # Pages, not API: kept out of the schema (GET and HEAD would share an operation id).
    @router.api_route(
        "/measure/{token}",
        methods=["GET", "HEAD"],
        response_class=HTMLResponse,
        include_in_schema=False,
    )
    def measurement_form(request: Request, token: str) -> Response:
        """The form; changes nothing (mail scanners open every link)."""
        return pages.show(request, token)

    @router.post("/measure/{token}", response_class=HTMLResponse, include_in_schema=False)
    def measurement_submit(
        request: Request,
        token: str,
        value: Annotated[Line, Form(max_length=40)] = "",
        measured_on: Annotated[Line, Form(max_length=20)] = "",
        comment: Annotated[Lines, Form(max_length=TEXT_LENGTH)] = "",
        csrf: Annotated[str, Form(max_length=200)] = "",
    ) -> Response:
        """Record the measurement, as the person the link was sent to."""
        return pages.submit(request, token, Typed(value, measured_on, comment), csrf)

    return router
