"""The source side of a link: the outbox relay (DESIGN "Instances and sync", points 1, 4, 5).

A `Relay` reads its store's outbox after its own position, puts each event through
`guard_source` for its link, appends what may cross to the link's topic (key = resource code)
and what the guard refused to the link's dead-letter topic, and only once the log has
acknowledged both moves its position past them. Killed anywhere before that, it starts again
from the old position and sends the same events again — harmless, the target keeps the newest
version (point 3).

Each batch is read → planned → written: `plan_batch` is the one pure decision of what to send,
redact, drop, refuse and mark, between a read of the store and the writes to the log and the
store.

**Two lanes.** Records the store marked urgent (`graph.outbox.OutboxRecord.urgent`: a
redaction, an entry that stopped being shared or was classified, a referrer to re-send) are
also read from their own lane, after their own position, and sent to the link's urgent topic
before the backlog is looked at: a redaction waits for nothing but the urgent records before
it. The backlog then sends them again in their place, to the link's topic — a duplicate the
target finds stale — so that the compacted topic also ends with them.

**Refresh records** (`graph.outbox.REFRESH`) name an entry that refers to one whose clearance
changed: the relay sends the entry again, as the store holds it now, to a target that may hold
it, and the guard strips each reference to an entry no longer cleared for the link. A refresh
that would cross as the relay last sent that code to that topic is dropped (`Crossed`): at one
version an entry differs from itself only in its references (`graph.versions.decide_apply`
applies an equal version for nothing else), so the same version and operation with the same
references kept is the same copy — sending it again would only be stale at the target (about
half of a topology's refreshes: an entry that arrives clears one reference of a referrer and
changes nothing for another link). What was sent is remembered per topic, in the process,
once the log has acknowledged it, for the last `REMEMBERED_SENDS` codes: a relay that starts
again, or has forgotten a code, sends the refresh (a duplicate at worst, point 3); one per
topic, so that the compacted topic also ends with what the urgent topic got first.

**Nothing stalls the link.** Every lookup is bounded (`graph.chunks`; at most
`MAX_REFERENCES_PER_BATCH` references per batch). A batch that fails — not because the store
or the log is unavailable, which only waits — is tried again at once one record at a time; a
record that fails `POISON_AFTER` times in a row is moved aside: a security event
(UNPROCESSABLE), a dead letter without its payload, a count in `LinkStatus.moved_aside`; and
the link goes on.

**The seed.** A relay that starts with no position of its own (a new link) on a store whose
outbox no longer holds every record from the first (`CatalogStore.outbox_pruned`: records the
other links had passed were pruned) would never send the entries those records carried. It
first sends the store's current state instead: every entry the store holds that may be shared
(published, or retired after it was published) and is cleared for the target (`is_cleared`:
what is not was refused or dropped when written, and the target never held it), its own and
the copies it forwards, in code order, `batch_size` entries at a time, each as the event its
record would carry (`refreshed_event`) and through the same `plan_batch` — guard, marks,
references stripped to the cleared ones — as an outbox record. An entry deleted or redacted
before the link existed is not held, and is not sent. Where the seed stands (the last code
sent) is kept in the store (`CatalogStore.set_outbox_seed`) once the log has acknowledged the
batch: a relay killed midway resumes after that code; an entry that fails alone, again and
again, is moved aside as a record is (below). The seed begins (its cursor is in the store)
before anything is read, and the relay's backlog still stands at 0 — the oldest record held
— so every record written while the seed runs is sent after it, a duplicate at worst (point
3); a seeding relay has read neither lane (`passed` is None), so nothing is pruned meanwhile.
Then the relay reads its outbox as any other. A link added when nothing was pruned sends no
seed — unless the store applied copies that went into no outbox: an instance with no link of
its own to send on applies what it receives without outbox records (`sync.worker`), and its
consumers say so in the store first (`UNFORWARDED`), so that a link added to it later seeds.

`held(code)` — may the target hold a copy? — is answered from the relay's marks in the store:
a code is marked *before* an UPSERT or RETIRE of it is published (so a crash can only leave a
code marked that was never delivered, which costs at most a REDACT the target did not need)
and unmarked with the position once a REDACT of it is published in the backlog lane. A REDACT
names a code, so it is sent only for marked codes: the code of an entry never cleared for the
target never reaches it, and an entry reclassified after it crossed is removed there.

    relay = Relay(store, log, link)
    while await relay.run_once():
        pass
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable, Mapping, Sequence, Set
from dataclasses import dataclass, field
from datetime import UTC, datetime

from graph.enums import LifecycleState
from graph.errors import StoreUnavailable
from graph.model import Resource
from graph.outbox import OutboxRecord
from graph.store import CatalogStore
from sync.errors import InvalidLink, LogUnavailable, MalformedEvent
from sync.events import ChangeEvent, Operation, decode, encode, event_for
from sync.guard import REFERENCE_FIELDS, Drop, Forward, Refusal, guard_source, is_cleared
from sync.links import Link
from sync.log.protocol import ChangeLog
from sync.security import (
    OnSecurityEvent,
    SecurityEvent,
    dead_letter,
    log_security_event,
    send_dead_letters,
)
from sync.snapshots import crossed
from sync.status import LinkStatus, Side

__all__ = [
    "DEFAULT_RELAY_BATCH",
    "MAX_REFERENCES_PER_BATCH",
    "POISON_AFTER",
    "REMEMBERED_SENDS",
    "SEEDED",
    "UNFORWARDED",
    "Crossed",
    "Relay",
    "RelayBatch",
    "RelayPlan",
    "crossed_as",
    "plan_batch",
]

DEFAULT_RELAY_BATCH = 500
# A batch is cut short before the references of its events exceed this (one event at least):
# the clearance of every referenced entry is read for the batch.
MAX_REFERENCES_PER_BATCH = 20_000
# Failures at one position before the relay isolates, then moves aside, what fails there.
POISON_AFTER = 3
# The cursor of a seed that is done (never a code); "" is one begun that has sent nothing.
SEEDED = "mulu:seeded"
# Kept (as SEEDED) where a consumer applied copies without outbox records (module docstring):
# a name no link's seed has (theirs are "<link id>#seed").
UNFORWARDED = "mulu:unforwarded"
# Codes per topic whose last crossing a relay remembers, to drop refreshes that change nothing.
REMEMBERED_SENDS = 16_384
# What a seed reads: the entries a link may send (the guard drops every other state).
_SHAREABLE = frozenset({LifecycleState.PUBLISHED, LifecycleState.RETIRED})


class RelayBatch:
    """What one `Relay.run_once` did."""

    __slots__ = ("dropped", "produced", "read", "refused")

    def __init__(self) -> None:
        self.read = 0
        self.produced = 0
        self.dropped = 0
        self.refused = 0

    def __bool__(self) -> bool:
        return self.read > 0


# -- the plan: pure ------------------------------------------------------------------------


# What the target would hold of a crossing: its version, its operation and the references it
# kept (module docstring, "Refresh records").
Crossed = tuple[int, str, tuple[tuple[str, ...], ...]]


def crossed_as(event: ChangeEvent) -> Crossed:
    """What the target would hold of `event` as it crosses (the guard's `Forward`)."""
    snapshot = event.snapshot or {}
    references = tuple(tuple(snapshot.get(key) or ()) for key in REFERENCE_FIELDS)
    return (event.version, event.operation.value, references)


@dataclass(slots=True)
class RelayPlan:
    """What to do with one batch: append `out` to the lane's topic and `dead` to the
    dead-letter topic, report `security`, mark and unmark codes; `sent`: how each code in
    `out` crosses (the last of it in the batch), to remember once the log has it."""

    out: list[tuple[str, bytes]] = field(default_factory=list)
    dead: list[tuple[str, bytes]] = field(default_factory=list)
    security: list[SecurityEvent] = field(default_factory=list)
    mark: list[str] = field(default_factory=list)
    unmark: list[str] = field(default_factory=list)
    sent: dict[str, Crossed] = field(default_factory=dict)
    dropped: int = 0


def refreshed_event(entry: Resource, source: str) -> ChangeEvent:
    """The event that sends `entry`, held at `source`, again: as its origin would, with the
    hops an event of a copy starts with (its origin)."""
    event = event_for(entry)
    if entry.origin == source:
        return event
    return ChangeEvent(
        event.event_id,
        event.resource_code,
        event.version,
        event.operation,
        event.snapshot,
        event.classification,
        event.origin,
        event.origin_zone,
        hops=(entry.origin,),
    )


Row = tuple[int, OutboxRecord, ChangeEvent | None]


def plan_batch(
    records: Sequence[Row],
    link: Link,
    *,
    cleared: Set[str],
    marked: Set[str],
    current: Mapping[str, Resource],
    at: datetime,
    unmark: bool = True,
    last_sent: Mapping[str, Crossed] | None = None,
) -> RelayPlan:
    """Decide a batch of outbox `records` (position, record, its event decoded — None for a
    refresh record or one that does not decode) for `link`: `cleared` are the referenced codes
    cleared for the target, `marked` the codes the target may hold, `current` the entries
    that refresh records name, as held now. With `unmark` False (the urgent lane) codes are
    only ever marked: the backlog lane unmarks them when it sends the same redaction.
    `last_sent`: how codes last crossed to the lane's topic, as far as the relay remembers —
    a refresh that would cross the same is dropped."""
    plan = RelayPlan()
    last_sent = last_sent or {}
    holds = {code: True for code in marked}
    for position, record, decoded in records:
        if record.is_refresh:
            entry = current.get(record.key)
            if entry is None or not holds.get(record.key, False):
                plan.dropped += 1  # not held here any more, or never sent there
                continue
            event = refreshed_event(entry, link.source)
        elif decoded is not None:
            event = decoded
        else:
            security = SecurityEvent(
                at,
                link.id,
                None,
                record.key,
                Refusal.MALFORMED,
                f"the outbox record at {position} ({record.key}) does not decode as a change event",
            )
            plan.security.append(security)
            plan.dead.append(dead_letter(security, Side.RELAY))
            continue
        verdict = guard_source(
            event, link, cleared=cleared, held=lambda code: holds.get(code, False)
        )
        if isinstance(verdict, Forward):
            forwarded = verdict.event
            code = forwarded.resource_code
            crossing = crossed_as(forwarded)
            if record.is_refresh and plan.sent.get(code, last_sent.get(code)) == crossing:
                plan.dropped += 1  # the target holds it so already
                continue
            plan.sent[code] = crossing
            if forwarded.snapshot is not None and event.snapshot is not None:
                crossed(event.snapshot, forwarded.snapshot)
            # Made by the guard from an event decoded here: the next hop's consumer, when it
            # runs in this process, decodes these bytes without parsing them.
            encoded = encode(forwarded, remember=not record.is_refresh)
            plan.out.append((code, encoded))
            sent = forwarded.operation is not Operation.REDACT
            if sent or unmark:
                holds[code] = sent
        elif isinstance(verdict, Drop):
            plan.dropped += 1
        else:
            security = SecurityEvent(
                at, link.id, event.event_id, event.resource_code, verdict.refusal, verdict.reason
            )
            plan.security.append(security)
            plan.dead.append(dead_letter(security, Side.RELAY))
    plan.mark = sorted(code for code, held in holds.items() if held and code not in marked)
    plan.unmark = sorted(code for code, held in holds.items() if not held and code in marked)
    return plan


def referenced(event: ChangeEvent | None) -> list[str]:
    """The codes `event`'s snapshot names in its reference fields."""
    snapshot = (event.snapshot if event is not None else None) or {}
    return [
        code
        for key in REFERENCE_FIELDS
        if isinstance(value := snapshot.get(key), list)
        for code in value
        if isinstance(code, str)
    ]


def references_of(entry: Resource) -> list[str]:
    """The codes `entry` names in its reference fields, as `referenced` reads them from the
    snapshot of its event."""
    return [code for key in REFERENCE_FIELDS for code in getattr(entry, key)]


# -- the relay -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Lane:
    """One lane: its relay's name in the outbox (position), its topic, whether urgent."""

    name: str
    topic: str
    urgent: bool


# What only waits: the store or the log does not answer. Anything else, repeated, is the
# record's own fault.
_OUTAGES = (StoreUnavailable, LogUnavailable)
_log = logging.getLogger("mulu.sync")


class Relay:
    """The relay of one link whose source is `store`'s instance."""

    def __init__(
        self,
        store: CatalogStore,
        log: ChangeLog,
        link: Link,
        *,
        batch_size: int = DEFAULT_RELAY_BATCH,
        on_security_event: OnSecurityEvent = log_security_event,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        if store.catalog.id != link.source:
            raise InvalidLink(f"link {link.id} starts at {link.source}, not {store.catalog.id}")
        if batch_size < 1:
            raise ValueError(f"batch_size must be at least 1, not {batch_size}")
        self._store = store
        self._log = log
        self._link = link
        self._batch_size = batch_size
        self._on_security_event = on_security_event
        self._clock = clock
        # Each lane's position as this relay last read or wrote it in the store (the relay of
        # a link is the only writer of its positions); forgotten on any failure.
        self._positions: dict[str, int] = {}
        self._urgent = _Lane(f"{link.id}#urgent", link.urgent_topic, urgent=True)
        self._backlog = _Lane(link.id, link.topic, urgent=False)
        self.status = LinkStatus(link.id, Side.RELAY, link.topic)
        # What this relay has passed, as the store holds it: its backlog lane's position and,
        # while urgent records wait, its urgent lane's (None: not read yet since it started).
        self._passed: int | None = None
        self._urgent_waits: int | None = None
        self.on_advance: Callable[[], object] | None = None  # told when `passed` moved
        # Where the seed stands (module docstring): its name in the store, and its cursor as
        # last read or written — None: no seed to send; unknown until read since the start.
        self._seed_name = f"{link.id}#seed"
        self._seed: str | None = None
        self._seed_known = False
        # How each code last crossed to each topic, once the log had it (module docstring,
        # "Refresh records"): the last `REMEMBERED_SENDS` codes a topic got, oldest first.
        self._sent: dict[str, dict[str, Crossed]] = {}

    @property
    def passed(self) -> int | None:
        """The outbox position below which this relay needs no record again, whatever
        happens (each lane's position is in the store before it counts here): its backlog
        position, or less while its urgent lane has records waiting after its own position.
        None until both lanes have been read since the relay started — so while it sends its
        seed, which holds back the pruning of every record."""
        if self._passed is None:
            return None
        if self._urgent_waits is None:
            return self._passed
        return min(self._passed, self._urgent_waits)

    @property
    def link(self) -> Link:
        return self._link

    async def run_once(self) -> RelayBatch:
        """Relay the urgent lane's next batch, then the backlog's; an empty `RelayBatch`
        (falsy) when there was nothing to relay."""
        done = RelayBatch()
        try:
            cursor = await self._seed_cursor()
            if cursor is not None:
                await self._seed_once(cursor, done)
                if self._seed is not None:
                    return done  # more to seed before the outbox
            await self._run_lane(self._urgent, done)
            await self._run_lane(self._backlog, done)
        except BaseException:
            self._positions.clear()  # a write may or may not have landed: read them again
            self._seed_known = False
            raise
        return done

    async def run(self, idle_seconds: float = 0.05) -> None:
        """Relay for ever; errors propagate (the worker retries). Caught up, it waits for the
        store's word that something was written (`graph.outbox.OutboxSignal`), at most
        `idle_seconds` at first and twice as long each time nothing came, up to the signal's
        `idle_limit` — at once where the signal is told of other processes' writes too (an
        embedded store's); a Neo4j store's relay looks again every 5 s for them: an idle relay
        costs next to nothing, and one written to is woken at once."""
        signal = self._store.outbox_signal
        limit = max(signal.idle_limit, idle_seconds)
        if signal.sees_other_processes:
            idle_seconds = limit
        idle = idle_seconds
        while True:
            waiter = self._store.outbox_signal.waiter()  # before reading: no write is missed
            done = await self.run_once()
            self.status.succeeded()
            if done.read >= self._batch_size:
                continue  # more to read at once
            if done.read:
                idle = idle_seconds
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(waiter.wait(), idle)
                idle = idle_seconds
                continue
            idle = min(idle * 2, limit)

    # -- the seed (module docstring) ------------------------------------------------------

    async def _seed_cursor(self) -> str | None:
        """Where this link's seed stands; None when it has none to send, or sent it. A new
        link on a pruned outbox begins one here, before it reads anything."""
        if self._seed_known:
            return self._seed
        cursor = await self._store.outbox_seed(self._seed_name)
        if cursor is None:
            backlog = await self._position(self._backlog.name)
            if backlog == 0 and (
                await self._store.outbox_pruned()
                or await self._store.outbox_seed(UNFORWARDED) is not None
            ):
                cursor = ""
                await self._store.set_outbox_seed(self._seed_name, cursor)
                _log.info("a new link sends its source's state", extra={"link": self._link.id})
        elif cursor == SEEDED:
            cursor = None
        self._seed, self._seed_known = cursor, True
        return cursor

    async def _seed_once(self, cursor: str, done: RelayBatch) -> None:
        """Send the next batch of the seed after `cursor` (a code; "" for the first), then
        keep where it stands. A batch that fails — not for an outage — is tried again one
        entry at a time, and an entry that fails `POISON_AFTER` times is moved aside, as an
        outbox record is."""
        if self.status.pending_since is None:
            self.status.pending_since = time.monotonic()
        read = await self._store.entries_after(cursor, self._batch_size, _SHAREABLE)
        entries = _bounded_entries(read)
        more = len(read) == self._batch_size or len(entries) < len(read)
        try:
            await self._send_seed(entries, done)
        except _OUTAGES:
            raise
        except Exception as exc:
            _log.warning(
                "a seed batch failed; trying its entries one at a time",
                extra={"link": self._link.id, "after": cursor, "error": repr(exc)},
            )
            for entry in entries:
                await self._send_seed_alone(entry, done)
        cursor = entries[-1].code if more and entries else SEEDED
        await self._store.set_outbox_seed(self._seed_name, cursor)
        self._seed, self._seed_known = (cursor if more else None), True
        if not more:
            self.status.pending_since = None
            _log.info("a new link sent its source's state", extra={"link": self._link.id})

    async def _send_seed(self, entries: list[Resource], done: RelayBatch) -> None:
        """Send `entries` of the seed: those cleared for the target (what is not was refused
        or dropped when written), each as the event its record carries, through
        `plan_batch`."""
        sent = [e for e in entries if is_cleared(e, self._link)]
        rows: list[Row] = [
            (0, OutboxRecord(e.code, b""), refreshed_event(e, self._link.source)) for e in sent
        ]
        marked = await self._store.outbox_marks(self._link.id, [e.code for e in sent])
        named = {code for entry in sent for code in references_of(entry)}
        plan = plan_batch(
            rows,
            self._link,
            cleared=await self._cleared(named),
            marked=marked,
            current={},
            at=self._clock(),
        )
        for security in plan.security:
            self._on_security_event(security)
        backlog = await self._position(self._backlog.name)
        if plan.mark:  # before publishing, as for an outbox record
            await self._set_position(self._backlog.name, backlog, mark=plan.mark)
        if plan.out:
            await self._log.append(self._link.topic, plan.out)
            self._remember(self._link.topic, plan.sent)
        await self._dead_letters(plan.dead)
        if plan.unmark:
            await self._set_position(self._backlog.name, backlog, unmark=plan.unmark)
        dropped = plan.dropped + len(entries) - len(sent)
        done.read += len(entries)
        done.produced += len(plan.out)
        done.dropped += dropped
        done.refused += len(plan.security)
        self.status.produced += len(plan.out)
        self.status.dropped += dropped
        self.status.refused += len(plan.security)

    async def _send_seed_alone(self, entry: Resource, done: RelayBatch) -> None:
        """Send `entry` alone; one that fails `POISON_AFTER` times in a row while the store
        and the log answer is moved aside: a security event and a dead letter name it."""
        failure: Exception | None = None
        for _ in range(POISON_AFTER):
            try:
                await self._send_seed([entry], done)
            except _OUTAGES:
                raise
            except Exception as exc:
                failure = exc
                continue
            return
        assert failure is not None
        security = SecurityEvent(
            self._clock(),
            self._link.id,
            None,
            entry.code,
            Refusal.UNPROCESSABLE,
            f"the seed's entry {entry.code} (version {entry.version}) failed {POISON_AFTER} "
            f"times ({type(failure).__name__}: {failure}); moved aside so that the link goes on",
        )
        self._on_security_event(security)
        await self._dead_letters([dead_letter(security, Side.RELAY)])
        self.status.moved_aside += 1
        self.status.refused += 1
        done.read += 1
        done.refused += 1

    # -- the lanes -------------------------------------------------------------------------

    async def _position(self, lane: str) -> int:
        position = self._positions.get(lane)
        if position is None:
            position = self._positions[lane] = await self._store.outbox_position(lane)
        return position

    async def _set_position(
        self, lane: str, position: int, *, mark: Sequence[str] = (), unmark: Sequence[str] = ()
    ) -> None:
        self._positions.pop(lane, None)  # unknown until the store has it
        await self._store.set_outbox_position(lane, position, mark=mark, unmark=unmark)
        self._positions[lane] = position

    async def _run_lane(self, lane: _Lane, done: RelayBatch) -> None:
        position = await self._position(lane.name)
        if lane.urgent:
            # A new link's urgent lane starts where its backlog stands: what the backlog has
            # sent needs no second, urgent, sending.
            if position == 0:
                position = await self._position(self._backlog.name)
        else:
            self.status.position = position
        if lane.urgent:
            read = await self._store.outbox_urgent_after(position, self._batch_size)
            # Urgent records wait after `position`: none below it may go; none wait: no bound.
            self._urgent_waits = position if read else None
        else:
            read = await self._store.outbox_after(position, self._batch_size)
            self._advanced(position)
        if not read:
            if not lane.urgent:
                self.status.pending_since = None
            return
        if not lane.urgent and self.status.pending_since is None:
            self.status.pending_since = time.monotonic()
        rows = _bounded(_decoded(read))
        try:
            await self._relay(lane, rows, done)
        except _OUTAGES:
            raise  # the servers: wait for them; nothing is moved aside for an outage
        except Exception as exc:
            _log.warning(
                "a relay batch failed; trying its records one at a time",
                extra={"link": self._link.id, "position": rows[0][0], "error": repr(exc)},
            )
            await self._one_by_one(lane, rows, done)
        if not lane.urgent:
            more = len(read) == self._batch_size
            self.status.pending_since = time.monotonic() if more else None

    async def _one_by_one(self, lane: _Lane, rows: list[Row], done: RelayBatch) -> None:
        """Relay `rows` one at a time; a row that fails `POISON_AFTER` times in a row while
        the store and the log answer is moved aside."""
        for row in rows:
            failure: Exception | None = None
            for _ in range(POISON_AFTER):
                try:
                    await self._relay(lane, [row], done)
                except _OUTAGES:
                    raise
                except Exception as exc:
                    failure = exc
                    continue
                failure = None
                break
            if failure is not None:
                await self._move_aside(lane, row, failure)
                done.read += 1
                done.refused += 1

    async def _relay(self, lane: _Lane, rows: list[Row], done: RelayBatch) -> None:
        refresh = {record.key for _, record, _ in rows if record.is_refresh}
        events = [event for _, _, event in rows if event is not None]
        codes = sorted({e.resource_code for e in events} | refresh)
        marked = await self._store.outbox_marks(self._link.id, codes)
        # A refresh of a code the target does not hold is dropped unread (most are: an entry
        # that arrives refreshes its referrers for every link, whichever sent them).
        refresh &= marked
        current = await self._store.get_many(sorted(refresh)) if refresh else {}
        # The codes the batch names: its events' references, and the refreshed entries'
        # (read from the entries: the events `plan_batch` makes of them name the same).
        named = {code for event in events for code in referenced(event)}
        named.update(code for entry in current.values() for code in references_of(entry))
        cleared = await self._cleared(named)
        plan = plan_batch(
            rows,
            self._link,
            cleared=cleared,
            marked=marked,
            current=current,
            at=self._clock(),
            unmark=not lane.urgent,
            last_sent=self._sent.get(lane.topic),
        )
        for security in plan.security:
            self._on_security_event(security)
        if plan.mark:  # before publishing: a code the target may hold is always marked
            backlog = await self._position(self._backlog.name)
            await self._set_position(self._backlog.name, backlog, mark=plan.mark)
        if plan.out:
            await self._log.append(lane.topic, plan.out)
            self._remember(lane.topic, plan.sent)
        await self._dead_letters(plan.dead)
        last = rows[-1][0]
        # The urgent lane never unmarks (see plan_batch): its position alone moves.
        await self._set_position(lane.name, last, unmark=plan.unmark)
        if not lane.urgent:
            self._advanced(last)
        done.read += len(rows)
        done.produced += len(plan.out)
        done.dropped += plan.dropped
        done.refused += len(plan.security)
        self.status.produced += len(plan.out)
        self.status.dropped += plan.dropped
        self.status.refused += len(plan.security)
        if not lane.urgent:
            self.status.position = last

    def _remember(self, topic: str, sent: Mapping[str, Crossed]) -> None:
        """`sent` crossed to `topic`: the log has it."""
        remembered = self._sent.setdefault(topic, {})
        for code, crossing in sent.items():
            remembered.pop(code, None)  # to the end: the newest
            remembered[code] = crossing
        while len(remembered) > REMEMBERED_SENDS:
            del remembered[next(iter(remembered))]  # the oldest

    def _advanced(self, position: int) -> None:
        """The backlog lane stands at `position` in the store."""
        if self._passed != position:
            self._passed = position
            if self.on_advance is not None:
                self.on_advance()

    async def _dead_letters(self, dead: list[tuple[str, bytes]]) -> None:
        if dead:
            append = self._log.append(self._link.dead_letter_topic, dead)
            await send_dead_letters(append, self.status)

    async def _move_aside(self, lane: _Lane, row: Row, exc: Exception) -> None:
        """Give up on the record at `row`: it failed alone, again and again, while the store
        and the log answered. The payload stays in the source's outbox (it may be classified:
        it never goes to the dead-letter topic); the security event says where."""
        position, record, _ = row
        security = SecurityEvent(
            self._clock(),
            self._link.id,
            None,
            record.key,
            Refusal.UNPROCESSABLE,
            f"the outbox record at {position} ({record.key}) failed {POISON_AFTER} times "
            f"({type(exc).__name__}: {exc}); moved aside so that the link goes on",
        )
        self._on_security_event(security)
        await self._dead_letters([dead_letter(security, Side.RELAY)])
        await self._set_position(lane.name, position)
        self.status.moved_aside += 1
        self.status.refused += 1
        if not lane.urgent:
            self.status.position = position

    async def _cleared(self, codes: Set[str]) -> set[str]:
        """The `codes` whose entries are cleared for the link's target."""
        if not codes:
            return set()
        held = await self._store.get_many(sorted(codes))
        return {code for code, entry in held.items() if is_cleared(entry, self._link)}


def _decoded(rows: list[tuple[int, OutboxRecord]]) -> list[Row]:
    out: list[Row] = []
    for position, record in rows:
        event = None
        if not record.is_refresh:
            try:
                event = decode(record.payload)
            except MalformedEvent:
                event = None
        out.append((position, record, event))
    return out


def _bounded_entries(entries: list[Resource]) -> list[Resource]:
    """The longest prefix of `entries` (one at least, when there is one) whose references
    stay within `MAX_REFERENCES_PER_BATCH`, as `_bounded` cuts a batch of records."""
    total = 0
    for n, entry in enumerate(entries):
        total += len(references_of(entry))
        if total > MAX_REFERENCES_PER_BATCH and n > 0:
            return entries[:n]
    return entries


def _bounded(rows: list[Row]) -> list[Row]:
    """The longest prefix of `rows` (one row at least) whose references stay within
    `MAX_REFERENCES_PER_BATCH`."""
    total = 0
    for n, (_, _, event) in enumerate(rows):
        total += len(referenced(event))
        if total > MAX_REFERENCES_PER_BATCH and n > 0:
            return rows[:n]
    return rows
