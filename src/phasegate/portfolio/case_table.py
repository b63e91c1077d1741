"""Business-case spreadsheets (benefits, indicators, measurements, risks, cost and people
plans): their columns, the words of their headers and choices, and reading them. No
database.

A workbook holds one sheet per kind, a CSV file one kind (known by its name, else by its
columns). Each column has a stable machine key (``baseline_on``) and words in each
language; an exported header says both, ``Nullpunktsdato [baseline_on]``, and an
imported header may be either, in any language. Choices (a benefit's kind, a risk's
response) are read as their key or as their words in any language.

:func:`read_case_files` reads every table of the files, each problem with its file,
sheet, row and column as a code (the words come from the catalog at the edge);
``case_plan.py`` checks the rows against the database's data, and
``engine/case_imports.py`` applies the plan. Nothing here writes. The export's cells are
made here too (:func:`header`, :func:`export_value`), so both ways share one list of
columns and words.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from pathlib import PurePath
from zoneinfo import ZoneInfo

from openpyxl import load_workbook

from phasegate.domain.benefits import (
    BenefitKind,
    Direction,
)
from phasegate.domain.plans import (
    CostKind,
)
from phasegate.domain.problems import Param, Problem
from phasegate.domain.risks import (
    Response,
    RiskKind,
    RiskStatus,
)
from phasegate.domain.text import tidy
from phasegate.errors import say_problem
from phasegate.i18n import LOCALES, words
from phasegate.portfolio.files import read_sheet

KINDS = ("benefits", "indicators", "measurements", "risks", "costs", "people")


@dataclass(frozen=True)
class Column:
    key: str
    required: bool = False
    length: int = 200
    lines: bool = False  # may hold several lines
    derived: bool = False  # written by the export for the reader, ignored by the import


def _c(key: str, *flags: str, length: int = 200) -> Column:
    return Column(key, "required" in flags, length, "lines" in flags, "derived" in flags)


_PROJECT = _c("project", "required")
#: Each kind's columns, in the order the export writes them.
COLUMNS: dict[str, tuple[Column, ...]] = {
    "benefits": (
        _PROJECT,
        _c("title", "required"),
        _c("kind", "required"),
        _c("owner_email", length=320),
        _c("description", "lines", length=4000),
        _c("status", "derived"),
    ),
    "indicators": (
        _PROJECT,
        _c("benefit", "required"),
        _c("name", "required"),
        _c("unit", "required", length=40),
        _c("direction", "required"),
        _c("baseline", "required", length=40),
        _c("baseline_on", "required", length=40),
        _c("target", "required", length=40),
        _c("target_on", "required", length=40),
        _c("plan_cycle", length=100),
        _c("plan_dates", length=2000),
        _c("latest", "derived"),
        _c("latest_on", "derived"),
        _c("achievement", "derived"),
        _c("percent", "derived"),
        _c("trend", "derived"),
    ),
    "measurements": (
        _PROJECT,
        _c("benefit", "required"),
        _c("indicator", "required"),
        _c("value", "required", length=40),
        _c("measured_on", "required", length=40),
        _c("comment", "lines", length=4000),
        _c("channel", "derived"),
        _c("recorded_by", "derived"),
        _c("recorded_at", "derived"),
    ),
    "risks": (
        _PROJECT,
        _c("title", "required"),
        _c("kind"),
        _c("category", length=80),
        _c("owner_email", length=320),
        _c("description", "lines", length=4000),
        _c("probability", "required", length=10),
        _c("consequence", "required", length=10),
        _c("probability_after", length=10),
        _c("consequence_after", length=10),
        _c("response", "required"),
        _c("mitigation", "lines", length=4000),
        _c("status"),
        _c("next_review_on", length=40),
        _c("score", "derived"),
        _c("score_after", "derived"),
    ),
    "costs": (
        _PROJECT,
        _c("year", "required", length=10),
        _c("kind", "required"),
        _c("amount", "required", length=40),
        _c("benefit"),
        _c("note", length=300),
    ),
    "people": (
        _PROJECT,
        _c("year", "required", length=10),
        _c("unit", "required", length=120),
        _c("competence", "required", length=120),
        _c("fte", "required", length=40),
        _c("note", length=300),
    ),
}

#: The choices a column takes, by kind and column; their words are
#: ``case_value_<set>_<value>``.
CHOICES: dict[tuple[str, str], tuple[str, type[StrEnum]]] = {
    ("benefits", "kind"): ("benefit_kind", BenefitKind),
    ("indicators", "direction"): ("direction", Direction),
    ("risks", "kind"): ("risk_kind", RiskKind),
    ("risks", "response"): ("response", Response),
    ("risks", "status"): ("risk_status", RiskStatus),
    ("costs", "kind"): ("cost_kind", CostKind),
}


def column_word(key: str, locale: str) -> str:
    return words(locale)(f"case_col_{key}")


def header(key: str, locale: str) -> str:
    """An exported column's header: its words, and its key for any reader."""
    return f"{column_word(key, locale)} [{key}]"


