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
from phasegate.domain.problems import Invalid, Problem

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

    def _fire(self, state: str, trigger: str, impossible: Problem) -> str:
        """The state after ``trigger`` from ``state``; Invalid with ``impossible`` if the
        workflow has no such move (the engine checks first, so that is a broken rule)."""
        definition = self.definition
        if state not in definition.state_ids:
            states = list(definition.state_ids)
            name, version = definition.name, definition.version
            unknown = Problem.of(
                "state_unknown", None, state=state, workflow=name, version=version, states=states
            )
            raise Invalid([unknown])
        with self._lock:
            self._machine.set_state(state, model=self._cursor)
            try:
                self._cursor.trigger(trigger)  # type: ignore[attr-defined]
            except MachineError as exc:
                raise Invalid([impossible]) from exc
            return self._cursor.state

    def pass_gate(self, state: str, gate_id: str) -> str:
        """The state a project is in after passing this gate from ``state``."""
        definition = self.definition
        gate = definition.gate(gate_id)
        if gate is None:
            raise Invalid(
                [Problem.of("gate_unknown", None, gate=gate_id, workflow=definition.name)]
            )
        impossible = Problem.of(
            "gate_not_passable",
            None,
            gate=gate.id,
            from_phase=gate.from_phase,
            to=gate.to,
            state=state,
            workflow=definition.name,
            version=definition.version,
        )
        return self._fire(state, gate.trigger, impossible)

    def stop(self, state: str) -> str:
        definition = self.definition
        impossible = Problem.of(
            "stop_impossible",
            None,
            state=state,
            workflow=definition.name,
            version=definition.version,
        )
        return self._fire(state, STOP_TRIGGER, impossible)


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
