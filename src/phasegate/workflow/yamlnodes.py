"""Reading a YAML node tree while keeping every problem with its file and line.

PyYAML's composer gives nodes with positions; reading those directly (instead of the
constructed dicts) lets us report duplicate keys and point at the exact line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from phasegate.domain.model import Label

IDENTIFIER = re.compile(r"^[A-Za-z][A-Za-z0-9_-]*$")


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with a workflow file, where it is, and in plain words."""

    file: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"


@dataclass
class NodeReader:
    """Collects problems while reading typed values out of YAML nodes."""

    file: str
    problems: list[Problem] = field(default_factory=list)

    def problem(self, node: Node | None, message: str, line: int | None = None) -> None:
        where = line if line is not None else (node.start_mark.line + 1 if node else 1)
        self.problems.append(Problem(self.file, where, message))

    def compose(self, text: str) -> Node | None:
        try:
            node: Node | None = yaml.compose(text, Loader=yaml.SafeLoader)
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            line = mark.line + 1 if mark else 1
            what = exc.problem or "the file is not valid YAML"
            opened = exc.context_mark.line + 1 if exc.context_mark else line
            if exc.context and opened != line:  # an unclosed '{', '[' or quote: say where
                what = f"{what} ({exc.context} on line {opened})"
            self.problems.append(Problem(self.file, line, f"YAML syntax error: {what}"))
            return None
        except yaml.YAMLError as exc:
            self.problems.append(Problem(self.file, 1, f"YAML syntax error: {exc}"))
            return None
        if node is None:
            self.problems.append(Problem(self.file, 1, "the file is empty"))
        return node

    def mapping(
        self,
        node: Node,
        what: str,
        required: tuple[str, ...] = (),
        optional: tuple[str, ...] = (),
    ) -> dict[str, Node] | None:
        """The keys of a mapping; reports duplicates, unknown and missing keys."""
        if not isinstance(node, MappingNode):
            self.problem(node, f"{what} must be a mapping of keys to values")
            return None
        seen: dict[str, Node] = {}
        allowed = set(required) | set(optional)
        for key_node, value_node in node.value:
            key = str(key_node.value)
            if key in seen:
                first = seen[key].start_mark.line + 1
                self.problem(
                    key_node, f"duplicate key '{key}' in {what} (first given on line {first})"
                )
                continue
            if allowed and key not in allowed:
                expected = ", ".join(sorted(allowed))
                self.problem(
                    key_node, f"unknown key '{key}' in {what}; expected one of: {expected}"
                )
                continue
            seen[key] = value_node
        for key in required:
            if key not in seen:
                self.problem(node, f"{what} is missing '{key}'")
        return seen

    def sequence(self, node: Node, what: str) -> list[Node]:
        if not isinstance(node, SequenceNode):
            self.problem(node, f"{what} must be a list")
            return []
        return list(node.value)

    def text(self, node: Node, what: str) -> str | None:
        if not isinstance(node, ScalarNode) or node.tag.endswith(":null"):
            self.problem(node, f"{what} must be a text")
            return None
        value = str(node.value).strip()
        if not value:
            self.problem(node, f"{what} must not be empty")
            return None
        return value

    def identifier(self, node: Node, what: str) -> str | None:
        value = self.text(node, what)
        if value is not None and not IDENTIFIER.match(value):
            self.problem(
                node,
                f"{what} '{value}' is not a valid id: use letters, digits, '_' or '-', "
                "starting with a letter",
            )
            return None
        return value

    def integer(self, node: Node, what: str, minimum: int = 0) -> int | None:
        if not isinstance(node, ScalarNode) or not node.tag.endswith(":int"):
            self.problem(node, f"{what} must be a whole number")
            return None
        value = int(node.value)
        if value < minimum:
            self.problem(node, f"{what} must be at least {minimum}")
            return None
        return value

    def boolean(self, node: Node, what: str) -> bool | None:
        if not isinstance(node, ScalarNode) or not node.tag.endswith(":bool"):
            self.problem(node, f"{what} must be true or false")
            return None
        return str(node.value).lower() in {"true", "yes", "on"}

    def choice(self, node: Node, what: str, choices: tuple[str, ...]) -> str | None:
        value = self.text(node, what)
        if value is not None and value not in choices:
            self.problem(node, f"{what} '{value}' is not one of: {', '.join(choices)}")
            return None
        return value

    def label(self, node: Node, what: str) -> Label | None:
        """Either a plain text, or a mapping with `nb` (required) and `en`."""
        if isinstance(node, ScalarNode):
            value = self.text(node, what)
            return Label(value) if value else None
        keys = self.mapping(node, what, required=("nb",), optional=("en",))
        if keys is None or "nb" not in keys:
            return None
        nb = self.text(keys["nb"], f"{what} (nb)")
        en = self.text(keys["en"], f"{what} (en)") if "en" in keys else None
        return Label(nb, en) if nb else None


def line_of(node: Node) -> int:
    return node.start_mark.line + 1
