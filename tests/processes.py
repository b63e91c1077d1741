"""Helpers for tests that run the real `phasegate` command and talk to it over TCP."""

from __future__ import annotations

import os
import socket
import subprocess
import time
from pathlib import Path

from tests.factories import REPO, WORKFLOWS

PHASEGATE = REPO / ".venv" / "bin" / "phasegate"


def cli_env(**phasegate: str) -> dict[str, str]:
    """This process's environment without any PHASEGATE_* variable, plus ``phasegate``.

    ``cli_env(database_url="sqlite:///x.db")`` sets PHASEGATE_DATABASE_URL. The workflows
    directory always points at the repository's workflows.
    """
    env = {k: v for k, v in os.environ.items() if not k.startswith("PHASEGATE_")}
    env["PHASEGATE_WORKFLOWS_DIR"] = str(WORKFLOWS)
    env.update({f"PHASEGATE_{k.upper()}": v for k, v in phasegate.items()})
    return env


def run_phasegate(
    *args: str, cwd: Path, env: dict[str, str], timeout: float = 30
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - our own command, fixed arguments
        [str(PHASEGATE), *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def upgraded_cli_env(database_url: str, cwd: Path) -> dict[str, str]:
    """The CLI's environment on ``database_url`` (see :func:`cli_env`), its schema made by
    the CLI's own `phasegate db upgrade`."""
    environment = cli_env(database_url=database_url)
    upgraded = run_phasegate("db", "upgrade", cwd=cwd, env=environment)
    assert upgraded.returncode == 0, upgraded.stderr
    return environment


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for_port(port: int, process: subprocess.Popen[str], timeout: float = 30) -> None:
    """Return once something accepts connections on ``port``; fail if ``process`` dies."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"phasegate exited with {process.returncode} before serving")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise AssertionError(f"nothing listened on port {port} within {timeout} s")
