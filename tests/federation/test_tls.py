"""`mulu serve` over TLS with client certificates of the platform CA: real handshakes against a
real `mulu serve` process (the 成都 extranet instance, a sample catalog, and the development
headers switched on — to show they count for nothing once TLS is on).

Defect classes: identity believed from a header rather than from the verified certificate; a
certificate that is not verified (another CA's, a revoked one) still reaching the app; an
anonymous caller refused at the handshake instead of seeing the public view (DESIGN "Identity,
roles and audit"; Chengdu 第三十五条: 共享平台 identity by the platform's certificates).

A revoked or expired certificate fails the handshake, it is not served as anonymous: the server
loads the CRL into its verification (VERIFY_CRL_CHECK_LEAF), and OpenSSL aborts a handshake
whose presented certificate fails verification even when a certificate is optional
(CERT_OPTIONAL makes only its absence acceptable). The CRL is read when the server starts.
"""

from __future__ import annotations

import json
import os
import signal
import ssl
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from unittest import mock

import httpx
import pytest

from federation.identity import PlatformCA
from infra.net import free_port
from tests.federation.test_serve import mulu
from tests.graph.entries import credit_code

DEPARTMENT = credit_code("510100", "MB0000071")  # creates a draft, as itself
REVOKED = credit_code("510100", "MB0000072")
FOREIGN = credit_code("510100", "MB0000073")  # certified by another CA
EXPIRED = credit_code("510100", "MB0000076")
REVIEWER_DEPARTMENT = credit_code("510100", "MB0000074")  # granted REVIEWER at the console
AUDITOR_DEPARTMENT = credit_code("510100", "MB0000075")  # granted AUDITOR at the console

CREATE = """mutation ($input: ResourceInput!) {
  createDraft(category: "301001001", input: $input) { code state providerCode } }"""
DRAFT = {
    "name": "居住证信息",
    "summary": "居住证的申领与签发信息",
    "providerName": "成都市测试局",
    "formatClass": "DATABASE",
    "formatType": "Oracle",
    "shareType": "UNCONDITIONAL",
    "shareModes": ["INTERFACE"],
    "updateCycle": "DAILY",
    "classification": "UNCLASSIFIED",
    "items": [{"name": "居住证号", "dataType": "字符型", "length": 20}],
    "themes": ["社会保障"],
}
LIST = "{ resources(first: 100) { totalCount edges { node { openToPublic } } } }"


@dataclass(frozen=True)
class Served:
    url: str
    ca: PlatformCA
    pki: Path

    def client(
        self,
        department: str | None = None,
        ca: PlatformCA | None = None,
        tls12: bool = False,
        instance: tuple[Path, Path] | None = None,
    ) -> httpx.Client:
        context = ssl.create_default_context(cafile=self.ca.cert_path)
        if tls12:  # the server's verdict on a client certificate arrives in the handshake
            context.maximum_version = ssl.TLSVersion.TLSv1_2
        if department is not None:
            directory = (ca or self.ca).directory / "departments"
            context.load_cert_chain(
                directory / f"{department}.crt", directory / f"{department}.key"
            )
        if instance is not None:
            context.load_cert_chain(*instance)
        return httpx.Client(base_url=self.url, verify=context, timeout=10)

    def ask(
        self, query: str, variables: dict[str, Any] | None = None, **client: Any
    ) -> dict[str, Any]:
        return self.post(query, variables, **client).json()  # type: ignore[no-any-return]

    def post(
        self, query: str, variables: dict[str, Any] | None = None, **client: Any
    ) -> httpx.Response:
        headers = client.pop("headers", {})
        with self.client(**client) as http:
            body = {"query": query, "variables": variables or {}}
            return http.post("/graphql", json=body, headers=headers)


def serve_tls(root: Path, ca: PlatformCA, instance: str, name: str) -> Iterator[Served]:
    """`mulu serve` of `instance` over TLS with certificates of `ca`, the development headers
    on, REVIEWER granted to `REVIEWER_DEPARTMENT` and AUDITOR to `AUDITOR_DEPARTMENT` from the
    console first (`mulu departments grant`)."""
    server_cert, server_key = ca.issue_instance(instance)
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("MULU_")}
    env.update(
        MULU_INSTANCE=instance,
        MULU_CATALOG_NAME=name,
        MULU_DEV_IDENTITY_HEADER="true",
        MULU_TLS__CERT=str(server_cert),
        MULU_TLS__KEY=str(server_key),
        MULU_TLS__CLIENT_CA=str(ca.cert_path),
        MULU_TLS__CRL=str(ca.crl_path),
    )
    for department, role in ((REVIEWER_DEPARTMENT, "REVIEWER"), (AUDITOR_DEPARTMENT, "AUDITOR")):
        subprocess.run(
            [*mulu(), "departments", "grant", department, role],
            cwd=root,
            env=env,
            check=True,
            capture_output=True,
        )
    log_path = root / "serve.log"
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [*mulu(), "serve", "--sample", "300", "--port", str(port)],
            cwd=root,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    served = Served(f"https://127.0.0.1:{port}", ca, ca.directory)
    try:
        deadline = time.monotonic() + 60
        while True:
            assert process.poll() is None, log_path.read_text()
            try:
                with served.client() as http:
                    if http.get("/health").status_code == 200:
                        break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "mulu serve over TLS not healthy in 60 s"
            time.sleep(0.2)
        yield served
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> PlatformCA:
    root = tmp_path_factory.mktemp("pki")
    ca = PlatformCA.init(root / "pki")
    for department in (DEPARTMENT, REVOKED, REVIEWER_DEPARTMENT, AUDITOR_DEPARTMENT):
        ca.issue_department(department)
    ca.revoke(REVOKED)
    PlatformCA.init(root / "other").issue_department(FOREIGN)
    # Issued two days ago for one day (the CA's clock moved back for it): expired yesterday.
    two_days_ago = datetime.now(UTC) - timedelta(days=2)
    with mock.patch("federation.identity.ca._now", return_value=two_days_ago):
        ca.issue_department(EXPIRED, days=1)
    return ca


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory, pki: PlatformCA) -> Iterator[Served]:
    """成都's extranet instance."""
    root = tmp_path_factory.mktemp("extranet")
    yield from serve_tls(root, pki, "510100/extranet", "成都市政务信息资源目录（外网）")


