"""The PMO's lists of units and competences, and the business case's spreadsheets: the
import page (upload, dry run, import) and the exports.

Every route here is the PMO's and the admins' (rule ``office``); the engine checks the
same again. An import is checked first (the dry run): its problems are listed row by row
and nothing is written. A clean dry run offers the import, carrying the file in the page
(small files; a larger one is chosen again), and the import checks it once more inside its
one transaction.
"""

from __future__ import annotations

import base64
import binascii
import io
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, Response
from fastapi.templating import Jinja2Templates
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from phasegate.bootstrap import App
from phasegate.engine.signin import Principal
from phasegate.errors import PhasegateError, RegisterInvalid, say_problem
from phasegate.exports import excel_csv, sheet_value, shown
from phasegate.i18n import words
from phasegate.portfolio.case_plan import CasePlan
from phasegate.portfolio.case_table import (
    COLUMNS,
    KINDS,
    RowProblem,
    export_value,
    header,
    sheet_name,
)
from phasegate.web.access import Rule, SignedIn, guard
from phasegate.web.admin import admin_page, back_to
from phasegate.web.overview import attachment
from phasegate.web.params import MAX_ROW_ID, Line, RowId
from phasegate.web.refusals import reader_locale

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
#: The most an upload may hold, all files together.
MAX_UPLOAD = 5_000_000
#: The most a checked upload may be to travel on in the page to the import button (a
#: form field holds at most 1 MB, and base64 makes it a third larger).
MAX_CARRIED = 700_000

Record = Mapping[str, Any]
TermName = Annotated[Line, Form(max_length=120)]
TermKind = Annotated[Line, Form(pattern="^(unit|competence)$")]
ProjectQuery = Annotated[int | None, Query(ge=1, le=MAX_ROW_ID, description="a project's id")]


# --- writing the spreadsheets -----------------------------------------------------------


def case_workbook(tables: Mapping[str, Sequence[Record]], locale: str) -> bytes:
    """One workbook, a sheet per kind: a bold, frozen header row (the reader's words and
    each column's key); choices in words, numbers as numbers, days as days."""
    book = Workbook()
    first = book.active
    for kind in KINDS:
        sheet = book.create_sheet(sheet_name(kind, locale)[:31])
        columns = COLUMNS[kind]
        titles = [header(c.key, locale) for c in columns]
        sheet.append(titles)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        sheet.freeze_panes = "A2"
        widths = [len(t) for t in titles]
        for number, record in enumerate(tables.get(kind, ()), start=2):
            for index, column in enumerate(columns):
                value = sheet_value(export_value(kind, column.key, record.get(column.key), locale))
                cell = sheet.cell(row=number, column=index + 1, value=value)
                if isinstance(value, str):
                    cell.data_type = "s"  # never a formula, whatever the text starts with
                elif isinstance(value, date):
                    cell.number_format = "yyyy-mm-dd"
                widths[index] = max(widths[index], min(len(shown(value)), 60))
        for index, width in enumerate(widths, start=1):
            sheet.column_dimensions[get_column_letter(index)].width = width + 2
    if first is not None:
        book.remove(first)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def case_csv(kind: str, records: Sequence[Record], locale: str) -> bytes:
    """One kind as CSV for Excel (``;``, UTF-8 with a byte order mark, formulas defused)."""
    columns = COLUMNS[kind]
    return excel_csv(
        [header(c.key, locale) for c in columns],
        ([export_value(kind, c.key, r.get(c.key), locale) for c in columns] for r in records),
    )


def csv_name(kind: str) -> str:
    """A kind's CSV file name: its key, which the import knows it by."""
    return f"{kind}.csv"


# --- the pages ---------------------------------------------------------------------------


