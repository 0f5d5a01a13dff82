"""The GraphQL API of an instance: discovery, maintenance, an Apollo Federation v2 subgraph.

schema = build_schema(Limits(max_depth=8))
context = CatalogContext(store=store, viewer=Viewer(Zone.INTRANET))
result = await schema.execute("{ resources { totalCount } }", context_value=context)
"""

from federation.api.context import CatalogContext
from federation.api.identity import Viewer, viewer_from_headers
from federation.api.limits import Limits
from federation.api.schema import CatalogSchema, build_schema

__all__ = [
    "CatalogContext",
    "CatalogSchema",
    "Limits",
    "Viewer",
    "build_schema",
    "viewer_from_headers",
]
