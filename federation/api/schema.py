"""The catalog's GraphQL schema: discovery, maintenance, and an Apollo Federation v2 subgraph.

    schema = build_schema(Limits(max_depth=8))
    result = await schema.execute("{ resources(first: 5) { totalCount } }", context_value=ctx)

strawberry 0.341 composes Federation 2 by default (`enable_federation_2` is gone); the
subgraph declares version 2.7, which `@apollo/composition` 2.x composes.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import strawberry
from graphql import GraphQLError
from strawberry.extensions import SchemaExtension
from strawberry.federation.schema import FederationAny
from strawberry.types import ExecutionContext, ExecutionResult, Info

from federation.api.audit import AuditRefusals
from federation.api.errors import DomainErrors, RequestTimeout, error_code, masked_errors
from federation.api.execution import PlainFieldsExecutor
from federation.api.limits import Limits, limit_extensions
from federation.api.mutations import Mutation
from federation.api.peers import UnreachablePeers
from federation.api.query import Query
from graph.deadline import deadline_after
from graph.errors import InvalidValue

__all__ = ["CatalogSchema", "build_schema"]


class CatalogSchema(strawberry.federation.Schema):
    """The federation schema, with every execution bounded in time."""

    def __init__(
        self,
        *,
        timeout_seconds: float,
        on_error: Callable[[str], None] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.timeout_seconds = timeout_seconds
        self.on_error = on_error

    def entities_resolver(
        self,
        info: Info,
        representations: list[FederationAny],  # strawberry reads these annotations
    ) -> list[FederationAny]:
        """`_entities`, after every representation is checked: an object naming an entity
        type of this schema by `__typename` and a `code` string, nothing else — before any
        is resolved, so that a bad one neither fails inside strawberry nor leaves the others'
        resolvers unawaited."""
        entities = self._entity_types()
        for index, representation in enumerate(representations):
            where = f"representations[{index}]"
            if not isinstance(representation, dict):
                raise InvalidValue(where, representation, 'an object {"__typename", "code"}')
            name = representation.get("__typename")
            if name not in entities:
                accepted = ", ".join(sorted(entities))
                raise InvalidValue(f"{where}.__typename", name, f"one of {accepted}")
            if set(representation) != {"__typename", "code"} or not isinstance(
                representation["code"], str
            ):
                raise InvalidValue(
                    where,
                    {key: str(value)[:40] for key, value in representation.items()},
                    f'{{"__typename": "{name}", "code": "<resource code>"}} and no other key',
                )
        return super().entities_resolver(info, representations)

    def _entity_types(self) -> frozenset[str]:
        """The names of the types `_entities` resolves: those with a `resolve_reference`."""
        return frozenset(
            name
            for name, type_ in self.schema_converter.type_map.items()
            if hasattr(getattr(type_.definition, "origin", None), "resolve_reference")
        )

    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        # strawberry logs every error, a client's typo included; `DomainErrors` logs the
        # internal ones (the only ones worth an operator's attention) in full instead.
        return None

    async def execute(self, *args: Any, **kwargs: Any) -> ExecutionResult:
        try:
            # The deadline tells the store how long its database may take (Neo4j's
            # transaction timeout); the timeout cancels the request's tasks, and with them
            # the store's work (SQLite's interrupt).
            with deadline_after(self.timeout_seconds):
                async with asyncio.timeout(self.timeout_seconds):
                    result = await super().execute(*args, **kwargs)
        except TimeoutError:
            result = ExecutionResult(data=None, errors=[RequestTimeout(self.timeout_seconds)])
        for error in result.errors or ():
            code = error_code(error)
            if self.on_error is not None:
                self.on_error(code)
        return result


def build_schema(
    limits: Limits | None = None, on_error: Callable[[str], None] | None = None
) -> CatalogSchema:
    """The schema with `limits` enforced; `on_error` hears the code of every error returned."""
    limits = limits or Limits()
    # Exits run last-first: DomainErrors sees the original errors before MaskErrors hides them.
    extensions: list[Callable[[], SchemaExtension]] = [
        *limit_extensions(limits),
        masked_errors,
        DomainErrors,
        AuditRefusals,
        UnreachablePeers,
    ]
    return CatalogSchema(
        query=Query,
        mutation=Mutation,
        extensions=extensions,
        federation_version="2.7",
        execution_context_class=PlainFieldsExecutor,
        timeout_seconds=limits.timeout_seconds,
        on_error=on_error,
    )
