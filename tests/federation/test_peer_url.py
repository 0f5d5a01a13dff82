"""`peer_url`: where peers call an instance when that is not its listen address (a reverse
proxy, NAT) — validated when the topology is read, and the address its peers use."""

from __future__ import annotations

import asyncio
import re
import socket
from pathlib import Path
from typing import Any

import httpx
import pytest

from federation.runtime import Runtime
from federation.settings import Settings
from federation.topology import TopologyError, load_topology, parse_topology
from tests.sync import samples

CITY, PROVINCE = "510100/intranet", "510000/intranet"


def topology(province_peer_url: Any = None, city_peer_url: Any = None) -> dict[str, Any]:
    def instance(id: str, port: int, peer_url: Any) -> dict[str, Any]:
        item = {"id": id, "graphql": f"127.0.0.1:{port}", "store": {"kind": "embedded"}}
        return item if peer_url is None else {**item, "peer_url": peer_url}

    return {
        "instances": [
            instance(PROVINCE, 9002, province_peer_url),
            instance(CITY, 9003, city_peer_url),
        ]
    }


def test_peers_call_the_peer_url_and_listen_stays_where_it_was() -> None:
    parsed = parse_topology(topology("https://catalog.sc.example:8443"))
    province = parsed.instance(PROVINCE)
    assert province.peer_address == "https://catalog.sc.example:8443/graphql"
    assert province.peer_host == "catalog.sc.example"
    assert province.url == "http://127.0.0.1:9002/graphql"  # where it listens
    city = parsed.instance(CITY)
    assert city.peer_address == city.url  # none given: its listen address


@pytest.mark.parametrize(
    ("given", "says"),
    [
        ("catalog.sc.example:8443", "no http(s) scheme and host"),
        ("ftp://catalog.sc.example/graphql", "no http(s) scheme and host"),
        ("https://:8443/graphql", "no http(s) scheme and host"),
        ("https://catalog.sc.example:99999/graphql", "is not a URL"),
        ("https://catalog.sc.example:0/graphql", "port 0"),
        ("https://user:secret@catalog.sc.example/graphql", "credentials, a query or a fragment"),
        ("https://catalog.sc.example/graphql?x=1", "credentials, a query or a fragment"),
    ],
)
def test_a_peer_url_that_is_not_one_is_refused_naming_the_instance(given: str, says: str) -> None:
    with pytest.raises(TopologyError, match=re.escape(says)) as refused:
        parse_topology(topology(given))
    assert "instance '510000/intranet'" in str(refused.value)
    assert "peer_url" in str(refused.value)


def test_two_instances_at_one_peer_url_are_refused() -> None:
    with pytest.raises(TopologyError, match="both give peer_url"):
        parse_topology(topology("https://x.example/graphql", "https://x.example/graphql"))


def free_ports(count: int) -> list[int]:
    sockets = [socket.socket() for _ in range(count)]
    for s in sockets:
        s.bind(("127.0.0.1", 0))
    ports = [s.getsockname()[1] for s in sockets]
    for s in sockets:
        s.close()
    return ports


async def test_a_child_asks_its_parent_through_the_proxy_its_peer_url_names(
    tmp_path: Path,
) -> None:
    """四川 listens on one port; a TCP proxy (standing for nginx or a NAT) forwards another to
    it; 成都 asks 四川 at the proxy's address, the one the topology gives peers."""
    listen, proxied, city = free_ports(3)
    connections: list[int] = []

    async def forward(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        connections.append(1)
        upstream_reader, upstream_writer = await asyncio.open_connection("127.0.0.1", listen)

        async def pipe(src: asyncio.StreamReader, dst: asyncio.StreamWriter) -> None:
            try:
                while data := await src.read(65536):
                    dst.write(data)
                    await dst.drain()
            finally:
                dst.close()

        await asyncio.gather(pipe(reader, upstream_writer), pipe(upstream_reader, writer))

    proxy = await asyncio.start_server(forward, "127.0.0.1", proxied)
    path = tmp_path / "t.toml"
    path.write_text(
        f'data_dir = "{tmp_path / "data"}"\n'
        f'[[instances]]\nid = "{PROVINCE}"\ngraphql = "127.0.0.1:{listen}"\n'
        f'peer_url = "http://127.0.0.1:{proxied}/graphql"\nstore = {{ kind = "embedded" }}\n'
        f'[[instances]]\nid = "{CITY}"\ngraphql = "127.0.0.1:{city}"\n'
        'store = { kind = "embedded" }\n',
        encoding="utf-8",
    )
    entry = samples.entry("301001001/000077", origin=PROVINCE, related_codes=(), derived_from=())
    settings = Settings(log_level="WARNING", dev_identity_header=True)
    async with proxy, Runtime(load_topology(path), settings=settings) as up:
        await up.instances[PROVINCE].store.apply([entry])
        query = '{ resource(code: "301001001/000077", scope: PEERS) { code origin } }'
        async with httpx.AsyncClient(timeout=30) as client:
            answer = await client.post(up.instances[CITY].url, json={"query": query})
        assert answer.json()["data"]["resource"] == {"code": entry.code, "origin": PROVINCE}
        assert connections  # it went through the proxy, not to the listen port directly
        assert up.instances[PROVINCE].spec.graphql.port == listen
