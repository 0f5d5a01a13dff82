"""The resolvers of sharing: who may see what (the package's table), a step here or forwarded
to the origin, each committed step published (`federation.sharing.events`)."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import date, datetime
from typing import Any, TypeVar

import strawberry

from federation.api.context import Info
from federation.api.identity import Viewer
from federation.api.sharing.forwarded import (
    by_id,
    entry_origin,
    forward,
    forwarding_of,
    headers_of,
    operation,
    own_instance,
    requested_from,
    route,
)
from federation.api.sharing.inputs import (
    AccessDetailsInput,
    ObjectionFilterInput,
    ShareRequestFilterInput,
    ShareRequestInput,
)
from federation.api.sharing.nodes import (
    ACCESS_FIELDS,
    OBJECTION_FIELDS,
    REQUEST_FIELDS,
    AccessDetailsNode,
    DataUpdateNode,
    DepartmentOverdue,
    ForwardedShareRequest,
    ForwardedShareRequestConnection,
    ObjectionConnection,
    ObjectionEdge,
    ObjectionNode,
    OverdueItem,
    ShareRequestConnection,
    ShareRequestEdge,
    ShareRequestNode,
    SharingPageInfo,
)
from federation.sharing.forwarding import (
    origin_of,
)
from graph.audit.records import AuditFilter, AuditKind
from graph.codes import check_resource_code
from graph.enums import Role
from graph.errors import CatalogError, InvalidValue, NotFound, NotPermitted
from graph.model import Actor
from graph.queries import check_page_size
from graph.sharing import (
    Objection,
    ObjectionFilter,
    Page,
    RequestFilter,
    ShareRequest,
)
from graph.sharing.queries import encode_position
from graph.sharing.requests import check_request_id

__all__ = [
    "access_details",
    "access_details_of",
    "objection_step",
    "objections",
    "open_objections",
    "overdue",
    "report_objection",
    "request_share",
    "request_step",
    "set_access_details",
    "share_request",
    "share_requests",
]


T = TypeVar("T")


def _department(viewer: Viewer, doing: str) -> str:
    """The caller's department when it may see sharing at all: a department or the reviewer."""
    if viewer.department_code is None or viewer.role not in (Role.PROVIDER, Role.REVIEWER):
        who = (
            "an anonymous caller"
            if viewer.department_code is None
            else f"{viewer.department_code} ({viewer.role.value})"
        )
        raise NotPermitted(
            f"{doing} is for departments and the instance's reviewer; you act as {who}"
        )
    return viewer.department_code


def _may_read(viewer: Viewer, parties: Sequence[str], doing: str) -> None:
    code = _department(viewer, doing)
    if viewer.is_reviewer or code in parties:
        return
    raise NotPermitted(
        f"{doing}: a request or objection is shown to its parties and the instance's reviewer; "
        f"{code} is neither"
    )


# -- share requests ------------------------------------------------------------------------------

REQUEST_SHARE = "requestShare"  # the field; its forwards are audited as "forward requestShare"


def _published(info: Info, item: ShareRequest | Objection) -> None:
    events = info.context.sharing_events
    if events is not None:
        events.publish(item)


async def request_share(info: Info, input: ShareRequestInput) -> ShareRequestNode:
    code = check_resource_code(input.resource_code, "input.resourceCode")
    origin = route(info, await entry_origin(info, code))
    if origin is not None:
        params = {"input": "ShareRequestInput!"}
        query = operation("mutation", REQUEST_SHARE, params, REQUEST_FIELDS)
        variables = {"input": input.to_wire()}
        return await forward(
            info, origin, REQUEST_SHARE, query, variables, ShareRequestNode.from_wire
        )
    actor = info.context.viewer.party()
    made = await info.context.sharing.request(actor, input.to_application(), requested_from(info))
    _published(info, made)
    return ShareRequestNode.of(made, own_instance(info))


