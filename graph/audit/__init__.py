"""Audit (审计): an append-only, hash-chained log of who did what, in the instance's store.

The rules (DESIGN "Identity, roles and audit"):

- Every catalog write and lifecycle step (actor, versions before and after), link crossing,
  guard refusal, failed authentication or authorisation, refused peer and administrator
  action, every step of a share request or an objection, every change of an entry's access
  details and every read of CONDITIONAL ones is an `AuditEntry` of one `AuditKind`, written
  by the store in the transaction of what it records: a write that fails leaves no record, a
  record never outlives its write.
- The store numbers records from 1 without gaps and chains them (`chain`): each holds the
  hash of the one before it and the hash of its own content, one chain however many writers.
  Nothing updates or deletes a record, except pruning.
- Every N records or hour the head is signed with the instance key (`checkpoint`), so a chain
  rewritten with fresh hashes is still found out.
- `chain.verify` names the first broken record — edited, deleted, reordered, or a truncated
  tail — reading records in pages with constant memory.
- Kept 15 years (Chengdu 第二十六条) unless configured longer, never shorter (`retention`);
  pruning keeps an anchor so a pruned log still verifies.
- Exported as JSON lines with the Beijing date of each record (`export`).
- Read by the auditor role only (GB/T 39477: administrator and auditor are never one person,
  `graph.grants`).

This package is pure: the stores (`graph.embedded`, `graph.neo4j`) keep the records.
"""

from graph.audit.chain import Problem, Verification, Verifier, extend, record_hash, verify
from graph.audit.checkpoint import check_checkpoint, checker, due, sign_checkpoint
from graph.audit.errors import AuditError, BrokenCheckpoint
from graph.audit.records import (
    GENESIS,
    AuditEntry,
    AuditFilter,
    AuditHead,
    AuditKind,
    AuditRecord,
)
from graph.audit.retention import RETENTION, cutoff

__all__ = [
    "GENESIS",
    "RETENTION",
    "AuditEntry",
    "AuditError",
    "AuditFilter",
    "AuditHead",
    "AuditKind",
    "AuditRecord",
    "BrokenCheckpoint",
    "Problem",
    "Verification",
    "Verifier",
    "check_checkpoint",
    "checker",
    "cutoff",
    "due",
    "extend",
    "record_hash",
    "sign_checkpoint",
    "verify",
]
