"""The project page, registering a project and requesting a gate decision, through the
real app over real HTTP, on SQLite and PostgreSQL.

"Digitaliseringsstrategi" is registered by the PMO in *idea*. Its manager, Ragnar Husum,
answers the BP1 checklist and links the mandate; two of the three board members approve
with comments, and the project enters *concept*. Its first status report is published,
and the BP2 request is waiting at the next board meeting.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import httpx
import pytest
from sqlalchemy import event

from phasegate.bootstrap import App
from phasegate.domain.model import Gate
from phasegate.domain.reports import ReportContent, ReportKind
from phasegate.engine.outbox import list_messages
from phasegate.engine.service import Engine
from tests.factories import Cast, Clock, submit_complete
from tests.test_link_pages import text_of
from tests.web_support import HTML, reader, signed_in
from tests.webserver import serve

NAME = "Digitaliseringsstrategi"
REPORT = ReportContent.from_json(
    {
        "overall": "at_risk",
        "time": "minor_delay",
        "cost": "on_budget",
        "quality": "as_expected",
        "risk": "medium",
    },
    {"overall": "Anskaffelsen tok lengre tid enn planlagt."},
    budget=1_234_567,
    spent=400_000,
    forecast=1_300_000,
)

#: One fieldset of the gate request form, by its id: what it holds.
FIELDSET = r'<fieldset [^>]*id="{id}"[^>]*>(.*?)</fieldset>'


@pytest.fixture
def site(app: App) -> Iterator[str]:
    with serve(app) as url:
        yield url


@pytest.fixture
def anonymous(site: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=site, headers=HTML, timeout=10) as client:
        yield client


@pytest.fixture
def reading(app: App, site: str) -> Iterator[httpx.Client]:
    """A reader's browser (*leser*): signed in, with no role in any project."""
    with reader(app, site) as client:
        client.headers.update(HTML)
        yield client


@contextmanager
def as_person(app: App, site: str, person: int) -> Iterator[tuple[httpx.Client, str]]:
    client, csrf = signed_in(app, site, person)
    client.headers.update(HTML)
    with client:
        yield client, csrf


def gate(engine: Engine, gate_id: str) -> Gate:
    found = engine.workflows.current(engine.default_workflow).gate(gate_id)
    assert found is not None
    return found


def register(engine: Engine, cast: Cast, name: str = NAME) -> int:
    return engine.register_project(
        name,
        owner=cast.owner,
        leader=cast.leader,
        development_area="Digitalisering",
        portfolio="Strategisk portefølje 2026",
        actor=cast.pmo,
    )


def section(page: str, heading: str) -> str:
    """The words under one h2 of the page, up to the next h2."""
    words = page.split(heading, 1)[1]
    return re.split(
        r"\s(?:Faser|Om prosjektet|Beslutningspunkter|Statusrapporter|"
        r"Kommende frister|Revisjonsspor)\s",
        words,
        maxsplit=1,
    )[0]


def decision_emails(app: App) -> list[str]:
    with app.engine.reading() as conn:
        return [m.recipient for m in list_messages(conn) if m.kind == "decision_requested"]


# --- the project page -------------------------------------------------------------------


@dataclass(frozen=True)
class History:
    project: int
    bp1: int
    bp2: int


@pytest.fixture
def history(engine: Engine, cast: Cast, clock: Clock) -> History:
    project = register(engine, cast)
    bp1 = submit_complete(engine, project, gate(engine, "BP1"), actor=cast.leader)
    clock.advance(days=2)
    engine.cast_vote(bp1, "approve", "Godt begrunnet behov.", channel="link", actor=cast.board[0])
    clock.advance(hours=3)
    engine.cast_vote(
        bp1, "approve", "Enig, men følg med på kostnadene.", channel="web", actor=cast.board[1]
    )
    clock.advance(days=20)
    report = engine.start_report(project, ReportKind.STATUS, actor=cast.leader)
    engine.save_report(report, REPORT, actor=cast.leader)
    engine.publish_report(report, actor=cast.leader)
    clock.advance(days=1)
    bp2 = submit_complete(engine, project, gate(engine, "BP2"), actor=cast.leader)
    return History(project, bp1, bp2)


