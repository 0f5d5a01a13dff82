"""``POST /api/v1/lineage``: OpenLineage RunEvents from data pipelines, recorded as lineage
(`graph.exchange.openlineage`) as the department that posts them.

The body is bounded (``graphql.max_body_bytes``) before it is read; the caller is named as
for GraphQL (its certificate; in development the identity headers). Every answer is JSON:

    200  {"recorded": {output code: [input codes]}, "submitted": [published outputs revised
          and submitted for review to record it], "unchanged": [...], "unmapped": [...],
          "reason": why nothing was recorded, or null}
    400  not JSON, or not a RunEvent (names what is missing)
    403  anonymous, or not the department providing an output entry (audited)
    404  a mapped entry no longer held
    409  an output entry SUBMITTED (awaiting review) or RETIRED, or changed meanwhile
    422  no output maps to an entry here, or a rule of the write refused it

    {"error": "EVENT_REFUSED", "message": "…"}
"""

from __future__ import annotations

import json

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from federation.api.identity import Viewer
from federation.instance import Instance
from graph import (
    CatalogError,
    Cataloguing,
    InvalidTransition,
    InvalidValue,
    NotFound,
    NotPermitted,
    StoreUnavailable,
    VersionConflict,
)
from graph.audit.records import AuditEntry, AuditKind
from graph.exchange.errors import EventRefused
from graph.exchange.openlineage import parse_run_event, record_run
from sync.events import outbox_record

__all__ = ["lineage_endpoint"]

_STATUS: tuple[tuple[type[CatalogError], int], ...] = (
    (NotPermitted, 403),
    (NotFound, 404),
    (InvalidTransition, 409),
    (VersionConflict, 409),
    (EventRefused, 422),
    (InvalidValue, 422),
    (StoreUnavailable, 503),
)


def _refused(status: int, exc: CatalogError | str, code: str = "EVENT_REFUSED") -> Response:
    if isinstance(exc, CatalogError):
        body = {"error": exc.code, "message": str(exc), **exc.extensions()}
    else:
        body = {"error": code, "message": exc}
    return JSONResponse(body, status_code=status)


async def lineage_endpoint(request: Request) -> Response:
    instance: Instance = request.state.instance
    viewer: Viewer = request.state.viewer
    try:
        body = json.loads(await request.body())
    except (ValueError, UnicodeDecodeError, RecursionError):  # RecursionError: nested too deep
        return _refused(400, "the body is not JSON: POST one OpenLineage RunEvent", "BAD_REQUEST")
    try:
        event = parse_run_event(body)
    except EventRefused as exc:
        return _refused(400, exc)
    try:
        actor = viewer.actor()
        cataloguing = Cataloguing(
            instance.store, outbox=outbox_record, rulebook=instance.settings.rulebook_in_force()
        )
        result = await record_run(cataloguing, instance.store, actor, event)
    except CatalogError as exc:
        status = next((s for kind, s in _STATUS if isinstance(exc, kind)), 422)
        if status == 403 and instance.audit is not None:
            instance.audit.record(
                AuditEntry(
                    AuditKind.AUTHORISATION_REFUSED,
                    viewer.name,
                    "record lineage",
                    detail={"reason": str(exc)[:1000], "run": event.run_id},
                )
            )
        return _refused(status, exc)
    return JSONResponse(result.as_dict())
