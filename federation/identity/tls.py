"""TLS on the instances' servers, the context they ask their peers with, and the caller
named by the certificate the server (or a trusted reverse proxy) verified.

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

Peers (`client_context`): an instance asks its peers over HTTPS, verifying their server
certificate against the platform CA bundle and their address, and presenting its own instance
certificate as its client certificate — which the answering instance finds where it finds any
client certificate (`client_certificate`).

`caller` decides who is asking:

    TLS off, no trusted proxy        the development headers when dev_identity_header is on,
                                     else anonymous (federation.api.identity)
    from a trusted proxy             the certificate it forwarded, checked again
                                     (federation.identity.proxy); none: anonymous
    TLS on, no client certificate    anonymous (development headers ignored)
    a department certificate         that department (its role: the instance's grants, which
                                     the server asks next — federation.identity.roles)
    an instance certificate          that instance, a peer if `federation.identity.peering`
                                     admits it (the server asks it next)
    a subject mulu refuses           400 naming the subject field (an error of issuance)

uvicorn's proxy headers are off (`uvicorn_options`): its ProxyHeadersMiddleware would take the
caller's address from ``X-Forwarded-For`` on any connection from 127.0.0.1, so a local process
could pose as a trusted proxy. The address is the connection's own.
"""

from __future__ import annotations

import asyncio
import functools
import ipaddress
import ssl
from collections import deque
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cryptography import x509
from starlette.types import Receive, Scope, Send
from uvicorn.protocols.http.h11_impl import H11Protocol

from federation.api.identity import Viewer, viewer_from_headers
from federation.identity.errors import NotIssuable
from federation.identity.proxy import check_trust, forwarded_certificate, from_trusted_proxy
from federation.identity.subject import CertificateSubject, subject_of
from federation.settings import TlsSettings
from graph import InvalidValue, Zone

__all__ = [
    "HandshakeRefusals",
    "TlsH11Protocol",
    "caller",
    "check_instance_certificate",
    "client_certificate",
    "client_context",
    "server_context",
    "uvicorn_options",
]


# The alerts a server sends when it refuses the client's certificate (RFC 5246 §7.2, RFC 8446
# §6.2), by code: what `HandshakeRefusals` listens for.
_ALERT = 21  # the TLS content type of an alert
_REFUSING_ALERTS = {
    42: "bad_certificate",
    43: "unsupported_certificate",
    44: "certificate_revoked",
    45: "certificate_expired",
    46: "certificate_unknown",
    48: "unknown_ca",
    49: "access_denied",
    116: "certificate_required",
}


class HandshakeRefusals:
    """The client certificates a server refused in the handshake — they never reach the app —
    heard from the alerts it sends (OpenSSL's message callback), for the audit log.

    The callback only counts: the time and the alert's name, at most `capacity` waiting
    (past that, how many were not kept); `take` hands them over (the app writes them as
    AUTHENTICATION_FAILED records). The handshake has no HTTP request, so no caller address
    is known here."""

    def __init__(self, capacity: int = 10_000) -> None:
        self._capacity = capacity
        self._waiting: deque[tuple[datetime, str]] = deque()
        self.not_kept = 0
        # Called after each refusal heard (the app's writer wakes: it waits for nothing else).
        self.on_heard: Callable[[], object] | None = None

    def heard(
        self,
        conn: object,
        direction: str,
        version: object,
        content_type: object,
        msg_type: object,
        data: bytes,
    ) -> None:
        if direction != "write" or content_type != _ALERT:
            return
        alert = _REFUSING_ALERTS.get(int(msg_type))  # type: ignore[call-overload]
        if alert is None:
            return
        if len(self._waiting) >= self._capacity:
            self.not_kept += 1
        else:
            self._waiting.append((datetime.now(UTC), alert))
        if self.on_heard is not None:
            self.on_heard()

    def take(self) -> list[tuple[datetime, str]]:
        taken = list(self._waiting)
        self._waiting.clear()
        return taken


def server_context(tls: TlsSettings, refusals: HandshakeRefusals | None = None) -> ssl.SSLContext:
    """The server's TLS context: its certificate, and the client CA and CRL when given;
    `refusals` hears each client certificate the handshake refuses."""
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
    if refusals is not None:
        # A documented hook of the ssl module (a property of SSLContext), called for every TLS
        # protocol message — not for application data — with what it carries.
        context._msg_callback = refusals.heard  # type: ignore[attr-defined]
    return context


