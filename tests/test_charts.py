"""Charts people can read: the SVG says what it shows, draws the data in order, links a
matrix cell to its risks, and carries the same numbers as a table.

The charts are pure functions; each test parses what a reader's browser would get.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import UTC, date, datetime
from decimal import Decimal
from html import unescape

from phasegate.domain.benefits import (
    Direction,
    IndicatorDefinition,
    Measurement,
    progress,
)
from phasegate.domain.plans import YearCosts
from phasegate.domain.risks import Scale
from phasegate.engine.business_case import IndicatorView, MeasurementView
from phasegate.web.charts import cost_plan_chart, nice_ticks, realisation_curve, risk_matrix

SVG = "{http://www.w3.org/2000/svg}"
TODAY = date(2026, 7, 1)


def parts(markup: str) -> tuple[ET.Element, str, list[list[str]]]:
    """The SVG as XML, the figure's caption, and the table's rows as text."""
    svg = ET.fromstring(re.search(r"<svg.*</svg>", markup, re.S)[0])  # type: ignore[index]  # noqa: S314 - our own SVG
    caption = unescape(re.search(r"<figcaption[^>]*>(.*?)</figcaption>", markup)[1])  # type: ignore[index]
    table = re.search(r"<tbody>(.*)</tbody>", markup, re.S)[0]  # type: ignore[index]
    rows = [
        [
            unescape(re.sub(r"<[^>]+>", "", cell)).strip()
            for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row)
        ]
        for row in re.findall(r"<tr>(.*?)</tr>", table)
    ]
    return svg, caption, rows


def named(svg: ET.Element, role: str = "img") -> tuple[str, str]:
    """The title and description the SVG's ``aria-labelledby`` points to."""
    assert svg.get("role") == role
    ids = (svg.get("aria-labelledby") or "").split()
    texts = {e.get("id"): e.text or "" for e in svg if e.get("id") in ids}
    assert [e.tag for e in svg[:2]] == [f"{SVG}title", f"{SVG}desc"]
    assert svg.get("viewBox", "").startswith("0 0 "), "a viewBox, so it scales down"
    return texts[ids[0]], texts[ids[1]]


def hours(
    direction: Direction, values: list[tuple[int, date]], name: str = "Timer"
) -> IndicatorView:
    baseline, target = (1200, 400) if direction is Direction.LOWER else (0, 1000)
    definition = IndicatorDefinition(
        "timer", direction, Decimal(baseline), date(2025, 1, 1), Decimal(target), date(2027, 1, 1)
    )
    kept = tuple(
        MeasurementView(n, Decimal(v), day, "", "form", datetime(2026, 1, 1, tzinfo=UTC), None)
        for n, (v, day) in enumerate(values)
    )
    found = progress(definition, [Measurement(m.value, m.measured_on) for m in kept], TODAY)
    return IndicatorView(1, 1, name, definition, None, (), 1, kept, found)


def test_a_realisation_curve_says_what_it_shows_and_draws_measurements_in_order() -> None:
    measured = [(1100, date(2025, 6, 1)), (900, date(2026, 1, 1)), (950, date(2026, 6, 1))]
    chart = realisation_curve(hours(Direction.LOWER, measured), "nb", TODAY)
    svg, caption, rows = parts(chart)
    title, description = named(svg)
    assert title == caption == "Realiseringskurve for Timer"
    assert "nullpunktet 1\u00a0200 timer" in description
    assert "målet 400 timer" in description
    assert "Lavere er bedre" in description
    assert "3 målinger" in description
    assert "31 prosent" in description

    points = [c for c in svg.iter(f"{SVG}circle") if c.get("class") == "pg-chart-point"]
    ys = [float(c.get("cy", 0)) for c in points]
    xs = [float(c.get("cx", 0)) for c in points]
    assert xs == sorted(xs), "left to right by date"
    # Higher values sit higher up (a smaller y): 1100 above 950 above 900.
    assert ys[0] < ys[2] < ys[1]
    assert [r[1] for r in rows] == ["Nullpunkt", "Måling", "Måling", "Måling", "Mål"]
    assert [r[2] for r in rows] == ["1\u00a0200", "1\u00a0100", "900", "950", "400"]
    assert "Mål: 400 timer" in ET.tostring(svg, encoding="unicode")


def test_a_curve_without_measurements_draws_the_plan_and_the_target() -> None:
    chart = realisation_curve(hours(Direction.HIGHER, []), "en", TODAY)
    svg, _, rows = parts(chart)
    _, description = named(svg)
    assert "No measurements yet." in description
    assert "By the plan it would be 747.9 timer today." in description
    assert not [c for c in svg.iter(f"{SVG}circle") if c.get("class") == "pg-chart-point"]
    plan = next(p for p in svg.iter(f"{SVG}polyline") if p.get("class") == "pg-chart-plan")
    ys = [float(pair.split(",")[1]) for pair in (plan.get("points") or "").split()]
    assert ys == sorted(ys, reverse=True), "higher is better: the plan climbs"
    assert [r[1] for r in rows] == ["Baseline", "Target"]


