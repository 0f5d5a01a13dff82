"""The catalog graph: the domain model, its rules and its two stores (Neo4j, embedded SQLite).

`graph` imports neither `sync` nor `federation`, and reads no environment: its configuration
is passed in by the caller.
"""

from graph.cataloguing import Cataloguing
from graph.enums import (
    BASE_LIBRARIES,
    THEMES,
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
from graph.errors import (
    CatalogError,
    InvalidTransition,
    InvalidValue,
    NotFound,
    NotPermitted,
    StoreUnavailable,
    VersionConflict,
)
from graph.model import (
    Actor,
    Catalog,
    Category,
    DataItem,
    Department,
    LifecycleStep,
    Region,
    Resource,
    catalog_id,
)
from graph.queries import (
    ApplyOutcome,
    CatalogCount,
    Direction,
    Facets,
    Lineage,
    LineageEdge,
    ResourceFilter,
    ResourcePage,
)
from graph.rules import check_resource
from graph.store import CatalogStore

__all__ = [
    "BASE_LIBRARIES",
    "THEMES",
    "Actor",
    "ApplyOutcome",
    "Catalog",
    "CatalogCount",
    "CatalogError",
    "CatalogStore",
    "Cataloguing",
    "Category",
    "Classification",
    "DataItem",
    "Department",
    "Direction",
    "Facets",
    "FormatClass",
    "InvalidTransition",
    "InvalidValue",
    "Level",
    "LifecycleState",
    "LifecycleStep",
    "Lineage",
    "LineageEdge",
    "NotFound",
    "NotPermitted",
    "Region",
    "Resource",
    "ResourceFilter",
    "ResourceKind",
    "ResourcePage",
    "Role",
    "ShareMode",
    "ShareType",
    "StoreUnavailable",
    "UpdateCycle",
    "VersionConflict",
    "Zone",
    "catalog_id",
    "check_resource",
]
