"""What the business case's routes do (web/business_case.py): read the request, ask the
engine once, and render the project page's sections or a form; a form's POST calls one
engine operation and goes back to its section (``?saved=…#section``), or shows the form
again with every problem beside its field and what was typed kept."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import timedelta
from typing import Any

from fastapi import Request
from fastapi.responses import RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from phasegate.bootstrap import App
from phasegate.domain.problems import Problem
from phasegate.engine.business_case import BenefitView, IndicatorView, RiskView
from phasegate.engine.signin import Principal
from phasegate.engine.views import ProjectView
from phasegate.errors import NotFound, NotPermitted, RegisterInvalid
from phasegate.i18n import Words, pick, words
from phasegate.web.access import session_csrf
from phasegate.web.case_fields import (
    assessment_groups,
    assessment_values,
    benefit_groups,
    benefit_values,
    cost_row,
    cost_values,
    indicator_groups,
    indicator_values,
    kept_rows,
    measurement_groups,
    people_row,
    people_values,
    read_assessment,
    read_benefit,
    read_cost,
    read_indicator,
    read_people,
    read_risk,
    risk_group,
    risk_values,
    rows_form,
)
from phasegate.web.case_forms import (
    SPARE_DATES,
    SPARE_ROWS,
    Group,
    Posted,
    Said,
    Typed,
    labels_of,
    with_problems,
)
from phasegate.web.case_view import (
    BAND_COLOUR,
    STATUS_COLOUR,
    Permissions,
    Show,
    assessment_facts,
    cell_of,
    in_cell,
    measurement_facts,
    trend_of,
)

#: What a confirmation after a save says, by ``?saved=``, and the section it is shown in.
SAVED = {
    "benefit_added": "benefits",
    "benefit_changed": "benefits",
    "indicator_added": "benefits",
    "indicator_changed": "benefits",
    "measurement": "benefits",
    "risk_added": "risks",
    "risk_changed": "risks",
    "risk_assessed": "risks",
    "plans": "plans",
}
#: How far ahead a reassessment's next review is suggested, as the form opens.
REVIEW_AFTER = timedelta(days=90)


class CasePages:
    """What the routes do: read the request, ask the engine once, render."""

    def __init__(self, app: App, templates: Jinja2Templates) -> None:
        self.app = app
        self.engine = app.engine
        self.templates = templates
        self.zone = app.settings.zone

    def locale_of(self, request: Request, me: Principal | None) -> str:
        return pick(
            request.query_params.get("lang"),
            me.language if me is not None else None,
            default=self.app.settings.locale.value,
        )

    def permissions(self, project: int, me: Principal | None) -> Permissions:
        """Whether ``me`` edits the project's business case, by the engine's own rule."""
        if me is None:
            return Permissions(False, None)
        return Permissions(self.engine.may_edit_case(project, me.person), me.person)

    def cycles(self, locale: str) -> dict[str, str]:
        """The wheel's reporting cycles by id, in the reader's words."""
        wheel = self.engine.wheel
        labels = {e.id: e.label.get(locale) for e in wheel.events} if wheel else {}
        return {cycle: labels.get(cycle, cycle) for cycle in self.engine.reporting_cycles()}

    def sections(
        self, request: Request, project: ProjectView, me: Principal | None, locale: str
    ) -> dict[str, Any]:
        """What project.html's business case sections show (case_sections.html)."""
        case = self.engine.business_case(project.id)
        cell = cell_of(request.query_params.get("cell"), case)
        risks = [r for r in case.risks if in_cell(r, cell, case)] if cell else list(case.risks)
        saved = request.query_params.get("saved", "")

        def cell_link(probability: int, consequence: int) -> str | None:
            """A matrix cell's link to its risks: the register, filtered."""
            if not case.matrix[probability - 1][consequence - 1]:
                return None
            return f"?lang={locale}&cell={probability}-{consequence}#risks"

        return {
            "case": case,
            "case_may": self.permissions(project.id, me),
            "case_show": Show(locale),
            "case_today": self.engine.today(),
            "case_cycles": self.cycles(locale),
            "case_cell": cell,
            "case_risks": risks,
            "case_saved": (saved, SAVED[saved]) if saved in SAVED else None,
            "case_trend": trend_of,
            "case_status_colour": STATUS_COLOUR,
            "case_band_colour": BAND_COLOUR,
            "case_lang": f"?lang={locale}",
            "case_cell_link": cell_link,
        }

    # --- forms ------------------------------------------------------------------------

    def render(
        self,
        request: Request,
        me: Principal,
        project: ProjectView,
        title: str,
        groups: Sequence[Group],
        *,
        problems: Sequence[Problem] = (),
        facts: Sequence[tuple[str, str]] = (),
        hidden: Mapping[str, str] | None = None,
        section: str = "benefits",
        template: str = "case_form.html",
        **context: Any,
    ) -> Response:
        """A form with every problem beside its field and in a summary at the top."""
        locale = self.locale_of(request, me)
        said = Said.of(problems, labels_of(groups), locale, self.zone)
        page = {
            "locale": locale,
            "lang": f"?lang={locale}",
            "project": project,
            "title": title,
            "groups": with_problems(groups, said),
            "said": said,
            "facts": facts,
            "hidden": dict(hidden or {}),
            "csrf": session_csrf(self.app, request),
            "action": f"{request.url.path}?lang={locale}",
            "back": f"/projects/{project.id}?lang={locale}#{section}",
            **context,
        }
        status = 422 if problems else 200
        return self.templates.TemplateResponse(request, template, page, status_code=status)

    def done(self, request: Request, me: Principal, project: int, saved: str) -> Response:
        """Back to the section, which confirms what was saved."""
        locale = self.locale_of(request, me)
        url = f"/projects/{project}?lang={locale}&saved={saved}#{SAVED[saved]}"
        return RedirectResponse(url, status_code=303)

    def require_editor(self, project: int, me: Principal) -> None:
        """The engine's refusal, before a form is shown to someone who may not send it."""
        self.engine.check_case_editor(project, me.person)

    def people(self, t: Words) -> tuple[tuple[str, str], ...]:
        return (("", t("case_nobody")), *((str(p.id), p.name) for p in self.engine.people()))

    def person_ids(self) -> list[int]:
        return [p.id for p in self.engine.people()]

    def benefit(self, project: int, benefit_id: int) -> BenefitView:
        case = self.engine.business_case(project)
        found = next((b for b in case.benefits if b.id == benefit_id), None)
        if found is None:
            raise NotFound("benefit", benefit=str(benefit_id))
        return found

    def indicator(self, project: int, indicator_id: int) -> tuple[BenefitView, IndicatorView]:
        for b in self.engine.business_case(project).benefits:
            for i in b.indicators:
                if i.id == indicator_id:
                    return b, i
        raise NotFound("indicator", indicator=str(indicator_id))

    def risk(self, project: int, risk_id: int) -> RiskView:
        found = next((r for r in self.engine.business_case(project).risks if r.id == risk_id), None)
        if found is None:
            raise NotFound("risk", risk=str(risk_id))
        return found

    def benefit_form(
        self,
        request: Request,
        me: Principal,
        project_id: int,
        benefit_id: int | None,
        posted: Mapping[str, str] | None = None,
    ) -> Response:
        """Add a benefit (``benefit_id`` None) or edit one; a POST when ``posted``."""
        t = words(self.locale_of(request, me))
        project = self.engine.project(project_id)
        self.require_editor(project_id, me)
        benefit = self.benefit(project_id, benefit_id) if benefit_id is not None else None
        seen = str(benefit.version) if benefit else ""
        problems: list[Problem] = []
        if posted is not None:
            seen = posted.get("seen", "")
            read = Posted(posted)
            draft = read_benefit(read, self.person_ids())
            problems = read.problems
            try:
                if not problems and benefit is None:
                    self.engine.add_benefit(project_id, draft, actor=me.person)
                    return self.done(request, me, project_id, "benefit_added")
                if not problems and benefit is not None:
                    self.engine.change_benefit(benefit.id, draft, number(seen), actor=me.person)
                    return self.done(request, me, project_id, "benefit_changed")
            except RegisterInvalid as exc:
                problems = list(exc.problems)
        typed = Typed(posted if posted is not None else benefit_values(benefit))
        title = t("case_benefit_edit", title=benefit.title) if benefit else t("case_benefit_add")
        groups = benefit_groups(t, typed, self.people(t))
        hidden = {"seen": seen} if benefit else None
        return self.render(request, me, project, title, groups, problems=problems, hidden=hidden)

    def indicator_form(
        self,
        request: Request,
        me: Principal,
        project_id: int,
        *,
        benefit_id: int | None = None,
        indicator_id: int | None = None,
        posted: Mapping[str, str] | None = None,
    ) -> Response:
        """Add an indicator to a benefit, or edit one; a POST when ``posted``."""
        locale = self.locale_of(request, me)
        t = words(locale)
        project = self.engine.project(project_id)
        self.require_editor(project_id, me)
        indicator = None
        if indicator_id is not None:
            benefit, indicator = self.indicator(project_id, indicator_id)
        else:
            benefit = self.benefit(project_id, benefit_id or 0)
        values = posted if posted is not None else indicator_values(indicator)
        dates = len([k for k in values if k.startswith("plan_date_")])
        dates = max(dates, SPARE_DATES) if posted is not None else dates + SPARE_DATES
        seen = str(indicator.version) if indicator else ""
        problems: list[Problem] = []
        if posted is not None:
            seen = posted.get("seen", "")
            read = Posted(posted)
            draft = read_indicator(read, dates)
            problems = read.problems
            try:
                if draft is not None and indicator is None:
                    self.engine.add_indicator(benefit.id, draft, actor=me.person)
                    return self.done(request, me, project_id, "indicator_added")
                if draft is not None and indicator is not None:
                    self.engine.change_indicator(indicator.id, draft, number(seen), actor=me.person)
                    return self.done(request, me, project_id, "indicator_changed")
            except RegisterInvalid as exc:
                problems = list(exc.problems)
        title = (
            t("case_indicator_edit", name=indicator.name)
            if indicator
            else t("case_indicator_add", benefit=benefit.title)
        )
        return self.render(
            request,
            me,
            project,
            title,
            indicator_groups(t, Typed(values), self.cycles(locale), dates),
            problems=problems,
            facts=[(t("case_benefit"), benefit.title)],
            hidden={"seen": seen} if indicator else None,
        )

    def measurement_form(
        self,
        request: Request,
        me: Principal,
        project_id: int,
        indicator_id: int,
        posted: Mapping[str, str] | None = None,
    ) -> Response:
        """Record a measurement of an indicator; a POST when ``posted``."""
        locale = self.locale_of(request, me)
        t = words(locale)
        project = self.engine.project(project_id)
        benefit, indicator = self.indicator(project_id, indicator_id)
        if not self.permissions(project_id, me).measure(benefit):
            raise NotPermitted("measure", person=me.name, project=project.name)
        problems: list[Problem] = []
        if posted is not None:
            read = Posted(posted)
            value, measured_on = read.number("value"), read.day("measured_on")
            problems = read.problems
            try:
                if value is not None and measured_on is not None and not problems:
                    comment = posted.get("comment", "").strip()
                    self.engine.record_measurement(
                        indicator.id, value, measured_on, comment, channel="form", actor=me.person
                    )
                    return self.done(request, me, project_id, "measurement")
            except RegisterInvalid as exc:
                problems = list(exc.problems)
        today = self.engine.today().isoformat()
        typed = Typed(posted if posted is not None else {"measured_on": today})
        return self.render(
            request,
            me,
            project,
            t("case_measurement_add", name=indicator.name),
            measurement_groups(t, typed, indicator.unit),
            problems=problems,
            facts=measurement_facts(t, Show(locale), benefit, indicator),
        )

    def risk_form(
        self,
        request: Request,
        me: Principal,
        project_id: int,
        risk_id: int | None,
        posted: Mapping[str, str] | None = None,
    ) -> Response:
        """Add a risk with its first assessment (``risk_id`` None), or edit what it is."""
        t = words(self.locale_of(request, me))
        project = self.engine.project(project_id)
        self.require_editor(project_id, me)
        risk = self.risk(project_id, risk_id) if risk_id is not None else None
        seen = str(risk.version) if risk else ""
        scale = self.engine.scale
        problems: list[Problem] = []
        if posted is not None:
            seen = posted.get("seen", "")
            read = Posted(posted)
            draft = read_risk(read, self.person_ids())
            assessment = read_assessment(read, scale) if risk is None else None
            problems = read.problems
            try:
                if not problems and assessment is not None:
                    self.engine.add_risk(project_id, draft, assessment, actor=me.person)
                    return self.done(request, me, project_id, "risk_added")
                if not problems and risk is not None:
                    self.engine.change_risk(risk.id, draft, number(seen), actor=me.person)
                    return self.done(request, me, project_id, "risk_changed")
            except RegisterInvalid as exc:
                problems = list(exc.problems)
        review = self.engine.today() + REVIEW_AFTER
        typed = Typed(posted if posted is not None else risk_values(risk, review))
        groups = [risk_group(t, typed, self.people(t))]
        if risk is None:
            groups += assessment_groups(t, typed, scale, comment=False)
        return self.render(
            request,
            me,
            project,
            t("case_risk_edit", title=risk.title) if risk else t("case_risk_add"),
            groups,
            problems=problems,
            hidden={"seen": seen} if risk else None,
            section="risks",
        )

    def assessment_form(
        self,
        request: Request,
        me: Principal,
        project_id: int,
        risk_id: int,
        posted: Mapping[str, str] | None = None,
    ) -> Response:
        """Reassess a risk: a new assessment; the history keeps the old ones."""
        locale = self.locale_of(request, me)
        t = words(locale)
        project = self.engine.project(project_id)
        risk = self.risk(project_id, risk_id)
        if not self.permissions(project_id, me).assess(risk):
            raise NotPermitted("assess_risk", person=me.name, project=project.name)
        scale = self.engine.scale
        problems: list[Problem] = []
        if posted is not None:
            read = Posted(posted)
            assessment = read_assessment(read, scale)
            problems = read.problems
            try:
                if assessment is not None and not problems:
                    comment = posted.get("comment", "").strip()
                    self.engine.assess_risk(
                        risk.id, assessment, comment, channel="form", actor=me.person
                    )
                    return self.done(request, me, project_id, "risk_assessed")
            except RegisterInvalid as exc:
                problems = list(exc.problems)
        review = self.engine.today() + REVIEW_AFTER
        typed = Typed(posted if posted is not None else assessment_values(risk, review))
        return self.render(
            request,
            me,
            project,
            t("case_assess_title", title=risk.title),
            assessment_groups(t, typed, scale, comment=True),
            problems=problems,
            facts=assessment_facts(t, Show(locale), risk),
            section="risks",
        )

    def plans_form(
        self,
        request: Request,
        me: Principal,
        project_id: int,
        posted: Mapping[str, str] | None = None,
    ) -> Response:
        """The cost and people plans as rows, saved whole under the plan's version."""
        t = words(self.locale_of(request, me))
        project = self.engine.project(project_id)
        self.require_editor(project_id, me)
        case = self.engine.business_case(project_id)
        terms = self.engine.terms()
        units = [x.id for x in terms if x.kind == "unit"]
        competences = [x.id for x in terms if x.kind == "competence"]
        if posted is None:
            costs = [cost_values(v.line) for v in case.plan.costs]
            people = [people_values(v.line) for v in case.plan.people]
            seen = str(case.plan.version)
        else:
            costs, people = kept_rows(posted, "cost"), kept_rows(posted, "people")
            seen = posted.get("seen", "")
        problems: list[Problem] = []
        if posted is not None:
            read = Posted(rows_form(costs, "cost") | rows_form(people, "people"))
            benefits = [b.id for b in case.benefits]
            cost_lines = [read_cost(read, n, benefits) for n in range(len(costs))]
            people_lines = [read_people(read, n, units, competences) for n in range(len(people))]
            problems = read.problems
            try:
                if not problems:
                    self.engine.save_plans(
                        project_id,
                        costs=[c for c in cost_lines if c is not None],
                        people=[p for p in people_lines if p is not None],
                        seen=number(seen),
                        actor=me.person,
                    )
                    return self.done(request, me, project_id, "plans")
            except RegisterInvalid as exc:
                problems = list(exc.problems)
        used = {v.line.unit for v in case.plan.people} | {
            v.line.competence for v in case.plan.people
        }
        offered = {  # retired terms stay on the lines that have them
            kind: tuple(
                (str(x.id), x.name) for x in terms if x.kind == kind and (x.active or x.id in used)
            )
            for kind in ("unit", "competence")
        }
        benefits_offered = (
            ("", t("case_no_benefit")),
            *((str(b.id), b.title) for b in case.benefits),
        )
        typed = Typed(rows_form(costs, "cost") | rows_form(people, "people"))
        cost_rows = [
            cost_row(t, n, typed, benefits_offered) for n in range(len(costs) + SPARE_ROWS)
        ]
        people_rows = [
            people_row(t, n, typed, offered["unit"], offered["competence"])
            for n in range(len(people) + SPARE_ROWS)
        ]
        return self.render(
            request,
            me,
            project,
            t("case_plans_title"),
            cost_rows + people_rows,
            problems=problems,
            hidden={"seen": seen},
            section="plans",
            template="case_plans.html",
            cost_count=len(cost_rows),
            no_terms=not offered["unit"] or not offered["competence"],
        )


def number(seen: str) -> int:
    """The version a form was made from (0: none yet)."""
    return int(seen) if seen.isdigit() else 0