@pytest.fixture(scope="module")
def intranet(tmp_path_factory: pytest.TempPathFactory, pki: PlatformCA) -> Iterator[Served]:
    """成都's intranet instance."""
    root = tmp_path_factory.mktemp("intranet")
    yield from serve_tls(root, pki, "510100/intranet", "成都市政务信息资源目录")


def test_an_anonymous_caller_over_tls_sees_the_public_view(served: Served) -> None:
    page = served.ask(LIST)["data"]["resources"]
    assert page["totalCount"] > 0
    assert all(edge["node"]["openToPublic"] for edge in page["edges"])


def test_a_department_certificate_is_that_department(served: Served) -> None:
    created = served.ask(CREATE, {"input": DRAFT}, department=DEPARTMENT)
    draft = created["data"]["createDraft"]
    assert (draft["state"], draft["providerCode"]) == ("DRAFT", DEPARTMENT)
    seen = "query ($code: String!) { resource(code: $code) { code state } }"
    mine = served.ask(seen, {"code": draft["code"]}, department=DEPARTMENT)
    assert mine["data"]["resource"] == {"code": draft["code"], "state": "DRAFT"}
    # Anonymous, and anonymous with a forged development header naming the department: the
    # draft is not shown, although the instance has dev_identity_header on.
    forged = {"X-Mulu-Dev-Department": DEPARTMENT, "X-Mulu-Dev-Role": "REVIEWER"}
    assert served.ask(seen, {"code": draft["code"]})["data"]["resource"] is None
    assert served.ask(seen, {"code": draft["code"]}, headers=forged)["data"]["resource"] is None


def test_a_forged_development_header_over_tls_changes_nothing(served: Served) -> None:
    forged = {"X-Mulu-Dev-Department": DEPARTMENT, "X-Mulu-Dev-Role": "REVIEWER"}
    refused = served.ask(CREATE, {"input": DRAFT}, headers=forged)
    assert refused["data"] is None
    assert refused["errors"][0]["extensions"]["code"] == "NOT_PERMITTED", refused
    assert served.ask(LIST, headers=forged) == served.ask(LIST)
    # A malformed one is not even read (over plain HTTP with the headers on it would be a 400).
    assert "errors" not in served.ask(LIST, headers={"X-Mulu-Dev-Department": "nonsense"})


# Over TLS 1.3 the client has finished its side of the handshake when the server verifies its
# certificate: the server's alert reaches it as the connection closing before any answer.
# Over TLS 1.2 the refusal comes in the handshake itself (a ConnectError), where a valid
# certificate over TLS 1.2 is answered.


def test_a_revoked_certificate_fails_the_handshake(served: Served) -> None:
    assert "errors" not in served.ask(LIST, department=DEPARTMENT, tls12=True)
    with pytest.raises(httpx.ConnectError):
        served.ask(LIST, department=REVOKED, tls12=True)
    with pytest.raises(httpx.TransportError):
        served.ask(LIST, department=REVOKED)


def test_an_expired_certificate_fails_the_handshake(served: Served) -> None:
    with pytest.raises(httpx.ConnectError):
        served.ask(LIST, department=EXPIRED, tls12=True)
    with pytest.raises(httpx.TransportError):
        served.ask(LIST, department=EXPIRED)


def test_a_certificate_of_another_ca_fails_the_handshake(served: Served) -> None:
    other = PlatformCA.open(served.pki.parent / "other")
    with pytest.raises(httpx.ConnectError):
        served.ask(LIST, department=FOREIGN, ca=other, tls12=True)
    with pytest.raises(httpx.TransportError):
        served.ask(LIST, department=FOREIGN, ca=other)


def test_plain_http_to_the_tls_port_gets_no_answer(served: Served) -> None:
    with pytest.raises(httpx.HTTPError):
        httpx.post(served.url.replace("https", "http") + "/graphql", json={"query": LIST})


