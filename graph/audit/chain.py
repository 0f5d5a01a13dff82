"""The hash chain: how a record's hash is made, how entries extend the chain, and how a
sequence of held records is verified.

A record's content is encoded canonically — JSON with sorted keys, compact separators, UTF-8
text as is (``ensure_ascii=False``), the instant as ISO 8601 UTC with microseconds — and
includes its `seq` and the previous record's hash; its hash is the SHA-256 of that, in hex. So
changing a record, its number or its place breaks its own hash or the next record's link.

`verify` reads records in seq order, keeping a constant amount of state (millions of records
read in pages), and names the FIRST broken record and why:

    seq lower than one already read                      → REORDERED  (that record)
    seq past the one expected                            → DELETED    (the first missing seq)
    hash ≠ hash of its own content, previous hash links  → EDITED     (that record)
    hash wrong and the link too, but its content hashes
        as the record of another seq within 64 of it     → REORDERED  (that record)
    hash wrong and the link too, otherwise               → EDITED     (that record)
    own hash right, but it is not chained to the record
        before it (that one was rewritten with a new hash) → EDITED   (the record before)
    the head's seq reached with another hash              → EDITED    (that record)
    a CHECKPOINT whose signature fails (the `checkpoints`
        check), or that signed another hash for its seq   → CHECKPOINT (the seq it signed)
    held records end before the head's seq, the head's
        last checkpoint, or a checkpoint kept elsewhere   → TRUNCATED  (the first missing seq)

A pruned log verifies from its anchor (`AuditHead.anchor_seq` and `anchor_hash`, the last
record pruned); records at or before the anchor that come first (a prune not finished yet) are
passed over. Records written after the head was read are checked like the rest.

    verification = verify(records, head, checkpoints=checker(certificate))
    if not verification.ok: print(verification.broken_seq, verification.reason)
"""

from __future__ import annotations

import hashlib
import json
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from graph.audit.records import AuditEntry, AuditHead, AuditKind, AuditRecord
from graph.errors import CatalogError

__all__ = [
    "CheckpointCheck",
    "Problem",
    "Verification",
    "Verifier",
    "canonical",
    "extend",
    "instant",
    "record_hash",
    "verify",
]

# How far from its own seq a moved record is still recognised as moved (REORDERED, not EDITED).
_MOVED_WITHIN = 64
# How many recent hashes verification keeps, to check what a checkpoint signed: the task that
# signs appends the checkpoint right after reading the head.
_RECENT = 4096

# A check of one CHECKPOINT record that raises (a `CatalogError`) when it is forged.
CheckpointCheck = Callable[[AuditRecord], None]


def instant(at: datetime) -> str:
    """`at` as the chain encodes it: ISO 8601 in UTC, with microseconds (fixed width, so the
    text sorts as the instants do)."""
    return at.astimezone(UTC).isoformat(timespec="microseconds")


def content(seq: int, previous_hash: str, entry: AuditEntry) -> dict[str, Any]:
    """Everything a record's hash covers."""
    return {
        "seq": seq,
        "previous_hash": previous_hash,
        "kind": entry.kind.value,
        "actor": entry.actor,
        "action": entry.action,
        "subject": entry.subject,
        "version_before": entry.version_before,
        "version_after": entry.version_after,
        "detail": dict(entry.detail),
        "at": instant(entry.at),
    }


