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
        "due_at_meeting": "Frist (møte)",
        "error_title": "Det gikk ikke",
        "mailbox": "Utviklingspostkasse",
        "mailbox_intro": (
            "Ingen e-posttjener er satt opp, så e-posten blir liggende her. Lenkene virker: "
            "åpne en e-post og trykk på en beslutningslenke."
        ),
        "mailbox_intro_smtp": (
            "E-posten sendes også til e-posttjeneren; her ser du hva som er skrevet og sendt."
        ),
        "mailbox_empty": "Ingen e-post ennå. Send inn en beslutningsforespørsel, så kommer den.",
        "mail_created": "Skrevet",
        "mail_to": "Til",
        "mail_subject": "Emne",
        "mail_text": "Ren tekst",
        "mail_pending": "venter",
        "mail_sent": "sendt",
        "mail_dead": "ikke levert",
        "outcome_approve": "godkjent",
        "outcome_rework": "bearbeides",
        "outcome_hold": "satt på vent",
        "outcome_stop": "stanset",
        # approval links from email (web/links.py)
        "link_confirm_title": "Bekreft stemmen din",
        "link_greeting": "Hei {name}. Du er bedt om å avgjøre {gate} for prosjektet {project}.",
        "link_your_vote": "Denne lenken gjelder stemmen",
        "link_means_approve": "Godkjent betyr at prosjektet går videre til fasen {to}.",
        "link_means_rework": (
            "Bearbeides betyr at prosjektet blir i fasen det er i og kan sende inn på nytt."
        ),
        "link_means_hold": "Vent betyr at prosjektet settes på pause og kan gjenopptas senere.",
        "link_means_stop": "Stans betyr at prosjektet avsluttes. Det er endelig.",
        "link_button_approve": "Godkjenn",
        "link_button_rework": "Send tilbake til bearbeiding",
        "link_button_hold": "Sett på vent",
        "link_button_stop": "Stans prosjektet",
        "link_comment_required": "Kommentar (påkrevd: skriv hvorfor)",
        "link_comment_optional": "Kommentar (valgfritt)",
        "link_comment_missing": "Skriv en kommentar som sier hvorfor. Ingenting er registrert.",
        "link_nothing_yet": "Ingenting blir registrert før du trykker på knappen.",
        "link_valid_until": "Lenken gjelder til {when}.",
        "link_gate": "Beslutningspunkt",
        "link_submitted": "Sendt inn av {who} {when}.",
        "link_deciders": "Avgjøres av",
        "link_policy_one": "én av dem er nok",
        "link_policy_majority": "flertallet avgjør",
        "link_policy_all": "alle må være enige",
        "link_checklist": "Sjekkliste",
        "link_item": "Punkt",
        "link_answer": "Svar",
        "link_comment": "Kommentar",
        "link_answer_done": "Utført",
        "link_answer_not_relevant": "Ikke relevant",
        "link_answer_still_open": "Fortsatt åpent",
        "link_documents": "Dokumenter",
        "link_no_documents": "Ingen dokumenter er lagt ved.",
        "link_votes_so_far": "Stemmer så langt",
        "link_no_votes": "Ingen har stemt ennå.",
        "link_who": "Hvem",
        "link_vote": "Stemme",
        "link_when": "Når",
        "link_recorded_title": "Stemmen din er registrert",
        "link_recorded": "Du stemte «{outcome}» på {gate} for prosjektet {project}.",
        "link_now_decided": "Beslutningspunktet er nå avgjort: {outcome}.",
        "link_now_active": "Prosjektet er nå i fasen {phase}.",
        "link_now_on_hold": "Prosjektet er satt på vent i fasen {phase}.",
        "link_now_rework": "Prosjektet blir i fasen {phase} og kan sende inn på nytt.",
        "link_now_completed": "Prosjektet er fullført.",
        "link_now_stopped": "Prosjektet er stanset.",
        "link_waits_for_votes": "Beslutningen venter på stemmer fra de andre beslutningstakerne.",
        "link_waits_for_events": (
            "Stemmene er nok til å godkjenne, men beslutningen venter på: {events}."
        ),
        "link_refused_title": "Lenken kan ikke brukes",
        "link_go_to_phasegate": "Gå til phasegate",
        "link_tampered_title": "Lenken virker ikke",
        "link_tampered": (
            "Lenken er skadet eller ikke laget av phasegate. Åpne den på nytt fra e-posten, og "
            "pass på at hele lenken kom med. Du kan også ta beslutningen direkte i phasegate."
        ),
        "link_expired_title": "Lenken er utløpt",
        "link_expired": (
            "Lenken gikk ut {when}. Be prosjektlederen eller prosjektkontoret om en ny "
            "forespørsel, eller ta beslutningen direkte i phasegate."
        ),
        "link_decided_title": "Allerede avgjort",
        "link_decided": "Allerede avgjort av {who} {when} (utfall: {outcome}).",
        "link_voted_title": "Du har allerede stemt",
        "link_voted": "Du stemte allerede «{outcome}» {when}.",
        "link_withdrawn_title": "Forespørselen er trukket",
        "link_withdrawn": (
            "Forespørselen om {gate} for prosjektet {project} er trukket tilbake. Det er ikke "
            "lenger noe å stemme over."
        ),
        "link_reason": "Begrunnelse",
        "link_not_decider_title": "Du kan ikke stemme over denne saken",
        "link_not_decider": (
            "Bare beslutningstakerne for dette beslutningspunktet kan stemme. Kontakt "
            "prosjektkontoret hvis du mener du skal være med."
        ),
        "link_not_decider_detail": (
            "{name} er ikke blant beslutningstakerne for {gate} i prosjektet {project}. "
            "Beslutningstakerne er: {deciders}."
        ),
        "link_csrf_title": "Stemmen ble ikke registrert",
        "link_csrf": (
            "Vi kunne ikke bekrefte at skjemaet kom fra siden du åpnet. Åpne lenken fra "
            "e-posten på nytt og trykk på knappen igjen."
        ),
        "link_gone_title": "Saken finnes ikke",
        "link_gone": (
            "Lenken viser til en sak som ikke finnes lenger. Ta kontakt med prosjektkontoret."
        ),
        "link_conflict_title": "Stemmen ble ikke registrert",
        "link_conflict": "Noe hindret stemmen. Åpne lenken fra e-posten på nytt og prøv igjen.",
        "link_nothing_changed": "Ingenting er endret.",
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
        "due_at_meeting": "Due (meeting)",
        "error_title": "That did not work",
        "mailbox": "Development mailbox",
        "mailbox_intro": (
            "No mail server is configured, so email stays here. The links work: open an "
            "email and press a decision link."
        ),
        "mailbox_intro_smtp": (
            "Email is also sent to the mail server; here you see what was written and sent."
        ),
        "mailbox_empty": "No email yet. Submit a gate request and it will appear.",
        "mail_created": "Written",
        "mail_to": "To",
        "mail_subject": "Subject",
        "mail_text": "Plain text",
        "mail_pending": "waiting",
        "mail_sent": "sent",
        "mail_dead": "not delivered",
        "outcome_approve": "approve",
        "outcome_rework": "rework",
        "outcome_hold": "hold",
        "outcome_stop": "stop",
        # approval links from email (web/links.py)
        "link_confirm_title": "Confirm your vote",
        "link_greeting": "Hello {name}. You are asked to decide {gate} for the project {project}.",
        "link_your_vote": "This link is for the vote",
        "link_means_approve": "Approve means the project moves on to the {to} phase.",
        "link_means_rework": "Rework means the project stays in its phase and may submit again.",
        "link_means_hold": "Hold means the project is paused and can be resumed later.",
        "link_means_stop": "Stop means the project is terminated. This is final.",
        "link_button_approve": "Approve",
        "link_button_rework": "Send back for rework",
        "link_button_hold": "Put on hold",
        "link_button_stop": "Stop the project",
        "link_comment_required": "Comment (required: say why)",
        "link_comment_optional": "Comment (optional)",
        "link_comment_missing": "Write a comment that says why. Nothing has been recorded.",
        "link_nothing_yet": "Nothing is recorded until you press the button.",
        "link_valid_until": "This link is valid until {when}.",
        "link_gate": "Gate",
        "link_submitted": "Submitted by {who} on {when}.",
        "link_deciders": "Decided by",
        "link_policy_one": "any one of them",
        "link_policy_majority": "the majority decides",
        "link_policy_all": "all must agree",
        "link_checklist": "Checklist",
        "link_item": "Item",
        "link_answer": "Answer",
        "link_comment": "Comment",
        "link_answer_done": "Done",
        "link_answer_not_relevant": "Not relevant",
        "link_answer_still_open": "Still open",
        "link_documents": "Documents",
        "link_no_documents": "No documents are attached.",
        "link_votes_so_far": "Votes so far",
        "link_no_votes": "Nobody has voted yet.",
        "link_who": "Who",
        "link_vote": "Vote",
        "link_when": "When",
        "link_recorded_title": "Your vote is recorded",
        "link_recorded": "You voted “{outcome}” on {gate} for the project {project}.",
        "link_now_decided": "The gate is now decided: {outcome}.",
        "link_now_active": "The project is now in the {phase} phase.",
        "link_now_on_hold": "The project is on hold in the {phase} phase.",
        "link_now_rework": "The project stays in the {phase} phase and may submit again.",
        "link_now_completed": "The project is completed.",
        "link_now_stopped": "The project is stopped.",
        "link_waits_for_votes": "The decision waits for the other deciders' votes.",
        "link_waits_for_events": (
            "The votes are enough to approve, but the decision waits for: {events}."
        ),
        "link_refused_title": "This link cannot be used",
        "link_go_to_phasegate": "Go to phasegate",
        "link_tampered_title": "This link does not work",
        "link_tampered": (
            "The link is damaged or was not made by phasegate. Open it again from the email, "
            "making sure the whole link came along, or decide in phasegate itself."
        ),
        "link_expired_title": "This link has expired",
        "link_expired": (
            "The link expired on {when}. Ask the project manager or the PMO for a new request, "
            "or decide in phasegate itself."
        ),
        "link_decided_title": "Already decided",
        "link_decided": "Already decided by {who} on {when} (outcome: {outcome}).",
        "link_voted_title": "You have already voted",
        "link_voted": "You already voted “{outcome}” on {when}.",
        "link_withdrawn_title": "The request was withdrawn",
        "link_withdrawn": (
            "The request for {gate} for the project {project} was withdrawn. There is nothing "
            "left to vote on."
        ),
        "link_reason": "Reason",
        "link_not_decider_title": "You cannot vote on this request",
        "link_not_decider": (
            "Only the deciders of this gate may vote. Contact the PMO if you think you should "
            "be one."
        ),
        "link_not_decider_detail": (
            "{name} is not a decider of {gate} for the project {project}. "
            "The deciders are: {deciders}."
        ),
        "link_csrf_title": "Your vote was not recorded",
        "link_csrf": (
            "We could not confirm that the form came from the page you opened. Open the link "
            "from the email again and press the button again."
        ),
        "link_gone_title": "This request does not exist",
        "link_gone": "The link points to a request that no longer exists. Contact the PMO.",
        "link_conflict_title": "Your vote was not recorded",
        "link_conflict": "Something got in the way. Open the link from the email again and retry.",
        "link_nothing_changed": "Nothing was changed.",
    },
}


def texts(locale: str) -> dict[str, str]:
    return TEXTS.get(locale, TEXTS["nb"])
