"""The demo's six instances on real servers: 国家, 四川 and 成都, intranet and extranet, run by
`federation.runtime.Runtime` in this process and synced over the session's Kafka broker.

- national/intranet and national/extranet each on a Neo4j server of their own (Neo4j Community
  holds one user database per server), started for this module; the four others embedded;
- every link's topics, each instance's SCRAM principal and its ACLs provisioned by
  `sync.acls.provision_links` as the broker's super user, under a topic prefix of this run;
- entries written at the intranet instances of 成都 and 国家 with their change events in the
  outbox, as a department's maintenance writes them; every question asked with GraphQL over HTTP.

The test that stops 四川 intranet's HTTP server runs last: the others need every peer.
"""

from __future__ import annotations

import asyncio
import dataclasses
import gc
import os
import re
import secrets
import time
import uuid
from collections.abc import AsyncIterator, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import AsyncExitStack
from pathlib import Path
from typing import Any

import httpx
import pytest

from federation.instance import kafka_logs
from federation.runtime import Runtime
from federation.settings import Settings
from federation.topology import Topology, load_topology
from graph import Classification, Resource, Zone
from graph.rules import check_resource
from infra.kafka import KafkaAdmin, KafkaConnection
from infra.neo4j import Neo4jConnection, Neo4jServer
from infra.net import free_ports, port_answers
from sync.acls import principal, provision_links
from sync.events import outbox_record
from sync.status import Side
from tests.graph.entries import credit_code, resource

pytestmark = [pytest.mark.neo4j, pytest.mark.kafka]

NATION_I, NATION_E = "national/intranet", "national/extranet"
PROVINCE_I, PROVINCE_E = "510000/intranet", "510000/extranet"
CITY_I, CITY_E = "510100/intranet", "510100/extranet"
INSTANCES = (NATION_I, NATION_E, PROVINCE_I, PROVINCE_E, CITY_I, CITY_E)
EXTRANET = (NATION_E, PROVINCE_E, CITY_E)
ON_NEO4J = (NATION_I, NATION_E)
LINKS = (
    (CITY_I, PROVINCE_I),
    (PROVINCE_I, NATION_I),
    (CITY_E, PROVINCE_E),
    (PROVINCE_E, NATION_E),
    (CITY_I, CITY_E),
    (PROVINCE_I, PROVINCE_E),
    (NATION_I, NATION_E),
)

# 成都's open entry derives from (and relates to) its classified one: at the origin the
# reference is there; the mirror must strip it, so not even the code reaches the extranet.
CITY_OPEN = "301001001/000701"
CITY_SECRET = "301001001/000702"
NATION_BASE = "101001001/000701"
NATION_SECRET = "101001001/000702"
SECRETS = (CITY_SECRET, NATION_SECRET)
SECRET_NAMES = ("成都涉密档案信息", "国家涉密基础信息")

CITY_BODY = credit_code("510100", "MB0000701")
NATION_BODY = credit_code("100000", "MB0000702")
REVIEWER = {"X-Mulu-Dev-Department": CITY_BODY, "X-Mulu-Dev-Role": "REVIEWER"}
PEER_TIMEOUT = 2.0  # the default: the parent relays up within half of it

SCOPES = ("LOCAL", "AGGREGATED", "ANCESTORS", "PEERS")
RESOURCES = """
query ($scope: Scope!, $search: String) {
  resources(scope: $scope, search: $search, first: 100) {
    totalCount
    edges { instance node { code name origin classification relatedCodes } }
    unreachablePeers { instance reason detail }
  }
}
"""
RESOURCE = """
query ($code: String!, $scope: Scope!) {
  resource(code: $code, scope: $scope) {
    code name origin classification relatedCodes related { code classification }
  }
}
"""
# No `root` and no node `code`: they would echo the code asked about, which is no leak.
LINEAGE = """
query ($code: String!) {
  lineage(code: $code, direction: BOTH, depth: 5) {
    nodes { resource { code classification relatedCodes } }
    edges { derived source }
  }
}
"""


def holdings() -> dict[str, list[Resource]]:
    """What the departments write at the intranet instances of 成都 and 国家."""
    city = dict(origin=CITY_I, provider_code=CITY_BODY, provider_name="成都市档案局")
    nation = dict(origin=NATION_I, provider_code=NATION_BODY, provider_name="国家数据局")
    entries = {
        CITY_I: [
            resource(
                CITY_SECRET,
                name=SECRET_NAMES[0],
                classification=Classification.CLASSIFIED,
                **city,
            ),
            resource(
                CITY_OPEN,
                name="成都公开档案目录",
                open_to_public=True,
                related_codes=(CITY_SECRET,),
                derived_from=(CITY_SECRET,),
                **city,
            ),
        ],
        NATION_I: [
            resource(NATION_BASE, name="国家人口基础信息库", open_to_public=True, **nation),
            resource(
                NATION_SECRET,
                name=SECRET_NAMES[1],
                classification=Classification.CLASSIFIED,
                **nation,
            ),
        ],
    }
    return {i: [check_resource(e, Zone.INTRANET) for e in es] for i, es in entries.items()}


