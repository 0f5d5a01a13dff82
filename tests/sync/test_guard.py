"""The classification guard, tested exhaustively over every combination of operation,
classification, lifecycle state, link (kind, zones, clearance, extensions), origin, forged or
honest origin zone, hops, and what the target holds — plus hypothesis properties.

The rules come from: national 第十一条 (classified entries on the inner network only); Sichuan
第七、十一、二十三条 and Kunming 第二十条 (non-classified entries — including not-shared ones —
catalogued on the outer catalog, classified ones on the inner); Sichuan 第十条 (only published
entries are shared).
"""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Iterator

import pytest
from hypothesis import given
from hypothesis import strategies as st

from graph import Classification, LifecycleState, Resource, Zone
from graph.model import LifecycleStep
from sync.events import ChangeEvent, Operation, decode, encode, event_for
from sync.guard import (
    CROSSING_FIELDS,
    WITHHELD_FIELDS,
    Drop,
    Forward,
    Refusal,
    Refuse,
    Verdict,
    guard_source,
    guard_target,
    is_cleared,
)
from sync.links import Link, LinkKind
from sync.snapshots import REQUIRED_FIELDS, RESOURCE_FIELDS
from tests.sync import samples
from tests.sync.strategies import resources

CI, CE = samples.CHENGDU_INTRANET, samples.CHENGDU_EXTRANET
SI, SE = samples.SICHUAN_INTRANET, samples.SICHUAN_EXTRANET
INSTANCES = (CI, CE, SI, SE)
REFERENCES = frozenset({"301001001/000002", "101001001/000001"})
U, C = Classification.UNCLASSIFIED, Classification.CLASSIFIED
EVENT_ID = "7d3f0c1e-2b4a-4c5d-9e8f-0a1b2c3d4e5f"


def all_links() -> list[Link]:
    """Every link the topology allows among 成都 and 四川, both zones, every clearance."""
    links = []
    for kind, (source, target), clearance, extensions in itertools.product(
        LinkKind,
        itertools.permutations(INSTANCES, 2),
        Classification,
        [frozenset(), frozenset({"contact"})],
    ):
        try:
            links.append(Link(kind, source, target, clearance, extensions))
        except Exception:
            continue
    return links


LINKS = all_links()


def make_event(
    operation: Operation,
    classification: Classification | None,
    state: LifecycleState,
    origin: str,
    forged_zone: bool,
    hops: tuple[str, ...],
    crossing_only: bool = False,
) -> ChangeEvent:
    entry = samples.entry(classification=classification, state=state, origin=origin)
    event = event_for(entry, event_id=EVENT_ID)
    if operation is Operation.REDACT:
        event = dataclasses.replace(event, snapshot=None, classification=classification)
    elif crossing_only:
        assert event.snapshot is not None
        crossing = {k: v for k, v in event.snapshot.items() if k in CROSSING_FIELDS}
        event = dataclasses.replace(event, snapshot=crossing)
    zone = event.origin_zone
    if forged_zone:
        zone = Zone.EXTRANET if zone is Zone.INTRANET else Zone.INTRANET
    return dataclasses.replace(event, operation=operation, origin_zone=zone, hops=hops)


def hop_variants(origin: str, link: Link) -> Iterator[tuple[str, ...]]:
    yield ()
    yield (origin,)
    yield (origin, link.target)
    yield (origin, link.source)
    yield (link.target,)
    yield (link.source,)


def honest(event: ChangeEvent, link: Link) -> bool:
    """The event reached `link.source` the way the protocol sends it."""
    first = event.hops[0] if event.hops else link.source
    return first == event.origin and event.origin_zone.value.lower() in event.origin


def loops(event: ChangeEvent, link: Link) -> bool:
    return (
        link.target == event.origin
        or link.target in event.hops
        or link.source in event.hops
        or (link.kind is LinkKind.MIRROR and link.target_zone is event.origin_zone)
    )


def consistent(event: ChangeEvent) -> bool:
    if event.operation is Operation.REDACT:
        return event.classification is None
    assert event.snapshot is not None
    return (event.snapshot["state"] == "RETIRED") == (event.operation is Operation.RETIRE)


