"""Errors of the audit log.

    CatalogError (graph.errors)
    └── AuditError
        └── BrokenCheckpoint   a checkpoint's signature or key is not the instance's

Refusals of a value (a naive instant, a detail over 4 KB, a prune within the retention period,
a role GB/T 39477 keeps apart) are `graph.errors.InvalidValue`, like every other refusal.
"""

from __future__ import annotations

from graph.errors import CatalogError

__all__ = ["AuditError", "BrokenCheckpoint"]


class AuditError(CatalogError):
    code = "AUDIT_ERROR"


class BrokenCheckpoint(AuditError):
    code = "BROKEN_CHECKPOINT"
