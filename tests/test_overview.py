"""The portfolio overview: filters, sorting, traffic lights, deadlines and exports, fetched
over real HTTP from phasegate's app, on SQLite and PostgreSQL.
"""

from __future__ import annotations

import csv
import html
import io
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import httpx
import pytest
from openpyxl import load_workbook
from sqlalchemy import event, insert

from phasegate.bootstrap import App
from phasegate.domain.reports import ReportContent
from phasegate.i18n.formats import format_short_date
from phasegate.storage.tables import Deadline, Person, Project, StatusReport
from tests.factories import Cast, Clock, submit_complete
from tests.web_support import reader
from tests.webserver import serve

GREEN_REPORT = ReportContent(
    {"overall": "on_track", "time": "on_plan", "cost": "on_budget"}
    | {"quality": "as_expected", "risk": "low"},
    {},
    budget=1_000_000,
)
MIXED_REPORT = ReportContent(
    {"overall": "at_risk", "time": "minor_delay", "cost": "over_budget"}
    | {"quality": "as_expected", "risk": "high"},
    {"cost": "Tomten ble dyrere", "risk": "Leverandøren kan gå konkurs"},
    budget=2_500_000,
)


@pytest.fixture
def client(app: App) -> Iterator[httpx.Client]:
    """A reader's browser: the overview is for people who are signed in."""
    with serve(app) as url, reader(app, url) as http:
        yield http


@dataclass(frozen=True)
class Portfolio:
    raadhus: int
    strategi: int
    omsorg: int
    aerfugl: int
    strategi_request: int


def publish(app: App, project: int, content: ReportContent, person: int) -> None:
    draft = app.engine.start_report(project, actor=person)
    app.engine.save_report(draft, content, actor=person)
    app.engine.publish_report(draft, actor=person)


@pytest.fixture
def portfolio(app: App, cast: Cast, clock: Clock) -> Portfolio:
    """Four projects: two report, one waits for its owner's BP3, one is on hold."""
    engine = app.engine
    hanne = cast.board[0]

    def project(name: str, phase: str, area: str, owner: int) -> int:
        return engine.register_project(
            name, owner=owner, leader=cast.leader, phase=phase, development_area=area
        )

    raadhus = project("Nytt rådhus", "execution", "Samfunnsutvikling", cast.owner)
    strategi = project("Digitaliseringsstrategi", "planning", "Organisasjon", cast.owner)
    omsorg = project("Åpen omsorg", "planning", "Helse og omsorg", hanne)
    aerfugl = project("Ærfugl", "idea", "Samfunnsutvikling", hanne)
    publish(app, raadhus, GREEN_REPORT, cast.leader)  # 2 March: superseded below
    clock.advance(days=3)
    publish(app, raadhus, MIXED_REPORT, cast.leader)  # 5 March
    publish(app, aerfugl, GREEN_REPORT, cast.leader)
    bp3 = next(g for g in engine.workflows.current("prosjektveiviseren").gates if g.id == "BP3")
    request = submit_complete(engine, strategi, bp3, cast.leader)
    on_hold = submit_complete(engine, omsorg, bp3, cast.leader)
    engine.cast_vote(on_hold, "hold", "Venter på budsjett", channel="web", actor=hanne)
    clock.advance(days=12)  # 17 March: the mixed report is 12 days old
    return Portfolio(raadhus, strategi, omsorg, aerfugl, request)


def names(page: httpx.Response) -> list[str]:
    """The project names in the page's table, top to bottom (each links to its page)."""
    assert page.status_code == 200, page.text
    found = re.findall(r'<th scope="row">(.*?)</th>', page.text, flags=re.S)
    return [name_of(cell) for cell in found]


def row_of(page: httpx.Response, name: str) -> str:
    """The table row of the project called ``name``, from its name cell on."""
    rows = re.findall(r'<th scope="row">.*?(?=</tr>)', page.text, flags=re.S)
    return next(row for row in rows if name_of(row) == name)


def name_of(row: str) -> str:
    """The project's name: its link in the row's first cell (a status tag and the
    development area follow it there)."""
    found = re.search(r"<a [^>]*>(.*?)</a>", row, flags=re.S)
    assert found is not None
    return html.unescape(found[1]).strip()


def cells(row: str) -> list[str]:
    """A row's cells as a reader sees them: tags dropped, space collapsed."""
    found = re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row, flags=re.S)
    return [" ".join(html.unescape(re.sub(r"<[^>]+>", " ", c)).split()) for c in found]


