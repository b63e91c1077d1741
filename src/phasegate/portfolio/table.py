"""Reading and checking a portfolio table (CSV or Excel), with no database.

The table has the seed's columns, with Norwegian or English headers: project, owner,
leader and phase, and optionally area, description and the owner's and leader's email
addresses. :func:`plan_import` turns the file's bytes into an :class:`ImportPlan` (the
projects and the new people to register) and every problem, row by row. Nothing here
writes: the engine registers a plan in one transaction (``engine/imports.py``).

Every cell is text from outside and goes through :func:`phasegate.domain.text.tidy`: the
description may hold several lines, every other column one. A cell that is not text (a
NUL, a control character, half a character) is a problem that names its row and column,
and a line break in a one-line cell (Word's manual line break, most often) becomes a
space, which the plan reports as a :class:`Note`. Each column has the length the database
and the API allow.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace

from phasegate.domain.model import WorkflowDefinition
from phasegate.domain.text import reason, shown, tidy
from phasegate.portfolio.files import Problem, read_sheet

__all__ = ["COLUMNS", "ImportPlan", "Note", "PersonRow", "Problem", "ProjectRow", "plan_import"]

#: The seed slides' phase words, mapped to the workflow's phase ids.
SEED_PHASES = {
    "ikke prosjekt": "idea",
    "konsept": "concept",
    "planlegging": "planning",
    "gjennomføring": "execution",
    "avslutning": "closing",
    "realisering": "realisation",
}

#: Each column, with the headers it is known by (compared in lower case).
COLUMNS: dict[str, tuple[str, ...]] = {
    "project": ("prosjekt", "project", "prosjektnavn", "name"),
    "owner": ("eier", "owner", "prosjekteier", "project owner"),
    "leader": ("prosjektleder", "leader", "project manager", "manager"),
    "phase": ("fase", "phase"),
    "area": ("utviklingsområde", "area", "development area", "development_area"),
    "description": ("beskrivelse", "description"),
    "owner_email": ("eier e-post", "eier epost", "owner_email", "owner email"),
    "leader_email": (
        "prosjektleder e-post",
        "prosjektleder epost",
        "leader_email",
        "leader email",
    ),
}
REQUIRED = ("project", "owner", "leader", "phase")
#: The longest each column may be: the database's and the API's limits.
LENGTHS = {
    "project": 200,
    "owner": 200,
    "leader": 200,
    "phase": 50,
    "area": 200,
    "description": 4000,
    "owner_email": 320,
    "leader_email": 320,
}
#: The columns whose cells may hold several lines.
SEVERAL_LINES = frozenset({"description"})
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass(frozen=True)
class Note:
    """What the import changed on the way in, and on which row; the dry run says it."""

    message: str
    row: int

    def __str__(self) -> str:
        return f"row {self.row}: {self.message}"


@dataclass(frozen=True)
class PersonRow:
    name: str
    email: str


@dataclass(frozen=True)
class ProjectRow:
    row: int
    name: str
    phase: str  # a phase id of the workflow
    owner_email: str | None = None
    leader_email: str | None = None
    area: str | None = None
    description: str = ""


@dataclass(frozen=True)
class ImportPlan:
    """What an import registers: new people first, then the projects. ``source`` says
    what the file was read as (its kind and encoding), ``notes`` what was tidied."""

    projects: tuple[ProjectRow, ...] = ()
    new_people: tuple[PersonRow, ...] = ()
    problems: tuple[Problem, ...] = field(default=())
    notes: tuple[Note, ...] = ()
    source: str = ""

    @property
    def ok(self) -> bool:
        return not self.problems


def email_for(name: str, domain: str) -> str:
    """An invented address: 'Kristine Andenæs' -> kristine.andenaes@domain."""
    text = name.lower().replace("æ", "ae").replace("ø", "o").replace("å", "aa")
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    local = ".".join(part for part in re.split(r"[^a-z0-9]+", text) if part)
    return f"{local}@{domain}"


def _header_key(header: str) -> str:
    return " ".join(header.strip().lower().replace("_", " ").split())


KNOWN = {_header_key(name): column for column, names in COLUMNS.items() for name in names}


def plan_import(
    data: bytes,
    filename: str,
    *,
    definition: WorkflowDefinition,
    existing_projects: Iterable[str],
    existing_people: Mapping[str, str],
    email_domain: str | None = None,
) -> ImportPlan:
    """Check the file against the workflow and the database's names and people.

    ``existing_people`` maps each registered email address to its person's name. A person
    without an email in the file is found by name among them, or, with ``email_domain``,
    gets an address made from their name (as the demo seed does).
    """
    sheet = read_sheet(data, filename)
    rows = sheet.rows
    if not rows or not any(cell.strip() for cell in rows[0]):
        problems = sheet.problems or [Problem("the file is empty: no header row", 1)]
        return ImportPlan(problems=tuple(problems), source=sheet.source)
    columns, problems = _columns(rows[0])
    if problems:
        return ImportPlan(problems=tuple(problems), source=sheet.source)
    checker = _Checker(definition, existing_projects, existing_people, email_domain)
    titles = {column: shown(rows[0][index].strip()) for column, index in columns.items()}
    plan = checker.check(columns, titles, rows[1:], stopped=sheet.problems)
    return replace(plan, source=sheet.source)


def _columns(header: list[str]) -> tuple[dict[str, int], list[Problem]]:
    columns: dict[str, int] = {}
    problems: list[Problem] = []
    known = ", ".join(f"{names[0]}/{names[1]}" for names in COLUMNS.values())
    for index, title in enumerate(header):
        if not title.strip():
            continue
        column = KNOWN.get(_header_key(title))
        if column is None:
            problems.append(
                Problem(f'unknown column "{shown(title)}"; the known columns are {known}', 1)
            )
        elif column in columns:
            problems.append(Problem(f'the column "{shown(title)}" appears twice', 1))
        else:
            columns[column] = index
    for column in REQUIRED:
        if column not in columns:
            names = " or ".join(f'"{name}"' for name in COLUMNS[column][:2])
            problems.append(Problem(f"the column {names} is missing", 1))
    return columns, problems


class _Checker:
    def __init__(
        self,
        definition: WorkflowDefinition,
        existing_projects: Iterable[str],
        existing_people: Mapping[str, str],
        email_domain: str | None,
    ) -> None:
        self.definition = definition
        self.existing_projects = set(existing_projects)
        self.existing_people = {email.lower(): name for email, name in existing_people.items()}
        self.by_name: dict[str, list[str]] = {}
        for email, name in self.existing_people.items():
            self.by_name.setdefault(name.strip().casefold(), []).append(email)
        self.email_domain = email_domain
        self.phases = _phase_words(definition)
        self.problems: list[Problem] = []
        self.notes: list[Note] = []
        self.emails_of: dict[str, tuple[str, int]] = {}  # name -> (email, first row)
        self.names_of: dict[str, tuple[str, int]] = {}  # email -> (name, first row)
        self.new_people: dict[str, PersonRow] = {}

    def check(
        self,
        columns: dict[str, int],
        titles: dict[str, str],
        rows: list[list[str]],
        stopped: Iterable[Problem] = (),
    ) -> ImportPlan:
        """Every row's problems; ``stopped``: why the file could not be read to its end."""
        projects: list[ProjectRow] = []
        seen: dict[str, int] = {}
        for number, cells in enumerate(rows, start=2):
            if not any(value.strip() for value in cells):
                continue
            values = self._cells(columns, titles, cells, number)
            if values is None:
                continue

            def cell(column: str, values: dict[str, str] = values) -> str:
                return values.get(column, "")

            before = len(self.problems)
            name = cell("project")
            if not name:
                self.problems.append(Problem("the project has no name", number))
            elif name in seen:
                self.problems.append(
                    Problem(f'project "{name}" is also on row {seen[name]}', number)
                )
            elif name in self.existing_projects:
                self.problems.append(
                    Problem(f'project "{name}" is already in the portfolio', number)
                )
            seen.setdefault(name, number)
            phase = self._phase(cell("phase"), number)
            owner = self._person("owner", cell("owner"), cell("owner_email"), number)
            leader = self._person("leader", cell("leader"), cell("leader_email"), number)
            if len(self.problems) == before and phase is not None:
                projects.append(
                    ProjectRow(
                        row=number,
                        name=name,
                        phase=phase,
                        owner_email=owner,
                        leader_email=leader,
                        area=cell("area") or None,
                        description=cell("description"),
                    )
                )
        self.problems.extend(stopped)
        if not projects and not self.problems:
            self.problems.append(Problem("the file has no projects below its header row"))
        return ImportPlan(
            projects=tuple(projects),
            new_people=tuple(self.new_people.values()),
            problems=tuple(self.problems),
            notes=tuple(self.notes),
        )

    def _cells(
        self, columns: dict[str, int], titles: dict[str, str], cells: list[str], row: int
    ) -> dict[str, str] | None:
        """The row's cells as phasegate keeps text, by column; None when one of them is
        not text or too long (the rest of the row is checked once those are fixed)."""
        values: dict[str, str] = {}
        refused = False
        for column, index in columns.items():
            raw = cells[index] if index < len(cells) else ""
            tidied = tidy(raw, lines=column in SEVERAL_LINES)
            where = f'column "{titles[column]}"'
            if not tidied.ok:
                self.problems.append(Problem(f"{where} {reason(tidied)}", row))
                refused = True
                continue
            text = tidied.text.strip()
            if len(text) > LENGTHS[column]:
                self.problems.append(
                    Problem(
                        f"{where} holds {len(text)} characters; "
                        f"it may hold at most {LENGTHS[column]}",
                        row,
                    )
                )
                refused = True
            elif tidied.changed and column not in SEVERAL_LINES and text != raw.strip():
                self.notes.append(Note(f'{where}: a line break became a space: "{text}"', row))
            values[column] = text
        return None if refused else values

    def _phase(self, word: str, row: int) -> str | None:
        phase = self.phases.get(word.casefold())
        if phase is None:
            known = ", ".join(p.label.nb.lower() for p in self.definition.phases)
            what = f'phase "{word}" is not a phase' if word else "the phase is missing; the phases"
            self.problems.append(Problem(f"{what} of {self.definition.name}: {known}", row))
        return phase

    def _person(self, role: str, name: str, email: str, row: int) -> str | None:
        """The person's email address (None when the cell is empty), or a problem."""
        if not name:
            if email:
                self.problems.append(Problem(f"the {role}'s email {email} has no name", row))
            return None
        email = email.lower()
        if email and not EMAIL.match(email):
            self.problems.append(
                Problem(f'{role} "{name}": "{email}" is not an email address', row)
            )
            return None
        if not email:
            email = self._email_by_name(role, name, row) or ""
            if not email:
                return None
        key = name.casefold()
        earlier = self.emails_of.setdefault(key, (email, row))
        if earlier[0] != email:
            self.problems.append(
                Problem(
                    f'"{name}" is named with two email addresses: {earlier[0]} '
                    f"(row {earlier[1]}) and {email}",
                    row,
                )
            )
            return None
        named = self.names_of.setdefault(email, (name, row))
        if named[0].casefold() != key:
            self.problems.append(
                Problem(
                    f'{email} is given for two people: "{named[0]}" (row {named[1]}) and "{name}"',
                    row,
                )
            )
            return None
        if email not in self.existing_people and email not in self.new_people:
            self.new_people[email] = PersonRow(name, email)
        return email

    def _email_by_name(self, role: str, name: str, row: int) -> str | None:
        registered = self.by_name.get(name.casefold(), [])
        if len(registered) == 1:
            return registered[0]
        if self.email_domain:
            return email_for(name, self.email_domain)
        column = f"{role}_email"
        why = "two registered people have that name" if registered else "they are not registered"
        self.problems.append(
            Problem(
                f'{role} "{name}" has no email address and {why}: add a column "{column}" '
                "or give --email-domain",
                row,
            )
        )
        return None


def _phase_words(definition: WorkflowDefinition) -> dict[str, str]:
    """Every word the file may use for a phase: its id, its labels, the seed's words."""
    words: dict[str, str] = {}
    for word, phase_id in SEED_PHASES.items():
        if definition.is_phase(phase_id):
            words[word] = phase_id
    for phase in definition.phases:
        for label in (phase.id, phase.label.nb, phase.label.en):
            if label:
                words[label.casefold()] = phase.id
    if definition.is_phase("idea"):
        words.setdefault("ide", "idea")
    return words
