"""Every Cypher statement of the Neo4j store, as named constants with ``$params``.

A `Resource` node holds the filterable properties of an entry and, in ``snapshot``, the whole
entry as JSON; a published one is also labelled ``Published``. A node with only a ``code`` (no
``snapshot``, no ``LISTED_IN``) is a *placeholder*: the source of a ``DERIVED_FROM`` edge held
by no catalog here. Every read excludes placeholders (they have no ``state`` and no
``snapshot``).

Some templates take a part that cannot be a parameter, put in by `fill` from validated values
only: a ``{where}`` condition joined from the constant ``WHERE_…`` fragments below (by
`graph.neo4j.filters`), a ``{selected}`` head made of one of the selections and such a
condition, and the hop bound of a variable-length lineage pattern (a checked whole number).
"""

from __future__ import annotations


def fill(template: str, **parts: str) -> str:
    """`template` with each ``{name}`` replaced by ``parts[name]`` (Cypher's own braces kept)."""
    for name, part in parts.items():
        template = template.replace("{" + name + "}", part)
    return template


# -- connectivity, erasing -----------------------------------------------------------------

PING = "RETURN 1 AS ok"

# Relationships first, then nodes: a transaction then holds at most `$batch` of either, however
# dense a node (a catalog lists every entry of it) may be.
ERASE_RELATIONSHIPS = """
MATCH ()-[r]->()
WITH r LIMIT $batch
DELETE r
RETURN count(*) AS deleted
"""

ERASE_NODES = """
MATCH (n)
WITH n LIMIT $batch
DETACH DELETE n
RETURN count(*) AS deleted
"""

# -- reference data --------------------------------------------------------------------------

PUT_REGIONS = """
UNWIND $regions AS row
MERGE (g:Region {code: row.code})
SET g.name = row.name, g.parent_code = row.parent_code
WITH g, row
CALL (g, row) {
  OPTIONAL MATCH (g)-[old:PART_OF]->(:Region)
  DELETE old
}
CALL (g, row) {
  MATCH (parent:Region {code: row.parent_code})
  MERGE (g)-[:PART_OF]->(parent)
}
CALL (g) {
  MATCH (child:Region {parent_code: g.code})
  MERGE (child)-[:PART_OF]->(g)
}
CALL (g) {
  MATCH (d:Department {region_code: g.code})
  MERGE (d)-[:BELONGS_TO]->(g)
}
"""

PUT_CATALOGS = """
UNWIND $catalogs AS row
MERGE (c:Catalog {id: row.id})
SET c.region_code = row.region_code, c.zone = row.zone, c.name = row.name,
    c.level = row.level, c.parent_id = row.parent_id
WITH c, row
CALL (c) {
  OPTIONAL MATCH (c)-[old:PART_OF]->(:Catalog)
  DELETE old
}
CALL (c, row) {
  MATCH (parent:Catalog {id: row.parent_id})
  MERGE (c)-[:PART_OF]->(parent)
}
CALL (c) {
  MATCH (child:Catalog {parent_id: c.id})
  MERGE (child)-[:PART_OF]->(c)
}
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
CALL {
  UNWIND $providers AS row
  MERGE (d:Department {code: row.code})
  ON CREATE SET d.name = row.name, d.region_code = row.region_code, d.leads = []
  WITH d
  WHERE NOT EXISTS { (d)-[:BELONGS_TO]->(:Region) }
  MATCH (g:Region {code: d.region_code})
  MERGE (d)-[:BELONGS_TO]->(g)
}
CALL {
  UNWIND $categories AS row
  MERGE (k:Category {code: row.code})
  ON CREATE SET k.parent_code = row.parent_code
}
CALL {
  UNWIND $themes AS name
  MERGE (:Theme {name: name})
}
"""

PUT_DEPARTMENTS = """
UNWIND $departments AS row
MERGE (d:Department {code: row.code})
SET d.name = row.name, d.region_code = row.region_code, d.leads = row.leads
WITH d, row
CALL (d) {
  OPTIONAL MATCH (d)-[old:BELONGS_TO|LEADS]->()
  DELETE old
}
CALL (d, row) {
  MATCH (g:Region {code: row.region_code})
  MERGE (d)-[:BELONGS_TO]->(g)
}
CALL (d, row) {
  UNWIND row.led_themes AS name
  MERGE (t:Theme {name: name})
  MERGE (d)-[:LEADS]->(t)
}
"""

PUT_CATEGORIES = """
UNWIND $categories AS row
MERGE (k:Category {code: row.code})
SET k.name = row.name, k.parent_code = row.parent_code
WITH k, row
CALL (k, row) {
  MATCH (parent:Category {code: row.parent_code})
  MERGE (k)-[:PART_OF]->(parent)
}
CALL (k) {
  MATCH (child:Category {parent_code: k.code})
  MERGE (child)-[:PART_OF]->(k)
}
"""

