"""A project's business case on its page, and its forms, through the real app over real
HTTP, on SQLite and PostgreSQL.

"Jakten på tidstyvene" is in execution. Its manager, Ragnar Husum, adds the benefit
*Spart tid i saksbehandlingen* with the indicator *Timer spart per år*, records what was
measured, registers a risk and reassesses it, and fills in the cost and staffing plans.
A reader sees all of it and can change none of it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from decimal import Decimal

import httpx
import pytest
from sqlalchemy import event

from phasegate.bootstrap import App
from phasegate.domain.benefits import BenefitKind, Direction, IndicatorDefinition
from phasegate.domain.risks import Assessment, Response, RiskKind, RiskStatus
from phasegate.engine.benefits import BenefitDraft, IndicatorDraft
from phasegate.engine.risks import RiskDraft
from phasegate.engine.service import Engine
from tests.factories import Cast
from tests.test_link_pages import text_of
from tests.web_support import HTML, reader, signed_in
from tests.webserver import serve

NAME = "Jakten på tidstyvene"
HOURS = IndicatorDefinition(
    "timer per år",
    Direction.HIGHER,
    Decimal(0),
    date(2026, 1, 1),
    Decimal(2000),
    date(2027, 12, 31),
)


@pytest.fixture
def site(app: App) -> Iterator[str]:
    with serve(app) as url:
        yield url


@pytest.fixture
def project(engine: Engine, cast: Cast) -> int:
    return engine.register_project(NAME, owner=cast.owner, leader=cast.leader, phase="execution")


@pytest.fixture
def manager(app: App, site: str, cast: Cast) -> Iterator[tuple[httpx.Client, str]]:
    """The project manager's browser, and the CSRF value its forms carry."""
    client, csrf = signed_in(app, site, cast.leader)
    client.headers.update(HTML)
    client.timeout = httpx.Timeout(60)  # the shared test machine can be slow
    with client:
        yield client, csrf


@pytest.fixture
def reading(app: App, site: str) -> Iterator[httpx.Client]:
    with reader(app, site) as client:
        client.headers.update(HTML)
        yield client


def add_benefit(engine: Engine, project: int, owner: int | None = None, n: int = 1) -> int:
    return engine.add_benefit(
        project, BenefitDraft(f"Spart tid {n}", "", BenefitKind.TIME, owner), actor=None
    )


def add_indicator(engine: Engine, benefit: int, name: str = "Timer spart per år") -> int:
    return engine.add_indicator(benefit, IndicatorDraft(name, HOURS), actor=None)


def add_risk(engine: Engine, project: int, title: str = "Leverandøren blir forsinket") -> int:
    draft = RiskDraft(RiskKind.RISK, title, "", "Leverandør", None)
    first = Assessment(
        3, 4, 2, 3, Response.REDUCE, "Bot i kontrakten", RiskStatus.OPEN, date(2026, 6, 1)
    )
    return engine.add_risk(project, draft, first, actor=None)


def post(client: httpx.Client, csrf: str, path: str, **fields: str) -> httpx.Response:
    return client.post(path, data={"csrf": csrf, **fields})


def section(page: httpx.Response, anchor: str) -> str:
    """The words of one section of the project page (benefits, risks, plans)."""
    found = re.search(
        rf'<section[^>]*id="{anchor}"[^>]*>(.*?)</section>\s*(?=<section|$)', page.text, re.DOTALL
    )
    assert found is not None, anchor
    return " ".join(re.sub(r"<[^>]+>", " ", found[1]).split())


def beside(page: httpx.Response, field: str) -> str:
    """The problem shown beside a field (its validation message), which the field names."""
    assert re.search(
        rf'id="f-{field}"[^>]*aria-invalid="true"|aria-invalid="true"[^>]*id="f-{field}"', page.text
    ) or (f'id="f-{field}"' in page.text), field
    found = re.search(
        rf'<p class="ds-validation-message"[^>]*id="f-{field}-error">(.*?)</p>',
        page.text,
        re.DOTALL,
    )
    assert found is not None, f"no problem beside {field}"
    return " ".join(found[1].split())


# --- what the page shows ---------------------------------------------------------------------


def test_an_empty_business_case_says_what_to_do_next_to_those_who_may(
    project: int, manager: tuple[httpx.Client, str], reading: httpx.Client
) -> None:
    mine = manager[0].get(f"/projects/{project}")
    theirs = reading.get(f"/projects/{project}")

    assert "Ingen gevinster ennå. Legg til den første." in text_of(mine)
    assert "Ingen risikoer ennå. Legg til den første." in text_of(mine)
    assert f'href="/projects/{project}/benefits/new?lang=nb"' in mine.text
    assert "Ingen gevinster ennå." in text_of(theirs)
    assert "Legg til den første" not in text_of(theirs)
    assert "/benefits/new" not in theirs.text
    assert "/plans" not in theirs.text


