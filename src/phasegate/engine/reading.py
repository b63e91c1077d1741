"""What the engine lets the pages, the feeds, the console and the operators read.

Each view reads in a transaction of its own and returns plain data, so that nothing
outside the engine (and the annual cycle's tick) holds a connection or runs a statement:
``import-linter`` keeps :mod:`phasegate.web` and :mod:`phasegate.cli` from importing the
storage or SQLAlchemy at all (``pyproject.toml``). :class:`Reading` is a part of
:class:`~phasegate.engine.service.Engine`, kept apart to keep that module short.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import datetime
from typing import Literal

from sqlalchemy import Connection
from sqlalchemy import Engine as Database

from phasegate.domain.model import WorkflowDefinition
from phasegate.domain.reports import ReportKind
from phasegate.engine import calendar, health, outbox, queries, reports
from phasegate.engine import project_page as pages
from phasegate.engine.catalog import WorkflowCatalog
from phasegate.engine.lookups import Q_PERSON_BY_EMAIL
from phasegate.engine.unit import UnitOfWork
from phasegate.storage.tables import OutboxMessage, WebhookDelivery

QUEUES = {"outbox": OutboxMessage, "webhooks": WebhookDelivery}


class Reading:
    """The engine's read-only views (one transaction each, writing nothing)."""

    database: Database
    workflows: WorkflowCatalog
    clock: Callable[[], datetime]

    def reading(self) -> AbstractContextManager[Connection]:
        raise NotImplementedError  # the engine's (service.py)

    def asking(self, person: int) -> AbstractContextManager[UnitOfWork]:
        raise NotImplementedError  # the engine's (service.py)

    # --- projects ----------------------------------------------------------------------

    def definition_of(self, project: int) -> WorkflowDefinition:
        """The workflow version the project runs on (its labels, its gates)."""
        with self.reading() as conn:
            found = queries.project(conn, self.workflows, project)
            return self.workflows.pinned(conn, found.workflow, found.workflow_version).definition

    def project_page(self, project: int) -> pages.ProjectPage:
        """Everything the project page shows; NotFound for an unknown project."""
        with self.reading() as conn:
            return pages.project_page(conn, self.workflows, project)

    def gate_form(self, project: int, person: int) -> pages.GateForm:
        """The project's next gate; NotPermitted unless ``person`` may request it."""
        with self.asking(person) as uow:
            return pages.gate_form(uow, project)

    def check_reporter(self, project: int, person: int) -> None:
        """NotPermitted unless ``person`` may write the project's reports; NotFound for no
        such project."""
        with self.asking(person) as uow:
            reports.require_reporter(uow, project)

    def new_report_kind(self, project: int, phase: str) -> ReportKind:
        """The kind the project's next draft starts as (the engine's own choice)."""
        with self.reading() as conn:
            return reports.new_report_kind(conn, project, phase)

    def person_by_email(self, email: str) -> int | None:
        with self.reading() as conn:
            found = conn.execute(Q_PERSON_BY_EMAIL, {"email": email.strip().lower()}).first()
            return None if found is None else int(found.id)

    # --- the calendar feed -------------------------------------------------------------

    def feed_owner(self, person: int | None, project: int | None) -> calendar.FeedOwner:
        """Whom and what a calendar feed is for; NotFound for an unknown id."""
        with self.reading() as conn:
            return calendar.feed_owner(conn, person, project)

    def open_deadlines(
        self, person: int | None = None, project: int | None = None
    ) -> list[calendar.OpenDeadline]:
        """The open deadlines, soonest first; only the person's or the project's if given."""
        with self.reading() as conn:
            return calendar.open_deadlines(conn, person, project)

    # --- the outboxes and the operators ------------------------------------------------

    def outbox_messages(
        self, *, status: str | None = None, limit: int = 200
    ) -> list[outbox.OutboxEntry]:
        """The newest messages in the outbox, newest first; only those in ``status``."""
        with self.reading() as conn:
            return outbox.list_messages(conn, status=status, limit=limit)

    def outbox_message(self, message: int) -> outbox.OutboxEntry:
        with self.reading() as conn:
            return outbox.get_message(conn, message)

    def written_ahead(self, queue: Literal["outbox", "webhooks"]) -> tuple[int, datetime | None]:
        """Rows of the queue written later than now, and the first one's time: what a
        drill's clock queued ahead of this pass."""
        with self.reading() as conn:
            return outbox.written_ahead(conn, QUEUES[queue], self.clock())

    def readiness(self) -> health.Readiness:
        """``/readyz``'s findings: the database, its schema, the outbox."""
        return health.readiness(self.database, self.clock())

    def figures(self) -> health.Figures | None:
        """``/metrics``' figures from the database, or None when it cannot be read."""
        return health.figures(self.database, self.clock())
