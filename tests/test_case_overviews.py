"""The portfolio's benefits and risk overviews: which benefits, which risks, across projects.

On SQLite and PostgreSQL, through the engine and the real app over HTTP: benefits show
before they are measured, with their owner; the achievement is the project page's; the
filters narrow the matrix and the list alike, and a cell's link lists exactly its risks;
the pages are paged, the exports hold every matching row, and the number of statements
does not grow with the portfolio.
"""

from __future__ import annotations

import csv
import io
import re
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from decimal import Decimal
from html import unescape
from typing import Any

import httpx
import pytest
from openpyxl import load_workbook
from sqlalchemy import event, insert

from phasegate.bootstrap import App
from phasegate.domain.benefits import BenefitKind, BenefitStatus, Direction, IndicatorDefinition
from phasegate.domain.risks import Assessment, Response, RiskKind, RiskStatus
from phasegate.engine.benefits import BenefitDraft, IndicatorDraft
from phasegate.engine.case_overviews import PAGE_SIZE, BenefitFilters, ProjectFilters, RiskFilters
from phasegate.engine.risks import RiskDraft
from phasegate.engine.service import Engine
from phasegate.storage.registers import Benefit, Indicator, Measurement, Risk
from phasegate.storage.tables import Project
from tests.factories import Cast, Clock
from tests.web_support import HTML, reader
from tests.webserver import serve

TODAY = date(2026, 3, 2)  # the test clock's day
SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture
def site(app: App) -> Iterator[str]:
    with serve(app) as url:
        yield url


@pytest.fixture
def client(app: App, site: str) -> Iterator[httpx.Client]:
    with reader(app, site) as signed_in:
        yield signed_in


def indicator(
    engine: Engine,
    benefit: int,
    direction: Direction = Direction.HIGHER,
    baseline: int = 0,
    target: int = 100,
    target_on: date = date(2027, 12, 31),
    plan: tuple[date, ...] = (),
) -> int:
    definition = IndicatorDefinition(
        "timer", direction, Decimal(baseline), date(2025, 1, 1), Decimal(target), target_on
    )
    return engine.add_indicator(
        benefit, IndicatorDraft("Timer spart", definition, plan_dates=plan), actor=None
    )


def benefit(engine: Engine, project: int, title: str, owner: int | None) -> int:
    return engine.add_benefit(project, BenefitDraft(title, "", BenefitKind.TIME, owner), actor=None)


def risk(engine: Engine, project: int, title: str, p: int, c: int, **fields: Any) -> int:
    draft = RiskDraft(
        fields.pop("kind", RiskKind.RISK), title, "", fields.pop("category", "Økonomi"),
        fields.pop("owner", None),
    )  # fmt: skip
    review = fields.pop("review", TODAY + timedelta(days=30))
    assessment = Assessment(p, c, None, None, Response.REDUCE, "", RiskStatus.OPEN, review)
    return engine.add_risk(project, draft, assessment, actor=None)


def test_benefits_show_before_they_are_measured_with_their_owner(
    app: App, cast: Cast, client: httpx.Client
) -> None:
    engine = app.engine
    project = engine.register_project("Jakten på tidstyvene", owner=cast.owner, leader=cast.leader)
    owned = benefit(engine, project, "Færre timer på søknader", cast.owner)
    indicator(engine, owned, plan=(TODAY + timedelta(days=40),))
    benefit(engine, project, "Fornøyde innbyggere", None)

    page = client.get("/portfolio/benefits", headers=HTML)
    assert page.status_code == 200
    text = unescape(page.text)
    assert "Færre timer på søknader" in text
    assert "Fornøyde innbyggere" in text
    assert "Ole-Kristian Tangen" in text, "the benefit owner shows"
    assert "ikke målt ennå" in text
    assert "Ingen indikator" in text
    assert "Uten gevinsteier" in text
    assert "11.04.2026" in text, "the next measurement the plan asks for"
    summary = engine.benefits_overview(BenefitFilters()).summary
    assert (summary.benefits, summary.unowned, summary.without_indicator) == (2, 1, 1)
    assert summary.unmeasured == 2
    assert summary.by_status == ((BenefitStatus.PLANNED, 2),)
    unowned = engine.benefits_overview(BenefitFilters(unowned=True)).rows
    assert [b.title for b in unowned] == ["Fornøyde innbyggere"]
    owned_by = engine.benefits_overview(BenefitFilters(owner=cast.owner)).rows
    assert [b.title for b in owned_by] == ["Færre timer på søknader"]
    assert not engine.benefits_overview(BenefitFilters(kind=BenefitKind.ECONOMIC)).rows
    nynorsk = unescape(client.get("/portfolio/benefits?lang=nn", headers=HTML).text)
    assert "Gevinsteigar" in nynorsk
    assert "ikkje målt enno" in nynorsk