def test_the_project_page_tells_the_projects_story(history: History, reading: httpx.Client) -> None:
    page = reading.get(f"/projects/{history.project}")

    assert page.status_code == 200
    html, words = page.text, text_of(page)
    # the phase bar: six phases, the current one marked for screen readers and in words
    assert len(re.findall(r'<ol class="pg-phases">.*?</ol>', html, re.DOTALL)) == 1
    assert html.count('aria-current="step"') == 1
    assert re.search(r'aria-current="step">2\. Konsept <span>\(nåværende fase\)', html)
    for phase in ("1. Idé", "3. Planlegge", "4. Gjennomføre", "5. Avslutte", "6. Realisere"):
        assert phase in words
    facts = section(words, "Om prosjektet")
    assert "Ole-Kristian Tangen" in facts
    assert "Ragnar Husum" in facts
    assert "Digitalisering" in facts
    assert "aktiv" in facts
    # every gate request, newest first, with every vote and its comment
    gates = section(words, "Beslutningspunkter")
    assert gates.index("BP2") < gates.index("BP1")
    assert "åpen, venter på beslutning" in gates
    assert "avgjort: godkjent" in gates
    assert "Hanne Solberg godkjent Godt begrunnet behov." in gates
    assert "Per Lie godkjent Enig, men følg med på kostnadene." in gates
    assert "fra e-postlenke" in gates
    assert "Avgjort av Per Lie" in gates
    assert "porteføljestyrets møte" in gates
    # the published report: every light as words, the figures in kroner
    reports = section(words, "Statusrapporter")
    assert "Gul: Risiko for avvik" in reports
    assert "Gul: Mindre forsinkelse" in reports
    assert "Grønn: Innenfor budsjett" in reports
    assert "Anskaffelsen tok lengre tid enn planlagt." in reports
    assert "1 234 567 kr" in reports
    assert "1\u00a0234\u00a0567\u00a0kr" in html  # no-break spaces: the amount stays whole
    assert "1 300 000 kr" in reports
    # the board owes its votes on BP2
    deadlines = section(words, "Kommende frister")
    for member in ("Hanne Solberg", "Per Lie", "Ingrid Berg"):
        assert member in deadlines
    # the audit trail: what happened, and who did it
    audit = section(words, "Revisjonsspor")
    assert "Prosjektet ble registrert: Idé Kari Nordmann" in audit
    assert "Stemme avgitt: BP1 · godkjent · Godt begrunnet behov. Hanne Solberg" in audit
    assert "Beslutningspunktet ble avgjort: BP1 · godkjent" in audit
    assert "Gikk inn i fasen: Konsept" in audit
    assert "Rapport publisert" in audit


def test_the_project_page_speaks_english_and_answers_head(
    history: History, reading: httpx.Client
) -> None:
    page = reading.get(f"/projects/{history.project}?lang=en")
    words = text_of(page)

    assert "Yellow: At risk" in words
    assert "NOK 1,234,567" in words
    assert "decided: approve" in words
    assert reading.head(f"/projects/{history.project}").status_code == 200


def test_the_project_page_costs_a_handful_of_queries_however_long_its_history(
    app: App, history: History, cast: Cast, reading: httpx.Client
) -> None:
    statements: list[str] = []

    def count(*args: object) -> None:
        statements.append(str(args[2]))

    reading.get(f"/projects/{history.project}")  # the pinned workflow is cached after this
    event.listen(app.database, "before_cursor_execute", count)
    try:
        before = reading.get(f"/projects/{history.project}")
        queries, statements[:] = len(statements), []
        app.engine.cast_vote(history.bp2, "approve", "Ja.", channel="web", actor=cast.board[0])
        app.engine.cast_vote(history.bp2, "rework", "Nei.", channel="web", actor=cast.board[1])
        app.engine.cast_vote(history.bp2, "approve", "Ja.", channel="web", actor=cast.board[2])
        statements[:] = []
        after = reading.get(f"/projects/{history.project}")
    finally:
        event.remove(app.database, "before_cursor_execute", count)

    assert before.status_code == after.status_code == 200
    # Ten for the page, three to know who reads, six for what they may do (ask for a
    # decision, write a report), eight for the business case and two for whether the
    # reader may edit it; none of them grows with the history.
    assert queries <= 30, queries
    assert len(statements) == queries, "\n---\n".join(statements)


def test_an_unknown_project_gets_a_not_found_page(app: App, reading: httpx.Client) -> None:
    page = reading.get("/projects/4040")

    assert page.status_code == 404
    assert "Det finnes ikke noe prosjekt med id 4040." in text_of(page)  # in bokmål


# --- registering a project and requesting BP1 through the forms ---------------------------

ALL_DONE = "done"


