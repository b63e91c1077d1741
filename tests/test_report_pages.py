"""Writing a status report from the request email's link, and over the JSON API, through
the real app over real HTTP, on SQLite and PostgreSQL.

The tertial cycle opens on 16 April 2027 and asks "Nytt rådhus", in execution, for its
status report by 30 April at 12.00. The link shows a form; only its buttons save or
publish. Every refused link gets a page that says why, and leaves everything as it was.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, time, timedelta
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import httpx
import pytest

from phasegate.bootstrap import App
from phasegate.domain.reports import ReportContent
from phasegate.engine.service import Engine
from phasegate.web.app import create_app
from tests.cycle_support import (
    ANNUAL_REPORT,
    TERTIAL,
    cycle_app,
    local,
    outbox,
    reminder_days,
    tick_at,
    wheel_file,
)
from tests.factories import Cast, Clock, submit_complete
from tests.test_link_pages import text_of
from tests.web_support import reader
from tests.webserver import serve

D = date
#: The report "Nytt rådhus" published in January, before the tertial cycle opened.
JANUARY = ReportContent.from_json(
    {
        "overall": "on_track",
        "time": "on_plan",
        "cost": "on_budget",
        "quality": "as_expected",
        "risk": "medium",
    },
    {"overall": "Grunnarbeidet er ferdig.", "risk": "Leveranser av stål kan bli forsinket."},
    budget=120_000_000,
    spent=31_500_000,
    forecast=118_000_000,
)
COMPLETE = {
    "value_overall": "at_risk",
    "value_time": "minor_delay",
    "value_cost": "on_budget",
    "value_quality": "as_expected",
    "value_risk": "high",
    "comment_overall": "Stålet kom tre uker for sent.",
    "comment_risk": "Ny leverandør er ikke kvalitetssikret ennå.",
    "budget": "120 000 000",
    "spent": "48 250 000",
    "forecast": "121 500 000",
}


# --- the cycle opens and the email goes out ------------------------------------------------


@dataclass(frozen=True)
class Asked:
    """A report request, its email's link, and the app serving it."""

    app: App
    url: str
    project: int
    request: int
    path: str  # /report/<token>, as the email's link has it

    @property
    def engine(self) -> Engine:
        return self.app.engine


@pytest.fixture
def asked(database_url: str, tmp_path: Path, clock: Clock, cast: Cast) -> Iterator[Asked]:
    with cycle_app(database_url, wheel_file(tmp_path, TERTIAL), clock) as app, serve(app) as url:
        clock.now = local(D(2027, 1, 15), time(10, 0))
        project = app.engine.register_project(
            "Nytt rådhus", owner=cast.owner, leader=cast.leader, phase="execution"
        )
        draft = app.engine.start_report(project, actor=cast.leader)
        app.engine.save_report(draft, JANUARY, actor=cast.leader)
        app.engine.publish_report(draft, actor=cast.leader)

        tick_at(app, clock, local(D(2027, 4, 16), time(8, 0)))

        (email,) = outbox(app, "report_requested")
        found = re.search(r"https?://\S+/report/[A-Za-z0-9_.-]+", email.body_text)
        assert found, "the report request email carries the form's link"
        path = urlsplit(found.group(0)).path
        request = app.signer.verify_report(path.rsplit("/", 1)[1], clock()).request
        clock.now = local(D(2027, 4, 16), time(10, 0))
        yield Asked(app, url, project, request, path)


@pytest.fixture
def browser(asked: Asked) -> Iterator[httpx.Client]:
    """The project manager's browser: it keeps cookies, as a browser does."""
    with httpx.Client(base_url=asked.url, timeout=10) as http:
        yield http


class FormReader(HTMLParser):
    """What a browser would send from the page's form, as the page filled it in."""

    def __init__(self) -> None:
        super().__init__()
        self.fields: dict[str, str] = {}
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        name = found.get("name")
        if tag == "textarea" and name:
            self._textarea = name
            self.fields[name] = ""
        elif tag == "input" and name and (found.get("type") != "radio" or "checked" in found):
            self.fields[name] = found.get("value") or ""

    def handle_data(self, data: str) -> None:
        if self._textarea:
            self.fields[self._textarea] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "textarea":
            self._textarea = None


