"""Business-case spreadsheets: a broken one lists every problem and writes nothing, a good
one round-trips through export and import, and measurements are never imported twice."""

from __future__ import annotations

import io
import re
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select
from typer.testing import CliRunner

from phasegate.bootstrap import App
from phasegate.cli import cli
from phasegate.domain.benefits import BenefitKind, Direction, IndicatorDefinition
from phasegate.domain.plans import CostKind, CostLine, PeopleLine
from phasegate.domain.risks import Assessment, Response, RiskKind, RiskStatus
from phasegate.engine.benefits import BenefitDraft, IndicatorDraft
from phasegate.engine.risks import RiskDraft
from phasegate.engine.service import Engine
from phasegate.errors import RuleViolation
from phasegate.storage.registers import Benefit, Indicator, Measurement, Risk, RiskAssessment
from phasegate.storage.tables import AuditEvent
from phasegate.web.case_admin import XLSX, case_csv, case_workbook, csv_name
from tests.factories import WORKFLOWS, Cast
from tests.web_support import HTML, signed_in
from tests.webserver import serve

TABLES = (Benefit, Indicator, Measurement, Risk, RiskAssessment, AuditEvent)


def counts(engine: Engine) -> list[int]:
    with engine.reading() as conn:
        return [
            conn.execute(select(func.count()).select_from(table)).scalar_one() for table in TABLES
        ]


def workbook(sheets: dict[str, list[list[object]]]) -> bytes:
    book = Workbook()
    book.remove(book.worksheets[0])
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
            for cell in sheet[sheet.max_row]:
                if isinstance(cell.value, str):
                    cell.data_type = "s"  # "=…" is a title here, not a formula
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


P, B, ON, END = "Jakten på tidstyvene", "Raskere svar", "2026-01-01", "2027-12-31"
INDICATOR_HEADER = [
    "project",
    "benefit",
    "name",
    "unit",
    "direction",
    "baseline",
    "baseline_on",
    "target",
    "target_on",
]
BROKEN = {
    "Gevinster": [
        ["Prosjekt", "Tittel", "Type", "Eier (e-post)"],
        ["Finnes ikke", "Færre klager", "kvalitet", ""],
        ["Jakten på tidstyvene", "", "time", ""],
        ["Jakten på tidstyvene", "Spart tid", "Spart tid", "ukjent@asker.example"],
        ["Jakten på tidstyvene", "Raskere svar", "quality", ""],
    ],
    "Indikatorer": [
        INDICATOR_HEADER,
        [P, B, "Svartid", "dager", "lower", "10", ON, "10", END],
        [P, B, "Klager", "antall", "lower", "mange", ON, "5", END],
        [P, B, "Ventetid", "dager", "lower", "30", ON, "5", "31.13.2027"],
    ],
    "Usikkerhetsregister": [
        [
            "Prosjekt",
            "Tittel",
            "Sannsynlighet",
            "Konsekvens",
            "Tiltaksstrategi",
            "Neste gjennomgang",
        ],
        ["Jakten på tidstyvene", "Leverandøren svikter", 7, 3, "reduce", "2099-06-01"],
        ["Jakten på tidstyvene", "Nøkkelperson slutter", 2, 3, "accept", "i morgen"],
    ],
}


@pytest.fixture
def project(engine: Engine, cast: Cast) -> int:
    return engine.register_project(
        "Jakten på tidstyvene", owner=cast.owner, leader=cast.leader, phase="execution"
    )


