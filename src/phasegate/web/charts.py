"""Charts people can read (*figurer*): server-side SVG, with the same data as a table.

Pure functions: data and a locale in, :class:`~markupsafe.Markup` out. Each chart is a
``<figure>`` holding an ``<svg role="img">`` named by its ``<title>`` and described by
its ``<desc>`` (a sentence with the figures that matter), a caption, and a table of the
numbers drawn (in ``<details>``, so a screen reader, a spreadsheet copier and a printed
board paper all have them). No JavaScript. A risk matrix whose cells link to their risks
is ``role="group"`` instead: an image's parts are hidden from assistive technology, and
its links must not be (axe: nested-interactive).

Colour is never the only signal: lines are solid or dashed, bars plain or hatched, risk
bands plain, dotted or hatched, and every series is named in a legend in words. The
colours are Designsystemet's variables, set in ``static/charts.css``; the attributes
carry plain fallbacks, so a chart still reads without the stylesheet. Every text is
escaped; every label is kept inside the ``viewBox``, which lets a chart shrink to 375 px.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_FLOOR, Decimal

from markupsafe import Markup, escape

from phasegate.domain.benefits import Direction, IndicatorDefinition, expected_on
from phasegate.domain.plans import YearCosts
from phasegate.domain.risks import Band, Scale
from phasegate.engine.business_case import IndicatorView
from phasegate.i18n import Locale, Words, words
from phasegate.i18n.formats import format_money, format_number, format_short_date
from phasegate.web.static import static_url

#: The ids on one page must differ; a chart takes the next number.
_serial = itertools.count(1)
#: An average glyph's width as a share of the font size, to keep labels inside the box.
GLYPH = 0.62
FONT = 12


@dataclass(frozen=True)
class Box:
    """The plot area inside the viewBox."""

    left: float
    top: float
    right: float
    bottom: float

    @property
    def width(self) -> float:
        return self.right - self.left

    @property
    def height(self) -> float:
        return self.bottom - self.top


# --- the realisation curve ------------------------------------------------------------


def realisation_curve(indicator: IndicatorView, locale: Locale, today: date) -> Markup:
    """An indicator's way from baseline to target: the plan as a dashed straight line
    (:func:`~phasegate.domain.benefits.expected_on`), the measurements as points on a
    solid line, the target marked, and today."""
    t = words(locale)
    d = indicator.definition
    measured = sorted(indicator.measurements, key=lambda m: (m.measured_on, m.id))
    first = min([d.baseline_on, *(m.measured_on for m in measured)])
    last = max([d.target_on, *(m.measured_on for m in measured)])
    values = [d.baseline, d.target, *(m.value for m in measured)]
    ticks = nice_ticks(min(values), max(values))
    labels = [number(v, locale) for v in ticks]
    width, height = 480, 300
    box = Box(12 + text_width(labels), 30, width - 20, height - 62)
    x = _dates(first, last, box)
    y = _scale(ticks[0], ticks[-1], box.bottom, box.top)
    unit = d.unit

    parts = _axes_y(ticks, labels, y, box)
    span = (last - first).days
    tick_days = [first + timedelta(days=round(span * i / 3)) for i in range(4)] if span else [first]
    for n, day in enumerate(tick_days):
        anchor = "start" if n == 0 else "end" if n == len(tick_days) - 1 else "middle"
        parts.append(_tick_x(x(day), box, format_short_date(day, locale), anchor))
    plan_days = sorted({first, d.baseline_on, d.target_on, last})
    plan = [(x(day), y(expected_on(d, day))) for day in plan_days]
    parts.append(_polyline(plan, "pg-chart-plan", stroke="#5b5d60", dash="6 4"))
    if box.left <= x(today) <= box.right:
        at = x(today)
        parts.append(
            f'<line class="pg-chart-today" x1="{at:.1f}" y1="{box.top:.1f}" x2="{at:.1f}" '
            f'y2="{box.bottom:.1f}" stroke="#77797b" stroke-dasharray="2 3"/>'
        )
        anchor, shift = ("end", -3) if at > box.left + box.width * 0.8 else ("start", 3)
        parts.append(_text(at + shift, box.top + 10, t("chart_today"), anchor, "pg-chart-note"))
    points = [(x(m.measured_on), y(m.value)) for m in measured]
    if len(points) > 1:
        parts.append(_polyline(points, "pg-chart-measured", stroke="#0062ba"))
    for m, (px, py) in zip(measured, points, strict=True):
        label = t("chart_point", value=number(m.value, locale), unit=unit)
        parts.append(
            f'<circle class="pg-chart-point" cx="{px:.1f}" cy="{py:.1f}" r="4" fill="#0062ba" '
            f'data-value="{m.value}"><title>{escape(label)} '
            f"({escape(format_short_date(m.measured_on, locale))})</title></circle>"
        )
    tx, ty = x(d.target_on), y(d.target)
    parts.append(
        f'<path class="pg-chart-target" d="M{tx:.1f} {ty - 6:.1f} l6 6 l-6 6 l-6 -6 z" '
        f'fill="#ffffff" stroke="#24272b" stroke-width="2"/>'
    )
    target_text = t("chart_target_at", value=number(d.target, locale), unit=unit)
    above = ty - 10 if ty - 10 > FONT else ty + 20
    anchor = _anchor(tx, target_text, width)
    parts.append(_text(tx, above, target_text, anchor, "pg-chart-label"))
    parts.append(
        _legend(
            [
                ("line", "pg-chart-measured", t("chart_measured")),
                ("dash", "pg-chart-plan", t("chart_plan")),
                ("diamond", "pg-chart-target", t("chart_target")),
            ],
            height - 12,
            width,
        )
    )

    title = t("chart_curve_title", name=indicator.name)
    description = curve_description(indicator, locale, today, t)
    rows = [(d.baseline_on, t("chart_baseline"), d.baseline)]
    rows += [(m.measured_on, t("chart_measurement"), m.value) for m in measured]
    rows.append((d.target_on, t("chart_target"), d.target))
    rows.sort(key=lambda r: r[0])
    table = _table(
        [t("chart_date"), t("chart_what"), t("chart_value", unit=unit), t("chart_plan_value")],
        [
            [
                format_short_date(day, locale),
                what,
                number(value, locale),
                number(planned(d, day), locale),
            ]
            for day, what, value in rows
        ],
        numeric={2, 3},
    )
    return _figure(width, height, title, description, parts, table, t, "curve")


def curve_description(indicator: IndicatorView, locale: Locale, today: date, t: Words) -> str:
    """The curve in words: the plan, the direction, and where the latest measurement is."""
    d = indicator.definition
    sentences = [
        t(
            "chart_curve_plan",
            baseline=number(d.baseline, locale),
            baseline_on=format_short_date(d.baseline_on, locale),
            target=number(d.target, locale),
            target_on=format_short_date(d.target_on, locale),
            unit=d.unit,
        ),
        t("chart_direction_higher")
        if d.direction is Direction.HIGHER
        else t("chart_direction_lower"),
    ]
    progress = indicator.progress
    if progress.latest is None or progress.percent is None:
        sentences.append(t("chart_curve_unmeasured"))
    else:
        sentences.append(
            t(
                "chart_curve_latest",
                count=len(indicator.measurements),
                value=number(progress.latest.value, locale),
                on=format_short_date(progress.latest.measured_on, locale),
                unit=d.unit,
                percent=format_number(progress.percent, locale),
            )
        )
    sentences.append(
        t("chart_curve_expected", value=number(planned(d, today), locale), unit=d.unit)
    )
    return " ".join(sentences)


def planned(definition: IndicatorDefinition, day: date) -> Decimal:
    """Where the plan says the indicator is on ``day``, to a tenth, for reading."""
    return expected_on(definition, day).quantize(Decimal("0.1"))


# --- the risk matrix ------------------------------------------------------------------


def risk_matrix(
    matrix: list[list[int]],
    scale: Scale,
    locale: Locale,
    link: Callable[[int, int], str | None],
) -> Markup:
    """Counts per cell, probability up the side (highest at the top), consequence along
    the bottom; a cell's band is its colour and its pattern, and a cell with risks links
    to them (``link(probability, consequence)``; None: no link)."""
    t = words(locale)
    cell_w, cell_h = 52, 38
    box = Box(58, 12, 58 + cell_w * scale.consequence, 12 + cell_h * scale.probability)
    width, height = int(box.right) + 12, int(box.bottom) + 72
    parts: list[str] = []
    counts = dict.fromkeys(Band, 0)
    linked = False
    for p in range(scale.probability, 0, -1):
        top = box.top + (scale.probability - p) * cell_h
        parts.append(_text(box.left - 8, top + cell_h / 2 + 4, str(p), "end", "pg-chart-tick"))
        for c in range(1, scale.consequence + 1):
            left = box.left + (c - 1) * cell_w
            count = matrix[p - 1][c - 1]
            band = scale.band(p * c)
            counts[band] += count
            cell = (
                f'<rect class="pg-band-{band}" x="{left:.1f}" y="{top:.1f}" width="{cell_w}" '
                f'height="{cell_h}" fill="{BAND_FILL[band]}" stroke="#ffffff" stroke-width="2"/>'
                f"{_band_pattern(band, left, top, cell_w, cell_h)}"
                f'<text class="pg-chart-count{"" if count else " pg-chart-zero"}" '
                f'x="{left + cell_w / 2:.1f}" y="{top + cell_h / 2 + 5:.1f}" '
                f'text-anchor="middle" font-size="14" stroke="#ffffff" stroke-width="4" '
                f'paint-order="stroke" data-probability="{p}" data-consequence="{c}">{count}</text>'
            )
            href = link(p, c) if count else None
            if href:
                # The name starts with the count the cell shows (WCAG 2.5.3).
                label = t("chart_cell", count=count, probability=p, consequence=c)
                cell = f'<a href="{escape(href)}" aria-label="{escape(label)}">{cell}</a>'
                linked = True
            parts.append(cell)
    for c in range(1, scale.consequence + 1):
        left = box.left + (c - 0.5) * cell_w
        parts.append(_text(left, box.bottom + 16, str(c), "middle", "pg-chart-tick"))
    parts.append(_text(box.left + box.width / 2, box.bottom + 34, t("chart_consequence"), "middle"))
    middle = box.top + box.height / 2
    parts.append(
        f'<text class="pg-chart-axis-title" x="14" y="{middle:.1f}" text-anchor="middle" '
        f'transform="rotate(-90 14 {middle:.1f})" font-size="{FONT}">'
        f"{escape(t('chart_probability'))}</text>"
    )
    parts.append(
        _legend(
            [("band-" + band, f"pg-band-{band}", t(f"chart_band_{band}")) for band in Band],
            height - 12,
            width,
        )
    )
    total = sum(counts.values())
    title = t("chart_matrix_title")
    description = t(
        "chart_matrix_desc",
        total=total,
        probability=scale.probability,
        consequence=scale.consequence,
        high=counts[Band.HIGH],
        medium=counts[Band.MEDIUM],
        low=counts[Band.LOW],
    )
    header = [t("chart_probability"), *(str(c) for c in range(1, scale.consequence + 1))]
    body: list[list[str | Markup]] = []
    for p in range(scale.probability, 0, -1):
        row: list[str | Markup] = [str(p)]
        for c in range(1, scale.consequence + 1):
            count = matrix[p - 1][c - 1]
            href = link(p, c) if count else None
            named = t(f"chart_band_{scale.band(p * c)}")
            shown = (
                Markup('<a class="ds-link" href="{}">{}</a>').format(href, count)
                if href
                else str(count)
            )
            row.append(Markup('{} <span class="pg-sub">{}</span>').format(shown, named))
        body.append(row)
    table = _table(header, body, numeric=set(), corner=t("chart_matrix_corner"))
    # A picture with links in it is a group of links to assistive technology, not an
    # image (an image's parts are hidden from it, and links must not be).
    role = "group" if linked else "img"
    return _figure(width, height, title, description, parts, table, t, "matrix", role)


BAND_FILL = {Band.LOW: "#d7efdd", Band.MEDIUM: "#fbefc5", Band.HIGH: "#f8d4d4"}


def _band_pattern(band: Band, left: float, top: float, w: int, h: int) -> str:
    """The band as a texture too: low plain, medium dotted, high hatched."""
    if band is Band.LOW:
        return ""
    kind = "dots" if band is Band.MEDIUM else "hatch"
    return (
        f'<rect class="pg-chart-{kind}" x="{left:.1f}" y="{top:.1f}" width="{w}" '
        f'height="{h}" fill="url(#{{serial}}-{kind})"/>'
    )


# --- the cost plan --------------------------------------------------------------------


def cost_plan_chart(years: Sequence[YearCosts], locale: Locale) -> Markup:
    """Bars per year for investment (plain) and operating effects (hatched); a saving is
    negative and hangs below the zero line."""
    t = words(locale)
    title = t("chart_costs_title")
    if not years:
        return Markup(
            '<figure class="pg-figure"><figcaption>{}</figcaption>'
            '<p class="ds-paragraph">{}</p></figure>'
        ).format(title, t("chart_costs_empty"))
    amounts = [Decimal(v) for y in years for v in (y.investment, y.operating)]
    ticks = nice_ticks(min([Decimal(0), *amounts]), max([Decimal(0), *amounts]))
    labels = [money_tick(v, t, locale) for v in ticks]
    width, height = 480, 280
    box = Box(12 + text_width(labels), 16, width - 12, height - 58)
    y = _scale(ticks[0], ticks[-1], box.bottom, box.top)
    parts = _axes_y(ticks, labels, y, box)
    slot = box.width / len(years)
    bar = min(28.0, slot * 0.36)
    zero = y(Decimal(0))
    for n, year in enumerate(years):
        middle = box.left + slot * (n + 0.5)
        for kind, amount, left in (
            ("investment", year.investment, middle - bar - 1),
            ("operating", year.operating, middle + 1),
        ):
            top, bottom = sorted((y(Decimal(amount)), zero))
            label = t(f"chart_{kind}") + ": " + format_money(amount, locale)
            fill = "#0062ba" if kind == "investment" else "url(#{serial}-hatch)"
            parts.append(
                f'<rect class="pg-chart-{kind}" x="{left:.1f}" y="{top:.1f}" width="{bar:.1f}" '
                f'height="{max(bottom - top, 0.5):.1f}" fill="{fill}" stroke="#0062ba" '
                f'data-year="{year.year}" data-amount="{amount}"><title>{year.year}: '
                f"{escape(label)}</title></rect>"
            )
        if len(years) <= 12 or n % 2 == 0:
            parts.append(_text(middle, box.bottom + 16, str(year.year), "middle", "pg-chart-tick"))
    parts.append(
        f'<line class="pg-chart-zero-line" x1="{box.left:.1f}" y1="{zero:.1f}" '
        f'x2="{box.right:.1f}" y2="{zero:.1f}" stroke="#24272b" stroke-width="1.5"/>'
    )
    parts.append(
        _legend(
            [
                ("bar", "pg-chart-investment", t("chart_investment")),
                ("hatch", "pg-chart-operating", t("chart_operating")),
            ],
            height - 12,
            width,
        )
    )
    description = t(
        "chart_costs_desc",
        first=years[0].year,
        last=years[-1].year,
        investment=format_money(sum(y.investment for y in years), locale),
        operating=format_money(sum(y.operating for y in years), locale),
    )
    table = _table(
        [t("chart_year"), t("chart_investment"), t("chart_operating"), t("chart_total")],
        [
            [
                str(y.year),
                format_money(y.investment, locale),
                format_money(y.operating, locale),
                format_money(y.total, locale),
            ]
            for y in years
        ],
        numeric={1, 2, 3},
    )
    return _figure(width, height, title, description, parts, table, t, "costs")


def money_tick(value: Decimal, t: Words, locale: Locale) -> str:
    """An axis label for kroner: millions as "12,5 mill.", smaller amounts in full."""
    if value and abs(value) >= 1_000_000:
        return t("chart_millions", n=format_number((value / 1_000_000).normalize(), locale))
    return format_number(value, locale)


# --- scales and ticks -----------------------------------------------------------------


def nice_ticks(low: Decimal, high: Decimal, count: int = 5) -> list[Decimal]:
    """Round values from at or below ``low`` to at or above ``high``, 3 to 7 of them."""
    if high < low:
        low, high = high, low
    if high == low:
        pad = abs(low) / 10 if low else Decimal(1)
        low, high = low - pad, high + pad
    raw = (high - low) / (count - 1)
    power = Decimal(10) ** (raw.adjusted())
    step = next(power * f for f in (1, 2, Decimal("2.5"), 5, 10) if power * f >= raw)
    start = (low / step).to_integral_value(rounding=ROUND_FLOOR) * step
    ticks = [start]
    while ticks[-1] < high:
        ticks.append(ticks[-1] + step)
    return [tick.normalize() if tick else Decimal(0) for tick in ticks]


def number(value: Decimal, locale: Locale) -> str:
    """A value the reader's way, without trailing zeros ("1 234,5")."""
    return format_number(value.normalize() if value else Decimal(0), locale)


