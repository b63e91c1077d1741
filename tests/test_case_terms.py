"""The PMO's lists of organisational units and competences: kept on the admin pages and
the command line; a retired one stays on the plans that have it and is offered for no new
line."""

from __future__ import annotations

import re
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from typer.testing import CliRunner

from phasegate.bootstrap import App
from phasegate.cli import cli
from phasegate.domain.plans import PeopleLine
from tests.factories import WORKFLOWS, Cast
from tests.web_support import HTML, signed_in
from tests.webserver import serve


@pytest.fixture
def site(app: App) -> Iterator[str]:
    with serve(app) as url:
        yield url


def test_the_pmo_adds_renames_and_retires_a_unit_on_the_admin_page(
    app: App, cast: Cast, site: str
) -> None:
    engine = app.engine
    browser, csrf = signed_in(app, site, cast.pmo)
    with browser:
        added = browser.post(
            "/admin/terms?lang=nn", data={"csrf": csrf, "kind": "unit", "name": "Oppvekst"}
        )
        assert added.status_code == 303
        assert added.headers["location"] == "/admin/terms?done=1&lang=nn"
        term = engine.terms()[0]
        renamed = browser.post(
            f"/admin/terms/{term.id}",
            data={"csrf": csrf, "kind": "unit", "name": "Oppvekst og utdanning", "active": "true"},
        )
        retired = browser.post(
            f"/admin/terms/{term.id}",
            data={"csrf": csrf, "kind": "unit", "name": "Oppvekst og utdanning", "active": "false"},
        )
        assert (renamed.status_code, retired.status_code) == (303, 303)
        page = browser.get("/admin/terms?lang=nn", headers=HTML)
        assert "Teken ut av bruk" in page.text
        assert 'value="Oppvekst og utdanning"' in page.text
        twice = browser.post(
            "/admin/terms?lang=en",
            data={"csrf": csrf, "kind": "unit", "name": "Oppvekst og utdanning"},
            headers=HTML,
        )
        assert twice.status_code == 422
        assert re.search(r'id="add-unit"[^>]*aria-invalid="true"', twice.text)
        assert "is already in the list" in twice.text
    assert [(t.name, t.active) for t in engine.terms()] == [("Oppvekst og utdanning", False)]
    board, board_csrf = signed_in(app, site, cast.board[0])
    with board:
        refused = board.post(
            "/admin/terms", data={"csrf": board_csrf, "kind": "competence", "name": "Jus"}
        )
    assert refused.status_code == 403
    assert len(engine.terms()) == 1


def test_a_retired_unit_stays_on_a_plan_but_a_new_import_line_may_not_use_it(
    app: App, cast: Cast
) -> None:
    engine = app.engine
    unit = engine.save_term("unit", "Plan og bygg", actor=cast.pmo)
    competence = engine.save_term("competence", "Arkitektur", actor=cast.pmo)
    kept = engine.register_project("Nytt rådhus", owner=cast.owner, leader=cast.leader)
    other = engine.register_project("Ny skole", owner=cast.owner, leader=cast.leader)
    line = PeopleLine(2026, unit, competence, Decimal(2))
    engine.save_plans(kept, people=[line], seen=0, actor=cast.leader)
    engine.save_term("unit", "Plan og bygg", term=unit, active=False, actor=cast.pmo)
    assert engine.business_case(kept).plan.people[0].unit == "Plan og bygg"
    rows = "project;year;unit;competence;fte\n"
    rows += "Nytt rådhus;2026;Plan og bygg;Arkitektur;2\nNy skole;2026;Plan og bygg;Arkitektur;1\n"
    plan = engine.check_case_files([("people.csv", rows.encode())])
    assert [p.say("en") for p in plan.problems] == [
        "people.csv:3: unit: “Plan og bygg” is retired and cannot be used on new lines."
    ]
    assert engine.business_case(other).plan.people == ()


def test_terms_on_the_command_line(app: App, database_url: str, tmp_path: Path) -> None:
    environment = {
        "PHASEGATE_DATABASE_URL": database_url,
        "PHASEGATE_WORKFLOWS_DIR": str(WORKFLOWS),
    }
    phasegate = CliRunner()
    added = phasegate.invoke(cli, ["terms", "add", "unit", "Oppvekst"], env=environment)
    assert added.exit_code == 0, added.output
    retired = phasegate.invoke(cli, ["terms", "retire", "unit", "Oppvekst"], env=environment)
    assert retired.exit_code == 0, retired.output
    twice = phasegate.invoke(cli, ["terms", "add", "unit", "Oppvekst"], env=environment)
    assert twice.exit_code == 2
    assert "already" in twice.stderr
    listed = phasegate.invoke(cli, ["terms", "list"], env=environment)
    assert re.fullmatch(r"unit\t\d+\tOppvekst  \(retired\)\n", listed.stdout)
    assert [(t.name, t.active) for t in app.engine.terms()] == [("Oppvekst", False)]
