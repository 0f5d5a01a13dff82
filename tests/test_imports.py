"""The packages' imports, read from their source with `ast` (nothing is imported): no module
of graph, sync, federation or infra takes part in an import circle, and imports run one way,
federation → sync → graph.

Defect class: an import circle (`federation.app` → `federation.instance` →
`federation.runtime` → `federation.app` was one) or an import against the direction of the
layers; either works until the first module of the circle is imported from the other end.
Imports inside functions and under `TYPE_CHECKING` count: they are dependencies all the same.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator, Mapping
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("graph", "sync", "federation", "infra")


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def modules() -> dict[str, Path]:
    """Every module of the packages, by dotted name."""
    found = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            found[module_name(path)] = path
    return found


def imported(name: str, path: Path, known: Mapping[str, Path]) -> set[str]:
    """The modules of `known` that module `name` (its source at `path`) imports: the most
    specific module each import statement names (``from graph.codes import NATION`` is
    graph.codes; ``from graph.neo4j import cypher`` is graph.neo4j.cypher when that is a
    module)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    is_package = path.name == "__init__.py"
    targets: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            targets.update(_known_prefix(alias.name, known) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = _absolute(node, name, is_package)
            for alias in node.names:
                whole = f"{base}.{alias.name}" if base else alias.name
                targets.add(whole if whole in known else _known_prefix(base, known))
    targets.discard("")
    targets.discard(name)
    return targets


def _absolute(node: ast.ImportFrom, name: str, is_package: bool) -> str:
    if node.level == 0:
        return node.module or ""
    parts = name.split(".")
    if not is_package:
        parts = parts[:-1]
    parts = parts[: len(parts) - (node.level - 1)]
    return ".".join([*parts, node.module] if node.module else parts)


def _known_prefix(dotted: str, known: Mapping[str, Path]) -> str:
    """The longest module of `known` that `dotted` names or lies in; "" for none (the
    standard library, third parties)."""
    parts = dotted.split(".")
    while parts:
        candidate = ".".join(parts)
        if candidate in known:
            return candidate
        parts.pop()
    return ""


def import_graph() -> dict[str, set[str]]:
    known = modules()
    return {name: imported(name, path, known) for name, path in known.items()}


def circles(graph: Mapping[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def against_the_layers(graph: Mapping[str, set[str]]) -> Iterator[str]:
    forbidden = {"graph": ("sync", "federation"), "sync": ("federation",)}
    for name, targets in sorted(graph.items()):
        above = forbidden.get(name.split(".")[0], ())
        for target in sorted(targets):
            if target.split(".")[0] in above:
                yield f"{name} imports {target}"


def test_the_walk_sees_every_package_and_the_imports_between_them() -> None:
    # Guards the two tests below against passing because the walk found nothing.
    graph = import_graph()
    assert {name.split(".")[0] for name in graph} == set(PACKAGES)
    assert "graph.model" in graph["graph"]
    assert "sync.worker" in graph["federation.instance"]


def test_a_circle_is_found_and_named() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert circles(graph) == [["a", "b", "c"]]


def test_no_module_of_the_packages_is_in_an_import_circle() -> None:
    found = circles(import_graph())
    assert not found, "import circles: " + "; ".join(" ⇄ ".join(c) for c in found)


def test_graph_imports_neither_sync_nor_federation_and_sync_not_federation() -> None:
    wrong = list(against_the_layers(import_graph()))
    assert not wrong, "imports against federation → sync → graph: " + "; ".join(wrong)
