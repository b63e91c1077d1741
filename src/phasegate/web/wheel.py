"""The annual cycle (*årshjul*) as pages: the classic wheel, a list by date, and one page
per occurrence saying what phasegate does about it.

``GET /arshjul`` (``year``, ``lang``) draws twelve months in a circle, January at the top
and clockwise, one ring per kind of event, and a "today" mark in the current year. Every
marker is a link to ``GET /arshjul/{event id}/{YYYYMMDDTHHMM}``: the occurrence's key, from
the time its rule gives, so the address stays put when a holiday moves the day.
The pages carry no script: the wheel is inline SVG, and the list beside it says the same.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Annotated
from urllib.parse import quote
from zoneinfo import ZoneInfo

from babel import dates as babel_dates
from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from phasegate.bootstrap import App
from phasegate.domain.reminders import DeadlineKind
from phasegate.domain.wheel import BENEFIT_PHASE, EventKind, Occurrence, Wheel
from phasegate.engine.views import GateRequestView
from phasegate.errors import NotFound, PhasegateError
from phasegate.mail.render import (
    BABEL_LOCALES,
    WORKING_DAYS,
    format_date,
    format_datetime,
    format_working_days,
)
from phasegate.web.access import Rule, guard
from phasegate.web.i18n import pick_locale, texts

Lang = Annotated[str | None, Query(pattern="^(nb|en)$")]
Year = Annotated[int | None, Query(ge=1900, le=2200)]
STAMP = "%Y%m%dT%H%M"

WORDS: dict[str, dict[str, str]] = {
    "nb": {
        "wheel_title": "Årshjul",
        "wheel_intro": (
            "Det som skjer hvert år: møter i porteføljestyret, rapportering og frister. En "
            "dato på en helg eller helligdag er flyttet til neste arbeidsdag."
        ),
        "wheel_picture": "Årshjulet {year}",
        "legend": "Slik leser du hjulet",
        "ring_1": "Ytterste ring",
        "ring_2": "Midterste ring",
        "ring_3": "Innerste ring",
        "ring_board_meeting": "møter i porteføljestyret (sirkel)",
        "ring_reporting_cycle": "rapportering (firkant)",
        "ring_deadline": "frister (rombe)",
        "legend_today": "Den røde streken er dagens dato.",
        "legend_links": "Trykk på et merke for å se hendelsen.",
        "today": "I dag",
        "prev_year": "Forrige år",
        "next_year": "Neste år",
        "list_title": "Alle hendelser i {year}",
        "none_this_year": "Årshjulet har ingen hendelser i {year}.",
        "col_when": "Når",
        "col_kind": "Type",
        "col_event": "Hendelse",
        "col_acts": "phasegate handler",
        "kind_board_meeting": "Porteføljestyremøte",
        "kind_reporting_cycle": "Rapportering",
        "kind_deadline": "Frist",
        "act_board_meeting": "sender sakslisten",
        "act_reporting_cycle": "ber om rapporter",
        "act_deadline": "første påminnelse",
        "moved": "flyttet fra {day} ({reason})",
        "moved_long": "Flyttet fra {day} ({reason}), som ikke er en arbeidsdag.",
        "not_moved": "På dagen regelen gir.",
        "detail_when": "Når",
        "detail_until": "til {time}",
        "detail_kind": "Type",
        "detail_does": "Hva phasegate gjør",
        "does_board_meeting": (
            "Sender sakslisten til porteføljestyret {when}, {days} før møtet. En "
            "beslutningsforespørsel kommer på sakslisten når den er sendt inn minst "
            "{notice} før møtet."
        ),
        "does_reporting_cycle": (
            "Ber prosjektene i {phases} om rapport {when}, {days} før fristen: en "
            "statusrapport, og en gevinstrapport fra prosjekter i fasen {benefit}."
        ),
        "does_deadline": (
            "Minner {audience} om fristen, første gang {when}: {before} før{on_day}."
        ),
        "on_day": ", og på dagen",
        "phase_one": "fasen {phases}",
        "phase_many": "fasene {phases}",
        "quoted": "«{}»",
        "and": "og",
        "audience_board": "porteføljestyret",
        "audience_pmo": "porteføljekontoret",
        "audience_leaders": "lederne",
        "audience_owners": "prosjekteierne",
        "audience_nobody": "ingen",
        "agenda_title": "På sakslisten",
        "agenda_empty": "Ingen åpne beslutningsforespørsler står på sakslisten til dette møtet.",
        "agenda_gate": "Beslutningspunkt",
        "back_to_wheel": "Tilbake til årshjulet {year}",
        "no_occurrence": (
            "Årshjulet har ingen hendelse «{event}» den {stamp}. Finn hendelsen i "
            "årshjulet (/arshjul)."
        ),
    },
    "en": {
        "wheel_title": "Annual cycle",
        "wheel_intro": (
            "What happens every year: portfolio board meetings, reporting and deadlines. A "
            "date on a weekend or public holiday is moved to the next working day."
        ),
        "wheel_picture": "The annual cycle {year}",
        "legend": "How to read the wheel",
        "ring_1": "Outer ring",
        "ring_2": "Middle ring",
        "ring_3": "Inner ring",
        "ring_board_meeting": "portfolio board meetings (circle)",
        "ring_reporting_cycle": "reporting (square)",
        "ring_deadline": "deadlines (diamond)",
        "legend_today": "The red line is today's date.",
        "legend_links": "Select a marker to see the event.",
        "today": "Today",
        "prev_year": "Previous year",
        "next_year": "Next year",
        "list_title": "Every event in {year}",
        "none_this_year": "The annual cycle has no events in {year}.",
        "col_when": "When",
        "col_kind": "Kind",
        "col_event": "Event",
        "col_acts": "phasegate acts",
        "kind_board_meeting": "Portfolio board meeting",
        "kind_reporting_cycle": "Reporting",
        "kind_deadline": "Deadline",
        "act_board_meeting": "sends the agenda",
        "act_reporting_cycle": "asks for reports",
        "act_deadline": "first reminder",
        "moved": "moved from {day} ({reason})",
        "moved_long": "Moved from {day} ({reason}), which is not a working day.",
        "not_moved": "On the day its rule gives.",
        "detail_when": "When",
        "detail_until": "until {time}",
        "detail_kind": "Kind",
        "detail_does": "What phasegate does",
        "does_board_meeting": (
            "Sends the agenda to the portfolio board {when}, {days} before the meeting. A "
            "gate request goes on the agenda when it is submitted at least {notice} before "
            "the meeting."
        ),
        "does_reporting_cycle": (
            "Asks the projects in {phases} for a report {when}, {days} before the cut-off: a "
            "status report, and a benefit report from projects in the {benefit} phase."
        ),
        "does_deadline": "Reminds {audience} of it, first {when}: {before} before{on_day}.",
        "on_day": ", and on the day",
        "phase_one": "the {phases} phase",
        "phase_many": "the {phases} phases",
        "quoted": "“{}”",
        "and": "and",
        "audience_board": "the portfolio board",
        "audience_pmo": "the portfolio office",
        "audience_leaders": "the line leaders",
        "audience_owners": "the project owners",
        "audience_nobody": "nobody",
        "agenda_title": "On the agenda",
        "agenda_empty": "No open gate requests are on this meeting's agenda.",
        "agenda_gate": "Gate",
        "back_to_wheel": "Back to the annual cycle {year}",
        "no_occurrence": (
            "The annual cycle has no event '{event}' at {stamp}. Find the event in the "
            "annual cycle (/arshjul)."
        ),
    },
}

# --- geometry (pure) ------------------------------------------------------------------

#: The rings from the outside in, and the radius each one is drawn at.
RINGS: tuple[tuple[EventKind, float], ...] = (
    (EventKind.BOARD_MEETING, 190.0),
    (EventKind.REPORTING_CYCLE, 145.0),
    (EventKind.DEADLINE, 100.0),
)
MONTH_LABEL_RADIUS = 238.0
RIM_RADIUS = 215.0  # the month dividers and the today line reach out to here
HUB_RADIUS = 75.0  # and in to here


@dataclass(frozen=True)
class Point:
    x: float
    y: float


def angle_of(moment: datetime | date) -> float:
    """Degrees clockwise from the top of the wheel (1 January, 00:00) to ``moment``'s
    wall-clock time in its own year: 0 <= angle < 360, a leap year's day a bit narrower."""
    wall = moment.replace(tzinfo=None) if isinstance(moment, datetime) else moment
    start = datetime(wall.year, 1, 1)  # noqa: DTZ001 - wall-clock time, on purpose
    end = datetime(wall.year + 1, 1, 1)  # noqa: DTZ001
    point = wall if isinstance(wall, datetime) else datetime.combine(wall, datetime.min.time())
    return 360.0 * (point - start).total_seconds() / (end - start).total_seconds()


