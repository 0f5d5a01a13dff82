"""The store of one instance, opened from its settings: embedded SQLite or Neo4j.

async with open_store(settings) as store:
    await store.ping()
"""

from __future__ import annotations

import importlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

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
        # Imported only when asked for, so an embedded instance needs no Neo4j driver at start.
        neo4j: Any = importlib.import_module("graph.neo4j")
        credentials = (settings.neo4j.user, settings.neo4j.password.get_secret_value())
        async with neo4j.Neo4jStore.open(settings.neo4j.uri, credentials, catalog=catalog) as store:
            yield store
        return
    from graph.embedded import EmbeddedStore

    path = embedded_path(settings, catalog)
    path.parent.mkdir(parents=True, exist_ok=True)
    async with EmbeddedStore.open(path, catalog) as embedded:
        yield embedded
