"""Cross-level discovery: a query's scope (LOCAL, AGGREGATED, PEERS) and, for PEERS, this
instance's answer merged with its parent's and its direct children's.

Peers are the parent and the direct children only (one hop, same zone): the parent holds
copies of everything aggregated from below it, and a child answers for what it has not pushed
upward yet. A grandchild's entries are found through its parent's copies, never by asking it.
"""

from federation.discovery.cross_level import CrossLevel, should_show_peer_entry
from federation.discovery.merge import MergedEdge, MergedPage, Position, SourcePage, merge
from federation.discovery.scope import Scope

__all__ = [
    "CrossLevel",
    "MergedEdge",
    "MergedPage",
    "Position",
    "Scope",
    "SourcePage",
    "merge",
    "should_show_peer_entry",
]
