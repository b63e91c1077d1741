"""One exception hierarchy for phasegate.

Every error says what happened and what to do next. The class docstring is the default
message, so a bare ``raise NotFound()`` still reads well; most call sites pass a message
with the particulars. ``code`` is a stable machine-readable name for the API and pages.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import ClassVar


class PhasegateError(Exception):
    """Something went wrong in phasegate."""

    code: ClassVar[str] = "error"

    def __init__(self, message: str | None = None) -> None:
        self.message = message or (self.__doc__ or self.code).strip()
        super().__init__(self.message)

    @property
    def words(self) -> str | None:
        """The key of this error's words on the pages (web/i18n.py), where the site says it
        in the reader's language; None: the pages show ``message``."""
        return None


# --- configuration and start-up -------------------------------------------------------


class ConfigurationError(PhasegateError):
    """The configuration is not usable. Check the PHASEGATE_* environment variables."""

    code = "configuration"


class SchemaOutOfDate(PhasegateError):
    """The database schema is not current. Run `phasegate db upgrade`."""

    code = "schema_out_of_date"


# --- workflow definitions ---------------------------------------------------------------


class WorkflowError(PhasegateError):
    """The workflow definition cannot be used."""

    code = "workflow"


class WorkflowInvalid(WorkflowError):
    """The workflow file has problems. Fix them and run `phasegate workflow check FILE`."""

    code = "workflow_invalid"

    def __init__(self, problems: Sequence[object], what: str = "workflow file") -> None:
        self.problems = list(problems)
        lines = "\n".join(f"  {p}" for p in self.problems)
        super().__init__(f"The {what} has {len(self.problems)} problem(s):\n{lines}")


class WorkflowNotFound(WorkflowError):
    """No workflow by that name. Put its file in the workflows directory."""

    code = "workflow_not_found"


class WorkflowVersionConflict(WorkflowError):
    """The workflow file changed but kept its version number. Raise `version:` in the file."""

    code = "workflow_version_conflict"


# --- lookups ---------------------------------------------------------------------------


class NotFound(PhasegateError):
    """It does not exist. Check the id."""

    code = "not_found"


# --- the rules of the engine -------------------------------------------------------------


class RuleViolation(PhasegateError):
    """The request breaks a rule of the workflow."""

    code = "rule_violation"


class IncompleteGateRequest(RuleViolation):
    """The gate request is not complete. Answer the checklist and link the documents."""

    code = "incomplete_gate_request"

    def __init__(self, missing: Sequence[str]) -> None:
        self.missing = list(missing)
        lines = "\n".join(f"  - {m}" for m in self.missing)
        super().__init__(
            f"The gate request cannot be submitted; {len(self.missing)} thing(s) are "
            f"missing:\n{lines}"
        )


class NotADecider(RuleViolation):
    """Only the deciders of this gate may vote on it."""

    code = "not_a_decider"


class OwnGateNotAllowed(NotADecider):
    """A project manager cannot decide a gate of their own project."""

    code = "own_gate"


class NotPermitted(RuleViolation):
    """You are not allowed to do that."""

    code = "not_permitted"


class AlreadyDecided(RuleViolation):
    """This gate request has already been decided."""

    code = "already_decided"

    def __init__(self, decided_by: str, decided_at: datetime, outcome: str) -> None:
        self.decided_by = decided_by
        self.decided_at = decided_at
        self.outcome = outcome
        super().__init__(
            f"Already decided by {decided_by} at {decided_at:%Y-%m-%d %H:%M} UTC "
            f"(outcome: {outcome}). Nothing was changed."
        )


class AlreadyVoted(RuleViolation):
    """You have already voted on this gate request; a vote is recorded once."""

    code = "already_voted"


class RequestClosed(RuleViolation):
    """This gate request is no longer open."""

    code = "request_closed"


class RequestAlreadyOpen(RuleViolation):
    """The project already has an open gate request. Withdraw it or wait for the decision."""

    code = "request_already_open"


class ProjectNotActive(RuleViolation):
    """The project is not active (on hold, completed or stopped)."""

    code = "project_not_active"


