"""The database as a whole: whether it answers, and erasing everything in it."""

from __future__ import annotations

__all__ = [
    "ERASE_NODES",
    "ERASE_RELATIONSHIPS",
    "PING",
]

PING = "RETURN 1 AS ok"

# Relationships first, then nodes: a transaction then holds at most `$batch` of either, however
# dense a node (a catalog lists every entry of it) may be.
ERASE_RELATIONSHIPS = """
MATCH ()-[r]->()
WITH r LIMIT $batch
DELETE r
RETURN count(*) AS deleted
"""

ERASE_NODES = """
MATCH (n)
WITH n LIMIT $batch
DETACH DELETE n
RETURN count(*) AS deleted
"""
