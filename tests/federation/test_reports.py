"""The yearly report (federation.reports) of the sample year — the sample catalog of the 成都
intranet with a year of sample activity, in an embedded store: the spreadsheet read back has
its five sheets, real charts and the statistics' figures; the page opens in Debian's Chromium
with no console error, every ECharts chart drawn, nothing fetched, and the statistics' figures
in its tables; ``mulu report yearly`` writes both from an instance's store."""

from __future__ import annotations

import dataclasses
import shutil
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from federation.cli import app
from federation.reports import YearlyReport, render_html, write_html, write_xlsx, yearly_report
from federation.reports.labels import (
    LIFECYCLE_LABELS,
    OBJECTION_LABELS,
    RECTIFICATION_LABELS,
    REQUEST_LABELS,
    SHARE_TYPE_LABELS,
)
from graph import LifecycleState, ShareType
from graph.dates import beijing_date
from graph.embedded import EmbeddedStore
from graph.sharing import (
    ObjectionState,
    Period,
    RectificationKind,
    RequestState,
    SharingStatistics,
    WorkingCalendar,
    rectification_list,
    sharing_statistics,
)
from tests.graph.activity_data import CALENDAR, RULEBOOK, YEAR, load_activity
from tests.graph.conftest import CHENGDU_INTRANET

SHEETS = ["总览", "各部门目录", "共享申请", "疑义纠错", "整改清单"]
# The report of the sample year, made in January as Sichuan 第三十四条 asks.
MADE_ON = date(YEAR + 1, 1, 20)


@pytest.fixture(scope="module")
async def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data directory holding the 成都 intranet's store with the sample year."""
    directory = tmp_path_factory.mktemp("report")
    async with EmbeddedStore.open(directory / "510100-intranet.db", CHENGDU_INTRANET) as store:
        await load_activity(store)
    return directory


async def report_of(
    data_dir: Path, today: date = MADE_ON
) -> tuple[YearlyReport, SharingStatistics]:
    async with EmbeddedStore.open(data_dir / "510100-intranet.db", CHENGDU_INTRANET) as store:
        report = await yearly_report(store, CALENDAR, RULEBOOK, YEAR, today)
        stats = await sharing_statistics(
            store, CALENDAR, RULEBOOK, Period.year(YEAR), as_of=min(today, date(YEAR, 12, 31))
        )
        todo = await rectification_list(store, CALENDAR, RULEBOOK, stats.as_of)
    assert report.rectification == tuple(todo)
    return report, stats


def rows_of(ws: Any, title: str) -> list[tuple[Any, ...]]:
    """The rows of the table titled `title` on worksheet `ws`, its header row first."""
    values = [tuple(row) for row in ws.iter_rows(values_only=True)]
    start = next(i for i, row in enumerate(values) if row and row[0] == title) + 1
    end = next((i for i in range(start, len(values)) if not any(values[i])), len(values))
    return values[start:end]


def by_label(rows: list[tuple[Any, ...]]) -> dict[str, Any]:
    return {row[0]: row[1] for row in rows[1:]}


def expected_overview(stats: SharingStatistics, items: int) -> dict[str, Any]:
    total = stats.total
    return {
        "目录条目（本级）": total.entries,
        "已发布目录条目": total.entries_by_state[LifecycleState.PUBLISHED],
        "目录更新逾期条目": total.updates_overdue,
        "收到共享申请": total.requests_received,
        "已答复共享申请": total.requests_answered,
        "答复用时中位数（工作日）": total.answer_time.median,
        "答复用时P95（工作日）": total.answer_time.p95,
        "逾期答复（已答复）": total.answers_late,
        "逾期提供（已提供）": total.deliveries_late,
        "收到疑义纠错": total.objections_received,
        "疑义处理用时中位数（工作日）": total.objection_time.median,
        "疑义处理用时P95（工作日）": total.objection_time.p95,
        "逾期处理疑义（已处理）": total.objections_late,
        "当前逾期：答复": total.overdue_answers,
        "当前逾期：提供数据": total.overdue_deliveries,
        "当前逾期：疑义处理": total.overdue_objections,
        "当前逾期：争议协商": total.overdue_negotiations,
        "当前逾期：争议协调": total.overdue_decisions,
        "整改事项": items,
        "工作日含暂定日期": "是" if stats.provisional else "否",
    }


