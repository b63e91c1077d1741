"""The demo: Asker kommune's 2015 and 2016 strategic portfolios, loaded safely twice."""

from __future__ import annotations

import stat
from pathlib import Path

from phasegate.demo.notice import where_the_emails_go
from phasegate.demo.seed import email_for, load_demo
from phasegate.engine.service import Engine
from phasegate.engine.views import ProjectView
from phasegate.settings import Settings
from tests.factories import TEST_SECRET
from tests.processes import cli_env, run_phasegate

PORTFOLIO_2015 = "Korrigert strategisk prosjektportefølje 2015"
PORTFOLIO_2016 = "Strategisk prosjektportefølje 2016"


def _by_name(engine: Engine) -> dict[str, ProjectView]:
    return {p.name: p for p in engine.portfolio()}


def test_the_demo_loads_asker_2015_projects_with_owner_leader_and_phase(engine: Engine) -> None:
    result = load_demo(engine)

    assert result.projects_added == 15
    assert result.projects_total == 15
    projects = _by_name(engine)
    assert len(projects) == 15
    assert sum(p.portfolio == PORTFOLIO_2015 for p in projects.values()) == 9

    digital = projects["Digitaliseringsstrategi"]
    assert (digital.owner, digital.leader) == ("Ole-Kristian Tangen", "Ragnar Husum")
    assert digital.phase == "execution"
    assert digital.phase_label.get("nb") == "Gjennomføre"
    assert digital.portfolio == PORTFOLIO_2015
    assert digital.status == "active"

    housing = projects["Boligpolitisk strategi"]  # "Ikke prosjekt" in the seed
    assert housing.phase == "idea"
    assert (housing.owner, housing.leader) == ("Kristine Andenæs", "Tuss Benum")

    assert projects["BFE – Barne- og Familieenheten"].phase == "realisation"
    assert projects["Folkehelse"].phase == "planning"
    assert projects["Tidlig innsats i Oppvekst"].phase == "closing"
    assert projects["AGP – Arbeidsgiverpolitisk plattform"].phase == "concept"


def test_the_demo_loads_asker_2016_projects_with_development_area_and_no_owner(
    engine: Engine,
) -> None:
    load_demo(engine)

    projects_2016 = [p for p in engine.portfolio() if p.portfolio == PORTFOLIO_2016]

    assert len(projects_2016) == 6
    assert all(p.owner is None and p.leader is None for p in projects_2016)
    assert all(p.phase == "concept" for p in projects_2016)
    kominn = next(p for p in projects_2016 if p.name == "KomInn 3.0")
    assert kominn.development_area == "Digital innovasjonsarena"
    assert {p.development_area for p in projects_2016} == {
        "Tjenestedesign",
        "Plusshus-barnehage",
        "Medborgerskap",
        "Digital innovasjonsarena",
        "Effektiviseringsarena",
        "Helsearena Sem",
    }


def test_the_demo_seats_a_board_of_three_and_invents_email_addresses(engine: Engine) -> None:
    load_demo(engine)

    people = {p.name: p for p in engine.people()}
    board = sorted(name for name, p in people.items() if "board" in p.roles)

    assert board == ["Hanne Solberg", "Ingrid Berg", "Per Lie"]
    assert "pmo" in people["Kari Nordmann"].roles
    assert people["Kristine Andenæs"].email == "kristine.andenaes@asker-kommune.example"
    assert people["Ole-Kristian Tangen"].email == "ole.kristian.tangen@asker-kommune.example"
    assert people["Tuss Benum"].roles == (), "an owner and leader, not a board member"


def test_loading_the_demo_twice_adds_nothing_the_second_time(engine: Engine) -> None:
    load_demo(engine)
    projects, people, events = engine.portfolio(), engine.people(), engine.audit_trail()

    again = load_demo(engine)

    assert (again.projects_added, again.people_added, again.projects_total) == (0, 0, 15)
    assert engine.portfolio() == projects
    assert engine.people() == people
    assert len(engine.audit_trail()) == len(events)


def test_email_addresses_are_invented_from_names_in_plain_ascii() -> None:
    assert email_for("Kristine Andenæs", "x.example") == "kristine.andenaes@x.example"
    assert email_for("Jostein Bø", "x.example") == "jostein.bo@x.example"
    assert email_for("Stine Førlie", "x.example") == "stine.forlie@x.example"
    assert email_for("Heidi K. S. Rustand", "x.example") == "heidi.k.s.rustand@x.example"
    assert email_for("Åse Ødegård", "x.example") == "aase.odegaard@x.example"


def test_demo_command_without_serving_creates_the_database_in_the_cwd_and_is_repeatable(
    tmp_path: Path,
) -> None:
    env = cli_env()  # no PHASEGATE_DATABASE_URL: the default SQLite file in the cwd

    first = run_phasegate("demo", "--no-serve", cwd=tmp_path, env=env)

    assert first.returncode == 0, first.stderr
    assert "Demo portfolio ready: 15 projects (15 added now" in first.stdout
    assert (tmp_path / "phasegate.db").is_file()
    secret = tmp_path / "phasegate.db.secret_key"
    assert secret.is_file(), "the development signing key is kept beside the database"
    assert stat.S_IMODE(secret.stat().st_mode) == 0o600
    first_secret = secret.read_text(encoding="utf-8")
    assert "phasegate is at" not in first.stdout, "--no-serve does not start the server"
    assert "the development mailbox, http://127.0.0.1:8000/dev/mailbox" in first.stdout

    second = run_phasegate("demo", "--no-serve", cwd=tmp_path, env=env)

    assert second.returncode == 0, second.stderr
    assert "15 projects (0 added now, 0 people added)" in second.stdout
    assert secret.read_text(encoding="utf-8") == first_secret, "the same key after a restart"


def test_with_a_mail_server_the_demo_says_the_emails_go_there_and_not_to_the_mailbox(
    tmp_path: Path,
) -> None:
    env = cli_env(smtp_url="smtp://demo:hemmelig@mail.asker.example:2525")

    shown = run_phasegate("demo", "--no-serve", cwd=tmp_path, env=env)

    assert shown.returncode == 0, shown.stderr
    assert "the mail server mail.asker.example:2525 when `phasegate serve`" in shown.stdout
    assert "/dev/" not in shown.stdout, "no mailbox and no one-click sign-in with SMTP set"
    assert "hemmelig" not in shown.stdout


def test_in_production_without_smtp_the_demo_says_the_emails_wait_in_the_outbox() -> None:
    settings = Settings.load({"PHASEGATE_ENV": "production", "PHASEGATE_SECRET_KEY": TEST_SECRET})

    said = where_the_emails_go(settings, serving=True)

    assert said.startswith("they wait in the outbox (`phasegate mail list`)")
    assert "mailbox" not in said
