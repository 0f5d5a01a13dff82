"""Prometheus metrics of one instance, and the ASGI middleware that records requests.

Each app has its own registry, so two instances in one process (tests, the demo topology)
never share or collide on a metric.

    mulu_http_requests_total{method, path, status}
    mulu_http_request_duration_seconds{method, path}
    mulu_graphql_errors_total{code}      INVALID_VALUE, NOT_PERMITTED, TIMEOUT, INTERNAL_ERROR…

and the process's garbage collections (`federation.garbage`: every instance of a process shows
the same figures, the process's own):

    mulu_gc_pause_seconds{generation}    histogram of the pauses of each generation's collections
    mulu_gc_pause_max_seconds{generation}  the longest pause since the process started recording
    mulu_gc_collections_total{generation}
    mulu_gc_frozen_objects               objects in the permanent generation (`gc.freeze`)
"""

from __future__ import annotations

import gc
import logging
import time
from collections.abc import Iterator

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram
from prometheus_client.core import (
    CounterMetricFamily,
    GaugeMetricFamily,
    HistogramMetricFamily,
    Metric,
)
from prometheus_client.exposition import generate_latest
from prometheus_client.registry import Collector
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from federation.garbage import PAUSE_BUCKETS, PauseRecorder, process_pauses

__all__ = ["GcCollector", "Metrics", "MetricsMiddleware"]

_access_log = logging.getLogger("mulu.http")
_KNOWN_PATHS = frozenset({"/graphql", "/health", "/metrics"})


class Metrics:
    """The instance's metrics, in a registry of its own."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "mulu_http_requests_total",
            "HTTP requests answered, by method, path and status.",
            ["method", "path", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "mulu_http_request_duration_seconds",
            "Time to answer an HTTP request.",
            ["method", "path"],
            registry=self.registry,
        )
        self.graphql_errors = Counter(
            "mulu_graphql_errors_total",
            "Errors returned in GraphQL responses, by extensions.code.",
            ["code"],
            registry=self.registry,
        )
        self.registry.register(GcCollector(process_pauses()))

    def count_graphql_error(self, code: str) -> None:
        self.graphql_errors.labels(code=code).inc()

    async def endpoint(self, request: Request) -> Response:
        return Response(generate_latest(self.registry), media_type=CONTENT_TYPE_LATEST)


class GcCollector(Collector):
    """The garbage collections `recorder` saw, read when scraped."""

    def __init__(self, recorder: PauseRecorder) -> None:
        self._recorder = recorder

    def collect(self) -> Iterator[Metric]:
        pauses = HistogramMetricFamily(
            "mulu_gc_pause_seconds",
            "Pauses of the process's garbage collections, by generation.",
            labels=["generation"],
        )
        longest = GaugeMetricFamily(
            "mulu_gc_pause_max_seconds",
            "The longest garbage-collection pause of the process, by generation.",
            labels=["generation"],
        )
        collections = CounterMetricFamily(
            "mulu_gc_collections",
            "Garbage collections of the process, by generation.",
            labels=["generation"],
        )
        for figures in self._recorder.figures():
            generation = [str(figures.generation)]
            cumulative, buckets = 0, []
            for bound, count in zip((*PAUSE_BUCKETS, float("inf")), figures.buckets, strict=True):
                cumulative += count
                buckets.append(("+Inf" if bound == float("inf") else str(bound), cumulative))
            pauses.add_metric(generation, buckets, figures.total)
            longest.add_metric(generation, figures.longest)
            collections.add_metric(generation, figures.count)
        yield pauses
        yield longest
        yield collections
        yield GaugeMetricFamily(
            "mulu_gc_frozen_objects",
            "Objects in the permanent generation, which no collection traverses.",
            value=gc.get_freeze_count(),
        )


class MetricsMiddleware:
    """Counts and times every HTTP request, and logs it as one JSON line."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        # Unknown paths share one label, so a scanner cannot grow the series without bound.
        path = scope["path"] if scope["path"] in _KNOWN_PATHS else "other"
        method = scope["method"]
        status = 500
        started = time.perf_counter()

        async def send_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_status)
        finally:
            elapsed = time.perf_counter() - started
            self.metrics.requests.labels(method=method, path=path, status=str(status)).inc()
            self.metrics.latency.labels(method=method, path=path).observe(elapsed)
            _access_log.info(
                "request",
                extra={
                    "method": method,
                    "path": scope["path"],
                    "status": status,
                    "duration_ms": round(elapsed * 1000, 1),
                },
            )