def test_the_overview_shows_the_achievement_the_project_page_shows(
    app: App, cast: Cast, clock: Clock, client: httpx.Client
) -> None:
    engine = app.engine
    project = engine.register_project("Digital byggesak", owner=cast.owner, leader=cast.leader)
    lower = indicator(engine, benefit(engine, project, "Kortere saksbehandling", cast.owner),
                      Direction.LOWER, baseline=60, target=20)  # fmt: skip
    engine.record_measurement(lower, Decimal(50), date(2026, 1, 10), actor=None)
    engine.record_measurement(lower, Decimal("41.3"), date(2026, 2, 10), actor=None)

    case = engine.business_case(project)
    shown = case.benefits[0].indicators[0].progress
    row = engine.benefits_overview(BenefitFilters()).rows[0]
    assert row.indicators[0].progress == shown
    assert row.status == case.benefits[0].status
    page = unescape(client.get("/portfolio/benefits", headers=HTML).text)
    assert f"oppnåelse {shown.percent} %" in page  # 47 %: (41.3 − 60) / (20 − 60)
    assert shown.percent == 47
    assert "▲ bedre" in page, "lower is better, and it went down"


def test_status_counted_in_the_database_is_the_domains(app: App, cast: Cast) -> None:
    engine = app.engine
    project = engine.register_project("Status", owner=cast.owner, leader=cast.leader)
    cases: list[tuple[Direction, int, int, date, list[int | Decimal]]] = [
        # direction, baseline, target, target date, measurements
        (Direction.HIGHER, 0, 100, date(2027, 1, 1), [100]),  # realised
        (Direction.LOWER, 60, 20, date(2027, 1, 1), [20]),  # realised
        (Direction.HIGHER, 0, 20000, date(2027, 1, 1), [19999]),  # 0.99995: rounds to 1
        (Direction.HIGHER, 0, 20000, date(2027, 1, 1), [19998]),  # 0.9999: realising
        (Direction.LOWER, 100, 0, date(2027, 1, 1), [Decimal("0.0005")]),  # 0.999995: realised
        (Direction.HIGHER, 0, 100, date(2026, 1, 1), [40]),  # overdue: not realised
        (Direction.HIGHER, 0, 100, date(2026, 1, 1), []),  # overdue, never measured
        (Direction.HIGHER, 0, 100, date(2027, 1, 1), [50, 30]),  # realising
        (Direction.HIGHER, 0, 100, date(2027, 1, 1), []),  # planned
    ]
    for n, (direction, baseline, target, target_on, values) in enumerate(cases):
        made = indicator(engine, benefit(engine, project, f"B{n}", None), direction, baseline,
                         target, target_on)  # fmt: skip
        for day, value in enumerate(values, start=1):
            engine.record_measurement(made, Decimal(value), date(2026, 1, day), actor=None)
    two = benefit(engine, project, "To indikatorer", None)
    indicator(engine, two, target=10)
    engine.record_measurement(indicator(engine, two), Decimal(200), TODAY, actor=None)
    benefit(engine, project, "Uten indikator", None)

    expected = Counter(b.status for b in engine.business_case(project).benefits)
    found = engine.benefits_overview(BenefitFilters())
    assert dict(found.summary.by_status) == dict(expected)
    assert expected[BenefitStatus.REALISED] == 4
    assert expected[BenefitStatus.NOT_REALISED] == 2
    for state in BenefitStatus:
        rows = engine.benefits_overview(BenefitFilters(status=state)).rows
        assert [r.status for r in rows] == [state] * expected[state]


