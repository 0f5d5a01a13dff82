"""Sharing through GraphQL: share requests, objections, access details and what is overdue,
over the instance's `graph.sharing.Sharing`.

Who sees what (the domain decides every step; `Viewer.party` names the actor):

    shareRequest(id)     its requester, its provider, the instance's reviewer
    shareRequests        the reviewer: every request held here; a department: those it made
                         and those for its entries (the filter narrows within them)
    objections           the same: the reviewer all, a department those it reported and those
                         on its entries; open objections also show on the entry
    overdue              整改清单: the reviewer every clock past due, a department its own —
                         grouped by the department late
    Resource.accessDetails   as `Sharing.access_for` decides (UNCONDITIONAL: any department;
                         CONDITIONAL: the provider and an approved requester; NONE and
                         anonymous callers: never) — a CONDITIONAL read is audited there
    the auditor, the administrator, anonymous callers: no request, objection or list

Across levels (`federation.sharing.forwarding`): a request or an objection for an entry whose
origin is another instance (a copy here, or found through the peers), and any question about
a request or objection whose id names another origin, is forwarded there for the department
asking, and the origin's answer (or refusal) comes back as it gave it.

Each step that commits here is published on the instance's sharing topic
(`federation.sharing.events`) after it committed. Every due date is shown with its date and
whether it is `provisional` (counted past the last year the calendar knows); dates are
Beijing dates.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import date, datetime
from datetime import date as Date
from typing import Any, TypeVar

import strawberry

from federation.api.context import Info
from federation.api.identity import Viewer
from federation.sharing.forwarding import (
    FORWARD_TO_HEADER,
    REQUESTED_FROM_HEADER,
    Forwarding,
    origin_of,
)
from graph.audit.records import AuditEntry, AuditKind
from graph.codes import check_resource_code
from graph.dates import beijing_date
from graph.enums import Role, ShareMode, ShareType
from graph.errors import InvalidValue, NotFound, NotPermitted
from graph.model import Actor, parse_catalog_id
from graph.queries import check_page_size
from graph.sharing import (
    AccessDetails,
    Application,
    Due,
    Objection,
    ObjectionAction,
    ObjectionFilter,
    ObjectionState,
    Overdue,
    OverdueKind,
    Page,
    RequestAction,
    RequestFilter,
    RequestState,
    ShareRequest,
)
from graph.sharing.queries import encode_position
from graph.sharing.requests import check_request_id

__all__ = [
    "OBJECTION_FIELDS",
    "REQUEST_FIELDS",
    "AccessDetailsInput",
    "AccessDetailsNode",
    "DepartmentOverdue",
    "DueDate",
    "ObjectionConnection",
    "ObjectionFilterInput",
    "ObjectionNode",
    "ShareRequestConnection",
    "ShareRequestFilterInput",
    "ShareRequestInput",
    "ShareRequestNode",
    "access_details",
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

for _vocabulary in (RequestState, RequestAction, ObjectionState, ObjectionAction, OverdueKind):
    strawberry.enum(_vocabulary)

T = TypeVar("T")


# -- types -------------------------------------------------------------------------------------


def _date(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def _instant(value: Any) -> datetime:
    return value if isinstance(value, datetime) else datetime.fromisoformat(str(value))


@strawberry.type(
    description="A deadline running: the Beijing date it is due, and whether that "
    "date is provisional (counted past the last year the calendar knows)."
)
class DueDate:
    date: Date
    provisional: bool
    deadline: str = strawberry.field(description="The rulebook's name of the deadline.")
    working_days: int
    started: Date = strawberry.field(description="Day 0: the day the clock started.")
    source: str = strawberry.field(description="The article that sets it.")

    @classmethod
    def of(cls, due: Due | None) -> DueDate | None:
        if due is None:
            return None
        return cls(
            date=due.date,
            provisional=due.provisional,
            deadline=due.deadline.value,
            working_days=due.working_days,
            started=due.started,
            source=due.source,
        )

    @classmethod
    def from_wire(cls, node: Mapping[str, Any] | None) -> DueDate | None:
        if node is None:
            return None
        return cls(
            date=_date(node["date"]),
            provisional=bool(node["provisional"]),
            deadline=str(node["deadline"]),
            working_days=int(node["workingDays"]),
            started=_date(node["started"]),
            source=str(node["source"]),
        )


_DUE = "date provisional deadline workingDays started source"


@strawberry.type(description="One step of a share request or an objection.")
class SharingStep:
    action: str
    state: str
    actor: str = strawberry.field(
        description="A 统一社会信用代码, or the catalog id of the instance that decided on its own."
    )
    at: datetime
    day: date = strawberry.field(description="The Beijing date of `at`.")
    note: str | None

    @classmethod
    def of(cls, step: Any) -> SharingStep:
        return cls(
            action=step.action.value,
            state=step.state.value,
            actor=step.actor,
            at=step.at,
            day=beijing_date(step.at),
            note=step.note,
        )

    @classmethod
    def from_wire(cls, node: Mapping[str, Any]) -> SharingStep:
        return cls(
            action=str(node["action"]),
            state=str(node["state"]),
            actor=str(node["actor"]),
            at=_instant(node["at"]),
            day=_date(node["day"]),
            note=node.get("note"),
        )


_STEP = "action state actor at day note"


@strawberry.type(
    name="ShareRequest",
    description="共享申请: a department's request for one entry, held at the entry's origin.",
)
class ShareRequestNode:
    id: strawberry.ID
    origin: str = strawberry.field(description="The instance that holds the request.")
    resource_code: str
    provider_code: str
    requester_code: str
    requested_from: str = strawberry.field(description="The instance the requester asked at.")
    purpose: str
    scenario: str
    items: list[str]
    share_mode: ShareMode
    period_start: date
    period_end: date
    share_type: ShareType = strawberry.field(description="What it was decided under.")
    state: RequestState
    received_at: datetime
    received_on: date = strawberry.field(description="The Beijing date received (day 0).")
    version: int
    condition: str | None
    answer_due: DueDate | None
    delivery_due: DueDate | None
    terms: str | None
    reasons: str | None
    delivery_note: str | None
    grounds: str | None
    decision: str | None
    history: list[SharingStep]

    @classmethod
    def of(cls, request: ShareRequest, origin: str) -> ShareRequestNode:
        return cls(
            id=strawberry.ID(request.id),
            origin=origin,
            resource_code=request.resource_code,
            provider_code=request.provider_code,
            requester_code=request.requester_code,
            requested_from=request.requested_from,
            purpose=request.purpose,
            scenario=request.scenario,
            items=list(request.items),
            share_mode=request.share_mode,
            period_start=request.period_start,
            period_end=request.period_end,
            share_type=request.share_type,
            state=request.state,
            received_at=request.received_at,
            received_on=beijing_date(request.received_at),
            version=request.version,
            condition=request.condition,
            answer_due=DueDate.of(request.answer_due),
            delivery_due=DueDate.of(request.delivery_due),
            terms=request.terms,
            reasons=request.reasons,
            delivery_note=request.delivery_note,
            grounds=request.grounds,
            decision=request.decision,
            history=[SharingStep.of(step) for step in request.history],
        )

    @classmethod
    def from_wire(cls, node: Mapping[str, Any]) -> ShareRequestNode:
        """The node as the origin sent it (`REQUEST_FIELDS`)."""
        return cls(
            id=strawberry.ID(str(node["id"])),
            origin=str(node["origin"]),
            resource_code=str(node["resourceCode"]),
            provider_code=str(node["providerCode"]),
            requester_code=str(node["requesterCode"]),
            requested_from=str(node["requestedFrom"]),
            purpose=str(node["purpose"]),
            scenario=str(node["scenario"]),
            items=[str(i) for i in node["items"]],
            share_mode=ShareMode(node["shareMode"]),
            period_start=_date(node["periodStart"]),
            period_end=_date(node["periodEnd"]),
            share_type=ShareType(node["shareType"]),
            state=RequestState(node["state"]),
            received_at=_instant(node["receivedAt"]),
            received_on=_date(node["receivedOn"]),
            version=int(node["version"]),
            condition=node.get("condition"),
            answer_due=DueDate.from_wire(node.get("answerDue")),
            delivery_due=DueDate.from_wire(node.get("deliveryDue")),
            terms=node.get("terms"),
            reasons=node.get("reasons"),
            delivery_note=node.get("deliveryNote"),
            grounds=node.get("grounds"),
            decision=node.get("decision"),
            history=[SharingStep.from_wire(s) for s in node["history"]],
        )


# Every field of ShareRequestNode, as a forwarding instance asks the origin for them.
REQUEST_FIELDS = (
    "id origin resourceCode providerCode requesterCode requestedFrom purpose scenario items "
    "shareMode periodStart periodEnd shareType state receivedAt receivedOn version condition "
    f"answerDue {{ {_DUE} }} deliveryDue {{ {_DUE} }} terms reasons deliveryNote grounds "
    f"decision history {{ {_STEP} }}"
)


@strawberry.type(
    name="Objection",
    description="疑义/纠错: what a department (or the public) says "
    "is wrong with an entry or its data, and how its provider answered.",
)
class ObjectionNode:
    id: strawberry.ID
    origin: str = strawberry.field(description="The instance that holds the objection.")
    resource_code: str
    provider_code: str
    reporter: str = strawberry.field(description="A 统一社会信用代码, or public.")
    fields: list[str]
    text: str
    state: ObjectionState
    received_at: datetime
    received_on: date
    version: int
    found_on: date | None
    report_due: DueDate | None
    answer_due: DueDate | None
    reasons: str | None
    correction: str | None
    history: list[SharingStep]

    @classmethod
    def of(cls, objection: Objection, origin: str) -> ObjectionNode:
        return cls(
            id=strawberry.ID(objection.id),
            origin=origin,
            resource_code=objection.resource_code,
            provider_code=objection.provider_code,
            reporter=objection.reporter,
            fields=list(objection.fields),
            text=objection.text,
            state=objection.state,
            received_at=objection.received_at,
            received_on=beijing_date(objection.received_at),
            version=objection.version,
            found_on=objection.found_on,
            report_due=DueDate.of(objection.report_due),
            answer_due=DueDate.of(objection.answer_due),
            reasons=objection.reasons,
            correction=objection.correction,
            history=[SharingStep.of(step) for step in objection.history],
        )

    @classmethod
    def from_wire(cls, node: Mapping[str, Any]) -> ObjectionNode:
        """The node as the origin sent it (`OBJECTION_FIELDS`)."""
        found_on = node.get("foundOn")
        return cls(
            id=strawberry.ID(str(node["id"])),
            origin=str(node["origin"]),
            resource_code=str(node["resourceCode"]),
            provider_code=str(node["providerCode"]),
            reporter=str(node["reporter"]),
            fields=[str(f) for f in node["fields"]],
            text=str(node["text"]),
            state=ObjectionState(node["state"]),
            received_at=_instant(node["receivedAt"]),
            received_on=_date(node["receivedOn"]),
            version=int(node["version"]),
            found_on=None if found_on is None else _date(found_on),
            report_due=DueDate.from_wire(node.get("reportDue")),
            answer_due=DueDate.from_wire(node.get("answerDue")),
            reasons=node.get("reasons"),
            correction=node.get("correction"),
            history=[SharingStep.from_wire(s) for s in node["history"]],
        )


# Every field of ObjectionNode, as a forwarding instance asks the origin for them.
OBJECTION_FIELDS = (
    "id origin resourceCode providerCode reporter fields text state receivedAt receivedOn "
    f"version foundOn reportDue {{ {_DUE} }} answerDue {{ {_DUE} }} reasons correction "
    f"history {{ {_STEP} }}"
)


@strawberry.type(name="AccessDetails", description="数据挂接: how the data of an entry is reached.")
class AccessDetailsNode:
    resource_code: str
    interface_url: str | None
    credentials: str | None = strawberry.field(
        description="How to obtain credentials for the interface (never the credentials)."
    )
    exchange_table: str | None
    download_location: str | None
    note: str | None
    updated_by: str
    updated_at: datetime
    version: int

    @classmethod
    def of(cls, details: AccessDetails) -> AccessDetailsNode:
        return cls(
            resource_code=details.resource_code,
            interface_url=details.interface_url,
            credentials=details.credentials,
            exchange_table=details.exchange_table,
            download_location=details.download_location,
            note=details.note,
            updated_by=details.updated_by,
            updated_at=details.updated_at,
            version=details.version,
        )


@strawberry.type(description="逾期: one clock past due.")
class OverdueItem:
    kind: OverdueKind
    id: strawberry.ID = strawberry.field(description="The request's or objection's id.")
    resource_code: str
    department: str = strawberry.field(description="The providing department, which is late.")
    due: DueDate
    day: date = strawberry.field(description="The Beijing date judged.")
    working_days_late: int
    provisional: bool

    @classmethod
    def of(cls, late: Overdue) -> OverdueItem:
        due = DueDate.of(late.due)
        assert due is not None
        return cls(
            kind=late.kind,
            id=strawberry.ID(late.id),
            resource_code=late.resource_code,
            department=late.department,
            due=due,
            day=late.day,
            working_days_late=late.working_days_late,
            provisional=late.provisional,
        )


@strawberry.type(description="整改清单: what one department has past due.")
class DepartmentOverdue:
    department: str
    items: list[OverdueItem]


@strawberry.type
class SharingPageInfo:
    has_next_page: bool
    end_cursor: str | None


@strawberry.type
class ShareRequestEdge:
    cursor: str
    node: ShareRequestNode


@strawberry.type(description="One page of share requests, in the order received.")
class ShareRequestConnection:
    total_count: int
    edges: list[ShareRequestEdge]
    page_info: SharingPageInfo


@strawberry.type
class ObjectionEdge:
    cursor: str
    node: ObjectionNode


@strawberry.type(description="One page of objections, in the order received.")
class ObjectionConnection:
    total_count: int
    edges: list[ObjectionEdge]
    page_info: SharingPageInfo


# -- inputs ------------------------------------------------------------------------------------


@strawberry.input(description="共享申请: what a department asks for.")
class ShareRequestInput:
    resource_code: str
    purpose: str = strawberry.field(description="用途")
    scenario: str = strawberry.field(description="应用场景")
    items: list[str] = strawberry.field(description="The names of the items asked for.")
    share_mode: ShareMode
    period_start: date = strawberry.field(description="A Beijing date, included.")
    period_end: date = strawberry.field(description="A Beijing date, included.")

    def to_application(self) -> Application:
        return Application(
            resource_code=self.resource_code,
            purpose=self.purpose,
            scenario=self.scenario,
            items=tuple(self.items),
            share_mode=self.share_mode,
            period_start=self.period_start,
            period_end=self.period_end,
        )

    def to_wire(self) -> dict[str, Any]:
        return {
            "resourceCode": self.resource_code,
            "purpose": self.purpose,
            "scenario": self.scenario,
            "items": list(self.items),
            "shareMode": self.share_mode.value,
            "periodStart": self.period_start.isoformat(),
            "periodEnd": self.period_end.isoformat(),
        }


@strawberry.input(description="数据挂接: how the data of an entry is reached; one way at least.")
class AccessDetailsInput:
    interface_url: str | None = None
    credentials: str | None = None
    exchange_table: str | None = None
    download_location: str | None = None
    note: str | None = None


@strawberry.input(description="Which share requests: each condition given must hold.")
class ShareRequestFilterInput:
    resource_code: str | None = None
    requester_code: str | None = None
    provider_code: str | None = None
    states: list[RequestState] | None = None

    def to_filter(self) -> RequestFilter:
        return RequestFilter(
            resource_code=self.resource_code,
            requester_code=self.requester_code,
            provider_code=self.provider_code,
            states=frozenset(self.states or ()),
        )


@strawberry.input(description="Which objections: each condition given must hold.")
class ObjectionFilterInput:
    resource_code: str | None = None
    reporter: str | None = None
    provider_code: str | None = None
    states: list[ObjectionState] | None = None

    def to_filter(self) -> ObjectionFilter:
        return ObjectionFilter(
            resource_code=self.resource_code,
            reporter=self.reporter,
            provider_code=self.provider_code,
            states=frozenset(self.states or ()),
        )


# -- who -----------------------------------------------------------------------------------------


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


# -- across levels -------------------------------------------------------------------------------


def _own(info: Info) -> str:
    return info.context.store.catalog.id


def _headers(info: Info) -> Mapping[str, str]:
    request = info.context.request
    return request.headers if request is not None else {}


def _forwarding(info: Info, origin: str) -> Forwarding:
    cross = info.context.cross_level
    if cross is None:
        raise InvalidValue(
            "origin",
            origin,
            f"{_own(info)}: this instance has no peers to forward to; ask at {origin}",
        )
    return Forwarding(cross)


def _requested_from(info: Info) -> str | None:
    """The instance the department asked at, when a forwarding instance names it."""
    named = _headers(info).get(REQUESTED_FROM_HEADER.lower())
    if not named:
        return None
    parse_catalog_id(named, REQUESTED_FROM_HEADER)
    return named


def _route(info: Info, origin: str | None) -> str | None:
    """Where a question goes: None (answered here), or the origin to forward toward. A
    forwarded question names its origin (``X-Mulu-Forward-To``); one asked here goes to
    `origin` when that is another instance."""
    own = _own(info)
    named = _headers(info).get(FORWARD_TO_HEADER.lower())
    if named:
        parse_catalog_id(named, FORWARD_TO_HEADER)
        return None if named == own else named
    return None if origin in (None, own) else origin


Node = TypeVar("Node", ShareRequestNode, ObjectionNode)


async def _forward(
    info: Info,
    origin: str,
    field: str,
    query: str,
    variables: Mapping[str, Any],
    parse: Callable[[Mapping[str, Any]], Node],
) -> Node:
    data = await _forwarding(info, origin).send(
        origin,
        info.context.viewer,
        query,
        variables,
        _headers(info),
        requested_from=_requested_from(info),
    )
    node = parse(data[field])
    await _audit_forward(info, field, node, origin)
    return node


async def _audit_forward(
    info: Info, field: str, node: ShareRequestNode | ObjectionNode, origin: str
) -> None:
    """This instance forwarded a department's question: who, what, to which origin."""
    kind = AuditKind.SHARE_REQUEST if isinstance(node, ShareRequestNode) else AuditKind.OBJECTION
    await info.context.store.append_audit(
        [
            AuditEntry(
                kind,
                info.context.viewer.name,
                f"forward {field}",
                subject=str(node.id),
                version_after=node.version,
                detail={
                    "resource_code": node.resource_code,
                    "origin": origin,
                    "state_after": node.state.value,
                },
            )
        ]
    )


