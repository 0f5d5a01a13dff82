"""What every resolver receives: the store, the lifecycle service, the caller, the loaders, and
cross-level discovery (None when the instance has no topology, hence no peers). `reference`,
the instance's cache of catalogs and departments, is shared by its requests (without one, each
request reads them for itself); `audit` takes the records of refusals; `rulebook` is the
instance's (`Settings.rulebook_in_force`), whose write rules `cataloguing` applies; `sharing`
is the instance's `graph.sharing.Sharing` over the same store, on its `calendar` and `clock`,
and `sharing_events` hears each step it commits (`federation.sharing.events`)."""

from __future__ import annotations

import functools
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, TypeAlias

from starlette.requests import Request
from starlette.websockets import WebSocket
from strawberry.types import Info as StrawberryInfo

from federation.api.identity import Viewer
from federation.api.loaders import Loaders
from federation.api.reference import ReferenceCache
from federation.discovery import CrossLevel
from federation.peers import PeerFailure
from graph import CatalogStore, Cataloguing, ResourceFilter
from graph.audit.sink import AuditSink
from graph.sharing import STATE_COUNCIL_2025, Rulebook, Sharing, WorkingCalendar
from sync.events import outbox_record

if TYPE_CHECKING:
    from federation.sharing.events import SharingEvents

__all__ = ["CatalogContext", "Info"]


@dataclass
class CatalogContext:
    """One request's view of the instance."""

    store: CatalogStore
    viewer: Viewer
    request: Request | WebSocket | None = None
    cross_level: CrossLevel | None = None
    unreachable_peers: list[PeerFailure] = field(default_factory=list)
    reference: ReferenceCache | None = None
    # Where records of what changed nothing go (refusals): the instance's sink.
    audit: AuditSink | None = None
    # Called after a grant or revoke here, so the next request sees it (RoleBook.forget).
    grants_changed: Callable[[], None] = lambda: None
    rulebook: Rulebook = STATE_COUNCIL_2025
    calendar: WorkingCalendar = field(default_factory=WorkingCalendar.official)
    clock: Callable[[], datetime] = lambda: datetime.now(UTC)
    sharing_events: SharingEvents | None = None
    # Whether the instance believes the development identity headers (`federation.api.viewer`).
    development_headers: bool = False
    loaders: Loaders = field(init=False)

    def __post_init__(self) -> None:
        self.loaders = Loaders(self.store, self.reference, self.viewer.restrict(ResourceFilter()))

    # The services of writes and of sharing are made on first use: a read (most requests)
    # never builds them.
    @functools.cached_property
    def cataloguing(self) -> Cataloguing:
        # Every version a mutation saves commits with its change event (the sync's outbox).
        return Cataloguing(self.store, outbox=outbox_record, rulebook=self.rulebook)

    @functools.cached_property
    def sharing(self) -> Sharing:
        # Ids name the instance that holds the request: any instance routes a question about
        # it there (federation.sharing.forwarding, rule 1).
        origin = self.store.catalog.id
        return Sharing(
            self.store,
            self.calendar,
            self.rulebook,
            self.clock,
            new_id=lambda: f"{origin}:{uuid.uuid4()}",
        )


Info: TypeAlias = StrawberryInfo[CatalogContext, None]
