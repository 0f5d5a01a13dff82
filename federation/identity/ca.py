"""The platform CA's directory: its key and certificate, what it issued, what it revoked.

    <dir>/ca.key  ca.crt               the CA (key 0600; `init` refuses to overwrite either)
    <dir>/crl.pem                      its CRL, rewritten by `revoke` and `write_crl`
    <dir>/index.json                   every certificate issued: serial, kind, name, dates,
                                       revocation
    <dir>/issued/<SERIAL>.crt          a copy of each certificate issued
    <dir>/departments/<CODE>.crt .key  the current certificate of a department (key 0600)
    <dir>/instances/<REGION>-<ZONE>.crt .key   of an instance, e.g. 510100-intranet

A subject has one current certificate: issuing again is refused until it is revoked. Keys are
EC P-256, written with mode 0600 and never overwritten in place.

    ca = PlatformCA.init(Path("var/pki"), name="成都市政务信息资源共享平台 CA")
    ca.issue_department("91510100MB0000001Y")
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import json
import os
from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from federation.identity.errors import NotIssuable, PkiError
from federation.identity.subject import INSTANCE_URI_PREFIX, check_instance_id
from graph import InvalidValue
from graph.codes import check_credit_code

__all__ = ["Issued", "PlatformCA", "parse_serial"]

_SIGNATURE = hashes.SHA256()
_CLOCK_SKEW = dt.timedelta(minutes=5)


@dataclass(frozen=True, slots=True)
class Issued:
    """One certificate the CA issued, as `index.json` records it."""

    serial: str  # upper-case hex
    kind: str  # "department" | "instance" | "server"
    name: str  # the credit code or the instance id
    not_before: str
    not_after: str
    revoked_at: str | None = None
    common_name: str = ""

    def status(self, now: dt.datetime) -> str:
        if self.revoked_at is not None:
            return "revoked"
        return "expired" if dt.datetime.fromisoformat(self.not_after) < now else "valid"


def parse_serial(text: str) -> int | None:
    """A serial number written in hex (``0x`` and colons allowed), or None if it is not one."""
    digits = text.strip().lower().removeprefix("0x").replace(":", "")
    if not digits or any(c not in "0123456789abcdef" for c in digits):
        return None
    return int(digits, 16)


def _hex(serial: int) -> str:
    return format(serial, "X")


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _write_private(path: Path, data: bytes) -> None:
    """Create `path` with mode 0600 (never wider, not even for a moment); refuse if it exists."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise PkiError(f"{path} exists; mulu never overwrites a key") from None
    with os.fdopen(fd, "wb") as out:
        out.write(data)
    os.chmod(path, 0o600)  # in case the umask was stricter than needed — never wider


def _write_public(path: Path, data: bytes) -> None:
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_bytes(data)
    temporary.replace(path)


