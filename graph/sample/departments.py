"""The sample's departments: the same fifteen kinds of government body in every region, each
named as that level names it (公安部 / 四川省公安厅 / 成都市公安局 / 成都市公安局锦江区分局) and
keyed by a valid 统一社会信用代码.

A government body's credit code (GB 32100) is ``11`` (机关), the six-digit region code, the
nine-character organisation code (GB 11714: eight characters and their own check character),
then the GB 32100 check character. Lead departments (牵头部门) carry the base libraries and
themes they maintain (national 第十条(二)(三); Sichuan 第十六条).
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass

from graph.codes import NATION, credit_check_character, region_level, region_parent
from graph.enums import Level
from graph.model import Department, Region
from graph.sample.regions import MUNICIPALITIES, REGIONS, full_name

__all__ = [
    "DEPARTMENT_KINDS",
    "REVIEWER",
    "DepartmentKind",
    "department_name",
    "departments_by_kind",
    "government_credit_code",
    "organisation_code",
    "sample_departments",
]


@dataclass(frozen=True, slots=True)
class DepartmentKind:
    """A kind of government body, with its name at each level.

    Templates take ``{p}`` (the region's full name: 成都市, 成都市锦江区), ``{c}`` (the city of a
    district) and ``{d}`` (the district itself).
    """

    key: str
    short: str
    national: str
    provincial: str
    municipal: str
    county: str
    leads: tuple[str, ...] = ()


DEPARTMENT_KINDS: tuple[DepartmentKind, ...] = (
    DepartmentKind(
        "police", "公安", "公安部", "{p}公安厅", "{p}公安局", "{c}公安局{d}分局",
        ("人口", "应急维稳"),
    ),
    DepartmentKind(
        "market", "市场监管", "国家市场监督管理总局", "{p}市场监督管理局", "{p}市场监督管理局",
        "{p}市场监督管理局", ("法人单位", "食品药品安全"),
    ),
    DepartmentKind(
        "land", "自然资源", "自然资源部", "{p}自然资源厅", "{p}自然资源和规划局",
        "{c}自然资源和规划局{d}分局", ("自然资源和空间地理",),
    ),
    DepartmentKind(
        "development", "发展改革", "国家发展和改革委员会", "{p}发展和改革委员会",
        "{p}发展和改革委员会", "{p}发展和改革局", ("社会信用", "信用体系", "价格监管", "能源安全"),
    ),
    DepartmentKind(
        "data", "政务服务和数据管理", "国家数据局", "{p}数据局", "{p}政务服务和数据管理局",
        "{p}政务服务和数据管理局", ("电子证照", "公共服务"),
    ),
    DepartmentKind(
        "labour", "人力资源社会保障", "人力资源和社会保障部", "{p}人力资源和社会保障厅",
        "{p}人力资源和社会保障局", "{p}人力资源和社会保障局", ("社会保障",),
    ),
    DepartmentKind(
        "health", "卫生健康", "国家卫生健康委员会", "{p}卫生健康委员会", "{p}卫生健康委员会",
        "{p}卫生健康局", ("健康保障",),
    ),
    DepartmentKind(
        "civil", "民政", "民政部", "{p}民政厅", "{p}民政局", "{p}民政局", ("社区治理",)
    ),
    DepartmentKind(
        "environment", "生态环境", "生态环境部", "{p}生态环境厅", "{p}生态环境局",
        "{c}生态环境局{d}分局", ("生态环保",),
    ),
    DepartmentKind(
        "housing", "住房城乡建设", "住房和城乡建设部", "{p}住房和城乡建设厅",
        "{p}住房和城乡建设局", "{p}住房和城乡建设局", ("城乡建设",),
    ),
    DepartmentKind(
        "emergency", "应急管理", "应急管理部", "{p}应急管理厅", "{p}应急管理局", "{p}应急管理局",
        ("安全生产",),
    ),
    DepartmentKind("education", "教育", "教育部", "{p}教育厅", "{p}教育局", "{p}教育局"),
    DepartmentKind(
        "transport", "交通运输", "交通运输部", "{p}交通运输厅", "{p}交通运输局", "{p}交通运输局"
    ),
    DepartmentKind(
        "tax", "税务", "国家税务总局", "国家税务总局{p}税务局", "国家税务总局{p}税务局",
        "国家税务总局{c}{d}税务局",
    ),
    DepartmentKind(
        "insurance", "医疗保障", "国家医疗保障局", "{p}医疗保障局", "{p}医疗保障局",
        "{p}医疗保障局",
    ),
)  # fmt: skip

# The kind whose body reviews and publishes entries at every level (Kunming 第十五条).
REVIEWER = "data"

# GB 11714: weights of the eight body characters of an organisation code.
_ORGANISATION_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


def organisation_code(body: str) -> str:
    """The nine-character organisation code (GB 11714): `body` (8 digits or capitals) and its
    check character, ``X`` standing for 10."""
    total = sum(int(c, 36) * w for c, w in zip(body, _ORGANISATION_WEIGHTS, strict=True))
    check = 11 - total % 11
    return body + {10: "X", 11: "0"}.get(check, str(check))


def government_credit_code(region_code: str, organisation: str) -> str:
    """The 统一社会信用代码 of a government body (登记管理部门 1, 机构类别 1 机关)."""
    first17 = "11" + region_code + organisation
    return first17 + credit_check_character(first17)


def department_name(kind: DepartmentKind, region_code: str) -> str:
    if region_code == NATION:
        return kind.national
    parent = region_parent(region_code) or NATION
    level = Level.MUNICIPAL if region_code in MUNICIPALITIES else region_level(region_code)
    if level is Level.PROVINCIAL:
        return kind.provincial.format(p=REGIONS[region_code])
    if level is Level.MUNICIPAL:
        return kind.municipal.format(p=REGIONS[region_code])
    city, district = REGIONS[parent], REGIONS[region_code]
    return kind.county.format(p=full_name(region_code), c=city, d=district)


def sample_departments(regions: list[Region]) -> list[Department]:
    """Every kind of department in every region, region by region."""
    departments = []
    for region in regions:
        for kind in DEPARTMENT_KINDS:
            # A stable, plausible body: '0' and seven digits drawn from the region and kind.
            body = f"0{zlib.crc32(f'{region.code}/{kind.key}'.encode()) % 10**7:07d}"
            departments.append(
                Department(
                    government_credit_code(region.code, organisation_code(body)),
                    department_name(kind, region.code),
                    region.code,
                    frozenset(kind.leads),
                )
            )
    return departments


def departments_by_kind(departments: list[Department]) -> dict[tuple[str, str], Department]:
    """`departments` keyed by (region code, kind key), each kind known by the name it gives."""
    names = {
        (region, department_name(kind, region)): kind.key
        for region in {d.region_code for d in departments}
        for kind in DEPARTMENT_KINDS
    }
    return {(d.region_code, names[(d.region_code, d.name)]): d for d in departments}
