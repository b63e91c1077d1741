"""Configuration from PHASEGATE_* variables: defaults, validation, and the secret key."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from phasegate.errors import ConfigurationError
from phasegate.settings import MIN_SECRET_LENGTH, Environment, Locale, Settings

LONG_SECRET = "a-production-secret-that-is-comfortably-longer-than-32-chars"


def test_without_any_variables_phasegate_runs_on_a_sqlite_file_in_oslo_time_in_norwegian() -> None:
    settings = Settings.load({})

    assert settings.database_url == "sqlite:///phasegate.db"
    assert settings.is_sqlite
    assert settings.timezone == "Europe/Oslo"
    assert settings.zone.key == "Europe/Oslo"
    assert settings.locale is Locale.NB
    assert settings.base_url == "http://127.0.0.1:8000"
    assert settings.env is Environment.DEVELOPMENT
    assert settings.secret_key is None
    assert settings.default_workflow == "prosjektveiviseren"


def test_phasegate_variables_are_read_and_other_variables_are_ignored(tmp_path: Path) -> None:
    settings = Settings.load(
        {
            "PHASEGATE_DATABASE_URL": "postgresql+psycopg://phasegate@db.asker.example/portfolio",
            "PHASEGATE_TIMEZONE": "America/New_York",
            "PHASEGATE_LOCALE": "en",
            "PHASEGATE_BASE_URL": "https://portefolje.asker.example/",
            "PHASEGATE_WORKFLOWS_DIR": str(tmp_path),
            "PHASEGATE_DEFAULT_WORKFLOW": "smaa-prosjekter",
            "PHASEGATE_ENV": "production",
            "PHASEGATE_SECRET_KEY": LONG_SECRET,
            "DATABASE_URL": "sqlite:///not-ours.db",
            "LOCALE": "nb",
        }
    )

    assert settings.database_url == "postgresql+psycopg://phasegate@db.asker.example/portfolio"
    assert not settings.is_sqlite
    assert settings.zone.key == "America/New_York"
    assert settings.locale is Locale.EN
    assert settings.base_url == "https://portefolje.asker.example", "trailing slash dropped"
    assert settings.workflows_dir == tmp_path
    assert settings.default_workflow == "smaa-prosjekter"
    assert settings.env is Environment.PRODUCTION
    assert settings.resolved_secret_key() == LONG_SECRET


@pytest.mark.parametrize(
    ("variable", "value", "explanation"),
    [
        ("PHASEGATE_TIMEZONE", "Europe/Asker", "unknown time zone 'Europe/Asker'"),
        ("PHASEGATE_LOCALE", "sv", "'nb', 'nn' or 'en'"),
        ("PHASEGATE_BASE_URL", "portefolje.asker.example", "http:// or https://"),
        ("PHASEGATE_BASE_URL", "ftp://portefolje.asker.example", "http:// or https://"),
        ("PHASEGATE_DATABASE_URL", "phasegate.db", "not a database URL"),
        ("PHASEGATE_DATABASE_URL", "mysql://root@localhost/phasegate", "sqlite"),
    ],
)
def test_a_bad_value_is_refused_with_a_message_naming_the_variable(
    variable: str, value: str, explanation: str
) -> None:
    with pytest.raises(ConfigurationError) as refused:
        Settings.load({variable: value})

    message = refused.value.message
    assert f"{variable}: " in message
    assert explanation in message


def test_production_without_a_secret_key_is_refused_and_told_how_to_make_one() -> None:
    with pytest.raises(ConfigurationError) as refused:
        Settings.load({"PHASEGATE_ENV": "production"})

    message = refused.value.message
    assert "PHASEGATE_SECRET_KEY must be set in production" in message
    assert "secrets.token_urlsafe" in message


def test_production_with_a_short_secret_key_is_refused() -> None:
    short = "x" * (MIN_SECRET_LENGTH - 1)
    with pytest.raises(ConfigurationError) as refused:
        Settings.load({"PHASEGATE_ENV": "production", "PHASEGATE_SECRET_KEY": short})

    message = refused.value.message
    assert "PHASEGATE_SECRET_KEY" in message
    assert f"at least {MIN_SECRET_LENGTH} characters" in message
    assert "secrets.token_urlsafe" in message


def test_development_generates_a_secret_once_and_keeps_it_beside_the_database(
    tmp_path: Path,
) -> None:
    database = tmp_path / "portefolje.db"
    environ = {"PHASEGATE_DATABASE_URL": f"sqlite:///{database}"}

    first = Settings.load(environ).resolved_secret_key()

    kept = tmp_path / "portefolje.db.secret_key"
    assert kept.is_file()
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600, "only the owner may read the key"
    assert kept.read_text(encoding="utf-8").strip() == first
    assert len(first) >= MIN_SECRET_LENGTH, "the generated key would also pass in production"

    again = Settings.load(environ).resolved_secret_key()
    assert again == first, "a restart keeps the key, so signed links keep working"
    assert [p.name for p in tmp_path.iterdir()] == ["portefolje.db.secret_key"]


def test_an_explicit_secret_key_wins_over_the_kept_one(tmp_path: Path) -> None:
    database_url = f"sqlite:///{tmp_path / 'phasegate.db'}"
    generated = Settings.load({"PHASEGATE_DATABASE_URL": database_url}).resolved_secret_key()

    explicit = Settings.load(
        {"PHASEGATE_DATABASE_URL": database_url, "PHASEGATE_SECRET_KEY": LONG_SECRET}
    ).resolved_secret_key()

    assert explicit == LONG_SECRET
    assert explicit != generated
    kept = tmp_path / "phasegate.db.secret_key"
    assert kept.read_text(encoding="utf-8").strip() == generated, "the kept key is untouched"


@pytest.mark.parametrize("blank", ["", "   "], ids=["empty", "spaces"])
def test_a_blank_secret_key_counts_as_no_key_rather_than_signing_with_it(
    tmp_path: Path, blank: str
) -> None:
    # docker compose passes `PHASEGATE_SECRET_KEY: ${PHASEGATE_SECRET_KEY}` through as ""
    # when the variable is unset. Signing approval links with a blank key makes them
    # forgeable, so a blank key must mean "none set": generate and keep one as usual.
    environ = {
        "PHASEGATE_DATABASE_URL": f"sqlite:///{tmp_path / 'phasegate.db'}",
        "PHASEGATE_SECRET_KEY": blank,
    }

    key = Settings.load(environ).resolved_secret_key()

    assert len(key.strip()) >= MIN_SECRET_LENGTH, f"links would be signed with {key!r}"
    assert (tmp_path / "phasegate.db.secret_key").read_text(encoding="utf-8").strip() == key
