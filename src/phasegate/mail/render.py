"""Rendering notifications: templates in ``notifications/`` become a subject, text and HTML.

The templates live outside the package, at the top of the repository, because people who
are not programmers edit them. Dates, numbers and money go through Babel so an email reads
the Norwegian way ("17. mai 2026 kl. 13.00", "1 234 567 kr"). Every environment is strict:
a template that names a variable the caller did not pass fails when rendered, which the
tests do for every template, so it fails there and not in someone's inbox.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from phasegate.domain.text import shown
from phasegate.i18n import LOCALES, Locale, locale_of, words
from phasegate.i18n.catalog import working_days
from phasegate.i18n.formats import (
    format_date,
    format_datetime,
    format_list,
    format_money,
    format_number,
)

# The filters that put a word from the catalog into an email (``{{ outcome|outcome }}``):
# each names the catalog's keys ``email_<filter>_<value>``.
WORD_FILTERS = ("outcome", "action", "answer", "policy", "deadline_kind", "report_kind")

PARTS = ("subject", "txt", "html")
SUBJECT_LENGTH = 500  # the outbox's column


@dataclass(frozen=True)
class RenderedEmail:
    """One email, ready to be built into a MIME message."""

    subject: str  # one line, no newline
    text: str  # the plain-text part
    html: str  # the HTML part: a small full document, inline CSS only, no scripts


def _words(locale: str, kind: str) -> Callable[[str], str]:
    def word(value: str) -> str:
        catalog = words(locale)
        key = f"email_{kind}_{value}"
        if key not in catalog:
            raise ValueError(f"Unknown {kind} {value!r}: the catalog has no {key}.")
        return catalog(key)

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
        self._environments = {key: self._environment(key) for key in LOCALES}

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

    def _render(self, locale: Locale, name: str, part: str, context: Mapping[str, Any]) -> str:
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
            names=lambda names: format_list(names, locale),
            working_days=lambda count: working_days(count, locale),
            **{kind: _words(locale, kind) for kind in WORD_FILTERS},
        )
        return environment
