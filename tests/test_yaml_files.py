"""Broken and hostile YAML files: `phasegate workflow check` and `phasegate wheel check`
answer each with `file:line: message` and a non-zero exit, never a traceback.

Each case is the small valid workflow or wheel of ``test_workflow_files`` and
``test_wheel_file`` with one thing changed (both give name, version and title on lines 1
to 3), or a file of its own. The same cases run through the pure-Python parser, the
fallback where PyYAML has no libyaml.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

from phasegate.cli import cli
from phasegate.errors import WorkflowInvalid
from phasegate.workflow.loader import (
    check_workflow_file,
    load_workflow,
    load_workflow_text,
    parse_workflow,
)
from phasegate.workflow.wheel_loader import check_wheel_file, parse_wheel
from phasegate.workflow.yamlfile import (
    ALIAS_FLOOR,
    FAST_LOADER,
    MAX_FILE_BYTES,
    PURE_LOADER,
    Loader,
    compose,
    load_data,
)
from tests.test_wheel_file import MINIMAL as WHEEL
from tests.test_wheel_file import PHASES
from tests.test_workflow_files import MINIMAL as WORKFLOW

ROOT = Path(__file__).resolve().parents[1]
SHIPPED_WORKFLOW = ROOT / "workflows" / "prosjektveiviseren.yaml"
SHIPPED_WHEEL = ROOT / "workflows" / "arshjul.yaml"
#: The checksums of the shipped files. Production databases hold the workflow's of every
#: version a project used (workflow_versions.checksum), so the checksum of a text must never
#: change: version 1, from before the nynorsk labels, must still give its own (see
#: ``tests/test_nynorsk.py``). Nothing stores the wheel's; it is pinned all the same.
WORKFLOW_CHECKSUM = "6e717bf756143ca64cb15c9d12d849c7da0f299003368fec3e8d20ad04d055fa"
WHEEL_CHECKSUM = "1218b92f357ae675bc95f4f62313cc377e1c733fe0106c6c238ed7dc95f0b6b8"

runner = CliRunner()


def swapped(old: str, new: str) -> Callable[[str], str]:
    def change(text: str) -> str:
        assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times"
        return text.replace(old, new)

    return change


def whole(text: str) -> Callable[[str], str]:
    """A file of its own, the same for the workflow and the wheel."""
    return lambda _: text


def laughs(levels: int, last: str = "") -> str:
    """The "billion laughs": each level a list of nine aliases of the level before."""
    lines = ["lol0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    for n in range(1, levels + 1):
        lines.append(f"lol{n}: &l{n} [{', '.join([f'*l{n - 1}'] * 9)}]")
    return "\n".join([*lines, last]) + "\n"


@dataclass(frozen=True)
class Broken:
    """A broken file: what to change, the line the problem is on, and what it says."""

    name: str
    change: Callable[[str], str | bytes]
    line: int  # 0: the line after the valid file's last
    says: str  # a regular expression the message must match

    def write(self, folder: Path, valid: str) -> Path:
        path = folder / "broken.yaml"
        content = self.change(valid)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
        return path


class Oversized(Broken):
    """A file of NUL bytes one byte over the limit: sparse, so it is quick to make."""

    def write(self, folder: Path, valid: str) -> Path:  # noqa: ARG002 (only the size counts)
        path = folder / "huge.yaml"
        with path.open("wb") as file:
            file.truncate(MAX_FILE_BYTES + 1)
        return path


VERSION = "version: 1\n"
TITLE = "title: {nb: Mini, en: Mini}\n"
NOT_WHOLE = "is not a plain whole number: write it with the digits 0-9 only"

CASES = [
    # YAML 1.1 numbers where the schema wants a whole number
    *(
        Broken(f"version {written}", swapped(VERSION, f"version: {written}\n"), 2, NOT_WHOLE)
        for written in ("1:30", "0x1F", "0o17", "0b101", "017", "1_000", "1e3", ".inf", "1.5")
    ),
    Broken("version 3000000000", swapped(VERSION, "version: 3000000000\n"), 2, "at most"),
    Broken("version of 5000 digits", swapped(VERSION, f"version: {'9' * 5000}\n"), 2, "at most"),
    Broken("version as text", swapped(VERSION, "version: '1'\n"), 2, "must be a whole number"),
    # nesting
    Broken(  # libyaml has a limit of its own, at 1000
        "brackets 2000 deep",
        whole("x: " + "[" * 2000 + "]" * 2000 + "\n"),
        1,
        "64 levels|maximum nesting depth",
    ),
    Broken("brackets 500 deep", whole("x: " + "[" * 500 + "]" * 500 + "\n"), 1, "64 levels"),
    Broken("mappings 100 deep", whole("".join(f"{'  ' * n}a{n}:\n" for n in range(100))), 65, "64"),
    # aliases
    Broken("laughs as a key", whole(laughs(4, "*l4 : boom")), 5, "makes the file too large"),
    Broken("nine levels of laughs", whole(laughs(9, "*l9 : boom")), 5, "too large"),
    Broken(
        "an alias as a key", swapped(TITLE, f"{TITLE}x: &k title\n*k : boom\n"), 5, "not an alias"
    ),
    Broken("an unknown alias", swapped(TITLE, "title: *nothing\n"), 3, "refers to no anchor"),
    Broken("an anchor twice", swapped(VERSION, "version: &a 1\nextra: &a 2\n"), 3, "given twice"),
    Broken("an alias of itself", swapped(TITLE, "title: &t {nb: Mini, en: *t}\n"), 3, "inside"),
    Broken("a merge key", swapped(TITLE, "title: {<<: {nb: Mini}, en: Mini}\n"), 3, "merge keys"),
    Broken("a list as a key", swapped(TITLE, f"{TITLE}? [a, b]\n: c\n"), 4, "plain text, not a"),
    Broken("a tag", swapped(TITLE, "title: !!python/object/apply:os.system [ls]\n"), 3, "tag"),
    Broken("an int tag", swapped(VERSION, 'version: !!int "1"\n'), 2, "tag !!int is not allowed"),
    # size and encoding
    Oversized("larger than 10 MiB", whole(""), 1, "larger than 10 MiB"),
    Broken(
        "Latin-1",
        lambda text: swapped(TITLE, "title: Ærlig\n")(text).encode("latin-1"),
        3,
        "not UTF-8 text .*save it as UTF-8",
    ),
    # what is not text, in a double-quoted escape or as it stands
    Broken("a NUL escape", swapped(TITLE, 'title: "Mi\\0ni"\n'), 3, "NUL character"),
    Broken("a control escape", swapped(TITLE, 'title: "Mi\\x01ni"\n'), 3, "control character"),
    Broken(
        "half an emoji",
        swapped(TITLE, 'title: {nb: "Mini \\ud83d", en: Mini}\n'),
        3,
        "half of a character|invalid Unicode character escape",  # ours, or libyaml's
    ),
    Broken("a noncharacter", swapped(TITLE, 'title: "Mini\\uFDD0"\n'), 3, "not a character"),
    Broken("a DEL", swapped(TITLE, "title: Mi\x7fni\n"), 3, r"U\+007F .*not text"),
    Broken("a NUL in a comment", swapped(VERSION, f"{VERSION}# \x00\n"), 3, r"U\+0000"),
    # YAML syntax (the cases of the files' own tests)
    Broken("an unclosed bracket", swapped(TITLE, "title: {nb: Mini, en: Mini\n"), 4, "on line 3"),
    Broken("a tab", swapped(TITLE, "title:\n\tnb: Mini\n"), 4, "YAML syntax error: .*tab|'\\\\t'"),
    Broken("two documents", lambda text: f"{text}---\nname: other\n", 0, "single document"),
    Broken("an empty file", whole(""), 1, "the file is empty"),
    Broken("only a comment", whole("# nothing yet\n"), 1, "the file is empty"),
    Broken("a list", whole("- idea\n- build\n"), 1, "must be a mapping"),
]
KINDS = {"workflow": WORKFLOW, "wheel": WHEEL}


def written(case: Broken, kind: str, folder: Path) -> tuple[Path, int]:
    """The broken file, and the line its problem is on."""
    valid = KINDS[kind]
    return case.write(folder, valid), case.line or valid.count("\n") + 1


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
def test_a_broken_file_is_refused_with_file_line_and_reason(
    case: Broken, kind: str, tmp_path: Path
) -> None:
    path, line = written(case, kind, tmp_path)

    result = runner.invoke(
        cli, [kind, "check", str(path)], env={"PHASEGATE_WORKFLOWS_DIR": str(ROOT / "workflows")}
    )

    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit), "an exception escaped: a traceback"
    assert "Traceback" not in result.output
    first = result.stderr.splitlines()[0]
    assert first.startswith(f"{path}:{line}: "), first
    assert re.search(case.says, first.removeprefix(f"{path}:{line}: ")), first
    assert result.stderr.splitlines()[-1].endswith(" problem(s)")


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
def test_the_pure_python_parser_refuses_each_broken_file_on_the_same_line(
    case: Broken, kind: str, tmp_path: Path
) -> None:
    path, line = written(case, kind, tmp_path)

    if kind == "workflow":
        problems = check_workflow_file(path, PURE_LOADER)
    else:
        problems = check_wheel_file(path, PHASES, PURE_LOADER)

    assert problems, "the file was accepted"
    assert problems[0].line == line, problems[0]
    assert re.search(case.says, problems[0].message), problems[0]


# --- what the limits leave alone -------------------------------------------------------


@pytest.mark.parametrize("loader", [FAST_LOADER, PURE_LOADER], ids=lambda lo: lo.__name__)
def test_the_shipped_files_keep_the_checksums_production_databases_hold(loader: Loader) -> None:
    workflow, _ = parse_workflow(SHIPPED_WORKFLOW.read_text(encoding="utf-8"), "w", loader)
    wheel, _ = parse_wheel(SHIPPED_WHEEL.read_text(encoding="utf-8"), "a", None, loader)

    assert workflow is not None
    assert wheel is not None
    assert workflow.checksum == WORKFLOW_CHECKSUM
    assert wheel.checksum == WHEEL_CHECKSUM
    assert load_workflow(SHIPPED_WORKFLOW).checksum == WORKFLOW_CHECKSUM


def test_a_checksum_ignores_comments_layout_and_anchors_but_not_a_change() -> None:
    def checksum(text: str) -> str:
        return load_workflow_text(text, "mini.yaml").checksum

    reworded = WORKFLOW.replace("title: {nb: Mini, en: Mini}", "title:\n  nb: Mini\n  en: Mini")
    shared = WORKFLOW.replace("label: Start bygging", "label: &start Start bygging").replace(
        "label: Ferdig", "label: *start"
    )
    plain = WORKFLOW.replace("label: Ferdig", "label: Start bygging")

    assert checksum(f"# a comment\n{WORKFLOW}") == checksum(reworded) == checksum(WORKFLOW)
    assert checksum(shared) == checksum(plain) != checksum(WORKFLOW)


@pytest.mark.parametrize(
    "value", ["13:30", "0x1F", "2026-02-30", "=", "<<", "._", "1:" + "00:" * 2000 + "00"]
)
def test_a_value_yaml_reads_as_a_number_or_date_is_its_text_where_a_text_is_wanted(
    value: str,
) -> None:
    text = WORKFLOW.replace("label: Ferdig", f"label: {value}")

    definition, problems = parse_workflow(text, "mini.yaml")

    assert problems == []
    assert definition is not None
    assert definition.gates[1].label.nb == value
    assert len(definition.checksum) == 64


def test_a_whole_number_may_carry_a_plus_sign() -> None:
    definition, problems = parse_workflow(WORKFLOW.replace(VERSION, "version: +3\n"), "m.yaml")

    assert problems == []
    assert definition is not None
    assert definition.version == 3


def test_a_line_break_in_a_label_becomes_a_space_and_a_purpose_keeps_its_lines() -> None:
    text = WORKFLOW.replace("label: Ferdig", 'label: "Fer\\vdig"').replace(
        "purpose: Er det ferdig?", 'purpose: "Er det\\nferdig?"'
    )

    definition, problems = parse_workflow(text, "mini.yaml")

    assert problems == []
    assert definition is not None
    assert definition.gates[1].label.nb == "Fer dig"
    assert definition.gates[1].purpose.nb == "Er det\nferdig?"


def test_aliases_that_repeat_a_little_are_fine() -> None:
    text = WORKFLOW.replace("label: {nb: Idé, en: Idea}", "label: &idea {nb: Idé, en: Idea}")
    text = text.replace("label: Start bygging", "label: *idea")

    definition, problems = parse_workflow(text, "mini.yaml")

    assert problems == []
    assert definition is not None
    assert definition.gates[0].label.en == "Idea"


def test_aliases_are_refused_at_the_one_that_crosses_the_limit_before_any_expansion() -> None:
    """The composer adds up sizes instead of expanding, so a billion laughs stops early:
    each level is nine times the one before (lol0 holds 37: a list and nine texts of
    three letters), and lol4's third *l3 takes the file past the floor of 100,000. The
    levels after it are never read."""
    assert 37 + 334 + 3007 + 27064 + 3 * 27064 > ALIAS_FLOOR > 37 + 334 + 3007 + 2 * 27064

    root, problems = compose(laughs(9), "laughs.yaml")

    assert root is None
    assert [(p.line, p.message.split(" makes")[0]) for p in problems] == [(5, "the alias *l3")]


def test_the_demo_seed_is_read_within_the_same_limits(tmp_path: Path) -> None:
    seed = tmp_path / "seed.yaml"
    seed.write_text(laughs(9), encoding="utf-8")

    with pytest.raises(WorkflowInvalid) as refused:
        load_data(seed, "seed")

    assert str(refused.value).startswith("The demo seed file has problems (1).")
    assert f"{seed}:5: the alias *l3 makes the file too large" in str(refused.value)
