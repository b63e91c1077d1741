"""Browser tests: Debian's Chromium driven by Playwright against the real app over HTTP.

They cover what a person does with their hands: signing in by email link, submitting a
gate request, a board member approving on the decisions page, filtering and exporting the
overview, and the wheel drawn with the demo data. The same sign-in, request and vote are
done again with the keyboard alone, checking that each stop has a name and a visible focus.
The pages are read in English and switched between the languages, and the PMO revokes an
API token on the admin page. Each page's screenshot is saved under
``artifacts/screenshots/`` (kept by CI as a test artifact).

Chromium comes from Debian's packages (``.ci/run`` installs it); Playwright never
downloads a browser here. Without ``/usr/bin/chromium`` these tests skip on a laptop and
fail in CI.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from phasegate.bootstrap import App
from phasegate.demo.seed import load_demo
from phasegate.domain.model import Gate
from phasegate.engine.outbox import list_messages
from tests.browser_support import require_chromium
from tests.factories import Cast, submit_complete
from tests.webserver import serve

pytestmark = pytest.mark.browser

SHOTS = Path(__file__).resolve().parents[1] / "artifacts" / "screenshots"

require_chromium()


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


#: The focused element: its accessible name (as far as a form needs: its labels,
#: aria-label, aria-labelledby, or a link's or button's text), and whether the focus can be
#: seen (``:focus-visible`` with an outline of 2px or more, or a box shadow).
FOCUSED = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const text = (node) => (node ? node.textContent.trim() : "");
  const byIds = (el.getAttribute("aria-labelledby") || "").split(/\\s+/)
    .map((id) => text(document.getElementById(id))).join(" ").trim();
  const name = [...(el.labels || [])].map(text).join(" ").trim()
    || (el.getAttribute("aria-label") || "").trim() || byIds
    || (["A", "BUTTON", "SUMMARY"].includes(el.tagName) ? text(el) : "");
  const style = getComputedStyle(el);
  const outlined = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2;
  return {
    what: el.outerHTML.slice(0, 120),
    name: name,
    visible: el.matches(":focus-visible") && (outlined || style.boxShadow !== "none"),
  };
}"""

#: Form controls a person fills in whose accessible name is missing.
UNLABELLED = """() => [...document.querySelectorAll(
    "input:not([type=hidden]), select, textarea")]
  .filter((el) => !(el.labels && el.labels.length) && !el.getAttribute("aria-label")
    && !el.getAttribute("aria-labelledby"))
  .map((el) => el.outerHTML.slice(0, 120))"""


def tab_to(page: Page, target: Locator, *, back: bool = False, limit: int = 100) -> None:
    """Press Tab (Shift+Tab with ``back``) until ``target`` has the focus. Every stop on
    the way must have an accessible name and a focus indicator one can see."""
    for _ in range(limit):
        page.keyboard.press("Shift+Tab" if back else "Tab")
        focused = page.evaluate(FOCUSED)
        assert focused is not None, "the focus left the page before reaching the target"
        assert focused["name"], f"focused, but it has no accessible name: {focused['what']}"
        assert focused["visible"], f"focused, but the focus cannot be seen: {focused['what']}"
        if target.evaluate("el => el === document.activeElement"):
            return
    raise AssertionError(f"{limit} presses of Tab never reached {target}")


def every_control_labelled(page: Page) -> None:
    assert page.evaluate(UNLABELLED) == [], "form controls without a label"


def sign_in_as(page: Page, site: str, name: str) -> None:
    """The demo's one-click sign-in, as a newcomer would use it."""
    page.goto(f"{site}/dev/sign-in")
    page.get_by_role("button", name=f"Logg inn som {name}").click()


def arrive_signed_in(page: Page, site: str, path: str, name: str) -> None:
    """Open ``path`` as a newcomer to the demo does: phasegate asks them to sign in, they
    take the demo's one-click sign-in as ``name``, and land where they were going."""
    page.goto(f"{site}{path}")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        re.compile("Logg inn i phasegate|Sign in to phasegate")
    )
    page.get_by_role("link", name=re.compile("ett klikk|one click")).click()
    page.get_by_role("button", name=re.compile(f"(Logg inn som|Sign in as) {name}")).click()
    page.wait_for_url(f"{site}{path}")


