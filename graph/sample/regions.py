"""The sample's regions: real GB/T 2260 codes and names, from the nation down to a few districts.

The tree is small on purpose — six provinces, a dozen cities, a few districts — and holds every
region the regulations in ``/work/shared/regulations`` come from (四川/成都, 云南/昆明, 河南/开封).
"""

from __future__ import annotations

from graph.codes import MUNICIPALITIES, NATION, region_parent
from graph.model import Region

__all__ = ["MUNICIPALITIES", "REGIONS", "full_name", "sample_regions"]

# (code, name) in tree order: every region after its parent.
_TREE: tuple[tuple[str, str], ...] = (
    (NATION, "中华人民共和国"),
    ("110000", "北京市"),
    ("330000", "浙江省"),
    ("330100", "杭州市"),
    ("330200", "宁波市"),
    ("410000", "河南省"),
    ("410100", "郑州市"),
    ("410102", "中原区"),
    ("410105", "金水区"),
    ("410200", "开封市"),
    ("410202", "龙亭区"),
    ("410203", "顺河回族区"),
    ("410204", "鼓楼区"),
    ("410300", "洛阳市"),
    ("440000", "广东省"),
    ("440100", "广州市"),
    ("440300", "深圳市"),
    ("510000", "四川省"),
    ("510100", "成都市"),
    ("510104", "锦江区"),
    ("510105", "青羊区"),
    ("510106", "金牛区"),
    ("510107", "武侯区"),
    ("510700", "绵阳市"),
    ("511100", "乐山市"),
    ("530000", "云南省"),
    ("530100", "昆明市"),
    ("530102", "五华区"),
    ("530103", "盘龙区"),
    ("530300", "曲靖市"),
)

# 直辖市 (graph.codes.MUNICIPALITIES): province-level regions whose departments are named like
# a city's (北京市公安局).

REGIONS: dict[str, str] = dict(_TREE)


def sample_regions() -> list[Region]:
    """Every region of the sample, each after its parent."""
    return [Region(code, name, region_parent(code)) for code, name in _TREE]


def full_name(code: str) -> str:
    """A region's name as documents write it: 四川省, 成都市, 成都市锦江区 (with its city)."""
    if code[4:] != "00":
        return REGIONS[code[:4] + "00"] + REGIONS[code]
    return REGIONS[code]
