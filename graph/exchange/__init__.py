"""Exchange formats (DESIGN "Exchange formats"): the catalog spreadsheet in and out, DCAT-AP 3
for harvesters, OpenLineage run events as lineage.

    template     the 1272 guide's columns; an entry as cells, cells as values
    reading      xlsx and CSV (UTF-8, BOM, GBK, GB18030 detected), streamed, bounded
                 (`Limits`), the header found under a title row
    xlsx         a workbook's first sheet streamed from the zip straight into values
    records      rows grouped into entries, read into `Resource`s; a refusal placed on its
                 row and column (`Problem`)
    importing    `Importer`: drafts of the importing department through `Cataloguing`
    spill        the batches an all-or-nothing import checked, on disk until written
    writing      xlsx (write-only) and CSV writers of the same template
    exporting    the entries a filter selects, a page at a time
    dcat         `catalog_graph`: a catalog page as DCAT-AP 3 (rdflib)
    datasets     OpenLineage datasets and their mapping to entries
    openlineage  run events parsed and recorded as lineage through `Cataloguing` (a
                 published entry revised and submitted for review)
    errors       `FileRefused`, `EventRefused`

The rules this package keeps: it decides nothing a write rule decides — every entry it writes
goes through `graph.cataloguing.Cataloguing` (`graph.rules`, the rulebook, `graph.lifecycle`,
audit records and change events) — and it shows nothing the caller did not choose: what is
exported or drawn as DCAT is what the caller's filter (the API's `Viewer`) selected, and a DCAT
reference is drawn only to a code the caller says may be seen. Every input is bounded before
it is read: file size, rows, cell length, datasets per event.

(The package imports none of its modules: `graph.store` names `graph.exchange.datasets`, so
importing the importer here would make a circle through `graph.cataloguing`.)
"""
