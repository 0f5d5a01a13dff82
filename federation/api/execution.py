"""The executor of the schema: a plain field's value taken straight from its object.

Most fields of an answer are plain: an attribute of the object its parent resolved to (a
catalog's ``id``, ``name`` and counts, an entry's ``code`` and ``summary``, a data item's
``dataType``), of a scalar or enum type, with no resolver, no argument and no field
extension. graphql-core runs each through its whole machinery all the same — a resolve info
of fourteen values built, the value checked for an awaitable and completed through the
non-null, list, leaf and object cases in turn: the catalog tree's 120 plain fields took
about a third of its execution that way.

`PlainFieldsExecutor` answers such a field itself: the value strawberry's own resolver of a
plain field gives (its default resolver, `getattr`, of the attribute), coerced by the field's
type as graphql-core coerces a leaf. Whatever is not that simple case takes graphql-core's
path unchanged — a field with a resolver, arguments or extensions, one of an object or list
type, a null where none may be, a value the type refuses (graphql-core then reports the
error as before), and every field while a schema extension wraps resolvers
(`SchemaExtension.resolve`) — so that an answer, its errors included, is the one
graphql-core would give.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from weakref import WeakKeyDictionary

from graphql import (
    GraphQLEnumType,
    GraphQLField,
    GraphQLLeafType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLScalarType,
    GraphQLSchema,
    Undefined,
)
from graphql.pyutils import Path
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.schema.schema_converter import GraphQLCoreConverter
from strawberry.types.field import StrawberryField

__all__ = ["PlainFieldsExecutor"]


@dataclass(frozen=True, slots=True)
class _PlainField:
    """How strawberry reads a plain field (``read(source, name)``: its default resolver, with
    the attribute's name) and what graphql-core then completes it as."""

    read: Callable[[Any, str], Any]
    name: str
    leaf: GraphQLLeafType
    non_null: bool


def _plain(field: GraphQLField) -> _PlainField | None:
    """How to answer `field` directly, when it is a plain leaf field of strawberry's: one it
    resolves by its default resolver alone (`StrawberryField.is_basic_field`)."""
    definition = (field.extensions or {}).get(GraphQLCoreConverter.DEFINITION_BACKREF)
    if (
        not getattr(field.resolve, "_is_default", False)
        or not isinstance(definition, StrawberryField)
        or not definition.is_basic_field
        or field.args
    ):
        return None
    type_ = field.type
    leaf = type_.of_type if isinstance(type_, GraphQLNonNull) else type_
    if not isinstance(leaf, GraphQLScalarType | GraphQLEnumType):
        return None
    non_null = isinstance(type_, GraphQLNonNull)
    return _PlainField(definition.default_resolver, definition.python_name, leaf, non_null)


# What `_plain` found of each field, by schema and by the field's id (graphql-core's fields are
# not hashable; each lives as long as its schema): worked out once per schema, not per request.
_PLANS: WeakKeyDictionary[GraphQLSchema, dict[int, _PlainField | None]] = WeakKeyDictionary()


def _plans(schema: GraphQLSchema) -> dict[int, _PlainField | None]:
    plans = _PLANS.get(schema)
    if plans is None:
        plans = _PLANS[schema] = {}
    return plans


class PlainFieldsExecutor(StrawberryGraphQLCoreExecutionContext):
    """strawberry's executor, answering plain leaf fields without graphql-core's per-field
    machinery (see the module's docstring)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._plain = _plans(self.schema)
        middleware = self.middleware_manager
        self._direct = middleware is None or not middleware.middlewares

    def execute_field(
        self,
        parent_type: GraphQLObjectType,
        source: Any,
        field_details_list: Any,
        path: Path,
        position_context: Any,
    ) -> Any:
        if self._direct:
            field = self.schema.get_field(parent_type, field_details_list[0].node.name.value)
            if field is not None:
                key = id(field)
                if key not in self._plain:
                    self._plain[key] = _plain(field)
                plain = self._plain[key]
                if plain is not None:
                    answer = _answer(plain, source, self.is_awaitable)
                    if answer is not Undefined:
                        return answer
        return super().execute_field(
            parent_type, source, field_details_list, path, position_context
        )


def _answer(plain: _PlainField, source: Any, is_awaitable: Callable[[Any], bool]) -> Any:
    """The completed value of a plain field of `source`; Undefined where graphql-core's
    own path must decide (an error to report, an awaitable to await)."""
    try:
        value = plain.read(source, plain.name)
        if value is None:
            return Undefined if plain.non_null else None
        if isinstance(value, Exception) or is_awaitable(value):
            return Undefined
        coerced = plain.leaf.coerce_output_value(value)
    except Exception:
        return Undefined
    return Undefined if coerced is None or coerced is Undefined else coerced
