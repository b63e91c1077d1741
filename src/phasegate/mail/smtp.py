"""Where and how to deliver mail: the SMTP server named by PHASEGATE_SMTP_URL."""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import unquote, urlsplit

from phasegate.errors import SmtpUrlInvalid

DEFAULT_PORTS = {"smtp": 25, "smtps": 465}


@dataclass(frozen=True)
class SmtpTarget:
    """Where and how to deliver, from PHASEGATE_SMTP_URL."""

    host: str
    port: int
    implicit_tls: bool  # smtps://; smtp:// upgrades with STARTTLS when the server offers it
    username: str | None = None
    password: str | None = field(default=None, repr=False)


def parse_smtp_url(url: str) -> SmtpTarget:
    """Read ``smtp://[user[:password]@]host[:port]`` or ``smtps://...``.

    The default port is 25 for smtp:// and 465 for smtps://. Percent-escape any ``@``,
    ``:`` or ``/`` in the user name or password (``%40``, ``%3A``, ``%2F``).
    """
    parts = urlsplit(url.strip())
    shown = parts._replace(netloc=parts.netloc.rpartition("@")[2]).geturl()  # no password

    if parts.scheme not in DEFAULT_PORTS:
        raise SmtpUrlInvalid("scheme", url=shown)
    if not parts.hostname:
        raise SmtpUrlInvalid("host", url=shown)
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        raise SmtpUrlInvalid("path", url=shown)
    try:
        port = parts.port
    except ValueError as exc:
        raise SmtpUrlInvalid("port", url=shown) from exc
    return SmtpTarget(
        host=parts.hostname,
        port=port or DEFAULT_PORTS[parts.scheme],
        implicit_tls=parts.scheme == "smtps",
        username=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password is not None else None,
    )
