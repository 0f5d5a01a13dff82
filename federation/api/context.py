"""What every resolver receives: the store, the lifecycle service, the caller, the loaders, and
cross-level discovery (None when the instance has no topology, hence no peers)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TypeAlias

from starlette.requests import Request
from starlette.websockets import WebSocket
from strawberry.types import Info as StrawberryInfo

from federation.api.identity import Viewer
from federation.api.loaders import Loaders
from federation.discovery import CrossLevel
from federation.peers import PeerFailure
from graph import CatalogStore, Cataloguing

__all__ = ["CatalogContext", "Info"]


@dataclass
class CatalogContext:
    """One request's view of the instance."""

    store: CatalogStore
    viewer: Viewer
    request: Request | WebSocket | None = None
    cross_level: CrossLevel | None = None
    unreachable_peers: list[PeerFailure] = field(default_factory=list)
    cataloguing: Cataloguing = field(init=False)
    loaders: Loaders = field(init=False)

    def __post_init__(self) -> None:
        self.cataloguing = Cataloguing(self.store)
        self.loaders = Loaders(self.store)


Info: TypeAlias = StrawberryInfo[CatalogContext, None]
