"""Importing a portfolio from CSV or Excel: all of it or none, every problem row by row."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from phasegate.engine.service import Engine
from phasegate.errors import DuplicateName, RuleViolation
from phasegate.portfolio.table import ImportPlan, plan_import
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
    good = tmp_path / "good.csv"  # as Excel saves it, with a Word line break in a name
    good.write_bytes(VALID.replace("Ny skole", "Ny\vskole").encode("cp1252"))
    domain = ("--email-domain", "asker.example")
    done = run_phasegate(
        "portfolio", "import", str(good), "--dry-run", *domain, cwd=tmp_path, env=env
    )
    assert done.returncode == 0, done.stderr
    assert f'{good}: read as CSV in Windows-1252, ";" between fields' in done.stdout
    assert f'{good}: row 2: column "Prosjekt": a line break became a space: "Ny skole"' in (
        done.stdout
    )
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
        "portfolio", "import", str(good), "--portfolio", "20\x0127", env=env, cwd=tmp_path
    )
    assert done.returncode == 2
    assert "--portfolio contains a control character (U+0001" in done.stderr
    done = run_phasegate(
        "portfolio", "import", str(good), "--portfolio", "2027", *domain, cwd=tmp_path, env=env
    )
    assert done.returncode == 0, done.stderr
    with database.begin() as conn:
        assert conn.execute(select(func.count()).select_from(Project)).scalar_one() == 3
    database.dispose()


# Files as people have them, and careless or hostile cells.

SEED = "Prosjekt;Eier;Prosjektleder;Fase;Beskrivelse"


def description_of(engine: Engine, name: str) -> str:
    with engine.reading() as conn:
        found = conn.execute(select(Project.description).where(Project.name == name))
        return str(found.scalar_one())


def refused(engine: Engine, plan: ImportPlan) -> list[str]:
    """The plan's problems, once importing it has been tried and has written nothing."""
    before = counts(engine)
    with pytest.raises(RuleViolation):
        engine.import_portfolio(plan)
    assert counts(engine) == before
    return [str(problem) for problem in plan.problems]


def test_windows_1252_file_imports_with_the_right_letters(engine: Engine, cast: Cast) -> None:
    text = f"{SEED}\nGrønn skolegård;Åse Ærlig;Bjørn Øvre;Konsept;Utearealer på Østre\n"
    plan = engine.check_portfolio_file(text.encode("cp1252"), "excel.csv", email_domain="x.no")
    assert plan.ok, plan.problems
    assert "Windows-1252" in plan.source
    engine.import_portfolio(plan)
    (project,) = engine.portfolio()
    assert project.name == "Grønn skolegård"
    assert {p.name for p in engine.people()} >= {"Åse Ærlig", "Bjørn Øvre"}
    assert description_of(engine, project.name) == "Utearealer på Østre"


def test_excel_unicode_text_and_utf8_with_a_byte_order_mark_import_alike(
    engine: Engine, cast: Cast
) -> None:
    rows = ["Prosjekt", "Eier", "Prosjektleder", "Fase"], ["Nytt bibliotek", "", "", "Idé"]
    tabbed = "\r\n".join("\t".join(row) for row in rows).encode("utf-16")
    plan = engine.check_portfolio_file(tabbed, "unicode.txt")
    assert plan.ok, plan.problems
    assert "UTF-16" in plan.source
    assert "tab" in plan.source
    assert [p.name for p in plan.projects] == ["Nytt bibliotek"]
    marked = engine.check_portfolio_file(("\ufeff" + VALID).encode(), "p.csv")
    assert "byte order mark" in marked.source
    assert marked.ok, marked.problems


def test_a_file_that_mixes_utf8_and_windows_1252_is_refused(engine: Engine, cast: Cast) -> None:
    data = f"{SEED}\nGrønn by;;;Idé;\n".encode() + "Blå by;;;Idé;\n".encode("cp1252")
    plan = engine.check_portfolio_file(data, "p.csv")
    (problem,) = refused(engine, plan)
    assert "mixes UTF-8 with another encoding (lines 2 and 3)" in problem
    assert 'save it as "CSV UTF-8"' in problem


