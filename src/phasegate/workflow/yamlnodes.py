"""Reading a YAML node tree while keeping every problem with its file and line.

:func:`~phasegate.workflow.yamlfile.compose` gives nodes with positions; reading those
directly (instead of the constructed dicts) lets us report duplicate keys and point at the
exact line. Every text goes through :func:`phasegate.domain.text.tidy`, and every value repeated
in a message through :func:`phasegate.domain.text.shown`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from phasegate.domain.model import Label
from phasegate.domain.text import reason, shown, tidy

IDENTIFIER = re.compile(r"^[A-Za-z][A-Za-z0-9_-]*$")
#: What a whole number may be written as: decimal digits, perhaps a sign, no leading 0.
WHOLE_NUMBER = re.compile(r"[-+]?(?:0|[1-9][0-9]*)")
#: The largest whole number a file may give: what a database ``integer`` holds.
MOST_WHOLE = 2**31 - 1
_NUMBER_LIKE = re.compile(r"[-+]?\.?[0-9]")
_HUGE = 10**20


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
                    key_node,
                    f"duplicate key '{shown(key)}' in {what} (first given on line {first})",
                )
                continue
            if allowed and key not in allowed:
                expected = ", ".join(sorted(allowed))
                self.problem(
                    key_node, f"unknown key '{shown(key)}' in {what}; expected one of: {expected}"
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

    def text(self, node: Node, what: str, *, lines: bool = False) -> str | None:
        """A text as :func:`~phasegate.domain.text.tidy` keeps it: on one line unless ``lines``."""
        if not isinstance(node, ScalarNode) or node.tag.endswith(":null"):
            self.problem(node, f"{what} must be a text")
            return None
        tidied = tidy(str(node.value), lines=lines)
        if not tidied.ok:  # a quoted "\0", "\x01" or "\ud83d" can carry what is not text
            self.problem(node, f"{what} {reason(tidied)}")
            return None
        value = tidied.text.strip()
        if not value:
            self.problem(node, f"{what} must not be empty")
            return None
        return value

    def identifier(self, node: Node, what: str) -> str | None:
        written = str(node.value) if isinstance(node, ScalarNode) else ""
        if IDENTIFIER.fullmatch(written) and not node.tag.endswith(":null"):
            return written  # only letters, digits, '_' and '-': text() would keep it as it is
        value = self.text(node, what)
        if value is not None and not IDENTIFIER.match(value):
            self.problem(
                node,
                f"{what} '{shown(value)}' is not a valid id: use letters, digits, '_' or '-', "
                "starting with a letter",
            )
            return None
        return value

    def integer(
        self, node: Node, what: str, minimum: int = 0, most: int = MOST_WHOLE
    ) -> int | None:
        """A whole number in decimal digits. YAML 1.1 also reads ``0x1F``, ``0b101``,
        ``017`` (octal), ``1_000`` and ``1:30`` (base 60) as numbers, which nobody means in
        a phasegate file: those, and other numbers that are not whole, are refused with the
        way to write one."""
        if not isinstance(node, ScalarNode) or not _numeric(node):
            self.problem(node, f"{what} must be a whole number")
            return None
        written = str(node.value)
        if not node.tag.endswith(":int") or not WHOLE_NUMBER.fullmatch(written):
            self.problem(
                node,
                f"{what} '{shown(written)}' is not a plain whole number: write it with the "
                "digits 0-9 only, without leading zeros, '_', ':', '.' or '0x', e.g. 12",
            )
            return None
        if len(written) > 20:  # int() refuses 5,000 digits, and this many is out of range
            value = -_HUGE if written.startswith("-") else _HUGE
        else:
            value = int(written)
        if value < minimum:
            self.problem(node, f"{what} must be at least {minimum}")
            return None
        if value > most:
            self.problem(node, f"{what} must be at most {most}")
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
            self.problem(node, f"{what} '{shown(value)}' is not one of: {', '.join(choices)}")
            return None
        return value

    def label(self, node: Node, what: str, *, lines: bool = False) -> Label | None:
        """Either a plain text, or a mapping with `nb` (bokmål, required), `nn` (nynorsk)
        and `en`; on one line unless ``lines``."""
        if isinstance(node, ScalarNode):
            value = self.text(node, what, lines=lines)
            return Label(value) if value else None
        keys = self.mapping(node, what, required=("nb",), optional=("nn", "en"))
        if keys is None or "nb" not in keys:
            return None
        nb = self.text(keys["nb"], f"{what} (nb)", lines=lines)
        nn = self.text(keys["nn"], f"{what} (nn)", lines=lines) if "nn" in keys else None
        en = self.text(keys["en"], f"{what} (en)", lines=lines) if "en" in keys else None
        return Label(nb, en, nn) if nb else None


def _numeric(node: ScalarNode) -> bool:
    """YAML read it as a number, or it is written unquoted and starts like one (``0o17``,
    ``1e3``, which YAML 1.1 reads as texts)."""
    if node.tag.endswith((":int", ":float")):
        return True
    return not node.style and _NUMBER_LIKE.match(str(node.value)) is not None


def line_of(node: Node) -> int:
    return node.start_mark.line + 1
