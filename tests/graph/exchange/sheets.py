"""Spreadsheets as departments fill them in, made here by hand with openpyxl and csv — not by
mulu's own writer — so that reading is tested against files mulu did not make.

    path = department_xlsx(tmp_path, [row(...), ...])
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

from openpyxl import Workbook

from tests.graph.entries import POLICE

# The 1272 guide's sheet as a department lays it out: its own column order, two header rows
# with merged groups, a column mulu does not know (备注).
GROUPS = [
    ("信息资源名称", None),
    ("信息资源代码", None),
    ("信息资源提供方", None),
    ("信息资源提供方代码", None),
    ("信息资源摘要", None),
    ("信息资源格式", "信息资源格式分类"),
    ("信息资源格式", "信息资源格式类型"),
    ("信息项信息", "信息项名称"),
    ("信息项信息", "数据类型"),
    ("信息项信息", "数据长度"),
    ("共享属性", "共享类型"),
    ("共享属性", "共享条件"),
    ("共享属性", "不予共享依据"),
    ("共享属性", "共享方式"),
    ("开放属性", "是否向社会开放"),
    ("开放属性", "开放条件"),
    ("更新周期", None),
    ("发布日期", None),
    ("涉密属性", None),
    ("备注", None),
]
LETTER = {sub or group: chr(65 + i) for i, (group, sub) in enumerate(GROUPS)}


def entry_row(**cells: Any) -> list[Any]:
    """A valid entry's row of 成都市公安局 (a 前段码 in its code cell); `cells` by label."""
    values: dict[str, Any] = {
        "信息资源名称": "户籍人口信息",
        "信息资源代码": "301001001",
        "信息资源提供方": POLICE.name,
        "信息资源提供方代码": POLICE.code,
        "信息资源摘要": "全市户籍人口的基本登记信息",
        "信息资源格式分类": "数据库",
        "信息资源格式类型": "MySQL",
        "信息项名称": "公民身份号码",
        "数据类型": "字符型",
        "数据长度": 18,
        "共享类型": "有条件共享",
        "共享条件": "仅限政务用途",
        "共享方式": "接口、联机查询",
        "是否向社会开放": "否",
        "更新周期": "每月",
        "发布日期": 45413,  # an Excel serial number: 2024-05-01
        "涉密属性": "非涉密",
        "备注": "手工填报",
    }
    values.update(cells)
    return [values.get(sub or group) for group, sub in GROUPS]


def item_row(name: str, data_type: str, length: int | None) -> list[Any]:
    """A following row holding one more data item of the entry above."""
    values: list[Any] = [None] * len(GROUPS)
    values[ord(LETTER["信息项名称"]) - 65] = name
    values[ord(LETTER["数据类型"]) - 65] = data_type
    values[ord(LETTER["数据长度"]) - 65] = length
    return values


def header() -> tuple[list[Any], list[Any]]:
    top: list[Any] = []
    below: list[Any] = []
    previous = None
    for group, sub in GROUPS:
        top.append(group if group != previous or sub is None else None)
        below.append(sub)
        previous = group
    return top, below


def department_xlsx(
    path: Path, rows: list[list[Any]], title: str = "成都市公安局政务信息资源目录"
) -> Path:
    """An xlsx as a department fills it in: title row merged over every column, group labels
    merged over their columns, single columns merged over both header rows."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "资源目录"
    top, below = header()
    sheet.append([title])
    sheet.append(top)
    sheet.append(below)
    last = chr(64 + len(GROUPS))
    sheet.merge_cells(f"A1:{last}1")
    i = 0
    while i < len(GROUPS):
        group, sub = GROUPS[i]
        j = i
        while sub is not None and j + 1 < len(GROUPS) and GROUPS[j + 1][0] == group:
            j += 1
        first = chr(65 + i)
        if sub is None:
            sheet.merge_cells(f"{first}2:{first}3")
        elif j > i:
            sheet.merge_cells(f"{first}2:{chr(65 + j)}2")
        i = j + 1
    for values in rows:
        sheet.append(values)
    book.save(path)
    return path


def department_csv(path: Path, rows: list[list[Any]], encoding: str, bom: bool = False) -> Path:
    """The same sheet saved as CSV by Excel on Chinese Windows (GBK), or as “CSV UTF-8”."""
    text = io.StringIO()
    writer = csv.writer(text)
    top, below = header()
    writer.writerow(["成都市公安局政务信息资源目录"] + [""] * (len(GROUPS) - 1))
    writer.writerow(["" if v is None else v for v in top])
    writer.writerow(["" if v is None else v for v in below])
    for values in rows:
        writer.writerow(["" if v is None else v for v in values])
    data = text.getvalue().encode(encoding)
    if bom:
        data = b"\xef\xbb\xbf" + data
    path.write_bytes(data)
    return path
