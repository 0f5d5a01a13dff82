"""Reading what a store holds in pages, one item at a time: an instance's own entries (every
state), and its share requests and objections (all of them, in the order received). Memory
holds one page (`PAGE` items) at a time, whatever the store holds.

    async for request in all_requests(store):
        ...
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date

from graph.enums import LifecycleState
from graph.model import Resource
from graph.queries import ResourceFilter
from graph.sharing.objections import Objection
from graph.sharing.queries import ObjectionFilter, RequestFilter
from graph.sharing.requests import ShareRequest
from graph.store import CatalogStore

__all__ = ["PAGE", "all_objections", "all_requests", "own_entries", "own_entries_updated"]

PAGE = 100


async def _own_pages(store: CatalogStore) -> AsyncIterator[tuple[Resource, ...]]:
    where = ResourceFilter(catalog_id=store.catalog.id, states=frozenset(LifecycleState))
    after = None
    while True:
        page = await store.find(where, first=PAGE, after=after)
        yield page.items
        if not page.has_next_page:
            return
        after = page.end_cursor


async def own_entries(store: CatalogStore) -> AsyncIterator[Resource]:
    async for entries in _own_pages(store):
        for entry in entries:
            yield entry


async def own_entries_updated(
    store: CatalogStore, day: date | None
) -> AsyncIterator[tuple[Resource, date | None]]:
    """`own_entries`, each with the last data update recorded on or before `day` (None: of
    all), read for a page at a time."""
    async for entries in _own_pages(store):
        updates = await store.last_data_updates([e.code for e in entries], day)
        for entry in entries:
            update = updates.get(entry.code)
            yield entry, None if update is None else update.updated_on


async def all_requests(store: CatalogStore) -> AsyncIterator[ShareRequest]:
    after = None
    while True:
        page = await store.find_share_requests(RequestFilter(), first=PAGE, after=after)
        for request in page.items:
            yield request
        if not page.has_next_page:
            return
        after = page.end_cursor


async def all_objections(store: CatalogStore) -> AsyncIterator[Objection]:
    after = None
    while True:
        page = await store.find_objections(ObjectionFilter(), first=PAGE, after=after)
        for objection in page.items:
            yield objection
        if not page.has_next_page:
            return
        after = page.end_cursor
