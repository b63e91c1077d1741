"""Helpers for the mail tests: a real SMTP server on loopback, and settings for the CLI.

``MailServer`` is a context manager: it runs aiosmtpd on 127.0.0.1, on a free port (or
the port it is given, to come back where it was), keeps what it receives, refuses when
told to, and stops cleanly when the block ends.
"""

from __future__ import annotations

import asyncio
import email
import email.policy
import os
import threading
from collections import Counter
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path
from types import TracebackType
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session


@dataclass(frozen=True)
class Received:
    """One message the server accepted: the envelope and the parsed message."""

    mail_from: str
    rcpt_tos: tuple[str, ...]
    message: EmailMessage

    @property
    def message_id(self) -> str:
        return str(self.message["Message-ID"])


class Recorder:
    """The handler: records accepted mail, counts connections, refuses on request."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.received: list[Received] = []
        self.connections = 0
        self.busy_replies = 0  # answer "451 try later" to this many more DATA commands
        self.unknown: set[str] = set()  # recipients answered "550 no such user"
        self.slow_reply = 0.0  # seconds between taking a message and saying so
        self.logins: list[tuple[str, str]] = []  # (user, password) of each AUTH

    async def handle_EHLO(  # noqa: N802 - aiosmtpd's hook name
        self, _server: SMTP, session: Session, _envelope: Envelope, hostname: str, responses: Any
    ) -> Any:
        session.host_name = hostname  # with this hook, setting it is ours to do
        with self.lock:
            self.connections += 1
        return responses

    async def handle_RCPT(  # noqa: N802
        self, _server: SMTP, _session: Session, envelope: Envelope, address: str, _options: Any
    ) -> str:
        if address in self.unknown:
            return "550 5.1.1 no such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(  # noqa: N802
        self, _server: SMTP, _session: Session, envelope: Envelope
    ) -> str:
        with self.lock:
            if self.busy_replies > 0:
                self.busy_replies -= 1
                return "451 4.3.2 try later"
            assert isinstance(envelope.content, bytes)
            message = email.message_from_bytes(envelope.content, policy=email.policy.default)
            assert isinstance(message, EmailMessage)
            self.received.append(
                Received(str(envelope.mail_from), tuple(envelope.rcpt_tos), message)
            )
        if self.slow_reply:  # the message is taken; only the reply is late
            await asyncio.sleep(self.slow_reply)
        return "250 OK"

    def authenticate(
        self, _server: SMTP, _session: Session, _envelope: Envelope, _mechanism: str, data: Any
    ) -> AuthResult:
        """An aiosmtpd authenticator that lets anyone in and remembers who it was."""
        assert isinstance(data, LoginPassword)
        with self.lock:
            self.logins.append((data.login.decode(), data.password.decode()))
        return AuthResult(success=True)

    def message_ids(self) -> Counter[str]:
        with self.lock:
            return Counter(r.message_id for r in self.received)


class _LoopbackController(Controller):
    """aiosmtpd's Controller, able to bind port 0 (it otherwise pings port 0 to start)."""

    def _trigger_server(self) -> None:
        assert self.server is not None
        self.port = self.server.sockets[0].getsockname()[1]
        super()._trigger_server()


class MailServer:
    """An SMTP server on 127.0.0.1 for the length of a ``with`` block."""

    def __init__(self, recorder: Recorder | None = None, port: int = 0, **smtp: Any) -> None:
        self.recorder = recorder or Recorder()
        self.controller = _LoopbackController(
            self.recorder, hostname="127.0.0.1", port=port, **smtp
        )

    @property
    def port(self) -> int:
        return int(self.controller.port)

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    def __enter__(self) -> MailServer:
        try:
            self.controller.start()
        except BaseException:
            self.controller.loop.close()
            raise
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.controller.stop()


def use_settings(monkeypatch: pytest.MonkeyPatch, folder: Path, **values: str) -> None:
    """Let ``Settings.load()`` see exactly ``values`` (as PHASEGATE_*), and no ``.env``."""
    monkeypatch.chdir(folder)
    for name in [k for k in os.environ if k.startswith("PHASEGATE_")]:
        monkeypatch.delenv(name)
    for key, value in values.items():
        monkeypatch.setenv(f"PHASEGATE_{key.upper()}", value)
