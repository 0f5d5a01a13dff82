"""`EmbeddedStore`: the `CatalogStore` on SQLite, for an instance without Neo4j.

One file holds one instance's catalog. Every method runs on the store's single worker thread;
every write first passes `graph.rules.check_resource` for the store's zone and is then one
transaction, so a batch with one refused entry writes nothing. The audit record of a write
(`graph.embedded.audit`) is appended in that transaction; one writer thread makes the chain one
chain.

    async with EmbeddedStore.open("catalog.db", catalog) as store:
        await store.save(entry, expected_version=None)
"""

from __future__ import annotations

import dataclasses
import sqlite3
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, date, datetime
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from graph.audit.records import AuditEntry, AuditFilter, AuditHead, AuditRecord, entries_for
from graph.audit.retention import check_prune
from graph.chunks import chunks
from graph.codes import (
    check_allocation,
    check_brought,
    check_category_code,
    check_resource_code,
)
from graph.embedded import audit as audits
from graph.embedded import data_updates, sequences, writes
from graph.embedded import datasets as mapped
from graph.embedded import grants as granting
from graph.embedded import outbox as outboxes
from graph.embedded import projects as projecting
from graph.embedded import sharing as sharings
from graph.embedded.changes import watch
from graph.embedded.connection import Connection
from graph.embedded.finding import facets, find
from graph.embedded.lineage import lineage
from graph.embedded.rows import (
    catalog_from_row,
    category_from_row,
    department_from_row,
    region_from_row,
)
from graph.embedded.search import catalog_words
from graph.embedded.tree import tree
from graph.enums import LifecycleState, Role
from graph.exchange.datasets import DatasetKey, DatasetMapping
from graph.grants import check_subject
from graph.model import Catalog, Category, Department, Region, Resource
from graph.outbox import OutboxRecord, OutboxSignal, records_for
from graph.projects import Project
from graph.queries import (
    ApplyOutcome,
    CatalogCount,
    Direction,
    Facets,
    Lineage,
    ResourceFilter,
    ResourcePage,
)
from graph.rules import check_resource
from graph.search import Searcher, words_of
from graph.search.searcher import MAX_LEARNED
from graph.sharing.access import AccessDetails
from graph.sharing.data_updates import DataUpdate
from graph.sharing.objections import OPEN_OBJECTION, Objection
from graph.sharing.queries import ObjectionFilter, Page, RequestFilter, check_limit, selection
from graph.sharing.requests import ShareRequest
from graph.sharing.snapshots import (
    access_from_json,
    access_to_json,
    objection_columns,
    objection_from_json,
    objection_to_json,
    request_columns,
    request_from_json,
    request_to_json,
)
from graph.snapshot import resource_from_json
from graph.versions import Clearance

__all__ = ["EmbeddedStore"]

T = TypeVar("T")


def _rows(db: sqlite3.Connection, *, query: str, params: Sequence[str]) -> list[tuple[str, str]]:
    return [(str(code), value) for code, value in db.execute(query, params)]


def _placeholders(values: Sequence[object]) -> str:
    return ", ".join("?" * len(values))


