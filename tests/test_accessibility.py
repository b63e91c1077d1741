"""Every page meets WCAG 2.1 A and AA, as axe-core checks it in Debian's Chromium.

Norwegian public bodies are held to WCAG 2.1 AA by law (*forskrift om universell
utforming av IKT-løsninger*): a municipality cannot use a page that breaks it. The pages
are the app's own route table with real ids (``tests/crawl_support.py``), so a page added
later is checked too. Each is read in bokmål, nynorsk and English:
- as the PMO, who may open every page, plus the error pages for an address that names
  nothing (404) and for a value a page cannot take (422);
- as a board member, on the pages where the board acts (their forms differ) and on a
  PMO page, which refuses them (403);
- as a stranger, on the sign-in pages and a refused sign-in link.
Whatever answers HTML is checked; exports, feeds and the API are not pages.

One browser reads them all, one context per language and reader, to stay within seconds.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser

from phasegate.web.access import SESSION_COOKIE, Rule
from tests.a11y import prepare, violations
from tests.browser_support import chromium_browser, require_chromium
from tests.crawl_support import Site, pages, served_everything
from tests.factories import Cast, Clock
from tests.web_support import HTML

pytestmark = pytest.mark.browser

require_chromium()

LANGUAGES = ("nb", "nn", "en")
#: An address that names nothing, an id beyond any row, and a sort order that does not exist.
ERROR_PAGES = ("/no-such-page", "/projects/999999", "/?sort=no-such-column")
#: Where the board acts: its forms are not the PMO's.
BOARD_PAGES = ("/decisions", "/decisions/mine", "/projects/{project_id}", "/decide/{token}")
STRANGER_PAGES = ("/login", "/dev/sign-in", "/login/not-a-real-token", "/no-such-page")


@pytest.fixture
def site(database_url: str, tmp_path: Path, clock: Clock, cast: Cast) -> Iterator[Site]:
    with served_everything(database_url, tmp_path, clock, cast) as served:
        yield served


def html_pages(site: Site, session: str) -> list[str]:
    """Every address of the app that answers the signed-in person with HTML."""
    found = []
    cookies = {SESSION_COOKIE: session}
    with httpx.Client(base_url=site.url, headers=HTML, cookies=cookies, timeout=10) as client:
        for page in pages(site.app, site.ids):
            answer = client.get(page.url)
            if answer.headers.get("content-type", "").startswith("text/html"):
                found.append(page.url)
    return found


def readings(site: Site) -> dict[str, tuple[str | None, list[str]]]:
    """Who reads which addresses: their session (None: a stranger) and the addresses."""
    engine = site.app.engine
    office = engine.start_session(site.cast.pmo, timedelta(hours=1), via="demo")
    board = engine.start_session(site.cast.board[1], timedelta(hours=1), via="demo")
    everything = html_pages(site, office)
    refused = next(page.url for page in pages(site.app, site.ids) if page.rule is Rule.OFFICE)
    acting = [site.ids.fill(path) for path in BOARD_PAGES]
    return {
        "PMO": (office, [*ERROR_PAGES, *everything]),
        "board member": (board, [*acting, refused]),
        "stranger": (None, list(STRANGER_PAGES)),
    }


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_every_page_and_error_page_meets_wcag_21_aa_in_every_language(site: Site) -> None:
    failures: dict[str, list[str]] = {}
    checked = 0
    readers = readings(site)
    with chromium_browser() as chromium:
        for lang in LANGUAGES:
            for who, (session, urls) in readers.items():
                checked += len(urls)
                found = check(chromium, site, session, [with_lang(url, lang) for url in urls])
                failures |= {f"{who} {url}": lines for url, lines in found.items()}

    assert checked > 3 * 30, "the crawl should reach every page of the app"
    report = "\n".join(f"{where}\n  " + "\n  ".join(found) for where, found in failures.items())
    assert failures == {}, f"WCAG 2.1 A/AA violations found by axe-core:\n{report}"


def check(
    chromium: Browser, site: Site, session: str | None, urls: list[str]
) -> dict[str, list[str]]:
    """The violations on each address that has any, read in one browser context."""
    # The emailed link pages forbid scripts (Content-Security-Policy): let axe in anyway.
    context = chromium.new_context(bypass_csp=True)
    if session is not None:
        context.add_cookies([{"name": SESSION_COOKIE, "value": session, "url": site.url}])
    prepare(context)
    failures = {}
    try:
        tab = context.new_page()
        for url in urls:
            tab.goto(site.url + url)
            assert tab.url.startswith(site.url), f"{url} left the site"
            if found := violations(tab):
                failures[url] = found
    finally:
        context.close()
    return failures


def with_lang(url: str, lang: str) -> str:
    return f"{url}{'&' if '?' in url else '?'}lang={lang}"
