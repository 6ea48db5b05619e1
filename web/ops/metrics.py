"""/metrics through prometheus-client: the figures read from storage at scrape time, and request latencies.

Under gunicorn each worker is its own process; with PROMETHEUS_MULTIPROC_DIR set (before the app is imported)
prometheus-client keeps every worker's latencies in files there and a scrape of any worker adds them all up.
See docs/reports.md, "Operations".
"""
from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from typing import Any

from prometheus_client import CollectorRegistry, Histogram, disable_created_metrics, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_PLAIN_0_0_4
from prometheus_client.metrics_core import GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector

BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
CONTENT_TYPE = CONTENT_TYPE_PLAIN_0_0_4  # the names are plain, so this and 1.0.0 are the same text
LATENCY = "complaints_http_request_duration_seconds"
disable_created_metrics()  # no `_created` series: a scraper has no use for when this process first saw an endpoint


class LatencyHistogram:
    """Request durations per endpoint and method, in seconds (this process's, or every worker's in multiprocess
    mode)."""

    def __init__(self) -> None:
        # Not in prometheus-client's global registry: each app (tests build many) keeps its own histogram.
        self.histogram = Histogram(LATENCY, "Time to answer HTTP requests, by endpoint and method.",
                                   ["endpoint", "method"], buckets=BUCKETS, registry=None)

    def observe(self, endpoint: str, method: str, seconds: float) -> None:
        self.histogram.labels(endpoint=endpoint, method=method).observe(seconds)


class _StoredFigures(Collector):
    """The gauges computed from the database for this scrape; they are the same in every process."""

    def __init__(self, figures: Mapping[str, Any], heartbeat_age: float | None) -> None:
        self.figures, self.heartbeat_age = figures, heartbeat_age

    def collect(self) -> Iterator[Metric]:
        f = self.figures
        yield _gauge("complaints_cases", "Cases by division and status.", ["division", "status"],
                     [((d, s), n) for (d, s), n in sorted(f["cases"].items())])
        yield _gauge("complaints_open_tasks", "Open user tasks by division.", ["division"],
                     [((d,), n) for d, n in sorted(f["open_tasks"].items())])
        yield _gauge("complaints_overdue_tasks", "Open user tasks past their due time, by division.", ["division"],
                     [((d,), n) for d, n in sorted(f["overdue_tasks"].items())])
        yield _gauge("complaints_timer_lag_seconds", "Now minus the oldest due timer not yet fired (0 when none).",
                     [], [((), f["timer_lag_seconds"])])
        yield _gauge("complaints_outbox_messages", "Outbox messages by status.", ["status"],
                     [((s,), n) for s, n in sorted(f["outbox"].items())])
        yield _gauge("complaints_outbox_backlog", "Outbox messages waiting to be sent.", [],
                     [((), f["outbox"].get("pending", 0))])
        yield _gauge("complaints_outbox_failed", "Outbox messages that failed for good.", [],
                     [((), sum(n for s, n in f["outbox"].items() if s in ("failed", "dead")))])
        yield _gauge("complaints_outbox_retrying", "Pending outbox messages that have failed at least once.", [],
                     [((), f["outbox_retrying"])])
        if self.heartbeat_age is not None:
            yield _gauge("complaints_scheduler_heartbeat_age_seconds", "Seconds since a scheduler last beat.", [],
                         [((), self.heartbeat_age)])


def exposition(figures: Mapping[str, Any], histogram: LatencyHistogram, heartbeat_age: float | None,
               multiprocess_dir: str | None = None) -> str:
    """The whole /metrics page: stored figures, and latencies from this process or from every worker's files."""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(_StoredFigures(figures, heartbeat_age))
    multiprocess_dir = multiprocess_dir or os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if multiprocess_dir:
        MultiProcessCollector(registry, path=multiprocess_dir)
    else:
        registry.register(histogram.histogram)
    return generate_latest(registry).decode()


def _gauge(name: str, help_text: str, labels: list[str], samples: list[tuple[tuple[str, ...], float]]) -> Metric:
    family = GaugeMetricFamily(name, help_text, labels=labels)
    for values, value in samples:
        family.add_metric(list(values), value)
    return family
