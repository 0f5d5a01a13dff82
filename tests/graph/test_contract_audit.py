"""Contract: the audit log (graph.audit) in the store — every kind recorded, a record committed
with the write it records or not at all, one valid chain under concurrent writers, tampering
found by `verify` on each store, checkpoints, retention (Chengdu 第二十六条) and role grants
(GB/T 39477)."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import sqlite3
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from neo4j import AsyncGraphDatabase

from graph import (
    Actor,
    ApplyOutcome,
    CatalogStore,
    Cataloguing,
    Classification,
    InvalidTransition,
    InvalidValue,
    NotFound,
    Role,
    VersionConflict,
)
from graph.audit import (
    AuditEntry,
    AuditFilter,
    AuditHead,
    AuditKind,
    AuditRecord,
    Problem,
    Verification,
    checker,
    cutoff,
    extend,
    sign_checkpoint,
    verify,
)
from graph.embedded import EmbeddedStore
from tests.graph.audit_data import T0, audit_entry, instance_key
from tests.graph.conftest import CHENGDU_EXTRANET, CHENGDU_INTRANET, OpenStore
from tests.graph.entries import POLICE, code, credit_code, newer, resource

APPLIED, STALE = ApplyOutcome.APPLIED, ApplyOutcome.STALE
ADMIN = credit_code("510100", "MB0000090")
SUBJECT = credit_code("510100", "MB0000091")
REVIEWER = Actor(credit_code("510100", "MB0000099"), Role.REVIEWER)


async def everything(store: CatalogStore, where: AuditFilter | None = None) -> list[AuditRecord]:
    """Every held record, read in pages as verification reads them."""
    found: list[AuditRecord] = []
    after = 0
    while page := await store.audit_records(after, 300, where):
        found += page
        after = page[-1].seq
    return found


async def verified(store: CatalogStore, **options: Any) -> Verification:
    head = await store.audit_head()
    return verify(await everything(store), head, **options)


def write(n: int, **overrides: Any) -> AuditEntry:
    return audit_entry(n, **overrides)


# -- what is recorded -----------------------------------------------------------------------
async def test_every_kind_appended_is_recorded_in_order_as_written(store: CatalogStore) -> None:
    assert await store.audit_head() == AuditHead()
    key, certificate = instance_key()
    kinds = [kind for kind in AuditKind if kind is not AuditKind.CHECKPOINT]
    entries = [
        write(n, kind=kind, subject=None if n % 3 == 0 else f"s{n}")
        for n, kind in enumerate(kinds, start=1)
    ]
    signed = AuditHead(len(entries), extend(AuditHead(), entries)[-1].hash)
    entries.append(sign_checkpoint(signed, key, certificate))
    appended = await store.append_audit(entries)
    assert {r.entry.kind for r in appended} == set(AuditKind)
    assert [r.seq for r in appended] == list(range(1, len(entries) + 1))
    held = await everything(store)
    assert held == appended
    assert [r.entry for r in held] == entries
    head = await store.audit_head()
    assert (head.seq, head.hash) == (held[-1].seq, held[-1].hash)
    assert (await verified(store)).ok
    assert await store.append_audit([]) == []


async def test_pages_and_filters_select_as_the_filter_says(store: CatalogStore) -> None:
    entries = [
        write(
            n,
            kind=AuditKind.LIFECYCLE if n % 2 else AuditKind.CATALOG_WRITE,
            actor=f"a{n % 3}",
            action="publish" if n % 5 else "forward requestShare",
        )
        for n in range(1, 31)
    ]
    written = await store.append_audit(entries)
    assert [r.seq for r in await store.audit_records(10, 5)] == [11, 12, 13, 14, 15]
    for where in (
        AuditFilter(kinds=frozenset({AuditKind.LIFECYCLE})),
        AuditFilter(kinds=frozenset({AuditKind.LIFECYCLE, AuditKind.CATALOG_WRITE})),
        AuditFilter(kinds=frozenset()),
        AuditFilter(actor="a1"),
        AuditFilter(subject=code(7)),
        AuditFilter(action="forward requestShare"),
        AuditFilter(actor="a1", action="forward requestShare"),
        AuditFilter(since=T0 + timedelta(seconds=5), until=T0 + timedelta(seconds=9)),
        AuditFilter(kinds=frozenset({AuditKind.CATALOG_WRITE}), actor="a2", since=T0),
    ):
        assert await everything(store, where) == [r for r in written if where.holds(r)], where


async def test_a_save_and_its_record_commit_together_or_not_at_all(store: CatalogStore) -> None:
    entry = resource(code(1))
    await store.save(entry, None, audit=write(1, version_before=None, version_after=1))
    await store.save(newer(entry), 1)  # no record asked for: none written
    with pytest.raises(VersionConflict):
        await store.save(newer(entry), 1, audit=write(2))
    with pytest.raises(VersionConflict):
        await store.save(resource(code(1)), None, audit=write(3))
    bad = resource(code(2), share_type="NONE", legal_basis=None)  # NONE needs a legal basis
    with pytest.raises(InvalidValue):
        await store.save(bad, None, audit=write(4))
    held = await everything(store)
    assert [r.entry for r in held] == [write(1, version_before=None, version_after=1)]
    assert (await store.get(code(1))) == newer(entry)


async def test_apply_and_redact_record_what_they_applied_only(store: CatalogStore) -> None:
    one, two = resource(code(1)), resource(code(2))
    assert await store.apply([one], audit=[write(1)]) == [APPLIED]
    outcomes = await store.apply([one, newer(one), two], audit=[write(2), write(3), None])
    assert outcomes == [STALE, APPLIED, APPLIED]
    assert await store.redact(one.code, 1, audit=write(4)) is STALE
    assert await store.redact(one.code, 9, audit=write(5, kind=AuditKind.REDACTION)) is APPLIED
    assert [r.entry.version_before for r in await everything(store)] == [1, 3, 5]
    with pytest.raises(ValueError, match="audit entries"):
        await store.apply([one], audit=[])


async def test_a_refused_batch_leaves_neither_its_entries_nor_its_records(
    open_store: OpenStore,
) -> None:
    async with open_store(CHENGDU_EXTRANET) as extranet:
        fine = resource(code(1), origin="510100/extranet")
        classified = dataclasses.replace(
            fine, code=code(2), classification=Classification.CLASSIFIED
        )
        with pytest.raises(InvalidValue):
            await extranet.apply([fine, classified], audit=[write(1), write(2)])
        assert await everything(extranet) == []
        assert await extranet.get(fine.code) is None


async def test_registering_departments_records_the_administrators_action(
    store: CatalogStore,
) -> None:
    action = AuditEntry(AuditKind.ADMINISTRATION, ADMIN, "register", subject=POLICE.code, at=T0)
    await store.put_departments([POLICE], audit=action)
    assert [d.code for d in await store.departments([POLICE.code])] == [POLICE.code]
    assert [r.entry for r in await everything(store)] == [action]


async def test_records_persist_across_a_reopen_and_the_chain_goes_on(
    open_store: OpenStore,
) -> None:
    async with open_store(CHENGDU_INTRANET) as store:
        await store.append_audit([write(1), write(2)])
    async with open_store(CHENGDU_INTRANET) as store:
        (third,) = await store.append_audit([write(3)])
        assert third.seq == 3
        assert (await verified(store)).ok


# -- one chain, however many write at once ----------------------------------------------------
async def test_eight_concurrent_writers_leave_one_valid_chain_without_gaps(
    store: CatalogStore,
) -> None:
    writers, changes = 8, 500

    async def writer(w: int) -> None:
        entry = resource(code(w + 1))
        await store.save(entry, None, audit=write(0, subject=entry.code, detail={"w": w}))
        for n in range(1, changes):
            if n % 5 == 0:  # a record of no write of its own: a refusal, say
                await store.append_audit([write(n, kind=AuditKind.GUARD_REFUSAL, detail={"w": w})])
                continue
            entry = newer(entry)
            await store.save(
                entry, entry.version - 1, audit=write(n, subject=entry.code, detail={"w": w})
            )

    await asyncio.gather(*(writer(w) for w in range(writers)))
    held = await everything(store)
    assert [r.seq for r in held] == list(range(1, writers * changes + 1))
    assert (await store.audit_head()).seq == writers * changes
    verification = await verified(store)
    assert verification.ok, verification.reason
    assert verification.checked == writers * changes
    for w in range(writers):  # each writer's records in the order it wrote them
        mine = [r.entry.version_before for r in held if r.entry.detail["w"] == w]
        assert mine == list(range(changes))


async def test_two_stores_on_one_database_keep_one_chain(open_store: OpenStore) -> None:
    # Each store knows only what it wrote itself: the head the other moved is found under
    # the lock, and the chain goes on from there.
    async with open_store(CHENGDU_INTRANET) as one, open_store(CHENGDU_INTRANET) as two:

        async def writer(store: CatalogStore, w: int) -> None:
            for n in range(50):
                await store.append_audit([write(n, detail={"w": w})])

        await asyncio.gather(*(writer((one, two)[w % 2], w) for w in range(4)))
        await one.save(resource(code(1)), None, audit=write(99))
        await two.save(newer(resource(code(1))), 1, audit=write(100))
        held = await everything(one)
        assert [r.seq for r in held] == list(range(1, 203))
        verification = await verified(two)
        assert verification.ok, verification.reason


# -- tampering, found by verify on each store -----------------------------------------------
# tamper(name, rows): the statements of `name`, once per row of parameters (once with none).
Tamper = Callable[..., Awaitable[None]]

SQL = {
    "drop the triggers": [
        "DROP TRIGGER audit_records_append_only",
        "DROP TRIGGER audit_records_pruned_only",
    ],
    "edited": ["UPDATE audit_records SET actor = 'someone else' WHERE seq = 4"],
    "deleted": ["DELETE FROM audit_records WHERE seq = 4"],
    "reordered": [
        "UPDATE audit_records SET seq = -4 WHERE seq = 4",
        "UPDATE audit_records SET seq = 4 WHERE seq = 5",
        "UPDATE audit_records SET seq = 5 WHERE seq = -4",
    ],
    "truncated": ["DELETE FROM audit_records WHERE seq >= 8"],
    "rehashed": [
        "UPDATE audit_records "
        "SET detail = :detail, previous_hash = :previous_hash, hash = :hash WHERE seq = :seq",
        "UPDATE audit_head SET hash = :hash WHERE seq = :seq",
    ],
}
CYPHER = {
    "edited": ["MATCH (a:AuditRecord {seq: 4}) SET a.actor = 'someone else'"],
    "deleted": ["MATCH (a:AuditRecord {seq: 4}) DELETE a"],
    "reordered": [
        "MATCH (a:AuditRecord {seq: 4}) SET a.seq = -4",
        "MATCH (a:AuditRecord {seq: 5}) SET a.seq = 4",
        "MATCH (a:AuditRecord {seq: -4}) SET a.seq = 5",
    ],
    "truncated": ["MATCH (a:AuditRecord) WHERE a.seq >= 8 DELETE a"],
    # A record rewritten with its hash and the next one's link computed again (`rows`).
    "rehashed": [
        "MATCH (a:AuditRecord {seq: $seq}) "
        "SET a.detail = $detail, a.previous_hash = $previous_hash, a.hash = $hash",
        "MATCH (h:AuditHead) WHERE h.seq = $seq SET h.hash = $hash",
    ],
}


@pytest.fixture
async def tamper(
    store: CatalogStore, request: pytest.FixtureRequest, tmp_path: Path
) -> AsyncIterator[Tamper]:
    """``await tamper(name)`` changes the log behind the store's back, as someone with the
    database's own access could: raw SQL on the embedded file, raw Cypher on Neo4j."""
    if isinstance(store, EmbeddedStore):

        async def on_file(name: str, rows: list[dict[str, Any]] | None = None) -> None:
            path = tmp_path / f"catalog-{CHENGDU_INTRANET.id.replace('/', '-')}.db"
            raw = sqlite3.connect(path, isolation_level=None)
            try:
                for statement in SQL["drop the triggers"]:
                    raw.execute(statement.replace("DROP TRIGGER", "DROP TRIGGER IF EXISTS"))
                for row in rows or [{}]:
                    for statement in SQL[name]:
                        raw.execute(statement, row)
            finally:
                raw.close()

        yield on_file
        return
    server: Any = request.getfixturevalue("neo4j_server")
    async with AsyncGraphDatabase.driver(server.uri, auth=(server.user, server.password)) as db:

        async def on_graph(name: str, rows: list[dict[str, Any]] | None = None) -> None:
            for row in rows or [{}]:
                for statement in CYPHER[name]:
                    await db.execute_query(statement, row)

        yield on_graph


