"""Health and metrics: ``/readyz`` (readiness) and ``/metrics`` (Prometheus).

``/healthz`` says the process answers. ``/readyz`` says it can do
its work: the database answers, its schema is the one this code needs, and the outbox is
not backed up (too many unsent messages, or one waiting too long). ``/metrics`` is the
app's own registry (:mod:`phasegate.metrics`) in Prometheus' text format.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from phasegate.bootstrap import App
from phasegate.web.access import Rule, guard

Check = dict[str, Any]


def readiness(app: App) -> dict[str, Any]:
    """Every readiness check with its value, and whether each holds."""
    settings = app.settings
    found = app.engine.readiness()
    checks: dict[str, Check] = {
        "database": {"ok": found.database is None, "value": found.database or "reachable"},
        "schema": {"ok": found.schema is None, "value": found.schema or "current"},
    }
    if isinstance(found.outbox, str):
        unread = {"ok": False, "value": found.outbox}
        checks["outbox_backlog"] = checks["outbox_oldest_age_seconds"] = unread
    else:
        waiting, age = found.outbox
        limit, age_limit = settings.ready_outbox_backlog, settings.ready_outbox_age_seconds
        # Without SMTP nothing is ever sent: mail is kept for the development mailbox,
        # so a growing outbox is expected there and says nothing about readiness.
        kept = settings.smtp_url is None
        checks["outbox_backlog"] = {
            "ok": kept or waiting < limit,
            "value": waiting,
            "limit": None if kept else limit,
        }
        checks["outbox_oldest_age_seconds"] = {
            "ok": kept or age < age_limit,
            "value": age,
            "limit": None if kept else age_limit,
        }
    failed = [name for name, check in checks.items() if not check["ok"]]
    return {"ready": not failed, "failed": failed, "checks": checks}


def health_routes(app: App) -> APIRouter:
    router = APIRouter()
    anyone = [guard(app, Rule.ANYONE)]

    @router.get("/healthz", dependencies=anyone)
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @router.get("/readyz", include_in_schema=False, dependencies=anyone)
    def readyz() -> JSONResponse:
        body = readiness(app)
        return JSONResponse(body, status_code=200 if body["ready"] else 503)

    @router.get("/metrics", include_in_schema=False, dependencies=[guard(app, Rule.METRICS)])
    def metrics() -> Response:
        return Response(generate_latest(app.metrics.registry), media_type=CONTENT_TYPE_LATEST)

    return router
