"""The phase machine, built with `transitions` from a workflow definition.

One :class:`PhaseMachine` serves every project of one workflow version. Projects are never
added to it as models: the machine has one cursor of its own, which is set to a project's
state, moved by one trigger and read back, under a lock. So the machine holds nothing
loaded from the database, and its memory does not grow with the number of projects.
"""

from __future__ import annotations

import json
import threading
from typing import Any

from transitions import Machine, MachineError
from transitions.extensions import GraphMachine

from phasegate.domain.model import WorkflowDefinition
from phasegate.errors import RuleViolation

STOP_TRIGGER = "stop"


class _Cursor:
    """The machine's only model: holds one project's state for one transition."""

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
        self._cursor = _Cursor()
        self._machine = Machine(model=self._cursor, **_machine_spec(definition))
        self._lock = threading.Lock()  # the cursor is shared; this guards no data

    def _fire(self, state: str, trigger: str, what: str) -> str:
        if state not in self.definition.state_ids:
            raise RuleViolation(
                f"'{state}' is not a state of workflow {self.definition.name} "
                f"v{self.definition.version}; its states are: "
                f"{', '.join(self.definition.state_ids)}"
            )
        with self._lock:
            self._machine.set_state(state, model=self._cursor)
            try:
                self._cursor.trigger(trigger)  # type: ignore[attr-defined]
            except MachineError as exc:
                raise RuleViolation(
                    f"{what} is not possible from '{state}' in workflow "
                    f"{self.definition.name} v{self.definition.version}"
                ) from exc
            return self._cursor.state

    def pass_gate(self, state: str, gate_id: str) -> str:
        """The state a project is in after passing this gate from ``state``."""
        gate = self.definition.gate(gate_id)
        if gate is None:
            raise RuleViolation(f"workflow {self.definition.name} has no gate {gate_id}")
        where = f"gate {gate.id} (from '{gate.from_phase}' to '{gate.to}')"
        return self._fire(state, gate.trigger, f"passing {where}")

    def stop(self, state: str) -> str:
        return self._fire(state, STOP_TRIGGER, "stopping the project")


def mermaid_diagram(definition: WorkflowDefinition, locale: str = "nb") -> str:
    """A Mermaid state diagram of the workflow, gate ids on the arrows."""

    class _Model:
        pass

    spec = _machine_spec(definition)
    spec["transitions"] = [
        {**t, "trigger": t["trigger"].removeprefix("pass_")} for t in spec["transitions"]
    ]
    title = f"{definition.title.get(locale)} (v{definition.version})"
    machine = GraphMachine(
        model=_Model(),
        graph_engine="mermaid",
        title=title,
        show_state_attributes=False,
        **spec,
    )
    source: str = machine.get_graph().draw(None)
    # transitions writes the bare title between the `---` lines; Mermaid's front matter is
    # YAML and shows only a `title:` key (a JSON string is a valid YAML quoted scalar).
    source = source.replace(
        f"---\n{title}\n---\n", f"---\ntitle: {json.dumps(title, ensure_ascii=False)}\n---\n", 1
    )
    # transitions colours the initial state as a project's "active" one; a workflow has none.
    source = source.replace(" s_active\n", " s_default\n")
    for state in definition.state_ids:  # transitions draws ids; people read labels
        label = definition.label_of(state).get(locale).replace('"', "'")
        source = source.replace(f'state "{state}" as {state}\n', f'state "{label}" as {state}\n')
    return source