def test_filters_narrow_the_matrix_and_the_list_and_a_cell_lists_its_risks(
    app: App, cast: Cast, client: httpx.Client
) -> None:
    engine = app.engine
    school = engine.register_project("Ny skole", owner=cast.owner, leader=cast.leader,
                                     portfolio="Bygg og eiendom")  # fmt: skip
    portal = engine.register_project("Innbyggerportal", owner=cast.owner, leader=cast.leader,
                                     portfolio="Digitalisering")  # fmt: skip
    risk(engine, school, "Grunnforhold", 4, 5, owner=cast.leader)
    risk(engine, school, "Prisstigning", 4, 5, category="Marked")
    risk(engine, school, "Sen levering", 2, 3, review=TODAY)
    risk(engine, portal, "Leverandør går konkurs", 4, 5)
    risk(engine, portal, "Gjenbruk av løsning", 3, 3, kind=RiskKind.OPPORTUNITY)

    everything = engine.risks_overview(RiskFilters())
    assert everything.matrix[3][4] == 3
    assert everything.paging.total == 5
    assert [r.risk.score for r in everything.rows] == [20, 20, 20, 9, 6], "highest first"

    page = client.get("/portfolio/risks?portfolio=Bygg+og+eiendom", headers=HTML)
    svg = ET.fromstring(re.search(r"<svg.*?</svg>", page.text, re.S)[0])  # type: ignore[index]  # noqa: S314 - our own SVG
    counts = {
        (t.get("data-probability"), t.get("data-consequence")): t.text
        for t in svg.iter(f"{SVG}text")
        if t.get("data-probability")
    }
    assert counts[("4", "5")] == "2", "the matrix is filtered"
    assert counts[("3", "3")] == "0"
    assert "Leverandør går konkurs" not in page.text, "and so is the list"
    link = next(a for a in svg.iter(f"{SVG}a") if "p=4" in a.get("href", ""))
    cell = unescape(client.get(link.get("href", "").split("#")[0], headers=HTML).text)
    listed = re.findall(r'<th scope="row">([^<]+)<span', cell)
    assert sorted(listed) == ["Grunnforhold", "Prisstigning"], "exactly the cell's risks"

    narrowed = engine.risks_overview(RiskFilters(kind=RiskKind.OPPORTUNITY))
    assert sum(map(sum, narrowed.matrix)) == 1
    assert narrowed.rows[0].risk.title.startswith("Gj")
    assert [r.risk.title for r in engine.risks_overview(RiskFilters(owner=cast.leader)).rows] == [
        "Grunnforhold"
    ]
    assert engine.risks_overview(RiskFilters(category="Marked")).paging.total == 1
    assert engine.risks_overview(RiskFilters(overdue=True)).paging.total == 0
    ((phase, _),) = everything.choices.phases  # both projects are in their first phase
    in_phase = engine.risks_overview(RiskFilters(ProjectFilters(phase=phase)))
    assert in_phase.paging.total == 5
    assert (
        sum(map(sum, engine.risks_overview(RiskFilters(ProjectFilters(phase="closing"))).matrix))
        == 0
    )


# --- many projects, written in bulk -------------------------------------------------------


