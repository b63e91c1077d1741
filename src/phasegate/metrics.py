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

from collections.abc import Iterator

from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from phasegate.engine.service import Engine


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
        found = self.engine.figures()
        if found is None:  # the database could not be read (logged)
            return
        for outcome, count in found.decisions.items():
            decisions.add_metric([outcome], count)
        for kind, count in found.reminders.items():
            reminders.add_metric([kind], count)
        depth.add_metric([], found.outbox_waiting)
        age.add_metric([], found.outbox_waited_seconds)
        hooks.add_metric(["pending"], found.webhooks.pending)
        hooks.add_metric(["dead"], found.webhooks.dead)
        hook_age.add_metric([], found.webhooks.oldest_age_seconds)
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
