"""Every word a person reads comes from the catalog: the pseudo-locale test.

The bokmål catalog is swapped for one that wraps every message in ``⟦…⟧``. Then every
page of the app (its own route table with real ids, read by each role: the PMO, an
admin, a board member, a reader, a project manager, and a stranger; plus the error
pages) and every email kind is rendered, and each visible text node is taken apart: the
wrapped words, and the data (names, emails, project text, the workflow's and the wheel's
labels, dates and numbers). Anything left is a word that bypassed the catalog, and would
show in bokmål on an English or nynorsk page.

Emails keep one whole template per language (people who are not programmers edit them
as prose), so for them the test wraps the bokmål templates' own text too; what it then
catches is a word put into an email from code.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from datetime import UTC, date, datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
import yaml
from sqlalchemy import JSON, String, Text, select

from phasegate.bootstrap import App
from phasegate.i18n import catalog, override
from phasegate.i18n.formats import month_names, weekday
from phasegate.mail.render import Notifications
from phasegate.storage.tables import Base
from phasegate.web.access import SESSION_COOKIE
from phasegate.webhooks.catalog import SUBSCRIBABLE
from tests import test_cycle_templates, test_mail_templates
from tests.crawl_support import Site, pages, served_everything
from tests.factories import REPO, WORKFLOWS, Cast, Clock
from tests.web_support import HTML

WRAPPED = re.compile(r"⟦[^⟦⟧]*⟧")
#: Two letters in a row, in any script: a word.
WORD = re.compile(r"[^\W\d_]{2,}")
#: Names that are the same in every language: the product, the languages' own names in
#: the language switch, and file formats.
NAMES = (
    *("phasegate", "Bokmål", "Nynorsk", "English", "CSV", "Excel", "xlsx", "JSON", "ICS"),
    *("Message-ID", "HTML"),  # the development mailbox names an email's parts as mail does
    *SUBSCRIBABLE,  # event types, as a receiver of webhooks reads them
)
#: Addresses and email addresses are data wherever they are.
ADDRESS = re.compile(r"https?://\S+|[\w.+-]+@[\w.-]+")
#: Pages that show data whole: an email as it was sent.
DATA_PAGES = re.compile(r"^/dev/mailbox/\d+/html")
#: What is on a page besides a person's words.
ERROR_PAGES = ("/no-such-page", "/projects/999999", "/?sort=no-such-column")
STRANGER_PAGES = ("/login", "/dev/sign-in", "/no-such-page", "/login/not-a-real-token")


def pseudo_table() -> dict[str, str | tuple[str, ...]]:
    """The bokmål catalog with every message wrapped."""
    table = catalog.read_table("nb")
    return {
        key: tuple(f"⟦{form}⟧" for form in value) if isinstance(value, tuple) else f"⟦{value}⟧"
        for key, value in table.items()
    }


def leftovers(text: str, data: Iterable[str]) -> str:
    """What of ``text`` is neither the catalog's (wrapped) nor data."""
    rest = text
    while WRAPPED.search(rest):
        rest = WRAPPED.sub(" ", rest)
    rest = ADDRESS.sub(" ", rest)
    for value in data:
        if value in rest:
            rest = rest.replace(value, " ")
    return " ".join(WORD.findall(rest))


#: Not words: scripts and styles; and ``pre``, which shows data as it is (an email's
#: text in the mailbox, the workflow's diagram source).
HIDDEN = ("script", "style", "pre")


