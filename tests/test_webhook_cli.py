"""`phasegate webhook ...` as an operator runs it: the console script, as a subprocess,
against a real database and a real receiver on loopback."""

from __future__ import annotations

import os
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from phasegate.storage.database import connect
from phasegate.storage.tables import WebhookSubscription
from phasegate.webhooks.signing import verify
from tests.processes import cli_env, free_port, run_phasegate, upgraded_cli_env
from tests.webhook_receiver import receiving


@pytest.fixture
def env(database_url: str, tmp_path: Path) -> dict[str, str]:
    return upgraded_cli_env(database_url, tmp_path)


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_an_operator_adds_pings_and_lists_a_webhook(env: dict[str, str], tmp_path: Path) -> None:
    def phasegate(*args: str) -> str:
        done = run_phasegate("webhook", *args, cwd=tmp_path, env=env)
        assert done.returncode == 0, done.stderr
        return done.stdout

    assert "GateDecided" in phasegate("events").split()
    assert phasegate("list").startswith("No webhooks.")
    with receiving() as receiver:
        added = phasegate("add", "Arkiv", receiver.url, "--event", "GateDecided,PhaseEntered")
        assert "Webhook 1 (Arkiv) posts GateDecided, PhaseEntered" in added
        secret = re.search(r"^secret: (whsec_\S+)$", added, re.MULTILINE)
        assert secret, added
        assert "shown only this once" in added

        assert "Test delivery 1 is queued" in phasegate("ping", "1")
        assert phasegate("deliver").startswith("sent 1, to retry 0, dead 0")

    [ping] = receiver.requests
    assert verify(secret[1], ping.headers, ping.body, datetime.now(UTC))
    listed = phasegate("list")
    assert re.search(r"^\s+1\s+Arkiv\s+0\s+1\s+0\s+GateDecided, PhaseEntered$", listed, re.M)
    assert receiver.url in listed
    assert secret[1] not in listed
    shown = phasegate("deliveries")
    assert re.search(r"^\s+1\s+sent\s+1\s+.*Arkiv\s+Ping$", shown, re.MULTILINE), shown


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_dead_delivery_is_listed_with_its_error_and_resent(
    env: dict[str, str], tmp_path: Path
) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}/in"
    run = lambda *args: run_phasegate("webhook", *args, cwd=tmp_path, env=env)  # noqa: E731
    assert run("add", "Arkiv", url, "-e", "*").returncode == 0
    assert run("ping", "1").returncode == 0
    with receiving(port) as receiver:
        receiver.answer(410)
        assert run("deliver").stdout.startswith("sent 0, to retry 0, dead 1")
    dead = run("deliveries", "--status", "dead")
    assert "410 Gone: the receiver says this address is no longer in use" in dead.stdout
    assert "phasegate webhook resend ID" in dead.stdout

    resent = run("resend", "1")
    assert resent.returncode == 0, resent.stderr
    assert "queued again" in resent.stdout
    twice = run("resend", "1")
    assert twice.returncode == 2
    assert "error: Delivery 1 is pending, not dead" in twice.stderr
    assert "Traceback" not in twice.stderr
    with receiving(port) as receiver:
        assert run("deliver").stdout.startswith("sent 1")
    assert receiver.types() == ["Ping"]


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_mistyped_event_type_is_refused_with_the_list_of_types(
    env: dict[str, str], tmp_path: Path
) -> None:
    done = run_phasegate(
        "webhook", "add", "Arkiv", "https://a.example/in", "-e", "PhaseEnterd",
        cwd=tmp_path, env=env,
    )  # fmt: skip
    assert done.returncode == 2
    assert "error: Unknown event type(s): PhaseEnterd. The types are: ProjectRegistered" in (
        done.stderr
    )
    assert "Traceback" not in done.stderr
    assert run_phasegate("webhook", "list", cwd=tmp_path, env=env).stdout.startswith("No web")


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_webhook_typed_in_a_terminal_that_is_not_utf_8_or_with_a_broken_url_is_refused(
    database_url: str, tmp_path: Path
) -> None:
    env = cli_env(database_url=database_url)
    latin_1 = os.fsdecode("Økonomiarkiv".encode("latin-1"))  # what Python makes of the bytes
    typed = run_phasegate(
        "webhook", "add", latin_1, "https://a.example/in", "-e", "*", cwd=tmp_path, env=env
    )
    broken = "https://arkiv.asker.example/ny\nadresse"
    pasted = run_phasegate("webhook", "add", "Arkiv", broken, "-e", "*", cwd=tmp_path, env=env)

    assert typed.returncode == 2
    assert typed.stderr.startswith(
        "error: NAME contains the byte 0xD8 (at position 1), which is not UTF-8 text; set the "
        "terminal to UTF-8"
    )
    assert pasted.returncode == 2
    assert pasted.stderr.startswith(
        "error: The webhook's URL contains a space or line break (U+000A, at position "
        f"{broken.index(chr(10)) + 1}); a web address has none."
    )
    for done in (typed, pasted):
        assert "Traceback" not in done.stderr
    database = connect(database_url)
    with database.connect() as conn:
        assert conn.execute(select(func.count()).select_from(WebhookSubscription)).scalar() == 0
    database.dispose()
