"""The portfolio overview: every project's phase, people, traffic lights and deadlines.

The overview is built with a fixed number of SQL statements, whatever the number of
projects: one for the filter choices, one for the projects (with owner, leader and open
gate request), one for the latest published report of each, and one for each project's
next open deadline. The last three share one filtered subquery of project ids, so a
filter narrows all of them in the database. Sorting happens here, in Python, because
some columns (the phase's place in its workflow, a report's age) are not columns.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from operator import itemgetter
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, Select, func, select
from sqlalchemy.orm import aliased

from phasegate.domain.model import Label
from phasegate.domain.reports import SCALES, Colour, Dimension
from phasegate.engine.catalog import WorkflowCatalog
from phasegate.engine.service import Engine
from phasegate.storage.tables import Deadline, GateRequest, Person, Project, StatusReport

if TYPE_CHECKING:
    AnySelect = Select[*tuple[Any, ...]]

Owner = aliased(Person)
Leader = aliased(Person)

STATUSES = ("active", "on_hold", "completed", "stopped")
#: The columns the overview can be sorted by.
SORT_KEYS = (
    "name",
    "portfolio",
    "owner",
    "leader",
    "phase",
    "area",
    "status",
    *(str(d) for d in Dimension),
    "age",
    "gate",
    "gate_due",
    "deadline",
)
_SEVERITY = {Colour.GREEN: 0, Colour.YELLOW: 1, Colour.RED: 2}
# Norwegian alphabetical order puts æ, ø, å after z (and in that order); code points do not.
_NORWEGIAN = str.maketrans({"æ": "{", "ø": "|", "å": "}", "ä": "{", "ö": "|"})


@dataclass(frozen=True)
class Filters:
    """What the reader narrowed the overview to; None means any."""

    phase: str | None = None
    area: str | None = None
    owner: int | None = None
    status: str | None = None
    portfolio: str | None = None


@dataclass(frozen=True)
class Sort:
    key: str = "name"
    descending: bool = False

    def __post_init__(self) -> None:
        if self.key not in SORT_KEYS:
            raise ValueError(f"Cannot sort by {self.key!r}; use one of {', '.join(SORT_KEYS)}.")


@dataclass(frozen=True)
class Light:
    """One dimension of a report as a traffic light: the value and its colour (its words
    are the catalog's ``report_level_<dimension>_<value>``)."""

    dimension: Dimension
    value: str
    colour: Colour


@dataclass(frozen=True)
class OverviewRow:
    id: int
    name: str
    portfolio: str | None
    owner: str | None
    owner_id: int | None
    leader: str | None
    phase: str
    phase_label: Label
    phase_rank: int  # the phase's place in its workflow, for sorting
    status: str
    development_area: str | None
    lights: dict[Dimension, Light]
    report_published_at: datetime | None
    report_age_days: int | None
    open_gate: str | None
    open_gate_due: datetime | None
    next_deadline: datetime | None


@dataclass(frozen=True)
class Overview:
    """The rows that pass the filters, sorted, and what the filters can choose from."""

    rows: tuple[OverviewRow, ...]
    total: int  # projects in the portfolio, before filtering
    phases: tuple[tuple[str, Label], ...]  # in workflow order
    areas: tuple[str, ...]
    owners: tuple[tuple[int, str], ...]
    statuses: tuple[str, ...]
    portfolios: tuple[str, ...]

    def summary(self) -> Summary:
        """The rows shown, counted per phase and per overall rating."""
        return summarise(self.rows, self.phases)


def build_overview(
    conn: Connection,
    workflows: WorkflowCatalog,
    filters: Filters,
    sort: Sort,
    now: datetime,
    zone: ZoneInfo,
) -> Overview:
    """The overview as of ``now``; a report's age is counted in days in ``zone``."""
    # .all() fetches each result in one go; iterating a result fetches row by row.
    choices = conn.execute(_choices()).all()
    wanted = _project_ids(filters)
    reports = {row.project_id: row for row in conn.execute(_latest_reports(wanted)).all()}
    deadlines = {row.project_id: row.due_at for row in conn.execute(_next_deadlines(wanted)).all()}
    phase_of = _PhaseBook(conn, workflows)
    lights = _LightBook()
    today = now.astimezone(zone).date()
    rows = [
        _row(row, phase_of, lights, reports.get(row.id), deadlines.get(row.id), today, zone)
        for row in conn.execute(_projects(filters)).all()
    ]
    return Overview(
        rows=tuple(sort_rows(rows, sort)),
        total=sum(row.projects for row in choices),
        phases=_phase_choices(phase_of, choices),
        areas=tuple(sorted({r.development_area for r in choices if r.development_area}, key=_text)),
        owners=tuple(sorted({(r.owner_id, r.owner) for r in choices if r.owner_id}, key=_by_name)),
        statuses=tuple(s for s in STATUSES if any(r.status == s for r in choices)),
        portfolios=tuple(sorted({r.portfolio for r in choices if r.portfolio}, key=_text)),
    )


@dataclass(frozen=True)
class Summary:
    """How many of the projects shown are in each phase (workflow order, phases with none
    left out) and have each overall rating (green, yellow, red; ``None``: no report)."""

    phases: tuple[tuple[str, Label, int], ...]
    overall: tuple[tuple[Colour | None, int], ...]
    shown: int


def summarise(rows: Sequence[OverviewRow], phases: Sequence[tuple[str, Label]]) -> Summary:
    """Pure: the counts above the overview's table."""
    per_phase = Counter(row.phase for row in rows)
    per_rating = Counter(
        light.colour if (light := row.lights.get(Dimension.OVERALL)) else None for row in rows
    )
    return Summary(
        phases=tuple(
            (phase, label, per_phase[phase]) for phase, label in phases if per_phase[phase]
        ),
        overall=tuple(
            (colour, per_rating[colour])
            for colour in (Colour.GREEN, Colour.YELLOW, Colour.RED, None)
            if per_rating[colour]
        ),
        shown=len(rows),
    )


def sort_rows(rows: Iterable[OverviewRow], sort: Sort) -> list[OverviewRow]:
    """Sorted by ``sort``, then by name; rows without a value come last either way."""
    key = _SORT[sort.key]
    by_name = sorted(rows, key=lambda r: (_text(r.name), r.id))
    keyed = [(key(r), r) for r in by_name]  # each row's key, worked out once
    present = [pair for pair in keyed if pair[0] is not None]
    missing = [r for k, r in keyed if k is None]
    present.sort(key=itemgetter(0), reverse=sort.descending)  # stable, as sorted() is
    return [r for _, r in present] + missing


# --- the statements -------------------------------------------------------------------


def _where(filters: Filters) -> list[Any]:
    conditions: list[Any] = []
    if filters.phase is not None:
        conditions.append(Project.phase == filters.phase)
    if filters.area is not None:
        conditions.append(Project.development_area == filters.area)
    if filters.owner is not None:
        conditions.append(Project.owner_id == filters.owner)
    if filters.status is not None:
        conditions.append(Project.status == filters.status)
    if filters.portfolio is not None:
        conditions.append(Project.portfolio == filters.portfolio)
    return conditions


def _project_ids(filters: Filters) -> AnySelect:
    return select(Project.id).where(*_where(filters))


def _choices() -> AnySelect:
    """What the filters can offer, with the number of projects behind each combination."""
    return (
        select(
            Project.workflow_name,
            Project.workflow_version,
            Project.phase,
            Project.development_area,
            Project.owner_id,
            Owner.name.label("owner"),
            Project.status,
            Project.portfolio,
            func.count().label("projects"),
        )
        .outerjoin(Owner, Owner.id == Project.owner_id)
        .group_by(
            Project.workflow_name,
            Project.workflow_version,
            Project.phase,
            Project.development_area,
            Project.owner_id,
            Owner.name,
            Project.status,
            Project.portfolio,
        )
    )


def _projects(filters: Filters) -> AnySelect:
    return (
        select(
            Project.id,
            Project.name,
            Project.portfolio,
            Project.phase,
            Project.status,
            Project.development_area,
            Project.workflow_name,
            Project.workflow_version,
            Project.owner_id,
            Owner.name.label("owner"),
            Leader.name.label("leader"),
            GateRequest.gate_id.label("open_gate"),
            GateRequest.due_at.label("open_gate_due"),
        )
        .outerjoin(Owner, Owner.id == Project.owner_id)
        .outerjoin(Leader, Leader.id == Project.leader_id)
        .outerjoin(
            GateRequest, (GateRequest.project_id == Project.id) & (GateRequest.status == "open")
        )
        .where(*_where(filters))
    )


def _latest_reports(wanted: AnySelect) -> AnySelect:
    """Each project's latest published report (a window function: SQLite 3.25+ and PG)."""
    ranked = (
        select(
            StatusReport.project_id,
            StatusReport.ratings,
            StatusReport.published_at,
            func.row_number()
            .over(
                partition_by=StatusReport.project_id,
                order_by=(StatusReport.published_at.desc(), StatusReport.id.desc()),
            )
            .label("place"),
        )
        .where(StatusReport.status == "published", StatusReport.project_id.in_(wanted))
        .subquery()
    )
    return select(ranked.c.project_id, ranked.c.ratings, ranked.c.published_at).where(
        ranked.c.place == 1
    )


def _next_deadlines(wanted: AnySelect) -> AnySelect:
    return (
        select(Deadline.project_id, func.min(Deadline.due_at).label("due_at"))
        .where(Deadline.status == "open", Deadline.project_id.in_(wanted))
        .group_by(Deadline.project_id)
    )


# --- turning rows into the overview ---------------------------------------------------


class _PhaseBook:
    """A phase's place in its workflow and its label, looked up once per workflow version
    and phase (the catalogue caches the versions, so this reads the database at most once
    per version, and usually not at all)."""

    def __init__(self, conn: Connection, workflows: WorkflowCatalog) -> None:
        self.conn = conn
        self.workflows = workflows
        self.known: dict[tuple[str, int, str], tuple[int, Label]] = {}

    def __call__(self, workflow: str, version: int, phase: str) -> tuple[int, Label]:
        found = self.known.get((workflow, version, phase))
        if found is None:
            definition = self.workflows.pinned(self.conn, workflow, version).definition
            order = [p.id for p in definition.phases] + [t.id for t in definition.terminals]
            rank = order.index(phase) if phase in order else len(order)
            found = self.known[(workflow, version, phase)] = (rank, definition.label_of(phase))
        return found


def _row(
    row: Any,
    phase_of: _PhaseBook,
    lights: _LightBook,
    report: Any,
    deadline: datetime | None,
    today: date,
    zone: ZoneInfo,
) -> OverviewRow:
    rank, label = phase_of(row.workflow_name, row.workflow_version, row.phase)
    published: datetime | None = report.published_at if report is not None else None
    return OverviewRow(
        id=row.id,
        name=row.name,
        portfolio=row.portfolio,
        owner=row.owner,
        owner_id=row.owner_id,
        leader=row.leader,
        phase=row.phase,
        phase_label=label,
        phase_rank=rank,
        status=row.status,
        development_area=row.development_area,
        lights=lights(report.ratings if report is not None else {}),
        report_published_at=published,
        report_age_days=None if published is None else _days(today, published, zone),
        open_gate=row.open_gate,
        open_gate_due=row.open_gate_due,
        next_deadline=deadline,
    )


#: Every value of every scale as a light, keyed as a report's ratings store them.
_LIGHTS = {
    (str(dimension), level.value): Light(dimension, level.value, level.colour)
    for dimension, levels in SCALES.items()
    for level in levels
}


_DIMENSIONS = tuple(Dimension)  # iterating an enum class is slow; a tuple is not


def _lights(ratings: dict[str, Any]) -> dict[Dimension, Light]:
    # A value no longer on its scale is left out rather than shown in a wrong colour.
    found = (_LIGHTS.get((key, value)) for key, value in ratings.items())
    lights = {light.dimension: light for light in found if light is not None}
    return {d: lights[d] for d in _DIMENSIONS if d in lights}


class _LightBook:
    """The lights of each distinct set of ratings, worked out once per overview: a
    portfolio has thousands of reports but only a few hundred combinations of ratings."""

    def __init__(self) -> None:
        self.known: dict[tuple[tuple[str, Any], ...], dict[Dimension, Light]] = {}

    def __call__(self, ratings: dict[str, Any]) -> dict[Dimension, Light]:
        key = tuple(ratings.items())
        found = self.known.get(key)
        if found is None:
            found = self.known[key] = _lights(ratings)
        return found


def _phase_choices(phase_of: _PhaseBook, choices: Sequence[Any]) -> tuple[tuple[str, Label], ...]:
    found: dict[str, tuple[int, Label]] = {}
    for row in choices:
        found.setdefault(row.phase, phase_of(row.workflow_name, row.workflow_version, row.phase))
    in_order = sorted(found.items(), key=lambda item: item[1][0])
    return tuple((phase, label) for phase, (_, label) in in_order)


def _days(today: date, moment: datetime, zone: ZoneInfo) -> int:
    """Calendar days in ``zone`` from ``moment`` to ``today``: 0 on the same day."""
    return (today - moment.astimezone(zone).date()).days


def _by_name(owner: tuple[int, str]) -> str:
    return _text(owner[1])


def _text(value: str) -> str:
    return value.casefold().translate(_NORWEGIAN)


def _optional_text(value: str | None) -> str | None:
    return None if value is None else _text(value)


def _light_key(dimension: Dimension) -> Callable[[OverviewRow], Any]:
    def key(row: OverviewRow) -> Any:
        light = row.lights.get(dimension)
        return None if light is None else _SEVERITY[light.colour]

    return key


_SORT: dict[str, Callable[[OverviewRow], Any]] = {
    "name": lambda r: _text(r.name),
    "portfolio": lambda r: _optional_text(r.portfolio),
    "owner": lambda r: _optional_text(r.owner),
    "leader": lambda r: _optional_text(r.leader),
    "phase": lambda r: r.phase_rank,
    "area": lambda r: _optional_text(r.development_area),
    "status": lambda r: STATUSES.index(r.status) if r.status in STATUSES else len(STATUSES),
    **{str(d): _light_key(d) for d in Dimension},
    "age": lambda r: r.report_age_days,
    "gate": lambda r: r.open_gate,
    "gate_due": lambda r: r.open_gate_due,
    "deadline": lambda r: r.next_deadline,
}


def read_overview(engine: Engine, filters: Filters, sort: Sort, zone: ZoneInfo) -> Overview:
    """The overview as of the engine's clock, in one read-only transaction."""
    with engine.reading() as conn:
        return build_overview(conn, engine.workflows, filters, sort, engine.clock(), zone)