def test_every_value_has_its_chinese_label() -> None:
    assert set(LIFECYCLE_LABELS) == set(LifecycleState)
    assert set(SHARE_TYPE_LABELS) == set(ShareType)
    assert set(REQUEST_LABELS) == set(RequestState)
    assert set(OBJECTION_LABELS) == set(ObjectionState)
    assert set(RECTIFICATION_LABELS) == set(RectificationKind)


async def test_the_spreadsheet_has_the_five_sheets_with_charts_and_the_statistics_figures(
    data_dir: Path, tmp_path: Path
) -> None:
    report, stats = await report_of(data_dir)
    assert report.title == f"《{YEAR}年度政务信息资源共享工作报告》"
    assert stats.total.requests_received > 0
    assert stats.total.overdue > 0  # the sample's late answers show
    book = load_workbook(write_xlsx(report, tmp_path / f"report-{YEAR}.xlsx"))
    assert book.sheetnames == SHEETS
    assert all(book[name]._charts for name in SHEETS)  # real charts on every sheet
    overview = book["总览"]
    assert overview["A1"].value == report.title
    assert "成都市政务信息资源目录（内网）" in overview["A2"].value
    figures = by_label(rows_of(overview, "主要指标"))
    expected = expected_overview(stats, len(report.rectification))
    assert figures == {k: "—" if v is None else v for k, v in expected.items()}
    share_types = by_label(rows_of(overview, "已发布目录的共享类型"))
    assert share_types == {
        SHARE_TYPE_LABELS[t]: n for t, n in stats.total.published_by_share_type.items()
    }
    most = rows_of(overview, "申请最多的信息资源")[1:]
    assert [(r[1], r[4]) for r in most] == [(m.code, m.requests) for m in stats.most_requested]

    requests = rows_of(book["共享申请"], "各部门共享申请办理情况")
    shown = {row[1]: row for row in requests[1:-1]}
    for department in stats.departments:
        if department.requests_received or department.requests_made:
            row = shown.pop(department.code)
            assert row[2:5] == (
                department.requests_received,
                department.requests_answered,
                department.requests_made,
            )
            assert row[7:] == (
                department.answers_late,
                department.deliveries_late,
                department.overdue_answers,
                department.overdue_deliveries,
            )
    assert shown == {}
    assert requests[-1][0] == "合计"
    assert requests[-1][2] == stats.total.requests_received

    entries = rows_of(book["各部门目录"], "各部门目录条目")
    assert entries[-1][2] == stats.total.entries
    assert entries[-1][-1] == stats.total.updates_overdue
    objections = rows_of(book["疑义纠错"], "各部门疑义纠错处理情况")
    assert objections[-1][2] == stats.total.objections_received
    listed = rows_of(book["整改清单"], "整改清单")[1:]
    assert len(listed) == len(report.rectification)
    assert [(r[3], r[4], r[6] or None) for r in listed] == [
        (i.department_code, i.resource_code, i.subject) for i in report.rectification
    ]


def chromium() -> str:
    """Debian's Chromium: the tests need it (`.ci/run` installs it); never skipped."""
    found = shutil.which("chromium")
    if found is None:
        raise RuntimeError(
            "chromium is not installed: the report page is tested in Debian's Chromium "
            "(apt-get install chromium; .ci/run installs it)"
        )
    return found


async def test_the_page_opens_in_chromium_with_every_chart_drawn_and_the_figures(
    data_dir: Path, tmp_path: Path
) -> None:
    try:
        from playwright.async_api import async_playwright
    except ImportError as exc:  # the dev extras name it
        raise RuntimeError("playwright is not installed: pip install -e '.[dev]'") from exc
    report, stats = await report_of(data_dir)
    page_file = write_html(report, tmp_path / f"report-{YEAR}.html")
    problems: list[str] = []
    fetched: list[str] = []
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=chromium(), args=["--no-sandbox"]
        )
        try:
            page = await browser.new_page()
            page.on(
                "console",
                lambda m: problems.append(m.text) if m.type in ("error", "warning") else None,
            )
            page.on("pageerror", lambda e: problems.append(str(e)))

            async def refuse(route: Any) -> None:
                fetched.append(route.request.url)
                await route.abort()

            await page.route("http*://**", refuse)
            await page.goto(page_file.as_uri())
            await page.wait_for_function(
                "[...document.querySelectorAll('div.chart')]"
                ".every(d => d.querySelector('canvas, svg'))"
            )
            charts = await page.eval_on_selector_all(
                "div.chart", "els => els.map(e => e.querySelectorAll('canvas, svg').length)"
            )
            title = await page.text_content("h1")
            cells = await page.eval_on_selector_all(
                "#table-0-figures tbody tr",
                "rows => rows.map(r => [...r.cells].map(c => c.textContent))",
            )
            total_row = await page.eval_on_selector_all(
                "#table-2-requests tr.total td", "cells => cells.map(c => c.textContent)"
            )
        finally:
            await browser.close()
    assert problems == []
    assert fetched == []  # self-contained: ECharts inlined
    assert len(charts) == sum(len(sheet.charts) for sheet in report.sheets)
    assert all(count >= 1 for count in charts)
    assert title == report.title
    figures = dict(cells)
    expected = expected_overview(stats, len(report.rectification))
    assert figures["收到共享申请"] == str(expected["收到共享申请"])
    assert figures["当前逾期：提供数据"] == str(stats.total.overdue_deliveries)
    assert figures["整改事项"] == str(len(report.rectification))
    assert total_row[0] == "合计"
    assert total_row[2] == str(stats.total.requests_received)


