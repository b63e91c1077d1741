"""Nynorsk (*nynorsk*) beside bokmål and English: in the workflow and wheel files, as a
person's language, and in the emails such a person gets.

Bokmål is required and is the fallback: a label without nynorsk shows in bokmål, and a
database from before the nynorsk labels keeps running its projects on the version they
started with.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine as Database

from phasegate.bootstrap import App, build
from phasegate.domain.model import Label, WorkflowDefinition
from phasegate.domain.wheel import Wheel
from phasegate.engine.outbox import OutboxEntry, list_messages
from phasegate.errors import PhasegateError
from phasegate.i18n import LOCALES
from phasegate.settings import Locale, Settings
from phasegate.workflow.loader import check_workflow_text, load_workflow, load_workflow_text
from phasegate.workflow.wheel_loader import parse_wheel
from tests.factories import WORKFLOWS, Cast, Clock, make_settings, submit_complete
from tests.test_wheel_file import MINIMAL as WHEEL
from tests.test_wheel_file import PHASES
from tests.test_workflow_files import MINIMAL as WORKFLOW

SHIPPED_WORKFLOW = WORKFLOWS / "prosjektveiviseren.yaml"
SHIPPED_WHEEL = WORKFLOWS / "arshjul.yaml"
#: What databases hold for version 1 of the shipped workflow, the text before nynorsk.
VERSION_1_CHECKSUM = "9ba0110d9db566ed6e3a58723708ab389e9b8b46b5dcea8b50b93e63911eecd2"
#: The wheel's checksum before the nynorsk labels (nothing stores it; layout aside, the
#: file said the same).
WHEEL_BEFORE_CHECKSUM = "9c312fdf3f981f4134e2c81d9619b378ece6259a84acbd8d21475b990b4ec54b"
NEED_NB = "Behovet og problemet idéen skal løse er beskrevet."
NEED_NN = "Behovet og problemet idéen skal løyse, er skildra."


def without_nynorsk(text: str) -> str:
    """A workflow or wheel file as it was before the nynorsk labels."""
    text = re.sub(r"^\s*nn: .*\n", "", text, flags=re.MULTILINE)
    return re.sub(r", nn: [^,}]*", "", text)


def version_1() -> str:
    """Version 1: no nynorsk, and BP3 without version 3's ``requires:``."""
    text = without_nynorsk(SHIPPED_WORKFLOW.read_text(encoding="utf-8"))
    text = text.replace("    requires: [baselined_benefit]\n", "", 1)
    return text.replace("\nversion: 3\n", "\nversion: 1\n", 1)


def wheel_before() -> str:
    """The wheel before nynorsk, and before the measurement and risk-review reminders."""
    text = without_nynorsk(SHIPPED_WHEEL.read_text(encoding="utf-8"))
    return re.sub(r"^  (measurement|risk_review): .*\n", "", text, flags=re.MULTILINE)


def labels_of(definition: WorkflowDefinition) -> Iterator[tuple[str, Label]]:
    yield "title", definition.title
    for phase in definition.phases:
        yield phase.id, phase.label
    for terminal in definition.terminals:
        yield terminal.id, terminal.label
    for gate in definition.gates:
        yield gate.id, gate.label
        yield f"{gate.id} purpose", gate.purpose
        for item in gate.checklist:
            yield f"{gate.id} {item.id}", item.text
        for document in gate.documents:
            yield f"{gate.id} {document.id}", document.label


def wheel_labels(wheel: Wheel) -> Iterator[tuple[str, Label]]:
    yield "title", wheel.title
    for event in wheel.events:
        yield event.id, event.label
        if event.description is not None:
            yield f"{event.id} description", event.description


# --- labels --------------------------------------------------------------------------------