def test_the_overview_lists_every_project_sorted_by_name_the_norwegian_way(
    portfolio: Portfolio, client: httpx.Client
) -> None:
    page = client.get("/")

    assert '<html lang="nb">' in page.text
    assert "Porteføljeoversikt" in page.text
    assert "Viser 4 av 4 prosjekter" in page.text
    # Æ, Ø and Å come after Z, in that order, as in a Norwegian dictionary.
    assert names(page) == ["Digitaliseringsstrategi", "Nytt rådhus", "Ærfugl", "Åpen omsorg"]
    assert 'aria-sort="ascending"' in page.text


def test_sorting_by_a_column_and_turning_the_order_around(
    portfolio: Portfolio, client: httpx.Client
) -> None:
    by_phase = client.get("/", params={"sort": "phase"})
    backwards = client.get("/", params={"sort": "phase", "dir": "desc"})
    by_overall = client.get("/", params={"sort": "overall", "dir": "desc"})

    # Workflow order (idea, planning, execution), ties by name.
    assert names(by_phase) == ["Ærfugl", "Digitaliseringsstrategi", "Åpen omsorg", "Nytt rådhus"]
    assert names(backwards) == ["Nytt rådhus", "Digitaliseringsstrategi", "Åpen omsorg", "Ærfugl"]
    sorted_header = (
        r'<th scope="col" aria-sort="descending"><a class="ds-link" href="\?[^"]*sort=phase'
    )
    assert re.search(sorted_header, backwards.text)
    assert by_phase.text.count("aria-sort=") == 1, "only the sorted column says it is sorted"
    # The header link turns the order around and keeps the language.
    assert "?lang=nb&amp;sort=phase&amp;dir=desc" in by_phase.text
    # Worst light first; projects without a report come last either way.
    assert names(by_overall)[:2] == ["Nytt rådhus", "Ærfugl"]


def test_filters_narrow_the_rows(
    app: App, cast: Cast, portfolio: Portfolio, client: httpx.Client
) -> None:
    hanne = cast.board[0]

    assert names(client.get("/", params={"phase": "planning"})) == [
        "Digitaliseringsstrategi",
        "Åpen omsorg",
    ]
    assert names(client.get("/", params={"area": "Samfunnsutvikling"})) == [
        "Nytt rådhus",
        "Ærfugl",
    ]
    assert names(client.get("/", params={"owner": str(hanne)})) == ["Ærfugl", "Åpen omsorg"]
    on_hold = client.get("/", params={"status": "on_hold"})
    assert names(on_hold) == ["Åpen omsorg"]
    assert "Viser 1 av 4 prosjekter" in on_hold.text
    both = client.get("/", params={"phase": "planning", "owner": str(cast.owner)})
    assert names(both) == ["Digitaliseringsstrategi"]
    nothing = client.get("/", params={"phase": "closing"})
    assert "Ingen prosjekter passer filtrene." in nothing.text
    # An empty choice ("Alle") is no filter.
    assert len(names(client.get("/", params={"phase": "", "owner": "", "status": ""}))) == 4


def test_the_filter_form_is_a_labelled_form_that_keeps_the_choices(
    cast: Cast, portfolio: Portfolio, client: httpx.Client
) -> None:
    page = client.get("/", params={"phase": "planning", "owner": str(cast.owner)}).text

    assert '<form method="get" action="/"' in page
    for label, name in (("Fase", "phase"), ("Utviklingsområde", "area")):
        assert f'<label class="ds-label" for="filter-{name}">{label}</label>' in page
        assert re.search(rf'<select class="ds-input"[^>]* id="filter-{name}" name="{name}">', page)
    assert '<option value="planning" selected>Planlegge</option>' in page
    assert f'<option value="{cast.owner}" selected>Ole-Kristian Tangen</option>' in page
    assert re.search(r'<button class="ds-button"[^>]*type="submit">Vis</button>', page)


def test_bad_query_values_are_refused(portfolio: Portfolio, client: httpx.Client) -> None:
    for params in ({"sort": "owner; drop"}, {"dir": "up"}, {"owner": "x"}, {"lang": "xx"}):
        assert client.get("/", params=params).status_code == 422, params
    # An owner beyond any row names no one, on the page and in the exports alike.
    for path in ("/", "/export.csv", "/export.xlsx"):
        for owner in ("2147483648", "9999999999", "99999999999999999999"):
            answer = client.get(path, params={"owner": owner})
            assert answer.status_code in (404, 422), (path, owner, answer.status_code)


