"""`phasegate portfolio import` and `phasegate audit export`."""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

portfolio_cli = typer.Typer(help="The portfolio as a table (CSV or Excel).", no_args_is_help=True)
audit_cli = typer.Typer(help="The audit trail.", no_args_is_help=True)


#: The longest portfolio name, as the database holds it.
PORTFOLIO_LENGTH = 200


class Format(StrEnum):
    CSV = "csv"
    JSON = "json"


@portfolio_cli.command("import")
def portfolio_import(
    file: Annotated[
        Path,
        typer.Argument(help="A .csv (; , or tab; UTF-8, Windows-1252 or UTF-16) or .xlsx file."),
    ],
    dry_run: Annotated[bool, typer.Option(help="Check and report; write nothing.")] = False,
    portfolio: Annotated[str | None, typer.Option(help="The portfolio they belong to.")] = None,
    email_domain: Annotated[
        str | None,
        typer.Option(help="Make missing email addresses from names, at this domain."),
    ] = None,
) -> None:
    """Import projects with their owners, leaders and phases; all of them or none."""
    from phasegate.bootstrap import running
    from phasegate.commands import refuse, text_argument

    if portfolio is not None:
        portfolio = text_argument(portfolio, "--portfolio").strip() or None
        if portfolio is not None and len(portfolio) > PORTFOLIO_LENGTH:
            refuse(f"--portfolio is longer than {PORTFOLIO_LENGTH} characters")
    try:
        data = file.read_bytes()
    except OSError as exc:
        typer.echo(f"{file}: cannot read the file: {exc.strerror}", err=True)
        raise typer.Exit(1) from None
    with running() as app:
        plan = app.engine.check_portfolio_file(data, file.name, email_domain=email_domain)
        if plan.source:
            typer.echo(f"{file}: read as {plan.source}")
        for note in plan.notes:
            typer.echo(f"{file}: {note}")
        for problem in plan.problems:
            typer.echo(f"{file}: {problem}", err=True)
        if plan.problems:
            typer.echo(f"{file}: {len(plan.problems)} problem(s); nothing was imported", err=True)
            raise typer.Exit(1)
        counts = f"{len(plan.projects)} project(s) and {len(plan.new_people)} new people"
        if dry_run:
            typer.echo(
                f"{file}: ok; importing it would register {counts} (dry run: nothing written)"
            )
            return
        app.engine.import_portfolio(plan, portfolio=portfolio)
        typer.echo(f"{file}: imported {counts}")


@audit_cli.command("export")
def audit_export(
    project: Annotated[int | None, typer.Option(help="Only this project's trail.")] = None,
    format: Annotated[Format, typer.Option(help="csv (; for Excel) or json.")] = Format.CSV,
    output: Annotated[Path | None, typer.Option(help="Write here instead of stdout.")] = None,
) -> None:
    """Write the audit trail, in the order it happened, as CSV or JSON."""
    from phasegate.bootstrap import running
    from phasegate.exports import audit_csv, audit_json

    with running() as app:
        entries = app.engine.audit_trail(project)
    body = audit_csv(entries) if format is Format.CSV else audit_json(entries).encode("utf-8")
    if output is None:
        sys.stdout.buffer.write(body)
        sys.stdout.flush()
    else:
        output.write_bytes(body)
        typer.echo(f"{output}: {len(entries)} audit entries", err=True)
