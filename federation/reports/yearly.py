"""The yearly report (年度政务信息资源共享工作报告) as sheets of tables and charts, written
alike as a spreadsheet (`federation.reports.xlsx`) and a page (`federation.reports.html`).

Every figure comes from `graph.sharing.statistics` — the same figures the API's statistics
show — and is laid out once here; the writers only render, so the spreadsheet and the page
cannot disagree. The sheets: 总览 (the main figures, share types, request states, the most
requested entries), 各部门目录 (entries per department), 共享申请 (requests per department),
疑义纠错 (objections per department), 整改清单 (everything overdue).

    report = await yearly_report(store, calendar, rulebook, 2026, today=date(2027, 1, 20))
    report.sheets[0].name  # "总览"
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Literal

from federation.reports.labels import (
    LIFECYCLE_LABELS,
    OBJECTION_LABELS,
    RECTIFICATION_LABELS,
    REQUEST_LABELS,
    SHARE_TYPE_LABELS,
)
from graph.enums import LifecycleState, ShareType
from graph.sharing import (
    DepartmentStatistics,
    Durations,
    ObjectionState,
    Period,
    RectificationItem,
    RectificationKind,
    Rulebook,
    SharingStatistics,
    WorkingCalendar,
    rectification_list,
    sharing_statistics,
)
from graph.store import CatalogStore

__all__ = [
    "NONE_SHOWN",
    "Cell",
    "Chart",
    "Sheet",
    "Table",
    "YearlyReport",
    "overview_figures",
    "yearly_report",
]

Cell = str | int | float | None
NONE_SHOWN = "—"  # a median of no durations
# The most rows of a table a chart draws (the departments with the most, in table order).
CHART_ROWS = 15


@dataclass(frozen=True, slots=True)
class Table:
    """A titled table; `total` when its last row is the total (charts leave it out);
    `page_rows` the most rows the page shows (the spreadsheet has them all)."""

    key: str
    title: str
    headers: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]
    total: bool = False
    page_rows: int | None = None


@dataclass(frozen=True, slots=True)
class Chart:
    """A chart of one table: the labels of column `categories`, a series per column of
    `series`, over the table's first `CHART_ROWS` rows (its total left out)."""

    key: str
    title: str
    kind: Literal["bar", "pie"]
    table: str
    categories: int
    series: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class Sheet:
    name: str
    tables: tuple[Table, ...]
    charts: tuple[Chart, ...] = ()

    def table(self, key: str) -> Table:
        return next(t for t in self.tables if t.key == key)


@dataclass(frozen=True, slots=True)
class YearlyReport:
    """The report of `year` of one instance's catalog, generated on `generated_on`."""

    year: int
    title: str
    catalog_id: str
    catalog_name: str
    rulebook: str
    generated_on: date
    statistics: SharingStatistics
    rectification: tuple[RectificationItem, ...]
    sheets: tuple[Sheet, ...]

    @property
    def provisional(self) -> bool:
        return self.statistics.provisional or any(i.provisional for i in self.rectification)


def _shown(value: float | None) -> Cell:
    return NONE_SHOWN if value is None else value


def overview_figures(
    stats: SharingStatistics, rectification: Sequence[RectificationItem]
) -> list[tuple[str, Cell]]:
    """The main figures of 总览, label and value."""
    total = stats.total
    published = total.entries_by_state[LifecycleState.PUBLISHED]

    def times(prefix: str, durations: Durations) -> list[tuple[str, Cell]]:
        return [
            (f"{prefix}用时中位数（工作日）", _shown(durations.median)),
            (f"{prefix}用时P95（工作日）", _shown(durations.p95)),
        ]

    return [
        ("目录条目（本级）", total.entries),
        ("已发布目录条目", published),
        ("目录更新逾期条目", total.updates_overdue),
        ("收到共享申请", total.requests_received),
        ("已答复共享申请", total.requests_answered),
        *times("答复", total.answer_time),
        ("逾期答复（已答复）", total.answers_late),
        ("逾期提供（已提供）", total.deliveries_late),
        ("收到疑义纠错", total.objections_received),
        *times("疑义处理", total.objection_time),
        ("逾期处理疑义（已处理）", total.objections_late),
        ("当前逾期：答复", total.overdue_answers),
        ("当前逾期：提供数据", total.overdue_deliveries),
        ("当前逾期：疑义处理", total.overdue_objections),
        ("当前逾期：争议协商", total.overdue_negotiations),
        ("当前逾期：争议协调", total.overdue_decisions),
        ("整改事项", len(rectification)),
        ("工作日含暂定日期", "是" if stats.provisional else "否"),
    ]


