"""docs/operations.md carries the configuration reference generated from Settings."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from phasegate.cli import cli
from phasegate.config_reference import END, START, between_markers, render, with_reference
from phasegate.settings import Settings

OPERATIONS = Path(__file__).resolve().parents[1] / "docs" / "operations.md"
REGENERATE = "phasegate config reference --write docs/operations.md"


def test_the_operations_doc_holds_the_current_configuration_reference() -> None:
    shown = between_markers(OPERATIONS.read_text(encoding="utf-8"))

    assert shown == render(), f"docs/operations.md is out of date; run: {REGENERATE}"


def test_every_setting_is_in_the_reference_with_a_description() -> None:
    table = render()

    for name, field in Settings.model_fields.items():
        assert f"| `PHASEGATE_{name.upper()}` |" in table
        assert field.description, f"Settings.{name} has no description="


def test_no_secret_default_is_ever_shown() -> None:
    rows = {line.split(" | ")[0]: line for line in render().splitlines()}

    assert "(none)" in rows["| `PHASEGATE_SECRET_KEY`"]
    assert "(none)" in rows["| `PHASEGATE_SMTP_URL`"]
    assert "(none)" in rows["| `PHASEGATE_OLD_SECRET_KEYS`"]


def test_the_command_prints_the_table_and_rewrites_only_between_the_markers(
    tmp_path: Path,
) -> None:
    doc = tmp_path / "ops.md"
    doc.write_text(f"# Ops\n\nbefore\n{START}\nstale\n{END}\nafter\n", encoding="utf-8")

    printed = CliRunner().invoke(cli, ["config", "reference"])
    written = CliRunner().invoke(cli, ["config", "reference", "--write", str(doc)])

    assert printed.exit_code == 0
    assert printed.output == render()
    assert written.exit_code == 0, written.output
    text = doc.read_text(encoding="utf-8")
    assert text == f"# Ops\n\nbefore\n{START}\n{render()}{END}\nafter\n"
    assert with_reference(text) == text


def test_a_document_without_the_markers_is_refused(tmp_path: Path) -> None:
    doc = tmp_path / "ops.md"
    doc.write_text("# Ops\n", encoding="utf-8")

    with pytest.raises(ValueError, match="markers"):
        between_markers(doc.read_text(encoding="utf-8"))
    result = CliRunner().invoke(cli, ["config", "reference", "--write", str(doc)])
    assert result.exit_code == 1
    assert doc.read_text(encoding="utf-8") == "# Ops\n"
