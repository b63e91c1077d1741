"""Loading and validating workflow files (`workflows/*.yaml`).

:func:`check_workflow_text` returns every problem it can find, not just the first, each
with file and line. :func:`load_workflow` returns a definition or raises
:class:`~phasegate.errors.WorkflowInvalid` carrying those problems. The file is read and
composed by :mod:`phasegate.workflow.yamlfile`, within its limits.
"""

from __future__ import annotations

from collections import deque
from dataclasses import replace
from pathlib import Path

from yaml.nodes import Node, SequenceNode

from phasegate.domain.model import (
    ChecklistItem,
    DeciderRole,
    Deciders,
    DocumentRequirement,
    Gate,
    Phase,
    Policy,
    Requirement,
    Terminal,
    TerminalKind,
    WorkflowDefinition,
)
from phasegate.domain.text import shown
from phasegate.errors import WorkflowInvalid, WorkflowNotFound
from phasegate.workflow.yamlfile import (
    LOADER,
    Loader,
    collector_paused,
    compose,
    fingerprint,
    read_file,
)
from phasegate.workflow.yamlnodes import NodeReader, Problem, line_of

TOP_KEYS = ("name", "version", "title", "phases", "terminal", "gates")
GATE_KEYS = ("id", "from", "to", "label", "purpose", "deciders", "checklist")
GATE_OPTIONAL = ("documents", "requires_events", "requires")


def load_workflow(path: Path) -> WorkflowDefinition:
    try:
        text, problems = read_file(path)
    except FileNotFoundError as exc:
        raise WorkflowNotFound("file", path=str(path)) from exc
    if text is None:
        raise WorkflowInvalid(problems)
    return load_workflow_text(text, str(path))


def check_workflow_file(path: Path, loader: Loader = LOADER) -> list[Problem]:
    """Every problem of the workflow file at ``path``. Raises OSError if it cannot be
    read at all."""
    text, problems = read_file(path)
    if text is None:
        return problems
    return parse_workflow(text, str(path), loader, fingerprinted=False)[1]


def load_workflow_text(text: str, file: str) -> WorkflowDefinition:
    definition, problems = parse_workflow(text, file)
    if problems or definition is None:
        raise WorkflowInvalid(problems)
    return definition


def check_workflow_text(text: str, file: str) -> list[Problem]:
    return parse_workflow(text, file, fingerprinted=False)[1]


def parse_workflow(
    text: str, file: str, loader: Loader = LOADER, *, fingerprinted: bool = True
) -> tuple[WorkflowDefinition | None, list[Problem]]:
    """The definition (with its checksum if ``fingerprinted``; a check needs none) and
    every problem, sorted by line."""
    with collector_paused():
        root, problems = compose(text, file, loader)
        if root is None:
            return None, problems
        reader = NodeReader(file)
        definition = _WorkflowParser(reader).parse(root, text)
        if definition is not None and fingerprinted:
            definition = replace(definition, checksum=fingerprint(root))
    return definition, sorted(set(reader.problems))