def password_env(instance: str) -> str:
    return "MULU_TEST_NEO4J_PASSWORD_" + re.sub(r"\W", "_", instance).upper()


def write_topology(
    path: Path, ports: Mapping[str, int], neo4j: Mapping[str, Neo4jConnection]
) -> None:
    blocks = [f'data_dir = "{path.parent}"\n']
    for instance in INSTANCES:
        if instance in neo4j:
            store = (
                f'{{ kind = "neo4j", uri = "{neo4j[instance].uri}", '
                f'password_env = "{password_env(instance)}" }}'
            )
        else:
            store = '{ kind = "embedded" }'
        blocks.append(
            f'[[instances]]\nid = "{instance}"\ngraphql = "127.0.0.1:{ports[instance]}"\n'
            f"store = {store}\n"
        )
    for source, target in LINKS:
        blocks.append(f'[[links]]\nsource = "{source}"\ntarget = "{target}"\n')
    path.write_text("\n".join(blocks), encoding="utf-8")


def of_this_run(topology: Topology) -> Topology:
    """`topology` with link topics and consumer groups no other run of the broker uses."""
    prefix = f"mulu.test.{uuid.uuid4().hex[:10]}"
    links = tuple(dataclasses.replace(link, prefix=prefix) for link in topology.links)
    return dataclasses.replace(topology, links=links)


class Deployment:
    """The running topology, asked over HTTP."""

    def __init__(self, runtime: Runtime, http: httpx.AsyncClient) -> None:
        self.runtime = runtime
        self.http = http

    async def ask(
        self,
        instance: str,
        query: str,
        headers: Mapping[str, str] | None = None,
        **variables: Any,
    ) -> tuple[str, dict[str, Any]]:
        """The raw text of the answer and the answer; a GraphQL error fails the test."""
        url = self.runtime.instances[instance].url
        response = await self.http.post(
            url, json={"query": query, "variables": variables}, headers=dict(headers or {})
        )
        assert response.status_code == 200, f"{instance}: {response.text}"
        answer: dict[str, Any] = response.json()
        assert not answer.get("errors"), f"{instance}: {answer['errors']}"
        return response.text, answer

    async def found(self, instance: str, code: str, scope: str = "AGGREGATED") -> Any:
        _, answer = await self.ask(instance, RESOURCE, REVIEWER, code=code, scope=scope)
        return answer["data"]["resource"]

    async def page(self, instance: str, scope: str, **variables: Any) -> dict[str, Any]:
        _, answer = await self.ask(instance, RESOURCES, scope=scope, **variables)
        return answer


async def until_found(deployment: Deployment, instance: str, code: str, seconds: float) -> Any:
    deadline = time.monotonic() + seconds
    while (found := await deployment.found(instance, code)) is None:
        assert time.monotonic() < deadline, f"{code} did not reach {instance} in {seconds:.0f} s"
        await asyncio.sleep(0.2)
    return found


def codes(resources: Mapping[str, Any]) -> list[str]:
    return [edge["node"]["code"] for edge in resources["edges"]]


def mirror_refusals(deployment: Deployment) -> dict[str, int]:
    """link id → how many events the relay of each mirror link refused."""
    return {
        status.link: status.refused
        for running in deployment.runtime.instances.values()
        if running.worker is not None
        for status in running.worker.statuses()
        if status.side is Side.RELAY
        and status.link.endswith("extranet")
        and "intranet>" in status.link
    }


@pytest.fixture(scope="module")
def neo4j_servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Neo4jConnection]]:
    """A Neo4j server of its own for each national instance, started side by side."""
    servers = {
        instance: Neo4jServer(
            tmp_path_factory.mktemp("neo4j-" + instance.replace("/", "-")),
            port,
            secrets.token_urlsafe(18),
            heap="512m",
            page_cache="128m",
            owner_pid=os.getpid(),
        )
        for instance, port in zip(ON_NEO4J, free_ports(len(ON_NEO4J)), strict=True)
    }
    next(iter(servers.values())).fetch()  # once, before two threads would look at the cache
    with ThreadPoolExecutor(len(servers)) as pool:
        try:
            started = dict(zip(servers, pool.map(Neo4jServer.start, servers.values()), strict=True))
            yield started
        finally:
            list(pool.map(Neo4jServer.stop, servers.values()))