def test_a_benefit_and_an_indicator_added_through_the_forms_show_as_not_measured_yet(
    project: int, manager: tuple[httpx.Client, str], cast: Cast, engine: Engine
) -> None:
    client, csrf = manager
    assert client.get(f"/projects/{project}/benefits/new").status_code == 200
    added = post(
        client,
        csrf,
        f"/projects/{project}/benefits/new",
        title="Spart tid i saksbehandlingen",
        description="Færre manuelle steg.",
        kind="time",
        owner=str(cast.owner),
    )
    assert added.status_code == 303
    assert added.headers["location"] == f"/projects/{project}?lang=nb&saved=benefit_added#benefits"
    benefit = engine.business_case(project).benefits[0].id

    indicator = post(
        client,
        csrf,
        f"/projects/{project}/benefits/{benefit}/indicators/new",
        name="Timer spart per år",
        unit="timer",
        direction="higher",
        baseline="0",
        baseline_on="2026-01-01",
        target="1 234,5",
        target_on="2027-12-31",
        plan_cycle="",
        plan_date_0="2026-09-01",
    )
    assert indicator.status_code == 303, beside(indicator, "target")
    page = client.get(indicator.headers["location"])

    words = section(page, "benefits")
    assert "Indikatoren er lagt til." in words
    assert "Spart tid i saksbehandlingen Planlagt" in words
    assert "Gevinsteier Ole-Kristian Tangen" in words
    assert "Mål 1 234,5 innen 31.12.2027" in words
    assert "Siste måling Ikke målt ennå" in words
    assert "Måleplan 01.09.2026" in words


def test_recorded_measurements_show_the_achievement_with_its_trend_in_words(
    project: int, manager: tuple[httpx.Client, str], engine: Engine, cast: Cast
) -> None:
    client, csrf = manager
    indicator = add_indicator(engine, add_benefit(engine, project, cast.owner))
    path = f"/projects/{project}/indicators/{indicator}/measurements/new"
    form = client.get(path)
    assert 'value="2026-03-02"' in form.text  # today, as the form opens

    for value, day in (("300", "2026-02-01"), ("1 000,0", "2026-03-01")):
        saved = post(client, csrf, path, value=value, measured_on=day, comment="Fra fagsystemet")
        assert saved.status_code == 303
    page = client.get(saved.headers["location"])

    words = section(page, "benefits")
    assert "Målingen er registrert." in words
    assert "Oppnåelse 50 % av målet · ↑ bedre enn forrige måling" in words
    assert "Realiseres" in words
    assert "Målinger (2)" in words


@pytest.mark.parametrize(
    ("lang", "target", "number"),
    [
        ("nb", "Målet (0) er det samme som nullpunktet.", "«mange» er ikke et tall."),
        ("nn", "Målet (0) er det same som nullpunktet.", "«mange» er ikkje eit tal."),
    ],
)
def test_problems_stand_beside_their_fields_in_the_readers_language(
    project: int,
    manager: tuple[httpx.Client, str],
    engine: Engine,
    lang: str,
    target: str,
    number: str,
) -> None:
    client, csrf = manager
    benefit = add_benefit(engine, project)
    path = f"/projects/{project}/benefits/{benefit}/indicators/new?lang={lang}"
    fields = {
        "name": "Timer",
        "unit": "timer",
        "direction": "higher",
        "baseline_on": "2026-01-01",
        "target_on": "2027-12-31",
    }

    unreadable = post(client, csrf, path, baseline="mange", target="100", **fields)
    refused = post(client, csrf, path, baseline="0", target="0", **fields)

    assert unreadable.status_code == refused.status_code == 422
    assert number in beside(unreadable, "baseline")
    assert 'value="mange"' in unreadable.text  # what was typed is kept
    assert target in beside(refused, "target")
    assert 'class="ds-error-summary"' in refused.text
    assert 'href="#f-target"' in refused.text
    assert engine.business_case(project).benefits[0].indicators == ()


