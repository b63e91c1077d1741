#!/usr/bin/env python3
"""Run the docker-compose topology by hand, without Docker, on a PostgreSQL you give it.

    scripts/topology.py --database-url postgresql+psycopg://user@host/phasegate

It runs ``phasegate db upgrade`` once, then two ``phasegate serve`` processes (on
``--ports``, the scheduler off in both), one ``phasegate scheduler`` and, unless
``--smtp-url`` names a mail server, an aiosmtpd SMTP server on loopback that prints what
it receives. It prints the URLs and stops everything on Ctrl+C or SIGTERM. Every other
setting comes from the PHASEGATE_* environment, as for ``phasegate`` itself.
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType

#: The ``phasegate`` beside this Python (the venv's), else whichever is on PATH.
PHASEGATE = str(Path(sys.executable).with_name("phasegate"))
if not Path(PHASEGATE).exists():
    PHASEGATE = "phasegate"


@dataclass
class Topology:
    """The processes started, by name, and the addresses they serve."""

    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    web_urls: list[str] = field(default_factory=list)
    smtp_url: str = ""

    def stop(self, timeout: float = 30) -> None:
        """SIGTERM to each, then wait; whatever ignores it for ``timeout`` s is killed."""
        for process in self.processes.values():
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + timeout
        for process in self.processes.values():
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

    def dead(self) -> dict[str, int]:
        """The processes that have exited, and their exit codes."""
        return {name: code for name, p in self.processes.items() if (code := p.poll()) is not None}


def environment(database_url: str, smtp_url: str, **extra: str) -> dict[str, str]:
    """This process's environment, with the database, the SMTP server and ``extra``."""
    env = dict(os.environ)
    env["PHASEGATE_DATABASE_URL"] = database_url
    env["PHASEGATE_SMTP_URL"] = smtp_url
    env.update({f"PHASEGATE_{k.upper()}": v for k, v in extra.items()})
    return env


def wait_for_port(host: str, port: int, process: subprocess.Popen[bytes], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{process.args!r} exited with {process.returncode}")
        try:
            with socket.create_connection((host, port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"nothing listened on {host}:{port} within {timeout} s")


def wait_until_ready(url: str, process: subprocess.Popen[bytes], timeout: float) -> None:
    """Poll ``url``/readyz until it answers 200."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{process.args!r} exited with {process.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/readyz", timeout=2) as answer:  # noqa: S310
                if answer.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"{url}/readyz was not ready within {timeout} s")


def start(
    database_url: str,
    *,
    ports: tuple[int, int] = (8001, 8002),
    smtp_url: str | None = None,
    smtp_port: int = 1025,
    host: str = "127.0.0.1",
    logs: Path | None = None,
    timeout: float = 60,
    **settings: str,
) -> Topology:
    """Start the topology and return once both web servers are ready.

    ``settings`` are more PHASEGATE_* values (``tick_seconds="1"``). With ``logs``, each
    process writes its output to ``logs/NAME.log``; otherwise it goes to this terminal.
    On any failure what was started is stopped again.
    """
    topology = Topology()

    def launch(name: str, command: list[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
        out = None if logs is None else (logs / f"{name}.log").open("wb")
        try:
            process = subprocess.Popen(  # noqa: S603 - our own commands
                command, env=env, stdout=out, stderr=subprocess.STDOUT if out else None
            )
        finally:
            if out is not None:
                out.close()
        topology.processes[name] = process
        return process

    try:
        if smtp_url is None:
            smtp = launch(
                "smtp",
                [sys.executable, "-m", "aiosmtpd", "-n", "-l", f"{host}:{smtp_port}"],
                dict(os.environ),
            )
            wait_for_port(host, smtp_port, smtp, timeout)
            smtp_url = f"smtp://{host}:{smtp_port}"
        topology.smtp_url = smtp_url
        env = environment(database_url, smtp_url, scheduler_in_web="false", **settings)
        upgraded = subprocess.run(  # noqa: S603
            [PHASEGATE, "db", "upgrade"], env=env, check=False, timeout=timeout
        )
        if upgraded.returncode != 0:
            raise RuntimeError(f"phasegate db upgrade failed ({upgraded.returncode})")
        webs = []
        for name, port in zip(("web-a", "web-b"), ports, strict=True):
            command = [PHASEGATE, "serve", "--host", host, "--port", str(port)]
            webs.append((launch(name, command, env), f"http://{host}:{port}"))
        launch("scheduler", [PHASEGATE, "scheduler"], env)
        for process, url in webs:
            wait_until_ready(url, process, timeout)
            topology.web_urls.append(url)
    except BaseException:
        topology.stop()
        raise
    return topology


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--database-url",
        default=os.environ.get("PHASEGATE_DATABASE_URL"),
        help="PostgreSQL URL (default: PHASEGATE_DATABASE_URL)",
    )
    parser.add_argument("--ports", type=int, nargs=2, default=[8001, 8002], metavar="PORT")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument(
        "--smtp-url", help="an SMTP server to use instead of starting aiosmtpd on --smtp-port"
    )
    parser.add_argument("--smtp-port", type=int, default=1025)
    args = parser.parse_args(argv)
    if not args.database_url:
        parser.error("give --database-url or set PHASEGATE_DATABASE_URL")

    stopping = False

    def stop_on_signal(_signum: int, _frame: FrameType | None) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, stop_on_signal)
    signal.signal(signal.SIGINT, stop_on_signal)
    topology = start(
        args.database_url,
        ports=(args.ports[0], args.ports[1]),
        smtp_url=args.smtp_url,
        smtp_port=args.smtp_port,
        host=args.host,
    )
    lines = [f"web:  {url}/" for url in topology.web_urls]
    lines.append(f"smtp: {topology.smtp_url}")
    sys.stdout.write("topology running (Ctrl+C stops it)\n" + "\n".join(lines) + "\n")
    sys.stdout.flush()
    try:
        while not stopping:
            if dead := topology.dead():
                sys.stderr.write(f"stopping: exited unexpectedly: {dead}\n")
                return 1
            time.sleep(0.2)
    finally:
        topology.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
