"""The instance's web app: ``/graphql`` (GraphiQL in a browser), ``/health``, ``/metrics``.

Everything long-lived — the store, the sample load, the HTTP client that asks peers — is
opened in one lifespan with an `AsyncExitStack` and handed to requests as typed state; it is
closed when the app stops. With a `topology` setting, the instance's peers (parent and direct
children, same zone) are read from it when the app is created.

    app = create_app(load_settings())
    uvicorn.run(app)
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import AbstractAsyncContextManager, AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from typing import Any, TypedDict

import httpx
from cross_web import HTTPException
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.http import GraphQLRequestData

from federation.api.body import BoundedBody, error_response, json_depth, read_json, request_object
from federation.api.context import CatalogContext
from federation.api.identity import viewer_from_headers
from federation.api.limits import Limits
from federation.api.reference import ReferenceCache
from federation.api.schema import build_schema
from federation.discovery import CrossLevel
from federation.instance import open_store
from federation.metrics import Metrics, MetricsMiddleware
from federation.peers import Peer, PeerClient
from federation.settings import Settings
from federation.topology import load_topology
from graph import CatalogError, CatalogStore
from sync.metrics import SyncCollector
from sync.worker import SyncWorker

__all__ = ["Instance", "create_app"]

_log = logging.getLogger("mulu.instance")

OpenStore = Callable[[], AbstractAsyncContextManager[CatalogStore]]
Prepare = Callable[[CatalogStore], Any]
# Opens the instance's sync with its open store: `federation.instance.open_sync` for `mulu
# serve`; a `Runtime` that runs the workers itself passes `sync_worker` instead.
OpenSync = Callable[[CatalogStore], AbstractAsyncContextManager[SyncWorker | None]]


@dataclass(frozen=True, slots=True)
class Instance:
    """What the lifespan opened, as requests see it."""

    settings: Settings
    store: CatalogStore
    metrics: Metrics
    cross_level: CrossLevel | None = None
    reference: ReferenceCache | None = None
    sync: SyncWorker | None = None


class _State(TypedDict):
    instance: Instance


class CatalogGraphQL(GraphQL[CatalogContext, None]):
    """strawberry's ASGI view, with the request's context built from the instance; a request
    it cannot run (not a JSON object, variables nested too deep) is a 400 with a JSON error."""

    def __init__(self, schema: Any, *, max_variables_depth: int, **kwargs: Any) -> None:
        super().__init__(schema, **kwargs)
        self.max_variables_depth = max_variables_depth

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        try:
            response = await self.run(Request(scope, receive))
        except HTTPException as exc:  # strawberry's own answer would be plain text
            response = error_response(exc.status_code, exc.reason)
        await response(scope, receive, send)

    def encode_json(self, data: object) -> str:
        # Chinese names and summaries go out as UTF-8 text, not \uXXXX escapes.
        return json.dumps(data, ensure_ascii=False, separators=(",", ":"))

    def parse_json(self, data: str | bytes) -> Any:
        # strawberry parses only a request body with this (GET parameters below).
        return request_object(data)

    def parse_query_params(self, params: Mapping[str, str | None]) -> dict[str, Any]:
        query: dict[str, Any] = dict(params)
        for name in ("variables", "extensions"):
            text = query.get(name)
            if text:
                query[name] = read_json(text, name)
        return query

    async def parse_http_body(self, request: Any) -> GraphQLRequestData | list[GraphQLRequestData]:
        parsed = await super().parse_http_body(request)
        for one in parsed if isinstance(parsed, list) else [parsed]:
            limit = self.max_variables_depth
            if json_depth(one.variables, limit) > limit:
                raise HTTPException(
                    400,
                    f"variables nest more than {limit} levels deep; at most {limit} are accepted",
                )
        return parsed

    async def get_context(
        self, request: Request | WebSocket, response: Response | WebSocket
    ) -> CatalogContext:
        instance: Instance = request.state.instance
        return CatalogContext(
            store=instance.store,
            viewer=request.state.viewer,
            request=request,
            cross_level=instance.cross_level,
            reference=instance.reference,
        )


class _Identify:
    """Names the caller before GraphQL runs; a malformed identity is refused with 400."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope)
        instance: Instance = request.state.instance
        try:
            request.state.viewer = viewer_from_headers(
                request.headers,
                instance.store.catalog.zone,
                trusted=instance.settings.dev_identity_header,
            )
        except CatalogError as exc:
            error = {"message": str(exc), "extensions": exc.extensions()}
            await JSONResponse({"errors": [error]}, status_code=400)(scope, receive, send)
            return
        await self.app(scope, receive, send)


