"""What goes over the wire to a peer: the query text, the filter as variables, and the entries
read back from its JSON answer.

A child is asked with scope AGGREGATED, the parent with ANCESTORS (it relays the question up
its own chain of parents, never down), so a question never comes back to where it started.
The query asks for every field the model declares a GraphQL name for (`graph.fields`), so a
copy read back carries every field the schema shows; `derived_from` and `extensions`, which
the schema does not show, come back empty. Its `related_codes` are those the peer shows (held
there, visible to the caller as the peer sees it); this instance shows them, as any entry's,
only where they name an entry it holds itself and the caller may see
(`federation.api.references`), so no peer can make it reveal a code it does not hold.
A parent's page also names the peers it could not ask in turn (its own parent, say): they did
not answer this query either, so they are reported with the parent's.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from graph.enums import (
    Classification,
    FormatClass,
    LifecycleState,
    ShareMode,
    ShareType,
    UpdateCycle,
)
from graph.fields import facts_of
from graph.model import DataItem, LifecycleStep, Resource
from graph.queries import ResourceFilter

__all__ = ["PEER_RESOURCE", "PEER_RESOURCES", "filter_variables", "resource_from_json"]


def _selection(cls: type, nested: Mapping[str, str]) -> str:
    """The GraphQL names of the fields of `cls` the schema shows (graph.fields), in declaration
    order, each object-valued one followed by its selection in `nested`."""
    names = [
        f"{facts.graphql_name} {nested[name]}" if name in nested else facts.graphql_name
        for name, facts in facts_of(cls).items()
        if facts.graphql_name is not None
    ]
    return " ".join(names)


# Every field of an entry the schema shows; the nested types' fields are selected here.
_ENTRY = _selection(
    Resource,
    {
        "items": f"{{ {_selection(DataItem, {})} }}",
        "history": "{ state actor at note }",
        "themes": "{ name }",
    },
)

PEER_RESOURCES = f"""
query PeerResources(
  $filter: ResourceFilterInput, $search: String, $first: Int!, $after: String, $scope: Scope!
) {{
  resources(filter: $filter, search: $search, first: $first, after: $after, scope: $scope) {{
    totalCount
    totalIsLowerBound
    pageInfo {{ hasNextPage endCursor }}
    edges {{ cursor score instance node {{ {_ENTRY} }} }}
    unreachablePeers {{ instance reason detail }}
  }}
}}
"""

PEER_RESOURCE = f"""
query PeerResource($code: String!, $scope: Scope!) {{
  resource(code: $code, scope: $scope) {{ {_ENTRY} }}
}}
"""


def filter_variables(where: ResourceFilter) -> dict[str, Any]:
    """`where` as the `ResourceFilterInput` a peer accepts."""
    variables: dict[str, Any] = {}
    if where.levels:
        variables["level"] = sorted(where.levels)
    if where.region_code is not None:
        variables["region"] = where.region_code
    if where.provider_code is not None:
        variables["provider"] = where.provider_code
    if where.theme is not None:
        variables["theme"] = where.theme
    if where.kinds:
        variables["kind"] = sorted(where.kinds)
    if where.share_types:
        variables["shareType"] = sorted(where.share_types)
    if where.share_mode is not None:
        variables["shareMode"] = where.share_mode.value
    if where.open_to_public is not None:
        variables["openToPublic"] = where.open_to_public
    if where.update_cycles:
        variables["updateCycle"] = sorted(where.update_cycles)
    variables["state"] = sorted(where.states)
    if where.catalog_id is not None:
        variables["catalog"] = where.catalog_id
    if where.category is not None:
        variables["category"] = where.category
    return variables


def resource_from_json(node: Mapping[str, Any]) -> Resource:
    """The entry a peer sent; `ValueError` (or `KeyError`) when it is not one."""
    share_type = ShareType(node["shareType"])
    return Resource(
        code=str(node["code"]),
        name=node["name"],
        provider_code=node["providerCode"],
        provider_name=node["providerName"],
        summary=node["summary"],
        format_class=FormatClass(node["formatClass"]),
        format_type=node["formatType"],
        share_type=share_type,
        update_cycle=UpdateCycle(node["updateCycle"]),
        classification=(
            Classification(node["classification"]) if node.get("classification") else None
        ),
        items=tuple(
            DataItem(
                item["name"],
                item["dataType"],
                item.get("length"),
                bool(item.get("isBaseItem")),
                # The schema shows an item's effective share type; its own only if it differs.
                None if item["shareType"] == share_type else ShareType(item["shareType"]),
            )
            for item in node.get("items") or ()
        ),
        share_condition=node.get("shareCondition"),
        legal_basis=node.get("legalBasis"),
        share_modes=frozenset(ShareMode(m) for m in node.get("shareModes") or ()),
        open_to_public=bool(node["openToPublic"]),
        open_condition=node.get("openCondition"),
        published_on=date.fromisoformat(node["publishedOn"]) if node.get("publishedOn") else None,
        related_codes=tuple(node.get("relatedCodes") or ()),
        themes=frozenset(t["name"] for t in node.get("themes") or ()),
        state=LifecycleState(node["state"]),
        history=tuple(
            LifecycleStep(
                LifecycleState(step["state"]),
                step["actor"],
                datetime.fromisoformat(step["at"]),
                step.get("note"),
            )
            for step in node.get("history") or ()
        ),
        version=int(node["version"]),
        origin=node["origin"],
        updated_at=datetime.fromisoformat(node["updatedAt"]) if node.get("updatedAt") else None,
    )