def assert_source_invariants(
    event: ChangeEvent, link: Link, cleared: frozenset[str], held: bool, verdict: Verdict
) -> None:
    """What the source guard guarantees whatever it is given (national 第十一条)."""
    if not isinstance(verdict, Forward):
        return
    out = verdict.event
    # No loop: never back to the origin, an instance passed, or the origin's zone.
    assert not loops(event, link), (event, link)
    assert out.hops == (*event.hops, link.source)
    assert out.event_id == event.event_id
    assert out.version == event.version
    if out.operation is Operation.REDACT:
        # A REDACT names the code: only sent where a copy may be held.
        assert held
        assert out.snapshot is None
        assert out.classification is None
    else:
        assert out.snapshot is not None
        # Never a classified entry, or one without a classification, to an UNCLASSIFIED target.
        assert out.classification is not None
        assert out.snapshot["classification"] == out.classification.value
        if link.clearance is U:
            assert out.classification is U
        # Only allow-listed fields; extensions only for the keys the link allows.
        allowed = CROSSING_FIELDS | ({"extensions"} if link.extensions else set())
        assert set(out.snapshot) <= allowed
        assert all(key in link.extensions for key, _ in out.snapshot.get("extensions", []))
        # References only to entries cleared for the target.
        for key in ("related_codes", "derived_from"):
            assert set(out.snapshot.get(key, [])) <= cleared
        # Only published entries are shared; RETIRE only where a copy may be held.
        if out.operation is Operation.UPSERT:
            assert out.snapshot["state"] == "PUBLISHED"
        else:
            assert out.snapshot["state"] == "RETIRED"
            # A retired entry goes where a copy may be held, or where it was shared before.
            assert held or out.snapshot.get("published_on") is not None
    # Both sides agree: what the source forwards, the target accepts unchanged, and it
    # survives the wire.
    assert guard_target(out, link) == Forward(out)
    assert decode(encode(out)) == out


def assert_target_invariants(event: ChangeEvent, link: Link, verdict: Verdict) -> None:
    """What the target's re-check guarantees for anything that arrives (national 第十一条)."""
    assert not isinstance(verdict, Drop), "the target refuses, and records, never drops"
    if not isinstance(verdict, Forward):
        return
    assert verdict.event is event
    assert event.hops
    assert event.hops[-1] == link.source
    assert event.hops[0] == event.origin
    assert link.target not in event.hops
    assert link.target != event.origin
    if link.kind is LinkKind.MIRROR:
        assert event.origin_zone is link.source_zone
    if event.operation is Operation.REDACT:
        assert event.snapshot is None
        assert event.classification is None
        return
    assert event.snapshot is not None
    assert event.classification is not None
    assert event.snapshot["classification"] == event.classification.value
    if link.clearance is U:
        assert event.classification is U
    assert set(event.snapshot) <= CROSSING_FIELDS | ({"extensions"} if link.extensions else set())
    expected_state = "PUBLISHED" if event.operation is Operation.UPSERT else "RETIRED"
    assert event.snapshot["state"] == expected_state


@pytest.mark.parametrize("state", list(LifecycleState))
@pytest.mark.parametrize("classification", [C, U, None])
@pytest.mark.parametrize("operation", list(Operation))
def test_guard_source_exhaustively(
    operation: Operation, classification: Classification | None, state: LifecycleState
) -> None:
    """Every link × origin × honest/forged zone × hops × held × cleared, for one operation,
    classification and state: the invariants hold, and the decision table's rows are met
    (national 第十一条; Sichuan 第七、十一、二十三条; Kunming 第二十条; Sichuan 第十条)."""
    checked = 0
    for link, origin, forged, held, cleared in itertools.product(
        LINKS, INSTANCES, [False, True], [False, True], [frozenset(), REFERENCES]
    ):
        for hops in hop_variants(origin, link):
            event = make_event(operation, classification, state, origin, forged, hops)
            verdict = guard_source(
                event, link, cleared=cleared, held={event.resource_code} if held else set()
            )
            assert_source_invariants(event, link, cleared, held, verdict)
            checked += 1
            if loops(event, link):
                assert isinstance(verdict, Drop), (event, link, verdict)
                continue
            if not honest(event, link):
                assert isinstance(verdict, Refuse)
                assert verdict.refusal is Refusal.FORGED_ORIGIN
                continue
            if not consistent(event):
                assert isinstance(verdict, Refuse)
                assert verdict.refusal is Refusal.INCONSISTENT
                continue
            within = link.clearance is C or classification is U
            published = state is LifecycleState.PUBLISHED
            was_published = (event.snapshot or {}).get("published_on") is not None
            if operation is Operation.REDACT or (operation is Operation.UPSERT and not published):
                # Deleted or unpublished: the target removes its copy, if it may hold one.
                expected: type = Forward if held else Drop
                assert isinstance(verdict, expected), verdict
                if held:
                    assert isinstance(verdict, Forward)
                    assert verdict.event.operation is Operation.REDACT
            elif operation is Operation.RETIRE and not held and not was_published:
                assert isinstance(verdict, Drop)
            elif not within:
                # Reclassified after it was mirrored → REDACT; never mirrored → refused.
                if held:
                    assert isinstance(verdict, Forward)
                    assert verdict.event.operation is Operation.REDACT
                else:
                    assert isinstance(verdict, Refuse)
                    assert verdict.refusal is Refusal.ABOVE_CLEARANCE
                    assert verdict.rule is not None
                    assert "第十一条" in verdict.rule
            else:
                # Liveness: a published entry within the clearance does cross, as itself.
                assert isinstance(verdict, Forward), verdict
                assert verdict.event.operation is operation
                snapshot = verdict.event.snapshot
                assert snapshot is not None
                assert "history" not in snapshot
                assert snapshot["related_codes"] == sorted(cleared & {"301001001/000002"})
                assert verdict.event.classification is (classification or C)
    assert checked == len(LINKS) * len(INSTANCES) * 2 * 2 * 2 * 6


