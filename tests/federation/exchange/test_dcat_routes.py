"""``GET /dcat/catalog.ttl`` and ``.jsonld``: what an anonymous caller of the instance may see,
paged with Hydra; on the extranet nothing not open to the public, nor any reference to it."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import DCAT, DCTERMS, PROV, RDF

from federation.sample import sample_for
from federation.settings import Settings
from graph import Catalog, CatalogStore, ResourceFilter, Zone
from graph.sample import load_sample
from tests.federation.catalog import (
    CLINICS,
    ELSEWHERE,
    HOUSEHOLD,
    MARKET_SUBMITTED,
    POLICE_DRAFT,
    PUBLISHED_CODES,
)
from tests.federation.conftest import OpenStore
from tests.federation.support import GraphQLCaller, app_over, serve
from tests.graph.entries import resource

HYDRA = "http://www.w3.org/ns/hydra/core#"


def datasets(graph: Graph) -> set[str]:
    return {str(graph.value(d, DCTERMS.identifier)) for d in graph.subjects(RDF.type, DCAT.Dataset)}


async def test_the_intranet_catalog_lists_its_published_entries_only(gql: GraphQLCaller) -> None:
    response = await gql.http.get("/dcat/catalog.ttl")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/turtle")
    graph = Graph().parse(data=response.text, format="turtle")
    listed = datasets(graph)
    assert HOUSEHOLD in listed
    assert CLINICS in listed
    assert listed <= PUBLISHED_CODES
    for unpublished in (POLICE_DRAFT, MARKET_SUBMITTED):
        assert unpublished not in response.text
    # An upstream entry not held here is not referenced: the harvester cannot see it.
    assert ELSEWHERE not in response.text


@pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning")
async def test_json_ld_says_what_turtle_says(gql: GraphQLCaller) -> None:
    turtle = Graph().parse(data=(await gql.http.get("/dcat/catalog.ttl")).text, format="turtle")
    response = await gql.http.get("/dcat/catalog.jsonld")
    assert response.headers["content-type"].startswith("application/ld+json")
    jsonld = Graph().parse(data=response.text, format="json-ld")
    assert datasets(jsonld) == datasets(turtle)


async def test_a_bad_cursor_is_a_400_saying_what_is_accepted(gql: GraphQLCaller) -> None:
    response = await gql.http.get("/dcat/catalog.ttl", params={"after": "!!"})
    assert response.status_code == 400
    assert response.json()["accepted"] == "a cursor from hydra:next"


EXTRANET = Catalog("510100", Zone.EXTRANET, "成都市政务信息资源目录（外网）", "510000/extranet")


async def test_an_extranet_harvester_sees_open_entries_and_no_reference_to_others(
    open_store: OpenStore, tmp_path: Path
) -> None:
    opened = resource("301001001/500001", origin=EXTRANET.id, open_to_public=True)
    closed = resource("301001001/500002", origin=EXTRANET.id, name="不开放的信息")
    # Derived from the closed entry and from a code this instance does not hold (the
    # intranet's, perhaps classified): neither may show.
    derived = resource(
        "301001001/500003",
        origin=EXTRANET.id,
        open_to_public=True,
        derived_from=("301001001/500002", "301001001/000042"),
        related_codes=("301001001/500001",),
    )
    settings = Settings(data_dir=tmp_path, region_code="510100", zone=Zone.EXTRANET)
    async with open_store(EXTRANET) as store:
        await store.put_catalogs([EXTRANET])
        for entry in (opened, closed, derived):
            await store.save(entry, expected_version=None)
        async with serve(app_over(settings, store)) as http:
            response = await http.get("/dcat/catalog.ttl")
    graph = Graph().parse(data=response.text, format="turtle")
    assert datasets(graph) == {opened.code, derived.code}
    assert closed.code not in response.text
    assert "301001001/000042" not in response.text
    node = URIRef(f"http://mulu.test/dcat/dataset/{derived.code}")
    assert set(graph.objects(node, PROV.wasDerivedFrom)) == set()
    assert set(graph.objects(node, DCTERMS.relation)) == {
        URIRef(f"http://mulu.test/dcat/dataset/{opened.code}")
    }


async def test_a_large_catalog_is_paged_and_hydra_next_reaches_every_entry_once(
    store: CatalogStore, tmp_path: Path
) -> None:
    await load_sample(store, sample_for(store.catalog.id, 1400, seed=4))
    published: set[str] = set()
    after = None
    while True:  # what the store lists as published, a page at a time
        page = await store.find(ResourceFilter(), first=100, after=after)
        published |= {e.code for e in page.items}
        if not page.has_next_page:
            break
        after = page.end_cursor
    assert len(published) > 1000  # more than two pages
    settings = Settings(data_dir=tmp_path)
    seen: list[str] = []
    pages = 0
    async with serve(app_over(settings, store)) as http:
        url: str | None = "/dcat/catalog.ttl"
        while url is not None:
            graph = Graph().parse(data=(await http.get(url)).text, format="turtle")
            pages += 1
            seen += sorted(datasets(graph))
            view = graph.value(URIRef("http://mulu.test/dcat/catalog"), URIRef(HYDRA + "view"))
            following = graph.value(view, URIRef(HYDRA + "next"))
            url = None if following is None else str(following).removeprefix("http://mulu.test")
    assert pages == -(-len(published) // 500)
    assert len(seen) == len(set(seen))
    assert set(seen) == published