def bp1_form(engine: Engine, csrf: str, answer: str = ALL_DONE) -> dict[str, str]:
    bp1 = gate(engine, "BP1")
    fields = {"csrf": csrf, "gate": "BP1"}
    fields |= {f"answer_{item.id}": answer for item in bp1.checklist}
    fields |= {f"url_{d.id}": f"https://docs.asker.example/{d.id}.pdf" for d in bp1.documents}
    return fields


def test_the_pmo_registers_a_project_and_its_manager_requests_bp1_through_the_forms(
    app: App, cast: Cast, site: str
) -> None:
    engine = app.engine
    with as_person(app, site, cast.pmo) as (pmo, csrf):
        form = pmo.get("/projects/new")
        assert form.status_code == 200
        for label in ("Navn", "Beskrivelse", "Utviklingsområde", "Portefølje", "Startfase"):
            assert f">{label}" in form.text
        assert re.search(r'<option value="idea" selected>Idé</option>', form.text)

        made = pmo.post(
            "/projects",
            data={
                "csrf": csrf,
                "name": NAME,
                "description": "Kommunens strategi for digitalisering.",
                "development_area": "Digitalisering",
                "portfolio": "Strategisk portefølje 2026",
                "owner": str(cast.owner),
                "leader": str(cast.leader),
                "phase": "idea",
            },
        )
    assert made.status_code == 303
    project = int(made.headers["location"].rsplit("/", 1)[1])
    assert engine.project(project).leader == "Ragnar Husum"

    with as_person(app, site, cast.leader) as (leader, csrf):
        shown = leader.get(f"/projects/{project}/gate-request")
        assert shown.status_code == 200
        assert "Be om beslutning: BP1" in text_of(shown)
        assert "(obligatorisk)" in shown.text
        assert 'type="radio" name="answer_need_described" value="not_relevant"' in shown.text

        sent = leader.post(f"/projects/{project}/gate-request", data=bp1_form(engine, csrf))

    assert sent.status_code == 303
    assert sent.headers["location"] == f"/projects/{project}"
    assert engine.project(project).open_gate == "BP1"
    assert sorted(decision_emails(app)) == sorted(
        ("hanne@asker.example", "per@asker.example", "ingrid@asker.example")
    )


def test_a_name_already_taken_shows_the_form_again_with_what_was_typed(
    app: App, cast: Cast, site: str
) -> None:
    register(app.engine, cast)
    with as_person(app, site, cast.pmo) as (pmo, csrf):
        again = pmo.post(
            "/projects",
            data={"csrf": csrf, "name": NAME, "portfolio": "Ny portefølje", "leader": "x"},
        )
        assert again.status_code == 422
        assert "Velg en person fra listen." in text_of(again)
        again = pmo.post("/projects", data={"csrf": csrf, "name": NAME, "portfolio": "Ny"})

    assert again.status_code == 422
    assert f"Det finnes allerede et prosjekt som heter «{NAME}»." in text_of(again)
    assert 'value="Ny"' in again.text
    assert len(app.engine.portfolio()) == 1


def test_an_incomplete_bp1_lists_every_problem_and_creates_nothing(
    app: App, cast: Cast, site: str
) -> None:
    project = register(app.engine, cast)
    fields = bp1_form(app.engine, "")
    fields["answer_need_described"] = "still_open"
    fields["comment_strategic_fit"] = "Ikke avklart ennå"
    fields["answer_strategic_fit"] = "not_relevant"
    del fields["answer_owner_identified"]
    fields = {k: v for k, v in fields.items() if not k.startswith("url_")}
    with as_person(app, site, cast.leader) as (leader, csrf):
        page = leader.post(f"/projects/{project}/gate-request", data=fields | {"csrf": csrf})

    assert page.status_code == 422
    words = text_of(page)
    assert "Forespørselen er ikke sendt" in words
    assert "Punktet er obligatorisk og må være utført." in words
    assert "Skriv en kommentar som sier hvorfor." in words
    assert "Ikke besvart. Velg et svar." in words
    assert "Lenk til dokumentet." in words
    assert words.count("Punktet er obligatorisk") == 2 * 2  # in the summary and at each item
    # what was typed is kept
    assert 'name="answer_need_described" value="still_open" checked' in page.text
    assert ">Ikke avklart ennå</textarea>" in page.text
    assert app.engine.project(project).open_request is None
    assert decision_emails(app) == []


