"""Reading spreadsheets as departments fill them in: merged two-row headers under a title row,
Chinese enumerations, dates as Excel serials or text, items in following rows or one cell;
CSV in UTF-8 (with and without BOM), GBK and GB18030, the encoding reported; files bounded."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from graph import Classification, FormatClass, ShareMode, ShareType, UpdateCycle
from graph.exchange.errors import FileRefused
from graph.exchange.reading import Limits, detect_encoding, open_sheet
from graph.exchange.records import Problem, Record, parse_record, records
from tests.graph.entries import POLICE
from tests.graph.exchange.sheets import department_csv, department_xlsx, entry_row, item_row


def read(path: Path, limits: Limits | None = None) -> tuple[str | None, list[Record | Problem]]:
    with open_sheet(path, limits) as sheet:
        return sheet.encoding, list(records(sheet.rows()))


def test_a_departments_xlsx_with_merged_headers_reads_as_its_entries(tmp_path: Path) -> None:
    rows = [
        entry_row(),
        item_row("姓名", "字符型", 50),
        item_row("出生日期", "日期型", None),
        entry_row(
            信息资源名称="企业登记信息",
            共享类型="无条件共享",
            共享条件=None,
            共享方式="批量下载",
            更新周期="每日",
            发布日期="2024年5月1日",
            信息资源格式分类="电子表格",
            信息资源格式类型="xlsx",
        ),
    ]
    path = department_xlsx(tmp_path / "目录.xlsx", rows)
    encoding, found = read(path)
    assert encoding is None
    first, second = found
    assert isinstance(first, Record)
    assert isinstance(second, Record)
    assert (first.row, [row for row, _ in first.items]) == (4, [4, 5, 6])
    entry = parse_record(first, POLICE.code, POLICE.name)
    assert [(i.name, i.data_type, i.length) for i in entry.items] == [
        ("公民身份号码", "字符型", 18),
        ("姓名", "字符型", 50),
        ("出生日期", "日期型", None),
    ]
    assert entry.share_type is ShareType.CONDITIONAL
    assert entry.share_modes == {ShareMode.INTERFACE, ShareMode.ONLINE_QUERY}
    assert entry.update_cycle is UpdateCycle.MONTHLY
    assert entry.classification is Classification.UNCLASSIFIED
    assert entry.published_on == date(2024, 5, 1)  # Excel serial 45413
    other = parse_record(second, POLICE.code, POLICE.name)
    assert (other.format_class, other.published_on) == (FormatClass.SPREADSHEET, date(2024, 5, 1))
    assert other.update_cycle is UpdateCycle.DAILY


def test_the_unknown_column_is_reported_and_ignored(tmp_path: Path) -> None:
    path = department_xlsx(tmp_path / "目录.xlsx", [entry_row()])
    with open_sheet(path) as sheet:
        assert sheet.unknown_columns == ["T 备注"]
        assert "备注" not in next(sheet.rows()).cells


def test_items_written_in_one_cell_are_read_as_items(tmp_path: Path) -> None:
    cell = "公民身份号码/字符型/18；姓名/字符型/50\n出生日期/日期型"
    path = department_xlsx(
        tmp_path / "目录.xlsx", [entry_row(信息项名称=cell, 数据类型=None, 数据长度=None)]
    )
    _, (record,) = read(path)
    assert isinstance(record, Record)
    entry = parse_record(record, POLICE.code, POLICE.name)
    assert [(i.name, i.data_type, i.length) for i in entry.items] == [
        ("公民身份号码", "字符型", 18),
        ("姓名", "字符型", 50),
        ("出生日期", "日期型", None),
    ]


@pytest.mark.parametrize(
    ("encoding", "bom", "reported"),
    [
        ("utf-8", False, "utf-8"),
        ("utf-8", True, "utf-8-sig"),
        ("gbk", False, "gbk"),
        ("gb18030", False, "gb18030"),
    ],
)
def test_csv_in_each_encoding_excel_writes_is_detected_and_read(
    tmp_path: Path, encoding: str, bom: bool, reported: str
) -> None:
    # 㐀 is in GB18030 and not in GBK: the file can only be GB18030.
    name = "㐀户籍人口信息" if encoding == "gb18030" else "户籍人口信息"
    rows = [entry_row(信息资源名称=name), item_row("姓名", "字符型", 50)]
    path = department_csv(tmp_path / "目录.csv", rows, encoding, bom)
    found_encoding, (record,) = read(path)
    assert found_encoding == reported
    assert isinstance(record, Record)
    entry = parse_record(record, POLICE.code, POLICE.name)
    assert entry.name == name
    assert [i.name for i in entry.items] == ["公民身份号码", "姓名"]
    assert entry.published_on == date(2024, 5, 1)  # the serial, as CSV text


def test_the_try_order_prefers_utf8_and_refuses_what_no_encoding_reads() -> None:
    assert detect_encoding("信息资源".encode()) == "utf-8"
    assert detect_encoding("信息资源".encode("gbk")) == "gbk"
    with pytest.raises(FileRefused, match="neither UTF-8"):
        detect_encoding(b"\xff\xfe\xff\xfe\x80\x80")


def test_a_file_larger_than_the_bound_is_refused_before_a_row_is_read(tmp_path: Path) -> None:
    # About 10 MB of rows: read within the default bound, refused under a 5 MB one.
    rows = [
        entry_row(信息资源名称=f"户籍人口信息{i}", 信息资源摘要="摘要" * 200) for i in range(8000)
    ]
    path = department_csv(tmp_path / "大.csv", rows, "utf-8")
    assert path.stat().st_size > 10_000_000
    with open_sheet(path) as sheet:
        assert sum(1 for _ in sheet.rows()) == 8000
    with pytest.raises(FileRefused, match="an import reads at most 5,242,880 bytes"):
        read(path, Limits(max_bytes=5 * 1024 * 1024))


def test_rows_beyond_the_row_bound_are_refused(tmp_path: Path) -> None:
    path = department_csv(tmp_path / "目录.csv", [entry_row()] * 5, "utf-8")
    with pytest.raises(FileRefused, match="more than 6 rows"):
        read(path, Limits(max_rows=6))


def test_a_sheet_without_the_templates_header_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(FileRefused, match="no header row naming 信息资源名称"):
        read(path)


def test_a_file_neither_xlsx_nor_csv_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "目录.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0")
    with pytest.raises(FileRefused, match=r"an \.xlsx or \.csv file is accepted, not \.xls"):
        read(path)


def test_a_byte_the_guessed_encoding_refuses_later_names_its_row(tmp_path: Path) -> None:
    rows = [entry_row()] * 3000  # past the 64 KiB the encoding is guessed from
    path = department_csv(tmp_path / "目录.csv", rows, "utf-8")
    path.write_bytes(path.read_bytes() + "户籍".encode("gbk")[:1] + b"\n")
    with pytest.raises(FileRefused, match="is not utf-8"):
        read(path)


def test_an_items_row_before_any_entry_is_a_problem_in_the_name_column(tmp_path: Path) -> None:
    rows = [item_row("姓名", "字符型", 50), entry_row()]
    path = department_xlsx(tmp_path / "目录.xlsx", rows)
    with open_sheet(path) as sheet:
        found = list(records(sheet.rows(), sheet.letter_of("name")))
    problem, record = found
    assert isinstance(problem, Problem)
    assert isinstance(record, Record)
    assert (problem.row, problem.column, problem.label) == (4, "A", "信息资源名称")
    assert "before the rows of its items" in problem.accepted
