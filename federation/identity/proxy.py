"""The caller's certificate as a reverse proxy that ended TLS forwards it (nginx; the usual
set-up in government data centres, and the only way to 国密 SM2 certificates today).

The proxy verifies the client certificate in its handshake against the platform CA
(``ssl_verify_client optional``) and forwards, in headers it sets itself (clearing any the
client sent), the certificate (nginx ``$ssl_client_escaped_cert``: the PEM, URL-escaped) and its
verdict (``$ssl_client_verify``: ``SUCCESS``, ``NONE``, ``FAILED:<reason>``). The rules:

1. The headers are believed only on a connection whose address is in ``tls.trusted_proxies``
   (IP addresses or CIDR networks; an IPv4-mapped IPv6 address counts as its IPv4 address).
   From any other address they are ignored: the caller is whatever that connection proves —
   its own TLS client certificate when mulu serves TLS, else anonymous.
2. From a trusted proxy, the verdict decides:

       header absent, empty or NONE   no certificate: anonymous
       SUCCESS                        the forwarded certificate, once rule 3 holds
       anything else (FAILED:…)       refused (400): the proxy saw a certificate it could not
                                      verify, and a presented certificate that fails is never
                                      served as anonymous (as in mulu's own handshake)

3. Defence in depth — the forwarded certificate is checked again, as mulu's own handshake
   would: directly issued by a CA certificate of ``tls.client_ca`` (signature verified), the
   certificate and that CA within their dates, clientAuth among its extended key usages when
   it lists any, and — with ``tls.crl`` — not revoked by a CRL of that CA which is itself
   within its next update. A certificate that fails is refused (400 naming the header), never
   believed. The CA bundle and CRL are read once, when first needed. A signature algorithm
   the Python ``cryptography`` library does not implement (SM2) fails this check.
4. Whenever ``tls.trusted_proxies`` is set (or mulu serves TLS), the development headers
   (``X-Mulu-Dev-*``) are ignored (`federation.identity.tls.caller`).

Header names: ``tls.client_cert_header`` (default ``X-SSL-Client-Cert``) and
``tls.client_verify_header`` (default ``X-SSL-Client-Verify``). The nginx side:

    ssl_client_certificate /etc/mulu/ca.crt;  ssl_verify_client optional;
    proxy_set_header X-SSL-Client-Cert   $ssl_client_escaped_cert;
    proxy_set_header X-SSL-Client-Verify $ssl_client_verify;
"""

from __future__ import annotations

import datetime as dt
import functools
import ipaddress
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.x509.oid import ExtendedKeyUsageOID

from federation.settings import TlsSettings
from graph import InvalidValue

__all__ = ["check_trust", "forwarded_certificate", "from_trusted_proxy"]

_CRL_BEGIN = "-----BEGIN X509 CRL-----"


def from_trusted_proxy(scope: Mapping[str, Any], tls: TlsSettings) -> bool:
    """Whether this request's connection comes from an address in ``tls.trusted_proxies``."""
    client = scope.get("client")
    if not tls.trusted_proxies or not client:
        return False
    try:
        address = ipaddress.ip_address(str(client[0]))
    except ValueError:  # a Unix socket's path, say
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return any(address in network for network in tls.trusted_proxies)


def forwarded_certificate(headers: Mapping[str, str], tls: TlsSettings) -> x509.Certificate | None:
    """The client certificate a trusted proxy forwarded in `headers` (lower-case names, as
    ASGI gives them), checked again (rules 2 and 3 of the module docstring); None when it
    forwarded none. `InvalidValue` naming the
    header when the verdict is a failure or the certificate fails the check."""
    verdict = (headers.get(tls.client_verify_header.lower()) or "NONE").strip()
    if verdict == "NONE":
        return None
    if verdict != "SUCCESS":
        raise InvalidValue(
            tls.client_verify_header,
            verdict,
            "SUCCESS or NONE: the proxy could not verify the client certificate presented",
        )
    escaped = (headers.get(tls.client_cert_header.lower()) or "").strip()
    try:
        certificate = x509.load_pem_x509_certificate(unquote(escaped).encode("ascii"))
    except (ValueError, UnicodeEncodeError):
        raise InvalidValue(
            tls.client_cert_header,
            escaped[:80],
            "the verified client certificate as URL-escaped PEM (nginx $ssl_client_escaped_cert)",
        ) from None
    if tls.client_ca is None:  # TlsSettings refuses trusted proxies without it
        raise ValueError("tls.client_ca is needed to check a forwarded certificate")
    problem = _problem(certificate, _trust(tls.client_ca, tls.crl), _now())
    if problem is not None:
        raise InvalidValue(tls.client_cert_header, certificate.subject.rfc4514_string(), problem)
    return certificate


