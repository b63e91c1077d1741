"""Signing webhook deliveries the Standard Webhooks way (https://www.standardwebhooks.com).

Each request carries three headers:

- ``webhook-id``: the delivery's id, the same on every retry, for the receiver to spot a
  repeat;
- ``webhook-timestamp``: when this attempt was sent, in whole seconds since the epoch;
- ``webhook-signature``: ``v1,<base64 HMAC-SHA256>`` of ``"{id}.{timestamp}.{body}"``,
  keyed by the subscription's secret (``whsec_`` + base64). While a rotated-out secret is
  still valid, its signature follows, separated by a space.

The receiver recomputes the signature with its secret and refuses a timestamp far from
its clock, which stops replays. Pure: the time comes in as an argument.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta

from phasegate.errors import WebhookSignatureInvalid

PREFIX = "whsec_"
TOLERANCE = timedelta(minutes=5)


def new_secret() -> str:
    """A fresh signing secret: ``whsec_`` and 32 random bytes in base64."""
    return PREFIX + base64.b64encode(secrets.token_bytes(32)).decode("ascii")


def _key(secret: str) -> bytes:
    return base64.b64decode(secret.removeprefix(PREFIX), validate=True)


def signature(secret: str, delivery_id: str, timestamp: int, body: bytes) -> str:
    """The ``v1,<base64>`` signature of one request."""
    signed = f"{delivery_id}.{timestamp}.".encode() + body
    digest = hmac.new(_key(secret), signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode("ascii")


def headers(
    secrets_in_use: Sequence[str], delivery_id: str, event_type: str, now: datetime, body: bytes
) -> dict[str, str]:
    """The request headers for one attempt, signed with every secret in use."""
    timestamp = int(now.timestamp())
    return {
        "content-type": "application/json",
        "user-agent": "phasegate-webhooks/1",
        "webhook-id": delivery_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": " ".join(
            signature(secret, delivery_id, timestamp, body) for secret in secrets_in_use
        ),
        "phasegate-event": event_type,
    }


def verify(
    secret: str,
    received: Mapping[str, str],
    body: bytes,
    now: datetime,
    tolerance: timedelta = TOLERANCE,
) -> str:
    """Check a received request as a receiver would; return its ``webhook-id``.

    ``received`` maps lower-case header names to values. Raises
    :class:`~phasegate.errors.WebhookSignatureInvalid`, saying why, when a header is
    missing, the timestamp is outside ``tolerance`` of ``now``, or no signature matches.
    """
    try:
        delivery_id = received["webhook-id"]
        timestamp = int(received["webhook-timestamp"])
        offered = received["webhook-signature"].split()
    except (KeyError, ValueError) as exc:
        raise WebhookSignatureInvalid("malformed", problem=str(exc)) from exc
    if abs(now.timestamp() - timestamp) > tolerance.total_seconds():
        seconds = int(tolerance.total_seconds())
        raise WebhookSignatureInvalid("timestamp", timestamp=timestamp, tolerance=seconds)
    expected = signature(secret, delivery_id, timestamp, body)
    if not any(hmac.compare_digest(expected, candidate) for candidate in offered):
        raise WebhookSignatureInvalid("mismatch")
    return delivery_id
