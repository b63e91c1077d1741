"""BP6 (benefits realised): the deciders see every indicator's achievement, with its trend
in words, in the request email and on the pages where they decide, in their own language.
The figures are the one computation's (``domain.benefits.progress``)."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time
from decimal import Decimal

import httpx
import pytest

from phasegate.bootstrap import App
from phasegate.domain.benefits import BenefitKind, Direction, IndicatorDefinition
from phasegate.engine.benefits import BenefitDraft, IndicatorDraft
from tests.cycle_support import local, outbox, tick_at
from tests.factories import Clock, submit_complete
from tests.web_support import signed_in
from tests.webserver import serve

VOTE_LINK = re.compile(r"https?://[^\s\"<>]+/decide/[A-Za-z0-9_.-]+")


def realised_project(app: App, clock: Clock) -> tuple[int, int, dict[str, int]]:
    """A project in realisation whose benefit has a measured and an unmeasured indicator,
    and a board of three (nb, nn, en); (project, the measured indicator, board by language)."""
    engine = app.engine
    clock.now = datetime(2027, 1, 4, 9, 0, tzinfo=UTC)
    leader = engine.register_person("Ragnar Husum", "ragnar@asker.example")
    owner = engine.register_person("Ole Tangen", "ole@asker.example")
    board = {
        lang: engine.register_person(name, f"{lang}@asker.example", lang)
        for lang, name in (("nb", "Hanne Solberg"), ("nn", "Siri Aasen"), ("en", "Ingrid Berg"))
    }
    for member in board.values():
        engine.grant_role(member, "board")
    project = engine.register_project(
        "Jakten på tidstyvene", owner=owner, leader=leader, phase="realisation", actor=leader
    )
    benefit = engine.add_benefit(
        project, BenefitDraft("Spart tid", "", BenefitKind.TIME, owner), actor=leader
    )

    def indicator(name: str) -> int:
        definition = IndicatorDefinition(
            "timer", Direction.HIGHER, Decimal(0), date(2026, 1, 1), Decimal(1200), date(2028, 1, 1)
        )
        return engine.add_indicator(benefit, IndicatorDraft(name, definition), actor=leader)

    measured = indicator("Timer spart per år")
    indicator("Færre purringer")
    engine.record_measurement(measured, Decimal(300), date(2026, 6, 1), actor=owner)
    engine.record_measurement(measured, Decimal(900), date(2026, 12, 1), actor=owner)
    gate = engine.workflows.current("prosjektveiviseren").gate("BP6")
    assert gate is not None
    submit_complete(engine, project, gate, leader)
    return project, measured, board


WORDS = {
    "nb": ("GEVINSTER OG OPPNÅELSE", "75 % oppnådd, bedre enn forrige måling", "Ikke målt ennå."),
    "nn": ("GEVINSTAR OG OPPNÅING", "75 % oppnådd, betre enn førre måling", "Ikkje målt enno."),
    "en": (
        "BENEFITS AND ACHIEVEMENT",
        "75% achieved, better than the previous measurement",
        "Not measured yet.",
    ),
}


def test_the_bp6_email_shows_each_indicators_achievement_in_the_readers_language(
    app: App, clock: Clock
) -> None:
    project, _, _ = realised_project(app, clock)
    progress = app.engine.business_case(project).benefits[0].indicators[0].progress
    assert progress.percent == 75  # the one computation: (900 − 0) / (1200 − 0)

    for lang, (heading, achieved, unmeasured) in WORDS.items():
        (mail,) = outbox(app, "decision_requested", f"{lang}@asker.example")
        text = mail.body_text
        assert heading in text
        assert "Spart tid" in text
        assert "Timer spart per år" in text
        assert achieved in text
        assert "Færre purringer" in text
        assert unmeasured in text
        assert "Ole Tangen" in text  # the benefit owner
        assert ("75%" if lang == "en" else "75 %") in mail.body_html
        assert achieved.split(", ")[1] in mail.body_html  # the trend, in words


def test_an_earlier_gate_leaves_the_benefits_out(app: App, clock: Clock) -> None:
    engine = app.engine
    leader = engine.register_person("Ragnar Husum", "ragnar@asker.example")
    member = engine.register_person("Hanne Solberg", "hanne@asker.example")
    engine.grant_role(member, "board")
    project = engine.register_project("Ny skole", owner=leader, leader=leader, actor=leader)
    gate = engine.workflows.current("prosjektveiviseren").gates[0]
    submit_complete(engine, project, gate, leader)

    (mail,) = outbox(app, "decision_requested", "hanne@asker.example")
    assert "GEVINSTER" not in mail.body_text
    assert "Gevinster og oppnåelse" not in mail.body_html


@pytest.mark.parametrize("where", ["link", "queue"])
def test_the_deciders_pages_show_the_achievement(app: App, clock: Clock, where: str) -> None:
    _, _, board = realised_project(app, clock)
    (mail,) = outbox(app, "decision_requested", "nn@asker.example")
    with serve(app) as site:
        if where == "link":
            link = VOTE_LINK.findall(mail.body_text)[0]
            path = link.split("/decide/", 1)[1]
            with httpx.Client(timeout=10) as browser:
                page = browser.get(f"{site}/decide/{path}")
        else:
            browser, _ = signed_in(app, site, board["nn"])
            with browser:
                page = browser.get(f"{site}/decisions?lang=nn", headers={"accept": "text/html"})
    assert page.status_code == 200, page.text
    html = page.text
    assert "Gevinstar og oppnåing" in html
    row = re.search(r"<tr><td>Timer spart per år</td>(.*?)</tr>", html, re.S)
    assert row is not None
    cells = re.findall(r"<td>([^<]*)</td>", row.group(1))
    assert cells[-2:] == ["75 %", "betre"]
    assert re.search(r"<tr><td>Færre purringer</td><td>[^<]*</td><td>ikkje målt</td>", html)


def test_the_board_agenda_shows_a_bp6_requests_achievement(app: App, clock: Clock) -> None:
    realised_project(app, clock)

    tick_at(app, clock, local(date(2027, 1, 8), time(9, 0)))  # the agenda of 12 January

    (agenda,) = outbox(app, "board_agenda", "nb@asker.example")
    assert "Oppnåelse, Timer spart per år: 75 %" in agenda.body_text
    assert "Oppnåelse, Færre purringer: ikke målt" in agenda.body_text
    (english,) = outbox(app, "board_agenda", "en@asker.example")
    assert "Achievement, Timer spart per år: 75%" in english.body_text