# Each reference read comes in two shapes: all of them, or those with the given keys looked up
# one by one through the uniqueness index ("$keys IS NULL OR x IN $keys" would scan them all).
_REGION_FIELDS = "g.code AS code, g.name AS name, g.parent_code AS parent_code"
ALL_REGIONS = f"MATCH (g:Region) RETURN {_REGION_FIELDS} ORDER BY code"
REGIONS_BY_CODE = f"""
UNWIND $codes AS key
MATCH (g:Region {{code: key}})
RETURN {_REGION_FIELDS} ORDER BY code
"""

_CATALOG_FIELDS = """c.id AS id, c.region_code AS region_code, c.zone AS zone, c.name AS name,
       c.parent_id AS parent_id"""
ALL_CATALOGS = f"MATCH (c:Catalog) RETURN {_CATALOG_FIELDS} ORDER BY id"
CATALOGS_BY_ID = f"""
UNWIND $ids AS key
MATCH (c:Catalog {{id: key}})
RETURN {_CATALOG_FIELDS} ORDER BY id
"""

_DEPARTMENT_FIELDS = (
    "d.code AS code, d.name AS name, d.region_code AS region_code, d.leads AS leads"
)
ALL_DEPARTMENTS = f"MATCH (d:Department) RETURN {_DEPARTMENT_FIELDS} ORDER BY code"
DEPARTMENTS_BY_CODE = f"""
UNWIND $codes AS key
MATCH (d:Department {{code: key}})
RETURN {_DEPARTMENT_FIELDS} ORDER BY code
"""

CATEGORIES = """
UNWIND $codes AS code
MATCH (k:Category {code: code})
WHERE k.name IS NOT NULL
RETURN DISTINCT k.code AS code, k.name AS name
ORDER BY code
"""

# -- entries: writes -----------------------------------------------------------------------

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
)
ITEM_PROPERTIES = ("name", "data_type", "length", "is_base_item", "share_type", "position")

_SET_NEW_RESOURCE = "SET " + ", ".join(f"r.{p} = row.props.{p}" for p in RESOURCE_PROPERTIES)
_NEW_ITEM = "i:DataItem {" + ", ".join(f"{p}: item.{p}" for p in ITEM_PROPERTIES) + "}"

# Write entries: their nodes, relationships and items from the rows built by
# `graph.neo4j.rows.resource_row`, once `ENSURE_CATALOGS` and `ENSURE_LINK_ENDS` made what they
# link to. `APPLY_RESOURCES` takes a batch in one statement: it locks each row's code (MERGE on
# the unique code creates the node under the constraint's lock, and a write ON MATCH takes the
# lock of a node already there), reads the newest version the code held or was redacted at,
# and writes at once the rows that win on a code holding no entry (a new node or a
# placeholder: nothing to clear). It answers, per code, that newest version, whether the code
# holds an entry and from which origin: the caller decides the outcomes and replaces the held
# winners of the same origin with `UPSERT_RESOURCES`. Rows come with distinct codes.
_LINK_RESOURCE = (
    """
CALL (r, row) {
  MATCH (c:Catalog {id: row.catalog_id})
  CREATE (r)-[:LISTED_IN]->(c)
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
  CREATE (r)-[:HAS_ITEM]->("""
    + _NEW_ITEM
    + """)
}
CALL (r, row) {
  UNWIND row.derived_from AS source_code
  MERGE (s:Resource {code: source_code})
  CREATE (r)-[:DERIVED_FROM]->(s)
}
"""
)

_PUBLISHED_LABEL = """
REMOVE r:Published
FOREACH (_ IN CASE WHEN row.props.state = 'PUBLISHED' THEN [1] ELSE [] END | SET r:Published)
"""

