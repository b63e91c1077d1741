"""The FastAPI application. Routes are thin: read the request, ask the engine, render."""

from __future__ import annotations

from itertools import groupby
from pathlib import Path
from typing import Annotated

from fastapi import FastAPI, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.templating import Jinja2Templates

from phasegate.bootstrap import App
from phasegate.errors import NotFound, PhasegateError
from phasegate.web.i18n import texts
from phasegate.web.links import link_routes

TEMPLATE_DIR = Path(__file__).with_name("templates")

Lang = Annotated[str | None, Query(pattern="^(nb|en)$")]


def create_app(app: App) -> FastAPI:
    web = FastAPI(title="phasegate", version="0.1.0")
    engine = app.engine
    default_locale = app.settings.locale.value
    zone = app.settings.zone
    templates = Jinja2Templates(directory=TEMPLATE_DIR)
    # Times are stored in UTC; people read them in the organisation's time zone.
    templates.env.filters["local"] = lambda moment: moment.astimezone(zone)

    def locale_of(lang: str | None) -> str:
        return lang or default_locale

    @web.exception_handler(PhasegateError)
    async def _domain_error(_request: Request, exc: PhasegateError) -> JSONResponse:
        status = 404 if isinstance(exc, NotFound) else 409
        return JSONResponse({"error": exc.code, "message": exc.message}, status_code=status)

    @web.get("/", response_class=HTMLResponse)
    def portfolio_page(request: Request, lang: Lang = None) -> HTMLResponse:
        locale = locale_of(lang)
        projects = engine.portfolio()
        groups = [
            (name or "", list(items)) for name, items in groupby(projects, lambda p: p.portfolio)
        ]
        return templates.TemplateResponse(
            request,
            "portfolio.html",
            {"t": texts(locale), "locale": locale, "groups": groups, "count": len(projects)},
        )

    @web.get("/board", response_class=HTMLResponse)
    def board_page(request: Request, lang: Lang = None) -> HTMLResponse:
        locale = locale_of(lang)
        return templates.TemplateResponse(
            request,
            "board.html",
            {"t": texts(locale), "locale": locale, "pending": engine.board_pending_decisions()},
        )

    web.include_router(link_routes(app, templates, engine.clock))

    @web.get("/healthz")
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    return web
