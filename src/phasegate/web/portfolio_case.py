"""The portfolio's benefits overview (``/portfolio/benefits``) and risk overview
(``/portfolio/risks``), and their exports (``.csv`` and ``.xlsx`` after the same path).

A page and its exports take the same query parameters, so an export holds every row
that matches the filters the page shows (all pages of them). Both overviews read the
portfolio, so they are for people who are signed in, like the overview's exports:
``PHASEGATE_PUBLIC_READ=overview`` publishes the overview (``/``) and nothing more.

Query parameters (all optional; ``lang`` and ``page``, from 1, on both):

* benefits: ``portfolio``, ``area``, ``phase``, ``kind``, ``status`` (derived: planned,
  realising, realised, not_realised), ``owner`` (a person's id, or ``none``: no owner);
* risks: ``portfolio``, ``area``, ``phase``, ``category``, ``kind`` (risk, opportunity),
  ``owner``, ``overdue=1`` (review date passed), and ``p`` and ``c``: one cell of the
  matrix (probability, consequence), for the list only.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response
from fastapi.templating import Jinja2Templates
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from phasegate.bootstrap import App
from phasegate.domain.benefits import BenefitKind, BenefitStatus
from phasegate.domain.risks import Band, RiskKind
from phasegate.engine.case_overviews import (
    BenefitFilters,
    BenefitRow,
    CaseOverviews,
    Choices,
    ProjectFilters,
    RiskFilters,
)
from phasegate.errors import NotFound
from phasegate.exports import excel_csv, sheet_value, shown
from phasegate.i18n import Words, locale_of, words
from phasegate.i18n.formats import format_datetime, format_number, format_short_date
from phasegate.web.access import Rule, guard
from phasegate.web.charts import risk_matrix
from phasegate.web.overview import attachment
from phasegate.web.params import MAX_ROW_ID, Lang

Text = Annotated[str | None, Query(max_length=200)]
Owner = Annotated[str | None, Query(pattern=r"^(\d{0,10}|none)$")]  # none: without owner
Step = Annotated[int | None, Query(ge=1, le=10)]
Page = Annotated[int, Query(ge=1, le=MAX_ROW_ID)]
Flag = Annotated[str | None, Query(pattern="^(1)?$")]
Status = Annotated[str | None, Query(pattern=f"^({'|'.join(BenefitStatus)})?$")]
Kind = Annotated[str | None, Query(pattern=f"^({'|'.join(BenefitKind)})?$")]
RiskKindParam = Annotated[str | None, Query(pattern=f"^({'|'.join(RiskKind)})?$")]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class Asked:
    """The query string as read: the page, its links and its exports share it."""

    locale: str
    params: dict[str, str]  # the filters given, as given
    page: int

    def query(self, **changes: str | int) -> str:
        """The query string of the same view with ``changes`` (a blank value drops one)."""
        merged = {"lang": self.locale, **self.params, **{k: str(v) for k, v in changes.items()}}
        return urlencode({k: v for k, v in merged.items() if v})

    def chosen(self, name: str) -> str:
        return self.params.get(name, "")


def _owner(value: str | None) -> tuple[int | None, bool]:
    if value == "none":
        return None, True
    if value and int(value) > MAX_ROW_ID:
        raise NotFound("owner", field="owner")
    return (int(value) if value else None), False


def _given(**params: str | int | None) -> dict[str, str]:
    return {k: str(v) for k, v in params.items() if v not in (None, "")}


def read_benefits_asked(
    lang: Lang = None,
    portfolio: Text = None,
    area: Text = None,
    phase: Text = None,
    status: Status = None,
    kind: Kind = None,
    owner: Owner = None,
    page: Page = 1,
) -> tuple[Asked, BenefitFilters]:
    owner_id, unowned = _owner(owner)
    filters = BenefitFilters(
        projects=ProjectFilters(portfolio or None, area or None, phase or None),
        status=BenefitStatus(status) if status else None,
        kind=BenefitKind(kind) if kind else None,
        owner=owner_id,
        unowned=unowned,
    )
    given = _given(
        portfolio=portfolio, area=area, phase=phase, status=status, kind=kind, owner=owner
    )
    return Asked(lang or "", given, page), filters


def read_risks_asked(
    lang: Lang = None,
    portfolio: Text = None,
    area: Text = None,
    phase: Text = None,
    category: Text = None,
    kind: RiskKindParam = None,
    owner: Annotated[str | None, Query(pattern=r"^\d{0,10}$")] = None,
    overdue: Flag = None,
    p: Step = None,
    c: Step = None,
    page: Page = 1,
) -> tuple[Asked, RiskFilters]:
    owner_id, _ = _owner(owner)
    filters = RiskFilters(
        projects=ProjectFilters(portfolio or None, area or None, phase or None),
        category=category or None,
        kind=RiskKind(kind) if kind else None,
        owner=owner_id,
        overdue=bool(overdue),
        probability=p,
        consequence=c,
    )
    given = _given(
        portfolio=portfolio,
        area=area,
        phase=phase,
        category=category,
        kind=kind,
        owner=owner,
        overdue=overdue,
        p=p,
        c=c,
    )
    return Asked(lang or "", given, page), filters


BenefitsAsked = Annotated[tuple[Asked, BenefitFilters], Depends(read_benefits_asked)]
RisksAsked = Annotated[tuple[Asked, RiskFilters], Depends(read_risks_asked)]


def portfolio_case_routes(app: App, templates: Jinja2Templates) -> APIRouter:
    """The two overviews and their exports; signed in."""
    router = APIRouter(dependencies=[guard(app, Rule.SIGNED_IN)])
    engine = app.engine
    default_locale = app.settings.locale.value
    zone = app.settings.zone

    def settled(asked: Asked) -> Asked:
        return Asked(asked.locale or default_locale, asked.params, asked.page)

    @router.api_route(
        "/portfolio/benefits",
        methods=["GET", "HEAD"],
        response_class=HTMLResponse,
        include_in_schema=False,
    )
    def benefits_page(request: Request, wanted: BenefitsAsked) -> HTMLResponse:
        asked, filters = wanted
        asked = settled(asked)
        found = engine.benefits_overview(filters, asked.page)
        return templates.TemplateResponse(
            request,
            "benefits_overview.html",
            {
                "locale": asked.locale,
                "asked": asked,
                "found": found,
                "choices": benefit_choices(asked, found.choices, words(asked.locale)),
                "status_tags": STATUS_TAGS,
                "day": lambda d: format_short_date(d, asked.locale) if d else "",
                "number": lambda v: format_number(v.normalize() if v else 0, asked.locale),
                "when": lambda moment: format_datetime(moment, asked.locale, zone),
            },
        )

    @router.api_route(
        "/portfolio/risks",
        methods=["GET", "HEAD"],
        response_class=HTMLResponse,
        include_in_schema=False,
    )
    def risks_page(request: Request, wanted: RisksAsked) -> HTMLResponse:
        asked, filters = wanted
        asked = settled(asked)
        found = engine.risks_overview(filters, asked.page)

        def cell(p: int, c: int) -> str:
            return "/portfolio/risks?" + asked.query(p=p, c=c, page="") + "#risks"

        chart = risk_matrix(found.matrix, found.scale, locale_of(asked.locale), cell)
        return templates.TemplateResponse(
            request,
            "risks_overview.html",
            {
                "locale": asked.locale,
                "asked": asked,
                "found": found,
                "chart": chart,
                "when": lambda moment: format_datetime(moment, asked.locale, zone),
                "choices": risk_choices(asked, found.choices, words(asked.locale)),
                "band_tags": BAND_TAGS,
                "day": lambda d: format_short_date(d, asked.locale) if d else "",
            },
        )

    @router.get("/portfolio/benefits.csv", include_in_schema=False)
    def benefits_csv(wanted: BenefitsAsked) -> Response:
        asked, filters = wanted
        t = words(settled(asked).locale)
        columns = benefit_columns(t)
        body = excel_csv(
            [h for h, _ in columns], _lines(columns, benefit_lines(engine, filters), t)
        )
        return attachment(body, "text/csv; charset=utf-8", "gevinster.csv")

    @router.get("/portfolio/benefits.xlsx", include_in_schema=False)
    def benefits_xlsx(wanted: BenefitsAsked) -> Response:
        asked, filters = wanted
        t = words(settled(asked).locale)
        columns = benefit_columns(t)
        body = xlsx_bytes(t("co_benefits_sheet"), columns, benefit_lines(engine, filters))
        return attachment(body, XLSX, "gevinster.xlsx")

    @router.get("/portfolio/risks.csv", include_in_schema=False)
    def risks_csv(wanted: RisksAsked) -> Response:
        asked, filters = wanted
        t = words(settled(asked).locale)
        columns = risk_columns(t)
        body = excel_csv([h for h, _ in columns], _lines(columns, engine.risks_export(filters), t))
        return attachment(body, "text/csv; charset=utf-8", "risikoer.csv")

    @router.get("/portfolio/risks.xlsx", include_in_schema=False)
    def risks_xlsx(wanted: RisksAsked) -> Response:
        asked, filters = wanted
        t = words(settled(asked).locale)
        body = xlsx_bytes(t("co_risks_sheet"), risk_columns(t), engine.risks_export(filters))
        return attachment(body, XLSX, "risikoer.xlsx")

    return router


# --- the filters ---------------------------------------------------------------------

#: The tag colour of a benefit's status and a risk's band (the word carries the meaning).
STATUS_TAGS = {
    BenefitStatus.PLANNED: "neutral",
    BenefitStatus.REALISING: "info",
    BenefitStatus.REALISED: "success",
    BenefitStatus.NOT_REALISED: "danger",
}
BAND_TAGS = {Band.LOW: "success", Band.MEDIUM: "warning", Band.HIGH: "danger"}
Choice = tuple[str, str, list[tuple[str, str]], str]


def _options(values: Sequence[str], words: Callable[[str], str] = str) -> list[tuple[str, str]]:
    return [(value, words(value)) for value in values]


def _project_choices(asked: Asked, found: Choices, t: Words) -> list[Choice]:
    phases = [(p, label.get(t.locale)) for p, label in found.phases]
    return [
        ("portfolio", t("portfolio_name"), _options(found.portfolios), asked.chosen("portfolio")),
        ("area", t("area"), _options(found.areas), asked.chosen("area")),
        ("phase", t("phase"), phases, asked.chosen("phase")),
    ]


def benefit_choices(asked: Asked, found: Choices, t: Words) -> list[Choice]:
    """The benefits overview's select boxes: name, label, options, and the chosen one."""
    kinds = _options(list(BenefitKind), lambda k: t(f"co_kind_{k}"))
    states = _options(list(BenefitStatus), lambda s: t(f"co_status_{s}"))
    owners = [("none", t("co_no_owner")), *((str(i), n) for i, n in found.owners)]
    return [
        *_project_choices(asked, found, t),
        ("kind", t("co_kind"), kinds, asked.chosen("kind")),
        ("status", t("status"), states, asked.chosen("status")),
        ("owner", t("co_benefit_owner"), owners, asked.chosen("owner")),
    ]


