"""Cypher of data updates (graph.sharing.data_updates): a `DataUpdate` node per entry and day,
apart from the `Resource` node (in no snapshot a link carries)."""

from __future__ import annotations

__all__ = ["LAST_DATA_UPDATES", "RECORD_DATA_UPDATE"]

# `id` is "<code>|<day>": the unique constraint makes a day recorded twice one node.
RECORD_DATA_UPDATE = """
MERGE (u:DataUpdate {id: $id})
SET u.resource_code = $code, u.updated_on = $on, u.department_code = $department,
    u.recorded_at = $recorded_at, u.note = $note
"""

# The latest update of each code on or before `$until` (ISO dates sort as the days do).
LAST_DATA_UPDATES = """
UNWIND $codes AS code
CALL (code) {
  MATCH (u:DataUpdate {resource_code: code})
  WHERE u.updated_on <= $until
  RETURN u
  ORDER BY u.updated_on DESC
  LIMIT 1
}
RETURN u.resource_code AS code, u.updated_on AS on, u.department_code AS department,
       u.recorded_at AS recorded_at, u.note AS note
"""
