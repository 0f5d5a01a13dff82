"""Layered layouts computed on the server with Graphviz, for graphs too large for a browser.

Rules:

- The graph laid out is exactly the one the caller was answered (nodes by position, edges
  as pairs of positions): the layout never sees a node the caller may not see, so what it
  returns names nothing more. A cache is keyed by that graph alone: two callers shown the same
  graph share its positions, and a caller shown less gets a graph — and a key — of its own.
- Bounded before work starts: at most `MAX_NODES` nodes and `MAX_EDGES` edges
  (`LayoutTooLarge`); Graphviz's `dot` runs as a subprocess, never in the event loop, at most
  `CONCURRENT` at once per event loop, and is killed after `TIMEOUT_SECONDS`
  (`LayoutTimeout`).
- Graphviz missing on the machine is `LayoutUnavailable`: the caller lays the graph out
  itself (the explorer does, in the browser, and says why).
- Positions are in points (1/72 inch, one CSS pixel at zoom 1), y growing downward, the
  graph's top-left corner at (0, 0); sources to the left of what derives from them.

    positions = await Graphviz().layered(8, [(1, 0), (2, 0)])
"""

from federation.layout.graphviz import (
    CONCURRENT,
    MAX_EDGES,
    MAX_NODES,
    TIMEOUT_SECONDS,
    Graphviz,
    Layout,
    LayoutTimeout,
    LayoutTooLarge,
    LayoutUnavailable,
)

__all__ = [
    "CONCURRENT",
    "MAX_EDGES",
    "MAX_NODES",
    "TIMEOUT_SECONDS",
    "Graphviz",
    "Layout",
    "LayoutTimeout",
    "LayoutTooLarge",
    "LayoutUnavailable",
]
