"""Exchange formats: the catalog spreadsheet in and out, DCAT-AP 3 for harvesters, OpenLineage
run events as lineage (DESIGN "Exchange formats").
"""
