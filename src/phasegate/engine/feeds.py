"""Personal calendar addresses (*kalenderadresser*): feed tokens for ``/calendar.ics``.

Calendar programs (Outlook, Google, Apple Calendar) poll an address and cannot sign in,
so the address itself carries the authority: ``/calendar.ics?token=pgc_…``. A feed token
is made like an API token (32 random bytes, only the SHA-256 kept, shown once) and opens
the calendar feed only: never a page or the API. A person may have several, one per
calendar program, each named and revocable by its owner, the PMO and admins. Making and
revoking one is in the audit trail; the token never is.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, bindparam, insert, select, update

from phasegate.domain import events as ev
from phasegate.engine.access import OFFICE_ROLES
from phasegate.engine.lookups import roles_of
from phasegate.engine.signin import TOKEN_USE_GRAIN, Principal, digest, new_token, principal
from phasegate.engine.unit import UnitOfWork
from phasegate.errors import NotFound, NotPermitted, NotSignedIn, RuleViolation
from phasegate.storage.tables import CalendarFeed, Person
from phasegate.text import reason, tidy

FEED_TOKEN_PREFIX = "pgc_"  # noqa: S105 - a prefix that marks a token, not a secret
MAX_NAME = 200

W_FEED = insert(CalendarFeed).returning(CalendarFeed.id)
# A live token of a person who still exists: the join makes a removed person's addresses
# stop at once, whatever is left in this table.
Q_FEED = (
    select(CalendarFeed.id, CalendarFeed.person_id, CalendarFeed.last_used_at)
    .join(Person, Person.id == CalendarFeed.person_id)
    .where(CalendarFeed.token_hash == bindparam("digest"), CalendarFeed.revoked_at.is_(None))
)
W_FEED_USED = (
    update(CalendarFeed)
    .where(CalendarFeed.id == bindparam("row"))
    .values(last_used_at=bindparam("now"))
)
Q_FEED_OWNER = select(CalendarFeed.person_id).where(CalendarFeed.id == bindparam("row"))
W_REVOKE_FEED = (
    update(CalendarFeed)
    .where(CalendarFeed.id == bindparam("row"), CalendarFeed.revoked_at.is_(None))
    .values(revoked_at=bindparam("now"))
)
FEED_COLUMNS = (  # what may be shown of an address: never its hash
    CalendarFeed.id,
    CalendarFeed.name,
    CalendarFeed.prefix,
    CalendarFeed.created_at,
    CalendarFeed.last_used_at,
    CalendarFeed.revoked_at,
)
Q_FEEDS = (
    select(*FEED_COLUMNS)
    .where(CalendarFeed.person_id == bindparam("person"))
    .order_by(CalendarFeed.id.desc())
)
Q_EVERY_FEED = (
    select(
        *FEED_COLUMNS,
        Person.id.label("owner_id"),
        Person.name.label("owner"),
        Person.email.label("owner_email"),
    )
    .join(Person, Person.id == CalendarFeed.person_id)
    .order_by(Person.name, Person.id, CalendarFeed.id.desc())
)


@dataclass(frozen=True)
class FeedView:
    """A calendar address as its owner sees it listed: its name and the token's first
    characters, never the token."""

    id: int
    name: str
    prefix: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


@dataclass(frozen=True)
class HeldFeedView(FeedView):
    """An address with its owner, for the PMO's list of everyone's."""

    owner_id: int
    owner: str
    owner_email: str


def create_feed(uow: UnitOfWork, name: str) -> tuple[int, str]:
    """A new calendar address for the acting person; returns its id and token, which is
    shown this once and never again."""
    person = uow.actor.person
    if person is None:
        raise NotSignedIn()
    tidied = tidy(name)
    if not tidied.ok:
        raise RuleViolation(f"The calendar address's name {reason(tidied)}.")
    name = tidied.text.strip()
    if not name or len(name) > MAX_NAME:
        raise RuleViolation(
            f"Give the calendar address a name of 1 to {MAX_NAME} characters, e.g. 'Outlook'."
        )
    token = new_token(FEED_TOKEN_PREFIX)
    row = int(
        uow.scalar(
            W_FEED,
            person_id=person,
            name=name,
            prefix=token[: len(FEED_TOKEN_PREFIX) + 4],
            token_hash=digest(token),
            created_at=uow.now,
            last_used_at=None,
            revoked_at=None,
        )
    )
    uow.emit(ev.CalendarFeedCreated(person, row, name))
    return row, token


def revoke_feed(uow: UnitOfWork, feed: int) -> None:
    """Revoke a calendar address: its owner may, and so may the PMO and admins. Revoking
    one already revoked changes nothing and records nothing."""
    owner = uow.scalar(Q_FEED_OWNER, row=feed)
    if owner is None:
        raise NotFound(f"There is no calendar address with id {feed}.")
    person = uow.actor.person
    if person is None:
        raise NotSignedIn()
    if person != owner and not roles_of(uow, person) & OFFICE_ROLES:
        raise NotPermitted("Only the calendar address's owner, the PMO or an admin may revoke it.")
    if uow.conn.execute(W_REVOKE_FEED, {"row": feed, "now": uow.now}).rowcount:
        uow.emit(ev.CalendarFeedRevoked(int(owner), feed))


# --- reading --------------------------------------------------------------------------------


def feed_reader(conn: Connection, token: str, now: datetime) -> Principal | None:
    """Whose live calendar address ``token`` is, or None. Notes when it was used, to the
    minute, as for API tokens: a calendar polling often does not write each time."""
    if not token.startswith(FEED_TOKEN_PREFIX):
        return None  # an API or session token is not a calendar address
    found = conn.execute(Q_FEED, {"digest": digest(token)}).first()
    if found is None:
        return None
    if found.last_used_at is None or now - found.last_used_at >= TOKEN_USE_GRAIN:
        conn.execute(W_FEED_USED, {"row": found.id, "now": now})
    return principal(conn, int(found.person_id), "feed_token")


def feeds(conn: Connection, person: int) -> list[FeedView]:
    """A person's calendar addresses, live and revoked, newest first."""
    return [FeedView(**row._mapping) for row in conn.execute(Q_FEEDS, {"person": person})]


def every_feed(conn: Connection) -> list[HeldFeedView]:
    """Everyone's calendar addresses, live and revoked, by owner and newest first (for the
    PMO; the route that shows them is for the PMO and admins only)."""
    return [HeldFeedView(**row._mapping) for row in conn.execute(Q_EVERY_FEED)]
