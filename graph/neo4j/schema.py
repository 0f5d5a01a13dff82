"""The graph's schema: uniqueness on every natural key, range indexes on what `find` filters,
and the full-text index of search (whitespace analyzer over the tokens `graph.search.text`
made, the name's words included: `graph.neo4j.search`), with a range index on the searched
name for the entries named exactly a search's words.

`ensure_schema` creates what is missing (``IF NOT EXISTS``, so two instances opening one
database at once do no harm), drops what an earlier version made and no longer uses
(`OBSOLETE`), and waits until every index is ONLINE before the store serves.
"""

from __future__ import annotations

from neo4j import AsyncManagedTransaction, AsyncSession
from neo4j.exceptions import ClientError

__all__ = ["FULLTEXT_INDEX", "OBSOLETE", "SCHEMA", "ensure_schema"]

FULLTEXT_INDEX = "resource_fulltext"
# The properties each paired with `state` in an index (below).
_PAIRED_WITH_STATE = (
    "catalog_id",
    "region_code",
    "level",
    "provider_code",
    "share_type",
    "update_cycle",
    "kind",
    "open_to_public",
)
# Indexes of earlier versions: the ``cjk`` full-text index over name and summary; the
# whitespace one without the name's words; the (state, …) indexes without the code at their end.
OBSOLETE = (
    "resource_text",
    "resource_search",
    *(f"resource_state_{prop}" for prop in _PAIRED_WITH_STATE),
    "resource_state_share_type_region",
)