def risk_choices(asked: Asked, found: Choices, t: Words) -> list[Choice]:
    kinds = _options(list(RiskKind), lambda k: t(f"co_risk_kind_{k}"))
    owners = [(str(i), n) for i, n in found.owners]
    return [
        *_project_choices(asked, found, t),
        ("category", t("co_category"), _options(found.categories), asked.chosen("category")),
        ("kind", t("co_kind"), kinds, asked.chosen("kind")),
        ("owner", t("co_risk_owner"), owners, asked.chosen("owner")),
    ]


# --- the exports ------------------------------------------------------------------------

Cell = str | int | Decimal | date | None
Columns = list[tuple[str, Callable[[Any], Cell]]]


@dataclass(frozen=True)
class BenefitLine:
    """One line of the benefits export: a benefit's indicator (or the benefit alone)."""

    benefit: BenefitRow
    indicator: int  # its place among the benefit's indicators; -1: it has none


def benefit_lines(engine: CaseOverviews, filters: BenefitFilters) -> list[BenefitLine]:
    lines = []
    for row in engine.benefits_export(filters):
        places = range(len(row.indicators)) if row.indicators else [-1]
        lines += [BenefitLine(row, n) for n in places]
    return lines


def benefit_columns(t: Words) -> Columns:
    def ind(get: Callable[[Any], Cell]) -> Callable[[BenefitLine], Cell]:
        def value(line: BenefitLine) -> Cell:
            return None if line.indicator < 0 else get(line.benefit.indicators[line.indicator])

        return value

    return [
        (t("project"), lambda x: x.benefit.project),
        (t("portfolio_name"), lambda x: x.benefit.portfolio),
        (t("phase"), lambda x: x.benefit.phase_label.get(t.locale)),
        (t("co_benefit"), lambda x: x.benefit.title),
        (t("co_kind"), lambda x: t(f"co_kind_{x.benefit.kind}")),
        (t("co_benefit_owner"), lambda x: x.benefit.owner),
        (t("status"), lambda x: t(f"co_status_{x.benefit.status}")),
        (t("co_indicator"), ind(lambda i: i.name)),
        (t("co_unit"), ind(lambda i: i.definition.unit)),
        (t("co_baseline"), ind(lambda i: i.definition.baseline)),
        (t("co_baseline_on"), ind(lambda i: i.definition.baseline_on)),
        (t("co_target"), ind(lambda i: i.definition.target)),
        (t("co_target_on"), ind(lambda i: i.definition.target_on)),
        (t("co_latest"), ind(lambda i: i.progress.latest and i.progress.latest.value)),
        (t("co_measured_on"), ind(lambda i: i.progress.latest and i.progress.latest.measured_on)),
        (t("co_achievement_percent"), ind(lambda i: i.progress.percent)),
        (t("co_trend"), ind(lambda i: t(f"co_trend_{i.progress.trend}"))),
        (t("co_next_due"), lambda x: x.benefit.next_due),
    ]  # fmt: skip