def point_at(angle: float, radius: float) -> Point:
    """The SVG point (y grows downwards) at ``angle`` degrees clockwise from the top."""
    radians = math.radians(angle)
    return Point(round(radius * math.sin(radians), 2), round(-radius * math.cos(radians), 2))


def month_angles(year: int) -> list[tuple[float, float]]:
    """(where the month starts, its middle) in degrees, for January to December."""
    starts = [angle_of(date(year, month, 1)) for month in range(1, 13)] + [360.0]
    return [(starts[i], (starts[i] + starts[i + 1]) / 2) for i in range(12)]


# --- what the pages show --------------------------------------------------------------


@dataclass(frozen=True)
class MonthMark:
    name: str
    divider_from: Point
    divider_to: Point
    label: Point


@dataclass(frozen=True)
class Marker:
    kind: str
    at: Point
    href: str
    title: str


@dataclass(frozen=True)
class Row:
    href: str
    when: str
    kind: str
    label: str
    moved: str | None
    acts: str


def words(locale: str) -> dict[str, str]:
    """The site's words with this module's over them."""
    return texts(locale, WORDS)


def month_names(locale: str) -> list[str]:
    names = babel_dates.get_month_names("wide", "stand-alone", locale=BABEL_LOCALES[locale])
    return [str(names[month]).capitalize() for month in range(1, 13)]