def _operation(kind: str, field: str, params: Mapping[str, str], selection: str) -> str:
    """The GraphQL text that asks the origin `field` with `params` (name → type)."""
    declared = ", ".join(f"${name}: {type_}" for name, type_ in params.items())
    passed = ", ".join(f"{name}: ${name}" for name in params)
    return f"{kind} ({declared}) {{ {field}({passed}) {{ {selection} }} }}"


async def _entry_origin(info: Info, code: str) -> str | None:
    """The origin of entry `code`: its copy's here; for an entry not held here, the one the
    peers name (asked only where the question starts: a forwarded one names its origin)."""
    entry = await info.context.store.get(code)
    if entry is not None:
        return entry.origin
    cross = info.context.cross_level
    if cross is None or _headers(info).get(FORWARD_TO_HEADER.lower()):
        return None
    found, failures = await cross.resource(code, info.context.viewer)
    info.context.unreachable_peers.extend(failures)
    return None if found is None else found.origin


async def _by_id(
    info: Info,
    field: str,
    id: str,
    arguments: Mapping[str, tuple[str, Any]],
    selection: str,
    parse: Callable[[Mapping[str, Any]], Node],
) -> Node | None:
    """The origin's answer to `field` about `id` when the id names another instance (None:
    it is answered here). `arguments`: the field's others, name → (GraphQL type, value)."""
    origin = _route(info, origin_of(id))
    if origin is None:
        return None
    params = {"id": "String!", **{name: type_ for name, (type_, _) in arguments.items()}}
    variables = {"id": id, **{name: value for name, (_, value) in arguments.items()}}
    query = _operation("mutation", field, params, selection)
    return await _forward(info, origin, field, query, variables, parse)


