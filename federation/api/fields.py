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


def field(description: str) -> Decorator:
    decorator: Decorator = strawberry.field(description=description)
    return decorator


def mutation(description: str) -> Decorator:
    decorator: Decorator = strawberry.mutation(description=description)
    return decorator