def case_admin_routes(app: App, templates: Jinja2Templates) -> APIRouter:
    engine = app.engine
    router = APIRouter(prefix="/admin", dependencies=[guard(app, Rule.OFFICE)])
    default_locale = app.settings.locale.value
    zone = app.settings.zone

    def locale_of(request: Request) -> str:
        return reader_locale(request, default_locale)

    def terms_page(
        request: Request, me: Principal, error: Mapping[str, str] | None = None, status: int = 200
    ) -> Response:
        by_kind: dict[str, list[Any]] = {"unit": [], "competence": []}
        for term in engine.terms():
            by_kind.setdefault(term.kind, []).append(term)
        return admin_page(
            app,
            templates,
            request,
            me,
            "case_admin_terms.html",
            status,
            terms=by_kind,
            done=request.query_params.get("done") == "1",
            error=error or {},
        )

    def saved(request: Request, me: Principal, where: str, change: Any) -> Response:
        """Do the change; the page again with the refusal beside its form if refused."""
        try:
            change()
        except RegisterInvalid as exc:
            locale = locale_of(request)
            said = " ".join(say_problem(p, locale, zone) for p in exc.problems)
            return terms_page(request, me, {"where": where, "words": said}, exc.status)
        return back_to(request, "/admin/terms")

    @router.get("/terms", response_class=HTMLResponse, include_in_schema=False)
    def terms(me: SignedIn, request: Request) -> Response:
        """The units and competences people plans are made of."""
        return terms_page(request, me)

    @router.post("/terms", include_in_schema=False)
    def add_term(me: SignedIn, request: Request, kind: TermKind, name: TermName) -> Response:
        return saved(
            request, me, f"add-{kind}", lambda: engine.save_term(kind, name, actor=me.person)
        )

    @router.post("/terms/{term_id}", include_in_schema=False)
    def change_term(
        me: SignedIn,
        request: Request,
        term_id: RowId,
        kind: TermKind,
        name: TermName,
        active: Annotated[bool, Form()] = True,
    ) -> Response:
        """Rename, retire (``active=false``) or restore a unit or competence."""
        return saved(
            request,
            me,
            f"term-{term_id}",
            lambda: engine.save_term(kind, name, term=term_id, active=active, actor=me.person),
        )

    def import_page(
        request: Request,
        me: Principal,
        plan: CasePlan | None = None,
        *,
        applied: Mapping[str, int] | None = None,
        carried: Sequence[tuple[str, str]] = (),
        refused: str = "",
        status: int = 200,
    ) -> Response:
        locale = locale_of(request)
        return admin_page(
            app,
            templates,
            request,
            me,
            "case_admin_import.html",
            status,
            plan=plan,
            problems=[] if plan is None else [_problem_row(p, locale) for p in plan.problems],
            counts={} if plan is None else plan.counts(),
            applied=applied,
            carried=carried,
            refused=refused,
            kinds=KINDS,
            projects=engine.portfolio(),
            max_upload=MAX_UPLOAD,
        )

    @router.get("/case-import", response_class=HTMLResponse, include_in_schema=False)
    def case_import(me: SignedIn, request: Request) -> Response:
        """Upload a business-case spreadsheet; export one to start from."""
        return import_page(request, me)

    @router.post("/case-import", response_class=HTMLResponse, include_in_schema=False)
    def case_import_check(
        me: SignedIn,
        request: Request,
        # A file input left empty comes as an empty text, not a file.
        file: Annotated[list[UploadFile | str] | None, File()] = None,
        kept: Annotated[list[Annotated[Line, Form(max_length=1_000_000)]] | None, Form()] = None,
        kept_name: Annotated[list[Annotated[Line, Form(max_length=300)]] | None, Form()] = None,
        action: Annotated[Line, Form(pattern="^(check|apply)$")] = "check",
    ) -> Response:
        """Check the files (the dry run: nothing is written), or import them."""
        files = _uploaded(file or [], kept or [], kept_name or [])
        if isinstance(files, str):
            return import_page(request, me, refused=words(locale_of(request))(files), status=422)
        plan = engine.check_case_files(files)
        total = sum(len(data) for _, data in files)
        carried = (
            [(name, base64.b64encode(data).decode()) for name, data in files]
            if plan.ok and total <= MAX_CARRIED
            else []
        )
        if action == "check" or not plan.ok:
            status = 200 if plan.ok else 422
            return import_page(request, me, plan, carried=carried, status=status)
        try:
            applied = engine.import_case(plan, actor=me.person)
        except PhasegateError as exc:
            refusal = exc.say(locale_of(request), zone)
            return import_page(request, me, plan, refused=refusal, status=exc.status)
        return import_page(request, me, plan, applied=applied)

    @router.get("/case-export.xlsx", include_in_schema=False)
    def case_export_xlsx(request: Request, project: ProjectQuery = None) -> Response:
        """Every project's (or one project's) benefits, indicators, measurements, risks and
        plans: a sheet each."""
        body = case_workbook(engine.case_tables(project), locale_of(request))
        name = "business-case" if project is None else f"business-case-{project}"
        return attachment(body, XLSX, f"{name}.xlsx")

    @router.get("/case-export.csv", include_in_schema=False)
    def case_export_csv(
        request: Request,
        kind: Annotated[
            str, Query(pattern="^(benefits|indicators|measurements|risks|costs|people)$")
        ] = "benefits",
        project: ProjectQuery = None,
    ) -> Response:
        """One kind of row as CSV (benefits unless ``kind`` says), named by its kind so
        that the import knows it."""
        records = engine.case_tables(project)[kind]
        body = case_csv(kind, records, locale_of(request))
        return attachment(body, "text/csv; charset=utf-8", csv_name(kind))

    return router


def _uploaded(
    files: Sequence[UploadFile | str], kept: Sequence[str], names: Sequence[str]
) -> list[tuple[str, bytes]] | str:
    """The files sent, or carried on from the dry run; a word key when there are none or
    they are too large."""
    found: list[tuple[str, bytes]] = []
    for upload in files:
        if isinstance(upload, str):
            continue
        data = upload.file.read(MAX_UPLOAD + 1)
        if upload.filename or data:
            found.append((upload.filename or "upload", data))
    if not found:
        try:
            found = [
                (name, base64.b64decode(text, validate=True))
                for name, text in zip(names, kept, strict=False)
            ]
        except (binascii.Error, ValueError):
            found = []
    if not found:
        return "case_import_no_file"
    if sum(len(data) for _, data in found) > MAX_UPLOAD:
        return "case_import_too_large"
    return found


def _problem_row(problem: RowProblem, locale: str) -> dict[str, Any]:
    """One problem as the page's table shows it: where (``file:sheet:row``), the column
    as the file names it, and the words."""
    return {
        "where": problem.where(),
        "column": problem.column or "",
        "words": say_problem(problem.problem, locale),
    }
