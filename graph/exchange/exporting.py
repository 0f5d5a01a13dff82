"""Exporting the entries a filter selects to the catalog spreadsheet, a page at a time.

    async with store:
        count = await export_entries(store, ResourceFilter(catalog_id=store.catalog.id), writer)

What is exported is what the caller passes in `where`: the caller decides what may be seen
(the API's `Viewer.restrict`, or an operator at the instance), this module only writes it.
"""

from __future__ import annotations

from typing import Protocol

from graph.model import Resource
from graph.queries import MAX_PAGE_SIZE, ResourceFilter
from graph.store import CatalogStore

__all__ = ["EntryWriter", "export_entries"]

_PAGE = MAX_PAGE_SIZE


class EntryWriter(Protocol):
    """`graph.exchange.writing.XlsxWriter` or `CsvWriter`."""

    count: int

    def write(self, entries: list[Resource]) -> None: ...


async def export_entries(store: CatalogStore, where: ResourceFilter, writer: EntryWriter) -> int:
    """Write every entry `where` selects, in code order, to `writer`; return how many."""
    after: str | None = None
    while True:
        page = await store.find(where, first=_PAGE, after=after)
        writer.write(list(page.items))
        if not page.has_next_page:
            return writer.count
        after = page.end_cursor
