"""Cross-level discovery between live instances: nation, 四川 and 成都 on the intranet (and the
成都 and 四川 extranet), each an app served by uvicorn on a loopback port with its own embedded
store, joined by a topology file written for the test.

What each holds:
- national/intranet: its base resource NATION_BASE; a stale copy of CITY_PUSHED (version 1).
- 510000/intranet: its own PROVINCE_OWN; the stale copy of CITY_PUSHED.
- 510100/intranet: CITY_PUSHED at version 2 (the origin), CITY_NEW (not pushed anywhere).
"""

from __future__ import annotations

import dataclasses
import statistics
import time
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
from graph import CatalogStore, Classification, Resource, Zone
from infra.net import free_ports
from tests.federation.live import LiveServer, live
from tests.graph.entries import credit_code, resource

NATION_BASE = "101001001/000100"
PROVINCE_OWN = "302001001/000200"
CITY_PUSHED = "301001001/000300"
CITY_NEW = "301001001/000301"
CITY_SECRET = "301001001/000302"

NATIONAL_BODY = credit_code("100000", "MB0000010")
PROVINCE_BODY = credit_code("510000", "MB0000011")
CITY_BODY = credit_code("510100", "MB0000012")

INSTANCES = ("national/intranet", "510000/intranet", "510100/intranet")
EXTRANET = ("510000/extranet", "510100/extranet")
# Every instance runs in this test's one event loop: a chain city → province → nation waits
# behind the other servers' work, so the timeout is loose enough for a busy machine; a
# stopped peer refuses at once, and the dead-peer tests bound the wait by it.
PEER_TIMEOUT = 3.0

RESOURCES = """
query ($scope: Scope!, $first: Int = 20, $after: String, $search: String) {
  resources(scope: $scope, first: $first, after: $after, search: $search) {
    totalCount
    totalIsLowerBound
    edges { cursor instance node { code name version origin classification } }
    pageInfo { hasNextPage endCursor }
    unreachablePeers { instance reason detail }
  }
}
"""


def entry(code: str, origin: str, provider: str, **overrides: Any) -> Resource:
    return resource(
        code,
        origin=origin,
        provider_code=provider,
        provider_name=f"{origin} 部门",
        **overrides,
    )


def holdings(instance: str) -> list[Resource]:
    pushed = entry(CITY_PUSHED, "510100/intranet", CITY_BODY, name="旧名称", version=1)
    return {
        "national/intranet": [
            entry(NATION_BASE, "national/intranet", NATIONAL_BODY, name="国家人口基础信息库"),
            pushed,
        ],
        "510000/intranet": [
            entry(PROVINCE_OWN, "510000/intranet", PROVINCE_BODY, name="四川市场主体信息"),
            pushed,
        ],
        "510100/intranet": [
            dataclasses.replace(pushed, name="户籍人口信息（新）", version=2),
            entry(CITY_NEW, "510100/intranet", CITY_BODY, name="成都新登记信息"),
            entry(
                CITY_SECRET,
                "510100/intranet",
                CITY_BODY,
                name="成都涉密信息",
                classification=Classification.CLASSIFIED,
            ),
        ],
        # Mirrored copies, open to the public (anonymous extranet callers see only those).
        "510000/extranet": [
            entry(
                PROVINCE_OWN,
                "510000/intranet",
                PROVINCE_BODY,
                name="四川市场主体信息",
                open_to_public=True,
            ),
        ],
        "510100/extranet": [
            entry(
                CITY_NEW, "510100/intranet", CITY_BODY, name="成都新登记信息", open_to_public=True
            ),
        ],
    }[instance]


def seeder(instance: str) -> Callable[[CatalogStore], Any]:
    async def seed(store: CatalogStore) -> None:
        await store.apply(holdings(instance))

    return seed


def write_topology(path: Path, ports: dict[str, int]) -> None:
    blocks = [
        f'[[instances]]\nid = "{i}"\ngraphql = "127.0.0.1:{port}"\n'
        f'store = {{ kind = "embedded", path = "{path.parent / i.replace("/", "-")}.db" }}\n'
        for i, port in ports.items()
    ]
    path.write_text("\n".join(blocks), encoding="utf-8")


