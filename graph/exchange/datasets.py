"""Datasets as OpenLineage names them, and the instance's mapping of a dataset to the entry
that catalogues it (数据集映射), kept by the store (`CatalogStore.dataset_mappings`)."""

from __future__ import annotations

from dataclasses import dataclass

from graph.codes import check_resource_code
from graph.errors import InvalidValue

__all__ = [
    "NAMESPACE_LIMIT",
    "NAME_LIMIT",
    "DatasetKey",
    "DatasetMapping",
    "check_mapping",
    "checked_text",
]

NAMESPACE_LIMIT = 500
NAME_LIMIT = 1000


@dataclass(frozen=True, slots=True, order=True)
class DatasetKey:
    """A dataset as OpenLineage names it: its namespace (``postgres://db:5432``) and name
    (``public.persons``)."""

    namespace: str
    name: str

    def __str__(self) -> str:
        return f"{self.namespace}/{self.name}"


@dataclass(frozen=True, slots=True)
class DatasetMapping:
    """数据集映射: the dataset `key` is what the entry `code` catalogues."""

    key: DatasetKey
    code: str


def checked_text(field_name: str, value: object, limit: int) -> str:
    if not isinstance(value, str) or not value.strip() or len(value) > limit:
        raise InvalidValue(field_name, value, f"a non-blank text of at most {limit} characters")
    return value.strip()


def check_mapping(namespace: object, name: object, code: object) -> DatasetMapping:
    """A mapping with its namespace, name and code checked, or `InvalidValue` naming one."""
    key = DatasetKey(
        checked_text("namespace", namespace, NAMESPACE_LIMIT),
        checked_text("name", name, NAME_LIMIT),
    )
    if not isinstance(code, str):
        raise InvalidValue("code", code, "a resource code such as 301001001/000001")
    return DatasetMapping(key, check_resource_code(code))
