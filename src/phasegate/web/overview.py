"""The portfolio overview page (``/``) and its exports (``/export.csv``, ``/export.xlsx``).

All three take the same query parameters (``phase``, ``area``, ``owner``, ``status``,
``sort``, ``dir``, ``lang``), so an export holds exactly the rows the page shows, in the
same order.

The CSV is for Norwegian Excel: UTF-8 with a byte order mark (without it Excel reads
"Ø" as "Ã˜") and ``;`` between fields (Norwegian Excel uses the comma as the decimal
sign, so it expects semicolons). Dates are ISO 8601 (2026-05-17), which Excel reads in
any locale. Text that Excel would run as a formula (starting with = + - @) is written
with a leading apostrophe in the CSV, and as plain text in the workbook.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Annotated
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response
from fastapi.templating import Jinja2Templates
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from phasegate.bootstrap import App
from phasegate.domain.reports import Colour, Dimension
from phasegate.engine.overview import (
    SORT_KEYS,
    STATUSES,
    Filters,
    Overview,
    OverviewRow,
    Sort,
    read_overview,
)
from phasegate.errors import NotFound
from phasegate.exports import excel_csv, sheet_value, shown
from phasegate.i18n import Words, words
from phasegate.i18n.formats import format_short_date
from phasegate.web.access import Rule, guard
from phasegate.web.params import MAX_ROW_ID, Lang

Text = Annotated[str | None, Query(max_length=200)]
OwnerId = Annotated[str | None, Query(pattern=r"^\d{0,10}$")]  # blank: everyone
Status = Annotated[str | None, Query(pattern=f"^({'|'.join(STATUSES)})?$")]
SortKey = Annotated[str, Query(pattern=f"^({'|'.join(SORT_KEYS)})$")]
Direction = Annotated[str, Query(pattern="^(asc|desc)$")]
LIGHTS = frozenset(str(d) for d in Dimension)
FILLS = {Colour.GREEN: "DCFCE7", Colour.YELLOW: "FEF9C3", Colour.RED: "FEE2E2"}


@dataclass(frozen=True)
class Asked:
    """What the query string asks for; the page, the links and the exports share it."""

    locale: str
    filters: Filters
    sort: Sort

    def query(self, **changes: str) -> str:
        """The query string for the same view, with ``changes`` made."""
        f = self.filters
        params = {
            "lang": self.locale,
            "phase": f.phase or "",
            "area": f.area or "",
            "owner": "" if f.owner is None else str(f.owner),
            "status": f.status or "",
            "portfolio": f.portfolio or "",
            "sort": self.sort.key,
            "dir": "desc" if self.sort.descending else "asc",
        } | changes
        return urlencode({k: v for k, v in params.items() if v})

    def sort_query(self, key: str) -> str:
        """Sorting by ``key``: ascending first, and again to turn the order around."""
        turn = key == self.sort.key and not self.sort.descending
        return self.query(sort=key, dir="desc" if turn else "asc")

    def aria_sort(self, key: str) -> str | None:
        if key != self.sort.key:
            return None
        return "descending" if self.sort.descending else "ascending"


@dataclass(frozen=True)
class Column:
    """A column of the exports: its key (for sorting), header and value."""

    key: str
    header: str
    value: Callable[[OverviewRow], str | int | date | None]


def export_columns(t: Words, locale: str, zone: ZoneInfo) -> list[Column]:
    def day(moment: datetime | None) -> date | None:
        return None if moment is None else moment.astimezone(zone).date()

    def light(dimension: Dimension) -> Callable[[OverviewRow], str | None]:
        def colour(row: OverviewRow) -> str | None:
            found = row.lights.get(dimension)
            return None if found is None else t(f"report_colour_{found.colour}")

        return colour

    return [
        Column("name", t("project"), lambda r: r.name),
        Column("portfolio", t("portfolio_name"), lambda r: r.portfolio),
        Column("owner", t("owner"), lambda r: r.owner),
        Column("leader", t("leader"), lambda r: r.leader),
        Column("phase", t("phase"), lambda r: r.phase_label.get(locale)),
        Column("area", t("area"), lambda r: r.development_area),
        Column("status", t("status"), lambda r: t.get(r.status, r.status)),
        *(Column(str(d), words(locale)(f"report_dimension_{d}"), light(d)) for d in Dimension),
        Column("age", t("overview_report_published"), lambda r: day(r.report_published_at)),
        Column("age", t("report_age_days"), lambda r: r.report_age_days),
        Column("gate", t("open_gate"), lambda r: r.open_gate),
        Column("gate_due", t("gate_due"), lambda r: day(r.open_gate_due)),
        Column("deadline", t("next_deadline"), lambda r: day(r.next_deadline)),
    ]


def choices(
    wanted: Asked, found: Overview, t: Words
) -> list[tuple[str, str, list[tuple[str, str]], str]]:
    """The filters' select boxes: name, label, (value, text) options, and the chosen value."""
    f, locale = wanted.filters, wanted.locale
    return [
        ("portfolio", t("portfolio_name"), [(p, p) for p in found.portfolios], f.portfolio or ""),
        ("phase", t("phase"), [(p, label.get(locale)) for p, label in found.phases], f.phase or ""),
        ("area", t("area"), [(a, a) for a in found.areas], f.area or ""),
        ("owner", t("owner"), [(str(i), n) for i, n in found.owners], str(f.owner or "")),
        ("status", t("status"), [(s, t(s)) for s in found.statuses], f.status or ""),
    ]


