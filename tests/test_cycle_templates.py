"""The annual-cycle emails as people receive them: reminders, escalations, report requests,
the board agenda and the daily digest. Real templates, real Babel, no mocks."""

from __future__ import annotations

import html as entities
import re
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import jinja2
import pytest

from phasegate.domain.reminders import DeadlineKind, Stage
from phasegate.i18n import LOCALES
from phasegate.i18n.catalog import working_days as format_working_days
from phasegate.i18n.formats import format_date
from phasegate.mail.render import Notifications, RenderedEmail

OSLO = ZoneInfo("Europe/Oslo")
NOTIFICATIONS = Path(__file__).resolve().parents[1] / "notifications"
OUTCOMES = ("approve", "rework", "hold", "stop")
DUE = datetime(2027, 4, 14, 11, 0, tzinfo=UTC)  # 13.00 in Oslo (summer time)
EARLIER = datetime(2027, 4, 6, 8, 0, tzinfo=UTC)  # 10.00 in Oslo
EXPIRES = datetime(2027, 4, 30, 21, 59, tzinfo=UTC)  # 23.59 in Oslo
PROJECT = "Digitaliseringsstrategi"
PMO = {
    "nb": "porteføljekontoret (PMO)",
    "nn": "porteføljekontoret (PMO)",
    "en": "the portfolio office (PMO)",
}
WHEN = {
    "nb": "14. april 2027 kl. 13.00",
    "nn": "14. april 2027 kl. 13.00",
    "en": "14 April 2027 at 13:00",
}
SIGN_OFF = {"nb": "Vennlig hilsen", "nn": "Venleg helsing", "en": "Kind regards"}

TITLES = {
    "nb": {
        "gate_decision": "BP2 – Start planleggingsfasen",
        "owner_decision": "BP3 – Start gjennomføringsfasen",
        "status_report": "1. tertialrapport 2027",
        "benefit_report": "Årsrapport 2026",
        "deadline": "Rammesak for handlingsprogrammet",
        "meeting": "Porteføljestyremøte i april",
    },
    "nn": {
        "gate_decision": "BP2 – Start planlegginga",
        "owner_decision": "BP3 – Start gjennomføringa",
        "status_report": "1. tertialrapport 2027",
        "benefit_report": "Årsrapport 2026",
        "deadline": "Rammesak for handlingsprogrammet",
        "meeting": "Porteføljestyremøte i april",
    },
    "en": {
        "gate_decision": "BP2 – Start the planning phase",
        "owner_decision": "BP3 – Start the execution phase",
        "status_report": "1st tertial report 2027",
        "benefit_report": "Annual report 2026",
        "deadline": "Framework for the action programme",
        "meeting": "Portfolio board meeting in April",
    },
}


def vote_links(prefix: str) -> list[dict[str, str]]:
    return [
        {"outcome": outcome, "url": f"https://phasegate.example/l/{prefix}-{outcome}-tok"}
        for outcome in OUTCOMES
    ]


def item(kind: str = "status_report", locale: str = "nb", **changes: Any) -> dict[str, Any]:
    """A deadline as the composer describes it, in the recipient's language."""
    decision = kind in ("gate_decision", "owner_decision")
    context: dict[str, Any] = {
        "kind": kind,
        "title": TITLES[locale][kind],
        "project": None if kind == "deadline" else PROJECT,
        "due_at": DUE,
        "meeting": TITLES[locale]["meeting"] if kind == "gate_decision" else None,
        "action_url": f"https://phasegate.example/{kind}/7",
        "links": vote_links(kind) if decision else [],
        "overdue_working_days": 0,
    }
    return context | changes


def reminder(locale: str = "nb", **changes: Any) -> dict[str, Any]:
    context: dict[str, Any] = {
        "recipient": {"name": "Hanne Berg"},
        "item": item("gate_decision", locale, overdue_working_days=3),
        "stage": "overdue",
        "working_days_left": 0,
        "reminder_number": 2,
        "reminders_left": 1,
        "escalate_to": PMO[locale],
        "expires_at": EXPIRES,
    }
    return context | changes


