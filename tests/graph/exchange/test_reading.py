"""Reading spreadsheets as departments fill them in: merged two-row headers under a title row,
Chinese enumerations, dates as Excel serials or text, items in following rows or one cell;
CSV in UTF-8 (with and without BOM), GBK and GB18030, the encoding reported; files bounded."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from graph import Classification, DataItem, FormatClass, ShareMode, ShareType, UpdateCycle
from graph.errors import InvalidValue
from graph.exchange.errors import FileRefused
from graph.exchange.reading import Limits, detect_encoding, open_sheet
from graph.exchange.records import Problem, Record, parse_record, records
from graph.exchange.template import Cell
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
    "cell",
    [
        "公民身份号码/字符型/18；姓名/字符型/50；出生日期/日期型",
        "公民身份号码/字符型/18；；姓名 / 字符型 / 50 ；出生日期/日期型/；",
        "公民身份号码／字符型｜18;姓名|字符型/50\n\n出生日期/日期型",
        " 公民身份号码/字符型/18；\n姓名/字符型/50；；；出生日期／日期型 ",
    ],
)
def test_items_in_one_cell_read_alike_whichever_separators(cell: str) -> None:
    """The separators a department may type — ；; or a line between items, / ／ | ｜ between
    their parts — read as the pattern splits them (； and / alone take a shorter way)."""
    import re

    from graph.exchange.template import parse_items_cell

    expected = [
        ("公民身份号码", "字符型", "18"),
        ("姓名", "字符型", "50"),
        ("出生日期", "日期型", None),
    ]
    assert parse_items_cell(cell) == expected
    by_pattern = [
        [p.strip() for p in re.split(r"[/／|｜]", part)]
        for part in re.split(r"[;；\n]+", cell)
        if part.strip()
    ]
    assert [(n, t, (rest or [None])[0] or None) for n, t, *rest in by_pattern] == expected


def test_an_item_met_before_reads_the_same_and_a_bad_length_names_its_index() -> None:
    """Items read from one cell are remembered by what the cell writes: the same text is the
    same item in every entry, and a length refused is named by the item's place in its own
    entry, whatever was read before."""
    kind = {"format_class": "电子表格", "share_type": "无条件共享", "update_cycle": "每月"}
    cells: dict[str, Cell] = {"name": "人口", "item.name": "姓名/字符型/50；年龄/整型/3", **kind}
    first = Record("目录", 4, cells, [(4, cells)], one_cell=True)
    items = parse_record(first, POLICE.code, POLICE.name).items
    again = parse_record(
        Record("目录", 5, cells, [(5, cells)], one_cell=True), POLICE.code, POLICE.name
    ).items
    assert again == items == (DataItem("姓名", "字符型", 50), DataItem("年龄", "整型", 3))
    bad: dict[str, Cell] = {"name": "法人", "item.name": "姓名/字符型/50；名称/字符型/很长", **kind}
    with pytest.raises(InvalidValue) as refused:
        parse_record(Record("目录", 6, bad, [(6, bad)], one_cell=True), POLICE.code, POLICE.name)
    assert (refused.value.field, refused.value.value) == ("items[1].length", "很长")


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


def _openpyxl_rows(path: Path) -> list[tuple[object, ...]]:
    from openpyxl import load_workbook

    book = load_workbook(path, read_only=True, data_only=True)
    try:
        rows = [tuple(r) for r in book.worksheets[0].iter_rows(values_only=True)]
    finally:
        book.close()
    return [_trimmed(r) for r in rows]


def _trimmed(row: tuple[object, ...]) -> tuple[object, ...]:
    values = list(row)
    while values and values[-1] is None:
        values.pop()
    return tuple(values)


@pytest.mark.parametrize("write_only", [False, True])
def test_the_xlsx_reader_reads_what_openpyxl_reads(tmp_path: Path, write_only: bool) -> None:
    """Shared strings (a normal workbook) and inline strings (write-only), rich text, numbers,
    booleans, dates in built-in, custom and Chinese formats, skipped cells and rows: the values
    openpyxl's read-only mode gives, row for row."""
    from datetime import datetime

    from openpyxl import Workbook
    from openpyxl.cell.rich_text import CellRichText, TextBlock
    from openpyxl.cell.text import InlineFont

    from graph.exchange.xlsx import first_sheet

    book = Workbook(write_only=write_only)
    sheet = book.create_sheet("资源目录") if write_only else book.active
    assert sheet is not None
    sheet.title = "资源目录"
    rows: list[list[object]] = [
        ["信息资源名称", "  前后空格  ", 18, 2.5, True, False, None, "=1+1"],
        [None, None, None, "跳过的格子"],
        [],
        ["日期", datetime(2024, 5, 1), datetime(2024, 5, 1, 8, 30), 45413, 1e20, -3, "0012"],
    ]
    if not write_only:
        rows.append([CellRichText("户籍", TextBlock(InlineFont(b=True), "人口"))])
    for values in rows:
        sheet.append(values)
    if not write_only:
        sheet["B4"].number_format = 'yyyy"年"m"月"d"日"'
        sheet["D4"].number_format = "yyyy-mm-dd"
        sheet["E4"].number_format = "0.00E+00"
        sheet["A9"] = "后面的行"
    path = tmp_path / "a.xlsx"
    book.save(path)
    with first_sheet(path, 10**6) as read:
        ours = [_trimmed(r) for r in read.rows]
        assert read.title == "资源目录"
    assert ours == _openpyxl_rows(path)


