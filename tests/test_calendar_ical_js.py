"""The calendar feed as a second, independent reader sees it: ical.js (``tests/js``), the
reader inside many calendar programs. It places times from the feed's own VTIMEZONE
rules, not from a time zone database, so it shows whether those rules are right.

icalendar's rules started summer time at 03:00 instead of 02:00, and spread the years
over one RDATE, of which ical.js reads only the first: it then knew one year's summer
time, and placed the next summer's 09:00 meeting at 10:00.

Needs Node.js and ``npm ci`` in tests/js (``.ci/run`` does it); without them the tests
skip, except in CI, where they fail.
"""

from __future__ import annotations

import calendar
import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from icalendar import Calendar

from phasegate.bootstrap import App
from phasegate.domain.vtimezone import vtimezone
from tests.cycle_support import cycle_app, local, wheel_file
from tests.factories import REPO, Clock
from tests.webserver import serve

READER = REPO / "tests" / "js" / "place_events.mjs"
ICAL_JS = REPO / "tests" / "js" / "node_modules" / "ical.js"

# An early deadline and a morning meeting, every summer.
EVENTS = """
- id: tidlig
  kind: deadline
  label: {nb: Tidlig frist, en: Early deadline}
  rrule: "FREQ=YEARLY;BYMONTH=6;BYMONTHDAY=15"
  start: "2027-06-15 02:30"
- id: morgenmote
  kind: deadline
  label: {nb: Morgenmøte, en: Morning meeting}
  rrule: "FREQ=YEARLY;BYMONTH=6;BYMONTHDAY=15"
  start: "2027-06-15 09:00"
"""


def read_with_ical_js(ics: bytes) -> dict[str, Any]:
    """What ical.js makes of ``ics``: ``events`` (uid, start in UTC) and ``changes`` (each
    zone's changes of offset: at, in UTC, and the offsets before and after, in seconds)."""
    node = shutil.which("node")
    if node is None or not ICAL_JS.is_dir():
        reason = "ical.js is not installed: run `npm ci` in tests/js (needs Node.js)"
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    read = subprocess.run(  # noqa: S603 - our own script, with the feed on stdin
        [node, str(READER)], input=ics, capture_output=True, check=False, timeout=60
    )
    assert read.returncode == 0, read.stderr.decode()
    found: dict[str, Any] = json.loads(read.stdout)
    return found


def moment(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def eu_summer_time(year: int) -> tuple[datetime, datetime]:
    """The EU's rule, not tzdata's: summer time from the last Sunday of March to the last
    Sunday of October, changing at 01:00 UTC."""

    def last_sunday(month: int) -> datetime:
        day = max(week[calendar.SUNDAY] for week in calendar.monthcalendar(year, month))
        return datetime(year, month, day, 1, 0, tzinfo=UTC)

    return last_sunday(3), last_sunday(10)


@pytest.fixture
def feed(database_url: str, tmp_path: Path, clock: Clock) -> Iterator[bytes]:
    """The organisation's /calendar.ics on 1 June 2027, through a calendar address: it
    shows this summer and the next."""
    clock.now = local(date(2027, 6, 1), time(10, 0))
    with cycle_app(database_url, wheel_file(tmp_path, EVENTS), clock) as app:
        yield fetch_feed(app)


def fetch_feed(app: App) -> bytes:
    person = app.engine.register_person("Kari Nordmann", "kari.nordmann@asker.example")
    _, token = app.engine.create_calendar_feed("Thunderbird", actor=person)
    with serve(app) as url, httpx.Client(base_url=url, params={"token": token}) as client:
        response = client.get("/calendar.ics")
    assert response.status_code == 200, response.text
    return response.content


def test_ical_js_reads_the_feeds_summer_time_and_places_every_event_at_its_oslo_time(
    feed: bytes,
) -> None:
    read = read_with_ical_js(feed)

    placed = {event["uid"].split("@")[0]: moment(event["start"]) for event in read["events"]}
    for year in (2027, 2028):
        assert placed[f"wheel-tidlig-{year}0615T0230"] == datetime(year, 6, 15, 0, 30, tzinfo=UTC)
        assert placed[f"wheel-morgenmote-{year}0615T0900"] == datetime(year, 6, 15, 7, tzinfo=UTC)
    # Every event, the board meetings at 13.00 included, where a time zone database puts it.
    for event in Calendar.from_ical(feed).walk("VEVENT"):
        uid = str(event["UID"]).split("@")[0]
        assert placed[uid] == event.decoded("DTSTART").astimezone(UTC), uid

    # Summer time starts at 02:00 winter time and ends at 03:00 summer time: 01:00 UTC.
    changes = [c for c in read["changes"]["Europe/Oslo"] if c["before"] != c["after"]]
    starts = [moment(c["at"]) for c in changes if c["after"] > c["before"]]
    ends = [moment(c["at"]) for c in changes if c["after"] < c["before"]]
    for year in (2027, 2028):
        spring, autumn = eu_summer_time(year)
        assert spring in starts
        assert autumn in ends
    assert all((c["before"], c["after"]) == (3600, 7200) for c in changes if c["after"] > 3600)
    assert len(starts) == len(ends) == len({s.year for s in starts}), "one of each a year"
    assert all(s in eu_summer_time(s.year) for s in starts + ends)


@pytest.mark.parametrize(
    "zone",
    [
        "Europe/Oslo",
        "Europe/Dublin",
        "America/Santiago",
        "Australia/Lord_Howe",
        "Africa/Casablanca",
    ],
)
def test_ical_js_reads_each_zones_changes_where_tzdata_has_them(zone: str) -> None:
    tz = ZoneInfo(zone)
    ics = Calendar()
    ics.add("prodid", "-//phasegate tests//vtimezone//EN")
    ics.add("version", "2.0")
    ics.add_component(vtimezone(tz, date(2026, 1, 1), date(2029, 1, 1)))

    read = read_with_ical_js(ics.to_ical())

    changes = [c for c in read["changes"][zone] if c["before"] != c["after"]]
    assert changes, "the zone changes its clocks in these years"
    for change in changes:
        at = moment(change["at"])
        before = (at - timedelta(seconds=1)).astimezone(tz).utcoffset()
        assert before == timedelta(seconds=change["before"]), change
        assert at.astimezone(tz).utcoffset() == timedelta(seconds=change["after"]), change
    # And none is missing: the offset ical.js has at noon UTC each day is tzdata's.
    day = datetime(2026, 1, 1, 12, tzinfo=UTC)
    while day < datetime(2029, 1, 1, tzinfo=UTC):
        ical_js = next(
            c["after"] for c in reversed(read["changes"][zone]) if moment(c["at"]) <= day
        )
        assert timedelta(seconds=ical_js) == day.astimezone(tz).utcoffset(), day
        day += timedelta(days=1)