APPLY_RESOURCES = (
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
CALL (r, row, held, newest) {
  WITH r, row
  WHERE NOT held AND row.props.version > newest
  """
    + _SET_NEW_RESOURCE
    + _PUBLISHED_LABEL
    + """
  WITH r, row
"""
    + _LINK_RESOURCE
    + """
}
RETURN collect(row.code) AS codes, collect(newest) AS newest, collect(held) AS held,
       collect(coalesce(r.catalog_id, '')) AS origins,
       collect(CASE WHEN held THEN [r.state, r.classification] ELSE [] END) AS before,
       collect(CASE WHEN held AND r.version = row.props.version THEN r.snapshot ELSE '' END)
         AS same
"""
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
CREATE_RESOURCES = (
    """
UNWIND $rows AS row
MATCH (r:Resource {code: row.code})
SET r = row.props
"""
    + _PUBLISHED_LABEL
    + """
WITH r, row
"""
    + _LINK_RESOURCE
)

# Replace held entries (locked) with newer rows, once `ENSURE_LINK_ENDS` made what they link
# to. Only the relationships whose ends changed are replaced — each kind is compared on the
# node's properties before they are overwritten (a property missing, as on nodes written before
# it existed, counts as changed) — so an update that edits text or state leaves the entry's
# edges and items alone. Answers the codes the replaced entries were derived from, which may
# have become unused placeholders.
UPSERT_RESOURCES = (
    """
UNWIND $rows AS row
MATCH (r:Resource {code: row.code})
WITH r, row,
     r.catalog_id IS NULL OR r.catalog_id <> row.catalog_id AS relisted,
     r.provider_code IS NULL OR r.provider_code <> row.provider.code AS reprovided,
     r.category_code IS NULL OR r.category_code <> row.category.code AS refiled,
     r.themes IS NULL OR r.themes <> row.themes AS rethemed,
     r.items_digest IS NULL OR r.items_digest <> row.props.items_digest AS reitemed,
     r.derived_from IS NULL OR r.derived_from <> row.derived_from AS rederived
WITH r, row, relisted, reprovided, refiled, rethemed, reitemed, rederived,
     CASE WHEN rederived THEN COLLECT { MATCH (r)-[:DERIVED_FROM]->(s) RETURN s.code }
          ELSE [] END AS old_sources
SET r = row.props
"""
    + _PUBLISHED_LABEL
    + """
WITH r, row, relisted, reprovided, refiled, rethemed, reitemed, rederived, old_sources
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
  CREATE (r)-[:HAS_ITEM]->("""
    + _NEW_ITEM
    + """)
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
"""
)

# A redacted entry's node goes; it stays as a placeholder while others are derived from it.
REDACT_RESOURCE = """
MATCH (r:Resource {code: $code})
CALL (r) {
  OPTIONAL MATCH (r)-[:HAS_ITEM]->(item:DataItem)
  DETACH DELETE item
}
CALL (r) {
  OPTIONAL MATCH (r)-[old:LISTED_IN|ABOUT|FILED_UNDER|DERIVED_FROM]->()
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
"""

WRITE_TOMBSTONE = """
MERGE (t:Tombstone {code: $code})
SET t.version = $version
"""

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

# -- entries: reads ------------------------------------------------------------------------

GET_MANY = """
UNWIND $codes AS code
MATCH (r:Resource {code: code})
WHERE r.snapshot IS NOT NULL
RETURN r.code AS code, r.snapshot AS snapshot
"""

ORIGINS = """
UNWIND $codes AS code
MATCH (r:Resource {code: code})
WHERE r.snapshot IS NOT NULL
RETURN collect(r.code) AS codes, collect(r.catalog_id) AS origins
"""

# Fragments of a filter condition over `r`; `graph.neo4j.filters` joins those that apply.
WHERE_LISTED = "r.state IS NOT NULL"
WHERE_STATES = "r.state IN $states"
# Published entries (what is shown outside the provider, the default) also carry a label,
# which a node's own record answers without reading its properties: cheap on search hits and
# counted by the label index; with other filters the (state, …) indexes do better.
WHERE_PUBLISHED = "r:Published"
WHERE_LEVELS = "r.level IN $levels"
WHERE_REGION = "r.region_code STARTS WITH $region_prefix"
WHERE_CATALOG = "r.catalog_id = $catalog_id"
WHERE_PROVIDER = "r.provider_code = $provider_code"
WHERE_THEME = "EXISTS { (r)-[:ABOUT]->(:Theme {name: $theme}) }"
WHERE_KINDS = "r.kind IN $kinds"
WHERE_SHARE_TYPES = "r.share_type IN $share_types"
WHERE_SHARE_MODE = "$share_mode IN r.share_modes"
WHERE_OPEN = "r.open_to_public = $open_to_public"
WHERE_UPDATE_CYCLES = "r.update_cycle IN $update_cycles"

# The ways to select entries: every entry, those about a theme, or the hits of a full-text query
# with a score.
ALL_RESOURCES = "MATCH (r:Resource) WHERE {where}"
# With a theme and no search: a theme is about a twelfth of the catalog, a cheap place to start.
RESOURCES_ABOUT = "MATCH (:Theme {name: $theme})<-[:ABOUT]-(r:Resource) WHERE {where}"
SEARCHED_RESOURCES = (
    "CALL db.index.fulltext.queryNodes('resource_text', $query) YIELD node AS r, score "
    "WHERE {where}"
)

WHERE_AFTER_CODE = "r.code > $after_code"
WHERE_AFTER_SCORE = "(score < $after_score OR (score = $after_score AND r.code > $after_code))"

# The count of a selection and of every Resource node (from the count store, placeholders
# included: an estimate's input), in one round trip.
COUNT_AMONG_NODES = """
CALL () {
  {selected}
  RETURN count(r) AS total
}
CALL () {
  MATCH (n:Resource)
  RETURN count(n) AS nodes
}
RETURN total, nodes
"""

PAGE_BY_CODE = """
{selected}
RETURN r.snapshot AS snapshot
ORDER BY r.code
LIMIT $limit
"""

# The same page read along the code index, filtering as it goes: cheaper than sorting every
# match when matches are common (`graph.neo4j.finding` decides from the counts).
PAGE_IN_CODE_ORDER = """
MATCH (r:Resource)
USING INDEX r:Resource(code)
WHERE r.code > $after_code AND {where}
RETURN r.snapshot AS snapshot
ORDER BY r.code
LIMIT $limit
"""

# The count and one page of a search in one statement, so Lucene answers once. `{where}` is the
# filter, `{after}` the cursor's condition (or ``true``).
SEARCH_PAGE = """
CALL db.index.fulltext.queryNodes('resource_text', $query) YIELD node AS r, score
WHERE {where}
WITH collect([r, score]) AS hits
CALL (hits) {
  UNWIND hits AS hit
  WITH hit[0] AS r, hit[1] AS score
  WHERE {after}
  WITH r, score
  ORDER BY score DESC, r.code
  LIMIT $limit
  RETURN collect([r.snapshot, score]) AS page
}
RETURN size(hits) AS total, page
"""

# One pass over the selection, grouped by what the three facets count; Python adds them up.
FACET_GROUPS = """
{selected}
RETURN r.provider_code AS provider, r.share_type AS share_type, r.themes AS themes,
       count(r) AS count
"""

DEPARTMENT_NAMES = """
UNWIND $codes AS code
MATCH (d:Department {code: code})
RETURN d.code AS code, d.name AS name
"""

# -- lineage -------------------------------------------------------------------------------

# `{hops}` is the hop bound minus one, a literal: Cypher takes no parameter there. Nodes
# nearer than the bound (`inner`) are expanded one hop; the nodes first reached by that hop lie
# at the bound, and the walk was truncated when one of them has an edge of its own in the
# walked direction. A placeholder (a code not held here) is never reached, nor a root, nor
# counted towards `truncated`; only held entries have DERIVED_FROM edges of their own, so a
# path's inner nodes are held and checking its ends is enough.
LINEAGE_UPSTREAM = """
MATCH (root:Resource {code: $code}) WHERE root.snapshot IS NOT NULL
OPTIONAL MATCH (root)-[:DERIVED_FROM*0..{hops}]->(u:Resource) WHERE u.snapshot IS NOT NULL
WITH root, collect(DISTINCT u) AS inner
CALL (inner) {
  UNWIND inner AS u
  MATCH (u)-[:DERIVED_FROM]->(v:Resource) WHERE v.snapshot IS NOT NULL
  RETURN collect(DISTINCT [u.code, v.code]) AS edges, collect(DISTINCT v) AS reached
}
WITH root, inner, edges, [v IN reached WHERE NOT v IN inner] AS boundary
RETURN [n IN inner + boundary | [n.code, n.snapshot]] AS nodes,
       [e IN edges | {derived: e[0], source: e[1]}] AS edges,
       any(b IN boundary WHERE EXISTS {
         (b)-[:DERIVED_FROM]->(w:Resource) WHERE w.snapshot IS NOT NULL
       }) AS truncated
"""

LINEAGE_DOWNSTREAM = """
MATCH (root:Resource {code: $code}) WHERE root.snapshot IS NOT NULL
OPTIONAL MATCH (root)<-[:DERIVED_FROM*0..{hops}]-(u:Resource) WHERE u.snapshot IS NOT NULL
WITH root, collect(DISTINCT u) AS inner
CALL (inner) {
  UNWIND inner AS u
  MATCH (u)<-[:DERIVED_FROM]-(v:Resource) WHERE v.snapshot IS NOT NULL
  RETURN collect(DISTINCT [v.code, u.code]) AS edges, collect(DISTINCT v) AS reached
}
WITH root, inner, edges, [v IN reached WHERE NOT v IN inner] AS boundary
RETURN [n IN inner + boundary | [n.code, n.snapshot]] AS nodes,
       [e IN edges | {derived: e[0], source: e[1]}] AS edges,
       any(b IN boundary WHERE EXISTS {
         (b)<-[:DERIVED_FROM]-(w:Resource) WHERE w.snapshot IS NOT NULL
       }) AS truncated
"""
