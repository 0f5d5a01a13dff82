"""What only the embedded store promises, beyond the contract: its file, its thread, its
snapshots and its index."""

from __future__ import annotations

import asyncio
import dataclasses
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from graph import (
    ApplyOutcome,
    Direction,
    LifecycleState,
    ResourceFilter,
    StoreUnavailable,
    Zone,
)
from graph.embedded import EmbeddedStore, search, writes
from graph.embedded.finding import find
from graph.embedded.schema import SCHEMA_VERSION, create_schema
from graph.embedded.search import index_entry, match_expression
from graph.embedded.tree import tree
from graph.errors import InvalidValue
from graph.model import DataItem, parse_catalog_id
from graph.search import Searcher
from graph.snapshot import resource_from_json, resource_to_json
from tests.graph.conftest import CHENGDU_INTRANET
from tests.graph.entries import code, newer, resource
from tests.graph.search_reference import matches
from tests.graph.test_contract_writes import rich_entry


async def test_the_file_is_in_wal_mode_with_foreign_keys(tmp_path: Path) -> None:
    async with EmbeddedStore.open(tmp_path / "c.db", CHENGDU_INTRANET) as store:
        await store.save(resource(), expected_version=None)
    with sqlite3.connect(tmp_path / "c.db") as db:
        assert db.execute("PRAGMA journal_mode").fetchone() == ("wal",)
        assert db.execute("SELECT count(*) FROM resources").fetchone() == (1,)


async def test_a_store_is_opened_once_and_closed_harmlessly_again(tmp_path: Path) -> None:
    store = EmbeddedStore(tmp_path / "c.db", CHENGDU_INTRANET)
    async with store:
        with pytest.raises(RuntimeError, match="already open"):
            await store.connect()
    await store.close()
    with pytest.raises(RuntimeError, match="not open"):
        await store.ping()


async def test_an_unreadable_file_is_unavailable(tmp_path: Path) -> None:
    (tmp_path / "c.db").write_bytes(b"not a database" * 100)
    with pytest.raises(StoreUnavailable, match=r"c\.db"):
        async with EmbeddedStore.open(tmp_path / "c.db", CHENGDU_INTRANET):
            pass


async def test_the_event_loop_keeps_running_during_writes(tmp_path: Path) -> None:
    ticks = 0

    async def tick() -> None:
        nonlocal ticks
        while True:
            ticks += 1
            await asyncio.sleep(0)

    async with EmbeddedStore.open(tmp_path / "c.db", CHENGDU_INTRANET) as store:
        ticker = asyncio.create_task(tick())
        await store.apply([resource(code(n), name=f"资源{n}") for n in range(1, 300)])
        ticker.cancel()
    assert ticks > 1


async def test_an_entry_without_origin_is_listed_in_the_stores_catalog(tmp_path: Path) -> None:
    async with EmbeddedStore.open(tmp_path / "c.db", CHENGDU_INTRANET) as store:
        saved = await store.save(resource(origin=""), expected_version=None)
        assert saved.origin == CHENGDU_INTRANET.id
        page = await store.find(ResourceFilter(catalog_id=CHENGDU_INTRANET.id))
        assert page.total_count == 1


async def test_a_copy_at_its_version_is_stale_unless_its_references_changed(
    tmp_path: Path,
) -> None:
    """The one read a copy costs decides an equal version from the references alone; a copy
    with other references is applied, with its rows replaced, not added to."""
    first = resource(code(1), themes=frozenset({"信用体系"}), related_codes=(code(2),))
    async with EmbeddedStore.open(tmp_path / "c.db", CHENGDU_INTRANET) as store:
        assert await store.apply([first]) == [ApplyOutcome.APPLIED]
        assert await store.apply([first]) == [ApplyOutcome.STALE]
        again = dataclasses.replace(first, related_codes=(code(2), code(3)))
        assert await store.apply([again]) == [ApplyOutcome.APPLIED]
        assert (await store.get(code(1))) == again
        later = newer(again, related_codes=(), items=again.items[:1])
        assert await store.apply([later, later]) == [ApplyOutcome.APPLIED, ApplyOutcome.STALE]
        held = await store.get(code(1))
        assert held is not None
        assert held.items == later.items
    with closing(sqlite3.connect(tmp_path / "c.db")) as db:
        counts = [
            db.execute(f"SELECT count(*) FROM {table} WHERE resource_code = ?", (code(1),))
            for table in ("resource_themes", "related")
        ]
        assert [c.fetchone()[0] for c in counts] == [1, 0]


async def test_a_redacted_code_keeps_older_copies_out(tmp_path: Path) -> None:
    async with EmbeddedStore.open(tmp_path / "c.db", CHENGDU_INTRANET) as store:
        await store.apply([resource(code(1))])
        assert await store.redact(code(1), 2) is ApplyOutcome.APPLIED
        assert await store.apply([resource(code(1))]) == [ApplyOutcome.STALE]
        assert await store.apply([resource(code(1), version=3)]) == [ApplyOutcome.APPLIED]


