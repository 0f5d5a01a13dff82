"""Export: the records between two instants as JSON lines, one object per record.

Each line holds ``seq``, ``hash``, ``previous_hash``, ``kind``, ``actor``, ``action``,
``subject``, ``version_before``, ``version_after``, ``detail``, ``at`` (ISO 8601 UTC with
microseconds, as the chain encodes it) and ``day``, the Beijing date of ``at`` (the
regulations count Beijing days). A line read back (`record_from_line`) is the record it was
written from, so an export verifies like the store it came from.

    for line in lines(records, since, until):
        out.write(line)
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import Any

from graph.audit.chain import instant
from graph.audit.records import AuditEntry, AuditKind, AuditRecord, utc
from graph.dates import beijing_date

__all__ = ["line", "lines", "record_from_line", "record_object"]


def record_object(record: AuditRecord) -> dict[str, Any]:
    """`record` as the object of its line."""
    entry = record.entry
    return {
        "seq": record.seq,
        "hash": record.hash,
        "previous_hash": record.previous_hash,
        "kind": entry.kind.value,
        "actor": entry.actor,
        "action": entry.action,
        "subject": entry.subject,
        "version_before": entry.version_before,
        "version_after": entry.version_after,
        "detail": dict(entry.detail),
        "at": instant(entry.at),
        "day": beijing_date(entry.at).isoformat(),
    }


def line(record: AuditRecord) -> str:
    """One JSON line (newline included), UTF-8 text as is."""
    return json.dumps(record_object(record), ensure_ascii=False, separators=(",", ":")) + "\n"


def lines(
    records: Iterable[AuditRecord], since: datetime | None = None, until: datetime | None = None
) -> Iterator[str]:
    """The lines of the `records` written at or after `since` and before `until`, streamed."""
    low = None if since is None else utc(since, "since")
    high = None if until is None else utc(until, "until")
    for record in records:
        at = record.entry.at
        if (low is None or at >= low) and (high is None or at < high):
            yield line(record)


def record_from_line(text: str) -> AuditRecord:
    """The record a line was written from."""
    value = json.loads(text)
    entry = AuditEntry(
        AuditKind(value["kind"]),
        value["actor"],
        value["action"],
        value["subject"],
        value["version_before"],
        value["version_after"],
        value["detail"],
        datetime.fromisoformat(value["at"]),
    )
    return AuditRecord(int(value["seq"]), entry, value["previous_hash"], value["hash"])