def _department_rows(
    stats: SharingStatistics,
    selected: Callable[[DepartmentStatistics], int],
    row: Callable[[DepartmentStatistics], tuple[Cell, ...]],
) -> tuple[tuple[Cell, ...], ...]:
    """The departments with something to show (`selected` > 0), the most first, then their
    total."""
    shown = sorted((d for d in stats.departments if selected(d)), key=lambda d: -selected(d))
    return (*(row(d) for d in shown), row(stats.total))


def _entries_row(d: DepartmentStatistics) -> tuple[Cell, ...]:
    return (
        d.name,
        d.code,
        d.entries,
        *(d.entries_by_state[s] for s in LifecycleState),
        *(d.published_by_share_type[t] for t in ShareType),
        d.updates_overdue,
    )


def _requests_row(d: DepartmentStatistics) -> tuple[Cell, ...]:
    return (
        d.name,
        d.code,
        d.requests_received,
        d.requests_answered,
        d.requests_made,
        _shown(d.answer_time.median),
        _shown(d.answer_time.p95),
        d.answers_late,
        d.deliveries_late,
        d.overdue_answers,
        d.overdue_deliveries,
    )


def _objections_row(d: DepartmentStatistics) -> tuple[Cell, ...]:
    return (
        d.name,
        d.code,
        d.objections_received,
        *(d.objections_by_state[s] for s in ObjectionState),
        _shown(d.objection_time.median),
        _shown(d.objection_time.p95),
        d.objections_late,
        d.overdue_objections,
    )


def _rectification_row(n: int, item: RectificationItem) -> tuple[Cell, ...]:
    return (
        n,
        RECTIFICATION_LABELS[item.kind],
        item.department_name,
        item.department_code or "",
        item.resource_code,
        item.resource_name,
        item.subject or "",
        item.due.isoformat(),
        item.working_days_late,
        "是" if item.provisional else "否",
        item.source,
    )


# The page shows at most this many items of the rectification list; the spreadsheet all.
PAGE_RECTIFICATION_ROWS = 500


