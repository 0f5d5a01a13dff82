"""`mulu pki` end to end in a temporary directory, through the real command line, and the
subject fields mulu reads from certificates other CAs issue.

Defect classes: a private key readable by others, or overwritten; a department certificate
for a 统一社会信用代码 whose GB 32100 check character is wrong; an instance certificate that a
client cannot verify for 127.0.0.1 or that cannot authenticate as a client; a revocation that
does not reach the CRL; a refusal without the value and what would be accepted.
"""

from __future__ import annotations

import datetime as dt
import stat
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from typer.testing import CliRunner

from federation.cli import app
from federation.identity import CertificateSubject, NotIssuable, subject_of
from federation.settings import TlsSettings
from graph.codes import credit_check_character
from tests.graph.entries import credit_code

POLICE = credit_code("510100", "MB0000001")
WRONG = POLICE[:17] + ("X" if POLICE[17] != "X" else "Y")


def mulu(*args: str, **env: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args), env=env or None)
    return result.exit_code, result.output


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def certificate(path: Path) -> x509.Certificate:
    return x509.load_pem_x509_certificate(path.read_bytes())


@pytest.fixture
def pki(tmp_path: Path) -> Path:
    directory = tmp_path / "pki"
    code, output = mulu("pki", "init", "--dir", str(directory), "--name", "测试平台 CA")
    assert code == 0, output
    return directory


def test_init_writes_the_ca_key_0600_and_refuses_to_overwrite_it(pki: Path) -> None:
    assert mode(pki / "ca.key") == 0o600
    assert mode(pki) == 0o700
    ca = certificate(pki / "ca.crt")
    assert ca.subject == ca.issuer
    assert ca.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    assert x509.load_pem_x509_crl((pki / "crl.pem").read_bytes()).is_signature_valid(
        ca.public_key()  # type: ignore[arg-type]
    )
    key = (pki / "ca.key").read_bytes()
    code, output = mulu("pki", "init", "--dir", str(pki))
    assert code == 1
    assert "ca.key exists" in output
    assert "never overwrites" in output
    assert (pki / "ca.key").read_bytes() == key


def test_a_department_certificate_carries_its_credit_code(pki: Path) -> None:
    code, output = mulu(
        "pki", "issue", "department", POLICE.lower(), "--name", "成都市公安局", "--dir", str(pki)
    )
    assert code == 0, output
    cert_path, key_path = (
        pki / "departments" / f"{POLICE}.crt",
        pki / "departments" / f"{POLICE}.key",
    )
    assert mode(key_path) == 0o600
    cert = certificate(cert_path)
    ident = cert.subject.get_attributes_for_oid(NameOID.ORGANIZATION_IDENTIFIER)
    assert [a.value for a in ident] == [POLICE]
    assert cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == "成都市公安局"
    usages = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert list(usages) == [ExtendedKeyUsageOID.CLIENT_AUTH]
    cert.verify_directly_issued_by(certificate(pki / "ca.crt"))
    assert subject_of(cert) == CertificateSubject(department_code=POLICE)


def test_a_wrong_check_character_is_refused_and_nothing_is_written(pki: Path) -> None:
    code, output = mulu("pki", "issue", "department", WRONG, "--dir", str(pki))
    assert code == 1
    assert f"CODE = '{WRONG}' is refused" in output
    assert f"it is {credit_check_character(POLICE[:17])!r}" in output
    assert not (pki / "departments").exists()
    assert mulu("pki", "list", "--dir", str(pki))[1].count("department") == 0


def test_an_instance_certificate_serves_tls_and_authenticates_as_a_client(pki: Path) -> None:
    args = ["--dns", "catalog.cd.example", "--ip", "10.0.0.5", "--dir", str(pki)]
    code, output = mulu("pki", "issue", "instance", "510100/intranet", *args)
    assert code == 0, output
    assert mode(pki / "instances" / "510100-intranet.key") == 0o600
    cert = certificate(pki / "instances" / "510100-intranet.crt")
    usages = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert set(usages) == {ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH}
    names = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert set(names.get_values_for_type(x509.DNSName)) == {"localhost", "catalog.cd.example"}
    assert {str(ip) for ip in names.get_values_for_type(x509.IPAddress)} == {
        "127.0.0.1",
        "10.0.0.5",
    }
    assert names.get_values_for_type(x509.UniformResourceIdentifier) == [
        "urn:mulu:instance:510100/intranet"
    ]
    assert subject_of(cert) == CertificateSubject(instance_id="510100/intranet")


def test_a_server_certificate_serves_tls_and_names_no_one(pki: Path) -> None:
    """The Kafka broker's client listener, say (clientAuth too: a broker connects to brokers);
    as a client of mulu it would be neither a department nor a peer."""
    code, output = mulu("pki", "issue", "server", "kafka-1", "--ip", "10.0.0.9", "--dir", str(pki))
    assert code == 0, output
    assert mode(pki / "servers" / "kafka-1.key") == 0o600
    cert = certificate(pki / "servers" / "kafka-1.crt")
    usages = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert set(usages) == {ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH}
    names = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert {str(ip) for ip in names.get_values_for_type(x509.IPAddress)} == {
        "127.0.0.1",
        "10.0.0.9",
    }
    assert names.get_values_for_type(x509.UniformResourceIdentifier) == []
    assert subject_of(cert) == CertificateSubject()  # no one: anonymous as a caller
    code, output = mulu("pki", "issue", "server", "kafka 1", "--dir", str(pki))
    assert code == 1
    assert "1 to 64 letters" in output
    code, output = mulu("pki", "list", "--dir", str(pki))
    assert "server" in output
    assert "kafka-1" in output


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["510100/inner"], "'510100/inner' is not an instance (catalog) id"),
        (["510100/intranet", "--ip", "10.0.0.300"], "--ip '10.0.0.300' is not an IP address"),
        (["510100/intranet", "--dns", "a b"], "--dns 'a b' is not a host name"),
    ],
)
def test_a_bad_instance_id_or_address_is_refused(pki: Path, args: list[str], expected: str) -> None:
    code, output = mulu("pki", "issue", "instance", *args, "--dir", str(pki))
    assert code == 1
    assert expected in " ".join(output.split())
    assert not (pki / "instances" / "510100-intranet.crt").exists()


