"""The sample's catalogs: one per (region, zone), each reporting to its parent region's catalog
in the same zone (municipal → provincial → national; Sichuan 第七、九条)."""

from __future__ import annotations

from graph.codes import NATION
from graph.enums import Zone
from graph.model import Catalog, Region, catalog_id
from graph.sample.regions import full_name

__all__ = ["ZONE_NAMES", "catalog_name", "sample_catalogs"]

ZONE_NAMES = {Zone.INTRANET: "内网", Zone.EXTRANET: "外网"}


def catalog_name(region: Region, zone: Zone) -> str:
    """``四川省政务信息资源目录（内网）``; the nation's is ``国家政务信息资源目录（外网）``."""
    where = "国家" if region.code == NATION else full_name(region.code)
    return f"{where}政务信息资源目录（{ZONE_NAMES[zone]}）"


def sample_catalogs(regions: list[Region]) -> list[Catalog]:
    """Both zones' catalogs of every region, each after its parent (intranet ones first)."""
    return [
        Catalog(
            region.code,
            zone,
            catalog_name(region, zone),
            catalog_id(region.parent_code, zone) if region.parent_code else None,
        )
        for zone in (Zone.INTRANET, Zone.EXTRANET)
        for region in regions
    ]