@pytest.mark.parametrize("crossing_only", [False, True])
@pytest.mark.parametrize("state", list(LifecycleState))
@pytest.mark.parametrize("classification", [C, U, None])
@pytest.mark.parametrize("operation", list(Operation))
def test_guard_target_exhaustively(
    operation: Operation,
    classification: Classification | None,
    state: LifecycleState,
    crossing_only: bool,
) -> None:
    """Whatever arrives at a target, it stores only what a source guard could have forwarded:
    an extranet target never accepts a classified or unclassified-less entry, whatever path it
    came by (national 第十一条; Sichuan 第十一条; Kunming 第二十条)."""
    for link, origin, forged in itertools.product(LINKS, INSTANCES, [False, True]):
        for hops in [*hop_variants(origin, link), (origin, link.source), (link.source,)]:
            event = make_event(
                operation, classification, state, origin, forged, hops, crossing_only
            )
            verdict = guard_target(event, link)
            assert_target_invariants(event, link, verdict)


def test_a_snapshot_downgraded_in_transit_is_refused() -> None:
    """The event says UNCLASSIFIED, its snapshot CLASSIFIED: someone edited it on the way
    (national 第十一条)."""
    link = Link.between(CI, CE)
    event = make_event(Operation.UPSERT, C, LifecycleState.PUBLISHED, CI, False, (CI,), True)
    downgraded = dataclasses.replace(event, classification=U)
    verdict = guard_target(downgraded, link)
    assert isinstance(verdict, Refuse)
    assert verdict.refusal is Refusal.INCONSISTENT
    assert "classification" in verdict.reason


def test_a_forged_origin_is_refused() -> None:
    """An event on the intranet → extranet mirror claiming an extranet origin (Kunming 第二十条)."""
    link = Link.between(CI, CE)
    event = make_event(Operation.UPSERT, U, LifecycleState.PUBLISHED, CI, True, (CI,), True)
    verdict = guard_target(event, link)
    assert isinstance(verdict, Refuse)
    assert verdict.refusal is Refusal.FORGED_ORIGIN


def test_reclassification_sends_a_redact_to_the_extranet() -> None:
    """An entry mirrored while UNCLASSIFIED becomes CLASSIFIED: the extranet removes its copy
    (national 第十一条; Sichuan 第十一条)."""
    link = Link.between(CI, CE)
    mirrored = samples.event(version=3)
    first = guard_source(mirrored, link, cleared=REFERENCES, held=set())
    assert isinstance(first, Forward)
    assert first.event.operation is Operation.UPSERT
    reclassified = samples.event(version=4, classification=C)
    verdict = guard_source(reclassified, link, cleared=REFERENCES, held={mirrored.resource_code})
    assert isinstance(verdict, Forward)
    assert verdict.event.operation is Operation.REDACT
    assert verdict.event.version == 4
    assert verdict.event.snapshot is None
    assert verdict.event.classification is None
    assert guard_target(verdict.event, link) == verdict


