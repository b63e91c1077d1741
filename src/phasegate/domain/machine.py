"""The phase machine, built with `transitions` from a workflow definition.

One :class:`PhaseMachine` serves every project of one workflow version. A project is not
added to it for life: a short-lived cursor holding the project's state is added, moved by
one trigger and removed again, so the machine never keeps models loaded from the database
alive.
"""

from __future__ import annotations

from typing import Any

from transitions import Machine, MachineError
from transitions.extensions import GraphMachine

from phasegate.domain.model import WorkflowDefinition
from phasegate.errors import RuleViolation

STOP_TRIGGER = "stop"


class _Cursor:
    """The state of one project for the length of one transition."""

    state: str

    def __init__(self) -> None:
        self.state = ""


def _machine_spec(definition: WorkflowDefinition) -> dict[str, Any]:
    phases = [p.id for p in definition.phases]
    transitions: list[dict[str, Any]] = [
        {"trigger": gate.trigger, "source": gate.from_phase, "dest": gate.to}
        for gate in definition.gates
    ]
    transitions.append({"trigger": STOP_TRIGGER, "source": phases, "dest": definition.stopped})
    return {
        "states": list(definition.state_ids),
        "transitions": transitions,
        "initial": definition.initial_phase,
        "auto_transitions": False,
        "ignore_invalid_triggers": False,
    }


class PhaseMachine:
    """Moves a project between the phases of one workflow version."""

    def __init__(self, definition: WorkflowDefinition) -> None:
        self.definition = definition
        self._machine = Machine(model=None, **_machine_spec(definition))

    def _fire(self, state: str, trigger: str) -> str:
        cursor = _Cursor()
        self._machine.add_model(cursor, initial=state)
        try:
            cursor.trigger(trigger)  # type: ignore[attr-defined]
        except MachineError as exc:
            raise RuleViolation(
                f"'{trigger}' is not possible from '{state}' in workflow "
                f"{self.definition.name} v{self.definition.version}"
            ) from exc
        finally:
            self._machine.remove_model(cursor)
        return cursor.state

    def pass_gate(self, state: str, gate_id: str) -> str:
        """The state a project is in after passing this gate from ``state``."""
        gate = self.definition.gate(gate_id)
        if gate is None:
            raise RuleViolation(f"workflow {self.definition.name} has no gate {gate_id}")
        return self._fire(state, gate.trigger)

    def stop(self, state: str) -> str:
        return self._fire(state, STOP_TRIGGER)


def mermaid_diagram(definition: WorkflowDefinition, locale: str = "nb") -> str:
    """A Mermaid state diagram of the workflow, gate ids on the arrows."""

    class _Model:
        pass

    spec = _machine_spec(definition)
    spec["transitions"] = [
        {**t, "trigger": t["trigger"].removeprefix("pass_")} for t in spec["transitions"]
    ]
    machine = GraphMachine(
        model=_Model(),
        graph_engine="mermaid",
        title=f"{definition.title.get(locale)} (v{definition.version})",
        show_state_attributes=False,
        **spec,
    )
    source: str = machine.get_graph().draw(None)
    for state in definition.state_ids:  # transitions draws ids; people read labels
        label = definition.label_of(state).get(locale).replace('"', "'")
        source = source.replace(f'state "{state}" as {state}\n', f'state "{label}" as {state}\n')
    return source
