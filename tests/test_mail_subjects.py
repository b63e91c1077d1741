"""Subjects arrive as they were written: the raw bytes the sender hands the SMTP server,
read back by a strict parser, in every language the emails are written in.

The email package's own folding wrote "[phasegate] Beslutning trengs: Boligpolitisk
strategi – BP1 Start konseptfasen" with an empty encoded word (``=?utf-8?q??=``), which
strict mail clients show as it is.
"""

from __future__ import annotations

import email.parser
import email.policy
import re
from datetime import UTC, datetime
from email.header import decode_header, make_header

import pytest
from aiosmtplib.email import flatten_message
from sqlalchemy import select

from phasegate.engine.service import Engine
from phasegate.mail.message import Claimed, build_message
from phasegate.storage.tables import OutboxMessage
from tests.factories import REPO, submit_complete

#: The languages the emails are written in: a folder of templates each.
LOCALES = sorted(p.name for p in (REPO / "notifications").iterdir() if p.is_dir())
LONG_NAME = (
    "Boligpolitisk strategi – helhetlig plan for boliger, barnehager og skoler på Nesøya, "
    "Vollen, Høn og Sætre – med medvirkning fra Ungdomsrådet, Eldrerådet og næringslivet"
)
EMPTY_WORD = re.compile(rb"=\?[^?]*\?[qQbB]\?\?=")
ENCODED_WORD = re.compile(rb"=\?[^?]*\?[qQbB]\?[^?]*\?=")

SUBJECTS = [
    "[phasegate] Beslutning trengs: Boligpolitisk strategi – BP1 Start konseptfasen",
    "[phasegate] Decision needed: Boligpolitisk strategi – BP1 Start the concept phase",
    "[phasegate] Avgjerd trengst: Boligpolitisk strategi – BP1 Start konseptfasen",
    "[phasegate] Ny stemme i BP1 for Boligpolitisk strategi: Hanne Solberg – godkjent",
    "[phasegate] Beslutning i BP2 for Ås, Bærum og Asker – felles IKT: sendt tilbake til "
    "bearbeiding",
    f"[phasegate] Påminnelse: stemmen din i BP1 for {LONG_NAME} – frist 9. februar 2027",
    f"[phasegate] Reminder: your vote on BP1 for {LONG_NAME} – due 9 February 2027",
    "[phasegate] Your sign-in link",
    "[phasegate] Daily summary for 9 February 2027: 3 items, 1 overdue, and a long tail of "
    "plain English words that must fold at spaces",
    "[phasegate] Saksliste for Porteføljestyremøte, 9. februar 2027 kl. 13.00: 1 sak",
    "[phasegate] Måling av «Timer spart per år» for Jakten på tidstyvene, frist 20. mai 2027",
    "[phasegate] Revurder risikoen «Leverandøren blir forsinket» i Digital postkasse, frist "
    "20. mai 2027",
    "[phasegate] Påminning: målinga av «Timer spart per år (Spart tid)» for Jakten på "
    "tidstyvene – frist 20. mai 2027",
    "[phasegate] Prosjekt_med_understrek =?utf-8?q?ikke_kodet?= og 100 % ærlig",
    "[phasegate] " + "Æ" * 240,  # every character needs six bytes' worth of escapes
    "[phasegate] Budsjett 1 234 567 kr – 🏫 ny skole – e\u0301 (kombinert aksent)",
    "[phasegate] " + "Langtprosjektnavnutenmellomrom" * 5,  # one ASCII word longer than a line
    "x" * 500,  # as long as the outbox keeps
]


def raw_message(subject: str) -> tuple[bytes, bytes]:
    """The message as aiosmtplib sends it, and as ``bytes()`` writes it."""
    row = Claimed(
        id=1,
        message_id="<1@phasegate.test>",
        recipient="hanne@asker.example",
        subject=subject,
        body_text="Hei\n",
        body_html="<p>Hei</p>\n",
        attempts=0,
        last_error=None,
        created_at=datetime(2027, 2, 1, 8, 0, tzinfo=UTC),
        claimed_until=datetime(2027, 2, 1, 8, 1, tzinfo=UTC),
    )
    message = build_message(row, "phasegate <phasegate@asker.example>")
    return flatten_message(message), bytes(message)


def subject_lines(raw: bytes) -> list[bytes]:
    """The Subject header's lines as written, line ends removed."""
    head = re.split(rb"\r?\n\r?\n", raw, maxsplit=1)[0]
    lines = re.split(rb"\r?\n", head)
    start = next(i for i, line in enumerate(lines) if line.lower().startswith(b"subject:"))
    end = next(
        (i for i in range(start + 1, len(lines)) if lines[i][:1] not in (b" ", b"\t")),
        len(lines),
    )
    return lines[start:end]


def assert_arrives_as_written(subject: str) -> None:
    for raw in raw_message(subject):
        lines = subject_lines(raw)
        assert all(len(line) <= 78 for line in lines), lines
        assert not any(EMPTY_WORD.search(line) for line in lines), lines
        words = [w for line in lines for w in ENCODED_WORD.findall(line)]
        assert all(len(word) <= 75 for word in words), words
        assert not any(b"?==?" in line for line in lines), "encoded words run together"
        parsed = email.parser.BytesParser(policy=email.policy.strict).parsebytes(raw)
        assert str(parsed["Subject"]) == subject
        # The legacy decoder, a second reading: unfold, then decode the words.
        unfolded = b"".join(lines).decode("ascii").removeprefix("Subject: ")
        assert str(make_header(decode_header(unfolded))) == subject


@pytest.mark.parametrize("subject", SUBJECTS, ids=range(len(SUBJECTS)))
def test_a_subject_reaches_a_strict_reader_exactly_as_written(subject: str) -> None:
    assert_arrives_as_written(subject)


def test_the_board_days_subject_is_two_whole_encoded_words_without_an_empty_one() -> None:
    sent, _ = raw_message(SUBJECTS[0])

    assert b"\r\n".join(subject_lines(sent)) == (
        b"Subject: =?utf-8?q?=5Bphasegate=5D_Beslutning_trengs=3A_Boligpolitisk_?=\r\n"
        b" =?utf-8?q?strategi_=E2=80=93_BP1_Start_konseptfasen?="
    )


def test_every_email_of_a_board_day_arrives_with_its_subject_intact_in_every_language(
    engine: Engine,
) -> None:
    def person(n: int, locale: str) -> int:
        return engine.register_person(f"Person {n} {locale}", f"p{n}@asker.example", locale)

    board = [person(n, LOCALES[n % len(LOCALES)]) for n in range(3)]
    for member in board:
        engine.grant_role(member, "board")
    leader, owner = person(3, LOCALES[-1]), person(4, LOCALES[0])
    project = engine.register_project(LONG_NAME, owner=owner, leader=leader)
    bp1 = engine.workflows.current("prosjektveiviseren").gates[0]
    request = submit_complete(engine, project, bp1, actor=leader)
    for member in board[:2]:  # a majority: the second vote decides
        engine.cast_vote(request, "approve", "Godt forarbeid.", channel="web", actor=member)
    for n in range(3):
        engine.request_sign_in(f"p{n}@asker.example")

    with engine.database.connect() as conn:
        sent = conn.execute(select(OutboxMessage.kind, OutboxMessage.subject)).all()

    kinds = {kind for kind, _ in sent}
    assert {"decision_requested", "vote_recorded", "decision_made", "sign_in"} <= kinds
    assert len({subject for _, subject in sent}) >= 3 * len(LOCALES)
    for _, subject in sent:
        assert_arrives_as_written(subject)
