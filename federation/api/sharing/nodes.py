"""What sharing shows: share requests, objections, access details, due dates and the overdue
list as GraphQL types, each built from the domain value (`of`) or, for a request or an
objection forwarded to its origin, from the origin's answer (`from_wire`, asking for
`REQUEST_FIELDS` / `OBJECTION_FIELDS`: every field)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from datetime import date as Date
from typing import Any

import strawberry

from graph.dates import beijing_date
from graph.enums import ShareMode, ShareType
from graph.sharing import (
    AccessDetails,
    DataUpdate,
    Due,
    Objection,
    ObjectionAction,
    ObjectionState,
    Overdue,
    OverdueKind,
    RequestAction,
    RequestState,
    ShareRequest,
)

__all__ = [
    "OBJECTION_FIELDS",
    "REQUEST_FIELDS",
    "AccessDetailsNode",
    "DataUpdateNode",
    "DepartmentOverdue",
    "DueDate",
    "ObjectionConnection",
    "ObjectionEdge",
    "ObjectionNode",
    "OverdueItem",
    "ShareRequestConnection",
    "ShareRequestEdge",
    "ShareRequestNode",
    "SharingPageInfo",
    "SharingStep",
]

for _vocabulary in (RequestState, RequestAction, ObjectionState, ObjectionAction, OverdueKind):
    strawberry.enum(_vocabulary)


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
    negotiation_due: DueDate | None = strawberry.field(
        description="the dispute's negotiation clock, where the operator's rule sets one"
    )
    decision_due: DueDate | None = strawberry.field(
        description="the coordinator's decision clock, where the operator's rule sets one"
    )
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
            negotiation_due=DueDate.of(request.negotiation_due),
            decision_due=DueDate.of(request.decision_due),
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
            negotiation_due=DueDate.from_wire(node.get("negotiationDue")),
            decision_due=DueDate.from_wire(node.get("decisionDue")),
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
    f"answerDue {{ {_DUE} }} deliveryDue {{ {_DUE} }} negotiationDue {{ {_DUE} }} "
    f"decisionDue {{ {_DUE} }} terms reasons deliveryNote grounds decision "
    f"history {{ {_STEP} }}"
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


@strawberry.type(
    name="DataUpdate",
    description="数据更新: the day the providing department says the entry's data was brought "
    "up to date — what 'overdue for update' is judged on.",
)
class DataUpdateNode:
    resource_code: str
    updated_on: date = strawberry.field(description="The Beijing date of the update.")
    department_code: str
    recorded_at: datetime
    note: str | None

    @classmethod
    def of(cls, update: DataUpdate) -> DataUpdateNode:
        return cls(
            resource_code=update.resource_code,
            updated_on=update.updated_on,
            department_code=update.department_code,
            recorded_at=update.recorded_at,
            note=update.note,
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

    @classmethod
    def from_wire(cls, node: Mapping[str, Any]) -> AccessDetailsNode:
        return cls(
            resource_code=str(node["resourceCode"]),
            interface_url=node["interfaceUrl"],
            credentials=node["credentials"],
            exchange_table=node["exchangeTable"],
            download_location=node["downloadLocation"],
            note=node["note"],
            updated_by=str(node["updatedBy"]),
            updated_at=datetime.fromisoformat(node["updatedAt"]),
            version=int(node["version"]),
        )


ACCESS_FIELDS = (
    "resourceCode interfaceUrl credentials exchangeTable downloadLocation note updatedBy "
    "updatedAt version"
)


@strawberry.type(description="逾期: one clock past due.")
class OverdueItem:
    kind: OverdueKind
    id: strawberry.ID = strawberry.field(description="The request's or objection's id.")
    resource_code: str
    department: str | None = strawberry.field(
        description="The department late: the provider; none for the coordinator (an "
        "escalated dispute not decided in time)."
    )
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
    department: str | None = strawberry.field(description="none: the coordinator")
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


@strawberry.type(
    description="A request the caller made at this instance that lives at another (its "
    "entry's origin): as the origin answers now, or why it could not be read."
)
class ForwardedShareRequest:
    cursor: str
    id: strawberry.ID
    origin: str = strawberry.field(description="The instance that holds the request.")
    asked_at: datetime = strawberry.field(description="When it was asked here.")
    node: ShareRequestNode | None = strawberry.field(
        description="The request as its origin holds it now; none when it could not be read."
    )
    error: str | None = strawberry.field(
        description="Why the origin's answer is missing (it did not answer, or refused)."
    )


@strawberry.type(
    description="The caller's requests made here for other instances' entries, newest last."
)
class ForwardedShareRequestConnection:
    edges: list[ForwardedShareRequest]
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