def sheet_name(kind: str, locale: str) -> str:
    return words(locale)(f"case_sheet_{kind}")


def choice_word(kind: str, column: str, value: str, locale: str) -> str:
    """A choice as the export writes it: in the reader's words."""
    name, _ = CHOICES[(kind, column)]
    return words(locale)(f"case_value_{name}_{value}")


#: The derived columns written in words too, by the word set they take.
_WORDED = {
    **{place: name for place, (name, _) in CHOICES.items()},
    ("benefits", "status"): "benefit_status",
    ("indicators", "trend"): "trend",
}


def export_value(kind: str, key: str, value: object, locale: str) -> object:
    """A value as the export writes it: a choice in the reader's words, a number without
    trailing zeros, anything else as it is."""
    if value is None or value == "":
        return None
    name = _WORDED.get((kind, key))
    if name is not None:
        return words(locale)(f"case_value_{name}_{value}")
    if isinstance(value, Decimal):
        return Decimal(format(value.normalize(), "f"))
    return value


def _key(text: str) -> str:
    """How names are compared: spaces evened out, case ignored."""
    return " ".join(text.replace("_", " ").split()).casefold()


def keyed(name: str) -> str:
    """How names are compared, and the key a :class:`~phasegate.portfolio.case_plan.Known`
    mapping is by: spaces evened out, case ignored."""
    return _key(name)


def choices_of(kind: str, column: str) -> dict[str, str]:
    """Every word (any language, or the key) a choice column takes, by its value."""
    return _choices(kind, column)


def _names(key: str, prefix: str) -> set[str]:
    return {_key(key)} | {_key(words(locale)(f"{prefix}{key}")) for locale in LOCALES}


_HEADERS = {
    kind: {name: column.key for column in columns for name in _names(column.key, "case_col_")}
    for kind, columns in COLUMNS.items()
}
_SHEETS = {name: kind for kind in KINDS for name in _names(kind, "case_sheet_")}


def _choices(kind: str, column: str) -> dict[str, str]:
    name, enum = CHOICES[(kind, column)]
    return {
        word: member.value
        for member in enum
        for word in _names(member.value, f"case_value_{name}_")
    }


# --- reading files ---------------------------------------------------------------------


@dataclass(frozen=True)
class RowProblem:
    """One problem, where it is: the file, its sheet (a workbook's), the row (1 is the
    header) and the column as the file names it."""

    file: str
    sheet: str | None
    row: int | None
    column: str | None
    problem: Problem

    def where(self) -> str:
        parts = [self.file] + ([self.sheet] if self.sheet else [])
        return ":".join(parts + ([str(self.row)] if self.row is not None else []))

    def say(self, locale: str | None, zone: ZoneInfo | None = None) -> str:
        """``file:sheet:row: column: words``, in the reader's language."""
        column = f"{self.column}: " if self.column else ""
        return f"{self.where()}: {column}{say_problem(self.problem, locale, zone)}"