def form_of(page: httpx.Response) -> dict[str, str]:
    reader = FormReader()
    reader.feed(page.text)
    return reader.fields


def open_form(browser: httpx.Client, path: str) -> dict[str, str]:
    page = browser.get(path)
    assert page.status_code == 200, page.text
    return form_of(page)


def send(
    browser: httpx.Client, path: str, fields: dict[str, str], action: str, **changes: str
) -> httpx.Response:
    return browser.post(path, data={**fields, **changes, "action": action})


def published(engine: Engine, project: int) -> list[Any]:
    return [r for r in engine.project_reports(project) if not r.is_draft]


def state(asked: Asked) -> tuple[Any, ...]:
    """Everything the link could change: the reports, the request and the audit trail."""
    engine = asked.engine
    return (
        engine.project_reports(asked.project),
        engine.report_request(asked.request),
        engine.audit_trail(),
    )


# --- the story ------------------------------------------------------------------------------


def test_a_report_from_the_email_link_is_saved_then_published_once(
    asked: Asked, cast: Cast, clock: Clock, browser: httpx.Client
) -> None:
    engine, path = asked.engine, asked.path

    # The link shows the form, filled in from January's report; nothing is started yet.
    page = browser.get(path)
    assert page.status_code == 200
    words, source = text_of(page), page.text
    assert '<html lang="nb">' in source
    assert "Statusrapport for Nytt rådhus" in words
    assert "Periode 1. tertialrapport" in words
    assert "Frist 30. april 2027 kl. 12.00" in words
    assert "Status Ikke påbegynt" in words
    assert "forrige publiserte rapport (15. januar 2027 kl. 10.00)" in words
    assert (
        "Påkrevd for å publisere: Samlet vurdering, Fremdrift, Økonomi, Kvalitet, Risiko." in words
    )
    assert "Fremdrift (påkrevd)" in words
    assert "Gevinstoppnåelse (påkrevd)" not in words
    assert "Etter plan Grønn" in words, "the colour is written out, not only shown"
    assert "Mindre forsinkelse Gul" in words
    assert "Forsinket Rød" in words
    assert 'for="comment-time">Kommentar til fremdrift</label>' in source
    assert 'for="figure-budget">Budsjett</label>' in source
    assert 'type="submit" name="action" value="save">Lagre utkast</button>' in source
    assert 'type="submit" name="action" value="publish">Publiser</button>' in source
    assert "Når du publiserer, blir rapporten låst og datert" in words
    assert "<script" not in source.lower()
    assert "script-src" not in page.headers["content-security-policy"]
    assert page.headers["referrer-policy"] == "no-referrer"
    fields = form_of(page)
    assert fields["value_time"] == "on_plan"
    assert fields["value_risk"] == "medium"
    assert fields["value_benefit"] == ""
    assert fields["comment_risk"] == "Leveranser av stål kan bli forsinket."
    assert (fields["budget"], fields["spent"]) == ("120 000 000", "31 500 000")
    assert fields["version"] == ""
    assert engine.draft_report(asked.project) is None

    # Save a draft: it is kept, and the page says when.
    saved = send(browser, path, fields, "save", comment_time="<b>Stål</b> er forsinket")
    assert saved.status_code == 200, saved.text
    assert "Utkast lagret kl. 10.00." in text_of(saved)
    assert "&lt;b&gt;Stål&lt;/b&gt; er forsinket" in saved.text
    draft = engine.draft_report(asked.project)
    assert draft is not None
    assert draft.content.comments["time"] == "<b>Stål</b> er forsinket"
    fields = form_of(saved)
    assert fields["version"] == str(draft.version)
    assert "Utkast, sist lagret 16. april 2027 kl. 10.00" in text_of(saved)

    # The cycle goes on: a reminder three working days before the deadline.
    for day in (19, 20, 21, 22, 23, 26, 27):
        tick_at(asked.app, clock, local(D(2027, 4, day), time(8, 0)))
    assert [slot for _, slot in reminder_days(asked.app, cast.leader)] == ["before-3"]
    clock.now = local(D(2027, 4, 28), time(9, 15))

    # Publish with fremdrift not rated and a red without a comment: every problem is
    # shown beside its field, what was typed is kept, and nothing is published.
    incomplete = send(
        browser, path, fields, "publish", value_time="", value_risk="high", comment_risk=""
    )
    assert incomplete.status_code == 400
    words = text_of(incomplete)
    assert "Rapporten er ikke publisert. Utkastet er lagret" in words
    summary = incomplete.text
    assert 'href="#field-time">Fremdrift</a>: Ikke fylt ut. Velg en verdi.' in summary
    assert 'href="#field-risk">Risiko</a>: Rødt må forklares. Skriv en kommentar' in summary
    assert 'id="problem-time">Ikke fylt ut. Velg en verdi.</p>' in incomplete.text
    assert 'aria-describedby="problem-risk"' in incomplete.text
    kept = form_of(incomplete)
    assert kept["value_time"] == ""
    assert kept["value_risk"] == "high"
    assert kept["comment_time"] == "<b>Stål</b> er forsinket"
    assert len(published(engine, asked.project)) == 1
    assert engine.report_request(asked.request).status == "open"

    # Publish it complete: a receipt with the report as published, and the request is done.
    done = send(browser, path, kept, "publish", **COMPLETE)
    assert done.status_code == 200, done.text
    words = text_of(done)
    assert "Rapporten er publisert" in words
    assert (
        "Statusrapport for Nytt rådhus (1. tertialrapport) ble publisert "
        "28. april 2027 kl. 09.15 av Ragnar Husum."
    ) in words
    assert "Risiko Høy Rød Ny leverandør er ikke kvalitetssikret ennå." in words
    assert "Budsjett 120 000 000 kr Forbruk hittil 48 250 000 kr" in words
    assert "<form" not in done.text
    request = engine.report_request(asked.request)
    assert request.status == "done"
    reports = published(engine, asked.project)
    assert len(reports) == 2
    assert reports[0].id == request.report_id
    assert reports[0].content.values["time"] == "minor_delay"

    # No more reminders, however long the cycle goes on.
    for day in (28, 29, 30):
        tick_at(asked.app, clock, local(D(2027, 4, day), time(8, 0)))
    for day in (3, 4, 5, 6, 7, 10, 11, 12, 13, 14):
        tick_at(asked.app, clock, local(D(2027, 5, day), time(8, 0)))
    assert [slot for _, slot in reminder_days(asked.app, cast.leader)] == ["before-3"]
    leader_mail = outbox(asked.app, "reminder", to="ragnar.husum@asker.example")
    assert len(leader_mail) == 1
    assert outbox(asked.app, "escalation") == []

    # A second click on publish creates nothing: it says the report is already published.
    again = send(browser, path, kept, "publish", **COMPLETE)
    assert again.status_code == 409
    words = text_of(again)
    assert "Rapporten er allerede publisert" in words
    assert "Ingenting er endret." in words
    assert len(published(engine, asked.project)) == 2
    assert engine.draft_report(asked.project) is None

    # Opening the link again shows the published report, read only.
    reopened = browser.get(path)
    assert reopened.status_code == 200
    assert "Rapporten er publisert" in text_of(reopened)
    assert "<form" not in reopened.text


