"""Whether an incoming copy is applied, stale or in conflict; and whether a write changes what
links may share. Pure decisions, which both stores call inside their write transactions.

    held from another origin                                  → CONFLICT (一数一源)
    version newer than held and than any redaction (tombstone) → APPLIED
    same version as held, same content but for the references → APPLIED (re-referenced)
    otherwise                                                  → STALE

The third row exists for the source's re-sends (`graph.outbox.REFRESH`): when an entry A stops
being cleared for a link, each entry B that names A is sent again at the same version with A
stripped from its references, and the target must take it; only the references may change at
an equal version, so a duplicate or an older delivery changes nothing, and no other field can
be rewritten without a new version from the origin.

A write changes what links may share of an entry — its *clearance* — when the entry was held
and its (shared, classification) pair changes, or it goes, or it arrives shared:
`clearance_changed`. A write
*narrows* when an entry that was shared stops being shared or is classified higher, or is
removed: `narrows`; such a write is urgent (relays send it ahead of their backlog).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from graph.enums import Classification, LifecycleState
from graph.model import Resource
from graph.queries import ApplyOutcome

__all__ = ["Clearance", "clearance_changed", "decide_apply", "narrows"]


def decide_apply(
    entry: Resource, *, held: Resource | None, held_origin: str | None, newest: int
) -> ApplyOutcome:
    """The outcome of applying the copy `entry` where the code holds `held` (None: no entry)
    from `held_origin`, and `newest` is the newest version it held or was redacted at."""
    if held_origin is not None and held_origin != entry.origin:
        return ApplyOutcome.CONFLICT
    if entry.version > newest:
        return ApplyOutcome.APPLIED
    if held is not None and _re_referenced(entry, held):
        return ApplyOutcome.APPLIED
    return ApplyOutcome.STALE


def _re_referenced(entry: Resource, held: Resource) -> bool:
    if entry.version != held.version:
        return False
    if (entry.related_codes, entry.derived_from) == (held.related_codes, held.derived_from):
        return False
    return dataclasses.replace(entry, related_codes=(), derived_from=()) == dataclasses.replace(
        held, related_codes=(), derived_from=()
    )


@dataclass(frozen=True, slots=True)
class Clearance:
    """What links decide an entry on: whether it may be shared at all (published, or retired
    — a retired entry stays as a retired copy), and whether it is classified (a missing
    classification counts as classified: fail closed)."""

    shared: bool
    classified: bool

    @classmethod
    def of(cls, entry: Resource | None) -> Clearance | None:
        if entry is None:
            return None
        return cls.from_fields(
            entry.state.value, entry.classification.value if entry.classification else None
        )

    @classmethod
    def from_fields(cls, state: str | None, classification: str | None) -> Clearance | None:
        """From the stored state and classification (None, None: no entry held)."""
        if state is None:
            return None
        return cls(
            shared=state in _SHARED,
            classified=classification != Classification.UNCLASSIFIED.value,
        )


_SHARED = frozenset({LifecycleState.PUBLISHED.value, LifecycleState.RETIRED.value})


def clearance_changed(before: Clearance | None, after: Clearance | None) -> bool:
    """Whether a link's decision about an entry may differ after the write (`after` None:
    removed; `before` None: new here). A new entry that is shared changes it too: an entry that
    named it before it arrived crossed with that reference stripped."""
    if before is None:
        return after is not None and after.shared
    return before != after


def narrows(before: Clearance | None, after: Clearance | None) -> bool:
    """Whether the write takes away from targets what they may hold: a shared entry stops
    being shared, is classified, or is removed."""
    if before is None or not before.shared:
        return False
    return after is None or not after.shared or (after.classified and not before.classified)