def test_an_instance_certificate_of_the_other_zone_is_refused(served: Served) -> None:
    """The served instance is 成都's extranet one: 锦江区's intranet instance, certified by
    the same CA, gets nothing from it — peers are of one zone (federation.identity.peering)."""
    intranet = served.ca.issue_instance("510104/intranet")
    refused = served.post(LIST, instance=intranet, headers={"X-Mulu-Instance": "510104/intranet"})
    assert refused.status_code == 403
    error = refused.json()["errors"][0]
    assert error["extensions"]["code"] == "PEER_REFUSED"
    assert "INTRANET zone" in error["message"]


def test_an_instance_the_topology_does_not_name_is_refused(served: Served) -> None:
    sichuan = served.ca.issue_instance("510000/extranet")  # served alone: it has no peers
    refused = served.post(LIST, instance=sichuan)
    assert refused.status_code == 403
    assert "does not let 510000/extranet ask" in refused.json()["errors"][0]["message"]


def test_an_instance_header_without_its_certificate_is_refused(served: Served) -> None:
    for client in ({}, {"department": DEPARTMENT}):
        refused = served.post(LIST, headers={"X-Mulu-Instance": "510000/extranet"}, **client)
        assert refused.status_code == 403
        assert "no instance certificate proves it" in refused.json()["errors"][0]["message"]


def test_the_role_comes_from_the_instances_grants(served: Served) -> None:
    """The reviewer's certificate says who it is; the grant made at the console says it is
    the reviewer: it publishes what a department submitted (Sichuan 第十条)."""
    created = served.ask(CREATE, {"input": DRAFT}, department=DEPARTMENT)["data"]["createDraft"]
    step = "mutation ($code: String!) { %s(code: $code) { state } }"
    submitted = served.ask(step % "submit", {"code": created["code"]}, department=DEPARTMENT)
    assert submitted["data"]["submit"]["state"] == "SUBMITTED"
    refused = served.ask(step % "publish", {"code": created["code"]}, department=DEPARTMENT)
    assert refused["errors"][0]["extensions"]["code"] == "NOT_PERMITTED"
    published = served.ask(
        step % "publish", {"code": created["code"]}, department=REVIEWER_DEPARTMENT
    )
    assert published["data"]["publish"]["state"] == "PUBLISHED"


AUDIT = """query ($kinds: [AuditKind!]) { auditLog(filter: {kinds: $kinds}, first: 500) {
  edges { node { kind actor action subject detail } } } }"""


def audit_records(served: Served, *kinds: str) -> list[dict[str, Any]]:
    """The auditor's view of records of `kinds`, once the instance has written them."""
    deadline = time.monotonic() + 10
    while True:
        answer = served.ask(AUDIT, {"kinds": list(kinds)}, department=AUDITOR_DEPARTMENT)
        found = [edge["node"] for edge in answer["data"]["auditLog"]["edges"]]
        if found or time.monotonic() > deadline:
            return found
        time.sleep(0.1)


def test_an_extranet_instance_asking_an_intranet_one_is_refused_and_audited(
    intranet: Served,
) -> None:
    extranet = intranet.ca.issue_instance("510104/extranet")
    refused = intranet.post(LIST, instance=extranet, headers={"X-Mulu-Instance": "510104/extranet"})
    assert refused.status_code == 403
    assert "EXTRANET zone" in refused.json()["errors"][0]["message"]
    records = audit_records(intranet, "PEER_REFUSED")
    assert any(
        r["actor"] == "instance:510104/extranet" and "EXTRANET zone" in r["detail"] for r in records
    ), records


def test_only_the_auditors_certificate_reads_the_log(intranet: Served) -> None:
    for who in ({}, {"department": DEPARTMENT}, {"department": REVIEWER_DEPARTMENT}):
        answer = intranet.ask(AUDIT, {"kinds": None}, **who)
        assert answer["errors"][0]["extensions"]["code"] == "NOT_PERMITTED"
    # Those refusals are records too, and the console's grants before them.
    assert audit_records(intranet, "AUTHORISATION_REFUSED")
    granted = audit_records(intranet, "ADMINISTRATION")
    assert {(r["action"], r["subject"]) for r in granted} == {
        ("grant role", REVIEWER_DEPARTMENT),
        ("grant role", AUDITOR_DEPARTMENT),
    }


def test_a_certificate_the_handshake_refuses_is_audited(served: Served) -> None:
    """It never reaches the app, yet it is a failed authentication: the alert the server
    sends is heard and recorded (AUTHENTICATION_FAILED, the alert's name)."""
    for department in (REVOKED, EXPIRED):
        with pytest.raises(httpx.TransportError):
            served.ask(LIST, department=department, tls12=True)
    deadline = time.monotonic() + 10
    alerts: set[str] = set()
    while not {"certificate_revoked", "certificate_expired"} <= alerts:
        assert time.monotonic() < deadline, alerts
        time.sleep(0.2)
        records = audit_records(served, "AUTHENTICATION_FAILED")
        alerts = {json.loads(r["detail"]).get("alert") for r in records}
    assert all(r["actor"] == "anonymous" for r in records)
