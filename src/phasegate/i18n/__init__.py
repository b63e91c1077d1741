"""Every word a person reads, in their language (*språk*): bokmål, nynorsk or English.

The words live in gettext catalogs, ``phasegate/locales/<locale>/LC_MESSAGES/*.po``, that
translators edit without reading Python. All the ``.po`` files of a locale make one
catalog. A message id is a stable key (``login_title``, ``error.not_permitted``), never
English prose, so a word missing from a catalog shows as its bare key and the tests see it.

- ``Locale`` is the one list of languages; ``locale_of`` reads a tag ("nn-NO", "en_GB").
- ``words(locale)`` is the catalog of one locale; ``words(locale)(key, **params)`` renders
  a message with its parameters, which are written as ``%(name)s`` in the catalogs.
- ``message(locale, code, params, zone)`` writes a refusal's code and parameters as a
  sentence (dates, times and amounts the reader's way).
- ``formats`` writes dates, times, money, numbers and working days the locale's way.

Bokmål is required and is the fallback: a key missing in nynorsk or English is looked up
in bokmål before it shows bare.
"""

from __future__ import annotations

from phasegate.i18n.catalog import (
    DEFAULT,
    LOCALES,
    Locale,
    Words,
    locale_of,
    message,
    override,
    pick,
    words,
)
from phasegate.i18n.locales import accepted, lang_query

__all__ = [
    "DEFAULT",
    "LOCALES",
    "Locale",
    "Words",
    "accepted",
    "lang_query",
    "locale_of",
    "message",
    "override",
    "pick",
    "words",
]