def escalation(locale: str = "nb", **changes: Any) -> dict[str, Any]:
    context: dict[str, Any] = {
        "recipient": {"name": "Kari Lie"},
        "item": item("status_report", locale, overdue_working_days=6, links=[]),
        "owed_by": "Per Olsen",
        "reminders_sent": 3,
    }
    return context | changes


def escalated(locale: str = "nb", **changes: Any) -> dict[str, Any]:
    context: dict[str, Any] = {
        "recipient": {"name": "Ola Nordmann"},
        "item": item("owner_decision", locale, overdue_working_days=6),
        "escalated_to": PMO[locale],
    }
    return context | changes


def report_requested(locale: str = "nb", **changes: Any) -> dict[str, Any]:
    context: dict[str, Any] = {
        "recipient": {"name": "Per Olsen"},
        "project": {"name": PROJECT, "phase": {"en": "Execution"}.get(locale, "Gjennomføre")},
        "cycle": {"label": TITLES[locale]["status_report"]},
        "report_kind": "status",
        "due_at": DUE,
        "form_url": "https://phasegate.example/r/report-tok",
        "expires_at": EXPIRES,
    }
    return context | changes


def agenda_item(project: str, gate_id: str, **changes: Any) -> dict[str, Any]:
    context: dict[str, Any] = {
        "project": project,
        "gate_id": gate_id,
        "gate_label": "Start planleggingsfasen",
        "submitted_at": EARLIER,
        "submitted_by": "Per Olsen",
        "votes_cast": 1,
        "deciders": 5,
        "links": vote_links(f"agenda-{gate_id}"),
        "achievement": [],  # only a request out of realisation (BP6) has any
    }
    return context | changes


def board_agenda(locale: str = "nb", **changes: Any) -> dict[str, Any]:
    context: dict[str, Any] = {
        "recipient": {"name": "Hanne Berg"},
        "meeting": {"label": TITLES[locale]["meeting"], "starts_at": DUE},
        "items": [
            agenda_item(PROJECT, "BP2"),
            agenda_item("Skolebruksplan", "BP1", votes_cast=5, links=[]),
        ],
        "board_url": "https://phasegate.example/board",
    }
    return context | changes


def entry(kind: str, stage: str | None, deadline: dict[str, Any], **changes: Any) -> dict[str, Any]:
    context = {
        "kind": kind,
        "stage": stage,
        "item": deadline,
        "owed_by": None,
        "escalated_to": None,
    }
    return context | changes


def digest(locale: str = "nb", **changes: Any) -> dict[str, Any]:
    # Deliberately out of order: the email sorts them.
    context: dict[str, Any] = {
        "recipient": {"name": "Hanne Berg"},
        "day": date(2027, 4, 19),
        "entries": [
            entry("reminder", "before", item("status_report", locale, project="Kulturhus")),
            entry(
                "escalation",
                "escalation",  # the scheduler passes the reminder's stage
                item(
                    "benefit_report",
                    locale,
                    project="Skolebruksplan",
                    overdue_working_days=9,
                    links=[],
                ),
                owed_by="Per Olsen",
            ),
            entry("reminder", "overdue", item("gate_decision", locale, overdue_working_days=3)),
            entry("reminder", "on_day", item("deadline", locale, action_url=None)),
            entry(
                "escalated",
                None,
                item("owner_decision", locale, due_at=EARLIER, overdue_working_days=6, links=[]),
                escalated_to=PMO[locale],
            ),
        ],
    }
    return context | changes


SAMPLES: dict[str, Callable[..., dict[str, Any]]] = {
    "reminder": reminder,
    "escalation": escalation,
    "escalated": escalated,
    "report_requested": report_requested,
    "board_agenda": board_agenda,
    "digest": digest,
}
EMAILS = tuple(SAMPLES)


