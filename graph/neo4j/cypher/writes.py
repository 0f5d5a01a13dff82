"""Writing entries: locking their codes, applying, creating, replacing and redacting them,
making what they link to, and the placeholders their ``DERIVED_FROM`` edges end at.

A placeholder is a ``Resource`` node with only a ``code`` (no ``snapshot``, no ``LISTED_IN``):
the source of a ``DERIVED_FROM`` edge held by no catalog here.

Every write keeps an entry's state link (`graph.neo4j.cypher.tree.STATE_LINKS`): made with its
``LISTED_IN`` when it is in a linked state, replaced when its state or catalog changes, gone
when it is redacted. A published entry, the bulk, costs nothing more than a condition on its
row. A store written before state links existed gets them once, when it opens
(`UNLINKED_ENTRIES`, `LINK_STATES` in batches, then `MARK_UPGRADED`).
"""

from __future__ import annotations

from graph.neo4j.cypher import fill
from graph.neo4j.cypher.tree import LINKED_STATES, STATE_LINKS

__all__ = [
    "APPLY_RESOURCES",
    "CREATE_RESOURCES",
    "DROP_UNUSED_PLACEHOLDERS",
    "ENSURE_CATALOGS",
    "ENSURE_LINK_ENDS",
    "ITEM_PROPERTIES",
    "LINK_STATES",
    "LOCK_RESOURCES",
    "MARK_UPGRADED",
    "REDACT_RESOURCE",
    "REFERRERS",
    "RESOURCE_PROPERTIES",
    "SOURCES_OF",
    "UNLINKED_ENTRIES",
    "UNREQUESTED_BATCH",
    "UPGRADES_DONE",
    "UPSERT_RESOURCES",
]

# Takes the write lock of each code's node (creating a placeholder when none exists), so that
# the version read next cannot change before this transaction commits. Codes come sorted, so
# two batches lock in the same order.
LOCK_RESOURCES = """
UNWIND $codes AS code
MERGE (r:Resource {code: code})
SET r.locked = true
REMOVE r.locked
WITH code, r
OPTIONAL MATCH (t:Tombstone {code: code})
RETURN code, r.version AS held, t.version AS redacted, r.state AS state,
       r.classification AS classification
"""

# The catalogs entries name as their origin, known or not: an unknown one is named by its id
# until `put_catalogs` names it.
ENSURE_CATALOGS = """
UNWIND $catalogs AS row
MERGE (c:Catalog {id: row.id})
ON CREATE SET c.region_code = row.region_code, c.zone = row.zone, c.name = row.name,
              c.level = row.level, c.parent_id = row.parent_id
WITH c
CALL (c) {
  MATCH (parent:Catalog {id: c.parent_id})
  MERGE (c)-[:PART_OF]->(parent)
}
CALL (c) {
  MATCH (child:Catalog {parent_id: c.id})
  MERGE (child)-[:PART_OF]->(c)
}
"""

# What a batch of entries links to besides their catalogs — providers (with the region each
# belongs to), categories, themes — each made once for the batch, so that writing the entries
# only looks them up.
ENSURE_LINK_ENDS = """
CALL () {
  UNWIND $providers AS row
  MERGE (d:Department {code: row.code})
  ON CREATE SET d.name = row.name, d.region_code = row.region_code, d.leads = []
  WITH d
  WHERE NOT EXISTS { (d)-[:BELONGS_TO]->(:Region) }
  MATCH (g:Region {code: d.region_code})
  MERGE (d)-[:BELONGS_TO]->(g)
}
CALL () {
  UNWIND $categories AS row
  MERGE (k:Category {code: row.code})
  ON CREATE SET k.parent_code = row.parent_code
}
CALL () {
  UNWIND $themes AS name
  MERGE (:Theme {name: name})
}
"""

# The properties of a Resource node (`graph.neo4j.rows.resource_row`'s ``props``) and of a
# DataItem node, named one by one where a new node gets them: a map (``SET r = row.props``)
# writes "some property", and the planner must then keep every later read of any property
# apart from it (an Eager barrier per subquery).
RESOURCE_PROPERTIES = (
    "code",
    "version",
    "name",
    "summary",
    "provider_code",
    "kind",
    "share_type",
    "share_modes",
    "themes",
    "update_cycle",
    "open_to_public",
    "classification",
    "state",
    "catalog_id",
    "region_code",
    "level",
    "snapshot",
    "category_code",
    "derived_from",
    "items_digest",
    "related_text",
    "search_name",
    "search_body",
    "search_pinyin",
    "search_initials",
    "search_words",
    "search_runs",
    "search_version",
)
ITEM_PROPERTIES = ("name", "data_type", "length", "is_base_item", "share_type", "position")

