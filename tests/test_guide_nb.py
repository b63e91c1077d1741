"""The screens of the user guide in bokmål (``docs/guide-nb.md``), walked in Chromium.

One walk through the demo portfolio, as the guide tells it: a project manager signs in
with a link from email, finds the project, saves and publishes a status report and asks
the project owner for a decision; the owner finds it in "Mine beslutninger"; two board
members approve a BP1, one on the page and one from the email link, and the third
member's link is then refused; the wheel, the account page and its daily digest. Each
screen the guide shows is saved as ``<name>.png`` (the names are
:data:`tests.test_guide_nb_doc.GUIDE_SHOTS`) in ``artifacts/screenshots/guide/``, and
with ``PHASEGATE_GUIDE_SHOTS=docs`` also in ``docs/guide-nb/``, the committed images:

    make guide-screenshots   # PHASEGATE_GUIDE_SHOTS=docs pytest tests/test_guide_nb.py

The images are reproducible: a fixed viewport, the test's fixed clock, no development
mailbox (so the menu is the one people see), and no caret or animation.

Chromium comes from Debian's packages, as for ``tests/test_browser.py``: without
``/usr/bin/chromium`` this module skips on a laptop and fails in CI.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, ViewportSize, expect

from phasegate.bootstrap import App, build
from phasegate.demo.seed import load_demo
from phasegate.engine.outbox import list_messages
from phasegate.portfolio.table import email_for
from tests.browser_support import chromium_browser, require_chromium
from tests.factories import Clock, make_settings
from tests.test_guide_nb_doc import GUIDE_IMAGES, GUIDE_SHOTS
from tests.webserver import serve

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[1]
SHOTS = REPO / "artifacts" / "screenshots" / "guide"
VIEWPORT: ViewportSize = {"width": 1280, "height": 800}
DEMO_DOMAIN = "asker-kommune.example"  # src/phasegate/demo/asker.yaml: email_domain

require_chromium()


@pytest.fixture
def app(database_url: str, clock: Clock) -> Iterator[App]:
    """The app without the development mailbox, as people see it: no demo sign-in and no
    mailbox in the menu. Sign-in and vote links are read from the outbox instead."""
    built = build(make_settings(database_url, dev_mailbox="false"), clock=clock, pool_size=25)
    yield built
    built.database.dispose()


@pytest.fixture(scope="module")
def chromium() -> Iterator[Browser]:
    with chromium_browser("--font-render-hinting=none") as browser:
        yield browser


@pytest.fixture
def page(chromium: Browser) -> Iterator[Page]:
    context = chromium.new_context(
        locale="nb-NO", timezone_id="Europe/Oslo", viewport=VIEWPORT, device_scale_factor=1
    )
    tab = context.new_page()
    yield tab
    context.close()


@pytest.fixture
def site(app: App) -> Iterator[str]:
    with serve(app) as url:
        yield url


class Camera:
    """Saves each screen of the guide under its name, once; remembers what it took."""

    def __init__(self) -> None:
        self.taken: list[str] = []
        self.folders = [SHOTS]
        if os.environ.get("PHASEGATE_GUIDE_SHOTS") == "docs":
            self.folders.append(GUIDE_IMAGES)
        for folder in self.folders:
            folder.mkdir(parents=True, exist_ok=True)

    def shot(self, page: Page, name: str) -> None:
        assert name in GUIDE_SHOTS, f"{name} is not one of the guide's screens"
        assert name not in self.taken, f"{name} was taken twice"
        page.wait_for_load_state("load")
        image = page.screenshot(animations="disabled", caret="hide")
        for folder in self.folders:
            (folder / f"{name}.png").write_bytes(image)
        self.taken.append(name)


def demo_email(name: str) -> str:
    return email_for(name, DEMO_DOMAIN)


def latest_link(app: App, kind: str, name: str, path: str) -> list[str]:
    """The paths of the links starting with ``path`` in the newest email of ``kind`` to
    ``name``, in the order the email lists them."""
    with app.database.connect() as conn:
        messages = list_messages(conn)  # newest first
    body = next(m.body_text for m in messages if m.kind == kind and m.recipient == demo_email(name))
    links = re.findall(rf"https?://[^/\s]+({re.escape(path)}\S+)", body)
    assert links, f"no {path} link in the {kind} email to {name}"
    return links


def request_sign_in_link(page: Page, site: str, name: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{site}/login")
    page.get_by_label("E-postadresse").fill(demo_email(name))


def sign_in(page: Page, site: str, app: App, name: str, camera: Camera | None = None) -> str:
    """Sign in as the guide says: type your address, get a link, press "Logg inn".
    Returns the link's path, used now."""
    request_sign_in_link(page, site, name)
    if camera is not None:
        camera.shot(page, "innlogging")
    page.get_by_role("button", name="Send meg en lenke").click()
    expect(page.get_by_role("heading", name="Sjekk e-posten din")).to_be_visible()
    (link,) = latest_link(app, "sign_in", name, "/login/")
    page.goto(f"{site}{link}")
    page.get_by_role("button", name="Logg inn", exact=True).click()
    expect(page.get_by_role("link", name=name, exact=True)).to_be_visible()
    return link


