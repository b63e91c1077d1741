"""ASGI middleware giving every HTTP request an id, one access log line and its count.

The id is the caller's ``X-Request-ID`` when it is sane (1 to 128 of ``A-Z a-z 0-9 . _ -``),
else a new one. It is in :data:`phasegate.logs.REQUEST_ID` while the request runs, so
every log line of the request carries it, and goes back in the ``X-Request-ID`` header.

The same wrapper counts the request in ``phasegate_http_requests_total`` by method, route
template and status. The route is the template (``/api/projects/{project_id}``), never
the raw path, so the number of series stays bounded; a request that matched no route
counts as ``unmatched``.
"""

from __future__ import annotations

import logging
import re
import time
import uuid

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from phasegate.logs import REQUEST_ID
from phasegate.metrics import Metrics

HEADER = "X-Request-ID"
SANE_ID = re.compile(r"[A-Za-z0-9._-]{1,128}")
log = logging.getLogger("phasegate.http")


def request_id_from(scope: Scope) -> str:
    """The caller's request id if it is safe to log and echo, else a fresh one."""
    for name, value in scope.get("headers", ()):
        if name.lower() == b"x-request-id":
            given: str = value.decode("latin-1")
            if SANE_ID.fullmatch(given):
                return given
            break
    return uuid.uuid4().hex


class RequestLog:
    """Sets the request id, returns it, logs ``method path status duration_ms`` at INFO on
    ``phasegate.http`` (the path is the route template when a route matched), and counts
    the request in ``metrics``."""

    def __init__(self, inner: ASGIApp, metrics: Metrics) -> None:
        self.inner = inner
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.inner(scope, receive, send)
            return
        request_id = request_id_from(scope)
        token = REQUEST_ID.set(request_id)
        status = 500
        started = time.perf_counter()

        async def sending(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                MutableHeaders(scope=message)[HEADER] = request_id
            await send(message)

        try:
            await self.inner(scope, receive, sending)
        finally:
            duration_ms = round((time.perf_counter() - started) * 1000, 1)
            template = getattr(scope.get("route"), "path", None)
            self.metrics.requests.labels(
                scope["method"], template or "unmatched", str(status)
            ).inc()
            path = template or scope["path"]
            log.info(
                "%s %s %s %.1f ms",
                scope["method"],
                path,
                status,
                duration_ms,
                extra={
                    "request_id": request_id,
                    "method": scope["method"],
                    "path": path,
                    "status": status,
                    "duration_ms": duration_ms,
                },
            )
            REQUEST_ID.reset(token)