def detail_href(occurrence: Occurrence, locale: str) -> str:
    event = quote(occurrence.event.id, safe="")
    return f"/arshjul/{event}/{occurrence.nominal:{STAMP}}?lang={locale}"


def moved_reason(wheel: Wheel, day: date, locale: str) -> str:
    """Why ``day`` is not a working day: the holiday's name, else the weekday's."""
    holiday = wheel.calendar.holiday_name(day)
    if holiday:
        return holiday
    return babel_dates.format_date(day, "EEEE", locale=BABEL_LOCALES[locale])


def year_occurrences(wheel: Wheel, year: int) -> list[Occurrence]:
    zone = wheel.zone
    return wheel.occurrences(
        datetime(year, 1, 1, tzinfo=zone), datetime(year + 1, 1, 1, tzinfo=zone)
    )


def month_marks(year: int, locale: str) -> list[MonthMark]:
    return [
        MonthMark(
            name,
            point_at(start, HUB_RADIUS),
            point_at(start, RIM_RADIUS),
            point_at(middle, MONTH_LABEL_RADIUS),
        )
        for name, (start, middle) in zip(month_names(locale), month_angles(year), strict=True)
    ]


def markers(occurrences: Sequence[Occurrence], locale: str, zone: ZoneInfo) -> list[Marker]:
    radius = dict(RINGS)
    return [
        Marker(
            kind=o.event.kind.value,
            at=point_at(angle_of(o.at), radius[o.event.kind]),
            href=detail_href(o, locale),
            title=f"{o.event.label.get(locale)}, {format_datetime(o.at, locale, zone)}",
        )
        for o in occurrences
    ]


def rows(wheel: Wheel, occurrences: Sequence[Occurrence], locale: str) -> list[Row]:
    w, zone = words(locale), wheel.zone
    return [
        Row(
            href=detail_href(o, locale),
            when=format_datetime(o.at, locale, zone),
            kind=w[f"kind_{o.event.kind.value}"],
            label=o.event.label.get(locale),
            moved=_moved(wheel, o, locale, w["moved"]),
            acts=f"{format_datetime(o.opens_at, locale, zone)}: {w[f'act_{o.event.kind.value}']}",
        )
        for o in occurrences
    ]


def _moved(wheel: Wheel, occurrence: Occurrence, locale: str, template: str) -> str | None:
    if occurrence.at == occurrence.nominal:
        return None
    day = occurrence.nominal.date()
    reason = moved_reason(wheel, day, locale)
    return template.format(day=format_date(day, locale, wheel.zone), reason=reason)


def find_occurrence(wheel: Wheel, event_id: str, stamp: str) -> Occurrence | None:
    """The occurrence whose key is ``<event_id>/<stamp>``, or None."""
    try:
        nominal = datetime.strptime(stamp, STAMP).replace(tzinfo=wheel.zone)
    except ValueError:
        return None
    if wheel.event(event_id) is None:
        return None
    # A day each side: the key's wall clock may sit in a DST gap and have been moved on.
    around = wheel.occurrences(nominal - timedelta(days=1), nominal + timedelta(days=1))
    return next((o for o in around if o.key == f"{event_id}/{stamp}"), None)


