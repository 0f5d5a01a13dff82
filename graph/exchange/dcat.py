"""The catalog as DCAT-AP 3 (rdflib), for harvesters (DESIGN "Exchange formats").

    目录 (Catalog)           dcat:Catalog — dct:title, dct:description @zh, dct:publisher,
                             dct:spatial; dct:hasPart the catalogs of the levels below whose
                             entries are held here, each listing its own
    目录条目 (Resource)      dcat:Dataset — dct:identifier the resource code, dct:title and
                             dct:description @zh, dct:publisher the providing department
                             (foaf:Agent), dcat:theme its themes and its kind (skos:Concept),
                             dct:accessRights from the share type, dct:rights the share type
                             and its condition or legal basis in words, dct:accrualPeriodicity
                             from the update cycle, dct:spatial the region of its catalog,
                             dct:issued its publication date, prov:wasDerivedFrom its sources
                             (lineage), dct:relation its related entries
    格式 (format)            dcat:Distribution — dct:format the format class, dct:title the
                             concrete type, dcat:accessURL where it is asked for

Share types against the EU access-right vocabulary: 不予共享 NON_PUBLIC, 有条件共享
RESTRICTED, 无条件共享 PUBLIC when the entry is open to the public (开放属性) and RESTRICTED
otherwise (shared unconditionally among government departments is not public). Update cycles
against the EU frequency vocabulary: 实时 CONT, 每日 DAILY, 每周 WEEKLY, 每月 MONTHLY, 每季度
QUARTERLY, 每年 ANNUAL.

This module draws what it is given: the caller decides which entries a harvester may see, and
passes in `visible` the codes of other entries a reference may name — a reference to any
other code is left out, so a harvester never learns the code of an entry it may not see.

    graph = catalog_graph(CatalogDocument(base, catalog, parts, entries, visible, regions))
    graph.serialize(format="turtle")
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from urllib.parse import quote

from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, PROV, RDF, RDFS, SKOS, XSD

from graph.enums import LABELS_ZH, ResourceKind, ShareType, UpdateCycle
from graph.model import Catalog, Resource

__all__ = ["CatalogDocument", "PageLinks", "catalog_graph"]

HYDRA = Namespace("http://www.w3.org/ns/hydra/core#")
_ACCESS = Namespace("http://publications.europa.eu/resource/authority/access-right/")
_FREQUENCY = Namespace("http://publications.europa.eu/resource/authority/frequency/")

_FREQUENCIES: Mapping[UpdateCycle, str] = {
    UpdateCycle.REALTIME: "CONT",
    UpdateCycle.DAILY: "DAILY",
    UpdateCycle.WEEKLY: "WEEKLY",
    UpdateCycle.MONTHLY: "MONTHLY",
    UpdateCycle.QUARTERLY: "QUARTERLY",
    UpdateCycle.YEARLY: "ANNUAL",
}
_KINDS: Mapping[ResourceKind, str] = {
    ResourceKind.BASE: "基础信息资源",
    ResourceKind.THEME: "主题信息资源",
    ResourceKind.DEPARTMENT: "部门信息资源",
}


@dataclass(frozen=True, slots=True)
class PageLinks:
    """Where this page of a large catalog sits: its own IRI, the first and the next page."""

    this: str
    first: str
    next: str | None
    total: int


@dataclass(frozen=True, slots=True)
class CatalogDocument:
    """What one document shows: the instance's `catalog` at `base` (its URL), the catalogs
    below it (`parts`) whose entries are among `entries`, the codes a reference may name
    (`visible`), region names by code, and the page's links when paged."""

    base: str
    catalog: Catalog
    parts: tuple[Catalog, ...]
    entries: tuple[Resource, ...]
    visible: frozenset[str]
    regions: Mapping[str, str] = field(default_factory=dict)
    page: PageLinks | None = None


