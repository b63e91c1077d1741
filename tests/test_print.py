"""Board papers: the board's queue and a project page printed on A4 from Chromium.

A PMO prints ``/decisions`` and a project page for the board's meeting. On paper there is
no menu, no skip link, no button or form; the page says when it was printed; and the
PDF is A4 with a sensible number of pages (the demo's queue is a few pages, not fifty).
"""

from __future__ import annotations

import re
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

#: A page object in the PDF (not the /Pages tree above them).
PAGE = re.compile(rb"/Type\s*/Page\b(?!s)")
#: A4 is 595 × 842 points; Chromium writes it with decimals.
A4 = re.compile(rb"/MediaBox\s*\[\s*0\s+0\s+59[56](?:\.\d+)?\s+84[12](?:\.\d+)?\s*\]")
#: What a printed page looks like, for people to see (the print media, A4's text width).
LOOKS = Path(__file__).resolve().parents[1] / "artifacts" / "screenshots" / "looks"
PRINTED = {"nb": "Skrevet ut", "nn": "Utskrift:", "en": "Printed"}


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_the_boards_queue_and_a_project_print_as_clean_a4_board_papers(
    app: App, chromium: Browser
) -> None:
    load_demo(app.engine)
    pmo = app.engine.person_by_email("kari.nordmann@asker-kommune.example")
    assert pmo is not None, "the demo's PMO"
    project = app.engine.board_pending_decisions()[0].project_id
    session = app.engine.start_session(pmo, timedelta(hours=1), via="demo")
    with serve(app) as site:
        context = chromium.new_context(viewport={"width": 658, "height": 900})
        context.add_cookies([{"name": SESSION_COOKIE, "value": session, "url": site}])
        tab = context.new_page()
        try:
            papers = (
                ("decisions", "/decisions?lang=nn", "nn"),
                ("project", f"/projects/{project}?lang=nb", "nb"),
                ("risks", "/portfolio/risks?lang=en", "en"),
            )
            LOOKS.mkdir(parents=True, exist_ok=True)
            for name, path, lang in papers:
                tab.goto(site + path)
                tab.emulate_media(media="print")
                assert tab.locator("nav.pg-menu").is_hidden(), f"{path}: the menu is not printed"
                assert tab.locator(".ds-skip-link").is_hidden()
                assert all(form.is_hidden() for form in tab.locator("form").all()), path
                assert all(button.is_hidden() for button in tab.locator(".ds-button").all())
                printed = tab.locator(".pg-print-only")
                assert printed.is_visible(), f"{path}: the paper says when it was printed"
                assert printed.inner_text().startswith(PRINTED[lang])
                assert tab.locator("h1").is_visible()
                tab.screenshot(path=str(LOOKS / f"print-{name}-{lang}.png"), full_page=True)

                pdf = tab.pdf(format="A4", print_background=True)
                assert pdf.startswith(b"%PDF-")
                pages = len(PAGE.findall(pdf))
                assert 1 <= pages <= 12, f"{path}: {pages} pages"
                assert len(A4.findall(pdf)) == pages, f"{path}: every page is A4"
                tab.emulate_media(media="screen")
                assert tab.locator("nav.pg-menu").is_visible(), "the screen keeps its menu"
        finally:
            context.close()
