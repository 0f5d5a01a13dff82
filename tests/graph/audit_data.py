"""Test data of the audit log: entries, and an instance key with its certificate.

entry = audit_entry(5, action="publish")
key, certificate = instance_key()
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from graph.audit import AuditEntry, AuditKind

T0 = datetime(2026, 3, 1, 1, 30, tzinfo=UTC)


def audit_entry(n: int, **overrides: Any) -> AuditEntry:
    """The `n`th of a run of entries, one second apart from `T0`."""
    fields: dict[str, Any] = {
        "kind": AuditKind.CATALOG_WRITE,
        "actor": "11510100MB0000001X",
        "action": "update",
        "subject": f"301001001/{n:06d}",
        "version_before": n,
        "version_after": n + 1,
        "detail": {"role": "PROVIDER", "n": n, "note": "更新说明"},
        "at": T0 + timedelta(seconds=n),
    }
    fields.update(overrides)
    return AuditEntry(**fields)


@cache
def instance_key(
    name: str = "510100/intranet",
) -> tuple[ec.EllipticCurvePrivateKey, x509.Certificate]:
    """A P-256 key and a self-signed certificate naming the instance `name`."""
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(T0 - timedelta(days=1))
        .not_valid_after(T0 + timedelta(days=3650))
        .sign(key, hashes.SHA256())
    )
    return key, certificate