def text_width(labels: Iterable[str], size: int = FONT) -> float:
    return max((len(label) for label in labels), default=1) * size * GLYPH


def _scale(low: Decimal, high: Decimal, start: float, end: float) -> Callable[[Decimal], float]:
    span = float(high - low) or 1.0

    def at(value: Decimal) -> float:
        return start + (float(value - low) / span) * (end - start)

    return at


def _dates(first: date, last: date, box: Box) -> Callable[[date], float]:
    span = (last - first).days or 1

    def at(day: date) -> float:
        return box.left + (day - first).days / span * box.width

    return at


def _anchor(x: float, label: str, width: int) -> str:
    """How to anchor a label at ``x`` so that it stays inside the viewBox."""
    half = len(label) * FONT * GLYPH / 2
    if x + half > width - 2:
        return "end"
    if x - half < 2:
        return "start"
    return "middle"


def _axes_y(
    ticks: Sequence[Decimal], labels: Sequence[str], y: Callable[[Decimal], float], box: Box
) -> list[str]:
    parts = []
    for tick, label in zip(ticks, labels, strict=True):
        at = y(tick)
        parts.append(
            f'<line class="pg-chart-grid" x1="{box.left:.1f}" y1="{at:.1f}" '
            f'x2="{box.right:.1f}" y2="{at:.1f}" stroke="#d9dadb"/>'
        )
        parts.append(_text(box.left - 6, at + 4, label, "end", "pg-chart-tick"))
    parts.append(
        f'<line class="pg-chart-axis" x1="{box.left:.1f}" y1="{box.top:.1f}" '
        f'x2="{box.left:.1f}" y2="{box.bottom:.1f}" stroke="#5b5d60"/>'
    )
    return parts