def test_a_project_in_realisation_is_asked_for_a_benefit_report_by_its_owner(
    database_url: str, tmp_path: Path, clock: Clock, cast: Cast
) -> None:
    wheel = wheel_file(tmp_path, ANNUAL_REPORT)
    with cycle_app(database_url, wheel, clock) as app, serve(app) as url:
        clock.now = local(D(2027, 4, 1), time(10, 0))
        app.engine.register_project(
            "Digital innbyggerdialog", owner=cast.owner, leader=cast.leader, phase="realisation"
        )
        tick_at(app, clock, local(D(2027, 4, 16), time(8, 0)))
        (email,) = outbox(app, "report_requested", to="ole-kristian.tangen@asker.example")
        found = re.search(r"https?://\S+/report/[A-Za-z0-9_.-]+", email.body_text)
        assert found

        page = httpx.get(url + urlsplit(found.group(0)).path, timeout=10)

    assert page.status_code == 200
    words = text_of(page)
    assert "Gevinstrapport for Digital innbyggerdialog" in words
    assert "Hei Ole-Kristian Tangen." in words
    assert "Periode Årsrapport" in words
    assert "Påkrevd for å publisere: Samlet vurdering, Gevinstoppnåelse, Risiko." in words
    assert "Gevinstoppnåelse (påkrevd)" in words
    assert "Økonomi (påkrevd)" not in words
    assert "Prosjektet har ingen publisert rapport ennå, så skjemaet er tomt." in words