async def test_a_malformed_origin_is_refused(tmp_path: Path) -> None:
    async with EmbeddedStore.open(tmp_path / "c.db", CHENGDU_INTRANET) as store:
        with pytest.raises(InvalidValue, match="origin"):
            await store.apply([resource(origin="chengdu")])
        assert await store.get(code(1)) is None


def test_snapshots_round_trip() -> None:
    entry = rich_entry()
    text = resource_to_json(entry)  # type: ignore[arg-type]
    assert resource_from_json(text) == entry
    assert resource_to_json(resource_from_json(text)) == text


@pytest.mark.parametrize(
    ("catalog_id", "region"),
    [("national/intranet", "100000"), ("510100/extranet", "510100")],
)
def test_catalog_ids_parse(catalog_id: str, region: str) -> None:
    assert parse_catalog_id(catalog_id)[0] == region


# Characters that make the cases: simplified and traditional, full-width, Latin, digits,
# punctuation of both kinds, spaces.
_TEXT = st.text(
    alphabet="人口基础信息資訊户籍戶登记記社保障险ＡＢａｂ１２AB12 　，。,.!《》", max_size=20
)


@settings(deadline=None)  # the first example loads the dictionaries
@given(_TEXT, _TEXT)
def test_fts5_finds_exactly_what_the_plan_says(name: str, query: str) -> None:
    """The hex-encoded tokens neither merge nor split: FTS5 selects an entry exactly when the
    reference evaluation of the plan does."""
    plan = Searcher.shipped().read(query)
    if plan is None:
        assert not query.strip(" 　，。,.!《》")
        return
    entry = resource(name=name or "名", summary="摘要")
    with closing(sqlite3.connect(":memory:")) as db:
        create_schema(db)
        index_entry(db, 1, entry)
        found = db.execute(
            "SELECT count(*) FROM resource_search WHERE resource_search MATCH ?",
            (match_expression(plan),),
        ).fetchone()[0]
    assert bool(found) == matches(plan, entry)


async def test_a_file_indexed_by_another_version_is_reindexed_at_open(tmp_path: Path) -> None:
    path = tmp_path / "c.db"
    async with EmbeddedStore.open(path, CHENGDU_INTRANET) as store:
        await store.apply([resource(name="人口基础信息")])
    with closing(sqlite3.connect(path)) as db:
        # As a file of before: the search text of another version, or none at all.
        db.execute("DELETE FROM resource_search")
        db.execute("UPDATE search_index SET version = 'an-older-one'")
        db.commit()
    async with EmbeddedStore.open(path, CHENGDU_INTRANET) as store:
        assert (await store.find(ResourceFilter(), search="人口 信息")).total_count == 1
    with closing(sqlite3.connect(path)) as db:
        assert db.execute("SELECT count(*) FROM resource_search").fetchone() == (1,)


async def test_erase_all_leaves_only_the_own_catalog(tmp_path: Path) -> None:
    async with EmbeddedStore.open(tmp_path / "c.db", CHENGDU_INTRANET) as store:
        await store.apply([resource(derived_from=(code(9),))])
        await store.redact(code(2), 3)
        await store.erase_all()
        assert await store.get_many([code(1)]) == {}
        assert await store.departments() == []
        assert await store.catalogs() == [CHENGDU_INTRANET]
        assert await store.apply([resource(code(2))]) == ["APPLIED"]
        assert (await store.lineage(code(1), Direction.UPSTREAM, 1)).edges == ()


@pytest.mark.parametrize(
    "states", [frozenset({LifecycleState.PUBLISHED}), frozenset(LifecycleState), frozenset()]
)
def test_the_tree_counts_from_the_catalog_index_alone(
    tmp_path: Path, states: frozenset[LifecycleState]
) -> None:
    """Each catalog's count is a range of the (catalog_id, state) index: reading the entries'
    rows made the tree cost 17 ms at 10k entries and 270 ms at 100k."""
    db = sqlite3.connect(tmp_path / "c.db", isolation_level=None)
    create_schema(db)
    statements: list[str] = []
    db.set_trace_callback(statements.append)  # with the parameters bound
    tree(db, Zone.INTRANET, ResourceFilter(states=states))
    db.set_trace_callback(None)
    (statement,) = statements
    plan = [str(row[3]) for row in db.execute("EXPLAIN QUERY PLAN " + statement)]
    reads = [step for step in plan if step.startswith(("SCAN r", "SEARCH r"))]
    # The count, and whether the catalog lists anything at all (graph.tree): both ranges of
    # the index, the count's by state unless every state is counted.
    chosen = " AND state=?" if states else ""
    assert sorted(reads) == sorted(
        [
            "SEARCH r USING COVERING INDEX resources_catalog (catalog_id=?)",
            f"SEARCH r USING COVERING INDEX resources_catalog (catalog_id=?{chosen})",
        ]
    )
    db.close()


