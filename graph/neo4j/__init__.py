"""The Neo4j store: the `graph.store.CatalogStore` on Neo4j 5.26, for production.

async with Neo4jStore.open(uri, (user, password), catalog=catalog) as store:
    await store.save(entry, expected_version=None)
"""

from graph.neo4j.store import Neo4jStore

__all__ = ["Neo4jStore"]
