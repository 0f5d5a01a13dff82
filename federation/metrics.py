"""Prometheus metrics of one instance, and the ASGI middleware that records requests.

Each app has its own registry, so two instances in one process (tests, the demo topology)
never share or collide on a metric.

    mulu_http_requests_total{method, path, status}
    mulu_http_request_duration_seconds{method, path}
    mulu_graphql_errors_total{code}      INVALID_VALUE, NOT_PERMITTED, TIMEOUT, INTERNAL_ERROR…
"""

from __future__ import annotations

import logging
import time

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram
from prometheus_client.exposition import generate_latest
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["Metrics", "MetricsMiddleware"]

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

    def count_graphql_error(self, code: str) -> None:
        self.graphql_errors.labels(code=code).inc()

    async def endpoint(self, request: Request) -> Response:
        return Response(generate_latest(self.registry), media_type=CONTENT_TYPE_LATEST)


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