# -- share requests ------------------------------------------------------------------------------


def _published(info: Info, item: ShareRequest | Objection) -> None:
    events = info.context.sharing_events
    if events is not None:
        events.publish(item)


async def request_share(info: Info, input: ShareRequestInput) -> ShareRequestNode:
    code = check_resource_code(input.resource_code, "input.resourceCode")
    origin = _route(info, await _entry_origin(info, code))
    if origin is not None:
        params = {"input": "ShareRequestInput!"}
        query = _operation("mutation", "requestShare", params, REQUEST_FIELDS)
        variables = {"input": input.to_wire()}
        return await _forward(
            info, origin, "requestShare", query, variables, ShareRequestNode.from_wire
        )
    actor = info.context.viewer.party()
    made = await info.context.sharing.request(actor, input.to_application(), _requested_from(info))
    _published(info, made)
    return ShareRequestNode.of(made, _own(info))


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
    forwarded = await _by_id(info, field, id, arguments, REQUEST_FIELDS, ShareRequestNode.from_wire)
    if forwarded is not None:
        return forwarded
    after = await step(info.context.viewer.party())
    _published(info, after)
    return ShareRequestNode.of(after, _own(info))


async def share_request(info: Info, id: str) -> ShareRequestNode | None:
    id = check_request_id(id)
    origin = _route(info, origin_of(id))
    if origin is not None:
        query = _operation("query", "shareRequest", {"id": "String!"}, REQUEST_FIELDS)
        data = await _forwarding(info, origin).send(
            origin, info.context.viewer, query, {"id": id}, _headers(info)
        )
        node = data.get("shareRequest")
        return None if node is None else ShareRequestNode.from_wire(node)
    try:
        found = await info.context.sharing.share_request(id)
    except NotFound:
        return None
    _may_read(info.context.viewer, found.parties, "reading a share request")
    return ShareRequestNode.of(found, _own(info))


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
    own = _own(info)
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