class TextNodes(HTMLParser):
    """The text a reader sees: text nodes outside scripts and styles, and the words in
    the attributes a screen reader or a hover reads."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in HIDDEN:
            self._skipping += 1
        for name, value in attrs:
            if name in ("title", "aria-label", "placeholder", "alt") and value:
                self.found.append(value)

    def handle_endtag(self, tag: str) -> None:
        if tag in HIDDEN:
            self._skipping -= 1

    def handle_data(self, data: str) -> None:
        if not self._skipping and data.strip():
            self.found.append(data.strip())


def text_nodes(html: str) -> list[str]:
    parser = TextNodes()
    parser.feed(html)
    return parser.found


def strings_in(value: Any) -> Iterator[str]:
    """Every string in a nested structure (a YAML file, an email's context)."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from strings_in(key)
            yield from strings_in(item)
    elif isinstance(value, list | tuple | set):
        for item in value:
            yield from strings_in(item)


def calendar_words() -> set[str]:
    """Month and weekday names: a date written the bokmål way is data, not a word."""
    days = [weekday(date(2027, 1, 4 + n), "nb") for n in range(7)]
    months = month_names("nb")
    return {
        *months,
        *(m.capitalize() for m in months),
        *days,
        *(d.capitalize() for d in days),
        " kl. ",  # "14. april 2027 kl. 13.00"
        " og ",  # a list of names as Babel writes it: "Ola Nordmann og Kari Lie"
        "\xa0kr",  # an amount: "1 250 000 kr"
    }


def stored_text(app: App) -> set[str]:
    """Every text column of every row: people, projects, comments, labels copied in."""
    found: set[str] = set()
    with app.database.connect() as conn:
        for table in Base.metadata.sorted_tables:
            columns = [c for c in table.columns if isinstance(c.type, String | Text | JSON)]
            if columns:
                for row in conn.execute(select(*columns)):
                    found.update(strings_in(list(row)))
    return found


def file_text(*paths: Path) -> set[str]:
    found: set[str] = set()
    for path in paths:
        found.update(strings_in(yaml.safe_load(path.read_text(encoding="utf-8"))))
    return found


def longest_first(values: Iterable[str]) -> list[str]:
    """Data as a page may write it (a label in lower case, too), longest first so that a
    name is taken whole before any shorter name inside it."""
    found = {form for v in values if len(v) > 2 and v.strip() for form in (v, v.lower())}
    return sorted(found, key=len, reverse=True)


# --- pages ----------------------------------------------------------------------------------


@pytest.fixture
def site(database_url: str, tmp_path: Path, clock: Clock, cast: Cast) -> Iterator[Site]:
    with served_everything(database_url, tmp_path, clock, cast) as served:
        yield served


def addresses(site: Site, session: str | None) -> list[str]:
    if session is None:
        return list(STRANGER_PAGES)
    return [*ERROR_PAGES, *(page.url for page in pages(site.app, site.ids))]


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_every_page_takes_every_word_from_the_catalog(site: Site) -> None:
    engine = site.app.engine
    admin = engine.register_person("Ada Admin", "ada.admin@asker.example")
    engine.grant_role(admin, "admin")
    reader = engine.register_person("Lise Leser", "lise.leser@asker.example")
    engine.grant_role(reader, "reader")
    readers = {
        "PMO": site.cast.pmo,
        "admin": admin,
        "board member": site.cast.board[1],
        "reader": reader,
        "project manager": site.cast.leader,
        "stranger": None,
    }
    data = longest_first(
        [
            *stored_text(site.app),
            *file_text(*WORKFLOWS.glob("*.yaml"), site.wheel),
            *calendar_words(),
            *NAMES,
        ]
    )
    failures: dict[str, set[str]] = {}
    rendered = 0
    with override("nb", pseudo_table()):
        for who, person in readers.items():
            cookies = {}
            if person is not None:
                session = site.app.engine.start_session(person, timedelta(hours=1), via="demo")
                cookies = {SESSION_COOKIE: session}
            client = httpx.Client(base_url=site.url, headers=HTML, cookies=cookies, timeout=10)
            with client:
                for url in addresses(site, cookies.get(SESSION_COOKIE)):
                    if DATA_PAGES.match(url):
                        continue
                    answer = client.get(url + ("&" if "?" in url else "?") + "lang=nb")
                    if not answer.headers.get("content-type", "").startswith("text/html"):
                        continue
                    rendered += 1
                    for node in text_nodes(answer.text):
                        if rest := leftovers(node, data):
                            failures.setdefault(f"{who} {url}", set()).add(f"{rest!r} in {node!r}")

    assert rendered > 40, "the crawl should reach every page of the app"
    assert not failures, "words that bypass the catalog:\n" + "\n".join(
        f"{page}: {'; '.join(sorted(found))}" for page, found in sorted(failures.items())
    )


# --- emails -------------------------------------------------------------------------------

TEMPLATE_TEXT = re.compile(r"(\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}|<style.*?</style>|<[^>]+>)", re.S)


#: A string literal that is prose, not a name or a path: it has a capital, a space or a
#: Norwegian letter.
LITERAL = re.compile(r'"([^"\n]*)"')
PROSE = re.compile(r"[A-ZÆØÅæøå ]")


def prose_wrapped(found: re.Match[str]) -> str:
    text, around = found[1], found.string
    before, after = around[: found.start()], around[found.end() :]
    # "purring" if n == 1 else "purringer"; (["deg"] + others)|names
    chosen = after.startswith(" if ") or before.endswith(("else ", "(["))
    prose = PROSE.search(text) or chosen
    return f'"⟦{text}⟧"' if prose and WORD.search(text) else found[0]


def wrapped_template(source: str) -> str:
    """A bokmål email template with its own prose wrapped, its Jinja and HTML untouched."""
    parts = TEMPLATE_TEXT.split(source)
    for index in range(0, len(parts), 2):  # the text between the markup, line by line
        parts[index] = "\n".join(wrapped_line(line) for line in parts[index].split("\n"))
    for index in range(1, len(parts), 2):  # prose in the Jinja: ("Prosjekt", project.name)
        if parts[index].startswith(("{{", "{%")):
            parts[index] = LITERAL.sub(prose_wrapped, parts[index])
    return "".join(parts)


def wrapped_line(text: str) -> str:
    core = text.strip()
    if not WORD.search(core):
        return text
    lead = text[: len(text) - len(text.lstrip())]
    trail = text[len(text.rstrip()) :]
    return f"{lead}⟦{core}⟧{trail}"


@pytest.fixture
def pseudo_notifications(tmp_path: Path) -> Notifications:
    source = REPO / "notifications"
    target = tmp_path / "notifications"
    for path in source.rglob("*"):
        if path.is_file():
            copy = target / path.relative_to(source)
            copy.parent.mkdir(parents=True, exist_ok=True)
            text = path.read_text(encoding="utf-8")
            inside_nb = path.parent.name == "nb"
            copy.write_text(wrapped_template(text) if inside_nb else text, encoding="utf-8")
    return Notifications(target, ZoneInfo("Europe/Oslo"))


def sign_in(locale: str = "nb") -> dict[str, Any]:
    return {
        "recipient": {"name": "Hanne Solberg"},
        "url": "https://phasegate.asker.example/login/pgs_abc",
        "expires_at": datetime(2027, 4, 6, 8, 15, tzinfo=UTC),
    }


SAMPLES = {**test_mail_templates.SAMPLES, **test_cycle_templates.SAMPLES, "sign_in": sign_in}


def test_every_email_kind_is_sampled() -> None:
    kinds = {path.name.split(".")[0] for path in (REPO / "notifications" / "nb").glob("*.j2")}
    assert kinds - {"base"} == set(SAMPLES)


@pytest.mark.parametrize("kind", sorted(SAMPLES))
def test_every_email_takes_its_words_from_the_catalog_or_its_template(
    pseudo_notifications: Notifications, kind: str
) -> None:
    context = SAMPLES[kind]("nb")
    data = longest_first([*strings_in(context), *calendar_words(), *NAMES])
    with override("nb", pseudo_table()):
        email = pseudo_notifications.render(kind, "nb", context)
    nodes = [email.subject, *email.text.splitlines(), *text_nodes(email.html)]
    found = {f"{rest!r} in {node!r}" for node in nodes if (rest := leftovers(node, data))}
    assert not found, f"{kind}: words from code that bypass the catalog:\n" + "\n".join(found)
