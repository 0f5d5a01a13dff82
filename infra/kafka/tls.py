"""TLS on the broker's client listener: the broker's certificate and key and the CA bundle
clients verify it with, as PEM files.

Kafka 4 reads PEM directly (``ssl.keystore.type=PEM``; no JKS, no keytool): its keystore is
one file holding an unencrypted PKCS#8 private key and the certificate chain. `KafkaTls`
checks the three files when it is made and writes that keystore (`keystore_pem`, any PEM
private key the ``cryptography`` package reads, converted to PKCS#8), so a wrong file is
named before a JVM starts. `self_signed_tls` makes a CA and a broker certificate for
127.0.0.1 and localhost, for development on one machine only.

    >>> tls = KafkaTls(cert=Path("broker.crt"), key=Path("broker.key"), ca=Path("ca.crt"))
    >>> KafkaServer(port=19092, admin_password="…", tls=tls).start().security_protocol
    'SASL_SSL'
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

__all__ = ["KafkaTls", "self_signed_tls"]

_CERTIFICATE: Final = "-----BEGIN CERTIFICATE-----"


def _read(what: str, path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        reason = exc.strerror or exc
        raise ValueError(f"{what} {path} cannot be read ({reason}); give a PEM file") from None


def _certificates(what: str, path: Path) -> list[x509.Certificate]:
    data = _read(what, path)
    try:
        found = x509.load_pem_x509_certificates(data) if _CERTIFICATE.encode() in data else []
    except ValueError as exc:
        raise ValueError(f"{what} {path} holds a broken PEM certificate: {exc}") from None
    if not found:
        raise ValueError(f"{what} {path} holds no PEM certificate ({_CERTIFICATE} …)")
    return found


@dataclass(frozen=True, slots=True)
class KafkaTls:
    """The client listener's certificate (`cert`, the chain from the broker's certificate
    up), its private key (`key`, not encrypted) and the CA bundle (`ca`) clients verify the
    broker with; the broker verifies a client certificate, when one is offered, with it too."""

    cert: Path
    key: Path
    ca: Path

    def __post_init__(self) -> None:
        for name in ("cert", "key", "ca"):
            object.__setattr__(self, name, Path(getattr(self, name)).expanduser().absolute())
        _certificates("TLS certificate", self.cert)
        _certificates("TLS CA bundle", self.ca)
        self._private_key()

    def _private_key(self) -> bytes:
        data = _read("TLS key", self.key)
        try:
            key = serialization.load_pem_private_key(data, password=None)
        except TypeError:
            raise ValueError(
                f"TLS key {self.key} is encrypted; give the key without a passphrase "
                "(a file of mode 0600)"
            ) from None
        except ValueError as exc:
            raise ValueError(f"TLS key {self.key} is not a PEM private key: {exc}") from None
        return key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )

    def keystore_pem(self) -> bytes:
        """The broker's PEM keystore: the key as unencrypted PKCS#8, then the chain."""
        chain = b"".join(
            c.public_bytes(serialization.Encoding.PEM)
            for c in _certificates("TLS certificate", self.cert)
        )
        return self._private_key() + chain


# -- a CA of its own, for development ------------------------------------------------------

_SKEW: Final = dt.timedelta(minutes=5)


def _write_key(path: Path, key: ec.EllipticCurvePrivateKey) -> None:
    data = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(data)
    os.chmod(path, 0o600)


def _certificate(
    subject: str,
    key: ec.EllipticCurvePrivateKey,
    issuer: x509.Name | None,
    signer: ec.EllipticCurvePrivateKey,
    days: int,
) -> x509.Certificate:
    now = dt.datetime.now(dt.UTC)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)])
    builder = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(issuer or name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - _SKEW)
        .not_valid_after(now + dt.timedelta(days=days))
    )
    if issuer is None:
        builder = builder.add_extension(x509.BasicConstraints(ca=True, path_length=0), True)
    else:
        builder = builder.add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        ).add_extension(
            x509.ExtendedKeyUsage(
                [ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH]
            ),
            critical=False,
        )
    return builder.sign(signer, hashes.SHA256())


def self_signed_tls(directory: Path, *, days: int = 365) -> KafkaTls:
    """A development CA and a broker certificate for 127.0.0.1 and localhost in `directory`
    (``ca.crt``, ``ca.key``, ``broker.crt``, ``broker.key``; keys 0600); kept when they are
    there already, so clients keep trusting the same ``ca.crt``."""
    directory = directory.expanduser().absolute()
    paths = {name: directory / name for name in ("ca.crt", "ca.key", "broker.crt", "broker.key")}
    if not all(path.is_file() for path in paths.values()):
        directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        ca_key = ec.generate_private_key(ec.SECP256R1())
        ca = _certificate("mulu development Kafka CA", ca_key, None, ca_key, days)
        broker_key = ec.generate_private_key(ec.SECP256R1())
        broker = _certificate("kafka-broker", broker_key, ca.subject, ca_key, days)
        _write_key(paths["ca.key"], ca_key)
        _write_key(paths["broker.key"], broker_key)
        paths["ca.crt"].write_bytes(ca.public_bytes(serialization.Encoding.PEM))
        paths["broker.crt"].write_bytes(broker.public_bytes(serialization.Encoding.PEM))
    return KafkaTls(cert=paths["broker.crt"], key=paths["broker.key"], ca=paths["ca.crt"])