class EmbeddedStore:
    """The catalog of one instance, in one SQLite file (WAL, foreign keys on)."""

    def __init__(
        self, path: Path | str, catalog: Catalog, *, searcher: Searcher | None = None
    ) -> None:
        self._catalog = catalog
        self._path = Path(path)
        self._connection = Connection(self._path)
        # Its own copy: what it learns of its catalog's words is its own.
        self.searcher = (searcher or Searcher.shipped()).learning()
        # Other processes' commits to the file notify it too (graph.embedded.changes).
        self._outbox_signal = OutboxSignal(sees_other_processes=True)
        self._unwatch: Callable[[], None] | None = None

    @property
    def outbox_signal(self) -> OutboxSignal:
        return self._outbox_signal

    async def _write(self, work: Callable[[sqlite3.Connection], T]) -> T:
        """`work` in one write transaction; the relays are told once it has committed."""
        result = await self._connection.write(work)
        self._outbox_signal.notify()
        return result

    @classmethod
    @asynccontextmanager
    async def open(
        cls, path: Path | str, catalog: Catalog, *, searcher: Searcher | None = None
    ) -> AsyncIterator[EmbeddedStore]:
        """Open (creating if need be) the catalog file at `path` for `catalog`; `searcher`
        reads searches (default: `Searcher.shipped()`)."""
        store = cls(path, catalog, searcher=searcher)
        await store.connect()
        try:
            yield store
        finally:
            await store.close()

    async def connect(self) -> None:
        """Open the file and make sure it knows this instance's own catalog."""
        await self._connection.open()
        try:
            await self._write(lambda db: writes.put_catalogs(db, [self._catalog]))
            words = await self._connection.read(lambda db: catalog_words(db, MAX_LEARNED))
            self.searcher.learn(words)
        except BaseException:
            await self._connection.close()
            raise
        self._unwatch = watch(self._path, self._outbox_signal.notify)

    async def close(self) -> None:
        """Close the file; harmless when already closed."""
        unwatch, self._unwatch = self._unwatch, None
        if unwatch is not None:
            unwatch()
        await self._connection.close()

    async def __aenter__(self) -> EmbeddedStore:
        await self.connect()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    @property
    def catalog(self) -> Catalog:
        return self._catalog

    async def ping(self) -> None:
        await self._connection.read(lambda db: db.execute("SELECT 1").fetchone())

    async def erase_all(self) -> None:
        """Remove everything but this instance's own catalog (tests start from here)."""

        def erase(db: sqlite3.Connection) -> None:
            for table in (
                "resource_search",
                "item_names",
                "resource_themes",
                "resource_share_modes",
                "related",
                "lineage",
                "resources",
                "tombstones",
                "code_sequences",
                "outbox_urgent",
                "outbox",
                "outbox_consumers",
                "outbox_marks",
                "outbox_seeds",
                "role_grants",
                "roles_held",
                "share_requests",
                "objections",
                "access_details",
                "data_updates",
                "departments",
                "categories",
                "catalogs",
                "regions",
            ):
                db.execute(f"DELETE FROM {table}")
            # Numbered from 1 again, like a new store's (no record was ever pruned).
            db.execute("DELETE FROM sqlite_sequence WHERE name = 'outbox'")
            audits.erase(db)
            writes.put_catalogs(db, [self._catalog])

        await self._write(erase)
        self.searcher = self.searcher.learning()  # nothing learned of what is gone

    # -- reference data ------------------------------------------------------------------
    async def put_regions(self, regions: Sequence[Region]) -> None:
        await self._write(lambda db: writes.put_regions(db, regions))

    async def put_catalogs(self, catalogs: Sequence[Catalog]) -> None:
        await self._write(lambda db: writes.put_catalogs(db, catalogs))

    async def put_departments(
        self, departments: Sequence[Department], audit: AuditEntry | None = None
    ) -> None:
        def put(db: sqlite3.Connection) -> None:
            writes.put_departments(db, departments)
            if audit is not None:
                audits.append(db, [audit])

        await self._write(put)
        self.searcher.learn(d.name for d in departments)

    async def put_categories(self, categories: Sequence[Category]) -> None:
        await self._write(lambda db: writes.put_categories(db, categories))

    # -- entries -------------------------------------------------------------------------
    def _checked(self, entry: Resource) -> Resource:
        checked = check_resource(entry, self._catalog.zone)
        # An entry that names no catalog is this instance's own.
        return checked if checked.origin else dataclasses.replace(checked, origin=self._catalog.id)

    async def save(
        self,
        entry: Resource,
        expected_version: int | None,
        outbox: OutboxRecord | None = None,
        audit: AuditEntry | None = None,
    ) -> Resource:
        checked = self._checked(entry)

        def save(db: sqlite3.Connection) -> None:
            before = writes.save_entry(db, checked, expected_version)
            if outbox is not None:
                writes.send_on(db, [(checked.code, before, Clearance.of(checked), outbox)])
            if audit is not None:
                audits.append(db, [audit])

        await self._write(save)
        self.searcher.learn(words_of([checked]))
        return checked

    async def apply(
        self,
        entries: Sequence[Resource],
        outbox: Sequence[OutboxRecord | None] | None = None,
        audit: Sequence[AuditEntry | None] | None = None,
    ) -> list[ApplyOutcome]:
        checked = [self._checked(entry) for entry in entries]
        records = records_for(len(checked), outbox)
        audited = entries_for(len(checked), audit)

        def apply(db: sqlite3.Connection) -> list[ApplyOutcome]:
            decided = writes.apply_entries(db, checked)
            writes.send_on(
                db,
                [
                    (entry.code, before, Clearance.of(entry), record)
                    for entry, record, (outcome, before) in zip(
                        checked, records, decided, strict=True
                    )
                    if record is not None and outcome is ApplyOutcome.APPLIED
                ],
            )
            audits.append(
                db,
                [
                    entry
                    for entry, (outcome, _) in zip(audited, decided, strict=True)
                    if entry is not None and outcome is ApplyOutcome.APPLIED
                ],
            )
            return [outcome for outcome, _ in decided]

        outcomes = await self._write(apply)
        applied = zip(checked, outcomes, strict=True)
        self.searcher.learn(words_of(e for e, o in applied if o is ApplyOutcome.APPLIED))
        return outcomes

    async def redact(
        self,
        code: str,
        version: int,
        outbox: OutboxRecord | None = None,
        audit: AuditEntry | None = None,
    ) -> ApplyOutcome:
        code = check_resource_code(code)

        def redact(db: sqlite3.Connection) -> ApplyOutcome:
            outcome, before = writes.redact_entry(db, code, version)
            if outcome is ApplyOutcome.APPLIED:
                if outbox is not None:
                    writes.send_on(db, [(code, before, None, outbox)])
                if audit is not None:
                    audits.append(db, [audit])
            return outcome

        return await self._write(redact)

    # -- the audit log -------------------------------------------------------------------
    async def append_audit(self, entries: Sequence[AuditEntry]) -> list[AuditRecord]:
        return await self._write(lambda db: audits.append(db, list(entries)))

    async def audit_records(
        self, after: int, limit: int, where: AuditFilter | None = None
    ) -> list[AuditRecord]:
        return await self._connection.read(lambda db: audits.records(db, after, limit, where))

    async def audit_head(self) -> AuditHead:
        return await self._connection.read(audits.head)

    async def prune_audit(self, before: datetime) -> int:
        before = check_prune(before, datetime.now(UTC))
        return await self._write(lambda db: audits.prune(db, before))

    # -- role grants ---------------------------------------------------------------------
    async def grants(self, subjects: Sequence[str] | None = None) -> dict[str, Role]:
        if subjects is not None and not subjects:
            return {}
        return await self._connection.read(lambda db: granting.grants(db, subjects))

    async def grant_role(self, subject: str, role: Role, audit: AuditEntry) -> None:
        subject = check_subject(subject)

        def grant(db: sqlite3.Connection) -> None:
            granting.grant(db, subject, role)
            audits.append(db, [audit])

        await self._write(grant)

    async def revoke_role(self, subject: str, audit: AuditEntry) -> None:
        subject = check_subject(subject)

        def revoke(db: sqlite3.Connection) -> None:
            granting.revoke(db, subject)
            audits.append(db, [audit])

        await self._write(revoke)

    # -- project catalogs (graph.embedded.projects) ----------------------------------------
    async def projects(self, ids: Sequence[str] | None = None) -> dict[str, Project]:
        if ids is not None and not ids:
            return {}
        chosen = None if ids is None else list(ids)
        return await self._connection.read(lambda db: projecting.projects(db, chosen))

    async def put_project(
        self, project: Project, expected_version: int | None, audit: AuditEntry
    ) -> None:
        def put(db: sqlite3.Connection) -> None:
            projecting.put(db, project, expected_version)
            audits.append(db, [audit])

        await self._write(put)

    # -- dataset mappings (graph.embedded.datasets) ---------------------------------------
    async def dataset_mappings(
        self, keys: Sequence[DatasetKey] | None = None
    ) -> dict[DatasetKey, str]:
        if keys is not None and not keys:
            return {}
        chosen = None if keys is None else list(keys)
        return await self._connection.read(lambda db: mapped.mappings(db, chosen))

    async def put_dataset_mapping(self, mapping: DatasetMapping, audit: AuditEntry) -> None:
        def put(db: sqlite3.Connection) -> None:
            mapped.put(db, mapping)
            audits.append(db, [audit])

        await self._write(put)

    async def remove_dataset_mapping(self, key: DatasetKey, audit: AuditEntry) -> None:
        def remove(db: sqlite3.Connection) -> None:
            mapped.remove(db, key)
            audits.append(db, [audit])

        await self._write(remove)

    # -- sharing -------------------------------------------------------------------------
    async def create_share_request(
        self, request: ShareRequest, audit: Sequence[AuditEntry]
    ) -> None:
        columns, text = request_columns(request), request_to_json(request)
        await self._write(lambda db: sharings.create(db, "share_requests", columns, text, audit))

    async def update_share_request(
        self, request: ShareRequest, expected_version: int, audit: Sequence[AuditEntry]
    ) -> None:
        columns, text = request_columns(request), request_to_json(request)
        await self._write(
            lambda db: sharings.update(db, "share_requests", columns, text, expected_version, audit)
        )

    async def share_requests(self, ids: Sequence[str]) -> dict[str, ShareRequest]:
        if not ids:
            return {}
        rows = await self._connection.read(lambda db: sharings.by_ids(db, "share_requests", ids))
        return {id: request_from_json(text) for id, text in rows.items()}

    async def find_share_requests(
        self, where: RequestFilter, first: int = 20, after: str | None = None
    ) -> Page[ShareRequest]:
        chosen = selection(where)
        return await self._connection.read(
            lambda db: sharings.find(db, "share_requests", chosen, first, after, request_from_json)
        )

    async def create_objection(self, objection: Objection, audit: Sequence[AuditEntry]) -> None:
        columns, text = objection_columns(objection), objection_to_json(objection)
        await self._write(lambda db: sharings.create(db, "objections", columns, text, audit))

    async def update_objection(
        self, objection: Objection, expected_version: int, audit: Sequence[AuditEntry]
    ) -> None:
        columns, text = objection_columns(objection), objection_to_json(objection)
        await self._write(
            lambda db: sharings.update(db, "objections", columns, text, expected_version, audit)
        )

    async def objections(self, ids: Sequence[str]) -> dict[str, Objection]:
        if not ids:
            return {}
        rows = await self._connection.read(lambda db: sharings.by_ids(db, "objections", ids))
        return {id: objection_from_json(text) for id, text in rows.items()}

    async def find_objections(
        self, where: ObjectionFilter, first: int = 20, after: str | None = None
    ) -> Page[Objection]:
        chosen = selection(where)
        return await self._connection.read(
            lambda db: sharings.find(db, "objections", chosen, first, after, objection_from_json)
        )

    async def open_objections(
        self, codes: Sequence[str], limit: int = 20
    ) -> dict[str, list[Objection]]:
        limit = check_limit(limit)
        if not codes:
            return {}
        states = sorted(state.value for state in OPEN_OBJECTION)
        rows = await self._connection.read(
            lambda db: sharings.open_by_code(db, codes, states, limit)
        )
        return {code: [objection_from_json(t) for t in texts] for code, texts in rows.items()}

    async def put_access_details(
        self, details: AccessDetails, expected_version: int | None, audit: AuditEntry
    ) -> None:
        text = access_to_json(details)
        await self._write(
            lambda db: sharings.put_access(
                db, details.resource_code, details.version, text, expected_version, audit
            )
        )

    async def access_details(self, codes: Sequence[str]) -> dict[str, AccessDetails]:
        if not codes:
            return {}
        rows = await self._connection.read(lambda db: sharings.access_details(db, codes))
        return {code: access_from_json(text) for code, text in rows.items()}

    async def record_data_update(self, update: DataUpdate, audit: AuditEntry) -> None:
        await self._write(lambda db: data_updates.record(db, update, audit))

    async def last_data_updates(
        self, codes: Sequence[str], day: date | None = None
    ) -> dict[str, DataUpdate]:
        if not codes:
            return {}
        return await self._connection.read(lambda db: data_updates.last(db, codes, day))

    # -- the outbox ----------------------------------------------------------------------
    async def outbox_after(self, position: int, limit: int) -> list[tuple[int, OutboxRecord]]:
        return await self._connection.read(lambda db: outboxes.records_after(db, position, limit))

    async def outbox_urgent_after(
        self, position: int, limit: int
    ) -> list[tuple[int, OutboxRecord]]:
        return await self._connection.read(lambda db: outboxes.urgent_after(db, position, limit))

    async def outbox_position(self, consumer: str) -> int:
        return await self._connection.read(lambda db: outboxes.position(db, consumer))

    async def set_outbox_position(
        self,
        consumer: str,
        position: int,
        *,
        mark: Sequence[str] = (),
        unmark: Sequence[str] = (),
    ) -> None:
        def update(db: sqlite3.Connection) -> None:
            outboxes.set_position(db, consumer, position)
            outboxes.mark(db, consumer, mark, unmark)

        await self._write(update)

    async def outbox_marks(self, consumer: str, keys: Sequence[str]) -> set[str]:
        if not keys:
            return set()
        return await self._connection.read(lambda db: outboxes.marked(db, consumer, keys))

    async def prune_outbox(self, below: int) -> int:
        return await self._write(lambda db: outboxes.prune(db, below))

    async def outbox_pruned(self) -> bool:
        return await self._connection.read(outboxes.pruned)

    async def outbox_seed(self, consumer: str) -> str | None:
        return await self._connection.read(lambda db: outboxes.seed(db, consumer))

    async def set_outbox_seed(self, consumer: str, cursor: str) -> None:
        await self._write(lambda db: outboxes.set_seed(db, consumer, cursor))

    async def allocate_code(self, category: str) -> str:
        category = check_category_code(category)
        zone = self._catalog.zone
        return await self._write(lambda db: sequences.allocate(db, category, zone))

    async def allocate_codes(self, wanted: Mapping[str, int]) -> dict[str, list[str]]:
        checked = check_allocation(wanted)
        zone = self._catalog.zone
        return await self._write(lambda db: sequences.allocate_many(db, checked, zone))

    async def free_codes(self, codes: Sequence[str]) -> list[str]:
        zone = self._catalog.zone
        checked = check_brought(codes, zone)
        return await self._connection.read(lambda db: sequences.not_free(db, checked, zone))

    async def get(self, code: str) -> Resource | None:
        return (await self.get_many([code])).get(code)

    async def get_many(self, codes: Sequence[str]) -> dict[str, Resource]:
        rows = await self._by_code("snapshot", codes)
        return {code: resource_from_json(snapshot) for code, snapshot in rows}

    async def entries_after(
        self, after: str, limit: int, states: frozenset[LifecycleState]
    ) -> list[Resource]:
        wanted = sorted(state.value for state in states)
        if not wanted or limit < 1:
            return []
        # In code order along the primary key: each step starts where the last ended.
        query = (
            "SELECT code, snapshot FROM resources WHERE code > ? "
            f"AND state IN ({_placeholders(wanted)}) ORDER BY code LIMIT ?"
        )
        params: list[object] = [after, *wanted, limit]
        rows = await self._connection.read(lambda db: db.execute(query, params).fetchall())
        return [resource_from_json(snapshot) for _code, snapshot in rows]

    async def origins(self, codes: Sequence[str]) -> dict[str, str]:
        return {code: str(origin) for code, origin in await self._by_code("catalog_id", codes)}

    async def _by_code(self, column: str, codes: Sequence[str]) -> list[tuple[str, str]]:
        """(code, `column`) of each held entry among `codes`; `column` is a TEXT column named
        by this module, never a value from outside."""
        wanted = list(dict.fromkeys(codes))
        if not wanted:
            return []
        found: list[tuple[str, str]] = []
        for chunk in chunks(wanted):
            query = f"SELECT code, {column} FROM resources WHERE code IN ({_placeholders(chunk)})"
            found += await self._connection.read(partial(_rows, query=query, params=chunk))
        return found

    async def find(
        self,
        where: ResourceFilter,
        search: str | None = None,
        first: int = 20,
        after: str | None = None,
    ) -> ResourcePage:
        plan = None if search is None else self.searcher.read(search)
        searching = search is not None
        return await self._connection.read(
            lambda db: find(db, where, plan, first, after, searching)
        )

    async def facets(self, where: ResourceFilter, search: str | None = None) -> Facets:
        plan = None if search is None else self.searcher.read(search)
        searching = search is not None
        return await self._connection.read(lambda db: facets(db, where, plan, searching))

    async def tree(self, where: ResourceFilter | None = None) -> list[CatalogCount]:
        zone, chosen = self._catalog.zone, where or ResourceFilter()
        return await self._connection.read(lambda db: tree(db, zone, chosen))

    async def lineage(self, code: str, direction: Direction, depth: int) -> Lineage:
        return await self._connection.read(lambda db: lineage(db, code, direction, depth))

    # -- reference reads -----------------------------------------------------------------
    async def catalogs(self, ids: Sequence[str] | None = None) -> list[Catalog]:
        sql = "SELECT id, region_code, zone, name, parent_id FROM catalogs"
        return await self._select(sql, "id", ids, catalog_from_row)

    async def departments(self, codes: Sequence[str] | None = None) -> list[Department]:
        sql = "SELECT code, name, region_code, leads FROM departments"
        return await self._select(sql, "code", codes, department_from_row)

    async def categories(self, codes: Sequence[str]) -> list[Category]:
        return await self._select(
            "SELECT code, name FROM categories", "code", codes, category_from_row
        )

    async def regions(self, codes: Sequence[str] | None = None) -> list[Region]:
        sql = "SELECT code, name, parent_code FROM regions"
        return await self._select(sql, "code", codes, region_from_row)

    async def _select(
        self,
        sql: str,
        key: str,
        keys: Sequence[str] | None,
        build: Callable[[tuple[Any, ...]], T],
    ) -> list[T]:
        """Rows of `sql` (all, or those whose `key` is among `keys`) ordered by `key`."""
        wanted = None if keys is None else list(dict.fromkeys(keys))
        if wanted == []:
            return []
        params: list[str] = wanted or []
        if wanted is not None:
            sql += f" WHERE {key} IN ({_placeholders(wanted)})"
        sql += f" ORDER BY {key}"
        return await self._connection.read(
            lambda db: [build(tuple(row)) for row in db.execute(sql, params)]
        )


if TYPE_CHECKING:
    from graph.store import CatalogStore

    def _implements_the_protocol(store: EmbeddedStore) -> CatalogStore:
        return store  # mypy checks that EmbeddedStore is a CatalogStore