def test_a_revised_entry_disappears_from_targets() -> None:
    """Published, mirrored, then revised back to DRAFT: the target removes its copy until it is
    published again (Sichuan 第十条)."""
    link = Link.between(CI, SI)
    revised = samples.event(version=5, state=LifecycleState.DRAFT)
    verdict = guard_source(revised, link, cleared=set(), held=lambda code: True)
    assert isinstance(verdict, Forward)
    assert verdict.event.operation is Operation.REDACT


def test_a_classified_entry_crosses_to_an_intranet_parent() -> None:
    """Upward in the intranet the parent is cleared for CLASSIFIED (Sichuan 第七、九条)."""
    verdict = guard_source(
        samples.event(classification=C), Link.between(CI, SI), cleared=set(), held=set()
    )
    assert isinstance(verdict, Forward)
    assert verdict.event.classification is C
    assert verdict.event.snapshot is not None
    assert verdict.event.snapshot["related_codes"] == []  # none cleared


def test_two_opposite_mirrors_do_not_loop() -> None:
    """intranet → extranet → intranet: the second mirror drops the event (DESIGN point 5)."""
    there, back = Link.between(CI, CE), Link.between(CE, CI)
    out = guard_source(samples.event(), there, cleared=set(), held=set())
    assert isinstance(out, Forward)
    assert isinstance(guard_source(out.event, back, cleared=set(), held=set()), Drop)


def test_an_extranet_entry_climbs_and_the_intranet_gets_it_once() -> None:
    """An extranet entry mirrored into the city intranet is aggregated upward there; the
    province's extranet → intranet mirror does not bring it in a second time by a loop."""
    entry = samples.entry(origin=CE)
    event = event_for(entry, event_id=EVENT_ID)
    mirrored = guard_source(event, Link.between(CE, CI), cleared=set(), held=set())
    assert isinstance(mirrored, Forward)
    up = guard_source(mirrored.event, Link.between(CI, SI), cleared=set(), held=set())
    assert isinstance(up, Forward)
    assert up.event.hops == (CE, CI)
    assert guard_target(up.event, Link.between(CI, SI)) == up


def test_extensions_cross_only_when_allowed() -> None:
    link = Link.between(CI, CE, extensions=frozenset({"contact"}))
    verdict = guard_source(samples.event(), link, cleared=set(), held=set())
    assert isinstance(verdict, Forward)
    assert verdict.event.snapshot is not None
    assert verdict.event.snapshot["extensions"] == [["contact", "028-12345678"]]
    sneaky = dataclasses.replace(
        verdict.event,
        snapshot={**verdict.event.snapshot, "extensions": [["internal_ticket", "OA-1"]]},
    )
    refused = guard_target(sneaky, link)
    assert isinstance(refused, Refuse)
    assert refused.refusal is Refusal.FIELD_NOT_ALLOWED


def test_every_resource_field_is_decided() -> None:
    """Each field of Resource either crosses or is withheld: a new field fails here until it is
    put in one of the two."""
    assert CROSSING_FIELDS | WITHHELD_FIELDS == RESOURCE_FIELDS
    assert not CROSSING_FIELDS & WITHHELD_FIELDS
    assert REQUIRED_FIELDS <= CROSSING_FIELDS


@pytest.mark.parametrize(
    ("classification", "state", "published_on", "clearance", "expected"),
    [
        (U, LifecycleState.PUBLISHED, None, U, True),
        (C, LifecycleState.PUBLISHED, None, U, False),
        (None, LifecycleState.PUBLISHED, None, U, False),
        (C, LifecycleState.PUBLISHED, None, C, True),
        (U, LifecycleState.DRAFT, samples.AT.date(), U, False),
        (U, LifecycleState.SUBMITTED, None, C, False),
        (U, LifecycleState.RETIRED, samples.AT.date(), U, True),
        (U, LifecycleState.RETIRED, None, U, False),
    ],
)
def test_is_cleared(
    classification: Classification | None,
    state: LifecycleState,
    published_on: object,
    clearance: Classification,
    expected: bool,
) -> None:
    """A reference crosses only to an entry the target may know of (national 第十一条)."""
    link = Link(LinkKind.MIRROR, CE, CI, clearance)
    entry = samples.entry(classification=classification, state=state, published_on=published_on)
    assert is_cleared(entry, link) is expected
    assert is_cleared(None, link) is False


# -- properties ------------------------------------------------------------------------------

