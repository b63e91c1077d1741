"""The annual cycle (årshjul) and the workflows as pages people read, over real HTTP.

Served by the real app (create_app, through tests/webserver.py), which mounts both routers.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from datetime import date, datetime, time
from pathlib import Path

import httpx
import pytest

from phasegate.bootstrap import App
from phasegate.web.wheel import angle_of, month_angles, point_at
from tests.cycle_support import OSLO, cycle_app, local, wheel_file
from tests.factories import Cast, Clock, submit_complete
from tests.web_support import reader
from tests.webserver import serve

HTML = {"accept": "text/html"}
SVG = "{http://www.w3.org/2000/svg}"

# Two events a holiday moves: Maundy Thursday 2027 (to Tuesday 30 March, after Easter
# Monday) and 17 May 2027, Whit Monday and Constitution Day (to Tuesday 18 May).
MOVED_EVENTS = """
- id: paaskerapport
  kind: reporting_cycle
  label: {nb: Påskerapport, en: Easter report}
  description: {nb: Status før påske., en: Status before Easter.}
  rrule: "FREQ=YEARLY;BYMONTH=3;BYMONTHDAY=25"
  start: "2027-03-25 12:00"
  phases: [execution, realisation]
  request_working_days_before: 5
- id: grunnlovsfrist
  kind: deadline
  label: {nb: Frist for innmelding, en: Intake deadline}
  rrule: "FREQ=YEARLY;BYMONTH=5;BYMONTHDAY=17"
  start: "2027-05-17 12:00"
  notify: [pmo, board]
"""
BOARD_MEETINGS_2027 = 11  # the second Tuesday of every month but July
MARKERS_2027 = BOARD_MEETINGS_2027 + 2


@pytest.fixture
def wheel_app(database_url: str, tmp_path: Path, clock: Clock) -> Iterator[App]:
    clock.now = local(date(2027, 6, 1), time(10, 0))
    with cycle_app(database_url, wheel_file(tmp_path, MOVED_EVENTS), clock) as app:
        yield app


@pytest.fixture
def site(wheel_app: App) -> Iterator[httpx.Client]:
    """A reader's browser: the wheel shows the board's agenda, for people signed in."""
    with serve(wheel_app) as url, reader(wheel_app, url) as client:
        client.headers.update(HTML)
        yield client


def svg_of(page: str) -> ET.Element:
    """The page's inline SVG, parsed as XML (so it must be well formed)."""
    found = re.search(r"<svg\b.*?</svg>", page, re.DOTALL)
    assert found, "the page has no inline SVG"
    return ET.fromstring(found.group(0))  # noqa: S314 - our own server's page


def markers(svg: ET.Element) -> list[ET.Element]:
    return [a for a in svg.iter(f"{SVG}a") if "marker" in a.get("class", "")]


# --- geometry -------------------------------------------------------------------------


def test_january_is_at_the_top_and_the_year_runs_clockwise() -> None:
    assert angle_of(datetime(2027, 1, 1)) == 0  # noqa: DTZ001 - wall clock
    assert angle_of(datetime(2027, 7, 2, 12, 0)) == pytest.approx(180)  # noqa: DTZ001
    assert angle_of(date(2027, 12, 31)) == pytest.approx(360 * 364 / 365)
    assert angle_of(datetime(2027, 4, 1, 9, 0, tzinfo=OSLO)) == angle_of(
        datetime(2027, 4, 1, 9, 0)  # noqa: DTZ001 - the wall clock counts, not the zone
    )
    assert point_at(0, 100) == point_at(360, 100)
    top, right, bottom = point_at(0, 100), point_at(90, 100), point_at(180, 100)
    assert (top.x, top.y) == (0, -100)  # SVG's y grows downwards
    assert (right.x, right.y) == (100, 0)
    assert (bottom.x, bottom.y) == (0, 100)


def test_twelve_months_share_the_circle_and_a_leap_year_has_a_narrower_day() -> None:
    months = month_angles(2027)
    assert len(months) == 12
    assert months[0][0] == 0
    assert all(start < middle for start, middle in months)
    assert months[6][0] == pytest.approx(360 * 181 / 365)  # 1 July
    assert month_angles(2028)[2][0] == pytest.approx(360 * 60 / 366)  # 1 March, leap year


# --- the wheel ------------------------------------------------------------------------


