"""Writing tables for spreadsheets: cells Excel must never run, and the audit trail.

Text that Excel would run as a formula (starting with = + - @, a tab or a carriage
return) gets a leading apostrophe in a CSV file. The overview's export and the audit
trail's export both write their cells through :func:`defused`.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from datetime import date
from typing import Any

from phasegate.engine.views import AuditEntry

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
AUDIT_COLUMNS = ("id", "occurred_at", "kind", "actor", "actor_id", "project_id", "payload")


def shown(value: Any) -> str:
    """A cell's text: nothing for None, ISO 8601 for dates."""
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def defused(value: Any) -> str:
    """The cell's text, with an apostrophe in front if Excel would run it as a formula."""
    text = shown(value)
    return "'" + text if text.startswith(FORMULA_START) else text


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
    return json.dumps(audit_records(entries), ensure_ascii=False, indent=2, default=str) + "\n"


def excel_csv(header: Iterable[str], rows: Iterable[Iterable[Any]]) -> bytes:
    """A CSV file Excel opens as it is: ``;``-separated, UTF-8 with a byte order mark, the
    header line, then one line per row with every cell :func:`defused`."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(header)
    writer.writerows([defused(cell) for cell in row] for row in rows)
    return out.getvalue().encode("utf-8-sig")


def audit_csv(entries: Iterable[AuditEntry]) -> bytes:
    """The audit trail for Excel, one line per entry; the payload is a JSON object in its
    own cell."""
    records = audit_records(entries)
    for record in records:
        record["payload"] = json.dumps(record["payload"], ensure_ascii=False, default=str)
    return excel_csv(AUDIT_COLUMNS, ([r[column] for column in AUDIT_COLUMNS] for r in records))