_SET_NEW_RESOURCE = fill(
    "SET {assignments}",
    assignments=", ".join(f"r.{p} = row.props.{p}" for p in RESOURCE_PROPERTIES),
)
# The outer braces are the map's; `fill` puts the properties inside them.
_NEW_ITEM = fill(
    "i:DataItem {{properties}}",
    properties=", ".join(f"{p}: item.{p}" for p in ITEM_PROPERTIES),
)

# The state link of `r`, in the state `{state_of}`, to its catalog `c` (none when published).
# Writes name the row's state, not the node's: reading a property the statement writes would
# keep the planner from running the rows through at once.
_LINK_STATE = "\n".join(
    fill(
        "FOREACH (_ IN CASE WHEN {state_of} = '{state}' THEN [1] ELSE [] END | "
        "CREATE (r)-[:{link}]->(c))",
        state=state,
        link=link,
    )
    for state, link in zip(LINKED_STATES, STATE_LINKS, strict=True)
)
# Every state link of `r` (at most one), and the states that have one, as Cypher.
_ANY_STATE_LINK = "|".join(STATE_LINKS)
_LINKED_STATES = fill(
    "[{states}]", states=", ".join(fill("'{state}'", state=state) for state in LINKED_STATES)
)

# Write entries: their nodes, relationships and items from the rows built by
# `graph.neo4j.rows.resource_row`, once `ENSURE_CATALOGS` and `ENSURE_LINK_ENDS` made what they
# link to. `APPLY_RESOURCES` takes a batch in one statement: it locks each row's code (MERGE on
# the unique code creates the node under the constraint's lock, and a write ON MATCH takes the
# lock of a node already there), reads the newest version the code held or was redacted at,
# and writes at once the rows that win on a code holding no entry (a new node or a
# placeholder: nothing to clear). It answers, per code, that newest version, whether the code
# holds an entry and from which origin: the caller decides the outcomes and replaces the held
# winners of the same origin with `UPSERT_RESOURCES`. Rows come with distinct codes.
_LINK_RESOURCE = fill(
    """
CALL (r, row) {
  MATCH (c:Catalog {id: row.catalog_id})
  CREATE (r)-[:LISTED_IN]->(c)
  {link_state}
}
CALL (r, row) {
  MATCH (d:Department {code: row.provider.code})
  CREATE (d)-[:PROVIDES]->(r)
}
CALL (r, row) {
  MATCH (k:Category {code: row.category.code})
  CREATE (r)-[:FILED_UNDER]->(k)
}
CALL (r, row) {
  UNWIND row.themes AS name
  MATCH (t:Theme {name: name})
  CREATE (r)-[:ABOUT]->(t)
}
CALL (r, row) {
  UNWIND row.items AS item
  CREATE (r)-[:HAS_ITEM]->({new_item})
}
CALL (r, row) {
  UNWIND row.derived_from AS source_code
  MERGE (s:Resource {code: source_code})
  CREATE (r)-[:DERIVED_FROM]->(s)
}
""",
    link_state=fill(_LINK_STATE, state_of="row.props.state"),
    new_item=_NEW_ITEM,
)


# How many share requests this store holds for the entry (`graph.sharing`): a search's
# tie-breaker (graph.search.query.ranking), kept on the node so that ranking reads no other
# node; counted again wherever the node's properties are replaced, and by `TALLY_REQUESTS`
# when a request is made. Only an entry ever requested carries it (`requested`: none is 0),
# so that the index on it holds the few a search ranks apart — with every entry at 0 in it,
# Neo4j read the requested ones of a search by scanning every published entry (1.2 s at 1M).
def requested(code: str) -> str:
    """The expression of the entry `code`'s count of share requests: null for none."""
    return (
        f"[n IN [COUNT {{ MATCH (q:ShareRequest {{resource_code: {code}}}) "
        "WHERE q.snapshot IS NOT NULL }] WHERE n > 0][0]"
    )


_PUBLISHED_LABEL = fill(
    """
REMOVE r:Published
FOREACH (_ IN CASE WHEN row.props.state = 'PUBLISHED' THEN [1] ELSE [] END | SET r:Published)
SET r.requested = {requested}
""",
    requested=requested("r.code"),
)