def risk_columns(t: Words) -> Columns:
    return [
        (t("project"), lambda x: x.project),
        (t("portfolio_name"), lambda x: x.portfolio),
        (t("co_risk"), lambda x: x.risk.title),
        (t("co_kind"), lambda x: t(f"co_risk_kind_{x.risk.kind}")),
        (t("co_category"), lambda x: x.risk.category),
        (t("co_risk_owner"), lambda x: x.risk.owner),
        (t("co_probability"), lambda x: x.risk.probability),
        (t("co_consequence"), lambda x: x.risk.consequence),
        (t("co_score"), lambda x: x.risk.score),
        (t("co_probability_after"), lambda x: x.risk.probability_after),
        (t("co_consequence_after"), lambda x: x.risk.consequence_after),
        (t("co_score_after"), lambda x: x.risk.score_after),
        (t("co_band"), lambda x: t(f"chart_band_{x.risk.band}")),
        (t("co_response"), lambda x: t(f"co_response_{x.risk.response}")),
        (t("co_next_review"), lambda x: x.risk.next_review_on),
        (t("co_review_overdue"), lambda x: t("co_yes") if x.risk.review_overdue else ""),
    ]


def _lines(columns: Columns, rows: Sequence[Any], t: Words) -> list[list[Cell]]:
    """The CSV's cells: a decimal number with the reader's decimal mark, as their Excel
    reads it (a comma in Norwegian), and no grouping."""
    mark = "." if t.locale == "en" else ","

    def cell(value: Cell) -> Cell:
        if isinstance(value, Decimal):
            return format(value.normalize(), "f").replace(".", mark)
        return value

    return [[cell(value(row)) for _, value in columns] for row in rows]


def xlsx_bytes(title: str, columns: Columns, rows: Sequence[Any]) -> bytes:
    """One sheet, as the overview's: a bold, frozen header; dates as dates; text never a
    formula (:func:`~phasegate.exports.sheet_value`)."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None  # a new workbook always has its first sheet
    sheet.title = title[:31]
    sheet.append([header for header, _ in columns])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    widths = [len(header) for header, _ in columns]
    for number, row in enumerate(rows, start=2):
        for index, (_, get) in enumerate(columns):
            got = get(row)
            value = sheet_value(float(got) if isinstance(got, Decimal) else got)
            cell = sheet.cell(row=number, column=index + 1, value=value)
            if isinstance(value, str):
                cell.data_type = "s"
            elif isinstance(value, date):
                cell.number_format = "dd.mm.yyyy"
            widths[index] = max(widths[index], len(shown(value)))
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = min(width + 2, 60)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
