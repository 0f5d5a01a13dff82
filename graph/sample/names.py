"""The sample's words: entry names and summaries, share conditions, legal bases for not sharing,
open conditions and concrete formats — as catalogues written by Chinese departments read."""

from __future__ import annotations

import random

from graph.codes import NATION, region_level
from graph.enums import FormatClass, Level, ResourceKind, ShareMode, UpdateCycle
from graph.model import Department
from graph.sample.categories import Leaf
from graph.sample.regions import MUNICIPALITIES, full_name

__all__ = [
    "FORMATS",
    "LEGAL_BASES",
    "OPEN_CONDITIONS",
    "SHARE_CONDITIONS",
    "entry_format",
    "entry_name",
    "entry_summary",
    "region_prefix",
]

CYCLE_NAMES = {
    UpdateCycle.REALTIME: "实时",
    UpdateCycle.DAILY: "每日",
    UpdateCycle.WEEKLY: "每周",
    UpdateCycle.MONTHLY: "每月",
    UpdateCycle.QUARTERLY: "每季度",
    UpdateCycle.YEARLY: "每年",
}

_AREA = {
    Level.NATIONAL: "全国",
    Level.PROVINCIAL: "全省",
    Level.MUNICIPAL: "全市",
    Level.COUNTY: "全区",
}

_QUALIFIERS = ("（历史库）", "（汇总）", "（增量）", "（共享库）")

_SYSTEMS = (
    "业务管理信息系统",
    "业务办理系统",
    "综合监管平台",
    "政务服务平台",
    "业务数据库",
    "数据共享交换平台前置库",
)

_USES = {
    ResourceKind.BASE: (
        "作为{g}基础信息资源库的组成部分，支撑跨部门身份核验和业务协同。",
        "是{g}基础信息资源库的权威来源，供各部门比对核验和共享使用。",
    ),
    ResourceKind.THEME: (
        "服务于{g}主题应用，支撑跨部门业务协同和综合分析。",
        "汇聚多个部门的相关数据，用于{g}领域的监测预警和决策支持。",
    ),
    ResourceKind.DEPARTMENT: (
        "可用于业务协同办理、监督管理和统计分析。",
        "主要用于本部门业务办理，经共享后可支撑跨部门联合审批和事中事后监管。",
        "可为政务服务“一网通办”提供数据支撑，减少群众和企业重复提交材料。",
    ),
}

# A condition, and the share mode it implies (数据比对: only the result leaves the provider,
# Sichuan 第二十三条).
SHARE_CONDITIONS: tuple[tuple[str, ShareMode | None], ...] = (
    ("使用部门须提交共享申请，说明使用依据和用途，经提供部门审核同意后按需使用。", None),
    ("仅限公安、司法、纪检监察机关依法履行职责时使用。", None),
    ("仅用于身份核验，返回核验结果，不提供原始数据。", ShareMode.DATA_COMPARISON),
    ("仅提供数据比对服务（数据不落地），不得留存、转让或用于其他用途。", ShareMode.DATA_COMPARISON),
    ("仅向承担相关行政审批、监管职能的部门共享，且须逐条记录查询日志。", ShareMode.ONLINE_QUERY),
    ("按最小必要原则共享，敏感信息项经脱敏处理后提供。", None),
    ("须经本级政务信息资源共享主管部门协调，并签订数据安全保密协议。", None),
)

# Base conditional entries: their base items stay unconditional (national 第十条(二)).
BASE_SHARE_CONDITION = "基础信息项无条件共享；其余信息项须经提供部门审核同意后共享。"

LEGAL_BASES = (
    "《中华人民共和国个人信息保护法》第二十八条：涉及敏感个人信息，不予共享。",
    "《中华人民共和国数据安全法》第三十八条：国家机关对履行职责中知悉的个人隐私、个人信息、"
    "商业秘密等数据应当依法予以保密。",
    "《中华人民共和国统计法》第九条：统计工作中知悉的国家秘密、商业秘密和个人信息应当予以保密。",
    "《中华人民共和国居民身份证法》第六条：对因制作、发放、查询、查验居民身份证而知悉的个人信息"
    "应当予以保密。",
    "《中华人民共和国税收征收管理法》第八条：税务机关应当依法为纳税人、扣缴义务人的情况保密。",
    "《中华人民共和国政府信息公开条例》第十四条：依法确定为国家秘密的政府信息不予公开。",
    "《中华人民共和国反不正当竞争法》第九条：涉及商业秘密，不予共享。",
    "《中华人民共和国社会保险法》第八十一条：社会保险经办机构等应当依法为用人单位和个人的信息保密。",
)

