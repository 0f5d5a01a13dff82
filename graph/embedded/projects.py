"""The embedded store's project catalogs (graph.projects): one row per project with its
snapshot, compared and set on its version in the store's transactions with its audit record.
The table is made when first written (``CREATE TABLE IF NOT EXISTS``); reads of a file from
before projects existed find none."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence

from graph.errors import VersionConflict
from graph.projects import Project, project_from_json, project_to_json

__all__ = ["projects", "put"]

_TABLE = """CREATE TABLE IF NOT EXISTS projects (
    id              TEXT PRIMARY KEY,
    department_code TEXT NOT NULL,
    version         INTEGER NOT NULL,
    snapshot        TEXT NOT NULL
)"""


def projects(sqlite: sqlite3.Connection, ids: Sequence[str] | None) -> dict[str, Project]:
    exists = sqlite.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'projects'"
    ).fetchone()
    if exists is None:
        return {}
    if ids is None:
        rows = sqlite.execute("SELECT id, snapshot FROM projects ORDER BY id").fetchall()
    else:
        rows = [
            row
            for wanted in dict.fromkeys(ids)
            if (
                row := sqlite.execute(
                    "SELECT id, snapshot FROM projects WHERE id = ?", (wanted,)
                ).fetchone()
            )
        ]
    return {str(i): project_from_json(s) for i, s in rows}


def put(sqlite: sqlite3.Connection, project: Project, expected_version: int | None) -> None:
    sqlite.execute(_TABLE)
    row = sqlite.execute("SELECT version FROM projects WHERE id = ?", (project.id,)).fetchone()
    found = None if row is None else int(row[0])
    if found != expected_version:
        raise VersionConflict(project.id, expected_version or 0, found or 0)
    sqlite.execute(
        "INSERT INTO projects (id, department_code, version, snapshot) VALUES (?, ?, ?, ?) "
        "ON CONFLICT (id) DO UPDATE SET version = excluded.version, snapshot = excluded.snapshot",
        (project.id, project.department_code, project.version, project_to_json(project)),
    )