@pytest.mark.parametrize("states", [frozenset({LifecycleState.PUBLISHED}), frozenset()])
def test_a_search_reads_the_full_text_index_once_and_each_hits_row(
    tmp_path: Path, states: frozenset[LifecycleState]
) -> None:
    """The full-text index is the outer loop and each hit's row is read by its rowid: walked
    the other way (every published entry by the state index, the index searched again for
    each), a two-character word took 51 ms at 2,000 entries, and seconds at 100k."""
    db = sqlite3.connect(tmp_path / "c.db", isolation_level=None)
    create_schema(db)
    statements: list[str] = []
    db.set_trace_callback(statements.append)
    find(db, ResourceFilter(states=states), Searcher.shipped().read("户籍"), 20, None, True)
    db.set_trace_callback(None)
    # The page (and its entries' snapshots, read by rowid once it is chosen), and (nothing
    # found in an empty file) the count.
    searched = [s for s in statements if "resource_search MATCH" in s]
    assert len(searched) == 2
    for statement in searched:
        plan = [str(row[3]) for row in db.execute("EXPLAIN QUERY PLAN " + statement)]
        reads = [step for step in plan if step.startswith(("SCAN s", "SCAN r", "SEARCH r"))]
        assert reads[0].startswith("SCAN s VIRTUAL TABLE")
        assert reads[1:] == ["SEARCH r USING INTEGER PRIMARY KEY (rowid=?)"]
    page_plan = [str(row[3]) for row in db.execute("EXPLAIN QUERY PLAN " + searched[0])]
    assert "SEARCH e USING INTEGER PRIMARY KEY (rowid=?)" in page_plan
    assert not [step for step in page_plan if step.startswith("SCAN e")]
    db.close()


def test_a_batchs_index_rows_are_written_after_its_other_rows(tmp_path: Path) -> None:
    """FTS5 writes out what it holds at every savepoint, and the upsert of an entry's row
    (``RETURNING`` its rowid) opens one: index rows written after each upsert were flushed one
    entry at a time. A batch's index rows come after the rest."""
    db = sqlite3.connect(tmp_path / "c.db", isolation_level=None)
    create_schema(db)
    db.execute("PRAGMA foreign_keys = ON")
    held = resource(code(1), name="户籍人口信息")
    db.execute("BEGIN IMMEDIATE")
    writes.apply_entries(db, [held])
    db.execute("COMMIT")
    statements: list[str] = []
    db.set_trace_callback(statements.append)
    db.execute("BEGIN IMMEDIATE")
    writes.apply_entries(db, [newer(held), *(resource(code(n)) for n in range(2, 6))])
    db.execute("COMMIT")
    db.set_trace_callback(None)
    db.close()
    written = [s.split("(")[0].strip() for s in statements if s.startswith(("INSERT", "DELETE"))]
    indexed = [n for n, s in enumerate(written) if "resource_search" in s]
    # The held entry's old index row deleted, then the five new ones, after everything else.
    assert written[indexed[0] :] == [
        "DELETE FROM resource_search WHERE rowid = 1",
        *["INSERT INTO resource_search"] * 5,
    ]
    assert len(indexed) == 6


async def test_a_batch_indexes_each_code_by_its_last_text(tmp_path: Path) -> None:
    """A code twice in one batch, and a held entry renamed: each is found by its new name
    alone, once."""
    async with EmbeddedStore.open(tmp_path / "c.db", CHENGDU_INTRANET) as store:
        held = resource(code(1), name="气象观测记录")
        await store.apply([held])
        first = resource(code(2), name="企业名录")
        outcomes = await store.apply(
            [newer(held, name="机动车保有量"), first, newer(first, name="不动产权证")]
        )
        assert outcomes == ["APPLIED"] * 3

        async def found(words: str) -> list[str]:
            page = await store.find(ResourceFilter(), search=words)
            return [e.code for e in page.items]

        assert await found("气象") == []
        assert await found("企业") == []
        assert await found("机动车") == [code(1)]
        assert await found("不动产") == [code(2)]
        assert sorted(await found("户籍")) == [code(1), code(2)]  # their summary
    with closing(sqlite3.connect(tmp_path / "c.db")) as db:
        assert db.execute("SELECT count(*) FROM resource_search").fetchone() == (2,)


@given(
    st.lists(
        st.text(alphabet=st.characters(exclude_categories=["Cs", "Zs", "Cc"]), min_size=1),
        max_size=8,
    )
)
def test_an_index_field_is_its_tokens_each_in_hex(tokens: list[str]) -> None:
    field = " " + " ".join(tokens) + " "
    hexed = [f"x{token.encode('utf-8').hex()}" for token in field.split()]
    assert search._encoded(field) == " " + " ".join(hexed) + " "


