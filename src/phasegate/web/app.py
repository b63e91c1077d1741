"""The FastAPI application. Routes are thin: read the request, ask the engine, render."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from starlette.exceptions import HTTPException as StarletteHTTPException

from phasegate.bootstrap import App, build
from phasegate.domain.text import encodable, shown
from phasegate.engine.unit import ValueUnstorable
from phasegate.errors import NotSignedIn, PhasegateError, say_problem
from phasegate.i18n import LOCALES, Words, pick, words
from phasegate.i18n import jinja as i18n_jinja
from phasegate.scheduler import background_scheduler
from phasegate.settings import Settings
from phasegate.web.access import Rule, guard
from phasegate.web.admin import admin_routes
from phasegate.web.admin_webhooks import admin_webhook_routes
from phasegate.web.api import api_routes
from phasegate.web.business_case import business_case_routes
from phasegate.web.calendar import calendar_routes
from phasegate.web.case_admin import case_admin_routes
from phasegate.web.case_api import case_api_routes
from phasegate.web.decisions import decision_routes
from phasegate.web.health import health_routes
from phasegate.web.links import link_routes
from phasegate.web.mailbox import mailbox_routes
from phasegate.web.overview import overview_routes
from phasegate.web.params import Lang
from phasegate.web.portfolio_case import portfolio_case_routes
from phasegate.web.project_reports import project_report_routes
from phasegate.web.projects import project_routes
from phasegate.web.refusals import reader_locale, refusal_answer
from phasegate.web.report_api import report_api_routes
from phasegate.web.reports import report_routes
from phasegate.web.request_log import RequestLog
from phasegate.web.signin import account_routes, signin_routes
from phasegate.web.static import StaticDir, static_url
from phasegate.web.tags import tag_colour
from phasegate.web.webhook_api import webhook_api_routes
from phasegate.web.wheel import wheel_routes
from phasegate.web.workflows import workflow_routes

TEMPLATE_DIR = Path(__file__).with_name("templates")
log = logging.getLogger(__name__)

# The framework's own errors, in the API's error shape.
HTTP_ERRORS: dict[int, tuple[str, str]] = {
    400: ("bad_request", "The request body could not be read: send well-formed JSON or form data."),
    404: ("not_found", "There is nothing at this address."),
    405: ("method_not_allowed", "This address does not accept that method."),
    422: ("invalid_request", "A value in the request is too large or too long."),
}


@asynccontextmanager
async def _lifespan(app: App) -> AsyncIterator[None]:
    """Unless a separate `phasegate scheduler` does it, this process runs the scheduler:
    the annual cycle's ticks, and delivering the outbox when SMTP is configured."""
    if not app.settings.scheduler_in_web:
        yield
        return
    scheduler = background_scheduler(app)
    scheduler.start()
    try:
        yield
    finally:
        scheduler.shutdown(wait=True)


# Sync routes run on a threadpool of 40 threads: 20 pooled connections plus 20 overflow
# give each thread one, and the 20 kept open spare PostgreSQL a new backend per burst.
WEB_POOL_SIZE = 20


def served(settings: Settings) -> FastAPI:
    """The app as ``phasegate serve`` serves it: built from ``settings`` with a
    connection pool sized for the web server's threads."""
    return create_app(build(settings, pool_size=WEB_POOL_SIZE))


IDS: tuple[object, ...] = (int, int | None)  # the query parameters that name a row


def names_nothing(route: object, loc: Sequence[Any]) -> bool:
    """Whether a validation error is in the address's path, or in an id in its query:
    then the address names nothing that exists."""
    if loc[:1] == ("path",):
        return True
    if loc[:1] != ("query",) or len(loc) < 2:
        return False
    dependant = getattr(route, "dependant", None)
    fields = dependant.query_params if dependant is not None else []
    return any(field.alias == loc[1] and field.field_info.annotation in IDS for field in fields)


def field_of(error: Mapping[str, Any]) -> str:
    """Where a validation error is (``name``, ``answers.item-x.comment``), safe to repeat:
    a key sent by the caller may itself be anything."""
    return ".".join(shown(part, 60) for part in error["loc"] if part != "body")