# --- mail scanners --------------------------------------------------------------------------


def test_a_mail_scanner_opening_the_link_changes_nothing(asked: Asked) -> None:
    """Scanners GET and HEAD every link in a message and every link on the pages they
    reach; none of that may start a draft, let alone publish."""
    before = state(asked)
    seen: set[str] = set()
    with httpx.Client(base_url=asked.url, timeout=10, follow_redirects=True) as scanner:
        queue = [asked.path]
        while queue:
            path = queue.pop()
            if path in seen:
                continue
            seen.add(path)
            head = scanner.head(path)
            assert head.status_code < 400
            assert head.content == b""
            page = scanner.get(path)
            assert page.status_code < 400
            assert "<script" not in page.text.lower()
            for found in re.findall(r'(?:href|src)="([^"#]+)', page.text):
                target = urljoin(asked.url + path, found.replace("&amp;", "&"))
                assert target.startswith(asked.url), "nothing on the page leads elsewhere"
                queue.append(target.removeprefix(asked.url) or "/")

    assert asked.path in seen
    assert state(asked) == before
    assert asked.engine.draft_report(asked.project) is None


# --- refusals -------------------------------------------------------------------------------


def test_a_tampered_link_is_refused_in_both_languages_and_changes_nothing(
    asked: Asked, clock: Clock, cast: Cast, browser: httpx.Client
) -> None:
    fields = open_form(browser, asked.path)
    token = asked.path.rsplit("/", 1)[1]
    flipped = token[:10] + ("A" if token[10] != "A" else "B") + token[11:]
    vote_token = asked.app.signer.issue(asked.request, cast.leader, "approve", clock())
    before = state(asked)

    for path in (f"/report/{flipped}", f"/report/{vote_token}", "/report/nonsense"):
        for page in (browser.get(path), send(browser, path, fields, "publish", **COMPLETE)):
            assert page.status_code == 400
            words = text_of(page)
            assert "Lenken virker ikke" in words
            assert "Lenken er skadet eller ikke laget av phasegate." in words
            assert "This link does not work" in words
            assert "<form" not in page.text
    assert state(asked) == before


def test_an_expired_link_says_when_it_expired_and_changes_nothing(
    asked: Asked, clock: Clock, browser: httpx.Client
) -> None:
    fields = open_form(browser, asked.path)
    expires = asked.app.signer.verify_report(asked.path.rsplit("/", 1)[1], clock()).expires_at
    clock.now = expires + timedelta(minutes=1)
    before = state(asked)

    for page in (browser.get(asked.path), send(browser, asked.path, fields, "save")):
        assert page.status_code == 410
        words = text_of(page)
        assert "Lenken er utløpt" in words
        assert "Be prosjektkontoret om en ny lenke til rapporten." in words
    assert state(asked) == before


@pytest.mark.parametrize("forgery", ["no cookie", "no field", "wrong field"])
def test_a_post_without_the_page_s_csrf_token_is_refused(
    asked: Asked, browser: httpx.Client, forgery: str
) -> None:
    fields = open_form(browser, asked.path)
    if forgery == "no cookie":
        browser.cookies.clear()
    elif forgery == "no field":
        del fields["csrf"]
    else:
        fields["csrf"] = "0" * 64
    before = state(asked)

    refused = send(browser, asked.path, fields, "publish", **COMPLETE)

    assert refused.status_code == 403
    words = text_of(refused)
    assert "Rapporten ble ikke lagret" in words
    assert "Åpne lenken fra e-posten på nytt og send skjemaet igjen." in words
    assert state(asked) == before