def test_the_wheel_has_twelve_months_and_a_linked_marker_for_every_occurrence(
    site: httpx.Client,
) -> None:
    page = site.get("/arshjul", params={"year": 2027})
    assert page.status_code == 200
    svg = svg_of(page.text)
    months = [t.text for t in svg.iter(f"{SVG}text") if "month" in t.get("class", "")]
    assert months == [
        "Januar",
        "Februar",
        "Mars",
        "April",
        "Mai",
        "Juni",
        "Juli",
        "August",
        "September",
        "Oktober",
        "November",
        "Desember",
    ]
    found = markers(svg)
    assert len(found) == MARKERS_2027
    kinds = [m.find(f"{SVG}g").get("class") for m in found]  # type: ignore[union-attr]
    assert kinds.count("marker-board_meeting") == BOARD_MEETINGS_2027
    assert kinds.count("marker-reporting_cycle") == kinds.count("marker-deadline") == 1
    for marker in found:
        title = marker.find(f"{SVG}title")
        assert title is not None, "a marker needs a tooltip"
        assert title.text
        assert marker.get("aria-label") == title.text
        href = marker.get("href")
        assert href
        assert href.startswith("/arshjul/")
        assert site.get(href).status_code == 200, href
    assert "Påskerapport, 30. mars 2027 kl. 12.00" in [
        m.get("aria-label") for m in found
    ]  # drawn on the day it moved to


def test_today_is_marked_only_on_this_years_wheel(site: httpx.Client) -> None:
    def today_marks(year: int | None) -> int:
        params = {"year": year} if year else {}
        svg = svg_of(site.get("/arshjul", params=params).text)
        return sum("today-marker" in g.get("class", "") for g in svg.iter(f"{SVG}g"))

    assert today_marks(None) == 1  # the engine's clock says June 2027
    assert today_marks(2027) == 1
    assert today_marks(2028) == 0
    assert today_marks(2026) == 0


def test_the_wheel_links_to_last_and_next_year(site: httpx.Client) -> None:
    page = site.get("/arshjul", params={"year": 2027}).text
    assert 'href="/arshjul?year=2026&amp;lang=nb"' in page
    assert 'href="/arshjul?year=2028&amp;lang=nb"' in page
    assert "<script" not in page
    assert site.head("/arshjul").status_code == 200  # link checkers ask first


def test_an_occurrence_a_holiday_moved_says_so_in_the_list(site: httpx.Client) -> None:
    page = site.get("/arshjul", params={"year": 2027}).text
    assert "flyttet fra 25. mars 2027 (Skjærtorsdag)" in page
    assert "flyttet fra 17. mai 2027 (Andre pinsedag; Grunnlovsdag)" in page
    assert "Påskerapport" in page
    # The board meeting on 9 March is on a working day: nothing moved.
    assert page.count("flyttet fra") == 2


def test_the_occurrence_page_says_when_and_what_phasegate_does(site: httpx.Client) -> None:
    page = site.get("/arshjul/paaskerapport/20270325T1200")
    assert page.status_code == 200
    text = page.text
    assert "Påskerapport" in text
    assert "Status før påske." in text
    assert "30. mars 2027 kl. 12.00" in text
    assert "Flyttet fra 25. mars 2027 (Skjærtorsdag), som ikke er en arbeidsdag." in text
    # 5 working days before Tuesday 30 March, Easter Monday to Maundy Thursday off: 18 March.
    assert "Ber prosjektene i fasene «Gjennomføre» og «Realisere» om rapport 18. mars 2027" in (
        text
    )
    deadline = site.get("/arshjul/grunnlovsfrist/20270517T1200").text
    assert "Minner porteføljekontoret og porteføljestyret om fristen" in deadline
    assert "2 virkedager før, og på dagen" in deadline


def test_the_board_meeting_page_lists_the_requests_on_its_agenda(
    wheel_app: App, site: httpx.Client, cast: Cast, clock: Clock
) -> None:
    project = wheel_app.engine.register_project(
        "Digitaliseringsstrategi", owner=cast.owner, leader=cast.leader, phase="idea"
    )
    bp1 = wheel_app.engine.workflows.current("prosjektveiviseren").gate("BP1")
    assert bp1 is not None
    # Wednesday 3 March 2027: too late for the 9 March meeting, so on 13 April's agenda.
    clock.now = local(date(2027, 3, 3), time(10, 0))
    submit_complete(wheel_app.engine, project, bp1, cast.leader)

    april = site.get("/arshjul/styremote/20270413T1300").text
    assert "Digitaliseringsstrategi" in april
    assert "BP1: Start konseptfasen" in april
    assert f'href="/projects/{project}?lang=nb">Digitaliseringsstrategi</a>' in april
    assert "Sender sakslisten til porteføljestyret 8. april 2027 kl. 08.00" in april
    march = site.get("/arshjul/styremote/20270309T1300").text
    assert "Digitaliseringsstrategi" not in march
    assert "Ingen åpne beslutningsforespørsler" in march


