"""Reading entries by their codes: the whole entry, or only the catalog it comes from."""

from __future__ import annotations

__all__ = [
    "ENTRIES_AFTER",
    "GET_MANY",
    "ORIGINS",
]

GET_MANY = """
UNWIND $codes AS code
MATCH (r:Resource {code: code})
WHERE r.snapshot IS NOT NULL
RETURN r.code AS code, r.snapshot AS snapshot
"""

ORIGINS = """
UNWIND $codes AS code
MATCH (r:Resource {code: code})
WHERE r.snapshot IS NOT NULL
RETURN collect(r.code) AS codes, collect(r.catalog_id) AS origins
"""

# In code order from the code index: each step of a walk starts where the last ended.
ENTRIES_AFTER = """
MATCH (r:Resource)
WHERE r.code > $after AND r.state IN $states AND r.snapshot IS NOT NULL
RETURN r.code AS code, r.snapshot AS snapshot
ORDER BY r.code
LIMIT $limit
"""