def test_every_text_in_a_chart_is_escaped() -> None:
    chart = realisation_curve(
        hours(Direction.HIGHER, [], name='<script>"x"&</script>'), "nb", TODAY
    )
    assert "<script>" not in chart
    svg, caption, _ = parts(chart)  # parses: the text did not break the XML
    assert named(svg)[0] == caption == 'Realiseringskurve for <script>"x"&</script>'


def test_the_risk_matrix_counts_each_cell_and_links_those_with_risks() -> None:
    scale = Scale()
    counts = [[0] * 5 for _ in range(5)]
    counts[4][4], counts[0][1], counts[2][2] = 3, 2, 1  # [probability − 1][consequence − 1]
    chart = risk_matrix(counts, scale, "nn", lambda p, c: f"/portfolio/risks?p={p}&c={c}")
    svg, caption, rows = parts(chart)
    title, description = named(svg, "group")  # its links are not hidden in an image
    assert title == caption
    assert "sannsyn" in title
    assert "6 opne risikoar" in description
    assert "3 i høg" in description

    shown = {
        (int(t.get("data-probability", 0)), int(t.get("data-consequence", 0))): int(t.text or 0)
        for t in svg.iter(f"{SVG}text")
        if t.get("data-probability")
    }
    assert shown == {(p, c): counts[p - 1][c - 1] for p in range(1, 6) for c in range(1, 6)}
    links = {a.get("href") for a in svg.iter(f"{SVG}a")}
    names = [a.get("aria-label", "") for a in svg.iter(f"{SVG}a")]
    assert "3 opne risikoar med sannsyn 5 og konsekvens 5" in names
    assert links == {
        "/portfolio/risks?p=5&c=5",
        "/portfolio/risks?p=1&c=2",
        "/portfolio/risks?p=3&c=3",
    }
    # Probability up the side: the top row is 5, and its last cell sits above row 1's.
    top = next(t for t in svg.iter(f"{SVG}text") if t.get("data-probability") == "5")
    bottom = next(t for t in svg.iter(f"{SVG}text") if t.get("data-probability") == "1")
    assert float(top.get("y", 0)) < float(bottom.get("y", 0))
    # The table: probability 5 first, the same counts, each with its band in words.
    assert [r[0] for r in rows] == ["5", "4", "3", "2", "1"]
    assert rows[0][5] == "3 Høg"
    assert rows[4][2] == "2 Låg"
    assert rows[2][3] == "1 Middels"
    assert 'href="/portfolio/risks?p=5&amp;c=5"' in chart, "the table links the same cells"


def test_the_cost_plan_hangs_savings_below_the_zero_line_and_tables_the_sums() -> None:
    years = [YearCosts(2026, 2_000_000, 0), YearCosts(2027, 500_000, -300_000)]
    chart = cost_plan_chart(years, "nb")
    svg, caption, rows = parts(chart)
    title, description = named(svg)
    assert title == caption == "Kostnadsplan per år"
    assert "2026 til 2027" in description
    assert "innsparing" in description
    bars = {
        (r.get("data-year"), r.get("class")): r
        for r in svg.iter(f"{SVG}rect")
        if r.get("data-year")
    }
    zero = float(
        next(
            line for line in svg.iter(f"{SVG}line") if line.get("class") == "pg-chart-zero-line"
        ).get("y1", 0)
    )
    saving = bars[("2027", "pg-chart-operating")]
    assert float(saving.get("y", 0)) == zero, "a saving starts at zero and hangs below it"
    high, low = bars[("2026", "pg-chart-investment")], bars[("2027", "pg-chart-investment")]
    assert float(high.get("height", 0)) > float(low.get("height", 0)) > 0
    assert rows == [
        ["2026", "2\u00a0000\u00a0000\u00a0kr", "0\u00a0kr", "2\u00a0000\u00a0000\u00a0kr"],
        ["2027", "500\u00a0000\u00a0kr", "-300\u00a0000\u00a0kr", "200\u00a0000\u00a0kr"],
    ]


def test_axis_ticks_are_round_and_cover_the_values() -> None:
    assert nice_ticks(Decimal(400), Decimal(1200)) == [
        Decimal(v) for v in (400, 600, 800, 1000, 1200)
    ]
    ticks = nice_ticks(Decimal(-300000), Decimal(2000000))
    assert ticks[0] <= -300000
    assert ticks[-1] >= 2000000
    assert Decimal(0) in ticks
    assert nice_ticks(Decimal(5), Decimal(5))[0] < 5 < nice_ticks(Decimal(5), Decimal(5))[-1]
