"""The web pages, served by a real uvicorn and fetched over real HTTP."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from phasegate.bootstrap import App
from phasegate.demo.seed import load_demo
from phasegate.engine.service import Engine
from tests.factories import Clock, submit_complete
from tests.processes import PHASEGATE, cli_env, free_port, wait_for_port
from tests.web_support import HTML, demo_sign_in, reader
from tests.webserver import serve

UNASSIGNED_2016_PROJECTS = 6  # the 2016 slide names no owners or leaders


@pytest.fixture
def server(app: App) -> Iterator[str]:
    with serve(app) as url:
        yield url


@pytest.fixture
def client(app: App, server: str) -> Iterator[httpx.Client]:
    """A reader's browser: the portfolio is for people who are signed in."""
    with reader(app, server, timeout=10) as http:
        yield http


@pytest.fixture
def demo(app: App) -> App:
    load_demo(app.engine)
    return app


def test_the_portfolio_page_shows_the_demo_portfolio_in_norwegian(
    demo: App, client: httpx.Client
) -> None:
    page = client.get("/")

    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    html = page.text
    assert '<html lang="nb">' in html
    assert "Porteføljeoversikt" in html
    assert "15 prosjekter" in html
    assert "Korrigert strategisk prosjektportefølje 2015" in html
    assert "Strategisk prosjektportefølje 2016" in html
    assert "Digitaliseringsstrategi" in html
    assert "Ole-Kristian Tangen" in html
    assert "Ragnar Husum" in html
    assert "Gjennomføre" in html
    assert "KomInn 3.0" in html
    assert "Digital innovasjonsarena" in html
    # no owner and no leader for each 2016 project
    assert html.count("ikke tildelt") == 2 * UNASSIGNED_2016_PROJECTS


def test_the_portfolio_page_speaks_english_when_asked(demo: App, client: httpx.Client) -> None:
    page = client.get("/", params={"lang": "en"})

    assert page.status_code == 200
    html = page.text
    assert '<html lang="en">' in html
    assert "Portfolio overview" in html
    assert "Execution" in html
    assert "Realisation" in html
    assert "not assigned" in html
    assert "Porteføljeoversikt" not in html
    assert "Digitaliseringsstrategi" in html, "project names are not translated"


def test_the_portfolio_page_speaks_nynorsk_and_its_menu_leads_the_board_to_decide(
    demo: App, client: httpx.Client
) -> None:
    page = client.get("/", params={"lang": "nn"})

    assert page.status_code == 200
    html = page.text
    assert '<html lang="nn">' in html
    assert "Gjennomføre" in html or "Gjennomføring" in html
    assert "ikkje tildelt" in html
    # The menu's board item is the working queue, where a board member decides.
    assert '<a class="ds-link" href="/decisions?lang=nn">Til avgjerd</a>' in html
    assert 'href="/board' not in html
    # Each language is offered, named in itself, and the one shown is marked.
    for code, name in (("nb", "Bokmål"), ("nn", "Nynorsk"), ("en", "English")):
        assert f'hreflang="{code}"' in html
        assert f">{name}</a>" in html
    assert 'hreflang="nn" aria-current="true"' in html


def test_an_unknown_language_is_refused(demo: App, client: httpx.Client) -> None:
    assert client.get("/", params={"lang": "xx"}).status_code == 422
    assert client.get("/board", params={"lang": "xx"}).status_code == 422


def test_an_empty_portfolio_page_says_how_to_load_the_demo(client: httpx.Client) -> None:
    page = client.get("/")

    assert page.status_code == 200
    assert "Porteføljen er tom" in page.text
    assert "phasegate demo" in page.text


def test_the_board_page_says_when_nothing_is_waiting(app: App, client: httpx.Client) -> None:
    page = client.get("/board")

    assert page.status_code == 200
    assert "Ventende beslutninger i porteføljestyret" in page.text
    assert "Ingen ventende beslutninger" in page.text


def _submit_bp1_for_the_idea(engine: Engine) -> int:
    """The demo's only idea asks the board to start its concept phase (the demo did so)."""
    project = next(p for p in engine.portfolio() if p.phase == "idea")
    assert project.name == "Boligpolitisk strategi"
    assert project.open_gate == "BP1"
    assert project.open_request is not None
    return project.open_request


