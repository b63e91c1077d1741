"""The annual cycle's commands, run as a user runs them: `wheel check|show`, `tick --now`,
`person digest`, and a clear refusal to start with a broken wheel file."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from phasegate.bootstrap import build
from phasegate.storage.database import connect, upgrade
from phasegate.storage.tables import Person
from tests.cycle_support import TERTIAL, wheel_file
from tests.factories import make_settings
from tests.processes import cli_env, run_phasegate

BROKEN = """\
name: arshjul
version: 1
title: {nb: Årshjul}
timezone: Europe/Oslo
events:
  - id: tertial-1
    kind: reporting_cycle
    label: {nb: 1. tertialrapport}
    rrule: "FREQ=YEARLY;BYMONTH=4;BYMONTHDAY=31"
    start: "2027-04-30 12:00"
    phases: [exekvering]
"""


@pytest.fixture
def database(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'phasegate.db'}"
    upgrade(connect(url))
    return url


def test_wheel_check_accepts_the_shipped_wheel(tmp_path: Path) -> None:
    done = run_phasegate("wheel", "check", cwd=tmp_path, env=cli_env())
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().endswith("arshjul.yaml: ok")


def test_wheel_check_names_every_problem_with_its_line(tmp_path: Path) -> None:
    broken = tmp_path / "arshjul.yaml"
    broken.write_text(BROKEN, encoding="utf-8")
    done = run_phasegate("wheel", "check", str(broken), cwd=tmp_path, env=cli_env())
    assert done.returncode == 1
    lines = done.stderr.splitlines()
    assert any(f"{broken}:9:" in line and "never gives a date" in line for line in lines), (
        done.stderr
    )
    assert any(
        f"{broken}:11:" in line and "exekvering" in line and "execution" in line for line in lines
    ), done.stderr
    assert lines[-1] == f"{broken}: 2 problem(s)"


def test_a_broken_wheel_stops_the_start_with_the_problems(tmp_path: Path, database: str) -> None:
    broken = tmp_path / "arshjul.yaml"
    broken.write_text(BROKEN, encoding="utf-8")
    env = cli_env(database_url=database, wheel_file=str(broken))
    done = run_phasegate("tick", cwd=tmp_path, env=env)
    assert done.returncode == 2
    assert done.stderr.startswith("error: The wheel file has problems (2). Fix them and run")
    assert "Traceback" not in done.stderr


def test_wheel_show_lists_the_year_on_working_days(tmp_path: Path) -> None:
    done = run_phasegate(
        "wheel", "show", "--from", "2028-04-01", "--days", "60", cwd=tmp_path, env=cli_env()
    )
    assert done.returncode == 0, done.stderr
    # 30 April 2028 is a Sunday and 1 May a holiday: the cut-off moves to Tuesday 2 May.
    tertial = [line for line in done.stdout.splitlines() if "1. tertialrapport" in line]
    assert tertial == [line for line in tertial if line.startswith("2028-05-02 Tue 12:00")] != []
    assert "moved from a day off" in tertial[0]


def test_tick_at_a_given_moment_opens_the_cycle_and_queues_the_requests(
    tmp_path: Path, database: str
) -> None:
    wheel = wheel_file(tmp_path, TERTIAL)
    app = build(make_settings(database, wheel_file=wheel))
    leader = app.engine.register_person("Ragnar Husum", "ragnar.husum@asker.example")
    app.engine.register_project("Nytt rådhus", owner=None, leader=leader, phase="execution")
    app.database.dispose()
    env = cli_env(database_url=database, wheel_file=str(wheel))

    early = run_phasegate("tick", "--now", "2027-04-15T08:00", cwd=tmp_path, env=env)
    assert early.returncode == 0, early.stderr
    assert "0 report(s) requested" in early.stdout
    due = run_phasegate("tick", "--now", "2027-04-16T08:00", cwd=tmp_path, env=env)
    assert due.returncode == 0, due.stderr
    assert due.stdout.startswith("tick at 2027-04-16 08:00 CEST: 1 wheel event(s) opened")
    assert "1 report(s) requested" in due.stdout
    assert "/dev/mailbox" in due.stdout
    again = run_phasegate("tick", "--now", "2027-04-16T08:00:30+02:00", cwd=tmp_path, env=env)
    assert "0 wheel event(s) opened, 0 report(s) requested" in again.stdout


def test_tick_refuses_a_time_it_cannot_read(tmp_path: Path, database: str) -> None:
    done = run_phasegate(
        "tick", "--now", "16 April", cwd=tmp_path, env=cli_env(database_url=database)
    )
    assert done.returncode == 2
    assert "is not an ISO 8601 time; write it like 2027-04-19T08:00" in done.stderr


def test_a_person_chooses_the_daily_digest(tmp_path: Path, database: str) -> None:
    app = build(make_settings(database))
    person = app.engine.register_person("Kari Nordmann", "kari.nordmann@asker.example")
    env = cli_env(database_url=database)
    done = run_phasegate("person", "digest", "Kari.Nordmann@asker.example", cwd=tmp_path, env=env)
    assert done.returncode == 0, done.stderr
    assert "one daily digest" in done.stdout
    with app.database.connect() as conn:
        assert conn.execute(select(Person.digest).where(Person.id == person)).scalar_one()
    off = run_phasegate(
        "person", "digest", "kari.nordmann@asker.example", "--off", cwd=tmp_path, env=env
    )
    assert off.returncode == 0, off.stderr
    with app.database.connect() as conn:
        assert not conn.execute(select(Person.digest).where(Person.id == person)).scalar_one()
    unknown = run_phasegate("person", "digest", "nobody@asker.example", cwd=tmp_path, env=env)
    assert unknown.returncode == 2
    assert "No one is registered with the email address nobody@asker.example" in unknown.stderr
    app.database.dispose()