@pytest.fixture
def notifications() -> Notifications:
    return Notifications(NOTIFICATIONS, OSLO)


def render(notifications: Notifications, name: str, locale: str, **changes: Any) -> RenderedEmail:
    return notifications.render(name, locale, SAMPLES[name](locale, **changes))


def both_parts(email: RenderedEmail) -> tuple[str, str]:
    return email.text, email.html


def text_of(html: str) -> str:
    """The HTML part as a reader sees it: no tags, whitespace collapsed."""
    words = re.sub(r"<[^>]+>", "", html.replace("<br>", " "))
    return " ".join(entities.unescape(words).split())


# --- Every email in every language --------------------------------------------------------


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("name", EMAILS)
def test_every_cycle_email_has_a_subject_a_text_and_an_html_part(
    notifications: Notifications, name: str, locale: str
) -> None:
    email = render(notifications, name, locale)

    assert email.subject.startswith("[phasegate] ")
    assert "\n" not in email.subject
    assert email.html.startswith("<!DOCTYPE html>")
    assert f'<html lang="{locale}">' in email.html
    for part in both_parts(email):
        assert PROJECT in part
        assert SIGN_OFF[locale] in part
        for other in set(LOCALES) - {locale}:
            assert SIGN_OFF[other] not in part
    html = email.html.lower()
    for forbidden in ("<script", "<form", "<style", "javascript:"):
        assert forbidden not in html


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("name", EMAILS)
def test_times_read_the_local_way_in_oslo_time(
    notifications: Notifications, name: str, locale: str
) -> None:
    email = render(notifications, name, locale)

    for part in both_parts(email):
        assert WHEN[locale] in part


def test_a_plain_day_is_written_as_it_is() -> None:
    assert format_date(date(2027, 4, 19), "nb", OSLO) == "19. april 2027"
    assert format_date(date(2027, 4, 19), "en", OSLO) == "19 April 2027"


def test_working_days_are_counted_in_words() -> None:
    assert format_working_days(1, "nb") == "1 virkedag"
    assert format_working_days(3, "nb") == "3 virkedager"
    assert format_working_days(1, "nn") == "1 vyrkedag"
    assert format_working_days(3, "nn") == "3 vyrkedagar"
    assert format_working_days(1, "en") == "1 working day"
    assert format_working_days(0, "en") == "0 working days"


# --- reminder ---------------------------------------------------------------------------


@pytest.mark.parametrize("locale", LOCALES)
def test_overdue_reminder_says_how_late_and_that_escalation_is_near(
    notifications: Notifications, locale: str
) -> None:
    email = render(notifications, "reminder", locale)
    expected = {
        "nb": (
            "[phasegate] Purring 2: stemmen din i BP2 – Start planleggingsfasen for "
            "Digitaliseringsstrategi – fristen var 14. april 2027",
            "3 virkedager på overtid",
            "Dette er purring nr. 2.",
            "Du får 1 purring til før saken blir meldt videre til porteføljekontoret (PMO).",
        ),
        "nn": (
            "[phasegate] Purring 2: stemma di i BP2 – Start planlegginga for "
            "Digitaliseringsstrategi – fristen var 14. april 2027",
            "3 vyrkedagar på overtid",
            "Dette er purring nr. 2.",
            "Du får 1 purring til før saka blir meldt vidare til porteføljekontoret (PMO).",
        ),
        "en": (
            "[phasegate] Overdue, reminder 2: your vote on BP2 – Start the planning phase for "
            "Digitaliseringsstrategi – was due 14 April 2027",
            "3 working days overdue",
            "This is reminder no. 2.",
            "You will get 1 more reminder before it is passed on to the portfolio office (PMO).",
        ),
    }[locale]

    assert email.subject == expected[0]
    for part in (email.text, text_of(email.html)):
        for words in expected[1:]:
            assert words in part


