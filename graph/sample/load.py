"""Loading a sample into a store through the `CatalogStore` protocol alone.

async with EmbeddedStore.open(path, sample.catalog("510100/intranet")) as store:
    await load_sample(store, sample)
"""

from __future__ import annotations

from collections.abc import Sequence

from graph.queries import ApplyOutcome
from graph.sample.generate import SampleCatalog
from graph.store import CatalogStore

__all__ = ["load_sample"]


async def load_sample(
    store: CatalogStore,
    sample: SampleCatalog,
    catalog_ids: Sequence[str] | None = None,
    batch_size: int = 1000,
) -> int:
    """Put the sample's reference data into `store`, then apply the entries of `catalog_ids`
    in batches; return how many entries were applied (older or equal versions are skipped).

    By default the entries are those the store's instance holds: its own catalog's and those
    aggregated into it from every catalog below it (Sichuan 第七、九条). The catalogs put are
    those of the store's zone and any named in `catalog_ids`.
    """
    own = store.catalog
    ids = list(catalog_ids) if catalog_ids is not None else sample.subtree(own.id)
    await store.put_regions(sample.regions)
    await store.put_catalogs([c for c in sample.catalogs if c.zone is own.zone or c.id in ids])
    await store.put_departments(sample.departments)
    await store.put_categories(sample.categories)
    applied = 0
    for batch in sample.resources(batch_size, ids):
        outcomes = await store.apply(batch)
        applied += sum(outcome is ApplyOutcome.APPLIED for outcome in outcomes)
    return applied