class _WorkflowParser:
    def __init__(self, reader: NodeReader) -> None:
        self.r = reader
        self.phase_lines: dict[str, int] = {}
        self.terminal_lines: dict[str, int] = {}
        # Every gate's arrow, even from a gate with other problems: a typo in a policy
        # must not also make the phases around it look unreachable.
        self.edges: set[tuple[str, str]] = set()
        self.edges_known = True

    def parse(self, root: Node, text: str) -> WorkflowDefinition | None:
        keys = self.r.mapping(root, "the workflow", required=TOP_KEYS)
        if keys is None:
            return None
        name = self.r.identifier(keys["name"], "the workflow name") if "name" in keys else None
        version = (
            self.r.integer(keys["version"], "version", minimum=1) if "version" in keys else None
        )
        title = self.r.label(keys["title"], "title") if "title" in keys else None
        phases = self._phases(keys["phases"]) if "phases" in keys else ()
        terminals = self._terminals(keys["terminal"]) if "terminal" in keys else ()
        gates = self._gates(keys["gates"]) if "gates" in keys else ()
        if phases and self.edges_known:
            self._check_reachability(phases, terminals)
        if self.r.problems or name is None or version is None or title is None:
            return None
        return WorkflowDefinition(
            name=name,
            version=version,
            title=title,
            phases=phases,
            terminals=terminals,
            gates=tuple(g for g, _ in gates),
            source=text,
        )

    def _phases(self, node: Node) -> tuple[Phase, ...]:
        phases: list[Phase] = []
        if _is_empty(node):
            self.r.problem(node, "phases must list at least one phase")
            return ()
        for item in self.r.sequence(node, "phases"):
            keys = self.r.mapping(item, "a phase", required=("id", "label"), optional=("owned_by",))
            if keys is None or "id" not in keys:
                continue
            phase_id = self.r.identifier(keys["id"], "phase id")
            label = self.r.label(keys["label"], "phase label") if "label" in keys else None
            owned_by = "line"
            if "owned_by" in keys:
                owned_by = (
                    self.r.choice(keys["owned_by"], "owned_by", ("line", "project")) or "line"
                )
            if phase_id is None or label is None:
                continue
            if label.en is None:
                self.r.problem(keys["label"], f"phase '{phase_id}' needs an English label (en) too")
            if self._claim_id(phase_id, keys["id"], self.phase_lines, "phase"):
                phases.append(Phase(phase_id, label, owned_by))
        return tuple(phases)

    def _terminals(self, node: Node) -> tuple[Terminal, ...]:
        terminals: list[Terminal] = []
        kinds: dict[TerminalKind, int] = {}
        for item in self.r.sequence(node, "terminal"):
            keys = self.r.mapping(item, "a terminal state", required=("id", "kind", "label"))
            if keys is None or not {"id", "kind", "label"} <= keys.keys():
                continue
            state_id = self.r.identifier(keys["id"], "terminal state id")
            kind = self.r.choice(
                keys["kind"], "terminal kind", tuple(k.value for k in TerminalKind)
            )
            label = self.r.label(keys["label"], "terminal label")
            if state_id is None or kind is None or label is None:
                continue
            if state_id in self.phase_lines:
                self.r.problem(
                    keys["id"],
                    f"duplicate id '{state_id}': it is already a phase "
                    f"(line {self.phase_lines[state_id]})",
                )
                continue
            terminal_kind = TerminalKind(kind)
            if terminal_kind in kinds:
                self.r.problem(
                    keys["kind"],
                    f"a second terminal state of kind '{kind}' "
                    f"(first on line {kinds[terminal_kind]})",
                )
                continue
            kinds[terminal_kind] = line_of(keys["kind"])
            if self._claim_id(state_id, keys["id"], self.terminal_lines, "terminal state"):
                terminals.append(Terminal(state_id, label, terminal_kind))
        for kind in TerminalKind:
            if kind not in kinds:
                self.r.problem(node, f"terminal must include a state of kind '{kind.value}'")
        return tuple(terminals)

    def _claim_id(self, item_id: str, node: Node, seen: dict[str, int], what: str) -> bool:
        if item_id in seen:
            self.r.problem(node, f"duplicate {what} id '{item_id}' (first on line {seen[item_id]})")
            return False
        seen[item_id] = line_of(node)
        return True

    def _gates(self, node: Node) -> list[tuple[Gate, Node]]:
        gates: list[tuple[Gate, Node]] = []
        seen: dict[str, int] = {}
        for item in self.r.sequence(node, "gates"):
            parsed = self._gate(item)
            if parsed is None:
                continue
            gate, id_node = parsed
            if self._claim_id(gate.id, id_node, seen, "gate"):
                gates.append((gate, item))
        return gates

    def _gate(self, node: Node) -> tuple[Gate, Node] | None:
        keys = self.r.mapping(node, "a gate", required=GATE_KEYS, optional=GATE_OPTIONAL)
        if keys is None:
            self.edges_known = False
            return None
        gate_id = self.r.identifier(keys["id"], "gate id") if "id" in keys else None
        what = f"gate {gate_id}" if gate_id else "a gate"
        from_phase = self._state_ref(keys.get("from"), f"{what}: 'from'", phases_only=True)
        to = self._state_ref(keys.get("to"), f"{what}: 'to'", phases_only=False)
        if from_phase is None or to is None:
            self.edges_known = False  # reachability would only repeat this gate's problem
        else:
            self.edges.add((from_phase, to))
        label = self.r.label(keys["label"], f"{what} label") if "label" in keys else None
        purpose = None
        if "purpose" in keys:
            purpose = self.r.label(keys["purpose"], f"{what} purpose", lines=True)
        deciders = self._deciders(keys["deciders"], what) if "deciders" in keys else None
        checklist = self._checklist(keys["checklist"], what) if "checklist" in keys else None
        documents = self._documents(keys["documents"], what) if "documents" in keys else ()
        requires: tuple[str, ...] = ()
        if "requires_events" in keys:
            names = [
                self.r.identifier(n, f"{what}: required event")
                for n in self.r.sequence(keys["requires_events"], f"{what}: requires_events")
            ]
            requires = tuple(n for n in names if n)
            if len(set(requires)) != len(requires):
                self.r.problem(keys["requires_events"], f"{what} lists a required event twice")
        needs = self._requirements(keys["requires"], what) if "requires" in keys else ()
        if None in (gate_id, from_phase, to, label, purpose, deciders, checklist):
            return None
        gate = Gate(
            id=gate_id,  # type: ignore[arg-type]  # None was ruled out just above
            from_phase=from_phase,  # type: ignore[arg-type]
            to=to,  # type: ignore[arg-type]
            label=label,  # type: ignore[arg-type]
            purpose=purpose,  # type: ignore[arg-type]
            deciders=deciders,  # type: ignore[arg-type]
            checklist=checklist or (),
            documents=documents,
            requires_events=requires,
            requires=needs,
        )
        return gate, keys["id"]

    def _requirements(self, node: Node, what: str) -> tuple[Requirement, ...]:
        """``requires:``: what the project's own data must hold before the request can be
        submitted, each a name phasegate knows (:class:`Requirement`)."""
        found: list[Requirement] = []
        known = ", ".join(r.value for r in Requirement)
        for item in self.r.sequence(node, f"{what}: requires"):
            name = self.r.identifier(item, f"{what}: requirement")
            if not name:
                continue
            try:
                requirement = Requirement(name)
            except ValueError:
                self.r.problem(item, f"{what} requires {name!r}; phasegate knows {known}")
                continue
            if requirement in found:
                self.r.problem(item, f"{what} lists the requirement {name!r} twice")
            found.append(requirement)
        return tuple(found)

    def _state_ref(self, node: Node | None, what: str, *, phases_only: bool) -> str | None:
        if node is None:
            return None
        value = self.r.identifier(node, what)
        if value is None:
            return None
        if value in self.phase_lines:
            return value
        if not phases_only and value in self.terminal_lines:
            return value
        known = list(self.phase_lines) + ([] if phases_only else list(self.terminal_lines))
        self.r.problem(
            node,
            f"{what} names unknown phase '{shown(value)}'; known: {', '.join(known) or 'none'}",
        )
        return None

    def _deciders(self, node: Node, what: str) -> Deciders | None:
        if node.tag.endswith(":null"):
            self.r.problem(node, f"{what} has no decider: give 'deciders' a role and a policy")
            return None
        keys = self.r.mapping(node, f"{what} deciders", required=("role", "policy"))
        if keys is None:
            return None
        roles = tuple(r.value for r in DeciderRole)
        policies = tuple(p.value for p in Policy)
        role = (
            self.r.choice(keys["role"], f"{what} decider role", roles) if "role" in keys else None
        )
        policy = None
        if "policy" in keys:
            policy = self.r.choice(keys["policy"], f"{what} policy", policies)
        if role is None or policy is None:
            return None
        return Deciders(DeciderRole(role), Policy(policy))

    def _checklist(self, node: Node, what: str) -> tuple[ChecklistItem, ...] | None:
        items: list[ChecklistItem] = []
        seen: dict[str, int] = {}
        if _is_empty(node):
            self.r.problem(node, f"{what} has an empty checklist; list at least one item")
            return None
        entries = self.r.sequence(node, f"{what} checklist")
        if not entries:
            return None  # not a list: reported
        item = f"{what} checklist item"
        for entry in entries:
            keys = self.r.mapping(entry, item, required=("id", "text"), optional=("mandatory",))
            if keys is None or not {"id", "text"} <= keys.keys():
                continue
            item_id = self.r.identifier(keys["id"], f"{item} id")
            text = self.r.label(keys["text"], f"{what} checklist text")
            mandatory = False
            if "mandatory" in keys:
                mandatory = bool(self.r.boolean(keys["mandatory"], f"{what} 'mandatory'"))
            if item_id and text and self._claim_id(item_id, keys["id"], seen, item):
                items.append(ChecklistItem(item_id, text, mandatory))
        return tuple(items)

    def _documents(self, node: Node, what: str) -> tuple[DocumentRequirement, ...]:
        docs: list[DocumentRequirement] = []
        seen: dict[str, int] = {}
        for entry in self.r.sequence(node, f"{what} documents"):
            keys = self.r.mapping(entry, f"{what} document", required=("id", "label"))
            if keys is None or not {"id", "label"} <= keys.keys():
                continue
            doc_id = self.r.identifier(keys["id"], f"{what} document id")
            label = self.r.label(keys["label"], f"{what} document label")
            if doc_id and label and self._claim_id(doc_id, keys["id"], seen, f"{what} document"):
                docs.append(DocumentRequirement(doc_id, label))
        return tuple(docs)

    def _check_reachability(
        self, phases: tuple[Phase, ...], terminals: tuple[Terminal, ...]
    ) -> None:
        """Every phase must be reachable from the first, and lead on to completion."""
        edges: dict[str, set[str]] = {p.id: set() for p in phases}
        for from_phase, to in self.edges:
            edges.setdefault(from_phase, set()).add(to)
        start = phases[0].id
        reached = _reachable(edges, start)
        for phase in phases[1:]:
            if phase.id not in reached:
                self.r.problem(
                    None,
                    f"phase '{phase.id}' is unreachable: no chain of gates leads to it from "
                    f"'{start}'",
                    line=self.phase_lines[phase.id],
                )
        completed = next((t.id for t in terminals if t.kind is TerminalKind.COMPLETED), None)
        if completed is None:
            return
        for phase in phases:
            if phase.id in reached and completed not in _reachable(edges, phase.id):
                self.r.problem(
                    None,
                    f"phase '{phase.id}' is a dead end: no chain of gates leads from it to "
                    f"'{completed}'",
                    line=self.phase_lines[phase.id],
                )


def _is_empty(node: Node) -> bool:
    """Nothing after the key, or an empty list `[]`."""
    return node.tag.endswith(":null") or (isinstance(node, SequenceNode) and not node.value)


def _reachable(edges: dict[str, set[str]], start: str) -> set[str]:
    seen = {start}
    queue = deque([start])
    while queue:
        for nxt in edges.get(queue.popleft(), ()):
            if nxt not in seen:
                seen.add(nxt)
                queue.append(nxt)
    return seen
