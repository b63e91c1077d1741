"""The languages phasegate speaks: the one list, and reading a language tag."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal, get_args

Locale = Literal["nb", "nn", "en"]
"""Norwegian bokmål (the default and the fallback), Norwegian nynorsk, English."""

LOCALES: tuple[Locale, ...] = get_args(Locale)
DEFAULT: Locale = "nb"

# Tags people and programs send for each language: "no" and "nob" are bokmål in practice
# (browsers send "no" for a Norwegian system), "nno" nynorsk.
_ALIASES: dict[str, Locale] = {
    "nb": "nb",
    "no": "nb",
    "nob": "nb",
    "nor": "nb",
    "nn": "nn",
    "nno": "nn",
    "en": "en",
    "eng": "en",
}


def known(tag: object) -> Locale | None:
    """The locale a language tag names ("nn-NO", "en_GB", "no"), or None."""
    if not isinstance(tag, str):
        return None
    return _ALIASES.get(tag.strip().replace("_", "-").split("-")[0].lower())


def locale_of(tag: object, default: Locale = DEFAULT) -> Locale:
    """The locale a tag names; anything else is ``default``."""
    return known(tag) or default


def pick(*asked: object, default: object = DEFAULT) -> Locale:
    """The first of ``asked`` (``?lang=``, a person's language, ...) that names a locale,
    else ``default`` (the site's language, say), else bokmål."""
    return next((found for tag in asked if (found := known(tag))), locale_of(default))


def accepted(header: str | None, default: Locale = DEFAULT) -> Locale:
    """The locale an HTTP ``Accept-Language`` header prefers most, or ``default``."""
    choices: list[tuple[float, int, Locale]] = []
    for index, part in enumerate((header or "").split(",")):
        tag, _, params = part.partition(";")
        weight = 1.0
        for param in params.split(";"):
            name, _, value = param.partition("=")
            if name.strip() == "q":
                try:
                    weight = float(value)
                except ValueError:
                    weight = 0.0
        if (found := known(tag)) and weight > 0:
            choices.append((-weight, index, found))
    return min(choices)[2] if choices else default


def lang_query(query: Mapping[str, str], sep: str = "?") -> str:
    """``?lang=xx`` (or ``&lang=xx``) to keep the language a page was asked in (its
    ``query``) across a link or redirect; empty when it was asked for without one."""
    lang = known(query.get("lang"))
    return f"{sep}lang={lang}" if lang else ""