def what_phasegate_does(app: App, occurrence: Occurrence, locale: str) -> str:
    """One sentence: when phasegate acts on the occurrence, and what it does then."""
    wheel, w = app.wheel, words(locale)
    event = occurrence.event
    when = format_datetime(occurrence.opens_at, locale, wheel.zone)
    days = format_working_days(event.lead_working_days, locale)
    if event.kind is EventKind.BOARD_MEETING:
        notice = format_working_days(wheel.schedule.board_notice_working_days, locale)
        return w["does_board_meeting"].format(when=when, days=days, notice=notice)
    if event.kind is EventKind.REPORTING_CYCLE:
        return w["does_reporting_cycle"].format(
            when=when,
            days=days,
            phases=w["phase_one" if len(event.phases) == 1 else "phase_many"].format(
                phases=_joined(
                    [w["quoted"].format(_phase_name(app, p, locale)) for p in event.phases],
                    w["and"],
                )
            ),
            benefit=w["quoted"].format(_phase_name(app, BENEFIT_PHASE, locale)),
        )
    policy = wheel.policy(DeadlineKind.DEADLINE)
    audience = [w[f"audience_{a.value}"] for a in event.notify] or [w["audience_nobody"]]
    return w["does_deadline"].format(
        audience=_joined(audience, w["and"]),
        when=when,
        before=_days_before(policy.before or (event.lead_working_days,), locale, w["and"]),
        on_day=w["on_day"] if policy.on_day else "",
    )


def _days_before(days: Sequence[int], locale: str, conjunction: str) -> str:
    """ "3 working days", or "10 and 2 working days"."""
    if len(days) == 1:
        return format_working_days(days[0], locale)
    return f"{_joined([str(n) for n in days], conjunction)} {WORKING_DAYS[locale][1]}"


def _phase_name(app: App, phase: str, locale: str) -> str:
    """A phase's label in the default workflow; its id when that cannot be read."""
    try:
        definition = app.engine.workflows.current(app.settings.default_workflow)
    except PhasegateError:
        return phase
    return definition.label_of(phase).get(locale)


def _joined(items: Sequence[str], conjunction: str) -> str:
    if len(items) < 2:
        return "".join(items)
    return f"{', '.join(items[:-1])} {conjunction} {items[-1]}"


def agenda(app: App, occurrence: Occurrence) -> list[GateRequestView] | None:
    """The open gate requests on a board meeting's agenda; None for other events."""
    if occurrence.event.kind is not EventKind.BOARD_MEETING:
        return None
    pending = app.engine.board_pending_decisions()
    return [r for r in pending if r.meeting_key == occurrence.key]


# --- routes ---------------------------------------------------------------------------


def wheel_routes(app: App, templates: Jinja2Templates) -> APIRouter:
    router = APIRouter(dependencies=[guard(app, Rule.SIGNED_IN)])
    default_locale = app.settings.locale.value

    def locale_of(lang: str | None) -> str:
        return pick_locale(lang, default=default_locale)

    @router.api_route(
        "/arshjul", methods=["GET", "HEAD"], response_class=HTMLResponse, include_in_schema=False
    )
    def wheel_page(request: Request, year: Year = None, lang: Lang = None) -> HTMLResponse:
        locale, wheel = locale_of(lang), app.wheel
        now = app.engine.clock().astimezone(wheel.zone)
        shown = year or now.year
        occurrences = year_occurrences(wheel, shown)
        today = point_at(angle_of(now), RIM_RADIUS) if shown == now.year else None
        return templates.TemplateResponse(
            request,
            "wheel.html",
            {
                "t": words(locale),
                "locale": locale,
                "year": shown,
                "months": month_marks(shown, locale),
                "rings": [(kind.value, radius) for kind, radius in RINGS],
                "markers": markers(occurrences, locale, wheel.zone),
                "rows": rows(wheel, occurrences, locale),
                "today": today,
                "today_label": format_date(now, locale, wheel.zone),
                "hub": HUB_RADIUS,
            },
        )

    @router.api_route(
        "/arshjul/{event_id}/{stamp}",
        methods=["GET", "HEAD"],
        response_class=HTMLResponse,
        include_in_schema=False,
    )
    def occurrence_page(
        request: Request, event_id: str, stamp: str, lang: Lang = None
    ) -> HTMLResponse:
        locale, wheel = locale_of(lang), app.wheel
        w = words(locale)
        occurrence = find_occurrence(wheel, event_id, stamp)
        if occurrence is None:
            raise NotFound(w["no_occurrence"].format(event=event_id, stamp=stamp))
        event = occurrence.event
        moved = _moved(wheel, occurrence, locale, w["moved_long"])
        return templates.TemplateResponse(
            request,
            "wheel_occurrence.html",
            {
                "t": w,
                "locale": locale,
                "label": event.label.get(locale),
                "description": event.description.get(locale) if event.description else None,
                "kind": w[f"kind_{event.kind.value}"],
                "when": format_datetime(occurrence.at, locale, wheel.zone),
                "until": (
                    w["detail_until"].format(time=f"{occurrence.ends_at:%H:%M}")
                    if event.duration
                    else None
                ),
                "moved": moved or w["not_moved"],
                "does": what_phasegate_does(app, occurrence, locale),
                "agenda": agenda(app, occurrence),
                "year": occurrence.nominal.year,
            },
        )

    return router