def _submit_bp1_again(engine: Engine) -> int:
    """The project manager withdraws the demo's request and submits it anew, now."""
    project = next(p for p in engine.portfolio() if p.phase == "idea")
    leader = next(p.id for p in engine.people() if p.name == project.leader)
    assert project.open_request is not None
    engine.withdraw_gate_request(project.open_request, "Nytt mandat", actor=leader)
    bp1 = engine.workflows.current("prosjektveiviseren").gates[0]
    return submit_complete(engine, project.id, bp1, leader)


def _person(engine: Engine, name: str) -> int:
    return next(p.id for p in engine.people() if p.name == name)


def test_the_board_page_lists_a_submitted_board_request(demo: App, client: httpx.Client) -> None:
    _submit_bp1_for_the_idea(demo.engine)

    page = client.get("/board")

    assert page.status_code == 200
    html = page.text
    assert "Ingen ventende beslutninger" not in html
    assert "Boligpolitisk strategi" in html
    assert "BP1: Start konseptfasen" in html
    assert "2026-03-02 (Tuss Benum)" in html, "when and by whom it was submitted"

    english = client.get("/board", params={"lang": "en"}).text
    assert "BP1: Start the concept phase" in english

    overview = client.get("/").text
    row = overview[overview.index("Boligpolitisk strategi") :]
    assert "BP1" in row[: row.index("</tr>")], "the overview shows the open gate"


def test_the_board_page_shows_each_vote_in_the_reader_s_language(
    demo: App, client: httpx.Client
) -> None:
    engine = demo.engine
    request = _submit_bp1_for_the_idea(engine)
    engine.cast_vote(request, "approve", channel="web", actor=_person(engine, "Hanne Solberg"))
    engine.cast_vote(
        request, "rework", "Mangler mandat", channel="web", actor=_person(engine, "Per Lie")
    )

    norwegian = client.get("/board").text
    english = client.get("/board", params={"lang": "en"}).text

    assert "Hanne Solberg: godkjent" in norwegian
    assert "Per Lie: bearbeides" in norwegian
    assert "approve" not in norwegian
    assert "rework" not in norwegian
    assert "Hanne Solberg: approve" in english
    assert "Per Lie: rework" in english


def test_the_board_page_dates_a_request_by_the_oslo_calendar(
    demo: App, client: httpx.Client, clock: Clock
) -> None:
    # 23:30 UTC on 2 March is 00:30 on 3 March in Oslo, where the board sits.
    clock.now = datetime(2026, 3, 2, 23, 30, tzinfo=UTC)
    _submit_bp1_again(demo.engine)

    html = client.get("/board").text

    assert "2026-03-03 (Tuss Benum)" in html
    assert "2026-03-02" not in html


def test_the_health_check_says_ok(client: httpx.Client) -> None:
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_demo_command_serves_the_asker_portfolio(tmp_path: Path) -> None:
    port = free_port()
    process = subprocess.Popen(  # noqa: S603 - our own command, fixed arguments
        [str(PHASEGATE), "demo", "--port", str(port)],
        cwd=tmp_path,
        env=cli_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        wait_for_port(port, process, timeout=30)
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10) as browser:
            before = browser.get("/", headers=HTML)
            demo_sign_in(browser, "Kari Nordmann")
            page = browser.get("/")
    finally:
        process.terminate()
        try:
            output, _errors = process.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            output, _errors = process.communicate()

    assert before.status_code == 303  # the portfolio is not public: sign in first
    assert before.headers["location"] == "/login?next=/"
    assert page.status_code == 200
    assert "Digitaliseringsstrategi" in page.text
    assert "BFE – Barne- og Familieenheten" in page.text
    assert "KomInn 3.0" in page.text
    assert "15 prosjekter" in page.text
    assert "Demo portfolio ready: 15 projects" in output
    assert f"phasegate is at http://127.0.0.1:{port}/" in output


def test_pages_answer_head_without_a_body(demo: App, client: httpx.Client) -> None:
    for path in ("/", "/board"):
        response = client.head(path)

        assert response.status_code == 200
        assert response.content == b""
