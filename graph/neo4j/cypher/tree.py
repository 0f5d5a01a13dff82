"""The catalog tree (`graph.neo4j.tree`): the catalogs with how many entries each lists, and
the entries counted per catalog, by state or by a selection."""

from __future__ import annotations

__all__ = ["CATALOGS_LISTING", "COUNT_SELECTED", "TREE_BY_STATES"]

# Every catalog, with how many entries it lists in any state.
CATALOGS_LISTING = """
MATCH (c:Catalog)
RETURN c.id AS id, c.name AS name, c.region_code AS region_code, c.zone AS zone,
       c.parent_id AS parent_id, COUNT { (c)<-[:LISTED_IN]-() } AS listed
"""

# `{selected}` is `finding.ALL_RESOURCES` or `finding.RESOURCES_ABOUT` with the filter's
# condition.
COUNT_SELECTED = """
{selected}
RETURN r.catalog_id AS id, count(r) AS n
"""

# The state-only case in one round trip: the counts of `$states` per catalog, and every
# catalog with how many entries it lists (the two statements above, joined).
TREE_BY_STATES = """
CALL () {
  MATCH (r:Resource)
  WHERE r.state IN $states AND r.catalog_id IS NOT NULL
  WITH r.catalog_id AS id, count(r) AS n
  RETURN collect([id, n]) AS counted
}
CALL () {
  MATCH (c:Catalog)
  RETURN collect({
    id: c.id, name: c.name, region_code: c.region_code, zone: c.zone,
    parent_id: c.parent_id, listed: COUNT { (c)<-[:LISTED_IN]-() }
  }) AS catalogs
}
RETURN counted, catalogs
"""
