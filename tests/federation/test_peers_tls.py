"""Peers over HTTPS, with real handshakes on loopback: the asking instance verifies the peer's
server certificate against the platform CA and presents its own instance certificate, which
the answering side reads where it reads any verified client certificate (the ASGI TLS
extension, `client_certificate`).

Defect classes: a peer asked over plain HTTP or without verifying its certificate (a server of
another CA answers); the calling instance's certificate not presented, or not reaching the
answering app; an instance started with a certificate that names another instance or not the
address its peers ask it at.
"""

from __future__ import annotations

import ssl
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from federation.identity import PlatformCA, subject_of
from federation.identity.tls import (
    check_instance_certificate,
    client_certificate,
    client_context,
    uvicorn_options,
)
from federation.peers import Peer, PeerClient, PeerFailureReason
from federation.settings import TlsSettings
from tests.federation.live import LiveServer, live

CITY, PROVINCE, NATION = "510100/intranet", "510000/intranet", "national/intranet"
WHO = "{ caller }"


async def who_asks(request: Request) -> JSONResponse:
    """The answering side: the instance named by the client certificate of the connection."""
    certificate = client_certificate(request.scope)
    named = subject_of(certificate).instance_id if certificate is not None else None
    return JSONResponse({"data": {"caller": named}})


APP = Starlette(routes=[Route("/graphql", who_asks, methods=["POST"])])


@dataclass(frozen=True)
class Pki:
    ca: PlatformCA
    foreign: PlatformCA

    def tls(self, instance: str, ca: PlatformCA | None = None) -> TlsSettings:
        ca = ca or self.ca
        stem = ca.directory / "instances" / instance.replace("/", "-")
        return TlsSettings(
            cert=stem.with_suffix(".crt"),
            key=stem.with_suffix(".key"),
            client_ca=self.ca.cert_path,
            crl=self.ca.crl_path,
        )


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    root = tmp_path_factory.mktemp("peers-tls")
    ca, foreign = PlatformCA.init(root / "pki"), PlatformCA.init(root / "foreign")
    for instance in (CITY, PROVINCE):
        ca.issue_instance(instance)
    foreign.issue_instance(NATION)
    return Pki(ca, foreign)


@pytest.fixture
async def province(pki: Pki) -> AsyncIterator[LiveServer]:
    async with live(APP, **uvicorn_options(pki.tls(PROVINCE))) as server:
        yield server


@pytest.fixture
async def impostor(pki: Pki) -> AsyncIterator[LiveServer]:
    """A server whose certificate another CA issued."""
    async with live(APP, **uvicorn_options(pki.tls(NATION, pki.foreign))) as server:
        yield server


def city_client(pki: Pki, peers: list[Peer]) -> PeerClient:
    own = pki.tls(CITY)
    assert own.cert is not None
    return PeerClient(CITY, peers, verify=client_context(pki.ca.cert_path, own.cert, own.key))


async def test_a_peer_is_asked_over_https_and_sees_the_asking_instance_s_certificate(
    pki: Pki, province: LiveServer
) -> None:
    assert province.url.startswith("https://")
    async with city_client(pki, [Peer(PROVINCE, province.url + "/graphql")]) as peers:
        results = await peers.ask(WHO)
    assert results.failures == ()
    assert results.answers[PROVINCE].data == {"caller": CITY}


async def test_without_its_own_certificate_the_instance_is_anonymous_to_its_peer(
    pki: Pki, province: LiveServer
) -> None:
    context = client_context(pki.ca.cert_path)  # the CA alone: nothing to present
    async with PeerClient(CITY, [Peer(PROVINCE, province.url + "/graphql")], verify=context) as p:
        results = await p.ask(WHO)
    assert results.answers[PROVINCE].data == {"caller": None}


async def test_a_peer_whose_certificate_another_ca_issued_is_unreachable(
    pki: Pki, impostor: LiveServer
) -> None:
    async with city_client(pki, [Peer(NATION, impostor.url + "/graphql")]) as peers:
        results = await peers.ask(WHO)
    assert results.answers == {}
    (failure,) = results.failures
    assert failure.reason is PeerFailureReason.UNREACHABLE
    assert "CERTIFICATE_VERIFY_FAILED" in failure.detail


def test_the_peer_context_checks_the_peer_s_name_and_certificate(pki: Pki) -> None:
    context = client_context(pki.ca.cert_path)
    assert context.verify_mode is ssl.CERT_REQUIRED
    assert context.check_hostname
    assert context.minimum_version is ssl.TLSVersion.TLSv1_2
    with pytest.raises(FileNotFoundError, match=r"tls.ca '.*missing.crt' is not a file"):
        client_context(pki.ca.directory / "missing.crt")


def test_an_instance_certificate_must_name_the_instance_and_its_address(pki: Pki) -> None:
    cert = pki.tls(CITY).cert
    assert cert is not None
    check_instance_certificate(cert, CITY, "127.0.0.1")
    check_instance_certificate(cert, CITY, "localhost")
    check_instance_certificate(cert, CITY, "0.0.0.0")  # every address: not checked
    with pytest.raises(ValueError, match=r"names 510100/intranet, not 510000/intranet; give the"):
        check_instance_certificate(cert, PROVINCE, "127.0.0.1")
    with pytest.raises(ValueError, match=r"does not name 10.0.0.5, .* issue it with --ip 10.0.0.5"):
        check_instance_certificate(cert, CITY, "10.0.0.5")
    with pytest.raises(ValueError, match=r"does not name catalog.cd.example, .* --dns catalog"):
        check_instance_certificate(cert, CITY, "catalog.cd.example")
    with pytest.raises(ValueError, match=r"is not a PEM certificate"):
        check_instance_certificate(Path(str(cert).replace(".crt", ".key")), CITY, "127.0.0.1")
