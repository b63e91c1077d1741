"""Dates, times, money and numbers written the reader's way, through Babel's CLDR data.

"17. mai 2026 kl. 13.00" (bokmål and nynorsk), "17 May 2026 at 13:00" (English),
"1 234 567 kr". The patterns are explicit, so the output is exactly what Norwegian readers
expect rather than whatever CLDR's "long" format is this year.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from babel import Locale as BabelLocale
from babel import dates, lists, numbers

from phasegate.i18n.locales import Locale, locale_of

# Parsed once: Babel would otherwise parse the locale tag again for every date it writes.
BABEL: dict[Locale, BabelLocale] = {
    "nb": BabelLocale.parse("nb_NO"),
    "nn": BabelLocale.parse("nn_NO"),
    "en": BabelLocale.parse("en_GB"),
}

DATE_PATTERNS: dict[Locale, str] = {"nb": "d. MMMM y", "nn": "d. MMMM y", "en": "d MMMM y"}
#: For a table's cells, where a column must stay narrow: "14.04.2027", "14 Apr 2027".
SHORT_DATE_PATTERNS: dict[Locale, str] = {"nb": "dd.MM.y", "nn": "dd.MM.y", "en": "d MMM y"}
DATETIME_PATTERNS: dict[Locale, str] = {
    "nb": "d. MMMM y 'kl'. HH.mm",
    "nn": "d. MMMM y 'kl'. HH.mm",
    "en": "d MMMM y 'at' HH:mm",
}

# Whole kroner for whole amounts (budgets), øre only when there are any. U+00A0 between
# the amount and the currency keeps "kr" from wrapping onto a line of its own.
MONEY_PATTERNS: dict[Locale, tuple[str, str]] = {
    "nb": ("#,##0\u00a0¤", "#,##0.00\u00a0¤"),
    "nn": ("#,##0\u00a0¤", "#,##0.00\u00a0¤"),
    "en": ("¤¤\u00a0#,##0", "¤¤\u00a0#,##0.00"),
}
CURRENCY = "NOK"


def babel_locale(locale: str) -> BabelLocale:
    """Babel's locale for ours (unknown tags: bokmål)."""
    return BABEL[locale_of(locale)]


def _local(moment: datetime, zone: ZoneInfo) -> datetime:
    # Naive times are a bug here: storage reads everything back aware, in UTC, and a
    # naive one would be shown in the wrong zone without anyone noticing.
    if moment.tzinfo is None:
        raise ValueError(f"Cannot format the naive datetime {moment}: pass an aware one.")
    return moment.astimezone(zone)


def format_date(moment: datetime | date, locale: str, zone: ZoneInfo) -> str:
    """The day ``moment`` falls on in ``zone``: "17. mai 2026" (nb, nn), "17 May 2026" (en).

    A plain date is a local day already (a digest's day, say) and is written as it is.
    """
    key = locale_of(locale)
    if isinstance(moment, datetime) or not isinstance(moment, date):
        # Through _local, which refuses a naive time and lets an undefined variable fail.
        day = _local(moment, zone).date()
    else:
        day = moment
    return dates.format_date(day, DATE_PATTERNS[key], locale=BABEL[key])


def format_short_date(day: date, locale: str) -> str:
    """A day in a table: "14.04.2027" (nb, nn), "14 Apr 2027" (en)."""
    key = locale_of(locale)
    return dates.format_date(day, SHORT_DATE_PATTERNS[key], locale=BABEL[key])


def format_datetime(moment: datetime, locale: str, zone: ZoneInfo) -> str:
    """Date and clock time in ``zone``: "17. mai 2026 kl. 13.00" (nb), "... at 13:00" (en)."""
    key = locale_of(locale)
    return dates.format_datetime(
        _local(moment, zone), DATETIME_PATTERNS[key], tzinfo=zone, locale=BABEL[key]
    )


def format_money(amount: int | float | Decimal, locale: str) -> str:
    """Kroner: "1 234 567 kr" (nb, U+00A0 between groups), "NOK 1,234,567" (en)."""
    key = locale_of(locale)
    whole, with_ore = MONEY_PATTERNS[key]
    value = amount if isinstance(amount, Decimal) else Decimal(str(amount))
    pattern = whole if value == value.to_integral_value() else with_ore
    return numbers.format_currency(
        value, CURRENCY, pattern, locale=BABEL[key], currency_digits=False
    )


def format_number(value: int | float | Decimal, locale: str) -> str:
    """A number with the locale's grouping and decimal mark: "1 234 567,5" (nb)."""
    return numbers.format_decimal(value, locale=BABEL[locale_of(locale)])


def format_list(items: Sequence[str], locale: str) -> str:
    """Things as a sentence lists them: "Hanne, Ola og Kari"."""
    return lists.format_list(list(items), locale=BABEL[locale_of(locale)])


def month_names(locale: str) -> list[str]:
    """The twelve months, "januar" to "desember", as a calendar's heading writes them."""
    names = dates.get_month_names("wide", "stand-alone", locale=BABEL[locale_of(locale)])
    return [names[month] for month in range(1, 13)]


def weekday(day: date, locale: str) -> str:
    """The day of the week: "mandag" (nb), "måndag" (nn), "Monday" (en)."""
    return dates.format_date(day, "EEEE", locale=BABEL[locale_of(locale)])