def test_mulu_report_yearly_writes_both_files_from_the_instances_store(
    data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("MULU_CONFIG", "MULU_STORE", "MULU_TOPOLOGY", "MULU_INSTANCE"):
        monkeypatch.delenv(name, raising=False)
    config = tmp_path / "510100-intranet.toml"
    config.write_text(
        f'data_dir = "{data_dir}"\nlocal_rules = ["sichuan"]\n'
        f'calendar_dir = "{tmp_path / "calendar"}"\n',
        encoding="utf-8",
    )
    out = tmp_path / "out"
    result = CliRunner().invoke(
        app, ["report", "yearly", str(YEAR), "--out", str(out), "-c", str(config)]
    )
    assert result.exit_code == 0, result.output
    assert f"《{YEAR}年度政务信息资源共享工作报告》" in result.stdout
    book = load_workbook(out / f"report-{YEAR}.xlsx")
    assert book.sheetnames == SHEETS
    page = (out / f"report-{YEAR}.html").read_text(encoding="utf-8")
    assert "echarts" in page
    assert "<script src" not in page
    today = beijing_date(datetime.now(UTC))
    figures = by_label(rows_of(book["总览"], "主要指标"))
    assert figures["收到共享申请"] == _received(data_dir, min(today, date(YEAR, 12, 31)))


def _received(data_dir: Path, day: date) -> int:
    import asyncio

    async def count() -> int:
        async with EmbeddedStore.open(data_dir / "510100-intranet.db", CHENGDU_INTRANET) as store:
            stats = await sharing_statistics(
                store, WorkingCalendar.official(), RULEBOOK, Period.year(YEAR), as_of=day
            )
        return stats.total.requests_received

    return asyncio.run(count())


def test_mulu_report_yearly_refuses_a_year_not_begun_and_a_missing_store(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("MULU_CONFIG", "MULU_STORE", "MULU_TOPOLOGY", "MULU_INSTANCE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("MULU_DATA_DIR", str(tmp_path))
    runner = CliRunner()
    result = runner.invoke(app, ["report", "yearly", "2999"])
    assert result.exit_code == 2
    assert "has not begun" in result.output
    result = runner.invoke(app, ["report", "yearly", str(YEAR), "--out", str(tmp_path)])
    assert result.exit_code == 1
    assert "no store at" in result.output
    assert not (tmp_path / "510100-intranet.db").exists()


async def test_the_page_escapes_every_text_and_says_where_the_rest_of_a_long_list_is(
    data_dir: Path,
) -> None:
    report, _ = await report_of(data_dir)
    hostile = "</script><script>alert(1)</script>"
    sheets = []
    for sheet in report.sheets:
        tables = []
        for table in sheet.tables:
            if table.key in ("most_requested", "rectification") and table.rows:
                first = tuple(
                    hostile if i == 2 or i == 5 else v for i, v in enumerate(table.rows[0])
                )
                table = dataclasses.replace(table, rows=(first, *table.rows[1:]))
            if table.key == "rectification":
                table = dataclasses.replace(table, page_rows=3)
            tables.append(table)
        sheets.append(dataclasses.replace(sheet, tables=tuple(tables)))
    page = render_html(dataclasses.replace(report, sheets=tuple(sheets)))
    assert hostile not in page
    assert "&lt;/script&gt;&lt;script&gt;alert(1)" in page  # in the tables
    assert "\\u003c/script>\\u003cscript>alert(1)" in page  # in the charts' options
    assert f"共 {len(report.rectification)} 项，此处列出前 3 项" in page
    assert page.count("<tr>", page.index('id="table-4-rectification"')) == 1 + 3
