"""The Cypher statements of the Neo4j store's catalog, as named constants with ``$params``, one
module per concern:

- `database`   whether the server answers; erasing the graph
- `reference`  regions, catalogs, departments, categories: put and read
- `writes`     locking codes; applying, creating, replacing, redacting entries; what they link
               to; placeholders; the upgrade to state links
- `reading`    entries by their codes
- `finding`    the filter's fragments, selections, counts, pages, facets
- `search`     a search's count and its ranked page (graph.neo4j.search)
- `lineage`    the walks along ``DERIVED_FROM``
- `tree`       the catalog tree's counts, and the state links they are read from
- `audit`      the audit log's head, records, pages and pruning (graph.audit)
- `grants`     role grants and every role a subject ever held (graph.grants)
- `sharing`    share requests, objections and access details (graph.sharing)
- `data_updates`  the days the providers updated their entries' data (graph.sharing)

The outbox's and the code sequences' statements stay beside their transaction functions
(`graph.neo4j.outbox`, `graph.neo4j.sequences`), the schema's in `graph.neo4j.schema`: each
is complete as written and joins no fragments.

A `Resource` node holds the filterable properties of an entry and, in ``snapshot``, the whole
entry as JSON; a published one is also labelled ``Published``, one in another state is linked
to its catalog a second time, by a relationship named after its state (``DRAFT_IN``: `tree`).
A node with only a ``code`` (no ``snapshot``, no ``LISTED_IN``) is a *placeholder*: the source
of a ``DERIVED_FROM`` edge held by no catalog here. Every read excludes placeholders (they have
no ``state`` and no ``snapshot``).

Fragments are joined one way: a template names each part it takes as ``{name}``, and `fill`
puts the parts in — at import for the fixed ones (a list of fields, the shared subqueries of
the writes), at run time for those that cannot be parameters, from validated values only: a
``{where}`` condition, the ``WHERE_…`` fragments of `finding` that apply joined by `all_of`
(`graph.neo4j.filters` chooses them); a ``{selected}`` head, one of the selections with such a
condition; an ``{after}`` cursor condition; the ``{hops}`` bound of a variable-length lineage
pattern (a checked whole number). No ``+`` and no f-strings: a template reads as the statement
it makes, with Cypher's own braces (maps, subqueries) written once. Like items within a part
(fields, assignments) are listed with `str.join`.
"""

from __future__ import annotations

__all__ = ["all_of", "fill"]


def fill(template: str, **parts: str) -> str:
    """`template` with each ``{name}`` replaced by ``parts[name]`` (Cypher's own braces kept)."""
    for name, part in parts.items():
        template = template.replace("{" + name + "}", part)
    return template


def all_of(conditions: list[str]) -> str:
    """The condition that holds where each of `conditions` does (``true`` for none)."""
    return " AND ".join(conditions) or "true"
