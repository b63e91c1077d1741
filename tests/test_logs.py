"""Structured logs: the JSON formatter, request ids over real HTTP, and a real `phasegate`
process logging JSON lines."""

from __future__ import annotations

import json
import logging
import sys
from datetime import datetime
from pathlib import Path

import httpx
import pytest

from phasegate.bootstrap import App
from phasegate.errors import ConfigurationError
from phasegate.logs import REQUEST_ID, JsonFormatter, TextFormatter
from phasegate.settings import LogFormat, Settings
from phasegate.storage.database import connect, upgrade
from tests.processes import cli_env, run_phasegate
from tests.webserver import serve

LONG_SECRET = "a-production-secret-that-is-comfortably-longer-than-32-chars"


def record(message: str = "tick: %s", *args: object, **extra: object) -> logging.LogRecord:
    made = logging.LogRecord(
        "phasegate.scheduler", logging.WARNING, __file__, 1, message, args or None, None
    )
    for key, value in extra.items():
        setattr(made, key, value)
    return made


def test_a_record_is_one_line_of_json_with_time_level_logger_message_and_extras() -> None:
    line = JsonFormatter().format(record("tick: %s done", "3 events", project_id=7))

    assert "\n" not in line
    entry = json.loads(line)
    assert entry["level"] == "WARNING"
    assert entry["logger"] == "phasegate.scheduler"
    assert entry["message"] == "tick: 3 events done"
    assert entry["project_id"] == 7
    assert "request_id" not in entry
    moment = datetime.fromisoformat(entry["time"])
    assert moment.utcoffset() is not None
    assert moment.utcoffset().total_seconds() == 0  # type: ignore[union-attr]


def test_inside_a_request_the_line_carries_the_request_id() -> None:
    token = REQUEST_ID.set("abc-123")
    try:
        entry = json.loads(JsonFormatter().format(record("working")))
        text = TextFormatter().format(record("working"))
    finally:
        REQUEST_ID.reset(token)
    assert entry["request_id"] == "abc-123"
    assert text.endswith("working [abc-123]")


def test_an_exception_is_a_string_field_error() -> None:
    try:
        raise ValueError("the wheel is broken\non two lines")
    except ValueError:
        failed = record("the tick failed")
        failed.exc_info = sys.exc_info()
    line = JsonFormatter().format(failed)

    assert "\n" not in line
    entry = json.loads(line)
    assert isinstance(entry["error"], str)
    assert "Traceback" in entry["error"]
    assert "ValueError: the wheel is broken\non two lines" in entry["error"]


def test_values_json_cannot_hold_become_text() -> None:
    entry = json.loads(
        JsonFormatter().format(record("at", path=Path("/srv/phasegate/arshjul.yaml")))
    )
    assert entry["path"] == "/srv/phasegate/arshjul.yaml"


def test_the_log_format_defaults_to_json_in_production_only() -> None:
    assert Settings.load({}).log_format is LogFormat.TEXT
    assert Settings.load({"PHASEGATE_ENV": "test"}).log_format is LogFormat.TEXT
    production = {"PHASEGATE_ENV": "production", "PHASEGATE_SECRET_KEY": LONG_SECRET}
    assert Settings.load(production).log_format is LogFormat.JSON
    chosen = {**production, "PHASEGATE_LOG_FORMAT": "Text"}
    assert Settings.load(chosen).log_format is LogFormat.TEXT
    assert Settings.load({"PHASEGATE_LOG_FORMAT": ""}).log_format is LogFormat.TEXT
    with pytest.raises(ConfigurationError, match="PHASEGATE_LOG_FORMAT"):
        Settings.load({"PHASEGATE_LOG_FORMAT": "xml"})


def access_lines(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "phasegate.http"]


def test_every_response_carries_a_request_id_and_one_access_line_with_it(
    app: App, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="phasegate.http")
    with serve(app) as site:
        made = httpx.get(f"{site}/healthz")
        echoed = httpx.get(f"{site}/healthz", headers={"X-Request-ID": "lb-7f3a.9_Z-1"})
        missing = httpx.get(f"{site}/api/projects/999999999")
        unmatched = httpx.get(f"{site}/no/such/page")

    assert made.status_code == 200
    assert len(made.headers["x-request-id"]) == 32
    assert echoed.headers["x-request-id"] == "lb-7f3a.9_Z-1"
    assert missing.headers["x-request-id"] != made.headers["x-request-id"]
    by_id = {r.request_id: r for r in access_lines(caplog)}  # type: ignore[attr-defined]
    assert len(by_id) == len(access_lines(caplog)) == 4

    line = by_id[echoed.headers["x-request-id"]]
    assert line.levelno == logging.INFO
    assert (line.method, line.path, line.status) == ("GET", "/healthz", 200)  # type: ignore[attr-defined]
    assert line.duration_ms >= 0  # type: ignore[attr-defined]
    entry = json.loads(JsonFormatter().format(line))
    assert entry["request_id"] == "lb-7f3a.9_Z-1"
    assert {"method", "path", "status", "duration_ms"} <= set(entry)
    # The route template, never the raw path; a path no route matched, as it came.
    templated = by_id[missing.headers["x-request-id"]]
    assert templated.path == "/api/projects/{project}"  # type: ignore[attr-defined]
    assert templated.status == missing.status_code  # type: ignore[attr-defined]
    raw = by_id[unmatched.headers["x-request-id"]]
    assert (raw.path, raw.status) == ("/no/such/page", 404)  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    "given",
    [
        "x" * 129,
        "a" * 500,
        'quoted"id',
        "with space",
        "new\\nline",  # a real newline cannot cross HTTP; its escape must not either
        "",
        "ø-latin",
    ],
)
def test_an_unsafe_request_id_is_replaced(
    app: App, caplog: pytest.LogCaptureFixture, given: str
) -> None:
    caplog.set_level(logging.INFO, logger="phasegate.http")
    with serve(app) as site:
        answer = httpx.get(f"{site}/healthz", headers=[(b"X-Request-ID", given.encode("latin-1"))])
    assert answer.status_code == 200
    fresh = answer.headers["x-request-id"]
    assert fresh != given
    assert len(fresh) == 32
    assert [r.request_id for r in access_lines(caplog)] == [fresh]  # type: ignore[attr-defined]


def test_a_request_id_of_128_safe_characters_is_kept(app: App) -> None:
    given = "A" * 128
    with serve(app) as site:
        answer = httpx.get(f"{site}/healthz", headers={"X-Request-ID": given})
    assert answer.headers["x-request-id"] == given


def test_phasegate_tick_logs_json_lines(tmp_path: Path) -> None:
    database = f"sqlite:///{tmp_path / 'phasegate.db'}"
    upgrade(connect(database))
    env = cli_env(database_url=database, log_format="json")

    done = run_phasegate("tick", "--now", "2027-04-16T08:00", cwd=tmp_path, env=env)

    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("tick at 2027-04-16 08:00 CEST")
    lines = done.stderr.splitlines()
    assert lines, "the tick logs what it did at INFO (the tertial cycle opens)"
    for line in lines:
        entry = json.loads(line)
        assert {"time", "level", "logger", "message"} <= set(entry), line
