"""The annual cycle (*årshjul*) and the open deadlines as an iCalendar feed to subscribe to.

``GET /calendar.ics`` takes ``person`` and ``project`` (ids) to filter the deadlines,
``lang`` (nb|en; by default the person's language, else the site's) and ``wheel``
(false leaves out the wheel's own events). Outlook, Google and Apple Calendar poll the
address and match entries by UID, so a UID must stay put between requests, restarts and
releases, or every poll would add a second copy:

- a wheel occurrence is ``wheel-<event id>-<YYYYMMDDTHHMM>@<host>``, from the time its
  rule gives (:attr:`Occurrence.key`), not the working day it was moved to;
- a deadline in a person's feed is ``deadline-<id>@<host>``. A feed for a project or for
  everyone shows one entry per thing owed and lists who still owes it (three board
  members' votes on a request are one entry, not three): ``deadline-<subject>@<host>``.

A deadline, and a wheel event without a duration, ends when it starts: it marks a moment
and does not pretend to fill anyone's day (it is TRANSPARENT to free/busy, too).

The feed is not public (rule ``feed``): a signed-in caller gets it, and so does a calendar
program holding a personal calendar address, ``?token=pgc_…`` plus the filters above,
made and revoked on the account page (``engine/keys.py``). Anyone else gets 401.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from fastapi import APIRouter
from fastapi.responses import Response
from icalendar import Alarm, Calendar, Event

from phasegate.bootstrap import App
from phasegate.domain.vtimezone import vtimezone
from phasegate.domain.wheel import Occurrence
from phasegate.engine.calendar import OpenDeadline
from phasegate.i18n import words
from phasegate.i18n.formats import format_date
from phasegate.web.access import Rule, guard
from phasegate.web.params import Lang, QueryId

PRODID = "-//phasegate//årshjul//NB"
#: The wheel's occurrences in the feed: a season back and a year and a bit ahead.
SHOWN_BEFORE = timedelta(days=90)
SHOWN_AFTER = timedelta(days=400)
ALARM_BEFORE = timedelta(days=1)
REFRESH = timedelta(hours=1)  # how often calendar programs are asked to poll


@dataclass(frozen=True)
class Feed:
    """What one request asks for, with the names of whom and what it is for."""

    lang: str
    person: int | None = None
    project: int | None = None
    person_name: str | None = None
    project_name: str | None = None

    @property
    def title(self) -> str:
        names = [n for n in (self.person_name, self.project_name) if n]
        return " – ".join([words(self.lang)("calendar_name"), *names])

    @property
    def filename(self) -> str:
        person = f"-person-{self.person}" if self.person is not None else ""
        project = f"-prosjekt-{self.project}" if self.project is not None else ""
        return f"arshjul{person}{project}.ics"


@dataclass(frozen=True)
class Owed:
    """One entry for open deadlines: one person's, or all of those owing the same thing."""

    uid: str
    kind: str
    title: str
    project: str | None
    due_at: datetime
    waiting_for: tuple[str, ...] = ()


def calendar_routes(app: App) -> APIRouter:
    router = APIRouter(tags=["calendar"], dependencies=[guard(app, Rule.FEED)])
    settings = app.settings
    host = urlsplit(settings.base_url).hostname or "phasegate.local"

    @router.api_route("/calendar.ics", methods=["GET", "HEAD"], include_in_schema=False)
    def calendar_feed(
        person: QueryId = None,  # beyond any row: 404 (web/app.py)
        project: QueryId = None,
        lang: Lang = None,
        wheel: bool = True,
    ) -> Response:
        now = app.engine.clock()
        shown = app.wheel.occurrences(now - SHOWN_BEFORE, now + SHOWN_AFTER) if wheel else []
        feed = _feed(app, person, project, lang, settings.locale.value)
        rows = app.engine.open_deadlines(person, project)
        # A wheel deadline's own entry already shows when it is due.
        keys = {occurrence.key for occurrence in shown}
        rows = [row for row in rows if row.subject.removeprefix("wheel:") not in keys]
        owed = _owed(rows, feed.lang, host, per_person=person is not None)

        calendar = _calendar(feed, settings.timezone)
        zone = settings.zone
        phases = _phase_labels(app, feed.lang) if any(o.event.phases for o in shown) else {}
        for occurrence in shown:
            calendar.add_component(_wheel_entry(occurrence, feed.lang, zone, phases, host, now))
        for entry in owed:
            calendar.add_component(_deadline_entry(entry, feed, zone, now, settings.base_url))
        # VTIMEZONE rules for the years the feed covers only, which keeps it small; first,
        # as Outlook wants them. Not icalendar's add_missing_timezones: its summer time
        # starts an hour late (see domain/vtimezone.py).
        moments = [o.at for o in shown] + [e.due_at for e in owed] or [now]
        first, last = min(moments).astimezone(zone), max(moments).astimezone(zone)
        if zone.key in calendar.get_used_tzids():
            rules = vtimezone(zone, date(first.year - 1, 1, 1), date(last.year + 2, 1, 1))
            calendar.subcomponents.insert(0, rules)
        return Response(
            bytes(calendar.to_ical()),
            media_type="text/calendar; charset=utf-8",
            headers={
                "Content-Disposition": f'inline; filename="{feed.filename}"',
                # Personal (a feed token's owner's): no shared cache may keep it.
                "Cache-Control": "private, max-age=300",
            },
        )

    return router