def test_last_reminder_says_escalation_comes_next(notifications: Notifications) -> None:
    nb = render(notifications, "reminder", "nb", reminders_left=0)
    en = render(notifications, "reminder", "en", reminders_left=0)

    last_nb = "Dette er siste purring. Blir saken ikke ordnet, blir den meldt videre til"
    last_en = "This is the last reminder. If it is not dealt with, it will be passed on to"
    for part in (nb.text, text_of(nb.html)):
        assert last_nb in part
    for part in (en.text, text_of(en.html)):
        assert last_en in part


def test_reminder_without_escalation_does_not_threaten_one(
    notifications: Notifications,
) -> None:
    email = render(notifications, "reminder", "nb", reminders_left=None, escalate_to=None)

    for part in both_parts(email):
        assert "3 virkedager på overtid" in part
        assert "meldt videre" not in part


@pytest.mark.parametrize("locale", LOCALES)
def test_reminder_links_are_in_both_parts_with_their_labels(
    notifications: Notifications, locale: str
) -> None:
    email = render(notifications, "reminder", locale)
    labels = {
        "nb": ("Godkjenn", "Send tilbake til bearbeiding", "Sett på vent", "Stans prosjektet"),
        "nn": ("Godkjenn", "Send tilbake til bearbeiding", "Set på vent", "Stans prosjektet"),
        "en": ("Approve", "Send back for rework", "Put on hold", "Stop the project"),
    }[locale]
    confirmation = {"nb": "bekreftelsesside", "nn": "stadfestingsside"}.get(
        locale, "confirmation page"
    )
    until = {"en": "30 April 2027 at 23:59"}.get(locale, "30. april 2027 kl. 23.59")

    for part in both_parts(email):
        for link, label in zip(vote_links("gate_decision"), labels, strict=True):
            assert part.count(link["url"]) == 1
            assert label in part
        assert "https://phasegate.example/gate_decision/7" in part
        assert confirmation in part
        assert until in part
    assert f"{labels[0]}:\nhttps://phasegate.example/l/gate_decision-approve-tok" in email.text


def test_reminder_before_the_deadline_counts_the_working_days_left(
    notifications: Notifications,
) -> None:
    context = reminder(
        "nb",
        item=item("status_report", "nb"),
        stage="before",
        working_days_left=3,
        reminder_number=0,
    )
    email = notifications.render("reminder", "nb", context)

    assert email.subject == (
        "[phasegate] Påminnelse: statusrapporten for Digitaliseringsstrategi "
        "(1. tertialrapport 2027) – frist 14. april 2027"
    )
    for part in (email.text, text_of(email.html)):
        assert "Fristen er 14. april 2027 kl. 13.00, om 3 virkedager." in part
        assert "er skjemaet fylt ut med svarene derfra" in part
        assert "overtid" not in part
        assert "purring" not in part.lower()
    for part in both_parts(email):
        assert "https://phasegate.example/status_report/7" in part


def test_reminder_on_the_day_says_today(notifications: Notifications) -> None:
    context = reminder("en", item=item("owner_decision", "en"), stage="on_day")
    email = notifications.render("reminder", "en", context)

    assert email.subject.startswith("[phasegate] Due today: your decision on BP3")
    for part in (email.text, text_of(email.html)):
        assert "The deadline is today, 14 April 2027 at 13:00." in part
        assert "As project owner you are to decide" in part


def test_reminder_of_a_wheel_deadline_has_no_project_and_may_have_no_link(
    notifications: Notifications,
) -> None:
    context = reminder(
        "nb", item=item("deadline", "nb", action_url=None), stage="on_day", expires_at=None
    )
    email = notifications.render("reminder", "nb", context)

    assert email.subject == "[phasegate] Frist i dag: Rammesak for handlingsprogrammet"
    for part in both_parts(email):
        assert "Frist i årshjulet" in part
        assert "Prosjekt" not in part
        assert "http" not in part.replace("http-equiv", "")
    assert "<a " not in email.html


