"""A webhook's event as a Microsoft Teams message: an Adaptive Card. Pure: no I/O.

Teams takes webhooks through the Workflows app ("When a Teams webhook request is
received"), which posts Adaptive Cards only. A subscription with the ``teams`` format
gets, instead of phasegate's JSON, a card with one sentence saying what happened, the
facts (project, gate, outcome, who) and a button to the project in phasegate, in the
organisation's language.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

Sentence = Callable[["Facts"], str]


@dataclass(frozen=True)
class Names:
    """Labels of the project's workflow in the card's language: phases and gates by id."""

    phases: Mapping[str, str] = field(default_factory=dict)
    gates: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Facts:
    """What a sentence may name, already in words."""

    project: str
    gate: str
    phase: str
    outcome: str
    actor: str
    data: Mapping[str, Any]


OUTCOMES = {
    "nb": {
        "approve": "godkjent",
        "rework": "bearbeides",
        "hold": "satt på vent",
        "stop": "stanset",
    },
    "en": {"approve": "approved", "rework": "rework", "hold": "on hold", "stop": "stopped"},
}
REPORTS = {
    "nb": {"status": "statusrapport", "benefit": "gevinstrapport"},
    "en": {"status": "status report", "benefit": "benefit report"},
}
LABELS = {
    "nb": {
        "project": "Prosjekt",
        "gate": "Beslutningspunkt",
        "phase": "Fase",
        "outcome": "Utfall",
        "actor": "Av",
        "open": "Åpne i phasegate",
        "system": "phasegate",
    },
    "en": {
        "project": "Project",
        "gate": "Gate",
        "phase": "Phase",
        "outcome": "Outcome",
        "actor": "By",
        "open": "Open in phasegate",
        "system": "phasegate",
    },
}


def _report(f: Facts, locale: str) -> str:
    return REPORTS[locale].get(str(f.data.get("report_kind")), REPORTS[locale]["status"])


SENTENCES: dict[str, dict[str, Sentence]] = {
    "nb": {
        "ProjectRegistered": lambda f: f"Nytt prosjekt: {f.project}, i fasen {f.phase}.",
        "PhaseEntered": lambda f: f"{f.project} er nå i fasen {f.phase}.",
        "GateRequested": lambda f: f"{f.project} ber om beslutning ved {f.gate}.",
        "GateRequestWithdrawn": lambda f: f"{f.project} har trukket tilbake {f.gate}.",
        "VoteCast": lambda f: f"{f.actor} stemte «{f.outcome}» ved {f.gate} for {f.project}.",
        "GateDecided": lambda f: f"{f.project}: {f.gate} er avgjort: {f.outcome}.",
        "GateAwaitingEvents": lambda f: f"{f.project}: {f.gate} venter på hendelser utenfra.",
        "ExternalEventRecorded": lambda f: (
            f"{f.project}: hendelsen «{f.data.get('event')}» er registrert."
        ),
        "ProjectHeld": lambda f: f"{f.project} er satt på vent.",
        "ProjectResumed": lambda f: f"{f.project} er gjenopptatt.",
        "ProjectStopped": lambda f: f"{f.project} er stanset.",
        "ProjectCompleted": lambda f: f"{f.project} er fullført.",
        "ReportRequested": lambda f: f"{f.project} er bedt om en {_report(f, 'nb')}.",
        "ReportPublished": lambda f: f"{f.project} har publisert en {_report(f, 'nb')}.",
        "ReportRequestCancelled": lambda f: f"{f.project} skylder ikke lenger en rapport.",
        "BoardAgendaSent": lambda _f: "Sakslisten til porteføljestyret er sendt.",
        "DeadlineEscalated": lambda f: (
            f"En frist for {f.project} er meldt videre til prosjektkontoret."
            if f.project
            else "En frist er meldt videre til prosjektkontoret."
        ),
        "Ping": lambda _f: "Test fra phasegate: mottakeren er satt opp riktig.",
    },
    "en": {
        "ProjectRegistered": lambda f: f"New project: {f.project}, in the {f.phase} phase.",
        "PhaseEntered": lambda f: f"{f.project} is now in the {f.phase} phase.",
        "GateRequested": lambda f: f"{f.project} asks for a decision at {f.gate}.",
        "GateRequestWithdrawn": lambda f: f"{f.project} withdrew its request for {f.gate}.",
        "VoteCast": lambda f: f"{f.actor} voted “{f.outcome}” at {f.gate} for {f.project}.",
        "GateDecided": lambda f: f"{f.project}: {f.gate} is decided: {f.outcome}.",
        "GateAwaitingEvents": lambda f: f"{f.project}: {f.gate} waits for outside events.",
        "ExternalEventRecorded": lambda f: (
            f"{f.project}: the event “{f.data.get('event')}” is recorded."
        ),
        "ProjectHeld": lambda f: f"{f.project} is on hold.",
        "ProjectResumed": lambda f: f"{f.project} is resumed.",
        "ProjectStopped": lambda f: f"{f.project} is stopped.",
        "ProjectCompleted": lambda f: f"{f.project} is completed.",
        "ReportRequested": lambda f: f"{f.project} is asked for a {_report(f, 'en')}.",
        "ReportPublished": lambda f: f"{f.project} published a {_report(f, 'en')}.",
        "ReportRequestCancelled": lambda f: f"{f.project} no longer owes a report.",
        "BoardAgendaSent": lambda _f: "The portfolio board's agenda is sent.",
        "DeadlineEscalated": lambda f: (
            f"A deadline for {f.project} is passed on to the PMO."
            if f.project
            else "A deadline is passed on to the PMO."
        ),
        "Ping": lambda _f: "A test from phasegate: the receiver is set up right.",
    },
}


def card(kind: str, data: Mapping[str, Any], names: Names, locale: str) -> str:
    """The request body for Teams: a message with one Adaptive Card (schema 1.4)."""
    locale = locale if locale in SENTENCES else "nb"
    words = LABELS[locale]
    project = data.get("project") or {}
    actor = data.get("actor") or {}
    gate_id = str(data.get("gate") or "")
    gate = f"{gate_id} {names.gates[gate_id]}" if gate_id in names.gates else gate_id
    phase_id = str(data.get("phase") or "")
    facts = Facts(
        project=str(project.get("name") or ""),
        gate=gate,
        phase=names.phases.get(phase_id, phase_id),
        outcome=OUTCOMES[locale].get(str(data.get("outcome")), str(data.get("outcome") or "")),
        actor=str(actor.get("name") or words["system"]),
        data=data,
    )
    said = SENTENCES[locale].get(kind)
    sentence = said(facts) if said is not None else kind
    shown = [
        (words["project"], facts.project),
        (words["gate"], facts.gate),
        (words["phase"], facts.phase if kind != "ProjectRegistered" else ""),
        (words["outcome"], facts.outcome),
        (words["actor"], facts.actor if actor else ""),
    ]
    content: dict[str, Any] = {
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "type": "AdaptiveCard",
        "version": "1.4",
        "body": [
            {"type": "TextBlock", "text": sentence, "wrap": True, "weight": "Bolder"},
            {
                "type": "FactSet",
                "facts": [{"title": title, "value": value} for title, value in shown if value],
            },
        ],
    }
    if project.get("url"):
        content["actions"] = [
            {"type": "Action.OpenUrl", "title": words["open"], "url": project["url"]}
        ]
    message = {
        "type": "message",
        "summary": sentence,
        "attachments": [
            {
                "contentType": "application/vnd.microsoft.card.adaptive",
                "contentUrl": None,
                "content": content,
            }
        ],
    }
    return json.dumps(message, ensure_ascii=False, separators=(",", ":"))
