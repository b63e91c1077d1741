"""The pages a municipality is shown, in bokmål, nynorsk and English, on a laptop and a phone.

The demo portfolio (Asker's, with its long names) is loaded, a board member is waiting
for a decision, and Chromium takes the overview, the board's queue (``/decisions``), a
project page and the wheel at 1366×900 (the commonest laptop in a town hall) and at
390×844 (a phone). The screenshots go to ``artifacts/screenshots/looks/`` for people to
look at; the test asserts what a reader would trip over: a page wider than the screen, a
page in the wrong language.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Browser

from phasegate.bootstrap import App
from phasegate.demo.seed import load_demo
from phasegate.web.access import SESSION_COOKIE
from tests.browser_support import require_chromium
from tests.webserver import serve

pytestmark = pytest.mark.browser

require_chromium()

LOOKS = Path(__file__).resolve().parents[1] / "artifacts" / "screenshots" / "looks"
SIZES = {"laptop": (1366, 900), "phone": (390, 844)}
#: A word each page says in its language, to see that the page speaks it.
SAYS = {"nb": "Porteføljeoversikt", "nn": "Porteføljeoversikt", "en": "Portfolio overview"}
#: How much wider than the window a page is (0: it fits).
OVERFLOW = "() => document.documentElement.scrollWidth - window.innerWidth"


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_the_four_pages_a_municipality_sees_fit_laptop_and_phone_in_three_languages(
    app: App, chromium: Browser
) -> None:
    load_demo(app.engine)
    engine = app.engine
    pmo = engine.person_by_email("kari.nordmann@asker-kommune.example")
    assert pmo is not None, "the demo's PMO"
    project = engine.board_pending_decisions()[0].project_id
    session = engine.start_session(pmo, timedelta(hours=1), via="demo")
    paths = {
        "overview": "/",
        "decisions": "/decisions",
        "project": f"/projects/{project}",
        "wheel": "/arshjul?year=2027",
        "benefits": "/portfolio/benefits",
        "risks": "/portfolio/risks",
    }
    LOOKS.mkdir(parents=True, exist_ok=True)
    too_wide: list[str] = []
    with serve(app) as site:
        for size, (width, height) in SIZES.items():
            context = chromium.new_context(viewport={"width": width, "height": height})
            context.add_cookies([{"name": SESSION_COOKIE, "value": session, "url": site}])
            tab = context.new_page()
            try:
                for lang in ("nb", "nn", "en"):
                    for name, path in paths.items():
                        joiner = "&" if "?" in path else "?"
                        tab.goto(f"{site}{path}{joiner}lang={lang}")
                        assert tab.locator("html").get_attribute("lang") == lang
                        tab.screenshot(
                            path=str(LOOKS / f"{name}-{lang}-{size}.png"), full_page=True
                        )
                        if name == "overview":
                            assert SAYS[lang] in tab.content()
                        if (wider := tab.evaluate(OVERFLOW)) > 0 and (
                            size == "laptop" or name != "wheel"
                        ):
                            too_wide.append(f"{name} {lang} {size}: {wider}px too wide")
            finally:
                context.close()
    assert not too_wide, "pages that scroll sideways:\n" + "\n".join(too_wide)