def test_a_risk_added_and_reassessed_through_the_forms_keeps_its_history(
    project: int, manager: tuple[httpx.Client, str], engine: Engine, cast: Cast
) -> None:
    client, csrf = manager
    added = post(
        client,
        csrf,
        f"/projects/{project}/risks/new",
        kind="risk",
        title="Leverandøren blir forsinket",
        category="Leverandør",
        owner=str(cast.owner),
        probability="4",
        consequence="4",
        probability_after="",
        consequence_after="",
        response="reduce",
        mitigation="Dagbot i kontrakten",
        status="open",
        next_review_on="2026-04-01",
    )
    assert added.status_code == 303
    risk = engine.business_case(project).risks[0].id
    form = client.get(f"/projects/{project}/risks/{risk}/assessments/new")
    assert "4 – Sannsynlig" in form.text  # the scale's words

    again = post(
        client,
        csrf,
        f"/projects/{project}/risks/{risk}/assessments/new",
        probability="2",
        consequence="4",
        probability_after="1",
        consequence_after="3",
        response="reduce",
        mitigation="Dagbot i kontrakten",
        status="open",
        next_review_on="2026-06-01",
        comment="Leverandøren har levert på tid i to måneder.",
    )
    assert again.status_code == 303
    words = section(client.get(again.headers["location"]), "risks")

    assert "Den nye vurderingen er lagret." in words
    assert "2 × 4 = 8 Middels" in words
    assert "1 × 3 = 3" in words
    assert "Historikk (2 vurderinger)" in words
    assert "4 × 4 = 16" in words  # the first assessment, in the history
    assert "Leverandøren har levert på tid i to måneder." in words


def test_a_matrix_cell_links_to_the_register_filtered_to_its_risks(
    project: int, manager: tuple[httpx.Client, str], engine: Engine
) -> None:
    client, _ = manager
    add_risk(engine, project, "Leverandøren blir forsinket")  # 3 × 4
    other = RiskDraft(RiskKind.RISK, "Nøkkelperson slutter", "", "Organisasjon", None)
    engine.add_risk(
        project,
        other,
        Assessment(2, 2, None, None, Response.ACCEPT, "", RiskStatus.OPEN, date(2026, 5, 1)),
        actor=None,
    )
    page = client.get(f"/projects/{project}")
    assert "?lang=nb&amp;cell=3-4#risks" in page.text

    filtered = section(client.get(f"/projects/{project}?cell=3-4"), "risks")

    assert "Viser åpne risikoer med sannsynlighet 3 og konsekvens 4." in filtered
    assert "Leverandøren blir forsinket" in filtered
    assert "Nøkkelperson slutter" not in filtered


def test_the_plans_form_saves_costs_and_people_by_year_and_removes_a_row(
    project: int, manager: tuple[httpx.Client, str], engine: Engine, cast: Cast
) -> None:
    client, csrf = manager
    benefit = add_benefit(engine, project)
    unit = engine.save_term("unit", "Oppvekst", actor=cast.pmo)
    competence = engine.save_term("competence", "Prosjektledelse", actor=cast.pmo)
    path = f"/projects/{project}/plans"
    rows = {
        "seen": "0",
        "cost-0-year": "2026",
        "cost-0-kind": "investment",
        "cost-0-amount": "1 200 000",
        "cost-1-year": "2027",
        "cost-1-kind": "operating",
        "cost-1-amount": "-250 000",
        "cost-1-benefit": str(benefit),
        "cost-1-note": "Lisenser sagt opp",
        "cost-2-year": "2027",
        "cost-2-kind": "investment",
        "cost-2-amount": "99",
        "cost-2-remove": "1",
        "people-0-year": "2026",
        "people-0-unit": str(unit),
        "people-0-competence": str(competence),
        "people-0-fte": "1,5",
        "people-1-year": "2026",
        "people-1-unit": str(unit),
        "people-1-competence": str(competence),
        "people-1-fte": "0,5",
        "people-1-note": "Innleid",
    }
    twice = post(client, csrf, path, **rows)  # the same unit and competence twice in 2026
    assert twice.status_code == 422
    assert "Året 2026 står to ganger for det samme." in beside(twice, "people-1-year")
    rows["people-1-year"] = "2027"

    saved = post(client, csrf, path, **rows)
    assert saved.status_code == 303
    words = section(client.get(saved.headers["location"]), "plans")

    assert "Planene er lagret." in words
    assert "2026 1 200 000 kr 0 kr 1 200 000 kr" in words
    assert "2027 0 kr Innsparing 250 000 kr -250 000 kr" in words
    assert "Innsparing 250 000 kr Spart tid 1 Lisenser sagt opp" in words
    assert "99 kr" not in words
    assert "Sum årsverk 2026 1,5" in words
    assert "Sum årsverk 2027 0,5" in words
    again = client.get(path)
    assert 'value="1 200 000"' in again.text


