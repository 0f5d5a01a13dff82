"""Share requests, objections and access details (graph.sharing).

Requests and objections are ``(:ShareRequest)`` and ``(:Objection)`` nodes with the same
properties (`graph.sharing.snapshots`: ``id``, ``resource_code``, ``party`` — the requester or
the reporter — ``provider_code``, ``state``, ``received_at`` (ISO 8601 UTC, fixed width, so it
sorts as the instants do), ``due_on`` (an ISO date; absent when no clock runs),
``due_provisional``, ``version``) and the whole value as JSON in ``snapshot``. Access details
are ``(:AccessDetails {resource_code, version, snapshot})``, one per entry — never a property
of the ``Resource`` node, so never in what a link carries.

A write locks its node first (`LOCK_…`: MERGE, then a write to it), so the version it reads
cannot change before it commits; a node MERGE created for an id not held has no ``snapshot``
and is rolled back with the transaction that refuses it. Each statement exists once per label,
filled in at import; ``{where}`` takes the `WHEN_…` conditions that apply, joined by `all_of`.
"""

from __future__ import annotations

from graph.neo4j.cypher import fill
from graph.neo4j.cypher.writes import requested

__all__ = [
    "ACCESS_BY_CODES",
    "COUNT_OBJECTIONS",
    "COUNT_SHARE_REQUESTS",
    "LOCK_ACCESS",
    "LOCK_OBJECTION",
    "LOCK_SHARE_REQUEST",
    "OBJECTIONS_BY_ID",
    "OPEN_OBJECTIONS",
    "PAGE_OBJECTIONS",
    "PAGE_SHARE_REQUESTS",
    "PUT_ACCESS",
    "SHARE_REQUESTS_BY_ID",
    "TALLY_REQUESTS",
    "WHEN_AFTER",
    "WHEN_DUE_BEFORE",
    "WHEN_PARTY",
    "WHEN_PROVIDER_CODE",
    "WHEN_PROVISIONAL",
    "WHEN_RESOURCE_CODE",
    "WHEN_STATES",
    "WRITE_OBJECTION",
    "WRITE_SHARE_REQUEST",
]

_LOCK = """
MERGE (n:{label} {id: $id})
SET n.locked = true
REMOVE n.locked
RETURN n.version AS version
"""

_WRITE = """
MATCH (n:{label} {id: $id})
SET n += $props
"""

_BY_ID = """
UNWIND $ids AS id
MATCH (n:{label} {id: id})
WHERE n.snapshot IS NOT NULL
RETURN n.id AS id, n.snapshot AS snapshot
"""

_COUNT = """
MATCH (n:{label})
WHERE n.snapshot IS NOT NULL AND {where}
RETURN count(n) AS total
"""

_PAGE = """
MATCH (n:{label})
WHERE n.snapshot IS NOT NULL AND {where}
RETURN n.snapshot AS snapshot
ORDER BY n.received_at, n.id
LIMIT $limit
"""

LOCK_SHARE_REQUEST = fill(_LOCK, label="ShareRequest")
WRITE_SHARE_REQUEST = fill(_WRITE, label="ShareRequest")
SHARE_REQUESTS_BY_ID = fill(_BY_ID, label="ShareRequest")
COUNT_SHARE_REQUESTS = fill(_COUNT, label="ShareRequest")
PAGE_SHARE_REQUESTS = fill(_PAGE, label="ShareRequest")

LOCK_OBJECTION = fill(_LOCK, label="Objection")
WRITE_OBJECTION = fill(_WRITE, label="Objection")
OBJECTIONS_BY_ID = fill(_BY_ID, label="Objection")
COUNT_OBJECTIONS = fill(_COUNT, label="Objection")
PAGE_OBJECTIONS = fill(_PAGE, label="Objection")

# The count of the entry's share requests on its node (``requested``, absent while there is
# none: `graph.neo4j.cypher.writes.requested`), once one is made: a
# search's tie-breaker (graph.search.query.ranking; graph.neo4j.cypher.writes keeps it).
TALLY_REQUESTS = fill(
    """
MATCH (r:Resource {code: $code})
SET r.requested = {requested}
""",
    requested=requested("$code"),
)

# The conditions of a list (graph.sharing.queries.Selection), one per field, on ``n``.
WHEN_RESOURCE_CODE = "n.resource_code = $resource_code"
WHEN_PARTY = "n.party = $party"
WHEN_PROVIDER_CODE = "n.provider_code = $provider_code"
WHEN_STATES = "n.state IN $states"
WHEN_DUE_BEFORE = "n.due_on < $due_before"
WHEN_PROVISIONAL = "n.due_provisional = $provisional"
WHEN_AFTER = "(n.received_at > $after_at OR (n.received_at = $after_at AND n.id > $after_id))"

OPEN_OBJECTIONS = """
UNWIND $codes AS code
MATCH (n:Objection {resource_code: code})
WHERE n.state IN $states AND n.snapshot IS NOT NULL
WITH code, n
ORDER BY n.received_at, n.id
WITH code, collect(n.snapshot)[..$limit] AS snapshots
RETURN code, snapshots
"""

LOCK_ACCESS = """
MERGE (a:AccessDetails {resource_code: $code})
SET a.locked = true
REMOVE a.locked
RETURN a.version AS version
"""

PUT_ACCESS = """
MATCH (a:AccessDetails {resource_code: $code})
SET a.version = $version, a.snapshot = $snapshot
"""

ACCESS_BY_CODES = """
UNWIND $codes AS code
MATCH (a:AccessDetails {resource_code: code})
WHERE a.snapshot IS NOT NULL
RETURN a.resource_code AS code, a.snapshot AS snapshot
"""