def test_revoking_reaches_the_crl_and_frees_the_subject_for_a_new_certificate(pki: Path) -> None:
    issue = ["pki", "issue", "instance", "510100/extranet", "--dir", str(pki)]
    assert mulu(*issue)[0] == 0
    first = certificate(pki / "instances" / "510100-extranet.crt").serial_number
    code, output = mulu(*issue)
    assert code == 1
    assert f"already has certificate {first:X}; revoke it first" in output

    code, output = mulu("pki", "revoke", "510100/extranet", "--dir", str(pki))  # by its CN
    assert code == 0, output
    crl = x509.load_pem_x509_crl((pki / "crl.pem").read_bytes())
    assert crl.get_revoked_certificate_by_serial_number(first) is not None
    assert "revoked" in mulu("pki", "list", "--dir", str(pki))[1]
    code, output = mulu("pki", "revoke", f"{first:X}", "--dir", str(pki))  # by its serial
    assert code == 1
    assert "was revoked at" in output

    assert mulu(*issue)[0] == 0
    second = certificate(pki / "instances" / "510100-extranet.crt").serial_number
    assert second != first
    assert mode(pki / "instances" / "510100-extranet.key") == 0o600
    listed = mulu("pki", "list", "--dir", str(pki))[1]
    assert f"{second:X}" in listed
    assert "valid" in listed


def test_revoking_what_was_never_issued_is_refused(pki: Path) -> None:
    code, output = mulu("pki", "revoke", "DEADBEEF", "--dir", str(pki))
    assert code == 1
    assert "no certificate 'DEADBEEF' to revoke" in output


def test_the_crl_is_written_again_with_its_next_update(pki: Path) -> None:
    code, output = mulu("pki", "crl", "--days", "7", "--dir", str(pki))
    assert code == 0, output
    crl = x509.load_pem_x509_crl((pki / "crl.pem").read_bytes())
    assert crl.next_update_utc is not None
    ahead = crl.next_update_utc - dt.datetime.now(dt.UTC)
    assert dt.timedelta(days=6) < ahead <= dt.timedelta(days=7)


def test_the_default_directory_is_pki_under_the_data_dir(tmp_path: Path) -> None:
    code, output = mulu("pki", "init", MULU_DATA_DIR=str(tmp_path / "var"))
    assert code == 0, output
    assert mode(tmp_path / "var" / "pki" / "ca.key") == 0o600


def test_commands_without_a_ca_say_how_to_make_one(tmp_path: Path) -> None:
    code, output = mulu("pki", "list", "--dir", str(tmp_path / "none"))
    assert code == 1
    assert "run `mulu pki init --dir" in output


# --- certificates of an operator's own CA --------------------------------------------------


def foreign(*attributes: x509.NameAttribute[str], uri: str | None = None) -> x509.Certificate:
    key = ec.generate_private_key(ec.SECP256R1())
    now = dt.datetime.now(dt.UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(x509.Name(list(attributes)))
        .issuer_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "其他 CA")]))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + dt.timedelta(days=1))
    )
    if uri is not None:
        san = x509.SubjectAlternativeName([x509.UniformResourceIdentifier(uri)])
        builder = builder.add_extension(san, critical=False)
    return builder.sign(key, hashes.SHA256())


@pytest.mark.parametrize(
    ("cert", "expected"),
    [
        (
            foreign(x509.NameAttribute(NameOID.ORGANIZATION_IDENTIFIER, "NTRCN-" + POLICE)),
            CertificateSubject(department_code=POLICE),
        ),
        (
            foreign(x509.NameAttribute(NameOID.SERIAL_NUMBER, POLICE)),
            CertificateSubject(department_code=POLICE),
        ),
        (
            foreign(x509.NameAttribute(NameOID.COMMON_NAME, "national/extranet")),
            CertificateSubject(instance_id="national/extranet"),
        ),
        (
            foreign(
                x509.NameAttribute(NameOID.COMMON_NAME, "四川省目录"),
                uri="urn:mulu:instance:510000/intranet",
            ),
            CertificateSubject(instance_id="510000/intranet"),
        ),
        (foreign(x509.NameAttribute(NameOID.COMMON_NAME, "某人")), CertificateSubject()),
    ],
)
def test_the_subject_fields_mulu_reads(
    cert: x509.Certificate, expected: CertificateSubject
) -> None:
    assert subject_of(cert) == expected


def test_another_cas_certificate_with_a_wrong_check_character_names_no_one() -> None:
    cert = foreign(x509.NameAttribute(NameOID.ORGANIZATION_IDENTIFIER, WRONG))
    with pytest.raises(NotIssuable, match="organizationIdentifier"):
        subject_of(cert)


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ({"key": "k.pem"}, "tls.key is set but tls.cert is not"),
        ({"cert": "c.pem"}, "tls.cert is set but tls.key is not"),
        ({"cert": "c.pem", "key": "k.pem", "crl": "crl.pem"}, "tls.crl is set but tls.client_ca"),
    ],
)
def test_incomplete_tls_settings_are_refused(given: dict[str, str], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        TlsSettings(**given)  # type: ignore[arg-type]
