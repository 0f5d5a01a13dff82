"""What the audit log holds: entries (what happened), records (an entry in the chain), the
head of the chain, and the filter its pages are read by.

An `AuditEntry` is what a caller hands the store: who (`actor`: a 统一社会信用代码, an instance
id, ``"anonymous"``, ``"link:<name>"``) did what (`action`) to what (`subject`), the versions
before and after where a version changed, a small `detail` (at most 4 KB encoded, flat values
only) and the instant (aware, kept UTC). The store numbers it and chains it into an
`AuditRecord`; `AuditHead` is where the chain stands and where it starts after a prune.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from types import MappingProxyType

from graph.errors import InvalidValue

__all__ = [
    "GENESIS",
    "MAX_DETAIL_BYTES",
    "AuditEntry",
    "AuditFilter",
    "AuditHead",
    "AuditKind",
    "AuditRecord",
    "DetailValue",
    "entries_for",
]

# The previous hash of the first record ever written, and the anchor of a log never pruned.
GENESIS = "0" * 64

MAX_DETAIL_BYTES = 4096

DetailValue = str | int | bool | None


class AuditKind(StrEnum):
    """What a record is about."""

    CATALOG_WRITE = "CATALOG_WRITE"  # an entry created or its content updated
    LIFECYCLE = "LIFECYCLE"  # submit, publish, reject, revise, retire
    REDACTION = "REDACTION"  # a copy removed (the sync's redact)
    CROSSING = "CROSSING"  # an entry a link applied at its target
    GUARD_REFUSAL = "GUARD_REFUSAL"  # the classification guard refused an event
    AUTHENTICATION_FAILED = "AUTHENTICATION_FAILED"
    AUTHORISATION_REFUSED = "AUTHORISATION_REFUSED"
    PEER_REFUSED = "PEER_REFUSED"  # another instance's request refused
    ADMINISTRATION = "ADMINISTRATION"  # departments registered, roles granted or revoked
    CHECKPOINT = "CHECKPOINT"  # the head signed with the instance key (graph.audit.checkpoint)
    SHARE_REQUEST = "SHARE_REQUEST"  # a share request made, answered, delivered, disputed…
    OBJECTION = "OBJECTION"  # an objection reported, confirmed, corrected or dismissed
    ACCESS_DETAILS = "ACCESS_DETAILS"  # an entry's access details recorded or changed
    ACCESS_READ = "ACCESS_READ"  # a read of an entry's CONDITIONAL access details
    DATA_UPDATE = "DATA_UPDATE"  # the provider recorded an update of an entry's data


def utc(at: datetime, name: str = "at") -> datetime:
    """`at` in UTC; a naive instant is refused (it names no time zone)."""
    if at.tzinfo is None or at.utcoffset() is None:
        raise InvalidValue(name, at.isoformat(), "an aware instant (with its time zone)")
    return at.astimezone(UTC)


def _now() -> datetime:
    return datetime.now(UTC)


def _detail(detail: Mapping[str, object]) -> Mapping[str, DetailValue]:
    checked: dict[str, DetailValue] = {}
    for key, value in detail.items():
        if not isinstance(key, str):
            raise InvalidValue("detail", key, "keys that are strings")
        if value is not None and not isinstance(value, str | int | bool):
            raise InvalidValue(
                f"detail.{key}", repr(value), "a string, a whole number, true/false or null"
            )
        checked[key] = value
    size = len(json.dumps(checked, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))
    if size > MAX_DETAIL_BYTES:
        raise InvalidValue(
            "detail",
            f"{size} bytes",
            f"at most {MAX_DETAIL_BYTES} bytes encoded as UTF-8 JSON: the log records what "
            "happened, not the content (an entry's content is in its versions)",
        )
    return MappingProxyType(dict(sorted(checked.items())))


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """审计事项: one thing that happened, before the store numbers and chains it.

    AuditEntry(AuditKind.LIFECYCLE, actor=code, action="publish", subject=entry.code,
               version_before=2, version_after=3, detail={"role": "REVIEWER"})
    """

    kind: AuditKind
    actor: str
    action: str
    subject: str | None = None
    version_before: int | None = None
    version_after: int | None = None
    detail: Mapping[str, DetailValue] = field(default_factory=dict, hash=False)
    at: datetime = field(default_factory=_now)

    def __post_init__(self) -> None:
        object.__setattr__(self, "kind", AuditKind(self.kind))
        for name in ("actor", "action"):
            value = getattr(self, name)
            if not isinstance(value, str) or not value.strip():
                raise InvalidValue(name, value, "a non-empty string")
        for name in ("version_before", "version_after"):
            value = getattr(self, name)
            if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
                raise InvalidValue(name, value, "a whole number, or none")
        object.__setattr__(self, "detail", _detail(self.detail))
        object.__setattr__(self, "at", utc(self.at))


@dataclass(frozen=True, slots=True)
class AuditRecord:
    """审计记录: an entry numbered `seq` (from 1, no gaps) and chained: `previous_hash` is the
    hash of record ``seq - 1`` (`GENESIS` for the first), `hash` that of this record's whole
    content (`graph.audit.chain.record_hash`)."""

    seq: int
    entry: AuditEntry
    previous_hash: str
    hash: str


@dataclass(frozen=True, slots=True)
class AuditHead:
    """Where the chain stands: its last record (`seq`, `hash`; 0 and `GENESIS` when empty);
    the `anchor`, the last record pruned (0 and `GENESIS` before any prune), from which the
    held records verify; and the seq of the last CHECKPOINT record (0: none yet)."""

    seq: int = 0
    hash: str = GENESIS
    anchor_seq: int = 0
    anchor_hash: str = GENESIS
    checkpoint_seq: int = 0


@dataclass(frozen=True, slots=True)
class AuditFilter:
    """Which records a page holds: each given condition must hold. `since` is inclusive,
    `until` exclusive."""

    kinds: frozenset[AuditKind] | None = None
    actor: str | None = None
    action: str | None = None
    subject: str | None = None
    since: datetime | None = None
    until: datetime | None = None

    def __post_init__(self) -> None:
        if self.kinds is not None:
            object.__setattr__(self, "kinds", frozenset(AuditKind(k) for k in self.kinds))
        for name in ("since", "until"):
            value = getattr(self, name)
            if value is not None:
                object.__setattr__(self, name, utc(value, name))

    def holds(self, record: AuditRecord) -> bool:
        """Whether `record` is one this filter selects (what the stores select in a query)."""
        entry = record.entry
        return (
            (self.kinds is None or entry.kind in self.kinds)
            and (self.actor is None or entry.actor == self.actor)
            and (self.action is None or entry.action == self.action)
            and (self.subject is None or entry.subject == self.subject)
            and (self.since is None or entry.at >= self.since)
            and (self.until is None or entry.at < self.until)
        )


def entries_for(
    count: int, audit: Sequence[AuditEntry | None] | None
) -> Sequence[AuditEntry | None]:
    """One audit entry (or None) for each of `count` entries of an `apply`."""
    if audit is None:
        return [None] * count
    if len(audit) != count:
        raise ValueError(f"{len(audit)} audit entries for {count} entries; give one (or None) each")
    return audit
