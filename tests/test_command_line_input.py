"""Free text and values on the command line come from outside: one that is not text, or
not a value the command can use, is refused with the reason and exit status 2, before
anything is read or written, never with a traceback.

Python turns the bytes of an argument that are not UTF-8 (a Latin-1 terminal's "Ø") into
lone surrogates; the arguments here are what a command receives after that.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from phasegate.cli import cli

BYTE_D8 = os.fsdecode("Ø".encode("latin-1"))  # "Ø" from a Latin-1 terminal
URL = "https://arkiv.asker.example/in"


def at(value: str, char: str) -> int:
    return value.index(char) + 1


EMAIL_IN_LATIN_1 = f"{BYTE_D8}ystein@asker.example"
EMAIL_WITH_BELL = "kari\x07@asker.example"
EVENT_WITH_ESCAPE = "GateDecided\x1b[2J"
HOST_IN_LATIN_1 = f"127.0.0.{BYTE_D8}"
REFUSED = {
    "an-email-in-latin-1": (
        ["person", "digest", EMAIL_IN_LATIN_1],
        f"EMAIL contains the byte 0xD8 (at position {at(EMAIL_IN_LATIN_1, BYTE_D8)}), "
        "which is not UTF-8 text; set the terminal to UTF-8",
    ),
    "an-email-with-a-bell": (
        ["person", "digest", EMAIL_WITH_BELL],
        "EMAIL contains a control character (U+0007, at position "
        f"{at(EMAIL_WITH_BELL, chr(7))}), which is not text",
    ),
    "an-event-type-with-an-escape": (
        ["webhook", "add", "Arkiv", URL, "-e", EVENT_WITH_ESCAPE],
        "--event contains a control character (U+001B, at position "
        f"{at(EVENT_WITH_ESCAPE, chr(27))}), which is not text",
    ),
    "a-format-in-latin-1": (
        ["webhook", "add", "Arkiv", URL, "-e", "*", "--format", BYTE_D8],
        "--format contains the byte 0xD8 (at position 1)",
    ),
    "a-day-in-words": (
        ["wheel", "show", "--from", "i morgen"],
        "--from 'i morgen' is not a day; write it like 2027-04-19.",
    ),
    "a-day-beyond-the-calendar": (
        ["wheel", "show", "--from", "9999-12-31"],
        "--from '9999-12-31' is out of range; give a day from the year",
    ),
    "a-host-in-latin-1": (
        ["serve", "--host", HOST_IN_LATIN_1],
        f"--host contains the byte 0xD8 (at position {at(HOST_IN_LATIN_1, BYTE_D8)})",
    ),
}


@pytest.fixture
def phasegate(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    """The command line in an empty directory, with no PHASEGATE_* setting."""
    monkeypatch.chdir(tmp_path)
    for name in os.environ:
        if name.startswith("PHASEGATE_"):
            monkeypatch.delenv(name)
    return CliRunner()


@pytest.mark.parametrize(("args", "says"), REFUSED.values(), ids=REFUSED.keys())
def test_an_argument_that_is_not_text_or_not_usable_is_refused_with_the_reason(
    phasegate: CliRunner, tmp_path: Path, args: list[str], says: str
) -> None:
    done = phasegate.invoke(cli, args)

    assert done.exit_code == 2, done.output
    assert done.stderr.startswith(f"error: {says}"), done.stderr
    assert BYTE_D8 not in done.stderr  # a byte that is not text is never repeated
    assert list(tmp_path.iterdir()) == []  # nothing was read or written: no database


@pytest.mark.parametrize(
    ("args", "option"),
    [(["serve", "--port", "99999"], "'--port'"), (["wheel", "show", "--days", "0"], "'--days'")],
    ids=["a-port-beyond-65535", "no-days"],
)
def test_a_number_out_of_range_is_refused_as_a_usage_error(
    phasegate: CliRunner, tmp_path: Path, args: list[str], option: str
) -> None:
    done = phasegate.invoke(cli, args)

    assert done.exit_code == 2, done.output
    assert f"Invalid value for {option}" in done.stderr
    assert list(tmp_path.iterdir()) == []