async def test_the_item_names_written_are_learned_when_the_store_opens_again(
    tmp_path: Path,
) -> None:
    """An entry's data items are kept in its snapshot alone; their names are kept apart, once
    each, for the searcher of the next opening to learn — a name staying when its entry goes,
    as a running store's learned words do."""
    rare = "宗地统一编码"
    entry = resource(code(1), items=(DataItem(rare, "string", 30), DataItem("姓名", "string")))
    async with EmbeddedStore.open(tmp_path / "c.db", CHENGDU_INTRANET) as store:
        await store.apply([entry, dataclasses.replace(entry, code=code(2))])
        assert await store.redact(code(1), 2) is ApplyOutcome.APPLIED
        assert await store.redact(code(2), 2) is ApplyOutcome.APPLIED
    async with EmbeddedStore.open(tmp_path / "c.db", CHENGDU_INTRANET) as store:
        assert rare in store.searcher.learned
    with closing(sqlite3.connect(tmp_path / "c.db")) as db:
        names = db.execute("SELECT name FROM item_names ORDER BY name").fetchall()
        assert sorted(names) == sorted([(rare,), ("姓名",)])


async def test_every_item_name_of_an_entry_is_kept_exactly(tmp_path: Path) -> None:
    # Written in one statement (one step beside other threads), each name bound as it is.
    names = ['名"称', "a\\b", "含\x00零", "😀表情", "𠀀", "姓名"]
    entry = resource(code(1), items=tuple(DataItem(name, "string") for name in names))
    async with EmbeddedStore.open(tmp_path / "c.db", CHENGDU_INTRANET) as store:
        await store.apply([entry])
        await store.apply([dataclasses.replace(entry, code=code(2))])  # known: nothing twice
    with closing(sqlite3.connect(tmp_path / "c.db")) as db:
        assert sorted(r[0] for r in db.execute("SELECT name FROM item_names")) == sorted(names)


async def test_a_version_12_file_keeps_its_item_names_and_loses_its_item_rows(
    tmp_path: Path,
) -> None:
    """Schema 13: the rows of `items` go, their names stay (what the searcher learns)."""
    async with EmbeddedStore.open(tmp_path / "c.db", CHENGDU_INTRANET) as store:
        await store.save(resource(), expected_version=None)
    with closing(sqlite3.connect(tmp_path / "c.db", isolation_level=None)) as db:
        db.execute("DROP TABLE item_names")
        db.execute("CREATE TABLE items (resource_code TEXT, position INTEGER, name TEXT)")
        db.execute(
            "INSERT INTO items VALUES (?, 0, '宗地统一编码'), (?, 1, '宗地统一编码')",
            (code(1), code(1)),
        )
        db.execute("PRAGMA user_version = 12")
    async with EmbeddedStore.open(tmp_path / "c.db", CHENGDU_INTRANET) as store:
        assert await store.get(code(1)) is not None
        assert "宗地统一编码" in store.searcher.learned
    with closing(sqlite3.connect(tmp_path / "c.db")) as db:
        assert db.execute("PRAGMA user_version").fetchone() == (SCHEMA_VERSION,)
        tables = "SELECT name FROM sqlite_master WHERE name IN ('items', 'item_names')"
        assert db.execute(tables).fetchall() == [("item_names",)]
        assert db.execute("SELECT name FROM item_names").fetchall() == [("宗地统一编码",)]


async def test_a_file_of_an_older_schema_gains_what_it_lacks(tmp_path: Path) -> None:
    """A version 2 file (written before the (state, share_type, catalog_region, code) index)
    gets the index when opened, keeping its entries, and loses the one it replaces."""
    async with EmbeddedStore.open(tmp_path / "c.db", CHENGDU_INTRANET) as store:
        await store.save(resource(), expected_version=None)
    with closing(sqlite3.connect(tmp_path / "c.db", isolation_level=None)) as db:
        db.execute("DROP INDEX resources_state_share_region_code")
        db.execute(
            "CREATE INDEX resources_state_share_region"
            " ON resources (state, share_type, catalog_region)"
        )
        db.execute("PRAGMA user_version = 2")
    async with EmbeddedStore.open(tmp_path / "c.db", CHENGDU_INTRANET) as store:
        assert await store.get(code(1)) is not None
    with closing(sqlite3.connect(tmp_path / "c.db")) as db:
        assert db.execute("PRAGMA user_version").fetchone() == (SCHEMA_VERSION,)
        indexes = "SELECT name FROM sqlite_master WHERE name LIKE 'resources_state_share%'"
        assert db.execute(indexes).fetchall() == [("resources_state_share_region_code",)]
