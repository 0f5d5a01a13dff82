"""Fixtures of the store contract suite: every test that takes `store` (or `open_store`) runs
once against the embedded store and once against Neo4j (the real server: see tests/conftest.py).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
from neo4j import AsyncDriver, AsyncGraphDatabase

from graph import Catalog, CatalogStore, Zone
from graph.neo4j import Neo4jStore

CHENGDU_INTRANET = Catalog(
    "510100", Zone.INTRANET, "成都市政务信息资源目录（内网）", "510000/intranet"
)
CHENGDU_EXTRANET = Catalog(
    "510100", Zone.EXTRANET, "成都市政务信息资源目录（外网）", "510000/extranet"
)

OpenStore = Callable[[Catalog], AbstractAsyncContextManager[CatalogStore]]


@pytest.fixture(params=["embedded", pytest.param("neo4j", marks=pytest.mark.neo4j)])
def open_store(request: pytest.FixtureRequest, tmp_path: Path) -> OpenStore:
    """A factory: ``async with open_store(catalog) as store`` — an empty store of that catalog."""
    if request.param == "embedded":
        from graph.embedded import EmbeddedStore

        def open_embedded(catalog: Catalog) -> AbstractAsyncContextManager[CatalogStore]:
            # One file per catalog and test: a test reopening a catalog (to see that data
            # survives a reopen) finds it as it left it, as on Neo4j.
            name = catalog.id.replace("/", "-")
            return EmbeddedStore.open(tmp_path / f"catalog-{name}.db", catalog)

        return open_embedded

    server: Any = request.getfixturevalue("neo4j_server")
    erased = False

    @asynccontextmanager
    async def open_neo4j(catalog: Catalog) -> AsyncIterator[CatalogStore]:
        # One Neo4j server holds one graph: a test opening it twice (to see that data
        # survives a reopen) finds it as it left it; each test starts from an empty graph.
        nonlocal erased
        async with Neo4jStore.open(
            server.uri, (server.user, server.password), catalog=catalog
        ) as store:
            if not erased:
                await store.erase_all()
                erased = True
            yield store

    return open_neo4j


@pytest.fixture
async def store(open_store: OpenStore) -> AsyncIterator[CatalogStore]:
    """An empty store of the 成都 intranet catalog."""
    async with open_store(CHENGDU_INTRANET) as opened:
        yield opened


@pytest.fixture
async def neo4j_store(neo4j_server: Any) -> AsyncIterator[Neo4jStore]:
    """An empty Neo4j store of the 成都 intranet catalog (the Neo4j-only tests' store)."""
    async with Neo4jStore.open(
        neo4j_server.uri, (neo4j_server.user, neo4j_server.password), catalog=CHENGDU_INTRANET
    ) as opened:
        await opened.erase_all()
        yield opened


@pytest.fixture
async def driver(neo4j_server: Any) -> AsyncIterator[AsyncDriver]:
    """A driver on the session's Neo4j as the store left it (nothing erased: unlike
    `neo4j_driver`, it may be asked for after a store that has written), notifications off."""
    async with AsyncGraphDatabase.driver(
        neo4j_server.uri,
        auth=(neo4j_server.user, neo4j_server.password),
        notifications_min_severity="OFF",
    ) as opened:
        yield opened
