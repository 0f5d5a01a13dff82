"""The classification guard: may this event cross this link, and in what form?

One pure decision, applied twice (DESIGN "Instances and sync", point 4): `guard_source` by the
source before an event enters the link's topic, `guard_target` by the target before it stores
anything. Each returns a `Verdict`: `Forward(event)` (the event as it may cross), `Refuse`
(never crosses; the caller records a security event) or `Drop` (not for this link: a loop, or
nothing the target needs to know).

At the source, in this order:

    loop: target is the origin or in hops, source in hops,
          or a mirror back into the origin's zone; too many hops   → Drop
    forged: hops not starting at the origin (or, with no hops,
          a source that is not the origin); origin_zone vs origin  → Refuse
    inconsistent: snapshot vs operation, code, version, origin,
          classification                                           → Refuse
    REDACT                                   held → Forward(REDACT) | Drop
    UPSERT of an entry not PUBLISHED         held → Forward(REDACT) | Drop
    RETIRE of an entry never published       not held → Drop
          (published: its history says so at its origin — a 发布日期 it was
          brought with is not enough — or, a copy relayed on, its 发布日期;
          a retired entry that was published is cleared like a published one:
          `is_cleared`; it goes as a retired copy, so that no reference to it
          dangles at a target that never held it)
    classification above the clearance
          (CLASSIFIED, or missing, to UNCLASSIFIED)  held → Forward(REDACT) | Refuse
    otherwise → Forward: allow-listed fields only, extensions the link allows, references
          only to entries `cleared` for the target, a missing classification made CLASSIFIED
          (fail closed), the source appended to hops

`held(code)` says whether the target may hold a copy of `code` (answer True when unsure): only
then is a REDACT sent, because a REDACT names the code, and the code of a classified entry must
not reach the extranet either. At the target every check is made again, and anything a source
guard would not have let through — a classified or unclassified-but-disagreeing
classification, an unpublished UPSERT, a field not allow-listed, hops not ending with the link's
source, an origin that does not fit the link, a loop — is refused: the target never drops
silently what no honest source would have sent.

The regulations: non-classified entries are catalogued on the outer network, classified
ones on the inner (national 第十一条; Sichuan 第七、十一、二十三条; Kunming 第二十条); only
published entries are shared (Sichuan 第十条).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Set
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from graph.enums import Classification, LifecycleState
from graph.fields import facts_of
from graph.model import Resource
from sync.events import MAX_HOPS, ChangeEvent, Operation
from sync.instances import zone_of
from sync.links import Link, LinkKind

__all__ = [
    "CROSSING_FIELDS",
    "REFERENCE_FIELDS",
    "WITHHELD_FIELDS",
    "Drop",
    "Forward",
    "Refusal",
    "Refuse",
    "Verdict",
    "guard_source",
    "guard_target",
    "is_cleared",
]

# The catalog fields that cross a link, and those that do not: each field of Resource declares
# which (`crosses`, graph.fields) and cannot be declared without deciding, so a new field never
# crosses by default. What crosses: the core elements of the 1272 guide, and what the protocol
# needs (state, version, origin, updated_at); what is withheld: the review trail (`history`),
# and `extensions`, which cross only for the keys a link allows (`Link.extensions`).
CROSSING_FIELDS: frozenset[str] = frozenset(
    name for name, facts in facts_of(Resource).items() if facts.crosses
)
WITHHELD_FIELDS: frozenset[str] = frozenset(
    name for name, facts in facts_of(Resource).items() if not facts.crosses
)
# Fields holding codes of other resources: they cross only when that resource is cleared.
REFERENCE_FIELDS: tuple[str, ...] = tuple(
    name for name, facts in facts_of(Resource).items() if facts.reference
)

_RULE = "national 第十一条; Sichuan 第七、十一、二十三条; Kunming 第二十条"

Knows = Callable[[str], bool] | Set[str]


class Refusal(StrEnum):
    """Why an event was refused: a stable name for the security event."""

    ABOVE_CLEARANCE = "ABOVE_CLEARANCE"
    LOOP = "LOOP"
    INCONSISTENT = "INCONSISTENT"
    FORGED_ORIGIN = "FORGED_ORIGIN"
    NOT_PUBLISHED = "NOT_PUBLISHED"
    FIELD_NOT_ALLOWED = "FIELD_NOT_ALLOWED"
    # Set by the target when it applies (sync.apply), not by the guard:
    MALFORMED = "MALFORMED"  # the bytes are not an event
    INVALID_ENTRY = "INVALID_ENTRY"  # the snapshot breaks a rule of the target's store
    ORIGIN_CONFLICT = "ORIGIN_CONFLICT"  # the target holds the code from another origin
    # Set by a relay or consumer: an event that failed again and again, alone, while the store
    # and the log answered, was moved aside so that the link goes on (sync.relay).
    UNPROCESSABLE = "UNPROCESSABLE"


@dataclass(frozen=True, slots=True)
class Forward:
    event: ChangeEvent


@dataclass(frozen=True, slots=True)
class Refuse:
    refusal: Refusal
    reason: str
    rule: str | None = None


@dataclass(frozen=True, slots=True)
class Drop:
    reason: str


Verdict = Forward | Refuse | Drop


def is_cleared(entry: Resource | None, link: Link) -> bool:
    """Whether `link`'s target may know of `entry`: it is published (or retired after being
    published) and its classification is within the target's clearance. None (an entry the
    source does not hold) is not cleared: fail closed."""
    if entry is None or not _within(entry.classification, link.clearance):
        return False
    if entry.state is LifecycleState.PUBLISHED:
        return True
    if entry.state is not LifecycleState.RETIRED or entry.published_on is None:
        return False
    # An entry of this instance says by its history whether it was published here: a 发布日期
    # alone may be the one it was brought with (`graph.exchange`), never reviewed here. A copy
    # (its history withheld by the link it came by) was published at its origin.
    return not entry.history or any(s.state is LifecycleState.PUBLISHED for s in entry.history)


def guard_source(event: ChangeEvent, link: Link, *, cleared: Knows, held: Knows) -> Verdict:
    """The source's decision for `event` on `link` (see the module docstring's table).

    `cleared(code)`: is the entry `code` cleared for the target (`is_cleared`, from the source
    store); `held(code)`: may the target hold a copy of `code`.
    """
    loop = _loop(event, link)
    if loop is not None:
        return Drop(loop)
    if link.source in event.hops:
        return Drop(f"{event.resource_code} already left {link.source}: hops {list(event.hops)}")
    if len(event.hops) >= MAX_HOPS:
        return Drop(f"{event.resource_code} has passed {len(event.hops)} instances already")
    wrong = _forged_path(event, link) or _forged_origin(event) or _inconsistency(event)
    if wrong is not None:
        return wrong
    holds = _predicate(held)(event.resource_code)
    if event.operation is Operation.REDACT:
        return Forward(_redact(event, link)) if holds else Drop(_not_held(event, link))
    state = (event.snapshot or {}).get("state")
    if event.operation is Operation.UPSERT and state != LifecycleState.PUBLISHED.value:
        # A revised (back to DRAFT) entry disappears from the targets until published again.
        return Forward(_redact(event, link)) if holds else Drop(_not_held(event, link))
    if event.operation is Operation.RETIRE and not holds and not _was_published(event):
        return Drop(_not_held(event, link))
    if not _within(event.classification, link.clearance):
        # Reclassified after it was mirrored: the target removes its copy.
        return Forward(_redact(event, link)) if holds else _above_clearance(event, link)
    return Forward(_crossing(event, link, _predicate(cleared)))


def guard_target(event: ChangeEvent, link: Link) -> Verdict:
    """The target's re-check of `event` received over `link`: what the source guard forwards
    passes unchanged; anything else is refused."""
    if not event.hops or event.hops[-1] != link.source:
        return Refuse(
            Refusal.FORGED_ORIGIN,
            f"{event.resource_code} arrived over {link.id} but its hops {list(event.hops)} do "
            f"not end with the link's source {link.source}: it did not pass the source's guard",
        )
    if event.hops[0] != event.origin:
        return Refuse(
            Refusal.FORGED_ORIGIN,
            f"{event.resource_code} claims origin {event.origin} but first left {event.hops[0]}",
        )
    if link.kind is LinkKind.MIRROR and event.origin_zone is not link.source_zone:
        return Refuse(
            Refusal.FORGED_ORIGIN,
            f"{event.resource_code} crossed mirror link {link.id} from the "
            f"{link.source_zone.value} with origin zone {event.origin_zone.value}: a mirror only "
            "carries entries of its source's zone",
        )
    loop = _loop(event, link)
    if loop is not None:
        return Refuse(Refusal.LOOP, loop)
    wrong = _forged_origin(event) or _inconsistency(event)
    if wrong is not None:
        return wrong
    if event.operation is Operation.REDACT:
        return Forward(event)
    if event.classification is None or not _within(event.classification, link.clearance):
        return _above_clearance(event, link)
    assert event.snapshot is not None  # _inconsistency checked it
    if event.operation is Operation.UPSERT and event.snapshot.get("state") != "PUBLISHED":
        return Refuse(
            Refusal.NOT_PUBLISHED,
            f"{event.resource_code} is {event.snapshot.get('state')}: only published entries "
            "are shared (Sichuan 第十条)",
            "Sichuan 第十条",
        )
    allowed = CROSSING_FIELDS | ({"extensions"} if link.extensions else frozenset())
    extra = sorted(set(event.snapshot) - allowed)
    if extra:
        return _field_not_allowed(event, link, extra[0])
    pairs = event.snapshot.get("extensions", [])
    if not isinstance(pairs, list) or any(
        not isinstance(pair, list) or not pair or pair[0] not in link.extensions for pair in pairs
    ):
        return _field_not_allowed(event, link, "extensions")
    return Forward(event)


# -- the decisions' parts --------------------------------------------------------------------


def _within(classification: Classification | None, clearance: Classification) -> bool:
    """A missing classification counts as CLASSIFIED (fail closed)."""
    if clearance is Classification.CLASSIFIED:
        return True
    return classification is Classification.UNCLASSIFIED


def _predicate(knows: Knows) -> Callable[[str], bool]:
    if isinstance(knows, Set):
        return knows.__contains__
    return knows


def _loop(event: ChangeEvent, link: Link) -> str | None:
    if link.target == event.origin or link.target in event.hops:
        return (
            f"{event.resource_code} came from {link.target} (origin {event.origin}, hops "
            f"{list(event.hops)}): a link never sends an event back (DESIGN point 5)"
        )
    if link.kind is LinkKind.MIRROR and link.target_zone is event.origin_zone:
        return (
            f"{event.resource_code} originates in the {event.origin_zone.value}: mirror link "
            f"{link.id} never sends it back into its own zone"
        )
    return None


def _inconsistency(event: ChangeEvent) -> Refuse | None:
    """An event whose parts disagree — a snapshot downgraded in transit, say — never crosses."""

    def refuse(what: str) -> Refuse:
        return Refuse(Refusal.INCONSISTENT, f"{event.resource_code} v{event.version}: {what}")

    snapshot = event.snapshot
    if event.operation is Operation.REDACT:
        if snapshot is not None or event.classification is not None:
            return refuse("a REDACT carries neither a snapshot nor a classification")
        return None
    if not isinstance(snapshot, dict):
        return refuse(f"{event.operation.value} without a snapshot")
    mismatch = [
        (key, snapshot.get(key), expected)
        for key, expected in (
            ("code", event.resource_code),
            ("version", event.version),
            ("origin", event.origin),
            ("classification", event.classification.value if event.classification else None),
        )
        if snapshot.get(key) != expected
    ]
    if mismatch:
        key, found, expected = mismatch[0]
        return refuse(f"the snapshot's {key} is {found!r} but the event's is {expected!r}")
    retired = snapshot.get("state") == LifecycleState.RETIRED.value
    if retired != (event.operation is Operation.RETIRE):
        return refuse(f"{event.operation.value} of an entry in state {snapshot.get('state')}")
    return None


def _forged_origin(event: ChangeEvent) -> Refuse | None:
    try:
        zone = zone_of(event.origin)
    except ValueError:
        zone = None
    if zone is not event.origin_zone:
        return Refuse(
            Refusal.FORGED_ORIGIN,
            f"{event.resource_code} claims origin {event.origin!r} in the "
            f"{event.origin_zone.value}; that instance is not in that zone",
        )
    return None


def _forged_path(event: ChangeEvent, link: Link) -> Refuse | None:
    """At the source: an event starts at its origin, or arrives with hops starting there."""
    first = event.hops[0] if event.hops else link.source
    if first != event.origin:
        return Refuse(
            Refusal.FORGED_ORIGIN,
            f"{event.resource_code} claims origin {event.origin} but first left {first}",
        )
    return None


def _above_clearance(event: ChangeEvent, link: Link) -> Refuse:
    shown = event.classification.value if event.classification else "missing (counts as CLASSIFIED)"
    return Refuse(
        Refusal.ABOVE_CLEARANCE,
        f"{event.resource_code} is classified {shown}; {link.target} is cleared for "
        f"{link.clearance.value} only",
        _RULE,
    )


def _field_not_allowed(event: ChangeEvent, link: Link, field: str) -> Refuse:
    return Refuse(
        Refusal.FIELD_NOT_ALLOWED,
        f"{event.resource_code} carries {field!r}, which may not cross {link.id}; allowed: "
        + ", ".join(sorted(CROSSING_FIELDS))
        + (f", extensions {sorted(link.extensions)}" if link.extensions else ""),
    )


def _was_published(event: ChangeEvent) -> bool:
    """As `is_cleared` decides it: by the history the origin's snapshot carries, else (a copy
    relayed on, its history withheld) by its 发布日期."""
    snapshot = event.snapshot or {}
    if snapshot.get("published_on") is None:
        return False
    steps = snapshot.get("history")
    if isinstance(steps, list) and steps:
        return any(
            isinstance(step, dict) and step.get("state") == LifecycleState.PUBLISHED.value
            for step in steps
        )
    return True


def _not_held(event: ChangeEvent, link: Link) -> str:
    return (
        f"{event.resource_code} v{event.version} ({event.operation.value}) is not shared and "
        f"{link.target} holds no copy: nothing to send"
    )


def _redact(event: ChangeEvent, link: Link) -> ChangeEvent:
    return dataclasses.replace(
        event,
        operation=Operation.REDACT,
        snapshot=None,
        classification=None,
        hops=(*event.hops, link.source),
    )


def _crossing(event: ChangeEvent, link: Link, cleared: Callable[[str], bool]) -> ChangeEvent:
    assert event.snapshot is not None
    snapshot: dict[str, Any] = {
        key: value for key, value in event.snapshot.items() if key in CROSSING_FIELDS
    }
    for key in REFERENCE_FIELDS:
        if key in snapshot:
            snapshot[key] = [code for code in _list(snapshot[key]) if cleared(code)]
    pairs = [
        pair
        for pair in _list(event.snapshot.get("extensions"))
        if isinstance(pair, list) and len(pair) == 2 and pair[0] in link.extensions
    ]
    if pairs:
        snapshot["extensions"] = pairs
    classification = event.classification or Classification.CLASSIFIED  # fail closed
    snapshot["classification"] = classification.value
    return dataclasses.replace(
        event,
        snapshot=snapshot,
        classification=classification,
        hops=(*event.hops, link.source),
    )


def _list(value: object) -> list[Any]:
    return value if isinstance(value, list) else []