@pytest.mark.parametrize(
    "path",
    [
        "/arshjul/no-such-event/20270413T1300",
        "/arshjul/styremote/20270414T1300",  # a day with no meeting
        "/arshjul/styremote/not-a-time",
        "/arshjul/styremote/20270413T1300-and-a-much-longer-tail",
    ],
)
def test_an_unknown_occurrence_is_not_found(site: httpx.Client, path: str) -> None:
    page = site.get(path)
    assert page.status_code == 404
    assert "Årshjulet har ingen hendelse" in page.text
    assert "/arshjul" in page.text


def test_the_wheel_speaks_english_when_asked(site: httpx.Client) -> None:
    page = site.get("/arshjul", params={"year": 2027, "lang": "en"}).text
    svg = svg_of(page)
    months = [t.text for t in svg.iter(f"{SVG}text") if "month" in t.get("class", "")]
    assert months[0] == "January"
    assert months[-1] == "December"
    assert "Outer ring" in page
    assert "portfolio board meetings" in page
    assert "Easter report" in page
    assert "moved from 25 March 2027 (Skjærtorsdag)" in page
    detail = site.get("/arshjul/styremote/20270413T1300", params={"lang": "en"}).text
    assert "Portfolio board meeting" in detail
    assert "Sends the agenda to the portfolio board 8 April 2027 at 08:00" in detail


# --- workflows ------------------------------------------------------------------------


def test_the_workflow_list_names_each_file_but_not_the_wheel(site: httpx.Client) -> None:
    page = site.get("/workflows").text
    assert 'href="/workflows/prosjektveiviseren?lang=nb"' in page
    assert "Prosjektveiviseren" in page
    assert "standard for nye prosjekter" in page
    assert "/workflows/arshjul" not in page
    assert site.get("/workflows/arshjul").status_code == 404
    assert site.get("/workflows/no-such-workflow").status_code == 404
    assert site.head("/workflows/prosjektveiviseren").status_code == 200


def test_the_workflow_page_shows_every_gate_with_its_checklist(
    wheel_app: App, site: httpx.Client
) -> None:
    definition = wheel_app.engine.workflows.current("prosjektveiviseren")
    page = site.get("/workflows/prosjektveiviseren")
    assert page.status_code == 200
    text = page.text
    assert [g.id for g in definition.gates] == ["BP1", "BP2", "BP3", "BP4", "BP5", "BP6"]
    for gate in definition.gates:
        section = re.search(
            rf'<section class="gate[^"]*" id="gate-{gate.id}">(.*?)</section>', text, re.S
        )
        assert section, gate.id
        body = section.group(1)
        assert gate.purpose.nb in body
        for item in gate.checklist:
            mark = "(obligatorisk)" if item.mandatory else "(valgfri)"
            assert f"{item.text.nb} " in body
            assert mark in body
        for event in gate.requires_events:
            assert event in body
    assert "Porteføljestyret: flertallet må være enige" in text
    diagram = re.search(r'<pre class="mermaid-source[^"]*">(.*?)</pre>', text, re.S)
    assert diagram
    assert "stateDiagram" in diagram.group(1)
    flow = re.search(r'<ol class="flow[^"]*">(.*?)</ol>', text, re.S)
    assert flow
    assert flow.group(1).index("Idé") < flow.group(1).index("Realisere")
    assert "<script" not in text


def test_the_workflow_page_speaks_english_when_asked(wheel_app: App, site: httpx.Client) -> None:
    definition = wheel_app.engine.workflows.current("prosjektveiviseren")
    page = site.get("/workflows/prosjektveiviseren", params={"lang": "en"}).text
    assert "The gates" in page
    assert "Project wizard" in page
    bp1 = definition.gates[0]
    assert bp1.label.en
    assert bp1.label.en in page
    assert "(mandatory)" in page
