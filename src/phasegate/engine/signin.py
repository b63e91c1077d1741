"""Sign-in (*innlogging*): one-time email links, browser sessions and API tokens.

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
from phasegate.engine.access import OFFICE_ROLES
from phasegate.engine.lookups import find_person_id, require_people, roles_of
from phasegate.engine.unit import UnitOfWork
from phasegate.errors import NotFound, NotPermitted, NotSignedIn, RuleViolation, SignInLinkInvalid
from phasegate.storage.tables import ApiToken, Person, RoleGrant, Session, SignInLink

API_TOKEN_PREFIX = "pgt_"  # noqa: S105 - a prefix that marks a token, not a secret

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
W_API_TOKEN = insert(ApiToken).returning(ApiToken.id)
Q_API_TOKEN = select(ApiToken.id, ApiToken.person_id, ApiToken.last_used_at).where(
    ApiToken.token_hash == bindparam("digest"), ApiToken.revoked_at.is_(None)
)
TOKEN_USE_GRAIN = timedelta(minutes=1)  # how exactly "last used" is kept
W_TOKEN_USED = (
    update(ApiToken).where(ApiToken.id == bindparam("row")).values(last_used_at=bindparam("now"))
)
Q_TOKEN_OWNER = select(ApiToken.person_id, ApiToken.revoked_at).where(
    ApiToken.id == bindparam("row")
)
W_REVOKE = (
    update(ApiToken)
    .where(ApiToken.id == bindparam("row"), ApiToken.revoked_at.is_(None))
    .values(revoked_at=bindparam("now"))
)
TOKEN_COLUMNS = (  # what may be shown of a token: never its hash
    ApiToken.id,
    ApiToken.name,
    ApiToken.prefix,
    ApiToken.created_at,
    ApiToken.last_used_at,
    ApiToken.revoked_at,
)
Q_TOKENS = (
    select(*TOKEN_COLUMNS)
    .where(ApiToken.person_id == bindparam("person"))
    .order_by(ApiToken.id.desc())
)
Q_EVERY_TOKEN = (
    select(
        *TOKEN_COLUMNS,
        Person.id.label("owner_id"),
        Person.name.label("owner"),
        Person.email.label("owner_email"),
    )
    .join(Person, Person.id == ApiToken.person_id)
    .order_by(Person.name, Person.id, ApiToken.id.desc())
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
    via: str  # session | api_token | feed_token (the calendar feed only: engine/feeds.py)

    def has_any(self, *roles: str) -> bool:
        return bool(self.roles & set(roles))


@dataclass(frozen=True)
class ApiTokenView:
    id: int
    name: str
    prefix: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


@dataclass(frozen=True)
class HeldApiTokenView(ApiTokenView):
    """A token with its owner, for the PMO's list of everyone's tokens."""

    owner_id: int
    owner: str
    owner_email: str


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


def create_api_token(uow: UnitOfWork, name: str) -> tuple[int, str]:
    """A new API token for the acting person; the token is shown once and never again."""
    person = uow.actor.person
    if person is None:
        raise NotSignedIn()
    name = name.strip()
    if not name or len(name) > 200:
        raise RuleViolation("Give the token a name of 1 to 200 characters, e.g. 'Arkivsystem'.")
    token = new_token(API_TOKEN_PREFIX)
    row = int(
        uow.scalar(
            W_API_TOKEN,
            person_id=person,
            name=name,
            prefix=token[: len(API_TOKEN_PREFIX) + 4],
            token_hash=digest(token),
            created_at=uow.now,
            last_used_at=None,
            revoked_at=None,
        )
    )
    uow.emit(ev.ApiTokenCreated(person, row, name))
    return row, token


def revoke_api_token(uow: UnitOfWork, token_id: int) -> None:
    """Revoke a token: its owner may, and so may the PMO and admins."""
    found = uow.one(Q_TOKEN_OWNER, row=token_id)
    if found is None:
        raise NotFound(f"There is no API token with id {token_id}.")
    person = uow.actor.person
    if person is None:
        raise NotSignedIn()
    if person != found.person_id and not roles_of(uow, person) & OFFICE_ROLES:
        raise NotPermitted("Only the token's owner, the PMO or an admin may revoke it.")
    if uow.conn.execute(W_REVOKE, {"row": token_id, "now": uow.now}).rowcount:
        uow.emit(ev.ApiTokenRevoked(int(found.person_id), token_id))


# --- reading: who is this? -------------------------------------------------------------


def session_person(conn: Connection, token: str, now: datetime) -> int | None:
    found = conn.execute(Q_SESSION, {"digest": digest(token), "now": now}).scalar()
    return None if found is None else int(found)


def api_token_person(conn: Connection, token: str, now: datetime) -> int | None:
    """The owner of a live API token (and note that it was used, to the minute: an
    integration calling many times a second does not write a row each time)."""
    found = conn.execute(Q_API_TOKEN, {"digest": digest(token)}).first()
    if found is None:
        return None
    if found.last_used_at is None or now - found.last_used_at >= TOKEN_USE_GRAIN:
        conn.execute(W_TOKEN_USED, {"row": found.id, "now": now})
    return int(found.person_id)


def principal(conn: Connection, person: int, via: str) -> Principal | None:
    row = conn.execute(Q_PRINCIPAL, {"person": person}).first()
    if row is None:
        return None
    roles = frozenset(str(r) for r in conn.execute(Q_PRINCIPAL_ROLES, {"person": person}).scalars())
    return Principal(row.id, row.name, row.email, row.language, roles, via)


def api_tokens(conn: Connection, person: int) -> list[ApiTokenView]:
    return [ApiTokenView(**row._mapping) for row in conn.execute(Q_TOKENS, {"person": person})]


def every_api_token(conn: Connection) -> list[HeldApiTokenView]:
    """Every person's API tokens, live and revoked, by owner and newest first (for the
    PMO; the route that shows them is for the PMO and admins only)."""
    return [HeldApiTokenView(**row._mapping) for row in conn.execute(Q_EVERY_TOKEN)]


def _why_not(uow: UnitOfWork, token: str) -> SignInLinkInvalid:
    found = uow.one(Q_LINK, digest=digest(token))
    if found is None:
        return SignInLinkInvalid(
            "This sign-in link is not valid: it may be incomplete or mistyped. Ask for a new "
            "one on the sign-in page."
        )
    if found.used_at is not None:
        return SignInLinkInvalid(
            "This sign-in link has already been used, and works only once. Ask for a new one "
            "on the sign-in page.",
            reason="used",
        )
    return SignInLinkInvalid(
        "This sign-in link has expired: links work for a few minutes only. Ask for a new one "
        "on the sign-in page.",
        reason="expired",
    )