@pytest.fixture(scope="module")
async def deployment(
    tmp_path_factory: pytest.TempPathFactory,
    neo4j_servers: dict[str, Neo4jConnection],
    kafka_server: KafkaConnection,
    kafka_admin: KafkaAdmin,
) -> AsyncIterator[Deployment]:
    """Every instance running, the entries written at their origins and synced."""
    # What the tests before left in this process is frozen, as a server freezes its start-up
    # heap (`federation.garbage`): here a full collection otherwise walks hundreds of thousands
    # of their objects, pausing every instance in the process for up to 1.6 s — longer than
    # the 1 s a parent gives its own parent, and a peer seen as timed out by the pause alone.
    gc.collect()
    gc.freeze()
    home = tmp_path_factory.mktemp("topology")
    ports = dict(zip(INSTANCES, free_ports(len(INSTANCES)), strict=True))
    path = home / "topology.toml"
    write_topology(path, ports, neo4j_servers)
    # The topology names the variables of the Neo4j passwords; they are read as it is loaded.
    environ = {password_env(instance): s.password for instance, s in neo4j_servers.items()}
    topology = of_this_run(load_topology(path, environ))
    passwords = {instance: secrets.token_urlsafe(18) for instance in INSTANCES}
    await asyncio.to_thread(provision_links, kafka_admin, topology.links, passwords)

    runtime = Runtime(
        topology,
        settings=Settings(
            data_dir=home,
            dev_identity_header=True,
            peer_timeout_seconds=PEER_TIMEOUT,
            log_level="WARNING",
        ),
        log=kafka_logs(
            kafka_server.bootstrap_servers,
            lambda instance: (principal(instance), passwords[instance]),
            mechanism=kafka_server.mechanism,
            security_protocol=kafka_server.security_protocol,
            ssl_cafile=None if kafka_server.ssl_cafile is None else Path(kafka_server.ssl_cafile),
        ),
    )
    async with AsyncExitStack() as stack:
        await stack.enter_async_context(runtime)
        http = await stack.enter_async_context(httpx.AsyncClient(timeout=15))
        for origin, entries in holdings().items():
            store = runtime.instances[origin].store
            await store.apply(entries, outbox=[outbox_record(e) for e in entries])
        async with asyncio.timeout(90):
            await runtime.caught_up()
        yield Deployment(runtime, http)


async def test_a_city_entry_is_found_from_the_national_extranet(deployment: Deployment) -> None:
    # 成都 intranet → 成都 extranet (mirror) → 四川 extranet → 国家 extranet (upward), or
    # through 四川's mirror: the answer does not say which, only that it arrived.
    store = deployment.runtime.instances[NATION_E].store
    assert type(store).__name__ == "Neo4jStore"
    found = await until_found(deployment, NATION_E, CITY_OPEN, 30)
    assert (found["origin"], found["classification"]) == (CITY_I, "UNCLASSIFIED")
    # Anonymous, as the public asks: it is open, so listed.
    answer = await deployment.page(NATION_E, "AGGREGATED", search="成都公开档案目录")
    edges = answer["data"]["resources"]["edges"]
    assert [(e["instance"], e["node"]["code"]) for e in edges] == [(NATION_E, CITY_OPEN)]
    health_url = deployment.runtime.instances[NATION_E].url.removesuffix("/graphql") + "/health"
    health = await deployment.http.get(health_url)
    assert health.json()["store"] == {"kind": "neo4j", "state": "up"}


async def test_a_national_base_resource_is_found_from_the_city_by_asking_the_parent(
    deployment: Deployment,
) -> None:
    assert await deployment.found(CITY_I, NATION_BASE) is None  # nothing syncs downward
    for scope in ("PEERS", "ANCESTORS"):
        found = await deployment.found(CITY_I, NATION_BASE, scope)
        assert found is not None, scope
        assert (found["origin"], found["name"]) == (NATION_I, "国家人口基础信息库")
    answer = (await deployment.page(CITY_I, "PEERS"))["data"]["resources"]
    assert answer["unreachablePeers"] == []
    held = {e["node"]["code"]: e["instance"] for e in answer["edges"]}
    assert held[NATION_BASE] == NATION_I
    assert held[CITY_OPEN] == CITY_I


