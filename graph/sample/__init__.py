"""A deterministic, realistic sample catalog at any size (1k to 1M entries and more).

Real GB/T 2260 regions (the nation, 四川/成都, 河南/开封, 云南/昆明 …), their catalogs in both
zones, fifteen kinds of department per region with valid 统一社会信用代码, the 类/项/目/细目
tree, and entries that each pass `graph.rules.check_resource` for their catalog's zone, with
lineage that crosses levels and never loops.

    sample = generate_catalog(100_000, seed=1)
    await load_sample(store, sample)          # what the store's instance would hold
"""

from graph.sample.generate import SampleCatalog, generate_catalog
from graph.sample.load import load_sample

__all__ = ["SampleCatalog", "generate_catalog", "load_sample"]
