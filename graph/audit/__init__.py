"""Audit (审计): an append-only, hash-chained log of who did what, in the instance's store.

The place of issue 14's audit log; nothing is built here yet. What it will hold, as DESIGN
"Identity, roles and audit" sets it out: every change, lifecycle step, link crossing, guard
refusal (today `sync.security.SecurityEvent`), read of conditional access details, failed
authentication or authorisation and administrator action is a record written in the
transaction of what it records; each record carries the hash of the one before it, checkpoints
are signed with the instance key, and verifying finds the first broken record. Kept 15 years
(Chengdu 第二十六条) unless configured longer. Read by the auditor role only (GB/T 39477:
administrator and auditor are never one person).
"""