# --- escalation and escalated ---------------------------------------------------------------


@pytest.mark.parametrize("locale", LOCALES)
def test_escalation_names_who_owes_it_and_how_late_it_is(
    notifications: Notifications, locale: str
) -> None:
    email = render(notifications, "escalation", locale)
    expected = {
        "nb": (
            "[phasegate] Eskalering: statusrapporten for Digitaliseringsstrategi "
            "(1. tertialrapport 2027) er 6 virkedager på overtid",
            "Per Olsen har ikke levert statusrapporten for Digitaliseringsstrategi",
            "Per Olsen har fått 3 purringer uten at saken er ordnet.",
            "meldt videre til deg",
        ),
        "nn": (
            "[phasegate] Eskalering: statusrapporten for Digitaliseringsstrategi "
            "(1. tertialrapport 2027) er 6 vyrkedagar på overtid",
            "Per Olsen har ikkje levert statusrapporten for Digitaliseringsstrategi",
            "Per Olsen har fått 3 purringar utan at saka er ordna.",
            "meldt vidare til deg",
        ),
        "en": (
            "[phasegate] Escalation: the status report for Digitaliseringsstrategi "
            "(1st tertial report 2027) is 6 working days overdue",
            "Per Olsen has not handed in the status report for Digitaliseringsstrategi",
            "Per Olsen has had 3 reminders without it being dealt with.",
            "passed on to you",
        ),
    }[locale]

    assert email.subject == expected[0]
    for part in (email.text, text_of(email.html)):
        for words in expected[1:]:
            assert words in part
    for part in both_parts(email):
        assert "https://phasegate.example/status_report/7" in part


def test_escalation_never_passes_on_someone_elses_vote_links(
    notifications: Notifications,
) -> None:
    context = escalation("nb", item=item("gate_decision", "nb", overdue_working_days=2))
    email = notifications.render("escalation", "nb", context)

    for part in (email.text, text_of(email.html)):
        assert "Per Olsen har ikke stemt i BP2 – Start planleggingsfasen" in part
        assert "annen beslutningstaker" in part
    for part in both_parts(email):
        assert "/l/" not in part


@pytest.mark.parametrize("locale", LOCALES)
def test_escalated_tells_the_person_where_it_went_and_how_to_still_act(
    notifications: Notifications, locale: str
) -> None:
    email = render(notifications, "escalated", locale)
    expected = {
        "nb": (
            "[phasegate] Meldt videre til porteføljekontoret (PMO): beslutningen din i "
            "BP3 – Start gjennomføringsfasen for Digitaliseringsstrategi",
            "er den nå meldt videre til porteføljekontoret (PMO)",
            "6 virkedager på overtid",
            "Du kan fortsatt beslutte",
        ),
        "nn": (
            "[phasegate] Meldt vidare til porteføljekontoret (PMO): avgjerda di i "
            "BP3 – Start gjennomføringa for Digitaliseringsstrategi",
            "er ho no meldt vidare til porteføljekontoret (PMO)",
            "6 vyrkedagar på overtid",
            "Du kan framleis ta avgjerda",
        ),
        "en": (
            "[phasegate] Passed on to the portfolio office (PMO): your decision on "
            "BP3 – Start the execution phase for Digitaliseringsstrategi",
            "it has now been passed on to the portfolio office (PMO)",
            "6 working days overdue",
            "You can still decide",
        ),
    }[locale]

    assert email.subject == expected[0]
    for part in (email.text, text_of(email.html)):
        for words in expected[1:]:
            assert words.lower() in part.lower()
    for part in both_parts(email):
        for link in vote_links("owner_decision"):
            assert link["url"] in part


# --- report_requested ----------------------------------------------------------------------


