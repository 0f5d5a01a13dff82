"""Reference data: regions (GB/T 2260), catalogs, departments (with the themes they lead) and
categories — written whole by `put_…`, read all at once or by key.

Each read comes in two shapes: all of them, or those with the given keys looked up one by one
through the uniqueness index (``$keys IS NULL OR x IN $keys`` would scan them all).
"""

from __future__ import annotations

from graph.neo4j.cypher import fill

__all__ = [
    "ALL_CATALOGS",
    "ALL_DEPARTMENTS",
    "ALL_REGIONS",
    "CATALOGS_BY_ID",
    "CATEGORIES",
    "DEPARTMENTS_BY_CODE",
    "DEPARTMENT_NAMES",
    "PUT_CATALOGS",
    "PUT_CATEGORIES",
    "PUT_DEPARTMENTS",
    "PUT_REGIONS",
    "REGIONS_BY_CODE",
]

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

_REGION_FIELDS = "g.code AS code, g.name AS name, g.parent_code AS parent_code"
ALL_REGIONS = fill("MATCH (g:Region) RETURN {fields} ORDER BY code", fields=_REGION_FIELDS)
REGIONS_BY_CODE = fill(
    """
UNWIND $codes AS key
MATCH (g:Region {code: key})
RETURN {fields} ORDER BY code
""",
    fields=_REGION_FIELDS,
)

_CATALOG_FIELDS = """c.id AS id, c.region_code AS region_code, c.zone AS zone, c.name AS name,
       c.parent_id AS parent_id"""
ALL_CATALOGS = fill("MATCH (c:Catalog) RETURN {fields} ORDER BY id", fields=_CATALOG_FIELDS)
CATALOGS_BY_ID = fill(
    """
UNWIND $ids AS key
MATCH (c:Catalog {id: key})
RETURN {fields} ORDER BY id
""",
    fields=_CATALOG_FIELDS,
)

_DEPARTMENT_FIELDS = (
    "d.code AS code, d.name AS name, d.region_code AS region_code, d.leads AS leads"
)
ALL_DEPARTMENTS = fill(
    "MATCH (d:Department) RETURN {fields} ORDER BY code", fields=_DEPARTMENT_FIELDS
)
DEPARTMENTS_BY_CODE = fill(
    """
UNWIND $codes AS key
MATCH (d:Department {code: key})
RETURN {fields} ORDER BY code
""",
    fields=_DEPARTMENT_FIELDS,
)

CATEGORIES = """
UNWIND $codes AS code
MATCH (k:Category {code: code})
WHERE k.name IS NOT NULL
RETURN DISTINCT k.code AS code, k.name AS name
ORDER BY code
"""

DEPARTMENT_NAMES = """
UNWIND $codes AS code
MATCH (d:Department {code: code})
RETURN d.code AS code, d.name AS name
"""