def test_the_csrf_cookie_is_http_only_same_site_strict_and_kept_to_report_links(
    asked: Asked, browser: httpx.Client
) -> None:
    cookie = browser.get(asked.path).headers["set-cookie"].lower()

    assert "httponly" in cookie
    assert "samesite=strict" in cookie
    assert "path=/report" in cookie


def test_someone_who_may_not_write_the_project_s_reports_is_told_who_may(
    asked: Asked, cast: Cast, clock: Clock, browser: httpx.Client
) -> None:
    token = asked.app.signer.issue_report(asked.request, cast.outsider, clock(), timedelta(days=9))
    path = f"/report/{token}"
    fields = open_form(browser, asked.path)  # a genuine page's CSRF field, for another link
    before = state(asked)

    page = browser.get(path)

    assert page.status_code == 403
    assert '<html lang="en">' in page.text, "Ola Utenfor reads English"
    words = text_of(page)
    assert "You cannot write reports for this project" in words
    assert "Ola Utenfor is not the project manager or owner of Nytt rådhus." in words
    assert "<form" not in page.text
    assert send(browser, path, fields, "publish", **COMPLETE).status_code == 403
    assert state(asked) == before


def test_a_request_cancelled_when_the_project_left_execution_is_no_longer_owed(
    asked: Asked, cast: Cast, browser: httpx.Client
) -> None:
    fields = open_form(browser, asked.path)
    bp4 = asked.engine.workflows.current("prosjektveiviseren").gate("BP4")
    assert bp4 is not None
    gate_request = submit_complete(asked.engine, asked.project, bp4, cast.leader)
    asked.engine.cast_vote(gate_request, "approve", channel="web", actor=cast.owner)
    assert asked.engine.report_request(asked.request).status == "cancelled"
    before = state(asked)

    for page in (browser.get(asked.path), send(browser, asked.path, fields, "save")):
        assert page.status_code == 410
        words = text_of(page)
        assert "Rapporten trengs ikke lenger" in words
        assert (
            "Prosjektet Nytt rådhus skylder ikke lenger statusrapport til 1. tertialrapport"
        ) in words
        assert "<form" not in page.text
    assert state(asked) == before


# --- two people, one report -----------------------------------------------------------------


def test_saving_a_stale_form_shows_the_newer_report_and_overwrites_nothing(
    asked: Asked, cast: Cast, browser: httpx.Client
) -> None:
    engine = asked.engine
    first = send(browser, asked.path, open_form(browser, asked.path), "save")
    assert first.status_code == 200
    stale = form_of(first)
    # Meanwhile the PMO corrects the draft from phasegate itself.
    draft = engine.draft_report(asked.project)
    assert draft is not None
    pmo_content = ReportContent.from_json(
        {**draft.content.to_json()[0], "quality": "minor_deviations"},
        {"quality": "Avvik i brannprosjekteringen."},
    )
    engine.save_report(draft.id, pmo_content, actor=cast.pmo)

    conflict = send(browser, asked.path, stale, "save", comment_overall="Min versjon")

    assert conflict.status_code == 409
    words = text_of(conflict)
    assert "Noen andre har lagret rapporten" in words
    assert "endringene dine er ikke lagret" in words
    assert "Dette skrev du (ikke lagret)" in words
    assert "Min versjon" in words
    now = engine.draft_report(asked.project)
    assert now is not None
    assert now.content == pmo_content, "nothing was overwritten"
    fresh = form_of(conflict)
    assert fresh["value_quality"] == "minor_deviations"
    assert fresh["comment_quality"] == "Avvik i brannprosjekteringen."
    assert fresh["version"] == str(now.version)

    # The form on the conflict page is current: sending it again saves.
    resent = send(browser, asked.path, fresh, "save", comment_overall="Min versjon")
    assert resent.status_code == 200
    saved = engine.draft_report(asked.project)
    assert saved is not None
    assert saved.content.comments["overall"] == "Min versjon"
    assert saved.content.comments["quality"] == "Avvik i brannprosjekteringen."


