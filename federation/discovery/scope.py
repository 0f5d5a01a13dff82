"""How far a discovery query looks."""

from __future__ import annotations

import dataclasses
from enum import StrEnum

from graph.queries import ResourceFilter

__all__ = ["Scope", "local_only"]


class Scope(StrEnum):
    """LOCAL: the entries whose origin is this instance's catalog. AGGREGATED (the default):
    everything held here — its own entries and the copies aggregated or mirrored into it.
    ANCESTORS: AGGREGATED plus the catalogs above, asked up the chain of parents (what a
    parent answers when a child asks it). PEERS: AGGREGATED plus the parent's ANCESTORS answer
    and the direct children's AGGREGATED answers, merged."""

    LOCAL = "LOCAL"
    AGGREGATED = "AGGREGATED"
    ANCESTORS = "ANCESTORS"
    PEERS = "PEERS"


def local_only(where: ResourceFilter, instance: str) -> ResourceFilter | None:
    """`where` narrowed to the entries whose origin is `instance` (LOCAL scope); None when
    `where` already names another catalog, so that nothing can match."""
    if where.catalog_id not in (None, instance):
        return None
    return dataclasses.replace(where, catalog_id=instance)
