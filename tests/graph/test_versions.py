"""graph.versions: whether a copy is applied, stale or in conflict, and what a write does to
an entry's clearance — pure decisions both stores call, tested exhaustively and by property.
DESIGN "Instances and sync", point 3 (newer wins, duplicates change nothing) and point 4
(references cross only to cleared entries; a re-send strips them)."""

from __future__ import annotations

import dataclasses
import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from graph import Classification, LifecycleState
from graph.queries import ApplyOutcome
from graph.versions import Clearance, clearance_changed, decide_apply, narrows
from tests.sync.strategies import resources

APPLIED, STALE, CONFLICT = ApplyOutcome.APPLIED, ApplyOutcome.STALE, ApplyOutcome.CONFLICT


@given(entry=resources, held=st.none() | resources, newest=st.integers(0, 2**63 - 1))
def test_a_code_held_from_another_origin_is_always_a_conflict(entry, held, newest) -> None:  # type: ignore[no-untyped-def]
    other = "530100/intranet" if entry.origin != "530100/intranet" else "510100/intranet"
    assert decide_apply(entry, held=held, held_origin=other, newest=newest) is CONFLICT


@given(entry=resources, newest=st.integers(0, 2**63 - 1))
def test_newer_than_everything_held_or_redacted_is_applied(entry, newest) -> None:  # type: ignore[no-untyped-def]
    outcome = decide_apply(entry, held=None, held_origin=None, newest=newest)
    assert outcome is (APPLIED if entry.version > newest else STALE)


@given(entry=resources)
def test_the_same_copy_twice_is_stale(entry) -> None:  # type: ignore[no-untyped-def]
    assert decide_apply(entry, held=entry, held_origin=entry.origin, newest=entry.version) is (
        STALE
    )


@given(entry=resources, related=st.lists(st.text(max_size=12), max_size=3))
def test_the_same_version_with_other_references_only_is_applied(entry, related) -> None:  # type: ignore[no-untyped-def]
    resent = dataclasses.replace(entry, related_codes=tuple(related), derived_from=())
    outcome = decide_apply(resent, held=entry, held_origin=entry.origin, newest=entry.version)
    changed = (resent.related_codes, resent.derived_from) != (
        entry.related_codes,
        entry.derived_from,
    )
    assert outcome is (APPLIED if changed else STALE)


@given(entry=resources, name=st.text(min_size=1, max_size=5))
def test_the_same_version_with_another_field_changed_is_stale(entry, name) -> None:  # type: ignore[no-untyped-def]
    # Only the origin writes a new version: at an equal version nothing but the references
    # may change, so a forged or garbled copy rewrites nothing.
    forged = dataclasses.replace(entry, name=entry.name + name, related_codes=())
    assert decide_apply(forged, held=entry, held_origin=entry.origin, newest=entry.version) is (
        STALE
    )


@given(entry=resources)
def test_a_redacted_code_takes_no_copy_of_its_version_again(entry) -> None:  # type: ignore[no-untyped-def]
    # A tombstone at the entry's version and nothing held: a re-send is stale too.
    assert decide_apply(entry, held=None, held_origin=None, newest=entry.version) is STALE


STATES = [s.value for s in LifecycleState]
CLASSES = [c.value for c in Classification] + [None]
CLEARANCES = [None] + [Clearance.from_fields(s, c) for s, c in itertools.product(STATES, CLASSES)]


@pytest.mark.parametrize(("before", "after"), list(itertools.product(CLEARANCES, CLEARANCES)))
def test_clearance_changes_and_narrowing_over_every_pair(
    before: Clearance | None, after: Clearance | None
) -> None:
    if before is None:
        # New here: shared, it may be named by entries that crossed without it.
        assert clearance_changed(before, after) is (after is not None and after.shared)
    else:
        assert clearance_changed(before, after) is (before != after)
    shared_before = before is not None and before.shared
    expected = shared_before and (
        after is None
        or not after.shared
        or (after.classified and before is not None and not before.classified)
    )
    assert narrows(before, after) is expected
    if narrows(before, after):
        assert clearance_changed(before, after)  # a narrowing always re-sends referrers


def test_a_missing_classification_counts_as_classified() -> None:
    # Fail closed (DESIGN "Resource metadata": on the intranet a missing one means CLASSIFIED).
    missing = Clearance.from_fields("PUBLISHED", None)
    assert missing == Clearance(shared=True, classified=True)
    open_ = Clearance.from_fields("PUBLISHED", "UNCLASSIFIED")
    assert narrows(open_, missing)
    assert not narrows(missing, open_)
    assert Clearance.from_fields(None, None) is None
