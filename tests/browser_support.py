"""Debian's Chromium for the browser tests, through Playwright (never `playwright install`).

A browser test module calls :func:`require_chromium` at import: without
``/usr/bin/chromium`` it skips on a laptop and fails in CI (``.ci/run`` installs it).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from playwright.sync_api import Browser, sync_playwright

CHROMIUM = Path("/usr/bin/chromium")
ARGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
)


def require_chromium() -> None:
    """Skip the calling module without Chromium, unless in CI, where that is an error."""
    if CHROMIUM.exists():
        return
    if os.environ.get("CI") == "true":
        raise pytest.UsageError(
            "CI=true but /usr/bin/chromium is missing: .ci/run installs Debian's chromium."
        )
    pytest.skip(
        "Chromium not installed: `apt-get install chromium` (Debian) to run the browser tests",
        allow_module_level=True,
    )


@contextmanager
def chromium_browser(*extra_args: str) -> Iterator[Browser]:
    """Debian's Chromium, headless, closed afterwards."""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=[*ARGS, *extra_args]
        )
        try:
            yield browser
        finally:
            browser.close()
