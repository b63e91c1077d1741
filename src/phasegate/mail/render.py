"""Rendering notifications: templates in ``notifications/`` become a subject, text and HTML.

The templates live outside the package, at the top of the repository, because people who
are not programmers edit them. Dates, numbers and money go through Babel so an email reads
the Norwegian way ("17. mai 2026 kl. 13.00", "1 234 567 kr"). Every environment is strict:
a template that names a variable the caller did not pass fails when rendered, which the
tests do for every template, so it fails there and not in someone's inbox.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from babel import Locale, dates, lists, numbers
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from phasegate.text import shown

DEFAULT_LOCALE = "nb"

# Our locale names to Babel's. Anything else falls back to nb, the default language.
# Parsed once: Babel would otherwise parse the locale tag again for every date it writes.
BABEL_LOCALES = {"nb": Locale.parse("nb_NO"), "en": Locale.parse("en_GB")}

# Explicit patterns, so the output is exactly what Norwegian readers expect rather than
# whatever CLDR's "long" format is this year.
DATE_PATTERNS = {"nb": "d. MMMM y", "en": "d MMMM y"}
DATETIME_PATTERNS = {"nb": "d. MMMM y 'kl'. HH.mm", "en": "d MMMM y 'at' HH:mm"}

# Whole kroner for whole amounts (budgets), øre only when there are any. U+00A0 between
# the amount and the currency keeps "kr" from wrapping onto a line of its own.
MONEY_PATTERNS = {
    "nb": ("#,##0\u00a0¤", "#,##0.00\u00a0¤"),
    "en": ("¤¤\u00a0#,##0", "¤¤\u00a0#,##0.00"),
}
CURRENCY = "NOK"

# The words the filters put into templates, per locale.
WORDS: dict[str, dict[str, dict[str, str]]] = {
    "nb": {
        "outcome": {
            "approve": "godkjent",
            "rework": "sendt tilbake til bearbeiding",
            "hold": "satt på vent",
            "stop": "stanset",
        },
        "action": {
            "approve": "Godkjenn",
            "rework": "Send tilbake til bearbeiding",
            "hold": "Sett på vent",
            "stop": "Stans prosjektet",
        },
        "answer": {
            "done": "Utført",
            "not_relevant": "Ikke relevant",
            "still_open": "Gjenstår",
        },
        "policy": {"one": "ett medlem", "majority": "flertall", "all": "alle"},
        "deadline_kind": {
            "gate_decision": "Stemme i porteføljestyret",
            "owner_decision": "Beslutning som prosjekteier",
            "status_report": "Statusrapport",
            "benefit_report": "Gevinstrapport",
            "deadline": "Frist i årshjulet",
        },
        "report_kind": {"status": "statusrapport", "benefit": "gevinstrapport"},
    },
    "en": {
        "outcome": {
            "approve": "approved",
            "rework": "sent back for rework",
            "hold": "put on hold",
            "stop": "stopped",
        },
        "action": {
            "approve": "Approve",
            "rework": "Send back for rework",
            "hold": "Put on hold",
            "stop": "Stop the project",
        },
        "answer": {
            "done": "Done",
            "not_relevant": "Not relevant",
            "still_open": "Still open",
        },
        "policy": {"one": "any one member", "majority": "a majority", "all": "all members"},
        "deadline_kind": {
            "gate_decision": "Board vote",
            "owner_decision": "Owner decision",
            "status_report": "Status report",
            "benefit_report": "Benefit report",
            "deadline": "Deadline in the annual cycle",
        },
        "report_kind": {"status": "status report", "benefit": "benefit report"},
    },
}

# "1 virkedag", "3 virkedager": the singular and the plural of a count of working days.
WORKING_DAYS = {"nb": ("virkedag", "virkedager"), "en": ("working day", "working days")}

PARTS = ("subject", "txt", "html")
SUBJECT_LENGTH = 500  # the outbox's column


@dataclass(frozen=True)
class RenderedEmail:
    """One email, ready to be built into a MIME message."""

    subject: str  # one line, no newline
    text: str  # the plain-text part
    html: str  # the HTML part: a small full document, inline CSS only, no scripts


def locale_of(locale: str) -> str:
    """Our locale for a language tag ("en-GB" -> "en"); unknown ones get nb, the default."""
    language = locale.replace("-", "_").split("_")[0].lower()
    return language if language in BABEL_LOCALES else DEFAULT_LOCALE


def _local(moment: datetime, zone: ZoneInfo) -> datetime:
    # Naive times are a bug here: storage reads everything back aware, in UTC, and a
    # naive one would be shown in the wrong zone without anyone noticing.
    if moment.tzinfo is None:
        raise ValueError(f"Cannot format the naive datetime {moment}: pass an aware one.")
    return moment.astimezone(zone)


def format_date(moment: datetime | date, locale: str, zone: ZoneInfo) -> str:
    """The day ``moment`` falls on in ``zone``: "17. mai 2026" (nb), "17 May 2026" (en).

    A plain date is a local day already (a digest's day, say) and is written as it is.
    """
    key = locale_of(locale)
    if isinstance(moment, datetime) or not isinstance(moment, date):
        # Through _local, which refuses a naive time and lets an undefined variable fail.
        day = _local(moment, zone).date()
    else:
        day = moment
    return dates.format_date(day, DATE_PATTERNS[key], locale=BABEL_LOCALES[key])


def format_datetime(moment: datetime, locale: str, zone: ZoneInfo) -> str:
    """Date and clock time in ``zone``: "17. mai 2026 kl. 13.00" (nb), "... at 13:00" (en)."""
    key = locale_of(locale)
    return dates.format_datetime(
        _local(moment, zone), DATETIME_PATTERNS[key], tzinfo=zone, locale=BABEL_LOCALES[key]
    )


def format_money(amount: int | float | Decimal, locale: str) -> str:
    """Kroner: "1 234 567 kr" (nb, U+00A0 between groups), "NOK 1,234,567" (en)."""
    key = locale_of(locale)
    whole, with_ore = MONEY_PATTERNS[key]
    value = amount if isinstance(amount, Decimal) else Decimal(str(amount))
    pattern = whole if value == value.to_integral_value() else with_ore
    return numbers.format_currency(
        value, CURRENCY, pattern, locale=BABEL_LOCALES[key], currency_digits=False
    )


def format_number(value: int | float, locale: str) -> str:
    """A number with the locale's grouping and decimal mark: "1 234 567,5" (nb)."""
    return numbers.format_decimal(value, locale=BABEL_LOCALES[locale_of(locale)])


def format_working_days(count: int, locale: str) -> str:
    """A count of working days: "1 virkedag", "3 virkedager" (nb); "3 working days" (en)."""
    one, many = WORKING_DAYS[locale_of(locale)]
    return f"{count} {one if count == 1 else many}"


def _words(locale: str, kind: str) -> Callable[[str], str]:
    table = WORDS[locale][kind]

    def word(value: str) -> str:
        if value not in table:
            raise ValueError(f"Unknown {kind} {value!r}; expected one of {', '.join(table)}.")
        return table[value]

    return word


class Notifications:
    """Renders notifications/<locale>/<name>.subject.j2, <name>.txt.j2 and <name>.html.j2."""

    def __init__(self, directory: Path, zone: ZoneInfo, *, reload: bool = True) -> None:
        self.directory = directory
        self.zone = zone
        # Checking every template file for changes on each render costs a stat() per file;
        # a production process reads them once (reload=False), development sees edits.
        self.reload = reload
        # One environment per locale, so the filters are bound to the language rendered.
        self._environments = {key: self._environment(key) for key in BABEL_LOCALES}

    def render(self, name: str, locale: str, context: Mapping[str, Any]) -> RenderedEmail:
        """Render the three parts of email ``name`` in ``locale`` (unknown locales: nb)."""
        key = locale_of(locale)
        subject, text, html = (self._render(key, name, part, context) for part in PARTS)
        return RenderedEmail(
            # One line that a mail header can carry, whatever a name holds (data from
            # before names were tidied may hold control characters).
            subject=shown(" ".join(subject.split()), SUBJECT_LENGTH),
            text=text.strip() + "\n",
            html=html.strip() + "\n",
        )

    def _render(self, locale: str, name: str, part: str, context: Mapping[str, Any]) -> str:
        template = f"{locale}/{name}.{part}.j2"
        if not (self.directory / template).is_file():
            raise LookupError(
                f"No notification template {self.directory / template}: "
                f"email {name!r} has no {part} part in {locale!r}."
            )
        return self._environments[locale].get_template(template).render(context)

    def _environment(self, locale: str) -> Environment:
        environment = Environment(
            loader=FileSystemLoader(self.directory),
            auto_reload=self.reload,
            undefined=StrictUndefined,
            autoescape=select_autoescape(
                enabled_extensions=("html.j2",), default_for_string=False, default=False
            ),
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
        )
        zone = self.zone
        environment.filters.update(
            date=lambda moment: format_date(moment, locale, zone),
            datetime=lambda moment: format_datetime(moment, locale, zone),
            money=lambda amount: format_money(amount, locale),
            number=lambda value: format_number(value, locale),
            names=lambda names: _names(names, locale),
            outcome=_words(locale, "outcome"),
            action=_words(locale, "action"),
            answer=_words(locale, "answer"),
            policy=_words(locale, "policy"),
            deadline_kind=_words(locale, "deadline_kind"),
            report_kind=_words(locale, "report_kind"),
            working_days=lambda count: format_working_days(count, locale),
        )
        return environment


def _names(names: Sequence[str], locale: str) -> str:
    """People as a sentence names them: "Hanne, Ola og Kari"."""
    return lists.format_list(list(names), locale=BABEL_LOCALES[locale])