def _tick_x(at: float, box: Box, label: str, anchor: str) -> str:
    return (
        f'<line class="pg-chart-axis" x1="{at:.1f}" y1="{box.bottom:.1f}" x2="{at:.1f}" '
        f'y2="{box.bottom + 4:.1f}" stroke="#5b5d60"/>'
        + _text(at, box.bottom + 18, label, anchor, "pg-chart-tick")
    )


def _text(
    x: float, y: float, label: str, anchor: str = "start", cls: str = "pg-chart-axis-title"
) -> str:
    return (
        f'<text class="{cls}" x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" '
        f'font-size="{FONT}" fill="#1e2022">{escape(label)}</text>'
    )


def _polyline(points: Sequence[tuple[float, float]], cls: str, stroke: str, dash: str = "") -> str:
    drawn = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
    dashes = f' stroke-dasharray="{dash}"' if dash else ""
    return (
        f'<polyline class="{cls}" points="{drawn}" fill="none" stroke="{stroke}" '
        f'stroke-width="2.5"{dashes}/>'
    )


def _legend(items: Sequence[tuple[str, str, str]], y: float, width: int) -> str:
    """Swatches with their words in a row, centred; a swatch repeats the line, the dash,
    the marker or the texture of its series."""
    widths = [22 + len(label) * FONT * GLYPH + 14 for _, _, label in items]
    x = max(4.0, (width - sum(widths)) / 2)
    parts = ['<g class="pg-chart-legend">']
    for (kind, cls, label), step in zip(items, widths, strict=True):
        parts.append(_swatch(kind, cls, x, y))
        parts.append(_text(x + 22, y + 4, label, "start", "pg-chart-legend-text"))
        x += step
    parts.append("</g>")
    return "".join(parts)


