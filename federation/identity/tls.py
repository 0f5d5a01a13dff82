"""TLS on `mulu serve`, and the caller named by the certificate the server verified.

uvicorn (up to 0.55 at least) does not hand the peer certificate to the app: the ASGI TLS
extension (``scope["extensions"]["tls"]``) is still an open pull request there
(Kludex/uvicorn#3132, #3133). So `TlsH11Protocol`, the h11 protocol uvicorn is given, reads
the certificate OpenSSL verified from its transport once per connection
(``transport.get_extra_info("ssl_object").getpeercert(binary_form=True)``) and puts it in
every request's scope as that extension's ``client_cert_chain`` — the same place a uvicorn
that implements the extension will put it. Nothing a client sends in the request can reach it.

The handshake (`server_context`): the client certificate is optional (``CERT_OPTIONAL``:
anonymous callers still reach an extranet's public entries) but, when one is presented, it
must chain to ``tls.client_ca``, be within its dates and — with ``tls.crl`` — not be revoked,
or the handshake fails: an expired, revoked or foreign certificate never reaches the app.

`caller` decides who is asking:

    TLS off                          the development headers when dev_identity_header is on,
                                     else anonymous (federation.api.identity)
    TLS on, no client certificate    anonymous (development headers ignored)
    TLS on, a department certificate that department (Role.PROVIDER)
    TLS on, an instance certificate  that instance, a peer if `federation.identity.peering`
                                     admits it (the server asks it next)
    TLS on, a subject mulu refuses   400 naming the subject field (an error of issuance)
"""

from __future__ import annotations

import asyncio
import functools
import ssl
from collections.abc import Mapping
from typing import Any

from cryptography import x509
from starlette.types import Receive, Scope, Send
from uvicorn.protocols.http.h11_impl import H11Protocol

from federation.api.identity import Viewer, viewer_from_headers
from federation.identity.errors import NotIssuable
from federation.identity.subject import CertificateSubject, subject_of
from federation.settings import TlsSettings
from graph import InvalidValue, Zone

__all__ = ["TlsH11Protocol", "caller", "client_certificate", "server_context", "uvicorn_options"]


def server_context(tls: TlsSettings) -> ssl.SSLContext:
    """The server's TLS context: its certificate, and the client CA and CRL when given."""
    if tls.cert is None or tls.key is None:
        raise ValueError("tls.cert and tls.key are needed to serve over TLS; give both")
    for name, path in (("cert", tls.cert), ("key", tls.key), ("client_ca", tls.client_ca)):
        if path is not None and not path.is_file():
            raise FileNotFoundError(f"tls.{name} {str(path)!r} is not a file; give a PEM file")
    if tls.crl is not None and not tls.crl.is_file():
        raise FileNotFoundError(f"tls.crl {str(tls.crl)!r} is not a file; give a PEM CRL")
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.load_cert_chain(tls.cert, tls.key)
    if tls.client_ca is not None:
        context.verify_mode = ssl.CERT_OPTIONAL
        context.load_verify_locations(cafile=tls.client_ca)
    if tls.crl is not None:
        context.load_verify_locations(cafile=tls.crl)  # OpenSSL reads the CRL from a cafile
        context.verify_flags |= ssl.VERIFY_CRL_CHECK_LEAF
    return context


def uvicorn_options(tls: TlsSettings) -> dict[str, Any]:
    """What `uvicorn.run`/`uvicorn.Config` take to serve with `tls` (nothing when it is off);
    `OSError` (`ssl.SSLError`, `FileNotFoundError`) when a file cannot be used."""
    if not tls.enabled:
        return {}
    context = server_context(tls)  # a missing or unreadable file is refused before serving
    return {
        "ssl_context_factory": lambda _config, _default: context,
        "http": TlsH11Protocol,
        "ws": "none",  # the WebSocket protocols would not carry the extension
    }


class TlsH11Protocol(H11Protocol):
    """uvicorn's h11 protocol, with the verified client certificate in the ASGI TLS extension."""

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        tls = _tls_extension(transport)
        if tls is None:
            return
        app = self.app

        async def with_tls(scope: Scope, receive: Receive, send: Send) -> None:
            scope["extensions"] = {**(scope.get("extensions") or {}), "tls": tls}
            await app(scope, receive, send)

        self.app = with_tls


def _tls_extension(transport: asyncio.Transport) -> dict[str, Any] | None:
    ssl_object = transport.get_extra_info("ssl_object")
    if ssl_object is None:
        return None
    der = ssl_object.getpeercert(binary_form=True)
    chain = (ssl.DER_cert_to_PEM_cert(der),) if der else ()
    return {
        "server_cert": None,
        "client_cert_chain": chain,  # the leaf only: Python < 3.13 gives no more
        "client_cert_name": None,
        "client_cert_error": None,
        "tls_version": None,
        "cipher_suite": None,
    }


def client_certificate(scope: Mapping[str, Any]) -> x509.Certificate | None:
    """The client certificate the server verified for this request's connection, if any."""
    tls = (scope.get("extensions") or {}).get("tls")
    chain = tls.get("client_cert_chain") if isinstance(tls, Mapping) else None
    if not chain:
        return None
    return _load(chain[0])


@functools.lru_cache(maxsize=1024)
def _load(pem: str) -> x509.Certificate:
    return x509.load_pem_x509_certificate(pem.encode("ascii"))


def caller(
    scope: Mapping[str, Any],
    headers: Mapping[str, str],
    zone: Zone,
    *,
    tls: TlsSettings,
    dev_identity_header: bool,
) -> Viewer:
    """Who is asking an instance of `zone` (see the module docstring); `InvalidValue` for a
    certificate whose subject names a department mulu refuses, or for malformed development
    headers."""
    if not tls.enabled:
        return viewer_from_headers(headers, zone, trusted=dev_identity_header)
    certificate = client_certificate(scope)
    if certificate is None:
        return Viewer(zone)
    try:
        subject: CertificateSubject = subject_of(certificate)
    except NotIssuable as exc:
        raise InvalidValue(
            "client certificate subject", certificate.subject.rfc4514_string(), str(exc)
        ) from None
    if subject.department_code is not None:
        return Viewer(zone, subject.department_code)
    return Viewer(zone, instance=subject.instance_id)