def bulk_portfolio(app: App, cast: Cast, clock: Clock, projects: int, start: int = 0) -> None:
    """``projects`` more projects with 2 benefits (one measured twice, one not) and 3 open
    risks each, inserted in one transaction; the first is registered by the engine, which
    pins the workflow version the rest refer to."""
    engine = app.engine
    if start == 0:
        engine.register_project("Første", owner=cast.owner, leader=cast.leader)
        start, projects = 1, projects - 1
    workflow = engine.workflows.current("prosjektveiviseren")
    now = clock()
    with app.database.begin() as conn:
        ids = [
            row.id
            for row in conn.execute(
                insert(Project).returning(Project.id),
                [
                    {
                        "name": f"Prosjekt {start + n:04}",
                        "owner_id": cast.owner,
                        "leader_id": cast.leader,
                        "portfolio": "Digitalisering" if (start + n) % 2 else "Bygg og eiendom",
                        "description": "",
                        "phase": "concept",
                        "status": "active",
                        "workflow_name": workflow.name,
                        "workflow_version": workflow.version,
                        "phase_entered_at": now,
                        "created_at": now,
                        "version": 1,
                    }
                    for n in range(projects)
                ],
            )
        ]
        stamp = {"created_at": now, "updated_at": now, "version": 1}
        benefits = [
            row.id
            for row in conn.execute(
                insert(Benefit).returning(Benefit.id),
                [
                    {
                        "project_id": p,
                        "title": f"Gevinst {n}",
                        "description": "",
                        "kind": "time",
                        "owner_id": cast.owner if n else None,
                        **stamp,
                    }
                    for p in ids
                    for n in range(2)
                ],
            )
        ]
        indicators = conn.execute(
            insert(Indicator).returning(Indicator.id),
            [
                {
                    "benefit_id": b,
                    "project_id": ids[i // 2],
                    "name": "Timer",
                    "unit": "timer",
                    "direction": "higher",
                    "baseline": Decimal(0),
                    "baseline_on": date(2025, 1, 1),
                    "target": Decimal(100),
                    "target_on": date(2027, 1, 1),
                    "plan_cycle": None,
                    "plan_dates": [],
                    **stamp,
                }
                for i, b in enumerate(benefits)
            ],
        ).all()
        conn.execute(
            insert(Measurement),
            [
                {
                    "indicator_id": row.id,
                    "value": Decimal(10 * k + i % 7),
                    "measured_on": date(2025, 6, k),
                    "comment": "",
                    "recorded_by": None,
                    "recorded_at": now,
                    "channel": "import",
                }
                for i, row in enumerate(indicators)
                if i % 2 == 0
                for k in (1, 2)
            ],
        )
        conn.execute(
            insert(Risk),
            [
                {
                    "project_id": p,
                    "kind": "risk",
                    "title": f"Risiko {p}-{k}",
                    "description": "",
                    "category": "Økonomi",
                    "owner_id": None,
                    "assessment_id": None,
                    "probability": 1 + (p + k) % 5,
                    "consequence": 1 + k,
                    "score": (1 + (p + k) % 5) * (1 + k),
                    "probability_after": None,
                    "consequence_after": None,
                    "score_after": None,
                    "response": "reduce",
                    "mitigation": "",
                    "status": "open",
                    "next_review_on": TODAY + timedelta(days=k - 1),
                    "review_asked_on": None,
                    **stamp,
                }
                for p in ids
                for k in range(3)
            ],
        )


@contextmanager
def counted(app: App) -> Iterator[list[str]]:
    statements: list[str] = []

    def count(*args: Any) -> None:
        statements.append(args[2])

    event.listen(app.database, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(app.database, "before_cursor_execute", count)


def test_pages_and_exports_hold_every_matching_row_in_few_statements(
    app: App, cast: Cast, clock: Clock, client: httpx.Client
) -> None:
    engine = app.engine
    bulk_portfolio(app, cast, clock, 5)
    engine.benefits_overview(BenefitFilters())  # the workflow version, cached
    engine.risks_overview(RiskFilters())
    with counted(app) as few:
        engine.benefits_overview(BenefitFilters(), page=1)
        engine.risks_overview(RiskFilters(), page=1)
        engine.benefits_overview(BenefitFilters(status=BenefitStatus.REALISING))
    bulk_portfolio(app, cast, clock, 195, start=5)
    with counted(app) as many:
        benefits = engine.benefits_overview(BenefitFilters(), page=2)
        risks = engine.risks_overview(RiskFilters(), page=3)
        engine.benefits_overview(BenefitFilters(status=BenefitStatus.REALISING))
    assert len(many) == len(few), "the same statements with 5 and with 200 projects"

    # 199 projects with 2 benefits and 3 risks each (the first, the engine's, has none)
    assert benefits.summary.benefits == 398
    assert benefits.paging.pages == 8
    assert len(benefits.rows) == PAGE_SIZE
    assert benefits.rows[0].project == "Prosjekt 0026"
    assert risks.paging.total == 597
    assert len(risks.rows) == PAGE_SIZE
    scores = [r.risk.score for r in engine.risks_export(RiskFilters())]
    assert scores == sorted(scores, reverse=True)

    page = client.get("/portfolio/benefits?portfolio=Digitalisering&page=2", headers=HTML)
    assert "Viser 51–100 av 200" in unescape(page.text)
    assert 'href="/portfolio/benefits?lang=nb&amp;portfolio=Digitalisering&amp;page=4"' in page.text
    last = client.get("/portfolio/risks?page=12", headers=HTML)
    assert "Viser 551–597 av 597" in unescape(last.text)

    exported = client.get("/portfolio/benefits.csv?portfolio=Digitalisering&lang=en")
    lines = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig")), delimiter=";"))
    assert lines[0][:4] == ["Project", "Portfolio", "Phase", "Benefit"]
    assert len(lines) == 1 + 200, "every matching benefit, not one page"
    assert {line[6] for line in lines[1:]} == {"Being realised", "Planned"}
    workbook = client.get("/portfolio/risks.xlsx?overdue=1")
    sheet = load_workbook(io.BytesIO(workbook.content)).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    overdue = engine.risks_overview(RiskFilters(overdue=True)).paging.total
    assert overdue == 199, "one risk a project was due yesterday; one due today is not late"
    assert len(rows) == 1 + overdue
    everything = load_workbook(io.BytesIO(client.get("/portfolio/risks.xlsx").content)).active
    assert everything is not None
    assert everything.max_row == 1 + 597
    assert everything["A1"].value == "Prosjekt"


def test_a_stranger_is_refused_the_overviews(app: App, site: str) -> None:
    with httpx.Client(base_url=site) as stranger:
        for path in ("/portfolio/benefits", "/portfolio/risks", "/portfolio/risks.csv"):
            assert stranger.get(path).status_code == 401
            assert stranger.get(path, headers=HTML).status_code == 303


def test_the_overviews_are_in_the_menu_and_linked_from_the_overview(
    app: App, client: httpx.Client
) -> None:
    overview = client.get("/?lang=en", headers=HTML).text
    assert 'href="/portfolio/benefits?lang=en"' in overview
    assert 'href="/portfolio/risks?lang=en"' in overview
    risks = client.get("/portfolio/risks?lang=en", headers=HTML).text
    assert 'href="/portfolio/risks?lang=en" aria-current="page"' in risks
