"""`strawberry.field` / `strawberry.mutation` with a description, typed for mypy strict.

strawberry types the keyword-only form as ``Any``; these give it a signature, so a described
resolver stays a typed `StrawberryField`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import strawberry
from strawberry.types.field import StrawberryField

__all__ = ["field", "mutation"]

Decorator = Callable[[Callable[..., Any]], StrawberryField]


def field(description: str, graphql_type: Any | None = None) -> Decorator:
    """A described field; `graphql_type` is its type in the schema where the resolver's own
    annotation is not (one that answers at once or later, say)."""
    decorator: Decorator = strawberry.field(description=description, graphql_type=graphql_type)
    return decorator


def mutation(description: str) -> Decorator:
    decorator: Decorator = strawberry.mutation(description=description)
    return decorator