APPLY_RESOURCES = fill(
    """
UNWIND $rows AS row
MERGE (r:Resource {code: row.code})
ON MATCH SET r.locked = true
REMOVE r.locked
WITH r, row
OPTIONAL MATCH (t:Tombstone {code: row.code})
WITH r, row, r.snapshot IS NOT NULL AS held,
     CASE WHEN coalesce(t.version, 0) > coalesce(r.version, 0)
          THEN t.version ELSE coalesce(r.version, 0) END AS newest
WITH r, row, held, newest, coalesce(r.catalog_id, '') AS origin,
     CASE WHEN held THEN [r.state, r.classification] ELSE [] END AS before,
     CASE WHEN held AND r.version = row.props.version THEN r.snapshot ELSE '' END AS same
CALL (r, row, held, newest) {
  WITH r, row
  WHERE NOT held AND row.props.version > newest
  {set_new_resource}{published_label}
  WITH r, row
{link_resource}
}
RETURN collect(row.code) AS codes, collect(newest) AS newest, collect(held) AS held,
       collect(origin) AS origins, collect(before) AS before, collect(same) AS same
""",
    set_new_resource=_SET_NEW_RESOURCE,
    published_label=_PUBLISHED_LABEL,
    link_resource=_LINK_RESOURCE,
)

# The shared entries that name each of `$codes`, derived from it or related to it (the
# referrers a change of its clearance re-sends: graph.versions). `related_text` is
# ``|code|code|``, found through its text index.
REFERRERS = """
UNWIND $codes AS code
CALL (code) {
  MATCH (b:Resource)-[:DERIVED_FROM]->(:Resource {code: code})
  WHERE b.state IN ['PUBLISHED', 'RETIRED']
  RETURN b.code AS referrer
  UNION
  MATCH (b:Resource)
  WHERE b.related_text CONTAINS '|' + code + '|' AND b.state IN ['PUBLISHED', 'RETIRED']
  RETURN b.code AS referrer
}
WITH code, referrer ORDER BY referrer
RETURN code, collect(referrer) AS referrers
"""

# A code `LOCK_RESOURCES` found holding no entry, written by `save`.
CREATE_RESOURCES = fill(
    """
UNWIND $rows AS row
MATCH (r:Resource {code: row.code})
SET r = row.props
{published_label}
WITH r, row
{link_resource}""",
    published_label=_PUBLISHED_LABEL,
    link_resource=_LINK_RESOURCE,
)

# Replace held entries (locked) with newer rows, once `ENSURE_LINK_ENDS` made what they link
# to. Only the relationships whose ends changed are replaced — each kind is compared on the
# node's properties before they are overwritten (a property missing, as on nodes written before
# it existed, counts as changed) — so an update that edits text leaves the entry's edges and
# items alone, and one that changes its state only its state link. Answers the codes the
# replaced entries were derived from, which may have become unused placeholders.
UPSERT_RESOURCES = fill(
    """
UNWIND $rows AS row
MATCH (r:Resource {code: row.code})
WITH r, row,
     r.catalog_id IS NULL OR r.catalog_id <> row.catalog_id AS relisted,
     r.state IS NULL OR r.state <> row.props.state AS restated,
     r.provider_code IS NULL OR r.provider_code <> row.provider.code AS reprovided,
     r.category_code IS NULL OR r.category_code <> row.category.code AS refiled,
     r.themes IS NULL OR r.themes <> row.themes AS rethemed,
     r.items_digest IS NULL OR r.items_digest <> row.props.items_digest AS reitemed,
     r.derived_from IS NULL OR r.derived_from <> row.derived_from AS rederived
WITH r, row, relisted, restated, reprovided, refiled, rethemed, reitemed, rederived,
     CASE WHEN rederived THEN COLLECT { MATCH (r)-[:DERIVED_FROM]->(s) RETURN s.code }
          ELSE [] END AS old_sources
SET r = row.props
{published_label}
WITH r, row, relisted, restated, reprovided, refiled, rethemed, reitemed, rederived,
     old_sources
CALL (r, row, relisted) {
  WITH r, row
  WHERE relisted
  CALL (r) {
    OPTIONAL MATCH (r)-[old:LISTED_IN]->()
    DELETE old
  }
  MATCH (c:Catalog {id: row.catalog_id})
  CREATE (r)-[:LISTED_IN]->(c)
}
CALL (r, row, relisted, restated) {
  WITH r, row
  WHERE relisted OR restated
  CALL (r) {
    OPTIONAL MATCH (r)-[old:{any_state_link}]->()
    DELETE old
  }
  WITH r, row
  WHERE row.props.state IN {linked_states}
  MATCH (c:Catalog {id: row.catalog_id})
  {link_state}
}
CALL (r, row, reprovided) {
  WITH r, row
  WHERE reprovided
  CALL (r) {
    OPTIONAL MATCH (r)<-[old:PROVIDES]-()
    DELETE old
  }
  MATCH (d:Department {code: row.provider.code})
  CREATE (d)-[:PROVIDES]->(r)
}
CALL (r, row, refiled) {
  WITH r, row
  WHERE refiled
  CALL (r) {
    OPTIONAL MATCH (r)-[old:FILED_UNDER]->()
    DELETE old
  }
  MATCH (k:Category {code: row.category.code})
  CREATE (r)-[:FILED_UNDER]->(k)
}
CALL (r, row, rethemed) {
  WITH r, row
  WHERE rethemed
  CALL (r) {
    OPTIONAL MATCH (r)-[old:ABOUT]->()
    DELETE old
  }
  UNWIND row.themes AS name
  MATCH (t:Theme {name: name})
  CREATE (r)-[:ABOUT]->(t)
}
CALL (r, row, reitemed) {
  WITH r, row
  WHERE reitemed
  CALL (r) {
    OPTIONAL MATCH (r)-[:HAS_ITEM]->(item:DataItem)
    DETACH DELETE item
  }
  UNWIND row.items AS item
  CREATE (r)-[:HAS_ITEM]->({new_item})
}
CALL (r, row, rederived) {
  WITH r, row
  WHERE rederived
  CALL (r) {
    OPTIONAL MATCH (r)-[old:DERIVED_FROM]->()
    DELETE old
  }
  UNWIND row.derived_from AS source_code
  MERGE (s:Resource {code: source_code})
  CREATE (r)-[:DERIVED_FROM]->(s)
}
RETURN collect(old_sources) AS old_sources
""",
    published_label=_PUBLISHED_LABEL,
    any_state_link=_ANY_STATE_LINK,
    linked_states=_LINKED_STATES,
    link_state=fill(_LINK_STATE, state_of="row.props.state"),
    new_item=_NEW_ITEM,
)

