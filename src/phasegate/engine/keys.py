"""Named keys a person holds (*nøkler*): API tokens and calendar addresses.

Both are the same thing kept in two tables: a bearer secret a person makes for another
program, names, may revoke (and so may the PMO and admins), and sees listed with when it
was made and last used. The secret is 32 random bytes with a recognisable prefix, shown
once; the database keeps its SHA-256 and its first characters. Making and revoking are in
the audit trail; the secret never is. The two kinds stay in tables of their own so that
one can never stand in for the other: an API token opens the API, a calendar address the
calendar feed only.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Connection, bindparam, insert, select, update

from phasegate.domain import events as ev
from phasegate.domain.text import tidy
from phasegate.engine.access import OFFICE_ROLES
from phasegate.engine.lookups import roles_of
from phasegate.engine.signin import digest, new_token
from phasegate.engine.unit import UnitOfWork
from phasegate.errors import NotFound, NotPermitted, NotSignedIn, RuleViolation
from phasegate.storage.tables import ApiToken, CalendarFeed, Person

USE_GRAIN = timedelta(minutes=1)  # how exactly "last used" is kept
MAX_NAME = 200


@dataclass(frozen=True)
class KeyView:
    """A key as its owner sees it listed: its name and first characters, never the key."""

    id: int
    name: str
    prefix: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


@dataclass(frozen=True)
class HeldKeyView(KeyView):
    """A key with its owner, for the PMO's list of everyone's."""

    owner_id: int
    owner: str
    owner_email: str


class Keys:
    """One kind of key: its table, its prefix, its words and its audit events, with the
    statements built once."""

    def __init__(
        self,
        table: type[ApiToken] | type[CalendarFeed],
        prefix: str,
        kind: str,
        example: str,
        created: Callable[[int, int, str], ev.Event],
        revoked: Callable[[int, int], ev.Event],
    ) -> None:
        self.prefix = prefix
        self.kind = kind  # "api_token": how refusals name one (NotFound's reason)
        self.example = example  # a name people give one
        self.created, self.revoked = created, revoked
        self.w_insert = insert(table).returning(table.id)
        # A live key of a person who still exists: the join makes a removed person's keys
        # stop at once, whatever is left in the table.
        self.q_holder = (
            select(table.id, table.person_id, table.last_used_at)
            .join(Person, Person.id == table.person_id)
            .where(table.token_hash == bindparam("digest"), table.revoked_at.is_(None))
        )
        self.w_used = (
            update(table).where(table.id == bindparam("row")).values(last_used_at=bindparam("now"))
        )
        self.q_owner = select(table.person_id).where(table.id == bindparam("row"))
        self.w_revoke = (
            update(table)
            .where(table.id == bindparam("row"), table.revoked_at.is_(None))
            .values(revoked_at=bindparam("now"))
        )
        shown = (  # what may be shown of a key: never its hash
            table.id,
            table.name,
            table.prefix,
            table.created_at,
            table.last_used_at,
            table.revoked_at,
        )
        self.q_listed = (
            select(*shown).where(table.person_id == bindparam("person")).order_by(table.id.desc())
        )
        self.q_every = (
            select(
                *shown,
                Person.id.label("owner_id"),
                Person.name.label("owner"),
                Person.email.label("owner_email"),
            )
            .join(Person, Person.id == table.person_id)
            .order_by(Person.name, Person.id, table.id.desc())
        )

    def create(self, uow: UnitOfWork, name: str) -> tuple[int, str]:
        """A new key for the acting person; returns its id and the key, which is shown this
        once and never again."""
        person = uow.actor.person
        if person is None:
            raise NotSignedIn()
        tidied = tidy(name)
        if not tidied.ok:
            at = tidied.at + 1
            fault = str(tidied.fault).removeprefix("text_")
            raise RuleViolation(f"key_name_{fault}", field="name", char=tidied.char, at=at)
        name = tidied.text.strip()
        if not name or len(name) > MAX_NAME:
            raise RuleViolation(
                "key_name_length", field="name", limit=MAX_NAME, example=self.example
            )
        token = new_token(self.prefix)
        row = int(
            uow.scalar(
                self.w_insert,
                person_id=person,
                name=name,
                prefix=token[: len(self.prefix) + 4],
                token_hash=digest(token),
                created_at=uow.now,
                last_used_at=None,
                revoked_at=None,
            )
        )
        uow.emit(self.created(person, row, name))
        return row, token

    def revoke(self, uow: UnitOfWork, row: int) -> None:
        """Revoke a key: its owner may, and so may the PMO and admins. Revoking one already
        revoked changes nothing and records nothing."""
        owner = uow.scalar(self.q_owner, row=row)
        if owner is None:
            raise NotFound(self.kind, row=str(row))
        person = uow.actor.person
        if person is None:
            raise NotSignedIn()
        if person != owner and not roles_of(uow, person) & OFFICE_ROLES:
            raise NotPermitted("key_owner")
        if uow.conn.execute(self.w_revoke, {"row": row, "now": uow.now}).rowcount:
            uow.emit(self.revoked(int(owner), row))

    def holder(self, conn: Connection, token: str, now: datetime) -> int | None:
        """The person whose live key ``token`` is, or None; notes that it was used, to the
        minute (a program calling many times a second does not write a row each time)."""
        if not token.startswith(self.prefix):
            return None  # another kind of key, or none at all
        found = conn.execute(self.q_holder, {"digest": digest(token)}).first()
        if found is None:
            return None
        if found.last_used_at is None or now - found.last_used_at >= USE_GRAIN:
            conn.execute(self.w_used, {"row": found.id, "now": now})
        return int(found.person_id)

    def listed(self, conn: Connection, person: int) -> list[KeyView]:
        """A person's keys of this kind, live and revoked, newest first."""
        return [KeyView(**row._mapping) for row in conn.execute(self.q_listed, {"person": person})]

    def every(self, conn: Connection) -> list[HeldKeyView]:
        """Everyone's keys of this kind, live and revoked, by owner and newest first (for
        the PMO; the route that shows them is for the PMO and admins only)."""
        return [HeldKeyView(**row._mapping) for row in conn.execute(self.q_every)]


API_TOKENS = Keys(
    ApiToken, "pgt_", "api_token", "Arkivsystem", ev.ApiTokenCreated, ev.ApiTokenRevoked
)
#: Calendar programs (Outlook, Google, Apple Calendar) poll an address and cannot sign in,
#: so the address carries the key: ``/calendar.ics?token=pgc_…``.
CALENDAR_ADDRESSES = Keys(
    CalendarFeed,
    "pgc_",
    "calendar_address",
    "Outlook",
    ev.CalendarFeedCreated,
    ev.CalendarFeedRevoked,
)