def field_problem(error: Mapping[str, Any], catalog: Words) -> str:
    """One field's problem in the reader's words, with what the error knows (the
    character and its position, the longest length allowed)."""
    context = {key: shown(value) for key, value in (error.get("ctx") or {}).items()}
    kind = f"field_{error['type']}"
    field = field_of(error)
    # A form's field by the name its label gives it ("comment_item-x" is a comment).
    label = next(
        (key for key in (f"label_{field}", f"label_{field.split('_')[0]}") if key in catalog),
        None,
    )
    named = catalog(label) if label else field
    try:
        return catalog(kind if kind in catalog else "field_invalid", **context, field=named)
    except (KeyError, ValueError, TypeError):
        return catalog("field_invalid", field=named)


def sign_in_first(request: Request, exc: PhasegateError) -> RedirectResponse | None:
    """A browser that asks for a page without being signed in goes to the sign-in page,
    and comes back after."""
    browser = "text/html" in request.headers.get("accept", "")
    if not isinstance(exc, NotSignedIn) or not browser or request.method not in ("GET", "HEAD"):
        return None
    target = quote(request.url.path + (f"?{request.url.query}" if request.url.query else ""))
    lang = request.query_params.get("lang")
    language = f"&lang={lang}" if lang in LOCALES else ""  # the sign-in page speaks it
    return RedirectResponse(f"/login?next={target}{language}", status_code=303)


def _add_middleware(web: FastAPI, app: App) -> None:
    """Outermost, so it times the whole request: the request id, access log and count."""
    web.add_middleware(RequestLog, metrics=app.metrics)


def page_templates(app: App) -> Jinja2Templates:
    """The pages' templates, with the catalog (``_``), the static files and the clock."""
    templates = Jinja2Templates(directory=TEMPLATE_DIR)
    zone = app.settings.zone
    # Times are stored in UTC; people read them in the organisation's time zone.
    templates.env.filters["local"] = lambda moment: moment.astimezone(zone)
    templates.env.filters["tag_colour"] = tag_colour
    templates.env.globals["mailbox"] = app.settings.dev_mailbox_enabled
    templates.env.globals["static_url"] = static_url
    templates.env.globals["now"] = app.engine.clock  # a printed page says when it was printed
    i18n_jinja.install(templates.env)
    return templates