class Deployment:
    def __init__(self, servers: dict[str, LiveServer], http: httpx.AsyncClient) -> None:
        self.servers = servers
        self.http = http

    async def ask(self, instance: str, query: str = RESOURCES, **variables: Any) -> dict[str, Any]:
        url = self.servers[instance].url + "/graphql"
        response = await self.http.post(url, json={"query": query, "variables": variables})
        assert response.status_code == 200, response.text
        answer: dict[str, Any] = response.json()
        assert not answer.get("errors"), answer["errors"]
        return answer

    async def page(self, instance: str, **variables: Any) -> dict[str, Any]:
        found: dict[str, Any] = (await self.ask(instance, **variables))["data"]["resources"]
        return found


@pytest.fixture
async def deployment(tmp_path: Path) -> AsyncIterator[Deployment]:
    ids = (*INSTANCES, *EXTRANET)
    ports = dict(zip(ids, free_ports(len(ids)), strict=True))
    topology = tmp_path / "topology.toml"
    write_topology(topology, ports)
    async with AsyncExitStack() as stack:
        servers = {}
        for instance, port in ports.items():
            settings = Settings(
                data_dir=tmp_path,
                instance=instance,
                topology=topology,
                peer_timeout_seconds=PEER_TIMEOUT,
                catalog_name=instance,
            )
            opened = partial(open_instance, settings, prepare=seeder(instance))
            app = create_app(settings, opened)
            servers[instance] = await stack.enter_async_context(live(app, port))
        http = await stack.enter_async_context(httpx.AsyncClient(timeout=10))
        yield Deployment(servers, http)


def codes(page: dict[str, Any]) -> list[str]:
    return [edge["node"]["code"] for edge in page["edges"]]


async def test_scopes_at_the_city(deployment: Deployment) -> None:
    local = await deployment.page("510100/intranet", scope="LOCAL")
    assert codes(local) == [CITY_PUSHED, CITY_NEW, CITY_SECRET]
    aggregated = await deployment.page("510100/intranet", scope="AGGREGATED")
    assert codes(aggregated) == codes(local)
    peers = await deployment.page("510100/intranet", scope="PEERS")
    # The national base resource arrives through the parent, which asks its own parent.
    assert codes(peers) == [NATION_BASE, CITY_PUSHED, CITY_NEW, CITY_SECRET, PROVINCE_OWN]
    instances = {e["node"]["code"]: e["instance"] for e in peers["edges"]}
    assert instances[NATION_BASE] == "national/intranet"
    assert instances[PROVINCE_OWN] == "510000/intranet"
    assert instances[CITY_PUSHED] == "510100/intranet"
    assert peers["unreachablePeers"] == []
    # Each instance counts the copies it holds: the largest count is only a lower bound.
    assert (peers["totalCount"], peers["totalIsLowerBound"]) == (3, True)  # of 5 shown
    assert local["totalIsLowerBound"] is False


async def test_a_city_entry_not_yet_aggregated_is_found_by_its_parent(
    deployment: Deployment,
) -> None:
    held = await deployment.page("510000/intranet", scope="AGGREGATED")
    assert CITY_NEW not in codes(held)
    province = await deployment.page("510000/intranet", scope="PEERS")
    edge = next(e for e in province["edges"] if e["node"]["code"] == CITY_NEW)
    assert edge["instance"] == "510100/intranet"
    # Peers are the parent and the direct children only: the nation asks 四川, which answers
    # with what it holds; 成都's entry reaches the nation once it is aggregated into 四川.
    nation = await deployment.page("national/intranet", scope="PEERS")
    assert CITY_NEW not in codes(nation)
    assert {NATION_BASE, PROVINCE_OWN, CITY_PUSHED} <= set(codes(nation))


async def test_one_copy_per_code_and_the_origin_wins(deployment: Deployment) -> None:
    page = await deployment.page("510000/intranet", scope="PEERS")
    assert codes(page).count(CITY_PUSHED) == 1
    pushed = next(e for e in page["edges"] if e["node"]["code"] == CITY_PUSHED)
    assert (pushed["instance"], pushed["node"]["version"], pushed["node"]["name"]) == (
        "510100/intranet",
        2,
        "户籍人口信息（新）",
    )