OPEN_CONDITIONS = (
    "仅开放统计汇总数据，不含个人隐私信息。",
    "经脱敏处理后通过公共数据开放平台向社会开放。",
    "社会公众经实名注册后可在公共数据开放平台申请获取。",
)

# format class → (weight, concrete types); images and streams only where the subject has them.
FORMATS: dict[FormatClass, tuple[int, tuple[str, ...]]] = {
    FormatClass.DATABASE: (
        55,
        ("Oracle", "MySQL", "达梦数据库DM8", "人大金仓KingbaseES", "PostgreSQL"),
    ),
    FormatClass.SERVICE_INTERFACE: (22, ("RESTful接口", "WebService接口")),
    FormatClass.SPREADSHEET: (12, ("xlsx", "xls", "et")),
    FormatClass.ELECTRONIC_FILE: (6, ("pdf", "ofd", "docx")),
    FormatClass.SELF_DESCRIBING: (5, ("JSON", "XML")),
}
_FORMAT_CLASSES = tuple(FORMATS)
_FORMAT_WEIGHTS = tuple(weight for weight, _ in FORMATS.values())
_LIVE_FORMATS = (FormatClass.DATABASE, FormatClass.SERVICE_INTERFACE)
_LICENCE_FORMATS = (
    (FormatClass.ELECTRONIC_FILE, "ofd"),
    (FormatClass.ELECTRONIC_FILE, "pdf"),
    (FormatClass.SERVICE_INTERFACE, "RESTful接口"),
)


def _area(region_code: str) -> str:
    """全国, 全省, 全市 (a 直辖市 too), 全区."""
    if region_code in MUNICIPALITIES:
        return "全市"
    return _AREA[region_level(region_code)]


def region_prefix(region_code: str) -> str:
    """How an entry's name starts: 全国, 四川省, 成都市, 成都市锦江区."""
    return "全国" if region_code == NATION else full_name(region_code)


def entry_format(rng: random.Random, leaf: Leaf, cycle: UpdateCycle) -> tuple[FormatClass, str]:
    """The format class and concrete type: licences are OFD/PDF files, spatial data is partly
    imagery, monitoring partly video; what changes in real time is a database or an interface."""
    if leaf.group == "电子证照":
        return rng.choice(_LICENCE_FORMATS)
    if leaf.domains[0] == "space" and rng.random() < 0.25:
        return FormatClass.IMAGE, rng.choice(("GeoTIFF", "tif", "img"))
    if "监测" in leaf.name and rng.random() < 0.1:
        return FormatClass.STREAMING_MEDIA, "RTSP视频流"
    if cycle in (UpdateCycle.REALTIME, UpdateCycle.DAILY):
        format_class = rng.choice(_LIVE_FORMATS)
    else:
        format_class = rng.choices(_FORMAT_CLASSES, _FORMAT_WEIGHTS)[0]
    return format_class, rng.choice(FORMATS[format_class][1])


def entry_name(rng: random.Random, stem: str, region_code: str) -> str:
    """``成都市户籍人口基本信息``, now and then with a year or a qualifier."""
    name = region_prefix(region_code) + stem
    roll = rng.random()
    if roll < 0.15:
        return f"{name}（{rng.randrange(2015, 2025)}年度）"
    if roll < 0.25:
        return name + rng.choice(_QUALIFIERS)
    return name


def entry_summary(
    rng: random.Random,
    leaf: Leaf,
    stem: str,
    region_code: str,
    provider: Department,
    cycle: UpdateCycle,
) -> str:
    """Two or three sentences: what it records, where it comes from, what it is for."""
    core = "、".join(item.name for item in leaf.items[: min(leaf.core, 4)])
    text = (
        f"本资源记录{_area(region_code)}{stem}，主要包括{core}等信息项。"
        f"数据来源于{provider.name}{rng.choice(_SYSTEMS)}，{CYCLE_NAMES[cycle]}更新。"
    )
    if leaf.kind is ResourceKind.DEPARTMENT and rng.random() < 0.4:
        return text
    return text + rng.choice(_USES[leaf.kind]).format(g=leaf.group)
