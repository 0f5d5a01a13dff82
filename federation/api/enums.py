"""The schema's enums: graph's own vocabularies, exposed under the same names and values.

`strawberry.enum` registers each domain enum itself, so resolvers hand domain values straight
through and arguments arrive as domain values: one vocabulary, no mapping tables.
"""

from __future__ import annotations

import strawberry

from federation.discovery.scope import Scope
from graph.enums import (
    Classification,
    FormatClass,
    Level,
    LifecycleState,
    ResourceKind,
    Role,
    ShareMode,
    ShareType,
    UpdateCycle,
    Zone,
)
from graph.queries import Direction

__all__ = [
    "Classification",
    "Direction",
    "FormatClass",
    "Level",
    "LifecycleState",
    "ResourceKind",
    "Role",
    "Scope",
    "ShareMode",
    "ShareType",
    "UpdateCycle",
    "Zone",
]

for _vocabulary in (
    Classification,
    Direction,
    FormatClass,
    Level,
    LifecycleState,
    ResourceKind,
    Role,
    Scope,
    ShareMode,
    ShareType,
    UpdateCycle,
    Zone,
):
    strawberry.enum(_vocabulary)