async def test_pages_in_code_order_without_repeats(deployment: Deployment) -> None:
    seen: list[str] = []
    after = None
    for _ in range(10):
        page = await deployment.page("510000/intranet", scope="PEERS", first=2, after=after)
        seen.extend(codes(page))
        assert len(page["edges"]) <= 2
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert seen == sorted(set(seen))
    assert set(seen) == {NATION_BASE, PROVINCE_OWN, CITY_PUSHED, CITY_NEW, CITY_SECRET}


async def test_one_resource_found_by_asking_the_parent(deployment: Deployment) -> None:
    query = """query ($code: String!, $scope: Scope!) {
                 resource(code: $code, scope: $scope) { code origin name } }"""
    held = await deployment.ask("510100/intranet", query, code=NATION_BASE, scope="AGGREGATED")
    assert held["data"]["resource"] is None
    found = await deployment.ask("510100/intranet", query, code=NATION_BASE, scope="PEERS")
    assert found["data"]["resource"] == {
        "code": NATION_BASE,
        "origin": "national/intranet",
        "name": "国家人口基础信息库",
    }


async def test_a_peer_killed_mid_test_is_reported_while_the_rest_arrives(
    deployment: Deployment,
) -> None:
    before = await deployment.page("510000/intranet", scope="PEERS")
    assert CITY_NEW in codes(before)
    await deployment.servers["510100/intranet"].stop()
    started = time.perf_counter()
    answer = await deployment.ask("510000/intranet", scope="PEERS")
    elapsed = time.perf_counter() - started
    page = answer["data"]["resources"]
    assert CITY_NEW not in codes(page)
    assert {NATION_BASE, PROVINCE_OWN, CITY_PUSHED} <= set(codes(page))
    (failure,) = page["unreachablePeers"]
    assert (failure["instance"], failure["reason"]) == ("510100/intranet", "UNREACHABLE")
    assert answer["extensions"]["unreachablePeers"] == [failure]
    assert page["totalIsLowerBound"] is True
    assert elapsed < PEER_TIMEOUT + 0.5


async def test_a_grandparent_that_did_not_answer_is_reported_through_the_parent(
    deployment: Deployment,
) -> None:
    await deployment.servers["national/intranet"].stop()
    answer = await deployment.ask("510100/intranet", scope="PEERS")
    page = answer["data"]["resources"]
    assert NATION_BASE not in codes(page)
    assert {PROVINCE_OWN, CITY_PUSHED, CITY_NEW} <= set(codes(page))
    (failure,) = page["unreachablePeers"]
    assert (failure["instance"], failure["reason"]) == ("national/intranet", "UNREACHABLE")
    assert failure["detail"].startswith("asked through 510000/intranet: ")
    assert answer["extensions"]["unreachablePeers"] == [failure]


async def test_a_resource_the_grandparent_holds_names_it_when_it_did_not_answer(
    deployment: Deployment,
) -> None:
    """resource(code, PEERS) answers null, and says why: the parent could not ask the nation."""
    await deployment.servers["national/intranet"].stop()
    query = """query ($code: String!) {
                 resource(code: $code, scope: PEERS) { code } }"""
    answer = await deployment.ask("510100/intranet", query, code=NATION_BASE)
    assert answer["data"]["resource"] is None
    (failure,) = answer["extensions"]["unreachablePeers"]
    assert (failure["instance"], failure["reason"]) == ("national/intranet", "UNREACHABLE")
    assert failure["detail"].startswith("asked through 510000/intranet: ")


async def test_an_extranet_answer_never_holds_a_classified_entry(deployment: Deployment) -> None:
    for instance in EXTRANET:
        page = await deployment.page(instance, scope="PEERS")
        assert page["unreachablePeers"] == []
        assert all(e["node"]["classification"] == "UNCLASSIFIED" for e in page["edges"])
        assert CITY_SECRET not in codes(page)
    province = await deployment.page("510000/extranet", scope="PEERS")
    assert set(codes(province)) == {PROVINCE_OWN, CITY_NEW}


