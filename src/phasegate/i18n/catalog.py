"""The catalogs: every ``.po`` file of a locale, read once, as one table of messages.

A message's placeholders are ``%(name)s``, as ``jinja2.ext.i18n`` writes them, so a
literal per cent sign is ``%%``. Python code and templates format the same way.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from babel.messages.pofile import read_po

from phasegate.i18n.formats import format_date, format_datetime, format_list, format_number
from phasegate.i18n.locales import DEFAULT, LOCALES, Locale, locale_of, pick

__all__ = ["DEFAULT", "LOCALES", "Locale", "Words", "locale_of", "message", "pick", "words"]

DIRECTORY = Path(__file__).resolve().parent.parent / "locales"

Table = dict[str, str | tuple[str, ...]]

# Tests put a whole catalog in place of a locale's (the pseudo-locale test): see override.
_OVERRIDES: dict[Locale, Table] = {}


def read_table(locale: Locale, directory: Path = DIRECTORY) -> Table:
    """Every translated message in ``directory/<locale>/LC_MESSAGES/*.po``."""
    table: Table = {}
    for path in sorted((directory / locale / "LC_MESSAGES").glob("*.po")):
        with path.open("rb") as file:
            catalog = read_po(file, locale=locale)
        for entry in catalog:
            if not entry.id or not entry.string or entry.fuzzy:
                continue
            if isinstance(entry.id, tuple | list):
                string = entry.string
                forms = string if isinstance(string, tuple | list) else (string,)
                table[str(entry.id[0])] = tuple(str(form) for form in forms)
            else:
                table[str(entry.id)] = str(entry.string)
    return table


class Words:
    """One locale's catalog, with bokmål under it for anything it lacks."""

    def __init__(self, locale: Locale, table: Table, fallback: Table) -> None:
        self.locale = locale
        self._table = table
        self._fallback = fallback

    def __contains__(self, key: object) -> bool:
        return key in self._table or key in self._fallback

    def gettext(self, key: str) -> str:
        """The message as the catalog writes it (placeholders unfilled); the bare key if
        no catalog has it, which the tests catch."""
        found = self._table.get(key, self._fallback.get(key, key))
        return found[0] if isinstance(found, tuple) else found

    def ngettext(self, key: str, plural: str, count: int) -> str:
        """The singular or the plural of a message (nb, nn and en: one, or any other)."""
        found = self._table.get(key, self._fallback.get(key))
        if isinstance(found, tuple):
            return found[0] if count == 1 or len(found) == 1 else found[1]
        return found if isinstance(found, str) else (key if count == 1 else plural)

    def __call__(self, key: str, /, **params: object) -> str:
        """The message with its parameters filled in."""
        return self.gettext(key) % params if params else self.gettext(key).replace("%%", "%")

    def get(self, key: str, default: str = "", /, **params: object) -> str:
        """The message for ``key`` if the catalog has one, else ``default`` (a code from
        stored data that a newer or older version wrote, say)."""
        return self(key, **params) if key in self else default

    def plural(self, key: str, plural: str, count: int, /, **params: object) -> str:
        """``count`` things: "1 arbeidsdag", "3 arbeidsdagar"."""
        return self.ngettext(key, plural, count) % {"num": count, **params}


@functools.cache
def _table(locale: Locale) -> Table:
    return read_table(locale)


def words(locale: str | None) -> Words:
    """The catalog of ``locale`` (unknown ones: bokmål)."""
    key = locale_of(locale)
    base = _OVERRIDES.get(DEFAULT) or _table(DEFAULT)
    return Words(key, _OVERRIDES.get(key) or _table(key), base)


@contextmanager
def override(locale: Locale, table: Mapping[str, str | tuple[str, ...]]) -> Iterator[None]:
    """Use ``table`` as the whole catalog of ``locale`` for a while (tests only)."""
    _OVERRIDES[locale] = dict(table)
    try:
        yield
    finally:
        del _OVERRIDES[locale]


def shown_param(value: object, locale: Locale, zone: ZoneInfo) -> object:
    """A parameter as a sentence writes it: times in the reader's zone, numbers grouped."""
    if isinstance(value, datetime):
        return format_datetime(value, locale, zone)
    if isinstance(value, date):
        return format_date(value, locale, zone)
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float | Decimal):
        return format_number(value, locale)
    if isinstance(value, list | tuple):
        return format_list([str(shown_param(item, locale, zone)) for item in value], locale)
    return value


def message(
    locale: str | None,
    code: str,
    params: Mapping[str, Any] | None = None,
    zone: ZoneInfo | None = None,
) -> str:
    """A refusal in words: the catalog's ``error.<code>`` with its parameters written the
    reader's way. Times are shown in ``zone`` (UTC when none is given)."""
    catalog = words(locale)
    where = zone or ZoneInfo("UTC")
    values = {
        name: shown_param(value, catalog.locale, where) for name, value in (params or {}).items()
    }
    return catalog.gettext(f"error.{code}") % _Lenient(values)


class _Lenient(dict[str, object]):
    """Parameters for ``%``: one a message does not name is ignored, and one it names but
    the error lacks shows as an empty string rather than failing the page."""

    def __missing__(self, key: str) -> object:
        return ""


def working_days(count: int, locale: str | None) -> str:
    """A count of working days: "1 virkedag", "3 virkedager" (nb); "3 working days" (en)."""
    return words(locale).plural("working_day", "working_days", count)
