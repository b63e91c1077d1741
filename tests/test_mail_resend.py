"""Sending a dead letter again goes through the engine: only the PMO and admins may, and
the audit trail says who did it (the command line's own test is in test_outbox.py)."""

from __future__ import annotations

import pytest
from sqlalchemy import update

from phasegate.engine.outbox import OutboxEntry, list_messages
from phasegate.engine.service import Engine
from phasegate.errors import NotPermitted
from phasegate.storage.tables import OutboxMessage
from tests.factories import Cast, Clock


def dead_letter(engine: Engine) -> OutboxEntry:
    """A sign-in email the mail server refused for good."""
    engine.request_sign_in("per@asker.example")
    with engine.database.begin() as conn:
        conn.execute(update(OutboxMessage).values(status="dead", last_error="550 mailbox full"))
        [dead] = list_messages(conn, status="dead")
    return dead


def outbox_entry(engine: Engine, row: int) -> OutboxEntry:
    with engine.database.connect() as conn:
        return next(m for m in list_messages(conn) if m.id == row)


def resends(engine: Engine) -> list[tuple[int | None, dict[str, object]]]:
    return [(e.actor_id, e.payload) for e in engine.audit_trail() if e.kind == "DeadLetterResent"]


def test_a_board_member_may_not_send_a_dead_letter_again(engine: Engine, cast: Cast) -> None:
    dead = dead_letter(engine)

    with pytest.raises(NotPermitted) as refused:
        engine.resend_dead_letter(dead.id, actor=cast.board[0])

    assert (refused.value.code, refused.value.params["action"]) == ("not_permitted", "resend_email")
    assert "Hanne Solberg" in refused.value.say("nb")  # the words come from the catalog
    assert outbox_entry(engine, dead.id).status == "dead"
    assert resends(engine) == []


def test_the_pmo_sends_a_dead_letter_again_and_the_audit_trail_says_so(
    engine: Engine, cast: Cast, clock: Clock
) -> None:
    dead = dead_letter(engine)
    clock.advance(hours=1)

    again = engine.resend_dead_letter(dead.id, actor=cast.pmo)

    assert (again.status, again.attempts, again.message_id) == ("pending", 0, dead.message_id)
    assert outbox_entry(engine, dead.id).status == "pending"
    assert resends(engine) == [(cast.pmo, {"message": dead.id})]
