"""References outlive their clearance (issue 13, defect class 1, the readers): an extranet
instance shows a reference — a related code, a lineage edge or node — only when the entry it
names is itself held there and visible to the caller. Classified entries are catalogued on the
inner network only (national 第十一条; Sichuan 第七、二十三条), so a copy mirrored while it named
an entry that was later reclassified and redacted must not reveal that entry's code; nor may a
reference reveal another department's draft (Sichuan 第十条: only published entries are shown
outside the providing department) or, to an anonymous extranet caller, an entry not open to
the public.

The 成都 extranet holds REFERRER, which names (related codes and derived-from) four entries:
GONE — mirrored, then redacted (not held); DRAFT — a draft of 市场监管局 (held, visible to its
own department and the reviewer only); CLOSED — published, not open to the public (hidden from
anonymous callers); OPEN — published and open (visible to everyone). DRAFT derives in turn from
BEYOND (open): a lineage walk must not reach BEYOND through the hidden DRAFT.

Peers' answers too: the 四川 extranet answers the 成都 extranet (scope PEERS) with its entries'
references checked against what 四川 holds, and 成都 shows a peer's entry's references only
where they name entries 成都 itself holds, so a peer (one not yet upgraded, say) cannot make
成都 reveal a code it does not hold.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack
from functools import partial
from pathlib import Path
from typing import Any

import httpx
import pytest

from federation.app import create_app
from federation.instance import open_instance
from federation.settings import Settings
from graph import Catalog, CatalogStore, LifecycleState, Role, Zone
from infra.net import free_ports
from tests.federation.conftest import OpenStore
from tests.federation.live import live
from tests.federation.support import GraphQLCaller, SpyStore, app_over, data, only_error, serve
from tests.graph.entries import HEALTH, MARKET, POLICE, TREE, resource

EXTRANET = Catalog("510100", Zone.EXTRANET, "成都市政务信息资源目录（外网）", "510000/extranet")
MIRRORED_FROM = "510100/intranet"

REFERRER = "301001001/000801"
GONE = "301001001/000802"
DRAFT = "302001001/000803"
CLOSED = "303001001/000804"
OPEN = "301001001/000805"
BEYOND = "301001001/000806"
NAMED = (GONE, DRAFT, CLOSED, OPEN)

REVIEWER = "REVIEWER"
# Who asks → the entries REFERRER names that they may see, in REFERRER's order.
CALLERS: dict[str | None, tuple[str, ...]] = {
    None: (OPEN,),
    POLICE.code: (CLOSED, OPEN),
    MARKET.code: (DRAFT, CLOSED, OPEN),
    REVIEWER: (DRAFT, CLOSED, OPEN),
}


def holdings() -> list[Any]:
    def copy(code: str, **overrides: Any) -> Any:
        return resource(code, **{"origin": MIRRORED_FROM, "open_to_public": True, **overrides})

    return [
        copy(REFERRER, related_codes=NAMED, derived_from=NAMED, name="公开引用信息"),
        copy(GONE, name="后改涉密信息"),
        copy(
            DRAFT,
            provider_code=MARKET.code,
            provider_name=MARKET.name,
            state=LifecycleState.DRAFT,
            derived_from=(BEYOND,),
        ),
        copy(CLOSED, provider_code=HEALTH.code, provider_name=HEALTH.name, open_to_public=False),
        copy(OPEN),
        copy(BEYOND),
    ]


async def seed_extranet(store: CatalogStore) -> None:
    await store.put_catalogs(list(TREE))
    await store.put_departments([POLICE, MARKET, HEALTH])
    await store.apply(holdings())
    # GONE was reclassified 涉密 at its origin: the mirror's redaction removed the copy.
    await store.redact(GONE, 2)


@pytest.fixture
async def extranet(open_store: OpenStore) -> AsyncIterator[SpyStore]:
    async with open_store(EXTRANET) as store:
        await seed_extranet(store)
        yield SpyStore(store)


@pytest.fixture
async def ask(extranet: SpyStore, tmp_path: Path) -> AsyncIterator[GraphQLCaller]:
    settings = Settings(data_dir=tmp_path, dev_identity_header=True)
    async with serve(app_over(settings, extranet)) as http:
        yield GraphQLCaller(http)


async def as_caller(
    ask: GraphQLCaller, caller: str | None, query: str, variables: dict[str, Any]
) -> dict[str, Any]:
    if caller == REVIEWER:
        return await ask(query, variables, department=POLICE.code, role=Role.REVIEWER)
    return await ask(query, variables, department=caller)


RESOURCE = """query ($code: String!) {
  resource(code: $code) { code relatedCodes related { code } } }"""
RESOURCES = """{ resources(first: 50) { edges { node { code relatedCodes related { code } } } } }"""
ENTITIES = """query ($representations: [_Any!]!) {
  _entities(representations: $representations) {
    ... on Resource { code relatedCodes related { code } } } }"""
LINEAGE = """query ($code: String!, $direction: Direction!) {
  lineage(code: $code, direction: $direction, depth: 3) {
    root truncated nodes { code resource { code relatedCodes } } edges { derived source } } }"""


def lineage_shape(answer: dict[str, Any]) -> tuple[set[str], set[tuple[str, str]]]:
    walked = data(answer)["lineage"]
    nodes = {n["code"] for n in walked["nodes"]}
    assert all(n["resource"]["code"] == n["code"] for n in walked["nodes"]), walked
    return nodes, {(e["derived"], e["source"]) for e in walked["edges"]}


@pytest.mark.parametrize("caller", list(CALLERS))
async def test_related_codes_name_only_held_entries_the_caller_may_see(
    ask: GraphQLCaller, caller: str | None
) -> None:
    shown = list(CALLERS[caller])
    entry = data(await as_caller(ask, caller, RESOURCE, {"code": REFERRER}))["resource"]
    assert entry["relatedCodes"] == shown
    assert [r["code"] for r in entry["related"]] == shown

    page = data(await as_caller(ask, caller, RESOURCES, {}))["resources"]
    listed = next(e["node"] for e in page["edges"] if e["node"]["code"] == REFERRER)
    assert listed["relatedCodes"] == shown

    representations = [{"__typename": "Resource", "code": REFERRER}]
    answer = await as_caller(ask, caller, ENTITIES, {"representations": representations})
    (entity,) = data(answer)["_entities"]
    assert entity["relatedCodes"] == shown
    assert [r["code"] for r in entity["related"]] == shown


@pytest.mark.parametrize("caller", list(CALLERS))
async def test_upstream_lineage_reaches_only_held_entries_the_caller_may_see(
    ask: GraphQLCaller, caller: str | None
) -> None:
    shown = set(CALLERS[caller])
    # BEYOND is reached through DRAFT alone: shown only to whom DRAFT is shown.
    beyond = {BEYOND} if DRAFT in shown else set()
    answer = await as_caller(ask, caller, LINEAGE, {"code": REFERRER, "direction": "UPSTREAM"})
    nodes, edges = lineage_shape(answer)
    assert nodes == {REFERRER} | shown | beyond
    assert edges == {(REFERRER, code) for code in shown} | {(DRAFT, b) for b in beyond}
    assert data(answer)["lineage"]["truncated"] is False

    both = await as_caller(ask, caller, LINEAGE, {"code": REFERRER, "direction": "BOTH"})
    assert lineage_shape(both) == (nodes, edges)


@pytest.mark.parametrize("caller", list(CALLERS))
@pytest.mark.parametrize("named", NAMED)
async def test_downstream_lineage_of_a_named_entry_only_when_held_and_visible(
    ask: GraphQLCaller, caller: str | None, named: str
) -> None:
    answer = await as_caller(ask, caller, LINEAGE, {"code": named, "direction": "DOWNSTREAM"})
    if named in CALLERS[caller]:
        assert lineage_shape(answer) == ({named, REFERRER}, {(REFERRER, named)})
    else:
        # Not held, or hidden: the same answer either way, so probing tells nothing apart.
        error = only_error(answer)
        assert error["extensions"] == {"code": "NOT_FOUND", "what": "resource", "key": named}


@pytest.mark.parametrize("caller", list(CALLERS))
async def test_no_answer_about_the_referrer_holds_a_code_hidden_from_the_caller(
    ask: GraphQLCaller, caller: str | None
) -> None:
    hidden = set(NAMED) - set(CALLERS[caller])
    representations = [{"__typename": "Resource", "code": REFERRER}]
    asked = [
        (RESOURCE, {"code": REFERRER}),
        (RESOURCES, {}),
        (ENTITIES, {"representations": representations}),
        (LINEAGE, {"code": REFERRER, "direction": "BOTH"}),
        (LINEAGE, {"code": REFERRER, "direction": "UPSTREAM"}),
    ]
    for query, variables in asked:
        text = json.dumps(await as_caller(ask, caller, query, variables))
        assert REFERRER in text
        for code in hidden:
            assert code not in text, (caller, query, code)


async def test_references_of_a_page_are_checked_in_one_batch(
    ask: GraphQLCaller, extranet: SpyStore
) -> None:
    """Every entry of a page names its references through one `get_many`, not one per code."""
    extranet.reset()
    page = data(await ask(RESOURCES))["resources"]
    assert {e["node"]["code"]: e["node"]["relatedCodes"] for e in page["edges"]}[REFERRER] == [OPEN]
    assert extranet.calls["get_many"] == 1
    assert extranet.calls["get"] == 0


# -- peers: 成都 extranet (child) asks 四川 extranet (parent) -----------------------------------
PROVINCE_E, CITY_E = "510000/extranet", "510100/extranet"
PROVINCE_REFERRER = "302001001/000901"  # 四川's, names the three below
PROVINCE_GONE = "302001001/000902"  # redacted at 四川
PROVINCE_ONLY = "302001001/000903"  # held at 四川 only
CITY_SHARED = "301001001/000904"  # 成都's, held at both (aggregated upward)
PEER_RESOURCE = """query ($code: String!) {
  resource(code: $code, scope: PEERS) { code relatedCodes related { code } } }"""
PEER_RESOURCES = """{ resources(scope: PEERS, first: 50) {
  edges { instance node { code relatedCodes } } unreachablePeers { instance } } }"""


def peer_holdings(instance: str) -> list[Any]:
    def copy(code: str, origin: str, **overrides: Any) -> Any:
        return resource(code, origin=origin, open_to_public=True, **overrides)

    shared = copy(CITY_SHARED, "510100/intranet")
    if instance == CITY_E:
        return [shared]
    names = (PROVINCE_GONE, CITY_SHARED, PROVINCE_ONLY)
    return [
        copy(PROVINCE_REFERRER, "510000/intranet", related_codes=names, derived_from=names),
        copy(PROVINCE_GONE, "510000/intranet"),
        copy(PROVINCE_ONLY, "510000/intranet"),
        shared,
    ]


def peer_seeder(instance: str) -> Callable[[CatalogStore], Any]:
    async def seed(store: CatalogStore) -> None:
        await store.apply(peer_holdings(instance))
        if instance == PROVINCE_E:
            await store.redact(PROVINCE_GONE, 2)

    return seed


@pytest.fixture
async def peers(tmp_path: Path) -> AsyncIterator[dict[str, str]]:
    """The GraphQL URLs of the 四川 and 成都 extranet instances, peers of each other."""
    ports = dict(zip((PROVINCE_E, CITY_E), free_ports(2), strict=True))
    topology = tmp_path / "topology.toml"
    topology.write_text(
        "\n".join(
            f'[[instances]]\nid = "{i}"\ngraphql = "127.0.0.1:{port}"\n'
            f'store = {{ kind = "embedded", path = "{tmp_path / i.replace("/", "-")}.db" }}\n'
            for i, port in ports.items()
        ),
        encoding="utf-8",
    )
    async with AsyncExitStack() as stack:
        urls = {}
        for instance, port in ports.items():
            settings = Settings(
                data_dir=tmp_path, instance=instance, topology=topology, catalog_name=instance
            )
            opened = partial(open_instance, settings, prepare=peer_seeder(instance))
            app = create_app(settings, opened)
            server = await stack.enter_async_context(live(app, port))
            urls[instance] = server.url + "/graphql"
        yield urls


async def ask_at(url: str, query: str, **variables: Any) -> dict[str, Any]:
    async with httpx.AsyncClient(timeout=10) as http:
        response = await http.post(url, json={"query": query, "variables": variables})
    assert response.status_code == 200, response.text
    return data(response.json())


async def test_a_peers_answer_names_only_entries_held_by_the_instance_shown(
    peers: dict[str, str],
) -> None:
    # 四川 answers with the references it holds: the redacted one is gone.
    at_province = await ask_at(peers[PROVINCE_E], RESOURCE, code=PROVINCE_REFERRER)
    assert at_province["resource"]["relatedCodes"] == [CITY_SHARED, PROVINCE_ONLY]
    # 成都 shows 四川's entry with the references 成都 itself holds.
    found = (await ask_at(peers[CITY_E], PEER_RESOURCE, code=PROVINCE_REFERRER))["resource"]
    assert found["code"] == PROVINCE_REFERRER
    assert found["relatedCodes"] == [CITY_SHARED]
    assert [r["code"] for r in found["related"]] == [CITY_SHARED]

    page = (await ask_at(peers[CITY_E], PEER_RESOURCES))["resources"]
    assert page["unreachablePeers"] == []
    by_code = {e["node"]["code"]: e for e in page["edges"]}
    assert by_code[PROVINCE_REFERRER]["instance"] == PROVINCE_E
    assert by_code[PROVINCE_REFERRER]["node"]["relatedCodes"] == [CITY_SHARED]
    text = json.dumps(page)
    assert PROVINCE_GONE not in text
