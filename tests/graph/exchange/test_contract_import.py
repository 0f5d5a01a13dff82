"""Contract: importing a department's spreadsheet into a real store (embedded and Neo4j) —
drafts of the importing department through `Cataloguing`, every row checked by the rules of
any write, a report naming sheet, row, column, value and what would be accepted; all or
nothing by default, the good rows with `partial`, nothing with `dry_run`."""

from __future__ import annotations

import dataclasses
from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from graph import Actor, CatalogStore, Cataloguing, LifecycleState, ResourceFilter, Role
from graph.audit.records import AuditKind
from graph.errors import StoreUnavailable
from graph.exchange.errors import ImportInterrupted
from graph.exchange.importing import Importer
from graph.exchange.template import COLUMNS
from graph.exchange.writing import write_csv, write_xlsx
from graph.model import Department, Resource
from graph.sample import generate_catalog
from tests.graph.entries import MARKET, POLICE, credit_code, resource
from tests.graph.exchange.sheets import department_csv, department_xlsx, entry_row, item_row

DRAFTS = ResourceFilter(states=frozenset({LifecycleState.DRAFT}))


def importer(
    store: CatalogStore,
    department: str = POLICE.code,
    name: str = POLICE.name,
    batch_size: int = 2,
) -> Importer:
    return Importer(Cataloguing(store), store, Actor(department), name, batch_size=batch_size)


def resource_of(department: Department) -> Resource:
    """A new entry of `department` (its 前段码 in its code)."""
    return dataclasses.replace(
        resource("301001001/000001", provider_code=department.code, provider_name=department.name),
        code="301001001",
    )


def bad_rows() -> list[list[object]]:
    """Five entries: two good, and one each with a wrong credit code, a missing share
    condition, an unknown enumeration and an empty mandatory cell."""
    return [
        entry_row(信息资源名称="户籍人口信息"),
        item_row("姓名", "字符型", 50),
        entry_row(信息资源名称="暂住人口信息", 信息资源提供方代码="11510100MB0000001X"),
        entry_row(信息资源名称="出入境信息", 共享条件=None),
        entry_row(信息资源名称="车辆登记信息", 更新周期="每半月"),
        entry_row(信息资源名称="驾驶人信息", 信息资源摘要=None, 信息资源代码="301001001"),
        entry_row(信息资源名称="流动人口信息"),
    ]


async def test_a_good_sheet_becomes_drafts_of_the_importing_department(
    store: CatalogStore, tmp_path: Path
) -> None:
    rows = [entry_row(), item_row("姓名", "字符型", 50), entry_row(信息资源名称="流动人口信息")]
    report = await importer(store).run(department_xlsx(tmp_path / "目录.xlsx", rows))
    assert (report.ok, report.entries, report.created) == (True, 2, 2)
    page = await store.find(DRAFTS)
    assert sorted(e.name for e in page.items) == ["户籍人口信息", "流动人口信息"]
    for entry in page.items:
        assert entry.state is LifecycleState.DRAFT
        assert entry.provider_code == POLICE.code
        assert entry.origin == store.catalog.id
        assert entry.code.startswith("301001001/")
        assert entry.published_on is None  # a draft is not published, whatever the sheet says
    # Written as any write is: with its audit record.
    records = await store.audit_records(0, 10)
    assert [(r.entry.kind, r.entry.action) for r in records] == [
        (AuditKind.CATALOG_WRITE, "create")
    ] * 2


async def test_refused_rows_are_reported_by_sheet_row_column_value_and_what_is_accepted(
    store: CatalogStore, tmp_path: Path
) -> None:
    path = department_xlsx(tmp_path / "目录.xlsx", bad_rows())
    report = await importer(store).run(path)
    assert (report.entries, report.refused, report.created) == (6, 4, 0)
    by_row = {p.row: p for p in report.problems}
    assert sorted(by_row) == [6, 7, 8, 9]
    credit = by_row[6]
    assert (credit.sheet, credit.column, credit.label) == ("资源目录", "D", "信息资源提供方代码")
    assert credit.value == "11510100MB0000001X"
    assert "check character" in credit.accepted or "统一社会信用代码" in credit.accepted
    condition = by_row[7]
    assert (condition.column, condition.label, condition.rule) == (
        "L",
        "共享条件",
        "national 第九条",
    )
    cycle = by_row[8]
    assert (cycle.column, cycle.value) == ("Q", "每半月")
    assert cycle.accepted == "one of 实时、每日、每周、每月、每季度、每年"
    summary = by_row[9]
    assert (summary.column, summary.label, summary.value) == ("E", "信息资源摘要", "")
    # All or nothing: the two good entries were not written either.
    assert (await store.find(DRAFTS)).total_count == 0
    assert await store.audit_records(0, 10) == []