class CommentRequired(RuleViolation):
    """A comment is required for this outcome."""

    code = "comment_required"


class DuplicateName(RuleViolation):
    """Something with that name already exists."""

    code = "duplicate"


class ReportInvalid(RuleViolation):
    """The report is not filled in correctly. Correct the fields named and try again."""

    code = "report_invalid"

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = list(problems)
        super().__init__("The report cannot be saved like this: " + "; ".join(self.problems) + ".")


class ReportLocked(RuleViolation):
    """The status report is published and locked. Start a new report to change anything."""

    code = "report_locked"


class NoReportRequested(RuleViolation):
    """No status report is requested from this project now; the request was closed."""

    code = "no_report_requested"


class ConcurrentUpdate(PhasegateError):
    """Someone else changed this at the same moment. Reload and try again."""

    code = "concurrent_update"


# --- approval links in email ----------------------------------------------------------------


class LinkError(PhasegateError):
    """This approval link cannot be used. Open phasegate and decide there instead."""

    code = "link"


class LinkTampered(LinkError):
    """The link is damaged or was not made by phasegate. Open it again from the email."""

    code = "link_tampered"


class LinkExpired(LinkError):
    """The link has expired. Ask the PMO for a new request, or decide in phasegate itself."""

    code = "link_expired"

    def __init__(self, expired_at: datetime, person: int | None = None) -> None:
        self.expired_at = expired_at
        self.person = person  # the signature was genuine, so we know whose link it was
        super().__init__(
            f"The link expired at {expired_at:%Y-%m-%d %H:%M} UTC. Ask the project manager or "
            "the PMO for a new request, or decide in phasegate itself."
        )


class SignInLinkInvalid(LinkError):
    """This sign-in link cannot be used. Ask for a new one on the sign-in page."""

    code = "sign_in_link_invalid"

    def __init__(self, message: str | None = None, reason: str = "invalid") -> None:
        self.reason = reason  # invalid, used or expired
        super().__init__(message)

    @property
    def words(self) -> str:
        return f"sign_in_link_{self.reason}"


class NotSignedIn(PhasegateError):
    """You are not signed in. Sign in with your email address, then try again."""

    code = "not_signed_in"


# --- email: the outbox and the sender ---------------------------------------------------


class MailError(PhasegateError):
    """Email could not be handled. The message stays in the outbox; nothing is lost."""

    code = "mail"


class MailNotConfigured(MailError, ConfigurationError):
    """No SMTP server: mail stays in the outbox; see /dev/mailbox, or set PHASEGATE_SMTP_URL."""

    code = "mail_not_configured"


class SmtpUrlInvalid(MailError, ConfigurationError):
    """PHASEGATE_SMTP_URL is not usable. Write it as smtp://user:password@host:port."""

    code = "smtp_url_invalid"


class OutboxMessageNotFound(MailError, NotFound):
    """No message with that id in the outbox. List them with `phasegate mail list`."""

    code = "outbox_message_not_found"


class NotADeadLetter(MailError):
    """Only a dead letter can be re-sent; this message is still pending or already sent."""

    code = "not_a_dead_letter"


# --- outgoing webhooks ----------------------------------------------------------------


class WebhookError(PhasegateError):
    """A webhook could not be handled. Its deliveries stay queued; nothing is lost."""

    code = "webhook"


class WebhookInvalid(WebhookError, RuleViolation):
    """The webhook is not usable as given. Give an http(s) URL and known event types."""

    code = "webhook_invalid"


class WebhookNotFound(WebhookError, NotFound):
    """No webhook with that id. List them with `phasegate webhook list`."""

    code = "webhook_not_found"


class WebhookDeliveryNotFound(WebhookError, NotFound):
    """No webhook delivery with that id. List them with `phasegate webhook deliveries`."""

    code = "webhook_delivery_not_found"


class NotADeadDelivery(WebhookError):
    """Only a dead delivery can be re-sent; this one is still pending or was delivered."""

    code = "not_a_dead_delivery"


class WebhookSignatureInvalid(WebhookError):
    """A received webhook's signature does not hold. Refuse the request."""

    code = "webhook_signature_invalid"