async def request_step(
    info: Info,
    field: str,
    id: str,
    arguments: Mapping[str, tuple[str, Any]],
    step: Callable[[Actor], Awaitable[ShareRequest]],
) -> ShareRequestNode:
    """One step of request `id` by the caller: here, or forwarded to the origin its id names.
    `arguments`: the field's other arguments, name → (GraphQL type, value)."""
    id = check_request_id(id)
    forwarded = await by_id(info, field, id, arguments, REQUEST_FIELDS, ShareRequestNode.from_wire)
    if forwarded is not None:
        return forwarded
    after = await step(info.context.viewer.party())
    _published(info, after)
    return ShareRequestNode.of(after, own_instance(info))


async def share_request(info: Info, id: str) -> ShareRequestNode | None:
    id = check_request_id(id)
    origin = route(info, origin_of(id))
    if origin is not None:
        query = operation("query", "shareRequest", {"id": "String!"}, REQUEST_FIELDS)
        data = await forwarding_of(info, origin).send(
            origin, info.context.viewer, query, {"id": id}, headers_of(info)
        )
        node = data.get("shareRequest")
        return None if node is None else ShareRequestNode.from_wire(node)
    try:
        found = await info.context.sharing.share_request(id)
    except NotFound:
        return None
    _may_read(info.context.viewer, found.parties, "reading a share request")
    return ShareRequestNode.of(found, own_instance(info))


async def _merged(
    find: Callable[[Any, int, str | None], Awaitable[Page[T]]],
    filters: Sequence[Any],
    first: int,
    after: str | None,
    key: Callable[[T], tuple[datetime, str]],
) -> tuple[list[T], int, bool]:
    """One page over the union of `filters`' selections (disjoint: a department is never
    both parties), in the order received: each read from the same position, merged."""
    pages = [await find(where, first + 1, after) for where in filters]
    items = sorted((item for page in pages for item in page.items), key=key)
    return (
        items[:first],
        sum(p.total_count for p in pages),
        len(items) > first or any(p.has_next_page for p in pages),
    )


def _narrowed(where: Any, department: str, party: str) -> list[Any]:
    """`where` within what `department` may list: as the party (`party` is the filter's
    field naming the requester or reporter) or as the provider."""
    chosen = []
    if getattr(where, party) in (None, department):
        chosen.append(dataclasses.replace(where, **{party: department}))
    if where.provider_code in (None, department):
        chosen.append(dataclasses.replace(where, provider_code=department))
    if not chosen:
        raise InvalidValue(
            f"filter.{'requesterCode' if party == 'requester_code' else party}",
            getattr(where, party),
            f"{department} (your own department) or the provider {department}: a department "
            "lists what it asked or reported and what is asked of its entries",
        )
    return chosen


async def share_requests(
    info: Info, filter: ShareRequestFilterInput | None, first: int, after: str | None
) -> ShareRequestConnection:
    viewer = info.context.viewer
    department = _department(viewer, "listing share requests")
    first = check_page_size(first)
    where = filter.to_filter() if filter is not None else RequestFilter()
    filters = [where] if viewer.is_reviewer else _narrowed(where, department, "requester_code")
    store = info.context.store

    async def find(w: RequestFilter, n: int, a: str | None) -> Page[ShareRequest]:
        return await store.find_share_requests(w, first=min(n, 100), after=a)

    items, total, more = await _merged(find, filters, first, after, lambda r: (r.received_at, r.id))
    own = own_instance(info)
    edges = [
        ShareRequestEdge(
            cursor=encode_position(r.received_at, r.id), node=ShareRequestNode.of(r, own)
        )
        for r in items
    ]
    return ShareRequestConnection(
        total_count=total,
        edges=edges,
        page_info=SharingPageInfo(
            has_next_page=more, end_cursor=edges[-1].cursor if edges else None
        ),
    )


# The most requests made elsewhere one page reads: each is a question to its origin.
MAX_FORWARDED_PAGE = 50


