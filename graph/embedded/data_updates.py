"""The embedded store's data updates (graph.sharing.data_updates): rows of ``data_updates``,
one per entry and day, apart from ``resources``."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from datetime import date, datetime

from graph.audit.chain import instant
from graph.audit.records import AuditEntry
from graph.chunks import chunks
from graph.embedded import audit as audits
from graph.sharing.data_updates import DataUpdate

__all__ = ["last", "record"]


def record(db: sqlite3.Connection, update: DataUpdate, audit: AuditEntry) -> None:
    """Hold `update` (a day recorded again replaces its note) and append `audit`."""
    db.execute(
        "INSERT INTO data_updates "
        "(resource_code, updated_on, department_code, recorded_at, note) VALUES (?, ?, ?, ?, ?) "
        "ON CONFLICT (resource_code, updated_on) DO UPDATE SET "
        "department_code = excluded.department_code, recorded_at = excluded.recorded_at, "
        "note = excluded.note",
        (
            update.resource_code,
            update.updated_on.isoformat(),
            update.department_code,
            instant(update.recorded_at),
            update.note,
        ),
    )
    audits.append(db, [audit])


def last(db: sqlite3.Connection, codes: Sequence[str], day: date | None) -> dict[str, DataUpdate]:
    """The latest update of each of `codes` on or before `day` (None: of all)."""
    found: dict[str, DataUpdate] = {}
    until = "9999-12-31" if day is None else day.isoformat()
    for chunk in chunks(list(dict.fromkeys(codes))):
        marks = ", ".join("?" * len(chunk))
        # SQLite takes the bare columns from the row holding the MAX.
        rows = db.execute(
            "SELECT resource_code, MAX(updated_on), department_code, recorded_at, note "
            f"FROM data_updates WHERE resource_code IN ({marks}) AND updated_on <= ? "
            "GROUP BY resource_code",
            [*chunk, until],
        )
        for code, on, department, recorded, note in rows:
            found[str(code)] = DataUpdate(
                str(code),
                date.fromisoformat(str(on)),
                str(department),
                datetime.fromisoformat(str(recorded)),
                None if note is None else str(note),
            )
    return found
