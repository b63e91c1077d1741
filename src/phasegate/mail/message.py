"""The MIME message for one outbox row, the same on every attempt to send it.

The subject is folded here, not by the email package: its folding of a long subject with
a non-ASCII character can write an empty encoded word (``=?utf-8?q??=``), which strict
mail clients show as it is, or split the text so that a space is doubled when unfolded.
"""

from __future__ import annotations

import email.policy
import functools
import re
import string
from dataclasses import dataclass
from datetime import datetime
from email.headerregistry import BaseHeader, HeaderRegistry, UniqueUnstructuredHeader
from email.message import EmailMessage
from email.policy import Policy
from email.utils import format_datetime
from typing import Any, ClassVar, Literal

from phasegate.domain.text import encodable

LINE_LENGTH = 78  # RFC 5322: a header line should be no longer
WORD_LENGTH = 75  # RFC 2047: an encoded word may be no longer
_PLAIN = re.compile(r"[!-~]+(?: [!-~]+)*")  # printable ASCII words with one space between
# The characters an encoded word may show as themselves in any header (RFC 2047 5(3)).
_Q_SAFE = frozenset((string.ascii_letters + string.digits + "!*+-/").encode())
_WORD_START, _WORD_END = "=?utf-8?q?", "?="


@dataclass(frozen=True)
class Claimed:
    """An outbox row a sender holds the lease on, with everything needed to send it."""

    id: int
    message_id: str
    recipient: str
    subject: str
    body_text: str
    body_html: str
    attempts: int
    last_error: str | None
    created_at: datetime
    claimed_until: datetime  # the lease: after this, another sender may take the row


class _SharedHeaders(HeaderRegistry):
    """The email package's header registry, sharing what it has made already.

    The stock registry makes a new class for every header it parses, and parses the same
    From, MIME-Version and Content-Type headers anew for every message: together three
    quarters of the cost of building one. Parsed headers are immutable, so messages can
    share them.
    """

    def __init__(self) -> None:
        super().__init__()
        self.classes: dict[str, type[BaseHeader]] = {}
        self.parsed = functools.lru_cache(maxsize=1024)(super().__call__)

    def __getitem__(self, name: str) -> type[BaseHeader]:
        key = name.lower()
        if (made := self.classes.get(key)) is None:
            made = self.classes[key] = super().__getitem__(name)
        return made

    def __call__(self, name: str, value: Any) -> BaseHeader:
        if isinstance(value, str):
            return self.parsed(name, value)
        return super().__call__(name, value)


class SubjectHeader(UniqueUnstructuredHeader, BaseHeader):
    """The Subject header: kept exactly as written, and folded by :func:`subject_lines`
    whatever policy the message is written with (aiosmtplib writes it with its own)."""

    max_count: ClassVar[Literal[1]] = 1  # one Subject a message

    @classmethod
    def parse(cls, value: str, kwds: dict[str, Any]) -> None:
        super().parse(value, kwds)
        kwds["decoded"] = value  # "=?…?=" in a project's name is text, not an encoded word

    def fold(self, *, policy: Policy) -> str:
        return policy.linesep.join(subject_lines(self.name, str(self))) + policy.linesep


def subject_lines(name: str, subject: str) -> list[str]:
    """The header's lines, without line ends, each at most 78 characters.

    Plain ASCII is folded at its spaces. Anything else is encoded whole as RFC 2047
    encoded words (UTF-8, "Q"), each whole characters and never empty. Spaces between
    encoded words are not part of the text, so the subject unfolds exactly as written.
    """
    head = f"{name}: "
    text = encodable(subject)
    if not text:
        return [f"{name}:"]
    if _PLAIN.fullmatch(text) and "=?" not in text:
        lines = [head + text.split(" ")[0]]
        for word in text.split(" ")[1:]:
            if len(lines[-1]) + 1 + len(word) <= LINE_LENGTH:
                lines[-1] += " " + word
            else:
                lines.append(" " + word)  # folding adds the line end before this space
        if all(len(line) <= LINE_LENGTH for line in lines):
            return lines
    return _encoded_lines(head, text)


def _encoded_lines(head: str, text: str) -> list[str]:
    wrap = len(_WORD_START + _WORD_END)
    room = min(WORD_LENGTH, LINE_LENGTH - len(head)) - wrap  # the first shares its line
    words, word = [], ""
    for char in text:
        piece = "".join(
            chr(byte) if byte in _Q_SAFE else "_" if byte == 0x20 else f"={byte:02X}"
            for byte in char.encode("utf-8")
        )
        if word and len(word) + len(piece) > room:
            room = WORD_LENGTH - wrap  # every further word has a line of its own
            # Break after a space where the rest fits: a client that wrongly keeps the
            # space between two encoded words then shows two spaces, not a split word.
            cut = word.rfind("_") + 1
            if cut == 0 or len(word) - cut + len(piece) > room:
                cut = len(word)
            words.append(word[:cut])
            word = word[cut:]
        word += piece
    words.append(word)
    encoded = [f"{_WORD_START}{word}{_WORD_END}" for word in words]
    return [head + encoded[0], *(" " + word for word in encoded[1:])]


_HEADERS = _SharedHeaders()
_HEADERS.map_to_type("subject", SubjectHeader)
POLICY = email.policy.default.clone(header_factory=_HEADERS)


def build_message(row: Claimed, mail_from: str) -> EmailMessage:
    """The MIME message: plain text with an HTML alternative, and the row's Message-ID."""
    message = EmailMessage(policy=POLICY)
    message["From"] = mail_from
    message["To"] = row.recipient
    message["Subject"] = row.subject
    message["Date"] = format_datetime(row.created_at)  # when it was written: same on retries
    message["Message-ID"] = row.message_id
    message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no out-of-office replies
    message.set_content(row.body_text)
    message.add_alternative(row.body_html, subtype="html")
    return message