@pytest.mark.parametrize("locale", LOCALES)
def test_report_request_explains_prefill_and_locking(
    notifications: Notifications, locale: str
) -> None:
    email = render(notifications, "report_requested", locale)
    expected = {
        "nb": (
            "[phasegate] Statusrapport for Digitaliseringsstrategi: 1. tertialrapport 2027, "
            "frist 14. april 2027",
            "skjemaet fylt ut med svarene fra forrige rapport",
            "blir rapporten låst og datert",
            "Den virker til 30. april 2027 kl. 23.59.",
        ),
        "nn": (
            "[phasegate] Statusrapport for Digitaliseringsstrategi: 1. tertialrapport 2027, "
            "frist 14. april 2027",
            "skjemaet fylt ut med svara frå den førre rapporten",
            "blir rapporten låst og datert",
            "Ho verkar til 30. april 2027 kl. 23.59.",
        ),
        "en": (
            "[phasegate] Status report for Digitaliseringsstrategi: 1st tertial report 2027, "
            "due 14 April 2027",
            "the form is filled in with the answers from the previous report",
            "the report is locked and dated",
            "It works until 30 April 2027 at 23:59.",
        ),
    }[locale]

    assert email.subject == expected[0]
    for part in (email.text, text_of(email.html)):
        for words in expected[1:]:
            assert words in part
    for part in both_parts(email):
        assert part.count("https://phasegate.example/r/report-tok") == 1


def test_benefit_report_request_asks_for_benefit_achievement(
    notifications: Notifications,
) -> None:
    email = render(notifications, "report_requested", "nb", report_kind="benefit")

    assert email.subject.startswith("[phasegate] Gevinstrapport for Digitaliseringsstrategi")
    for part in (email.text, text_of(email.html)):
        assert "gevinstoppnåelse og risiko" in part
        assert "fremdrift" not in part


# --- board_agenda -------------------------------------------------------------------------


@pytest.mark.parametrize("locale", LOCALES)
def test_board_agenda_lists_every_pending_decision_with_votes_and_links(
    notifications: Notifications, locale: str
) -> None:
    email = render(notifications, "board_agenda", locale)
    votes = {"en": ("1 of 5", "5 of 5")}.get(locale, ("1 av 5", "5 av 5"))
    submitted = {"en": "6 April 2027 at 10:00"}.get(locale, "6. april 2027 kl. 10.00")
    to_decide = {"nb": "2 saker til beslutning", "nn": "2 saker til avgjerd"}

    assert TITLES[locale]["meeting"] in email.subject
    assert to_decide.get(locale, "2 decisions to make") in email.subject
    for part in (email.text, text_of(email.html)):
        assert "1. Digitaliseringsstrategi – BP2" in part
        assert "2. Skolebruksplan – BP1" in part
        for count in votes:
            assert count in part
        assert submitted in part
    for part in both_parts(email):
        for link in vote_links("agenda-BP2"):
            assert part.count(link["url"]) == 1
        assert "agenda-BP1" not in part
        assert "https://phasegate.example/board" in part


def test_board_agenda_carries_the_boards_five_questions(notifications: Notifications) -> None:
    nb = render(notifications, "board_agenda", "nb")
    en = render(notifications, "board_agenda", "en")

    for part in both_parts(nb):
        assert "fem spørsmål".lower() in part.lower()
        assert "Er de foreslåtte tiltak og prosjekter nødvendige?" in part
        assert "Hvis ikke, hvilke initiativ skal stoppes eller replanlegges?" in part
    for part in both_parts(en):
        assert "If not, which initiatives should be stopped or re-planned?" in part


@pytest.mark.parametrize("locale", LOCALES)
def test_board_agenda_without_decisions_says_so(notifications: Notifications, locale: str) -> None:
    email = render(notifications, "board_agenda", locale, items=[])
    nothing = {
        "nb": "Det er ingen saker til beslutning på sakslisten denne gangen.",
        "nn": "Det er ingen saker til avgjerd på sakslista denne gongen.",
        "en": "There are no decisions on the agenda this time.",
    }[locale]

    assert {"en": "no decisions"}.get(locale, "ingen saker") in email.subject
    for part in (email.text, text_of(email.html)):
        assert nothing in part
        assert "/l/" not in part
        assert "?" not in part  # no questions without anything to decide


