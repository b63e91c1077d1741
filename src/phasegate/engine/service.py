"""The engine: every operation phasegate offers, each one transaction.

The CLI, the web pages, the API and email links all call these methods; none of them
writes to the database on its own.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any, TypeVar

from sqlalchemy import Connection
from sqlalchemy import Engine as Database
from sqlalchemy.exc import IntegrityError, OperationalError

from phasegate.domain.events import DeadLetterResent
from phasegate.domain.model import Channel, Outcome, WorkflowDefinition
from phasegate.domain.risks import Scale
from phasegate.domain.rules import ChecklistAnswer, DocumentLink
from phasegate.domain.wheel import Occurrence, Wheel
from phasegate.engine import (
    gates,
    imports,
    keys,
    outbox,
    projects,
    queries,
    signin,
    webhooks,
)
from phasegate.engine.access import require_office
from phasegate.engine.agenda import Agenda, read_agenda
from phasegate.engine.case_imports import CaseImporting
from phasegate.engine.case_overviews import CaseOverviews
from phasegate.engine.case_writing import CaseWriting
from phasegate.engine.catalog import WorkflowCatalog
from phasegate.engine.reading import Reading
from phasegate.engine.report_writing import ReportWriting
from phasegate.engine.unit import SYSTEM, HandlerTable, Publisher, UnitOfWork, dispatch
from phasegate.engine.views import (
    AuditEntry,
    GateRequestView,
    PersonView,
    ProjectView,
    VoteResult,
)
from phasegate.engine.webhooks import DeliveryView, WebhookView
from phasegate.errors import ConcurrentUpdate, ConfigurationError, RuleViolation
from phasegate.portfolio.table import ImportPlan, plan_import

Clock = Callable[[], datetime]
E = TypeVar("E", bound=StrEnum)


class Engine(CaseWriting, CaseOverviews, CaseImporting, ReportWriting, Reading):
    """Phasegate's operations over one database, workflow catalogue and clock."""

    def __init__(
        self,
        database: Database,
        workflows: WorkflowCatalog,
        clock: Clock,
        handlers: HandlerTable,
        default_workflow: str = "prosjektveiviseren",
        publisher: Publisher | None = None,
        wheel: Wheel | None = None,
        scale: Scale | None = None,
    ) -> None:
        self.database = database
        self.workflows = workflows
        self.clock = clock
        self.handlers = handlers
        self.default_workflow = default_workflow
        # The webhooks (phasegate.webhooks.fanout.Fanout, wired in by the composition
        # root); without a publisher, events reach no subscriber and none can be added.
        self.publisher = publisher
        self.wheel = wheel  # the board meetings, for their agendas
        self.scale = scale or Scale()  # the risk matrix (PHASEGATE_RISK_SCALE)

    @contextmanager
    def unit(self, actor: int | None) -> Iterator[UnitOfWork]:
        """One transaction: commit with its events and handlers, or roll back whole."""
        try:
            with self.database.begin() as conn:
                uow = UnitOfWork(conn, self.clock(), SYSTEM, self.workflows)
                uow.act_as(actor)
                yield uow
                dispatch(uow, self.handlers, self.publisher)
        except IntegrityError as exc:
            if not _is_unique_violation(exc):
                raise  # a broken invariant is a bug to see, not a clash to retry
            raise ConcurrentUpdate("clash") from exc
        except OperationalError as exc:
            if "deadlock" in str(exc).lower() or "could not serialize" in str(exc).lower():
                raise ConcurrentUpdate() from exc
            raise

    @contextmanager
    def asking(self, person: int | None) -> Iterator[UnitOfWork]:
        """A read-only unit of work acting as ``person``: ask the engine's own rules (may
        they do this?) without writing anything; the transaction is rolled back."""
        with self.database.connect() as conn, conn.begin() as transaction:
            uow = UnitOfWork(conn, self.clock(), SYSTEM, self.workflows)
            uow.act_as(person)
            try:
                yield uow
            finally:
                transaction.rollback()

    @contextmanager
    def reading(self) -> Iterator[Connection]:
        with self.database.begin() as conn:
            yield conn

    # --- people and roles -------------------------------------------------------------

    def register_person(
        self, name: str, email: str, language: str = "nb", *, actor: int | None = None
    ) -> int:
        with self.unit(actor) as uow:
            return projects.register_person(uow, name, email, language)

    def grant_role(self, person: int, role: str, *, actor: int | None = None) -> None:
        with self.unit(actor) as uow:
            projects.grant_role(uow, person, role)

    # --- projects ---------------------------------------------------------------------

    def register_project(
        self,
        name: str,
        *,
        owner: int | None,
        leader: int | None,
        development_area: str | None = None,
        portfolio: str | None = None,
        description: str = "",
        workflow: str | None = None,
        phase: str | None = None,
        actor: int | None = None,
    ) -> int:
        definition = self._pinned_current(workflow or self.default_workflow)
        with self.unit(actor) as uow:
            return projects.register_project(
                uow,
                name,
                owner=owner,
                leader=leader,
                development_area=development_area,
                portfolio=portfolio,
                description=description,
                definition=definition,
                phase=phase,
            )

    def check_portfolio_file(
        self,
        data: bytes,
        filename: str,
        *,
        workflow: str | None = None,
        email_domain: str | None = None,
    ) -> ImportPlan:
        """What importing the table would register, and every problem row by row; reads
        the database's projects and people, and writes nothing."""
        definition = self.workflows.current(workflow or self.default_workflow)
        return plan_import(
            data,
            filename,
            definition=definition,
            existing_projects=[p.name for p in self.portfolio()],
            existing_people={p.email: p.name for p in self.people()},
            email_domain=email_domain,
        )

    def import_portfolio(
        self,
        plan: ImportPlan,
        *,
        portfolio: str | None = None,
        workflow: str | None = None,
        actor: int | None = None,
    ) -> imports.Imported:
        """Register a checked plan's people and projects in one transaction: all or none."""
        definition = self._pinned_current(workflow or self.default_workflow)
        with self.unit(actor) as uow:
            return imports.import_portfolio(uow, plan, definition=definition, portfolio=portfolio)

    def _pinned_current(self, workflow: str) -> WorkflowDefinition:
        """The workflow file as it is now, its text stored for good in a commit of its own.

        Storing it apart from the registration means a refused registration cannot leave
        this process caching a version text that the database never kept.
        """
        definition = self.workflows.current(workflow)
        if not self.workflows.is_stored(definition):
            try:
                with self.database.begin() as conn:
                    self.workflows.pin(conn, definition, self.clock())
            except IntegrityError as exc:  # another instance stored it this very moment
                if not _is_unique_violation(exc):
                    raise
                with self.database.begin() as conn:
                    self.workflows.pin(conn, definition, self.clock())
            self.workflows.remember(definition)
        return definition

    def resume_project(self, project: int, comment: str = "", *, actor: int | None) -> None:
        with self.unit(actor) as uow:
            projects.resume_project(uow, project, comment)

    def record_external_event(
        self,
        project: int,
        kind: str,
        *,
        source: str,
        payload: dict[str, Any] | None = None,
        actor: int | None = None,
    ) -> bool:
        with self.unit(actor) as uow:
            return projects.record_external_event(uow, project, kind, source, payload or {})

    # --- gates ------------------------------------------------------------------------

    def submit_gate_request(
        self,
        project: int,
        answers: Mapping[str, ChecklistAnswer],
        documents: Sequence[DocumentLink] = (),
        *,
        gate: str | None = None,
        actor: int | None,
    ) -> int:
        with self.unit(actor) as uow:
            return gates.submit_gate_request(uow, project, answers, documents, gate)

    def cast_vote(
        self,
        request: int,
        outcome: Outcome | str,
        comment: str = "",
        *,
        channel: Channel | str,
        actor: int,
    ) -> VoteResult:
        decision, via = _decision(outcome), _channel(channel)
        with self.unit(actor) as uow:
            return gates.cast_vote(uow, request, decision, comment, via.value)

    def withdraw_gate_request(self, request: int, reason: str, *, actor: int | None) -> None:
        with self.unit(actor) as uow:
            gates.withdraw_gate_request(uow, request, reason)

    def revoke_role(self, person: int, role: str, *, actor: int | None = None) -> None:
        with self.unit(actor) as uow:
            projects.revoke_role(uow, person, role)

    def resend_dead_letter(self, message: int, *, actor: int | None) -> outbox.OutboxEntry:
        """Queue an undeliverable email again (same Message-ID, due from now), with an audit
        row; the PMO and admins only (the command line acts as the system). Returns it."""
        with self.unit(actor) as uow:
            require_office(uow, "resend_email")
            outbox.resend(uow.conn, message, uow.now)
            uow.emit(DeadLetterResent(message))
            return outbox.get_message(uow.conn, message)

    def set_digest(self, person: int, digest: bool, *, actor: int | None) -> None:
        """Choose one daily digest of reminders instead of separate emails (or go back)."""
        with self.unit(actor) as uow:
            projects.set_digest(uow, person, digest)

    # --- webhooks (the PMO and admins) -------------------------------------------------

    def add_webhook(
        self,
        name: str,
        url: str,
        event_types: list[str],
        *,
        format: str = "standard",
        actor: int | None,
    ) -> tuple[int, str]:
        """Subscribe a receiver to event types; returns its id and its signing secret,
        which is shown this once. ``format``: standard JSON, or teams (an Adaptive Card)."""
        with self.unit(actor) as uow:
            return webhooks.add_webhook(uow, self._webhooks, name, url, event_types, format)

    def remove_webhook(self, subscription: int, *, actor: int | None) -> int:
        """Stop a webhook; returns how many pending deliveries became dead letters."""
        with self.unit(actor) as uow:
            return webhooks.remove_webhook(uow, subscription)

    def rotate_webhook_secret(
        self, subscription: int, *, actor: int | None
    ) -> tuple[str, datetime]:
        """A new secret; the old one also signs until the returned time."""
        with self.unit(actor) as uow:
            return webhooks.rotate_secret(uow, self._webhooks, subscription)

    def ping_webhook(self, subscription: int, *, actor: int | None) -> int:
        with self.unit(actor) as uow:
            return webhooks.ping(uow, self._webhooks, subscription)

    @property
    def _webhooks(self) -> Publisher:
        if self.publisher is None:
            raise ConfigurationError("no_publisher")
        return self.publisher

    def resend_webhook_delivery(self, delivery: int, *, actor: int | None) -> None:
        with self.unit(actor) as uow:
            webhooks.resend_delivery(uow, delivery)

    def webhooks(self, *, include_removed: bool = False) -> list[WebhookView]:
        with self.reading() as conn:
            return webhooks.list_webhooks(conn, include_removed=include_removed)

    def webhook(self, subscription: int) -> WebhookView:
        with self.reading() as conn:
            return webhooks.webhook(conn, subscription)

    def webhook_delivery(self, row: int) -> DeliveryView:
        with self.reading() as conn:
            return webhooks.delivery(conn, row)

    def webhook_deliveries(
        self, *, status: str | None = None, subscription: int | None = None, limit: int = 50
    ) -> list[DeliveryView]:
        with self.reading() as conn:
            return webhooks.list_deliveries(
                conn, status=status, subscription=subscription, limit=limit
            )

    # --- sign-in ----------------------------------------------------------------------

    def request_sign_in(self, email: str, next_page: str = "/") -> bool:
        """Email a one-time sign-in link to that address if someone has it; the link leads
        on to ``next_page`` (a path on this site)."""
        with self.unit(None) as uow:
            return signin.request_sign_in(uow, email, next_page)

    def complete_sign_in(self, token: str, session_ttl: timedelta) -> tuple[int, str]:
        """Use a sign-in link (once); the person and their new session token."""
        with self.unit(None) as uow:
            return signin.complete_sign_in(uow, token, session_ttl)

    def check_sign_in_link(self, token: str) -> None:
        """Refuse a sign-in link that is unknown, used or expired, without using it."""
        with self.asking(None) as uow:
            signin.check_sign_in_link(uow, token)

    def start_session(self, person: int, session_ttl: timedelta, *, via: str) -> str:
        """A session without a link: only for the demo's one-click sign-in."""
        with self.unit(person) as uow:
            return signin.start_session(uow, person, session_ttl, via=via)

    def end_session(self, token: str) -> None:
        with self.unit(None) as uow:
            signin.end_session(uow, token)

    def create_api_token(self, name: str, *, actor: int) -> tuple[int, str]:
        with self.unit(actor) as uow:
            return keys.API_TOKENS.create(uow, name)

    def revoke_api_token(self, token: int, *, actor: int) -> None:
        with self.unit(actor) as uow:
            keys.API_TOKENS.revoke(uow, token)

    def principal_for(
        self, *, session: str | None, api_token: str | None
    ) -> signin.Principal | None:
        """Who a request comes from: its session cookie or its bearer token, if live."""
        if not api_token and not session:
            return None
        with self.database.begin() as conn:
            now = self.clock()
            if api_token:
                person, via = keys.API_TOKENS.holder(conn, api_token, now), "api_token"
            else:
                person, via = signin.session_person(conn, session or "", now), "session"
            return None if person is None else signin.principal(conn, person, via)

    def api_tokens(self, person: int) -> list[keys.KeyView]:
        with self.reading() as conn:
            return keys.API_TOKENS.listed(conn, person)

    def every_api_token(self, *, actor: int) -> list[keys.HeldKeyView]:
        """Everyone's API tokens, live and revoked (never the secrets); the PMO and admins
        only."""
        with self.asking(actor) as uow:
            require_office(uow, "list_api_tokens")
            return keys.API_TOKENS.every(uow.conn)

    # --- calendar addresses (feed tokens for /calendar.ics) ----------------------------

    def create_calendar_feed(self, name: str, *, actor: int) -> tuple[int, str]:
        """A new personal calendar address for ``actor``; the token is shown this once."""
        with self.unit(actor) as uow:
            return keys.CALENDAR_ADDRESSES.create(uow, name)

    def revoke_calendar_feed(self, feed: int, *, actor: int) -> None:
        with self.unit(actor) as uow:
            keys.CALENDAR_ADDRESSES.revoke(uow, feed)

    def feed_reader(self, token: str) -> signin.Principal | None:
        """Whose live calendar address ``token`` is (it opens the calendar feed only)."""
        with self.database.begin() as conn:
            person = keys.CALENDAR_ADDRESSES.holder(conn, token, self.clock())
            return None if person is None else signin.principal(conn, person, "feed_token")

    def calendar_feeds(self, person: int) -> list[keys.KeyView]:
        with self.reading() as conn:
            return keys.CALENDAR_ADDRESSES.listed(conn, person)

    def every_calendar_feed(self, *, actor: int) -> list[keys.HeldKeyView]:
        """Everyone's calendar addresses, live and revoked (never the tokens); the PMO and
        admins only."""
        with self.asking(actor) as uow:
            require_office(uow, "list_calendar_addresses")
            return keys.CALENDAR_ADDRESSES.every(uow.conn)

    def may_request_gate(self, project: int, person: int) -> bool:
        """Whether ``person`` could submit a gate request for the project now (reads only)."""
        with self.asking(person) as uow:
            return gates.may_submit(uow, project)

    def portfolio(self) -> list[ProjectView]:
        with self.reading() as conn:
            return queries.portfolio(conn, self.workflows)

    def project(self, project: int) -> ProjectView:
        with self.reading() as conn:
            return queries.project(conn, self.workflows, project)

    def gate_request(self, request: int) -> GateRequestView:
        with self.reading() as conn:
            return queries.gate_request(conn, self.workflows, request)

    def pending_decisions(self, person: int) -> list[GateRequestView]:
        with self.reading() as conn:
            return queries.pending_for_person(conn, self.workflows, person)

    def board_pending_decisions(self) -> list[GateRequestView]:
        with self.reading() as conn:
            return queries.pending_for_board(conn, self.workflows)

    def agenda(self, meeting: Occurrence) -> list[GateRequestView]:
        """The gate requests on a board meeting's agenda (see phasegate.domain.agenda)."""
        with self.reading() as conn:
            return read_agenda(conn, self.workflows, self.wheel, meeting, self.clock())

    def next_agenda(self) -> Agenda | None:
        """The board meeting going on now, or else the next one, with its agenda; None
        when the wheel has no board meeting ahead."""
        now = self.clock()
        meeting = self.wheel.board_meeting_at(now) if self.wheel is not None else None
        if meeting is None:
            return None
        with self.reading() as conn:
            requests = read_agenda(conn, self.workflows, self.wheel, meeting, now)
        return Agenda(meeting, tuple(requests))

    def audit_trail(self, project: int | None = None) -> list[AuditEntry]:
        """Everything that happened, or a project's part (NotFound if there is no such
        project: an unknown id is an error, not an empty trail)."""
        with self.reading() as conn:
            if project is not None:
                queries.require_project(conn, project)
            return queries.audit_trail(conn, project)

    def people(self) -> list[PersonView]:
        with self.reading() as conn:
            return queries.people(conn)

    def person(self, person: int) -> PersonView:
        with self.reading() as conn:
            return queries.person(conn, person)


def _is_unique_violation(exc: IntegrityError) -> bool:
    """A unique key refused a row: two changes met, not a bug (PostgreSQL 23505, SQLite)."""
    code = getattr(exc.orig, "sqlstate", None)
    return code == "23505" or "UNIQUE constraint failed" in str(exc.orig)


def _decision(value: Outcome | str) -> Outcome:
    return _one_of(Outcome, value, "outcome")


def _channel(value: Channel | str) -> Channel:
    return _one_of(Channel, value, "channel")


def _one_of(kind: type[E], value: str, what: str) -> E:
    try:
        return kind(value)
    except ValueError as exc:
        choices = [member.value for member in kind]
        raise RuleViolation("value_unknown", field=what, value=value, choices=choices) from exc
