"""Refusals as the web answers them: in the reader's language, with the error's own status.

An engine error is data (``phasegate.errors``); here it becomes words. A page is in the
language of ``?lang=``, else the signed-in person's, else the site's (``PHASEGATE_LOCALE``);
the API answers in the language ``Accept-Language`` prefers, else the site's.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import Request
from fastapi.responses import JSONResponse

from phasegate.domain.text import encodable
from phasegate.errors import PhasegateError
from phasegate.i18n import locale_of, pick
from phasegate.i18n.locales import accepted


def reader_locale(request: Request, default: str) -> str:
    """A page's language: ``?lang=``, else the signed-in person's, else the site's."""
    principal = getattr(request.state, "principal", None)
    language = principal.language if principal is not None else None
    return pick(request.query_params.get("lang"), language, default=default)


def refusal_answer(
    request: Request,
    exc: PhasegateError,
    default: str,
    zone: ZoneInfo,
    headers: Mapping[str, str] | None = None,
) -> JSONResponse:
    """The API's answer to a refusal, ``{error, message, params}`` with ``field`` and
    ``problems`` when there are any, in the language the request accepts (else the
    site's), with the status the error's class declares."""
    locale = accepted(request.headers.get("accept-language"), default=locale_of(default))
    body = encodable_json(exc.body(locale, zone))
    return JSONResponse(body, status_code=exc.status, headers=headers)


def encodable_json(value: Any) -> Any:
    """An answer whose every text encodes as UTF-8: a refusal may quote what was sent."""
    if isinstance(value, str):
        return encodable(value)
    if isinstance(value, dict):
        return {key: encodable_json(item) for key, item in value.items()}
    if isinstance(value, list):
        return [encodable_json(item) for item in value]
    return value
