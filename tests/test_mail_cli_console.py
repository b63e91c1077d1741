"""`phasegate mail ...` as an operator runs it: the installed console script, as a subprocess.

The database is a real SQLite file or a real PostgreSQL database, the outbox is filled by
the engine the way the web app fills it, and the SMTP server is aiosmtpd on loopback.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from phasegate.bootstrap import App, build
from phasegate.engine.outbox import OutboxEntry, list_messages
from tests.factories import make_settings, submit_complete
from tests.processes import cli_env, run_phasegate, upgraded_cli_env
from tests.smtp_server import MailServer

BOARD = {
    "hanne.solberg@asker.example",
    "per.lie@asker.example",
    "ingrid.berg@asker.example",
}


@pytest.fixture
def live_app(database_url: str) -> Iterator[App]:
    """phasegate on the test's database, on the real clock, as the web process would be.

    The CLI delivers with the real time, and gives up on messages older than 72 hours, so
    the emails must be written now, not on a test clock's date.
    """
    built = build(make_settings(database_url))
    yield built
    built.database.dispose()


@pytest.fixture
def env(database_url: str, tmp_path: Path) -> dict[str, str]:
    """The CLI's environment: this database, the repository's workflows, nothing else."""
    return upgraded_cli_env(database_url, tmp_path)


def request_bp1(app: App) -> int:
    """A project manager submits BP1: the engine writes one email per board member."""
    engine = app.engine
    leader = engine.register_person("Ragnar Husum", "ragnar.husum@asker.example")
    owner = engine.register_person("Ole-Kristian Tangen", "ole-kristian.tangen@asker.example")
    for name in ("Hanne Solberg", "Per Lie", "Ingrid Berg"):
        address = name.lower().replace(" ", ".") + "@asker.example"
        engine.grant_role(engine.register_person(name, address), "board")
    project = engine.register_project(
        "Digitaliseringsstrategi", owner=owner, leader=leader, actor=leader
    )
    bp1 = engine.workflows.current("prosjektveiviseren").gates[0]
    submit_complete(engine, project, bp1, leader)
    return project


def outbox(app: App) -> list[OutboxEntry]:
    with app.engine.reading() as conn:
        return list_messages(conn, limit=1000)


def listed_recipients(stdout: str) -> set[str]:
    """The addresses in the `to` column of `phasegate mail list`."""
    return {word for line in stdout.splitlines()[1:] for word in line.split() if "@" in word}


# --- tests ------------------------------------------------------------------------------


def test_help_lists_the_mail_commands(tmp_path: Path) -> None:
    top = run_phasegate("--help", cwd=tmp_path, env=cli_env())
    mail = run_phasegate("mail", "--help", cwd=tmp_path, env=cli_env())

    assert top.returncode == 0, top.stderr
    assert "mail" in top.stdout
    assert "Outgoing email" in top.stdout
    assert mail.returncode == 0, mail.stderr
    for command in ("send-pending", "list", "dead", "resend"):
        assert command in mail.stdout


def test_mail_list_on_a_new_database_says_the_outbox_is_empty(tmp_path: Path) -> None:
    env = cli_env(database_url=f"sqlite:///{tmp_path / 'phasegate.db'}")

    upgraded = run_phasegate("db", "upgrade", cwd=tmp_path, env=env)
    everything = run_phasegate("mail", "list", cwd=tmp_path, env=env)
    sent = run_phasegate("mail", "list", "--status", "sent", cwd=tmp_path, env=env)

    assert upgraded.returncode == 0, upgraded.stderr
    assert "from empty" in upgraded.stdout
    assert everything.returncode == 0, everything.stderr
    assert everything.stdout.strip() == "The outbox is empty."
    assert sent.returncode == 0, sent.stderr
    assert sent.stdout.strip() == "No sent messages."


def test_mail_list_shows_the_waiting_emails(
    live_app: App, env: dict[str, str], tmp_path: Path
) -> None:
    request_bp1(live_app)

    listed = run_phasegate("mail", "list", cwd=tmp_path, env=env)

    assert listed.returncode == 0, listed.stderr
    lines = listed.stdout.splitlines()
    assert lines[0].split() == ["id", "status", "try", "written", "(UTC)", "to", "subject"]
    assert len(lines) == 4
    assert all(" pending " in line for line in lines[1:])
    assert all("[phasegate] Beslutning trengs: Digitalisering" in line for line in lines[1:])
    assert listed_recipients(listed.stdout) == BOARD


def test_send_pending_without_smtp_refuses_and_leaves_the_mail_in_the_outbox(
    live_app: App, env: dict[str, str], tmp_path: Path
) -> None:
    request_bp1(live_app)
    before = outbox(live_app)

    result = run_phasegate("mail", "send-pending", cwd=tmp_path, env=env)

    assert result.returncode != 0
    assert "PHASEGATE_SMTP_URL is not set" in result.stderr
    assert "mail stays in the outbox" in result.stderr
    assert "/dev/mailbox" in result.stderr
    assert "set PHASEGATE_SMTP_URL" in result.stderr
    assert "Traceback" not in result.stderr
    assert outbox(live_app) == before
    assert [m.status for m in before] == ["pending"] * 3


def test_send_pending_with_smtp_delivers_the_outbox(
    live_app: App, env: dict[str, str], tmp_path: Path
) -> None:
    request_bp1(live_app)
    written = {m.recipient: m.message_id for m in outbox(live_app)}

    with MailServer() as server:
        result = run_phasegate(
            "mail", "send-pending", cwd=tmp_path, env={**env, "PHASEGATE_SMTP_URL": server.url}
        )
        received = list(server.recorder.received)

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "sent 3, to retry 0, dead 0"
    assert {r.rcpt_tos for r in received} == {(address,) for address in BOARD}
    # Each email arrives with the Message-ID it was given when it was written.
    assert {r.rcpt_tos[0]: r.message_id for r in received} == written
    assert all("Digitaliseringsstrategi" in str(r.message["Subject"]) for r in received)

    sent = run_phasegate("mail", "list", "--status", "sent", cwd=tmp_path, env=env)
    pending = run_phasegate("mail", "list", "--status", "pending", cwd=tmp_path, env=env)

    assert sent.returncode == 0, sent.stderr
    assert listed_recipients(sent.stdout) == BOARD
    assert all(" sent " in line for line in sent.stdout.splitlines()[1:])
    assert pending.stdout.strip() == "No pending messages."
