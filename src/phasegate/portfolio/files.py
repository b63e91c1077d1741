"""Reading a portfolio file as people have it: which kind of file, which encoding, its rows.

People export their table from Excel, and Excel on a Norwegian Windows saves "CSV
(semikolonseparert)" in Windows-1252, "CSV UTF-8" with a byte order mark, and "Unicode
text" as UTF-16 with tabs between fields. All of these are read, and :class:`Sheet` says
which it was, so the dry run can tell. A workbook (``.xlsx``) is read whatever its name
ends in, since a renamed one is still a zip; an old binary ``.xls`` is refused with what
to do instead.

The CSV reader is phasegate's own rather than the ``csv`` module's, so that a quote that
opens and never closes is a problem on the row where it opened, and a cell has no size
limit here (the columns' own limits are checked, by name, in ``table.py``).
"""

from __future__ import annotations

import codecs
import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field

from openpyxl import load_workbook

from phasegate.domain.text import shown

ZIP = b"PK\x03\x04"
#: An OLE2 compound file: an old Excel workbook (.xls), or a password-protected .xlsx.
OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
SAVE_AS = 'open it in Excel and save it as "CSV UTF-8" or as an Excel workbook (.xlsx)'
DELIMITERS = (";", ",", "\t")
#: "æ", "ø", "å" and every other Latin letter in UTF-8: in a Windows-1252 file these two
#: bytes read "Ã¸" and the like, which Norwegian text never holds.
_UTF8_LATIN = re.compile(b"\xc3[\x80-\xbf]")


@dataclass(frozen=True)
class Problem:
    """What is wrong, and on which row of the file (1 is the header row) if on one."""

    message: str
    row: int | None = None

    def __str__(self) -> str:
        return self.message if self.row is None else f"row {self.row}: {self.message}"


@dataclass(frozen=True)
class Sheet:
    """The rows of a file (the header first) as text, what it was read as, and why the
    reading stopped early, if it did (the rows before that are all here)."""

    rows: list[list[str]] = field(default_factory=list)
    source: str = ""  # e.g. 'CSV in Windows-1252, ";" between fields'
    problems: list[Problem] = field(default_factory=list)


def read_sheet(data: bytes, filename: str) -> Sheet:
    """The file's rows, from a workbook's first sheet or from CSV text."""
    if data.startswith(ZIP):
        return _workbook(data, filename)
    if data.startswith(OLE2) or filename.lower().endswith(".xls"):
        return Sheet(
            problems=[
                Problem(
                    "the file is an old Excel workbook (.xls) or a password-protected one, "
                    f"which phasegate cannot read; {SAVE_AS}, without a password"
                )
            ]
        )
    if filename.lower().endswith((".xlsx", ".xlsm")):
        return Sheet(problems=[Problem(f"the file is named {filename} but is not a workbook")])
    decoded = _decode(data)
    if isinstance(decoded, Problem):
        return Sheet(problems=[decoded])
    text, encoding = decoded
    first = text.split("\n", 1)[0]
    delimiter = max(DELIMITERS, key=first.count)  # ties go to ";", the first
    named = "tab" if delimiter == "\t" else f'"{delimiter}"'
    rows, problems = _csv_rows(text, delimiter)
    return Sheet(rows, f"CSV in {encoding}, {named} between fields", problems)


def _decode(data: bytes) -> tuple[str, str] | Problem:
    """The text and the name of its encoding, or why it is not text phasegate can read."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16"), "UTF-16"
        except UnicodeDecodeError:
            return Problem(
                f"the file starts as UTF-16 text but is not UTF-16 throughout; {SAVE_AS}"
            )
    bom = data.startswith(codecs.BOM_UTF8)
    try:
        return data.decode("utf-8-sig"), "UTF-8 with a byte order mark" if bom else "UTF-8"
    except UnicodeDecodeError as exc:
        bad = _line_at(data, exc.start)
    latin = _UTF8_LATIN.search(data)
    if bom or latin is not None:
        good = 1 if latin is None else _line_at(data, latin.start())
        lines = f"line {bad}" if good == bad else f"lines {min(good, bad)} and {max(good, bad)}"
        return Problem(
            f"the file mixes UTF-8 with another encoding ({lines}), so some letters would "
            f"come out wrong; {SAVE_AS}"
        )
    try:
        return data.decode("cp1252"), "Windows-1252"
    except UnicodeDecodeError:
        return Problem(f"the file is neither UTF-8 nor Windows-1252 text (line {bad}); {SAVE_AS}")


def _line_at(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1


def _csv_rows(text: str, delimiter: str) -> tuple[list[list[str]], list[Problem]]:
    """Every row of the CSV text, as Excel reads it: a cell that starts with a quote runs
    to the next lone quote, line breaks and all, and ``""`` inside it is one quote."""
    rows: list[list[str]] = []
    for row in _records(text, delimiter):
        if isinstance(row, int):  # the column where a quote opened and never closed
            where = _column_name(rows[0], row) if rows else f"cell {row + 1}"
            return rows, [
                Problem(
                    f'the quote (") that opens {where} is never closed, so nothing after it '
                    "can be read; add the closing quote, or remove the opening one",
                    len(rows) + 1,
                )
            ]
        rows.append(row)
    return rows, []


def _column_name(header: list[str], index: int) -> str:
    title = header[index].strip() if index < len(header) else ""
    return f'the cell in column "{title}"' if title else f"cell {index + 1}"


def _records(text: str, delimiter: str) -> Iterator[list[str] | int]:
    """Each row's cells; an int instead (the cell's index) for a quote that never closes,
    which is then the end."""
    plain = re.compile(f"[^{re.escape(delimiter)}\r\n]*")
    # Possessive, so that an unclosed cell's "" pairs cannot be given back as its end.
    quoted = re.compile(r'"((?:[^"]++|"")*+)"')
    at, end = 0, len(text)
    while at < end:
        cells: list[str] = []
        while True:
            if text.startswith('"', at):
                found = quoted.match(text, at)
                if found is None:
                    yield len(cells)
                    return
                # Text after the closing quote joins the cell, as in Excel and csv.
                tail = plain.match(text, found.end())
                assert tail is not None  # the pattern matches the empty string
                cells.append(found.group(1).replace('""', '"') + tail.group())
            else:
                tail = plain.match(text, at)
                assert tail is not None
                cells.append(tail.group())
            at = tail.end()
            if not text.startswith(delimiter, at):
                break
            at += len(delimiter)
        at += 2 if text.startswith("\r\n", at) else 1
        yield cells


def _workbook(data: bytes, filename: str) -> Sheet:
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        try:
            sheet = book.worksheets[0]
            rows = [
                ["" if value is None else str(value) for value in row]
                for row in sheet.iter_rows(values_only=True)
            ]
        finally:
            book.close()
    except (zipfile.BadZipFile, KeyError, IndexError, OSError, ValueError, TypeError, SyntaxError):
        # A zip that is not a workbook (an .ods, a .docx, a damaged download): openpyxl
        # says so with one of these (SyntaxError is its XML parser's), as it reads.
        return Sheet(
            problems=[Problem(f"{filename} is a zip file but not an Excel workbook; {SAVE_AS}")]
        )
    return Sheet(rows, f'an Excel workbook, its first sheet "{shown(sheet.title)}"')