def test_a_form_opened_before_anyone_started_a_draft_does_not_overwrite_one_saved_since(
    asked: Asked, cast: Cast, browser: httpx.Client
) -> None:
    engine = asked.engine
    fields = open_form(browser, asked.path)
    draft = engine.start_report(asked.project, actor=cast.owner)
    engine.save_report(draft, JANUARY, actor=cast.owner)
    before = engine.report(draft)

    conflict = send(browser, asked.path, fields, "publish", **COMPLETE)

    assert conflict.status_code == 409
    assert "Noen andre har lagret rapporten" in text_of(conflict)
    assert engine.report(draft) == before
    assert len(published(engine, asked.project)) == 1


def test_amounts_that_are_not_whole_kroner_save_nothing_and_keep_what_was_typed(
    asked: Asked, browser: httpx.Client
) -> None:
    fields = open_form(browser, asked.path)
    before = state(asked)

    refused = send(browser, asked.path, fields, "save", budget="12,5 mill", spent="-3")

    assert refused.status_code == 400
    words = text_of(refused)
    assert "Ingenting er lagret. Rett opp dette og prøv igjen:" in words
    assert (
        'href="#field-budget">Budsjett</a>: Skriv beløpet i hele kroner, for eksempel 1 250 000.'
    ) in refused.text
    assert 'href="#field-spent">Forbruk hittil</a>: Beløpet kan ikke være negativt.' in (
        refused.text
    )
    assert 'aria-invalid="true"' in refused.text
    kept = form_of(refused)
    assert (kept["budget"], kept["spent"], kept["version"]) == ("12,5 mill", "-3", "")
    assert state(asked) == before


# --- the JSON API ---------------------------------------------------------------------------


def test_the_json_api_reads_saves_and_publishes_the_report(
    asked: Asked, cast: Cast, clock: Clock
) -> None:
    token = asked.path.rsplit("/", 1)[1]
    api = f"/api/report-requests/{token}"
    with httpx.Client(base_url=asked.url, timeout=10) as http:
        sheet = http.get(api)
        assert sheet.status_code == 200, sheet.text
        assert sheet.headers["cache-control"] == "no-store"
        body = sheet.json()
        assert body["request"]["id"] == asked.request
        assert body["request"]["status"] == "open"
        assert body["request"]["cycle_label"] == {
            "nb": "1. tertialrapport",
            "nn": "1. tertialrapport",
            "en": "First tertial report",
        }
        assert body["report"]["id"] is None
        assert body["report"]["status"] == "new"
        assert body["report"]["values"]["risk"] == "medium"
        assert body["report"]["colours"]["risk"] == "yellow"
        assert body["report"]["budget"] == 120_000_000
        assert body["required"] == ["overall", "time", "cost", "quality", "risk"]
        assert body["scales"]["time"][3] == {
            "value": "delayed",
            "colour": "red",
            "label": {"nb": "Forsinket", "nn": "Forseinka", "en": "Delayed"},
        }
        assert asked.engine.draft_report(asked.project) is None, "reading starts nothing"

        report = {
            "values": {"overall": "on_track", "time": "on_plan", "cost": "on_budget"},
            "comments": {"overall": "Alt i rute."},
            "budget": 120_000_000,
            "spent": 50_000_000,
            "forecast": 119_000_000,
        }
        saved = http.put(f"{api}/draft", json={**report, "version": None})
        assert saved.status_code == 200, saved.text
        draft = saved.json()
        assert (draft["status"], draft["version"]) == ("draft", 2)
        assert draft["values"] == report["values"]

        stale = http.put(f"{api}/draft", json={**report, "version": 1})
        assert stale.status_code == 409
        assert stale.json()["error"] == "concurrent_update"

        incomplete = http.post(f"{api}/publish", json={"version": 2})
        assert incomplete.status_code == 422
        problems = incomplete.json()
        assert problems["error"] == "report_invalid"
        missing = {p["field"]: p for p in problems["problems"]}
        assert {"quality", "risk"} <= set(missing)
        assert missing["risk"]["code"] == "report_value_missing"
        assert missing["risk"]["params"] == {"choices": ["low", "medium", "high"]}
        assert missing["risk"]["message"] == "Ikke fylt ut. Velg en verdi."
        assert len(published(asked.engine, asked.project)) == 1

        complete = {**report, "values": {**report["values"], "quality": "as_expected"}}
        complete["values"]["risk"] = "low"
        done = http.post(f"{api}/publish", json={**complete, "version": 2})
        assert done.status_code == 200, done.text
        out = done.json()
        assert out["status"] == "published"
        assert out["published_by"] == "Ragnar Husum"
        assert out["colours"] == {
            "overall": "green",
            "time": "green",
            "cost": "green",
            "quality": "green",
            "risk": "green",
        }
        assert asked.engine.report_request(asked.request).status == "done"

        twice = http.post(f"{api}/publish", json={**complete, "version": 4})
        assert twice.status_code == 409
        assert twice.json()["error"] == "report_locked"
        assert len(published(asked.engine, asked.project)) == 2

        # The published reports are for people who are signed in, not for the link.
        assert http.get(f"/api/projects/{asked.project}/reports").status_code == 401
    with reader(asked.app, asked.url) as reading:
        listed = reading.get(f"/api/projects/{asked.project}/reports")
        assert listed.status_code == 200
        reports = listed.json()
        assert [r["id"] for r in reports] == [out["id"], reports[1]["id"]]
        assert [r["status"] for r in reports] == ["published", "published"]
        assert reports[1]["values"]["risk"] == "medium"
        assert reading.get("/api/projects/999999/reports").status_code == 404
        assert reading.get(f"/api/projects/{2**31}/reports").status_code == 422


