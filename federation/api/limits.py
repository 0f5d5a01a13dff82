"""What one request may ask: depth, aliases, tokens; and the caches that make asking cheap.

The page size is bounded where it is asked (`graph.queries.MAX_PAGE_SIZE`), the time in
`CatalogSchema.execute`. Introspection stays on for GraphiQL; its fields (``__schema``…) do not
count towards the depth, while aliases and tokens bound every document alike.

The depth and alias rules are graphql-core rule classes, and strawberry's validation cache keys
on the document *and* the rule classes: the classes are made once per schema, so a document
seen before is not validated again.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from strawberry.extensions import (
    AddValidationRules,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    ParserCache,
    QueryDepthLimiter,
    SchemaExtension,
    ValidationCache,
)

__all__ = ["Limits", "limit_extensions"]


@dataclass(frozen=True, slots=True)
class Limits:
    """Bounds of one GraphQL request."""

    max_depth: int = 10
    max_aliases: int = 30
    max_tokens: int = 2000
    timeout_seconds: float = 10.0
    cache_size: int = 256


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
    ]
