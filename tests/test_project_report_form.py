"""Writing a status report from the project page, signed in, through the real app over
real HTTP, on SQLite and PostgreSQL.

"Nytt bibliotek" is in execution. Its manager, Ragnar Husum, published a report in
January; the tertial cycle opens on 16 April 2027 and asks for the next one. He opens the
form from the project page, saves a draft, comes back to it and publishes it. Only the
project's manager and owner and the PMO may write; the form is the email link's own.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, time
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from phasegate.bootstrap import App
from phasegate.domain.plans import CostKind, CostLine
from phasegate.domain.risks import Assessment, Response, RiskKind, RiskStatus
from phasegate.engine.reports import ReportView
from phasegate.engine.risks import RiskDraft
from phasegate.engine.service import Engine
from phasegate.storage.tables import ReportRequest
from phasegate.web.report_form import Filled
from tests.cycle_support import cycle_app, local, tick_at, wheel_file
from tests.factories import Cast, Clock
from tests.test_link_pages import text_of
from tests.test_overview import cells, row_of
from tests.test_project_pages import as_person, section
from tests.test_report_pages import COMPLETE, JANUARY, TERTIAL, form_of
from tests.web_support import HTML
from tests.webserver import serve

NAME = "Nytt bibliotek"


@dataclass(frozen=True)
class Owed:
    """A project that owes the tertial report, and the app serving it."""

    app: App
    url: str
    project: int
    request: int  # the tertial cycle's report request
    january: int  # the report published in January

    @property
    def engine(self) -> Engine:
        return self.app.engine

    @property
    def form(self) -> str:
        return f"/projects/{self.project}/report"


@pytest.fixture
def owed(database_url: str, tmp_path: Path, clock: Clock, cast: Cast) -> Iterator[Owed]:
    with cycle_app(database_url, wheel_file(tmp_path, TERTIAL), clock) as app, serve(app) as url:
        engine = app.engine
        clock.now = local(date(2027, 1, 15), time(10, 0))
        project = engine.register_project(
            NAME, owner=cast.owner, leader=cast.leader, phase="execution", actor=cast.pmo
        )
        january = engine.start_report(project, actor=cast.leader)
        engine.save_report(january, JANUARY, actor=cast.leader)
        engine.publish_report(january, actor=cast.leader)
        tick_at(app, clock, local(date(2027, 4, 16), time(8, 0)))
        with engine.reading() as conn:
            request = conn.execute(select(ReportRequest.id)).scalar_one()
        clock.now = local(date(2027, 4, 16), time(10, 0))
        yield Owed(app, url, project, request, january)


@pytest.fixture
def leader(owed: Owed, cast: Cast) -> Iterator[tuple[httpx.Client, str]]:
    with as_person(owed.app, owed.url, cast.leader) as signed_in:
        yield signed_in


@pytest.fixture
def opened(owed: Owed, leader: tuple[httpx.Client, str]) -> tuple[httpx.Client, dict[str, str]]:
    """The leader's browser, and the form's fields as it first shows them (no draft yet)."""
    browser, _ = leader
    return browser, form_of(browser.get(owed.form))


def published(owed: Owed) -> list[ReportView]:
    return [r for r in owed.engine.project_reports(owed.project) if not r.is_draft]


def state(owed: Owed) -> tuple[Any, ...]:
    """Everything the form could change: the reports, the request and the audit trail."""
    engine = owed.engine
    return (
        engine.project_reports(owed.project),
        engine.report_request(owed.request),
        engine.audit_trail(owed.project),
    )


def post(client: httpx.Client, owed: Owed, fields: dict[str, str], **changes: str) -> Any:
    return client.post(owed.form, data={**fields, **changes})


def says(text: str, *phrases: str) -> None:
    """Every one of ``phrases`` is in ``text`` (a page's words, or its source)."""
    unsaid = [phrase for phrase in phrases if phrase not in text]
    assert unsaid == [], f"not on the page: {unsaid}"


# --- the story ------------------------------------------------------------------------------


def test_the_leader_saves_a_draft_comes_back_to_it_and_publishes_it(
    owed: Owed, cast: Cast, clock: Clock, leader: tuple[httpx.Client, str]
) -> None:
    browser, csrf = leader
    engine = owed.engine
    before = state(owed)

    # The project page offers the form to its manager, and to no one who is not signed in.
    project_page = browser.get(f"/projects/{owed.project}")
    link = f'href="/projects/{owed.project}/report">Skriv statusrapport</a>'
    assert link in project_page.text
    assert "Skriv statusrapport" not in httpx.get(f"{owed.url}/projects/{owed.project}").text

    # The form, filled in from January's report. Neither GET nor HEAD starts a draft.
    page = browser.get(owed.form)
    assert page.status_code == 200, page.text
    source = page.text
    says(
        text_of(page),
        "Porteføljeoversikt",  # the signed-in pages' navigation
        "Statusrapport for Nytt bibliotek",
        "Hei Ragnar Husum.",
        "Status Ikke påbegynt",
        "forrige publiserte rapport (15. januar 2027 kl. 10.00)",
        "Etter plan Grønn",  # the colour is written out, not only shown
    )
    says(
        source,
        '<html lang="nb"',
        f'href="/projects/{owed.project}?lang=nb">Tilbake til prosjektet</a>',
        'for="comment-time">Kommentar til fremdrift</label>',
        f'action="/projects/{owed.project}/report?lang=nb"',
    )
    assert "<script" not in source.lower()
    fields = form_of(page)
    assert fields["csrf"] == csrf
    assert (fields["version"], fields["draft"]) == ("", "")
    assert fields["previous"] == str(owed.january)
    assert fields["value_time"] == "on_plan"
    assert fields["comment_risk"] == "Leveranser av stål kan bli forsinket."
    assert fields["budget"] == "120 000 000"
    head = browser.head(owed.form)
    assert (head.status_code, head.content) == (200, b"")
    assert state(owed) == before
    assert engine.draft_report(owed.project) is None

    # Save a draft: it is kept, and the page says when.
    saved = post(browser, owed, fields, action="save", comment_time="Stålet er forsinket")
    assert saved.status_code == 200, saved.text
    assert "Utkast lagret kl. 10.00." in text_of(saved)
    draft = engine.draft_report(owed.project)
    assert draft is not None
    assert draft.content.comments["time"] == "Stålet er forsinket"
    assert engine.report_request(owed.request).status == "open", "a draft answers nothing"

    # Later that day he comes back from the project page, and finds his draft.
    clock.advance(hours=5)
    project_page = browser.get(f"/projects/{owed.project}")
    assert f'href="/projects/{owed.project}/report">Fortsett utkast</a>' in project_page.text
    again = browser.get(owed.form)
    assert again.status_code == 200
    says(
        text_of(again),
        "Skjemaet viser utkastet slik det sist ble lagret.",
        "Status Utkast, sist lagret 16. april 2027 kl. 10.00",
    )
    fields = form_of(again)
    assert fields["comment_time"] == "Stålet er forsinket"
    assert (fields["version"], fields["draft"]) == (str(draft.version), str(draft.id))

    # Publish it: a receipt, and the cycle's request is answered by it.
    done = post(browser, owed, fields, action="publish", **COMPLETE)
    assert done.status_code == 200, done.text
    says(
        text_of(done),
        "Rapporten er publisert",
        "Statusrapport for Nytt bibliotek ble publisert 16. april 2027 kl. 15.00 av Ragnar Husum.",
        "Risiko Høy Rød Ny leverandør er ikke kvalitetssikret ennå.",
    )
    assert "<form" not in done.text.split("<main", 1)[-1], "only the menu's sign-out"
    reports = published(owed)
    assert [r.id for r in reports][1:] == [owed.january]
    assert reports[0].content.values["time"] == "minor_delay"
    request = engine.report_request(owed.request)
    assert (request.status, request.report_id) == ("done", reports[0].id)
    assert engine.draft_report(owed.project) is None

    # The project page shows it, and offers a new report again.
    project_page = browser.get(f"/projects/{owed.project}")
    shown = section(text_of(project_page), "Statusrapporter")
    says(shown, "Rød: Høy", "Ny leverandør er ikke kvalitetssikret ennå.")
    assert "121 500 000 kr" in shown
    assert link in project_page.text

    # So do the overview's traffic lights: the latest report, in words as well as colour.
    row = cells(row_of(browser.get("/", headers=HTML), NAME))
    assert row[3:8] == [
        "Risiko for avvik",
        "Mindre forsinkelse",
        "Innenfor budsjett",
        "Som forventet",
        "Høy",
    ]
    assert row[9] == "i dag"

    # Sending the form again (a second click, the back button) publishes nothing more.
    twice = post(browser, owed, fields, action="publish", **COMPLETE)
    assert twice.status_code == 409
    words = text_of(twice)
    says(words, "Rapporten er allerede publisert", "Ingenting er endret.")
    assert "Dette skrev du" not in words, "what was typed is what was published"
    assert len(published(owed)) == 2
    assert engine.draft_report(owed.project) is None


def test_a_form_with_no_draft_in_it_publishes_once_however_often_it_is_sent(
    owed: Owed, opened: tuple[httpx.Client, dict[str, str]]
) -> None:
    browser, fields = opened

    first = post(browser, owed, fields, action="publish", **COMPLETE)
    second = post(browser, owed, fields, action="publish", **COMPLETE)

    assert first.status_code == 200, first.text
    assert second.status_code == 409
    assert "Rapporten er allerede publisert" in text_of(second)
    assert len(published(owed)) == 2
    assert owed.engine.draft_report(owed.project) is None


def test_clicks_on_publish_at_the_same_moment_publish_one_report(
    owed: Owed, opened: tuple[httpx.Client, dict[str, str]]
) -> None:
    browser, form = opened
    fields = {**form, **COMPLETE, "action": "publish"}
    statuses: list[int] = []
    start = threading.Barrier(4)

    def click() -> None:
        with httpx.Client(base_url=owed.url, cookies=browser.cookies, timeout=30) as tab:
            start.wait()
            statuses.append(tab.post(owed.form, data=fields).status_code)

    clicks = [threading.Thread(target=click) for _ in range(4)]
    for thread in clicks:
        thread.start()
    for thread in clicks:
        thread.join()

    assert sorted(statuses) == [200, 409, 409, 409], "one publishes; the others are told"
    assert len(published(owed)) == 2, "January's, and one more"
    assert owed.engine.draft_report(owed.project) is None, "and no stray draft is left"


# --- who may ---------------------------------------------------------------------------------


def test_the_owner_and_the_pmo_may_write_the_report(owed: Owed, cast: Cast) -> None:
    for person in (cast.owner, cast.pmo):
        with as_person(owed.app, owed.url, person) as (browser, _):
            assert browser.get(owed.form).status_code == 200
            page = browser.get(f"/projects/{owed.project}")
            assert "Skriv statusrapport" in page.text


@pytest.mark.parametrize("who", ["outsider", "board member"])
def test_someone_else_is_refused_the_form_and_the_post(owed: Owed, cast: Cast, who: str) -> None:
    person = cast.outsider if who == "outsider" else cast.board[0]
    with as_person(owed.app, owed.url, cast.leader) as (leader, _):
        fields = form_of(leader.get(owed.form))
    before = state(owed)

    with as_person(owed.app, owed.url, person) as (browser, csrf):
        form = browser.get(owed.form)
        sent = post(browser, owed, fields, csrf=csrf, action="publish", **COMPLETE)
        project_page = browser.get(f"/projects/{owed.project}")

    said = {  # each in their own language: the outsider reads English, the board bokmål
        "outsider": "may not write status reports for Nytt bibliotek",
        "board member": "kan ikke skrive rapporter for Nytt bibliotek",
    }[who]
    for page in (form, sent):
        assert page.status_code == 403
        assert said in text_of(page)
        assert "<form" not in page.text.split("<main", 1)[-1]
    assert "Skriv statusrapport" not in project_page.text
    assert "Write status report" not in project_page.text
    assert state(owed) == before


def test_a_post_without_the_session_s_csrf_value_is_refused(
    owed: Owed, opened: tuple[httpx.Client, dict[str, str]]
) -> None:
    browser, fields = opened
    before = state(owed)

    missing = {k: v for k, v in fields.items() if k != "csrf"}
    for forged in (missing, {**fields, "csrf": "0" * 64}):
        refused = post(browser, owed, forged, action="publish", **COMPLETE)
        assert refused.status_code == 403
        assert "Last inn siden på nytt og prøv igjen." in text_of(refused)
    with httpx.Client(base_url=owed.url, headers=HTML) as anonymous:
        assert post(anonymous, owed, fields, action="save").status_code == 401
        asked = anonymous.get(owed.form)
    assert asked.status_code == 303
    assert asked.headers["location"] == f"/login?next=/projects/{owed.project}/report"
    assert state(owed) == before


def test_an_unknown_project_is_not_found(owed: Owed, leader: tuple[httpx.Client, str]) -> None:
    browser, _ = leader
    assert browser.get("/projects/9999/report").status_code == 404


# --- problems beside their fields ------------------------------------------------------------


def test_red_without_a_comment_is_shown_beside_its_field_and_nothing_is_published(
    owed: Owed, opened: tuple[httpx.Client, dict[str, str]]
) -> None:
    browser, fields = opened

    page = post(
        browser, owed, fields, action="publish", value_risk="high", comment_risk="", value_time=""
    )

    assert page.status_code == 400
    assert "Rapporten er ikke publisert. Utkastet er lagret" in text_of(page)
    says(
        page.text,
        'href="#field-risk">Risiko</a>: Rødt må forklares. Skriv en kommentar',
        'id="problem-risk">Rødt må forklares.',
        'aria-describedby="problem-risk"',
        'id="problem-time">Ikke fylt ut. Velg en verdi.</p>',
    )
    kept = form_of(page)
    assert (kept["value_risk"], kept["comment_risk"], kept["value_time"]) == ("high", "", "")
    assert len(published(owed)) == 1
    assert owed.engine.report_request(owed.request).status == "open"
    draft = owed.engine.draft_report(owed.project)
    assert draft is not None
    assert (kept["version"], kept["draft"]) == (str(draft.version), str(draft.id))

    # Corrected, the same form publishes.
    done = post(browser, owed, kept, action="publish", **COMPLETE)
    assert done.status_code == 200, done.text
    assert len(published(owed)) == 2


@pytest.mark.parametrize(
    ("lang", "red", "missing", "negative"),
    [
        (
            "",
            "Rødt må forklares.",
            "Ikke fylt ut. Velg en verdi.",
            "Beløpet kan ikke være negativt.",
        ),
        (
            "?lang=nn",
            "Raudt må forklarast.",
            "Ikkje fylt ut. Vel ein verdi.",
            "Beløpet kan ikkje vere negativt.",
        ),
    ],
    ids=["bokmål", "nynorsk"],
)
def test_an_invalid_report_says_so_beside_each_field_in_the_readers_language(
    owed: Owed,
    opened: tuple[httpx.Client, dict[str, str]],
    lang: str,
    red: str,
    missing: str,
    negative: str,
) -> None:
    browser, fields = opened
    changes = {"value_risk": "high", "comment_risk": "", "value_time": "", "action": "publish"}

    page = browser.post(owed.form + lang, data={**fields, **changes})
    unread = browser.post(owed.form + lang, data={**fields, "forecast": "-5", "action": "save"})

    assert page.status_code == unread.status_code == 400
    says(
        page.text,
        f'id="problem-risk">{red}',
        f'id="problem-time">{missing}</p>',
    )
    assert f'id="problem-forecast">{negative}' in unread.text
    for english in ("not filled in", "is red", "is negative", "needs a comment"):
        assert english not in page.text + unread.text
    assert len(published(owed)) == 1


def test_an_amount_that_cannot_be_read_saves_nothing_and_keeps_what_was_typed(
    owed: Owed, opened: tuple[httpx.Client, dict[str, str]]
) -> None:
    browser, fields = opened
    before = state(owed)

    page = post(browser, owed, fields, action="save", spent="mange millioner")

    assert page.status_code == 400
    assert "Ingenting er lagret. Rett opp dette og prøv igjen" in text_of(page)
    assert 'id="problem-spent">Skriv beløpet i hele kroner' in page.text
    kept = form_of(page)
    assert kept["spent"] == "mange millioner"
    assert kept["previous"] == fields["previous"]
    assert state(owed) == before


# --- two people, one report -------------------------------------------------------------------


def test_a_stale_form_shows_the_conflict_page_with_what_was_typed(
    owed: Owed, cast: Cast, opened: tuple[httpx.Client, dict[str, str]]
) -> None:
    browser, fields = opened
    stale = form_of(post(browser, owed, fields, action="save"))
    with as_person(owed.app, owed.url, cast.pmo) as (pmo, _):  # the PMO corrects the draft
        corrected = {"value_quality": "minor_deviations", "comment_quality": "Avvik i VVS."}
        assert post(pmo, owed, form_of(pmo.get(owed.form)), action="save", **corrected).is_success
    corrected_draft = owed.engine.draft_report(owed.project)

    conflict = post(browser, owed, stale, action="publish", comment_overall="Min versjon")

    assert conflict.status_code == 409
    says(
        text_of(conflict),
        "Noen andre har lagret rapporten",
        "Dette skrev du (ikke lagret)",
        "Min versjon",
    )
    assert owed.engine.draft_report(owed.project) == corrected_draft, "nothing was overwritten"
    assert len(published(owed)) == 1
    fresh = form_of(conflict)
    assert (fresh["value_quality"], fresh["comment_quality"]) == (
        "minor_deviations",
        "Avvik i VVS.",
    )
    assert corrected_draft is not None
    assert fresh["version"] == str(corrected_draft.version)

    # The form on the conflict page is current: sending it again saves.
    resent = post(browser, owed, fresh, action="save", comment_overall="Min versjon")
    assert resent.status_code == 200, resent.text


def test_a_report_published_by_someone_else_meanwhile_is_shown_with_what_was_typed(
    owed: Owed, cast: Cast, opened: tuple[httpx.Client, dict[str, str]]
) -> None:
    browser, fields = opened  # no draft yet
    engine = owed.engine
    pmo_report = engine.start_report(owed.project, actor=cast.pmo)
    engine.save_report(pmo_report, Filled.posted(COMPLETE).content(), actor=cast.pmo)
    engine.publish_report(pmo_report, actor=cast.pmo)

    mine = {**COMPLETE, "comment_overall": "Min tekst"}
    late = post(browser, owed, fields, action="publish", **mine)

    assert late.status_code == 409
    says(
        text_of(late),
        "Rapporten er allerede publisert",
        "ble publisert 16. april 2027 kl. 10.00 av Kari Nordmann.",
        "Stålet kom tre uker for sent.",  # what was published
        "Dette skrev du (ikke lagret)",
        "Min tekst",  # and what was typed
    )
    assert [r.id for r in published(owed)] == [pmo_report, owed.january]
    assert engine.draft_report(owed.project) is None


# --- English ------------------------------------------------------------------------------------


def test_the_form_and_its_receipt_speak_english(
    owed: Owed, leader: tuple[httpx.Client, str]
) -> None:
    browser, _ = leader
    project_page = browser.get(f"/projects/{owed.project}", params={"lang": "en"})
    assert f'href="/projects/{owed.project}/report?lang=en">Write status report</a>' in (
        project_page.text
    )

    page = browser.get(owed.form, params={"lang": "en"})

    assert page.status_code == 200
    says(
        text_of(page),
        "Status report for Nytt bibliotek",
        "Status Not started",
        "On plan Green",
        "Back to the project",
    )
    says(
        page.text,
        '<html lang="en">',
        'value="save">Save draft</button>',
        'value="publish">Publish</button>',
        f'action="/projects/{owed.project}/report?lang=en"',
    )

    saved = browser.post(f"{owed.form}?lang=en", data={**form_of(page), "action": "save"})
    assert "Draft saved at 10:00." in text_of(saved)
    project_page = browser.get(f"/projects/{owed.project}", params={"lang": "en"})
    assert "Continue draft" in project_page.text

    done = browser.post(
        f"{owed.form}?lang=en", data={**form_of(saved), **COMPLETE, "action": "publish"}
    )
    assert done.status_code == 200
    words = text_of(done)
    assert "The report is published" in words
    assert (
        "Status report for Nytt bibliotek was published on 16 April 2027 at 10:00 by Ragnar Husum."
    ) in words


def test_a_project_in_realisation_writes_a_benefit_report(owed: Owed, cast: Cast) -> None:
    """In realisation the link and the form speak of benefits (*gevinstrapport*)."""
    harvest = owed.engine.register_project(
        "Digital postkasse",
        owner=cast.owner,
        leader=cast.leader,
        phase="realisation",
        actor=cast.pmo,
    )
    with as_person(owed.app, owed.url, cast.leader) as (browser, _):
        page = browser.get(f"/projects/{harvest}")
        assert "Skriv gevinstrapport" in page.text
        assert "Skriv statusrapport" not in page.text
        form = browser.get(f"/projects/{harvest}/report")
        assert form.status_code == 200
        assert "Gevinstrapport" in text_of(form)
        assert browser.get(f"/projects/{harvest}?lang=en").text.count("Write benefit report") == 1


def test_the_form_lists_the_top_open_risks_and_the_published_report_keeps_them_and_the_plan(
    owed: Owed, cast: Cast, opened: tuple[httpx.Client, dict[str, str]]
) -> None:
    engine = owed.engine
    for title, p, c in [("Stålet kommer sent", 4, 5), ("Lite interesse", 2, 2), ("Lekkasje", 3, 3)]:
        engine.add_risk(
            owed.project,
            RiskDraft(RiskKind.RISK, title, "", "Leverandør", cast.leader),
            Assessment(p, c, None, None, Response.REDUCE, "", RiskStatus.OPEN, date(2027, 6, 1)),
            actor=cast.leader,
        )
    engine.save_plans(
        owed.project,
        costs=[CostLine(2027, CostKind.INVESTMENT, 4_000_000)],
        seen=0,
        actor=cast.leader,
    )
    browser, fields = opened

    form = text_of(browser.get(owed.form))
    says(
        form,
        "De største åpne risikoene i usikkerhetsregisteret",
        "Stålet kommer sent",
        "4 × 5 = 20",
        "Kostnadsplanen for 2027: investering 4 000 000 kr",
    )
    assert form.index("Stålet kommer sent") < form.index("Lekkasje") < form.index("Lite interesse")

    sent = post(browser, owed, fields, **{**COMPLETE, "budget": "4500000"}, action="publish")
    says(
        text_of(sent),
        "Registrene da rapporten ble publisert (2027)",
        "Stålet kommer sent",
        "Budsjettet i rapporten (4 500 000 kr) er ikke det samme som investeringen i "
        "kostnadsplanen for 2027 (4 000 000 kr).",
    )
    (report,) = [r for r in published(owed) if r.id != owed.january]
    assert report.register is not None
    assert report.register["top_risks"][0]["title"] == "Stålet kommer sent"

    # Later changes to the register do not rewrite what the report kept.
    engine.save_plans(owed.project, costs=[], seen=1, actor=cast.leader)
    kept = owed.engine.report(report.id).register
    assert kept is not None
    assert kept["plan"] == {"investment": 4_000_000, "operating": 0}
