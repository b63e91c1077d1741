"""The business case in Debian's Chromium: recording a measurement and reassessing a risk
with the keyboard alone, and how the benefits and risk sections look on a laptop and on
a phone (``artifacts/screenshots/looks/case-*.png``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from phasegate.bootstrap import App
from phasegate.domain.benefits import BenefitKind, Direction, IndicatorDefinition
from phasegate.domain.plans import CostKind, CostLine
from phasegate.domain.risks import Assessment, Response, RiskKind, RiskStatus
from phasegate.engine.benefits import BenefitDraft, IndicatorDraft
from phasegate.engine.risks import RiskDraft
from phasegate.engine.service import Engine
from phasegate.web.access import SESSION_COOKIE
from tests.browser_support import require_chromium
from tests.factories import Cast, Clock
from tests.test_browser import FOCUSED, every_control_labelled
from tests.webserver import serve

pytestmark = pytest.mark.browser

require_chromium()

LOOKS = Path(__file__).resolve().parents[1] / "artifacts" / "screenshots" / "looks"
SIZES = {"laptop": (1366, 900), "phone": (375, 812)}
OVERFLOW = "() => document.documentElement.scrollWidth - window.innerWidth"
HOURS = IndicatorDefinition(
    "timer per år",
    Direction.HIGHER,
    Decimal(0),
    date(2026, 1, 1),
    Decimal(2000),
    date(2027, 12, 31),
)


def tab_to(page: Page, target: Locator, *, limit: int = 100) -> None:
    """Press Tab until ``target`` has the focus; every stop on the way has a name and a
    focus one can see (tests/test_browser.py's rule). One allowance: a date field's own
    calendar button, a stop of Chromium's inside the field, which rings the button itself
    while the field stops matching ``:focus-visible``."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED)
        assert focused is not None, "the focus left the page before reaching the target"
        assert focused["name"], f"focused, but it has no accessible name: {focused['what']}"
        calendar = 'type="date"' in focused["what"]
        assert focused["visible"] or calendar, f"the focus cannot be seen: {focused['what']}"
        if target.evaluate("el => el === document.activeElement"):
            return
    raise AssertionError(f"{limit} presses of Tab never reached {target}")


@pytest.fixture
def site(app: App) -> Iterator[str]:
    with serve(app) as url:
        yield url


def signed_in_tab(browser: Browser, app: App, site: str, person: int, width: int = 1366) -> Page:
    """A tab whose browser is signed in as ``person`` (no clicks: the session cookie)."""
    session = app.engine.start_session(person, timedelta(hours=1), via="demo")
    context = browser.new_context(locale="nb-NO", viewport={"width": width, "height": 900})
    context.add_cookies([{"name": SESSION_COOKIE, "value": session, "url": site}])
    return context.new_page()


def business_case(engine: Engine, cast: Cast, name: str = "Jakten på tidstyvene") -> int:
    """A project in execution with one benefit measured once, and one open risk."""
    project = engine.register_project(name, owner=cast.owner, leader=cast.leader, phase="execution")
    benefit = engine.add_benefit(
        project,
        BenefitDraft("Spart tid i saksbehandlingen", "", BenefitKind.TIME, cast.owner),
        actor=None,
    )
    indicator = engine.add_indicator(
        benefit, IndicatorDraft("Timer spart per år", HOURS), actor=None
    )
    engine.record_measurement(indicator, Decimal(300), date(2026, 2, 1), actor=None)
    engine.add_risk(
        project,
        RiskDraft(RiskKind.RISK, "Leverandøren blir forsinket", "", "Leverandør", cast.leader),
        Assessment(4, 4, None, None, Response.REDUCE, "Dagbot", RiskStatus.OPEN, date(2026, 4, 1)),
        actor=None,
    )
    return project


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_recording_a_measurement_and_reassessing_a_risk_with_the_keyboard_alone(
    app: App, cast: Cast, site: str, chromium: Browser
) -> None:
    project = business_case(app.engine, cast)
    page = signed_in_tab(chromium, app, site, cast.leader)
    page.goto(f"{site}/projects/{project}")
    benefits = page.locator("#benefits")
    expect(benefits).to_contain_text("15 % av målet")

    # The measurement: Tab to its button, Enter, type the value, Tab on to the button.
    tab_to(
        page,
        page.get_by_role("link", name=re.compile(r"^Registrer måling\W+Timer spart per år$")),
        limit=150,
    )
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/measurements/new"))
    every_control_labelled(page)
    tab_to(page, page.get_by_label("Målt verdi (timer per år)"))
    page.keyboard.type("1 000")
    tab_to(page, page.get_by_label("Kommentar"))
    page.keyboard.type("Tall fra fagsystemet for mars.")
    tab_to(page, page.get_by_role("button", name="Lagre"))
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"saved=measurement"))
    expect(benefits).to_contain_text("50 % av målet")
    expect(benefits).to_contain_text("bedre enn forrige måling")

    # The risk: Tab to "Vurder på nytt", Enter, type a score into its select, save.
    tab_to(
        page,
        page.get_by_role(
            "link", name=re.compile(r"^Vurder på nytt\W+Leverandøren blir forsinket$")
        ),
        limit=200,
    )
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/assessments/new"))
    every_control_labelled(page)
    probability = page.locator("#f-probability")
    tab_to(page, probability)
    page.keyboard.type("2")
    expect(probability).to_have_value("2")
    tab_to(page, page.get_by_role("button", name="Lagre"))
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"saved=risk_assessed"))
    risks = page.locator("#risks")
    expect(risks).to_contain_text("2 × 4 = 8")
    expect(risks).to_contain_text("Historikk (2 vurderinger)")


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_the_benefits_and_risk_sections_fit_a_laptop_and_a_phone(
    app: App, cast: Cast, clock: Clock, site: str, chromium: Browser
) -> None:
    engine = app.engine
    project = business_case(engine, cast, "Digital postkasse til innbyggerne i Asker kommune")
    planned = engine.add_benefit(
        project,
        BenefitDraft(
            "Færre brev i posten", "Innbyggerne får post digitalt.", BenefitKind.ECONOMIC, None
        ),
        actor=None,
    )
    engine.add_indicator(
        planned,
        IndicatorDraft(
            "Brev sendt per år",
            IndicatorDefinition(
                "brev",
                Direction.LOWER,
                Decimal(120000),
                date(2026, 1, 1),
                Decimal(30000),
                date(2028, 6, 30),
            ),
            plan_dates=(date(2026, 9, 1), date(2027, 3, 1)),
        ),
        actor=None,
    )
    engine.add_risk(
        project,
        RiskDraft(RiskKind.OPPORTUNITY, "Statlig tilskudd til digitalisering", "", "Økonomi", None),
        Assessment(3, 3, None, None, Response.ACCEPT, "", RiskStatus.OPEN, date(2026, 3, 5)),
        actor=None,
    )
    engine.save_plans(
        project,
        costs=[
            CostLine(2026, CostKind.INVESTMENT, 2_500_000),
            CostLine(2027, CostKind.OPERATING, -400_000, planned, "Porto spart"),
        ],
        seen=0,
        actor=None,
    )
    clock.advance(days=5)  # the opportunity's review is overdue now
    LOOKS.mkdir(parents=True, exist_ok=True)
    too_wide = []
    for size, (width, _) in SIZES.items():
        page = signed_in_tab(chromium, app, site, cast.leader, width)
        page.goto(f"{site}/projects/{project}")
        for section in ("benefits", "risks", "plans"):
            page.locator(f"#{section}").screenshot(path=str(LOOKS / f"case-{section}-{size}.png"))
        if page.evaluate(OVERFLOW) > 0:
            too_wide.append(f"project page on a {size}")
        for form in ("plans", "risks/new"):  # the widest forms: rows of fields, and scales
            page.goto(f"{site}/projects/{project}/{form}")
            name = form.replace("/", "-")
            page.screenshot(path=str(LOOKS / f"case-form-{name}-{size}.png"), full_page=True)
            if page.evaluate(OVERFLOW) > 0:
                too_wide.append(f"{form} on a {size}")
        page.context.close()
    assert too_wide == [], "wider than the screen"
