"""The embedded store: the catalog of one instance in one SQLite file, standard library only.

The default when no Neo4j is configured, so that ``pip install`` and one command give a working
instance; it passes the same contract suite as the Neo4j store and is fine for a city-sized
catalog.

    async with EmbeddedStore.open("catalog.db", catalog) as store:
        page = await store.find(ResourceFilter(), search="人口")
"""

from graph.embedded.store import EmbeddedStore

__all__ = ["EmbeddedStore"]
