"""One exception hierarchy for phasegate, whose errors are data, not sentences.

An error is its class's stable ``code`` (the API's ``error``), perhaps a finer ``reason``
(``NotFound("project", project=7)``), the ``field`` it is about, its particulars
(``params``: text, numbers, days, moments, lists of text) and, for a request refused for
several things at once, the domain's ``problems``. The words are in the catalogs, never
here: ``error.<code>`` or ``error.<code>.<reason>`` (and ``problem.<code>`` for each
problem) in ``locales/<locale>/LC_MESSAGES/errors.po``, each saying what happened and what
to do next. :meth:`PhasegateError.say` writes them in the reader's language;
``message`` is the English, for logs and the command line.

Each class declares its HTTP status once (``status``); the pages and the API read it.
Each class also declares the particulars its words take, and each reason's: raising with
others is refused as a wrong call is (``TypeError``), so no sentence shows a gap, and
``tests/test_refusal_words.py`` renders every one in every language.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from types import MappingProxyType
from typing import Any, ClassVar
from zoneinfo import ZoneInfo

from phasegate.domain.problems import Param, Problem, check_params
from phasegate.i18n import message, words
from phasegate.i18n.catalog import shown_param

UTC = ZoneInfo("UTC")


class PhasegateError(Exception):
    """Something went wrong in phasegate."""

    code: ClassVar[str] = "error"
    #: The HTTP status the API and the pages answer with.
    status: ClassVar[int] = 409
    #: The particulars the class's own words take, by name (not inherited).
    params_of: ClassVar[str] = ""
    #: Finer reasons, each with its own words (``error.<code>.<reason>``) and particulars
    #: (not inherited).
    reasons: ClassVar[Mapping[str, str]] = MappingProxyType({})

    def __init__(
        self,
        reason: str | None = None,
        /,
        *,
        field: str | None = None,
        problems: Sequence[Problem] = (),
        **params: Param,
    ) -> None:
        self.reason = reason
        self.field = field
        self.params: Mapping[str, Param] = params
        self.problems = tuple(problems)
        check_params(self.key, self.keys(), params)
        super().__init__(self.key)

    @classmethod
    def keys(cls) -> dict[str, frozenset[str]]:
        """Every message key of this class, with the particulars each one takes. A class's
        particulars and reasons are its own: a subclass has words of its own."""
        own = vars(cls)
        found = {cls.code: frozenset(str(own.get("params_of", "")).split())}
        reasons: Mapping[str, str] = own.get("reasons", {})
        found.update({f"{cls.code}.{r}": frozenset(p.split()) for r, p in reasons.items()})
        return found

    @property
    def key(self) -> str:
        """The message key: ``code``, or ``code.reason``."""
        return self.code if self.reason is None else f"{self.code}.{self.reason}"

    def say(self, locale: str | None, zone: ZoneInfo | None = None) -> str:
        """What happened and what to do next, in ``locale``, times in ``zone`` (UTC)."""
        return message(locale, self.key, self.params, zone)

    @property
    def message(self) -> str:
        """The English, for logs and the command line, each problem on a line of its own."""
        lines = [self.say("en")]
        lines += [f"  - {say_problem(p, 'en', field=True)}" for p in self.problems]
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.message

    def body(self, locale: str | None, zone: ZoneInfo | None = None) -> dict[str, Any]:
        """The API's answer: ``{error, message, params}``, with ``field`` and ``problems``
        when there are any; the message in ``locale``, the particulars as JSON."""
        found: dict[str, Any] = {
            "error": self.code,
            "message": self.say(locale, zone),
            "params": json_params(self.params),
        }
        if self.field is not None:
            found["field"] = self.field
        if self.problems:
            found["problems"] = [
                {
                    "code": p.code,
                    "field": p.field,
                    "params": json_params(p.params),
                    "message": say_problem(p, locale, zone),
                }
                for p in self.problems
            ]
        return found


def say_problem(
    problem: Problem, locale: str | None, zone: ZoneInfo | None = None, *, field: bool = False
) -> str:
    """One problem in ``locale`` (its words stand beside its field); ``field``: named first,
    for a list with no form around it."""
    catalog = words(locale)
    values = {
        name: shown_param(value, catalog.locale, zone or UTC)
        for name, value in problem.params.items()
    }
    said = catalog.gettext(f"problem.{problem.code}") % _Gaps(values)
    return f"{problem.field}: {said}" if field and problem.field else said


def reasons_of(**reasons: str) -> Mapping[str, str]:
    """A class's finer reasons, each with the names of its particulars:
    ``reasons_of(project="project", owner="")``."""
    return MappingProxyType(reasons)


class _Gaps(dict[str, object]):
    # A translator's misspelt placeholder shows as a gap, not as a failed page.
    def __missing__(self, key: str) -> object:
        return ""


def json_params(params: Mapping[str, Param]) -> dict[str, Any]:
    """Particulars as JSON holds them: moments and days in ISO 8601, amounts as text."""
    return {name: _json(value) for name, value in params.items()}


def _json(value: Param) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, list):
        return [str(item) for item in value]
    return value


# --- configuration and start-up -------------------------------------------------------


class ConfigurationError(PhasegateError):
    """The configuration is not usable. Check the PHASEGATE_* environment variables."""

    code = "configuration"
    status = 500
    reasons = reasons_of(
        settings="details",
        database_unsupported="backend",
        sqlite_folder_missing="folder",
        no_publisher="",
    )


class SchemaOutOfDate(PhasegateError):
    """The database schema is not current. Run `phasegate db upgrade`."""

    code = "schema_out_of_date"
    status = 503
    reasons = reasons_of(empty="database", revision="database current head")


# --- workflow definitions ---------------------------------------------------------------


class WorkflowError(PhasegateError):
    """The workflow definition cannot be used."""

    code = "workflow"


class WorkflowInvalid(WorkflowError):
    """The workflow file has problems. Fix them and run `phasegate workflow check FILE`.

    ``file_problems`` are the validator's, each with its file and line (for the people who
    write the files, in English); the reason says which kind of file it is."""

    code = "workflow_invalid"
    params_of = "count details"
    reasons = reasons_of(wheel="count details", seed="count details")

    def __init__(self, file_problems: Sequence[object], what: str | None = None) -> None:
        self.file_problems = list(file_problems)
        details = "\n".join(f"  {p}" for p in self.file_problems)
        super().__init__(what, count=len(self.file_problems), details=details)


class WorkflowNotFound(WorkflowError):
    """No workflow by that name. Put its file in the workflows directory."""

    code = "workflow_not_found"
    status = 404
    reasons = reasons_of(
        file="path",
        named="name path known",
        stored="name version",
        wheel="path",
    )


class WorkflowVersionConflict(WorkflowError):
    """The workflow file changed but kept its version number. Raise `version:` in the file."""

    code = "workflow_version_conflict"
    params_of = "path version"


# --- lookups ---------------------------------------------------------------------------


class NotFound(PhasegateError):
    """It does not exist. Check the id."""

    code = "not_found"
    status = 404
    reasons = reasons_of(
        project="project",
        gate_request="request",
        person="person",
        people="people",
        email="email",
        report="report",
        report_request="request",
        api_token="row",  # noqa: S106 - the name of a reason, not a secret
        calendar_address="row",
        calendar_person="person",
        calendar_project="project",
        owner="",
        workflow="name",
        annual_cycle="name",
        wheel_occurrence="event stamp",
        benefit="benefit",
        indicator="indicator",
        risk="risk",
        unit="row",
        competence="row",
    )


# --- the rules of the engine -------------------------------------------------------------


class RuleViolation(PhasegateError):
    """The request breaks a rule of the workflow."""

    code = "rule_violation"
    reasons = reasons_of(
        gate_not_from_phase="project phase gate gates",
        gate_unspecified="project phase gates",
        transition="",
        value_unknown="value choices",
        person_incomplete="email",
        language_unknown="language languages",
        role_unknown="role roles",
        own_role="role",
        project_name_missing="",
        phase_unknown="phase workflow phases",
        event_name="event",
        import_problems="count",
        email_unknown="email",
        key_name_surrogate="char at",
        key_name_nul="char at",
        key_name_control="char at",
        key_name_noncharacter="char at",
        key_name_length="limit example",
        start_without_zone="",
    )


class IncompleteGateRequest(RuleViolation):
    """The gate request is not complete. Answer the checklist and link the documents."""

    code = "incomplete_gate_request"
    status = 422
    params_of = "gate"

    def __init__(self, gate: str, problems: Sequence[Problem]) -> None:
        super().__init__(problems=problems, gate=gate)


class NotADecider(RuleViolation):
    """Only the deciders of this gate may vote on it."""

    code = "not_a_decider"
    status = 403
    reasons = reasons_of(system="", person="person gate project deciders")


class OwnGateNotAllowed(NotADecider):
    """A project manager cannot decide a gate of their own project."""

    code = "own_gate"
    params_of = "person project gate"


class NotPermitted(RuleViolation):
    """You are not allowed to do that."""

    code = "not_permitted"
    status = 403
    reasons = reasons_of(
        # ``action`` is what was refused as a code (grant_roles, add_webhook, ...)
        office="person action",
        submit_gate_request="person project",
        withdraw_gate_request="person project",
        resume="person project",
        reporter="person project",
        key_owner="",
        # a project's benefits, risks and plans; a measurement; a risk's reassessment
        business_case="person project",
        measure="person project",
        assess_risk="person project",
    )


class AlreadyDecided(RuleViolation):
    """This gate request has already been decided. Nothing was changed."""

    code = "already_decided"
    params_of = "by at outcome"
    # The outcome is the reason, so each language says "approved", "stopped" its own way.
    reasons = reasons_of(
        approve="by at outcome", rework="by at outcome", hold="by at outcome", stop="by at outcome"
    )

    def __init__(self, decided_by: str, decided_at: datetime, outcome: str) -> None:
        self.decided_by = decided_by
        self.decided_at = decided_at
        self.outcome = outcome
        known = outcome if outcome in self.reasons else None
        super().__init__(known, by=decided_by, at=decided_at, outcome=outcome)


class AlreadyVoted(RuleViolation):
    """You have already voted on this gate request; a vote is recorded once."""

    code = "already_voted"
    params_of = "person vote gate project"


class RequestClosed(RuleViolation):
    """This gate request is no longer open."""

    code = "request_closed"
    reasons = reasons_of(withdrawn="gate why")


class RequestAlreadyOpen(RuleViolation):
    """The project already has an open gate request. Withdraw it or wait for the decision."""

    code = "request_already_open"
    params_of = "project gate submitted_at"


class ProjectNotActive(RuleViolation):
    """The project is not active (on hold, completed or stopped)."""

    code = "project_not_active"
    reasons = reasons_of(
        on_hold="project",
        completed="project",
        stopped="project",
        not_on_hold="project status",
        event_not_recorded="project status event",
    )


class CommentRequired(RuleViolation):
    """A comment is required for this outcome."""

    code = "comment_required"
    reasons = reasons_of(rework="outcome", hold="outcome", stop="outcome")


class DuplicateName(RuleViolation):
    """Something with that name already exists."""

    code = "duplicate"
    reasons = reasons_of(email="email", project="name")


class ReportInvalid(RuleViolation):
    """The report is not filled in correctly. Correct the fields named and try again."""

    code = "report_invalid"
    status = 422

    def __init__(self, problems: Sequence[Problem]) -> None:
        super().__init__(problems=problems)


class RegisterInvalid(RuleViolation):
    """What was sent for a benefit, an indicator, a measurement, a risk or a plan is not
    right. Correct the fields named and try again."""

    code = "register_invalid"
    status = 422

    def __init__(self, problems: Sequence[Problem]) -> None:
        super().__init__(problems=problems)


class ReportLocked(RuleViolation):
    """The status report is published and locked. Start a new report to change anything."""

    code = "report_locked"
    reasons = reasons_of(
        request_answered="report",
        published="project",
        published_by="project by",
        newer_published="",
        report_published="report",
    )


class NoReportRequested(RuleViolation):
    """No status report is requested from this project now; the request was closed."""

    code = "no_report_requested"
    status = 410
    reasons = reasons_of(cancelled="project")


class ConcurrentUpdate(PhasegateError):
    """Someone else changed this at the same moment. Reload and try again."""

    code = "concurrent_update"
    reasons = reasons_of(
        project="project",
        clash="",
        report_saved="",
        report_changed="",
        draft_replaced="",
        benefit="",
        indicator="",
        risk="",
        plan="",
    )


# --- approval links in email ----------------------------------------------------------------


class LinkError(PhasegateError):
    """This approval link cannot be used. Open phasegate and decide there instead."""

    code = "link"
    status = 400


class LinkTampered(LinkError):
    """The link is damaged or was not made by phasegate. Open it again from the email."""

    code = "link_tampered"


class LinkExpired(LinkError):
    """The link has expired. Ask the PMO for a new request, or decide in phasegate itself."""

    code = "link_expired"
    status = 410
    params_of = "expired_at"

    def __init__(self, expired_at: datetime, person: int | None = None) -> None:
        self.expired_at = expired_at
        self.person = person  # the signature was genuine, so we know whose link it was
        super().__init__(expired_at=expired_at)


class SignInLinkInvalid(LinkError):
    """This sign-in link cannot be used. Ask for a new one on the sign-in page."""

    code = "sign_in_link_invalid"
    status = 409
    reasons = reasons_of(used="", expired="")


class NotSignedIn(PhasegateError):
    """You are not signed in. Sign in with your email address, then try again."""

    code = "not_signed_in"
    status = 401
    reasons = reasons_of(calendar="")


# --- email: the outbox and the sender ---------------------------------------------------


class MailError(PhasegateError):
    """Email could not be handled. The message stays in the outbox; nothing is lost."""

    code = "mail"


class MailNotConfigured(MailError, ConfigurationError):
    """No SMTP server: mail stays in the outbox; see /dev/mailbox, or set PHASEGATE_SMTP_URL."""

    code = "mail_not_configured"
    status = 409


class SmtpUrlInvalid(MailError, ConfigurationError):
    """PHASEGATE_SMTP_URL is not usable. Write it as smtp://user:password@host:port."""

    code = "smtp_url_invalid"
    status = 500
    reasons = reasons_of(scheme="url", host="url", path="url", port="url")