@pytest.mark.parametrize(
    ("tampering", "problem", "seq"),
    [
        ("edited", Problem.EDITED, 4),
        ("deleted", Problem.DELETED, 4),
        ("reordered", Problem.REORDERED, 4),
        ("truncated", Problem.TRUNCATED, 8),
    ],
)
async def test_tampering_is_found_at_the_first_broken_record(
    store: CatalogStore, tamper: Tamper, tampering: str, problem: Problem, seq: int
) -> None:
    await store.append_audit([write(n) for n in range(1, 11)])
    assert (await verified(store)).ok
    await tamper(tampering)
    verification = await verified(store)
    assert (verification.problem, verification.broken_seq) == (problem, seq), verification.reason


async def test_the_log_is_append_only_through_the_store(store: CatalogStore) -> None:
    (record,) = await store.append_audit([write(1)])
    assert not hasattr(store, "update_audit")
    assert await store.prune_audit(cutoff(datetime.now(UTC))) == 0  # not 15 years old
    assert await everything(store) == [record]


# -- checkpoints ------------------------------------------------------------------------------
async def test_a_checkpoint_signs_the_head_and_a_forged_one_is_found(
    store: CatalogStore, tamper: Tamper
) -> None:
    key, certificate = instance_key()
    await store.append_audit([write(n) for n in range(1, 6)])
    head = await store.audit_head()
    (checkpoint,) = await store.append_audit([sign_checkpoint(head, key, certificate)])
    await store.append_audit([write(7)])
    assert (await store.audit_head()).checkpoint_seq == checkpoint.seq == 6
    assert (await store.audit_records(checkpoint.seq - 1, 1)) == [checkpoint]
    assert (await verified(store, checkpoints=checker(certificate))).ok
    # The checkpoint signed with another key under this instance's key id, and the chain
    # after it computed again: only the signature gives it away.
    other_key, other_certificate = instance_key("someone else")
    forged = sign_checkpoint(head, other_key, other_certificate, at=checkpoint.entry.at)
    detail = {**forged.detail, "key": checkpoint.entry.detail["key"]}
    forged = dataclasses.replace(forged, actor=checkpoint.entry.actor, detail=detail)
    seventh = (await store.audit_records(6, 1))[0].entry
    rows = [
        {
            "seq": r.seq,
            "detail": json.dumps(dict(r.entry.detail), ensure_ascii=False, separators=(",", ":")),
            "previous_hash": r.previous_hash,
            "hash": r.hash,
        }
        for r in extend(head, [forged, seventh])
    ]
    await tamper("rehashed", rows)
    verification = await verified(store, checkpoints=checker(certificate))
    assert (verification.problem, verification.broken_seq) == (Problem.CHECKPOINT, 6)


