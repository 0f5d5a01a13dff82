"""The instance's side of the audit log (`graph.audit` keeps it, in the instance's store).

The rules (DESIGN "Identity, roles and audit"; Chengdu 第二十六条; GB/T 39477):

1. A change is recorded by the store in the transaction of the change (`graph.store`): the
   catalog's writes and lifecycle steps (`graph.Cataloguing`), the administrator's acts
   (`federation.api.administration`), the entries a link applies (`sync.apply`).
2. What changes nothing — a refused authorisation, a peer refused, a certificate the
   instance cannot read, a guard refusal at a link — is handed to an `AuditSink`
   (`graph.audit.sink`: the instance's, and its sync worker's), which writes such records in
   batches from one task. It never blocks a request and never
   grows without bound: past `capacity` waiting records it counts what it could not keep and
   writes one record saying how many of each kind, from whom — a flood of refused calls is
   recorded as a flood and stalls no one.
3. Every `every_records` records or every hour, the `Checkpointer` signs the head of the chain
   with the instance's key (its TLS certificate's key, `graph.audit.checkpoint`); an instance
   without a certificate keeps the chain unsigned and says so at start.
4. Only the auditor reads the log (GraphQL ``auditLog``); `mulu audit verify` names the first
   broken record, `mulu audit export` writes JSON lines; nothing younger than the retention
   (15 years unless configured longer) is ever pruned.

Modules: `checkpoints` (the signing task), `cli` (``mulu audit``).
"""