def check_trust(tls: TlsSettings) -> None:
    """Read ``tls.client_ca`` and ``tls.crl`` now, as a server starting behind a proxy does:
    `OSError` or `ValueError` naming the file that cannot be used."""
    if tls.client_ca is None:
        raise ValueError("tls.trusted_proxies needs tls.client_ca to check what they forward")
    for name, path in (("client_ca", tls.client_ca), ("crl", tls.crl)):
        if path is not None and not path.is_file():
            raise FileNotFoundError(f"tls.{name} {str(path)!r} is not a file; give a PEM file")
    try:
        trust = _trust(tls.client_ca, tls.crl)
    except ValueError as exc:
        raise ValueError(f"tls.client_ca or tls.crl is not PEM: {exc}") from None
    if not trust.authorities:
        raise ValueError(
            f"tls.client_ca {str(tls.client_ca)!r} holds no CA certificate "
            "(basicConstraints CA:TRUE); give the platform CA bundle"
        )


@dataclass(frozen=True, slots=True)
class _Trust:
    """The CA certificates of ``tls.client_ca`` and the CRLs of ``tls.crl``."""

    authorities: tuple[x509.Certificate, ...]
    crls: tuple[x509.CertificateRevocationList, ...] | None  # None: no CRL configured


@functools.lru_cache(maxsize=8)
def _trust(client_ca: Path, crl: Path | None) -> _Trust:
    authorities = tuple(
        c for c in x509.load_pem_x509_certificates(client_ca.read_bytes()) if _is_ca(c)
    )
    if crl is None:
        return _Trust(authorities, None)
    text = crl.read_text(encoding="ascii")
    blocks = [_CRL_BEGIN + part for part in text.split(_CRL_BEGIN)[1:]]
    return _Trust(authorities, tuple(x509.load_pem_x509_crl(b.encode()) for b in blocks))


def _is_ca(certificate: x509.Certificate) -> bool:
    try:
        return certificate.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    except x509.ExtensionNotFound:
        return False


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _issued_by(certificate: x509.Certificate, authority: x509.Certificate) -> bool:
    try:
        certificate.verify_directly_issued_by(authority)
    except (ValueError, TypeError, InvalidSignature, UnsupportedAlgorithm):
        return False
    return True


def _within(certificate: x509.Certificate, now: dt.datetime) -> bool:
    return certificate.not_valid_before_utc <= now <= certificate.not_valid_after_utc


def _problem(certificate: x509.Certificate, trust: _Trust, now: dt.datetime) -> str | None:
    """What is wrong with `certificate` (rule 3), or None."""
    authority = next((a for a in trust.authorities if _issued_by(certificate, a)), None)
    if authority is None:
        return (
            "a certificate directly issued by a CA of tls.client_ca (its signature verified); "
            "this one is not"
        )
    if not _within(certificate, now) or not _within(authority, now):
        return "a certificate within its dates, issued by a CA within its own"
    try:
        usages = certificate.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    except x509.ExtensionNotFound:
        usages = None
    if usages is not None and ExtendedKeyUsageOID.CLIENT_AUTH not in usages:
        return "a certificate for client authentication (extendedKeyUsage clientAuth)"
    if trust.crls is None:
        return None
    crl = next((c for c in trust.crls if _crl_of(c, authority)), None)
    if crl is None:
        return "a certificate whose CA has a CRL in tls.crl; there is none of its issuer"
    if crl.next_update_utc is not None and crl.next_update_utc < now:
        return "a certificate checked against a current CRL; tls.crl is past its next update"
    if crl.get_revoked_certificate_by_serial_number(certificate.serial_number) is not None:
        return "a certificate that is not revoked; tls.crl lists this one"
    return None


def _crl_of(crl: x509.CertificateRevocationList, authority: x509.Certificate) -> bool:
    if crl.issuer != authority.subject:
        return False
    try:
        return crl.is_signature_valid(authority.public_key())  # type: ignore[arg-type]
    except (TypeError, UnsupportedAlgorithm):
        return False