async def forwarded_share_requests(
    info: Info, first: int, after: str | None
) -> ForwardedShareRequestConnection:
    """The caller's requests made at this instance and forwarded to their origins — found in
    this instance's audit log, where each forward is recorded (`audit_forward`) — each read
    at its origin now, concurrently; one the origin did not answer keeps its id and says why."""
    department = _department(info.context.viewer, "listing the requests it made here")
    if isinstance(first, bool) or not 1 <= first <= MAX_FORWARDED_PAGE:
        raise InvalidValue("first", first, f"a whole number from 1 to {MAX_FORWARDED_PAGE}")
    position = 0
    if after is not None:
        if not after.isdigit() or len(after) > 20:
            raise InvalidValue("after", after, "a cursor this list returned")
        position = int(after)
    where = AuditFilter(
        kinds=frozenset({AuditKind.SHARE_REQUEST}),
        actor=department,
        action=f"forward {REQUEST_SHARE}",
    )
    records = await info.context.store.audit_records(position, first + 1, where)
    page = records[:first]

    async def read(id: str) -> tuple[ShareRequestNode | None, str | None]:
        try:
            node = await share_request(info, id)
        except CatalogError as exc:
            return None, str(exc)
        return node, None if node is not None else "the origin holds no such request"

    answers = await asyncio.gather(*(read(str(r.entry.subject)) for r in page))
    edges = [
        ForwardedShareRequest(
            cursor=str(record.seq),
            id=strawberry.ID(str(record.entry.subject)),
            origin=str(record.entry.detail.get("origin", origin_of(str(record.entry.subject)))),
            asked_at=record.entry.at,
            node=node,
            error=error,
        )
        for record, (node, error) in zip(page, answers, strict=True)
    ]
    return ForwardedShareRequestConnection(
        edges=edges,
        page_info=SharingPageInfo(
            has_next_page=len(records) > first, end_cursor=edges[-1].cursor if edges else None
        ),
    )


# -- objections ----------------------------------------------------------------------------------


async def report_objection(
    info: Info, code: str, fields: list[str], text: str, found_on: date | None
) -> ObjectionNode:
    code = check_resource_code(code)
    origin = route(info, await entry_origin(info, code))
    if origin is not None:
        params = {"code": "String!", "fields": "[String!]!", "text": "String!", "foundOn": "Date"}
        query = operation("mutation", "reportObjection", params, OBJECTION_FIELDS)
        variables = {
            "code": code,
            "fields": fields,
            "text": text,
            "foundOn": None if found_on is None else found_on.isoformat(),
        }
        return await forward(
            info, origin, "reportObjection", query, variables, ObjectionNode.from_wire
        )
    viewer = info.context.viewer
    reporter = None if viewer.is_anonymous else viewer.party()
    made = await info.context.sharing.report_objection(reporter, code, fields, text, found_on)
    _published(info, made)
    return ObjectionNode.of(made, own_instance(info))


async def objection_step(
    info: Info,
    field: str,
    id: str,
    arguments: Mapping[str, tuple[str, Any]],
    step: Callable[[Actor], Awaitable[Objection]],
) -> ObjectionNode:
    """One step of objection `id` by the caller: here, or forwarded to the origin its id names."""
    id = check_request_id(id)
    forwarded = await by_id(info, field, id, arguments, OBJECTION_FIELDS, ObjectionNode.from_wire)
    if forwarded is not None:
        return forwarded
    after = await step(info.context.viewer.party())
    _published(info, after)
    return ObjectionNode.of(after, own_instance(info))


async def objections(
    info: Info, filter: ObjectionFilterInput | None, first: int, after: str | None
) -> ObjectionConnection:
    viewer = info.context.viewer
    department = _department(viewer, "listing objections")
    first = check_page_size(first)
    where = filter.to_filter() if filter is not None else ObjectionFilter()
    filters = [where] if viewer.is_reviewer else _narrowed(where, department, "reporter")
    store = info.context.store

    async def find(w: ObjectionFilter, n: int, a: str | None) -> Page[Objection]:
        return await store.find_objections(w, first=min(n, 100), after=a)

    items, total, more = await _merged(find, filters, first, after, lambda o: (o.received_at, o.id))
    own = own_instance(info)
    edges = [
        ObjectionEdge(cursor=encode_position(o.received_at, o.id), node=ObjectionNode.of(o, own))
        for o in items
    ]
    return ObjectionConnection(
        total_count=total,
        edges=edges,
        page_info=SharingPageInfo(
            has_next_page=more, end_cursor=edges[-1].cursor if edges else None
        ),
    )


