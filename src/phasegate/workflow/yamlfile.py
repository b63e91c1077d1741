"""Reading phasegate's YAML files safely (*konfigurasjonsfiler*): workflows, the wheel, the
demo seed, and every configuration file to come.

People edit these files by hand, and a file can also come from someone who means harm. So
:func:`read_file` and :func:`compose` never raise on what a file says: each returns the
node tree (with every node's line) or the first thing wrong, as a :class:`Problem` with
file and line. They hold these limits:

- **size**: at most :data:`MAX_FILE_BYTES` (10 MiB), refused before the file is read;
- **depth**: lists and mappings nested at most :data:`MAX_DEPTH` (64) levels deep. A real
  file needs six or seven; the limit keeps every walk over the tree shallow;
- **aliases** (``*name``): a key may not be one, and all of them together may add at most
  :data:`ALIAS_FACTOR` times what the file itself holds (counting one per node plus one per
  character of text), or :data:`ALIAS_FLOOR` in a small file. The count is kept while
  composing, and an alias adds the size of its anchor, which is known by then; so a
  "billion laughs" file is refused at the alias that crosses the limit, before anything is
  expanded;
- **keys** are plain texts: not a list, a mapping, an alias or a merge (``<<``);
- **tags**: none but ``!!str`` (and the plain ``!``), so nothing can ask for a constructor.

Composing is one pass over the parser's events, without recursion. It uses libyaml
(``yaml.CSafeLoader``) where PyYAML was built with it, and the pure-Python parser where not:
the nodes and their lines are the same from both.
"""

from __future__ import annotations

import gc
import hashlib
import json
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

import yaml
from yaml.constructor import SafeConstructor
from yaml.events import (
    AliasEvent,
    DocumentStartEvent,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
)
from yaml.nodes import CollectionNode, MappingNode, Node, ScalarNode, SequenceNode
from yaml.resolver import Resolver

from phasegate.domain.text import shown
from phasegate.errors import WorkflowInvalid
from phasegate.workflow.yamlnodes import Problem

MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_DEPTH = 64
ALIAS_FACTOR = 10
ALIAS_FLOOR = 100_000

#: The parsers there are, fastest first; :data:`LOADER` is the one used by default.
PURE_LOADER: type[yaml.SafeLoader] = yaml.SafeLoader
FAST_LOADER: type[yaml.SafeLoader] | type[yaml.CSafeLoader] = (
    yaml.CSafeLoader if yaml.__with_libyaml__ else yaml.SafeLoader
)
LOADER = FAST_LOADER
Loader = type[yaml.SafeLoader] | type[yaml.CSafeLoader]

_YAML_TAG = "tag:yaml.org,2002:"
_STR = Resolver.DEFAULT_SCALAR_TAG
_SEQ = Resolver.DEFAULT_SEQUENCE_TAG
_MAP = Resolver.DEFAULT_MAPPING_TAG
_MERGE = f"{_YAML_TAG}merge"
_UNNAMED_CHARACTER = "found character that cannot start any token"  # libyaml's words
#: YAML 1.1's implicit types (int, float, bool, null, timestamp, …) by first character.
_IMPLICIT: dict[str | None, list[tuple[str, re.Pattern[str]]]] = Resolver.yaml_implicit_resolvers
_MiB = 1024 * 1024
_KEY_NOT_TEXT = "a key must be a plain text, not a list or a mapping"
_MERGE_KEY = "merge keys (<<) are not supported here; write the keys out instead"
_TOO_DEEP = (
    f"lists and mappings are nested more than {MAX_DEPTH} levels deep here; a phasegate file "
    "needs far fewer: look for brackets that are never closed"
)


