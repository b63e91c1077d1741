"""Signed links in email: a vote (one decider, one gate request, one outcome), a report
request's form, or a due measurement's form, each until it expires.

A token is ``<payload>.<signature>``, both URL-safe base64 without padding. The payload
packs the request, the person, the outcome, the expiry and 16 random bytes, so no two
links are alike and none can be guessed. The signature is HMAC-SHA256 over the payload
with the current secret key; links signed with a key from before a rotation still verify.

A link works once because a decider votes once: the engine refuses a second vote. A
measurement link answers one due measurement: once it is recorded, nothing is owed and a
second one through a link is refused (``cycle/deadlines.py``). This module only proves who
made the link and for what; it does no I/O and reads no clock.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets
import struct
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from phasegate.errors import LinkExpired, LinkTampered

__all__ = [
    "OUTCOMES",
    "LinkSigner",
    "MeasurementLink",
    "ReportLink",
    "VoteLink",
    "measurement_url",
    "report_url",
    "vote_url",
]

OUTCOMES = ("approve", "rework", "hold", "stop")
FORMAT = 1
# version, request, person, outcome, expiry (µs since the epoch), nonce
_PAYLOAD = struct.Struct(">BQQBq16s")
_SIGNATURE_BYTES = hashlib.sha256().digest_size
_DOMAIN = b"phasegate vote link\x00"  # a vote-link MAC is never valid for another purpose
# report request, person, expiry (µs since the epoch), nonce
_REPORT_PAYLOAD = struct.Struct(">BQQq16s")
_REPORT_DOMAIN = b"phasegate report link\x00"
# project, indicator, person, due date (days since 1 January of year 1), expiry, nonce
_MEASUREMENT_PAYLOAD = struct.Struct(">BQQQIq16s")
_MEASUREMENT_DOMAIN = b"phasegate measurement link\x00"
_MAX_TOKEN = 160  # a real token is 100 characters; refuse long junk before any work
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class VoteLink:
    """What a genuine link says: this person may cast this vote on this request."""

    request: int
    person: int
    outcome: str  # approve | rework | hold | stop
    expires_at: datetime  # aware, UTC


@dataclass(frozen=True)
class ReportLink:
    """What a genuine report link says: this person may fill in this report request."""

    request: int  # a report request (rapporteringsforespørsel)
    person: int
    expires_at: datetime


@dataclass(frozen=True)
class MeasurementLink:
    """What a genuine measurement link says: this person may record the measurement of
    this indicator that its plan had due on ``due_on``."""

    project: int
    indicator: int
    person: int
    due_on: date
    expires_at: datetime


class LinkSigner:
    """Makes and checks vote-link tokens with the secret key (and the keys before it)."""

    def __init__(
        self, key: str, previous_keys: Sequence[str] = (), ttl: timedelta = timedelta(days=14)
    ) -> None:
        if not key:
            raise ValueError("a vote link needs a secret key to sign with")
        if ttl <= timedelta(0):
            raise ValueError("a vote link must live for some time; give a positive ttl")
        self._keys = [key.encode()] + [k.encode() for k in previous_keys if k]
        self.ttl = ttl

    def issue(self, request: int, person: int, outcome: str, now: datetime) -> str:
        """A URL-safe token for ``person`` to cast ``outcome`` on ``request``."""
        if outcome not in OUTCOMES:
            raise ValueError(f"{outcome!r} is not a decision; use one of {', '.join(OUTCOMES)}")
        if request <= 0 or person <= 0:
            raise ValueError("request and person are database ids, so positive")
        expires = _micros(_aware(now) + self.ttl)
        return self._issue(_PAYLOAD, _DOMAIN, request, person, OUTCOMES.index(outcome), expires)

    def verify(self, token: str, now: datetime) -> VoteLink:
        """The link the token stands for; raises LinkTampered or LinkExpired."""
        request, person, outcome, expires = self._open(token, _PAYLOAD, _DOMAIN)
        if outcome >= len(OUTCOMES):
            raise LinkTampered()  # signed by us, yet not a format we know: never trust it
        return VoteLink(request, person, OUTCOMES[outcome], _unexpired(expires, now, person))

    def issue_report(self, request: int, person: int, now: datetime, ttl: timedelta) -> str:
        """A token for ``person`` to open the form of report request ``request``.

        A report link lives as long as ``ttl`` (the caller gives it enough to reach past
        the deadline and its reminders); it is signed for reports only, so it can never
        pass as a vote link, nor a vote link as a report link.
        """
        if request <= 0 or person <= 0:
            raise ValueError("request and person are database ids, so positive")
        expires = _micros(_aware(now) + ttl)
        return self._issue(_REPORT_PAYLOAD, _REPORT_DOMAIN, request, person, expires)

    def verify_report(self, token: str, now: datetime) -> ReportLink:
        """The report link the token stands for; raises LinkTampered or LinkExpired."""
        request, person, expires = self._open(token, _REPORT_PAYLOAD, _REPORT_DOMAIN)
        return ReportLink(request, person, _unexpired(expires, now, person))

    def issue_measurement(
        self,
        project: int,
        indicator: int,
        person: int,
        due_on: date,
        now: datetime,
        ttl: timedelta,
    ) -> str:
        """A token for ``person`` to open the form for one due measurement of ``indicator``.

        Signed for measurements only, so it never passes as a vote or report link."""
        if min(project, indicator, person) <= 0:
            raise ValueError("project, indicator and person are database ids, so positive")
        expires = _micros(_aware(now) + ttl)
        return self._issue(
            _MEASUREMENT_PAYLOAD,
            _MEASUREMENT_DOMAIN,
            project,
            indicator,
            person,
            due_on.toordinal(),
            expires,
        )

    def verify_measurement(self, token: str, now: datetime) -> MeasurementLink:
        """The measurement link the token stands for; raises LinkTampered or LinkExpired."""
        opened = self._open(token, _MEASUREMENT_PAYLOAD, _MEASUREMENT_DOMAIN)
        project, indicator, person, day, expires = opened
        if not 0 < day <= date.max.toordinal():
            raise LinkTampered()
        expires_at = _unexpired(expires, now, person)
        return MeasurementLink(project, indicator, person, date.fromordinal(day), expires_at)

    def _issue(self, packer: struct.Struct, domain: bytes, *fields: int) -> str:
        """A token: the format, ``fields`` and a random nonce, signed for ``domain`` only
        (so a link of one kind never passes as another) with the newest key."""
        payload = packer.pack(FORMAT, *fields, secrets.token_bytes(16))
        return f"{_encode(payload)}.{_encode(self._sign(self._keys[0], payload, domain))}"

    def _open(self, token: str, packer: struct.Struct, domain: bytes) -> tuple[int, ...]:
        """A token's fields (without the format and the nonce), if one of our keys signed
        it for ``domain`` in the format we write; else LinkTampered."""
        payload, signature = _split(token, packer.size)
        if not any(
            hmac.compare_digest(self._sign(k, payload, domain), signature) for k in self._keys
        ):
            raise LinkTampered()
        version, *fields, _nonce = packer.unpack(payload)
        if version != FORMAT:
            raise LinkTampered()  # signed by us, yet not a format we know: never trust it
        return tuple(fields)

    @staticmethod
    def _sign(key: bytes, payload: bytes, domain: bytes = _DOMAIN) -> bytes:
        return hmac.new(key, domain + payload, hashlib.sha256).digest()


def vote_url(base_url: str, token: str) -> str:
    """Where a decider opens the link: a confirmation page, never a vote by itself."""
    return f"{base_url.rstrip('/')}/decide/{token}"


def report_url(base_url: str, token: str) -> str:
    """Where the person asked for a report opens its form (GET shows it, POST submits)."""
    return f"{base_url.rstrip('/')}/report/{token}"


def measurement_url(base_url: str, token: str) -> str:
    """Where a benefit owner opens the form for a due measurement (GET shows, POST records)."""
    return f"{base_url.rstrip('/')}/measure/{token}"


def risk_review_url(base_url: str, project: int, risk: int) -> str:
    """The project page's form to reassess a risk (for its owner, signed in)."""
    return f"{base_url.rstrip('/')}/projects/{project}/risks/{risk}/assessments/new"


