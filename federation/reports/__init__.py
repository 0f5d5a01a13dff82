"""Reports (报告) of an instance, written from its store: the yearly report of sharing
(年度政务信息资源共享工作报告) that Sichuan 第三十四条 asks by 31 January (the province's by
the end of February) and Kunming 第三十五条 assesses — catalog counts, update timeliness,
requests, response speed, objections, and the rectification list (national 第二十四条).

The rules:

1. Every figure is `graph.sharing.statistics`' — the same the API's statistics show — laid
   out once as sheets of tables and charts (`federation.reports.yearly`); the spreadsheet
   (`xlsx`, openpyxl, real charts) and the page (`html`, ECharts) only render them, so the
   two never disagree.
2. The page is self-contained: ECharts (5.6.0, Apache-2.0; `static/`, with its LICENSE and
   NOTICE) is inlined from the package, never fetched — an intranet has no internet.
3. Figures are judged on the year's last day, or on the day the report is made while the
   year runs; dates are Beijing dates; a working day counted in a year whose holidays are
   not known is flagged provisional (暂定), never guessed.
4. A report reads the store in pages and writes nothing to it.

    report = await yearly_report(store, calendar, rulebook, 2026, today=date(2027, 1, 20))
    write_xlsx(report, out / "report-2026.xlsx"); write_html(report, out / "report-2026.html")
"""

from federation.reports.html import render_html, write_html
from federation.reports.xlsx import write_xlsx
from federation.reports.yearly import Chart, Sheet, Table, YearlyReport, yearly_report

__all__ = [
    "Chart",
    "Sheet",
    "Table",
    "YearlyReport",
    "render_html",
    "write_html",
    "write_xlsx",
    "yearly_report",
]