# -- retention (Chengdu 第二十六条) --------------------------------------------------------------
async def test_prune_refuses_records_younger_than_15_years_chengdu_26(
    store: CatalogStore,
) -> None:
    now = datetime.now(UTC)
    await store.append_audit([write(1, at=now - timedelta(days=365 * 14))])
    for before in (now, now - timedelta(days=365 * 14), cutoff(now) + timedelta(days=1)):
        with pytest.raises(InvalidValue, match="Chengdu 第二十六条") as refused:
            await store.prune_audit(before)
        assert refused.value.field == "before"
    with pytest.raises(InvalidValue, match="before"):
        await store.prune_audit(datetime(2000, 1, 1))  # naive: no time zone
    assert len(await everything(store)) == 1


async def test_a_pruned_log_keeps_its_anchor_and_still_verifies(store: CatalogStore) -> None:
    now = datetime.now(UTC)
    old = datetime(2005, 6, 1, tzinfo=UTC)
    entries = [write(n, at=old + timedelta(days=n)) for n in range(1, 5)]
    # A young record, then an old one: pruning takes the prefix only, up to the first young one.
    entries += [write(5, at=now), write(6, at=old), write(7, at=now)]
    written = await store.append_audit(entries)
    assert await store.prune_audit(cutoff(now)) == 4
    head = await store.audit_head()
    assert (head.anchor_seq, head.anchor_hash) == (4, written[3].hash)
    assert [r.seq for r in await everything(store)] == [5, 6, 7]
    assert (await verified(store)).ok
    assert await store.prune_audit(cutoff(now)) == 0
    (eighth,) = await store.append_audit([write(8)])
    assert eighth.seq == 8
    assert (await verified(store)).ok