class OutboxMessageNotFound(MailError, NotFound):
    """No message with that id in the outbox. List them with `phasegate mail list`."""

    code = "outbox_message_not_found"
    status = 404
    params_of = "message"
    reasons = reasons_of(dead="message")


class NotADeadLetter(MailError):
    """Only a dead letter can be re-sent; this message is still pending or already sent."""

    code = "not_a_dead_letter"
    reasons = reasons_of(pending="message", sent="message")


# --- outgoing webhooks ----------------------------------------------------------------


class WebhookError(PhasegateError):
    """A webhook could not be handled. Its deliveries stay queued; nothing is lost."""

    code = "webhook"


class WebhookInvalid(WebhookError, RuleViolation):
    """The webhook is not usable as given. Give an http(s) URL and known event types."""

    code = "webhook_invalid"
    status = 422
    reasons = reasons_of(
        name_taken="name",
        # text that is not text, by its fault (phasegate.domain.text.Fault)
        name_surrogate="char at",
        name_nul="char at",
        name_control="char at",
        name_noncharacter="char at",
        name_length="limit",
        url_surrogate="char at",
        url_nul="char at",
        url_control="char at",
        url_noncharacter="char at",
        url_space="char at",
        url_not_web="url",
        url_too_long="length limit",
        removed="webhook",
        delivery_removed="delivery name",
        status_unknown="status statuses",
        no_events="types",
        events_unknown="unknown types",
        format_unknown="format",
    )


class WebhookNotFound(WebhookError, NotFound):
    """No webhook with that id. List them with `phasegate webhook list`."""

    code = "webhook_not_found"
    status = 404
    params_of = "webhook"


class WebhookDeliveryNotFound(WebhookError, NotFound):
    """No webhook delivery with that id. List them with `phasegate webhook deliveries`."""

    code = "webhook_delivery_not_found"
    status = 404
    params_of = "delivery"


class NotADeadDelivery(WebhookError):
    """Only a dead delivery can be re-sent; this one is still pending or was delivered."""

    code = "not_a_dead_delivery"
    reasons = reasons_of(pending="delivery", sent="delivery")


class WebhookSignatureInvalid(WebhookError):
    """A received webhook's signature does not hold. Refuse the request."""

    code = "webhook_signature_invalid"
    status = 400
    reasons = reasons_of(malformed="problem", timestamp="timestamp tolerance", mismatch="")