async def open_objections(info: Info, code: str) -> list[ObjectionNode]:
    # Through the request's loader: a page of entries costs one store call, not one each.
    own = own_instance(info)
    return [ObjectionNode.of(o, own) for o in await info.context.loaders.open_objections.load(code)]


# -- access details and supervision --------------------------------------------------------------


async def record_data_update(
    info: Info, code: str, updated_on: date, note: str | None
) -> DataUpdateNode:
    """The provider records an update of its entry's data, at the entry's origin."""
    update = await info.context.sharing.record_data_update(
        info.context.viewer.party(), check_resource_code(code), updated_on, note
    )
    return DataUpdateNode.of(update)


async def last_data_update(info: Info, code: str, origin: str) -> DataUpdateNode | None:
    """The last data update of entry `code`, held at its origin: none on a copy."""
    if origin != own_instance(info):
        return None
    update = await info.context.loaders.data_updates.load(code)
    return None if update is None else DataUpdateNode.of(update)


async def set_access_details(info: Info, code: str, input: AccessDetailsInput) -> AccessDetailsNode:
    details = await info.context.sharing.set_access_details(
        info.context.viewer.party(),
        check_resource_code(code),
        interface_url=input.interface_url,
        credentials=input.credentials,
        exchange_table=input.exchange_table,
        download_location=input.download_location,
        note=input.note,
    )
    return AccessDetailsNode.of(details)


async def access_details(
    info: Info, code: str, origin: str | None = None
) -> AccessDetailsNode | None:
    """The access details of entry `code` as `access_for` decides — at the entry's `origin`,
    which holds them: asked there (forwarded, like a request) when this instance holds a
    copy or none, on behalf of the department; a role of an instance's own (reviewer,
    administrator) is never forwarded and sees none of another instance's."""
    viewer = info.context.viewer
    # The auditor reads the catalog as an anonymous caller; a role of the instance's own
    # (administrator) reads as its department.
    department = None if viewer.is_anonymous or viewer.is_auditor else viewer.department_code
    target = route(info, origin)
    if target is not None:
        if department is None or viewer.role is not Role.PROVIDER:
            return None
        query = operation("query", "accessDetails", {"code": "String!"}, ACCESS_FIELDS)
        data = await forwarding_of(info, target).send(
            target, viewer, query, {"code": code}, headers_of(info)
        )
        node = data.get("accessDetails")
        return None if node is None else AccessDetailsNode.from_wire(node)
    shown = await info.context.sharing.access_for(department, code)
    return None if shown is None else AccessDetailsNode.of(shown)


async def access_details_of(info: Info, code: str) -> AccessDetailsNode | None:
    """The root field: entry `code`'s access details, from wherever its origin is."""
    code = check_resource_code(code, "code")
    return await access_details(info, code, await entry_origin(info, code))


async def overdue(info: Info) -> list[DepartmentOverdue]:
    viewer = info.context.viewer
    department = _department(viewer, "reading what is overdue")
    late = await info.context.sharing.overdue()
    grouped: dict[str | None, list[OverdueItem]] = {}
    for item in late:
        # The coordinator's (department None) are the reviewer's to see: it coordinates.
        if viewer.is_reviewer or (item.department is not None and item.department == department):
            grouped.setdefault(item.department, []).append(OverdueItem.of(item))
    return [
        DepartmentOverdue(department=d, items=grouped[d])
        for d in sorted(grouped, key=lambda d: (d is not None, d or ""))
    ]
