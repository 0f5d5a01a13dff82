"""The yearly report as one self-contained page: its tables, and its charts drawn by Apache
ECharts — the library Chinese government dashboards use — inlined from this package
(`federation/reports/static/echarts.min.js`, Apache-2.0, its LICENSE and NOTICE beside it):
an intranet has no internet, so the page never fetches anything.

The rules: every text is escaped; the charts' options are JSON in a script element of type
``application/json`` (``<`` written ``\\u003c``, so nothing in a name ends the element);
each chart is a ``div.chart`` the script fills; a table with `page_rows` shows that many rows
and says where the rest are (the spreadsheet).

    write_html(report, Path("report-2026.html"))
"""

from __future__ import annotations

import json
from functools import lru_cache
from html import escape
from importlib.resources import files
from pathlib import Path

from federation.reports.yearly import CHART_ROWS, Cell, Chart, Sheet, Table, YearlyReport

__all__ = ["echarts_source", "render_html", "write_html"]

_STYLE = """
body { font-family: "Microsoft YaHei", "PingFang SC", "Noto Sans CJK SC", sans-serif;
       margin: 2em auto; max-width: 1200px; color: #222; padding: 0 1em; }
h1 { text-align: center; font-size: 1.8em; }
.meta { text-align: center; color: #555; margin: 0.2em; }
.note { color: #a15c00; }
h2 { border-bottom: 2px solid #c00; padding-bottom: 0.2em; margin-top: 2em; }
table { border-collapse: collapse; margin: 1em 0; font-size: 0.9em; }
caption { text-align: left; font-weight: bold; padding: 0.3em 0; }
th, td { border: 1px solid #bbb; padding: 0.25em 0.6em; }
th { background: #f3f3f3; }
td.n { text-align: right; font-variant-numeric: tabular-nums; }
tr.total td { font-weight: bold; background: #fafafa; }
.charts { display: flex; flex-wrap: wrap; gap: 1em; }
.chart { width: 580px; height: 380px; }
"""

_SCRIPT = """
const options = JSON.parse(document.getElementById("chart-options").textContent);
for (const [id, option] of Object.entries(options)) {
  const chart = echarts.init(document.getElementById(id));
  chart.setOption(option);
  window.addEventListener("resize", () => chart.resize());
}
"""


@lru_cache(maxsize=1)
def echarts_source() -> str:
    """ECharts, as shipped in the package."""
    source = files("federation.reports").joinpath("static/echarts.min.js").read_text("utf-8")
    if "</script" in source.lower():  # it would end the element it is inlined in
        raise ValueError("echarts.min.js contains </script and cannot be inlined")
    return source


def _cell(value: Cell) -> str:
    if isinstance(value, int | float) and not isinstance(value, bool):
        shown = f"{value:g}" if isinstance(value, float) else str(value)
        return f'<td class="n">{shown}</td>'
    return f"<td>{escape('' if value is None else str(value))}</td>"


def _table(table: Table, sheet_index: int) -> str:
    rows = table.rows if table.page_rows is None else table.rows[: table.page_rows]
    head = "".join(f"<th>{escape(h)}</th>" for h in table.headers)
    body = []
    for i, row in enumerate(rows):
        total = table.total and i == len(table.rows) - 1
        opening = '<tr class="total">' if total else "<tr>"
        body.append(opening + "".join(_cell(c) for c in row) + "</tr>")
    more = ""
    if len(rows) < len(table.rows):
        more = (
            f'<p class="note">共 {len(table.rows)} 项，此处列出前 {len(rows)} 项；'
            "完整清单见同名 xlsx 文件。</p>"
        )
    return (
        f'<table id="table-{sheet_index}-{table.key}"><caption>{escape(table.title)}</caption>'
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>{more}"
    )


def _option(chart: Chart, table: Table) -> dict[str, object]:
    rows = table.rows[:-1] if table.total else table.rows
    rows = rows[:CHART_ROWS]
    labels = [str(row[chart.categories]) for row in rows]
    title = {"text": chart.title, "left": "center", "textStyle": {"fontSize": 14}}
    if chart.kind == "pie":
        column = chart.series[0]
        return {
            "title": title,
            "tooltip": {"trigger": "item"},
            "legend": {"bottom": 0, "type": "scroll"},
            "series": [
                {
                    "type": "pie",
                    "radius": "55%",
                    "name": table.headers[column],
                    # a slice of nothing is only clutter: the table shows the zeros
                    "data": [
                        {"name": label, "value": row[column]}
                        for label, row in zip(labels, rows, strict=True)
                        if row[column]
                    ],
                }
            ],
        }
    return {
        "title": title,
        "tooltip": {"trigger": "axis"},
        "legend": {"bottom": 0},
        "grid": {"left": 48, "right": 16, "bottom": 110, "top": 48},
        "xAxis": {
            "type": "category",
            "data": labels,
            "axisLabel": {"interval": 0, "rotate": 35, "width": 110, "overflow": "truncate"},
        },
        "yAxis": {"type": "value", "minInterval": 1},
        "series": [
            {"type": "bar", "name": table.headers[c], "data": [row[c] for row in rows]}
            for c in chart.series
        ],
    }


def _sheet(sheet: Sheet, index: int, options: dict[str, object]) -> str:
    charts = []
    for chart in sheet.charts:
        table = sheet.table(chart.table)
        if len(table.rows) - (1 if table.total else 0) < 1:
            continue
        id = f"chart-{index}-{chart.key}"
        options[id] = _option(chart, table)
        charts.append(f'<div class="chart" id="{id}"></div>')
    tables = "".join(_table(t, index) for t in sheet.tables)
    return (
        f'<section id="sheet-{index}"><h2>{escape(sheet.name)}</h2>'
        f'<div class="charts">{"".join(charts)}</div>{tables}</section>'
    )


def render_html(report: YearlyReport) -> str:
    options: dict[str, object] = {}
    sections = "".join(_sheet(sheet, i, options) for i, sheet in enumerate(report.sheets))
    stats = report.statistics
    note = ""
    if report.provisional:
        note = (
            '<p class="meta note">部分工作日按周末推算（该年度节假日安排尚未发布），'
            "相关日期为暂定。</p>"
        )
    data = json.dumps(options, ensure_ascii=False).replace("<", "\\u003c")
    return (
        '<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8">'
        f"<title>{escape(report.title)}</title><style>{_STYLE}</style></head><body>"
        f"<h1>{escape(report.title)}</h1>"
        f'<p class="meta">{escape(report.catalog_name)}（{escape(report.catalog_id)}）</p>'
        f'<p class="meta">统计期间：{stats.period.start.isoformat()} 至 '
        f"{stats.period.end.isoformat()}；统计截止：{stats.as_of.isoformat()}；"
        f"生成日期：{report.generated_on.isoformat()}</p>"
        f'<p class="meta">规则：{escape(report.rulebook)}</p>{note}{sections}'
        f'<script type="application/json" id="chart-options">{data}</script>'
        f"<script>{echarts_source()}</script><script>{_SCRIPT}</script></body></html>"
    )


def write_html(report: YearlyReport, path: Path) -> Path:
    """Write `report` to `path` as one self-contained page (replacing it); return `path`."""
    path.write_text(render_html(report), encoding="utf-8")
    return path
