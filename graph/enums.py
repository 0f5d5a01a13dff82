"""The catalog's closed vocabularies, each with the term the regulations use."""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum

__all__ = [
    "BASE_LIBRARIES",
    "LABELS_ZH",
    "THEMES",
    "Classification",
    "FormatClass",
    "Level",
    "LifecycleState",
    "ResourceKind",
    "Role",
    "ShareMode",
    "ShareType",
    "UpdateCycle",
    "Zone",
]


class Level(StrEnum):
    """目录层级: 国家 / 省 / 市 / 县."""

    NATIONAL = "NATIONAL"
    PROVINCIAL = "PROVINCIAL"
    MUNICIPAL = "MUNICIPAL"
    COUNTY = "COUNTY"


class Zone(StrEnum):
    """网络: 内网 (the classified inner network) / 外网 (the non-classified outer one)."""

    INTRANET = "INTRANET"
    EXTRANET = "EXTRANET"


class Classification(StrEnum):
    """密级: 涉密 / 非涉密."""

    CLASSIFIED = "CLASSIFIED"
    UNCLASSIFIED = "UNCLASSIFIED"


class ShareType(StrEnum):
    """共享类型: 无条件共享 / 有条件共享 / 不予共享 (national 第九条)."""

    UNCONDITIONAL = "UNCONDITIONAL"
    CONDITIONAL = "CONDITIONAL"
    NONE = "NONE"


class ShareMode(StrEnum):
    """共享方式: 接口 / 联机查询 / 批量下载 / 前置机 / 数据比对."""

    INTERFACE = "INTERFACE"
    ONLINE_QUERY = "ONLINE_QUERY"
    BATCH_DOWNLOAD = "BATCH_DOWNLOAD"
    FRONT_END_EXCHANGE = "FRONT_END_EXCHANGE"
    DATA_COMPARISON = "DATA_COMPARISON"


class UpdateCycle(StrEnum):
    """更新周期: 实时 / 每日 / 每周 / 每月 / 每季度 / 每年."""

    REALTIME = "REALTIME"
    DAILY = "DAILY"
    WEEKLY = "WEEKLY"
    MONTHLY = "MONTHLY"
    QUARTERLY = "QUARTERLY"
    YEARLY = "YEARLY"


class ResourceKind(StrEnum):
    """信息资源类别: 基础 / 主题 / 部门信息资源 — the 类 digit of the resource code (1, 2, 3)."""

    BASE = "BASE"
    THEME = "THEME"
    DEPARTMENT = "DEPARTMENT"

    @property
    def class_digit(self) -> str:
        return {"BASE": "1", "THEME": "2", "DEPARTMENT": "3"}[self.value]

    @classmethod
    def from_class_digit(cls, digit: str) -> ResourceKind:
        return {"1": cls.BASE, "2": cls.THEME, "3": cls.DEPARTMENT}[digit]


class FormatClass(StrEnum):
    """信息资源格式分类: 电子文件 / 电子表格 / 数据库 / 图形图像 / 流媒体 / 自描述格式 /
    服务接口."""

    ELECTRONIC_FILE = "ELECTRONIC_FILE"
    SPREADSHEET = "SPREADSHEET"
    DATABASE = "DATABASE"
    IMAGE = "IMAGE"
    STREAMING_MEDIA = "STREAMING_MEDIA"
    SELF_DESCRIBING = "SELF_DESCRIBING"
    SERVICE_INTERFACE = "SERVICE_INTERFACE"


class LifecycleState(StrEnum):
    """目录条目状态: 草稿 → 已报送 → 已发布 (→ 已撤销); reviewed one by one (Sichuan 第十条)."""

    DRAFT = "DRAFT"
    SUBMITTED = "SUBMITTED"
    PUBLISHED = "PUBLISHED"
    RETIRED = "RETIRED"


class Role(StrEnum):
    """Who acts at an instance: 提供部门 (a department, cataloguer of its own entries), 审核
    (the instance's reviewer), 系统管理员 (the administrator: registers departments and grants
    roles, never edits catalog content), 安全审计员 (the auditor: reads the audit log, nothing
    else — GB/T 39477 keeps the two apart), or the sync itself when it applies what another
    instance published. A subject holds one role at an instance."""

    PROVIDER = "PROVIDER"
    REVIEWER = "REVIEWER"
    ADMINISTRATOR = "ADMINISTRATOR"
    AUDITOR = "AUDITOR"
    SYNC = "SYNC"


# 主题信息资源 (national 第十条(三)); 公共服务 is added by the provincial catalogs.
THEMES: tuple[str, ...] = (
    "健康保障",
    "社会保障",
    "食品药品安全",
    "安全生产",
    "价格监管",
    "能源安全",
    "信用体系",
    "城乡建设",
    "社区治理",
    "生态环保",
    "应急维稳",
    "公共服务",
)

# 基础信息资源库 (national 第十条(二)), in the order of their 项 codes 101..105.
BASE_LIBRARIES: tuple[str, ...] = ("人口", "法人单位", "自然资源和空间地理", "社会信用", "电子证照")


# The Chinese term of every member of the vocabularies a department writes in its catalog
# (the 1272 guide's words): what spreadsheets show and read (graph.exchange), one place.
LABELS_ZH: Mapping[StrEnum, str] = {
    Classification.CLASSIFIED: "涉密",
    Classification.UNCLASSIFIED: "非涉密",
    ShareType.UNCONDITIONAL: "无条件共享",
    ShareType.CONDITIONAL: "有条件共享",
    ShareType.NONE: "不予共享",
    ShareMode.INTERFACE: "接口",
    ShareMode.ONLINE_QUERY: "联机查询",
    ShareMode.BATCH_DOWNLOAD: "批量下载",
    ShareMode.FRONT_END_EXCHANGE: "前置机",
    ShareMode.DATA_COMPARISON: "数据比对",
    UpdateCycle.REALTIME: "实时",
    UpdateCycle.DAILY: "每日",
    UpdateCycle.WEEKLY: "每周",
    UpdateCycle.MONTHLY: "每月",
    UpdateCycle.QUARTERLY: "每季度",
    UpdateCycle.YEARLY: "每年",
    FormatClass.ELECTRONIC_FILE: "电子文件",
    FormatClass.SPREADSHEET: "电子表格",
    FormatClass.DATABASE: "数据库",
    FormatClass.IMAGE: "图形图像",
    FormatClass.STREAMING_MEDIA: "流媒体",
    FormatClass.SELF_DESCRIBING: "自描述格式",
    FormatClass.SERVICE_INTERFACE: "服务接口",
    LifecycleState.DRAFT: "草稿",
    LifecycleState.SUBMITTED: "已报送",
    LifecycleState.PUBLISHED: "已发布",
    LifecycleState.RETIRED: "已撤销",
}
