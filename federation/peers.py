"""Asking peer instances over GraphQL: concurrently, each within a timeout, never failing as one.

A `PeerClient` holds one `httpx.AsyncClient` for the life of the instance (opened in its
lifespan). `ask` sends the same query to some or all peers at once and returns, for each, its
answer or the reason it gave none:

    PeerFailure.reason
    ├── TIMEOUT          no answer within `timeout` seconds (connect and read together)
    ├── UNREACHABLE      no connection: refused, reset, no route, DNS
    ├── HTTP_ERROR       an HTTP status other than 200
    ├── GRAPHQL_ERRORS   the peer answered with GraphQL errors
    └── BAD_ANSWER       the body was not a GraphQL answer (not JSON, no data)

Over HTTPS (``https://`` peer URLs) the client verifies each peer's server certificate with
the `verify` context it is given — the platform CA bundle — and presents the certificate that
context holds (the instance's own) as its client certificate
(`federation.identity.tls.client_context`).

Peers are in this instance's zone, always: a client refuses to be built with — or to ask — an
instance of the other zone (an extranet instance never asks an intranet one).

    async with PeerClient("510100/intranet", [Peer("510000/intranet", url)]) as peers:
        results = await peers.ask("{ resources { totalCount } }")
"""

from __future__ import annotations

import asyncio
import ssl
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from types import TracebackType
from typing import Any

import httpx

from graph.enums import Zone
from sync.instances import zone_of

__all__ = [
    "INSTANCE_HEADER",
    "Peer",
    "PeerAnswer",
    "PeerClient",
    "PeerFailure",
    "PeerFailureReason",
    "PeerNotAllowed",
    "PeerResults",
]

INSTANCE_HEADER = "X-Mulu-Instance"


class PeerNotAllowed(ValueError):
    """A peer of the other zone: cross-level discovery never leaves its zone."""


class PeerFailureReason(StrEnum):
    TIMEOUT = "TIMEOUT"
    UNREACHABLE = "UNREACHABLE"
    HTTP_ERROR = "HTTP_ERROR"
    GRAPHQL_ERRORS = "GRAPHQL_ERRORS"
    BAD_ANSWER = "BAD_ANSWER"


@dataclass(frozen=True, slots=True)
class Peer:
    """A peer instance and its GraphQL endpoint (``http://127.0.0.1:8101/graphql``)."""

    id: str
    url: str

    @property
    def zone(self) -> Zone:
        return zone_of(self.id)


@dataclass(frozen=True, slots=True)
class PeerFailure:
    """Why `instance` gave no answer."""

    instance: str
    reason: PeerFailureReason
    detail: str


@dataclass(frozen=True, slots=True)
class PeerAnswer:
    """The `data` of a peer's GraphQL answer, its `extensions`, and how long it took."""

    instance: str
    data: Mapping[str, Any]
    seconds: float
    extensions: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class PeerResults:
    """Every asked peer is in exactly one of `answers` (by id) and `failures`."""

    answers: Mapping[str, PeerAnswer] = field(default_factory=dict)
    failures: tuple[PeerFailure, ...] = ()