def test_traffic_lights_show_the_latest_published_report_in_words(
    portfolio: Portfolio, client: httpx.Client
) -> None:
    page = client.get("/")
    raadhus = cells(row_of(page, "Nytt rådhus"))
    strategi = cells(row_of(page, "Digitaliseringsstrategi"))

    # overall, time, cost, quality, risk, benefit: a tag with the value in words, its
    # colour repeating it (Designsystemet's warning, danger and success)
    assert raadhus[3:9] == [
        "Risiko for avvik",
        "Mindre forsinkelse",
        "Over budsjett",
        "Som forventet",
        "Høy",
        "",
    ]
    assert '<span class="ds-tag" data-color="danger">Høy</span>' in row_of(page, "Nytt rådhus")
    assert raadhus[9] == "12 dager", "the age of the latest report, not the first"
    assert strategi[3:10] == ["", "", "", "", "", "", "ingen rapport"]

    english = client.get("/", params={"lang": "en"})
    assert '<html lang="en">' in english.text
    assert "Portfolio overview" in english.text
    assert cells(row_of(english, "Nytt rådhus"))[3:5] == ["At risk", "Minor delay"]
    assert cells(row_of(english, "Nytt rådhus"))[9] == "12 days"


def test_open_gate_request_its_due_date_and_the_next_deadline(
    app: App, portfolio: Portfolio, client: httpx.Client
) -> None:
    due = app.engine.gate_request(portfolio.strategi_request).due_at
    assert due is not None
    page = client.get("/")
    strategi = cells(row_of(page, "Digitaliseringsstrategi"))
    raadhus = cells(row_of(page, "Nytt rådhus"))

    written = format_short_date(due.astimezone(app.settings.zone).date(), "nb")
    assert strategi[10:12] == [f"BP3 {written}", written], "the owner owes a vote by then"
    assert raadhus[10:12] == ["", ""]


def test_the_csv_export_holds_the_page_s_rows_for_norwegian_excel(
    app: App, cast: Cast, portfolio: Portfolio, client: httpx.Client
) -> None:
    params = {"owner": str(cast.owner), "sort": "name", "dir": "desc"}
    page = client.get("/", params=params)
    export = client.get("/export.csv", params=params)

    assert export.status_code == 200
    assert export.headers["content-type"].startswith("text/csv")
    assert export.headers["content-disposition"] == 'attachment; filename="portefolje.csv"'
    assert export.content.startswith(b"\xef\xbb\xbf"), "a BOM, so Excel reads UTF-8"
    rows = list(csv.reader(io.StringIO(export.content.decode("utf-8-sig")), delimiter=";"))
    header, body = rows[0], rows[1:]
    assert header[:3] == ["Prosjekt", "Portefølje", "Prosjekteier"]
    assert [r[0] for r in body] == names(page) == ["Nytt rådhus", "Digitaliseringsstrategi"]
    raadhus = dict(zip(header, body[0], strict=True))
    assert raadhus["Samlet vurdering"] == "Gul"
    assert raadhus["Økonomi"] == "Rød"
    assert raadhus["Fase"] == "Gjennomføre"
    assert raadhus["Rapport publisert"] == "2026-03-05"
    assert raadhus["Rapportens alder (dager)"] == "12"
    strategi = dict(zip(header, body[1], strict=True))
    due = app.engine.gate_request(portfolio.strategi_request).due_at
    assert due is not None
    assert strategi["Åpen beslutning"] == "BP3"
    assert strategi["Beslutningsfrist"] == due.astimezone(app.settings.zone).date().isoformat()
    assert strategi["Rapportens alder (dager)"] == ""


def test_the_excel_export_holds_the_page_s_rows_with_a_bold_header(
    app: App, portfolio: Portfolio, client: httpx.Client
) -> None:
    params = {"sort": "phase", "lang": "en"}
    page = client.get("/", params=params)
    export = client.get("/export.xlsx", params=params)

    assert export.status_code == 200
    assert export.headers["content-disposition"] == 'attachment; filename="portefolje.xlsx"'
    sheet = load_workbook(io.BytesIO(export.content)).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    header = rows[0]
    assert header[:2] == ("Project", "Portfolio")
    assert all(cell.font.bold for cell in sheet[1])
    assert sheet.column_dimensions["A"].width >= len("Digitaliseringsstrategi")
    assert [r[0] for r in rows[1:]] == names(page)
    raadhus = dict(zip(header, next(r for r in rows if r[0] == "Nytt rådhus"), strict=True))
    assert raadhus["Overall assessment"] == "Yellow"
    assert raadhus["Report age (days)"] == 12
    assert raadhus["Report published"].date() == date(2026, 3, 5)