def read_file(path: Path) -> tuple[str | None, list[Problem]]:
    """The file's text, or why it cannot be read as one: too large (told without reading
    it), or not UTF-8 (on the line of the first byte that is not). Raises OSError when the
    file cannot be opened at all, for the caller to word."""
    file = str(path)
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        return None, [_too_large(file)]
    with path.open("rb") as opened:  # no more than the limit, even from a pipe or a device
        data = opened.read(MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:
        return None, [_too_large(file)]
    try:
        return data.decode("utf-8"), []
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        return None, [
            Problem(
                file,
                line,
                f"the file is not UTF-8 text (byte 0x{data[exc.start]:02X} on this line); "
                "save it as UTF-8",
            )
        ]


def compose(text: str, file: str, loader: Loader = LOADER) -> tuple[Node | None, list[Problem]]:
    """The file's one document as a node tree, or the first thing wrong with it. ``text``
    may come from elsewhere than a file (a workflow version stored in the database): the
    size limit holds for it too."""
    refused = _oversized(text, file)
    if refused is None and loader is yaml.CSafeLoader and _plain(text):
        return _compose_plain(text, file)
    composer = _Composer(file)
    refused = refused or _run(composer, text, loader)
    if refused is not None:
        return None, [refused]
    if composer.root is None:
        return None, [Problem(file, 1, "the file is empty")]
    return composer.root, []


def _plain(text: str) -> bool:
    """Whether the text can hold no anchor (``&``), alias (``*``) or tag (``!``): then
    libyaml may compose it on its own, and only depth and keys are left to check."""
    return "&" not in text and "*" not in text and "!" not in text


def _compose_plain(text: str, file: str) -> tuple[Node | None, list[Problem]]:
    """A file with no anchors and no tags (most of them), composed by libyaml alone, which
    is a third faster than the events one by one; then the same limits, checked in one
    walk over the tree in document order."""
    try:
        with collector_paused():
            root: Node | None = yaml.compose(text, Loader=yaml.CSafeLoader)
    except yaml.MarkedYAMLError as exc:  # an alias with no anchor is one of these
        return None, [_syntax_problem(exc, text, file)]
    except yaml.reader.ReaderError as exc:
        return None, [_reader_problem(exc, text, file)]
    except yaml.YAMLError as exc:
        return None, [Problem(file, 1, f"YAML syntax error: {shown(exc, 300)}")]
    if root is None:
        return None, [Problem(file, 1, "the file is empty")]
    refused = _walk_plain(root, file)
    return (None, [refused]) if refused is not None else (root, [])


def _walk_plain(root: Node, file: str) -> Problem | None:
    """The first node, in document order, that breaks the depth or key rules (the messages
    are :class:`_Composer`'s)."""
    todo: list[tuple[Node, int, bool]] = [(root, 0, False)]  # node, collections above, a key
    while todo:
        node, depth, key = todo.pop()
        if isinstance(node, ScalarNode):
            if key and node.tag == _MERGE:
                return Problem(file, node.start_mark.line + 1, _MERGE_KEY)
            continue
        if key:
            return Problem(file, node.start_mark.line + 1, _KEY_NOT_TEXT)
        if depth >= MAX_DEPTH:
            return Problem(file, node.start_mark.line + 1, _TOO_DEEP)
        if isinstance(node, MappingNode):
            for inner_key, value in reversed(node.value):
                todo += ((value, depth + 1, False), (inner_key, depth + 1, True))
        else:
            todo += ((item, depth + 1, False) for item in reversed(node.value))
    return None


def load_data(path: Path, what: str) -> Any:
    """The plain data of the YAML file at ``path``, for a file with no checks of its own
    (the demo seed). Raises WorkflowInvalid with the problem, ``what`` the kind of file
    (its reason: ``seed``), or OSError."""
    text, problems = read_file(path)
    root = None
    if text is not None:
        root, problems = compose(text, str(path))
    if root is None:
        raise WorkflowInvalid(problems, what)
    return construct(root)


def construct(root: Node) -> Any:
    """The plain Python data of a tree from :func:`compose`, as ``yaml.safe_load`` gives it.
    Shared anchors stay one object; nothing here can fail on what the file says."""
    return _Constructor().construct_document(root)


def fingerprint(root: Node) -> str:
    """What a file says, not how: the SHA-256 of its data as sorted JSON, so comments and
    layout don't count. Stored with each workflow version; it must never change for a
    file that loads (``tests/test_yaml_files.py`` pins the shipped workflow's)."""
    meaning = json.dumps(construct(root), sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(meaning.encode("utf-8", "surrogatepass")).hexdigest()


@dataclass(slots=True)
class _Open:
    """A list or mapping whose end has not come yet."""

    node: CollectionNode
    anchor: str | None
    mapping: bool
    size: int = 1  # itself and everything in it, aliases expanded
    key: Node | None = None  # a mapping's key that waits for its value


class _Composer:
    """Builds the node tree from the parser's events, one at a time, holding the limits.

    Each of its :meth:`handlers` answers None while all is well, else the problem that ends
    the reading. They run once per event of a file of up to 10 MiB, so the commonest path
    is written out in full. Events and marks are typed ``Any``: libyaml's marks are a
    class of their own.
    """

    def __init__(self, file: str) -> None:
        self.file = file
        self.root: Node | None = None
        self.open: list[_Open] = []
        self.anchors: dict[str, tuple[Node, int]] = {}
        self.own = 0  # what the file itself holds, in nodes plus characters
        self.expanded = 0  # the same with every alias expanded

    def handlers(self) -> dict[type, Callable[[Any], Problem | None]]:
        """What to do with each kind of event; the stream's and the document's own ends
        need nothing."""
        return {
            ScalarEvent: self._scalar,
            SequenceStartEvent: self._start,
            MappingStartEvent: self._start,
            SequenceEndEvent: self._end,
            MappingEndEvent: self._end,
            AliasEvent: self._alias,
            DocumentStartEvent: self._document,
        }

    def _document(self, event: Any) -> Problem | None:
        if self.root is None:
            return None
        return self._problem(
            event,
            "YAML syntax error: but found another document (expected a single document in "
            f"the stream on line {self.root.start_mark.line + 1})",
        )

    def _end(self, event: Any) -> Problem | None:
        done = self.open.pop()
        done.node.end_mark = event.end_mark
        if done.anchor is not None:
            self.anchors[done.anchor] = (done.node, done.size)
        self._add(done.node, done.size)
        return None

    def _scalar(self, event: Any) -> Problem | None:
        tag, value = event.tag, event.value
        if tag is None or tag == "!":  # resolved as yaml.resolver.Resolver.resolve does
            tag = _STR
            if event.implicit[0]:
                for implicit, pattern in _IMPLICIT.get(value[:1], ()):
                    if pattern.match(value):
                        tag = implicit
                        break
        elif tag != _STR:
            return self._tag_problem(event)
        node = ScalarNode(tag, value, event.start_mark, event.end_mark, style=event.style)
        size = 1 + len(value)
        self.own += size
        self.expanded += size
        if event.anchor is not None:
            refused = self._anchor(event, node, size)
            if refused is not None:
                return refused
        if not self.open:
            self.root = node
            return None
        parent = self.open[-1]  # what _add does, written out for the commonest event
        parent.size += size
        if not parent.mapping:
            parent.node.value.append(node)
        elif parent.key is not None:
            parent.node.value.append((parent.key, node))
            parent.key = None
        elif tag == _MERGE:
            return self._problem(event, _MERGE_KEY)
        else:
            parent.key = node
        return None

    def _start(self, event: Any) -> Problem | None:
        if self._waiting_for_key():
            return self._problem(event, _KEY_NOT_TEXT)
        if len(self.open) >= MAX_DEPTH:
            return self._problem(event, _TOO_DEEP)
        mapping = type(event) is MappingStartEvent
        tag = event.tag
        if tag is None or tag == "!":
            tag = _MAP if mapping else _SEQ
        elif tag != (_MAP if mapping else _SEQ):
            return self._tag_problem(event)
        node: CollectionNode = (MappingNode if mapping else SequenceNode)(
            tag, [], event.start_mark, None, flow_style=event.flow_style
        )
        self.own += 1
        self.expanded += 1
        if event.anchor is not None:
            refused = self._anchor(event, node, 0)
            if refused is not None:
                return refused
        self.open.append(_Open(node, event.anchor, mapping))
        return None

    def _alias(self, event: Any) -> Problem | None:
        name = shown(event.anchor)
        if self._waiting_for_key():
            return self._problem(event, f"a key must be written out, not an alias (*{name})")
        if any(o.anchor == event.anchor for o in self.open):
            return self._problem(event, f"the alias *{name} is inside the &{name} it refers to")
        if event.anchor not in self.anchors:
            return self._problem(
                event, f"the alias *{name} refers to no anchor &{name} above it in the file"
            )
        node, size = self.anchors[event.anchor]
        self.expanded += size
        if self.expanded > max(ALIAS_FLOOR, ALIAS_FACTOR * self.own):
            return self._problem(
                event,
                f"the alias *{name} makes the file too large: with its aliases expanded it "
                f"would hold more than {ALIAS_FACTOR} times what is written in it; write the "
                "repeated parts out, or repeat them less",
            )
        self._add(node, size)
        return None

    def _anchor(self, event: Any, node: Node, size: int) -> Problem | None:
        anchor: str = event.anchor
        known = self.anchors.get(anchor)
        first = known[0] if known else next((o.node for o in self.open if o.anchor == anchor), None)
        if first is not None:
            return self._problem(
                event,
                f"the anchor &{shown(anchor)} is given twice (first on line "
                f"{first.start_mark.line + 1}); give each anchor its own name",
            )
        if isinstance(node, ScalarNode):  # a list's or mapping's size is known at its end
            self.anchors[anchor] = (node, size)
        return None

    def _add(self, node: Node, size: int) -> None:
        """Put a finished node (or an alias's) into the list or mapping around it."""
        if not self.open:
            self.root = node
            return
        parent = self.open[-1]
        parent.size += size
        if not parent.mapping:
            parent.node.value.append(node)
        elif parent.key is None:
            parent.key = node
        else:
            parent.node.value.append((parent.key, node))
            parent.key = None

    def _waiting_for_key(self) -> bool:
        return bool(self.open) and self.open[-1].mapping and self.open[-1].key is None

    def _tag_problem(self, event: Any) -> Problem:
        written = str(event.tag).replace(_YAML_TAG, "!!", 1)
        return self._problem(
            event,
            f"the tag {shown(written)} is not allowed in phasegate's files; remove it (put a "
            "value in quotes to keep it as text)",
        )

    def _problem(self, event: Any, message: str) -> Problem:
        mark = event.start_mark
        return Problem(self.file, mark.line + 1 if mark else 1, message)


_NUMBER_TAGS = tuple(f"{_YAML_TAG}{kind}" for kind in ("int", "float", "timestamp"))


class _Constructor(SafeConstructor):
    """``yaml.safe_load``'s constructor, except that a number or date it cannot build stays
    the text it was (``2026-02-30``, ``._``), and a huge ``1:00:00:…`` is not multiplied
    out: such values are refused elsewhere when they matter, and a fingerprint must not
    fail. Plain ``=`` and ``<<`` as values, which YAML 1.1 tags as it does no other value,
    are texts."""

    def construct_guarded(self, node: ScalarNode) -> Any:
        if len(node.value) > 100:  # no real number is this long; base 60 would take hours
            return node.value
        try:
            return SafeConstructor.yaml_constructors[node.tag](self, node)
        except (ValueError, OverflowError):
            return node.value

    yaml_constructors: ClassVar[dict[str | None, Any]] = {
        **SafeConstructor.yaml_constructors,
        **dict.fromkeys(_NUMBER_TAGS, construct_guarded),
        f"{_YAML_TAG}value": SafeConstructor.construct_yaml_str,
        _MERGE: SafeConstructor.construct_yaml_str,
    }


def _oversized(text: str, file: str) -> Problem | None:
    if len(text) <= MAX_FILE_BYTES // 4:  # a character is at most four bytes
        return None
    size = len(text.encode("utf-8", "surrogatepass"))
    return _too_large(file) if size > MAX_FILE_BYTES else None


def _run(composer: _Composer, text: str, loader: Loader) -> Problem | None:
    """Feed the parser's events to ``composer``; the problem that stopped it, if any."""
    source: yaml.SafeLoader | yaml.CSafeLoader | None = None
    try:
        source = loader(text)
        with collector_paused():
            handlers, next_event = composer.handlers(), source.get_event
            while (event := next_event()) is not None:  # None after the stream's end
                handler = handlers.get(type(event))
                refused = handler(event) if handler else None
                if refused is not None:
                    return refused
    except yaml.MarkedYAMLError as exc:
        return _syntax_problem(exc, text, composer.file)
    except yaml.reader.ReaderError as exc:
        return _reader_problem(exc, text, composer.file)
    except yaml.YAMLError as exc:
        return Problem(composer.file, 1, f"YAML syntax error: {shown(exc, 300)}")
    finally:
        if source is not None:
            source.dispose()
    return None


@contextmanager
def collector_paused() -> Iterator[None]:
    """Python's cycle collector off for a while, for composing a tree and reading it. A
    node tree has no cycles, yet while it grows by hundreds of thousands of nodes (and
    while a reader makes objects from them) the collector walks it again and again: a
    third of the time of checking a large file. Nested uses leave it to the outermost."""
    paused = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if paused:
            gc.enable()


def _too_large(file: str) -> Problem:
    return Problem(
        file,
        1,
        f"the file is larger than {MAX_FILE_BYTES // _MiB} MiB, the most a phasegate file may "
        "be: split it, or remove what it does not need",
    )


def _syntax_problem(exc: yaml.MarkedYAMLError, text: str, file: str) -> Problem:
    mark = exc.problem_mark or exc.context_mark
    line = mark.line + 1 if mark else 1
    what = exc.problem or "the file is not valid YAML"
    if what == _UNNAMED_CHARACTER and mark and 0 <= mark.index < len(text):
        # libyaml leaves out the character, the pure parser names it: most often a tab
        what = f"found character {text[mark.index]!r} that cannot start any token"
    opened = exc.context_mark.line + 1 if exc.context_mark else line
    if exc.context and opened != line:  # an unclosed '{', '[' or quote: say where
        what = f"{what} ({exc.context} on line {opened})"
    return Problem(file, line, f"YAML syntax error: {shown(what, 300)}")


def _reader_problem(exc: yaml.reader.ReaderError, text: str, file: str) -> Problem:
    """A character YAML allows nowhere in a file: NUL, DEL, other controls, U+FFFE."""
    code = exc.character if isinstance(exc.character, int) else ord(exc.character)
    at = text.find(chr(code))  # the first one is the one the reader stopped at
    line = text.count("\n", 0, at) + 1 if at >= 0 else 1
    column = at - text.rfind("\n", 0, at) if at >= 0 else 1
    return Problem(
        file,
        line,
        f"the line holds U+{code:04X} (column {column}), a character that is not text and "
        "that YAML does not allow; remove it, or type the line again",
    )