# --- digest --------------------------------------------------------------------------------


def test_digest_puts_overdue_first_then_today_then_what_is_coming(
    notifications: Notifications,
) -> None:
    email = render(notifications, "digest", "nb")
    headings = ("PÅ OVERTID", "MELDT VIDERE TIL DEG", "FRIST I DAG", "KOMMENDE FRISTER")
    order = (
        "BP3 – Start gjennomføringsfasen",  # escalated, the oldest overdue of your own
        "BP2 – Start planleggingsfasen",  # overdue reminder
        "Skolebruksplan",  # someone else's, passed on to you
        "Rammesak for handlingsprogrammet",  # due today
        "Kulturhus",  # coming
    )

    assert email.subject == "[phasegate] Daglig oversikt 19. april 2027: 5 saker, 3 på overtid"
    positions = [email.text.index(heading) for heading in headings]
    assert positions == sorted(positions)
    for part in (email.text, text_of(email.html)):
        assert "19. april 2027" in part
        positions = [part.index(words) for words in order]
        assert positions == sorted(positions)
        assert "Meldt videre til porteføljekontoret (PMO)." in part
        assert "Ansvarlig: Per Olsen" in part
        assert "3 virkedager på overtid" in part
        assert "9 virkedager på overtid" in part


@pytest.mark.parametrize("locale", LOCALES)
def test_digest_links_are_in_both_parts(notifications: Notifications, locale: str) -> None:
    email = render(notifications, "digest", locale)

    for part in both_parts(email):
        for link in vote_links("gate_decision"):
            assert part.count(link["url"]) == 1
        for kind in ("status_report", "benefit_report", "owner_decision"):
            assert f"https://phasegate.example/{kind}/7" in part
        assert "https://phasegate.example/deadline/7" not in part


def test_digest_in_english_reads_in_english(notifications: Notifications) -> None:
    email = render(notifications, "digest", "en")

    assert email.subject == "[phasegate] Daily summary for 19 April 2027: 5 items, 3 overdue"
    for part in (email.text, text_of(email.html)):
        assert "Passed on to the portfolio office (PMO)." in part
        assert "Owed by: Per Olsen" in part
        assert "Board vote:" in part
        assert "Status report:" in part


def test_digest_in_nynorsk_reads_in_nynorsk(notifications: Notifications) -> None:
    email = render(notifications, "digest", "nn")

    assert email.subject == "[phasegate] Dagleg oversikt 19. april 2027: 5 saker, 3 på overtid"
    assert "MELDT VIDARE TIL DEG" in email.text
    for part in (email.text, text_of(email.html)):
        assert "Meldt vidare til porteføljekontoret (PMO)." in part
        assert "Ansvarleg: Per Olsen" in part
        assert "Stemme i porteføljestyret:" in part
        assert "Avgjerd som prosjekteigar:" in part
        assert "9 vyrkedagar på overtid" in part


def test_empty_digest_says_there_is_nothing_to_do(notifications: Notifications) -> None:
    email = render(notifications, "digest", "nb", entries=[])

    assert email.subject == "[phasegate] Daglig oversikt 19. april 2027: ingen saker"
    for part in (email.text, text_of(email.html)):
        assert "Du har ingen frister å følge opp i dag" in part


def test_domain_enums_render_like_their_plain_values(notifications: Notifications) -> None:
    # The scheduler may pass DeadlineKind and Stage members; they must read like the strings.
    deadline = item("status_report") | {"kind": DeadlineKind.STATUS_REPORT}
    plain = render(notifications, "reminder", "nb", item=item("status_report"), stage="before")
    enums = render(notifications, "reminder", "nb", item=deadline, stage=Stage.BEFORE)

    assert enums == plain
    assert "Statusrapport" in enums.text


