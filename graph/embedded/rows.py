"""How the embedded store writes values into rows and reads them back.

An entry is kept whole as a JSON snapshot (`graph.snapshot`: what `get` returns); the columns
beside it exist only to filter, count and walk.
"""

from __future__ import annotations

import json
from typing import Any

from graph.enums import (
    Zone,
)
from graph.model import (
    Catalog,
    Category,
    Department,
    Region,
)

__all__ = [
    "catalog_from_row",
    "category_from_row",
    "department_from_row",
    "region_from_row",
]


def department_from_row(row: tuple[Any, ...]) -> Department:
    code, name, region_code, leads = row
    return Department(code, name, region_code, frozenset(json.loads(leads)))


def region_from_row(row: tuple[Any, ...]) -> Region:
    code, name, parent_code = row
    return Region(code, name, parent_code)


def catalog_from_row(row: tuple[Any, ...]) -> Catalog:
    _id, region_code, zone, name, parent_id = row
    return Catalog(region_code, Zone(zone), name, parent_id)


def category_from_row(row: tuple[Any, ...]) -> Category:
    code, name = row
    return Category(code, name)