class _Iris:
    def __init__(self, base: str) -> None:
        self.base = base.rstrip("/")

    def catalog(self, catalog_id: str, own: str) -> URIRef:
        if catalog_id == own:
            return URIRef(f"{self.base}/dcat/catalog")
        return URIRef(f"{self.base}/dcat/catalog/{quote(catalog_id, safe='/')}")

    def dataset(self, code: str) -> URIRef:
        return URIRef(f"{self.base}/dcat/dataset/{quote(code, safe='/')}")

    def agent(self, key: str) -> URIRef:
        return URIRef(f"{self.base}/dcat/agent/{quote(key, safe='')}")

    def region(self, code: str) -> URIRef:
        return URIRef(f"{self.base}/dcat/region/{code}")

    def concept(self, scheme: str, key: str) -> URIRef:
        return URIRef(f"{self.base}/dcat/{scheme}/{quote(key, safe='')}")

    def scheme(self, scheme: str) -> URIRef:
        return URIRef(f"{self.base}/dcat/{scheme}")


def _zh(text: str) -> Literal:
    return Literal(text, lang="zh")


def catalog_graph(document: CatalogDocument) -> Graph:
    """The DCAT-AP 3 graph of `document`."""
    graph = Graph()
    for prefix, namespace in (
        ("dcat", DCAT),
        ("dct", DCTERMS),
        ("foaf", FOAF),
        ("prov", PROV),
        ("skos", SKOS),
        ("hydra", HYDRA),
    ):
        graph.bind(prefix, namespace)
    iris = _Iris(document.base)
    own = document.catalog.id
    catalogs = {own: document.catalog, **{c.id: c for c in document.parts}}
    nodes = {cid: iris.catalog(cid, own) for cid in catalogs}
    for cid, catalog in catalogs.items():
        _catalog(graph, iris, nodes[cid], catalog, document.regions)
    for part in document.parts:
        graph.add((nodes[own], DCTERMS.hasPart, nodes[part.id]))
    concepts: set[URIRef] = set()
    for entry in document.entries:
        listed_in = nodes.get(entry.origin, nodes[own])
        _dataset(graph, iris, listed_in, entry, document, concepts)
    if document.page is not None:
        _page(graph, nodes[own], document.page)
    return graph


def _catalog(
    graph: Graph, iris: _Iris, node: URIRef, catalog: Catalog, regions: Mapping[str, str]
) -> None:
    graph.add((node, RDF.type, DCAT.Catalog))
    graph.add((node, DCTERMS.title, _zh(catalog.name)))
    graph.add((node, DCTERMS.identifier, Literal(catalog.id)))
    graph.add(
        (
            node,
            DCTERMS.description,
            _zh(f"{catalog.name}：政务信息资源目录（{catalog.level.value} {catalog.id}）"),
        )
    )
    publisher = iris.agent(catalog.id)
    graph.add((publisher, RDF.type, FOAF.Agent))
    graph.add((publisher, FOAF.name, _zh(catalog.name)))
    graph.add((node, DCTERMS.publisher, publisher))
    graph.add((node, DCTERMS.spatial, _region(graph, iris, catalog.region_code, regions)))


def _region(graph: Graph, iris: _Iris, code: str, regions: Mapping[str, str]) -> URIRef:
    node = iris.region(code)
    graph.add((node, RDF.type, DCTERMS.Location))
    graph.add((node, DCTERMS.identifier, Literal(code)))
    if code in regions:
        graph.add((node, SKOS.prefLabel, _zh(regions[code])))
    return node


def _concept(
    graph: Graph, iris: _Iris, scheme: str, title: str, key: str, label: str, made: set[URIRef]
) -> URIRef:
    node = iris.concept(scheme, key)
    if node not in made:
        made.add(node)
        scheme_node = iris.scheme(scheme)
        graph.add((scheme_node, RDF.type, SKOS.ConceptScheme))
        graph.add((scheme_node, DCTERMS.title, _zh(title)))
        graph.add((node, RDF.type, SKOS.Concept))
        graph.add((node, SKOS.prefLabel, _zh(label)))
        graph.add((node, SKOS.inScheme, scheme_node))
    return node


def _access(entry: Resource) -> URIRef:
    if entry.share_type is ShareType.NONE:
        return _ACCESS.NON_PUBLIC
    if entry.share_type is ShareType.UNCONDITIONAL and entry.open_to_public:
        return _ACCESS.PUBLIC
    return _ACCESS.RESTRICTED