async def test_latency_with_two_peers_and_with_one_dead(deployment: Deployment) -> None:
    """Measured, printed (pytest -s) and bounded: a PEERS query at 四川 asks 2 peers."""

    async def timings(n: int) -> list[float]:
        spent = []
        for _ in range(n):
            started = time.perf_counter()
            await deployment.page("510000/intranet", scope="PEERS")
            spent.append(time.perf_counter() - started)
        return spent

    def summary(spent: list[float]) -> tuple[float, float]:
        cuts = statistics.quantiles(spent, n=100)
        return cuts[49], cuts[98]

    await timings(5)
    live_p50, live_p99 = summary(await timings(100))
    await deployment.servers["510100/intranet"].stop()
    dead_p50, dead_p99 = summary(await timings(50))
    print(
        f"\nPEERS at 510000/intranet, 2 peers: p50 {live_p50 * 1000:.1f} ms, "
        f"p99 {live_p99 * 1000:.1f} ms; one dead: p50 {dead_p50 * 1000:.1f} ms, "
        f"p99 {dead_p99 * 1000:.1f} ms (peer timeout {PEER_TIMEOUT} s)"
    )
    assert dead_p99 < PEER_TIMEOUT + 0.5


# -- pure: what an extranet instance shows of a peer's answer, and the merge ---------------


def test_an_extranet_instance_drops_a_classified_entry_a_peer_sent() -> None:
    from federation.api.identity import Viewer
    from federation.discovery import should_show_peer_entry

    open_entry = entry(CITY_NEW, "510100/intranet", CITY_BODY, open_to_public=True)
    department = Viewer(Zone.EXTRANET, CITY_BODY)
    assert should_show_peer_entry(open_entry, department, Zone.EXTRANET)
    for classification in (Classification.CLASSIFIED, None):
        leaked = dataclasses.replace(open_entry, classification=classification)
        assert not should_show_peer_entry(leaked, department, Zone.EXTRANET)
        assert should_show_peer_entry(leaked, Viewer(Zone.INTRANET), Zone.INTRANET)
    closed = dataclasses.replace(open_entry, open_to_public=False)
    assert not should_show_peer_entry(closed, Viewer(Zone.EXTRANET), Zone.EXTRANET)
    assert should_show_peer_entry(closed, department, Zone.EXTRANET)


def test_merge_skips_hidden_entries_and_prefers_the_origin() -> None:
    from federation.discovery import Position, SourcePage, merge
    from graph.queries import encode_cursor

    def page(source: str, *entries: Resource, hidden: tuple[bool, ...] = ()) -> SourcePage:
        return SourcePage(
            source,
            entries,
            tuple(encode_cursor(e.code) for e in entries),
            has_next_page=False,
            total_count=len(entries),
            hidden=hidden,
        )

    stale = entry(CITY_PUSHED, "510100/intranet", CITY_BODY, version=1)
    fresh = dataclasses.replace(stale, version=2)
    secret = entry(CITY_SECRET, "510100/intranet", CITY_BODY)
    merged = merge(
        [
            page("510000/intranet", stale),
            page("510100/intranet", fresh, secret, hidden=(False, True)),
        ],
        Position(),
        10,
        searching=False,
    )
    assert [(e.entry.code, e.entry.version, e.source) for e in merged.edges] == [
        (CITY_PUSHED, 2, "510100/intranet")
    ]
    assert not merged.has_next_page
    assert Position.decode(merged.end_cursor).exhausted == {"510000/intranet", "510100/intranet"}


def test_a_merged_count_is_a_lower_bound_unless_one_source_counted_everything_whole() -> None:
    from federation.discovery import Position, SourcePage, merge

    def page(source: str, total: int, lower_bound: bool = False) -> SourcePage:
        return SourcePage(source, (), (), False, total, total_is_lower_bound=lower_bound)

    def bound(*pages: SourcePage) -> tuple[int, bool]:
        merged = merge(pages, Position(), 10, searching=True)
        return merged.total_count, merged.total_is_lower_bound

    parent, city = "510000/intranet", "510100/intranet"
    assert bound(page(parent, 7), page(city, 0)) == (7, False)
    # Two instances found entries: the parent's copies of the city's are not told apart.
    assert bound(page(parent, 7), page(city, 3)) == (7, True)
    # One instance found more than it counts.
    assert bound(page(parent, 1000, lower_bound=True), page(city, 0)) == (1000, True)
