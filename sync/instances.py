"""Instance ids: an instance is one catalog, so its id is `graph.model.catalog_id` —
``national/intranet``, ``510000/extranet``, ``510100/intranet`` — and its zone is in its id.

    >>> parse_instance_id("510100/extranet")
    ('510100', <Zone.EXTRANET: 'EXTRANET'>)
"""

from __future__ import annotations

from graph.enums import Zone
from graph.errors import InvalidValue
from graph.model import parse_catalog_id

__all__ = ["ACCEPTED_INSTANCE_ID", "parse_instance_id", "zone_of"]

ACCEPTED_INSTANCE_ID = (
    "an instance (catalog) id: a region code or 'national', '/', then 'intranet' or 'extranet', "
    "e.g. '510100/intranet', 'national/extranet'"
)


def parse_instance_id(instance: str) -> tuple[str, Zone]:
    """The region code and zone of an instance id; `ValueError` unless it is canonical."""
    try:
        return parse_catalog_id(instance)
    except InvalidValue:
        raise ValueError(f"{instance!r} is not {ACCEPTED_INSTANCE_ID}") from None


def zone_of(instance: str) -> Zone:
    return parse_instance_id(instance)[1]
