"""A project's benefits, risks and plans on its page, and their forms.

The project page (``web/projects.py``) shows three sections from :func:`case_sections`:
*Gevinster* (each benefit with its indicators, their achievement as
:func:`phasegate.domain.benefits.progress` computes it, and the realisation curve),
*Usikkerhetsregister* (the matrix of open risks, each cell a filter ``?cell=p-c#risks``,
and the register with each risk's history) and *Kostnader og bemanning* (the cost and
people plans by year).

Each form has its own address under ``/projects/{id}/``: GET shows it, POST reads it
(``web/case_fields.py`` on ``web/case_forms.py``; the work is in ``web/case_pages.py``,
the page's helpers in ``web/case_view.py``), calls one engine operation and sends the
reader back to the section with a confirmation (``?saved=…#section``), or shows the form
again with every problem beside its field and what was typed kept. Who may is the
engine's rule: the
project's manager and owner, the PMO and admins edit; a benefit's owner also records its
measurements, a risk's owner also reassesses it. Buttons are shown only to them; anyone
else gets the engine's refusal page, for the form and for a POST alike. A form made from
an older version (someone saved meanwhile) gets the ConcurrentUpdate refusal.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from fastapi.templating import Jinja2Templates
from starlette.concurrency import run_in_threadpool

from phasegate.bootstrap import App
from phasegate.engine.signin import Principal
from phasegate.engine.views import ProjectView
from phasegate.web.access import Rule, SignedIn, guard
from phasegate.web.case_pages import CasePages
from phasegate.web.charts import cost_plan_chart, realisation_curve, risk_matrix
from phasegate.web.params import RowId, form_text

# --- the charts ----------------------------------------------------------------------------


def install_charts(templates: Jinja2Templates) -> None:
    """The SVG charts (web/charts.py), as the sections' template globals."""
    templates.env.globals.update(
        realisation_curve=realisation_curve,
        risk_matrix=risk_matrix,
        cost_plan_chart=cost_plan_chart,
    )


# --- the routes -----------------------------------------------------------------------------