async def test_partial_writes_the_good_rows_and_reports_the_others(
    store: CatalogStore, tmp_path: Path
) -> None:
    path = department_csv(tmp_path / "目录.csv", bad_rows(), "gbk")
    report = await importer(store).run(path, partial=True)
    assert (report.encoding, report.refused, report.created) == ("gbk", 4, 2)
    names = sorted(e.name for e in (await store.find(DRAFTS)).items)
    assert names == ["户籍人口信息", "流动人口信息"]


async def test_a_dry_run_reports_and_writes_nothing(store: CatalogStore, tmp_path: Path) -> None:
    path = department_csv(tmp_path / "目录.csv", bad_rows(), "gb18030")
    report = await importer(store).run(path, dry_run=True)
    assert (report.refused, report.created, report.problem_count) == (4, 0, 4)
    good = department_csv(tmp_path / "好.csv", [entry_row()], "utf-8", bom=True)
    clean = await importer(store).run(good, dry_run=True)
    assert (clean.ok, clean.entries, clean.created) == (True, 1, 0)
    assert (await store.find(DRAFTS)).total_count == 0


async def test_a_row_of_another_department_is_refused_naming_the_importing_one(
    store: CatalogStore, tmp_path: Path
) -> None:
    row = entry_row(信息资源提供方代码=MARKET.code, 信息资源提供方=MARKET.name)
    report = await importer(store).run(department_xlsx(tmp_path / "目录.xlsx", [row]))
    (problem,) = report.problems
    assert (problem.label, problem.value) == ("信息资源提供方代码", MARKET.code)
    assert POLICE.code in problem.accepted


async def test_a_code_held_here_by_another_department_is_refused(
    store: CatalogStore, tmp_path: Path
) -> None:
    held = await Cataloguing(store).create(Actor(MARKET.code), resource_of(MARKET))
    row = entry_row(信息资源代码=held.code)
    report = await importer(store).run(department_xlsx(tmp_path / "目录.xlsx", [row]))
    (problem,) = report.problems
    assert (problem.label, problem.value) == ("信息资源代码", held.code)
    assert "a 前段码 alone for a new entry" in problem.accepted
    assert f"a DRAFT entry of {POLICE.code}" in problem.accepted


async def test_an_entry_brought_with_a_free_code_keeps_it_and_its_publication_date(
    store: CatalogStore, tmp_path: Path
) -> None:
    """An export imported again, or a catalog moved here: a whole code held by no entry here,
    never redacted or allocated here, is kept with the 发布日期 the row states; the catalog
    numbers on past it."""
    rows = [
        entry_row(信息资源代码="301001001/000077", 发布日期="2024-05-01"),
        entry_row(信息资源名称="流动人口信息", 信息资源代码="301001001"),
    ]
    report = await importer(store).run(department_xlsx(tmp_path / "目录.xlsx", rows))
    assert (report.ok, report.created) == (True, 2), report.problems
    assert sorted(report.codes) == ["301001001/000001", "301001001/000077"]
    brought = await store.get("301001001/000077")
    assert brought is not None
    assert (brought.state, brought.published_on) == (LifecycleState.DRAFT, date(2024, 5, 1))
    allocated = await store.get("301001001/000001")
    assert allocated is not None
    assert allocated.published_on is None
    later = await Cataloguing(store).create(Actor(POLICE.code), resource_of(POLICE))
    assert later.code == "301001001/000078"  # past every code held
    # Publishing it here dates it anew (the day in Beijing).
    await Cataloguing(store).submit(Actor(POLICE.code), brought.code)
    published = await Cataloguing(store).publish(
        Actor(credit_code("510100", "MB0000099"), Role.REVIEWER), brought.code
    )
    assert published.published_on is not None
    assert published.published_on > date(2024, 5, 1)


async def test_a_brought_code_that_is_not_free_here_is_refused_and_nothing_written(
    store: CatalogStore, tmp_path: Path
) -> None:
    await store.allocate_codes({"301001001": 3})
    await store.redact("301001001/000009", 1)
    rows = [
        entry_row(信息资源名称="暂住人口信息", 信息资源代码="301001001/000011"),
        entry_row(信息资源名称="出入境信息", 信息资源代码="301001001/000003"),
        entry_row(信息资源名称="居住证信息", 信息资源代码="301001001/000009"),
        entry_row(信息资源名称="车辆登记信息", 信息资源代码="301001001/500001"),
        entry_row(
            信息资源名称="驾驶人信息", 信息资源代码="302001001/000001", 发布日期="2999-01-01"
        ),
    ]
    report = await importer(store).run(department_csv(tmp_path / "b.csv", rows, "utf-8"))
    assert (report.refused, report.created) == (4, 0)
    allocated, redacted, other_zone, future = sorted(report.problems, key=lambda p: p.row)
    assert (allocated.label, allocated.value) == ("信息资源代码", "301001001/000003")
    assert "past the last code this catalog allocated under 301001001" in allocated.accepted
    assert redacted.value == "301001001/000009"
    assert other_zone.value == "301001001/500001"
    assert "intranet instance's range" in other_zone.accepted
    assert (future.label, future.value) == ("发布日期", "2999-01-01")
    assert "a day up to today" in future.accepted
    assert (await store.find(DRAFTS)).total_count == 0  # all or nothing