def project_id(app: App, name: str) -> int:
    return next(p.id for p in app.engine.portfolio() if p.name == name)


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_the_screens_of_the_guide(app: App, clock: Clock, site: str, page: Page) -> None:
    load_demo(app.engine)
    camera = Camera()
    project_manager(app, site, page, camera)
    project_owner(app, site, page, camera)
    clock.advance(days=1)  # the board looks at the BP1 request the next day
    board_members(app, site, page, camera)
    assert sorted(camera.taken) == sorted(GUIDE_SHOTS)


def project_manager(app: App, site: str, page: Page, camera: Camera) -> None:
    """Ragnar Husum leads Digitaliseringsstrategi, in execution: a report and BP4."""
    project = project_id(app, "Digitaliseringsstrategi")
    sign_in(page, site, app, "Ragnar Husum", camera)

    # The overview lists the project; its name leads to the project page.
    page.goto(f"{site}/")
    row = page.locator("tbody tr").filter(has_text="Digitaliseringsstrategi")
    expect(row).to_contain_text("Ragnar Husum")
    row.get_by_role("link", name="Digitaliseringsstrategi").click()
    page.wait_for_url(re.compile(rf"/projects/{project}"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Digitaliseringsstrategi")
    expect(page.locator("[aria-current=step]")).to_contain_text("Gjennomføre")
    ask = page.get_by_role("link", name="Be om beslutning ved neste beslutningspunkt")
    write = page.get_by_role("link", name="Skriv statusrapport")
    expect(ask).to_be_visible()
    expect(write).to_be_visible()
    camera.shot(page, "prosjekt")

    # The status report: a draft first, then published.
    write.click()
    page.wait_for_url(re.compile(rf"/projects/{project}/report"))
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Statusrapport for Digitaliseringsstrategi"
    )
    for dimension, value in (
        ("overall", "on_track"),
        ("time", "minor_delay"),
        ("cost", "on_budget"),
        ("quality", "as_expected"),
        ("risk", "medium"),
    ):
        page.locator(f"input[name=value_{dimension}][value={value}]").check()
    page.get_by_label("Kommentar til fremdrift").fill("Ny nettside er forsinket to uker.")
    page.get_by_role("textbox", name="Budsjett").fill("2 400 000")
    page.get_by_role("textbox", name="Forbruk hittil").fill("1 150 000")
    page.get_by_role("textbox", name="Prognose").fill("2 350 000")
    page.get_by_role("button", name="Lagre utkast").click()
    expect(page.get_by_role("status")).to_have_text("Utkast lagret kl. 10.00.")
    page.evaluate("window.scrollTo(0, 0)")
    camera.shot(page, "statusrapport")
    page.get_by_role("button", name="Publiser").click()
    expect(page.get_by_role("heading", name="Rapporten er publisert")).to_be_visible()

    # The overview now shows the report's traffic lights, in words as well as colour.
    page.goto(f"{site}/")
    row = page.locator("tbody tr").filter(has_text="Digitaliseringsstrategi")
    expect(row).to_contain_text("I rute")
    expect(row).to_contain_text("i dag")
    camera.shot(page, "oversikt")

    # The gate request: every checklist item answered, every document linked.
    page.goto(f"{site}/projects/{project}")
    page.get_by_role("link", name="Be om beslutning ved neste beslutningspunkt").click()
    page.wait_for_url(re.compile(rf"/projects/{project}/gate-request"))
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Be om beslutning: BP4 Godta leveransene og start avslutningen"
    )
    expect(page.get_by_text("Prosjekteieren avgjør.")).to_be_visible()
    gate = app.engine.workflows.current("prosjektveiviseren").gate("BP4")
    assert gate is not None
    for item in gate.checklist:
        page.locator(f"#item-{item.id}").get_by_label("Utført").check()
    for document in gate.documents:
        page.locator(f"#url_{document.id}").fill(f"https://docs.asker.example/{document.id}.pdf")
    page.evaluate("window.scrollTo(0, 0)")
    camera.shot(page, "beslutningsforesporsel")
    page.get_by_role("button", name="Send inn forespørselen").click()
    page.wait_for_url(re.compile(rf"/projects/{project}(\?|$)"))
    expect(page.get_by_text("åpen, venter på beslutning")).to_be_visible()
    assert app.engine.project(project).open_request is not None


