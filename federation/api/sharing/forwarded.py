"""Sharing questions answered at another instance (`federation.sharing.forwarding`): where a
question goes, the forwarding itself with the origin's answer read back, and its audit record
at the forwarding instance (``forward <field>``)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from federation.api.context import Info
from federation.api.sharing.nodes import ObjectionNode, ShareRequestNode
from federation.sharing.forwarding import (
    FORWARD_TO_HEADER,
    REQUESTED_FROM_HEADER,
    Forwarding,
    origin_of,
)
from graph.audit.records import AuditEntry, AuditKind
from graph.errors import InvalidValue
from graph.model import parse_catalog_id

__all__ = [
    "Node",
    "by_id",
    "entry_origin",
    "forward",
    "forwarding_of",
    "headers_of",
    "operation",
    "own_instance",
    "requested_from",
    "route",
]


def own_instance(info: Info) -> str:
    return info.context.store.catalog.id


def headers_of(info: Info) -> Mapping[str, str]:
    request = info.context.request
    return request.headers if request is not None else {}


def forwarding_of(info: Info, origin: str) -> Forwarding:
    cross = info.context.cross_level
    if cross is None:
        raise InvalidValue(
            "origin",
            origin,
            f"{own_instance(info)}: this instance has no peers to forward to; ask at {origin}",
        )
    return Forwarding(cross)


def requested_from(info: Info) -> str | None:
    """The instance the department asked at, when a forwarding instance names it."""
    named = headers_of(info).get(REQUESTED_FROM_HEADER.lower())
    if not named:
        return None
    parse_catalog_id(named, REQUESTED_FROM_HEADER)
    return named


def route(info: Info, origin: str | None) -> str | None:
    """Where a question goes: None (answered here), or the origin to forward toward. A
    forwarded question names its origin (``X-Mulu-Forward-To``); one asked here goes to
    `origin` when that is another instance."""
    own = own_instance(info)
    named = headers_of(info).get(FORWARD_TO_HEADER.lower())
    if named:
        parse_catalog_id(named, FORWARD_TO_HEADER)
        return None if named == own else named
    return None if origin in (None, own) else origin


Node = TypeVar("Node", ShareRequestNode, ObjectionNode)


async def forward(
    info: Info,
    origin: str,
    field: str,
    query: str,
    variables: Mapping[str, Any],
    parse: Callable[[Mapping[str, Any]], Node],
) -> Node:
    data = await forwarding_of(info, origin).send(
        origin,
        info.context.viewer,
        query,
        variables,
        headers_of(info),
        requested_from=requested_from(info),
    )
    node = parse(data[field])
    await audit_forward(info, field, node, origin)
    return node


async def audit_forward(
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


def operation(kind: str, field: str, params: Mapping[str, str], selection: str) -> str:
    """The GraphQL text that asks the origin `field` with `params` (name → type)."""
    declared = ", ".join(f"${name}: {type_}" for name, type_ in params.items())
    passed = ", ".join(f"{name}: ${name}" for name in params)
    return f"{kind} ({declared}) {{ {field}({passed}) {{ {selection} }} }}"


async def entry_origin(info: Info, code: str) -> str | None:
    """The origin of entry `code`: its copy's here; for an entry not held here, the one the
    peers name (asked only where the question starts: a forwarded one names its origin)."""
    entry = await info.context.store.get(code)
    if entry is not None:
        return entry.origin
    cross = info.context.cross_level
    if cross is None or headers_of(info).get(FORWARD_TO_HEADER.lower()):
        return None
    found, failures = await cross.resource(code, info.context.viewer)
    info.context.unreachable_peers.extend(failures)
    return None if found is None else found.origin


async def by_id(
    info: Info,
    field: str,
    id: str,
    arguments: Mapping[str, tuple[str, Any]],
    selection: str,
    parse: Callable[[Mapping[str, Any]], Node],
) -> Node | None:
    """The origin's answer to `field` about `id` when the id names another instance (None:
    it is answered here). `arguments`: the field's others, name → (GraphQL type, value)."""
    origin = route(info, origin_of(id))
    if origin is None:
        return None
    params = {"id": "String!", **{name: type_ for name, (type_, _) in arguments.items()}}
    variables = {"id": id, **{name: value for name, (_, value) in arguments.items()}}
    query = operation("mutation", field, params, selection)
    return await forward(info, origin, field, query, variables, parse)
