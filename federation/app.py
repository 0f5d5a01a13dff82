"""The instance's web app: ``/graphql`` (GraphiQL in a browser), ``/health``, ``/metrics``, and
the explorer's pages at ``/`` (`federation.explorer`).

Like starlette's `Starlette(...)`, `create_app` opens nothing: it is built from its settings
and the opener of its instance (`federation.instance.open_instance`: the store, the sample
load, the HTTP client that asks peers, the sync workers), which its lifespan enters and hands
to requests as typed state, and closes when the app stops.

    app = create_app(settings, lambda: open_instance(settings, prepare=load_sample))
    uvicorn.run(app)
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Mapping
from contextlib import AsyncExitStack, asynccontextmanager
from typing import Any, TypedDict

import orjson
from cross_web import HTTPException
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route, request_response
from starlette.types import ASGIApp, Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.http import GraphQLRequestData

from federation.api.body import BoundedBody, error_response, json_depth, read_json, request_object
from federation.api.context import CatalogContext
from federation.api.limits import Limits
from federation.api.schema import build_schema
from federation.dev_identity import believes_dev_headers
from federation.exchange.dcat import dcat_jsonld, dcat_turtle
from federation.exchange.lineage import lineage_endpoint
from federation.explorer import explorer_routes, graphiql_response
from federation.identity.peering import ON_BEHALF_HEADER, admit_peer, on_behalf_of
from federation.identity.tls import HandshakeRefusals, caller
from federation.instance import Instance, OpenInstance, open_instance
from federation.metrics import Metrics, MetricsMiddleware
from federation.peers import INSTANCE_HEADER
from federation.settings import Settings
from graph import CatalogError, NotPermitted
from graph.audit.records import AuditEntry, AuditKind
from graph.audit.sink import AuditSink
from graph.background import UNTIL_WOKEN, periodic
from sync.metrics import SyncCollector
from sync.worker import SyncWorker

__all__ = ["create_app"]


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

    async def render_graphql_ide(self, request: Request) -> Response:
        # The package's GraphiQL page, not strawberry's, which loads React from a CDN.
        return graphiql_response()

    def encode_json(self, data: object) -> str | bytes:
        # Chinese names and summaries go out as UTF-8 text, not \uXXXX escapes. orjson writes
        # an answer several times faster than json.dumps (a search page, a catalog tree); what
        # it refuses (an integer past 64 bits, say) goes to json.dumps as before.
        try:
            return orjson.dumps(data)
        except orjson.JSONEncodeError:
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
        roles = instance.roles
        return CatalogContext(
            store=instance.store,
            viewer=request.state.viewer,
            request=request,
            cross_level=instance.cross_level,
            reference=instance.reference,
            audit=instance.audit,
            grants_changed=roles.forget if roles is not None else lambda: None,
            rulebook=instance.settings.rulebook_in_force(),  # cached: built once
            calendar=instance.calendar,
            clock=instance.clock,
            sharing_events=instance.sharing_events,
            development_headers=believes_dev_headers(instance.settings),
        )


class _Identify:
    """Names the caller before GraphQL runs: who the certificate (or, in development, the
    headers) names, in the role the instance's grants give; a peer only as `admit_peer`
    decides. A peer refused is a 403, a certificate whose subject mulu cannot read a 400 —
    both audited."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope)
        instance: Instance = request.state.instance
        try:
            viewer = caller(
                scope,
                request.headers,
                instance.store.catalog.zone,
                tls=instance.settings.tls,
                dev_identity_header=instance.settings.dev_identity_header,
            )
            if instance.settings.tls.identifies:  # here or through a trusted proxy
                peer = admit_peer(
                    instance.store.catalog.id,
                    request.headers.get(INSTANCE_HEADER),
                    viewer.instance,
                    instance.cross_level.peers.peers if instance.cross_level else (),
                )
                named = on_behalf_of(
                    peer, request.headers.get(ON_BEHALF_HEADER), instance.store.catalog.zone
                )
                if named is not None:
                    viewer = named  # a department's share request, forwarded by a peer
                elif instance.roles is not None:
                    viewer = await instance.roles.viewer(viewer)
        except NotPermitted as exc:
            _audit(instance, AuditKind.PEER_REFUSED, request, exc)
            await _refuse(scope, receive, send, exc, 403)
            return
        except CatalogError as exc:
            _audit(instance, AuditKind.AUTHENTICATION_FAILED, request, exc)
            await _refuse(scope, receive, send, exc, 400)
            return
        request.state.viewer = viewer
        await self.app(scope, receive, send)


@asynccontextmanager
async def _audited(refusals: HandshakeRefusals, sink: AuditSink) -> AsyncIterator[None]:
    """The certificates the handshake refused become AUTHENTICATION_FAILED records as they
    are heard (they never reached the app, so nothing else would record them)."""

    def move() -> None:
        for at, alert in refusals.take():
            sink.record(
                AuditEntry(
                    AuditKind.AUTHENTICATION_FAILED,
                    "anonymous",
                    "TLS handshake refused",
                    detail={"alert": alert},
                    at=at,
                )
            )

    async def round() -> None:
        move()

    loop = asyncio.get_running_loop()
    async with periodic("handshake refusals", round, every=UNTIL_WOKEN) as handle:
        # The TLS layer hears a refusal inside the handshake: the writer is woken after it.
        refusals.on_heard = lambda: loop.call_soon_threadsafe(handle.wake)
        try:
            yield
        finally:
            refusals.on_heard = None
    move()


