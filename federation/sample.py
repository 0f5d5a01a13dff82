"""``mulu serve --sample N``: about N sample entries in this instance's catalog.

`graph.sample` spreads a catalog of a given size over every catalog of the country; one
instance holds only its own catalog and those below it. So the sample is generated large
enough that this instance's share is about N, and only that share is made and loaded.

    applied = await load_instance_sample(store, 2000)
"""

from __future__ import annotations

import logging

from graph import CatalogStore
from graph.sample import SampleCatalog, generate_catalog, load_sample

__all__ = ["load_instance_sample", "sample_for"]

_log = logging.getLogger("mulu.sample")


def sample_for(catalog_id: str, entries: int, seed: int = 1) -> SampleCatalog:
    """A sample of which the subtree of `catalog_id` holds about `entries` entries."""
    if entries < 1:
        raise ValueError(f"a sample of at least 1 entry, not {entries}")
    probe = generate_catalog(entries, seed)
    known = {c.id for c in probe.catalogs}
    if catalog_id not in known:
        raise ValueError(
            f"the sample catalog has no catalog {catalog_id!r}; set region_code and zone to "
            f"one of {', '.join(sorted(known))}"
        )
    held = sum(probe.count(i) for i in probe.subtree(catalog_id))
    return generate_catalog(max(entries, round(entries * entries / max(held, 1))), seed)


async def load_instance_sample(store: CatalogStore, entries: int, seed: int = 1) -> int:
    """Load about `entries` sample entries into `store`; return how many were applied."""
    sample = sample_for(store.catalog.id, entries, seed)
    applied = await load_sample(store, sample)
    _log.info("sample loaded", extra={"catalog": store.catalog.id, "applied": applied})
    return applied