links = st.sampled_from(LINKS)
instances = st.sampled_from(INSTANCES)


@given(
    resources,
    links,
    instances,
    st.lists(instances, max_size=3),
    st.sampled_from(Operation),
    st.booleans(),
    st.frozensets(st.sampled_from(sorted(REFERENCES))),
    st.booleans(),
)
def test_source_invariants_hold_for_any_entry(
    entry: Resource,
    link: Link,
    origin: str,
    hops: list[str],
    operation: Operation,
    held: bool,
    cleared: frozenset[str],
    start_at_origin: bool,
) -> None:
    """Any entry at all, any link, any path: no classified snapshot reaches an UNCLASSIFIED
    target, only allow-listed fields cross, nothing loops (national 第十一条)."""
    entry = dataclasses.replace(entry, origin=origin)
    event = event_for(entry, event_id=EVENT_ID)
    path = tuple(hops if not start_at_origin else [origin, *hops])
    event = dataclasses.replace(event, operation=operation, hops=path)
    if operation is Operation.REDACT:
        event = dataclasses.replace(event, snapshot=None, classification=None)
    held_set = {entry.code} if held else set()
    verdict = guard_source(event, link, cleared=cleared, held=held_set)
    assert_source_invariants(event, link, cleared, held, verdict)
    assert_target_invariants(event, link, guard_target(event, link))


@given(resources, links, st.lists(instances, min_size=1, max_size=3), st.sampled_from(Zone))
def test_target_invariants_hold_for_anything_that_arrives(
    entry: Resource, link: Link, hops: list[str], zone: Zone
) -> None:
    """A target stores only what its clearance admits, whatever a forger sends (national
    第十一条; Kunming 第二十条)."""
    event = event_for(dataclasses.replace(entry, origin=hops[0]), event_id=EVENT_ID)
    assert event.snapshot is not None
    crossing = {k: v for k, v in event.snapshot.items() if k in CROSSING_FIELDS}
    for candidate in (
        dataclasses.replace(event, hops=tuple(hops), origin_zone=zone),
        dataclasses.replace(event, hops=tuple(hops), origin_zone=zone, snapshot=crossing),
    ):
        assert_target_invariants(candidate, link, guard_target(candidate, link))


@pytest.mark.parametrize("published_on", [None, samples.AT.date()])
def test_a_retired_entry_goes_to_a_target_without_a_copy_only_if_it_was_published(
    published_on: object,
) -> None:
    # A reference to a retired, once-published entry crosses (is_cleared); so must the entry,
    # as a retired copy, or the reference would name a code the target does not hold.
    entry = samples.entry(state=LifecycleState.RETIRED, published_on=published_on)
    verdict = guard_source(event_for(entry), MIRROR_LINK, cleared=set(), held=set())
    if published_on is None:
        assert isinstance(verdict, Drop)
        assert not is_cleared(entry, MIRROR_LINK)
    else:
        assert isinstance(verdict, Forward)
        assert verdict.event.operation is Operation.RETIRE
        assert is_cleared(entry, MIRROR_LINK)


MIRROR_LINK = Link.between(CI, CE)


def test_a_retired_entry_brought_with_a_publication_date_but_never_published_here_stays() -> None:
    """An entry imported with the 发布日期 of its last publication elsewhere (graph.exchange)
    and retired before any review here was never shared: its date alone does not clear it
    (Sichuan 第十条: only published entries are shared)."""
    steps = (
        LifecycleStep(LifecycleState.DRAFT, "11510100MB0000001Y", samples.AT),
        LifecycleStep(LifecycleState.RETIRED, "11510100MB0000001Y", samples.AT),
    )
    entry = samples.entry(
        state=LifecycleState.RETIRED, published_on=samples.AT.date(), history=steps
    )
    assert not is_cleared(entry, MIRROR_LINK)
    verdict = guard_source(event_for(entry), MIRROR_LINK, cleared=set(), held=set())
    assert isinstance(verdict, Drop)
    reviewed = dataclasses.replace(
        entry,
        history=(
            steps[0],
            LifecycleStep(LifecycleState.PUBLISHED, "11510100MB0000099Y", samples.AT),
            steps[1],
        ),
    )
    assert is_cleared(reviewed, MIRROR_LINK)
    forwarded = guard_source(event_for(reviewed), MIRROR_LINK, cleared=set(), held=set())
    assert isinstance(forwarded, Forward)
