"""The subject fields mulu reads from a certificate — the same whichever CA issued it.

A **department** certificate names its 统一社会信用代码 (GB 32100, check character verified):

    organizationIdentifier (2.5.4.97)   91510100MB0000001Y   (bare, or with the ETSI
                                        EN 319 412-1 prefix "NTRCN-")
    or, when that is absent,
    serialNumber (2.5.4.5)              91510100MB0000001Y

An **instance** certificate names its instance id (``510100/intranet``, ``national/extranet``):

    a URI subjectAltName               urn:mulu:instance:510100/intranet
    or, when there is none, the subject's commonName   510100/intranet

A certificate naming both is an error of issuance; neither: it names no one mulu knows and
its holder is anonymous. Everything else in the subject (O, OU, C, L) is for people.
"""

from __future__ import annotations

from dataclasses import dataclass

from cryptography import x509
from cryptography.x509.oid import NameOID

from federation.identity.errors import NotIssuable
from graph import InvalidValue
from graph.codes import check_credit_code
from sync.instances import parse_instance_id

__all__ = [
    "INSTANCE_URI_PREFIX",
    "CertificateSubject",
    "check_instance_id",
    "subject_of",
]

INSTANCE_URI_PREFIX = "urn:mulu:instance:"
_NTR_PREFIX = "NTRCN-"


@dataclass(frozen=True, slots=True)
class CertificateSubject:
    """Who a certificate names: a department (its credit code), an instance, or no one."""

    department_code: str | None = None
    instance_id: str | None = None

    @property
    def kind(self) -> str:
        if self.department_code is not None:
            return "department"
        return "instance" if self.instance_id is not None else "none"

    @property
    def name(self) -> str | None:
        return self.department_code or self.instance_id


def check_instance_id(instance: str, field: str = "ID") -> str:
    """`instance` when it is a canonical instance id, else `NotIssuable` naming `field`."""
    try:
        parse_instance_id(instance)
    except ValueError as exc:
        raise NotIssuable(f"{field}: {exc}") from None
    return instance


def _attribute(certificate: x509.Certificate, oid: x509.ObjectIdentifier) -> str | None:
    values = certificate.subject.get_attributes_for_oid(oid)
    if not values:
        return None
    value = values[0].value
    return value if isinstance(value, str) else value.decode("utf-8", "replace")


def _department(certificate: x509.Certificate) -> str | None:
    field, code = "organizationIdentifier", _attribute(certificate, NameOID.ORGANIZATION_IDENTIFIER)
    if code is None:
        field, code = "serialNumber", _attribute(certificate, NameOID.SERIAL_NUMBER)
    if code is None:
        return None
    if code.upper().startswith(_NTR_PREFIX):
        code = code[len(_NTR_PREFIX) :]
    try:
        return check_credit_code(code, field=f"certificate subject {field}")
    except InvalidValue as exc:
        raise NotIssuable(str(exc)) from None


def _instance(certificate: x509.Certificate) -> str | None:
    try:
        names = certificate.extensions.get_extension_for_class(x509.SubjectAlternativeName)
        uris = names.value.get_values_for_type(x509.UniformResourceIdentifier)
    except x509.ExtensionNotFound:
        uris = []
    for uri in uris:
        if uri.startswith(INSTANCE_URI_PREFIX):
            return check_instance_id(uri[len(INSTANCE_URI_PREFIX) :], "certificate URI SAN")
    common_name = _attribute(certificate, NameOID.COMMON_NAME)
    if common_name is not None:
        try:
            parse_instance_id(common_name)
        except ValueError:
            return None
        return common_name
    return None


def subject_of(certificate: x509.Certificate) -> CertificateSubject:
    """Who `certificate` names (see the module docstring); `NotIssuable` when a field mulu
    reads holds a value it refuses, or when it names a department and an instance at once."""
    department = _department(certificate)
    instance = _instance(certificate)
    if department is not None and instance is not None:
        raise NotIssuable(
            f"the certificate names department {department} and instance {instance}: "
            "a certificate names one or the other"
        )
    return CertificateSubject(department, instance)
