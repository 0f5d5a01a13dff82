"""Catalogue maintenance: the lifecycle of entries, as a department or the reviewer acts on it.

`Cataloguing` reads the entry, decides (`graph.lifecycle`), and writes the next version with a
compare-and-set, so two concurrent edits never both win: the second gets `VersionConflict`.

    cataloguing = Cataloguing(store)
    draft = await cataloguing.create(Actor(provider_code), entry)  # entry.code: a 前段码
    await cataloguing.submit(Actor(provider_code), draft.code)
    await cataloguing.publish(Actor(reviewer_code, Role.REVIEWER), draft.code)

With an `outbox` hook (the runtime sets one: the entry's change event), every version it
saves commits with the record the hook returns, so the sync sends on every change it makes.
Every version it saves also commits with its audit record (`graph.audit`): CATALOG_WRITE for a
create or an update, LIFECYCLE for a step, naming the actor's department, the action, the
code, the versions before and after, and in `detail` the actor's role, the states before and
after and the step's note. `audit=False` turns that off (a benchmark compares the two).

The `rulebook` (`graph.sharing.rulebook`; default the State Council's, which adds no write
rule) adds the write rules of the instance's region — Kunming's legal basis for a CONDITIONAL
entry — to `graph.rules` on every create and update. They bind the instance's own entries only:
copies from other instances (which `Cataloguing` never writes) follow their origin's rules.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
from collections import Counter
from collections.abc import Callable, Sequence
from datetime import UTC, datetime

from graph.audit.records import AuditEntry, AuditKind, DetailValue
from graph.codes import (
    check_category_code,
    check_in_range,
    check_resource_code,
    sequence_bounds,
)
from graph.dates import beijing_date
from graph.enums import LifecycleState
from graph.errors import InvalidValue, NotFound, VersionConflict
from graph.lifecycle import Action, check_action, next_state
from graph.model import Actor, LifecycleStep, Resource
from graph.outbox import OutboxHook, OutboxRecord
from graph.rules import check_resource, renumbered, unnumbered
from graph.sharing.rulebook import STATE_COUNCIL_2025, Rulebook
from graph.store import CatalogStore

__all__ = ["Cataloguing", "code_not_free"]

# The longest note an audit record repeats; the whole note is in the entry's history.
_NOTE_IN_AUDIT = 1000


_WRITES = frozenset({Action.CREATE, Action.UPDATE})


def code_not_free(code: str) -> str:
    """What is accepted in place of `code`, a whole code that is not free here."""
    front = code.split("/", 1)[0]
    return (
        f"a code free here — held by no entry, never redacted, past the last code this "
        f"catalog allocated under {front}, and written once — or the 前段码 {front} alone for "
        "the catalog to allocate one"
    )


def _now() -> datetime:
    return datetime.now(UTC)


class Cataloguing:
    def __init__(
        self,
        store: CatalogStore,
        clock: Callable[[], datetime] = _now,
        outbox: OutboxHook | None = None,
        audit: bool = True,
        rulebook: Rulebook = STATE_COUNCIL_2025,
    ) -> None:
        self._store = store
        self._rulebook = rulebook
        self._clock = clock
        self._outbox = outbox
        self._audit = audit

    def _audit_entry(
        self,
        actor: Actor,
        action: Action,
        before: Resource | None,
        after: Resource,
        note: str | None = None,
    ) -> AuditEntry | None:
        """The audit record of writing `after` over `before` (None: a new entry)."""
        if not self._audit:
            return None
        kind = AuditKind.CATALOG_WRITE if action in _WRITES else AuditKind.LIFECYCLE
        detail: dict[str, DetailValue] = {
            "role": actor.role.value,
            "state_before": None if before is None else before.state.value,
            "state_after": after.state.value,
            "note": None if note is None else note[:_NOTE_IN_AUDIT],
        }
        return AuditEntry(
            kind,
            actor.department_code,
            action.value,
            subject=after.code,
            version_before=None if before is None else before.version,
            version_after=after.version,
            detail=detail,
            at=after.updated_at or self._clock(),
        )

    def _record(self, entry: Resource) -> tuple[Resource, OutboxRecord | None]:
        """The entry as the store will hold it, and the outbox record to commit with it."""
        if self._outbox is None:
            return entry, None
        # The record describes the entry as stored, so it is checked (and normalised) first.
        checked = check_resource(entry, self._store.catalog.zone)
        return checked, self._outbox(checked)

    async def create(self, actor: Actor, entry: Resource) -> Resource:
        """A new DRAFT entry at version 1, listed in this instance's catalog. `entry.code`
        names its category, the 前段码 alone; the store allocates the 后段码
        (`CatalogStore.allocate_code`, the rule in `graph.codes`), never the caller."""
        check_category_code(entry.code, "code")
        draft = self.check_new(actor, entry)
        draft = renumbered(draft, await self._allocate(draft), self._store.catalog.zone)
        draft, record = self._record(draft)
        audit = self._audit_entry(actor, Action.CREATE, None, draft)
        return await self._store.save(draft, expected_version=None, outbox=record, audit=audit)

    def check_new(self, actor: Actor, entry: Resource) -> Resource:
        """What `create` and `create_many` check before a code is allocated, without writing:
        the draft they would make of `entry`, or the refusal they raise.

        `entry.code` is a 前段码 (the draft keeps it, for a code to be allocated under), or a
        whole code the entry is brought with — a catalog moved from another instance, an
        export imported again (`create_many` only): it must lie in this zone's range
        (`graph.codes.sequence_bounds`), and the draft keeps it and the 发布日期 it states (the
        date of its last publication, as a revised entry keeps its own while it is a draft
        again; publishing it here dates it anew). Whether the code is free here is the
        store's to say (`CatalogStore.free_codes`) when it is written."""
        check_action(actor, Action.CREATE, entry.provider_code.strip().upper())
        zone = self._store.catalog.zone
        now = self._clock()
        brought = "/" in entry.code if isinstance(entry.code, str) else False
        if brought:
            code = check_resource_code(entry.code, "code")
            category = code.split("/", 1)[0]
            check_in_range(code, zone)
            published_on = entry.published_on
            if published_on is not None and published_on > beijing_date(now):
                raise InvalidValue(
                    "published_on",
                    published_on,
                    f"a day up to today ({beijing_date(now)}): the day the entry was last "
                    "published, or empty",
                )
        else:
            category = check_category_code(entry.code, "code")
            published_on = None
        if not brought:
            # Checked under a code of the category before one is allocated, so that an entry
            # the rules refuse does not use up a number — one the entry does not name as
            # related or as a source (the code it gets is not one it names: that was allocated
            # before).
            named = {*entry.related_codes, *entry.derived_from}
            first, last = sequence_bounds(category, zone)
            code = first if first not in named else last
        draft = dataclasses.replace(
            entry,
            code=code,
            state=LifecycleState.DRAFT,
            version=1,
            origin=self._store.catalog.id,
            published_on=published_on,
            history=(LifecycleStep(LifecycleState.DRAFT, actor.department_code, now),),
            updated_at=now,
        )
        checked = check_resource(draft, zone)
        self._rulebook.check_entry(checked)
        return checked if brought else unnumbered(checked, category, zone)

    async def _allocate(self, draft: Resource, named: set[str] | None = None) -> str:
        """A new code under the draft's 前段码 that the draft does not itself name as related
        or as a source, nor is among `named` (such a code, allocated, is passed over: never
        handed out again)."""
        named = named or {*draft.related_codes, *draft.derived_from}
        while (code := await self._store.allocate_code(draft.code)) in named:
            pass
        return code

    async def create_many(self, actor: Actor, entries: Sequence[Resource]) -> list[Resource]:
        """New DRAFT entries, as `create` makes each, written in one transaction of the store
        (`CatalogStore.apply`) with their audit records and change events: all or none. A
        spreadsheet's import (`graph.exchange`) writes its batches so. An entry may be brought
        with its whole code (`check_new`): kept if free here (`CatalogStore.free_codes`),
        else `InvalidValue` and nothing is written."""
        return await self.create_checked(actor, [self.check_new(actor, e) for e in entries])

    async def create_checked(
        self,
        actor: Actor,
        drafts: Sequence[Resource],
        numbering: asyncio.Lock | None = None,
    ) -> list[Resource]:
        """`create_many` of drafts that `check_new` returned for `actor` — an import checks a
        whole file before it writes any of it, and writes what it checked rather than check
        every row twice. The rules that read the code are checked again once it is allocated
        (`graph.rules.renumbered`); the drafts are dated now.

        `numbering`, when given, is held from the call until the batch's codes are allocated:
        batches written side by side (an import keeps two in flight) are numbered in the order
        they were started — a file's new entries get their codes in the order of its rows."""
        async with numbering if numbering is not None else contextlib.nullcontext():
            written = await self._numbered(actor, drafts)
        records = [record for _, record in written]
        entries = [entry for entry, _ in written]
        audits = [self._audit_entry(actor, Action.CREATE, None, e) for e in entries]
        outcomes = await self._store.apply(entries, records, audits)
        refused = [d.code for d, o in zip(entries, outcomes, strict=True) if o != "APPLIED"]
        if refused:  # a newly allocated code is held by no one: only a concurrent writer could
            raise VersionConflict(refused[0], 0, 1)
        return entries

    async def _numbered(
        self, actor: Actor, drafts: Sequence[Resource]
    ) -> list[tuple[Resource, OutboxRecord | None]]:
        """`drafts` with their codes allocated, dated, each with its outbox record."""
        zone = self._store.catalog.zone
        for draft in drafts:
            check_action(actor, Action.CREATE, draft.provider_code)
            if draft.state is not LifecycleState.DRAFT or draft.version != 1:
                raise InvalidValue("state", draft.state.value, "a draft as check_new makes it")
        brought = [d.code for d in drafts if "/" in d.code]
        taken = await self._store.free_codes(brought) if brought else []
        if taken:
            raise InvalidValue("code", taken[0], code_not_free(taken[0]))
        wanted = Counter(d.code for d in drafts if "/" not in d.code)
        # One round trip numbers the batch; a code an entry names as related or as a source
        # is passed over (allocated, so never handed out again), as `_allocate` does.
        allocated = await self._store.allocate_codes(wanted) if wanted else {}
        free = {c: list(codes) for c, codes in allocated.items()}
        now = self._clock()
        history = (LifecycleStep(LifecycleState.DRAFT, actor.department_code, now),)
        written = []
        for draft in drafts:
            code = draft.code
            if "/" not in code:
                # Not a code the entry names, nor one another entry of the batch is brought
                # with (free until written, so the sequence may hand it out meanwhile).
                named = {*draft.related_codes, *draft.derived_from, *brought}
                pool = free[code]
                found = next((c for c in pool if c not in named), None)
                if found is None:
                    found = await self._allocate(draft, named)
                else:
                    pool.remove(found)
                code = found
            dated = renumbered(draft, code, zone, history=history, updated_at=now)
            written.append(self._record(dated))
        return written

    async def update(self, actor: Actor, entry: Resource, expected_version: int) -> Resource:
        """Replace the content of a DRAFT entry; its lifecycle fields stay the store's."""
        current = await self._current(entry.code)
        check_action(actor, Action.UPDATE, current.provider_code)
        if entry.provider_code.strip().upper() != current.provider_code:
            raise InvalidValue(
                "provider_code",
                entry.provider_code,
                f"{current.provider_code}: an entry keeps its providing department",
            )
        next_state(Action.UPDATE, current)
        if current.version != expected_version:
            raise VersionConflict(entry.code, expected_version, current.version)
        changed = dataclasses.replace(
            entry,
            state=current.state,
            history=current.history,
            origin=current.origin,
            published_on=current.published_on,
        )
        return await self._write(current, changed, None, actor, Action.UPDATE)

    def check_change(self, actor: Actor, entry: Resource) -> Resource:
        """What `update` checks of the content `entry` would take — who may change it, that it
        keeps its providing department, every rule — without reading or writing: a change
        that must take several steps (revise, update, submit) is checked before the first."""
        check_action(actor, Action.UPDATE, entry.provider_code)
        checked = check_resource(entry, self._store.catalog.zone)
        if self._rulebook.has_write_rules:
            self._rulebook.check_entry(checked)
        return checked

    async def submit(self, actor: Actor, code: str, note: str | None = None) -> Resource:
        return await self._step(actor, code, Action.SUBMIT, note)

    async def publish(self, actor: Actor, code: str, note: str | None = None) -> Resource:
        return await self._step(actor, code, Action.PUBLISH, note)

    async def reject(self, actor: Actor, code: str, note: str | None = None) -> Resource:
        return await self._step(actor, code, Action.REJECT, note)

    async def revise(self, actor: Actor, code: str, note: str | None = None) -> Resource:
        return await self._step(actor, code, Action.REVISE, note)

    async def retire(self, actor: Actor, code: str, note: str | None = None) -> Resource:
        return await self._step(actor, code, Action.RETIRE, note)

    async def _current(self, code: str) -> Resource:
        current = await self._store.get(code)
        if current is None:
            raise NotFound("resource", code)
        if current.origin != self._store.catalog.id:
            raise InvalidValue(
                "code",
                code,
                f"an entry of this catalog; {code} is a copy from {current.origin}, "
                "maintained there",
            )
        return current

    async def _step(self, actor: Actor, code: str, action: Action, note: str | None) -> Resource:
        current = await self._current(code)
        check_action(actor, action, current.provider_code)
        state = next_state(action, current)
        return await self._write(current, current, state, actor, action, note)

    async def _write(
        self,
        current: Resource,
        entry: Resource,
        state: LifecycleState | None,
        actor: Actor,
        action: Action,
        note: str | None = None,
    ) -> Resource:
        now = self._clock()
        history = entry.history
        published_on = entry.published_on
        if state is not None:
            history = (*history, LifecycleStep(state, actor.department_code, now, note))
            if state is LifecycleState.PUBLISHED:
                published_on = beijing_date(now)  # the day in Beijing (graph.dates)
        written = dataclasses.replace(
            entry,
            state=state or entry.state,
            history=history,
            published_on=published_on,
            version=current.version + 1,
            updated_at=now,
        )
        # A step changes no content: the rulebook's rules held when it was written.
        if action is Action.UPDATE and self._rulebook.has_write_rules:
            self._rulebook.check_entry(check_resource(written, self._store.catalog.zone))
        written, record = self._record(written)
        audit = self._audit_entry(actor, action, current, written, note)
        return await self._store.save(
            written, expected_version=current.version, outbox=record, audit=audit
        )
