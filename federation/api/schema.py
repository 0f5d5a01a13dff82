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
from strawberry.extensions import SchemaExtension
from strawberry.types import ExecutionResult

from federation.api.errors import DomainErrors, RequestTimeout, masked_errors
from federation.api.limits import Limits, limit_extensions
from federation.api.mutations import Mutation
from federation.api.query import Query

__all__ = ["CatalogSchema", "build_schema"]


class CatalogSchema(strawberry.federation.Schema):
    """The federation schema, with every execution bounded in time."""

    def __init__(self, *, timeout_seconds: float, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.timeout_seconds = timeout_seconds

    async def execute(self, *args: Any, **kwargs: Any) -> ExecutionResult:
        try:
            async with asyncio.timeout(self.timeout_seconds):
                return await super().execute(*args, **kwargs)
        except TimeoutError:
            return ExecutionResult(data=None, errors=[RequestTimeout(self.timeout_seconds)])


def build_schema(
    limits: Limits | None = None, on_error: Callable[[str], None] | None = None
) -> CatalogSchema:
    """The schema with `limits` enforced; `on_error` hears the code of every error returned."""
    limits = limits or Limits()
    # Exits run last-first: DomainErrors sees the original errors before MaskErrors hides them.
    extensions: list[Callable[[], SchemaExtension]] = [
        *limit_extensions(limits),
        masked_errors,
        lambda: DomainErrors(on_error),
    ]
    return CatalogSchema(
        query=Query,
        mutation=Mutation,
        extensions=extensions,
        federation_version="2.7",
        timeout_seconds=limits.timeout_seconds,
    )
