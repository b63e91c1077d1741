"""One agenda: the email the board gets and the wheel's page for the meeting list the same
gate requests, also one that an earlier meeting carried over without deciding it.

Dates are in 2027, on the test wheel: a board meeting at 13.00 on the second Tuesday of
the month, its agenda sent at 08.00 three working days before, and a gate request goes on
the first meeting at least five working days after it is submitted.
"""

from __future__ import annotations

import re
from datetime import date, time
from pathlib import Path

from phasegate.bootstrap import App
from tests.cycle_support import cycle_app, email_of, local, outbox, tick_at, wheel_file
from tests.factories import Cast, Clock, submit_complete
from tests.web_support import HTML, reader, signed_in
from tests.webserver import serve

MARCH = "styremote/20270309T1300"
APRIL = "styremote/20270413T1300"


def submit_bp1(app: App, cast: Cast, name: str) -> int:
    project = app.engine.register_project(name, owner=cast.owner, leader=cast.leader, phase="idea")
    bp1 = app.engine.workflows.current("prosjektveiviseren").gate("BP1")
    assert bp1 is not None
    return submit_complete(app.engine, project, bp1, cast.leader)


def emailed_agenda(app: App, member: int, sent: date) -> set[str]:
    """The projects on the agenda email ``member`` got on the day ``sent``."""
    [email] = [
        m
        for m in outbox(app, "board_agenda", to=email_of(app, member))
        if local(sent, time(0, 0)) <= m.created_at < local(sent, time(23, 59))
    ]
    return set(re.findall(r"^\d+\. (.+?) – BP\d", email.body_text, re.MULTILINE))


def agenda_on_page(page: str) -> set[str]:
    """The projects the meeting's page lists on its agenda (each a link to the project)."""
    return set(re.findall(r'<a [^>]*href="/projects/\d+[^"]*"[^>]*>([^<]+)</a>', page))


def test_the_agenda_email_and_the_meeting_page_list_the_same_requests(
    database_url: str, tmp_path: Path, clock: Clock, cast: Cast
) -> None:
    with cycle_app(database_url, wheel_file(tmp_path), clock) as app:
        # Wednesday 24 February: in time for 9 March.
        clock.now = local(date(2027, 2, 24), time(10, 0))
        submit_bp1(app, cast, "Boligpolitisk strategi")  # not decided in March: carried over
        decided = submit_bp1(app, cast, "Skolebruksplan")
        # Wednesday 3 March: too late for 9 March, so on 13 April's agenda.
        clock.now = local(date(2027, 3, 3), time(10, 0))
        submit_bp1(app, cast, "Digitaliseringsstrategi")
        tick_at(app, clock, local(date(2027, 3, 4)))  # the March agenda goes out
        clock.now = local(date(2027, 3, 9), time(14, 0))  # the March meeting decides one
        for member in cast.board[:2]:
            app.engine.cast_vote(decided, "approve", channel="web", actor=member)
        tick_at(app, clock, local(date(2027, 4, 8)))  # the April agenda goes out

        emails = {
            MARCH: emailed_agenda(app, cast.board[0], date(2027, 3, 4)),
            APRIL: emailed_agenda(app, cast.board[0], date(2027, 4, 8)),
        }
        with serve(app) as url, reader(app, url) as site:
            pages = {
                key: agenda_on_page(site.get(f"/arshjul/{key}", headers=HTML).text)
                for key in (MARCH, APRIL)
            }
            board, _ = signed_in(app, url, cast.board[2])
            with board:
                queue = board.get("/decisions", headers=HTML).text

    assert (
        emails
        == pages
        == {
            MARCH: {"Boligpolitisk strategi", "Skolebruksplan"},
            APRIL: {"Boligpolitisk strategi", "Digitaliseringsstrategi"},
        }
    )
    # The board's queue has the carried-over request due at April's meeting, not March's.
    assert "Boligpolitisk strategi" in queue
    assert "13. april 2027" in queue
    assert "9. mars 2027" not in queue
