"""Who may read what: the portfolio is for people who are signed in.

Every page and export is crawled from the app's own route table with real ids, on SQLite
and PostgreSQL, as a stranger (a browser and a script), as a reader and with the
portfolio published (``PHASEGATE_PUBLIC_READ=overview``). A route added later is crawled
too. The table of who may read what is in docs/operations.md ("Who may read what").
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest

from phasegate.bootstrap import App, build
from phasegate.engine.outbox import list_messages
from phasegate.web.static import STATIC_DIR, static_url
from tests.crawl_support import Site, pages, served_everything
from tests.factories import Cast, Clock, make_settings
from tests.web_support import HTML, reader, signed_in
from tests.webserver import serve

SECRET = "Hemmelig tomtekjøp Ørnerede"  # a project the municipality has not announced
#: Rules whose routes answer a stranger: none of them shows portfolio data (the
#: development mailbox is never mounted in production; link pages carry their own token).
OPEN = {"anyone", "metrics", "link_token", "dev_only"}
ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def site(
    request: pytest.FixtureRequest, database_url: str, tmp_path: Path, clock: Clock, cast: Cast
) -> Iterator[Site]:
    """One of everything, served; ``published``: the overview is open to anyone."""
    public = "overview" if getattr(request, "param", "closed") == "published" else "none"
    with served_everything(database_url, tmp_path, clock, cast, SECRET, public_read=public) as s:
        yield s


@pytest.mark.parametrize("site", ["closed", "published"], indirect=True)
def test_a_stranger_reads_no_portfolio_data_on_any_page_or_export(site: Site) -> None:
    published = site.app.settings.public_read == "overview"
    seen: dict[str, tuple[int, int]] = {}
    with httpx.Client(base_url=site.url, timeout=10) as stranger:
        for page in pages(site.app, site.ids):
            script = stranger.get(page.url)
            browser = stranger.get(page.url, headers=HTML)
            seen[page.path] = (script.status_code, browser.status_code)
            if page.rule in OPEN or (published and page.path == "/"):
                continue
            assert script.status_code == 401, page.path
            assert script.json()["error"] == "not_signed_in", page.path
            assert browser.status_code == 303, page.path
            assert browser.headers["location"] == f"/login?next={quote(page.url)}", page.path
            for answer in (script, browser):
                assert SECRET not in answer.text, f"{page.path} shows the project to a stranger"
                assert "tomtekj" not in answer.text.lower(), page.path

    # The table holds the pages a stranger must not read, whatever else is added.
    for path in ("/", "/export.csv", "/export.xlsx", "/projects/{project_id}", "/board"):
        assert path in seen, path
    assert seen["/export.xlsx"] == (401, 303)
    assert seen["/projects/{project_id}"] == (401, 303)
    assert seen["/calendar.ics"][0] == 401
    assert seen["/api/projects/{project_id}/reports"][0] == 401
    assert seen["/arshjul"] == (401, 303)
    if published:  # the overview, and nothing more
        assert seen["/"] == (200, 200)
        overview = httpx.get(f"{site.url}/", headers=HTML, timeout=10)
        assert SECRET in overview.text
        assert seen["/export.csv"] == (401, 303)
    else:
        assert seen["/"] == (401, 303)


#: What a reader (*leser*: politicians, management) comes for.
READING = (
    "/",
    "/export.csv",
    "/export.xlsx",
    "/projects/{project_id}",
    "/board",
    "/decisions",
    "/arshjul",
    "/arshjul/{event_id}/{stamp}",
    "/calendar.ics",
    "/api/projects",
    "/api/projects/{project}",
    "/api/projects/{project_id}/reports",
)


def test_a_reader_reads_the_portfolio_and_no_office_page(site: Site) -> None:
    answers = {}
    with reader(site.app, site.url) as client:
        for page in pages(site.app, site.ids):
            if page.rule.value in ("dev_only", "link_token", "metrics"):
                continue
            answers[page.path] = client.get(page.url, headers=HTML)
    for path in READING:
        assert answers[path].status_code == 200, (path, answers[path].text[:300])
    for path, answer in answers.items():
        # A form for those who act (a gate request, a report) is refused by the engine.
        assert answer.status_code in (200, 403), path
    office = [page.path for page in pages(site.app, site.ids) if page.rule.value == "office"]
    assert office, "the PMO's pages are in the table"
    assert all(answers[path].status_code == 403 for path in office)


def test_someone_sent_to_sign_in_lands_on_the_page_they_wanted(site: Site) -> None:
    wanted = f"/projects/{site.ids.project}"
    with httpx.Client(base_url=site.url, timeout=10) as browser:
        sent_away = browser.get(wanted, headers=HTML)
        login = browser.get(sent_away.headers["location"], headers=HTML)
        form = dict(re.findall(r'name="(csrf|next)" value="([^"]*)"', login.text))
        assert form["next"] == wanted
        browser.post("/login", data={"email": "ragnar.husum@asker.example", **form}, headers=HTML)
        link = _sign_in_link(site.app, "ragnar.husum@asker.example")
        assert link.endswith(f"?next={wanted}")
        confirm = browser.get(link, headers=HTML)
        button = dict(re.findall(r'name="(csrf|next)" value="([^"]*)"', confirm.text))
        signed = browser.post(link.split("?")[0], data=button, headers=HTML)
        assert signed.status_code == 303
        assert signed.headers["location"] == wanted
        page = browser.get(wanted, headers=HTML)

    assert page.status_code == 200
    assert SECRET in page.text


def _sign_in_link(app: App, email: str) -> str:
    with app.database.connect() as conn:
        mails = [m for m in list_messages(conn) if m.kind == "sign_in" and m.recipient == email]
    found = re.search(r"https?://[^/\s]+(/login/\S+)", mails[-1].body_text)
    assert found, mails[-1].body_text
    return found[1]


# --- /metrics --------------------------------------------------------------------------------


def test_metrics_answer_only_the_scraper_when_a_token_is_set(
    database_url: str, clock: Clock, cast: Cast
) -> None:
    token = "scrape-me-4f9a2c7e"
    app = build(make_settings(database_url, metrics_token=token), clock=clock, pool_size=5)
    try:
        with serve(app) as url:
            anonymous = httpx.get(f"{url}/metrics", timeout=10)
            wrong = httpx.get(f"{url}/metrics", headers={"authorization": "Bearer nope"})
            client, _ = signed_in(app, url, cast.pmo)  # a session is not the scraper
            with client:
                session = client.get("/metrics")
            scraper = httpx.get(f"{url}/metrics", headers={"authorization": f"Bearer {token}"})
            health = httpx.get(f"{url}/healthz", timeout=10)
    finally:
        app.database.dispose()

    assert anonymous.status_code == wrong.status_code == session.status_code == 401
    assert anonymous.json()["error"] == "metrics_token_required"
    assert "phasegate_http_requests_total" not in anonymous.text
    assert scraper.status_code == 200
    assert "phasegate_http_requests_total" in scraper.text
    assert health.status_code == 200  # liveness stays open for the orchestrator


def test_metrics_are_open_without_a_token(app: App) -> None:
    with serve(app) as url:
        answer = httpx.get(f"{url}/metrics", timeout=10)
    assert answer.status_code == 200
    assert "phasegate_http_requests_total" in answer.text


# --- /static ---------------------------------------------------------------------------------


def test_a_stranger_gets_the_stylesheet_and_fonts_from_phasegate_itself(app: App) -> None:
    """The sign-in page is styled before anyone signs in, offline, with no third party
    asked for a font: the CSS, every font it names and their licences come from /static."""
    with serve(app) as url, httpx.Client(base_url=url, headers=HTML, timeout=10) as stranger:
        css = stranger.get(static_url("designsystemet.css"))
        fonts = [
            stranger.get(f"/static/{name}")
            for name in re.findall(r"url\((fonts/[^)]+)\)", css.text)
        ]
        licences = [
            stranger.get(f"/static/LICENSE-{name}.txt") for name in ("designsystemet", "inter")
        ]
        missing = stranger.get("/static/nothing.css")

    assert css.status_code == 200
    assert css.headers["content-type"].startswith("text/css")
    assert ".ds-button" in css.text
    assert "http://" not in css.text.replace("http://www.w3.org/2000/svg", "")
    assert "https://" not in css.text
    # The address carries the content's hash, so a browser may keep it for a year.
    assert "immutable" in css.headers["cache-control"]
    assert len(fonts) == 2
    assert all(font.status_code == 200 for font in fonts)
    assert {font.headers["content-type"] for font in fonts} == {"font/woff2"}
    assert all("max-age=86400" in font.headers["cache-control"] for font in fonts)
    assert [licence.status_code for licence in licences] == [200, 200]
    assert "Digitaliseringsdirektoratet" in licences[0].text
    assert "SIL Open Font License" in licences[1].text
    assert missing.status_code == 404


def test_the_shipped_stylesheet_is_the_version_pinned_for_npm() -> None:
    """`make css` refreshes it; a version changed in web-assets/ without it would not ship."""
    pinned = json.loads((ROOT / "web-assets" / "package.json").read_text())["dependencies"]
    header = (STATIC_DIR / "designsystemet.css").read_text()[:800]
    for package in ("@digdir/designsystemet-css", "@fontsource-variable/inter"):
        assert f"{package} {pinned[package]} " in header, package
