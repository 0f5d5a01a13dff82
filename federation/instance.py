"""The store of one instance, opened from its settings: embedded SQLite or Neo4j; and its
sync (`open_sync`): a `SyncWorker` over the links the topology names for it.

async with open_store(settings) as store, open_sync(settings, store) as worker:
    await store.ping()
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager, suppress
from pathlib import Path
from typing import TYPE_CHECKING

from federation.settings import Settings
from graph import Catalog, CatalogStore

if TYPE_CHECKING:
    from sync.worker import SyncWorker

__all__ = ["embedded_path", "open_store", "open_sync"]


def embedded_path(settings: Settings, catalog: Catalog) -> Path:
    """The SQLite file of `catalog` under the data directory: ``var/510100-intranet.db``."""
    return settings.data_dir / (catalog.id.replace("/", "-") + ".db")


@asynccontextmanager
async def open_store(settings: Settings) -> AsyncIterator[CatalogStore]:
    """The store `settings` name, open for the life of the context."""
    catalog = settings.catalog()
    if settings.store == "neo4j":
        # Imported only when asked for: an embedded instance never loads the Neo4j driver.
        from graph.neo4j import Neo4jStore

        credentials = (settings.neo4j.user, settings.neo4j.password.get_secret_value())
        async with Neo4jStore.open(
            settings.neo4j.uri, credentials, catalog=catalog, database=settings.neo4j.database
        ) as store:
            yield store
        return
    from graph.embedded import EmbeddedStore

    path = embedded_path(settings, catalog)
    path.parent.mkdir(parents=True, exist_ok=True)
    async with EmbeddedStore.open(path, catalog) as embedded:
        yield embedded


@asynccontextmanager
async def open_sync(settings: Settings, store: CatalogStore) -> AsyncIterator[SyncWorker | None]:
    """The instance's relays and consumers, running for the life of the context: the links
    of `settings.topology` that start or end at this instance, over the embedded log shared
    by the topology's instances on this host, or Kafka as this instance's principal. None when
    there is no topology or it names no link of this instance."""
    if settings.topology is None:
        yield None
        return
    # Imported here: an instance without links never loads the sync's clients.
    from federation.runtime import logs_from_settings, topology_data_dir
    from federation.topology import load_topology
    from sync.errors import LogNotPermitted
    from sync.worker import SyncWorker

    own = store.catalog.id
    topology = load_topology(settings.topology)
    links = topology.links_from(own) + topology.links_to(own)
    if not links:
        yield None
        return
    open_log = logs_from_settings(settings, topology_data_dir(settings.topology))
    async with AsyncExitStack() as stack:
        log = await stack.enter_async_context(open_log(own))
        for link in topology.links_from(own):
            for topic in link.topics:
                with suppress(LogNotPermitted):  # provisioned by an administrator (sync.acls)
                    await log.create_topic(topic)
        yield await stack.enter_async_context(SyncWorker(store, log, links))
