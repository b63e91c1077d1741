"""The configuration reference: a Markdown table made from :class:`Settings` itself.

Every field becomes one row: its ``PHASEGATE_*`` variable, its type, its default and its
``description``. Secrets never show a value. ``phasegate config reference`` prints the
table; with ``--write FILE`` it replaces the table between the markers in that file
(docs/operations.md), and a test checks that the file holds exactly what this renders.
"""

from __future__ import annotations

import types
from enum import Enum
from pathlib import Path
from typing import Annotated, Any, Union, get_args, get_origin

import typer
from pydantic import SecretStr
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

from phasegate.settings import Settings

START = "<!-- config-reference:start -->"
END = "<!-- config-reference:end -->"

# Defaults that are computed, or whose absence means something, in words.
SHOWN_DEFAULTS = {
    "secret_key": "(none); generated in development",
    "workflows_dir": "`./workflows` if that folder exists, else the one in the source tree",
    "notifications_dir": "`./notifications` if that folder exists, else the one in the source tree",
    "log_format": "`json` in production, else `text`",
    "dev_mailbox": "on when no SMTP URL is set, never in production",
    "wheel_file": "`arshjul.yaml` in the workflows directory",
}

config_cli = typer.Typer(help="The configuration.", no_args_is_help=True)


def env_var(name: str) -> str:
    return f"PHASEGATE_{name.upper()}"


def render() -> str:
    """The reference table, one row per Settings field, in the order they are declared."""
    rows = [
        "| variable | type | default | meaning |",
        "|---|---|---|---|",
    ]
    for name, field in Settings.model_fields.items():
        cells = (
            f"`{env_var(name)}`",
            _type_of(field.annotation),
            _default_of(name, field),
            field.description or "",
        )
        rows.append("| " + " | ".join(_cell(c) for c in cells) + " |")
    return "\n".join(rows) + "\n"


def between_markers(text: str) -> str:
    """What a document holds between the markers (ValueError if they are missing)."""
    start, end = text.find(START), text.find(END)
    if start < 0 or end < start:
        raise ValueError(f"the document needs the markers {START} and {END}, in that order")
    return text[start + len(START) : end].removeprefix("\n")


def with_reference(text: str) -> str:
    """The document with the current table between its markers."""
    between_markers(text)  # checks the markers
    head, _, rest = text.partition(START)
    _, _, tail = rest.partition(END)
    return f"{head}{START}\n{render()}{END}{tail}"


@config_cli.command("reference")
def reference(
    write: Annotated[
        Path | None,
        typer.Option(help="Replace the table between the markers in this file instead."),
    ] = None,
) -> None:
    """Print every PHASEGATE_* setting as a Markdown table (type, default, meaning)."""
    if write is None:
        typer.echo(render(), nl=False)
        return
    try:
        updated = with_reference(write.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        typer.echo(f"error: {write}: {exc}", err=True)
        raise typer.Exit(1) from exc
    write.write_text(updated, encoding="utf-8")
    typer.echo(f"{write}: the configuration reference is current.")


def _type_of(annotation: Any) -> str:
    if get_origin(annotation) in (Union, types.UnionType):
        kinds = [a for a in get_args(annotation) if a is not type(None)]
        return " or ".join(_type_of(a) for a in kinds)
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        return " or ".join(f"`{member.value}`" for member in annotation)
    if annotation is SecretStr:
        return "secret"
    names = {str: "text", int: "integer", float: "number", bool: "`true` or `false`"}
    if annotation in names:
        return names[annotation]
    if annotation is Path:
        return "path"
    return "ISO 8601 date-time" if getattr(annotation, "__name__", "") == "datetime" else "text"


def _default_of(name: str, field: FieldInfo) -> str:
    if name in SHOWN_DEFAULTS:
        return SHOWN_DEFAULTS[name]
    if _is_secret(field.annotation) or field.default in (None, PydanticUndefined):
        return "(none)"  # never a secret's value
    value = field.default
    if isinstance(value, Enum):
        value = value.value
    elif isinstance(value, bool):
        value = str(value).lower()
    return f"`{value}`"


def _is_secret(annotation: Any) -> bool:
    return annotation is SecretStr or SecretStr in get_args(annotation)


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")
