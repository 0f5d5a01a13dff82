"""`Neo4jStore`: the `CatalogStore` on Neo4j 5 (Community or Enterprise), the production store.

Every write is one managed transaction (`execute_write`), every read a function over
auto-commit queries (`graph.neo4j.reads`: one round trip per statement); either may run again
after a transient failure, so each is idempotent. Every write first
passes `graph.rules.check_resource` for the store's zone; a batch with one refused entry
writes nothing. A write's audit record is appended last in its own transaction, under the
audit head's lock (`graph.neo4j.audit`). Driver errors become domain errors here
(`graph.neo4j.errors`).

    async with Neo4jStore.open("bolt://127.0.0.1:7687", ("neo4j", secret), catalog=c) as store:
        page = await store.find(ResourceFilter(), search="人口", first=20)
"""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any, Concatenate, ParamSpec, TypeVar

from neo4j import (
    AsyncDriver,
    AsyncGraphDatabase,
    AsyncManagedTransaction,
    AsyncSession,
)

from graph.audit.records import AuditEntry, AuditFilter, AuditHead, AuditRecord, entries_for
from graph.audit.retention import check_prune
from graph.chunks import chunks
from graph.codes import (
    check_allocation,
    check_brought,
    check_category_code,
    check_resource_code,
)
from graph.enums import LifecycleState, Role
from graph.exchange.datasets import DatasetKey, DatasetMapping
from graph.grants import check_subject
from graph.model import Catalog, Category, Department, Region, Resource, parse_catalog_id
from graph.neo4j import audit as audits
from graph.neo4j import data_updates, reads, sequences, writes
from graph.neo4j import datasets as mapped
from graph.neo4j import grants as granting
from graph.neo4j import outbox as outboxes
from graph.neo4j import projects as projecting
from graph.neo4j import sharing as sharings
from graph.neo4j.cypher.database import ERASE_NODES, ERASE_RELATIONSHIPS, PING
from graph.neo4j.cypher.reading import ENTRIES_AFTER, GET_MANY, ORIGINS
from graph.neo4j.cypher.reference import (
    ALL_CATALOGS,
    ALL_DEPARTMENTS,
    ALL_REGIONS,
    CATALOGS_BY_ID,
    CATEGORIES,
    DEPARTMENTS_BY_CODE,
    REGIONS_BY_CODE,
)
from graph.neo4j.cypher.writes import (
    LINK_STATES,
    MARK_UPGRADED,
    UNLINKED_ENTRIES,
    UNREQUESTED_BATCH,
    UPGRADES_DONE,
)
from graph.neo4j.errors import translated
from graph.neo4j.finding import facets, find
from graph.neo4j.lineage import lineage
from graph.neo4j.rows import (
    catalog_from_record,
    department_from_record,
    region_from_record,
)
from graph.neo4j.schema import ensure_schema
from graph.neo4j.search import (
    CATALOG_WORDS,
    MARK_SEARCH_TEXT_CURRENT,
    SEARCH_TEXT_CURRENT,
    reindex_batch,
)
from graph.neo4j.statements import planned_once, run
from graph.neo4j.tree import tree
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

__all__ = ["Neo4jStore"]

T = TypeVar("T")
P = ParamSpec("P")

_ERASE_BATCH = 10_000
# The upgrades of a graph an earlier version wrote (`Upgrade` nodes name those done).
_STATE_LINKS = "state_links"
_SPARSE_REQUESTS = "sparse_requests"
_UPGRADES = [_STATE_LINKS, _SPARSE_REQUESTS, SEARCH_TEXT_CURRENT]


