"""`CatalogStore`: the one protocol both stores implement (Neo4j, embedded SQLite).

A store holds the catalog of one instance: its own entries and the copies aggregated or
mirrored into it. Every write is checked by `graph.rules.check_resource` for the store's zone
before anything is written, and is all-or-nothing. Reads that take many keys exist so the API
can batch (one call per GraphQL request level, never one per object).

Every write that takes an `audit` entry (`graph.audit`) appends its record to the instance's
audit log in the write's own transaction: a write that fails — a `VersionConflict`, a rule's
refusal, a batch with one refused entry — leaves no record, and a record never outlives its
write. The log is one hash chain however many write at once.

    async with EmbeddedStore.open(path, catalog) as store:
        await store.save(entry, expected_version=None)
        page = await store.find(ResourceFilter(), search="人口", first=20)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import TYPE_CHECKING, Protocol

from graph.audit.records import AuditEntry, AuditFilter, AuditHead, AuditRecord
from graph.enums import LifecycleState, Role
from graph.exchange.datasets import DatasetKey, DatasetMapping
from graph.model import Catalog, Category, Department, Region, Resource
from graph.outbox import OutboxRecord, OutboxSignal
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
from graph.search import Searcher

if TYPE_CHECKING:
    # Only named in annotations: graph.sharing's package imports its service, which imports
    # this module.
    from graph.sharing.access import AccessDetails
    from graph.sharing.data_updates import DataUpdate
    from graph.sharing.objections import Objection
    from graph.sharing.queries import ObjectionFilter, Page, RequestFilter
    from graph.sharing.requests import ShareRequest

__all__ = ["CatalogStore"]


class CatalogStore(Protocol):
    """The catalog of one instance. Open it with ``async with``; closing twice is harmless."""

    @property
    def catalog(self) -> Catalog:
        """This instance's own catalog (level, region, zone)."""
        ...

    # How this store reads a search (graph.search): its segmenter and synonyms.
    searcher: Searcher

    async def ping(self) -> None:
        """Raise `StoreUnavailable` unless the database answers."""

    # -- reference data: idempotent, keyed by natural keys --------------------------------
    async def put_regions(self, regions: Sequence[Region]) -> None: ...
    async def put_catalogs(self, catalogs: Sequence[Catalog]) -> None: ...
    async def put_departments(
        self, departments: Sequence[Department], audit: AuditEntry | None = None
    ) -> None:
        """Register (or rename) `departments`; `audit`, when given, is recorded with them."""

    async def put_categories(self, categories: Sequence[Category]) -> None: ...

    # -- entries ---------------------------------------------------------------------------
    async def save(
        self,
        entry: Resource,
        expected_version: int | None,
        outbox: OutboxRecord | None = None,
        audit: AuditEntry | None = None,
    ) -> Resource:
        """Write `entry` if the stored version is `expected_version` (None: no entry yet);
        otherwise raise `VersionConflict`; refuse (`InvalidValue`, field ``code``) a code held
        here from another origin. `outbox` and `audit`, when given, are committed in the
        same transaction, or not at all. Return the entry as stored."""

    async def apply(
        self,
        entries: Sequence[Resource],
        outbox: Sequence[OutboxRecord | None] | None = None,
        audit: Sequence[AuditEntry | None] | None = None,
    ) -> list[ApplyOutcome]:
        """Write each snapshot whose version is newer than what is held (or redacted); older or
        equal ones change nothing (STALE), nor does one whose code is held from another origin
        (CONFLICT: one resource, one origin). `outbox[i]` and `audit[i]` are written only
        when entry i is APPLIED (a stale copy is not sent on, nor recorded). One transaction
        for the batch; outcomes in order."""

    async def redact(
        self,
        code: str,
        version: int,
        outbox: OutboxRecord | None = None,
        audit: AuditEntry | None = None,
    ) -> ApplyOutcome:
        """Remove the copy of `code` if `version` is newer than what is held, leaving a
        tombstone so that an older snapshot delivered later does not bring it back; `outbox`
        and `audit` are written only when the redaction is APPLIED."""

    # -- the audit log (graph.audit) --------------------------------------------------------
    async def append_audit(self, entries: Sequence[AuditEntry]) -> list[AuditRecord]:
        """Append `entries` that record no write of this store (a refusal, a failed
        authentication, a checkpoint), in one transaction; return their records."""

    async def audit_records(
        self, after: int, limit: int, where: AuditFilter | None = None
    ) -> list[AuditRecord]:
        """At most `limit` records numbered above `after` that `where` selects, in seq
        order: the pages of the API and of verification."""

    async def audit_head(self) -> AuditHead:
        """Where the chain stands: its last record, its anchor and its last checkpoint."""

    async def prune_audit(self, before: datetime) -> int:
        """Delete the oldest records written before `before` (a prefix of the chain: the
        first record not older stops it), keeping the last deleted as the anchor; return how
        many went. A `before` later than the retention allows (`graph.audit.retention.cutoff`,
        15 years: Chengdu 第二十六条) is refused (`InvalidValue`, field ``before``)."""

    # -- role grants (graph.grants) -----------------------------------------------------------
    async def grants(self, subjects: Sequence[str] | None = None) -> dict[str, Role]:
        """The role each of `subjects` holds (all subjects holding one when None)."""

    async def grant_role(self, subject: str, role: Role, audit: AuditEntry) -> None:
        """Grant `role` to `subject` in place of the one it holds, as `graph.grants.check_grant`
        decides against every role the subject ever held, and record `audit`, in one
        transaction."""

    async def revoke_role(self, subject: str, audit: AuditEntry) -> None:
        """Take `subject`'s role away (`NotFound` when it holds none) and record `audit`, in
        one transaction; the roles it held are still remembered."""

    # -- sharing (graph.sharing): share requests, objections, access details ---------------
    # Each write records `audit` (one record per step it writes, at least one) in its own
    # transaction; a refused write records nothing. Requests and objections are compared and
    # set on their version; lists are in the order received, paged (`graph.sharing.queries`).
    async def create_share_request(
        self, request: ShareRequest, audit: Sequence[AuditEntry]
    ) -> None:
        """Hold the new `request`; `VersionConflict` when its id is held already."""

    async def update_share_request(
        self, request: ShareRequest, expected_version: int, audit: Sequence[AuditEntry]
    ) -> None:
        """Replace the request held at `expected_version` by `request` (a later version);
        `VersionConflict` when another version is held, `NotFound` when none is."""

    async def share_requests(self, ids: Sequence[str]) -> dict[str, ShareRequest]:
        """The requests held among `ids`, by id, in one round trip."""

    async def find_share_requests(
        self, where: RequestFilter, first: int = 20, after: str | None = None
    ) -> Page[ShareRequest]:
        """A page of the requests `where` selects, in the order received."""

    async def create_objection(self, objection: Objection, audit: Sequence[AuditEntry]) -> None:
        """Hold the new `objection`; `VersionConflict` when its id is held already."""

    async def update_objection(
        self, objection: Objection, expected_version: int, audit: Sequence[AuditEntry]
    ) -> None:
        """As `update_share_request`, for an objection."""

    async def objections(self, ids: Sequence[str]) -> dict[str, Objection]:
        """The objections held among `ids`, by id, in one round trip."""

    async def find_objections(
        self, where: ObjectionFilter, first: int = 20, after: str | None = None
    ) -> Page[Objection]:
        """A page of the objections `where` selects, in the order received."""

    async def open_objections(
        self, codes: Sequence[str], limit: int = 20
    ) -> dict[str, list[Objection]]:
        """The open objections (REPORTED, CONFIRMED) of each entry among `codes` that has any,
        at most `limit` (1–100) each, oldest first: what shows on the entries."""

    async def put_access_details(
        self, details: AccessDetails, expected_version: int | None, audit: AuditEntry
    ) -> None:
        """Hold `details` for its entry in place of the version `expected_version` (None:
        none yet), `details.version` one more; `VersionConflict` otherwise. Kept apart from
        the entry: in no snapshot, outbox record or change event."""

    async def access_details(self, codes: Sequence[str]) -> dict[str, AccessDetails]:
        """The access details held for each of `codes`, by code: the store does not decide
        who sees them (`graph.sharing.access.visible_access` does)."""

    async def record_data_update(self, update: DataUpdate, audit: AuditEntry) -> None:
        """Hold `update` (graph.sharing.data_updates: one per entry and day, a day recorded
        again replacing its note) with its audit record, in one transaction. Kept apart from
        the entry: in no snapshot, outbox record or change event."""

    async def last_data_updates(
        self, codes: Sequence[str], day: date | None = None
    ) -> dict[str, DataUpdate]:
        """The latest data update of each of `codes` that has one, on or before `day` (None:
        the latest of all), by code."""

    # -- dataset mappings (graph.exchange.openlineage) -------------------------------------
    async def dataset_mappings(
        self, keys: Sequence[DatasetKey] | None = None
    ) -> dict[DatasetKey, str]:
        """The code each of `keys` maps to (every mapping when None), by dataset."""

    async def put_dataset_mapping(self, mapping: DatasetMapping, audit: AuditEntry) -> None:
        """Map the dataset to the entry (in place of any mapping it had) and record `audit`,
        in one transaction."""

    async def remove_dataset_mapping(self, key: DatasetKey, audit: AuditEntry) -> None:
        """Remove the dataset's mapping (`NotFound` when it has none) and record `audit`, in
        one transaction."""

    # -- project catalogs (graph.projects) ---------------------------------------------------
    async def projects(self, ids: Sequence[str] | None = None) -> dict[str, Project]:
        """The projects held among `ids` (all when None), by id."""

    async def put_project(
        self, project: Project, expected_version: int | None, audit: AuditEntry
    ) -> None:
        """Hold `project` in place of the version `expected_version` (None: none yet), else
        `VersionConflict`; record `audit` in the same transaction."""

    # -- the outbox (graph.outbox): read by the relays ------------------------------------
    @property
    def outbox_signal(self) -> OutboxSignal:
        """Notified after every write this store commits (`graph.outbox.OutboxSignal`)."""

    async def outbox_after(self, position: int, limit: int) -> list[tuple[int, OutboxRecord]]:
        """At most `limit` records numbered above `position`, in order of their numbers
        (which only grow, starting at 1)."""

    async def outbox_urgent_after(
        self, position: int, limit: int
    ) -> list[tuple[int, OutboxRecord]]:
        """The urgent records (`OutboxRecord.urgent`) after `position`, oldest first, at most
        `limit`: the lane relays send ahead of the backlog; each is in `outbox_after` too."""
        ...

    async def outbox_position(self, consumer: str) -> int:
        """The position `consumer` last set; 0 when it never did."""

    async def set_outbox_position(
        self,
        consumer: str,
        position: int,
        *,
        mark: Sequence[str] = (),
        unmark: Sequence[str] = (),
    ) -> None:
        """In one transaction: set `consumer`'s position and add `mark` to (then remove
        `unmark` from) its set of marked keys — a relay's record of what it may have sent."""

    async def outbox_marks(self, consumer: str, keys: Sequence[str]) -> set[str]:
        """Those of `keys` that `consumer` has marked."""

    async def prune_outbox(self, below: int) -> int:
        """Delete the records numbered below `below` (every consumer is past them); return
        how many went."""

    async def outbox_pruned(self) -> bool:
        """Whether records were ever pruned: the oldest record held is not the first ever
        written (positions start at 1), or none is held though some were written. A relay
        that starts with no position then cannot read every record from the beginning
        (`sync.relay`: it sends the store's current state first)."""

    async def outbox_seed(self, consumer: str) -> str | None:
        """The cursor `consumer` last set with `set_outbox_seed`; None when it never did."""

    async def set_outbox_seed(self, consumer: str, cursor: str) -> None:
        """Keep `cursor` as where `consumer`'s seed stands (`sync.relay`)."""

    async def allocate_code(self, category: str) -> str:
        """A new code under 前段码 `category`: the next 后段码 of that category in this
        instance's zone's range (`graph.codes.SEQUENCE_RANGES`), past every code of the range
        allocated, held or redacted here. Atomic: no two calls ever get the same code, however
        concurrent; a code allocated and never saved is not handed out again."""

    async def allocate_codes(self, wanted: Mapping[str, int]) -> dict[str, list[str]]:
        """`wanted[category]` new codes under each 前段码 (`graph.codes.check_allocation`
        bounds them), in one transaction, as `allocate_code` allocates each: a batch of new
        entries (`Cataloguing.create_many`) is numbered in one round trip."""

    async def free_codes(self, codes: Sequence[str]) -> list[str]:
        """Those of `codes` — whole codes entries are brought with (`Cataloguing.create_many`:
        a catalog moved from another instance, an export imported again) — that are not free
        here (`graph.codes.is_free`: held, redacted, or handed out by this catalog's sequence),
        in one round trip, writing nothing. Each must lie in this zone's range
        (`graph.codes.check_brought`: `InvalidValue` otherwise). A free code taken meanwhile
        by another write makes the write of the entry brought with it a `VersionConflict`:
        one code, one entry, whoever writes first."""

    async def get(self, code: str) -> Resource | None: ...

    async def get_many(self, codes: Sequence[str]) -> dict[str, Resource]:
        """The entries held among `codes`, by code, in one round trip."""

    async def origins(self, codes: Sequence[str]) -> dict[str, str]:
        """The origin (catalog id) of each entry held among `codes`, in one round trip,
        without reading the entries: what sync checks one resource, one origin (一数一源) by."""

    async def entries_after(
        self, after: str, limit: int, states: frozenset[LifecycleState]
    ) -> list[Resource]:
        """At most `limit` entries in one of `states` whose codes sort after `after` ("": from
        the first), in code order, in one round trip: a walk of the whole store in bounded
        steps, each starting where the last ended (a new link's seed, `sync.relay`)."""

    async def find(
        self,
        where: ResourceFilter,
        search: str | None = None,
        first: int = 20,
        after: str | None = None,
    ) -> ResourcePage:
        """A page of the entries `where` selects, optionally those `search` finds (every word,
        in any order: `graph.search`), best first; a search over `MAX_SEARCH_LENGTH` characters
        is refused before any work."""

    async def facets(self, where: ResourceFilter, search: str | None = None) -> Facets: ...

    async def tree(self, where: ResourceFilter | None = None) -> list[CatalogCount]:
        """The catalogs of this instance's zone, each with how many of the entries `where`
        selects it lists itself and with every catalog below it (`graph.tree`: a copy from
        the other zone counts under this zone's catalog of its region). The API passes what
        the caller may list; None: the published entries."""

    async def catalogs(self, ids: Sequence[str] | None = None) -> list[Catalog]: ...

    async def lineage(self, code: str, direction: Direction, depth: int) -> Lineage: ...

    async def departments(self, codes: Sequence[str] | None = None) -> list[Department]:
        """The departments with these codes (all when None), ordered by code."""

    async def categories(self, codes: Sequence[str]) -> list[Category]: ...

    async def regions(self, codes: Sequence[str] | None = None) -> list[Region]: ...
