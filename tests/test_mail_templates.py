"""The notification emails as people receive them: real templates, real Babel, no mocks."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import jinja2
import pytest

from phasegate.domain.model import Outcome, Policy
from phasegate.i18n import LOCALES
from phasegate.i18n.formats import format_date, format_datetime, format_money, format_number
from phasegate.mail.render import Notifications, RenderedEmail
from tests.factories import REPO

OSLO = ZoneInfo("Europe/Oslo")
NOTIFICATIONS = REPO / "notifications"
EMAILS = ("decision_requested", "decision_made", "vote_recorded")
OUTCOMES = ("approve", "rework", "hold", "stop")
SUBMITTED = datetime(2026, 5, 17, 11, 0, tzinfo=UTC)  # 13.00 in Oslo (summer time)
EXPIRES = datetime(2026, 5, 31, 21, 59, tzinfo=UTC)  # 23.59 in Oslo
DUE = datetime(2026, 6, 9, 11, 0, tzinfo=UTC)  # the board meeting, 13.00 in Oslo
PROJECT = "Digitaliseringsstrategi"

LABELS = {
    "nb": {"idea": "Idé", "concept": "Konsept", "gate": "Start konseptfasen"},
    "nn": {"idea": "Idé", "concept": "Konsept", "gate": "Start konseptfasen"},
    "en": {"idea": "Idea", "concept": "Concept", "gate": "Start the concept phase"},
}


def link_urls(prefix: str) -> list[dict[str, str]]:
    return [
        {"outcome": outcome, "url": f"https://phasegate.example/l/{prefix}-{outcome}-tok"}
        for outcome in OUTCOMES
    ]


def decision_requested(locale: str = "nb", **changes: Any) -> dict[str, Any]:
    words = LABELS[locale]
    context: dict[str, Any] = {
        "recipient": {"name": "Hanne Berg"},
        "project": {"name": PROJECT, "phase": words["idea"]},
        "gate": {"id": "BP1", "label": words["gate"], "purpose": "Er idéen verdt å utrede?"},
        "submitted_by": "Per Olsen",
        "submitted_at": SUBMITTED,
        "policy": "majority",
        "deciders": ["Hanne Berg", "Ola Nordmann", "Kari Lie"],
        "checklist": [
            {"text": "Behovet er beskrevet.", "answer": "done", "comment": ""},
            {
                "text": "Gevinster er anslått.",
                "answer": "not_relevant",
                "comment": "Ren utredning.",
            },
            {"text": "Berørte enheter er listet.", "answer": "still_open", "comment": "I mars."},
        ],
        "documents": [
            {"label": "Mandat for konseptfasen", "url": "https://docs.example/mandat.pdf"}
        ],
        "links": link_urls("req"),
        "expires_at": EXPIRES,
        "due": {"at": DUE, "meeting": {"en": "Board meeting"}.get(locale, "Porteføljestyremøte")},
        "benefits": None,  # only a gate out of realisation (BP6) shows them
    }
    return context | changes


def decision_made(locale: str = "nb", **changes: Any) -> dict[str, Any]:
    words = LABELS[locale]
    context: dict[str, Any] = {
        "recipient": {"name": "Per Olsen"},
        "project": {"name": PROJECT},
        "gate": {"id": "BP1", "label": words["gate"]},
        "outcome": "approve",
        "decided_by": "Ola Nordmann",
        "decided_at": SUBMITTED,
        "phase_before": words["idea"],
        "phase_after": words["concept"],
        "votes": [
            {
                "voter": "Hanne Berg",
                "outcome": "approve",
                "comment": "Godt forarbeid.",
                "cast_at": SUBMITTED,
            },
            {"voter": "Ola Nordmann", "outcome": "approve", "comment": "", "cast_at": SUBMITTED},
        ],
        "project_url": "https://phasegate.example/projects/7",
    }
    return context | changes


def vote_recorded(locale: str = "nb", **changes: Any) -> dict[str, Any]:
    words = LABELS[locale]
    context: dict[str, Any] = {
        "recipient": {"name": "Kari Lie"},
        "project": {"name": PROJECT},
        "gate": {"id": "BP1", "label": words["gate"]},
        "voter": "Hanne Berg",
        "outcome": "approve",
        "comment": "Godt forarbeid.",
        "cast_at": SUBMITTED,
        "policy": "majority",
        "votes": [{"voter": "Hanne Berg", "outcome": "approve", "cast_at": SUBMITTED}],
        "waiting_for": ["Ola Nordmann", "Kari Lie"],
        "awaiting_you": True,
        "links": link_urls("vote"),
    }
    return context | changes


def measurement_requested(locale: str = "nb", **changes: Any) -> dict[str, Any]:
    context: dict[str, Any] = {
        "recipient": {"name": "Ole Tangen"},
        "project": {"name": PROJECT},
        "benefit": {"title": "Spart tid i saksbehandlingen"},
        "indicator": {
            "name": "Timer spart per år",
            "unit": "timer",
            "direction": "higher",
            "baseline": Decimal("120.5"),
            "baseline_on": date(2026, 1, 1),
            "target": Decimal(1200),
            "target_on": date(2028, 12, 31),
        },
        "latest": {"value": Decimal(300), "measured_on": date(2026, 4, 1), "percent": 17},
        "as_owner": True,
        "due_at": SUBMITTED,
        "form_url": "https://phasegate.example/measure/tok",
        "expires_at": EXPIRES,
        "project_url": "https://phasegate.example/projects/7",
    }
    return context | changes


def risk_review_requested(locale: str = "nb", **changes: Any) -> dict[str, Any]:
    context: dict[str, Any] = {
        "recipient": {"name": "Ole Tangen"},
        "project": {"name": PROJECT},
        "risk": {
            "title": "Leverandøren blir forsinket",
            "kind": "risk",
            "probability": 4,
            "consequence": 4,
            "score": 16,
        },
        "as_owner": True,
        "due_at": SUBMITTED,
        "form_url": "https://phasegate.example/projects/7/risks/3/assessments/new",
    }
    return context | changes


SAMPLES = {
    "decision_requested": decision_requested,
    "decision_made": decision_made,
    "vote_recorded": vote_recorded,
    "measurement_requested": measurement_requested,
    "risk_review_requested": risk_review_requested,
}


@pytest.fixture
def notifications() -> Notifications:
    return Notifications(NOTIFICATIONS, OSLO)


def render(notifications: Notifications, name: str, locale: str, **changes: Any) -> RenderedEmail:
    return notifications.render(name, locale, SAMPLES[name](locale, **changes))


def both_parts(email: RenderedEmail) -> tuple[str, str]:
    return email.text, email.html


# --- Babel: dates, numbers and money the Norwegian way -----------------------------------


def test_time_reads_the_norwegian_way_in_oslo_time() -> None:
    assert format_datetime(SUBMITTED, "nb", OSLO) == "17. mai 2026 kl. 13.00"
    assert format_date(SUBMITTED, "nb", OSLO) == "17. mai 2026"


def test_time_reads_the_english_way_in_english() -> None:
    assert format_datetime(SUBMITTED, "en", OSLO) == "17 May 2026 at 13:00"
    assert format_date(SUBMITTED, "en", OSLO) == "17 May 2026"


def test_date_is_the_day_in_oslo_not_in_utc() -> None:
    late_evening_utc = datetime(2026, 3, 2, 23, 30, tzinfo=UTC)  # 00.30 on 3 March in Oslo
    assert format_date(late_evening_utc, "nb", OSLO) == "3. mars 2026"
    assert format_datetime(late_evening_utc, "nb", OSLO) == "3. mars 2026 kl. 00.30"
    summer_evening_utc = datetime(2026, 5, 31, 22, 30, tzinfo=UTC)  # UTC+2 in summer
    assert format_date(summer_evening_utc, "en", OSLO) == "1 June 2026"


def test_clock_time_follows_the_switch_to_summer_time() -> None:
    # Oslo moves from UTC+1 to UTC+2 at 01.00 UTC on 29 March 2026.
    before = datetime(2026, 3, 29, 0, 30, tzinfo=UTC)
    after = datetime(2026, 3, 29, 1, 30, tzinfo=UTC)
    assert format_datetime(before, "nb", OSLO) == "29. mars 2026 kl. 01.30"
    assert format_datetime(after, "nb", OSLO) == "29. mars 2026 kl. 03.30"


def test_naive_time_is_refused_rather_than_shown_in_the_wrong_zone() -> None:
    with pytest.raises(ValueError, match="naive"):
        format_datetime(datetime(2026, 5, 17, 13, 0), "nb", OSLO)  # noqa: DTZ001


def test_money_in_norwegian_groups_with_babels_no_break_spaces() -> None:
    # Babel's nb format: U+00A0 (no-break space) between groups and before "kr", so the
    # amount never breaks across lines. On screen it reads "1 234 567 kr".
    amount = format_money(1234567, "nb")
    assert amount == "1\u00a0234\u00a0567\u00a0kr"
    assert amount.replace("\u00a0", " ") == "1 234 567 kr"


def test_money_shows_ore_only_when_there_are_any() -> None:
    assert format_money(Decimal("1234567.50"), "nb") == "1\u00a0234\u00a0567,50\u00a0kr"
    assert format_money(1234567.0, "nb") == "1\u00a0234\u00a0567\u00a0kr"
    assert format_money(Decimal("250000.00"), "nb") == "250\u00a0000\u00a0kr"


def test_money_in_english_names_the_currency() -> None:
    assert format_money(1234567, "en") == "NOK\u00a01,234,567"
    assert format_money(1234567, "en").replace("\u00a0", " ") == "NOK 1,234,567"


def test_numbers_use_the_locales_grouping_and_decimal_mark() -> None:
    assert format_number(1234567.5, "nb") == "1\u00a0234\u00a0567,5"
    assert format_number(1234567.5, "en") == "1,234,567.5"
    assert format_number(42, "nb") == "42"


def test_unknown_locale_falls_back_to_norwegian() -> None:
    assert format_datetime(SUBMITTED, "de", OSLO) == "17. mai 2026 kl. 13.00"
    assert format_datetime(SUBMITTED, "en-GB", OSLO) == "17 May 2026 at 13:00"


# --- Every email in every language --------------------------------------------------------


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("name", EMAILS)
def test_every_email_has_a_subject_a_text_and_an_html_part(
    notifications: Notifications, name: str, locale: str
) -> None:
    email = render(notifications, name, locale)

    assert email.subject.startswith("[phasegate] ")
    assert "\n" not in email.subject
    assert PROJECT in email.subject
    assert "BP1" in email.subject
    for part in both_parts(email):
        assert PROJECT in part
        assert "BP1" in part
        assert LABELS[locale]["gate"] in part
    assert email.html.startswith("<!DOCTYPE html>")
    assert f'<html lang="{locale}">' in email.html


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("name", EMAILS)
def test_html_has_no_scripts_forms_or_style_blocks(
    notifications: Notifications, name: str, locale: str
) -> None:
    html = render(notifications, name, locale).html.lower()

    assert "<script" not in html
    assert "<form" not in html
    assert "<style" not in html
    assert "javascript:" not in html


@pytest.mark.parametrize("name", EMAILS)
def test_norwegian_email_is_in_norwegian_and_english_in_english(
    notifications: Notifications, name: str
) -> None:
    nb = render(notifications, name, "nb")
    en = render(notifications, name, "en")

    for part in both_parts(nb):
        assert "Vennlig hilsen" in part
        assert "17. mai 2026 kl. 13.00" in part
        assert "Kind regards" not in part
    for part in both_parts(en):
        assert "Kind regards" in part
        assert "17 May 2026 at 13:00" in part
        assert "Vennlig hilsen" not in part


#: Words of bokmål that nynorsk writes otherwise; none may slip into a nynorsk email.
BOKMAL_ONLY = re.compile(
    r"\b(ikke|hva|hvem|hvordan|bare|nå|fra|lenken|lenkene|beslutning\w*|vennlig|virker|"
    r"videre|hver|fortsatt|allerede|ennå|en kommentar|sakslisten)\b",
    re.IGNORECASE,
)


@pytest.mark.parametrize("name", EMAILS)
def test_nynorsk_email_is_in_nynorsk(notifications: Notifications, name: str) -> None:
    email = render(notifications, name, "nn")

    assert BOKMAL_ONLY.findall(email.subject) == []
    for part in both_parts(email):
        assert "Venleg helsing" in part
        assert "17. mai 2026 kl. 13.00" in part
        assert BOKMAL_ONLY.findall(part) == [], part
    assert "Avgjerd trengst" in render(notifications, "decision_requested", "nn").subject


# --- decision_requested --------------------------------------------------------------------

ACTIONS = {
    "nb": ("Godkjenn", "Send tilbake til bearbeiding", "Sett på vent", "Stans prosjektet"),
    "nn": ("Godkjenn", "Send tilbake til bearbeiding", "Set på vent", "Stans prosjektet"),
    "en": ("Approve", "Send back for rework", "Put on hold", "Stop the project"),
}


@pytest.mark.parametrize("locale", LOCALES)
def test_decision_request_has_one_labelled_link_per_outcome_in_both_parts(
    notifications: Notifications, locale: str
) -> None:
    email = render(notifications, "decision_requested", locale)

    for part in both_parts(email):
        for link, label in zip(link_urls("req"), ACTIONS[locale], strict=True):
            assert part.count(link["url"]) == 1
            assert label in part
    # Each label sits right above (text) or inside (HTML) its own link.
    assert (
        "Godkjenn:\nhttps://phasegate.example/l/req-approve-tok"
        in render(notifications, "decision_requested", "nb").text
    )
    assert 'req-stop-tok" style=' in email.html


def test_decision_request_says_opening_a_link_decides_nothing(
    notifications: Notifications,
) -> None:
    nb = render(notifications, "decision_requested", "nb")
    en = render(notifications, "decision_requested", "en")

    for part in both_parts(nb):
        assert "bekreftelsesside" in part
        assert "Ingenting blir besluttet bare ved at lenken åpnes" in part
        assert "må du skrive en kommentar" in part
        assert "De virker til 31. mai 2026 kl. 23.59" in part
    for part in both_parts(en):
        assert "confirmation page" in part
        assert "Nothing is decided just by opening the link" in part
        assert "you must write a comment" in part
        assert "They work until 31 May 2026 at 23:59" in part


def test_decision_request_shows_checklist_documents_deciders_and_policy(
    notifications: Notifications,
) -> None:
    email = render(notifications, "decision_requested", "nb")

    for part in both_parts(email):
        assert "Behovet er beskrevet." in part
        assert "Utført" in part
        assert "Ikke relevant" in part
        assert "Ren utredning." in part
        assert "Gjenstår" in part
        assert "Mandat for konseptfasen" in part
        assert "https://docs.example/mandat.pdf" in part
        assert "Hanne Berg, Ola Nordmann og Kari Lie" in part
        assert "flertall" in part
        assert "Per Olsen" in part
        assert "Er idéen verdt å utrede?" in part


@pytest.mark.parametrize(
    ("policy", "nb", "en"),
    [
        ("one", "ett medlem", "any one member"),
        ("majority", "flertall", "a majority"),
        ("all", "alle", "all members"),
    ],
)
def test_decision_request_names_the_policy_in_words(
    notifications: Notifications, policy: str, nb: str, en: str
) -> None:
    assert (
        f"Beslutningsregel:  {nb}\n"
        in render(notifications, "decision_requested", "nb", policy=policy).text
    )
    assert (
        f"Decision rule: {en}\n"
        in render(notifications, "decision_requested", "en", policy=policy).text
    )


def test_decision_request_without_checklist_or_documents_says_so(
    notifications: Notifications,
) -> None:
    email = render(notifications, "decision_requested", "nb", checklist=[], documents=[])

    for part in both_parts(email):
        assert "Sjekklisten har ingen punkter." in part
        assert "Ingen dokumenter er lagt ved." in part


# --- decision_made -------------------------------------------------------------------------

CONSEQUENCES = {
    ("nb", "approve"): "Prosjektet går videre til Konsept.",
    ("nb", "rework"): "Prosjektet blir i Idé og kan sendes inn til ny beslutning",
    ("nb", "hold"): "Prosjektet er satt på vent og står stille til det blir gjenopptatt.",
    ("nb", "stop"): "Prosjektet er stanset og avsluttes.",
    ("nn", "approve"): "Prosjektet går vidare til Konsept.",
    ("nn", "rework"): "Prosjektet blir verande i Idé og kan sendast inn til ny avgjerd",
    ("nn", "hold"): "Prosjektet er sett på vent og står stille til det blir teke opp att.",
    ("nn", "stop"): "Prosjektet er stansa og blir avslutta.",
    ("en", "approve"): "The project moves on to Concept.",
    ("en", "rework"): "The project stays in Idea and may be submitted for a new decision",
    ("en", "hold"): "The project is on hold: it is paused until it is resumed.",
    ("en", "stop"): "The project is stopped and will be terminated.",
}


@pytest.mark.parametrize(("locale", "outcome"), list(CONSEQUENCES))
def test_decision_made_says_what_happens_to_the_project(
    notifications: Notifications, locale: str, outcome: str
) -> None:
    email = render(notifications, "decision_made", locale, outcome=outcome)

    for part in both_parts(email):
        assert CONSEQUENCES[locale, outcome] in part
        assert "https://phasegate.example/projects/7" in part


def test_decision_made_lists_the_votes_with_comments(notifications: Notifications) -> None:
    email = render(notifications, "decision_made", "nb", outcome="approve")

    assert email.subject == ("[phasegate] Beslutning i BP1 for Digitaliseringsstrategi: godkjent")
    assert "- Hanne Berg: godkjent (17. mai 2026 kl. 13.00)\n  Kommentar: Godt forarbeid." in (
        email.text
    )
    assert "Fase:             Idé → Konsept" in email.text
    assert "Ola Nordmann" in email.html
    assert "Godt forarbeid." in email.html


def test_unknown_outcome_fails_loudly(notifications: Notifications) -> None:
    with pytest.raises(ValueError, match="Unknown outcome 'maybe'"):
        render(notifications, "decision_made", "nb", outcome="maybe")


# --- vote_recorded -------------------------------------------------------------------------


@pytest.mark.parametrize("locale", LOCALES)
def test_vote_recorded_shows_who_has_voted_and_who_is_still_to_vote(
    notifications: Notifications, locale: str
) -> None:
    email = render(notifications, "vote_recorded", locale)
    waiting = {"en": "Ola Nordmann and Kari Lie"}.get(locale, "Ola Nordmann og Kari Lie")
    voted = {"en": "approved"}.get(locale, "godkjent")

    for part in both_parts(email):
        assert "Hanne Berg" in part
        assert voted in part
        assert waiting in part
        assert "Godt forarbeid." in part
        for link in link_urls("vote"):
            assert link["url"] in part
        for label in ACTIONS[locale]:
            assert label in part


@pytest.mark.parametrize("locale", LOCALES)
def test_vote_recorded_without_links_has_no_links_section(
    notifications: Notifications, locale: str
) -> None:
    email = render(notifications, "vote_recorded", locale, links=[])
    heading = {"nb": "Din stemme", "nn": "Stemma di", "en": "Your vote"}[locale]

    for part in both_parts(email):
        assert heading.lower() not in part.lower()
        assert "/l/" not in part
        assert ACTIONS[locale][0] not in part
        assert "Hanne Berg" in part  # the rest of the email is still there
    assert "<a " not in email.html


# --- Strictness: unknown names fail in the tests, not in someone's inbox ----------------

STRICT_CASES = [
    (name, locale, key)
    for name, sample in SAMPLES.items()
    for locale in LOCALES
    for key in sample(locale)
]


@pytest.mark.parametrize(("name", "locale", "key"), STRICT_CASES)
def test_every_template_needs_every_documented_key(
    notifications: Notifications, name: str, locale: str, key: str
) -> None:
    context = SAMPLES[name](locale)
    del context[key]

    with pytest.raises(jinja2.UndefinedError):
        notifications.render(name, locale, context)


def write_email(directory: Path, locale: str, name: str, body: str) -> None:
    (directory / locale).mkdir(parents=True, exist_ok=True)
    for part in ("subject", "txt", "html"):
        (directory / locale / f"{name}.{part}.j2").write_text(body, encoding="utf-8")


def test_template_using_an_unknown_variable_fails_to_render(tmp_path: Path) -> None:
    write_email(tmp_path, "nb", "typo", "Hei {{ recipient.name }}, {{ projcet.name }}")
    notifications = Notifications(tmp_path, OSLO)

    with pytest.raises(jinja2.UndefinedError, match="projcet"):
        notifications.render("typo", "nb", {"recipient": {"name": "Hanne"}})


def test_missing_template_names_the_file(notifications: Notifications) -> None:
    with pytest.raises(LookupError, match=r"nb/no_such_email\.subject\.j2"):
        notifications.render("no_such_email", "nb", {})


def test_missing_language_version_names_the_file(tmp_path: Path) -> None:
    write_email(tmp_path, "nb", "only_norwegian", "[phasegate] Hei")
    notifications = Notifications(tmp_path, OSLO)

    assert notifications.render("only_norwegian", "nb", {}).subject == "[phasegate] Hei"
    with pytest.raises(LookupError, match=r"en/only_norwegian\.subject\.j2"):
        notifications.render("only_norwegian", "en", {})


# --- Escaping -----------------------------------------------------------------------------

HOSTILE = 'Skole <script>alert("x")</script> & barnehage'


@pytest.mark.parametrize("name", EMAILS)
def test_project_name_is_escaped_in_html_and_raw_in_text(
    notifications: Notifications, name: str
) -> None:
    context = SAMPLES[name]("nb")
    context["project"] = context["project"] | {"name": HOSTILE}
    email = notifications.render(name, "nb", context)

    assert HOSTILE in email.text
    assert HOSTILE in email.subject
    assert "<script>" not in email.html
    assert "Skole &lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; barnehage" in email.html


def test_line_breaks_in_a_name_cannot_split_the_subject(notifications: Notifications) -> None:
    # A newline in a header would let a name inject headers of its own.
    context = decision_made("nb", project={"name": "Ny skole\r\nBcc: alle@example.org"})

    subject = notifications.render("decision_made", "nb", context).subject

    assert "\n" not in subject
    assert "\r" not in subject
    assert "Ny skole Bcc: alle@example.org" in subject


def test_domain_enums_render_like_their_plain_values(notifications: Notifications) -> None:
    # The engine passes Outcome and Policy members; they must read exactly like the strings.
    plain = render(notifications, "vote_recorded", "nb", outcome="stop", policy="all")
    enums = render(notifications, "vote_recorded", "nb", outcome=Outcome.STOP, policy=Policy.ALL)

    assert enums == plain
    assert "stanset" in enums.text


@pytest.mark.parametrize(
    ("locale", "line"),
    [
        ("nb", "9. juni 2026 kl. 13.00 (på sakslisten til porteføljestyremøte)"),
        ("en", "9 June 2026 at 13:00 (on the agenda of the board meeting)"),
    ],
)
def test_a_decision_request_says_which_meeting_it_is_due_at(
    notifications: Notifications, locale: str, line: str
) -> None:
    email = notifications.render("decision_requested", locale, decision_requested(locale))
    for part in both_parts(email):
        assert line in part


def test_a_decision_request_without_a_deadline_leaves_the_line_out(
    notifications: Notifications,
) -> None:
    context = decision_requested(due={"at": None, "meeting": None})
    email = notifications.render("decision_requested", "nb", context)
    assert "Frist" not in email.text
    assert "Frist" not in email.html


def test_a_new_vote_email_calls_its_reader_you_among_those_still_to_vote(
    notifications: Notifications,
) -> None:
    nb = render(notifications, "vote_recorded", "nb")
    assert "Venter på: deg, Ola Nordmann og Kari Lie" in nb.text
    voted = render(notifications, "vote_recorded", "nb", awaiting_you=False, links=[])
    assert "Venter på: Ola Nordmann og Kari Lie" in voted.text
    assert "deg" not in voted.text.split("Venter på:")[1].splitlines()[0]
    en = render(notifications, "vote_recorded", "en")
    assert "Still to vote: you, Ola Nordmann and Kari Lie" in en.text


# --- measurement_requested and risk_review_requested: the årshjul asks the owners ----------

ASKS = ("measurement_requested", "risk_review_requested")
SIGN_OFF = {"nb": "Vennlig hilsen", "nn": "Venleg helsing", "en": "Kind regards"}


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("name", ASKS)
def test_an_ask_names_the_project_and_its_link_in_the_readers_language(
    notifications: Notifications, name: str, locale: str
) -> None:
    email = render(notifications, name, locale)
    url = SAMPLES[name](locale)["form_url"]

    assert email.subject.startswith("[phasegate] ")
    assert PROJECT in email.subject
    assert f'<html lang="{locale}">' in email.html
    for part in both_parts(email):
        assert PROJECT in part
        assert url in part
        assert SIGN_OFF[locale] in part
        assert "17. mai 2026 kl. 13.00" in part if locale != "en" else "17 May 2026" in part
    assert "<script" not in email.html.lower()
    assert "<form" not in email.html.lower()


@pytest.mark.parametrize(
    ("locale", "facts"),
    [
        ("nb", ("120,5 timer", "1\u00a0200 timer innen 31. desember 2028", "300 timer", "17 %")),
        ("nn", ("120,5 timer", "1\u00a0200 timer innan 31. desember 2028", "300 timer", "17 %")),
        ("en", ("120.5 timer", "1,200 timer by 31 December 2028", "300 timer", "17%")),
    ],
)
def test_a_measurement_ask_shows_the_unit_baseline_target_and_latest_value(
    notifications: Notifications, locale: str, facts: tuple[str, ...]
) -> None:
    email = render(notifications, "measurement_requested", locale)

    for part in both_parts(email):
        assert "Timer spart per år" in part
        assert "Spart tid i saksbehandlingen" in part
        for fact in facts:
            assert fact in part


def test_a_measurement_ask_without_a_measurement_or_an_owner_says_so(
    notifications: Notifications,
) -> None:
    email = render(notifications, "measurement_requested", "nb", latest=None, as_owner=False)

    for part in both_parts(email):
        assert "ingen ennå" in part
        assert "du som prosjektleder får spørsmålet" in part


@pytest.mark.parametrize("name", ASKS)
def test_an_ask_in_nynorsk_is_in_nynorsk(notifications: Notifications, name: str) -> None:
    email = render(notifications, name, "nn", as_owner=False)

    assert BOKMAL_ONLY.findall(email.subject) == []
    for part in both_parts(email):
        assert BOKMAL_ONLY.findall(part) == [], part
