"""The audit trail exported as CSV and JSON: same entries, same order, no formulas."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime
from pathlib import Path

import httpx
from sqlalchemy import insert

from phasegate.bootstrap import App
from phasegate.exports import audit_csv, audit_json
from phasegate.storage.database import connect, upgrade
from phasegate.storage.tables import AuditEvent, Person
from tests.factories import Cast
from tests.processes import cli_env, run_phasegate
from tests.webserver import serve


def rows_of(body: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(body.decode("utf-8-sig")), delimiter=";"))


def test_csv_and_json_hold_the_same_entries_in_order(app: App, cast: Cast) -> None:
    engine = app.engine
    project = engine.register_project('=HYPERLINK("x")', owner=cast.owner, leader=cast.leader)
    entries = engine.audit_trail(project)
    assert len(entries) >= 2
    rows = rows_of(audit_csv(entries))
    records = json.loads(audit_json(entries))
    assert [int(r["id"]) for r in rows] == [e.id for e in entries] == [r["id"] for r in records]
    assert [r["kind"] for r in rows] == [r["kind"] for r in records]
    registered = next(r for r in rows if r["kind"] == "ProjectRegistered")
    assert json.loads(registered["payload"])["name"] == '=HYPERLINK("x")'  # a JSON cell, safe


def test_a_formula_in_a_cell_is_defused(app: App, cast: Cast) -> None:
    engine = app.engine
    person = engine.register_person("=cmd|' /C calc'!A0", "evil@asker.example")
    engine.grant_role(person, "pmo")
    engine.register_project("Trygg", owner=None, leader=None, actor=person)
    rows = rows_of(audit_csv(engine.audit_trail()))
    actors = {r["actor"] for r in rows}
    assert "'=cmd|' /C calc'!A0" in actors
    assert not any(cell.startswith(("=", "+", "-", "@")) for r in rows for cell in r.values())


def test_the_api_serves_a_projects_trail_as_csv(app: App, cast: Cast) -> None:
    project = app.engine.register_project("Ny skole", owner=cast.owner, leader=cast.leader)
    _, token = app.engine.create_api_token("test", actor=cast.pmo)
    with serve(app) as site:
        anonymous = httpx.get(f"{site}/api/projects/{project}/audit.csv")
        assert anonymous.status_code == 401
        auth = {"authorization": f"Bearer {token}"}
        answer = httpx.get(f"{site}/api/projects/{project}/audit.csv", headers=auth)
        assert answer.status_code == 200
        assert answer.headers["content-type"].startswith("text/csv")
        rows = rows_of(answer.content)
        assert [int(r["id"]) for r in rows] == [e.id for e in app.engine.audit_trail(project)]
        missing = httpx.get(f"{site}/api/projects/999999/audit.csv", headers=auth)
        assert missing.status_code == 404
        assert set(missing.json()) >= {"error", "message"}


def test_the_cli_exports_csv_and_json(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'phasegate.db'}"
    upgrade(connect(url))
    env = cli_env(database_url=url)
    table = tmp_path / "p.csv"
    table.write_text("project;owner;leader;phase\nA;;;idea\nB;;;concept\n", encoding="utf-8")
    assert run_phasegate("portfolio", "import", str(table), cwd=tmp_path, env=env).returncode == 0
    done = run_phasegate("audit", "export", "--format", "json", cwd=tmp_path, env=env)
    assert done.returncode == 0, done.stderr
    records = json.loads(done.stdout)
    assert [r["kind"] for r in records].count("ProjectRegistered") == 2
    out = tmp_path / "audit.csv"
    done = run_phasegate("audit", "export", "--output", str(out), cwd=tmp_path, env=env)
    assert done.returncode == 0, done.stderr
    rows = rows_of(out.read_bytes())
    assert [int(r["id"]) for r in rows] == [r["id"] for r in records]
    done = run_phasegate("audit", "export", "--project", "99", cwd=tmp_path, env=env)
    assert done.returncode != 0
    assert "Traceback" not in done.stderr


def readable(text: str, char: str) -> set[str]:
    """What a reader may see of ``text``: ``char`` dropped or replaced, and nothing else."""
    return {text.replace(char, stand_in) for stand_in in ("", " ", "\ufffd")}


def test_every_control_character_in_the_trail_exports_readable(
    app: App, cast: Cast, database_url: str
) -> None:
    # Written with SQL, as older imports and other tools left them. PostgreSQL holds no
    # NUL in text; only SQLite's JSON (escaped text) gives back half a character.
    sqlite = database_url.startswith("sqlite")
    chars = [chr(code) for code in range(0 if sqlite else 1, 0x20)] + ["\ufffe"]
    chars += ["\ud83d"] if sqlite else []
    now = datetime.now(UTC)
    stored: dict[str, tuple[str, str, str, str]] = {}  # kind -> char, actor, kind, name
    with app.database.begin() as conn:
        for number, char in enumerate(chars):
            whole = "" if char == "\ud83d" else char  # the text columns cannot hold it
            actor = f"Aktør {number:02d} A{whole}B æøå"
            kind = f"Hendelse{number:02d}A{whole}B"
            name = f"Navn A{char}B æøå"
            person = conn.execute(
                insert(Person).returning(Person.id),
                {"name": actor, "email": f"a{number}@x.example", "created_at": now},
            ).scalar_one()
            conn.execute(
                insert(AuditEvent),
                {"occurred_at": now, "kind": kind, "actor_id": person, "payload": {"name": name}},
            )
            stored[f"Hendelse{number:02d}"] = (char, actor, kind, name)

    entries = [e for e in app.engine.audit_trail() if e.kind.startswith("Hendelse")]
    rows = rows_of(audit_csv(entries))
    records = json.loads(audit_json(entries).encode("utf-8"))  # it encodes, whatever it holds
    assert len(rows) == len(records) == len(chars)
    for row, record in zip(rows, records, strict=True):
        char, actor, kind, name = stored[row["kind"][: len("Hendelse00")]]
        assert row["actor"] in readable(actor, char), row
        assert row["kind"] in readable(kind, char), row
        # JSON escapes a control character itself, so the payload may keep it.
        assert json.loads(row["payload"])["name"] in readable(name, char) | {name}, row
        whole = name.replace("\ud83d", "\ufffd")  # all that UTF-8 can hold of it
        assert (record["actor"], record["kind"], record["payload"]["name"]) == (
            actor,
            kind,
            whole,
        )
