"""The store of one instance, opened from its settings: embedded SQLite or Neo4j.

async with open_store(settings) as store:
    await store.ping()
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from federation.settings import Settings
from graph import Catalog, CatalogStore

__all__ = ["embedded_path", "open_store"]


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
