"""The target side: events received over a link are re-checked and stored, newest version
wins, and a bad event is recorded and skipped (DESIGN "Instances and sync", points 3 and 4).
Runs against the real embedded store."""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import AsyncIterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from graph import (
    ApplyOutcome,
    Catalog,
    CatalogStore,
    Classification,
    LifecycleState,
    Resource,
    ShareType,
    StoreUnavailable,
    Zone,
)
from graph.audit.records import AuditKind
from graph.embedded import EmbeddedStore
from sync.apply import ApplyReport, apply_events
from sync.errors import InvalidLink
from sync.events import ChangeEvent, Operation, encode, event_for
from sync.guard import Forward, Refusal, guard_source
from sync.links import Link
from tests.sync import samples

CI, CE = samples.CHENGDU_INTRANET, samples.CHENGDU_EXTRANET
MIRROR = Link.between(CI, CE)
EXTRANET = Catalog("510100", Zone.EXTRANET, "成都市政务信息资源目录（外网）", "510000/extranet")
NOW = datetime(2024, 5, 6, 9, 0, tzinfo=UTC)


@pytest.fixture
async def extranet(tmp_path: Path) -> AsyncIterator[EmbeddedStore]:
    async with EmbeddedStore.open(tmp_path / "extranet.db", EXTRANET) as store:
        yield store


def sent(entry: Resource, held: bool = True, link: Link = MIRROR) -> ChangeEvent:
    """What the source's guard puts on `link` for `entry` as just written at the origin."""
    verdict = guard_source(
        event_for(entry), link, cleared=set(), held={entry.code} if held else set()
    )
    assert isinstance(verdict, Forward), verdict
    return verdict.event


def forged(entry: Resource, **changes: Any) -> ChangeEvent:
    """An event put on the link without passing the source's guard, as a forger would."""
    event = event_for(entry)
    assert event.snapshot is not None
    snapshot = {k: v for k, v in event.snapshot.items() if k not in ("history", "extensions")}
    return dataclasses.replace(event, snapshot=snapshot, hops=(CI,), **changes)


async def apply(
    store: CatalogStore, events: Sequence[ChangeEvent | bytes], **kw: Any
) -> ApplyReport:
    return await apply_events(store, events, MIRROR, clock=lambda: NOW, **kw)


async def test_an_upsert_is_stored_without_what_may_not_cross(extranet: EmbeddedStore) -> None:
    report = await apply(extranet, [sent(samples.entry())])
    assert report == ApplyReport(applied=1)
    held = await extranet.get("301001001/000001")
    assert held is not None
    assert held.version == 3
    assert held.origin == CI
    assert held.history == ()
    assert held.extensions == ()
    assert held.related_codes == ()  # not cleared at the source


async def test_replays_and_duplicates_change_nothing(extranet: EmbeddedStore) -> None:
    v3, v4 = (
        sent(samples.entry(version=3)),
        sent(samples.entry(version=4, name="企业登记信息（新）")),
    )
    assert (await apply(extranet, [v3, v4, v4, v3])) == ApplyReport(applied=2, stale=2)
    again = await apply(extranet, [encode(v3), encode(v4)])  # the log delivered them twice
    assert again == ApplyReport(stale=2)
    # Each applied event crossed once, in the audit log; the stale ones are not recorded.
    crossed = await extranet.audit_records(0, 100)
    assert [(r.entry.kind, r.entry.version_after) for r in crossed] == [
        (AuditKind.CROSSING, 3),
        (AuditKind.CROSSING, 4),
    ]
    assert {r.entry.actor for r in crossed} == {f"link:{MIRROR.id}"}
    held = await extranet.get(v4.resource_code)
    assert held is not None
    assert held.name == "企业登记信息（新）"


@pytest.mark.parametrize("order", list(itertools.permutations(range(4))))
async def test_any_order_ends_at_the_newest(
    extranet: EmbeddedStore, order: tuple[int, ...]
) -> None:
    events = [sent(samples.entry(version=v, summary=f"第{v}版")) for v in (2, 3, 5, 7)]
    report = await apply(extranet, [events[i] for i in order], batch_size=2)
    assert report.applied + report.stale == 4
    held = await extranet.get(events[0].resource_code)
    assert held is not None
    assert held.version == 7


async def test_a_redact_removes_the_copy_for_good(extranet: EmbeddedStore) -> None:
    """Reclassified at the origin (v4): the extranet removes its copy, and the older snapshot
    delivered late does not bring it back (national 第十一条)."""
    published = sent(samples.entry(version=3))
    redact = sent(samples.entry(version=4, classification=Classification.CLASSIFIED))
    assert redact.operation is Operation.REDACT
    report = await apply(extranet, [published, redact, published])
    assert report == ApplyReport(applied=1, redacted=1, stale=1)
    assert await extranet.get(published.resource_code) is None
    assert (await apply(extranet, [redact])) == ApplyReport(stale=1)
    back = sent(samples.entry(version=5))  # declassified and published again
    assert (await apply(extranet, [back])) == ApplyReport(applied=1)


async def test_a_revised_entry_disappears_and_returns_when_published(
    extranet: EmbeddedStore,
) -> None:
    """Published → revised (DRAFT) → published again (Sichuan 第十条)."""
    v3 = sent(samples.entry(version=3))
    v4 = sent(samples.entry(version=4, state=LifecycleState.DRAFT))
    v5 = sent(samples.entry(version=5))
    assert (await apply(extranet, [v3, v4])) == ApplyReport(applied=1, redacted=1)
    assert await extranet.get(v3.resource_code) is None
    assert (await apply(extranet, [v5])) == ApplyReport(applied=1)