def create_app(app: App) -> FastAPI:
    web = FastAPI(title="phasegate", version="0.1.0", lifespan=lambda _web: _lifespan(app))
    engine = app.engine
    default_locale = app.settings.locale.value
    zone = app.settings.zone
    templates = page_templates(app)

    def locale_of(lang: str | None) -> str:
        return pick(lang, default=default_locale)

    @web.exception_handler(PhasegateError)
    async def _domain_error(request: Request, exc: PhasegateError) -> Response:
        """A refusal in the reader's words, with the status its class declares: the error
        page for a browser (each of its problems listed), the API's ``{error, message,
        params}`` for everyone else, in the language the request accepts."""
        if (sign_in := sign_in_first(request, exc)) is not None:
            return sign_in
        if "text/html" not in request.headers.get("accept", ""):
            return refusal_answer(request, exc, default_locale, zone)
        locale = reader_locale(request, default_locale)
        details = [say_problem(problem, locale, zone) for problem in exc.problems]
        return error_response(request, exc.status, exc.code, exc.say(locale, zone), details=details)

    def error_response(
        request: Request,
        status: int,
        code: str,
        message: str,
        page_words: str | None = None,
        headers: Mapping[str, str] | None = None,
        details: Sequence[str] = (),
    ) -> Response:
        """Every error in one of two shapes: the error page in the reader's language for a
        browser (the site's ``page_words`` for it where it has them, and ``details`` as a
        list), else the API's ``{error, message}``. A message may quote what was sent: it
        is made encodable first, whatever that was."""
        message = encodable(message)
        if "text/html" in request.headers.get("accept", ""):
            locale = reader_locale(request, default_locale)
            catalog = words(locale)
            shown = catalog(page_words) if page_words and page_words in catalog else message
            return templates.TemplateResponse(
                request,
                "error.html",
                {"locale": locale, "message": shown, "details": details},
                status_code=status,
                headers=headers,
            )
        body = {"error": code, "message": message, "params": {}}  # the refusals' shape
        return JSONResponse(body, status_code=status, headers=headers)

    @web.exception_handler(RequestValidationError)
    async def _invalid_request(request: Request, exc: RequestValidationError) -> Response:
        """Bad input, naming each field and what is wrong with it, never repeating the value.

        On a page, an address whose path or id does not validate (an id beyond any row, a
        word where an id goes) names nothing: 404. Any other value that does not validate
        gets the error page listing each field's problem in the reader's language. The
        API answers 422 in its one error shape, with one line per field in ``problems``."""
        errors = exc.errors()
        route = request.scope.get("route")
        page = not getattr(route, "include_in_schema", True)
        if page and any(names_nothing(route, error["loc"]) for error in errors):
            return error_response(request, 404, *HTTP_ERRORS[404], "http_404")
        if page and "text/html" in request.headers.get("accept", ""):
            catalog = words(locale_of(request.query_params.get("lang")))
            details = [field_problem(error, catalog) for error in errors]
            return error_response(
                request, 422, "invalid_request", "", "form_invalid", details=details
            )
        problems = [f"{field_of(error)}: {encodable(error['msg'])}" for error in errors]
        message = "The request is not valid: " + "; ".join(problems)
        return JSONResponse(
            {"error": "invalid_request", "message": message, "params": {}, "problems": problems},
            status_code=422,
        )

    @web.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> Response:
        """Errors raised by the framework itself (an unknown path, a wrong method, a body
        that is not JSON) in the same shape as the domain's."""
        code, message = HTTP_ERRORS.get(
            exc.status_code, (f"http_{exc.status_code}", str(exc.detail))
        )
        words = f"http_{exc.status_code}"
        return error_response(request, exc.status_code, code, message, words, exc.headers)

    @web.exception_handler(ValueUnstorable)
    @web.exception_handler(OverflowError)
    async def _value_out_of_range(request: Request, exc: Exception) -> Response:
        """A number or text the database cannot hold (a name longer than its column, a
        number beyond SQLite's 64 bits) is bad input, not a server fault. Nothing was
        written: the unit of work rolled back. The types in ``web/params.py`` refuse such
        values first; this is the net, and it logs what slipped through."""
        log.warning("refused a value the database cannot hold: %s", getattr(exc, "orig", exc))
        return await _http_error(request, StarletteHTTPException(422))

    # HEAD too: link checkers and mail scanners ask for it, and it changes nothing.
    @web.api_route(
        "/board",
        methods=["GET", "HEAD"],
        response_class=HTMLResponse,
        include_in_schema=False,
        dependencies=[guard(app, Rule.SIGNED_IN)],
    )
    def board_page(request: Request, lang: Lang = None) -> HTMLResponse:
        locale = locale_of(lang)
        return templates.TemplateResponse(
            request,
            "board.html",
            {"locale": locale, "pending": engine.board_pending_decisions()},
        )

    # Every route has one guard (web/access.py); tests/test_authorization.py checks them all.
    for router in (
        overview_routes(app, templates),
        link_routes(app, templates, engine.clock),
        report_routes(app, templates),
        report_api_routes(app),
        webhook_api_routes(app),
        calendar_routes(app),
        signin_routes(app, templates),
        account_routes(app, templates),
        admin_routes(app, templates),
        admin_webhook_routes(app, templates),
        api_routes(app),
        decision_routes(app, templates),
        project_routes(app, templates),
        project_report_routes(app, templates),
        wheel_routes(app, templates),
        workflow_routes(app, templates),
        business_case_routes(app, templates),
        case_api_routes(app),
        case_admin_routes(app, templates),
        portfolio_case_routes(app, templates),
    ):
        web.include_router(router)
    if app.settings.dev_mailbox_enabled:
        web.include_router(mailbox_routes(app, templates))

    web.include_router(health_routes(app))
    # CSS and fonts, open to anyone like the sign-in page that needs them (web/static.py).
    web.mount("/static", StaticDir(), name="static")
    _add_middleware(web, app)

    return web