def test_a_broken_spreadsheet_lists_every_problem_and_writes_nothing(
    engine: Engine, cast: Cast, project: int
) -> None:
    before = counts(engine)
    plan = engine.check_case_files([("gevinster.xlsx", workbook(BROKEN))])
    nb = [p.say("nb") for p in plan.problems]
    en = [p.say("en") for p in plan.problems]
    assert nb == [
        "gevinster.xlsx:Gevinster:2: Prosjekt: Det finnes ikke noe prosjekt som heter "
        "«Finnes ikke».",
        "gevinster.xlsx:Gevinster:3: Tittel: Fyll ut feltet.",
        "gevinster.xlsx:Gevinster:4: Eier (e-post): Ingen registrert person har "
        "e-postadressen ukjent@asker.example.",
        "gevinster.xlsx:Indikatorer:2: target: Målet (10) er det samme som nullpunktet. "
        "Et mål må være bedre enn utgangspunktet.",
        "gevinster.xlsx:Indikatorer:3: baseline: «mange» er ikke et tall. "
        "Skriv for eksempel 1234,5.",
        "gevinster.xlsx:Indikatorer:4: target_on: «31.13.2027» er ikke en dato. "
        "Skriv den som ÅÅÅÅ-MM-DD.",
        "gevinster.xlsx:Usikkerhetsregister:2: Sannsynlighet: 7 er utenfor skalaen. "
        "Gi en verdi fra 1 til 5.",
        "gevinster.xlsx:Usikkerhetsregister:3: Neste gjennomgang: «i morgen» er ikke en "
        "dato. Skriv den som ÅÅÅÅ-MM-DD.",
    ]
    assert en[0] == (
        "gevinster.xlsx:Gevinster:2: Prosjekt: There is no project called “Finnes ikke”."
    )
    assert en[2].endswith("No registered person has the email address ukjent@asker.example.")
    assert en[6].startswith("gevinster.xlsx:Usikkerhetsregister:2: Sannsynlighet: 7 is")
    with pytest.raises(RuleViolation):
        engine.import_case(plan, actor=cast.pmo)
    assert counts(engine) == before


def test_the_command_line_lists_the_problems_then_exports_and_imports(
    engine: Engine, cast: Cast, project: int, database_url: str, tmp_path: Path
) -> None:
    environment = {
        "PHASEGATE_DATABASE_URL": database_url,
        "PHASEGATE_WORKFLOWS_DIR": str(WORKFLOWS),
        "PHASEGATE_LOCALE": "nb",
    }
    (tmp_path / "broken.xlsx").write_bytes(workbook(BROKEN))
    phasegate = CliRunner()
    broken = str(tmp_path / "broken.xlsx")
    done = phasegate.invoke(cli, ["case", "import", broken, "--lang", "en"], env=environment)
    assert done.exit_code == 1
    lines = done.stderr.splitlines()
    assert "broken.xlsx:Gevinster:2: Prosjekt: There is no project called “Finnes ikke”." in lines
    assert lines[-1] == f"{broken}: 8 problem(s); nothing was imported", lines

    a_business_case(engine, cast, project)
    folder = str(tmp_path / "eksport")
    done = phasegate.invoke(cli, ["case", "export", folder], env=environment)
    assert done.exit_code == 0, done.output
    assert sorted(p.name for p in (tmp_path / "eksport").iterdir())[:2] == [
        "benefits.csv",
        "costs.csv",
    ]
    assert "Prosjekt [project];Tittel [title]" in (tmp_path / "eksport" / "benefits.csv").read_text(
        "utf-8-sig"
    )
    done = phasegate.invoke(cli, ["case", "import", folder, "--dry-run"], env=environment)
    assert done.exit_code == 0, done.output
    assert "measurements known 2 (dry run)" in done.stdout


