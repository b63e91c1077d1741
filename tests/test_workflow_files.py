"""Workflow definition files: every mistake is reported with its line, in plain words.

Each broken file is the small valid workflow ``MINIMAL`` with one thing changed, so the
line numbers in the assertions can be read off the listing below.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from phasegate.domain.machine import PhaseMachine
from phasegate.domain.model import DeciderRole, Policy, TerminalKind, WorkflowDefinition
from phasegate.domain.problems import Invalid
from phasegate.errors import WorkflowInvalid, WorkflowNotFound, say_problem
from phasegate.workflow.loader import check_workflow_text, load_workflow, load_workflow_text
from phasegate.workflow.yamlnodes import Problem

DEFAULT_WORKFLOW = Path(__file__).resolve().parents[1] / "workflows" / "prosjektveiviseren.yaml"

# Line numbers, for reading the assertions: phases 4, idea 5, build 7, terminal 9,
# completed 10, stopped 13, gates 16, G1 17 (from 18, to 19, deciders 22, checklist 23,
# need 24, cost 27), G2 29 (from 30, to 31, deciders 34, checklist 35, delivered 36).
MINIMAL = """\
name: mini
version: 1
title: {nb: Mini, en: Mini}
phases:
  - id: idea
    label: {nb: Idé, en: Idea}
  - id: build
    label: {nb: Bygge, en: Build}
terminal:
  - id: completed
    kind: completed
    label: {nb: Fullført, en: Completed}
  - id: stopped
    kind: stopped
    label: {nb: Stanset, en: Stopped}
gates:
  - id: G1
    from: idea
    to: build
    label: Start bygging
    purpose: Skal vi bygge?
    deciders: {role: board, policy: majority}
    checklist:
      - id: need
        text: Behovet er beskrevet.
        mandatory: true
      - id: cost
        text: Kostnaden er anslått.
  - id: G2
    from: build
    to: completed
    label: Ferdig
    purpose: Er det ferdig?
    deciders: {role: owner, policy: one}
    checklist:
      - id: delivered
        text: Leveransen er godkjent.
"""

G2_CHECKLIST = """\
    checklist:
      - id: delivered
        text: Leveransen er godkjent.
"""

STOPPED_TERMINAL = """\
  - id: stopped
    kind: stopped
    label: {nb: Stanset, en: Stopped}