def by_portfolio(rows: Iterable[OverviewRow]) -> list[tuple[str | None, list[OverviewRow]]]:
    """The rows under their portfolio, portfolios by name and those in none last; each
    group keeps the order the reader sorted by."""
    groups: dict[str | None, list[OverviewRow]] = {}
    for row in rows:
        groups.setdefault(row.portfolio, []).append(row)
    named = sorted((p for p in groups if p is not None), key=str.casefold)
    return [(p, groups[p]) for p in named] + ([(None, groups[None])] if None in groups else [])


def read_asked(
    lang: Lang = None,
    phase: Text = None,
    area: Text = None,
    owner: OwnerId = None,
    status: Status = None,
    portfolio: Text = None,
    sort: SortKey = "name",
    dir: Direction = "asc",
) -> Asked:
    """The query string, read once for the page and the exports alike."""
    if owner and int(owner) > MAX_ROW_ID:
        raise NotFound("owner", field="owner")
    return Asked(
        locale=lang or "",
        filters=Filters(
            phase=phase or None,
            area=area or None,
            owner=int(owner) if owner else None,
            status=status or None,
            portfolio=portfolio or None,
        ),
        sort=Sort(sort, descending=dir == "desc"),
    )


Wanted = Annotated[Asked, Depends(read_asked)]


def overview_routes(app: App, templates: Jinja2Templates) -> APIRouter:
    """The overview page (signed in, or anyone when the portfolio is published:
    ``PHASEGATE_PUBLIC_READ=overview``) and its CSV and Excel exports (signed in)."""
    router = APIRouter()
    default_locale = app.settings.locale.value
    zone = app.settings.zone

    def resolved(wanted: Asked) -> tuple[Asked, Words, Overview]:
        """The request with its language settled, the words, and the overview it asks for."""
        wanted = replace(wanted, locale=wanted.locale or default_locale)
        found = read_overview(app.engine, wanted.filters, wanted.sort, zone)
        return wanted, words(wanted.locale), found

    @router.api_route(
        "/",
        methods=["GET", "HEAD"],
        response_class=HTMLResponse,
        include_in_schema=False,
        dependencies=[guard(app, Rule.OVERVIEW)],
    )
    def overview_page(request: Request, wanted: Wanted) -> HTMLResponse:
        wanted, t, found = resolved(wanted)
        locale = wanted.locale

        written: dict[date, str] = {}  # Babel is slow, and deadlines share their days

        def day(moment: datetime | None) -> str:
            if moment is None:
                return ""
            local = moment.astimezone(zone).date()
            if local not in written:
                written[local] = format_short_date(local, locale)
            return written[local]

        def age(days: int | None) -> str:
            if days is None:
                return ""
            if days == 0:
                return t("age_today")
            return t("age_day") if days == 1 else t("age_days", n=days)

        return templates.TemplateResponse(
            request,
            "overview.html",
            {
                "locale": locale,
                "asked": wanted,
                "overview": found,
                "summary": found.summary(),
                "choices": choices(wanted, found, t),
                "groups": by_portfolio(found.rows),
                "dimensions": [(str(d), words(locale)(f"report_dimension_{d}")) for d in Dimension],
                "day": day,
                "age": age,
            },
        )

    exports = [guard(app, Rule.SIGNED_IN)]

    @router.get("/export.csv", include_in_schema=False, dependencies=exports)
    def export_csv(wanted: Wanted) -> Response:
        wanted, t, found = resolved(wanted)
        body = csv_bytes(export_columns(t, wanted.locale, zone), found.rows)
        return attachment(body, "text/csv; charset=utf-8", "portefolje.csv")

    @router.get("/export.xlsx", include_in_schema=False, dependencies=exports)
    def export_xlsx(wanted: Wanted) -> Response:
        wanted, t, found = resolved(wanted)
        body = xlsx_bytes(export_columns(t, wanted.locale, zone), found.rows, t)
        return attachment(
            body,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "portefolje.xlsx",
        )

    return router


def csv_bytes(columns: list[Column], rows: tuple[OverviewRow, ...]) -> bytes:
    """The overview for Excel, one line per row after the header."""
    header = [column.header for column in columns]
    return excel_csv(header, ([column.value(row) for column in columns] for row in rows))


def xlsx_bytes(columns: list[Column], rows: tuple[OverviewRow, ...], t: Words) -> bytes:
    """One sheet: a bold, frozen header row; dates as dates; traffic lights filled; text
    as :func:`~phasegate.exports.sheet_value` makes it, so no stored value can fail it."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None  # a new workbook always has its first sheet
    sheet.title = t("sheet")
    sheet.append([column.header for column in columns])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    colour_of = {t(f"report_colour_{c}"): c for c in Colour}
    widths = [len(column.header) for column in columns]
    for number, row in enumerate(rows, start=2):
        for index, column in enumerate(columns):
            value = sheet_value(column.value(row))
            cell = sheet.cell(row=number, column=index + 1, value=value)
            if isinstance(value, str):
                cell.data_type = "s"  # never a formula, whatever the text starts with
                if column.key in LIGHTS and value in colour_of:
                    fill = FILLS[colour_of[value]]
                    cell.fill = PatternFill(start_color=fill, end_color=fill, fill_type="solid")
            elif isinstance(value, date):
                cell.number_format = "dd.mm.yyyy"
            widths[index] = max(widths[index], len(shown(value)))
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = min(width + 2, 60)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def attachment(body: bytes, media_type: str, filename: str) -> Response:
    return Response(
        body,
        media_type=media_type,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
