"""Importing a portfolio from CSV or Excel: all of it or none, every problem row by row."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from phasegate.engine.service import Engine
from phasegate.errors import DuplicateName
from phasegate.portfolio.table import plan_import
from phasegate.storage.database import connect, upgrade
from phasegate.storage.tables import AuditEvent, Person, Project
from phasegate.workflow.loader import load_workflow
from tests.factories import WORKFLOWS, Cast
from tests.processes import cli_env, run_phasegate

HEADER = "Prosjekt;Eier;Prosjektleder;Fase;Utviklingsområde;Eier e-post;Prosjektleder e-post"
VALID = "\n".join(
    [
        HEADER,
        "Ny skole;Ole-Kristian Tangen;Ragnar Husum;Idé;Oppvekst;;",
        "Digital byggesak;Anne Eier;Bo Leder;gjennomføring;Plan;"
        "anne@asker.example;bo@asker.example",
        "Grønn by;Anne Eier;Ragnar Husum;realisation;;anne@asker.example;",
    ]
)


def counts(engine: Engine) -> tuple[int, int, int]:
    with engine.reading() as conn:
        return (
            conn.execute(select(func.count()).select_from(Project)).scalar_one(),
            conn.execute(select(func.count()).select_from(Person)).scalar_one(),
            conn.execute(select(func.count()).select_from(AuditEvent)).scalar_one(),
        )


def test_a_semicolon_csv_imports_projects_people_and_phases(engine: Engine, cast: Cast) -> None:
    plan = engine.check_portfolio_file(("\ufeff" + VALID).encode(), "portefolje.csv")
    assert plan.ok, plan.problems
    assert [p.email for p in plan.new_people] == ["anne@asker.example", "bo@asker.example"]
    engine.import_portfolio(plan, portfolio="2027")
    projects = {p.name: p for p in engine.portfolio()}
    assert projects["Ny skole"].phase == "idea"
    assert projects["Digital byggesak"].phase == "execution"
    assert projects["Grønn by"].phase == "realisation"
    with engine.reading() as conn:
        row = conn.execute(select(Project).where(Project.name == "Ny skole")).one()
        assert (row.owner_id, row.leader_id, row.portfolio) == (cast.owner, cast.leader, "2027")
        assert row.development_area == "Oppvekst"
    assert any(e.kind == "ProjectRegistered" for e in engine.audit_trail())


def test_an_xlsx_with_english_headers_imports(engine: Engine, cast: Cast) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["project", "owner", "leader", "phase", "description", "owner_email"])
    sheet.append(["Ny skole", "Ole-Kristian Tangen", "Ragnar Husum", "concept", "Et bygg", None])
    sheet.append(["Ny vei", "Eva Ny", None, "Planlegge", None, "eva@asker.example"])
    out = io.BytesIO()
    book.save(out)
    plan = engine.check_portfolio_file(out.getvalue(), "portfolio.xlsx")
    assert plan.ok, plan.problems
    engine.import_portfolio(plan)
    phases = {p.name: p.phase for p in engine.portfolio()}
    assert phases == {"Ny skole": "concept", "Ny vei": "planning"}


def test_a_comma_csv_with_a_made_up_email_domain(engine: Engine, cast: Cast) -> None:
    text = "project,owner,leader,phase\nA,Åse Ødegård,Ragnar Husum,idea\n"
    plan = engine.check_portfolio_file(text.encode(), "p.csv", email_domain="asker.example")
    assert plan.ok, plan.problems
    assert [p.email for p in plan.new_people] == ["aase.odegaard@asker.example"]


def test_three_bad_rows_are_all_reported_and_nothing_is_written(engine: Engine, cast: Cast) -> None:
    engine.register_project("Finnes fra før", owner=None, leader=None)
    before = counts(engine)
    text = "\n".join(
        [
            HEADER,
            ";Anne Eier;Bo Leder;Idé;;anne@asker.example;bo@asker.example",
            "Ny skole;Anne Eier;Bo Leder;utførelse;;anne@asker.example;bo@asker.example",
            "Finnes fra før;Anne Eier;Bo Leder;Idé;;anne@other.example;ikke-epost",
            "God;Anne Eier;Bo Leder;Idé;;anne@asker.example;bo@asker.example",
        ]
    )
    plan = engine.check_portfolio_file(text.encode(), "p.csv")
    shown = [str(p) for p in plan.problems]
    assert shown[0] == "row 2: the project has no name"
    assert shown[1] == (
        'row 3: phase "utførelse" is not a phase of prosjektveiviseren: '
        "idé, konsept, planlegge, gjennomføre, avslutte, realisere"
    )
    assert 'row 4: project "Finnes fra før" is already in the portfolio' in shown
    assert any(s.startswith("row 4:") and "two email addresses" in s for s in shown)
    assert any(
        s.startswith("row 4:") and '"ikke-epost" is not an email address' in s for s in shown
    )
    assert not any(s.startswith("row 5") for s in shown)
    with pytest.raises(Exception, match="problem"):
        engine.import_portfolio(plan)
    assert counts(engine) == before


def test_unknown_and_missing_headers_are_named() -> None:
    definition = load_workflow(WORKFLOWS / "prosjektveiviseren.yaml")
    plan = plan_import(
        b"Prosjekt;Eier;Fasen\nA;B;idea\n",
        "x.csv",
        definition=definition,
        existing_projects=[],
        existing_people={},
    )
    shown = [str(p) for p in plan.problems]
    assert shown[0].startswith('row 1: unknown column "Fasen"; the known columns are prosjekt/')
    assert 'row 1: the column "prosjektleder" or "leader" is missing' in shown
    assert 'row 1: the column "fase" or "phase" is missing' in shown


def test_a_duplicate_within_the_file_is_reported(engine: Engine, cast: Cast) -> None:
    text = "prosjekt;eier;prosjektleder;fase\nA;;;idé\nB;;;idé\nA;;;konsept\n"
    plan = engine.check_portfolio_file(text.encode(), "p.csv")
    assert [str(p) for p in plan.problems] == ['row 4: project "A" is also on row 2']


def test_a_failure_halfway_through_the_write_leaves_nothing(engine: Engine, cast: Cast) -> None:
    plan = engine.check_portfolio_file(VALID.encode(), "p.csv")
    assert plan.ok
    # Someone registers the last project between the check and the write.
    engine.register_project("Grønn by", owner=None, leader=None)
    before = counts(engine)
    with pytest.raises(DuplicateName):
        engine.import_portfolio(plan)
    assert counts(engine) == before
    assert "Ny skole" not in {p.name for p in engine.portfolio()}


def test_the_cli_dry_run_writes_nothing_and_a_bad_file_fails(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'phasegate.db'}"
    upgrade(connect(url))
    env = cli_env(database_url=url)
    good = tmp_path / "good.csv"
    good.write_text(VALID, encoding="utf-8")
    domain = ("--email-domain", "asker.example")
    done = run_phasegate(
        "portfolio", "import", str(good), "--dry-run", *domain, cwd=tmp_path, env=env
    )
    assert done.returncode == 0, done.stderr
    assert "3 project(s) and 4 new people" in done.stdout
    assert "dry run" in done.stdout
    database = connect(url)
    with database.begin() as conn:
        assert conn.execute(select(func.count()).select_from(Project)).scalar_one() == 0

    bad = tmp_path / "bad.csv"
    bad.write_text(HEADER + "\nA;;;utførelse;;;\nB;;;idé;;;\nB;;;idé;;;\n", encoding="utf-8")
    done = run_phasegate("portfolio", "import", str(bad), cwd=tmp_path, env=env)
    assert done.returncode == 1
    assert f'{bad}: row 2: phase "utførelse"' in done.stderr
    assert f'{bad}: row 4: project "B" is also on row 3' in done.stderr
    with database.begin() as conn:
        assert conn.execute(select(func.count()).select_from(Project)).scalar_one() == 0

    done = run_phasegate(
        "portfolio", "import", str(good), "--portfolio", "2027", *domain, cwd=tmp_path, env=env
    )
    assert done.returncode == 0, done.stderr
    with database.begin() as conn:
        assert conn.execute(select(func.count()).select_from(Project)).scalar_one() == 3
    database.dispose()
