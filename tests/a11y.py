"""axe-core in a Playwright page: which WCAG rules the page breaks, in words a person reads.

axe-core is vendored in ``tests/vendor/axe.min.js`` (MPL-2.0, licence beside it; ``make
axe`` refreshes it from the version pinned in ``web-assets/``), so the tests need no
network and no Node. Pages with a Content-Security-Policy (the emailed link pages) refuse
an injected script: open them in a context made with ``bypass_csp=True``. To check many
pages, :func:`prepare` the context once: each page then gets axe as it loads, instead of
Playwright sending all of it (650 kB) again.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from playwright.sync_api import BrowserContext, Page

AXE = Path(__file__).with_name("vendor") / "axe.min.js"
#: WCAG 2.1 levels A and AA: the bar Norwegian public bodies are held to by law.
WCAG_21_AA = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa")
#: How many of a rule's failing elements a line names.
TARGETS = 3

RUN = """async (tags) => {
  const only = {runOnly: {type: "tag", values: tags}, resultTypes: ["violations"]};
  const result = await axe.run(document, only);
  return result.violations.map((v) => ({
    id: v.id, impact: v.impact, help: v.help,
    targets: v.nodes.map((node) => node.target.join(" ")),
  }));
}"""


@cache
def axe_source() -> str:
    return AXE.read_text(encoding="utf-8")


def prepare(context: BrowserContext) -> None:
    """Give every page that ``context`` opens from now on axe-core, before its own scripts."""
    context.add_init_script(script=axe_source())


def violations(page: Page, tags: tuple[str, ...] = WCAG_21_AA) -> list[str]:
    """The rules of ``tags`` that the page as it is now breaks, one line each: rule id,
    impact, what it asks for, and the first few elements that break it."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.add_script_tag(content=axe_source())
    found: list[dict[str, Any]] = page.evaluate(RUN, list(tags))
    return [describe(violation) for violation in found]


def describe(violation: dict[str, Any]) -> str:
    targets: list[str] = violation["targets"]
    shown = ", ".join(targets[:TARGETS])
    more = f" (+{len(targets) - TARGETS} more)" if len(targets) > TARGETS else ""
    return f"{violation['id']} ({violation['impact']}): {violation['help']}: {shown}{more}"
