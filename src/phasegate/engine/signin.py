"""Sign-in (*innlogging*): one-time email links and browser sessions (API tokens and
calendar addresses are ``engine/keys.py``).

Sign-in is passwordless. Asking for a link emits :class:`SignInRequested`; its mail
handler makes the link and emails it, so the token only ever exists in that email.
Every token (link, session, API) is 32 random bytes, and the database keeps only its
SHA-256: a copy of the database signs no one in.

A link works once and for minutes: using it is one UPDATE that names it unused and
unexpired, so of two clicks only one signs in.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Connection, bindparam, insert, select, update

from phasegate.domain import events as ev
from phasegate.engine.lookups import find_person_id, require_people
from phasegate.engine.unit import UnitOfWork
from phasegate.errors import SignInLinkInvalid
from phasegate.storage.tables import Person, RoleGrant, Session, SignInLink

W_LINK = insert(SignInLink)
W_USE_LINK = (
    update(SignInLink)
    .where(
        SignInLink.token_hash == bindparam("digest"),
        SignInLink.used_at.is_(None),
        SignInLink.expires_at > bindparam("now"),
    )
    .values(used_at=bindparam("now"))
    .returning(SignInLink.person_id)
)
Q_LINK = select(SignInLink.used_at, SignInLink.expires_at).where(
    SignInLink.token_hash == bindparam("digest")
)
W_SESSION = insert(Session)
W_END_SESSION = (
    update(Session)
    .where(Session.token_hash == bindparam("digest"), Session.ended_at.is_(None))
    .values(ended_at=bindparam("now"))
    .returning(Session.person_id)
)
Q_SESSION = select(Session.person_id).where(
    Session.token_hash == bindparam("digest"),
    Session.ended_at.is_(None),
    Session.expires_at > bindparam("now"),
)
Q_PRINCIPAL = select(Person.id, Person.name, Person.email, Person.language).where(
    Person.id == bindparam("person")
)
Q_PRINCIPAL_ROLES = select(RoleGrant.role).where(RoleGrant.person_id == bindparam("person"))


@dataclass(frozen=True)
class Principal:
    """Who is making a request: a signed-in person and their roles."""

    person: int
    name: str
    email: str
    language: str
    roles: frozenset[str]
    via: str  # session | api_token | feed_token (the calendar feed only: engine/keys.py)

    def has_any(self, *roles: str) -> bool:
        return bool(self.roles & set(roles))


def digest(token: str) -> str:
    """What the database keeps of a token."""
    return hashlib.sha256(token.encode()).hexdigest()


def new_token(prefix: str = "") -> str:
    return prefix + secrets.token_urlsafe(32)


def request_sign_in(uow: UnitOfWork, email: str, next_page: str = "/") -> bool:
    """Email a sign-in link to whoever has this address; False when no one has it.

    The caller must not tell the difference to the visitor, or the page would reveal who
    is registered.
    """
    person = find_person_id(uow, email.strip().lower())
    if person is None:
        return False
    uow.emit(ev.SignInRequested(person, next_page))
    return True


def make_sign_in_link(uow: UnitOfWork, person: int, ttl: timedelta) -> tuple[str, datetime]:
    """A fresh one-time link token for ``person`` (the mail handler calls this)."""
    token = new_token()
    expires = uow.now + ttl
    uow.conn.execute(
        W_LINK,
        {
            "person_id": person,
            "token_hash": digest(token),
            "created_at": uow.now,
            "expires_at": expires,
            "used_at": None,
        },
    )
    return token, expires


def complete_sign_in(uow: UnitOfWork, token: str, session_ttl: timedelta) -> tuple[int, str]:
    """Use a sign-in link once; returns the person and a new session token."""
    person = uow.scalar(W_USE_LINK, digest=digest(token), now=uow.now)
    if person is None:
        raise _why_not(uow, token)
    return int(person), start_session(uow, int(person), session_ttl, via="email_link")


def check_sign_in_link(uow: UnitOfWork, token: str) -> None:
    """Refuse a link that could not sign anyone in now, as using it would; use nothing.

    The link's page says so at once, instead of showing a button that can only fail.
    """
    found = uow.one(Q_LINK, digest=digest(token))
    if found is None or found.used_at is not None or found.expires_at <= uow.now:
        raise _why_not(uow, token)


def start_session(uow: UnitOfWork, person: int, ttl: timedelta, *, via: str) -> str:
    """A new browser session for ``person``; returns the token for the cookie."""
    require_people(uow, person)
    token = new_token()
    uow.conn.execute(
        W_SESSION,
        {
            "person_id": person,
            "token_hash": digest(token),
            "created_at": uow.now,
            "expires_at": uow.now + ttl,
            "ended_at": None,
        },
    )
    uow.emit(ev.SignedIn(person, via))
    return token


def end_session(uow: UnitOfWork, token: str) -> None:
    person = uow.scalar(W_END_SESSION, digest=digest(token), now=uow.now)
    if person is not None:
        uow.emit(ev.SignedOut(int(person)))


# --- reading: who is this? -------------------------------------------------------------


def session_person(conn: Connection, token: str, now: datetime) -> int | None:
    found = conn.execute(Q_SESSION, {"digest": digest(token), "now": now}).scalar()
    return None if found is None else int(found)


def principal(conn: Connection, person: int, via: str) -> Principal | None:
    row = conn.execute(Q_PRINCIPAL, {"person": person}).first()
    if row is None:
        return None
    roles = frozenset(str(r) for r in conn.execute(Q_PRINCIPAL_ROLES, {"person": person}).scalars())
    return Principal(row.id, row.name, row.email, row.language, roles, via)


def _why_not(uow: UnitOfWork, token: str) -> SignInLinkInvalid:
    found = uow.one(Q_LINK, digest=digest(token))
    if found is None:
        return SignInLinkInvalid()
    return SignInLinkInvalid("used" if found.used_at is not None else "expired")