def test_unknown_deadline_kind_fails_loudly(notifications: Notifications) -> None:
    context = digest(
        "nb", entries=[entry("reminder", "before", item("status_report") | {"kind": "x"})]
    )

    with pytest.raises(ValueError, match="Unknown deadline_kind 'x'"):
        notifications.render("digest", "nb", context)


# --- Escaping ------------------------------------------------------------------------------

HOSTILE = "Skole <b>Nord</b> & barnehage"
ESCAPED = "Skole &lt;b&gt;Nord&lt;/b&gt; &amp; barnehage"


def with_hostile_project(name: str, locale: str) -> dict[str, Any]:
    context = SAMPLES[name](locale)
    if name == "report_requested":
        context["project"] = context["project"] | {"name": HOSTILE}
    elif name == "board_agenda":
        context["items"] = [agenda_item(HOSTILE, "BP2")]
    elif name == "digest":
        context["entries"] = [
            e | {"item": e["item"] | {"project": HOSTILE}} for e in context["entries"]
        ]
    else:
        context["item"] = context["item"] | {"project": HOSTILE}
    return context


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("name", EMAILS)
def test_project_name_is_escaped_in_html_and_raw_in_text(
    notifications: Notifications, name: str, locale: str
) -> None:
    email = notifications.render(name, locale, with_hostile_project(name, locale))

    assert HOSTILE in email.text
    assert "<b>" not in email.html
    assert ESCAPED in email.html


# --- Strictness: the contexts are exactly what the composer passes ---------------------------


def variants(name: str, locale: str) -> list[dict[str, Any]]:
    """Contexts that between them reach every branch that reads a variable."""
    base = SAMPLES[name](locale)
    if name == "reminder":
        return [
            base,
            base
            | {"stage": "before", "working_days_left": 2, "item": item("status_report", locale)},
            base | {"stage": "on_day", "item": item("deadline", locale)},
        ]
    if name == "digest":
        return [base, base | {"entries": []}]
    return [base]


def raises_undefined(notifications: Notifications, name: str, locale: str, context: Any) -> bool:
    try:
        notifications.render(name, locale, context)
    except jinja2.UndefinedError:
        return True
    return False


STRICT_CASES = [
    (name, locale, key) for name in EMAILS for locale in LOCALES for key in SAMPLES[name](locale)
]


@pytest.mark.parametrize(("name", "locale", "key"), STRICT_CASES)
def test_every_documented_key_is_used(
    notifications: Notifications, name: str, locale: str, key: str
) -> None:
    contexts = variants(name, locale)
    for context in contexts:
        notifications.render(name, locale, context)  # the full context renders

    assert any(
        raises_undefined(notifications, name, locale, {k: v for k, v in c.items() if k != key})
        for c in contexts
    )


@pytest.mark.parametrize("key", list(item()))
@pytest.mark.parametrize("locale", LOCALES)
def test_every_key_of_a_deadline_is_used_by_the_reminder(
    notifications: Notifications, locale: str, key: str
) -> None:
    contexts = variants("reminder", locale)

    assert any(
        raises_undefined(
            notifications,
            "reminder",
            locale,
            c | {"item": {k: v for k, v in c["item"].items() if k != key}},
        )
        for c in contexts
    )


def test_every_email_on_disk_has_all_its_parts_and_a_test() -> None:
    # The gate emails and the asks for a measurement or a risk review are tested in
    # test_mail_templates.py, sign_in in test_sign_in.py.
    tested = set(EMAILS) | {"decision_requested", "decision_made", "vote_recorded", "sign_in"}
    tested |= {"measurement_requested", "risk_review_requested"}
    for locale in LOCALES:
        kinds = {
            path.name.removesuffix(".subject.j2")
            for path in (NOTIFICATIONS / locale).glob("*.subject.j2")
        }
        assert kinds == tested
        for kind in kinds:
            for part in ("subject", "txt", "html"):
                assert (NOTIFICATIONS / locale / f"{kind}.{part}.j2").is_file()
