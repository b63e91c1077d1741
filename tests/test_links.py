"""Vote-link tokens: signed, bound to one decider, request and outcome, and short-lived.

Pure tests: no database, no web server; the time is passed in, never slept for.
"""

from __future__ import annotations

import base64
import re
from datetime import UTC, datetime, timedelta

import pytest

from phasegate.errors import LinkError, LinkExpired, LinkTampered, PhasegateError
from phasegate.links import _PAYLOAD, LinkSigner, VoteLink, vote_url

KEY = "the-current-secret-key-for-signing-vote-links"
OLD_KEY = "the-secret-key-from-before-the-rotation"
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
TTL = timedelta(days=14)
B64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"


def signer(key: str = KEY, previous: tuple[str, ...] = ()) -> LinkSigner:
    return LinkSigner(key, previous, ttl=TTL)


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def with_field(token: str, field: int, value: int) -> str:
    """The token with one payload field changed and the original signature kept."""
    payload, signature = token.split(".")
    fields = list(_PAYLOAD.unpack(_unb64(payload)))
    fields[field] = value
    return f"{_b64(_PAYLOAD.pack(*fields))}.{signature}"


def test_a_link_says_who_may_cast_which_vote_on_which_request_until_when() -> None:
    token = signer().issue(41, 7, "approve", NOW)

    link = signer().verify(token, NOW)

    assert link == VoteLink(request=41, person=7, outcome="approve", expires_at=NOW + TTL)
    assert link.expires_at.tzinfo is UTC


@pytest.mark.parametrize("outcome", ["approve", "rework", "hold", "stop"])
def test_every_decision_has_its_own_link(outcome: str) -> None:
    token = signer().issue(1, 2, outcome, NOW)

    assert signer().verify(token, NOW).outcome == outcome


@pytest.mark.parametrize(
    ("field", "value"),
    [(1, 42), (2, 8), (3, 1), (3, 3), (4, 2**62)],
    ids=["other request", "other person", "approve->rework", "approve->stop", "later expiry"],
)
def test_changing_what_a_link_is_for_breaks_its_signature(field: int, value: int) -> None:
    token = signer().issue(41, 7, "approve", NOW)

    with pytest.raises(LinkTampered) as refused:
        signer().verify(with_field(token, field, value), NOW)

    assert "not made by phasegate" in refused.value.message


def test_changing_any_character_of_a_token_is_refused() -> None:
    token = signer().issue(41, 7, "stop", NOW)
    refused = 0

    for position, char in enumerate(token):
        if char == ".":
            continue
        other = B64URL[(B64URL.index(char) + 1) % len(B64URL)]
        with pytest.raises(LinkTampered):
            signer().verify(token[:position] + other + token[position + 1 :], NOW)
        refused += 1

    assert refused == len(token) - 1


@pytest.mark.parametrize(
    "token",
    ["", "abc", ".", "a.b", "a.b.c", "æøå.åøæ", "x" * 5000, "%%%.%%%"],
    ids=["empty", "word", "dot", "short", "three parts", "not ascii", "huge", "not base64"],
)
def test_junk_is_refused_as_tampered(token: str) -> None:
    with pytest.raises(LinkTampered):
        signer().verify(token, NOW)


def test_a_link_with_its_signature_dropped_or_swapped_is_refused() -> None:
    approve = signer().issue(41, 7, "approve", NOW)
    stop = signer().issue(41, 7, "stop", NOW)

    with pytest.raises(LinkTampered):
        signer().verify(approve.split(".")[0], NOW)
    with pytest.raises(LinkTampered):
        signer().verify(f"{stop.split('.')[0]}.{approve.split('.')[1]}", NOW)


def test_a_link_expires_exactly_when_its_time_is_up() -> None:
    token = signer().issue(41, 7, "approve", NOW)

    assert signer().verify(token, NOW + TTL - timedelta(microseconds=1)).request == 41
    with pytest.raises(LinkExpired) as expired:
        signer().verify(token, NOW + TTL)

    assert expired.value.expired_at == NOW + TTL
    assert expired.value.person == 7
    assert "16 March 2026 at 09:00" in expired.value.message  # in UTC, for the logs
    assert "PMO for a new request" in expired.value.message
    assert "decide in phasegate itself" in expired.value.message


def test_the_lifetime_is_the_signer_s() -> None:
    short = LinkSigner(KEY, ttl=timedelta(days=2))
    token = short.issue(41, 7, "approve", NOW)

    assert short.verify(token, NOW).expires_at == NOW + timedelta(days=2)
    with pytest.raises(LinkExpired):
        short.verify(token, NOW + timedelta(days=2))


def test_an_expired_link_with_a_bad_signature_is_tampered_not_expired() -> None:
    token = signer().issue(41, 7, "approve", NOW)

    with pytest.raises(LinkTampered):
        signer(key="another-key-entirely").verify(token, NOW + timedelta(days=30))


def test_links_signed_before_a_key_rotation_still_work() -> None:
    before = signer(key=OLD_KEY).issue(41, 7, "approve", NOW)

    rotated = signer(key=KEY, previous=(OLD_KEY,))

    assert rotated.verify(before, NOW).person == 7
    after = rotated.issue(41, 7, "approve", NOW)
    assert signer(key=KEY).verify(after, NOW).person == 7, "new links use the current key"
    with pytest.raises(LinkTampered):
        signer(key=OLD_KEY).verify(after, NOW)


def test_a_key_that_is_not_in_the_list_is_refused() -> None:
    foreign = signer(key="a-key-phasegate-never-had").issue(41, 7, "approve", NOW)

    with pytest.raises(LinkTampered):
        signer(key=KEY, previous=(OLD_KEY,)).verify(foreign, NOW)


def test_tokens_are_unguessable_and_url_safe() -> None:
    tokens = {signer().issue(41, 7, "approve", NOW) for _ in range(100)}

    assert len(tokens) == 100, "the same link issued twice is two different tokens"
    for token in tokens:
        assert len(token) >= 40
        assert re.fullmatch(r"[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+", token)


def test_link_errors_are_phasegate_errors_that_say_what_to_do() -> None:
    assert issubclass(LinkTampered, LinkError)
    assert issubclass(LinkExpired, LinkError)
    assert issubclass(LinkError, PhasegateError)
    assert LinkTampered().message == (
        "The link is damaged or was not made by phasegate. Open it again from the email."
    )
    assert LinkTampered.code == "link_tampered"
    assert LinkExpired.code == "link_expired"


def test_issuing_refuses_what_cannot_be_a_link() -> None:
    with pytest.raises(ValueError, match="not a decision"):
        signer().issue(41, 7, "maybe", NOW)
    with pytest.raises(ValueError, match="time zone"):
        signer().issue(41, 7, "approve", NOW.replace(tzinfo=None))
    with pytest.raises(ValueError, match="positive"):
        signer().issue(0, 7, "approve", NOW)
    with pytest.raises(ValueError, match="secret key"):
        LinkSigner("")


def test_the_vote_url_is_under_decide() -> None:
    assert vote_url("https://phasegate.asker.example", "abc.def") == (
        "https://phasegate.asker.example/decide/abc.def"
    )
    assert vote_url("https://phasegate.asker.example/", "abc.def") == (
        "https://phasegate.asker.example/decide/abc.def"
    )
