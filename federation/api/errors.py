"""What a client sees of an error: domain refusals in full, everything else masked.

    GraphQL error shown to a client
    ├── a domain refusal (`graph.CatalogError`): its message, and `extensions` from
    │   `CatalogError.extensions()` — code, and for `InvalidValue` field, value, accepted
    ├── a request the endpoint refuses before running it: syntax and tokens
    │   (GRAPHQL_PARSE_FAILED), validation, depth, aliases (GRAPHQL_VALIDATION_FAILED);
    │   and one stopped for time (TIMEOUT, `RequestTimeout`)
    └── anything else (a driver error, a bug): "Internal error." with extensions.code
        INTERNAL_ERROR — never its message, a stack trace, Cypher or a path

Masked errors are logged in full on the server.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator

from graphql import GraphQLError
from strawberry.extensions import MaskErrors, SchemaExtension

from graph import CatalogError

__all__ = [
    "INTERNAL_MESSAGE",
    "DomainErrors",
    "RequestTimeout",
    "error_code",
    "masked_errors",
    "should_mask",
]

INTERNAL_MESSAGE = "Internal error."
_log = logging.getLogger("mulu.graphql")


class RequestTimeout(GraphQLError):
    """The request ran longer than the endpoint allows."""

    def __init__(self, seconds: float) -> None:
        super().__init__(
            f"the request took longer than {seconds:g} s and was stopped; ask for less "
            "(a smaller page, a shallower lineage) or retry later",
            extensions={"code": "TIMEOUT", "limitSeconds": seconds},
        )


def should_mask(error: GraphQLError) -> bool:
    """Mask every error a resolver raised, except the domain's own refusals."""
    original = error.original_error
    if original is None:  # the endpoint's own: parse, validation and limit errors
        return False
    return not isinstance(original, CatalogError | GraphQLError)


class DomainErrors(SchemaExtension):
    """Give each domain refusal its `extensions()`; log each internal error in full."""

    def on_operation(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        for error in getattr(result, "errors", None) or ():
            original = error.original_error
            if isinstance(original, CatalogError):
                error.extensions = original.extensions()
            elif should_mask(error) and original is not None:
                _log.error(
                    "masked an internal error at %s",
                    ".".join(str(p) for p in error.path or ()),
                    exc_info=(type(original), original, original.__traceback__),
                )


def error_code(error: GraphQLError) -> str:
    """The error's ``extensions.code``; the endpoint's own refusals get theirs here."""
    code = (error.extensions or {}).get("code")
    if not code:
        syntax = error.message.startswith("Syntax Error")
        code = "GRAPHQL_PARSE_FAILED" if syntax else "GRAPHQL_VALIDATION_FAILED"
        error.extensions = {**(error.extensions or {}), "code": code}
    return str(code)


class _Masking(MaskErrors):
    def anonymise_error(self, error: GraphQLError) -> GraphQLError:
        masked = super().anonymise_error(error)
        masked.extensions = {"code": "INTERNAL_ERROR"}
        return masked


def masked_errors() -> MaskErrors:
    """strawberry's `MaskErrors` with `should_mask`, the masked ones coded INTERNAL_ERROR."""
    return _Masking(should_mask_error=should_mask, error_message=INTERNAL_MESSAGE)
