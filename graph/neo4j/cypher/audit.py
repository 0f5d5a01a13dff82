"""The audit log (graph.audit): its head, its records, pages of them, pruning.

Records are ``(:AuditRecord {seq, kind, actor, action, subject, version_before,
version_after, detail, at, previous_hash, hash})`` nodes — ``detail`` JSON, ``at`` ISO 8601
UTC with microseconds (`graph.audit.chain.instant`), so it sorts as the instants do. The one
``(:AuditHead {name: 'audit'})`` node holds where the chain stands (``seq``, ``hash``), the
anchor (``anchor_seq``, ``anchor_hash``: the last record pruned) and ``checkpoint_seq``.

A write that records appends last, under the head's write lock (a write to the head takes
it): `APPEND_AFTER_HEAD` locks the head and, if it still is the head the caller's hashes were
computed after, creates the records and moves it, in one statement; otherwise it writes
nothing, and the caller reads the head it now holds locked (`LOCK_AUDIT_HEAD`), computes the
hashes again and writes them (`APPEND_AUDIT_RECORDS`). Either way the head is read and moved
under one lock held to the commit — so concurrent writers queue and the log stays one chain.
"""

from __future__ import annotations

from graph.neo4j.cypher import fill

__all__ = [
    "APPEND_AFTER_HEAD",
    "APPEND_AUDIT_RECORDS",
    "AUDIT_HEAD",
    "AUDIT_RECORDS",
    "AUDIT_RECORD_HASH",
    "ENSURE_AUDIT_HEAD",
    "FIRST_YOUNG_AUDIT_RECORD",
    "LOCK_AUDIT_HEAD",
    "PRUNE_AUDIT_RECORDS",
    "SET_AUDIT_ANCHOR",
]

ENSURE_AUDIT_HEAD = """
MERGE (h:AuditHead {name: 'audit'})
ON CREATE SET h.seq = 0, h.hash = $genesis, h.anchor_seq = 0, h.anchor_hash = $genesis,
              h.checkpoint_seq = 0
"""

_HEAD_FIELDS = """
RETURN h.seq AS seq, h.hash AS hash, h.anchor_seq AS anchor_seq, h.anchor_hash AS anchor_hash,
       h.checkpoint_seq AS checkpoint_seq
"""

LOCK_AUDIT_HEAD = fill(
    """
MERGE (h:AuditHead {name: 'audit'})
ON CREATE SET h.seq = 0, h.hash = $genesis, h.anchor_seq = 0, h.anchor_hash = $genesis,
              h.checkpoint_seq = 0
SET h.locked = true
REMOVE h.locked
{head_fields}""",
    head_fields=_HEAD_FIELDS,
)

AUDIT_HEAD = fill(
    """
MATCH (h:AuditHead {name: 'audit'})
{head_fields}""",
    head_fields=_HEAD_FIELDS,
)

_CREATE_RECORDS = """
UNWIND $records AS r
CREATE (:AuditRecord {seq: r.seq, kind: r.kind, actor: r.actor, action: r.action,
                      subject: r.subject, version_before: r.version_before,
                      version_after: r.version_after, detail: r.detail, at: r.at,
                      previous_hash: r.previous_hash, hash: r.hash})
"""

# The head is locked already (`LOCK_AUDIT_HEAD` in this transaction).
APPEND_AUDIT_RECORDS = fill(
    """
MATCH (h:AuditHead {name: 'audit'})
SET h.seq = $seq, h.hash = $hash, h.checkpoint_seq = $checkpoint_seq
WITH h
{create_records}""",
    create_records=_CREATE_RECORDS,
)

# Lock the head; if it is at `$after_seq` / `$after_hash`, append and move it. Answers how many
# records it wrote: 0 when the head was elsewhere (or missing).
APPEND_AFTER_HEAD = fill(
    """
CALL () {
  MATCH (h:AuditHead {name: 'audit'})
  SET h.locked = true
  REMOVE h.locked
  WITH h
  WHERE h.seq = $after_seq AND h.hash = $after_hash
  SET h.seq = $seq, h.hash = $hash, h.checkpoint_seq = $checkpoint_seq
  WITH h
  {create_records}
  RETURN count(*) AS written
}
RETURN written
""",
    create_records=_CREATE_RECORDS,
)

# A page: each condition holds unless its parameter is null.
AUDIT_RECORDS = """
MATCH (a:AuditRecord)
WHERE a.seq > $after
  AND ($kinds IS NULL OR a.kind IN $kinds)
  AND ($actor IS NULL OR a.actor = $actor)
  AND ($action IS NULL OR a.action = $action)
  AND ($subject IS NULL OR a.subject = $subject)
  AND ($since IS NULL OR a.at >= $since)
  AND ($until IS NULL OR a.at < $until)
RETURN a.seq AS seq, a.kind AS kind, a.actor AS actor, a.action AS action,
       a.subject AS subject, a.version_before AS version_before,
       a.version_after AS version_after, a.detail AS detail, a.at AS at,
       a.previous_hash AS previous_hash, a.hash AS hash
ORDER BY a.seq
LIMIT $limit
"""

# The first record, in seq order after the anchor, written at or after `$before`: the prefix
# before it is what a prune may take. Walked along seq, so it reads no more than it prunes.
FIRST_YOUNG_AUDIT_RECORD = """
MATCH (a:AuditRecord)
USING INDEX a:AuditRecord(seq)
WHERE a.seq > $anchor AND a.at >= $before
RETURN a.seq AS seq
ORDER BY a.seq
LIMIT 1
"""

AUDIT_RECORD_HASH = "MATCH (a:AuditRecord {seq: $seq}) RETURN a.hash AS hash"

SET_AUDIT_ANCHOR = """
MATCH (h:AuditHead {name: 'audit'})
SET h.anchor_seq = $seq, h.anchor_hash = $hash
"""

PRUNE_AUDIT_RECORDS = """
MATCH (a:AuditRecord)
WHERE a.seq <= $last
WITH a LIMIT $batch
DELETE a
RETURN count(*) AS deleted
"""