class PeerClient:
    """The peers of instance `instance`, asked over one HTTP client.

    `headers` go with every request; `verify` is the TLS context of HTTPS peers (their CA,
    and the instance's own certificate to present); `transport` replaces the network, as httpx
    allows (an ASGI app in tests).
    """

    def __init__(
        self,
        instance: str,
        peers: Sequence[Peer],
        *,
        timeout: float = 2.0,
        headers: Mapping[str, str] | None = None,
        verify: ssl.SSLContext | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.instance = instance
        self.zone = zone_of(instance)
        for peer in peers:
            self._check_zone(peer)
        self.peers: dict[str, Peer] = {p.id: p for p in peers}
        self.timeout = timeout
        self._headers = {**(headers or {}), INSTANCE_HEADER: instance}
        self._verify: ssl.SSLContext | bool = True if verify is None else verify
        self._transport = transport
        self._http: httpx.AsyncClient | None = None
        self._closed = False

    def _check_zone(self, peer: Peer) -> None:
        if peer.zone is not self.zone:
            raise PeerNotAllowed(
                f"{self.instance} may not ask {peer.id}: peers are in the same zone "
                f"({self.zone.value.lower()}); no instance asks across the zones"
            )

    async def __aenter__(self) -> PeerClient:
        if self._http is not None or self._closed:
            raise RuntimeError("a PeerClient is opened once; build a new one")
        self._http = httpx.AsyncClient(
            transport=self._transport,
            verify=self._verify,
            headers=self._headers,
            timeout=httpx.Timeout(self.timeout),
            # Every peer at once: one connection each at least, kept between requests.
            limits=httpx.Limits(max_connections=max(10, 4 * len(self.peers))),
        )
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the HTTP client; closing twice is harmless."""
        self._closed = True
        if self._http is not None:
            http, self._http = self._http, None
            await http.aclose()

    async def ask(
        self,
        query: str,
        variables: Mapping[str, Any] | None = None,
        *,
        only: Iterable[str] | None = None,
        headers: Mapping[str, str] | None = None,
        per_peer: Mapping[str, Mapping[str, Any]] | None = None,
        wait_seconds: float | None = None,
    ) -> PeerResults:
        """Send `query` to every peer (or those named in `only`) at once; wait at most
        `timeout` for each. Extra `headers` go with these requests only; `per_peer` adds
        variables for one peer (its own cursor, say); `wait_seconds` shortens the wait this time."""
        if self._http is None:
            raise RuntimeError("open the PeerClient (async with) before asking")
        chosen = list(self.peers.values()) if only is None else [self.peers[i] for i in only]
        for peer in chosen:
            self._check_zone(peer)  # again: a peer list is never trusted to be in one zone
        own = per_peer or {}
        wait = self.timeout if wait_seconds is None else min(wait_seconds, self.timeout)

        def body(peer: Peer) -> dict[str, Any]:
            merged = {**(variables or {}), **own.get(peer.id, {})}
            return {"query": query, "variables": merged} if merged else {"query": query}

        outcomes = await asyncio.gather(
            *(self._ask_one(self._http, peer, body(peer), headers or {}, wait) for peer in chosen)
        )
        answers = {o.instance: o for o in outcomes if isinstance(o, PeerAnswer)}
        failures = tuple(o for o in outcomes if isinstance(o, PeerFailure))
        return PeerResults(answers, failures)

    async def exchange(
        self,
        instance: str,
        query: str,
        variables: Mapping[str, Any] | None = None,
        *,
        headers: Mapping[str, str] | None = None,
    ) -> Mapping[str, Any] | PeerFailure:
        """Send `query` to the peer `instance` alone and return its whole GraphQL answer —
        `data` and `errors` both, for the caller to relay — or why none came (TIMEOUT,
        UNREACHABLE, HTTP_ERROR without a GraphQL body, BAD_ANSWER)."""
        if self._http is None:
            raise RuntimeError("open the PeerClient (async with) before asking")
        peer = self.peers[instance]
        self._check_zone(peer)
        body: dict[str, Any] = {"query": query, "variables": dict(variables or {})}
        try:
            async with asyncio.timeout(self.timeout):
                response = await self._http.post(peer.url, json=body, headers=dict(headers or {}))
        except (TimeoutError, httpx.TimeoutException):
            return PeerFailure(
                instance, PeerFailureReason.TIMEOUT, f"no answer within {self.timeout:g} s"
            )
        except httpx.TransportError as exc:
            return PeerFailure(
                instance, PeerFailureReason.UNREACHABLE, str(exc) or type(exc).__name__
            )
        try:
            answer = response.json()
        except ValueError:
            answer = None
        if not isinstance(answer, dict) or ("data" not in answer and "errors" not in answer):
            reason = (
                PeerFailureReason.HTTP_ERROR
                if response.status_code != 200
                else PeerFailureReason.BAD_ANSWER
            )
            return PeerFailure(instance, reason, f"HTTP {response.status_code}: no GraphQL answer")
        return answer

    async def _ask_one(
        self,
        http: httpx.AsyncClient,
        peer: Peer,
        body: Mapping[str, Any],
        headers: Mapping[str, str],
        wait: float,
    ) -> PeerAnswer | PeerFailure:
        started = time.perf_counter()
        try:
            async with asyncio.timeout(wait):
                response = await http.post(peer.url, json=body, headers=dict(headers))
        except (TimeoutError, httpx.TimeoutException):
            return PeerFailure(peer.id, PeerFailureReason.TIMEOUT, f"no answer within {wait:g} s")
        except httpx.TransportError as exc:
            detail = str(exc) or type(exc).__name__
            return PeerFailure(peer.id, PeerFailureReason.UNREACHABLE, detail)
        seconds = time.perf_counter() - started
        return _read_answer(peer, response, seconds)


def _read_answer(peer: Peer, response: httpx.Response, seconds: float) -> PeerAnswer | PeerFailure:
    try:
        answer = response.json()
    except ValueError:
        answer = None
    errors = answer.get("errors") if isinstance(answer, dict) else None
    if response.status_code != 200:
        detail = f"HTTP {response.status_code}"
        if errors:
            detail += f": {_first_error(errors)}"
        return PeerFailure(peer.id, PeerFailureReason.HTTP_ERROR, detail)
    if errors:
        return PeerFailure(peer.id, PeerFailureReason.GRAPHQL_ERRORS, _first_error(errors))
    data = answer.get("data") if isinstance(answer, dict) else None
    if not isinstance(data, dict):
        return PeerFailure(peer.id, PeerFailureReason.BAD_ANSWER, "the body has no GraphQL data")
    extensions = answer.get("extensions") if isinstance(answer, dict) else None
    return PeerAnswer(peer.id, data, seconds, extensions if isinstance(extensions, dict) else {})


def _first_error(errors: Any) -> str:
    first = errors[0] if isinstance(errors, list) and errors else {}
    if not isinstance(first, dict):
        return str(first)
    code = (first.get("extensions") or {}).get("code")
    message = str(first.get("message", "an error"))
    return f"{code}: {message}" if code else message