def test_a_label_speaks_each_language_it_has_and_bokmal_for_the_rest() -> None:
    full = Label("Start planleggingen", "Start planning", "Start planlegginga")
    bokmal_only = Label("Start planleggingen")

    assert [full.get(locale) for locale in LOCALES] == [
        "Start planleggingen",
        "Start planlegginga",
        "Start planning",
    ]
    assert [bokmal_only.get(locale) for locale in LOCALES] == ["Start planleggingen"] * 3
    assert Label("Stanset", nn="Stansa").get("en") == "Stanset"
    assert full.get("sv") == "Start planleggingen"


def test_a_workflow_label_may_be_written_in_nynorsk() -> None:
    text = WORKFLOW.replace(
        "label: {nb: Bygge, en: Build}", "label: {nb: Bygge, nn: Byggje, en: Build}"
    )

    definition = load_workflow_text(text, "mini.yaml")

    label = definition.label_of("build")
    assert (label.get("nb"), label.get("nn"), label.get("en")) == ("Bygge", "Byggje", "Build")
    assert definition.label_of("idea").get("nn") == "Idé"  # none given: bokmål


def test_a_wheel_label_may_be_written_in_nynorsk() -> None:
    text = WHEEL.replace(
        "label: {nb: 1. tertial, en: First four-month report}",
        "label:\n      nb: 1. tertial\n      nn: 1. tertial i år\n"
        "      en: First four-month report",
    )

    wheel, problems = parse_wheel(text, "mini.yaml", PHASES)

    assert problems == []
    assert wheel is not None
    event = wheel.event("tertial-1")
    assert event is not None
    assert event.label.get("nn") == "1. tertial i år"


@pytest.mark.parametrize(
    ("label", "says"),
    [
        (
            "{nb: Bygge, se: Huksemin}",
            "unknown key 'se' in phase label; expected one of: en, nb, nn",
        ),
        ("{nb: Bygge, nn: ''}", "phase label (nn) must not be empty"),
        ("{nb: Bygge, nn: [Byggje]}", "phase label (nn) must be a text"),
        ("{nn: Byggje, en: Build}", "phase label is missing 'nb'"),
    ],
)
def test_a_bad_language_in_a_label_is_refused_on_its_line(label: str, says: str) -> None:
    text = WORKFLOW.replace("label: {nb: Bygge, en: Build}", f"label: {label}")

    problems = [(p.line, p.message) for p in check_workflow_text(text, "mini.yaml")]

    assert (8, says) in problems, problems  # the line of the build phase's label


def test_the_shipped_workflow_and_wheel_have_every_label_in_nynorsk() -> None:
    definition = load_workflow(SHIPPED_WORKFLOW)
    wheel, problems = parse_wheel(SHIPPED_WHEEL.read_text(encoding="utf-8"), "arshjul", PHASES)
    assert problems == []
    assert wheel is not None

    missing = [
        where
        for where, label in [*labels_of(definition), *wheel_labels(wheel)]
        if not label.nn or not label.en
    ]

    assert missing == []
    assert definition.gate("BP2") is not None
    assert definition.label_of("stopped").get("nn") == "Stansa"
    decision = wheel.event("hp-vedtak")
    assert decision is not None
    assert decision.label.get("nn") == "Kommunestyret vedtek handlingsprogram og budsjett"


def test_the_texts_before_nynorsk_keep_the_checksums_databases_hold() -> None:
    wheel, _ = parse_wheel(wheel_before(), "a", None)

    assert load_workflow_text(version_1(), "v1").checksum == VERSION_1_CHECKSUM
    assert wheel is not None
    assert wheel.checksum == WHEEL_BEFORE_CHECKSUM


# --- a person's language -------------------------------------------------------------------


def test_nynorsk_is_a_language_of_the_site_and_of_the_command_line() -> None:
    settings = Settings.load({"PHASEGATE_LOCALE": "nn"})

    assert settings.locale is Locale.NN
    assert tuple(Locale) == LOCALES  # the settings' choices are the one list


def outbox(database: Database) -> list[OutboxEntry]:
    with database.connect() as conn:
        return list_messages(conn)