def _dataset(
    graph: Graph,
    iris: _Iris,
    catalog: URIRef,
    entry: Resource,
    document: CatalogDocument,
    made: set[URIRef],
) -> None:
    node = iris.dataset(entry.code)
    graph.add((catalog, DCAT.dataset, node))
    graph.add((node, RDF.type, DCAT.Dataset))
    graph.add((node, DCTERMS.identifier, Literal(entry.code)))
    graph.add((node, DCTERMS.title, _zh(entry.name)))
    graph.add((node, DCTERMS.description, _zh(entry.summary)))
    publisher = iris.agent(entry.provider_code)
    graph.add((publisher, RDF.type, FOAF.Agent))
    graph.add((publisher, FOAF.name, _zh(entry.provider_name)))
    graph.add((publisher, DCTERMS.identifier, Literal(entry.provider_code)))
    graph.add((node, DCTERMS.publisher, publisher))
    kind = entry.kind
    graph.add(
        (node, DCAT.theme, _concept(graph, iris, "kind", "信息资源类别", kind, _KINDS[kind], made))
    )
    for theme in sorted(entry.themes):
        graph.add((node, DCAT.theme, _concept(graph, iris, "theme", "主题", theme, theme, made)))
    access = _access(entry)
    graph.add((access, RDF.type, DCTERMS.RightsStatement))
    graph.add((node, DCTERMS.accessRights, access))
    rights = BNode()
    graph.add((rights, RDF.type, DCTERMS.RightsStatement))
    graph.add((rights, RDFS.label, _zh(LABELS_ZH[entry.share_type])))
    for words in (entry.share_condition, entry.legal_basis):
        if words:
            graph.add((rights, RDFS.comment, _zh(words)))
    graph.add((node, DCTERMS.rights, rights))
    frequency = _FREQUENCY[_FREQUENCIES[entry.update_cycle]]
    graph.add((frequency, RDF.type, DCTERMS.Frequency))
    graph.add((node, DCTERMS.accrualPeriodicity, frequency))
    origin_region = entry.origin.split("/", 1)[0]
    region = "100000" if origin_region == "national" else origin_region
    graph.add((node, DCTERMS.spatial, _region(graph, iris, region, document.regions)))
    if entry.published_on is not None:
        graph.add((node, DCTERMS.issued, Literal(entry.published_on, datatype=XSD.date)))
    _references(graph, iris, node, PROV.wasDerivedFrom, entry.derived_from, document.visible)
    _references(graph, iris, node, DCTERMS.relation, entry.related_codes, document.visible)
    distribution = URIRef(f"{node}#distribution")
    graph.add((node, DCAT.distribution, distribution))
    graph.add((distribution, RDF.type, DCAT.Distribution))
    graph.add((distribution, DCAT.accessURL, URIRef(f"{iris.base}/graphql")))
    graph.add((distribution, DCTERMS.title, _zh(entry.format_type)))
    media = iris.concept("format", entry.format_class)
    graph.add((media, RDF.type, DCTERMS.MediaTypeOrExtent))
    graph.add((media, RDFS.label, _zh(LABELS_ZH[entry.format_class])))
    graph.add((distribution, DCTERMS.format, media))


def _references(
    graph: Graph,
    iris: _Iris,
    node: URIRef,
    predicate: URIRef,
    codes: Iterable[str],
    visible: frozenset[str],
) -> None:
    for code in codes:
        if code in visible:  # any other code is withheld: it could name a hidden entry
            graph.add((node, predicate, iris.dataset(code)))


def _page(graph: Graph, catalog: URIRef, page: PageLinks) -> None:
    view = URIRef(page.this)
    graph.add((catalog, HYDRA.view, view))
    graph.add((view, RDF.type, HYDRA.PartialCollectionView))
    graph.add((view, HYDRA.first, URIRef(page.first)))
    graph.add((catalog, HYDRA.totalItems, Literal(page.total)))
    if page.next is not None:
        graph.add((view, HYDRA.next, URIRef(page.next)))
