"""The overview's Excel and CSV exports never fail on what the database holds.

Older imports let Word's line break (``\\v``) and other control characters into names,
and other tools can write anything. Such values are written here with SQL, as they got
there, and the real export functions must still give a file that Excel and the csv module
open, with the bad characters dropped or replaced and every other letter intact.
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from openpyxl import load_workbook
from sqlalchemy import insert, select, update

from phasegate.bootstrap import App
from phasegate.domain.model import Label
from phasegate.engine.overview import Filters, OverviewRow, Sort, read_overview
from phasegate.storage.tables import GateRequest, Person, Project
from phasegate.web.overview import csv_bytes, export_columns, words, xlsx_bytes

#: Every C0 control character, and the two noncharacters no file format can hold.
NOT_IN_A_CELL = [chr(code) for code in range(0x20)] + ["\ufffe", "\uffff"]
#: What a reader may see instead of a character the cell cannot hold.
STAND_INS = ("", " ", "\ufffd")
#: The exported columns whose text comes from the database, by their key.
TEXT_COLUMNS = ("name", "portfolio", "owner", "leader", "area", "gate")
ZONE = ZoneInfo("Europe/Oslo")


def exported(rows: tuple[OverviewRow, ...]) -> tuple[list[list[str]], list[list[str]]]:
    """The overview's rows as a reader sees them: in the workbook and in the CSV file,
    with the columns in ``TEXT_COLUMNS`` order, the header left out."""
    t = words("nb")
    columns = export_columns(t, "nb", ZONE)
    wanted = [next(i for i, c in enumerate(columns) if c.key == key) for key in TEXT_COLUMNS]
    sheet = load_workbook(io.BytesIO(xlsx_bytes(columns, rows, t))).active
    assert sheet is not None
    book = [[str(row[i] or "") for i in wanted] for row in sheet.iter_rows(2, values_only=True)]
    text = csv_bytes(columns, rows).decode("utf-8-sig")
    table = [[row[i] for i in wanted] for row in csv.reader(io.StringIO(text), delimiter=";")]
    return book, table[1:]


def shows(cell: str, stored: str, char: str) -> bool:
    """The reader sees the stored text with ``char`` dropped or replaced, and no more."""
    return cell in {stored.replace(char, stand_in) for stand_in in STAND_INS}


def test_every_control_character_in_every_text_field_exports_readable(
    app: App, database_url: str
) -> None:
    engine = app.engine
    seed = engine.register_project("Frø", owner=None, leader=None)  # pins the workflow
    chars = NOT_IN_A_CELL if database_url.startswith("sqlite") else NOT_IN_A_CELL[1:]
    stored: dict[str, list[str]] = {}  # "Prosjekt NN" -> the stored texts, TEXT_COLUMNS order
    now = datetime.now(UTC)
    with app.database.begin() as conn:
        conn.execute(update(Project).where(Project.id == seed).values(name="Frø æøå"))
        template = conn.execute(select(Project).where(Project.id == seed)).one()
        for number, char in enumerate(chars):
            key = f"Prosjekt {number:02d}"
            texts = [f"{what} {number:02d} A{char}B æøå" for what in TEXT_COLUMNS]
            texts[0] = f"{key} A{char}B æøå"
            stored[key] = texts
            name, portfolio, owner, leader, area, gate = texts
            people = [
                conn.execute(
                    insert(Person).returning(Person.id),
                    {"name": who, "email": f"{role}{number}@x.example", "created_at": now},
                ).scalar_one()
                for role, who in (("owner", owner), ("leader", leader))
            ]
            project = conn.execute(
                insert(Project).returning(Project.id),
                {
                    "name": name,
                    "owner_id": people[0],
                    "leader_id": people[1],
                    "development_area": area,
                    "portfolio": portfolio,
                    "description": f"A{char}B",
                    "phase": template.phase,
                    "status": "active",
                    "workflow_name": template.workflow_name,
                    "workflow_version": template.workflow_version,
                    "phase_entered_at": now,
                    "created_at": now,
                },
            ).scalar_one()
            conn.execute(
                insert(GateRequest),
                {
                    "project_id": project,
                    "gate_id": gate,
                    "from_phase": template.phase,
                    "to_phase": "concept",
                    "policy": "majority",
                    "decider_role": "board",
                    "status": "open",
                    "checklist": {},
                    "documents": {},
                    "submitted_at": now,
                },
            )

    found = read_overview(engine, Filters(), Sort("name"), ZONE)
    book, table = exported(found.rows)
    assert len(book) == len(table) == len(chars) + 1
    for cells in (book, table):
        seen = set()
        for row in cells:
            if row[0] == "Frø æøå":
                continue
            key = row[0][: len("Prosjekt 00")]
            char = chars[int(key[-2:])]
            texts = stored[key]
            assert all(shows(cell, text, char) for cell, text in zip(row, texts, strict=True)), (
                f"U+{ord(char):04X}: {row!r}"
            )
            seen.add(key)
        assert seen == set(stored)


def test_half_a_character_in_every_text_field_exports_as_a_replacement() -> None:
    # Neither database gives one back from a text column (PostgreSQL refuses to store it,
    # SQLite's driver to read it), so these rows are as any other caller could hand them.
    half = "\ud83d"  # what JavaScript makes of an emoji cut in two
    texts = [f"{what} A{half}B æøå" for what in TEXT_COLUMNS]
    name, portfolio, owner, leader, area, gate = texts
    row = OverviewRow(
        id=1,
        name=name,
        portfolio=portfolio,
        owner=owner,
        owner_id=1,
        leader=leader,
        phase="idea",
        phase_label=Label("Idé", "Idea"),
        phase_rank=0,
        status="active",
        development_area=area,
        lights={},
        report_published_at=None,
        report_age_days=None,
        open_gate=gate,
        open_gate_due=None,
        next_deadline=None,
    )
    book, table = exported((row,))
    expected = [text.replace(half, "\ufffd") for text in texts]
    assert book == table == [expected]


def test_a_formula_behind_a_control_character_is_still_defused() -> None:
    row = OverviewRow(
        id=1,
        name='\x00=HYPERLINK("http://x.example")',
        portfolio="\v+1",
        owner=None,
        owner_id=None,
        leader=None,
        phase="idea",
        phase_label=Label("Idé", "Idea"),
        phase_rank=0,
        status="active",
        development_area=None,
        lights={},
        report_published_at=None,
        report_age_days=None,
        open_gate=None,
        open_gate_due=None,
        next_deadline=None,
    )
    book, table = exported((row,))
    assert table[0][:2] == ['\'=HYPERLINK("http://x.example")', "' +1"]
    assert book[0][0] == '=HYPERLINK("http://x.example")'  # text in the workbook, not a formula