def test_a_board_member_who_reads_nynorsk_gets_the_decision_email_in_nynorsk(
    app: App, cast: Cast
) -> None:
    engine = app.engine
    siri = engine.register_person("Siri Vik", "siri.vik@asker.example", "nn")
    engine.grant_role(siri, "board")
    project = engine.register_project(
        "Digitaliseringsstrategi", owner=cast.owner, leader=cast.leader, actor=cast.leader
    )
    bp1 = engine.workflows.current("prosjektveiviseren").gates[0]

    submit_complete(engine, project, bp1, cast.leader)

    sent = {m.recipient: m for m in outbox(app.database) if m.kind == "decision_requested"}
    nynorsk, bokmal = sent["siri.vik@asker.example"], sent["hanne@asker.example"]
    assert nynorsk.subject == (
        "[phasegate] Avgjerd trengst: Digitaliseringsstrategi – BP1 Start konseptfasen"
    )
    assert bokmal.subject.startswith("[phasegate] Beslutning trengs: ")
    for part in (nynorsk.body_text, nynorsk.body_html):
        assert "Venleg helsing" in part
        assert NEED_NN in part  # the checklist, from the workflow's nynorsk labels
        assert "fleirtal" in part
        assert "Vennlig hilsen" not in part
    assert NEED_NB in bokmal.body_text


def test_a_language_phasegate_does_not_speak_is_refused_for_a_person(app: App) -> None:
    with pytest.raises(PhasegateError, match=r"\bnn\b.*'se'"):
        app.engine.register_person("Ánde Sara", "ande@asker.example", "se")


# --- a database from before nynorsk --------------------------------------------------------


@pytest.fixture
def workflows_before(tmp_path: Path) -> Path:
    """The workflows folder as it was before nynorsk: version 1, without nn labels."""
    directory = tmp_path / "workflows"
    directory.mkdir()
    (directory / "prosjektveiviseren.yaml").write_text(version_1(), encoding="utf-8")
    return directory


def instance(database_url: str, clock: Clock, directory: Path) -> App:
    settings = make_settings(database_url, workflows_dir=directory, wheel_file=SHIPPED_WHEEL)
    return build(settings, clock=clock)


def test_a_database_from_before_nynorsk_keeps_version_1_and_starts_new_projects_on_the_current(
    database_url: str, clock: Clock, workflows_before: Path
) -> None:
    before = instance(database_url, clock, workflows_before)
    try:
        people = [
            before.engine.register_person(name, email, language)
            for name, email, language in (
                ("Ragnar Husum", "ragnar@asker.example", "nb"),
                ("Siri Vik", "siri@asker.example", "nn"),
            )
        ]
        leader, owner = people
        for member in people:
            before.engine.grant_role(member, "board")
        old = before.engine.register_project("Folkehelse", owner=owner, leader=leader)
    finally:
        before.database.dispose()

    after = instance(database_url, clock, WORKFLOWS)  # the shipped files, now version 3
    try:
        engine = after.engine
        new = engine.register_project("Boligpolitisk strategi", owner=owner, leader=leader)
        assert (engine.project(old).workflow_version, engine.project(new).workflow_version) == (
            1,
            3,
        )
        for project in (old, new):
            bp1 = engine.workflows.current("prosjektveiviseren").gates[0]
            submit_complete(engine, project, bp1, leader)
        to_siri = {
            m.subject.split(": ")[1].split(" – ")[0]: m.body_text
            for m in outbox(after.database)
            if m.kind == "decision_requested" and m.recipient == "siri@asker.example"
        }
    finally:
        after.database.dispose()

    assert NEED_NN in to_siri["Boligpolitisk strategi"]
    # version 1 has no nynorsk: its labels stay in bokmål, in a nynorsk email
    assert NEED_NB in to_siri["Folkehelse"]
    assert "Venleg helsing" in to_siri["Folkehelse"]
