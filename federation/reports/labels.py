"""The Chinese labels a report shows for the domain's values: one place, so that the
spreadsheet and the page say the same, and a completeness test per mapping."""

from __future__ import annotations

from collections.abc import Mapping

from graph.enums import LifecycleState, ShareType
from graph.sharing import ObjectionState, RectificationKind, RequestState

__all__ = [
    "LIFECYCLE_LABELS",
    "OBJECTION_LABELS",
    "RECTIFICATION_LABELS",
    "REQUEST_LABELS",
    "SHARE_TYPE_LABELS",
]

LIFECYCLE_LABELS: Mapping[LifecycleState, str] = {
    LifecycleState.DRAFT: "草稿",
    LifecycleState.SUBMITTED: "已报送",
    LifecycleState.PUBLISHED: "已发布",
    LifecycleState.RETIRED: "已撤销",
}
SHARE_TYPE_LABELS: Mapping[ShareType, str] = {
    ShareType.UNCONDITIONAL: "无条件共享",
    ShareType.CONDITIONAL: "有条件共享",
    ShareType.NONE: "不予共享",
}
REQUEST_LABELS: Mapping[RequestState, str] = {
    RequestState.SUBMITTED: "已提交",
    RequestState.APPROVED: "已同意",
    RequestState.REFUSED: "不予共享",
    RequestState.DELIVERED: "已提供",
    RequestState.CLOSED: "已办结",
    RequestState.WITHDRAWN: "已撤回",
    RequestState.DISPUTED: "协商中",
    RequestState.ESCALATED: "已提请协调",
    RequestState.UPHELD: "维持不予共享",
}
OBJECTION_LABELS: Mapping[ObjectionState, str] = {
    ObjectionState.REPORTED: "已反馈",
    ObjectionState.CONFIRMED: "已确认",
    ObjectionState.CORRECTED: "已更正",
    ObjectionState.DISMISSED: "不予采纳",
}
RECTIFICATION_LABELS: Mapping[RectificationKind, str] = {
    RectificationKind.ANSWER: "答复逾期",
    RectificationKind.DELIVERY: "提供逾期",
    RectificationKind.OBJECTION: "疑义处理逾期",
    RectificationKind.NEGOTIATION: "争议协商逾期",
    RectificationKind.DECISION: "争议协调逾期",
    RectificationKind.UPDATE: "目录更新逾期",
}
