"""The words on the pages, in Norwegian bokmål (default) and English."""

from __future__ import annotations

from collections.abc import Mapping

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
        "login": "Logg inn",
        "my_decisions": "Mine beslutninger",
        "wheel_nav": "Årshjul",
        "workflows_nav": "Arbeidsflyter",
        "admin": "Administrasjon",
        "login_title": "Logg inn i phasegate",
        "login_intro": (
            "Skriv e-postadressen din, så sender vi deg en innloggingslenke. Den virker én "
            "gang og i {minutes} minutter. Du trenger ikke passord."
        ),
        "login_email": "E-postadresse",
        "login_send": "Send meg en lenke",
        "login_sent_title": "Sjekk e-posten din",
        "login_sent": (
            "Hvis {email} er registrert i phasegate, er en innloggingslenke på vei dit. Den "
            "virker i {minutes} minutter."
        ),
        "login_sent_mailbox": "Se e-posten i utviklingspostkassen",
        "login_confirm": "Trykk på knappen for å logge inn. Lenken virker bare én gang.",
        "login_button": "Logg inn",
        "logout": "Logg ut",
        "account": "Min konto",
        "account_title": "Min konto",
        "account_roles": "Roller",
        "account_save": "Lagre",
        "account_digest_title": "Påminnelser",
        "account_digest": "Samle påminnelsene mine i én e-post om dagen",
        "account_tokens_title": "API-nøkler",
        "account_tokens_intro": (
            "En API-nøkkel lar et annet system bruke phasegate på dine vegne "
            "(Authorization: Bearer …). Den vises bare én gang; ta vare på den."
        ),
        "account_token_made": "Ny nøkkel. Kopier den nå, den vises ikke igjen:",
        "account_token_name": "Navn",
        "account_token_prefix": "Begynner med",
        "account_token_made_at": "Laget",
        "account_token_used_at": "Sist brukt",
        "account_token_revoke": "Trekk tilbake",
        "account_token_revoked": "trukket tilbake",
        "account_token_create": "Lag ny nøkkel",
        "account_no_tokens": "Ingen API-nøkler ennå.",
        "account_feeds_title": "Kalender",
        "account_feeds_intro": (
            "Abonner på årshjulet og fristene dine i Outlook, Google Kalender eller Apple "
            "Kalender. Kalenderprogrammer kan ikke logge inn, så du lager en personlig "
            "kalenderadresse og limer den inn i programmet. Lag gjerne én adresse for hvert "
            "program, så kan du trekke tilbake én uten å miste de andre."
        ),
        "account_feeds_secret": (
            "Adressen er personlig og hemmelig, som et passord: den som har den, kan lese "
            "kalenderen. Ikke del den. Kommer den på avveie, trekker du den tilbake her, så "
            "slutter den å virke med én gang."
        ),
        "account_feed_made": "Ny kalenderadresse. Kopier den nå, den vises ikke igjen.",
        "account_feed_own": "Dine egne frister og årshjulet (anbefalt):",
        "account_feed_everyone": "Eller hele organisasjonens kalender, med alle åpne frister:",
        "account_feed_how": (
            "Slik limer du den inn: I Outlook velger du Legg til kalender → Abonner fra "
            "nettet. I Google Kalender velger du Andre kalendere → Fra nettadresse. I Apple "
            "Kalender velger du Arkiv → Nytt kalenderabonnement. Programmet henter endringer "
            "av seg selv; Google Kalender kan bruke noen timer."
        ),
        "account_feed_name": "Navn på adressen (for eksempel «Outlook» eller «Telefon»)",
        "account_feed_create": "Lag kalenderadresse",
        "account_no_feeds": "Ingen kalenderadresser ennå.",
        "wheel_subscribe": "Abonner på årshjulet og fristene dine i din egen kalender",
        "dev_sign_in": "Demo: logg inn",
        "login_demo": "Demo uten e-post: logg inn med ett klikk som hvem som helst",
        "dev_sign_in_title": "Demo: logg inn med ett klikk",
        "dev_sign_in_intro": (
            "Bare i utvikling og demo: logg inn som hvem som helst, uten e-post. PMO kan alt."
        ),
        "dev_sign_in_as": "Logg inn som {name}",
        "error_title": "Det gikk ikke",
        "http_400": "Skjemaet eller forespørselen kunne ikke leses. Prøv igjen.",
        "http_404": "Det finnes ingenting på denne adressen.",
        "sign_in_link_invalid": (
            "Denne innloggingslenken er ikke gyldig: den kan være ufullstendig eller feilskrevet. "
            "Be om en ny på innloggingssiden."
        ),
        "sign_in_link_used": (
            "Denne innloggingslenken er allerede brukt, og den virker bare én gang. Be om en ny "
            "på innloggingssiden."
        ),
        "sign_in_link_expired": (
            "Denne innloggingslenken er utløpt: lenkene virker bare i noen minutter. Be om en ny "
            "på innloggingssiden."
        ),
        "http_405": "Denne adressen tar ikke imot det du sendte.",
        "http_422": "En verdi i forespørselen er for stor eller for lang.",
        "form_invalid": "Det du sendte ble ikke lagret. Gå tilbake, rett dette og send igjen:",
        "field_text_surrogate": (
            "«{field}» inneholder et halvt tegn ({char}, på plass {at}): en emoji eller et "
            "annet tegn er delt i to. Skriv eller lim det inn på nytt."
        ),
        "field_text_nul": (
            "«{field}» inneholder NUL-tegnet ({char}, på plass {at}), som ikke er tekst."
        ),
        "field_text_control": (
            "«{field}» inneholder et kontrolltegn ({char}, på plass {at}), som ikke er tekst. "
            "Skriv verdien på nytt, eller lim den inn som ren tekst."
        ),
        "field_text_noncharacter": (
            "«{field}» inneholder {char} (på plass {at}), som ikke er et tegn."
        ),
        "field_string_too_long": "«{field}» er for lang: skriv høyst {max_length} tegn.",
        "field_missing": "«{field}» mangler.",
        "field_invalid": "«{field}» har en verdi som ikke kan brukes.",
        "label_name": "Navn",
        "label_description": "Beskrivelse",
        "label_development_area": "Utviklingsområde",
        "label_portfolio": "Portefølje",
        "label_email": "E-postadresse",
        "label_comment": "Kommentar",
        "label_reason": "Begrunnelse",
        "label_url": "Adresse (URL)",
        "label_title": "Tittel",
        "label_budget": "Budsjett",
        "label_spent": "Forbruk hittil",
        "label_forecast": "Prognose",
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
        # status and benefit reports from email links (web/reports.py)
        "report_title_status": "Statusrapport for {project}",
        "report_title_benefit": "Gevinstrapport for {project}",
        "report_kind_status": "Statusrapport",
        "report_kind_benefit": "Gevinstrapport",
        "report_greeting": (
            "Hei {name}. Fyll ut rapporten under. Du kan lagre et utkast underveis og "
            "publisere når den er klar."
        ),
        "report_cycle": "Periode",
        "report_kind": "Rapport",
        "report_due": "Frist",
        "report_state_new": "Ikke påbegynt",
        "report_state_draft": "Utkast, sist lagret {when}",
        "report_from_draft": "Skjemaet viser utkastet slik det sist ble lagret.",
        "report_from_previous": (
            "Skjemaet er fylt ut med svarene fra forrige publiserte rapport ({when}). "
            "Du trenger bare å endre det som er nytt."
        ),
        "report_from_nothing": "Prosjektet har ingen publisert rapport ennå, så skjemaet er tomt.",
        "report_required_intro": (
            "Påkrevd for å publisere: {dimensions}. Alt som er rødt, må ha en kommentar som "
            "forklarer hvorfor."
        ),
        "report_required_mark": "påkrevd",
        "report_not_rated": "Ikke vurdert",
        "report_comment_label": "Kommentar til {dimension}",
        "report_colour_green": "Grønn",
        "report_colour_yellow": "Gul",
        "report_colour_red": "Rød",
        "report_figures": "Økonomi i hele kroner",
        "report_figures_hint": "Skriv hele kroner, for eksempel 1 250 000.",
        "report_budget": "Budsjett",
        "report_spent": "Forbruk hittil",
        "report_forecast": "Prognose",
        "report_save": "Lagre utkast",
        "report_publish": "Publiser",
        "report_save_explained": (
            "Et utkast vises ikke i porteføljeoversikten, og du kan lagre så ofte du vil."
        ),
        "report_publish_explained": (
            "Når du publiserer, blir rapporten låst og datert, og den vises i "
            "porteføljeoversikten. Vil du endre noe etterpå, må du lage en ny rapport."
        ),
        "report_nothing_yet": "Ingenting blir lagret før du trykker på en av knappene.",
        "report_saved": "Utkast lagret kl. {time}.",
        "report_problems_unsaved": "Ingenting er lagret. Rett opp dette og prøv igjen:",
        "report_problems_saved": (
            "Rapporten er ikke publisert. Utkastet er lagret, men dette må rettes før du kan "
            "publisere:"
        ),
        "report_problem_missing": "Ikke fylt ut. Velg en verdi.",
        "report_problem_red": "Rødt må forklares. Skriv en kommentar om hvorfor.",
        "report_problem_unknown": (
            "«Ukjent» må forklares. Skriv i kommentaren hvorfor økonomien ikke er kjent."
        ),
        "report_problem_budget": (
            "Fyll inn budsjettet i hele kroner, eller velg «Ukjent» under økonomi."
        ),
        "report_problem_amount": "Skriv beløpet i hele kroner, for eksempel 1 250 000.",
        "report_problem_negative": "Beløpet kan ikke være negativt.",
        "report_problem_value": "Velg en av verdiene som står her.",
        "report_conflict_title": "Noen andre har lagret rapporten",
        "report_conflict": (
            "Noen andre lagret rapporten mens du hadde den åpen, så endringene dine er ikke "
            "lagret. Skjemaet viser nå rapporten slik den er lagret. Gjør endringene dine på "
            "nytt og lagre igjen."
        ),
        "report_your_input": "Dette skrev du (ikke lagret)",
        "report_published_title": "Rapporten er publisert",
        "report_already_title": "Rapporten er allerede publisert",
        "report_published": "{kind} for {project} ({cycle}) ble publisert {when} av {who}.",
        "report_locked": (
            "Den er låst og datert og vises i porteføljeoversikten. Vil du endre noe, må du "
            "lage en ny rapport."
        ),
        "report_as_published": "Rapporten slik den ble publisert",
        "report_dimension": "Område",
        "report_rating": "Vurdering",
        "report_colour": "Farge",
        "report_cancelled_title": "Rapporten trengs ikke lenger",
        "report_cancelled": (
            "Prosjektet {project} skylder ikke lenger {kind} til {cycle}, for eksempel fordi "
            "det har gått ut av fasen som rapporterer."
        ),
        "report_not_reporter_title": "Du kan ikke skrive rapporter for dette prosjektet",
        "report_not_reporter": (
            "Bare prosjektlederen, prosjekteieren og prosjektkontoret kan skrive prosjektets "
            "rapporter. Kontakt prosjektkontoret hvis du mener du skal kunne det."
        ),
        "report_not_reporter_detail": (
            "{name} er ikke prosjektleder eller prosjekteier for {project}."
        ),
        "report_tampered": (
            "Lenken er skadet eller ikke laget av phasegate. Åpne den på nytt fra e-posten, og "
            "pass på at hele lenken kom med."
        ),
        "report_expired": (
            "Lenken gikk ut {when}. Be prosjektkontoret om en ny lenke til rapporten."
        ),
        "report_csrf_title": "Rapporten ble ikke lagret",
        "report_csrf": (
            "Vi kunne ikke bekrefte at skjemaet kom fra siden du åpnet. Åpne lenken fra "
            "e-posten på nytt og send skjemaet igjen."
        ),
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
        "login": "Sign in",
        "my_decisions": "My decisions",
        "wheel_nav": "Annual cycle",
        "workflows_nav": "Workflows",
        "admin": "Administration",
        "login_title": "Sign in to phasegate",
        "login_intro": (
            "Enter your email address and we will send you a sign-in link. It works once, "
            "for {minutes} minutes. No password needed."
        ),
        "login_email": "Email address",
        "login_send": "Send me a link",
        "login_sent_title": "Check your email",
        "login_sent": (
            "If {email} is registered in phasegate, a sign-in link is on its way there. It "
            "works for {minutes} minutes."
        ),
        "login_sent_mailbox": "See the email in the development mailbox",
        "login_confirm": "Press the button to sign in. The link works only once.",
        "login_button": "Sign in",
        "logout": "Sign out",
        "account": "My account",
        "account_title": "My account",
        "account_roles": "Roles",
        "account_save": "Save",
        "account_digest_title": "Reminders",
        "account_digest": "Collect my reminders in one email a day",
        "account_tokens_title": "API tokens",
        "account_tokens_intro": (
            "An API token lets another system use phasegate on your behalf "
            "(Authorization: Bearer …). It is shown once only; keep it safe."
        ),
        "account_token_made": "New token. Copy it now; it will not be shown again:",
        "account_token_name": "Name",
        "account_token_prefix": "Starts with",
        "account_token_made_at": "Created",
        "account_token_used_at": "Last used",
        "account_token_revoke": "Revoke",
        "account_token_revoked": "revoked",
        "account_token_create": "Create a token",
        "account_no_tokens": "No API tokens yet.",
        "account_feeds_title": "Calendar",
        "account_feeds_intro": (
            "Subscribe to the annual cycle and your deadlines in Outlook, Google Calendar or "
            "Apple Calendar. Calendar programs cannot sign in, so you make a personal calendar "
            "address and paste it into the program. Make one address for each program, so "
            "you can revoke one without losing the others."
        ),
        "account_feeds_secret": (
            "The address is personal and secret, like a password: whoever has it can read "
            "the calendar. Do not share it. If it goes astray, revoke it here, and it stops "
            "working at once."
        ),
        "account_feed_made": "New calendar address. Copy it now; it will not be shown again.",
        "account_feed_own": "Your own deadlines and the annual cycle (recommended):",
        "account_feed_everyone": "Or the whole organisation's calendar, with every open deadline:",
        "account_feed_how": (
            "To paste it: in Outlook, choose Add calendar → Subscribe from web. In Google "
            "Calendar, choose Other calendars → From URL. In Apple Calendar, choose File → New "
            "Calendar Subscription. The program fetches changes by itself; Google Calendar "
            "may take a few hours."
        ),
        "account_feed_name": "Name of the address (for example “Outlook” or “Phone”)",
        "account_feed_create": "Create a calendar address",
        "account_no_feeds": "No calendar addresses yet.",
        "wheel_subscribe": "Subscribe to the annual cycle and your deadlines in your own calendar",
        "dev_sign_in": "Demo: sign in",
        "login_demo": "Demo without email: sign in with one click as anyone",
        "dev_sign_in_title": "Demo: sign in with one click",
        "dev_sign_in_intro": (
            "Development and demo only: sign in as anyone, without email. The PMO can do "
            "everything."
        ),
        "dev_sign_in_as": "Sign in as {name}",
        "error_title": "That did not work",
        "http_400": "The form or request could not be read. Please try again.",
        "http_404": "There is nothing at this address.",
        "sign_in_link_invalid": (
            "This sign-in link is not valid: it may be incomplete or mistyped. Ask for a new one "
            "on the sign-in page."
        ),
        "sign_in_link_used": (
            "This sign-in link has already been used, and works only once. Ask for a new one on "
            "the sign-in page."
        ),
        "sign_in_link_expired": (
            "This sign-in link has expired: links work for a few minutes only. Ask for a new one "
            "on the sign-in page."
        ),
        "http_405": "This address does not accept what you sent.",
        "http_422": "A value in the request is too large or too long.",
        "form_invalid": "What you sent was not saved. Go back, correct this and send it again:",
        "field_text_surrogate": (
            "“{field}” contains half of a character ({char}, at position {at}): an emoji or "
            "other character was cut in two. Type or paste it again."
        ),
        "field_text_nul": (
            "“{field}” contains the NUL character ({char}, at position {at}), which is not text."
        ),
        "field_text_control": (
            "“{field}” contains a control character ({char}, at position {at}), which is not "
            "text. Type the value again, or paste it as plain text."
        ),
        "field_text_noncharacter": (
            "“{field}” contains {char} (at position {at}), which is not a character."
        ),
        "field_string_too_long": "“{field}” is too long: write at most {max_length} characters.",
        "field_missing": "“{field}” is missing.",
        "field_invalid": "“{field}” has a value that cannot be used.",
        "label_name": "Name",
        "label_description": "Description",
        "label_development_area": "Development area",
        "label_portfolio": "Portfolio",
        "label_email": "Email address",
        "label_comment": "Comment",
        "label_reason": "Reason",
        "label_url": "Address (URL)",
        "label_title": "Title",
        "label_budget": "Budget",
        "label_spent": "Spent so far",
        "label_forecast": "Forecast",
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
        # status and benefit reports from email links (web/reports.py)
        "report_title_status": "Status report for {project}",
        "report_title_benefit": "Benefit report for {project}",
        "report_kind_status": "Status report",
        "report_kind_benefit": "Benefit report",
        "report_greeting": (
            "Hello {name}. Fill in the report below. You can save a draft as you go and "
            "publish it when it is ready."
        ),
        "report_cycle": "Reporting cycle",
        "report_kind": "Report",
        "report_due": "Due",
        "report_state_new": "Not started",
        "report_state_draft": "Draft, last saved on {when}",
        "report_from_draft": "The form shows the draft as it was last saved.",
        "report_from_previous": (
            "The form is filled in with the answers from the previous published report "
            "({when}). Change only what is new."
        ),
        "report_from_nothing": "The project has no published report yet, so the form is empty.",
        "report_required_intro": (
            "Required for publishing: {dimensions}. Everything red needs a comment that "
            "explains why."
        ),
        "report_required_mark": "required",
        "report_not_rated": "Not rated",
        "report_comment_label": "Comment on {dimension}",
        "report_colour_green": "Green",
        "report_colour_yellow": "Yellow",
        "report_colour_red": "Red",
        "report_figures": "Cost figures in whole kroner",
        "report_figures_hint": "Write whole kroner, like 1250000.",
        "report_budget": "Budget",
        "report_spent": "Spent so far",
        "report_forecast": "Forecast",
        "report_save": "Save draft",
        "report_publish": "Publish",
        "report_save_explained": (
            "A draft is not shown in the portfolio overview, and you can save as often as you like."
        ),
        "report_publish_explained": (
            "Publishing locks and dates the report, and shows it in the portfolio overview. "
            "To change anything afterwards, you write a new report."
        ),
        "report_nothing_yet": "Nothing is saved until you press one of the buttons.",
        "report_saved": "Draft saved at {time}.",
        "report_problems_unsaved": "Nothing was saved. Correct this and try again:",
        "report_problems_saved": (
            "The report is not published. The draft is saved, but this must be corrected "
            "before you can publish:"
        ),
        "report_problem_missing": "Not filled in. Choose a value.",
        "report_problem_red": "Red needs explaining. Write a comment that says why.",
        "report_problem_unknown": (
            "“Unknown” needs explaining. Say in the comment why the cost is not known."
        ),
        "report_problem_budget": "Enter the budget in whole kroner, or choose “Unknown” for cost.",
        "report_problem_amount": "Write the amount in whole kroner, like 1250000.",
        "report_problem_negative": "The amount cannot be negative.",
        "report_problem_value": "Choose one of the values shown here.",
        "report_conflict_title": "Someone else saved the report",
        "report_conflict": (
            "Someone else saved the report while you had it open, so your changes were not "
            "saved. The form now shows the report as it is saved. Make your changes again and "
            "save."
        ),
        "report_your_input": "What you entered (not saved)",
        "report_published_title": "The report is published",
        "report_already_title": "The report is already published",
        "report_published": "{kind} for {project} ({cycle}) was published on {when} by {who}.",
        "report_locked": (
            "It is locked and dated, and shown in the portfolio overview. To change anything, "
            "write a new report."
        ),
        "report_as_published": "The report as published",
        "report_dimension": "Dimension",
        "report_rating": "Rating",
        "report_colour": "Colour",
        "report_cancelled_title": "The report is no longer needed",
        "report_cancelled": (
            "The project {project} no longer owes a {kind} for {cycle}, for example because it "
            "left the phase that reports."
        ),
        "report_not_reporter_title": "You cannot write reports for this project",
        "report_not_reporter": (
            "Only the project manager, the project owner and the PMO can write the project's "
            "reports. Contact the PMO if you think you should be able to."
        ),
        "report_not_reporter_detail": "{name} is not the project manager or owner of {project}.",
        "report_tampered": (
            "The link is damaged or was not made by phasegate. Open it again from the email, "
            "making sure the whole link came along."
        ),
        "report_expired": "The link expired on {when}. Ask the PMO for a new link to the report.",
        "report_csrf_title": "The report was not saved",
        "report_csrf": (
            "We could not confirm that the form came from the page you opened. Open the link "
            "from the email again and send the form again."
        ),
    },
}


LOCALES = ("nb", "en")


def lang_query(query: Mapping[str, str], sep: str = "?") -> str:
    """``?lang=xx`` (or ``&lang=xx``) to keep the language a page was asked in (its
    ``query``) across a link or redirect; empty when it was asked for without one."""
    lang = query.get("lang")
    return f"{sep}lang={lang}" if lang in LOCALES else ""


def pick_locale(*asked: str | None, default: str = "nb") -> str:
    """The first of ``asked`` (e.g. ?lang=, the person's language) that the pages speak,
    else ``default``."""
    return next((str(a) for a in asked if a in LOCALES), default)


def texts(locale: str, *own: Mapping[str, Mapping[str, str]]) -> dict[str, str]:
    """The site's words in ``locale`` (bokmål if it has none), with each page module's
    ``own`` words (keyed by locale the same way) laid over them in order."""
    site = TEXTS.get(locale, TEXTS["nb"])
    if not own:
        return site
    merged = dict(site)
    for layer in own:
        merged.update(layer.get(locale, layer["nb"]))
    return merged