async def _health(request: Request) -> Response:
    instance: Instance = request.state.instance
    store: dict[str, Any] = {"kind": instance.settings.store, "state": "up"}
    try:
        async with asyncio.timeout(5):
            await instance.store.ping()
    except (CatalogError, TimeoutError) as exc:
        store.update(state="down", error=getattr(exc, "code", "TIMEOUT"))
    up = store["state"] == "up"
    sync = _sync_health(instance.sync)
    # A failing link degrades the instance, which still answers (200); a store that does not
    # answer makes it unable to (503).
    body = {
        "status": "ok" if up and not sync["failing"] else "degraded",
        "catalog": instance.store.catalog.id,
        "store": store,
        "sync": sync,
    }
    return JSONResponse(body, status_code=200 if up else 503)


def _peers(settings: Settings) -> tuple[str, str | None, list[Peer]] | None:
    """This instance's id, its parent's and its peers in the topology `settings` name; None
    without one."""
    if settings.topology is None:
        return None
    topology = load_topology(settings.topology)
    own = settings.catalog().id  # `instance`, when given, set its region and zone
    parent = topology.parent_of(own)  # raises TopologyError unless the topology has it
    peers = [Peer(p.id, p.graphql.url) for p in topology.peers_of(own)]
    return own, parent.id if parent else None, peers


def _sync_health(worker: SyncWorker | None) -> dict[str, Any]:
    """Each link end's counters, lag, last error and age of its oldest unsent event
    (sync.status.LinkStatus), and the link ends that are failing."""
    if worker is None:
        return {
            "links": [],
            "failing": [],
            "note": "sync links are not configured on this instance yet",
        }
    statuses = worker.statuses()
    return {
        "links": [status.as_dict() for status in statuses],
        "failing": [f"{s.link} {s.side.value}" for s in statuses if s.failing],
    }


def create_app(
    settings: Settings,
    *,
    store: OpenStore | None = None,
    prepare: Prepare | None = None,
    peer_transport: httpx.AsyncBaseTransport | None = None,
    sync: OpenSync | None = None,
    sync_worker: SyncWorker | None = None,
) -> Starlette:
    """The app of one instance. `store` opens its store (default: the one `settings` name);
    `prepare`, when given, is awaited with the open store before the first request (the
    ``--sample`` load, say); `peer_transport` replaces the network to peers (tests). `sync`
    opens the instance's sync workers with its store (`federation.instance.open_sync`), or
    `sync_worker` is one the caller runs; either shows in /health and /metrics."""
    peering = _peers(settings)
    metrics = Metrics()
    limits = Limits(**settings.graphql.model_dump(exclude={"graphiql"}))
    schema = build_schema(limits, on_error=metrics.count_graphql_error)
    graphql = CatalogGraphQL(
        schema,
        graphql_ide="graphiql" if settings.graphql.graphiql else None,
        max_variables_depth=limits.max_variables_depth,
    )
    opener: OpenStore = store or (lambda: open_store(settings))

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[_State]:
        async with AsyncExitStack() as stack:
            opened = await stack.enter_async_context(opener())
            await opened.put_catalogs([opened.catalog])
            if prepare is not None:
                await prepare(opened)
            cross_level = None
            if peering is not None:
                own, parent, peers = peering
                client = PeerClient(
                    own, peers, timeout=settings.peer_timeout_seconds, transport=peer_transport
                )
                await stack.enter_async_context(client)
                cross_level = CrossLevel(own, client, settings.dev_identity_header, parent)
            _log.info("instance ready", extra={"catalog": opened.catalog.id})
            reference = ReferenceCache(opened)  # catalogs, departments: kept 30 s
            worker = sync_worker
            if sync is not None:
                worker = await stack.enter_async_context(sync(opened))
            if worker is not None:
                collector = SyncCollector(worker.statuses)
                metrics.registry.register(collector)
                stack.callback(metrics.registry.unregister, collector)
            yield {"instance": Instance(settings, opened, metrics, cross_level, reference, worker)}
            _log.info("instance stopping", extra={"catalog": opened.catalog.id})

    return Starlette(
        routes=[
            Route(
                "/graphql",
                BoundedBody(_Identify(graphql), limits.max_body_bytes),
                methods=["GET", "POST"],
            ),
            Route("/health", _health, methods=["GET"]),
            Route("/metrics", metrics.endpoint, methods=["GET"]),
        ],
        middleware=[Middleware(MetricsMiddleware, metrics=metrics)],
        lifespan=lifespan,
    )