def uvicorn_options(tls: TlsSettings, refusals: HandshakeRefusals | None = None) -> dict[str, Any]:
    """What `uvicorn.run`/`uvicorn.Config` take to serve with `tls`: TLS when it is on, and
    never uvicorn's proxy headers (see the module docstring); `OSError` (`ssl.SSLError`,
    `FileNotFoundError`) when a file cannot be used."""
    if tls.proxied:
        check_trust(tls)  # the CA bundle and CRL a forwarded certificate is checked against
    if not tls.enabled:
        return {"proxy_headers": False}
    context = server_context(tls, refusals)  # a missing or unreadable file is refused now
    return {
        "proxy_headers": False,
        "ssl_context_factory": lambda _config, _default: context,
        "http": TlsH11Protocol,
        "ws": "none",  # the WebSocket protocols would not carry the extension
    }


def client_context(ca: Path, cert: Path | None = None, key: Path | None = None) -> ssl.SSLContext:
    """The context an instance asks its peers with: their server certificate verified against
    the CA bundle `ca` and the address asked, its own `cert` (and `key`) presented as its client
    certificate. `OSError` when a file cannot be used."""
    for name, path in (("ca", ca), ("cert", cert), ("key", key)):
        if path is not None and not path.is_file():
            raise FileNotFoundError(f"tls.{name} {str(path)!r} is not a file; give a PEM file")
    context = ssl.create_default_context(cafile=ca)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    if cert is not None:
        context.load_cert_chain(cert, key)
    return context


def check_instance_certificate(cert: Path, instance: str, host: str) -> None:
    """`ValueError` unless the certificate at `cert` names `instance` and, when `host` is an
    address or name its peers use (not a wildcard), lists it among its subjectAltNames —
    otherwise peers would refuse it, or take it for another instance; `FileNotFoundError`
    when there is no such file."""
    if not cert.is_file():
        raise FileNotFoundError(f"tls.cert {str(cert)!r} is not a file; give a PEM file")
    try:
        certificate = x509.load_pem_x509_certificate(cert.read_bytes())
    except (OSError, ValueError) as exc:
        raise ValueError(f"tls.cert {str(cert)!r} is not a PEM certificate: {exc}") from None
    try:
        named = subject_of(certificate).instance_id
    except NotIssuable as exc:
        raise ValueError(f"tls.cert {str(cert)!r}: {exc}") from None
    if named != instance:
        raise ValueError(
            f"tls.cert {str(cert)!r} names {named or 'no instance'}, not {instance}; give the "
            f"certificate of {instance} (mulu pki issue instance {instance})"
        )
    host = host.strip("[]")
    if host in ("", "0.0.0.0", "::"):
        return
    try:
        sans = certificate.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        sans = x509.SubjectAlternativeName([])
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        names = [name.lower() for name in sans.get_values_for_type(x509.DNSName)]
        found, option = host.lower() in names, f"--dns {host}"
    else:
        found, option = address in sans.get_values_for_type(x509.IPAddress), f"--ip {host}"
    if not found:
        raise ValueError(
            f"tls.cert {str(cert)!r} does not name {host}, the address its peers ask it at; "
            f"issue it with {option}"
        )


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

    def shutdown(self) -> None:
        super().shutdown()
        if self.transport.is_closing():
            # An idle connection is closed with a TLS close_notify, and asyncio then waits for
            # the client's own, up to 30 s: a pooled client connection that nobody reads (a
            # peer's, say) never sends it, and the server would wait out its whole grace.
            asyncio.get_running_loop().call_later(_CLOSE_NOTIFY_WAIT, self.transport.abort)


# How long a closing idle TLS connection waits for the client's close_notify.
_CLOSE_NOTIFY_WAIT = 0.5


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
    """Who is asking an instance of `zone` (see the module docstring); the address of the
    connection is the scope's ``client``. `InvalidValue` for a certificate whose subject names
    a department mulu refuses, for a forwarded certificate that fails its check, or for
    malformed development headers."""
    if not tls.identifies:
        return viewer_from_headers(headers, zone, trusted=dev_identity_header)
    if from_trusted_proxy(scope, tls):
        certificate = forwarded_certificate(headers, tls)
    else:
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
