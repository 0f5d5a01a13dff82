"""The embedded store's role grants (graph.grants): functions run inside the store's
transactions, so a grant, its check against every role the subject ever held and its audit
record commit together."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence

from graph.enums import Role
from graph.errors import NotFound
from graph.grants import check_grant

__all__ = ["grant", "grants", "revoke"]


def grants(sqlite: sqlite3.Connection, subjects: Sequence[str] | None) -> dict[str, Role]:
    if subjects is None:
        rows = sqlite.execute("SELECT subject, role FROM role_grants ORDER BY subject")
        return {str(s): Role(r) for s, r in rows}
    found: dict[str, Role] = {}
    wanted = list(dict.fromkeys(subjects))
    for start in range(0, len(wanted), 500):  # SQLite's limit on bound parameters
        chunk = wanted[start : start + 500]
        marks = ", ".join("?" * len(chunk))
        rows = sqlite.execute(
            f"SELECT subject, role FROM role_grants WHERE subject IN ({marks})", chunk
        )
        found.update((str(s), Role(r)) for s, r in rows)
    return found


def _current(sqlite: sqlite3.Connection, subject: str) -> Role | None:
    row = sqlite.execute("SELECT role FROM role_grants WHERE subject = ?", (subject,)).fetchone()
    return None if row is None else Role(row[0])


def grant(sqlite: sqlite3.Connection, subject: str, role: Role) -> None:
    rows = sqlite.execute("SELECT role FROM roles_held WHERE subject = ?", (subject,))
    held = {Role(r) for (r,) in rows}
    role = check_grant(subject, _current(sqlite, subject), role, held)
    sqlite.execute(
        "INSERT INTO role_grants (subject, role) VALUES (?, ?) "
        "ON CONFLICT (subject) DO UPDATE SET role = excluded.role",
        (subject, role.value),
    )
    sqlite.execute(
        "INSERT INTO roles_held (subject, role) VALUES (?, ?) ON CONFLICT DO NOTHING",
        (subject, role.value),
    )


def revoke(sqlite: sqlite3.Connection, subject: str) -> None:
    if _current(sqlite, subject) is None:
        raise NotFound("role grant", subject)
    sqlite.execute("DELETE FROM role_grants WHERE subject = ?", (subject,))
