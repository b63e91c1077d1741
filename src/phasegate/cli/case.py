"""`phasegate case export|import` (business-case spreadsheets) and `phasegate terms` (the
PMO's lists of units and competences)."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from phasegate.settings import Locale

case_cli = typer.Typer(
    help="Benefits, indicators, measurements, risks and plans as spreadsheets.",
    no_args_is_help=True,
)
terms_cli = typer.Typer(help="The PMO's lists of units and competences.", no_args_is_help=True)


class TermKind(StrEnum):
    UNIT = "unit"
    COMPETENCE = "competence"


Lang = Annotated[
    Locale | None,
    typer.Option(help="The language of headers and problems (default: PHASEGATE_LOCALE)."),
]


@case_cli.command("export")
def case_export(
    target: Annotated[
        Path, typer.Argument(help="FILE.xlsx (a sheet per kind), or a folder (a CSV per kind).")
    ],
    project: Annotated[
        str | None, typer.Option(help="Only this project (its name); else all.")
    ] = None,
    lang: Lang = None,
) -> None:
    """Write the business case of one project, or of the whole portfolio."""
    from phasegate.bootstrap import running
    from phasegate.commands import refuse, text_argument
    from phasegate.web.case_admin import case_csv, case_workbook, csv_name

    with running() as app:
        locale = (lang or app.settings.locale).value
        chosen = None
        if project is not None:
            name = text_argument(project, "--project").strip()
            found = [p.id for p in app.engine.portfolio() if p.name == name]
            if not found:
                refuse(f"--project: there is no project called {name!r}")
            chosen = found[0]
        tables = app.engine.case_tables(chosen)
    rows = sum(len(r) for r in tables.values())
    if target.suffix.lower() == ".xlsx":
        target.write_bytes(case_workbook(tables, locale))
        typer.echo(f"{target}: {rows} row(s), a sheet per kind")
        return
    target.mkdir(parents=True, exist_ok=True)
    for kind, records in tables.items():
        (target / csv_name(kind)).write_bytes(case_csv(kind, records, locale))
    typer.echo(f"{target}: {rows} row(s), a CSV file per kind")


@case_cli.command("import")
def case_import(
    files: Annotated[
        list[Path],
        typer.Argument(help="Workbooks (.xlsx), CSV files, or folders of CSV files."),
    ],
    dry_run: Annotated[bool, typer.Option(help="Check and report; write nothing.")] = False,
    lang: Lang = None,
) -> None:
    """Import benefits, indicators, measurements, risks and plans: all of it or none."""
    from phasegate.bootstrap import running

    read: list[tuple[str, bytes]] = []
    for path in files:
        chosen = sorted(path.glob("*.csv")) if path.is_dir() else [path]
        for file in chosen:
            try:
                read.append((file.name, file.read_bytes()))
            except OSError as exc:
                typer.echo(f"{file}: cannot read the file: {exc.strerror}", err=True)
                raise typer.Exit(1) from None
    label = ", ".join(str(p) for p in files)
    with running() as app:
        locale = (lang or app.settings.locale).value
        plan = app.engine.check_case_files(read)
        for source in plan.sources:
            typer.echo(f"read {source}")
        for problem in plan.problems:
            typer.echo(problem.say(locale, app.settings.zone), err=True)
        if plan.problems:
            typer.echo(f"{label}: {len(plan.problems)} problem(s); nothing was imported", err=True)
            raise typer.Exit(1)
        counts = ", ".join(f"{k.replace('_', ' ')} {n}" for k, n in plan.counts().items() if n)
        if dry_run:
            typer.echo(f"{label}: ok; importing would make: {counts or 'no change'} (dry run)")
            return
        done = app.engine.import_case(plan, actor=None)
    made = ", ".join(f"{k.replace('_', ' ')} {n}" for k, n in done.items() if n)
    typer.echo(f"{label}: imported: {made or 'no change'}")


@terms_cli.command("list")
def terms_list() -> None:
    """The units and competences, retired ones marked."""
    from phasegate.bootstrap import running

    with running() as app:
        for term in app.engine.terms():
            retired = "" if term.active else "  (retired)"
            typer.echo(f"{term.kind}\t{term.id}\t{term.name}{retired}")


@terms_cli.command("add")
def terms_add(kind: TermKind, name: str) -> None:
    """Add a unit or a competence: `phasegate terms add unit "Oppvekst"`."""
    _save(kind, name, None, active=True)


@terms_cli.command("rename")
def terms_rename(kind: TermKind, name: str, new_name: str) -> None:
    """Rename a unit or a competence."""
    _save(kind, new_name, name, active=None)


@terms_cli.command("retire")
def terms_retire(kind: TermKind, name: str) -> None:
    """Keep it on the plans that have it, but offer it for no new line."""
    _save(kind, name, name, active=False)


@terms_cli.command("restore")
def terms_restore(kind: TermKind, name: str) -> None:
    """Offer a retired unit or competence again."""
    _save(kind, name, name, active=True)


def _save(kind: TermKind, name: str, current: str | None, *, active: bool | None) -> None:
    from phasegate.bootstrap import running
    from phasegate.commands import refuse, text_argument
    from phasegate.errors import PhasegateError

    name = text_argument(name, "NAME")
    with running() as app:
        term = None
        if current is not None:
            found = [t for t in app.engine.terms() if t.kind == kind and t.name == current]
            if not found:
                refuse(f"there is no {kind.value} called {current!r}")
            term = found[0]
        keep = term.active if term is not None and active is None else bool(active)
        try:
            saved = app.engine.save_term(
                kind.value, name, term=None if term is None else term.id, active=keep, actor=None
            )
        except PhasegateError as exc:
            refuse(exc.message)
    typer.echo(f"{kind.value} {saved}: {name.strip()}{'' if keep else ' (retired)'}")
