"""Prometheus metrics, one registry per app (``/metrics`` serves it).

Counts that several processes share (gate decisions, reminders sent, the outbox's depth
and the age of its oldest unsent message, the webhook deliveries waiting) are read from
the database at scrape time by :class:`DatabaseCollector`, so every process reports the
same true figures. What only one
process sees (its HTTP requests, its ticks) is counted in memory.

Each app has a :class:`~prometheus_client.CollectorRegistry` of its own, never the global
default one, so several apps in one process (the tests) do not collide.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator

from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError

from phasegate.engine.service import Engine
from phasegate.engine.webhooks import backlog as webhook_backlog
from phasegate.mail.outbox import backlog_age
from phasegate.storage.tables import GateRequest, Reminder

log = logging.getLogger(__name__)

Q_DECISIONS = (
    select(GateRequest.outcome, func.count())
    .where(GateRequest.status == "decided")
    .group_by(GateRequest.outcome)
)
Q_REMINDERS = select(Reminder.kind, func.count()).group_by(Reminder.kind)


class DatabaseCollector(Collector):
    """Figures read from the database at each scrape."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def collect(self) -> Iterator[Metric]:
        decisions = CounterMetricFamily(
            "phasegate_gate_decisions", "Gate requests decided, by outcome.", labels=["outcome"]
        )
        reminders = CounterMetricFamily(
            "phasegate_reminders_sent",
            "Reminders, escalations and notices sent (or put in a digest), by kind.",
            labels=["kind"],
        )
        depth = GaugeMetricFamily("phasegate_outbox_depth", "Unsent messages in the outbox.")
        age = GaugeMetricFamily(
            "phasegate_outbox_oldest_unsent_age_seconds",
            "How long the oldest unsent message has waited (0 when none waits).",
        )
        hooks = GaugeMetricFamily(
            "phasegate_webhook_deliveries",
            "Webhook deliveries not yet accepted: pending, or dead (waiting for the PMO).",
            labels=["status"],
        )
        hook_age = GaugeMetricFamily(
            "phasegate_webhook_oldest_pending_age_seconds",
            "How long the oldest pending webhook delivery has waited (0 when none waits).",
        )
        now = self.engine.clock()
        try:
            with self.engine.reading() as conn:
                for outcome, count in conn.execute(Q_DECISIONS):
                    decisions.add_metric([outcome or "none"], count)
                for kind, count in conn.execute(Q_REMINDERS):
                    reminders.add_metric([kind], count)
                waiting, waited = backlog_age(conn, now)
                webhooks = webhook_backlog(conn, now)
        except SQLAlchemyError:
            log.warning("metrics: the database could not be read", exc_info=True)
            return
        depth.add_metric([], waiting)
        age.add_metric([], waited)
        hooks.add_metric(["pending"], webhooks.pending)
        hooks.add_metric(["dead"], webhooks.dead)
        hook_age.add_metric([], webhooks.oldest_age_seconds)
        yield from (decisions, reminders, depth, age, hooks, hook_age)


class Metrics:
    """An app's registry and the metrics its process records itself."""

    def __init__(self, engine: Engine) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "phasegate_http_requests",
            "HTTP requests served, by method, route template and status.",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.tick_duration = Histogram(
            "phasegate_tick_duration_seconds",
            "How long a tick of the annual cycle took.",
            buckets=(0.005, 0.01, 0.05, 0.1, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0),
            registry=self.registry,
        )
        self.registry.register(DatabaseCollector(engine))