@pytest.mark.parametrize(
    ("lang", "unanswered"),
    [("", "Ikke besvart. Velg et svar."), ("?lang=nn", "Ikkje svart på. Vel eit svar.")],
    ids=["bokmål", "nynorsk"],
)
def test_an_unanswered_checklist_says_so_beside_each_item_in_the_readers_language(
    app: App, cast: Cast, site: str, lang: str, unanswered: str
) -> None:
    project = register(app.engine, cast)
    fields = bp1_form(app.engine, "")
    skipped = ["need_described", "owner_identified"]
    for item in skipped:
        del fields[f"answer_{item}"]
    with as_person(app, site, cast.leader) as (leader, csrf):
        page = leader.post(f"/projects/{project}/gate-request{lang}", data=fields | {"csrf": csrf})

    assert page.status_code == 422
    for item in skipped:
        fieldset = re.search(FIELDSET.format(id=f"item-{item}"), page.text, re.S)
        assert fieldset is not None
        problem = f'data-field="validation" id="item-{item}-problem">{unanswered}</p>'
        assert problem in fieldset.group(1)
    answered = re.search(FIELDSET.format(id="item-strategic_fit"), page.text, re.S)
    assert answered is not None
    assert 'data-field="validation"' not in answered.group(1)
    assert "unanswered" not in page.text
    assert "checklist item" not in page.text
    assert app.engine.project(project).open_request is None


# --- who may --------------------------------------------------------------------------


def test_anonymous_posts_are_refused_and_change_nothing(
    app: App, cast: Cast, anonymous: httpx.Client
) -> None:
    project = register(app.engine, cast)

    assert anonymous.post("/projects", data={"name": "Snikprosjekt"}).status_code == 401
    sent = anonymous.post(f"/projects/{project}/gate-request", data=bp1_form(app.engine, ""))
    assert sent.status_code == 401
    assert [p.name for p in app.engine.portfolio()] == [NAME]
    assert app.engine.project(project).open_request is None
    # a browser asking for the forms is sent to sign in first
    form = anonymous.get("/projects/new")
    assert form.status_code == 303
    assert form.headers["location"].startswith("/login?next=")


def test_a_form_without_its_csrf_value_is_refused(app: App, cast: Cast, site: str) -> None:
    project = register(app.engine, cast)
    with as_person(app, site, cast.leader) as (leader, _csrf):
        made = leader.post("/projects", data={"name": "Uten skjemanøkkel"})
        sent = leader.post(f"/projects/{project}/gate-request", data=bp1_form(app.engine, ""))

    assert made.status_code == 403
    assert sent.status_code == 403
    assert [p.name for p in app.engine.portfolio()] == [NAME]
    assert app.engine.project(project).open_request is None


def test_an_outsider_cannot_request_a_gate_for_someone_elses_project(
    app: App, cast: Cast, site: str
) -> None:
    project = register(app.engine, cast)
    with as_person(app, site, cast.outsider) as (outsider, csrf):
        form = outsider.get(f"/projects/{project}/gate-request")
        sent = outsider.post(f"/projects/{project}/gate-request", data=bp1_form(app.engine, csrf))

    assert form.status_code == 403
    assert sent.status_code == 403
    assert "may not submit a gate request for Digitaliseringsstrategi" in text_of(sent)
    assert app.engine.project(project).open_request is None
    assert decision_emails(app) == []


def test_only_those_who_may_ask_for_a_decision_are_offered_the_link(
    app: App, cast: Cast, site: str, reading: httpx.Client
) -> None:
    project = register(app.engine, cast)
    link = f'href="/projects/{project}/gate-request'
    offered = {}
    for name, person in (("leader", cast.leader), ("pmo", cast.pmo), ("owner", cast.owner)):
        with as_person(app, site, person) as (client, _):
            offered[name] = link in client.get(f"/projects/{project}", headers=HTML).text
    offered["reader"] = link in reading.get(f"/projects/{project}", headers=HTML).text
    assert offered == {"leader": True, "pmo": True, "owner": False, "reader": False}


def test_a_second_request_while_one_is_open_says_so(app: App, cast: Cast, site: str) -> None:
    project = register(app.engine, cast)
    submit_complete(app.engine, project, gate(app.engine, "BP1"), actor=cast.leader)
    with as_person(app, site, cast.leader) as (leader, csrf):
        form = leader.get(f"/projects/{project}/gate-request")
        sent = leader.post(f"/projects/{project}/gate-request", data=bp1_form(app.engine, csrf))

    assert "har allerede en åpen forespørsel om BP1" in text_of(form)
    assert 'name="answer_' not in form.text
    assert sent.status_code == 409
    assert len(decision_emails(app)) == 3
