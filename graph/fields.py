"""What is decided about each field of an entry, declared once on the model.

Every field of `graph.model.Resource` and `DataItem` carries a `FieldFacts` in its dataclass
metadata: its Chinese label (the 1272 guide's term where the guide names it), the length or
count it never exceeds, whether it crosses a sync link, whether it holds codes of other
entries, and its name in the GraphQL schema. The rules' limits (`graph.rules.LIMITS`), the
guard's allow-list (`sync.guard.CROSSING_FIELDS`) and the peer wire format
(`federation.discovery.wire`) are derived from these facts; the hand-written codecs
(`graph.snapshot`, `sync.snapshots`) and the GraphQL types are checked against them by tests.
So a new field is one declaration plus its decisions — and `crosses` has no default: a field
is never sent to another instance because no one thought about it.

    name: str = field(metadata=facts("信息资源名称", crosses=True, graphql_name="name", limit=200))

    >>> facts_of(Resource)["name"].limit
    200
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

__all__ = ["FieldFacts", "facts", "facts_of"]

_KEY = "mulu.field_facts"


@dataclass(frozen=True, slots=True, kw_only=True)
class FieldFacts:
    """The facts of one field of an entry.

    `label_zh`: its name in Chinese — the 1272 guide's (《政务信息资源目录编制指南（试行）》)
    where `core` (one of the guide's core metadata elements), the catalog's own otherwise.
    `limit`: the characters (of a text) or elements (of a sequence) a stored entry never exceeds;
    None when another rule bounds it (a code's format, a set of known values). `crosses`:
    whether the field goes with the entry over a sync link. `reference`: whether it holds codes
    of other entries, which cross only where those entries are cleared. `graphql_name`: its
    name in the GraphQL schema; None when the schema does not show it.
    """

    label_zh: str
    crosses: bool
    graphql_name: str | None
    limit: int | None = None
    reference: bool = False
    core: bool = False

    def __post_init__(self) -> None:
        if not self.label_zh.strip():
            raise ValueError(f"label_zh is {self.label_zh!r}: a field needs its Chinese label")
        if self.limit is not None and self.limit < 1:
            raise ValueError(f"limit is {self.limit}: a whole number ≥ 1, or None")


def facts(
    label_zh: str,
    *,
    crosses: bool,
    graphql_name: str | None,
    limit: int | None = None,
    reference: bool = False,
    core: bool = False,
) -> Mapping[str, Any]:
    """The metadata of a dataclass field with these facts: ``field(metadata=facts(...))``."""
    found = FieldFacts(
        label_zh=label_zh,
        crosses=crosses,
        graphql_name=graphql_name,
        limit=limit,
        reference=reference,
        core=core,
    )
    return MappingProxyType({_KEY: found})


@functools.cache
def facts_of(cls: type) -> Mapping[str, FieldFacts]:
    """The facts of each field of the dataclass `cls`, by name in declaration order.

    `TypeError` naming the first field declared without them: derived sets (such as what
    crosses a link) are never made from a field no one decided on."""
    found: dict[str, FieldFacts] = {}
    for declared in dataclasses.fields(cls):
        field_facts = declared.metadata.get(_KEY)
        if not isinstance(field_facts, FieldFacts):
            raise TypeError(
                f"{cls.__name__}.{declared.name} is declared without its facts: declare it "
                "with field(metadata=facts(label_zh, crosses=..., graphql_name=...))"
            )
        found[declared.name] = field_facts
    return MappingProxyType(found)
