"""Writing tables for spreadsheets: cells Excel must never run, and the audit trail.

Exports never fail on data: every cell's text is made :func:`~phasegate.domain.text.legible`
first, because the database may hold what no file can (a NUL, Word's line break ``\v``,
half a character), from before text was checked at the door or from other tools. Line
breaks become spaces, control characters are dropped, and a half character shows as
U+FFFD. Then text that Excel would run as a formula (starting with = + - @, a tab or a
carriage return) gets a leading apostrophe in a CSV file. The overview's exports and the
audit trail's export both write their cells through :func:`shown` and :func:`defused`.

The audit trail as JSON keeps every value as it is stored (JSON escapes control
characters itself), except a half character, which no UTF-8 file can hold.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from datetime import date
from typing import Any, TypeVar

from phasegate.domain.text import encodable, legible
from phasegate.engine.views import AuditEntry

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
AUDIT_COLUMNS = ("id", "occurred_at", "kind", "actor", "actor_id", "project_id", "payload")
V = TypeVar("V")


def shown(value: Any) -> str:
    """A cell's text: nothing for None, ISO 8601 for dates, and text made legible."""
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    return legible(str(value))


def sheet_value(value: V) -> V | str:
    """The value for a workbook cell: text made legible (openpyxl refuses control
    characters, and a half character cannot be saved); numbers and dates as they are."""
    return legible(value) if isinstance(value, str) else value


def defused(value: Any) -> str:
    """The cell's text, with an apostrophe in front if Excel would run it as a formula.
    Leading spaces do not hide a formula: a tab or a line break in front of one has
    become a space by now, and it was a formula before."""
    text = shown(value)
    return "'" + text if text.lstrip().startswith(FORMULA_START) else text


def audit_records(entries: Iterable[AuditEntry]) -> list[dict[str, Any]]:
    """The audit trail as plain JSON-ready records, in the order given."""
    return [
        {
            "id": e.id,
            "occurred_at": e.occurred_at.isoformat(),
            "kind": e.kind,
            "actor": e.actor,
            "actor_id": e.actor_id,
            "project_id": e.project_id,
            "payload": e.payload,
        }
        for e in entries
    ]


def audit_json(entries: Iterable[AuditEntry]) -> str:
    """The audit trail as JSON, readable letters and all; it always encodes as UTF-8."""
    text = json.dumps(audit_records(entries), ensure_ascii=False, indent=2, default=str)
    # json.dumps escapes control characters but passes half characters through raw, and
    # UTF-8 cannot hold them; "\ud83d" escaped instead would stop strict JSON readers.
    return encodable(text) + "\n"


def excel_csv(header: Iterable[str], rows: Iterable[Iterable[Any]]) -> bytes:
    """A CSV file Excel opens as it is: ``;``-separated, UTF-8 with a byte order mark, the
    header line, then one line per row with every cell :func:`defused`."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow([shown(title) for title in header])
    writer.writerows([defused(cell) for cell in row] for row in rows)
    return out.getvalue().encode("utf-8-sig")


def audit_csv(entries: Iterable[AuditEntry]) -> bytes:
    """The audit trail for Excel, one line per entry; the payload is a JSON object in its
    own cell."""
    records = audit_records(entries)
    for record in records:
        payload = json.dumps(record["payload"], ensure_ascii=False, default=str)
        record["payload"] = encodable(payload)
    return excel_csv(AUDIT_COLUMNS, ([r[column] for column in AUDIT_COLUMNS] for r in records))
