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

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from phasegate.bootstrap import App
from phasegate.domain.reminders import DeadlineKind
from phasegate.domain.wheel import BENEFIT_PHASE, EventKind, Occurrence, Wheel
from phasegate.engine.views import GateRequestView
from phasegate.errors import NotFound, PhasegateError
from phasegate.i18n import pick, words
from phasegate.i18n.catalog import working_days as format_working_days
from phasegate.i18n.formats import format_date, format_datetime, weekday
from phasegate.i18n.formats import month_names as months
from phasegate.web.access import Rule, guard
from phasegate.web.params import Lang

Year = Annotated[int | None, Query(ge=1900, le=2200)]
STAMP = "%Y%m%dT%H%M"


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


def month_names(locale: str) -> list[str]:
    return [name.capitalize() for name in months(locale)]


def detail_href(occurrence: Occurrence, locale: str) -> str:
    event = quote(occurrence.event.id, safe="")
    return f"/arshjul/{event}/{occurrence.nominal:{STAMP}}?lang={locale}"


def moved_reason(wheel: Wheel, day: date, locale: str) -> str:
    """Why ``day`` is not a working day: the holiday's name, else the weekday's."""
    holiday = wheel.calendar.holiday_name(day)
    if holiday:
        return holiday
    return weekday(day, locale)


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
            kind=w(f"kind_{o.event.kind.value}"),
            label=o.event.label.get(locale),
            moved=_moved(wheel, o, locale, "moved"),
            acts=f"{format_datetime(o.opens_at, locale, zone)}: {w(f'act_{o.event.kind.value}')}",
        )
        for o in occurrences
    ]


def _moved(wheel: Wheel, occurrence: Occurrence, locale: str, key: str) -> str | None:
    """Why an occurrence is not on its nominal day, in the catalog's words ``key``."""
    if occurrence.at == occurrence.nominal:
        return None
    day = occurrence.nominal.date()
    reason = moved_reason(wheel, day, locale)
    return words(locale)(key, day=format_date(day, locale, wheel.zone), reason=reason)


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
        return w("does_board_meeting", when=when, days=days, notice=notice)
    if event.kind is EventKind.REPORTING_CYCLE:
        names = _joined(
            [w("quoted", text=_phase_name(app, p, locale)) for p in event.phases], w("and")
        )
        one = len(event.phases) == 1
        return w(
            "does_reporting_cycle",
            when=when,
            days=days,
            phases=w("phase_one", phases=names) if one else w("phase_many", phases=names),
            benefit=w("quoted", text=_phase_name(app, BENEFIT_PHASE, locale)),
        )
    policy = wheel.policy(DeadlineKind.DEADLINE)
    audience = [w(f"audience_{a.value}") for a in event.notify] or [w("audience_nobody")]
    return w(
        "does_deadline",
        audience=_joined(audience, w("and")),
        when=when,
        before=_days_before(policy.before or (event.lead_working_days,), locale, w("and")),
        on_day=w("on_day") if policy.on_day else "",
    )


def _days_before(days: Sequence[int], locale: str, conjunction: str) -> str:
    """ "3 working days", or "10 and 2 working days"."""
    if len(days) == 1:
        return format_working_days(days[0], locale)
    return f"{_joined([str(n) for n in days], conjunction)} {words(locale)('wheel_working_days')}"


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
    return app.engine.agenda(occurrence)


# --- routes ---------------------------------------------------------------------------


def wheel_routes(app: App, templates: Jinja2Templates) -> APIRouter:
    router = APIRouter(dependencies=[guard(app, Rule.SIGNED_IN)])
    default_locale = app.settings.locale.value

    def locale_of(lang: str | None) -> str:
        return pick(lang, default=default_locale)

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
            raise NotFound("wheel_occurrence", event=event_id, stamp=stamp)
        event = occurrence.event
        moved = _moved(wheel, occurrence, locale, "moved_long")
        return templates.TemplateResponse(
            request,
            "wheel_occurrence.html",
            {
                "locale": locale,
                "label": event.label.get(locale),
                "description": event.description.get(locale) if event.description else None,
                "kind": w(f"kind_{event.kind.value}"),
                "when": format_datetime(occurrence.at, locale, wheel.zone),
                "until": (
                    w("detail_until", time=f"{occurrence.ends_at:%H:%M}")
                    if event.duration
                    else None
                ),
                "moved": moved or w("not_moved"),
                "does": what_phasegate_does(app, occurrence, locale),
                "agenda": agenda(app, occurrence),
                "year": occurrence.nominal.year,
            },
        )

    return router
