"""The explorer: web pages at ``/`` for people who do not write GraphQL.

The place of issue 16; nothing is built here yet. What it will hold, as DESIGN "The explorer"
sets it out: browse the catalog tree, search with facets, read an entry under the 1272 guide's
Chinese labels (`graph.fields`), follow its lineage as a layered graph, statistics as charts —
every script, style sheet and font served from the package (an intranet has no internet),
GraphiQL included. The pages ask the same GraphQL endpoint and so see exactly what the API's
visibility decision (`federation.api.identity.Viewer`) lets the visitor see: no second copy of
that rule.
"""
