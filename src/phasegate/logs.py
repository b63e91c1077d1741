"""Logging: one JSON object per line in production, readable lines in development.

:func:`configure_logging` sets up the root logger for ``phasegate serve``, ``scheduler``
and ``tick``; uvicorn's loggers go through the same handler. Inside an HTTP request the
request id (:data:`REQUEST_ID`, set by :mod:`phasegate.web.request_log`) is on every line.
"""

from __future__ import annotations

import json
import logging
import sys
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

from phasegate.settings import LogFormat, Settings

REQUEST_ID: ContextVar[str | None] = ContextVar("phasegate_request_id", default=None)

# The attributes every LogRecord has; anything else on a record came from ``extra=``.
# uvicorn adds ``color_message`` (its message with terminal colours) to its own records.
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {
    "message",
    "asctime",
    "taskName",
    "color_message",
}
UVICORN_LOGGERS = ("uvicorn", "uvicorn.error", "uvicorn.access", "uvicorn.asgi")


class JsonFormatter(logging.Formatter):
    """A record as one line of JSON: ``time`` (ISO 8601, UTC), ``level``, ``logger``,
    ``message``, ``request_id`` inside a request, every ``extra=`` field, and ``error``
    (the traceback) when the record carries an exception."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        request_id = getattr(record, "request_id", None) or REQUEST_ID.get()
        if request_id is not None:
            entry["request_id"] = request_id
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_") and key not in entry:
                entry[key] = value
        if record.exc_info:
            entry["error"] = self.formatException(record.exc_info)
        elif record.exc_text:
            entry["error"] = record.exc_text
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    """A readable line, with the request id in brackets inside a request."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        request_id = getattr(record, "request_id", None) or REQUEST_ID.get()
        return f"{line} [{request_id}]" if request_id else line


def formatter_for(settings: Settings) -> logging.Formatter:
    return JsonFormatter() if settings.log_format is LogFormat.JSON else TextFormatter()


def configure_logging(settings: Settings, level: int = logging.INFO) -> None:
    """Send every log record, uvicorn's too, to stderr in ``PHASEGATE_LOG_FORMAT``.

    Idempotent: it replaces the root logger's handlers rather than adding one more.
    """
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(formatter_for(settings))
    root = logging.getLogger()
    for old in root.handlers[:]:
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    for name in UVICORN_LOGGERS:
        logger = logging.getLogger(name)
        logger.handlers.clear()
        logger.propagate = True
    # APScheduler says "Running job" and "executed successfully" at INFO for every run:
    # four lines a minute that say nothing. Its warnings and errors still come through,
    # and each pass logs what it did itself.
    logging.getLogger("apscheduler.executors").setLevel(max(level, logging.WARNING))
