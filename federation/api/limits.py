"""What one request may ask: depth, aliases, tokens, list lengths; and the caches that make
asking cheap.

Every list an argument is given — `_entities`' representations, ``departments(codes:)``, a
filter's lists, in the document or in the variables — holds at most `max_list_items`, checked
before anything runs (`ListBound`). The page size and the search are bounded where they are
asked (`graph.queries.MAX_PAGE_SIZE`, `MAX_SEARCH_LENGTH`), the time in `CatalogSchema.execute`,
the body and the variables' nesting before GraphQL sees them (`federation.api.body`).
Introspection stays on for GraphiQL; its fields (``__schema``…) do not count towards the depth,
while aliases and tokens bound every document alike.

The depth and alias rules are graphql-core rule classes, and strawberry's validation cache keys
on the document *and* the rule classes: the classes are made once per schema, so a document
seen before is not validated again.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from graphql import (
    DocumentNode,
    ExecutableDefinitionNode,
    FieldNode,
    GraphQLError,
    ListValueNode,
    ObjectValueNode,
    ValueNode,
    VariableNode,
)
from strawberry.extensions import (
    AddValidationRules,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    ParserCache,
    QueryDepthLimiter,
    SchemaExtension,
    ValidationCache,
)
from strawberry.types import ExecutionResult

from graph import InvalidValue

__all__ = ["Limits", "ListBound", "limit_extensions"]


@dataclass(frozen=True, slots=True)
class Limits:
    """Bounds of one GraphQL request."""

    max_depth: int = 10
    max_aliases: int = 30
    max_tokens: int = 2000
    timeout_seconds: float = 10.0
    cache_size: int = 256
    max_body_bytes: int = 1_048_576
    max_list_items: int = 1000
    max_variables_depth: int = 10


def _too_long(where: str, value: object, limit: int) -> InvalidValue | None:
    """The first list in `value` (raw JSON, as variables come) longer than `limit`."""
    if isinstance(value, list):
        if len(value) > limit:
            return _refusal(where, len(value), limit)
        for index, item in enumerate(value):
            if refused := _too_long(f"{where}[{index}]", item, limit):
                return refused
    elif isinstance(value, dict):
        for name, item in value.items():
            if refused := _too_long(f"{where}.{name}", item, limit):
                return refused
    return None


def _refusal(where: str, size: int, limit: int) -> InvalidValue:
    return InvalidValue(where, f"{size} items", f"a list of at most {limit} items")


def _fields(document: DocumentNode) -> Iterator[FieldNode]:
    """Every field selected in `document`: its operations', its fragments'."""
    pending = [
        d.selection_set for d in document.definitions if isinstance(d, ExecutableDefinitionNode)
    ]
    while pending:
        for selection in pending.pop().selections:
            if isinstance(selection, FieldNode):
                yield selection
            nested = getattr(selection, "selection_set", None)  # fields', inline fragments'
            if nested is not None:
                pending.append(nested)


def _node_too_long(
    where: str, node: ValueNode, variables: Mapping[str, Any], limit: int
) -> InvalidValue | None:
    """The first list longer than `limit` in the argument value `node`."""
    if isinstance(node, VariableNode):
        return _too_long(where, variables.get(node.name.value), limit)
    if isinstance(node, ListValueNode):
        if len(node.values) > limit:
            return _refusal(where, len(node.values), limit)
        for index, item in enumerate(node.values):
            if refused := _node_too_long(f"{where}[{index}]", item, variables, limit):
                return refused
    elif isinstance(node, ObjectValueNode):
        for field in node.fields:
            inner = f"{where}.{field.name.value}"
            if refused := _node_too_long(inner, field.value, variables, limit):
                return refused
    return None


def longest_list_refusal(
    document: DocumentNode, variables: Mapping[str, Any] | None, limit: int
) -> InvalidValue | None:
    """The refusal of the first argument of `document` (with `variables`) that holds a list
    longer than `limit`, named ``field.argument``; None when every list is within it."""
    for field in _fields(document):
        for argument in field.arguments or ():
            where = f"{field.name.value}.{argument.name.value}"
            if refused := _node_too_long(where, argument.value, variables or {}, limit):
                return refused
    return None


class ListBound(SchemaExtension):
    """Refuses, before execution, a request whose arguments hold a list over the bound: nothing
    runs, so 200,000 representations cost a walk over the variables, not 200,000 lookups."""

    def __init__(self, *, max_items: int) -> None:
        self.max_items = max_items

    def on_execute(self) -> Iterator[None]:
        context = self.execution_context
        document = context.graphql_document
        refused = document and longest_list_refusal(document, context.variables, self.max_items)
        if refused:
            error = GraphQLError(str(refused), original_error=refused)
            context.result = ExecutionResult(data=None, errors=[error])
        yield


def limit_extensions(limits: Limits) -> list[Callable[[], SchemaExtension]]:
    """Factories of the extensions enforcing `limits`, one fresh set per request over rule
    classes made here, once."""
    rules = [
        *QueryDepthLimiter(max_depth=limits.max_depth).validation_rules,
        *MaxAliasesLimiter(max_alias_count=limits.max_aliases).validation_rules,
    ]
    return [
        lambda: MaxTokensLimiter(max_token_count=limits.max_tokens),
        lambda: ParserCache(maxsize=limits.cache_size),
        lambda: AddValidationRules(rules),
        lambda: ValidationCache(maxsize=limits.cache_size),
        lambda: ListBound(max_items=limits.max_list_items),
    ]