@dataclass(frozen=True)
class Table:
    """One kind's rows: each row's number and its cells by column key (tidied text)."""

    file: str
    sheet: str | None
    kind: str
    titles: Mapping[str, str]  # column key -> the header as the file has it
    rows: tuple[tuple[int, Mapping[str, str]], ...]

    def problem(self, row: int | None, key: str | None, code: str, **params: Param) -> RowProblem:
        column = None if key is None else self.titles.get(key, key)
        return RowProblem(self.file, self.sheet, row, column, Problem.of(code, key, **params))


@dataclass(frozen=True)
class CaseFiles:
    """What was read from the files: the tables, and problems that stop a table."""

    tables: tuple[Table, ...] = ()
    problems: tuple[RowProblem, ...] = ()
    sources: tuple[str, ...] = ()


def read_case_files(files: Sequence[tuple[str, bytes]]) -> CaseFiles:
    """Every table in the files: each workbook's sheets, each CSV file."""
    tables: list[Table] = []
    problems: list[RowProblem] = []
    sources: list[str] = []
    for name, data in files:
        if data.startswith(b"PK\x03\x04"):
            found = _workbook_tables(name, data)
        else:
            found = _csv_table(name, data)
        tables += found.tables
        problems += found.problems
        sources += found.sources
    if not tables and not problems:
        problems.append(
            RowProblem(files[0][0] if files else "", None, None, None, _p("import_empty"))
        )
    return CaseFiles(tuple(tables), tuple(problems), tuple(sources))


def _p(code: str, field: str | None = None, **params: Param) -> Problem:
    return Problem.of(code, field, **params)


def _csv_table(name: str, data: bytes) -> CaseFiles:
    sheet = read_sheet(data, name)
    problems = [
        RowProblem(name, None, p.row, None, _p("import_unreadable", detail=p.message))
        for p in sheet.problems
    ]
    stem = PurePath(name).stem
    table = _table(name, None, _SHEETS.get(_key(stem)), sheet.rows, problems)
    return CaseFiles(
        () if table is None else (table,), tuple(problems), (f"{name}: {sheet.source}",)
    )


def _workbook_tables(name: str, data: bytes) -> CaseFiles:
    tables: list[Table] = []
    problems: list[RowProblem] = []
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, IndexError, OSError, ValueError, TypeError, SyntaxError):
        detail = "a zip file but not an Excel workbook (.xlsx)"
        return CaseFiles(
            problems=(RowProblem(name, None, None, None, _p("import_unreadable", detail=detail)),)
        )
    try:
        for sheet in book.worksheets:
            rows = [[_cell(value) for value in row] for row in sheet.iter_rows(values_only=True)]
            if not any(any(cell.strip() for cell in row) for row in rows):
                continue  # an empty sheet, as a new workbook has
            table = _table(name, sheet.title, _SHEETS.get(_key(sheet.title)), rows, problems)
            if table is not None:
                tables.append(table)
    finally:
        book.close()
    return CaseFiles(tuple(tables), tuple(problems), (f"{name}: an Excel workbook",))