# -- role grants (GB/T 39477) ---------------------------------------------------------------
def admin_action(action: str, subject: str = SUBJECT, **detail: Any) -> AuditEntry:
    return AuditEntry(
        AuditKind.ADMINISTRATION, ADMIN, action, subject=subject, detail=detail, at=T0
    )


async def test_roles_are_granted_listed_and_revoked_each_with_its_record(
    store: CatalogStore,
) -> None:
    assert await store.grants() == {}
    await store.grant_role(SUBJECT, Role.REVIEWER, admin_action("grant", role="REVIEWER"))
    await store.grant_role(POLICE.code, Role.PROVIDER, admin_action("grant", POLICE.code))
    assert await store.grants() == {SUBJECT: Role.REVIEWER, POLICE.code: Role.PROVIDER}
    assert await store.grants([SUBJECT, "nobody"]) == {SUBJECT: Role.REVIEWER}
    assert await store.grants([]) == {}
    await store.grant_role(SUBJECT, Role.ADMINISTRATOR, admin_action("grant", role="ADMINISTRATOR"))
    await store.revoke_role(SUBJECT, admin_action("revoke"))
    assert await store.grants([SUBJECT]) == {}
    assert [r.entry.action for r in await everything(store)] == ["grant"] * 3 + ["revoke"]
    with pytest.raises(NotFound):
        await store.revoke_role(SUBJECT, admin_action("revoke again"))
    assert len(await everything(store)) == 4