def test_a_reader_gets_no_buttons_and_the_engines_refusal(
    app: App, site: str, project: int, engine: Engine, reading: httpx.Client
) -> None:
    benefit = add_benefit(engine, project)
    indicator = add_indicator(engine, benefit)
    risk = add_risk(engine, project)
    person = engine.register_person("Lise Leser 2", "lise2@asker.example")
    client, csrf = signed_in(app, site, person)
    client.headers.update(HTML)
    with client:
        page = client.get(f"/projects/{project}")
        refused_form = client.get(f"/projects/{project}/risks/{risk}/assessments/new")
        refused_post = post(
            client,
            csrf,
            f"/projects/{project}/indicators/{indicator}/measurements/new",
            value="500",
            measured_on="2026-03-01",
        )

    assert "Registrer måling" not in page.text
    assert "Vurder på nytt" not in page.text
    assert "Endre planene" not in page.text
    assert refused_form.status_code == refused_post.status_code == 403
    assert "Lise Leser 2" in text_of(refused_post)
    assert engine.business_case(project).benefits[0].indicators[0].measurements == ()


def test_the_benefit_owner_may_record_a_measurement_but_not_edit_the_benefit(
    app: App, site: str, project: int, engine: Engine
) -> None:
    owner = engine.register_person("Gunn Gevinst", "gunn@asker.example")
    indicator = add_indicator(engine, add_benefit(engine, project, owner))
    client, csrf = signed_in(app, site, owner)
    client.headers.update(HTML)
    with client:
        page = client.get(f"/projects/{project}")
        saved = post(
            client,
            csrf,
            f"/projects/{project}/indicators/{indicator}/measurements/new",
            value="500",
            measured_on="2026-03-01",
        )

    assert "Registrer måling" in page.text
    assert "Endre gevinst" not in page.text
    assert saved.status_code == 303


def test_a_form_made_before_someone_else_saved_gets_the_conflict_refusal(
    project: int, manager: tuple[httpx.Client, str], engine: Engine
) -> None:
    client, csrf = manager
    benefit = add_benefit(engine, project)
    path = f"/projects/{project}/benefits/{benefit}"
    form = client.get(path)
    seen = re.search(r'name="seen" value="(\d+)"', form.text)
    assert seen is not None
    engine.change_benefit(
        benefit, BenefitDraft("Endret av PMO", "", BenefitKind.TIME, None), int(seen[1]), actor=None
    )

    late = post(client, csrf, path, seen=seen[1], title="Min tittel", kind="time", owner="")

    assert late.status_code == 409
    assert "Noen andre endret denne gevinsten mens du hadde den åpen" in text_of(late)
    assert engine.business_case(project).benefits[0].title == "Endret av PMO"


def test_the_project_page_costs_the_same_queries_however_big_the_business_case(
    app: App, engine: Engine, cast: Cast, manager: tuple[httpx.Client, str], clock: object
) -> None:
    client, _ = manager
    small = engine.register_project(
        "Liten", owner=cast.owner, leader=cast.leader, phase="execution"
    )
    big = engine.register_project("Stor", owner=cast.owner, leader=cast.leader, phase="execution")
    add_indicator(engine, add_benefit(engine, small))
    add_risk(engine, small)
    for n in range(20):
        benefit = add_benefit(engine, big, n=n)
        for i in range(3):
            indicator = add_indicator(engine, benefit, f"Indikator {i}")
            for month in range(1, 6):
                engine.record_measurement(
                    indicator,
                    Decimal(month * 100),
                    date(2026, month, 1) if month < 3 else date(2026, 2, month),
                    actor=None,
                )
    for n in range(30):
        add_risk(engine, big, f"Risiko {n}")

    def statements(project: int) -> int:
        counted: list[str] = []

        def count(*args: object) -> None:
            counted.append(str(args[2]))

        client.get(f"/projects/{project}")  # the pinned workflow is cached after this
        event.listen(app.database, "before_cursor_execute", count)
        try:
            assert client.get(f"/projects/{project}").status_code == 200
        finally:
            event.remove(app.database, "before_cursor_execute", count)
        return len(counted)

    assert statements(big) == statements(small)


def test_text_pasted_into_a_form_is_tidied_or_refused_and_nothing_half_saved(
    project: int, manager: tuple[httpx.Client, str], engine: Engine
) -> None:
    client, csrf = manager
    path = f"/projects/{project}/benefits/new"

    pasted = post(client, csrf, path, title="Spart tid\ni saksbehandlingen", kind="time")
    broken = post(client, csrf, path, title="Spart\x00tid", kind="time")

    assert pasted.status_code == 303
    assert broken.status_code == 422
    assert [b.title for b in engine.business_case(project).benefits] == [
        "Spart tid i saksbehandlingen"
    ]
