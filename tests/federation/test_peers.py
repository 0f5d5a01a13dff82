"""`PeerClient` against real servers on loopback: a live instance, a dead port, a slow server,
an HTTP error, a GraphQL error and a non-GraphQL body, asked at once. Each failure is reported
with its reason; the others' answers arrive; the whole wait is bounded by the timeout."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from federation.app import create_app
from federation.peers import (
    INSTANCE_HEADER,
    Peer,
    PeerClient,
    PeerFailureReason,
    PeerNotAllowed,
)
from federation.settings import Settings
from tests.federation.live import LiveServer, free_port, live

TIMEOUT = 0.5
COUNT = "{ resources { totalCount } }"


def fixed(response: Response, delay: float = 0.0) -> Starlette:
    async def graphql(request: Request) -> Response:
        await asyncio.sleep(delay)
        return response

    return Starlette(routes=[Route("/graphql", graphql, methods=["POST"])])


@pytest.fixture
async def instance(tmp_path: Path) -> AsyncIterator[LiveServer]:
    """A real mulu instance (四川 intranet, empty) on a loopback port."""
    settings = Settings(data_dir=tmp_path, instance="510000/intranet")
    async with live(create_app(settings)) as server:
        yield server


@pytest.fixture
async def slow() -> AsyncIterator[LiveServer]:
    async with live(fixed(JSONResponse({"data": {}}), delay=5)) as server:
        yield server


@pytest.fixture
async def broken() -> AsyncIterator[LiveServer]:
    async with live(fixed(PlainTextResponse("boom", status_code=500))) as server:
        yield server


@pytest.fixture
async def garbled() -> AsyncIterator[LiveServer]:
    async with live(fixed(PlainTextResponse("<html>not graphql</html>"))) as server:
        yield server


def peer(id: str, server: LiveServer | None) -> Peer:
    url = server.url if server else f"http://127.0.0.1:{free_port()}"  # nothing listens there
    return Peer(id, url + "/graphql")


async def test_every_peer_answers_or_says_why_within_the_timeout(
    instance: LiveServer, slow: LiveServer, broken: LiveServer, garbled: LiveServer
) -> None:
    peers = [
        peer("510000/intranet", instance),
        peer("national/intranet", None),
        peer("510100/intranet", slow),
        peer("510700/intranet", broken),
        peer("510600/intranet", garbled),
    ]
    async with PeerClient("510000/intranet", peers, timeout=TIMEOUT) as client:
        started = time.perf_counter()
        results = await client.ask(COUNT)
        elapsed = time.perf_counter() - started
    assert results.answers["510000/intranet"].data == {"resources": {"totalCount": 0}}
    reasons = {f.instance: f.reason for f in results.failures}
    assert reasons == {
        "national/intranet": PeerFailureReason.UNREACHABLE,
        "510100/intranet": PeerFailureReason.TIMEOUT,
        "510700/intranet": PeerFailureReason.HTTP_ERROR,
        "510600/intranet": PeerFailureReason.BAD_ANSWER,
    }
    details = {f.instance: f.detail for f in results.failures}
    assert details["510100/intranet"] == "no answer within 0.5 s"
    assert details["510700/intranet"] == "HTTP 500"
    assert elapsed < TIMEOUT + 0.4, elapsed


async def test_graphql_errors_are_a_reason(instance: LiveServer) -> None:
    async with PeerClient("510100/intranet", [peer("510000/intranet", instance)]) as client:
        results = await client.ask('{ resource(code: "not a code") { code } }')
    (failure,) = results.failures
    assert failure.reason is PeerFailureReason.GRAPHQL_ERRORS
    assert failure.detail.startswith("INVALID_VALUE: ")


async def test_a_shorter_wait_for_one_question(slow: LiveServer) -> None:
    async with PeerClient("510100/intranet", [peer("510000/intranet", slow)], timeout=5) as client:
        started = time.perf_counter()
        results = await client.ask(COUNT, wait_seconds=0.2)
    assert time.perf_counter() - started < 0.6
    assert results.failures[0].detail == "no answer within 0.2 s"


async def test_headers_and_per_peer_variables_reach_the_peer() -> None:
    seen: list[tuple[str | None, str | None, object]] = []

    async def graphql(request: Request) -> Response:
        body = await request.json()
        seen.append(
            (
                request.headers.get(INSTANCE_HEADER),
                request.headers.get("X-Mulu-Dev-Department"),
                body.get("variables"),
            )
        )
        return JSONResponse({"data": {"ok": True}})

    app = Starlette(routes=[Route("/graphql", graphql, methods=["POST"])])
    peers = [
        Peer("510000/intranet", "http://a/graphql"),
        Peer("510700/intranet", "http://b/graphql"),
    ]
    client = PeerClient("510000/intranet", peers, transport=httpx.ASGITransport(app=app))
    async with client:
        results = await client.ask(
            COUNT,
            {"first": 5},
            headers={"X-Mulu-Dev-Department": "11510100MB0000001Y"},
            per_peer={"510700/intranet": {"after": "abc"}},
        )
    assert set(results.answers) == {"510000/intranet", "510700/intranet"}
    assert sorted(seen, key=str) == sorted(
        [
            ("510000/intranet", "11510100MB0000001Y", {"first": 5}),
            ("510000/intranet", "11510100MB0000001Y", {"first": 5, "after": "abc"}),
        ],
        key=str,
    )


def test_an_extranet_instance_never_asks_an_intranet_one() -> None:
    with pytest.raises(PeerNotAllowed, match=r"510100/extranet may not ask 510000/intranet"):
        PeerClient("510100/extranet", [Peer("510000/intranet", "http://a/graphql")])
    with pytest.raises(PeerNotAllowed, match=r"same zone \(intranet\)"):
        PeerClient("510100/intranet", [Peer("510000/extranet", "http://a/graphql")])


async def test_opened_once_closed_idempotently() -> None:
    client = PeerClient("510100/intranet", [])
    with pytest.raises(RuntimeError, match="open the PeerClient"):
        await client.ask(COUNT)
    async with client:
        assert (await client.ask(COUNT)).answers == {}
        with pytest.raises(RuntimeError, match="opened once"):
            await client.__aenter__()
    await client.aclose()
    with pytest.raises(RuntimeError, match="opened once"):
        await client.__aenter__()
