"""The catalog tree (`graph.neo4j.tree`): the catalogs with how many entries each lists, in all
and in each state but PUBLISHED, and the entries counted per catalog by a selection.

Besides ``LISTED_IN``, an entry in a state of `LINKED_STATES` has one relationship to the same
catalog named after its state (`STATE_LINKS`: ``DRAFT_IN``, ``SUBMITTED_IN``, ``RETIRED_IN``);
a published entry, a placeholder and a redacted node have none (`graph.neo4j.cypher.writes`
keeps them so). The degree of each type on a catalog, which Neo4j keeps, is then the count of
its entries in that state.
"""

from __future__ import annotations

from graph.enums import LifecycleState
from graph.neo4j.cypher import fill

__all__ = ["CATALOGS_LISTING", "COUNT_SELECTED", "LINKED_STATES", "STATE_LINKS"]

# Every state but the one of the bulk of every catalog, and the relationship named after each.
LINKED_STATES = tuple(s.value for s in LifecycleState if s is not LifecycleState.PUBLISHED)
STATE_LINKS = tuple(f"{state}_IN" for state in LINKED_STATES)

# Every catalog, with how many entries it lists in any state and, in the order of
# `LINKED_STATES`, in each of those: degrees, not one entry read. One record holds them all:
# the driver's Python costs some 40 µs a record, whatever its size: sixty catalogs as
# sixty records cost 3 ms of the server's CPU, as one 0.5 ms.
CATALOGS_LISTING = fill(
    """
MATCH (c:Catalog)
RETURN collect({
  id: c.id, name: c.name, region_code: c.region_code, zone: c.zone, parent_id: c.parent_id,
  listed: COUNT { (c)<-[:LISTED_IN]-() }, linked: [{degrees}]
}) AS catalogs
""",
    degrees=", ".join(fill("COUNT { (c)<-[:{link}]-() }", link=link) for link in STATE_LINKS),
)

# `{selected}` is `finding.ALL_RESOURCES` or `finding.RESOURCES_ABOUT` with the filter's
# condition; the counts by catalog in one record, as above.
COUNT_SELECTED = """
{selected}
WITH r.catalog_id AS id, count(r) AS n
RETURN collect({id: id, n: n}) AS counts
"""