def a_business_case(engine: Engine, cast: Cast, project: int) -> None:
    """A benefit with an indicator measured twice, a saving, two risks, and both plans."""
    engine.save_term("unit", "Oppvekst", actor=cast.pmo)
    engine.save_term("competence", "Prosjektledelse", actor=cast.pmo)
    benefit = engine.add_benefit(
        project,
        BenefitDraft("Spart tid", "Færre timer på skjema.", BenefitKind.TIME, cast.owner),
        actor=cast.leader,
    )
    indicator = engine.add_indicator(
        benefit,
        IndicatorDraft(
            "Timer spart per år",
            IndicatorDefinition(
                "timer",
                Direction.HIGHER,
                Decimal(0),
                date(2026, 1, 1),
                Decimal("1234.5"),
                date(2028, 12, 31),
            ),
            plan_dates=(date(2026, 6, 1), date(2026, 12, 1)),
        ),
        actor=cast.leader,
    )
    engine.record_measurement(indicator, Decimal(200), date(2026, 2, 1), "Første", actor=None)
    engine.record_measurement(indicator, Decimal("350.25"), date(2026, 3, 1), actor=None)
    engine.add_risk(
        project,
        RiskDraft(RiskKind.RISK, "=Leverandøren svikter", "Én leverandør.", "Marked", cast.owner),
        Assessment(4, 5, 2, 3, Response.REDUCE, "To", RiskStatus.OPEN, date(2026, 6, 1)),
        actor=cast.leader,
    )
    engine.add_risk(
        project,
        RiskDraft(RiskKind.OPPORTUNITY, "Gjenbruk", "", "", None),
        Assessment(3, 2, None, None, Response.ACCEPT, "", RiskStatus.CLOSED, None),
        actor=cast.leader,
    )
    terms = {t.kind: t.id for t in engine.terms()}
    engine.save_plans(
        project,
        costs=[
            CostLine(2026, CostKind.INVESTMENT, 1_500_000),
            CostLine(2027, CostKind.OPERATING, -400_000, benefit, "Spart lisens"),
        ],
        people=[PeopleLine(2026, terms["unit"], terms["competence"], Decimal("1.5"), "")],
        seen=0,
        actor=cast.leader,
    )


def comparable(engine: Engine, project: int) -> dict[str, list[dict[str, object]]]:
    """The export's rows without what an import cannot carry over: who recorded a
    measurement, and when."""
    tables = engine.case_tables(project)
    for row in tables["measurements"]:
        row.pop("recorded_at"), row.pop("recorded_by"), row.pop("channel")
    for kind in tables:
        for row in tables[kind]:
            row.pop("project")
    return tables


def test_an_exported_workbook_imports_into_an_empty_project_as_the_same_data(
    engine: Engine, cast: Cast, project: int
) -> None:
    a_business_case(engine, cast, project)
    tables = engine.case_tables(project)
    for kind in tables:
        for row in tables[kind]:
            row["project"] = "Tom kopi"
    copy = engine.register_project("Tom kopi", owner=cast.owner, leader=cast.leader)
    plan = engine.check_case_files([("kopi.xlsx", case_workbook(tables, "nb"))])
    assert plan.ok, [p.say("en") for p in plan.problems]
    engine.import_case(plan, actor=cast.pmo)
    assert comparable(engine, copy) == comparable(engine, project)
    kinds = {e.kind for e in engine.audit_trail(copy)}
    assert {"BenefitAdded", "MeasurementRecorded", "RiskAssessed", "CostPlanSaved"} <= kinds


def test_csv_files_per_kind_round_trip_in_english(engine: Engine, cast: Cast, project: int) -> None:
    a_business_case(engine, cast, project)
    tables = engine.case_tables(project)
    files = [(csv_name(kind), case_csv(kind, rows, "en")) for kind, rows in tables.items()]
    plan = engine.check_case_files(files)
    assert plan.ok, [p.say("en") for p in plan.problems]
    assert sum(plan.counts().values()) == plan.counts()["measurements_known"] == 2
    engine.import_case(plan, actor=cast.pmo)
    assert engine.case_tables(project) == tables