def test_exported_text_never_runs_as_a_formula(app: App, cast: Cast, client: httpx.Client) -> None:
    app.engine.register_project("=HYPERLINK(1)", owner=cast.owner, leader=cast.leader)

    text = client.get("/export.csv").content.decode("utf-8-sig")
    sheet = load_workbook(io.BytesIO(client.get("/export.xlsx").content)).active

    assert "'=HYPERLINK(1)" in text
    assert sheet is not None
    assert sheet["A2"].data_type == "s"
    assert sheet["A2"].value == "=HYPERLINK(1)"


def test_an_empty_portfolio_says_how_to_load_the_demo(client: httpx.Client) -> None:
    page = client.get("/")

    assert page.status_code == 200
    assert "Porteføljen er tom" in page.text
    assert client.head("/").status_code == 200


# --- bounded queries -------------------------------------------------------------------


def bulk_portfolio(app: App, clock: Clock, first: int, count: int, people: list[int]) -> None:
    """``count`` more projects, each with a published report and an open deadline."""
    now = clock()
    version = app.engine.workflows.current("prosjektveiviseren").version
    projects = [
        {
            "name": f"Prosjekt {n:05d}",
            "owner_id": people[n % len(people)],
            "leader_id": people[(n + 1) % len(people)],
            "development_area": f"Område {n % 7}",
            "portfolio": "Strategisk portefølje",
            "description": "",
            "phase": ("idea", "concept", "planning", "execution")[n % 4],
            "status": "active",
            "workflow_name": "prosjektveiviseren",
            "workflow_version": version,
            "phase_entered_at": now,
            "created_at": now,
        }
        for n in range(first, first + count)
    ]
    with app.database.begin() as conn:
        ids = list(conn.execute(insert(Project).returning(Project.id), projects).scalars())
        reports: list[dict[str, Any]] = [
            {
                "project_id": project,
                "kind": "status",
                "status": "published",
                "ratings": {"overall": "on_track", "risk": "medium"},
                "comments": {},
                "created_at": now - timedelta(days=days),
                "updated_at": now - timedelta(days=days),
                "published_at": now - timedelta(days=days),
            }
            for project in ids
            for days in (40, 10)
        ]
        conn.execute(insert(StatusReport), reports)
        conn.execute(
            insert(Deadline),
            [
                {
                    "kind": "status_report",
                    "subject": f"report_request:{project}",
                    "person_id": people[0],
                    "project_id": project,
                    "title": "Statusrapport",
                    "due_at": now + timedelta(days=project % 30 + 1),
                    "created_at": now,
                }
                for project in ids
            ],
        )


@contextmanager
def counted(app: App) -> Iterator[list[str]]:
    statements: list[str] = []

    def count(*args: Any) -> None:
        statements.append(args[2])

    event.listen(app.database, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(app.database, "before_cursor_execute", count)


def test_the_overview_of_5000_projects_takes_as_few_queries_as_that_of_10(
    app: App, cast: Cast, clock: Clock, client: httpx.Client
) -> None:
    # One project through the engine pins the workflow version the rest refer to.
    app.engine.register_project("Nytt rådhus", owner=cast.owner, leader=cast.leader)
    with app.database.begin() as conn:
        people = list(
            conn.execute(
                insert(Person).returning(Person.id),
                [
                    {"name": f"Person {n}", "email": f"p{n}@asker.example", "created_at": clock()}
                    for n in range(50)
                ],
            ).scalars()
        )
    bulk_portfolio(app, clock, 1, 9, people)
    assert len(names(client.get("/"))) == 10  # warms the workflow cache

    with counted(app) as small:
        assert len(names(client.get("/"))) == 10
    bulk_portfolio(app, clock, 10, 4_990, people)
    started = time.perf_counter()
    with counted(app) as large:
        page = client.get("/")
    seconds = time.perf_counter() - started
    with counted(app) as export:
        assert client.get("/export.csv").content.count(b"\r\n") == 5_001

    assert len(names(page)) == 5_000
    # Four for the page, and three to know who is reading (session, person, roles).
    assert len(large) == len(small) == len(export) == 7, large
    assert seconds < 15, f"5,000 projects took {seconds:.1f} s to render"