# name → statement; the names are what SHOW INDEXES / SHOW CONSTRAINTS list.
SCHEMA: dict[str, str] = {
    "resource_code": "CREATE CONSTRAINT resource_code IF NOT EXISTS "
    "FOR (r:Resource) REQUIRE r.code IS UNIQUE",
    "department_code": "CREATE CONSTRAINT department_code IF NOT EXISTS "
    "FOR (d:Department) REQUIRE d.code IS UNIQUE",
    "region_code": "CREATE CONSTRAINT region_code IF NOT EXISTS "
    "FOR (g:Region) REQUIRE g.code IS UNIQUE",
    "catalog_id": "CREATE CONSTRAINT catalog_id IF NOT EXISTS "
    "FOR (c:Catalog) REQUIRE c.id IS UNIQUE",
    "category_code": "CREATE CONSTRAINT category_code IF NOT EXISTS "
    "FOR (k:Category) REQUIRE k.code IS UNIQUE",
    "theme_name": "CREATE CONSTRAINT theme_name IF NOT EXISTS "
    "FOR (t:Theme) REQUIRE t.name IS UNIQUE",
    # Project catalogs (graph.neo4j.projects).
    "project_id": "CREATE CONSTRAINT project_id IF NOT EXISTS "
    "FOR (p:Project) REQUIRE p.id IS UNIQUE",
    # OpenLineage datasets mapped to entries (graph.neo4j.datasets).
    "dataset_mapping_key": "CREATE CONSTRAINT dataset_mapping_key IF NOT EXISTS "
    "FOR (m:DatasetMapping) REQUIRE (m.namespace, m.name) IS UNIQUE",
    "tombstone_code": "CREATE CONSTRAINT tombstone_code IF NOT EXISTS "
    "FOR (t:Tombstone) REQUIRE t.code IS UNIQUE",
    # The upgrades of the data done once per database (graph.neo4j.store: the state links).
    "upgrade_name": "CREATE CONSTRAINT upgrade_name IF NOT EXISTS "
    "FOR (u:Upgrade) REQUIRE u.name IS UNIQUE",
    # The outbox (graph.outbox): records by position, the sequence, relays and their marks.
    "outbox_position": "CREATE CONSTRAINT outbox_position IF NOT EXISTS "
    "FOR (o:OutboxRecord) REQUIRE o.position IS UNIQUE",
    "outbox_sequence_name": "CREATE CONSTRAINT outbox_sequence_name IF NOT EXISTS "
    "FOR (s:OutboxSequence) REQUIRE s.name IS UNIQUE",
    # The last code allocated per 前段码 and zone (graph.neo4j.sequences).
    "code_sequence_first": "CREATE CONSTRAINT code_sequence_first IF NOT EXISTS "
    "FOR (s:CodeSequence) REQUIRE s.first IS UNIQUE",
    "outbox_consumer_name": "CREATE CONSTRAINT outbox_consumer_name IF NOT EXISTS "
    "FOR (c:OutboxConsumer) REQUIRE c.name IS UNIQUE",
    "outbox_mark_id": "CREATE CONSTRAINT outbox_mark_id IF NOT EXISTS "
    "FOR (m:OutboxMark) REQUIRE m.id IS UNIQUE",
    "outbox_seed_name": "CREATE CONSTRAINT outbox_seed_name IF NOT EXISTS "
    "FOR (s:OutboxSeed) REQUIRE s.name IS UNIQUE",
    # The audit log (graph.audit): records by seq (one chain: no seq twice), the head, the
    # instants prunes and filters seek, who acted and on what; role grants by subject.
    "audit_record_seq": "CREATE CONSTRAINT audit_record_seq IF NOT EXISTS "
    "FOR (a:AuditRecord) REQUIRE a.seq IS UNIQUE",
    "audit_head_name": "CREATE CONSTRAINT audit_head_name IF NOT EXISTS "
    "FOR (h:AuditHead) REQUIRE h.name IS UNIQUE",
    "audit_record_at": "CREATE INDEX audit_record_at IF NOT EXISTS FOR (a:AuditRecord) ON (a.at)",
    "audit_record_actor": "CREATE INDEX audit_record_actor IF NOT EXISTS "
    "FOR (a:AuditRecord) ON (a.actor)",
    "audit_record_subject": "CREATE INDEX audit_record_subject IF NOT EXISTS "
    "FOR (a:AuditRecord) ON (a.subject)",
    "grantee_subject": "CREATE CONSTRAINT grantee_subject IF NOT EXISTS "
    "FOR (g:Grantee) REQUIRE g.subject IS UNIQUE",
    # Share requests, objections (graph.sharing): by id, and each property a list selects
    # or orders by; access details by their entry's code.
    "share_request_id": "CREATE CONSTRAINT share_request_id IF NOT EXISTS "
    "FOR (s:ShareRequest) REQUIRE s.id IS UNIQUE",
    "objection_id": "CREATE CONSTRAINT objection_id IF NOT EXISTS "
    "FOR (o:Objection) REQUIRE o.id IS UNIQUE",
    "access_details_code": "CREATE CONSTRAINT access_details_code IF NOT EXISTS "
    "FOR (a:AccessDetails) REQUIRE a.resource_code IS UNIQUE",
    "data_update_id": "CREATE CONSTRAINT data_update_id IF NOT EXISTS "
    "FOR (u:DataUpdate) REQUIRE u.id IS UNIQUE",
    "data_update_code": "CREATE INDEX data_update_code IF NOT EXISTS "
    "FOR (u:DataUpdate) ON (u.resource_code, u.updated_on)",
    **{
        f"{name}_{prop}": f"CREATE INDEX {name}_{prop} IF NOT EXISTS FOR (n:{label}) ON (n.{prop})"
        for name, label in (("share_request", "ShareRequest"), ("objection", "Objection"))
        for prop in ("resource_code", "party", "provider_code", "state", "received_at", "due_on")
    },
    "outbox_urgent_position": "CREATE INDEX outbox_urgent_position IF NOT EXISTS "
    "FOR (o:Urgent) ON (o.position)",
    # Who names an entry (cypher.writes.REFERRERS): `CONTAINS '|code|'` through a trigram index.
    "resource_related_text": "CREATE TEXT INDEX resource_related_text IF NOT EXISTS "
    "FOR (r:Resource) ON (r.related_text)",
    **{
        f"resource_{prop}": f"CREATE INDEX resource_{prop} IF NOT EXISTS "
        f"FOR (r:Resource) ON (r.{prop})"
        for prop in (
            "state",
            "share_type",
            "update_cycle",
            "provider_code",
            "kind",
            "open_to_public",
            "level",
            "region_code",
            "catalog_id",
            # the entries ever requested (graph.neo4j.search: ranked apart when a search
            # walks the code index)
            "requested",
        )
    },
    # `state` is in almost every filter (PUBLISHED by default): paired with each other
    # filtered property, one index seek finds exactly the entries both select; the code at
    # the end gives a page in code order from the index, without reading a node's code
    # (a seek names every property: `cypher.finding.WHERE_CODED`).
    **{
        f"resource_state_{prop}_code": f"CREATE INDEX resource_state_{prop}_code IF NOT EXISTS "
        f"FOR (r:Resource) ON (r.state, r.{prop}, r.code)"
        for prop in _PAIRED_WITH_STATE
    },
    # Region is a prefix (``STARTS WITH``), so it must come last to be sought, after equalities:
    # a region's entries of one share type — the commonest pair of filters — in one seek
    # without reading a node, which is what counting them needs.
    "resource_state_share_type_region_code": "CREATE INDEX "
    "resource_state_share_type_region_code IF NOT EXISTS "
    "FOR (r:Resource) ON (r.state, r.share_type, r.region_code, r.code)",
    "department_region": "CREATE INDEX department_region IF NOT EXISTS "
    "FOR (d:Department) ON (d.region_code)",
    "region_parent": "CREATE INDEX region_parent IF NOT EXISTS FOR (g:Region) ON (g.parent_code)",
    "catalog_parent": "CREATE INDEX catalog_parent IF NOT EXISTS FOR (c:Catalog) ON (c.parent_id)",
    "category_parent": "CREATE INDEX category_parent IF NOT EXISTS "
    "FOR (k:Category) ON (k.parent_code)",
    # The name's words are indexed too, as a field apart (graph.neo4j.search): a search of one
    # word finds the entries having it as a whole word of their name — a tier of its ranking —
    # from Lucene, not by reading every name hit.
    FULLTEXT_INDEX: f"CREATE FULLTEXT INDEX {FULLTEXT_INDEX} IF NOT EXISTS "
    "FOR (r:Resource) ON EACH "
    "[r.search_name, r.search_body, r.search_pinyin, r.search_initials, r.search_words] "
    "OPTIONS {indexConfig: {`fulltext.analyzer`: 'whitespace'}}",
    # The entries named exactly the words of a search (the top tier of its ranking): sought.
    "resource_search_name": "CREATE INDEX resource_search_name IF NOT EXISTS "
    "FOR (r:Resource) ON (r.search_name)",
}

_EXISTING = """
SHOW INDEXES YIELD name
RETURN collect(name) AS names
"""

_AWAIT = "CALL db.awaitIndexes($seconds)"


async def _existing(tx: AsyncManagedTransaction) -> set[str]:
    record = await (await tx.run(_EXISTING)).single(strict=True)
    return set(record["names"])


async def ensure_schema(session: AsyncSession, timeout_seconds: int = 300) -> None:
    """Create the constraints and indexes not there yet, then wait for all to be ONLINE."""
    existing = await session.execute_read(_existing)
    for name in OBSOLETE:
        if name in existing:
            await session.execute_write(_run, f"DROP INDEX {name} IF EXISTS")
    for name, statement in SCHEMA.items():
        if name not in existing:
            # Schema changes cannot share a transaction with other schema or data writes.
            try:
                await session.execute_write(_run, statement)
            except ClientError as exc:
                # Another store opening the same database at the same moment created it.
                if "AlreadyExists" not in (exc.code or ""):
                    raise
    await session.execute_read(_run, _AWAIT, {"seconds": timeout_seconds})


async def _run(
    tx: AsyncManagedTransaction, statement: str, params: dict[str, object] | None = None
) -> None:
    await (await tx.run(statement, params or {})).consume()