def _swatch(kind: str, cls: str, x: float, y: float) -> str:
    if kind in ("line", "dash"):
        dash = ' stroke-dasharray="5 3"' if kind == "dash" else ""
        colour = "#0062ba" if kind == "line" else "#5b5d60"
        return (
            f'<line class="{cls}" x1="{x:.1f}" y1="{y:.1f}" x2="{x + 18:.1f}" y2="{y:.1f}" '
            f'stroke="{colour}" stroke-width="2.5"{dash}/>'
        )
    if kind == "diamond":
        return (
            f'<path class="{cls}" d="M{x + 9:.1f} {y - 6:.1f} l6 6 l-6 6 l-6 -6 z" '
            f'fill="#ffffff" stroke="#24272b" stroke-width="2"/>'
        )
    box = f'x="{x:.1f}" y="{y - 6:.1f}" width="18" height="12"'
    if kind == "bar":
        return f'<rect class="{cls}" {box} fill="#0062ba"/>'
    if kind == "hatch":
        return f'<rect class="{cls}" {box} fill="url(#{{serial}}-hatch)" stroke="#0062ba"/>'
    band = Band(kind.removeprefix("band-"))
    texture = _band_pattern(band, x, y - 6, 18, 12)
    return f'<rect class="{cls}" {box} fill="{BAND_FILL[band]}" stroke="#77797b"/>{texture}'


