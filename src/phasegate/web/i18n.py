"""The words on the pages, in Norwegian bokmål (default) and English."""

from __future__ import annotations

TEXTS: dict[str, dict[str, str]] = {
    "nb": {
        "portfolio": "Porteføljeoversikt",
        "project": "Prosjekt",
        "owner": "Prosjekteier",
        "leader": "Prosjektleder",
        "phase": "Fase",
        "area": "Utviklingsområde",
        "status": "Status",
        "open_gate": "Åpen beslutning",
        "unassigned": "ikke tildelt",
        "projects": "prosjekter",
        "empty": "Porteføljen er tom. Kjør `phasegate demo` for å laste Askers portefølje.",
        "active": "aktiv",
        "on_hold": "satt på vent",
        "completed": "fullført",
        "stopped": "stanset",
        "other_language": "English",
        "other_lang_code": "en",
        "board_pending": "Ventende beslutninger i porteføljestyret",
        "none_pending": "Ingen ventende beslutninger.",
        "submitted": "Sendt inn",
        "votes": "Stemmer",
        "outcome_approve": "godkjent",
        "outcome_rework": "bearbeides",
        "outcome_hold": "satt på vent",
        "outcome_stop": "stanset",
    },
    "en": {
        "portfolio": "Portfolio overview",
        "project": "Project",
        "owner": "Project owner",
        "leader": "Project manager",
        "phase": "Phase",
        "area": "Development area",
        "status": "Status",
        "open_gate": "Open decision",
        "unassigned": "not assigned",
        "projects": "projects",
        "empty": "The portfolio is empty. Run `phasegate demo` to load Asker's portfolio.",
        "active": "active",
        "on_hold": "on hold",
        "completed": "completed",
        "stopped": "stopped",
        "other_language": "Norsk",
        "other_lang_code": "nb",
        "board_pending": "Pending decisions for the portfolio board",
        "none_pending": "No pending decisions.",
        "submitted": "Submitted",
        "votes": "Votes",
        "outcome_approve": "approve",
        "outcome_rework": "rework",
        "outcome_hold": "hold",
        "outcome_stop": "stop",
    },
}


def texts(locale: str) -> dict[str, str]:
    return TEXTS.get(locale, TEXTS["nb"])