# --- reading -----------------------------------------------------------------------------


def _feed(
    app: App, person: int | None, project: int | None, lang: str | None, default: str
) -> Feed:
    """Who and what the feed is for; an unknown id is a 404 naming it."""
    if person is None and project is None:
        return Feed(lang or default)
    owner = app.engine.feed_owner(person, project)
    language = lang or owner.person_language or default
    return Feed(language, person, project, owner.person_name, owner.project_name)


def _owed(rows: Iterable[OpenDeadline], lang: str, host: str, *, per_person: bool) -> list[Owed]:
    """A person's deadlines one by one; anyone else's, one entry per thing owed."""
    if per_person:
        return [Owed(f"deadline-{r.id}@{host}", r.kind, r.title, r.project, r.due_at) for r in rows]
    by_subject: dict[str, list[OpenDeadline]] = {}
    for row in rows:  # in order of due time, so the entries are too
        by_subject.setdefault(row.subject, []).append(row)
    owed = []
    for subject, group in by_subject.items():
        # Titles are stored in each person's language: show one in the feed's.
        shown = next((r for r in group if r.language == lang), group[0])
        slug = subject.replace(":", "-").replace("/", "-")
        people = tuple(sorted({r.person for r in group}))
        owed.append(
            Owed(
                f"deadline-{slug}@{host}",
                shown.kind,
                shown.title,
                shown.project,
                shown.due_at,
                people,
            )
        )
    return owed


def _phase_labels(app: App, lang: str) -> dict[str, str]:
    definition = app.engine.workflows.current(app.settings.default_workflow)
    return {phase.id: phase.label.get(lang) for phase in definition.phases}


# --- writing -----------------------------------------------------------------------------


def _calendar(feed: Feed, timezone: str) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("name", feed.title)
    calendar.add("x-wr-calname", feed.title)
    calendar.add("x-wr-timezone", timezone)
    calendar.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", "PT1H")  # the same, as Outlook reads it
    return calendar


def _wheel_entry(
    occurrence: Occurrence,
    lang: str,
    zone: ZoneInfo,
    phase_labels: Mapping[str, str],
    host: str,
    now: datetime,
) -> Event:
    event, t = occurrence.event, words(lang)
    lines = [event.description.get(lang)] if event.description else []
    lines.append(t(f"calendar_kind_{event.kind}"))
    if event.phases:
        lines.append(
            f"{t('calendar_phases')}: " + ", ".join(phase_labels.get(p, p) for p in event.phases)
        )
    if occurrence.at.date() != occurrence.nominal.date():
        lines.append(t("calendar_moved", day=format_date(occurrence.nominal, lang, zone)))
    entry = Event()
    entry.add("uid", f"wheel-{occurrence.key.replace('/', '-')}@{host}")
    entry.add("dtstamp", now)
    entry.add("dtstart", occurrence.at.astimezone(zone))
    entry.add("dtend", occurrence.ends_at.astimezone(zone))
    entry.add("summary", event.label.get(lang))
    entry.add("description", "\n".join(lines))
    entry.add("categories", [event.kind.value])
    entry.add("transp", "OPAQUE" if event.duration else "TRANSPARENT")
    return entry


def _deadline_entry(owed: Owed, feed: Feed, zone: ZoneInfo, now: datetime, url: str) -> Event:
    t = words(feed.lang)
    summary = f"{t('calendar_due')}: {owed.title}" + (f" – {owed.project}" if owed.project else "")
    lines = [t.get(f"calendar_owed_{owed.kind}")]
    if owed.waiting_for:
        lines.append(f"{t('calendar_waiting')}: " + ", ".join(owed.waiting_for))
    lines.append(f"{t('calendar_open')}: {url}")
    entry = Event()
    entry.add("uid", owed.uid)
    entry.add("dtstamp", now)
    entry.add("dtstart", owed.due_at.astimezone(zone))
    entry.add("dtend", owed.due_at.astimezone(zone))
    entry.add("summary", summary)
    entry.add("description", "\n".join(line for line in lines if line))
    entry.add("categories", [owed.kind])
    entry.add("url", url)
    entry.add("transp", "TRANSPARENT")
    if feed.person is not None:  # a reminder of one's own deadlines, not of everyone's
        alarm = Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", summary)
        alarm.add("trigger", -ALARM_BEFORE)
        entry.add_component(alarm)
    return entry
