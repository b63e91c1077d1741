"""Browser tests: Debian's Chromium driven by Playwright against the real app over HTTP.

They cover what a person does with their hands: signing in by email link, submitting a
gate request, a board member approving on the decisions page, filtering and exporting the
overview, and the wheel drawn with the demo data. Each page's screenshot is saved under
``artifacts/screenshots/`` (kept by CI as a test artifact).

Chromium comes from Debian's packages (``.ci/run`` installs it); Playwright never
downloads a browser here. Without ``/usr/bin/chromium`` these tests skip on a laptop and
fail in CI.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from phasegate.bootstrap import App
from phasegate.demo.seed import load_demo
from phasegate.mail.outbox import list_messages
from tests.factories import Cast, submit_complete
from tests.webserver import serve

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
SHOTS = Path(__file__).resolve().parents[1] / "artifacts" / "screenshots"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

if not CHROMIUM.exists():
    if os.environ.get("CI") == "true":
        raise pytest.UsageError(
            "CI=true but /usr/bin/chromium is missing: .ci/run installs Debian's chromium."
        )
    pytest.skip(
        "Chromium not installed: `apt-get install chromium` (Debian) to run the browser tests",
        allow_module_level=True,
    )


@pytest.fixture(scope="module")
def chromium() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(chromium: Browser) -> Iterator[Page]:
    context = chromium.new_context(locale="nb-NO", accept_downloads=True)
    tab = context.new_page()
    yield tab
    context.close()


@pytest.fixture
def site(app: App) -> Iterator[str]:
    with serve(app) as url:
        yield url


def shot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def sign_in_as(page: Page, site: str, name: str) -> None:
    """The demo's one-click sign-in, as a newcomer would use it."""
    page.goto(f"{site}/dev/sign-in")
    page.get_by_role("button", name=f"Logg inn som {name}").click()


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_signing_in_by_email_link(app: App, cast: Cast, site: str, page: Page) -> None:
    page.goto(f"{site}/login")
    page.get_by_label("E-postadresse").fill("kari.nordmann@asker.example")
    page.get_by_role("button", name="Send meg en lenke").click()
    page.get_by_text("Sjekk e-posten din").wait_for()
    shot(page, "sign-in-sent")
    with app.database.connect() as conn:
        body = next(m.body_text for m in list_messages(conn) if m.kind == "sign_in")
    link = re.search(r"https?://[^/\s]+(/login/\S+)", body)
    assert link
    page.goto(f"{site}{link[1]}")
    shot(page, "sign-in-confirm")
    page.get_by_role("button", name="Logg inn").click()
    page.get_by_role("link", name="Kari Nordmann").wait_for()
    shot(page, "signed-in")


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_submitting_a_gate_request(app: App, cast: Cast, site: str, page: Page) -> None:
    project = app.engine.register_project(
        "Digitaliseringsstrategi", owner=cast.owner, leader=cast.leader
    )
    sign_in_as(page, site, "Ragnar Husum")
    page.goto(f"{site}/projects/{project}/gate-request")
    gate = app.engine.workflows.current("prosjektveiviseren").gate("BP1")
    assert gate is not None
    for item in gate.checklist:
        page.locator(f"input[name='answer_{item.id}'][value=done]").check()
    for document in gate.documents:
        page.locator(f"#url_{document.id}").fill(f"https://docs.asker.example/{document.id}.pdf")
    shot(page, "gate-request-form")
    page.locator("form[method=post] button[type=submit]").last.click()
    page.wait_for_url(re.compile(rf"/projects/{project}"))
    shot(page, "project-with-open-request")
    assert app.engine.project(project).open_request is not None


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_board_member_approves_on_the_decisions_page(
    app: App, cast: Cast, site: str, page: Page
) -> None:
    project = app.engine.register_project(
        "Boligpolitisk strategi", owner=cast.owner, leader=cast.leader
    )
    gate = app.engine.workflows.current("prosjektveiviseren").gate("BP1")
    assert gate is not None
    request = submit_complete(app.engine, project, gate, cast.leader)
    sign_in_as(page, site, "Hanne Solberg")
    page.goto(f"{site}/decisions/mine")
    shot(page, "decisions-mine")
    page.get_by_role("button", name=re.compile("^Godkjenn")).first.click()
    page.wait_for_load_state()
    shot(page, "decisions-after-vote")
    votes = app.engine.gate_request(request).votes
    assert [(v.voter, v.outcome, v.channel) for v in votes] == [("Hanne Solberg", "approve", "web")]


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_filtering_and_exporting_the_overview(app: App, site: str, page: Page) -> None:
    load_demo(app.engine)
    page.goto(site)
    all_rows = page.locator("tbody tr").count()
    page.get_by_label("Fase").select_option(label="Gjennomføre")
    page.get_by_role("button", name="Vis").click()
    page.wait_for_url(re.compile(r"phase=execution"))
    shot(page, "overview-filtered")
    rows = page.locator("tbody tr").count()
    assert 0 < rows < all_rows
    with page.expect_download() as download:
        page.get_by_role("link", name=re.compile("CSV")).click()
    text = Path(download.value.path()).read_text(encoding="utf-8-sig")
    assert len(text.strip().splitlines()) == rows + 1  # a header and the filtered rows


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_the_wheel_renders_with_the_demo_data(app: App, site: str, page: Page) -> None:
    load_demo(app.engine)
    page.goto(f"{site}/arshjul?year=2027")
    wheel = page.locator("svg").first
    wheel.wait_for()
    box = wheel.bounding_box()
    assert box is not None
    assert box["width"] > 200
    assert box["height"] > 200
    assert page.locator("svg a").count() > 10
    shot(page, "arshjul")
    page.locator("svg a").first.click()
    page.wait_for_url(re.compile(r"/arshjul/"))
    shot(page, "arshjul-event")
