"""The audit log through GraphQL: the auditor's ``auditLog``, and the refusals it records.

Only the auditor reads the log (GB/T 39477; anyone else is refused — and that refusal is a
record too). Pages are in record order, the cursor a record's seq; `first` at most 500.
Every error a request gets because the caller may not do something (`NotPermitted`) is
handed to the instance's audit sink as AUTHORISATION_REFUSED: who, which field, why.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date, datetime

import strawberry
from strawberry.extensions import SchemaExtension

from federation.api.context import Info
from graph.audit.records import AuditEntry, AuditFilter, AuditKind, AuditRecord
from graph.dates import beijing_date
from graph.enums import Role
from graph.errors import InvalidValue, NotPermitted

__all__ = [
    "AuditConnection",
    "AuditFilterInput",
    "AuditRefusals",
    "audit_log",
]

MAX_PAGE = 500

strawberry.enum(AuditKind, description="What an audit record is about.")


@strawberry.type(description="审计记录: one record of the instance's hash-chained audit log.")
class AuditRecordNode:
    seq: int
    hash: str = strawberry.field(description="SHA-256 of the record, previous hash included.")
    previous_hash: str
    kind: AuditKind
    actor: str = strawberry.field(
        description="A 统一社会信用代码, instance:<id>, link:<name> or anonymous."
    )
    action: str
    subject: str | None
    version_before: int | None
    version_after: int | None
    detail: str = strawberry.field(description="The record's detail, as a JSON object.")
    at: datetime = strawberry.field(description="The instant, in UTC.")
    day: date = strawberry.field(description="The Beijing (Asia/Shanghai) date of `at`.")

    @classmethod
    def of(cls, record: AuditRecord) -> AuditRecordNode:
        entry = record.entry
        return cls(
            seq=record.seq,
            hash=record.hash,
            previous_hash=record.previous_hash,
            kind=entry.kind,
            actor=entry.actor,
            action=entry.action,
            subject=entry.subject,
            version_before=entry.version_before,
            version_after=entry.version_after,
            detail=json.dumps(dict(entry.detail), ensure_ascii=False, sort_keys=True),
            at=entry.at,
            day=beijing_date(entry.at),
        )


@strawberry.type
class AuditEdge:
    cursor: str
    node: AuditRecordNode


@strawberry.type
class AuditPageInfo:
    has_next_page: bool
    end_cursor: str | None


@strawberry.type(description="One page of the audit log; pass `pageInfo.endCursor` as `after`.")
class AuditConnection:
    edges: list[AuditEdge]
    page_info: AuditPageInfo
    head_seq: int = strawberry.field(description="The seq of the log's last record.")


@strawberry.input(description="Which records: each condition given must hold.")
class AuditFilterInput:
    kinds: list[AuditKind] | None = None
    actor: str | None = None
    action: str | None = None
    subject: str | None = None
    since: datetime | None = strawberry.field(default=None, description="Inclusive.")
    until: datetime | None = strawberry.field(default=None, description="Exclusive.")

    def to_filter(self) -> AuditFilter:
        for name in ("since", "until"):
            moment = getattr(self, name)
            if moment is not None and moment.tzinfo is None:
                raise InvalidValue(
                    f"filter.{name}", moment.isoformat(), "an instant with its offset"
                )
        return AuditFilter(
            kinds=frozenset(self.kinds) if self.kinds else None,
            actor=self.actor,
            action=self.action,
            subject=self.subject,
            since=self.since,
            until=self.until,
        )


async def audit_log(
    info: Info, filter: AuditFilterInput | None, first: int, after: str | None
) -> AuditConnection:
    info.context.viewer.require(Role.AUDITOR, "reading the audit log")
    if not 1 <= first <= MAX_PAGE:
        raise InvalidValue("first", first, f"1 to {MAX_PAGE}")
    position = 0
    if after is not None:
        if not after.isdigit() or len(after) > 18:
            raise InvalidValue("after", after, "the endCursor of a previous page")
        position = int(after)
    where = filter.to_filter() if filter is not None else None
    store = info.context.store
    records = await store.audit_records(position, first + 1, where)
    head = await store.audit_head()
    shown = records[:first]
    return AuditConnection(
        edges=[AuditEdge(cursor=str(r.seq), node=AuditRecordNode.of(r)) for r in shown],
        page_info=AuditPageInfo(
            has_next_page=len(records) > first,
            end_cursor=str(shown[-1].seq) if shown else None,
        ),
        head_seq=head.seq,
    )


class AuditRefusals(SchemaExtension):
    """Hands each refused authorisation of a request to the instance's audit sink."""

    def on_operation(self) -> Iterator[None]:
        yield
        context = self.execution_context.context
        sink = getattr(context, "audit", None)
        result = self.execution_context.result
        if sink is None or result is None:
            return
        for error in getattr(result, "errors", None) or ():
            if isinstance(error.original_error, NotPermitted):
                sink.record(
                    AuditEntry(
                        AuditKind.AUTHORISATION_REFUSED,
                        context.viewer.name,
                        ".".join(str(p) for p in error.path or ()) or "request",
                        detail={"reason": str(error.original_error)[:1000]},
                    )
                )
