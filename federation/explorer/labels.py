"""The Chinese labels the explorer shows, sent once inside its page: every field of an entry
and of a data item under its 1272-guide label (`graph.fields`, read, never copied), and each
value of the vocabularies the pages display — the report's labels where it has them, the
terms of `graph.enums`' docstrings for the rest. A completeness test per mapping."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from federation.api.exchange import MAX_UPLOAD_BYTES
from federation.reports.labels import (
    LIFECYCLE_LABELS,
    OBJECTION_LABELS,
    REQUEST_LABELS,
    SHARE_TYPE_LABELS,
)
from graph.enums import (
    BASE_LIBRARIES,
    Classification,
    FormatClass,
    Level,
    ResourceKind,
    Role,
    ShareMode,
    UpdateCycle,
    Zone,
)
from graph.fields import facts_of
from graph.model import DataItem, Resource
from graph.sharing.objections import DATA, objection_fields

__all__ = ["ENUM_LABELS", "page_labels"]

ENUM_LABELS: Mapping[str, Mapping[Any, str]] = {
    "Level": {
        Level.NATIONAL: "国家",
        Level.PROVINCIAL: "省级",
        Level.MUNICIPAL: "市级",
        Level.COUNTY: "县级",
    },
    "Zone": {Zone.INTRANET: "内网", Zone.EXTRANET: "外网"},
    "Classification": {
        Classification.CLASSIFIED: "涉密",
        Classification.UNCLASSIFIED: "非涉密",
    },
    "ShareType": SHARE_TYPE_LABELS,
    "ShareMode": {
        ShareMode.INTERFACE: "接口",
        ShareMode.ONLINE_QUERY: "联机查询",
        ShareMode.BATCH_DOWNLOAD: "批量下载",
        ShareMode.FRONT_END_EXCHANGE: "前置机",
        ShareMode.DATA_COMPARISON: "数据比对",
    },
    "UpdateCycle": {
        UpdateCycle.REALTIME: "实时",
        UpdateCycle.DAILY: "每日",
        UpdateCycle.WEEKLY: "每周",
        UpdateCycle.MONTHLY: "每月",
        UpdateCycle.QUARTERLY: "每季度",
        UpdateCycle.YEARLY: "每年",
    },
    "ResourceKind": {
        ResourceKind.BASE: "基础信息资源",
        ResourceKind.THEME: "主题信息资源",
        ResourceKind.DEPARTMENT: "部门信息资源",
    },
    "FormatClass": {
        FormatClass.ELECTRONIC_FILE: "电子文件",
        FormatClass.SPREADSHEET: "电子表格",
        FormatClass.DATABASE: "数据库",
        FormatClass.IMAGE: "图形图像",
        FormatClass.STREAMING_MEDIA: "流媒体",
        FormatClass.SELF_DESCRIBING: "自描述格式",
        FormatClass.SERVICE_INTERFACE: "服务接口",
    },
    "Role": {
        Role.PROVIDER: "政务部门",
        Role.REVIEWER: "审核人员",
        Role.ADMINISTRATOR: "系统管理员",
        Role.AUDITOR: "安全审计员",
        Role.SYNC: "同步",
    },
    "LifecycleState": LIFECYCLE_LABELS,
    "RequestState": REQUEST_LABELS,
    "ObjectionState": OBJECTION_LABELS,
}


def _fields(cls: type) -> dict[str, str]:
    return {
        facts.graphql_name: facts.label_zh
        for facts in facts_of(cls).values()
        if facts.graphql_name is not None
    }


def page_labels() -> dict[str, Any]:
    """What the page's script reads as ``LABELS``: field labels by GraphQL name, value labels
    by GraphQL enum name, the five base libraries in the order of their 项 codes, and the
    largest spreadsheet the upload takes (`importSpreadsheet`'s bound, shown before upload)."""
    return {
        "fields": {"Resource": _fields(Resource), "DataItem": _fields(DataItem)},
        "enums": {
            name: {str(value): label for value, label in labels.items()}
            for name, labels in ENUM_LABELS.items()
        },
        "baseLibraries": list(BASE_LIBRARIES),
        "importMaxBytes": MAX_UPLOAD_BYTES,
        "objectionFields": _objection_fields(),
    }


def _objection_fields() -> dict[str, str]:
    """What a 疑义 may name (`graph.sharing.objection_fields`), in the guide's order, labelled."""
    named = objection_fields()
    fields = {name: f.label_zh for name, f in facts_of(Resource).items() if name in named}
    return {**fields, DATA: "数据本身"}
