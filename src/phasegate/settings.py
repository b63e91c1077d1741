"""Configuration: one typed ``Settings``, read from ``PHASEGATE_*`` variables and ``.env``.

Build it once with :meth:`Settings.load` and pass it down; nothing reads the environment
behind its back.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    Field,
    SecretStr,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.engine import make_url

from phasegate.domain.risks import Scale
from phasegate.errors import ConfigurationError

MIN_SECRET_LENGTH = 32
REPO_ROOT = Path(__file__).resolve().parents[2]


class Environment(StrEnum):
    DEVELOPMENT = "development"
    TEST = "test"
    PRODUCTION = "production"


class Locale(StrEnum):
    """A language of the pages, as ``PHASEGATE_LOCALE`` and the ``--lang`` options take
    it: the languages of :data:`phasegate.i18n.LOCALES` (bokmål, nynorsk, English)."""

    NB = "nb"
    NN = "nn"
    EN = "en"


class PublicRead(StrEnum):
    """What people who are not signed in may read."""

    NONE = "none"  # nothing with portfolio data
    OVERVIEW = "overview"  # the portfolio overview page, for those who publish it


class LogFormat(StrEnum):
    JSON = "json"  # one JSON object per line, for log collectors
    TEXT = "text"  # readable lines, for a terminal


def _default_dir(name: str) -> Path:
    here = Path.cwd() / name
    return here if here.is_dir() else REPO_ROOT / name


def _default_workflows_dir() -> Path:
    return _default_dir("workflows")


class Settings(BaseSettings):
    """Everything phasegate can be configured with. See docs/architecture.md."""

    model_config = SettingsConfigDict(
        env_prefix="PHASEGATE_", env_file=".env", extra="ignore", frozen=True
    )

    env: Environment = Field(
        Environment.DEVELOPMENT,
        description="Where phasegate runs. Production requires a real secret key, refuses "
        "the drill clock and logs JSON by default.",
    )
    database_url: str = Field(
        "sqlite:///phasegate.db",
        description="The database: a SQLite file (`sqlite:///…`) or PostgreSQL "
        "(`postgresql+psycopg://user:password@host/db`).",
    )
    secret_key: SecretStr | None = Field(
        None,
        description="Signs vote and report links and CSRF values. In production it must be "
        "set, at least 32 characters, or start-up is refused. In development a key is "
        "generated once and kept in a file: beside the SQLite file (`<database "
        "file>.secret_key`), or `.phasegate-secret-key` in the working directory.",
    )
    base_url: str = Field(
        "http://127.0.0.1:8000",
        description="The address people reach phasegate at; links in email start with it.",
    )
    timezone: str = Field(
        "Europe/Oslo",
        description="The organisation's time zone (an IANA name).",
    )
    locale: Locale = Field(
        Locale.NB,
        description="The default language of the pages.",
    )
    workflows_dir: Path = Field(
        default_factory=_default_workflows_dir,
        description="Where the workflow files are.",
    )
    default_workflow: str = Field(
        "prosjektveiviseren",
        description="The workflow new projects start on.",
    )
    notifications_dir: Path = Field(
        default_factory=lambda: _default_dir("notifications"),
        description="The email templates.",
    )
    risk_scale: str = Field(
        "5x5",
        description="The risk matrix: probability steps × consequence steps (2 to 10 "
        "each), e.g. `5x5` or `4x4`. Lowering it later counts older, higher scores on the "
        "matrix's edge.",
    )
    # Unset: json in production, text in development and test.
    log_format: LogFormat = Field(
        None,
        validate_default=True,
        description="`json`: one JSON object per log line, for a log collector; `text`: "
        "readable lines.",
    )

    # Email. Without an SMTP URL, mail stays in the outbox and the development mailbox
    # (/dev/mailbox) shows it.
    smtp_url: SecretStr | None = Field(
        None,
        description="The mail relay: `smtp://user:password@host:587` (STARTTLS when the "
        "server offers it; port 25 if none is given) or `smtps://user:password@host` (TLS "
        "from the start; port 465 if none is given). Unset: mail stays in the outbox, and "
        "outside production `/dev/mailbox` shows it.",
    )
    mail_from: str = Field(
        "phasegate <phasegate@localhost>",
        description="The sender address of every email.",
    )
    mail_rate_per_minute: int = Field(
        0,
        ge=0,
        description="At most this many messages a minute, spaced evenly; 0 is no limit. "
        "Set what the relay allows (Exchange Online: 30 a minute per mailbox).",
    )
    mail_max_age_hours: int = Field(
        72,
        ge=1,
        description="Undelivered mail older than this becomes a dead letter.",
    )
    webhook_timeout_seconds: float = Field(
        10.0,
        gt=0,
        le=120,
        description="How long a webhook receiver may take to answer before the delivery is "
        "retried later.",
    )
    webhook_max_age_hours: int = Field(
        72,
        ge=1,
        description="A webhook delivery not accepted within this many hours becomes a dead "
        "letter, for the PMO to re-send.",
    )
    dev_mailbox: bool | None = Field(
        None,
        description="Serve the development mailbox at `/dev/mailbox`; `true` keeps it on "
        "when SMTP is set. Never served in production.",
    )

    # The annual cycle (årshjul): the wheel file, and the scheduler that works through it.
    # `phasegate serve` runs the scheduler in-process unless PHASEGATE_SCHEDULER_IN_WEB is
    # false (for when a separate `phasegate scheduler` runs).
    wheel_file: Path | None = Field(
        None,
        description="The annual cycle: board meetings, reporting cycles, deadlines and "
        "reminder policies.",
    )
    scheduler_in_web: bool = Field(
        True,
        description="`phasegate serve` runs the scheduler too; set `false` when a separate "
        "`phasegate scheduler` runs.",
    )
    tick_seconds: int = Field(60, ge=1, description="How often the scheduler looks for due work.")
    outbox_seconds: int = Field(
        15, ge=1, description="How often the scheduler sends the outbox and the webhooks."
    )
    # For drills and tests: a simulated clock that starts at CLOCK_START when the process
    # starts and runs CLOCK_SPEED times faster than real time. Refused in production.
    clock_start: datetime | None = Field(
        None, description="Drills and tests only: a simulated clock's start, with its time zone."
    )
    clock_speed: float = Field(
        1.0, gt=0, description="With `PHASEGATE_CLOCK_START`: that clock's speed, times real time."
    )

    # Readiness (/readyz): not ready while the outbox holds this many unsent messages, or
    # its oldest unsent message has waited this long.
    ready_outbox_backlog: int = Field(
        1000,
        ge=1,
        description="`/readyz` answers 503 while this many messages (or more) wait unsent; "
        "dead letters don't count, and without SMTP the limit does not apply.",
    )
    ready_outbox_age_seconds: int = Field(
        900,
        ge=1,
        description="`/readyz` answers 503 while the oldest unsent message has waited this "
        "long; without SMTP the limit does not apply.",
    )

    # Sign-in: a one-time link by email, then a session cookie.
    sign_in_link_minutes: int = Field(
        15, ge=1, le=24 * 60, description="How long a sign-in link works (once)."
    )
    session_days: int = Field(14, ge=1, description="How long a browser stays signed in.")

    # Who may read without signing in.
    public_read: PublicRead = Field(
        PublicRead.NONE,
        description="What people who are not signed in may read. `none`: no page with "
        "portfolio data (they are sent to sign in). `overview`: the portfolio overview "
        "(`/`) too, for an organisation that publishes its portfolio; the exports, project "
        "pages, the board's queue, the wheel and the calendar still need a signed-in person.",
    )
    metrics_token: SecretStr | None = Field(
        None,
        description="Set: `/metrics` answers only requests with `Authorization: Bearer "
        "<this value>` (Prometheus: `authorization: {credentials: …}`). Unset: anyone who "
        "can reach `/metrics` may read it.",
    )

    # Approval links
    link_ttl_days: int = Field(14, ge=1, description="How long vote links in email work.")
    old_secret_keys: SecretStr | None = Field(
        None,
        description="Comma-separated previous secret keys: vote and report links they "
        "signed are still accepted during a key rotation.",
    )

    @field_validator("secret_key", "smtp_url", "old_secret_keys", "metrics_token", mode="before")
    @classmethod
    def _blank_is_unset(cls, value: object) -> object:
        # docker compose passes an unset ${PHASEGATE_SECRET_KEY} through as "".
        if isinstance(value, str) and not value.strip():
            return None
        return value

    @field_validator("log_format", mode="before")
    @classmethod
    def _log_format_for_the_environment(cls, value: object, info: ValidationInfo) -> object:
        if isinstance(value, str):
            value = value.strip().lower() or None
        if value is None:
            production = info.data.get("env") is Environment.PRODUCTION
            return LogFormat.JSON if production else LogFormat.TEXT
        return value

    @field_validator("smtp_url")
    @classmethod
    def _smtp_scheme(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not value.get_secret_value().startswith(("smtp://", "smtps://")):
            raise ValueError("must start with smtp:// (STARTTLS when offered) or smtps://")
        return value

    @field_validator("risk_scale")
    @classmethod
    def _risk_scale(cls, value: str) -> str:
        probability, _, consequence = value.strip().lower().partition("x")
        if not (probability.isdigit() and consequence.isdigit()):
            raise ValueError(f"write the risk scale as 5x5, not {value!r}")
        Scale(int(probability), int(consequence))  # 2 to 10 steps each, or ValueError
        return f"{int(probability)}x{int(consequence)}"

    @property
    def scale(self) -> Scale:
        """The risk matrix of ``risk_scale``."""
        probability, _, consequence = self.risk_scale.partition("x")
        return Scale(int(probability), int(consequence))

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}; use a name like Europe/Oslo") from exc
        return value

    @field_validator("base_url")
    @classmethod
    def _http_base_url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return value.rstrip("/")

    @field_validator("database_url")
    @classmethod
    def _parsable_database_url(cls, value: str) -> str:
        try:
            url = make_url(value)
        except Exception as exc:
            raise ValueError(f"not a database URL: {value!r}") from exc
        if url.get_backend_name() not in {"sqlite", "postgresql"}:
            raise ValueError("phasegate runs on sqlite:/// or postgresql+psycopg:// URLs")
        return value

    @field_validator("clock_start")
    @classmethod
    def _aware_clock_start(cls, value: datetime | None) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("give the time zone too, e.g. 2027-03-01T07:00:00+01:00")
        return value

    @model_validator(mode="after")
    def _production_needs_a_real_secret(self) -> Settings:
        if self.env is not Environment.PRODUCTION:
            return self
        if self.clock_start is not None:
            raise ValueError(
                "PHASEGATE_CLOCK_START is for drills and tests; unset it in production"
            )
        if self.dev_mailbox:
            raise ValueError(
                "PHASEGATE_DEV_MAILBOX would show everyone's email, sign-in and vote links "
                "included, to anyone; unset it in production and set PHASEGATE_SMTP_URL"
            )
        key = self.secret_key.get_secret_value() if self.secret_key else ""
        if len(key) < MIN_SECRET_LENGTH:
            raise ValueError(
                "PHASEGATE_SECRET_KEY must be set in production, at least "
                f"{MIN_SECRET_LENGTH} characters. Generate one with: "
                'python -c "import secrets; print(secrets.token_urlsafe(48))"'
            )
        return self

    @classmethod
    def load(cls, environ: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
        """Read the settings, turning validation errors into one plain message."""
        source = os.environ if environ is None else environ
        values = {
            key.removeprefix("PHASEGATE_").lower(): value
            for key, value in source.items()
            if key.startswith("PHASEGATE_")
        }
        values.update(overrides)
        try:
            if environ is None:
                return cls(**overrides)
            return cls.model_validate({"_env_file": None, **values})
        except ValidationError as exc:
            problems = "; ".join(
                (
                    f"PHASEGATE_{'_'.join(str(p) for p in err['loc']).upper()}: "
                    if err["loc"]
                    else ""
                )
                + err["msg"].removeprefix("Value error, ")
                for err in exc.errors()
            )
            raise ConfigurationError("settings", details=problems) from exc

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def wheel_path(self) -> Path:
        """The wheel file: PHASEGATE_WHEEL_FILE, or arshjul.yaml beside the workflows."""
        return self.wheel_file or self.workflows_dir / "arshjul.yaml"

    @property
    def drill_speed(self) -> float:
        """How many times faster than real time phasegate's clock runs: the drill clock's
        speed (PHASEGATE_CLOCK_SPEED) while one is set, else 1. Leases and maximum ages,
        counted on that clock, stretch by it."""
        return self.clock_speed if self.clock_start is not None else 1.0

    @property
    def dev_mailbox_enabled(self) -> bool:
        """Whether the development mailbox is served. Never in production: it shows
        everyone's email, sign-in and vote links included, to whoever asks."""
        if self.env is Environment.PRODUCTION:
            return False
        return self.smtp_url is None if self.dev_mailbox is None else self.dev_mailbox

    def previous_secret_keys(self) -> list[str]:
        """Keys from before a rotation; links they signed are still accepted."""
        if self.old_secret_keys is None:
            return []
        return [k.strip() for k in self.old_secret_keys.get_secret_value().split(",") if k.strip()]

    @property
    def is_sqlite(self) -> bool:
        return make_url(self.database_url).get_backend_name() == "sqlite"

    def secret_key_file(self) -> Path:
        """Where the development secret is kept: beside the SQLite file, else in the cwd."""
        url = make_url(self.database_url)
        if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
            db = Path(str(url.database))
            return db.with_name(db.name + ".secret_key")
        return Path.cwd() / ".phasegate-secret-key"

    def resolved_secret_key(self) -> str:
        """The signing key: the configured one, or in development one generated once and kept."""
        if self.secret_key is not None:
            return self.secret_key.get_secret_value()
        path = self.secret_key_file()
        if path.exists():
            return path.read_text(encoding="utf-8").strip()
        key = secrets.token_urlsafe(48)
        path.parent.mkdir(parents=True, exist_ok=True)
        # Write it whole under a temporary name, then link it into place: a second process
        # starting at the same moment sees either no file or the full key, never half.
        draft = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(key + "\n")
        try:
            os.link(draft, path)
        except FileExistsError:  # another process made it first; use theirs
            key = path.read_text(encoding="utf-8").strip()
        finally:
            draft.unlink()
        return key