def emailed_sign_in_link(app: App) -> str:
    """The path of the sign-in link in the outbox's sign-in email."""
    with app.database.connect() as conn:
        body = next(m.body_text for m in list_messages(conn) if m.kind == "sign_in")
    link = re.search(r"https?://[^/\s]+(/login/\S+)", body)
    assert link
    return link[1]


def an_idea(app: App, cast: Cast, name: str) -> tuple[int, Gate]:
    """A new project in the idea phase, and its first gate (BP1)."""
    project = app.engine.register_project(name, owner=cast.owner, leader=cast.leader)
    gate = app.engine.workflows.current("prosjektveiviseren").gate("BP1")
    assert gate is not None
    return project, gate


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_signing_in_by_email_link(app: App, cast: Cast, site: str, page: Page) -> None:
    page.goto(f"{site}/login")
    page.get_by_label("E-postadresse").fill("kari.nordmann@asker.example")
    page.get_by_role("button", name="Send meg en lenke").click()
    page.get_by_text("Sjekk e-posten din").wait_for()
    shot(page, "sign-in-sent")
    page.goto(f"{site}{emailed_sign_in_link(app)}")
    shot(page, "sign-in-confirm")
    page.get_by_role("button", name="Logg inn").click()
    page.get_by_role("link", name="Kari Nordmann").wait_for()
    shot(page, "signed-in")


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_submitting_a_gate_request(app: App, cast: Cast, site: str, page: Page) -> None:
    project, gate = an_idea(app, cast, "Digitaliseringsstrategi")
    sign_in_as(page, site, "Ragnar Husum")
    page.goto(f"{site}/projects/{project}/gate-request")
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
    project, gate = an_idea(app, cast, "Boligpolitisk strategi")
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
    arrive_signed_in(page, site, "/", "Kari Nordmann")
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
    arrive_signed_in(page, site, "/arshjul?year=2027", "Kari Nordmann")
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


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_signing_in_requesting_and_voting_with_the_keyboard_alone(
    app: App, cast: Cast, site: str, page: Page
) -> None:
    project, gate = an_idea(app, cast, "Digitaliseringsstrategi")

    # The project manager asks for a link by email, and signs in with it.
    page.goto(f"{site}/login")
    every_control_labelled(page)
    tab_to(page, page.get_by_label("E-postadresse"))
    page.keyboard.type("ragnar.husum@asker.example")
    page.keyboard.press("Enter")
    page.get_by_text("Sjekk e-posten din").wait_for()
    page.goto(f"{site}{emailed_sign_in_link(app)}")
    tab_to(page, page.get_by_role("button", name="Logg inn", exact=True))
    shot(page, "keyboard-sign-in-focus")
    page.keyboard.press("Space")
    page.get_by_role("link", name="Ragnar Husum").wait_for()

    # ... and submits the gate request: Space ticks a radio button, typing fills a field.
    page.goto(f"{site}/projects/{project}/gate-request")
    every_control_labelled(page)
    for item in gate.checklist:
        done = page.locator(f"#item-{item.id}").get_by_label("Utført")
        tab_to(page, done)
        page.keyboard.press("Space")
        expect(done).to_be_checked()
    for document in gate.documents:
        tab_to(page, page.locator(f"#doc-{document.id}").get_by_label("Lenke til dokumentet"))
        page.keyboard.type(f"https://docs.asker.example/{document.id}.pdf")
    submit = page.get_by_role("button", name="Send inn forespørselen")
    tab_to(page, submit)
    shot(page, "keyboard-gate-request")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(rf"/projects/{project}(\?|$)"))
    request = app.engine.project(project).open_request
    assert request is not None

    # A board member signs in (the demo's one-click sign-in) and approves, with a comment
    # typed after going back from the button to its comment field.
    page.context.clear_cookies()
    page.goto(f"{site}/dev/sign-in")
    tab_to(page, page.get_by_role("button", name="Logg inn som Hanne Solberg"))
    page.keyboard.press("Enter")
    page.get_by_role("link", name="Hanne Solberg").wait_for()
    page.goto(f"{site}/decisions/mine")
    every_control_labelled(page)
    tab_to(page, page.get_by_role("button", name="Godkjenn", exact=True))
    tab_to(page, page.get_by_label("Kommentar til «godkjent»"), back=True)
    page.keyboard.type("Godt begrunnet behov.")
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Godkjenn", exact=True)).to_be_focused()
    shot(page, "keyboard-vote")
    page.keyboard.press("Enter")
    page.get_by_role("heading", name="Stemmen din er registrert").wait_for()
    votes = app.engine.gate_request(request).votes
    assert [(v.voter, v.outcome, v.comment) for v in votes] == [
        ("Hanne Solberg", "approve", "Godt begrunnet behov.")
    ]


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_the_pages_in_english_and_the_language_switch(app: App, site: str, page: Page) -> None:
    load_demo(app.engine)
    arrive_signed_in(page, site, "/?lang=en", "Kari Nordmann")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_have_text("Portfolio overview")
    shot(page, "overview-en")

    page.locator("tbody a[href^='/projects/']").first.click()
    page.wait_for_url(re.compile(r"/projects/\d+\?lang=en"))
    for heading in ("About the project", "Gates", "Audit trail"):
        expect(page.get_by_role("heading", name=heading, exact=True)).to_be_visible()
    shot(page, "project-en")

    page.goto(f"{site}/arshjul?year=2027&lang=en")
    expect(page.get_by_role("heading", level=1)).to_have_text("Annual cycle 2027")
    expect(page.get_by_role("heading", name="Every event in 2027")).to_be_visible()
    shot(page, "arshjul-en")

    # The switch keeps the page and what it shows (here the year), and only the language
    # changes; the link is marked as written in the language it leads to.
    norsk = page.get_by_role("link", name="Bokmål", exact=True)
    expect(norsk).to_have_attribute("lang", "nb")
    norsk.click()
    page.wait_for_url(re.compile(r"/arshjul\?year=2027&lang=nb$"))
    expect(page.locator("html")).to_have_attribute("lang", "nb")
    expect(page.get_by_role("heading", level=1)).to_have_text("Årshjul 2027")
    shot(page, "arshjul-nb-switched")
    page.get_by_role("link", name="English", exact=True).click()
    page.wait_for_url(re.compile(r"/arshjul\?year=2027&lang=en$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Annual cycle 2027")


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_the_pmo_revokes_an_api_token_on_the_admin_page(
    app: App, cast: Cast, site: str, page: Page
) -> None:
    archive, secret = app.engine.create_api_token("Arkivsystem", actor=cast.leader)
    _, other = app.engine.create_api_token("Rapportverktøy", actor=cast.board[0])
    sign_in_as(page, site, "Kari Nordmann")
    page.get_by_role("link", name="Administrasjon").click()
    page.get_by_role("link", name="API-nøkler").click()
    page.wait_for_url(re.compile(r"/admin/tokens"))
    rows = page.locator("tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.filter(has_text="Ragnar Husum")).to_contain_text("Arkivsystem")
    expect(rows.filter(has_text="Hanne Solberg")).to_contain_text("Rapportverktøy")
    content = page.content()
    assert secret not in content
    assert other not in content
    shot(page, "admin-tokens")
    page.get_by_role("button", name="Trekk tilbake: Arkivsystem (Ragnar Husum)").click()
    expect(page.get_by_role("status")).to_contain_text("trukket tilbake")
    expect(rows.filter(has_text="Ragnar Husum")).to_contain_text("trukket tilbake")
    expect(page.get_by_role("button", name=re.compile("^Trekk tilbake"))).to_have_count(1)
    shot(page, "admin-tokens-revoked")
    assert [t.id for t in app.engine.api_tokens(cast.leader) if t.revoked_at] == [archive]