async def test_departments_may_bring_codes_that_interleave(
    store: CatalogStore, tmp_path: Path
) -> None:
    mine = [entry_row(信息资源代码=f"301001001/00000{n}") for n in (1, 3)]
    theirs = [
        entry_row(
            信息资源名称="企业登记信息",
            信息资源代码="301001001/000002",
            信息资源提供方=MARKET.name,
            信息资源提供方代码=MARKET.code,
        )
    ]
    first = await importer(store).run(department_xlsx(tmp_path / "a.xlsx", mine))
    second = await importer(store, MARKET.code, MARKET.name).run(
        department_xlsx(tmp_path / "b.xlsx", theirs)
    )
    assert (first.created, second.created) == (2, 1), second.problems
    made = await Cataloguing(store).create(Actor(POLICE.code), resource_of(POLICE))
    assert made.code == "301001001/000004"


async def test_the_same_brought_code_twice_in_a_file_is_refused(
    store: CatalogStore, tmp_path: Path
) -> None:
    rows = [
        entry_row(信息资源代码="301001001/000005"),
        entry_row(信息资源名称="暂住人口信息", 信息资源代码="301001001/000005"),
    ]
    report = await importer(store, batch_size=1).run(department_xlsx(tmp_path / "a.xlsx", rows))
    (problem,) = report.problems
    assert (problem.row, problem.value) == (5, "301001001/000005")
    assert problem.accepted == "a code written once in the file"


def _cells(path: Path) -> list[tuple[object, ...]]:
    from openpyxl import load_workbook

    book = load_workbook(path, read_only=True)
    try:
        rows = book.worksheets[0].iter_rows(values_only=True)
        return [tuple(row) + (None,) * (len(COLUMNS) - len(row)) for row in rows]
    finally:
        book.close()


async def test_sample_entries_imported_and_exported_again_are_the_same_cell_for_cell(
    store: CatalogStore, tmp_path: Path
) -> None:
    """The sample's entries of one department, filed as new (前段码 in the code cell):
    imported, exported, imported again over the drafts and exported again — the two exports
    are equal cell for cell, and equal to the sheet first imported in every cell but the code
    (now allocated, under the same 前段码) and 发布日期 (a draft has none)."""
    sample = generate_catalog(3000, seed=5)
    held = list(sample.resources_for(store.catalog.id))
    provider_code = Counter(e.provider_code for e in held).most_common(1)[0][0]
    mine = sorted((e for e in held if e.provider_code == provider_code), key=lambda e: e.code)
    provider_name = mine[0].provider_name
    assert len(mine) >= 5
    filed = [dataclasses.replace(e, code=e.category_code) for e in mine]
    first = tmp_path / "first.xlsx"
    with first.open("wb") as out:
        write_xlsx(out, "目录", filed)
    report = await importer(store, provider_code, provider_name).run(first)
    assert (report.ok, report.created) == (True, len(mine)), report.problems[:3]

    async def export(path: Path) -> list[tuple[object, ...]]:
        held = sorted((await store.find(DRAFTS, first=100)).items, key=lambda e: e.code)
        with path.open("wb") as out:
            write_xlsx(out, "目录", held)
        return _cells(path)

    second = await export(tmp_path / "second.xlsx")
    again = await importer(store, provider_code, provider_name).run(tmp_path / "second.xlsx")
    assert (again.ok, again.created, again.updated) == (True, 0, len(mine))
    third = await export(tmp_path / "third.xlsx")
    assert third == second

    original = _cells(first)
    fields = [c.field for c in COLUMNS]
    code_column, date_column = fields.index("code"), fields.index("published_on")
    assert len(second) == len(original)
    for before, after in zip(original[3:], second[3:], strict=True):
        assert before[code_column] in (None, str(after[code_column]).split("/")[0])
        assert after[date_column] is None
        drop = (code_column, date_column)
        same = [v for i, v in enumerate(before) if i not in drop]
        assert same == [v for i, v in enumerate(after) if i not in drop]


