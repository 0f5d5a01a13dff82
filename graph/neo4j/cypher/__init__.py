"""Every Cypher statement of the Neo4j store's catalog, as named constants with ``$params``, one
module per concern:

- `database`   whether the server answers; erasing the graph
- `reference`  regions, catalogs, departments, categories: put and read
- `writes`     locking codes; applying, creating, replacing, redacting entries; what they link
               to; placeholders
- `reading`    entries by their codes
- `finding`    the filter's fragments, selections, counts, pages, search, facets
- `lineage`    the walks along ``DERIVED_FROM``

A `Resource` node holds the filterable properties of an entry and, in ``snapshot``, the whole
entry as JSON; a published one is also labelled ``Published``. A node with only a ``code`` (no
``snapshot``, no ``LISTED_IN``) is a *placeholder*: the source of a ``DERIVED_FROM`` edge held
by no catalog here. Every read excludes placeholders (they have no ``state`` and no
``snapshot``).

Some templates take a part that cannot be a parameter, put in by `fill` from validated values
only: a ``{where}`` condition joined from the constant ``WHERE_…`` fragments of `finding` (by
`graph.neo4j.filters`), a ``{selected}`` head made of one of the selections and such a
condition, and the hop bound of a variable-length lineage pattern (a checked whole number).
"""

from __future__ import annotations

__all__ = ["fill"]


def fill(template: str, **parts: str) -> str:
    """`template` with each ``{name}`` replaced by ``parts[name]`` (Cypher's own braces kept)."""
    for name, part in parts.items():
        template = template.replace("{" + name + "}", part)
    return template
