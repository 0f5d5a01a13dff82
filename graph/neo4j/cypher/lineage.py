"""Lineage (`graph.neo4j.lineage`): the walks up and down ``DERIVED_FROM`` edges."""

from __future__ import annotations

__all__ = [
    "LINEAGE_DOWNSTREAM",
    "LINEAGE_UPSTREAM",
]

# `{hops}` is the hop bound minus one, a literal: Cypher takes no parameter there. Nodes
# nearer than the bound (`inner`) are expanded one hop; the nodes first reached by that hop lie
# at the bound, and the walk was truncated when one of them has an edge of its own in the
# walked direction. A placeholder (a code not held here) is never reached, nor a root, nor
# counted towards `truncated`; only held entries have DERIVED_FROM edges of their own, so a
# path's inner nodes are held and checking its ends is enough.
LINEAGE_UPSTREAM = """
MATCH (root:Resource {code: $code}) WHERE root.snapshot IS NOT NULL
OPTIONAL MATCH (root)-[:DERIVED_FROM*0..{hops}]->(u:Resource) WHERE u.snapshot IS NOT NULL
WITH root, collect(DISTINCT u) AS inner
CALL (inner) {
  UNWIND inner AS u
  MATCH (u)-[:DERIVED_FROM]->(v:Resource) WHERE v.snapshot IS NOT NULL
  RETURN collect(DISTINCT [u.code, v.code]) AS edges, collect(DISTINCT v) AS reached
}
WITH root, inner, edges, [v IN reached WHERE NOT v IN inner] AS boundary
RETURN [n IN inner + boundary | [n.code, n.snapshot]] AS nodes,
       [e IN edges | {derived: e[0], source: e[1]}] AS edges,
       any(b IN boundary WHERE EXISTS {
         (b)-[:DERIVED_FROM]->(w:Resource) WHERE w.snapshot IS NOT NULL
       }) AS truncated
"""

LINEAGE_DOWNSTREAM = """
MATCH (root:Resource {code: $code}) WHERE root.snapshot IS NOT NULL
OPTIONAL MATCH (root)<-[:DERIVED_FROM*0..{hops}]-(u:Resource) WHERE u.snapshot IS NOT NULL
WITH root, collect(DISTINCT u) AS inner
CALL (inner) {
  UNWIND inner AS u
  MATCH (u)<-[:DERIVED_FROM]-(v:Resource) WHERE v.snapshot IS NOT NULL
  RETURN collect(DISTINCT [v.code, u.code]) AS edges, collect(DISTINCT v) AS reached
}
WITH root, inner, edges, [v IN reached WHERE NOT v IN inner] AS boundary
RETURN [n IN inner + boundary | [n.code, n.snapshot]] AS nodes,
       [e IN edges | {derived: e[0], source: e[1]}] AS edges,
       any(b IN boundary WHERE EXISTS {
         (b)<-[:DERIVED_FROM]-(w:Resource) WHERE w.snapshot IS NOT NULL
       }) AS truncated
"""
