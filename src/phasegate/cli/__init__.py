"""The `phasegate` command line; its subcommands are the modules beside this one.

A layer of its own (``pyproject.toml``, ``[tool.importlinter]``): it reads and changes
nothing but through the engine and the composition root, and never opens the database.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from phasegate.cli.case import case_cli, terms_cli
from phasegate.cli.cycle import person_cli, scheduler, tick, wheel_cli
from phasegate.cli.mail import mail_cli
from phasegate.cli.portfolio import audit_cli, portfolio_cli
from phasegate.cli.webhooks import webhook_cli
from phasegate.commands import text_argument
from phasegate.config_reference import config_cli
from phasegate.errors import PhasegateError
from phasegate.settings import Locale, Settings

cli = typer.Typer(
    help="phasegate: portfolio governance from idea to realised benefit.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
db_cli = typer.Typer(help="The database schema.", no_args_is_help=True)
workflow_cli = typer.Typer(help="Workflow definition files.", no_args_is_help=True)
cli.add_typer(db_cli, name="db")
cli.add_typer(workflow_cli, name="workflow")
cli.add_typer(mail_cli, name="mail")
cli.add_typer(wheel_cli, name="wheel")
cli.add_typer(person_cli, name="person")
cli.add_typer(portfolio_cli, name="portfolio")
cli.add_typer(audit_cli, name="audit")
cli.add_typer(config_cli, name="config")
cli.add_typer(webhook_cli, name="webhook")
cli.add_typer(case_cli, name="case")
cli.add_typer(terms_cli, name="terms")
cli.command("tick")(tick)
cli.command("scheduler")(scheduler)

Host = Annotated[str, typer.Option(help="Address to listen on.")]
Port = Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on.")]


def _fail(message: str, code: int = 1) -> typer.Exit:
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(code)


@db_cli.command("upgrade")
def db_upgrade() -> None:
    """Apply the database migrations (creates the tables on a new database)."""
    from phasegate.engine.schema import upgrade_schema

    was, now = upgrade_schema(Settings.load().database_url)
    where, before, after = was.where, was.database, now.database
    if before == after:
        typer.echo(f"The schema at {where} is already current ({after}).")
    else:
        typer.echo(f"Upgraded the schema at {where} from {before or 'empty'} to {after}.")


@db_cli.command("current")
def db_current() -> None:
    """Show the schema revision of the database and of this code."""
    from phasegate.engine.schema import revisions

    found = revisions(Settings.load().database_url)
    typer.echo(f"database: {found.database or 'empty'}")
    typer.echo(f"code:     {found.code}")


@workflow_cli.command("check")
def workflow_check(files: Annotated[list[Path], typer.Argument(help="Workflow files.")]) -> None:
    """Validate workflow files; print every problem with file and line."""
    from phasegate.workflow.loader import check_workflow_file

    failed = False
    for path in files:
        try:
            problems = check_workflow_file(path)
        except OSError as exc:
            typer.echo(f"{path}: cannot read the file: {exc.strerror}", err=True)
            failed = True
            continue
        for problem in problems:
            typer.echo(str(problem), err=True)
        if problems:
            typer.echo(f"{path}: {len(problems)} problem(s)", err=True)
            failed = True
        else:
            typer.echo(f"{path}: ok")
    if failed:
        raise typer.Exit(1)


@workflow_cli.command("diagram")
def workflow_diagram(
    file: Annotated[Path, typer.Argument(help="A workflow file.")],
    lang: Annotated[Locale, typer.Option(help="Label language.")] = Locale.NB,
) -> None:
    """Print the workflow as a Mermaid state diagram."""
    from phasegate.domain.machine import mermaid_diagram
    from phasegate.workflow.loader import load_workflow

    typer.echo(mermaid_diagram(load_workflow(file), lang.value))


@cli.command("serve")
def serve(host: Host = "127.0.0.1", port: Port = 8000) -> None:
    """Run the web server (refuses an out-of-date schema)."""
    host = text_argument(host, "--host")
    _serve(_listening_on(Settings.load(), host, port), host, port)


@cli.command("demo")
def demo(
    host: Host = "127.0.0.1",
    port: Port = 8000,
    serve: Annotated[bool, typer.Option(help="Start the web server afterwards.")] = True,
) -> None:
    """Migrate the SQLite database, load Asker's 2015 and 2016 portfolios, and serve them."""
    from phasegate.bootstrap import build
    from phasegate.demo.notice import where_the_emails_go
    from phasegate.demo.seed import load_demo
    from phasegate.engine.schema import upgrade_schema

    host = text_argument(host, "--host")
    settings = _listening_on(Settings.load(), host, port)
    upgrade_schema(settings.database_url)
    result = load_demo(build(settings).engine)
    typer.echo(
        f"Demo portfolio ready: {result.projects_total} projects "
        f"({result.projects_added} added now, {result.people_added} people added)."
    )
    if settings.dev_mailbox_enabled:
        typer.echo(
            f"Sign in with one click (as the PMO, or anyone): {settings.base_url}/dev/sign-in"
        )
    if result.requests_submitted:
        where = where_the_emails_go(settings, serving=serve)
        typer.echo(f"Boligpolitisk strategi asks the board for BP1. Its emails: {where}.")
    if serve:
        _serve(settings, host, port)


def _listening_on(settings: Settings, host: str, port: int) -> Settings:
    """Links in email must reach this server: unless PHASEGATE_BASE_URL says otherwise,
    the base URL is where we listen."""
    if "base_url" in settings.model_fields_set:
        return settings
    shown = "127.0.0.1" if host in {"0.0.0.0", "::"} else host  # noqa: S104 - a name, not a bind
    return settings.model_copy(update={"base_url": f"http://{shown}:{port}"})


def _serve(settings: Settings, host: str, port: int) -> None:
    import uvicorn

    from phasegate.logs import configure_logging
    from phasegate.web.app import served

    # uvicorn's loggers go through ours (log_config=None); its access log is off because
    # phasegate.http logs each request, with its request id and route template.
    configure_logging(settings)
    web = served(settings)
    typer.echo(f"phasegate is at http://{host}:{port}/  (Ctrl+C stops it)")
    uvicorn.run(web, host=host, port=port, log_level="info", log_config=None, access_log=False)


def main() -> None:
    """Entry point: domain errors become one clear line and a non-zero exit."""
    try:
        cli()
    except PhasegateError as exc:
        typer.echo(f"error: {exc.message}", err=True)
        sys.exit(2)
