"""The MIME message for one outbox row, the same on every attempt to send it."""

from __future__ import annotations

import email.policy
import functools
from dataclasses import dataclass
from datetime import datetime
from email.headerregistry import BaseHeader, HeaderRegistry
from email.message import EmailMessage
from email.utils import format_datetime
from typing import Any


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


POLICY = email.policy.default.clone(header_factory=_SharedHeaders())


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