def test_the_json_api_refuses_bad_links_with_the_domain_s_error_body(
    asked: Asked, cast: Cast, clock: Clock
) -> None:
    token = asked.path.rsplit("/", 1)[1]
    outsider = asked.app.signer.issue_report(
        asked.request, cast.outsider, clock(), timedelta(days=9)
    )
    before = state(asked)
    with httpx.Client(base_url=asked.url, timeout=10) as http:
        tampered = http.get(f"/api/report-requests/{token[:-2]}xx")
        forbidden = http.put(f"/api/report-requests/{outsider}/draft", json={"values": {}})
        unknown = http.put(f"/api/report-requests/{token}/draft", json={"values": {"mood": "good"}})
        clock.advance(days=400)
        expired = http.get(f"/api/report-requests/{token}")

    assert (tampered.status_code, tampered.json()["error"]) == (400, "link_tampered")
    assert (forbidden.status_code, forbidden.json()["error"]) == (403, "not_permitted")
    assert (unknown.status_code, unknown.json()["error"]) == (422, "report_invalid")
    [mood] = unknown.json()["problems"]
    assert (mood["code"], mood["field"], mood["params"]["key"]) == (
        "report_dimension_unknown",
        None,
        "mood",
    )
    assert (expired.status_code, expired.json()["error"]) == (410, "link_expired")
    assert state(asked) == before


def test_the_report_api_is_documented_in_openapi(asked: Asked) -> None:
    schema = create_app(asked.app).openapi()  # warnings are errors here: no clashing ids
    paths = schema["paths"]
    assert "get" in paths["/api/report-requests/{token}"]
    assert "put" in paths["/api/report-requests/{token}/draft"]
    assert "post" in paths["/api/report-requests/{token}/publish"]
    assert "get" in paths["/api/projects/{project_id}/reports"]
    assert "422" in paths["/api/report-requests/{token}/publish"]["post"]["responses"]
    assert "/report/{token}" not in paths, "the form is a page, not API"
    assert "/" not in paths, "pages are for people; /docs describes the JSON API"
    assert {"ReportIn", "ReportOut", "RequestSheetOut", "ErrorOut"} <= set(
        schema["components"]["schemas"]
    )
