"""Fixtures of the API tests: every test that takes `gql` (or `store`) runs against the embedded
store and against Neo4j (the real server, see tests/conftest.py), seeded with `catalog.seed`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path
from typing import Any

import pytest

from federation.settings import Settings
from graph import Catalog, CatalogStore
from tests.federation.catalog import CHENGDU, seed
from tests.federation.support import GraphQLCaller, SpyStore, app_over, serve

OpenStore = Callable[[Catalog], AbstractAsyncContextManager[CatalogStore]]


@pytest.fixture(params=["embedded", pytest.param("neo4j", marks=pytest.mark.neo4j)])
def open_store(request: pytest.FixtureRequest, tmp_path: Path) -> OpenStore:
    """A factory: ``async with open_store(catalog) as store`` — an empty store of that catalog."""
    if request.param == "embedded":
        from graph.embedded import EmbeddedStore

        return lambda catalog: EmbeddedStore.open(tmp_path / "catalog.db", catalog)

    from graph.neo4j import Neo4jStore

    server: Any = request.getfixturevalue("neo4j_server")

    @asynccontextmanager
    async def open_neo4j(catalog: Catalog) -> AsyncIterator[CatalogStore]:
        async with Neo4jStore.open(
            server.uri, (server.user, server.password), catalog=catalog
        ) as store:
            await store.erase_all()
            yield store

    return open_neo4j


@pytest.fixture
async def store(open_store: OpenStore) -> AsyncIterator[CatalogStore]:
    """The 成都 intranet store, seeded with the test catalog."""
    async with open_store(CHENGDU) as opened:
        await seed(opened)
        yield opened


@pytest.fixture
def spy(store: CatalogStore) -> SpyStore:
    return SpyStore(store)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path, dev_identity_header=True)


@pytest.fixture
async def gql(spy: SpyStore, settings: Settings) -> AsyncIterator[GraphQLCaller]:
    """A GraphQL caller of an in-process instance over the seeded store (behind the spy)."""
    async with serve(app_over(settings, spy)) as http:
        yield GraphQLCaller(http)
