"""The instance's catalog as DCAT-AP 3 for harvesters: ``GET /dcat/catalog.ttl`` (Turtle) and
``GET /dcat/catalog.jsonld`` (JSON-LD), 500 entries a page, the next page linked by Hydra
(``hydra:next``, ``?after=<cursor>``).

A harvester is an anonymous caller of the instance: what it is shown is what
`Viewer(zone)` — the API's one visibility decision — lets an anonymous caller list and see
(published entries; on the extranet, those open to the public). A lineage or related-code
reference is drawn only to an entry the same caller may see, so a harvester of an extranet
never reads the code of a classified entry, nor of any it may not see.
"""

from __future__ import annotations

from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from federation.api.identity import Viewer
from federation.instance import Instance
from graph import CatalogStore, InvalidValue, Resource, ResourceFilter
from graph.exchange.dcat import CatalogDocument, PageLinks, catalog_graph
from graph.queries import MAX_PAGE_SIZE, decode_cursor

__all__ = ["PAGE_ENTRIES", "dcat_document", "dcat_jsonld", "dcat_turtle"]

PAGE_ENTRIES = 500
_MEDIA = {"turtle": "text/turtle; charset=utf-8", "json-ld": "application/ld+json"}


async def dcat_document(
    store: CatalogStore, base: str, path: str, after: str | None, size: int = PAGE_ENTRIES
) -> CatalogDocument:
    """One page of the catalog as an anonymous caller of `store`'s instance sees it."""
    viewer = Viewer(store.catalog.zone)
    where = viewer.restrict(ResourceFilter())
    entries: list[Resource] = []
    cursor = after
    total = 0
    more = True
    while more and len(entries) < size:
        page = await store.find(where, first=min(MAX_PAGE_SIZE, size - len(entries)), after=cursor)
        entries += [e for e in page.items if viewer.can_see(e)]
        total, cursor, more = page.total_count, page.end_cursor, page.has_next_page
    referenced = {c for e in entries for c in (*e.derived_from, *e.related_codes)}
    held = await store.get_many(sorted(referenced)) if referenced else {}
    visible = frozenset(code for code, entry in held.items() if viewer.can_see(entry))
    own = store.catalog
    parts = tuple(
        c for c in await store.catalogs() if c.parent_id == own.id or _below(c.id, entries, own.id)
    )
    region_codes = {own.region_code, *(c.region_code for c in parts)}
    region_codes |= {e.origin.split("/", 1)[0] for e in entries} - {"national"}
    regions = {r.code: r.name for r in await store.regions(sorted(region_codes))}
    link = f"{base.rstrip('/')}{path}"
    page_links = PageLinks(
        this=f"{link}?{urlencode({'after': after})}" if after else link,
        first=link,
        next=f"{link}?{urlencode({'after': cursor})}" if more and cursor else None,
        total=total,
    )
    return CatalogDocument(base, own, parts, tuple(entries), visible, regions, page_links)


def _below(catalog_id: str, entries: list[Resource], own: str) -> bool:
    """Whether `catalog_id` (not this instance's) lists any of the page's entries."""
    return catalog_id != own and any(e.origin == catalog_id for e in entries)


async def _serve(request: Request, form: str) -> Response:
    instance: Instance = request.state.instance
    after = request.query_params.get("after")
    if after is not None:
        try:
            decode_cursor(after)
        except (InvalidValue, ValueError):
            body = {"error": "after", "value": after[:100], "accepted": "a cursor from hydra:next"}
            return JSONResponse(body, status_code=400)
    base = str(request.base_url)
    document = await dcat_document(instance.store, base, request.url.path, after)
    text = catalog_graph(document).serialize(format=form, auto_compact=True)
    return Response(text, media_type=_MEDIA[form])


async def dcat_turtle(request: Request) -> Response:
    return await _serve(request, "turtle")


async def dcat_jsonld(request: Request) -> Response:
    return await _serve(request, "json-ld")