def canonical(value: Any) -> bytes:
    """The canonical encoding: JSON, sorted keys, compact, UTF-8."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode(
        "utf-8"
    )


def record_hash(seq: int, previous_hash: str, entry: AuditEntry) -> str:
    """The SHA-256 (hex) of the canonical content of record `seq` chained to `previous_hash`."""
    return hashlib.sha256(canonical(content(seq, previous_hash, entry))).hexdigest()


def extend(head: AuditHead, entries: Sequence[AuditEntry]) -> list[AuditRecord]:
    """The records `entries` become when appended, in order, after `head`."""
    records: list[AuditRecord] = []
    seq, previous = head.seq, head.hash
    for entry in entries:
        seq += 1
        digest = record_hash(seq, previous, entry)
        records.append(AuditRecord(seq, entry, previous, digest))
        previous = digest
    return records


class Problem(StrEnum):
    EDITED = "EDITED"
    DELETED = "DELETED"
    REORDERED = "REORDERED"
    TRUNCATED = "TRUNCATED"
    CHECKPOINT = "CHECKPOINT"


@dataclass(frozen=True, slots=True)
class Verification:
    """The outcome: how many records were checked, the last seq read, and — when broken —
    the first broken seq, what is wrong and a sentence saying so."""

    checked: int
    last_seq: int
    broken_seq: int | None = None
    problem: Problem | None = None
    reason: str = ""

    @property
    def ok(self) -> bool:
        return self.problem is None


class Verifier:
    """`verify`, one record at a time: `feed` each record (in the order read), then `result`.

    Keeps constant state, so a caller reading pages from a store feeds them as they come."""

    def __init__(
        self,
        head: AuditHead,
        checkpoints: CheckpointCheck | None = None,
        *,
        last_checkpoint: AuditRecord | None = None,
    ) -> None:
        self._head = head
        self._checkpoints = checkpoints
        self._kept = last_checkpoint
        self._expected = head.anchor_seq + 1
        self._previous = head.anchor_hash
        self._recent: deque[tuple[int, str]] = deque(maxlen=_RECENT)
        self._recent.append((head.anchor_seq, head.anchor_hash))
        self._checked = 0
        self._broken: Verification | None = None

    def _break(self, seq: int, problem: Problem, reason: str) -> bool:
        self._broken = Verification(self._checked, self._expected - 1, seq, problem, reason)
        return False

    def feed(self, record: AuditRecord) -> bool:
        """Check `record`; False once the chain is broken (later records are not looked at)."""
        if self._broken is not None:
            return False
        seq = record.seq
        if seq <= self._head.anchor_seq and self._expected == self._head.anchor_seq + 1:
            return True  # pruned already, by the anchor; not deleted yet
        if seq < self._expected:
            return self._break(
                seq, Problem.REORDERED, f"record {seq} comes after record {self._expected - 1}"
            )
        if seq > self._expected:
            missing = (
                f"record {self._expected} is missing"
                if seq == self._expected + 1
                else f"records {self._expected}–{seq - 1} are missing"
            )
            return self._break(self._expected, Problem.DELETED, missing)
        own = record_hash(seq, record.previous_hash, record.entry) == record.hash
        linked = record.previous_hash == self._previous
        if not own:
            moved = self._moved_from(record)
            if not linked and moved is not None:
                return self._break(
                    seq, Problem.REORDERED, f"record {seq} holds what was record {moved}"
                )
            return self._break(seq, Problem.EDITED, f"record {seq} is not what was written")
        if not linked:
            before = seq - 1
            return self._break(
                before,
                Problem.EDITED,
                f"record {before} was rewritten: record {seq} was chained to another hash",
            )
        if seq == self._head.seq and record.hash != self._head.hash:
            return self._break(
                seq, Problem.EDITED, f"record {seq} is not the one the head says was last written"
            )
        if self._kept is not None and seq == self._kept.seq and record.hash != self._kept.hash:
            return self._break(
                seq, Problem.EDITED, f"record {seq} differs from the checkpoint kept of it"
            )
        if record.entry.kind is AuditKind.CHECKPOINT and not self._checkpoint(record):
            return False
        self._checked += 1
        self._expected, self._previous = seq + 1, record.hash
        self._recent.append((seq, record.hash))
        return True

    def _moved_from(self, record: AuditRecord) -> int | None:
        """The seq, near its own, at which `record`'s content hashes as stored; None if none."""
        low = max(1, record.seq - _MOVED_WITHIN)
        for other in range(low, record.seq + _MOVED_WITHIN + 1):
            if other != record.seq and (
                record_hash(other, record.previous_hash, record.entry) == record.hash
            ):
                return other
        return None

    def _checkpoint(self, record: AuditRecord) -> bool:
        detail = record.entry.detail
        signed_seq, signed_hash = detail.get("seq"), detail.get("hash")
        if not isinstance(signed_seq, int) or not isinstance(signed_hash, str):
            return self._break(
                record.seq, Problem.CHECKPOINT, f"checkpoint {record.seq} signs no seq and hash"
            )
        if signed_seq >= record.seq:
            return self._break(
                record.seq,
                Problem.CHECKPOINT,
                f"checkpoint {record.seq} signs record {signed_seq}, not one before it",
            )
        if self._checkpoints is not None:
            try:
                self._checkpoints(record)
            except CatalogError as exc:
                return self._break(record.seq, Problem.CHECKPOINT, str(exc))
        held = next((h for s, h in self._recent if s == signed_seq), None)
        if held is not None and held != signed_hash:
            return self._break(
                signed_seq,
                Problem.CHECKPOINT,
                f"checkpoint {record.seq} signed another hash for record {signed_seq}: "
                f"the chain up to it was rewritten",
            )
        return True

    def result(self) -> Verification:
        """The outcome of everything fed so far, the tail included."""
        if self._broken is not None:
            return self._broken
        reached = self._expected - 1
        required = max(self._head.seq, self._head.checkpoint_seq, getattr(self._kept, "seq", 0))
        if reached < required:
            return Verification(
                self._checked,
                reached,
                reached + 1,
                Problem.TRUNCATED,
                f"the records end at {reached}; the log reached {required}",
            )
        return Verification(self._checked, reached)


def verify(
    records: Iterable[AuditRecord],
    head: AuditHead,
    checkpoints: CheckpointCheck | None = None,
    *,
    last_checkpoint: AuditRecord | None = None,
) -> Verification:
    """Verify `records` (in seq order, from the first held) against `head`; see the module's
    table. `checkpoints` checks each CHECKPOINT's signature (`graph.audit.checkpoint.checker`);
    `last_checkpoint` is a checkpoint record kept outside the store, which the held records
    must reach unchanged."""
    verifier = Verifier(head, checkpoints, last_checkpoint=last_checkpoint)
    for record in records:
        if not verifier.feed(record):
            break
    return verifier.result()