# -- objections ----------------------------------------------------------------------------------


async def report_objection(
    info: Info, code: str, fields: list[str], text: str, found_on: date | None
) -> ObjectionNode:
    code = check_resource_code(code)
    origin = _route(info, await _entry_origin(info, code))
    if origin is not None:
        params = {"code": "String!", "fields": "[String!]!", "text": "String!", "foundOn": "Date"}
        query = _operation("mutation", "reportObjection", params, OBJECTION_FIELDS)
        variables = {
            "code": code,
            "fields": fields,
            "text": text,
            "foundOn": None if found_on is None else found_on.isoformat(),
        }
        return await _forward(
            info, origin, "reportObjection", query, variables, ObjectionNode.from_wire
        )
    viewer = info.context.viewer
    reporter = None if viewer.is_anonymous else viewer.party()
    made = await info.context.sharing.report_objection(reporter, code, fields, text, found_on)
    _published(info, made)
    return ObjectionNode.of(made, _own(info))


async def objection_step(
    info: Info,
    field: str,
    id: str,
    arguments: Mapping[str, tuple[str, Any]],
    step: Callable[[Actor], Awaitable[Objection]],
) -> ObjectionNode:
    """One step of objection `id` by the caller: here, or forwarded to the origin its id names."""
    id = check_request_id(id)
    forwarded = await _by_id(info, field, id, arguments, OBJECTION_FIELDS, ObjectionNode.from_wire)
    if forwarded is not None:
        return forwarded
    after = await step(info.context.viewer.party())
    _published(info, after)
    return ObjectionNode.of(after, _own(info))


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
    own = _own(info)
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
    own = _own(info)
    return [ObjectionNode.of(o, own) for o in await info.context.loaders.open_objections.load(code)]


# -- access details and supervision --------------------------------------------------------------


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


async def access_details(info: Info, code: str) -> AccessDetailsNode | None:
    viewer = info.context.viewer
    # The auditor reads the catalog as an anonymous caller; a role of the instance's own
    # (administrator) reads as its department.
    department = None if viewer.is_anonymous or viewer.is_auditor else viewer.department_code
    shown = await info.context.sharing.access_for(department, code)
    return None if shown is None else AccessDetailsNode.of(shown)


async def overdue(info: Info) -> list[DepartmentOverdue]:
    viewer = info.context.viewer
    department = _department(viewer, "reading what is overdue")
    late = await info.context.sharing.overdue()
    grouped: dict[str, list[OverdueItem]] = {}
    for item in late:
        if viewer.is_reviewer or item.department == department:
            grouped.setdefault(item.department, []).append(OverdueItem.of(item))
    return [DepartmentOverdue(department=d, items=grouped[d]) for d in sorted(grouped)]