def _audit(instance: Instance, kind: AuditKind, request: Request, exc: CatalogError) -> None:
    if instance.audit is None:
        return
    claimed = request.headers.get(INSTANCE_HEADER)
    client = request.client.host if request.client else None
    instance.audit.record(
        AuditEntry(
            kind,
            f"instance:{claimed}"[:200] if claimed else "anonymous",
            "request refused",
            detail={"reason": str(exc)[:1000], "client": client},
        )
    )


async def _refuse(
    scope: Scope, receive: Receive, send: Send, exc: CatalogError, status: int
) -> None:
    error = {"message": str(exc), "extensions": exc.extensions()}
    await JSONResponse({"errors": [error]}, status_code=status)(scope, receive, send)


# /health answers within a second whatever is down: the store gets this long to answer.
HEALTH_PING_SECONDS = 0.8


async def _health(request: Request) -> Response:
    instance: Instance = request.state.instance
    store: dict[str, Any] = {"kind": instance.settings.store, "state": "up"}
    try:
        async with asyncio.timeout(HEALTH_PING_SECONDS):
            await instance.store.ping()
    except (CatalogError, TimeoutError) as exc:
        store.update(state="down", error=getattr(exc, "code", "TIMEOUT"))
    up = store["state"] == "up"
    sync = _sync_health(instance.sync, store_up=up)
    # A failing link degrades the instance, which still answers (200); a store that does not
    # answer makes it unable to (503).
    body = {
        "status": "ok" if up and not sync["failing"] else "degraded",
        "catalog": instance.store.catalog.id,
        "store": store,
        "sync": sync,
    }
    return JSONResponse(body, status_code=200 if up else 503)


def _sync_health(worker: SyncWorker | None, *, store_up: bool = True) -> dict[str, Any]:
    """Each link end's counters, lag, last error and age of its oldest unsent event
    (sync.status.LinkStatus), and the link ends that are failing. While the store does not
    answer no end of this instance can move — an idle consumer would not notice before its
    next record — so each is shown ``blocked`` by the store, and failing."""
    if worker is None:
        return {
            "links": [],
            "failing": [],
            "note": "sync links are not configured on this instance yet",
        }
    statuses = worker.statuses()
    links = [status.as_dict() for status in statuses]
    if not store_up:
        for link in links:
            link.update(state="blocked", blocked_by="store", failing=True)
    return {
        "links": links,
        "failing": [f"{s.link} {s.side.value}" for s in statuses if s.failing or not store_up],
    }


def create_app(
    settings: Settings,
    instance: OpenInstance | None = None,
    *,
    handshake_refusals: HandshakeRefusals | None = None,
) -> Starlette:
    """The app of one instance: `settings` give its GraphQL limits; `instance` opens the
    instance (default: `open_instance(settings)`), entered in the app's lifespan. Its sync
    workers, if it has any, show in /health and /metrics."""
    metrics = Metrics()
    limits = Limits(**settings.graphql.model_dump(exclude={"graphiql"}))
    schema = build_schema(limits, on_error=metrics.count_graphql_error)
    graphql = CatalogGraphQL(
        schema,
        graphql_ide="graphiql" if settings.graphql.graphiql else None,
        max_variables_depth=limits.max_variables_depth,
    )
    opener: OpenInstance = instance or (lambda: open_instance(settings))

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[_State]:
        async with AsyncExitStack() as stack:
            opened = await stack.enter_async_context(opener())
            if handshake_refusals is not None and opened.audit is not None:
                await stack.enter_async_context(_audited(handshake_refusals, opened.audit))
            if opened.sync is not None:
                collector = SyncCollector(opened.sync.statuses)
                metrics.registry.register(collector)
                stack.callback(metrics.registry.unregister, collector)
            yield {"instance": opened}

    return Starlette(
        routes=[
            Route(
                "/graphql",
                BoundedBody(_Identify(graphql), limits.max_body_bytes),
                methods=["GET", "POST"],
            ),
            Route("/health", _health, methods=["GET"]),
            Route("/metrics", metrics.endpoint, methods=["GET"]),
            *explorer_routes(),
            # Exchange formats (federation.exchange): DCAT-AP 3 for harvesters, anonymous.
            Route("/dcat/catalog.ttl", dcat_turtle, methods=["GET"]),
            Route("/dcat/catalog.jsonld", dcat_jsonld, methods=["GET"]),
            # OpenLineage run events from pipelines, as the department that posts them.
            Route(
                "/api/v1/lineage",
                BoundedBody(_Identify(request_response(lineage_endpoint)), limits.max_body_bytes),
                methods=["POST"],
            ),
        ],
        middleware=[Middleware(MetricsMiddleware, metrics=metrics)],
        lifespan=lifespan,
    )