def project_url(base_url: str, project: int) -> str:
    """The project's own page: its phase, gates, votes and reports."""
    return f"{base_url.rstrip('/')}/projects/{project}"


def _unexpired(expires: int, now: datetime, person: int) -> datetime:
    """When a link expires (microseconds since the epoch); LinkExpired once it has."""
    expires_at = _EPOCH + timedelta(microseconds=expires)
    if _aware(now) >= expires_at:
        raise LinkExpired(expires_at, person=person)
    return expires_at


def _split(token: str, size: int = _PAYLOAD.size) -> tuple[bytes, bytes]:
    if len(token) > _MAX_TOKEN or token.count(".") != 1:
        raise LinkTampered()
    payload_text, signature_text = token.split(".")
    payload, signature = _decode(payload_text), _decode(signature_text)
    if len(payload) != size or len(signature) != _SIGNATURE_BYTES:
        raise LinkTampered()
    return payload, signature


def _encode(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _decode(text: str) -> bytes:
    """Decode strict base64url: one spelling per value, so no character can be changed."""
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError) as exc:
        raise LinkTampered() from exc
    if _encode(raw) != text:  # stray characters, or spare bits set in the last one
        raise LinkTampered()
    return raw


def _aware(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValueError("give the time with its time zone (UTC), not a naive datetime")
    return moment.astimezone(UTC)


def _micros(moment: datetime) -> int:
    return (moment - _EPOCH) // timedelta(microseconds=1)
