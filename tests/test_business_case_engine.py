"""The business case through the engine, on SQLite and PostgreSQL: nothing is overwritten,
BP3 waits for a baselined benefit, and only those who may change a project's case do."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from phasegate.domain.benefits import BenefitKind, BenefitStatus, Direction, IndicatorDefinition
from phasegate.domain.plans import CostKind, CostLine, PeopleLine
from phasegate.domain.risks import Assessment, Response, RiskKind, RiskStatus
from phasegate.engine.benefits import BenefitDraft, IndicatorDraft
from phasegate.engine.risks import RiskDraft
from phasegate.engine.service import Engine
from phasegate.errors import (
    ConcurrentUpdate,
    IncompleteGateRequest,
    NotPermitted,
    PhasegateError,
    RegisterInvalid,
    say_problem,
)
from phasegate.webhooks.catalog import event_types
from tests.factories import Cast, complete_answers, linked_documents

HOURS = IndicatorDefinition(
    "timer per år",
    Direction.HIGHER,
    Decimal(0),
    date(2026, 1, 1),
    Decimal(4000),
    date(2028, 12, 31),
)


def _benefit(engine: Engine, project: int, owner: int | None = None) -> tuple[int, int]:
    benefit = engine.add_benefit(
        project,
        BenefitDraft("Spart tid", "Mindre dobbeltarbeid", BenefitKind.TIME, owner),
        actor=None,
    )
    indicator = engine.add_indicator(
        benefit, IndicatorDraft("Timer spart", HOURS, plan_cycle="tertial-1"), actor=None
    )
    return benefit, indicator


def _assessment(p: int, c: int, **changes: Any) -> Assessment:
    values: dict[str, Any] = {
        "probability": p,
        "consequence": c,
        "probability_after": None,
        "consequence_after": None,
        "response": Response.REDUCE,
        "mitigation": "Tett oppfølging",
        "status": RiskStatus.OPEN,
        "next_review_on": date(2026, 6, 1),
    }
    values.update(changes)
    return Assessment(**values)


def _race(calls: list[Callable[[], object]]) -> list[object]:
    """Run every call at the same instant, each on its own thread and connection."""
    barrier = threading.Barrier(len(calls))

    def one(call: Callable[[], object]) -> object:
        barrier.wait()
        try:
            return call()
        except PhasegateError as exc:
            return exc

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(one, calls))


def test_two_people_recording_a_measurement_at_once_both_keep_theirs(
    engine: Engine, cast: Cast
) -> None:
    project = engine.register_project("Tidstyvene", owner=cast.owner, leader=cast.leader)
    _, indicator = _benefit(engine, project, owner=cast.owner)

    results = _race(
        [
            lambda: engine.record_measurement(
                indicator, Decimal(900), date(2026, 3, 1), "leder", actor=cast.leader
            ),
            lambda: engine.record_measurement(
                indicator, Decimal(1100), date(2026, 3, 1), "eier", channel="api", actor=cast.owner
            ),
        ]
    )

    assert all(isinstance(r, int) for r in results), results
    measured = engine.business_case(project).benefits[0].indicators[0].measurements
    assert sorted((m.value, m.comment, m.channel) for m in measured) == [
        (Decimal(900), "leder", "form"),
        (Decimal(1100), "eier", "api"),
    ]
    kinds = Counter(e.kind for e in engine.audit_trail(project))
    assert kinds["MeasurementRecorded"] == 2


def test_two_people_reassessing_a_risk_at_once_both_keep_their_assessment(
    engine: Engine, cast: Cast
) -> None:
    project = engine.register_project("Digital post", owner=cast.owner, leader=cast.leader)
    risk = engine.add_risk(
        project,
        RiskDraft(RiskKind.RISK, "Leverandøren leverer sent", "", "Leverandør", cast.leader),
        _assessment(4, 4),
        actor=cast.leader,
    )

    results = _race(
        [
            lambda: engine.assess_risk(risk, _assessment(3, 4), "etter møtet", actor=cast.leader),
            lambda: engine.assess_risk(
                risk, _assessment(2, 4), "ny kontrakt", channel="api", actor=cast.pmo
            ),
        ]
    )

    assert all(isinstance(r, int) for r in results), results
    (view,) = engine.business_case(project).risks
    assert [a.comment for a in view.history][-1] == ""  # the first assessment, oldest last
    assert sorted(a.comment for a in view.history[:2]) == ["etter møtet", "ny kontrakt"]
    newest = max(results)  # type: ignore[type-var]
    assert view.history[0].id == newest
    assert view.score == view.history[0].score  # the register shows the latest written


def test_an_edit_made_from_a_stale_reading_is_refused_not_merged(
    engine: Engine, cast: Cast
) -> None:
    project = engine.register_project("Gammel lesning", owner=cast.owner, leader=cast.leader)
    benefit, _ = _benefit(engine, project)
    draft = BenefitDraft("Spart tid i saksbehandlingen", "", BenefitKind.TIME, cast.owner)
    engine.change_benefit(benefit, draft, seen=1, actor=cast.leader)

    with pytest.raises(ConcurrentUpdate):
        engine.change_benefit(benefit, draft, seen=1, actor=cast.pmo)
    engine.save_plans(project, costs=[CostLine(2027, CostKind.INVESTMENT, 5)], seen=0, actor=None)
    with pytest.raises(ConcurrentUpdate):
        engine.save_plans(project, costs=[], seen=0, actor=None)
    assert engine.business_case(project).plan.version == 1


def test_bp3_is_refused_without_a_baselined_indicator_and_says_what_is_missing(
    engine: Engine, cast: Cast
) -> None:
    project = engine.register_project(
        "Uten gevinst", owner=cast.owner, leader=cast.leader, phase="planning"
    )
    gate = engine.workflows.current("prosjektveiviseren").gate("BP3")
    assert gate is not None
    engine.add_benefit(
        project, BenefitDraft("Bedre tjeneste", "", BenefitKind.QUALITY, None), actor=None
    )

    with pytest.raises(IncompleteGateRequest) as refused:
        engine.submit_gate_request(
            project, complete_answers(gate), linked_documents(gate), actor=cast.leader
        )

    (problem,) = refused.value.problems
    assert problem.field == "requirement-baselined_benefit"
    assert "indikator som har nullpunkt og mål" in say_problem(problem, "nb")
    assert "indikator som har nullpunkt og mål" in say_problem(problem, "nn")
    assert "søkjast" in say_problem(problem, "nn")
    assert "an indicator that has a baseline and a target" in say_problem(problem, "en")

    _benefit(engine, project)
    engine.submit_gate_request(
        project, complete_answers(gate), linked_documents(gate), actor=cast.leader
    )


def test_only_the_projects_people_and_the_pmo_change_its_case_and_the_owner_measures(
    engine: Engine, cast: Cast
) -> None:
    project = engine.register_project("Tilgang", owner=cast.owner, leader=cast.leader)
    benefit_owner = engine.register_person("Linje Leder", "linje@asker.example")
    _, indicator = _benefit(engine, project, owner=benefit_owner)

    with pytest.raises(NotPermitted):
        engine.add_benefit(
            project, BenefitDraft("Fremmed", "", BenefitKind.OTHER, None), actor=cast.outsider
        )
    with pytest.raises(NotPermitted):
        engine.record_measurement(indicator, Decimal(1), date(2026, 2, 1), actor=cast.outsider)
    engine.record_measurement(indicator, Decimal(2000), date(2026, 2, 1), actor=benefit_owner)

    (benefit,) = engine.business_case(project).benefits
    assert benefit.owner == "Linje Leder"
    assert benefit.status is BenefitStatus.REALISING
    assert benefit.indicators[0].progress.percent == 50


def test_a_refused_indicator_names_each_field_and_writes_nothing(
    engine: Engine, cast: Cast
) -> None:
    project = engine.register_project("Feil mål", owner=cast.owner, leader=cast.leader)
    benefit = engine.add_benefit(
        project, BenefitDraft("Noe", "", BenefitKind.OTHER, None), actor=None
    )
    flat = IndicatorDefinition(
        " ", Direction.HIGHER, Decimal(5), date(2026, 1, 1), Decimal(5), date(2025, 1, 1)
    )

    with pytest.raises(RegisterInvalid) as refused:
        engine.add_indicator(
            benefit, IndicatorDraft("", flat, plan_cycle="no-such-cycle"), actor=None
        )

    assert [p.field for p in refused.value.problems] == [
        "name",
        "unit",
        "target",
        "target_on",
        "plan",
    ]
    assert engine.business_case(project).benefits[0].indicators == ()


def test_plans_replace_whole_and_read_back_by_year(engine: Engine, cast: Cast) -> None:
    project = engine.register_project("Planer", owner=cast.owner, leader=cast.leader)
    benefit, _ = _benefit(engine, project)
    unit = engine.save_term("unit", "Oppvekst", actor=cast.pmo)
    skill = engine.save_term("competence", "Tjenestedesign", actor=cast.pmo)
    with pytest.raises(NotPermitted):
        engine.save_term("unit", "Hemmelig", actor=cast.leader)

    engine.save_plans(
        project,
        costs=[
            CostLine(2027, CostKind.INVESTMENT, 3_000_000),
            CostLine(2028, CostKind.OPERATING, -500_000, benefit=benefit, note="innsparing"),
        ],
        people=[PeopleLine(2027, unit, skill, Decimal("1.5"))],
        seen=0,
        actor=cast.leader,
    )

    plan = engine.business_case(project).plan
    assert [(y.year, y.investment, y.operating) for y in plan.years] == [
        (2027, 3_000_000, 0),
        (2028, 0, -500_000),
    ]
    assert plan.costs[1].benefit_title == "Spart tid"
    assert [(p.unit, p.competence, p.line.fte) for p in plan.people] == [
        ("Oppvekst", "Tjenestedesign", Decimal("1.5000"))
    ]
    assert plan.fte == {2027: Decimal("1.5000")}


def test_every_change_to_the_case_is_an_audit_event_and_a_webhook_event_type(
    engine: Engine, cast: Cast
) -> None:
    project = engine.register_project("Revisjon", owner=cast.owner, leader=cast.leader)
    benefit, indicator = _benefit(engine, project)
    engine.change_benefit(
        benefit, BenefitDraft("Spart tid, nytt navn", "", BenefitKind.TIME, None), 1, actor=None
    )
    engine.change_indicator(
        indicator, IndicatorDraft("Timer", HOURS, plan_dates=(date(2026, 9, 1),)), 1, actor=None
    )
    engine.record_measurement(indicator, Decimal(10), date(2026, 2, 1), actor=None)
    draft = RiskDraft(RiskKind.OPPORTUNITY, "Gjenbruk", "", "Teknologi", None)
    risk = engine.add_risk(project, draft, _assessment(2, 3), actor=None)
    engine.change_risk(risk, draft, 1, actor=None)
    engine.assess_risk(risk, _assessment(3, 3), actor=None)
    engine.save_plans(project, costs=[], people=[], seen=0, actor=None)

    kinds = [e.kind for e in engine.audit_trail(project)]

    changes = [
        "BenefitAdded", "IndicatorAdded", "BenefitChanged", "IndicatorChanged",
        "MeasurementRecorded", "RiskAdded", "RiskAssessed", "RiskChanged", "RiskAssessed",
        "CostPlanSaved", "PeoplePlanSaved",
    ]  # fmt: skip
    assert [k for k in kinds if k in changes] == changes
    assert event_types(changes) == list(dict.fromkeys(changes))  # each may be subscribed to