async def test_retire_travels_as_retire(extranet: EmbeddedStore) -> None:
    await apply(extranet, [sent(samples.entry(version=3))])
    retired = sent(samples.entry(version=4, state=LifecycleState.RETIRED))
    assert retired.operation is Operation.RETIRE
    assert (await apply(extranet, [retired])) == ApplyReport(applied=1)
    held = await extranet.get(retired.resource_code)
    assert held is not None
    assert held.state is LifecycleState.RETIRED


async def test_a_classified_entry_is_refused_and_the_rest_applied(extranet: EmbeddedStore) -> None:
    """Whatever path it came by, the extranet never stores a classified entry (national
    第十一条; Kunming 第二十条); it records a security event and goes on."""
    classified = samples.entry("301001001/000009", classification=Classification.CLASSIFIED)
    missing = samples.entry("301001001/000008", classification=None)
    events = [
        sent(samples.entry("301001001/000001")),
        forged(classified),
        forged(missing),
        sent(samples.entry("301001001/000002")),
    ]
    report = await apply(extranet, events)
    assert (report.applied, report.refused) == (2, 2)
    assert [e.refusal for e in report.security_events] == [Refusal.ABOVE_CLEARANCE] * 2
    first = report.security_events[0]
    assert (first.at, first.link, first.resource_code) == (NOW, MIRROR.id, "301001001/000009")
    assert first.event_id == events[1].event_id
    assert await extranet.get("301001001/000009") is None
    assert await extranet.get("301001001/000008") is None


async def test_malformed_and_invalid_events_are_recorded(extranet: EmbeddedStore) -> None:
    unconditional = samples.entry("301001001/000003", share_condition=None)  # CONDITIONAL
    garbage = b'{"event_id": "x", "resource_code": "301001001/000004"}'
    report = await apply(
        extranet,
        [b"\x00not json", garbage, sent(unconditional), sent(samples.entry("301001001/000005"))],
    )
    assert report.applied == 1
    assert report.refused == 3
    refusals = [(e.refusal, e.resource_code) for e in report.security_events]
    assert refusals == [
        (Refusal.MALFORMED, None),
        (Refusal.MALFORMED, "301001001/000004"),
        (Refusal.INVALID_ENTRY, "301001001/000003"),
    ]
    assert "share_condition" in report.security_events[2].reason


async def test_an_event_nested_too_deep_is_refused_and_the_batch_applies(
    extranet: EmbeddedStore,
) -> None:
    # Once a RecursionError out of the JSON reader, which stopped the batch; a consumer read
    # the same record again after each restart, for ever.
    deep = b'{"event_id":' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    report = await apply(extranet, [deep, sent(samples.entry("301001001/000005"))])
    assert (report.applied, report.refused) == (1, 1)
    assert [(e.refusal, e.resource_code) for e in report.security_events] == [
        (Refusal.MALFORMED, None)
    ]
    assert await extranet.get("301001001/000005") is not None


async def test_an_entry_held_from_another_origin_is_not_overwritten(
    extranet: EmbeddedStore,
) -> None:
    """一数一源: the extranet's own entry is not replaced, nor redacted, by a copy that claims
    the same code."""
    own = samples.entry(origin=CE, version=1, share_type=ShareType.UNCONDITIONAL)
    own = dataclasses.replace(own, share_condition=None)
    await extranet.save(own, expected_version=None)
    copy = sent(samples.entry(version=9))
    redact = sent(samples.entry(version=10, state=LifecycleState.DRAFT))
    report = await apply(extranet, [copy, redact])
    assert report.refused == 2
    assert {e.refusal for e in report.security_events} == {Refusal.ORIGIN_CONFLICT}
    held = await extranet.get(own.code)
    assert held is not None
    assert (held.origin, held.version) == (CE, 1)


async def test_a_loop_back_to_the_origin_is_refused(extranet: EmbeddedStore) -> None:
    own = event_for(samples.entry(origin=CE))
    report = await apply(extranet, [dataclasses.replace(own, hops=(CE, CI))])
    assert [e.refusal for e in report.security_events] == [Refusal.FORGED_ORIGIN]


async def test_the_store_must_be_the_links_target(extranet: EmbeddedStore) -> None:
    with pytest.raises(InvalidLink, match="510100/extranet"):
        await apply_events(extranet, [], Link.between(CE, CI))


class FailingApply:
    """The real store, with one fault injected: `apply` does not answer."""

    def __init__(self, store: CatalogStore) -> None:
        self._store = store
        self.catalog = store.catalog

    async def origins(self, codes: Sequence[str]) -> dict[str, str]:
        return await self._store.origins(codes)

    async def apply(
        self,
        entries: Sequence[Resource],
        outbox: Sequence[object] | None = None,
        audit: Sequence[object] | None = None,
    ) -> list[ApplyOutcome]:
        raise StoreUnavailable("the catalog file did not answer")


async def test_an_unavailable_store_raises_so_nothing_is_committed(extranet: EmbeddedStore) -> None:
    failing: Any = FailingApply(extranet)
    with pytest.raises(StoreUnavailable) as raised:
        await apply(failing, [sent(samples.entry())])
    assert raised.value.retriable


async def test_large_batches(extranet: EmbeddedStore) -> None:
    events = [sent(samples.entry(f"301001001/{n:06d}")) for n in range(1, 1201)]
    report = await apply(extranet, [encode(e) for e in events], batch_size=500)
    assert report == ApplyReport(applied=1200)
