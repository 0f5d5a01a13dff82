"""The rules of `federation.identity.proxy` as pure decisions, on certificates made here: which
addresses are a trusted proxy, what each forwarded verdict means, and the second check of a
forwarded certificate (issuer, dates, key usage, CRL). `test_proxy` runs the same rules behind
a real nginx.

Defect classes: a forwarded certificate believed from the wrong address or without its second
check (another CA's, expired, not for client authentication, revoked, checked against an
expired CRL); a failed verdict served as anonymous; development headers believed in the proxy
mode; settings that accept an address list mulu cannot use.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from pydantic import ValidationError

from federation.identity.proxy import check_trust, forwarded_certificate, from_trusted_proxy
from federation.identity.tls import caller
from federation.settings import Settings, TlsSettings
from graph import InvalidValue, Zone
from tests.graph.entries import credit_code

CODE = credit_code("510100", "MB0000095")
NOW = dt.datetime.now(dt.UTC)
DAY = dt.timedelta(days=1)


@dataclass(frozen=True)
class Authority:
    key: ec.EllipticCurvePrivateKey
    certificate: x509.Certificate

    @classmethod
    def make(cls, name: str) -> Authority:
        key = ec.generate_private_key(ec.SECP256R1())
        subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
        certificate = (
            x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(NOW - DAY)
            .not_valid_after(NOW + 100 * DAY)
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .sign(key, hashes.SHA256())
        )
        return cls(key, certificate)

    def issue(
        self,
        *,
        not_before: dt.datetime = NOW - DAY,
        not_after: dt.datetime = NOW + 10 * DAY,
        usage: x509.ObjectIdentifier | None = ExtendedKeyUsageOID.CLIENT_AUTH,
    ) -> x509.Certificate:
        key = ec.generate_private_key(ec.SECP256R1())
        builder = (
            x509.CertificateBuilder()
            .subject_name(
                x509.Name(
                    [
                        x509.NameAttribute(NameOID.COMMON_NAME, "成都市测试局"),
                        x509.NameAttribute(NameOID.ORGANIZATION_IDENTIFIER, CODE),
                    ]
                )
            )
            .issuer_name(self.certificate.subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(not_before)
            .not_valid_after(not_after)
        )
        if usage is not None:
            builder = builder.add_extension(x509.ExtendedKeyUsage([usage]), critical=False)
        return builder.sign(self.key, hashes.SHA256())

    def crl(
        self, revoked: tuple[x509.Certificate, ...] = (), next_update: dt.datetime = NOW + DAY
    ) -> x509.CertificateRevocationList:
        builder = (
            x509.CertificateRevocationListBuilder()
            .issuer_name(self.certificate.subject)
            .last_update(NOW - DAY)
            .next_update(next_update)
        )
        for certificate in revoked:
            builder = builder.add_revoked_certificate(
                x509.RevokedCertificateBuilder()
                .serial_number(certificate.serial_number)
                .revocation_date(NOW - DAY)
                .build()
            )
        return builder.sign(self.key, hashes.SHA256())


def pem(item: x509.Certificate | x509.CertificateRevocationList) -> bytes:
    return item.public_bytes(serialization.Encoding.PEM)


@pytest.fixture(scope="module")
def platform() -> Authority:
    return Authority.make("platform CA")


def settings(
    tmp_path: Path,
    authority: Authority,
    crl: x509.CertificateRevocationList | None = None,
    **extra: Any,
) -> TlsSettings:
    ca = tmp_path / f"ca-{authority.certificate.serial_number}.crt"
    ca.write_bytes(pem(authority.certificate))
    crl_path = None
    if crl is not None:
        crl_path = tmp_path / f"crl-{crl.fingerprint(hashes.SHA256()).hex()[:12]}.pem"
        crl_path.write_bytes(pem(crl))
    return TlsSettings(
        client_ca=ca, crl=crl_path, trusted_proxies=extra.pop("proxies", ["127.0.0.2"]), **extra
    )


def forwarded(certificate: x509.Certificate, verdict: str = "SUCCESS") -> dict[str, str]:
    return {
        "x-ssl-client-cert": quote(pem(certificate).decode(), safe=""),
        "x-ssl-client-verify": verdict,
    }


# -- which connections are the proxy ------------------------------------------------------


@pytest.mark.parametrize(
    ("address", "trusted"),
    [
        ("127.0.0.2", True),
        ("10.1.2.3", True),  # in 10.1.0.0/16
        ("::ffff:127.0.0.2", True),  # an IPv4 client of a server listening on ::
        ("fd00::7", True),
        ("127.0.0.1", False),
        ("10.2.0.1", False),
        ("fd00::8", False),
        ("/run/mulu.sock", False),
    ],
)
def test_the_proxy_is_the_connection_s_own_address_in_trusted_proxies(
    tmp_path: Path, platform: Authority, address: str, trusted: bool
) -> None:
    tls = settings(tmp_path, platform, proxies=["127.0.0.2", "10.1.0.0/16", "fd00::7"])
    assert from_trusted_proxy({"client": (address, 51000)}, tls) is trusted


def test_no_client_address_or_no_proxies_is_no_proxy(tmp_path: Path, platform: Authority) -> None:
    tls = settings(tmp_path, platform)
    assert not from_trusted_proxy({}, tls)
    assert not from_trusted_proxy({"client": None}, tls)
    assert not from_trusted_proxy({"client": ("127.0.0.2", 1)}, TlsSettings())


# -- the verdict and the second check ----------------------------------------------------------


def test_a_verified_certificate_of_the_client_ca_is_believed(
    tmp_path: Path, platform: Authority
) -> None:
    certificate = platform.issue()
    tls = settings(tmp_path, platform, platform.crl())
    assert forwarded_certificate(forwarded(certificate), tls) == certificate


@pytest.mark.parametrize("verdict", [None, "", "NONE"])
def test_no_certificate_forwarded_is_anonymous(
    tmp_path: Path, platform: Authority, verdict: str | None
) -> None:
    headers = {} if verdict is None else {"x-ssl-client-verify": verdict}
    assert forwarded_certificate(headers, settings(tmp_path, platform)) is None


def test_a_failed_verdict_is_refused_not_anonymous(tmp_path: Path, platform: Authority) -> None:
    headers = forwarded(platform.issue(), "FAILED:certificate has expired")
    with pytest.raises(InvalidValue, match=r"X-SSL-Client-Verify = 'FAILED:certificate has exp"):
        forwarded_certificate(headers, settings(tmp_path, platform))


@pytest.mark.parametrize("value", ["", "not a certificate", "-----BEGIN CERTIFICATE-----%0Axx"])
def test_a_verdict_without_a_readable_certificate_is_refused(
    tmp_path: Path, platform: Authority, value: str
) -> None:
    headers = {"x-ssl-client-verify": "SUCCESS", "x-ssl-client-cert": value}
    with pytest.raises(InvalidValue, match=r"X-SSL-Client-Cert = .* URL-escaped PEM"):
        forwarded_certificate(headers, settings(tmp_path, platform))


def _certificate(case: str, platform: Authority) -> x509.Certificate:
    if case == "another CA":
        return Authority.make("another CA").issue()
    if case == "expired":
        return platform.issue(not_before=NOW - 10 * DAY, not_after=NOW - DAY)
    if case == "not yet valid":
        return platform.issue(not_before=NOW + DAY)
    return platform.issue(usage=ExtendedKeyUsageOID.SERVER_AUTH)


@pytest.mark.parametrize(
    ("case", "accepted"),
    [
        ("another CA", r"directly issued by a CA of tls.client_ca"),
        ("expired", r"within its dates"),
        ("not yet valid", r"within its dates"),
        ("server only", r"extendedKeyUsage clientAuth"),
    ],
)
def test_a_forwarded_certificate_that_fails_the_second_check_is_refused(
    tmp_path: Path, platform: Authority, case: str, accepted: str
) -> None:
    headers = forwarded(_certificate(case, platform))
    with pytest.raises(InvalidValue, match=rf"X-SSL-Client-Cert = .*{accepted}") as refused:
        forwarded_certificate(headers, settings(tmp_path, platform))
    assert refused.value.extensions()["field"] == "X-SSL-Client-Cert"


def test_a_certificate_without_extended_key_usages_is_believed(
    tmp_path: Path, platform: Authority
) -> None:
    certificate = platform.issue(usage=None)
    assert forwarded_certificate(forwarded(certificate), settings(tmp_path, platform)) is not None


def test_the_crl_is_checked_when_configured(tmp_path: Path, platform: Authority) -> None:
    revoked, current = platform.issue(), platform.issue()
    tls = settings(tmp_path, platform, platform.crl((revoked,)))
    assert forwarded_certificate(forwarded(current), tls) == current
    with pytest.raises(InvalidValue, match=r"not revoked; tls.crl lists this one"):
        forwarded_certificate(forwarded(revoked), tls)

    stale = settings(tmp_path, platform, platform.crl(next_update=NOW - dt.timedelta(hours=1)))
    with pytest.raises(InvalidValue, match=r"tls.crl is past its next update"):
        forwarded_certificate(forwarded(current), stale)

    foreign = settings(tmp_path, platform, Authority.make("another CA").crl())
    with pytest.raises(InvalidValue, match=r"there is none of its issuer"):
        forwarded_certificate(forwarded(current), foreign)


def test_the_header_names_are_settings(tmp_path: Path, platform: Authority) -> None:
    certificate = platform.issue()
    tls = settings(
        tmp_path, platform, client_cert_header="SSL-Cert", client_verify_header="SSL-Verify"
    )
    assert forwarded_certificate(forwarded(certificate), tls) is None  # the defaults: unread
    headers = {
        "ssl-cert": forwarded(certificate)["x-ssl-client-cert"],
        "ssl-verify": "SUCCESS",
    }
    assert forwarded_certificate(headers, tls) == certificate


def test_check_trust_names_the_file_mulu_cannot_use(tmp_path: Path, platform: Authority) -> None:
    tls = settings(tmp_path, platform)
    check_trust(tls)
    missing = tls.model_copy(update={"crl": tmp_path / "missing.pem"})
    with pytest.raises(FileNotFoundError, match=r"tls.crl '.*missing.pem' is not a file"):
        check_trust(missing)
    leaf = tmp_path / "leaf.crt"
    leaf.write_bytes(pem(platform.issue()))
    with pytest.raises(ValueError, match=r"holds no CA certificate"):
        check_trust(tls.model_copy(update={"client_ca": leaf}))


# -- the caller ------------------------------------------------------------------------------


def test_the_caller_in_the_proxy_mode(tmp_path: Path, platform: Authority) -> None:
    tls = settings(tmp_path, platform)
    certificate = platform.issue()
    dev = {"x-mulu-dev-department": CODE, "x-mulu-dev-role": "REVIEWER"}
    from_proxy = {"client": ("127.0.0.2", 40000)}
    elsewhere = {"client": ("127.0.0.1", 40000)}

    def who(scope: dict[str, Any], headers: dict[str, str]) -> str | None:
        viewer = caller(scope, headers, Zone.EXTRANET, tls=tls, dev_identity_header=True)
        return viewer.department_code

    assert who(from_proxy, forwarded(certificate)) == CODE
    assert who(from_proxy, {}) is None
    assert who(elsewhere, forwarded(certificate)) is None  # not the proxy: headers ignored
    assert who(elsewhere, dev) is None  # the development headers: ignored in the proxy mode
    assert who(from_proxy, {**dev, "x-ssl-client-verify": "NONE"}) is None


# -- the settings ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ({"trusted_proxies": ["127.0.0.2"]}, r"tls.trusted_proxies is set but tls.client_ca"),
        ({"client_ca": "ca.crt"}, r"tls.client_ca is set but neither tls.cert .* nor"),
        (
            {"client_ca": "ca.crt", "trusted_proxies": ["10.0.0.5/24"]},
            r"tls.trusted_proxies\n.*'10.0.0.5/24' is not an IP address or a network in CIDR",
        ),
        (
            {"client_ca": "ca.crt", "trusted_proxies": ["proxy.example"]},
            r"'proxy.example' is not an IP address",
        ),
        (
            {"client_ca": "ca.crt", "trusted_proxies": ["::1"], "client_cert_header": "X SSL"},
            r"tls.client_cert_header\n.*'X SSL' is not an HTTP header name",
        ),
        (
            {
                "client_ca": "ca.crt",
                "trusted_proxies": ["::1"],
                "client_verify_header": "x-ssl-client-cert",
            },
            r"are both 'X-SSL-Client-Cert'; give two headers",
        ),
    ],
)
def test_invalid_proxy_settings_are_refused_naming_the_field(
    given: dict[str, Any], message: str
) -> None:
    with pytest.raises(ValidationError, match=message):
        Settings(tls=given)  # type: ignore[arg-type]  # as a file or the environment gives it


def test_trusted_proxies_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MULU_TLS__CLIENT_CA", "ca.crt")
    monkeypatch.setenv("MULU_TLS__TRUSTED_PROXIES", '["127.0.0.2", "10.0.0.0/8"]')
    tls = Settings().tls
    assert [str(n) for n in tls.trusted_proxies] == ["127.0.0.2/32", "10.0.0.0/8"]
    assert tls.proxied
    assert tls.identifies
    assert not tls.enabled
