"""Every page and export of the app, with real ids in its address: for tests that must hold
on every route, such as "no stranger reads the portfolio" and "stored text never breaks a
page".

The list is the app's own route table, so a route added later is crawled too; its path
parameters are filled from :class:`Ids`, and a route whose parameter has no id here fails
the crawl until one is added.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import date, time
from decimal import Decimal
from pathlib import Path

from fastapi.routing import APIRoute
from sqlalchemy import func, select

from phasegate.bootstrap import App, build
from phasegate.domain.benefits import BenefitKind, Direction, IndicatorDefinition
from phasegate.domain.plans import CostKind, CostLine, PeopleLine
from phasegate.domain.reports import ReportContent
from phasegate.domain.risks import Assessment, Response, RiskKind, RiskStatus
from phasegate.engine.benefits import BenefitDraft, IndicatorDraft
from phasegate.engine.outbox import OutboxEntry, list_messages
from phasegate.engine.risks import RiskDraft
from phasegate.engine.service import Engine
from phasegate.storage.tables import WebhookDelivery
from phasegate.web.access import Rule, every_route, rule_of
from phasegate.web.app import create_app
from tests.cycle_support import TERTIAL, local, tick_at, wheel_file
from tests.factories import Cast, Clock, make_settings, submit_complete
from tests.webserver import serve


@dataclass(frozen=True)
class Ids:
    """A real row for every kind of id a route takes."""

    project: int
    gate_request: int
    person: int
    api_token: int
    webhook: int
    delivery: int
    message: int
    vote_token: str
    report_token: str
    sign_in_token: str
    occurrence: str  # "<event id>/<YYYYMMDDTHHMM>"
    workflow: str
    benefit: int = 0  # the project's business case: a benefit, its indicator, a risk
    indicator: int = 0
    risk: int = 0
    measure_token: str = ""  # the owner's link to a due measurement of that indicator

    def fill(self, path: str) -> str:
        event_id, stamp = self.occurrence.split("/")
        values = {
            "project_id": self.project,
            "project": self.project,
            "request": self.gate_request,
            "request_id": self.gate_request,
            "person": self.person,
            "token_id": self.api_token,
            "webhook": self.webhook,
            "row": self.delivery,
            "delivery": self.delivery,
            "message": self.message,
            "event_id": event_id,
            "stamp": stamp,
            "name": self.workflow,
            "benefit_id": self.benefit,
            "indicator_id": self.indicator,
            "risk_id": self.risk,
        }

        def value(found: re.Match[str]) -> str:
            name = found[1]
            if name == "token":
                if path.startswith("/login/"):
                    return self.sign_in_token
                if path.startswith("/measure/"):
                    return self.measure_token
                return self.report_token if "report" in path else self.vote_token
            assert name in values, f"no id for {{{name}}} in {path}: add it to crawl_support.Ids"
            return str(values[name])

        return re.sub(r"\{(\w+)\}", value, path)


@dataclass(frozen=True)
class Page:
    """One readable address of the app, and the rule its route declares."""

    path: str  # the route's template, e.g. /projects/{project_id}
    url: str  # with real ids
    rule: Rule


def readable_routes(app: App) -> list[tuple[APIRoute, Rule]]:
    """Every route that answers GET, with its rule (web/access.py)."""
    found = []
    for route in every_route(list(create_app(app).routes)):
        if "GET" not in route.methods:
            continue
        calls, todo = [], list(route.dependant.dependencies)
        while todo:
            dependant = todo.pop()
            calls.append(dependant.call)
            todo.extend(dependant.dependencies)
        rule = rule_of(calls)
        assert rule is not None, f"{route.path} has no guard"
        found.append((route, rule))
    return found


def pages(app: App, ids: Ids) -> list[Page]:
    return [Page(route.path, ids.fill(route.path), rule) for route, rule in readable_routes(app)]


# --- a portfolio with one of everything ------------------------------------------------------


def one_of_everything(app: App, cast: Cast, clock: Clock, name: str = "Nytt rådhus") -> Ids:
    """A project in execution asked for its tertial report (so a report link exists), an
    idea waiting for the board's BP1 (so vote links and an agenda exist), a published
    report, a vote with a comment, an API token, a webhook with a delivery, a sign-in link
    for the PMO, and email in the outbox. Build ``app`` with
    :func:`tests.cycle_support.wheel_file` and :data:`TERTIAL`, so the tertial cycle opens
    on 16 April 2027."""
    engine = app.engine
    clock.now = local(date(2027, 1, 15), time(10, 0))
    built = engine.register_project(name, owner=cast.owner, leader=cast.leader, phase="execution")
    report = engine.start_report(built, actor=cast.leader)
    engine.save_report(
        report,
        ReportContent.from_json(
            {
                "overall": "on_track",
                "time": "on_plan",
                "cost": "on_budget",
                "quality": "as_expected",
                "risk": "medium",
            },
            {"overall": "Grunnarbeidet er ferdig.", "risk": "Stålet kan bli forsinket."},
            budget=120_000_000,
            spent=31_500_000,
            forecast=118_000_000,
        ),
        actor=cast.leader,
    )
    engine.publish_report(report, actor=cast.leader)
    hook, _ = engine.add_webhook("Arkiv", "https://arkiv.asker.example/inn", ["*"], actor=cast.pmo)
    case = business_case(engine, built, cast)
    tick_at(app, clock, local(date(2027, 4, 16), time(8, 0)))

    idea = engine.register_project(f"{name} – idé", owner=cast.owner, leader=cast.leader)
    workflow = engine.workflows.current(engine.default_workflow)
    bp1 = workflow.gate("BP1")
    assert bp1 is not None
    asked = submit_complete(engine, idea, bp1, actor=cast.leader)
    engine.cast_vote(asked, "approve", "Godt forarbeid.", channel="web", actor=cast.board[0])
    token, _ = engine.create_api_token("Arkivsystem", actor=cast.pmo)
    engine.request_sign_in(engine.person(cast.pmo).email)
    with app.database.connect() as conn:
        mails = list_messages(conn)
        delivery = conn.execute(select(func.max(WebhookDelivery.id))).scalar_one()
    vote_link = _link(mails, "/decide/")
    report_link = _link(mails, "/report/")
    meeting = engine.gate_request(asked).meeting_key
    assert meeting is not None, "a board gate request is on a meeting's agenda"
    return Ids(
        project=built,
        gate_request=asked,
        person=cast.leader,
        api_token=token,
        webhook=hook,
        delivery=delivery,
        message=mails[0].id,
        vote_token=vote_link,
        report_token=report_link,
        sign_in_token=_link(mails, "/login/"),
        measure_token=_link(mails, "/measure/"),
        occurrence=meeting,
        workflow=workflow.name,
        **case,
    )


def business_case(engine: Engine, project: int, cast: Cast) -> dict[str, int]:
    """A benefit with a measured indicator, a risk assessed twice, and cost and staffing
    plans, for the project page and the business case forms."""
    benefit = engine.add_benefit(
        project,
        BenefitDraft("Lavere energibruk", "Nytt bygg.", BenefitKind.ECONOMIC, cast.owner),
        actor=cast.leader,
    )
    kwh = IndicatorDefinition(
        "kWh per m²",
        Direction.LOWER,
        Decimal(180),
        date(2026, 1, 1),
        Decimal(90),
        date(2029, 12, 31),
    )
    indicator = engine.add_indicator(
        benefit,
        # 28 April is within two weeks of the tick: the owner is asked, with a link.
        IndicatorDraft("Energibruk", kwh, plan_dates=(date(2027, 4, 28), date(2027, 6, 1))),
        actor=cast.leader,
    )
    engine.record_measurement(indicator, Decimal(170), date(2026, 12, 1), "Måler", actor=cast.owner)
    engine.record_measurement(indicator, Decimal(160), date(2027, 1, 10), actor=cast.owner)
    draft = RiskDraft(RiskKind.RISK, "Stålet blir forsinket", "", "Leverandør", cast.leader)
    first = Assessment(4, 4, 2, 3, Response.REDUCE, "Dagbot", RiskStatus.OPEN, date(2027, 3, 1))
    risk = engine.add_risk(project, draft, first, actor=cast.leader)
    engine.assess_risk(risk, replace(first, probability=3), "Levert i rute.", actor=cast.leader)
    unit = engine.save_term("unit", "Eiendom", actor=cast.pmo)
    competence = engine.save_term("competence", "Byggeledelse", actor=cast.pmo)
    engine.save_plans(
        project,
        costs=[
            CostLine(2027, CostKind.INVESTMENT, 120_000_000),
            CostLine(2028, CostKind.OPERATING, -1_500_000, benefit, "Lavere strømregning"),
        ],
        people=[PeopleLine(2027, unit, competence, Decimal("1.5"))],
        seen=0,
        actor=cast.leader,
    )
    return {"benefit": benefit, "indicator": indicator, "risk": risk}


@dataclass(frozen=True)
class Site:
    """One of everything, served over HTTP: for the crawls (access, words, axe)."""

    app: App
    url: str
    ids: Ids
    cast: Cast
    wheel: Path  # the wheel file the app reads


@contextmanager
def served_everything(
    database_url: str,
    tmp_path: Path,
    clock: Clock,
    cast: Cast,
    name: str = "Nytt rådhus",
    **settings: object,
) -> Iterator[Site]:
    """:func:`one_of_everything` in an app on the tertial wheel, served; ``settings`` are
    more PHASEGATE_* values (``public_read="overview"``, say)."""
    wheel = wheel_file(tmp_path, TERTIAL)
    app = build(
        make_settings(database_url, wheel_file=wheel, **settings), clock=clock, pool_size=10
    )
    try:
        ids = one_of_everything(app, cast, clock, name)
        with serve(app) as url:
            yield Site(app, url, ids, cast, wheel)
    finally:
        app.database.dispose()


def _link(mails: list[OutboxEntry], path: str) -> str:
    for mail in mails:
        if found := re.search(rf"{re.escape(path)}([A-Za-z0-9_.-]+)", mail.body_text):
            return found[1]
    raise AssertionError(f"no email carries a {path} link")
