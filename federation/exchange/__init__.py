"""The exchange formats at an instance (DESIGN "Exchange formats"): ``mulu import`` and
``mulu export`` of the catalog spreadsheet, the importSpreadsheet mutation, the DCAT-AP 3
catalog a harvester reads (``/dcat/catalog.ttl``, ``/dcat/catalog.jsonld``) and the
OpenLineage endpoint (``POST /api/v1/lineage``).

Each decides nothing of its own: what a spreadsheet row may be is `graph.rules` through
`graph.Cataloguing`, who may see an entry is `federation.api.identity.Viewer`, who may change
one is `graph.lifecycle`.
"""