async def test_an_administrator_is_never_granted_auditor_even_after_a_revoke_gb_t_39477(
    open_store: OpenStore,
) -> None:
    async with open_store(CHENGDU_INTRANET) as store:
        await store.grant_role(SUBJECT, Role.ADMINISTRATOR, admin_action("grant"))
        with pytest.raises(InvalidValue, match="GB/T 39477") as refused:
            await store.grant_role(SUBJECT, Role.AUDITOR, admin_action("grant auditor"))
        assert refused.value.field == "role"
        await store.revoke_role(SUBJECT, admin_action("revoke"))
    async with open_store(CHENGDU_INTRANET) as store:  # the history outlives the grant
        with pytest.raises(InvalidValue, match="GB/T 39477"):
            await store.grant_role(SUBJECT, Role.AUDITOR, admin_action("grant auditor"))
        with pytest.raises(InvalidValue, match="role"):
            await store.grant_role(SUBJECT, Role.SYNC, admin_action("grant sync"))
        # The refused grants left neither a grant nor a record.
        assert await store.grants([SUBJECT]) == {}
        assert [r.entry.action for r in await everything(store)] == ["grant", "revoke"]
        await store.grant_role(SUBJECT, Role.PROVIDER, admin_action("grant provider"))
        assert await store.grants([SUBJECT]) == {SUBJECT: Role.PROVIDER}


async def test_erase_all_clears_the_log_and_the_grants(store: CatalogStore) -> None:
    await store.append_audit([write(1)])
    await store.grant_role(SUBJECT, Role.ADMINISTRATOR, admin_action("grant"))
    erase: Any = store.erase_all
    await erase()
    assert await store.audit_head() == AuditHead()
    assert await everything(store) == []
    assert await store.grants() == {}
    await store.grant_role(SUBJECT, Role.AUDITOR, admin_action("grant"))  # no history left
    assert [r.seq for r in await everything(store)] == [1]


# -- cataloguing records every version it writes ---------------------------------------------
async def test_cataloguing_records_every_write_and_lifecycle_step(store: CatalogStore) -> None:
    cataloguing = Cataloguing(store)
    provider = Actor(POLICE.code)
    draft = await cataloguing.create(provider, resource("301001001"))
    await cataloguing.update(provider, dataclasses.replace(draft, name="户籍人口登记信息"), 1)
    await cataloguing.submit(provider, draft.code, note="请审核")
    await cataloguing.publish(REVIEWER, draft.code)
    with pytest.raises(InvalidTransition):  # a refused step: no record
        await cataloguing.publish(REVIEWER, draft.code)
    held = await everything(store)
    assert [(r.entry.kind, r.entry.action) for r in held] == [
        (AuditKind.CATALOG_WRITE, "create"),
        (AuditKind.CATALOG_WRITE, "update"),
        (AuditKind.LIFECYCLE, "submit"),
        (AuditKind.LIFECYCLE, "publish"),
    ]
    assert [(r.entry.version_before, r.entry.version_after) for r in held] == [
        (None, 1),
        (1, 2),
        (2, 3),
        (3, 4),
    ]
    assert {r.entry.subject for r in held} == {draft.code}
    assert [r.entry.actor for r in held] == [POLICE.code] * 3 + [REVIEWER.department_code]
    assert dict(held[2].entry.detail) == {
        "role": "PROVIDER",
        "state_before": "DRAFT",
        "state_after": "SUBMITTED",
        "note": "请审核",
    }
    assert held[3].entry.detail["role"] == "REVIEWER"
    published = await store.get(draft.code)
    assert published is not None
    assert held[3].entry.at == published.updated_at
    assert (await verified(store)).ok


async def test_cataloguing_without_audit_records_nothing(store: CatalogStore) -> None:
    cataloguing = Cataloguing(store, audit=False)
    draft = await cataloguing.create(Actor(POLICE.code), resource("301001001"))
    await cataloguing.submit(Actor(POLICE.code), draft.code)
    assert await everything(store) == []