def test_importing_the_same_measurements_twice_keeps_each_once(
    engine: Engine, cast: Cast, project: int
) -> None:
    a_business_case(engine, cast, project)
    rows = [
        ["Prosjekt", "Gevinst", "Indikator", "Verdi", "Måledato", "Kommentar"],
        ["Jakten på tidstyvene", "Spart tid", "Timer spart per år", "400", "2026-03-02", "Ny"],
        ["Jakten på tidstyvene", "Spart tid", "Timer spart per år", "350,25", "2026-03-01", ""],
        ["Jakten på tidstyvene", "Spart tid", "Timer spart per år", "400", "2026-03-02", "Igjen"],
    ]
    data = workbook({"Målinger": rows})
    first = engine.check_case_files([("m.xlsx", data)])
    assert first.counts()["measurements_added"] == 1
    assert first.counts()["measurements_known"] == 2
    engine.import_case(first, actor=cast.leader)
    engine.import_case(engine.check_case_files([("m.xlsx", data)]), actor=cast.leader)
    values = [m.value for m in engine.business_case(project).benefits[0].indicators[0].measurements]
    assert values == [Decimal(200), Decimal("350.25"), Decimal(400)]
    kept = engine.business_case(project).benefits[0].indicators[0].measurements[-1]
    assert (kept.channel, kept.comment) == ("import", "Ny")


def test_a_risk_row_reassesses_an_existing_risk_only_when_its_scores_change(
    engine: Engine, cast: Cast, project: int
) -> None:
    a_business_case(engine, cast, project)
    header = ["project", "title", "kind", "probability", "consequence", "response"]
    header += ["status", "next_review_on", "owner_email", "category", "description"]
    header += ["probability_after", "consequence_after", "mitigation"]
    same = ["Jakten på tidstyvene", "=Leverandøren svikter", "risk", 4, 5, "reduce", "open"]
    same += ["2026-06-01", "ole-kristian.tangen@asker.example", "Marked", "Én leverandør."]
    same += [2, 3, "To"]
    unchanged = engine.check_case_files([("r.xlsx", workbook({"risks": [header, same]}))])
    assert unchanged.ok
    assert not any(unchanged.counts().values())
    lower = [*same[:3], 2, *same[4:]]
    changed = engine.check_case_files([("r.xlsx", workbook({"risks": [header, lower]}))])
    assert changed.counts()["risks_assessed"] == 1
    engine.import_case(changed, actor=cast.owner)
    risk = engine.business_case(project).risks[0]
    assert (risk.probability, risk.score, len(risk.history)) == (2, 10, 2)
    assert risk.history[0].channel == "import"


def test_the_import_page_shows_the_dry_run_then_imports(app: App, cast: Cast, project: int) -> None:
    engine = app.engine
    broken = workbook(BROKEN)
    good = workbook({"Gevinster": [["Prosjekt", "Tittel", "Type"], [P, "Raskere svar", "quality"]]})
    with serve(app) as site:
        browser, csrf = signed_in(app, site, cast.pmo)
        with browser:
            checked = browser.post(
                "/admin/case-import?lang=en",
                data={"csrf": csrf, "action": "apply"},
                files={"file": ("gevinster.xlsx", broken, XLSX)},
                headers=HTML,
            )
            assert checked.status_code == 422
            cells = re.findall(r"<td>(.*?)</td>", checked.text.replace("<wbr>", ""))
            assert cells[:2] == [
                'gevinster.xlsx:Gevinster:2<br><span class="pg-muted">Prosjekt</span>',
                "There is no project called “Finnes ikke”.",
            ]
            dry = browser.post(
                "/admin/case-import",
                data={"csrf": csrf, "action": "check"},
                files={"file": ("gevinster.xlsx", good, XLSX)},
                headers=HTML,
            )
            assert dry.status_code == 200
            assert "nye gevinster: 1" in dry.text
            assert engine.business_case(project).benefits == ()
            carried = dict(re.findall(r'name="(kept(?:_name)?)" value="([^"]*)"', dry.text))
            done = browser.post(
                "/admin/case-import",
                data={"csrf": csrf, "action": "apply", **carried},
                files={"file": ("", b"", "application/octet-stream")},
                headers=HTML,
            )
            assert done.status_code == 200, done.text
            assert "Importert" in done.text
    assert [b.title for b in engine.business_case(project).benefits] == ["Raskere svar"]