def project_owner(app: App, site: str, page: Page, camera: Camera) -> None:
    """Ole-Kristian Tangen owns the project: BP4 waits for him, and he sets his digest."""
    used = sign_in(page, site, app, "Ole-Kristian Tangen")
    # A sign-in link works once: the second time, the page says so at once, with no button.
    page.goto(f"{site}{used}")
    expect(page.get_by_role("button", name="Logg inn", exact=True)).to_have_count(0)
    expect(page.get_by_role("heading", level=1)).to_have_text("Det gikk ikke")
    expect(page.get_by_text(re.compile("allerede brukt"))).to_be_visible()
    page.goto(f"{site}/decisions/mine")
    expect(
        page.get_by_role("heading", name=re.compile("^Digitaliseringsstrategi: BP4"))
    ).to_be_visible()
    expect(page.get_by_role("button", name="Godkjenn", exact=True)).to_be_visible()
    # The owner may write the project's reports too; only its manager asks for a decision.
    page.goto(f"{site}/projects/{project_id(app, 'Digitaliseringsstrategi')}")
    expect(page.get_by_role("link", name="Skriv statusrapport")).to_be_visible()

    page.get_by_role("link", name="Ole-Kristian Tangen", exact=True).click()
    page.wait_for_url(re.compile(r"/account"))
    digest = page.get_by_label("Samle påminnelsene mine i én e-post om dagen")
    expect(digest).not_to_be_checked()
    digest.check()
    camera.shot(page, "min-konto")
    page.get_by_role("button", name="Lagre", exact=True).click()
    page.wait_for_url(re.compile(r"/account"))
    expect(page.get_by_label("Samle påminnelsene mine i én e-post om dagen")).to_be_checked()
    owner = next(p for p in app.engine.people() if p.name == "Ole-Kristian Tangen")
    assert app.engine.person(owner.id).digest


def board_members(app: App, site: str, page: Page, camera: Camera) -> None:
    """The demo's BP1 for Boligpolitisk strategi: two of three approve, the third is late."""
    project = project_id(app, "Boligpolitisk strategi")

    # Hanne Solberg decides on "Mine beslutninger".
    sign_in(page, site, app, "Hanne Solberg")
    page.get_by_role("link", name="Mine beslutninger").click()
    page.wait_for_url(re.compile(r"/decisions/mine"))
    request = page.locator("article").filter(has_text="Boligpolitisk strategi")
    expect(request.get_by_role("heading", level=2)).to_have_text(
        "Boligpolitisk strategi: BP1 Start konseptfasen"
    )
    expect(request).to_contain_text("1 arbeidsdag")
    request.get_by_label("Kommentar til «godkjent»").fill("Godt begrunnet behov.")
    # From the documents down: the votes so far, and the four outcomes with their buttons.
    request.get_by_role("heading", name="Dokumenter").evaluate(
        "el => window.scrollTo(0, el.getBoundingClientRect().top + window.scrollY - 24)"
    )
    approve = request.get_by_role("button", name="Godkjenn", exact=True)
    for button in ("Send tilbake til bearbeiding", "Sett på vent", "Stans prosjektet"):
        expect(request.get_by_role("button", name=button, exact=True)).to_be_in_viewport()
    expect(approve).to_be_in_viewport()
    camera.shot(page, "mine-beslutninger")
    approve.click()
    expect(page.get_by_role("heading", name="Stemmen din er registrert")).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text(
        "Beslutningen venter på stemmer fra de andre beslutningstakerne."
    )

    # Per Lie decides from the link in his email, not signed in.
    page.context.clear_cookies()
    approve_link, *_ = latest_link(app, "decision_requested", "Per Lie", "/decide/")
    page.goto(f"{site}{approve_link}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Bekreft stemmen din")
    expect(page.get_by_text("Denne lenken gjelder stemmen: Godkjenn")).to_be_visible()
    expect(page.get_by_role("cell", name="Hanne Solberg")).to_be_visible()  # votes so far
    camera.shot(page, "bekreft-stemme")
    page.get_by_role("button", name="Godkjenn", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Stemmen din er registrert")
    expect(page.get_by_text("Beslutningspunktet er nå avgjort: godkjent.")).to_be_visible()
    expect(page.get_by_text("Prosjektet er nå i fasen Konsept.")).to_be_visible()
    decided = app.engine.project(project)
    assert (decided.phase, decided.open_request) == ("concept", None)

    # Ingrid Berg's link comes too late: the gate is decided, and nothing changes.
    late, *_ = latest_link(app, "decision_requested", "Ingrid Berg", "/decide/")
    page.goto(f"{site}{late}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Allerede avgjort")
    expect(page.get_by_text(re.compile("Allerede avgjort av Per Lie"))).to_be_visible()

    # The wheel, and the language switch on it: for people who are signed in.
    sign_in(page, site, app, "Per Lie")
    page.goto(f"{site}/arshjul")
    expect(page.get_by_role("heading", level=1)).to_have_text("Årshjul 2026")
    assert page.locator("svg a").count() > 10
    camera.shot(page, "arshjul")
    page.get_by_role("link", name="English", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Annual cycle 2026")