def _sheets(
    stats: SharingStatistics, rectification: Sequence[RectificationItem]
) -> tuple[Sheet, ...]:
    total = stats.total
    overview = Sheet(
        "总览",
        (
            Table(
                "figures",
                "主要指标",
                ("指标", "数值"),
                tuple(overview_figures(stats, rectification)),
            ),
            Table(
                "share_types",
                "已发布目录的共享类型",
                ("共享类型", "目录条目"),
                tuple((SHARE_TYPE_LABELS[t], total.published_by_share_type[t]) for t in ShareType),
            ),
            Table(
                "request_states",
                "共享申请状态",
                ("状态", "申请数"),
                tuple((REQUEST_LABELS[s], n) for s, n in total.requests_by_state.items()),
            ),
            Table(
                "most_requested",
                "申请最多的信息资源",
                ("排名", "信息资源代码", "信息资源名称", "提供部门", "申请数"),
                tuple(
                    (i, r.code, r.name, r.provider_name, r.requests)
                    for i, r in enumerate(stats.most_requested, 1)
                ),
            ),
        ),
        (
            Chart("share_types", "已发布目录的共享类型", "pie", "share_types", 0, (1,)),
            Chart("request_states", "共享申请状态", "pie", "request_states", 0, (1,)),
            Chart("most_requested", "申请最多的信息资源", "bar", "most_requested", 2, (4,)),
        ),
    )
    departments = Sheet(
        "各部门目录",
        (
            Table(
                "departments",
                "各部门目录条目",
                (
                    "部门",
                    "统一社会信用代码",
                    "目录条目",
                    *(LIFECYCLE_LABELS[s] for s in LifecycleState),
                    *(SHARE_TYPE_LABELS[t] for t in ShareType),
                    "目录更新逾期",
                ),
                _department_rows(stats, lambda d: d.entries, _entries_row),
                total=True,
            ),
        ),
        (Chart("departments", "各部门已发布与更新逾期目录", "bar", "departments", 0, (5, 10)),),
    )
    requests = Sheet(
        "共享申请",
        (
            Table(
                "requests",
                "各部门共享申请办理情况",
                (
                    "部门",
                    "统一社会信用代码",
                    "收到申请",
                    "已答复",
                    "提出申请",
                    "答复用时中位数（工作日）",
                    "答复用时P95（工作日）",
                    "逾期答复",
                    "逾期提供",
                    "当前答复逾期",
                    "当前提供逾期",
                ),
                _department_rows(
                    stats, lambda d: d.requests_received * 10_000 + d.requests_made, _requests_row
                ),
                total=True,
            ),
        ),
        (Chart("requests", "各部门收到与答复的共享申请", "bar", "requests", 0, (2, 3)),),
    )
    objections = Sheet(
        "疑义纠错",
        (
            Table(
                "objections",
                "各部门疑义纠错处理情况",
                (
                    "部门",
                    "统一社会信用代码",
                    "收到疑义",
                    *(OBJECTION_LABELS[s] for s in ObjectionState),
                    "处理用时中位数（工作日）",
                    "处理用时P95（工作日）",
                    "逾期处理",
                    "当前逾期",
                ),
                _department_rows(stats, lambda d: d.objections_received, _objections_row),
                total=True,
            ),
        ),
        (Chart("objections", "各部门疑义纠错处理状态", "bar", "objections", 0, (3, 4, 5, 6)),),
    )
    by_kind = {kind: 0 for kind in RectificationKind}
    for item in rectification:
        by_kind[item.kind] += 1
    rectify = Sheet(
        "整改清单",
        (
            Table(
                "kinds",
                "整改事项分类",
                ("事项", "数量"),
                tuple((RECTIFICATION_LABELS[k], n) for k, n in by_kind.items()),
            ),
            Table(
                "rectification",
                "整改清单",
                (
                    "序号",
                    "事项",
                    "部门",
                    "统一社会信用代码",
                    "信息资源代码",
                    "信息资源名称",
                    "申请/疑义编号",
                    "应完成日期",
                    "逾期（工作日）",
                    "暂定",
                    "依据",
                ),
                tuple(_rectification_row(n, item) for n, item in enumerate(rectification, 1)),
                page_rows=PAGE_RECTIFICATION_ROWS,
            ),
        ),
        (Chart("kinds", "整改事项分类", "bar", "kinds", 0, (1,)),),
    )
    return overview, departments, requests, objections, rectify


async def yearly_report(
    store: CatalogStore,
    calendar: WorkingCalendar,
    rulebook: Rulebook,
    year: int,
    today: date,
) -> YearlyReport:
    """The report of `year` from `store`, generated on `today` (Beijing): figures judged on
    the year's last day, or on `today` while the year runs."""
    period = Period.year(year)
    as_of = min(period.end, today)
    stats = await sharing_statistics(store, calendar, rulebook, period, as_of=as_of)
    rectification = tuple(await rectification_list(store, calendar, rulebook, as_of))
    local = f"（{'、'.join(rulebook.local)}）" if rulebook.local else ""
    return YearlyReport(
        year=year,
        title=f"《{year}年度政务信息资源共享工作报告》",
        catalog_id=store.catalog.id,
        catalog_name=store.catalog.name,
        rulebook=f"{rulebook.title}{local}",
        generated_on=today,
        statistics=stats,
        rectification=rectification,
        sheets=_sheets(stats, rectification),
    )