@pytest.mark.parametrize("encoding", ["utf-8", "gbk"])
async def test_a_csv_export_imports_back(
    store: CatalogStore, tmp_path: Path, encoding: str
) -> None:
    sample = generate_catalog(3000, seed=5)
    mine = [e for e in sample.resources_for(store.catalog.id)][:20]
    provider = mine[0].provider_code
    mine = [
        dataclasses.replace(e, code=e.category_code) for e in mine if e.provider_code == provider
    ]
    path = tmp_path / "目录.csv"
    with path.open("wb") as out:
        write_csv(out, "目录", mine, encoding)
    report = await importer(store, provider, mine[0].provider_name).run(path)
    assert (report.ok, report.encoding, report.created) == (
        True,
        "utf-8-sig" if encoding == "utf-8" else "gbk",
        len(mine),
    )


async def test_a_new_entry_may_name_the_first_code_of_its_category_as_related(
    store: CatalogStore, tmp_path: Path
) -> None:
    """The code a new entry is checked under before its own is allocated is not one it
    names: an entry related to 301001001/000001 filed under 301001001 is accepted."""
    held = entry_row(信息资源名称="户籍人口信息")
    report = await importer(store).run(department_xlsx(tmp_path / "a.xlsx", [held]))
    (first,) = report.codes
    assert first == "301001001/000001"
    entry = await store.get(first)
    assert entry is not None
    related = dataclasses.replace(
        entry, code="301001001", related_codes=(first,), name="流动人口信息"
    )
    made = await Cataloguing(store).create(Actor(POLICE.code), related)
    assert made.related_codes == (first,)
    assert made.code == "301001001/000002"


async def test_progress_is_told_per_batch_in_the_check_and_in_the_write(
    store: CatalogStore, tmp_path: Path
) -> None:
    told: list[tuple[int, int | None, str]] = []
    rows = [entry_row(信息资源名称=f"人口信息{n}") for n in range(5)]
    path = department_xlsx(tmp_path / "目录.xlsx", rows)
    importer = Importer(
        Cataloguing(store),
        store,
        Actor(POLICE.code),
        POLICE.name,
        batch_size=2,
        progress=lambda *args: told.append(args),
    )
    report = await importer.run(path)
    assert report.created == 5
    checks = [rows for rows, _, phase in told if phase == "check"]
    writes = [rows for rows, _, phase in told if phase == "write"]
    assert checks == sorted(checks)
    assert checks[-1] == writes[-1] == 8  # the last entry's row (a title and two header rows)
    assert len(writes) == 3  # one per batch written
    assert {total for _, total, _ in told} == {8}


async def test_new_entries_are_numbered_in_the_order_of_the_file_s_rows(
    store: CatalogStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two batches are written at a time: the first batch's codes are allocated before the
    second's even when its allocation is the slower (a delay injected into the real store's
    first allocation) — row n of the file gets the n-th code of the 前段码."""
    import asyncio

    rows = [entry_row(信息资源名称=f"人口信息{n}") for n in range(6)]
    path = department_xlsx(tmp_path / "目录.xlsx", rows)
    real_allocate = store.allocate_codes
    calls = 0

    async def first_slow(wanted: Any) -> Any:
        nonlocal calls
        calls += 1
        if calls == 1:
            await asyncio.sleep(0.3)
        return await real_allocate(wanted)

    monkeypatch.setattr(store, "allocate_codes", first_slow)
    report = await importer(store).run(path)
    assert (report.ok, report.created, calls) == (True, 6, 3)
    held = sorted((await store.find(DRAFTS)).items, key=lambda e: e.code)
    assert [e.name for e in held] == [f"人口信息{n}" for n in range(6)]
    assert [e.code for e in held] == [f"301001001/{n:06d}" for n in range(1, 7)]


async def test_a_write_that_fails_part_way_says_how_many_entries_were_written(
    store: CatalogStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Batches are written two at a time; the third batch's write fails (one fault injected
    into the real store): the error names how many entries are held, and exactly those are."""
    rows = [entry_row(信息资源名称=f"人口信息{n}") for n in range(9)]
    path = department_xlsx(tmp_path / "目录.xlsx", rows)
    real_apply = store.apply

    async def failing_third(entries: list[Resource], *args: Any, **kwargs: Any) -> Any:
        # The third batch (rows 人口信息4 and 5), whichever of the two in flight asks first.
        if entries[0].name == "人口信息4":
            raise StoreUnavailable("the database went away (injected)")
        return await real_apply(entries, *args, **kwargs)

    monkeypatch.setattr(store, "apply", failing_third)
    with pytest.raises(ImportInterrupted) as stopped:
        await importer(store).run(path)
    monkeypatch.undo()
    held = (await store.find(DRAFTS)).total_count
    assert stopped.value.retriable
    assert stopped.value.extensions()["written"] == stopped.value.written == held
    # Batches of 2: the fourth was in flight beside the third and is written; the fifth was
    # never begun.
    assert stopped.value.written == 6
    assert "6 entries were written" in str(stopped.value)
    assert isinstance(stopped.value.__cause__, StoreUnavailable)