def _cell(value: object) -> str:
    """A workbook cell as text: a day as ISO 8601, a whole number without ".0"."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return (
            value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat()
        )
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value)


def _table(
    file: str,
    sheet: str | None,
    kind: str | None,
    rows: list[list[str]],
    problems: list[RowProblem],
) -> Table | None:
    """The rows under the header, by column key; None (and a problem) if the header does
    not make sense."""
    if not rows:
        return None
    head = rows[0]
    if kind is None:
        kind = _kind_of({_key(_bracketed(title)) for title in head if title.strip()})
    if kind is None:
        where = sheet or PurePath(file).name
        names = [_key(k) for k in KINDS]
        problems.append(
            RowProblem(file, sheet, 1, None, _p("import_sheet_unknown", sheet=where, sheets=names))
        )
        return None
    before = len(problems)
    columns = _columns(file, sheet, kind, head, problems)
    if len(problems) > before:
        return None
    titles = {key: head[index].strip() for key, index in columns.items()}
    table = Table(file, sheet, kind, titles, ())
    body = [
        (number, _values(table, number, columns, cells, problems))
        for number, cells in enumerate(rows[1:], start=2)
        if any(cell.strip() for cell in cells)
    ]
    return Table(file, sheet, kind, titles, tuple(body))


def _columns(
    file: str, sheet: str | None, kind: str, head: list[str], problems: list[RowProblem]
) -> dict[str, int]:
    """Each known column's index; an unknown, doubled or missing column is a problem."""
    known = _HEADERS[kind]
    columns: dict[str, int] = {}
    for index, title in enumerate(head):
        if not title.strip():
            continue
        key = known.get(_key(_bracketed(title)))
        if key is None:
            choices = [c.key for c in COLUMNS[kind]]
            problem = _p("import_column_unknown", value=title.strip(), choices=choices)
        elif key in columns:
            problem = _p("import_column_twice")
        else:
            columns[key] = index
            continue
        problems.append(RowProblem(file, sheet, 1, title.strip(), problem))
    for column in COLUMNS[kind]:
        if column.required and column.key not in columns:
            missing = _p("import_column_missing", value=column.key)
            problems.append(RowProblem(file, sheet, 1, None, missing))
    return columns


def _values(
    table: Table,
    number: int,
    columns: Mapping[str, int],
    cells: list[str],
    problems: list[RowProblem],
) -> dict[str, str]:
    """A row's cells by column key, as phasegate keeps text; a cell that is not text or
    is too long is a problem, and is left out."""
    spec = {c.key: c for c in COLUMNS[table.kind]}
    values: dict[str, str] = {}
    for key, index in columns.items():
        column = spec[key]
        if column.derived:
            continue
        raw = _undefused(cells[index] if index < len(cells) else "")
        tidied = tidy(raw, lines=column.lines)
        if tidied.fault is not None:
            fault = str(tidied.fault)
            problems.append(table.problem(number, key, fault, char=tidied.char, at=tidied.at + 1))
            continue
        text = tidied.text.strip()
        if len(text) > column.length:
            problems.append(table.problem(number, key, "value_too_long", limit=column.length))
            continue
        values[key] = text
    return values


def _bracketed(title: str) -> str:
    """``Nullpunkt [baseline]`` -> ``baseline``: the key, when the header carries one."""
    text = title.strip()
    if text.endswith("]") and "[" in text:
        return text[text.rindex("[") + 1 : -1]
    return text


def _undefused(text: str) -> str:
    """A cell the export defused for Excel (``'-500``) as it was."""
    if text.startswith("'") and text[1:2] in ("=", "+", "-", "@"):
        return text[1:]
    return text


def _kind_of(keys: set[str]) -> str | None:
    """A CSV file's kind from its columns, when its name does not say."""
    telling = (
        ("measurements", "measured_on"),
        ("risks", "probability"),
        ("people", "fte"),
        ("costs", "amount"),
        ("indicators", "baseline"),
        ("benefits", "title"),
    )
    for kind, column in telling:
        if _names(column, "case_col_") & keys:
            return kind
    return None


def required(kind: str, key: str) -> bool:
    return any(c.key == key and c.required for c in COLUMNS[kind])


def parse_day(text: str) -> date | None:
    """ISO 8601 (2027-01-31), or as Norwegians write it (31.01.2027)."""
    try:
        if "." in text:
            day, month, year = text.split(".")
            return date(int(year), int(month), int(day))
        return date.fromisoformat(text[:10]) if len(text) in (10, 19) else None
    except ValueError:
        return None