def _key_pem(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def _cert_pem(certificate: x509.Certificate) -> bytes:
    return certificate.public_bytes(serialization.Encoding.PEM)


class PlatformCA:
    """A CA directory made by `init`; `open` it to issue, revoke, list and write the CRL."""

    def __init__(self, directory: Path, key: ec.EllipticCurvePrivateKey, cert: x509.Certificate):
        self.directory = directory
        self._key = key
        self.certificate = cert

    @property
    def cert_path(self) -> Path:
        return self.directory / "ca.crt"

    @property
    def crl_path(self) -> Path:
        return self.directory / "crl.pem"

    @classmethod
    def init(
        cls, directory: Path, *, name: str = "mulu platform CA", days: int = 3650
    ) -> PlatformCA:
        """A new CA in `directory` (made 0700 if missing); refused if a CA is already there."""
        for existing in ("ca.key", "ca.crt"):
            if (directory / existing).exists():
                raise PkiError(
                    f"{directory / existing} exists: a CA is already initialised in {directory}; "
                    "mulu pki init never overwrites one (give another --dir)"
                )
        directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        key = ec.generate_private_key(ec.SECP256R1())
        subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
        now = _now()
        cert = (
            x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - _CLOCK_SKEW)
            .not_valid_after(now + dt.timedelta(days=days))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(
                x509.KeyUsage(
                    digital_signature=False,
                    content_commitment=False,
                    key_encipherment=False,
                    data_encipherment=False,
                    key_agreement=False,
                    key_cert_sign=True,
                    crl_sign=True,
                    encipher_only=False,
                    decipher_only=False,
                ),
                critical=True,
            )
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), False)
            .sign(key, _SIGNATURE)
        )
        _write_private(directory / "ca.key", _key_pem(key))
        _write_public(directory / "ca.crt", _cert_pem(cert))
        ca = cls(directory, key, cert)
        ca._save_index([])
        ca.write_crl()
        return ca

    @classmethod
    def open(cls, directory: Path) -> PlatformCA:
        key_path, cert_path = directory / "ca.key", directory / "ca.crt"
        if not key_path.is_file() or not cert_path.is_file():
            raise PkiError(
                f"no CA in {directory} (ca.key and ca.crt): run `mulu pki init --dir {directory}`"
            )
        key = serialization.load_pem_private_key(key_path.read_bytes(), password=None)
        if not isinstance(key, ec.EllipticCurvePrivateKey):
            raise PkiError(f"{key_path} is not an EC private key; mulu pki issues with EC keys")
        return cls(directory, key, x509.load_pem_x509_certificate(cert_path.read_bytes()))

    # --- the index -------------------------------------------------------------------------

    def issued(self) -> list[Issued]:
        """Every certificate issued, oldest first."""
        path = self.directory / "index.json"
        if not path.is_file():
            return []
        return [Issued(**row) for row in json.loads(path.read_text(encoding="utf-8"))]

    def _save_index(self, rows: Sequence[Issued]) -> None:
        text = json.dumps([asdict(r) for r in rows], ensure_ascii=False, indent=1)
        _write_public(self.directory / "index.json", text.encode("utf-8"))

    # --- issuing ---------------------------------------------------------------------------

    def issue_department(
        self, code: str, *, name: str | None = None, days: int = 365
    ) -> tuple[Path, Path]:
        """A client certificate for the department with 统一社会信用代码 `code`; its
        (certificate, key) paths. `NotIssuable` when the check character is wrong."""
        try:
            code = check_credit_code(code, field="CODE")
        except InvalidValue as exc:
            raise NotIssuable(str(exc)) from None
        attributes = [
            x509.NameAttribute(NameOID.COMMON_NAME, name or code),
            x509.NameAttribute(NameOID.ORGANIZATION_IDENTIFIER, code),
        ]
        if name:
            attributes.append(x509.NameAttribute(NameOID.ORGANIZATION_NAME, name))
        usages = [ExtendedKeyUsageOID.CLIENT_AUTH]
        return self._issue(
            "department", code, self.directory / "departments" / code, attributes, usages, [], days
        )

    def issue_instance(
        self,
        instance: str,
        *,
        dns: Sequence[str] = (),
        ips: Sequence[str] = (),
        days: int = 365,
    ) -> tuple[Path, Path]:
        """A server and client certificate for `instance` (its TLS and its calls to peers):
        SAN 127.0.0.1, localhost and the `dns` names and `ips` given."""
        instance = check_instance_id(instance)
        names: list[x509.GeneralName] = [
            x509.UniformResourceIdentifier(INSTANCE_URI_PREFIX + instance),
            *self._alt_names(dns, ips),
        ]
        attributes = [x509.NameAttribute(NameOID.COMMON_NAME, instance)]
        usages = [ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH]
        stem = self.directory / "instances" / instance.replace("/", "-")
        return self._issue("instance", instance, stem, attributes, usages, names, days)

    def issue_server(
        self,
        name: str,
        *,
        dns: Sequence[str] = (),
        ips: Sequence[str] = (),
        days: int = 365,
    ) -> tuple[Path, Path]:
        """A server certificate for a service of the platform that is no instance — the Kafka
        broker, say: SAN 127.0.0.1, localhost and the `dns` names and `ips` given; serverAuth,
        and clientAuth for the service's connections to its own kind (a broker to the
        brokers, itself included). To mulu it names no one: never a department, never a
        peer: a caller presenting it is anonymous."""
        if not name or len(name) > 64 or not all(c.isalnum() or c in "-_." for c in name):
            raise PkiError(
                f"server name {name!r}: 1 to 64 letters, digits, '-', '_' or '.', e.g. kafka-1"
            )
        names = self._alt_names(dns, ips)
        attributes = [x509.NameAttribute(NameOID.COMMON_NAME, name)]
        stem = self.directory / "servers" / name
        usages = [ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH]
        return self._issue("server", name, stem, attributes, usages, names, days)

    def _alt_names(self, dns: Sequence[str], ips: Sequence[str]) -> list[x509.GeneralName]:
        names: list[x509.GeneralName] = [
            x509.DNSName("localhost"),
            x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
        ]
        for host in dns:
            if not host or any(c.isspace() or c in "/:@" for c in host):
                raise PkiError(
                    f"--dns {host!r} is not a host name; give e.g. catalog.example.gov.cn"
                )
            names.append(x509.DNSName(host))
        for address in ips:
            try:
                names.append(x509.IPAddress(ipaddress.ip_address(address)))
            except ValueError:
                raise PkiError(
                    f"--ip {address!r} is not an IP address; give e.g. 10.0.0.5"
                ) from None
        return names

    def _issue(
        self,
        kind: str,
        name: str,
        stem: Path,
        attributes: list[x509.NameAttribute[str]],
        usages: list[x509.ObjectIdentifier],
        alt_names: list[x509.GeneralName],
        days: int,
    ) -> tuple[Path, Path]:
        if days < 1:
            raise PkiError(f"--days {days}: a certificate is valid for at least 1 day")
        rows = self.issued()
        current = [r for r in rows if r.kind == kind and r.name == name and r.revoked_at is None]
        if current:
            raise PkiError(
                f"{kind} {name} already has certificate {current[-1].serial}; revoke it first "
                f"(mulu pki revoke {current[-1].serial}) to issue a new one"
            )
        key = ec.generate_private_key(ec.SECP256R1())
        now = _now()
        builder = (
            x509.CertificateBuilder()
            .subject_name(x509.Name(attributes))
            .issuer_name(self.certificate.subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - _CLOCK_SKEW)
            .not_valid_after(
                min(now + dt.timedelta(days=days), self.certificate.not_valid_after_utc)
            )
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(
                x509.KeyUsage(
                    digital_signature=True,
                    content_commitment=False,
                    key_encipherment=False,
                    data_encipherment=False,
                    key_agreement=True,
                    key_cert_sign=False,
                    crl_sign=False,
                    encipher_only=False,
                    decipher_only=False,
                ),
                critical=True,
            )
            .add_extension(x509.ExtendedKeyUsage(usages), critical=False)
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(self._key.public_key()), False
            )
        )
        if alt_names:
            builder = builder.add_extension(x509.SubjectAlternativeName(alt_names), critical=False)
        cert = builder.sign(self._key, _SIGNATURE)
        serial = _hex(cert.serial_number)
        stem.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        (self.directory / "issued").mkdir(mode=0o700, exist_ok=True)
        key_path, cert_path = stem.with_suffix(".key"), stem.with_suffix(".crt")
        key_path.unlink(missing_ok=True)  # the revoked predecessor's key, if any
        _write_private(key_path, _key_pem(key))
        _write_public(cert_path, _cert_pem(cert))
        _write_public(self.directory / "issued" / f"{serial}.crt", _cert_pem(cert))
        record = Issued(
            serial,
            kind,
            name,
            cert.not_valid_before_utc.isoformat(),
            cert.not_valid_after_utc.isoformat(),
            common_name=str(attributes[0].value),
        )
        self._save_index([*rows, record])
        return cert_path, key_path

    # --- revoking --------------------------------------------------------------------------

    def revoke(self, which: str) -> Issued:
        """Revoke the certificate with serial `which` (hex), or the current one of the
        department or instance named `which`; the CRL is rewritten."""
        rows = self.issued()
        serial = parse_serial(which)
        matches = [
            i for i, r in enumerate(rows) if serial is not None and int(r.serial, 16) == serial
        ]
        if not matches:
            matches = [
                i
                for i, r in enumerate(rows)
                if which in (r.name, r.common_name) and r.revoked_at is None
            ]
        if not matches:
            raise PkiError(
                f"no certificate {which!r} to revoke: give a serial, or the common name, "
                "department code or instance id of a current certificate (see mulu pki list)"
            )
        if len(matches) > 1:
            serials = ", ".join(rows[i].serial for i in matches)
            raise PkiError(
                f"{which!r} names {len(matches)} certificates ({serials}): give a serial"
            )
        found = rows[matches[0]]
        if found.revoked_at is not None:
            raise PkiError(
                f"certificate {found.serial} ({found.name}) was revoked at {found.revoked_at}"
            )
        rows[matches[0]] = replace(found, revoked_at=_now().isoformat())
        self._save_index(rows)
        self.write_crl()
        return rows[matches[0]]

    def write_crl(self, *, days: int = 30) -> Path:
        """The CRL of every certificate revoked, valid for `days` (a server refuses every
        client certificate once it has expired: write it again before then)."""
        now = _now()
        builder = (
            x509.CertificateRevocationListBuilder()
            .issuer_name(self.certificate.subject)
            .last_update(now - _CLOCK_SKEW)
            .next_update(now + dt.timedelta(days=days))
        )
        for row in self.issued():
            if row.revoked_at is not None:
                builder = builder.add_revoked_certificate(
                    x509.RevokedCertificateBuilder()
                    .serial_number(int(row.serial, 16))
                    .revocation_date(dt.datetime.fromisoformat(row.revoked_at))
                    .build()
                )
        crl = builder.sign(self._key, _SIGNATURE)
        _write_public(self.crl_path, crl.public_bytes(serialization.Encoding.PEM))
        return self.crl_path