"""


def altered(*changes: tuple[str, str], text: str = MINIMAL) -> str:
    """``text`` with each (old, new) applied; each ``old`` must occur exactly once."""
    for old, new in changes:
        assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times"
        text = text.replace(old, new)
    return text


def problems(text: str) -> list[tuple[int, str]]:
    return [(p.line, p.message) for p in check_workflow_text(text, "mini.yaml")]


# --- the starting point --------------------------------------------------------------


def test_the_minimal_workflow_used_by_these_tests_is_valid() -> None:
    definition = load_workflow_text(MINIMAL, "mini.yaml")

    assert [p.id for p in definition.phases] == ["idea", "build"]
    assert [g.id for g in definition.gates] == ["G1", "G2"]
    assert check_workflow_text(MINIMAL, "mini.yaml") == []


def test_a_problem_reads_as_file_colon_line_colon_message() -> None:
    assert str(Problem("workflows/x.yaml", 12, "the file is empty")) == (
        "workflows/x.yaml:12: the file is empty"
    )


# --- YAML syntax ---------------------------------------------------------------------


def test_bad_indentation_is_a_yaml_syntax_error_on_the_line_that_is_off() -> None:
    text = altered(("    from: idea\n", "   from: idea\n"))

    [(line, message)] = problems(text)

    assert line == 18
    assert message.startswith("YAML syntax error: ")


def test_unclosed_bracket_is_a_yaml_syntax_error_that_names_the_bracket_line() -> None:
    text = altered(("label: {nb: Bygge, en: Build}", "label: {nb: Bygge, en: Build"))

    [(line, message)] = problems(text)

    assert line == 9, "YAML notices the missing '}' on the next line"
    assert message.startswith("YAML syntax error: ")
    assert "on line 8" in message, "and the message points back at the open bracket"


def test_unclosed_quote_is_a_yaml_syntax_error_that_names_the_quote_line() -> None:
    text = altered(("label: Ferdig", 'label: "Ferdig'))

    [(_, message)] = problems(text)

    assert message.startswith("YAML syntax error: ")
    assert "on line 32" in message


def test_tab_used_for_indentation_is_a_yaml_syntax_error_on_its_line() -> None:
    text = altered(("  - id: G2", "\t- id: G2"))

    [(line, message)] = problems(text)

    assert line == 29
    assert message.startswith("YAML syntax error: ")
    assert "'\\t'" in message or "tab character" in message  # the pure parser's or libyaml's


# --- gates and phases ----------------------------------------------------------------


def test_gate_naming_an_unknown_phase_in_from_is_reported_with_its_line() -> None:
    text = altered(("from: idea", "from: idee"))

    assert problems(text) == [
        (18, "gate G1: 'from' names unknown phase 'idee'; known: idea, build"),
    ], "one typo gives one problem, not also unreachable phases"


def test_gate_naming_an_unknown_phase_in_to_lists_phases_and_end_states() -> None:
    text = altered(("to: build", "to: bild"))

    assert problems(text) == [
        (19, "gate G1: 'to' names unknown phase 'bild'; known: idea, build, completed, stopped"),
    ]


def test_gate_cannot_lead_out_of_an_end_state() -> None:
    text = altered(("from: build", "from: completed"))

    assert problems(text) == [
        (30, "gate G2: 'from' names unknown phase 'completed'; known: idea, build"),
    ]


def test_gate_without_deciders_is_reported_on_the_gate() -> None:
    text = altered(("    deciders: {role: owner, policy: one}\n", ""))

    assert problems(text) == [(29, "a gate is missing 'deciders'")]


def test_gate_with_empty_deciders_has_no_decider() -> None:
    text = altered(("deciders: {role: owner, policy: one}", "deciders:"))

    assert problems(text) == [
        (34, "gate G2 has no decider: give 'deciders' a role and a policy"),
    ]


def test_deciders_without_a_policy_is_reported() -> None:
    text = altered(("{role: owner, policy: one}", "{role: owner}"))

    assert problems(text) == [(34, "gate G2 deciders is missing 'policy'")]


def test_phase_that_no_gate_leads_to_is_unreachable_on_its_own_line() -> None:
    text = altered(("    to: build\n", "    to: completed\n"))

    assert problems(text) == [
        (7, "phase 'build' is unreachable: no chain of gates leads to it from 'idea'"),
    ]


def test_phases_that_only_loop_back_are_dead_ends() -> None:
    text = altered(("    to: completed\n", "    to: idea\n"))

    assert problems(text) == [
        (5, "phase 'idea' is a dead end: no chain of gates leads from it to 'completed'"),
        (7, "phase 'build' is a dead end: no chain of gates leads from it to 'completed'"),
    ]


def test_phase_whose_only_way_on_is_stopping_is_a_dead_end() -> None:
    text = altered(("    to: completed\n", "    to: stopped\n"))

    found = problems(text)

    assert (7, "phase 'build' is a dead end: no chain of gates leads from it to 'completed'") in (
        found
    )


def test_a_gate_with_a_problem_still_counts_as_a_way_between_its_phases() -> None:
    """A wrong policy is one problem: the phases around the gate are not dead ends."""
    text = altered(("policy: one", "policy: most"))

    assert [message for _, message in problems(text)] == [
        "gate G2 policy 'most' is not one of: one, majority, all"
    ]


# --- duplicates ----------------------------------------------------------------------


def test_two_phases_with_one_id_are_a_duplicate_naming_the_first_line() -> None:
    text = altered(("  - id: build\n", "  - id: idea\n"))

    found = problems(text)

    assert found[0] == (7, "duplicate phase id 'idea' (first on line 5)")
    assert (30, "gate G2: 'from' names unknown phase 'build'; known: idea") in found


def test_two_gates_with_one_id_are_a_duplicate_naming_the_first_line() -> None:
    text = altered(("  - id: G2\n", "  - id: G1\n"))

    assert problems(text) == [(29, "duplicate gate id 'G1' (first on line 17)")]


def test_two_checklist_items_with_one_id_in_a_gate_are_a_duplicate() -> None:
    text = altered(("      - id: cost\n", "      - id: need\n"))

    assert problems(text) == [
        (27, "duplicate gate G1 checklist item id 'need' (first on line 24)"),
    ]


def test_the_same_checklist_item_id_in_two_gates_is_fine() -> None:
    text = altered(("      - id: delivered\n", "      - id: need\n"))

    assert problems(text) == []


def test_end_state_with_the_id_of_a_phase_is_a_duplicate() -> None:
    text = altered(("  - id: completed\n", "  - id: build\n"))

    assert (10, "duplicate id 'build': it is already a phase (line 7)") in problems(text)


def test_two_end_states_of_one_kind_are_reported() -> None:
    text = altered(("    kind: stopped\n", "    kind: completed\n"))

    found = problems(text)

    assert (14, "a second terminal state of kind 'completed' (first on line 11)") in found
    assert (10, "terminal must include a state of kind 'stopped'") in found


def test_a_key_given_twice_in_a_gate_is_a_duplicate_naming_the_first_line() -> None:
    text = altered(("    to: build\n", "    to: build\n    to: concept\n"))

    assert problems(text) == [(20, "duplicate key 'to' in a gate (first given on line 19)")]


def test_a_key_given_twice_at_the_top_is_a_duplicate_naming_the_first_line() -> None:
    text = altered(("version: 1\n", "version: 1\nversion: 2\n"))

    assert problems(text) == [
        (3, "duplicate key 'version' in the workflow (first given on line 2)"),
    ]


# --- values --------------------------------------------------------------------------


def test_unknown_policy_lists_the_policies_there_are() -> None:
    text = altered(("policy: majority", "policy: most"))

    assert problems(text) == [(22, "gate G1 policy 'most' is not one of: one, majority, all")]


def test_unknown_role_lists_the_roles_there_are() -> None:
    text = altered(("role: board", "role: boss"))

    assert problems(text) == [(22, "gate G1 decider role 'boss' is not one of: owner, board")]


@pytest.mark.parametrize("version", ["one", "'1'", "[1]", "~"])
def test_version_that_is_not_a_whole_number_is_reported(version: str) -> None:
    text = altered(("version: 1\n", f"version: {version}\n"))

    assert problems(text) == [(2, "version must be a whole number")]


def test_version_zero_is_reported() -> None:
    assert problems(altered(("version: 1\n", "version: 0\n"))) == [
        (2, "version must be at least 1")
    ]


def test_mandatory_that_is_not_true_or_false_is_reported() -> None:
    text = altered(("mandatory: true", "mandatory: ja"))

    assert problems(text) == [(26, "gate G1 'mandatory' must be true or false")]


def test_phase_without_an_english_label_is_reported() -> None:
    text = altered(("label: {nb: Bygge, en: Build}", "label: Bygge"))

    assert problems(text) == [(8, "phase 'build' needs an English label (en) too")]


def test_id_with_spaces_is_not_a_valid_id() -> None:
    text = altered(("  - id: build\n", "  - id: build it\n"))

    found = problems(text)

    assert found[0] == (
        7,
        "phase id 'build it' is not a valid id: use letters, digits, '_' or '-', "
        "starting with a letter",
    )


# --- keys and structure --------------------------------------------------------------


def test_misspelt_key_is_unknown_and_the_real_one_is_missing() -> None:
    text = altered(
        ("    checklist:\n      - id: delivered", "    checklst:\n      - id: delivered")
    )

    found = problems(text)

    assert found[0] == (29, "a gate is missing 'checklist'")
    line, message = found[1]
    assert line == 35
    assert message.startswith("unknown key 'checklst' in a gate; expected one of: ")
    assert "checklist" in message.removeprefix("unknown key 'checklst'")
    assert len(found) == 2


def test_unknown_key_at_the_top_is_reported() -> None:
    found = problems(MINIMAL + "owner: kari\n")

    assert found == [
        (
            38,
            "unknown key 'owner' in the workflow; "
            "expected one of: gates, name, phases, terminal, title, version",
        )
    ]


def test_missing_top_level_key_is_reported() -> None:
    assert problems(altered(("title: {nb: Mini, en: Mini}\n", ""))) == [
        (1, "the workflow is missing 'title'")
    ]


def test_missing_stopped_end_state_is_reported() -> None:
    text = altered((STOPPED_TERMINAL, ""))

    assert problems(text) == [(10, "terminal must include a state of kind 'stopped'")]


def test_missing_completed_end_state_is_reported() -> None:
    text = altered(("    kind: completed\n", "    kind: stopped\n"), (STOPPED_TERMINAL, ""))

    assert (10, "terminal must include a state of kind 'completed'") in problems(text)


@pytest.mark.parametrize("empty", ["checklist: []\n", "checklist:\n"])
def test_empty_checklist_is_reported_once(empty: str) -> None:
    text = altered((G2_CHECKLIST, f"    {empty}"))

    assert problems(text) == [(35, "gate G2 has an empty checklist; list at least one item")]


@pytest.mark.parametrize("empty", ["phases: []\n", "phases:\n"])
def test_empty_phase_list_is_reported(empty: str) -> None:
    phases = "phases:\n  - id: idea\n    label: {nb: Idé, en: Idea}\n"
    phases += "  - id: build\n    label: {nb: Bygge, en: Build}\n"
    text = altered((phases, empty))

    assert problems(text)[0] == (4, "phases must list at least one phase")


@pytest.mark.parametrize("text", ["", "\n\n", "# just a comment\n"])
def test_empty_file_is_reported(text: str) -> None:
    assert problems(text) == [(1, "the file is empty")]


@pytest.mark.parametrize("text", ["- idea\n- build\n", "just words\n"])
def test_file_that_is_not_a_mapping_is_reported(text: str) -> None:
    assert problems(text) == [(1, "the workflow must be a mapping of keys to values")]


def test_two_yaml_documents_in_one_file_are_a_syntax_error() -> None:
    [(line, message)] = problems(MINIMAL + "---\nname: other\n")

    assert line == 38
    assert message.startswith("YAML syntax error: ")


# --- all problems at once ------------------------------------------------------------


def test_file_with_several_problems_reports_all_of_them_sorted_by_line() -> None:
    text = altered(
        ("policy: one", "policy: most"),
        ("version: 1", "version: x"),
        ("      - id: cost\n", "      - id: need\n"),
        ("from: idea", "from: idee"),
    )

    assert problems(text) == [
        (2, "version must be a whole number"),
        (18, "gate G1: 'from' names unknown phase 'idee'; known: idea, build"),
        (27, "duplicate gate G1 checklist item id 'need' (first on line 24)"),
        (34, "gate G2 policy 'most' is not one of: one, majority, all"),
    ]


def test_loading_a_broken_workflow_raises_with_every_problem() -> None:
    text = altered(("policy: one", "policy: most"), ("role: board", "role: boss"))

    with pytest.raises(WorkflowInvalid) as raised:
        load_workflow_text(text, "mini.yaml")

    assert [str(p) for p in raised.value.file_problems] == [
        "mini.yaml:22: gate G1 decider role 'boss' is not one of: owner, board",
        "mini.yaml:34: gate G2 policy 'most' is not one of: one, majority, all",
    ]
    assert raised.value.params["count"] == 2
    assert "has problems (2)" in str(raised.value)
    assert "mini.yaml:34: gate G2 policy" in str(raised.value)


def test_loading_a_missing_file_says_where_it_looked(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.yaml"

    with pytest.raises(WorkflowNotFound, match=r"No workflow file at .*nowhere\.yaml"):
        load_workflow(missing)


def test_loading_a_file_that_is_not_utf8_is_reported_on_the_line_of_the_first_bad_byte(
    tmp_path: Path,
) -> None:
    path = tmp_path / "latin1.yaml"
    path.write_bytes(MINIMAL.encode("latin-1"))

    with pytest.raises(WorkflowInvalid) as raised:
        load_workflow(path)

    assert [str(p) for p in raised.value.file_problems] == [
        f"{path}:6: the file is not UTF-8 text (byte 0xE9 on this line); save it as UTF-8"
    ]


# --- the default workflow ------------------------------------------------------------


@pytest.fixture(scope="module")
def default_workflow() -> WorkflowDefinition:
    return load_workflow(DEFAULT_WORKFLOW)


def test_default_workflow_file_has_no_problems() -> None:
    text = DEFAULT_WORKFLOW.read_text(encoding="utf-8")

    assert check_workflow_text(text, str(DEFAULT_WORKFLOW)) == []


def test_default_workflow_has_six_phases_from_idea_to_realisation(
    default_workflow: WorkflowDefinition,
) -> None:
    phases = [(p.id, p.label.nb, p.label.en) for p in default_workflow.phases]

    assert phases == [
        ("idea", "Idé", "Idea"),
        ("concept", "Konsept", "Concept"),
        ("planning", "Planlegge", "Planning"),
        ("execution", "Gjennomføre", "Execution"),
        ("closing", "Avslutte", "Closing"),
        ("realisation", "Realisere", "Realisation"),
    ]
    assert default_workflow.initial_phase == "idea"
    assert default_workflow.completed == "completed"
    assert default_workflow.stopped == "stopped"
    assert {t.kind for t in default_workflow.terminals} == set(TerminalKind)


def test_default_workflow_gates_bp1_to_bp6_lead_phase_to_phase(
    default_workflow: WorkflowDefinition,
) -> None:
    route = [(g.id, g.from_phase, g.to) for g in default_workflow.gates]

    assert route == [
        ("BP1", "idea", "concept"),
        ("BP2", "concept", "planning"),
        ("BP3", "planning", "execution"),
        ("BP4", "execution", "closing"),
        ("BP5", "closing", "realisation"),
        ("BP6", "realisation", "completed"),
    ]


def test_default_workflow_gates_have_full_checklists_with_mandatory_items(
    default_workflow: WorkflowDefinition,
) -> None:
    for gate in default_workflow.gates:
        assert len(gate.checklist) >= 7, f"{gate.id} has {len(gate.checklist)} items"
        assert any(item.mandatory for item in gate.checklist), f"{gate.id} has none mandatory"
        assert gate.label.nb
        assert gate.label.en
        assert all(item.text.en for item in gate.checklist), f"{gate.id} lacks English"


def test_default_workflow_board_decides_bp1_bp2_bp6_and_owner_bp3_to_bp5(
    default_workflow: WorkflowDefinition,
) -> None:
    deciders = {g.id: g.deciders for g in default_workflow.gates}

    for gate_id in ("BP1", "BP2", "BP6"):
        assert deciders[gate_id].role is DeciderRole.BOARD, gate_id
        assert deciders[gate_id].policy is Policy.MAJORITY, gate_id
    for gate_id in ("BP3", "BP4", "BP5"):
        assert deciders[gate_id].role is DeciderRole.OWNER, gate_id


def test_default_workflow_labels_every_state_in_both_languages(
    default_workflow: WorkflowDefinition,
) -> None:
    for state in default_workflow.state_ids:
        label = default_workflow.label_of(state)
        assert label.nb, state
        assert label.en, state
    assert default_workflow.title.get("en") == "Project wizard"


# --- the phase machine ---------------------------------------------------------------


@pytest.fixture(scope="module")
def machine(default_workflow: WorkflowDefinition) -> PhaseMachine:
    return PhaseMachine(default_workflow)


def test_passing_every_gate_in_order_leads_from_idea_to_completed(
    machine: PhaseMachine, default_workflow: WorkflowDefinition
) -> None:
    state = default_workflow.initial_phase
    visited = [state]
    for gate in default_workflow.gates:
        state = machine.pass_gate(state, gate.id)
        visited.append(state)

    assert visited == [
        "idea",
        "concept",
        "planning",
        "execution",
        "closing",
        "realisation",
        "completed",
    ]


@pytest.mark.parametrize(
    "phase", ["idea", "concept", "planning", "execution", "closing", "realisation"]
)
def test_a_project_can_be_stopped_from_any_phase(machine: PhaseMachine, phase: str) -> None:
    assert machine.stop(phase) == "stopped"


def test_passing_a_gate_from_the_wrong_phase_is_refused_with_a_clear_message(
    machine: PhaseMachine,
) -> None:
    with pytest.raises(Invalid) as raised:
        machine.pass_gate("idea", "BP3")

    [problem] = raised.value.problems
    assert problem.code == "gate_not_passable"
    assert say_problem(problem, "en") == (
        "Passing gate BP3 (from 'planning' to 'execution') is not possible from 'idea' "
        "in workflow prosjektveiviseren v3."
    )


@pytest.mark.parametrize("state", ["completed", "stopped"])
def test_a_finished_project_can_neither_pass_a_gate_nor_be_stopped(
    machine: PhaseMachine, state: str
) -> None:
    with pytest.raises(Invalid) as passing:
        machine.pass_gate(state, "BP6")
    with pytest.raises(Invalid) as stopping:
        machine.stop(state)

    assert [p.code for p in passing.value.problems] == ["gate_not_passable"]
    assert passing.value.problems[0].params["state"] == state
    assert [p.code for p in stopping.value.problems] == ["stop_impossible"]


def test_passing_a_gate_the_workflow_does_not_have_is_refused(machine: PhaseMachine) -> None:
    with pytest.raises(Invalid) as raised:
        machine.pass_gate("idea", "BP7")

    assert say_problem(raised.value.problems[0], "en") == (
        "Workflow prosjektveiviseren has no gate BP7."
    )


def test_a_state_the_workflow_does_not_have_is_refused_with_the_known_states(
    machine: PhaseMachine,
) -> None:
    with pytest.raises(Invalid) as raised:
        machine.pass_gate("konsept", "BP2")

    assert say_problem(raised.value.problems[0], "en").startswith(
        "'konsept' is not a state of workflow prosjektveiviseren v3; its states are: idea, "
    )


def test_the_machine_keeps_no_projects_after_moving_them(
    machine: PhaseMachine, default_workflow: WorkflowDefinition
) -> None:
    for _ in range(50):
        for gate in default_workflow.gates:
            machine.pass_gate(gate.from_phase, gate.id)
            machine.stop(gate.from_phase)
        with pytest.raises(Invalid):
            machine.pass_gate("idea", "BP6")
        with pytest.raises(Invalid):
            machine.pass_gate("nowhere", "BP1")

    # One cursor of the machine's own, however many projects it moved.
    assert machine._machine.models == [machine._cursor]


def test_one_machine_serves_a_minimal_workflow_too() -> None:
    machine = PhaseMachine(load_workflow_text(MINIMAL, "mini.yaml"))

    assert machine.pass_gate(machine.pass_gate("idea", "G1"), "G2") == "completed"
    assert machine.stop("build") == "stopped"
