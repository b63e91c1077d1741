"""The PMO's webhook page (``/admin/webhooks``): subscribe a receiver, send it a test,
remove it, and re-send deliveries that did not arrive.

The same engine operations as ``phasegate webhook`` and ``/api/webhooks``; the route rule
is ``office`` and the engine checks it again. A new webhook's secret is shown on the page
that answers the form, once, and never again.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response
from fastapi.templating import Jinja2Templates

from phasegate.bootstrap import App
from phasegate.engine.signin import Principal
from phasegate.errors import WebhookInvalid
from phasegate.web.access import Rule, guard
from phasegate.web.admin import admin_page, back_to
from phasegate.web.params import Line, RowId
from phasegate.webhooks.catalog import EVERYTHING, MAX_URL, SUBSCRIBABLE

#: What each event type means, for the form's checkboxes (``event_<type>`` in WORDS).
EVENT_MEANINGS: dict[str, dict[str, str]] = {
    "nb": {
        "ProjectRegistered": "Et prosjekt er registrert",
        "PhaseEntered": "Et prosjekt har gått inn i en ny fase",
        "GateRequested": "Noen har bedt om en beslutning",
        "GateRequestWithdrawn": "En forespørsel om beslutning er trukket tilbake",
        "VoteCast": "Noen har stemt",
        "GateDecided": "En beslutning er tatt",
        "GateAwaitingEvents": "En beslutning venter på en hendelse utenfra",
        "ExternalEventRecorded": "En hendelse utenfra er registrert",
        "ProjectHeld": "Et prosjekt er satt på vent",
        "ProjectResumed": "Et prosjekt er gjenopptatt",
        "ProjectStopped": "Et prosjekt er stanset",
        "ProjectCompleted": "Et prosjekt er fullført",
        "ReportRequested": "En statusrapport er bedt om",
        "ReportPublished": "En statusrapport er publisert",
        "ReportRequestCancelled": "En forespørsel om rapport er kansellert",
        "BoardAgendaSent": "Sakslisten til porteføljestyret er sendt",
        "DeadlineEscalated": "En frist er eskalert",
    },
    "en": {
        "ProjectRegistered": "A project was registered",
        "PhaseEntered": "A project entered a new phase",
        "GateRequested": "Someone asked for a decision",
        "GateRequestWithdrawn": "A request for a decision was withdrawn",
        "VoteCast": "Someone voted",
        "GateDecided": "A decision was made",
        "GateAwaitingEvents": "A decision waits for an outside event",
        "ExternalEventRecorded": "An outside event was recorded",
        "ProjectHeld": "A project was put on hold",
        "ProjectResumed": "A project was resumed",
        "ProjectStopped": "A project was stopped",
        "ProjectCompleted": "A project was completed",
        "ReportRequested": "A status report was asked for",
        "ReportPublished": "A status report was published",
        "ReportRequestCancelled": "A report request was cancelled",
        "BoardAgendaSent": "The board's agenda was sent",
        "DeadlineEscalated": "A deadline was escalated",
    },
}

WORDS: dict[str, dict[str, str]] = {
    "nb": {
        "hooks": "Webhooks",
        "hooks_intro": (
            "En webhook sender hendelser fra phasegate til et annet system, for eksempel "
            "arkivet eller en Teams-kanal (gjennom en Power Automate-flyt). Hver hendelse "
            "signeres og sendes på nytt til mottakeren svarer."
        ),
        "hooks_none": "Ingen webhooks ennå.",
        "hook_name": "Navn",
        "hook_url": "Adresse (URL)",
        "hook_events": "Hendelser",
        "hook_all": "Alle hendelser",
        "hook_counts": "Venter / sendt / ikke levert",
        "hook_last": "Sist levert",
        "hook_add": "Legg til en webhook",
        "hook_add_button": "Legg til",
        "hook_ping": "Send en test",
        "hook_remove": "Fjern",
        "hook_secret": (
            "Webhooken «{name}» er lagt til. Gi mottakeren denne hemmeligheten nå; den vises "
            "bare denne ene gangen:"
        ),
        "hook_pinged": "En testlevering er lagt i køen og sendes innen kort tid.",
        "hook_removed": "Webhooken er fjernet. Det som ventet på å sendes, blir ikke sendt.",
        "hook_resent": "Leveringen er lagt i køen igjen.",
        "hook_dead": "Leveringer som ikke kom fram",
        "hook_dead_none": "Ingen leveringer venter på å sendes på nytt.",
        "hook_dead_intro": (
            "Mottakeren svarte ikke, eller avviste leveringen, lenge nok til at phasegate ga "
            "opp. Rett feilen, og send på nytt: leveringen har samme id og innhold."
        ),
        "hook_event": "Hendelse",
        "hook_format": "Form",
        "hook_format_standard": "Signert JSON fra phasegate (arkiv og andre systemer)",
        "hook_format_teams": (
            "Kort til en Teams-kanal (Workflows: «When a Teams webhook request is received»)"
        ),
    },
    "en": {
        "hooks": "Webhooks",
        "hooks_intro": (
            "A webhook sends phasegate's events to another system, such as the archive or a "
            "Teams channel (through a Power Automate flow). Each event is signed and sent "
            "again until the receiver answers."
        ),
        "hooks_none": "No webhooks yet.",
        "hook_name": "Name",
        "hook_url": "Address (URL)",
        "hook_events": "Events",
        "hook_all": "All events",
        "hook_counts": "Pending / sent / not delivered",
        "hook_last": "Last delivered",
        "hook_add": "Add a webhook",
        "hook_add_button": "Add",
        "hook_ping": "Send a test",
        "hook_remove": "Remove",
        "hook_secret": (
            "The webhook “{name}” is added. Give the receiver this secret now; it is shown "
            "this once only:"
        ),
        "hook_pinged": "A test delivery is queued and goes out shortly.",
        "hook_removed": "The webhook is removed. What waited to be sent will not be sent.",
        "hook_resent": "The delivery is queued again.",
        "hook_dead": "Deliveries that did not arrive",
        "hook_dead_none": "No deliveries are waiting to be sent again.",
        "hook_dead_intro": (
            "The receiver did not answer, or refused the delivery, for long enough that "
            "phasegate gave up. Fix the fault and send again: the delivery keeps its id and body."
        ),
        "hook_event": "Event",
        "hook_format": "Shape",
        "hook_format_standard": "phasegate's signed JSON (an archive, other systems)",
        "hook_format_teams": (
            "A card for a Teams channel (Workflows: “When a Teams webhook request is received”)"
        ),
    },
}

for _locale, _meanings in EVENT_MEANINGS.items():
    WORDS[_locale].update({f"event_{kind}": meaning for kind, meaning in _meanings.items()})

DONE = {"pinged": "hook_pinged", "removed": "hook_removed", "resent": "hook_resent"}


def admin_webhook_routes(app: App, templates: Jinja2Templates) -> APIRouter:
    engine = app.engine
    office = guard(app, Rule.OFFICE)
    router = APIRouter(prefix="/admin/webhooks", dependencies=[office])

    def page(request: Request, me: Principal, status: int = 200, **extra: Any) -> Response:
        done = DONE.get(request.query_params.get("done", ""))
        context: dict[str, Any] = {
            "hooks": engine.webhooks(),
            "dead": engine.webhook_deliveries(status="dead"),
            "kinds": SUBSCRIBABLE,
            "everything": EVERYTHING,
            "max_url": MAX_URL,
            "done": done,
            "entered": {"name": "", "url": "", "events": [], "format": "standard"},
            **extra,
        }
        name = "admin_webhooks.html"
        return admin_page(app, templates, request, me, name, status, WORDS, **context)

    @router.get("", response_class=HTMLResponse, include_in_schema=False)
    def webhooks(request: Request, me: Principal | None = office) -> Response:
        assert me is not None
        return page(request, me)

    @router.post("", include_in_schema=False)
    def add(
        request: Request,
        name: Annotated[Line, Form(max_length=200)],
        url: Annotated[Line, Form(max_length=MAX_URL)],
        events: Annotated[list[Line] | None, Form(max_length=100)] = None,
        shape: Annotated[str, Form(alias="format", max_length=20)] = "standard",
        me: Principal | None = office,
    ) -> Response:
        """Answered with the page itself, not a redirect: it shows the secret this once."""
        assert me is not None
        chosen = events or []
        try:
            hook, secret = engine.add_webhook(name, url, chosen, format=shape, actor=me.person)
        except WebhookInvalid as exc:
            entered = {"name": name, "url": url, "events": chosen, "format": shape}
            return page(request, me, 422, error=exc.message, entered=entered)
        return page(request, me, 201, secret=secret, added=engine.webhook(hook).name)

    @router.post("/{webhook}/ping", include_in_schema=False)
    def ping(request: Request, webhook: RowId, me: Principal | None = office) -> Response:
        assert me is not None
        engine.ping_webhook(webhook, actor=me.person)
        return back_to(request, "/admin/webhooks", "pinged")

    @router.post("/{webhook}/remove", include_in_schema=False)
    def remove(request: Request, webhook: RowId, me: Principal | None = office) -> Response:
        assert me is not None
        engine.remove_webhook(webhook, actor=me.person)
        return back_to(request, "/admin/webhooks", "removed")

    @router.post("/deliveries/{delivery}/resend", include_in_schema=False)
    def resend(request: Request, delivery: RowId, me: Principal | None = office) -> Response:
        assert me is not None
        engine.resend_webhook_delivery(delivery, actor=me.person)
        return back_to(request, "/admin/webhooks", "resent")

    return router
