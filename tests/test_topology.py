"""The compose topology without Docker: `scripts/topology.py` on PostgreSQL.

Two web servers and a scheduler share one database, as in docker-compose.yml. A gate
request goes in through one web server, the board votes through both at once, and the
scheduler delivers the mail to a real SMTP server: the gate is decided once, each vote
is recorded once, and each email arrives once.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from phasegate.bootstrap import App, build
from phasegate.storage.tables import OutboxMessage
from tests.conftest import truncate_postgres
from tests.factories import REPO, TEST_SECRET, Cast, make_settings
from tests.processes import cli_env, free_port
from tests.smtp_server import MailServer
from tests.web_support import api_client as client
from tests.web_support import bp1_answers

APPROVE = {"outcome": "approve"}

pytestmark = pytest.mark.postgres_only

SCRIPT = REPO / "scripts" / "topology.py"


@pytest.fixture
def app(postgres_migrated: str) -> Iterator[App]:
    truncate_postgres(postgres_migrated)
    built = build(make_settings(postgres_migrated), pool_size=5)
    yield built
    built.database.dispose()


@pytest.fixture
def server() -> Iterator[MailServer]:
    with MailServer() as running:
        yield running


def start_topology(app: App, smtp_url: str, folder: Path) -> tuple[subprocess.Popen[str], Path]:
    ports = [free_port(), free_port()]
    out = folder / "topology.out"
    env = cli_env(secret_key=TEST_SECRET, env="test", tick_seconds="1", outbox_seconds="1")
    url = app.database.url.render_as_string(hide_password=False)
    with out.open("w") as stdout:
        process = subprocess.Popen(  # noqa: S603 - our own script
            [
                sys.executable,
                str(SCRIPT),
                "--database-url",
                url,
                "--smtp-url",
                smtp_url,
                "--ports",
                *map(str, ports),
            ],
            cwd=folder,
            env=env,
            stdout=stdout,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,  # its own process group: the teardown can reach all
        )
    return process, out


def wait_for_urls(process: subprocess.Popen[str], out: Path, timeout: float = 90) -> list[str]:
    deadline = time.monotonic() + timeout
    while "topology running" not in (said := out.read_text(encoding="utf-8")):
        assert process.poll() is None, f"the script exited with {process.returncode}\n{said}"
        assert time.monotonic() < deadline, f"not running after {timeout} s\n{said}"
        time.sleep(0.1)
    return [line.split()[1].rstrip("/") for line in said.splitlines() if line.startswith("web:")]


def stop_topology(process: subprocess.Popen[str]) -> None:
    """SIGTERM to the script (it stops its processes); after 45 s, or once it has exited,
    SIGKILL to its whole process group, so nothing of it outlives the test."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=45)
    except subprocess.TimeoutExpired:
        pass  # its exit code will not be 0: the test fails after the kill below
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def outbox(app: App) -> list[Any]:
    with app.database.connect() as conn:
        columns = (OutboxMessage.message_id, OutboxMessage.kind, OutboxMessage.status)
        return list(conn.execute(select(*columns)).all())


def test_two_web_servers_and_a_scheduler_decide_a_gate_once(
    app: App, cast: Cast, server: MailServer, tmp_path: Path
) -> None:
    project = app.engine.register_project(
        "Digitaliseringsstrategi", owner=cast.owner, leader=cast.leader
    )
    process, out = start_topology(app, server.url, tmp_path)
    try:
        web_a, web_b = wait_for_urls(process, out)
        with client(app, web_a, cast.leader) as leader:
            asked = leader.post(f"/api/projects/{project}/gate-requests", json=bp1_answers(app))
            assert asked.status_code == 201, asked.text
            request = asked.json()["id"]

        # Two board members vote at the same instant, one through each web server:
        # together they are the majority, so exactly one of the two votes decides.
        start = threading.Barrier(2)

        def approve(site: str, member: int) -> Any:
            with client(app, site, member) as voter:
                start.wait()
                return voter.post(f"/api/gate-requests/{request}/votes", json=APPROVE)

        with ThreadPoolExecutor(max_workers=2) as pool:
            votes = list(pool.map(approve, (web_a, web_b), (cast.board[0], cast.board[1])))
        assert [v.status_code for v in votes] == [200, 200], [v.text for v in votes]
        assert sorted(v.json()["decided"] for v in votes) == [False, True], [v.text for v in votes]
        with client(app, web_b, cast.board[2]) as late:
            refused = late.post(f"/api/gate-requests/{request}/votes", json={"outcome": "stop"})
            assert refused.status_code == 409, refused.text
            assert refused.json()["error"] == "already_decided"
            decided = late.get(f"/api/gate-requests/{request}").json()
            moved = late.get(f"/api/projects/{project}").json()
            audit = late.get(f"/api/projects/{project}/audit", params={"limit": 100}).json()
        assert moved["phase"] == "concept"
        happened = Counter(item["kind"] for item in audit["items"])
        assert (happened["GateDecided"], happened["VoteCast"]) == (1, 2), happened
        assert sorted((v["voter"], v["outcome"]) for v in decided["votes"]) == [
            ("Hanne Solberg", "approve"),
            ("Per Lie", "approve"),
        ], decided

        # The scheduler delivers the outbox: every message arrives exactly once.
        deadline = time.monotonic() + 60
        while True:
            rows = outbox(app)
            if rows and all(r.status == "sent" for r in rows):
                break
            assert process.poll() is None, out.read_text(encoding="utf-8")
            assert time.monotonic() < deadline, (rows, out.read_text(encoding="utf-8"))
            time.sleep(0.2)
        kinds = Counter(r.kind for r in rows)
        assert kinds["decision_requested"] >= 1, kinds
        assert kinds["decision_made"] >= 1, kinds
        received = server.recorder.message_ids()
        assert received == Counter({r.message_id: 1 for r in rows}), (received, kinds)
        made = [
            r.message
            for r in server.recorder.received
            if r.message_id in {row.message_id for row in rows if row.kind == "decision_made"}
        ]
        assert any("ragnar.husum@asker.example" in str(m["To"]) for m in made), [
            m["To"] for m in made
        ]
    finally:
        stop_topology(process)
    assert process.returncode == 0, out.read_text(encoding="utf-8")
