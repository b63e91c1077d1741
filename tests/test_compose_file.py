"""docker-compose.yml and the Dockerfile, read as files (no Docker engine is needed):
the topology is the one docs and scripts/topology.py describe, and every `phasegate`
command they run exists."""

from __future__ import annotations

import re
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from phasegate.cli import cli
from phasegate.settings import Settings
from tests.factories import REPO, TEST_SECRET

SERVICES = {"postgres", "migrate", "web", "scheduler", "mailpit"}


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    loaded = yaml.safe_load((REPO / "docker-compose.yml").read_text(encoding="utf-8"))
    assert isinstance(loaded, dict)
    return loaded


@pytest.fixture(scope="module")
def services(compose: dict[str, Any]) -> dict[str, Any]:
    found = compose["services"]
    assert isinstance(found, dict)
    return found


def command(service: dict[str, Any]) -> list[str]:
    given = service["command"]
    return given.split() if isinstance(given, str) else [str(word) for word in given]


def depends(service: dict[str, Any], on: str) -> str:
    return str(service["depends_on"][on]["condition"])


def test_the_services(services: dict[str, Any]) -> None:
    assert set(services) == SERVICES
    assert services["postgres"]["image"] == "postgres:15"
    assert services["mailpit"]["image"].startswith("axllent/mailpit")
    for name in ("migrate", "web", "scheduler"):
        assert services[name]["build"] == ".", name


def test_postgres_keeps_its_data_and_says_when_it_is_ready(
    compose: dict[str, Any], services: dict[str, Any]
) -> None:
    postgres = services["postgres"]
    volume = postgres["volumes"][0].split(":")
    assert volume[1] == "/var/lib/postgresql/data"
    assert volume[0] in compose["volumes"]
    assert "pg_isready" in " ".join(postgres["healthcheck"]["test"])


def test_migrate_runs_once_after_postgres_is_healthy(services: dict[str, Any]) -> None:
    migrate = services["migrate"]
    assert command(migrate) == ["phasegate", "db", "upgrade"]
    assert depends(migrate, "postgres") == "service_healthy"
    assert migrate["restart"] == "no"


def test_web_and_scheduler_start_after_the_migration(services: dict[str, Any]) -> None:
    for name in ("web", "scheduler"):
        assert depends(services[name], "migrate") == "service_completed_successfully", name
    assert command(services["scheduler"]) == ["phasegate", "scheduler"]
    assert command(services["web"])[:2] == ["phasegate", "serve"]


def test_two_web_replicas_without_their_scheduler(services: dict[str, Any]) -> None:
    web = services["web"]
    assert web["deploy"]["replicas"] == 2
    assert web["environment"]["PHASEGATE_SCHEDULER_IN_WEB"] == "false"
    assert "/readyz" in " ".join(web["healthcheck"]["test"])
    # Two replicas cannot share one fixed host port: a range gives each its own.
    for mapping in web.get("ports", []):
        host = str(mapping).rsplit(":", 1)[0]
        low, _, high = host.partition("-")
        assert high, f"{mapping}: one fixed port for two replicas"
        assert int(high) - int(low) + 1 >= 2, mapping


def test_mail_goes_to_mailpit(services: dict[str, Any]) -> None:
    for name in ("web", "scheduler"):
        assert services[name]["environment"]["PHASEGATE_SMTP_URL"] == "smtp://mailpit:1025"
    assert "8025:8025" in services["mailpit"]["ports"]


def test_secrets_must_be_given(services: dict[str, Any]) -> None:
    for name in ("migrate", "web", "scheduler"):
        env = services[name]["environment"]
        assert env["PHASEGATE_SECRET_KEY"] == "${PHASEGATE_SECRET_KEY:?set it}"
        assert "${POSTGRES_PASSWORD:?set it}" in env["PHASEGATE_DATABASE_URL"]


def substituted(value: str) -> str:
    """Compose's ${NAME:?...} and ${NAME:-default}, with stand-ins for the secrets."""
    given = {"POSTGRES_PASSWORD": "pw", "PHASEGATE_SECRET_KEY": TEST_SECRET}

    def one(match: re.Match[str]) -> str:
        name, sign, rest = match.group(1), match.group(2), match.group(3)
        return given[name] if sign == "?" else given.get(name, rest)

    return re.sub(r"\$\{(\w+):([?-])([^}]*)\}", one, value)


@pytest.mark.parametrize("name", ["migrate", "web", "scheduler"])
def test_the_environment_is_valid_production_settings(services: dict[str, Any], name: str) -> None:
    env = {k: substituted(str(v)) for k, v in services[name]["environment"].items()}
    settings = Settings.load(env)
    assert settings.env == "production"
    assert settings.database_url.startswith("postgresql+psycopg://phasegate:pw@postgres:5432/")


def phasegate_commands(services: dict[str, Any]) -> list[list[str]]:
    found = [command(s)[1:] for s in services.values() if "command" in s]
    dockerfile = (REPO / "Dockerfile").read_text(encoding="utf-8")
    cmd = re.search(r"^CMD (\[.*\])$", dockerfile, re.MULTILINE)
    assert cmd is not None
    found.append(yaml.safe_load(cmd.group(1))[1:])
    return found


def test_every_phasegate_command_exists(services: dict[str, Any]) -> None:
    commands = phasegate_commands(services)
    assert len(commands) == 4  # migrate, web, scheduler, and the image's default
    for args in commands:
        words = [a for a in args if not a.startswith("--")]
        words = [w for w in words if not re.fullmatch(r"[\d.]+", w)]  # option values
        result = CliRunner().invoke(cli, [*words, "--help"])
        assert result.exit_code == 0, (args, result.output)
        for option in (a for a in args if a.startswith("--")):
            assert option in result.output, (args, option)


def test_the_dockerfile(services: dict[str, Any]) -> None:
    dockerfile = (REPO / "Dockerfile").read_text(encoding="utf-8")
    lines = dockerfile.splitlines()
    assert lines[[line.startswith("FROM") for line in lines].index(True)] == (
        "FROM python:3.11-slim"
    )
    assert re.search(r"^RUN pip install \.", dockerfile, re.MULTILINE)  # not editable
    assert "-e ." not in dockerfile
    user = re.search(r"^USER (\S+)$", dockerfile, re.MULTILINE)
    assert user is not None
    assert user.group(1) not in {"root", "0"}
    health = dockerfile[dockerfile.index("HEALTHCHECK") :].split("\n\n")[0]
    assert "urllib.request" in health
    assert "/healthz" in health
    assert "curl" not in dockerfile
    assert re.search(r'^CMD \["phasegate", "serve", "--host", "0.0.0.0"', dockerfile, re.M)
    # The services without an HTTP server must not inherit the image's health check.
    for name in ("migrate", "scheduler"):
        assert services[name]["healthcheck"] == {"disable": True}, name
