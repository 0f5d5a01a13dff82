"""`PlainFieldsExecutor`: plain leaf fields answered from their objects, every answer (errors
included) the one strawberry's own executor gives."""

from __future__ import annotations

from enum import Enum
from typing import Any

import pytest
import strawberry
from graphql import GraphQLField, GraphQLObjectType, GraphQLResolveInfo
from graphql.pyutils import Path
from strawberry.extensions import SchemaExtension
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from federation.api.execution import PlainFieldsExecutor
from federation.api.schema import build_schema


@strawberry.enum
class Colour(Enum):
    RED = "RED"
    BLUE = "BLUE"


@strawberry.type
class Leaf:
    name: str
    count: int
    colour: Colour
    note: str | None
    absent: str  # None in some objects: a non-null field that errs
    big: int  # past 32 bits in some objects: an Int that errs
    shade: Colour  # not a Colour in some objects: an enum that errs

    @strawberry.field
    def shout(self) -> str:
        return self.name.upper()

    @strawberry.field
    def times(self, n: int) -> int:
        return self.count * n


@strawberry.type
class Node:
    id: strawberry.ID
    leaves: list[Leaf]
    children: list[Node]


def _leaf(name: str, *, absent: Any = "here", big: int = 1, shade: Any = Colour.BLUE) -> Leaf:
    return Leaf(
        name=name,
        count=len(name),
        colour=Colour.RED,
        note=None,
        absent=absent,
        big=big,
        shade=shade,
    )


ROOT = Node(
    id=strawberry.ID("root"),
    leaves=[_leaf("a"), _leaf("bb", absent=None), _leaf("ccc", big=2**40), _leaf("d", shade=7)],
    children=[Node(id=strawberry.ID("child"), leaves=[_leaf("e")], children=[])],
)


@strawberry.type
class Query:
    @strawberry.field
    def root(self) -> Node:
        return ROOT


class Uppercase(SchemaExtension):
    """Wraps every resolver: plain fields too must pass through it."""

    def resolve(self, _next: Any, root: Any, info: GraphQLResolveInfo, **kwargs: Any) -> Any:
        value = _next(root, info, **kwargs)
        return value.upper() if isinstance(value, str) else value


def _schema(executor: type | None, *extensions: type[SchemaExtension]) -> strawberry.Schema:
    return strawberry.Schema(
        query=Query, execution_context_class=executor, extensions=list(extensions)
    )


QUERIES = [
    "{ root { id leaves { name count colour note } } }",
    "{ root { leaves { name shout times(n: 3) } children { id leaves { name } } } }",
    "{ root { leaves { absent } } }",
    "{ root { leaves { big } } }",
    "{ root { leaves { shade } } }",
    "{ root { leaves { first: name second: name, ...on Leaf { colour } } } }",
    "{ root { id __typename leaves { __typename name } } }",
]


def _answer(result: Any) -> Any:
    return result.data, [(e.message, e.path) for e in result.errors or ()]


@pytest.mark.parametrize("query", QUERIES)
async def test_an_answer_is_the_one_strawberrys_executor_gives(query: str) -> None:
    expected = _answer(await _schema(None).execute(query))
    assert _answer(await _schema(PlainFieldsExecutor).execute(query)) == expected


@pytest.mark.parametrize("query", QUERIES)
async def test_a_schema_extension_that_wraps_resolvers_still_wraps_plain_fields(
    query: str,
) -> None:
    expected = _answer(await _schema(None, Uppercase).execute(query))
    assert _answer(await _schema(PlainFieldsExecutor, Uppercase).execute(query)) == expected


def _counting(base: type[StrawberryGraphQLCoreExecutionContext]) -> tuple[type, list[str]]:
    """`base`, counting the fields graphql-core resolves itself (each builds a resolve info)."""
    resolved: list[str] = []

    class Counting(base):  # type: ignore[valid-type,misc]
        def build_resolve_info(
            self,
            field_def: GraphQLField,
            field_nodes: Any,
            parent_type: GraphQLObjectType,
            path: Path,
        ) -> GraphQLResolveInfo:
            resolved.append(f"{parent_type.name}.{field_nodes[0].name.value}")
            info: GraphQLResolveInfo = super().build_resolve_info(
                field_def, field_nodes, parent_type, path
            )
            return info

    return Counting, resolved


async def test_plain_leaf_fields_are_answered_without_graphql_cores_resolution() -> None:
    query = "{ root { id leaves { name count colour note shout } children { id } } }"
    plain, by_plain = _counting(PlainFieldsExecutor)
    every, by_strawberry = _counting(StrawberryGraphQLCoreExecutionContext)
    assert not (await _schema(plain).execute(query)).errors
    assert not (await _schema(every).execute(query)).errors
    # root, id, leaves, 5 fields of each of 4 leaves, children, the child's id: every field.
    assert len(by_strawberry) == 25
    # Only the root, the lists of objects and the field with a resolver: 1 + 1 + 4 + 1.
    assert sorted(by_plain) == [
        *["Leaf.shout"] * 4,
        "Node.children",
        "Node.leaves",
        "Query.root",
    ]


def test_the_catalog_schema_runs_on_it() -> None:
    assert build_schema().execution_context_class is PlainFieldsExecutor
