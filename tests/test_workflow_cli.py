"""`phasegate workflow check` and `phasegate workflow diagram`, as a user runs them."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from phasegate.cli import cli, main
from tests.test_workflow_files import DEFAULT_WORKFLOW, MINIMAL, altered

runner = CliRunner()

BROKEN = altered(("policy: one", "policy: most"), ("from: idea", "from: idee"))


@pytest.fixture
def broken_file(tmp_path: Path) -> Path:
    path = tmp_path / "broken.yaml"
    path.write_text(BROKEN, encoding="utf-8")
    return path


# --- check ---------------------------------------------------------------------------


def test_check_says_ok_for_the_default_workflow() -> None:
    result = runner.invoke(cli, ["workflow", "check", str(DEFAULT_WORKFLOW)])

    assert result.exit_code == 0, result.output
    assert result.stdout == f"{DEFAULT_WORKFLOW}: ok\n"
    assert result.stderr == ""


def test_check_prints_every_problem_with_file_and_line_and_fails(broken_file: Path) -> None:
    result = runner.invoke(cli, ["workflow", "check", str(broken_file)])

    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"{broken_file}:18: gate G1: 'from' names unknown phase 'idee'; known: idea, build",
        f"{broken_file}:34: gate G2 policy 'most' is not one of: one, majority, all",
        f"{broken_file}: 2 problem(s)",
    ]
    assert result.stdout == ""


def test_check_of_several_files_reports_each_and_fails_if_any_is_broken(
    broken_file: Path, tmp_path: Path
) -> None:
    good = tmp_path / "good.yaml"
    good.write_text(MINIMAL, encoding="utf-8")

    result = runner.invoke(cli, ["workflow", "check", str(good), str(broken_file)])

    assert result.exit_code == 1
    assert result.stdout == f"{good}: ok\n"
    assert f"{broken_file}: 2 problem(s)" in result.stderr


def test_check_of_a_missing_file_says_so_and_fails(tmp_path: Path) -> None:
    missing = tmp_path / "prosjektveiviser.yaml"

    result = runner.invoke(cli, ["workflow", "check", str(missing)])

    assert result.exit_code == 1
    assert result.stderr == f"{missing}: cannot read the file: No such file or directory\n"


def test_check_of_a_yaml_syntax_error_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "indent.yaml"
    path.write_text(altered(("    from: idea\n", "   from: idea\n")), encoding="utf-8")

    result = runner.invoke(cli, ["workflow", "check", str(path)])

    assert result.exit_code == 1
    assert result.stderr.startswith(f"{path}:18: YAML syntax error: ")


def test_check_of_a_file_that_is_not_utf8_names_the_line_of_the_first_bad_byte(
    tmp_path: Path,
) -> None:
    path = tmp_path / "latin1.yaml"
    path.write_bytes(MINIMAL.encode("latin-1"))  # "Idé" on line 6

    result = runner.invoke(cli, ["workflow", "check", str(path)])

    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == (
        f"{path}:6: the file is not UTF-8 text (byte 0xE9 on this line); save it as UTF-8"
    )


def test_check_without_a_file_shows_usage() -> None:
    result = runner.invoke(cli, ["workflow", "check"])

    assert result.exit_code == 2
    assert "Missing argument" in result.output


def test_the_installed_phasegate_command_checks_files(broken_file: Path) -> None:
    command = Path(sys.executable).parent / "phasegate"
    assert command.exists(), f"the console script is not installed at {command}"

    done = subprocess.run(  # noqa: S603  # our own console script, fixed arguments
        [str(command), "workflow", "check", str(DEFAULT_WORKFLOW), str(broken_file)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert done.returncode == 1
    assert done.stdout == f"{DEFAULT_WORKFLOW}: ok\n"
    assert done.stderr.splitlines() == [
        f"{broken_file}:18: gate G1: 'from' names unknown phase 'idee'; known: idea, build",
        f"{broken_file}:34: gate G2 policy 'most' is not one of: one, majority, all",
        f"{broken_file}: 2 problem(s)",
    ]


def test_the_installed_command_answers_hostile_files_with_lines_not_tracebacks(
    tmp_path: Path,
) -> None:
    """The issue's own files: YAML 1.1 numbers, deep brackets, aliases as a key."""
    files = {
        "time.yaml": "version: 1:30\n",
        "hex.yaml": "version: 0x1F\n",
        "deep.yaml": "x: " + "[" * 2000 + "]" * 2000 + "\n",
        "bomb.yaml": "".join(
            f"lol{n}: &l{n} [{', '.join([f'*l{n - 1}' if n else 'lol'] * 9)}]\n" for n in range(10)
        )
        + "*l9 : boom\n",
    }
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    command = Path(sys.executable).parent / "phasegate"

    done = subprocess.run(  # noqa: S603  # our own console script, fixed arguments
        [str(command), "workflow", "check", *(str(tmp_path / name) for name in files)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    lines = done.stderr.splitlines()
    for name, message in [
        ("time.yaml", ":1: version '1:30' is not a plain whole number"),
        ("hex.yaml", ":1: version '0x1F' is not a plain whole number"),
        ("deep.yaml", ":1: "),
        ("bomb.yaml", ":5: the alias *l3 makes the file too large"),
    ]:
        assert any(line.startswith(f"{tmp_path / name}{message}") for line in lines), name
    assert len(done.stderr) < 10_000, "no message repeats what an alias expands to"


# --- diagram -------------------------------------------------------------------------


def test_diagram_is_a_mermaid_state_diagram_with_norwegian_labels() -> None:
    result = runner.invoke(cli, ["workflow", "diagram", str(DEFAULT_WORKFLOW)])

    assert result.exit_code == 0, result.output
    assert result.stdout.startswith('---\ntitle: "Prosjektveiviseren (v3)"\n---\nstateDiagram-v2\n')
    lines = [line.strip() for line in result.stdout.splitlines()]
    for expected in (
        'state "Idé" as idea',
        'state "Gjennomføre" as execution',
        'state "Gevinst realisert" as completed',
        'state "Stanset" as stopped',
        "idea --> concept: BP1",
        "concept --> planning: BP2",
        "planning --> execution: BP3",
        "execution --> closing: BP4",
        "closing --> realisation: BP5",
        "realisation --> completed: BP6",
        "idea --> stopped: stop",
        "realisation --> stopped: stop",
        "[*] --> idea",
    ):
        assert expected in lines, expected
    assert "completed --> stopped: stop" not in lines


def test_diagram_in_english_uses_english_labels() -> None:
    result = runner.invoke(cli, ["workflow", "diagram", str(DEFAULT_WORKFLOW), "--lang", "en"])

    assert result.exit_code == 0, result.output
    assert result.stdout.startswith('---\ntitle: "Project wizard (v3)"\n---\nstateDiagram-v2\n')
    assert '  state "Idea" as idea\n' in result.stdout
    assert '  state "Completed" as completed\n' in result.stdout
    assert "  idea --> concept: BP1\n" in result.stdout
    assert "Idé" not in result.stdout


def test_diagram_title_is_mermaid_front_matter_even_with_yaml_characters(
    tmp_path: Path,
) -> None:
    """Mermaid reads the block between the `---` lines as YAML and shows its `title`."""
    path = tmp_path / "mini.yaml"
    path.write_text(
        altered(("title: {nb: Mini, en: Mini}", 'title: "Mini: [utkast] #2"')), encoding="utf-8"
    )

    result = runner.invoke(cli, ["workflow", "diagram", str(path)])

    assert result.exit_code == 0, result.output
    _, front_matter, body = result.stdout.split("---\n", 2)
    assert yaml.safe_load(front_matter) == {"title": "Mini: [utkast] #2 (v1)"}
    assert body.startswith("stateDiagram-v2\n")
    assert '  state "Bygge" as build\n' in body


def test_diagram_of_a_broken_file_prints_its_problems_and_fails(
    broken_file: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(sys, "argv", ["phasegate", "workflow", "diagram", str(broken_file)])

    with pytest.raises(SystemExit) as exited:
        main()

    assert exited.value.code == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith("error: The workflow file has problems (2). Fix them and run")
    assert f"{broken_file}:34: gate G2 policy 'most' is not one of" in captured.err


def test_diagram_of_a_missing_file_says_so_and_fails(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "nowhere.yaml"
    monkeypatch.setattr(sys, "argv", ["phasegate", "workflow", "diagram", str(missing)])

    with pytest.raises(SystemExit) as exited:
        main()

    assert exited.value.code == 2
    assert capsys.readouterr().err == f"error: No workflow file at {missing}. Check the path.\n"


def test_diagram_refuses_a_language_it_does_not_speak() -> None:
    result = runner.invoke(cli, ["workflow", "diagram", str(DEFAULT_WORKFLOW), "--lang", "fr"])

    assert result.exit_code == 2
    assert "'fr' is not one of" in result.output
