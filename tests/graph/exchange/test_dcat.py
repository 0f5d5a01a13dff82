"""The catalog as DCAT-AP 3: validated against the official DCAT-AP 3.0.0 SHACL shapes with
pyshacl (0 violations) for sample catalogs of both zones, the mapping of each element, and
references drawn only to entries the harvester may see."""

from __future__ import annotations

from pathlib import Path

import pytest
from pyshacl import validate
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, PROV, RDF

from graph import Catalog, LifecycleState, Zone
from graph.exchange.dcat import CatalogDocument, catalog_graph
from graph.sample import generate_catalog

SHAPES = Path(__file__).parent / "dcat-ap-3.0.0" / "dcat-ap-SHACL.ttl"
BASE = "http://mulu.test"
ACCESS = "http://publications.europa.eu/resource/authority/access-right/"
FREQUENCY = "http://publications.europa.eu/resource/authority/frequency/"


@pytest.fixture(scope="module")
def shapes() -> Graph:
    return Graph().parse(SHAPES)


def document(catalog_id: str, count: int = 150) -> CatalogDocument:
    sample = generate_catalog(4000, seed=2)
    catalog = sample.catalog(catalog_id)
    ids = sample.subtree(catalog_id)
    entries = [
        e
        for batch in sample.resources(500, ids)
        for e in batch
        if e.state is LifecycleState.PUBLISHED
    ][:count]
    parts = tuple(sample.catalog(i) for i in ids[1:] if any(e.origin == i for e in entries))
    visible = frozenset(e.code for e in entries)
    regions = {r.code: r.name for r in sample.regions}
    return CatalogDocument(BASE, catalog, parts, tuple(entries), visible, regions)


# rdflib's JSON-LD parser warns of its own ConjunctiveGraph.
@pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning")
@pytest.mark.parametrize("catalog_id", ["510000/intranet", "510100/extranet"])
def test_a_sample_catalog_conforms_to_the_dcat_ap_3_shapes(shapes: Graph, catalog_id: str) -> None:
    made = document(catalog_id)
    graph = catalog_graph(made)
    conforms, _, text = validate(graph, shacl_graph=shapes, inference="rdfs")
    assert conforms, text
    datasets = set(graph.subjects(RDF.type, DCAT.Dataset))
    assert len(datasets) == len(made.entries)
    # Its JSON-LD says the same.
    again = Graph().parse(data=graph.serialize(format="json-ld"), format="json-ld")
    assert len(again) == len(graph)


def test_each_element_is_mapped_as_the_design_says() -> None:
    made = document("510000/intranet")
    graph = catalog_graph(made)
    entry = next(e for e in made.entries if e.derived_from and e.themes)
    node = URIRef(f"{BASE}/dcat/dataset/{entry.code}")
    assert graph.value(node, DCTERMS.identifier) == Literal(entry.code)
    assert graph.value(node, DCTERMS.title) == Literal(entry.name, lang="zh")
    assert graph.value(node, DCTERMS.description) == Literal(entry.summary, lang="zh")
    publisher = graph.value(node, DCTERMS.publisher)
    assert graph.value(publisher, DCTERMS.identifier) == Literal(entry.provider_code)
    frequency = str(graph.value(node, DCTERMS.accrualPeriodicity))
    assert frequency.startswith(FREQUENCY)
    assert str(graph.value(node, DCTERMS.accessRights)).startswith(ACCESS)
    spatial = graph.value(node, DCTERMS.spatial)
    assert graph.value(spatial, DCTERMS.identifier) == Literal(entry.origin.split("/")[0])
    derived = {str(o) for o in graph.objects(node, PROV.wasDerivedFrom)}
    expected = {f"{BASE}/dcat/dataset/{c}" for c in entry.derived_from if c in made.visible}
    assert derived == expected
    assert graph.value(graph.value(node, DCAT.distribution), DCTERMS.format) is not None
    catalog = URIRef(f"{BASE}/dcat/catalog")
    assert (catalog, RDF.type, DCAT.Catalog) in graph
    parts = set(graph.objects(catalog, DCTERMS.hasPart))
    assert parts == {URIRef(f"{BASE}/dcat/catalog/{p.id}") for p in made.parts}
    assert parts  # the levels below list their own entries
    for part in parts:
        assert (part, RDF.type, DCAT.Catalog) in graph


def test_share_types_and_cycles_map_to_the_eu_vocabularies() -> None:
    made = document("510000/intranet", count=400)
    graph = catalog_graph(made)
    by_type = {}
    for entry in made.entries:
        node = URIRef(f"{BASE}/dcat/dataset/{entry.code}")
        by_type[(entry.share_type, entry.open_to_public)] = str(
            graph.value(node, DCTERMS.accessRights)
        ).removeprefix(ACCESS)
    assert by_type[("NONE", False)] == "NON_PUBLIC"
    assert by_type[("CONDITIONAL", False)] == "RESTRICTED"
    assert by_type[("UNCONDITIONAL", False)] == "RESTRICTED"
    assert by_type[("UNCONDITIONAL", True)] == "PUBLIC"


def test_a_reference_to_a_code_not_visible_is_left_out() -> None:
    made = document("510100/extranet")
    entry = next(e for e in made.entries if e.derived_from or e.related_codes)
    hidden = (*entry.derived_from, *entry.related_codes)
    withheld = CatalogDocument(
        BASE, made.catalog, made.parts, made.entries, made.visible - set(hidden), made.regions
    )
    text = catalog_graph(withheld).serialize(format="turtle")
    node = URIRef(f"{BASE}/dcat/dataset/{entry.code}")
    graph = catalog_graph(withheld)
    refs = set(graph.objects(node, PROV.wasDerivedFrom)) | set(
        graph.objects(node, DCTERMS.relation)
    )
    assert refs == set()
    for code in hidden:
        if code not in {e.code for e in made.entries}:  # not itself listed on the page
            assert code not in text


def test_an_extranet_catalog_holds_no_classified_entry() -> None:
    made = document("510100/extranet")
    assert made.catalog.zone is Zone.EXTRANET
    assert all(e.classification == "UNCLASSIFIED" for e in made.entries)
    assert isinstance(made.catalog, Catalog)
