"""Lineage (`graph.neo4j.lineage`): the walks up and down ``DERIVED_FROM`` edges."""

from __future__ import annotations

from graph.neo4j.cypher import fill

__all__ = [
    "LINEAGE_BOTH",
    "LINEAGE_DOWNSTREAM",
    "LINEAGE_UPSTREAM",
]

# One walk from `root`, a subquery body. `{hops}` is the hop bound minus one, a literal: Cypher
# takes no parameter there. Nodes nearer than the bound (`inner`) are expanded one hop; the
# nodes first reached by that hop lie at the bound, and the walk was truncated when one of them
# has an edge of its own in the walked direction. A placeholder (a code not held here) is never
# reached, nor a root, nor counted towards `truncated`; only held entries have DERIVED_FROM
# edges of their own, so a path's inner nodes are held and checking its ends is enough.
# `{up}` is the arrow's tail or head that walks upstream (``-`` … ``->``) or downstream
# (``<-`` … ``-``); `{edge}` lists an edge as (derived, source) whichever way it was walked.
_WALK = """
  OPTIONAL MATCH (root){tail}[:DERIVED_FROM*0..{hops}]{head}(u:Resource)
  WHERE u.snapshot IS NOT NULL
  WITH collect(DISTINCT u) AS inner
  CALL (inner) {
    UNWIND inner AS u
    MATCH (u){tail}[:DERIVED_FROM]{head}(v:Resource) WHERE v.snapshot IS NOT NULL
    RETURN collect(DISTINCT {edge}) AS edges, collect(DISTINCT v) AS reached
  }
  WITH inner, edges, [v IN reached WHERE NOT v IN inner] AS boundary
  RETURN inner + boundary AS {side}_nodes, edges AS {side}_edges,
         any(b IN boundary WHERE EXISTS {
           (b){tail}[:DERIVED_FROM]{head}(w:Resource) WHERE w.snapshot IS NOT NULL
         }) AS {side}_truncated
"""

_UP = fill(_WALK, tail="-", head="->", edge="[u.code, v.code]", side="up")
_DOWN = fill(_WALK, tail="<-", head="-", edge="[v.code, u.code]", side="down")

_ROOT = """
MATCH (root:Resource {code: $code}) WHERE root.snapshot IS NOT NULL
"""

LINEAGE_UPSTREAM = fill(
    """{root}CALL (root) {{up}
}
RETURN [n IN up_nodes | [n.code, n.snapshot]] AS nodes,
       [e IN up_edges | {derived: e[0], source: e[1]}] AS edges,
       up_truncated AS truncated
""",
    root=_ROOT,
    up=_UP,
)

LINEAGE_DOWNSTREAM = fill(
    """{root}CALL (root) {{down}
}
RETURN [n IN down_nodes | [n.code, n.snapshot]] AS nodes,
       [e IN down_edges | {derived: e[0], source: e[1]}] AS edges,
       down_truncated AS truncated
""",
    root=_ROOT,
    down=_DOWN,
)

# Both walks in one statement (one round trip, the root matched once). The root, reached by
# both at 0 hops, is sent once; another node on both sides (a cycle) comes twice, and the
# reader keeps one (checking every pair here would cost a thousand-node lineage a million).
LINEAGE_BOTH = fill(
    """{root}CALL (root) {{up}
}
CALL (root) {{down}
}
RETURN [n IN up_nodes + [d IN down_nodes WHERE d <> root] | [n.code, n.snapshot]]
         AS nodes,
       [e IN up_edges + down_edges | {derived: e[0], source: e[1]}] AS edges,
       up_truncated OR down_truncated AS truncated
""",
    root=_ROOT,
    up=_UP,
    down=_DOWN,
)