async def test_an_extranet_answer_never_holds_a_classified_entry(deployment: Deployment) -> None:
    # Not vacuous: the classified entries did travel where they may (intranet, upward), with
    # the open entry's references to them.
    await until_found(deployment, NATION_I, CITY_SECRET, 30)
    for code in SECRETS:
        found = await deployment.found(NATION_I, code)
        assert found["classification"] == "CLASSIFIED", code
    at_origin = await deployment.found(NATION_I, CITY_OPEN)
    assert at_origin["relatedCodes"] == [CITY_SECRET]
    for instance in EXTRANET:
        assert (await deployment.found(instance, CITY_OPEN)) is not None, instance
    # Each mirror held back each classified entry its intranet instance came to hold.
    held_back = {
        f"{CITY_I}>{CITY_E}": 1,
        f"{PROVINCE_I}>{PROVINCE_E}": 1,
        f"{NATION_I}>{NATION_E}": 2,
    }
    deadline = time.monotonic() + 30
    while any(mirror_refusals(deployment).get(k, 0) < n for k, n in held_back.items()):
        assert time.monotonic() < deadline, mirror_refusals(deployment)
        await asyncio.sleep(0.2)
    assert mirror_refusals(deployment).keys() == held_back.keys()

    asked = 0
    for instance in EXTRANET:
        for headers in ({}, REVIEWER):
            answers: list[str] = []
            for scope in SCOPES:
                for search in (None, "涉密", *SECRET_NAMES, "成都公开档案目录"):
                    text, answer = await deployment.ask(
                        instance, RESOURCES, headers, scope=scope, search=search
                    )
                    page = answer["data"]["resources"]
                    assert page["unreachablePeers"] == [], (instance, scope)
                    assert "unreachablePeers" not in (answer.get("extensions") or {})
                    assert {e["node"]["classification"] for e in page["edges"]} <= {"UNCLASSIFIED"}
                    answers.append(text)
                for code in SECRETS:
                    text, answer = await deployment.ask(
                        instance, RESOURCE, headers, code=code, scope=scope
                    )
                    assert answer["data"]["resource"] is None, (instance, scope, code)
                    answers.append(text)
            for code in (CITY_OPEN, NATION_BASE, *SECRETS):
                # An entry not held here (a secret; another level's base entry) is NOT_FOUND,
                # as a hidden one is. The error names the code asked about — an echo, no leak
                # — and nothing else the caller did not send.
                url = deployment.runtime.instances[instance].url
                body = {"query": LINEAGE, "variables": {"code": code}}
                response = await deployment.http.post(url, json=body, headers=dict(headers))
                assert response.status_code == 200, response.text
                errors = response.json().get("errors")
                if code == CITY_OPEN:  # open, and aggregated upward: on every extranet
                    assert not errors, (instance, errors)
                if errors or code in SECRETS:
                    assert errors, (instance, code, response.text)
                    (error,) = errors
                    assert error["extensions"] == {
                        "code": "NOT_FOUND",
                        "what": "resource",
                        "key": code,
                    }
                answers.append(response.text.replace(code, "<asked>"))
            for text in answers:
                for secret in (*SECRETS, *SECRET_NAMES):
                    assert secret not in text, (instance, headers, secret, text)
            asked += len(answers)
            # The open entry is there, its reference to the classified one is not.
            _, answer = await deployment.ask(
                instance, RESOURCE, headers, code=CITY_OPEN, scope="AGGREGATED"
            )
            assert answer["data"]["resource"]["relatedCodes"] == []
    assert asked == len(EXTRANET) * 2 * (len(SCOPES) * (5 + len(SECRETS)) + 4)


async def test_a_peer_killed_mid_test_is_reported_while_the_rest_arrives(
    deployment: Deployment,
) -> None:
    before = (await deployment.page(CITY_I, "PEERS"))["data"]["resources"]
    assert NATION_BASE in codes(before)
    province = deployment.runtime.instances[PROVINCE_I]
    province.server.should_exit = True  # its sync worker goes on; only its GraphQL is gone
    port = province.spec.graphql.port
    deadline = time.monotonic() + 10
    while port_answers(port):
        assert time.monotonic() < deadline, "四川 intranet still serves"
        await asyncio.sleep(0.05)

    for instance, still_there in (
        (CITY_I, {CITY_OPEN, CITY_SECRET}),  # its own
        (NATION_I, {NATION_BASE, NATION_SECRET, CITY_OPEN, CITY_SECRET}),  # own and aggregated
    ):
        started = time.perf_counter()
        answer = await deployment.page(instance, "PEERS")
        elapsed = time.perf_counter() - started
        page = answer["data"]["resources"]
        assert still_there <= set(codes(page)), instance
        (failure,) = page["unreachablePeers"]
        assert (failure["instance"], failure["reason"]) == (PROVINCE_I, "UNREACHABLE")
        assert answer["extensions"]["unreachablePeers"] == [failure]
        assert elapsed < PEER_TIMEOUT + 0.5, f"{instance}: {elapsed:.2f} s"
    # The nation's base resource came to 成都 through 四川: now it cannot, and says why.
    _, answer = await deployment.ask(CITY_I, RESOURCE, REVIEWER, code=NATION_BASE, scope="PEERS")
    assert answer["data"]["resource"] is None
    assert [p["instance"] for p in answer["extensions"]["unreachablePeers"]] == [PROVINCE_I]