class Neo4jStore:
    """The catalog of one instance in one Neo4j database."""

    def __init__(
        self,
        driver: AsyncDriver,
        catalog: Catalog,
        database: str = "neo4j",
        searcher: Searcher | None = None,
    ) -> None:
        # Its own copy: what it learns of its catalog's words is its own.
        self.searcher = (searcher or Searcher.shipped()).learning()
        self._driver = driver
        self._catalog = catalog
        self._database = database
        self._closed = False
        self._chain = audits.Chain()
        self._outbox_signal = OutboxSignal()

    @classmethod
    @asynccontextmanager
    async def open(
        cls,
        uri: str,
        auth: tuple[str, str],
        *,
        catalog: Catalog,
        database: str = "neo4j",
        searcher: Searcher | None = None,
    ) -> AsyncIterator[Neo4jStore]:
        """Connect, make sure the schema and this instance's catalog exist, and yield the store;
        the driver is closed on leaving. `searcher` reads searches (default:
        `Searcher.shipped()`)."""
        async with translated("connect"):
            # Notifications (an unknown label in an empty graph, say) are noise for a store
            # whose every statement is fixed.
            driver = AsyncGraphDatabase.driver(uri, auth=auth, notifications_min_severity="OFF")
        store = cls(driver, catalog, database, searcher)
        try:
            await store.connect()
            yield store
        finally:
            await store.close()

    async def connect(self) -> None:
        """Verify connectivity, create what is missing of the schema and wait until every index
        is ONLINE, bring entries written by an earlier version up to date (search text, state
        links), then make sure this instance's own catalog exists."""
        async with translated("connect"):
            await self._driver.verify_connectivity()
            async with self._session() as session:
                await ensure_schema(session)
        (done,) = await self._read("read the upgrades done", run, UPGRADES_DONE)
        if SEARCH_TEXT_CURRENT not in done["names"]:
            # Entries indexed by another version of graph.search (or before it): again, in
            # batches; then the database says so, and the next open reads none of them.
            while await self._write("reindex search text", reindex_batch):
                pass
            await self._write(
                "mark the search text current",
                run,
                MARK_SEARCH_TEXT_CURRENT,
                {"name": SEARCH_TEXT_CURRENT},
            )
        if _STATE_LINKS not in done["names"]:
            await self._link_states()
        if _SPARSE_REQUESTS not in done["names"]:
            await self._sparse_requests()
        await self._write("create the outbox sequence", run, outboxes.ENSURE_SEQUENCE)
        await self._write("create the audit head", audits.ensure_head)
        await self.put_catalogs([self._catalog])
        (words,) = await self._read(
            "read the catalog's words", run, CATALOG_WORDS, limit=MAX_LEARNED
        )
        self.searcher.learn(words["names"])

    async def _link_states(self) -> None:
        """Give the entries of a store written before state links existed theirs
        (`graph.neo4j.cypher.tree`), once per database, in batches; then mark it done."""
        (unlinked,) = await self._read("read the entries to link", run, UNLINKED_ENTRIES)
        for chunk in chunks(unlinked["codes"]):
            await self._write("link entries by state", run, LINK_STATES, {"codes": list(chunk)})
        await self._write("mark the entries linked", run, MARK_UPGRADED, {"names": [_STATE_LINKS]})

    async def _sparse_requests(self) -> None:
        """Take ``requested`` off the entries of a store written when every entry carried it
        (0 when never requested: `graph.neo4j.cypher.writes.requested`), once per database, in
        batches; then mark it done."""

        async def clear(tx: AsyncManagedTransaction) -> int:
            (record,) = await run(tx, UNREQUESTED_BATCH, batch=_ERASE_BATCH)
            return int(record["cleared"])

        while await self._write("clear the counts of unrequested entries", clear):
            pass
        await self._write(
            "mark the counts sparse", run, MARK_UPGRADED, {"names": [_SPARSE_REQUESTS]}
        )

    async def close(self) -> None:
        """Close the driver; harmless when already closed."""
        if not self._closed:
            self._closed = True
            await self._driver.close()

    @property
    def catalog(self) -> Catalog:
        return self._catalog

    def _session(self) -> AsyncSession:
        return self._driver.session(database=self._database)

    async def _read(
        self,
        action: str,
        work: Callable[Concatenate[AsyncManagedTransaction, P], Awaitable[T]],
        *args: P.args,
        **kwargs: P.kwargs,
    ) -> T:
        # Auto-commit queries, one round trip each (`graph.neo4j.reads`); the caller's time
        # left becomes each query's timeout: Neo4j ends it itself instead of running on after
        # no one waits.
        async with translated(action):
            return await reads.read(self._driver, self._database, work, *args, **kwargs)

    async def _write(
        self,
        action: str,
        work: Callable[..., Awaitable[T]],
        *args: Any,  # not P.args: no keyword (`saving`) may follow them
        saving: str | None = None,
    ) -> T:
        async with translated(action, saving), self._session() as session:
            result = await session.execute_write(planned_once, work, *args)
        self._outbox_signal.notify()  # committed: the relays are told
        return result

    @property
    def outbox_signal(self) -> OutboxSignal:
        return self._outbox_signal

    async def ping(self) -> None:
        await self._read("ping", run, PING)

    async def erase_all(self) -> None:
        """Delete every node and relationship, in batches, keeping the schema and this
        instance's own catalog (tests start from here)."""

        async def erase_batch(tx: AsyncManagedTransaction, statement: str) -> int:
            (record,) = await run(tx, statement, batch=_ERASE_BATCH)
            return int(record["deleted"])

        for statement in (ERASE_RELATIONSHIPS, ERASE_NODES):
            while await self._write("erase the graph", erase_batch, statement):
                pass
        self._chain.forget()
        self.searcher = self.searcher.learning()  # nothing learned of what is gone
        # Nothing left to upgrade in an empty graph.
        await self._write("mark the upgrades done", run, MARK_UPGRADED, {"names": _UPGRADES})
        await self._write("create the outbox sequence", run, outboxes.ENSURE_SEQUENCE)
        await self._write("create the audit head", audits.ensure_head)
        await self.put_catalogs([self._catalog])

    # -- reference data ------------------------------------------------------------------
    async def put_regions(self, regions: Sequence[Region]) -> None:
        await self._write("put regions", writes.put_regions, list(regions))

    async def put_catalogs(self, catalogs: Sequence[Catalog]) -> None:
        await self._write("put catalogs", writes.put_catalogs, list(catalogs))

    async def put_departments(
        self, departments: Sequence[Department], audit: AuditEntry | None = None
    ) -> None:
        async def put(tx: AsyncManagedTransaction) -> None:
            await writes.put_departments(tx, list(departments))
            if audit is not None:
                await self._chain.append(tx, [audit])

        await self._write("put departments", put)
        self.searcher.learn(d.name for d in departments)

    async def put_categories(self, categories: Sequence[Category]) -> None:
        await self._write("put categories", writes.put_categories, list(categories))

    # -- entries -------------------------------------------------------------------------
    def _checked(self, entry: Resource) -> Resource:
        checked = check_resource(entry, self._catalog.zone)
        # An entry that names no catalog is this instance's own.
        if not checked.origin:
            checked = dataclasses.replace(checked, origin=self._catalog.id)
        parse_catalog_id(checked.origin)
        return checked

    async def save(
        self,
        entry: Resource,
        expected_version: int | None,
        outbox: OutboxRecord | None = None,
        audit: AuditEntry | None = None,
    ) -> Resource:
        checked = self._checked(entry)

        async def save(tx: AsyncManagedTransaction) -> None:
            await writes.save_entry(tx, checked, expected_version, outbox)
            if audit is not None:
                await self._chain.append(tx, [audit])

        await self._write(
            f"save {checked.code}",
            save,
            saving=checked.code if expected_version is None else None,
        )
        self.searcher.learn(words_of([checked]))
        return checked

    async def apply(
        self,
        entries: Sequence[Resource],
        outbox: Sequence[OutboxRecord | None] | None = None,
        audit: Sequence[AuditEntry | None] | None = None,
    ) -> list[ApplyOutcome]:
        checked = [self._checked(entry) for entry in entries]
        records = list(records_for(len(checked), outbox))
        audited = list(entries_for(len(checked), audit))
        if not checked:
            return []

        async def apply(tx: AsyncManagedTransaction) -> list[ApplyOutcome]:
            outcomes = await writes.apply_entries(tx, checked, records)
            applied = [
                entry
                for entry, outcome in zip(audited, outcomes, strict=True)
                if entry is not None and outcome is ApplyOutcome.APPLIED
            ]
            await self._chain.append(tx, applied)
            return outcomes

        outcomes = await self._write(f"apply {len(checked)} entries", apply)
        done = zip(checked, outcomes, strict=True)
        self.searcher.learn(words_of(e for e, o in done if o is ApplyOutcome.APPLIED))
        return outcomes

    async def redact(
        self,
        code: str,
        version: int,
        outbox: OutboxRecord | None = None,
        audit: AuditEntry | None = None,
    ) -> ApplyOutcome:
        code = check_resource_code(code)

        async def redact(tx: AsyncManagedTransaction) -> ApplyOutcome:
            outcome = await writes.redact_entry(tx, code, version, outbox)
            if audit is not None and outcome is ApplyOutcome.APPLIED:
                await self._chain.append(tx, [audit])
            return outcome

        return await self._write(f"redact {code}", redact)

    # -- the audit log -------------------------------------------------------------------
    async def append_audit(self, entries: Sequence[AuditEntry]) -> list[AuditRecord]:
        if not entries:
            return []
        return await self._write(
            f"append {len(entries)} audit records", self._chain.append, list(entries)
        )

    async def audit_records(
        self, after: int, limit: int, where: AuditFilter | None = None
    ) -> list[AuditRecord]:
        return await self._read("read the audit log", audits.records, after, limit, where)

    async def audit_head(self) -> AuditHead:
        return await self._read("read the audit head", audits.head)

    async def prune_audit(self, before: datetime) -> int:
        before = check_prune(before, datetime.now(UTC))
        # The anchor moves first, in one transaction; the records up to it then go in batches
        # (a prune cut short is finished by the next).
        last = await self._write("anchor the audit log", audits.anchor, before)
        pruned = 0
        while deleted := await self._write("prune the audit log", audits.prune, last):
            pruned += deleted
        return pruned

    # -- role grants ---------------------------------------------------------------------
    async def grants(self, subjects: Sequence[str] | None = None) -> dict[str, Role]:
        if subjects is not None and not subjects:
            return {}
        chosen = None if subjects is None else list(subjects)
        return await self._read("read role grants", granting.grants, chosen)

    async def grant_role(self, subject: str, role: Role, audit: AuditEntry) -> None:
        subject = check_subject(subject)

        async def grant(tx: AsyncManagedTransaction) -> None:
            await granting.grant(tx, subject, role)
            await self._chain.append(tx, [audit])

        await self._write(f"grant {role} to {subject}", grant)

    async def revoke_role(self, subject: str, audit: AuditEntry) -> None:
        subject = check_subject(subject)

        async def revoke(tx: AsyncManagedTransaction) -> None:
            await granting.revoke(tx, subject)
            await self._chain.append(tx, [audit])

        await self._write(f"revoke the role of {subject}", revoke)

    # -- project catalogs (graph.neo4j.projects) -------------------------------------------
    async def projects(self, ids: Sequence[str] | None = None) -> dict[str, Project]:
        if ids is not None and not ids:
            return {}
        chosen = None if ids is None else list(ids)
        return await self._read("read projects", projecting.projects, chosen)

    async def put_project(
        self, project: Project, expected_version: int | None, audit: AuditEntry
    ) -> None:
        async def put(tx: AsyncManagedTransaction) -> None:
            await projecting.put(tx, project, expected_version)
            await self._chain.append(tx, [audit])

        await self._write(f"write the project {project.id}", put)

    # -- dataset mappings (graph.neo4j.datasets) ------------------------------------------
    async def dataset_mappings(
        self, keys: Sequence[DatasetKey] | None = None
    ) -> dict[DatasetKey, str]:
        if keys is not None and not keys:
            return {}
        chosen = None if keys is None else list(keys)
        return await self._read("read dataset mappings", mapped.mappings, chosen)

    async def put_dataset_mapping(self, mapping: DatasetMapping, audit: AuditEntry) -> None:
        async def put(tx: AsyncManagedTransaction) -> None:
            await mapped.put(tx, mapping)
            await self._chain.append(tx, [audit])

        await self._write(f"map the dataset {mapping.key}", put)

    async def remove_dataset_mapping(self, key: DatasetKey, audit: AuditEntry) -> None:
        async def remove(tx: AsyncManagedTransaction) -> None:
            await mapped.remove(tx, key)
            await self._chain.append(tx, [audit])

        await self._write(f"unmap the dataset {key}", remove)

    # -- sharing -------------------------------------------------------------------------
    async def create_share_request(
        self, request: ShareRequest, audit: Sequence[AuditEntry]
    ) -> None:
        columns, text = request_columns(request), request_to_json(request)
        await self._write(
            f"create share request {request.id}",
            sharings.create,
            "ShareRequest",
            columns,
            text,
            list(audit),
            self._chain,
        )

    async def update_share_request(
        self, request: ShareRequest, expected_version: int, audit: Sequence[AuditEntry]
    ) -> None:
        columns, text = request_columns(request), request_to_json(request)
        await self._write(
            f"update share request {request.id}",
            sharings.update,
            "ShareRequest",
            columns,
            text,
            expected_version,
            list(audit),
            self._chain,
        )

    async def share_requests(self, ids: Sequence[str]) -> dict[str, ShareRequest]:
        if not ids:
            return {}
        rows = await self._read("read share requests", sharings.by_ids, "ShareRequest", ids)
        return {id: request_from_json(text) for id, text in rows.items()}

    async def find_share_requests(
        self, where: RequestFilter, first: int = 20, after: str | None = None
    ) -> Page[ShareRequest]:
        return await self._read(
            "find share requests",
            sharings.find,
            "ShareRequest",
            selection(where),
            first,
            after,
            request_from_json,
        )

    async def create_objection(self, objection: Objection, audit: Sequence[AuditEntry]) -> None:
        columns, text = objection_columns(objection), objection_to_json(objection)
        await self._write(
            f"create objection {objection.id}",
            sharings.create,
            "Objection",
            columns,
            text,
            list(audit),
            self._chain,
        )

    async def update_objection(
        self, objection: Objection, expected_version: int, audit: Sequence[AuditEntry]
    ) -> None:
        columns, text = objection_columns(objection), objection_to_json(objection)
        await self._write(
            f"update objection {objection.id}",
            sharings.update,
            "Objection",
            columns,
            text,
            expected_version,
            list(audit),
            self._chain,
        )

    async def objections(self, ids: Sequence[str]) -> dict[str, Objection]:
        if not ids:
            return {}
        rows = await self._read("read objections", sharings.by_ids, "Objection", ids)
        return {id: objection_from_json(text) for id, text in rows.items()}

    async def find_objections(
        self, where: ObjectionFilter, first: int = 20, after: str | None = None
    ) -> Page[Objection]:
        return await self._read(
            "find objections",
            sharings.find,
            "Objection",
            selection(where),
            first,
            after,
            objection_from_json,
        )

    async def open_objections(
        self, codes: Sequence[str], limit: int = 20
    ) -> dict[str, list[Objection]]:
        limit = check_limit(limit)
        if not codes:
            return {}
        states = sorted(state.value for state in OPEN_OBJECTION)
        rows = await self._read(
            "read open objections", sharings.open_by_code, list(codes), states, limit
        )
        return {code: [objection_from_json(t) for t in texts] for code, texts in rows.items()}

    async def put_access_details(
        self, details: AccessDetails, expected_version: int | None, audit: AuditEntry
    ) -> None:
        await self._write(
            f"put the access details of {details.resource_code}",
            sharings.put_access,
            details.resource_code,
            details.version,
            access_to_json(details),
            expected_version,
            audit,
            self._chain,
        )

    async def access_details(self, codes: Sequence[str]) -> dict[str, AccessDetails]:
        if not codes:
            return {}
        rows = await self._read("read access details", sharings.access_details, list(codes))
        return {code: access_from_json(text) for code, text in rows.items()}

    async def record_data_update(self, update: DataUpdate, audit: AuditEntry) -> None:
        await self._write(
            f"record a data update of {update.resource_code}",
            data_updates.record,
            update,
            audit,
            self._chain,
        )

    async def last_data_updates(
        self, codes: Sequence[str], day: date | None = None
    ) -> dict[str, DataUpdate]:
        if not codes:
            return {}
        return await self._read("read data updates", data_updates.last, list(codes), day)

    # -- the outbox ----------------------------------------------------------------------
    async def outbox_after(self, position: int, limit: int) -> list[tuple[int, OutboxRecord]]:
        return await self._read("read the outbox", outboxes.records_after, position, limit)

    async def outbox_urgent_after(
        self, position: int, limit: int
    ) -> list[tuple[int, OutboxRecord]]:
        return await self._read("read the urgent outbox", outboxes.urgent_after, position, limit)

    async def outbox_position(self, consumer: str) -> int:
        return await self._read(
            f"read the outbox position of {consumer}", outboxes.position, consumer
        )

    async def set_outbox_position(
        self,
        consumer: str,
        position: int,
        *,
        mark: Sequence[str] = (),
        unmark: Sequence[str] = (),
    ) -> None:
        async def update(tx: AsyncManagedTransaction) -> None:
            await outboxes.set_position(tx, consumer, position)
            await outboxes.mark(tx, consumer, list(mark), list(unmark))

        await self._write(f"set the outbox position of {consumer}", update)

    async def outbox_marks(self, consumer: str, keys: Sequence[str]) -> set[str]:
        if not keys:
            return set()
        return await self._read(
            f"read the marks of {consumer}", outboxes.marked, consumer, list(keys)
        )

    async def prune_outbox(self, below: int) -> int:
        pruned = 0
        while deleted := await self._write("prune the outbox", outboxes.prune, below):
            pruned += deleted
        return pruned

    async def outbox_pruned(self) -> bool:
        return await self._read("ask whether the outbox was pruned", outboxes.pruned)

    async def outbox_seed(self, consumer: str) -> str | None:
        return await self._read(f"read the seed of {consumer}", outboxes.seed, consumer)

    async def set_outbox_seed(self, consumer: str, cursor: str) -> None:
        await self._write(f"set the seed of {consumer}", outboxes.set_seed, consumer, cursor)

    async def allocate_code(self, category: str) -> str:
        category = check_category_code(category)
        return await self._write(
            f"allocate a code under {category}", sequences.allocate, category, self._catalog.zone
        )

    async def allocate_codes(self, wanted: Mapping[str, int]) -> dict[str, list[str]]:
        checked = check_allocation(wanted)
        return await self._write(
            f"allocate codes under {len(checked)} categories",
            sequences.allocate_many,
            checked,
            self._catalog.zone,
        )

    async def free_codes(self, codes: Sequence[str]) -> list[str]:
        checked = check_brought(codes, self._catalog.zone)
        return await self._read(
            f"ask whether {len(checked)} codes are free",
            sequences.not_free,
            checked,
            self._catalog.zone,
        )

    async def get(self, code: str) -> Resource | None:
        return (await self.get_many([code])).get(code)

    async def get_many(self, codes: Sequence[str]) -> dict[str, Resource]:
        wanted = list(dict.fromkeys(codes))
        if not wanted:
            return {}
        found: dict[str, Resource] = {}
        for chunk in chunks(wanted):
            records = await self._read("get entries", run, GET_MANY, codes=list(chunk))
            found.update((r["code"], resource_from_json(r["snapshot"])) for r in records)
        return found

    async def entries_after(
        self, after: str, limit: int, states: frozenset[LifecycleState]
    ) -> list[Resource]:
        records = await self._read(
            "walk the entries",
            run,
            ENTRIES_AFTER,
            after=after,
            limit=limit,
            states=sorted(state.value for state in states),
        )
        return [resource_from_json(r["snapshot"]) for r in records]

    async def origins(self, codes: Sequence[str]) -> dict[str, str]:
        wanted = list(dict.fromkeys(codes))
        if not wanted:
            return {}
        found: dict[str, str] = {}
        for chunk in chunks(wanted):
            (record,) = await self._read("read origins", run, ORIGINS, codes=list(chunk))
            found.update(zip(record["codes"], record["origins"], strict=True))
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
        return await self._read("find entries", find, where, plan, first, after, searching)

    async def facets(self, where: ResourceFilter, search: str | None = None) -> Facets:
        plan = None if search is None else self.searcher.read(search)
        return await self._read("count facets", facets, where, plan, search is not None)

    async def tree(self, where: ResourceFilter | None = None) -> list[CatalogCount]:
        chosen = where or ResourceFilter()
        return await self._read("read the catalog tree", tree, self._catalog.zone, chosen)

    async def lineage(self, code: str, direction: Direction, depth: int) -> Lineage:
        return await self._read(f"walk the lineage of {code}", lineage, code, direction, depth)

    # -- reference reads -----------------------------------------------------------------
    async def catalogs(self, ids: Sequence[str] | None = None) -> list[Catalog]:
        if ids is None:
            records = await self._read("read catalogs", run, ALL_CATALOGS)
        else:
            ids = list(dict.fromkeys(ids))
            records = await self._read("read catalogs", run, CATALOGS_BY_ID, ids=ids)
        return [catalog_from_record(r) for r in records]

    async def departments(self, codes: Sequence[str] | None = None) -> list[Department]:
        if codes is None:
            records = await self._read("read departments", run, ALL_DEPARTMENTS)
        else:
            codes = list(dict.fromkeys(codes))
            records = await self._read("read departments", run, DEPARTMENTS_BY_CODE, codes=codes)
        return [department_from_record(r) for r in records]

    async def categories(self, codes: Sequence[str]) -> list[Category]:
        records = await self._read("read categories", run, CATEGORIES, codes=list(codes))
        return [Category(r["code"], r["name"]) for r in records]

    async def regions(self, codes: Sequence[str] | None = None) -> list[Region]:
        if codes is None:
            records = await self._read("read regions", run, ALL_REGIONS)
        else:
            codes = list(dict.fromkeys(codes))
            records = await self._read("read regions", run, REGIONS_BY_CODE, codes=codes)
        return [region_from_record(r) for r in records]


if TYPE_CHECKING:
    from graph.store import CatalogStore

    def _implements_the_protocol(store: Neo4jStore) -> CatalogStore:
        return store  # mypy checks that Neo4jStore is a CatalogStore