def _patterns(serial: str) -> str:
    return (
        f'<defs><pattern id="{serial}-hatch" width="6" height="6" patternUnits="userSpaceOnUse" '
        f'patternTransform="rotate(45)"><line class="pg-chart-texture" x1="0" y1="0" x2="0" '
        f'y2="6" stroke="#24272b" stroke-width="1" stroke-opacity="0.35"/></pattern>'
        f'<pattern id="{serial}-dots" width="8" height="8" patternUnits="userSpaceOnUse">'
        f'<circle class="pg-chart-texture" cx="4" cy="4" r="1.1" fill="#24272b" '
        f'fill-opacity="0.45"/></pattern></defs>'
    )


# --- the figure -----------------------------------------------------------------------


def _figure(
    width: int,
    height: int,
    title: str,
    description: str,
    parts: Sequence[str],
    table: Markup,
    t: Words,
    kind: str,
    role: str = "img",
) -> Markup:
    serial = f"pg-chart-{next(_serial)}"
    body = "".join(parts).replace("{serial}", serial)
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="pg-chart pg-chart-{kind}" '
        f'viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="{role}" '
        f'aria-labelledby="{serial}-title {serial}-desc" font-family="inherit">'
        f'<title id="{serial}-title">{escape(title)}</title>'
        f'<desc id="{serial}-desc">{escape(description)}</desc>'
        f"{_patterns(serial)}{body}</svg>"
    )
    return Markup(
        '<link rel="stylesheet" href="{css}"><figure class="pg-figure">{svg}'
        '<figcaption class="pg-figure-caption">{title}</figcaption>'
        '<details class="pg-figure-data"><summary>{show}</summary>{table}</details></figure>'
    ).format(
        css=static_url("charts.css"),
        svg=Markup(svg),  # noqa: S704 - built above from escaped text and numbers only
        title=title,
        show=t("chart_show_table"),
        table=table,
    )


def _table(
    header: Sequence[str],
    rows: Sequence[Sequence[str | Markup]],
    numeric: set[int],
    corner: str | None = None,
) -> Markup:
    """A plain data table; the first column heads its row."""
    head = Markup("").join(
        Markup('<th scope="col"{}>{}</th>').format(
            Markup(' class="pg-number"') if n in numeric else "", label
        )
        for n, label in enumerate(header)
    )
    if corner is not None:
        head = Markup('<tr><td></td><th scope="colgroup" colspan="{}">{}</th></tr><tr>{}').format(
            len(header) - 1, corner, head
        )
    else:
        head = Markup("<tr>{}").format(head)
    body = Markup("").join(
        Markup("<tr>{}</tr>").format(
            Markup("").join(
                Markup('<th scope="row">{}</th>').format(cell)
                if n == 0
                else Markup("<td{}>{}</td>").format(
                    Markup(' class="pg-number"') if n in numeric else "", cell
                )
                for n, cell in enumerate(row)
            )
        )
        for row in rows
    )
    return Markup(
        '<table class="ds-table pg-figure-table" data-size="sm"><thead>{}</tr></thead>'
        "<tbody>{}</tbody></table>"
    ).format(head, body)