_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
_DOC = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def excel_like_workbook(path: Path, strings: list[str], sheet_rows: str) -> Path:
    """A workbook as Excel writes one — shared strings (one in rich text with a phonetic
    guide), a style table with the Chinese date format 31 and a custom one — which openpyxl
    never writes (it writes strings inline)."""
    import zipfile

    shared = "".join(f"<si><t>{text}</t></si>" for text in strings)
    shared += (
        "<si><r><rPr><b/></rPr><t>户籍</t></r><r><t>人口</t></r>"
        "<rPh sb='0' eb='2'><t>フセキ</t></rPh></si>"
    )
    files = {
        "[Content_Types].xml": (
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
            'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
            'officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.'
            'openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.'
            'openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
            '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-'
            'officedocument.spreadsheetml.styles+xml"/></Types>'
        ),
        "_rels/.rels": (
            f'<Relationships xmlns="{_RELS}"><Relationship Id="rId1" Type="{_DOC}/'
            'officeDocument" Target="xl/workbook.xml"/></Relationships>'
        ),
        "xl/workbook.xml": (
            f'<workbook xmlns="{_MAIN}" xmlns:r="{_DOC}"><sheets>'
            '<sheet name="资源目录" sheetId="1" r:id="rId1"/></sheets></workbook>'
        ),
        "xl/_rels/workbook.xml.rels": (
            f'<Relationships xmlns="{_RELS}">'
            f'<Relationship Id="rId1" Type="{_DOC}/worksheet" Target="worksheets/sheet1.xml"/>'
            f'<Relationship Id="rId2" Type="{_DOC}/sharedStrings" Target="sharedStrings.xml"/>'
            f'<Relationship Id="rId3" Type="{_DOC}/styles" Target="styles.xml"/>'
            "</Relationships>"
        ),
        "xl/sharedStrings.xml": f'<sst xmlns="{_MAIN}">{shared}</sst>',
        "xl/styles.xml": (
            f'<styleSheet xmlns="{_MAIN}"><numFmts count="1">'
            '<numFmt numFmtId="176" formatCode="yyyy&quot;年&quot;m&quot;月&quot;d&quot;日&quot;"/>'
            '</numFmts><fonts count="1"><font><sz val="11"/></font></fonts>'
            '<fills count="1"><fill><patternFill patternType="none"/></fill></fills>'
            '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border>'
            '</borders><cellStyleXfs count="1"><xf numFmtId="0"/></cellStyleXfs>'
            '<cellXfs count="4">'
            '<xf numFmtId="0"/><xf numFmtId="14"/><xf numFmtId="176"/><xf numFmtId="31"/>'
            '</cellXfs><cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/>'
            "</cellStyles></styleSheet>"
        ),
        "xl/worksheets/sheet1.xml": (
            f'<worksheet xmlns="{_MAIN}"><dimension ref="A1:F9"/><sheetData>{sheet_rows}'
            "</sheetData></worksheet>"
        ),
    }
    with zipfile.ZipFile(path, "w") as book:
        for name, text in files.items():
            book.writestr(name, text)
    return path


def test_the_xlsx_reader_reads_shared_strings_and_date_styles_as_openpyxl_does(
    tmp_path: Path,
) -> None:
    from datetime import datetime

    from graph.exchange.xlsx import first_sheet

    rows = (
        '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="C1" t="s"><v>1</v></c>'
        '<c r="D1" t="s"><v>2</v></c></row>'
        '<row r="3"><c r="A3" s="1"><v>45413</v></c><c r="B3" s="2"><v>45413</v></c>'
        '<c r="C3" s="3"><v>45413.5</v></c><c r="D3"><v>45413</v></c>'
        '<c r="E3" t="b"><v>1</v></c><c r="F3" t="e"><v>#N/A</v></c></row>'
        '<row r="4"><c r="B4" t="str"><v>公式的值</v></c>'
        '<c r="C4" t="inlineStr"><is><t>行内</t></is></c></row>'
    )
    path = excel_like_workbook(tmp_path / "a.xlsx", ["信息资源名称", "共享类型"], rows)
    with first_sheet(path, 10**6) as read:
        ours = [_trimmed(r) for r in read.rows]
        assert (read.title, read.max_row) == ("资源目录", 9)
    theirs = _openpyxl_rows(path)
    # Excel's Chinese built-in format 31 (yyyy年m月d日) shows a date; openpyxl knows it not.
    assert theirs[2][2] == 45413.5
    assert ours[2][2] == datetime(2024, 5, 1, 12)
    assert ours[:2] + ours[3:] == theirs[:2] + theirs[3:]
    assert ours[2][:2] + ours[2][3:] == theirs[2][:2] + theirs[2][3:]
    assert ours[0] == ("信息资源名称", None, "共享类型", "户籍人口")
    assert ours[1] == ()


