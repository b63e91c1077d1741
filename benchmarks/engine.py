"""Engine benchmark: N projects through all six gates on SQLite.

Run it with ``make bench`` (or ``.venv/bin/python benchmarks/engine.py [-n N]``).

The protocol: each project is registered, then driven through BP1..BP6 to completed. Each
step reloads the project from the database and commits once. Audit events are written as
in production. Two figures are printed:

* **per gate step** (the protocol): one transaction per gate: the project manager's
  request and the deciders' votes (two of three board members on board gates, the owner
  on owner gates), through the engine's own operations.
* **per operation**: every request and every vote is its own transaction, as when each
  person clicks on their own; there are 16 transactions per project instead of 7.

Both run the engine core as the protocol defines it: the audit trail, no email. A third
line runs per operation with one webhook subscribed to every event, so each event also
queues a delivery (nothing is posted). A fourth runs per operation with the full
production handler table, where every request, vote and decision also renders its emails
and writes them to the outbox.

Peak memory is the process's peak resident set size (ru_maxrss); the growth between the
first and the last project shows whether memory keeps growing with the number of projects.
"""

from __future__ import annotations

import argparse
import gc
import resource
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from bulk import sqlite_app
from phasegate.domain.model import Answer, DeciderRole, Gate, Outcome
from phasegate.domain.rules import ChecklistAnswer, DocumentLink
from phasegate.engine import gates
from phasegate.engine.handlers import build_handlers
from phasegate.engine.service import Engine

TARGET_MS = 5.0


@dataclass(frozen=True)
class Plan:
    """What one gate needs: complete answers, linked documents and who approves."""

    gate: Gate
    answers: dict[str, ChecklistAnswer]
    documents: list[DocumentLink]
    approvers: tuple[int, ...]


@dataclass(frozen=True)
class Cast:
    leader: int
    owner: int
    board: tuple[int, ...]


def _engine(folder: Path, *, email: bool = False, webhook: bool = False) -> Engine:
    engine = sqlite_app(folder).engine
    if webhook:  # every event is queued for one receiver too (none is posted here)
        engine.add_webhook("bench", "https://hooks.bench.example/in", ["*"], actor=None)
    if email:
        return engine
    core = build_handlers(None)  # the audit trail and the engine's own handlers only
    return Engine(engine.database, engine.workflows, engine.clock, core, publisher=engine.publisher)


def _cast(engine: Engine) -> Cast:
    leader = engine.register_person("Prosjektleder", "leder@bench.example")
    owner = engine.register_person("Prosjekteier", "eier@bench.example")
    board = tuple(engine.register_person(f"Styre {i}", f"styre{i}@bench.example") for i in range(3))
    for member in board:
        engine.grant_role(member, "board")
    return Cast(leader, owner, board)


def _plans(engine: Engine, cast: Cast) -> list[Plan]:
    plans = []
    for gate in engine.workflows.current("prosjektveiviseren").gates:
        approvers = cast.board[:2] if gate.deciders.role is DeciderRole.BOARD else (cast.owner,)
        plans.append(
            Plan(
                gate,
                {item.id: ChecklistAnswer(Answer.DONE) for item in gate.checklist},
                [DocumentLink(d.id, f"https://docs.example/{d.id}") for d in gate.documents],
                approvers,
            )
        )
    return plans


def drive_per_gate_step(engine: Engine, cast: Cast, plans: list[Plan], name: str) -> None:
    project = engine.register_project(name, owner=cast.owner, leader=cast.leader)
    for plan in plans:
        with engine.unit(cast.leader) as uow:
            request = gates.submit_gate_request(uow, project, plan.answers, plan.documents)
            for approver in plan.approvers:
                uow.act_as(approver)
                gates.cast_vote(uow, request, Outcome.APPROVE, "", "api")


def drive_per_operation(engine: Engine, cast: Cast, plans: list[Plan], name: str) -> None:
    project = engine.register_project(name, owner=cast.owner, leader=cast.leader)
    for plan in plans:
        request = engine.submit_gate_request(
            project, plan.answers, plan.documents, actor=cast.leader
        )
        for approver in plan.approvers:
            engine.cast_vote(request, Outcome.APPROVE, channel="api", actor=approver)


def _rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run(
    label: str,
    drive: Callable[[Engine, Cast, list[Plan], str], None],
    n: int,
    *,
    email: bool = False,
    webhook: bool = False,
) -> float:
    with tempfile.TemporaryDirectory() as folder:
        engine = _engine(Path(folder), email=email, webhook=webhook)
        cast = _cast(engine)
        plans = _plans(engine, cast)
        for i in range(20):  # warm caches, statements and the phase machine
            drive(engine, cast, plans, f"warm-up {i}")
        gc.collect()
        rss_before = _rss_mib()
        started = time.perf_counter()
        for i in range(n):
            drive(engine, cast, plans, f"project {i}")
        elapsed = time.perf_counter() - started
        rss_after = _rss_mib()
        completed = sum(1 for p in engine.portfolio() if p.status == "completed")
        events = len(engine.audit_trail())
        engine.database.dispose()
    if completed != n + 20:
        sys.exit(f"{label}: only {completed} of {n + 20} projects completed")
    per_project = elapsed * 1000 / n
    print(
        f"{label:<24} {per_project:6.2f} ms/project   {n / elapsed:7.0f} projects/s   "
        f"peak RSS {rss_after:6.1f} MiB (+{rss_after - rss_before:.1f} over the run)   "
        f"{events} audit events"
    )
    return per_project


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=1000, help="projects per run (default 1000)")
    args = parser.parse_args()
    print(f"phasegate engine benchmark: {args.n} projects through BP1..BP6 on SQLite")
    step = run("per gate step", drive_per_gate_step, args.n)
    run("per operation", drive_per_operation, args.n)
    run("per operation + webhook", drive_per_operation, args.n, webhook=True)
    run("per operation + email", drive_per_operation, max(args.n // 5, 1), email=True)
    verdict = "meets" if step <= TARGET_MS else "MISSES"
    print(f"per gate step {verdict} the target of {TARGET_MS:.1f} ms/project")


if __name__ == "__main__":
    main()