def business_case_routes(app: App, templates: Jinja2Templates) -> APIRouter:
    """Each business case form at its own address: GET shows it, POST saves it."""
    pages = CasePages(app, templates)
    install_charts(templates)
    router = APIRouter()
    me_dep = guard(app, Rule.SIGNED_IN)  # one guard: declared on the route, and gives `me`
    html: dict[str, Any] = {"response_class": HTMLResponse, "include_in_schema": False}
    reading = ["GET", "HEAD"]
    project = "/projects/{project_id}"

    async def posted(request: Request) -> dict[str, str]:
        return await form_text(request, lines=lambda name: name in LINES)

    @router.api_route(f"{project}/benefits/new", methods=reading, dependencies=[me_dep], **html)
    def new_benefit_form(me: SignedIn, request: Request, project_id: RowId) -> Response:
        return pages.benefit_form(request, me, project_id, None)

    @router.post(f"{project}/benefits/new", dependencies=[me_dep], **html)
    async def add_benefit(me: SignedIn, request: Request, project_id: RowId) -> Response:
        form = await posted(request)
        return await run_in_threadpool(pages.benefit_form, request, me, project_id, None, form)

    benefit = f"{project}/benefits/{{benefit_id}}"

    @router.api_route(benefit, methods=reading, dependencies=[me_dep], **html)
    def benefit_form(
        me: SignedIn, request: Request, project_id: RowId, benefit_id: RowId
    ) -> Response:
        return pages.benefit_form(request, me, project_id, benefit_id)

    @router.post(benefit, dependencies=[me_dep], **html)
    async def change_benefit(
        me: SignedIn, request: Request, project_id: RowId, benefit_id: RowId
    ) -> Response:
        form = await posted(request)
        return await run_in_threadpool(
            pages.benefit_form, request, me, project_id, benefit_id, form
        )

    @router.api_route(f"{benefit}/indicators/new", methods=reading, dependencies=[me_dep], **html)
    def new_indicator_form(
        me: SignedIn, request: Request, project_id: RowId, benefit_id: RowId
    ) -> Response:
        return pages.indicator_form(request, me, project_id, benefit_id=benefit_id)

    @router.post(f"{benefit}/indicators/new", dependencies=[me_dep], **html)
    async def add_indicator(
        me: SignedIn, request: Request, project_id: RowId, benefit_id: RowId
    ) -> Response:
        form = await posted(request)
        return await run_in_threadpool(
            lambda: pages.indicator_form(
                request, me, project_id, benefit_id=benefit_id, posted=form
            )
        )

    indicator = f"{project}/indicators/{{indicator_id}}"

    @router.api_route(indicator, methods=reading, dependencies=[me_dep], **html)
    def indicator_form(
        me: SignedIn, request: Request, project_id: RowId, indicator_id: RowId
    ) -> Response:
        return pages.indicator_form(request, me, project_id, indicator_id=indicator_id)

    @router.post(indicator, dependencies=[me_dep], **html)
    async def change_indicator(
        me: SignedIn, request: Request, project_id: RowId, indicator_id: RowId
    ) -> Response:
        form = await posted(request)
        return await run_in_threadpool(
            lambda: pages.indicator_form(
                request, me, project_id, indicator_id=indicator_id, posted=form
            )
        )

    @router.api_route(
        f"{indicator}/measurements/new", methods=reading, dependencies=[me_dep], **html
    )
    def measurement_form(
        me: SignedIn, request: Request, project_id: RowId, indicator_id: RowId
    ) -> Response:
        return pages.measurement_form(request, me, project_id, indicator_id)

    @router.post(f"{indicator}/measurements/new", dependencies=[me_dep], **html)
    async def record_measurement(
        me: SignedIn, request: Request, project_id: RowId, indicator_id: RowId
    ) -> Response:
        form = await posted(request)
        return await run_in_threadpool(
            pages.measurement_form, request, me, project_id, indicator_id, form
        )

    @router.api_route(f"{project}/risks/new", methods=reading, dependencies=[me_dep], **html)
    def new_risk_form(me: SignedIn, request: Request, project_id: RowId) -> Response:
        return pages.risk_form(request, me, project_id, None)

    @router.post(f"{project}/risks/new", dependencies=[me_dep], **html)
    async def add_risk(me: SignedIn, request: Request, project_id: RowId) -> Response:
        form = await posted(request)
        return await run_in_threadpool(pages.risk_form, request, me, project_id, None, form)

    risk = f"{project}/risks/{{risk_id}}"

    @router.api_route(risk, methods=reading, dependencies=[me_dep], **html)
    def risk_form(me: SignedIn, request: Request, project_id: RowId, risk_id: RowId) -> Response:
        return pages.risk_form(request, me, project_id, risk_id)

    @router.post(risk, dependencies=[me_dep], **html)
    async def change_risk(
        me: SignedIn, request: Request, project_id: RowId, risk_id: RowId
    ) -> Response:
        form = await posted(request)
        return await run_in_threadpool(pages.risk_form, request, me, project_id, risk_id, form)

    @router.api_route(f"{risk}/assessments/new", methods=reading, dependencies=[me_dep], **html)
    def assessment_form(
        me: SignedIn, request: Request, project_id: RowId, risk_id: RowId
    ) -> Response:
        return pages.assessment_form(request, me, project_id, risk_id)

    @router.post(f"{risk}/assessments/new", dependencies=[me_dep], **html)
    async def assess_risk(
        me: SignedIn, request: Request, project_id: RowId, risk_id: RowId
    ) -> Response:
        form = await posted(request)
        return await run_in_threadpool(
            pages.assessment_form, request, me, project_id, risk_id, form
        )

    @router.api_route(f"{project}/plans", methods=reading, dependencies=[me_dep], **html)
    def plans_form(me: SignedIn, request: Request, project_id: RowId) -> Response:
        return pages.plans_form(request, me, project_id)

    @router.post(f"{project}/plans", dependencies=[me_dep], **html)
    async def save_plans(me: SignedIn, request: Request, project_id: RowId) -> Response:
        form = await posted(request)
        return await run_in_threadpool(pages.plans_form, request, me, project_id, form)

    return router


#: The fields that hold several lines of text.
LINES = frozenset({"description", "comment", "mitigation"})


def case_sections(
    app: App,
    templates: Jinja2Templates,
    request: Request,
    project: ProjectView,
    me: Principal | None,
    locale: str,
) -> dict[str, Any]:
    """The project page's business case sections (for web/projects.py)."""
    return CasePages(app, templates).sections(request, project, me, locale)


__all__ = ["business_case_routes", "case_sections"]