def test_the_xlsx_reader_refuses_a_workbook_whose_shared_strings_unpack_too_large(
    tmp_path: Path,
) -> None:
    from graph.exchange.xlsx import first_sheet

    path = excel_like_workbook(tmp_path / "a.xlsx", ["信息资源名称" * 100] * 10, "")
    with pytest.raises(FileRefused, match=r"shared strings are .* bytes unpacked; at most 2,000"):
        first_sheet(path, 2_000).__enter__()


def test_a_file_that_is_no_workbook_is_refused_with_its_name(tmp_path: Path) -> None:
    path = tmp_path / "目录.xlsx"
    path.write_bytes(b"PK\x03\x04 not a zip at all")
    with pytest.raises(FileRefused, match=r"目录\.xlsx is not a readable xlsx workbook"):
        open_sheet(path).__enter__()


def _with_part(path: Path, name: str, text: str) -> Path:
    """The workbook at `path` with its part `name` replaced by `text`."""
    import zipfile

    target = path.with_name("replaced-" + path.name)
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(target, "w") as book:
        for info in source.infolist():
            if info.filename != name:
                book.writestr(info, source.read(info))
        book.writestr(name, text)
    return target


# Entities nine levels deep, ten of the level below each: "lol" 10⁹ times were it expanded.
_LAUGHS = "".join(
    [
        '<!ENTITY lol0 "lol">',
        *(f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10)),
    ]
)


@pytest.mark.parametrize(
    ("part", "root", "body"),
    [
        (
            "xl/worksheets/sheet1.xml",
            "worksheet",
            '<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&lol9;</t></is></c></row>'
            "</sheetData>",
        ),
        ("xl/sharedStrings.xml", "sst", "<si><t>&lol9;</t></si>"),
        ("xl/styles.xml", "styleSheet", '<numFmts><numFmt numFmtId="176" formatCode="&lol9;"/>'),
    ],
)
def test_an_entity_expansion_bomb_in_any_part_is_refused_at_once(
    tmp_path: Path, part: str, root: str, body: str
) -> None:
    """A billion laughs: the part is refused (libxml2's bound on entity amplification; the
    reader substitutes no entity in any case), in far less than expanding it would take."""
    import time

    from graph.exchange.xlsx import first_sheet

    if part == "xl/styles.xml":
        body += "</numFmts>"
    declared = f'<?xml version="1.0"?><!DOCTYPE {root} [{_LAUGHS}]>'
    bomb = f'{declared}<{root} xmlns="{_MAIN}">{body}</{root}>'
    path = excel_like_workbook(tmp_path / "a.xlsx", ["信息资源名称"], "")
    path = _with_part(path, part, bomb)
    started = time.perf_counter()
    with pytest.raises(FileRefused, match=r"a\.xlsx"), first_sheet(path, 10**6) as sheet:
        list(sheet.rows)
    assert time.perf_counter() - started < 5


def test_an_external_entity_is_never_read(tmp_path: Path) -> None:
    """A cell naming a file of the server, or an address, as an external entity reads as the
    text before the reference: nothing outside the workbook is opened, nor fetched."""
    from graph.exchange.xlsx import first_sheet

    secret = tmp_path / "secret.txt"
    secret.write_text("the server's secret")
    sheet_xml = (
        f'<?xml version="1.0"?><!DOCTYPE worksheet [<!ENTITY secret SYSTEM "{secret.as_uri()}">'
        '<!ENTITY remote SYSTEM "http://127.0.0.1:9/x">]>'
        f'<worksheet xmlns="{_MAIN}"><sheetData><row r="1">'
        '<c r="A1" t="inlineStr"><is><t>&secret;</t></is></c>'
        '<c r="B1" t="inlineStr"><is><t>前&remote;后</t></is></c>'
        '<c r="C1" t="str"><v>&secret;</v></c></row></sheetData></worksheet>'
    )
    path = excel_like_workbook(tmp_path / "a.xlsx", ["信息资源名称"], "")
    path = _with_part(path, "xl/worksheets/sheet1.xml", sheet_xml)
    with first_sheet(path, 10**6) as sheet:
        assert list(sheet.rows) == [("", "前", None)]
