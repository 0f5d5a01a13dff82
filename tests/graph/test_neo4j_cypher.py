"""The Neo4j store's Cypher as data (`graph.neo4j.cypher`): every constant is text the server
accepts, each module exports exactly its constants, and none lies unused.

Defect classes: a statement broken when it was moved or joined from fragments (a syntax error,
a ``{part}`` left unfilled), a constant left behind that nothing runs any more (as
``WRITE_TOMBSTONE`` was, from the store's first version on: redacting writes the tombstone in
``REDACT_RESOURCE``), and a module whose ``__all__`` drifted from what it defines.
"""

from __future__ import annotations

import ast
import importlib
import pkgutil
import re
from collections.abc import AsyncIterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from neo4j import AsyncDriver, AsyncGraphDatabase
from neo4j.exceptions import Neo4jError

import graph
import graph.neo4j.cypher as package
from graph.neo4j import Neo4jStore
from graph.neo4j.cypher import fill
from graph.neo4j.cypher.finding import (
    ALL_RESOURCES,
    FACET_CATEGORY,
    FACET_GROUPS,
    SEARCHED_RESOURCES,
)
from graph.neo4j.cypher.sharing import PAGE_SHARE_REQUESTS
from tests.graph.conftest import CHENGDU_INTRANET

GRAPH = Path(graph.__file__).parent
# A part `fill` was meant to put in and did not: ``{where}``, not a map (``{code: key}``) nor a
# subquery (``CALL { ...``).
UNFILLED = re.compile(r"\{[a-z_]+\}")


def _modules() -> list[ModuleType]:
    return [
        importlib.import_module(f"{package.__name__}.{info.name}")
        for info in pkgutil.iter_modules(package.__path__)
    ]


def _defined(module: ModuleType) -> dict[str, object]:
    """What `module` itself assigns at module level (not what it imports), by name."""
    tree = ast.parse(Path(module.__file__ or "").read_text(encoding="utf-8"))
    names = [
        target.id
        for node in tree.body
        if isinstance(node, ast.Assign)
        for target in node.targets
        if isinstance(target, ast.Name) and target.id != "__all__"
    ]
    return {name: getattr(module, name) for name in names}


def _public(module: ModuleType) -> dict[str, object]:
    return {k: v for k, v in _defined(module).items() if not k.startswith("_")}


def test_the_package_has_a_module_per_concern_and_nothing_else() -> None:
    assert sorted(m.__name__.rsplit(".", 1)[1] for m in _modules()) == [
        "audit",
        "data_updates",
        "database",
        "finding",
        "grants",
        "lineage",
        "reading",
        "reference",
        "search",
        "sharing",
        "tree",
        "writes",
    ]
    assert package.__all__ == ["all_of", "fill"]


@pytest.mark.parametrize("module", _modules(), ids=lambda m: m.__name__.rsplit(".", 1)[1])
def test_each_module_exports_exactly_its_constants_each_non_empty_text(
    module: ModuleType,
) -> None:
    public = _public(module)
    assert sorted(module.__all__) == sorted(public)
    for name, value in _defined(module).items():
        if isinstance(value, tuple):  # the property names a new node is written with
            assert value, name
            assert all(isinstance(p, str) and p.isidentifier() for p in value), name
        else:
            assert isinstance(value, str), name
            assert value.strip(), name


def _uses(path: Path) -> tuple[set[tuple[str, str]], set[str], set[str]]:
    """In the file at `path`: the (module, name) pairs it imports from the package's modules,
    the names it reads, and the attributes it reads."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    imported = {
        (node.module or "", alias.name)
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith(package.__name__)
        for alias in node.names
    }
    read = {
        node.id
        for node in ast.walk(tree)
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load)
    }
    attributes = {node.attr for node in ast.walk(tree) if isinstance(node, ast.Attribute)}
    return imported, read, attributes


def test_every_constant_is_used_somewhere_in_graph() -> None:
    files = {path: _uses(path) for path in GRAPH.rglob("*.py")}
    unused = []
    for module in _modules():
        own = Path(module.__file__ or "")
        for name in _defined(module):
            used = False
            for path, (imported, read, attributes) in files.items():
                if path == own or (module.__name__, name) in imported:
                    used = used or name in read
                elif any(
                    m == package.__name__ and n == module.__name__.rsplit(".", 1)[1]
                    for m, n in imported
                ):
                    used = used or name in attributes
            if not used:
                unused.append(f"{module.__name__}.{name}")
    assert unused == []


def _statements() -> dict[str, str]:
    """Every public text of the package as a statement the server can plan: a ``WHERE_…``
    fragment filters search hits (the widest selection: ``r`` and ``score``), a ``WHEN_…``
    condition a page of share requests (``n``), a selection heads the facets' statement, and a
    template gets the widest parts."""
    parts = {
        "where": "true",
        "after": "true",
        "score": "1",
        "member": "true",
        "hops": "1",
        "selected": fill(ALL_RESOURCES, where="true"),
        "category": FACET_CATEGORY,
        "property": "share_type",
    }
    statements: dict[str, str] = {}
    for module in _modules():
        for name, value in _public(module).items():
            if not isinstance(value, str):
                continue
            if name.startswith("WHERE_"):
                selected = fill(SEARCHED_RESOURCES, where=value)
                statement = fill(FACET_GROUPS, selected=selected, category=FACET_CATEGORY)
            elif name.startswith("FACET_CATEGORY"):  # an entry's category key in the facets
                statement = fill(FACET_GROUPS, selected=parts["selected"], category=value)
            elif name.startswith("WHEN_"):
                statement = fill(PAGE_SHARE_REQUESTS, where=value)
            elif "{where}" in value and "RETURN" not in value:
                selected = fill(value, where="true")
                statement = fill(FACET_GROUPS, selected=selected, category=FACET_CATEGORY)
            else:
                statement = fill(value, **parts)
            statements[f"{module.__name__.rsplit('.', 1)[1]}.{name}"] = statement
    return statements


@pytest.fixture
async def driver(neo4j_server: Any) -> AsyncIterator[AsyncDriver]:
    # The store makes the schema: the index a hint names must exist for the plan.
    async with Neo4jStore.open(
        neo4j_server.uri, (neo4j_server.user, neo4j_server.password), catalog=CHENGDU_INTRANET
    ):
        pass
    async with AsyncGraphDatabase.driver(
        neo4j_server.uri,
        auth=(neo4j_server.user, neo4j_server.password),
        notifications_min_severity="OFF",
    ) as opened:
        yield opened


@pytest.mark.neo4j
async def test_every_statement_is_planned_by_the_server(driver: AsyncDriver) -> None:
    statements = _statements()
    assert len(statements) > 50
    refused = {}
    async with driver.session() as session:
        for name, statement in statements.items():
            unfilled = UNFILLED.search(statement)
            if unfilled:
                refused[name] = f"{unfilled.group()} left unfilled"
                continue
            try:
                result = await session.run(f"EXPLAIN {statement}")
                summary = await result.consume()
                assert summary.plan, name
            except Neo4jError as error:  # collected, to show every refusal at once
                refused[name] = str(error)[:300]
    assert refused == {}