def test_a_quote_that_never_closes_is_refused_on_the_row_where_it_opened(
    engine: Engine, cast: Cast
) -> None:
    text = "Prosjekt;Eier;Prosjektleder;Fase\n" + '"Halv;B;C;Konsept\n'
    text += "Annet;B;C;Konsept\n" * 20_000
    plan = engine.check_portfolio_file(text.encode(), "q.csv", email_domain="x.example")
    (problem,) = refused(engine, plan)
    assert problem.startswith('row 2: the quote (") that opens the cell in column "Prosjekt"')
    assert "is never closed" in problem


def test_an_oversized_cell_is_refused_naming_its_row_and_column(engine: Engine, cast: Cast) -> None:
    huge = "Lang tekst. " * 20_000  # past the csv module's field limit of 131 072
    text = f'{SEED}\nKort;;;Idé;Kort nok\n{"x" * 201};;;Idé;\nLang;;;Idé;"{huge}"\n'
    plan = engine.check_portfolio_file(text.encode(), "p.csv")
    problems = refused(engine, plan)
    assert problems == [
        'row 3: column "Prosjekt" holds 201 characters; it may hold at most 200',
        f'row 4: column "Beskrivelse" holds {len(huge.strip())} characters; '
        "it may hold at most 4000",
    ]


def test_a_cell_that_is_not_text_is_refused_naming_its_row_and_column(
    engine: Engine, cast: Cast
) -> None:
    text = "\n".join(
        [
            SEED,
            "Null\x00byte;;;Idé;",
            "Ok;Styre\x01tegn;;Idé;",
            "Også ok;;;Idé;Kontroll\x80tegn",
            "Ikke\ufffetegn;;;Idé;",
            "God;;;Idé;",
        ]
    )
    plan = engine.check_portfolio_file(text.encode(), "p.csv")
    problems = refused(engine, plan)
    assert [p.split(":")[0] for p in problems] == ["row 2", "row 3", "row 4", "row 5"]
    assert 'column "Prosjekt" contains the NUL character (U+0000, at position 5)' in problems[0]
    assert 'column "Eier" contains a control character (U+0001' in problems[1]
    assert 'column "Beskrivelse" contains a control character (U+0080' in problems[2]
    assert 'column "Prosjekt" contains U+FFFE' in problems[3]


def test_a_word_line_break_in_a_name_is_imported_as_a_space_and_the_dry_run_says_so(
    engine: Engine, cast: Cast
) -> None:
    text = f'{SEED}\nWord\vlinjeskift;Word Eier;Word Leder;Konsept;"Linje én\vLinje to"\n'
    plan = engine.check_portfolio_file(text.encode(), "w.csv", email_domain="example.org")
    assert plan.ok, plan.problems
    assert [str(note) for note in plan.notes] == [
        'row 2: column "Prosjekt": a line break became a space: "Word linjeskift"'
    ]
    engine.import_portfolio(plan)
    (project,) = engine.portfolio()
    assert project.name == "Word linjeskift"
    assert description_of(engine, project.name) == "Linje én\nLinje to"


def test_an_xlsx_renamed_csv_is_read_as_a_workbook(engine: Engine, cast: Cast) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Prosjekt", "Eier", "Prosjektleder", "Fase"])
    sheet.append(["Fra Excel", None, None, "Konsept"])
    out = io.BytesIO()
    book.save(out)
    plan = engine.check_portfolio_file(out.getvalue(), "portefolje.csv")
    assert plan.ok, plan.problems
    assert "Excel workbook" in plan.source
    assert [p.name for p in plan.projects] == ["Fra Excel"]


def test_an_old_xls_and_a_zip_that_is_no_workbook_are_refused_with_what_to_do(
    engine: Engine, cast: Cast
) -> None:
    ole2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504)
    (old,) = refused(engine, engine.check_portfolio_file(ole2, "portefolje.csv"))
    assert "old Excel workbook (.xls)" in old
    assert "save it as" in old
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("content.xml", "<office:document-content/>")
    (odd,) = refused(engine, engine.check_portfolio_file(archive.getvalue(), "p.ods"))
    assert "not an Excel workbook" in odd
