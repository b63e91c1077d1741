"""The demo: Asker kommune's 2015 and 2016 portfolios, loaded safely twice, and six projects'
benefits, risks and plans, marked as demo data, with a measurement and a review due."""

from __future__ import annotations

import stat
from datetime import date
from decimal import Decimal
from pathlib import Path

from phasegate.bootstrap import App
from phasegate.demo.business_case import relative_day
from phasegate.demo.notice import where_the_emails_go
from phasegate.demo.seed import email_for, load_demo
from phasegate.domain.benefits import BenefitKind, BenefitStatus, achievement, expected_on
from phasegate.domain.model import Requirement
from phasegate.domain.plans import CostKind
from phasegate.domain.risks import RiskStatus
from phasegate.engine.business_case import BusinessCase
from phasegate.engine.service import Engine
from phasegate.engine.views import ProjectView
from phasegate.settings import Settings
from tests.cycle_support import outbox
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
    assert again.cases_added == 0, "no second set of benefits, risks or plans"
    assert engine.portfolio() == projects
    assert engine.people() == people
    assert len(engine.audit_trail()) == len(events)


def _cases(engine: Engine) -> dict[str, BusinessCase]:
    return {p.name: engine.business_case(p.id) for p in engine.portfolio()}


def test_six_demo_projects_have_measured_benefits_risks_and_plans_and_all_past_bp3_a_baseline(
    engine: Engine,
) -> None:
    result = load_demo(engine)

    with_cases = {name: c for name, c in _cases(engine).items() if c.benefits}
    assert result.cases_added == len(with_cases) == 6
    assert "Jakten på tidstyvene" in with_cases
    this_year = engine.today().year
    for name, case in with_cases.items():
        assert 1 <= len(case.benefits) <= 3, name
        assert all(b.owner for b in case.benefits), f"{name}: every benefit has an owner"
        assert any(i.measurements for b in case.benefits for i in b.indicators), name
        assert 3 <= len(case.risks) <= 6, name
        assert all(r.owner and r.category for r in case.risks), name
        assert case.plan.people, name
        assert case.plan.year(this_year) is not None, name
        economic = {b.id for b in case.benefits if b.kind is BenefitKind.ECONOMIC}
        savings = [c.line for c in case.plan.costs if c.line.benefit in economic]
        assert savings
        assert all(s.kind is CostKind.OPERATING and s.amount < 0 for s in savings)

    benefits = [b for c in with_cases.values() for b in c.benefits]
    indicators = [i for b in benefits for i in b.indicators]
    today = engine.today()
    assert {b.status for b in benefits} >= {
        BenefitStatus.PLANNED,
        BenefitStatus.REALISING,
        BenefitStatus.REALISED,
    }
    assert any(not i.measurements for i in indicators), "one waits for its first measurement"
    behind = [  # below four fifths of the straight line from baseline to target
        i.name
        for i in indicators
        if i.progress.latest is not None
        and i.progress.achievement is not None
        and i.progress.achievement
        < Decimal("0.8")
        * achievement(i.definition, expected_on(i.definition, i.progress.latest.measured_on))
    ]
    assert behind == ["Gjennomsnittlig botid i midlertidig bolig"]
    assert {i.plan_cycle for i in indicators} >= {"tertial-2", "arsrapport", None}
    assert all(m.measured_on <= today for i in indicators for m in i.measurements)
    risks = [r for c in with_cases.values() for r in c.risks]
    assert any(len(r.history) > 1 for r in risks if r.status is RiskStatus.OPEN)
    assert sum(r.status is RiskStatus.CLOSED for r in risks) >= 1
    assert {r.category for r in risks} >= {"Økonomi", "Teknologi", "Organisasjon", "Personvern"}
    assert {t.name for t in engine.terms()} >= {"Helse og omsorg", "Jus/personvern"}

    later = [p for p in engine.portfolio() if p.phase in {"execution", "closing", "realisation"}]
    assert len(later) == 5
    for project in later:  # BP3 requires it of a project going into execution
        assert Requirement.BASELINED_BENEFIT in engine.business_case(project.id).met, project.name


def test_the_demo_cases_say_they_are_demo_data_and_a_tick_asks_for_one_measurement_and_review(
    app: App,
) -> None:
    load_demo(app.engine)

    cases = [c for c in _cases(app.engine).values() if c.benefits]
    texts = [b.description for c in cases for b in c.benefits]
    texts += [r.description for c in cases for r in c.risks]
    texts += [
        m.comment for c in cases for b in c.benefits for i in b.indicators for m in i.measurements
    ]
    texts += [line.line.note for c in cases for line in c.plan.costs]
    texts += [line.line.note for c in cases for line in c.plan.people]
    assert texts
    assert all(text.startswith("[Demodata]") for text in texts)

    report = app.ticker.tick()

    assert (report.measurements, report.risk_reviews) == (1, 1)
    (measurement,) = outbox(app, kind="measurement_requested")
    assert measurement.recipient == "marit.haugen@asker-kommune.example"
    assert "Telefonhenvendelser til servicetorget" in measurement.subject
    assert "/measure/" in measurement.body_text, "a signed link to the measurement form"
    (review,) = outbox(app, kind="risk_review_requested")
    assert review.recipient == "sofie.aas@asker-kommune.example"
    assert "Personopplysninger lagres utenfor godkjent løsning" in review.subject


def test_the_demo_dates_follow_the_day_it_is_loaded_even_a_leap_day() -> None:
    leap = date(2028, 2, 29)

    assert relative_day("today", leap) == leap
    assert relative_day("today+3d", leap) == date(2028, 3, 3)
    assert relative_day("today-6w", leap) == date(2028, 1, 18)
    assert relative_day("today-18m", leap) == date(2026, 8, 29)
    assert relative_day("today+1y", leap) == date(2029, 2, 28)


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