# A redacted entry's node goes; it stays as a placeholder while others are derived from it.
REDACT_RESOURCE = fill(
    """
MATCH (r:Resource {code: $code})
CALL (r) {
  OPTIONAL MATCH (r)-[:HAS_ITEM]->(item:DataItem)
  DETACH DELETE item
}
CALL (r) {
  OPTIONAL MATCH (r)-[old:LISTED_IN|{any_state_link}|ABOUT|FILED_UNDER|DERIVED_FROM]->()
  DELETE old
}
CALL (r) {
  OPTIONAL MATCH (r)<-[old:PROVIDES]-()
  DELETE old
}
SET r = {code: r.code}
REMOVE r:Published
MERGE (t:Tombstone {code: $code})
SET t.version = $version
""",
    any_state_link=_ANY_STATE_LINK,
)

# Placeholders nothing is derived from any more: the locks of a stale write, old sources.
DROP_UNUSED_PLACEHOLDERS = """
UNWIND $codes AS code
MATCH (r:Resource {code: code})
WHERE r.snapshot IS NULL AND NOT EXISTS { (r)<-[:DERIVED_FROM]-() }
DETACH DELETE r
"""

SOURCES_OF = """
UNWIND $codes AS code
MATCH (:Resource {code: code})-[:DERIVED_FROM]->(s:Resource)
RETURN collect(DISTINCT s.code) AS codes
"""

# The upgrades of a graph written by an earlier version, each once per database, at open
# (`graph.neo4j.store`): the names of those done, and the marks of those done now.
UPGRADES_DONE = "MATCH (u:Upgrade) RETURN collect(u.name) AS names"
MARK_UPGRADED = "UNWIND $names AS name MERGE (:Upgrade {name: name})"

# The upgrade to state links: the codes of the entries in a linked state without a state
# link; each batch of those linked.

UNLINKED_ENTRIES = fill(
    """
MATCH (r:Resource)
WHERE r.state IN {linked_states} AND NOT EXISTS { (r)-[:{any_state_link}]->() }
RETURN collect(r.code) AS codes
""",
    linked_states=_LINKED_STATES,
    any_state_link=_ANY_STATE_LINK,
)

# Idempotent, and safe beside writers and another store upgrading the same database: each
# entry is locked, as every write of it is, before its state is read and its state links
# replaced by the one that state calls for, to the catalog that lists it.
LINK_STATES = fill(
    """
UNWIND $codes AS code
MATCH (r:Resource {code: code})
SET r.locked = true
REMOVE r.locked
WITH r
CALL (r) {
  OPTIONAL MATCH (r)-[old:{any_state_link}]->()
  DELETE old
}
WITH r
WHERE r.snapshot IS NOT NULL AND r.state IN {linked_states}
MATCH (r)-[:LISTED_IN]->(c:Catalog)
{link_state}
""",
    any_state_link=_ANY_STATE_LINK,
    linked_states=_LINKED_STATES,
    link_state=fill(_LINK_STATE, state_of="r.state"),
)

# The upgrade to a sparse ``requested`` (`requested`): a batch of the entries written before
# it with a count of 0, theirs removed (along the index on it).
UNREQUESTED_BATCH = """
MATCH (r:Resource)
WHERE r.requested = 0
WITH r LIMIT $batch
REMOVE r.requested
RETURN count(r) AS cleared
"""
