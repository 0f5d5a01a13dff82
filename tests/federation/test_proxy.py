"""mulu behind nginx, which ends TLS and forwards the client certificate it verified: real
handshakes with Debian's nginx in front of a real `mulu serve` (the 成都 extranet instance, a
sample catalog, the development headers switched on — to show they count for nothing here).

nginx listens on a free loopback port with the platform CA (``ssl_verify_client optional``,
its CRL) and connects to mulu from 127.0.0.2 (``proxy_bind``); mulu trusts 127.0.0.2 alone
(``tls.trusted_proxies``), so a client on 127.0.0.1 that sends the same headers straight to
mulu is not believed.

Defect classes: identity headers believed from an address that is not the proxy (directly, or
through uvicorn's X-Forwarded-For handling); a client's own identity header passed through the
proxy; a forwarded certificate believed without being checked again; a certificate of another
CA reaching the app. A certificate of another CA is refused by nginx itself (HTTP 400, "The SSL
certificate error"): with ``ssl_verify_client optional`` the handshake completes and nginx
answers the request with that error, never forwarding it.
"""

from __future__ import annotations

import getpass
import os
import shutil
import signal
import ssl
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import pytest

from federation.identity import PlatformCA
from infra.net import free_ports, port_answers
from tests.federation.test_serve import mulu
from tests.federation.test_tls import CREATE, DRAFT, LIST
from tests.graph.entries import credit_code

DEPARTMENT = credit_code("510100", "MB0000091")  # creates a draft through nginx, as itself
REVOKED = credit_code("510100", "MB0000092")
FOREIGN = credit_code("510100", "MB0000093")  # certified by another CA
PROXY = "127.0.0.2"  # where nginx connects to mulu from; mulu trusts it alone
SEEN = "query ($code: String!) { resource(code: $code) { code state providerCode } }"

NGINX_CONF = """\
daemon off;
{user}
worker_processes 1;
pid {root}/nginx.pid;
error_log {root}/error.log info;
events {{ worker_connections 64; }}
http {{
    access_log {root}/access.log;
    client_body_temp_path {root}/temp/body;
    proxy_temp_path {root}/temp/proxy;
    fastcgi_temp_path {root}/temp/fastcgi;
    uwsgi_temp_path {root}/temp/uwsgi;
    scgi_temp_path {root}/temp/scgi;
    server {{
        listen 127.0.0.1:{port} ssl;
        ssl_certificate {cert};
        ssl_certificate_key {key};
        ssl_client_certificate {ca};
        ssl_crl {crl};
        ssl_verify_client optional;
        location / {{
            proxy_pass http://127.0.0.1:{upstream};
            proxy_bind {proxy};
            proxy_set_header Host $host;
            # Set by nginx alone: a header of the same name the client sent is not passed.
            proxy_set_header X-SSL-Client-Cert $ssl_client_escaped_cert;
            proxy_set_header X-SSL-Client-Verify $ssl_client_verify;
        }}
    }}
}}
"""


def nginx_binary() -> str:
    """Debian's nginx; the fixture fails (never skips) without it."""
    found = shutil.which("nginx") or (
        "/usr/sbin/nginx" if Path("/usr/sbin/nginx").is_file() else None
    )
    if found is None:
        raise RuntimeError(
            "nginx is needed to test mulu behind a TLS-terminating proxy and was not found on "
            "PATH nor at /usr/sbin/nginx: install it (apt-get install -y nginx-light)"
        )
    return found


@dataclass(frozen=True)
class Deployment:
    proxy_url: str  # nginx, over TLS
    direct_url: str  # mulu itself, plain HTTP
    ca: PlatformCA
    foreign: PlatformCA

    def via_nginx(
        self, department: str | None = None, ca: PlatformCA | None = None
    ) -> httpx.Client:
        context = ssl.create_default_context(cafile=self.ca.cert_path)
        if department is not None:
            directory = (ca or self.ca).directory / "departments"
            context.load_cert_chain(
                directory / f"{department}.crt", directory / f"{department}.key"
            )
        return httpx.Client(base_url=self.proxy_url, verify=context, timeout=10)

    def direct(self, source: str = "127.0.0.1") -> httpx.Client:
        """Straight to mulu, connecting from `source` (any 127.0.0.0/8 address on Linux)."""
        transport = httpx.HTTPTransport(local_address=source)
        return httpx.Client(base_url=self.direct_url, transport=transport, timeout=10)

    def forged(self, department: str, ca: PlatformCA | None = None) -> dict[str, str]:
        """The headers nginx would set for `department`'s certificate — which is public — as a
        client would forge them."""
        pem = ((ca or self.ca).directory / "departments" / f"{department}.crt").read_text()
        return {
            "X-SSL-Client-Cert": quote(pem, safe=""),
            "X-SSL-Client-Verify": "SUCCESS",
            "X-Forwarded-For": PROXY,  # uvicorn's proxy headers are off: changes nothing
            "X-Mulu-Dev-Department": department,  # ignored: the proxy mode is on
            "X-Mulu-Dev-Role": "REVIEWER",
        }


def ask(
    http: httpx.Client,
    query: str,
    variables: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
) -> dict[str, Any]:
    body = {"query": query, "variables": variables or {}}
    response = http.post("/graphql", json=body, headers=headers or {})
    answer: dict[str, Any] = response.json()
    return answer


def wait_until(ready: Any, process: subprocess.Popen[bytes], log: Path, what: str) -> None:
    deadline = time.monotonic() + 60
    while not ready():
        assert process.poll() is None, f"{what} stopped:\n{log.read_text()}"
        assert time.monotonic() < deadline, f"{what} not ready in 60 s:\n{log.read_text()}"
        time.sleep(0.1)


def stop(process: subprocess.Popen[bytes]) -> None:
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@pytest.fixture(scope="module")
def deployment(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Deployment]:
    nginx = nginx_binary()
    root = tmp_path_factory.mktemp("proxy")
    ca = PlatformCA.init(root / "pki")
    server_cert, server_key = ca.issue_instance("510100/extranet")
    for department in (DEPARTMENT, REVOKED):
        ca.issue_department(department)
    ca.revoke(REVOKED)
    foreign = PlatformCA.init(root / "other")
    foreign.issue_department(FOREIGN)
    proxy_port, mulu_port = free_ports(2)

    env = {k: v for k, v in os.environ.items() if not k.startswith("MULU_")}
    env.update(
        MULU_INSTANCE="510100/extranet",
        MULU_CATALOG_NAME="成都市政务信息资源目录（外网）",
        MULU_DEV_IDENTITY_HEADER="true",
        MULU_TLS__CLIENT_CA=str(ca.cert_path),
        MULU_TLS__CRL=str(ca.crl_path),
        MULU_TLS__TRUSTED_PROXIES=f'["{PROXY}"]',
    )
    serve_log = root / "serve.log"
    with serve_log.open("w") as log:
        served = subprocess.Popen(
            [*mulu(), "serve", "--sample", "300", "--port", str(mulu_port)],
            cwd=root,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    proxy: subprocess.Popen[bytes] | None = None
    try:
        deployment = Deployment(
            f"https://127.0.0.1:{proxy_port}", f"http://127.0.0.1:{mulu_port}", ca, foreign
        )

        def healthy() -> bool:
            try:
                with deployment.direct() as http:
                    return http.get("/health").status_code == 200
            except httpx.TransportError:
                return False

        wait_until(healthy, served, serve_log, "mulu serve")

        (root / "temp").mkdir()
        user = f"user {getpass.getuser()};" if os.geteuid() == 0 else ""  # workers: not nobody
        config = root / "nginx.conf"
        config.write_text(
            NGINX_CONF.format(
                user=user,
                root=root,
                port=proxy_port,
                upstream=mulu_port,
                proxy=PROXY,
                cert=server_cert,
                key=server_key,
                ca=ca.cert_path,
                crl=ca.crl_path,
            ),
            encoding="utf-8",
        )
        nginx_log = root / "nginx.out"
        with nginx_log.open("w") as log:
            proxy = subprocess.Popen(
                [nginx, "-p", str(root), "-c", str(config), "-e", str(root / "error.log")],
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        wait_until(lambda: port_answers(proxy_port), proxy, root / "error.log", "nginx")
        yield deployment
    finally:
        if proxy is not None:
            stop(proxy)
        stop(served)


def test_via_nginx_a_department_certificate_is_that_department(deployment: Deployment) -> None:
    with deployment.via_nginx(DEPARTMENT) as http:
        created = ask(http, CREATE, {"input": DRAFT})
        draft = created["data"]["createDraft"]
        assert (draft["state"], draft["providerCode"]) == ("DRAFT", DEPARTMENT), created
        mine = ask(http, SEEN, {"code": draft["code"]})["data"]["resource"]
    assert mine == {"code": draft["code"], "state": "DRAFT", "providerCode": DEPARTMENT}
    with deployment.via_nginx() as anonymous:  # its draft is its own
        assert ask(anonymous, SEEN, {"code": draft["code"]})["data"]["resource"] is None


def test_via_nginx_without_a_client_certificate_the_caller_is_anonymous(
    deployment: Deployment,
) -> None:
    with deployment.via_nginx() as http:
        page = ask(http, LIST)["data"]["resources"]
        refused = ask(http, CREATE, {"input": DRAFT})
    assert page["totalCount"] > 0
    assert all(edge["node"]["openToPublic"] for edge in page["edges"])
    assert refused["errors"][0]["extensions"]["code"] == "NOT_PERMITTED", refused


def test_forged_identity_headers_sent_straight_to_mulu_from_another_address_are_ignored(
    deployment: Deployment,
) -> None:
    forged = deployment.forged(DEPARTMENT)
    with deployment.direct("127.0.0.1") as http:
        refused = ask(http, CREATE, {"input": DRAFT}, forged)
        listed = ask(http, LIST, headers=forged)
        plain = ask(http, LIST)
    assert refused["data"] is None
    assert refused["errors"][0]["extensions"]["code"] == "NOT_PERMITTED", refused
    assert listed == plain  # the anonymous extranet view
    # The same headers from the proxy's address are believed: the address alone decides.
    with deployment.direct(PROXY) as http:
        created = ask(http, CREATE, {"input": DRAFT}, forged)
    assert created["data"]["createDraft"]["providerCode"] == DEPARTMENT, created


def test_a_forged_identity_header_sent_through_nginx_is_replaced_by_nginx(
    deployment: Deployment,
) -> None:
    forged = deployment.forged(DEPARTMENT)
    with deployment.via_nginx() as http:  # no client certificate, the department's headers
        refused = ask(http, CREATE, {"input": DRAFT}, forged)
        listed = ask(http, LIST, headers=forged)
        plain = ask(http, LIST)
    assert refused["errors"][0]["extensions"]["code"] == "NOT_PERMITTED", refused
    assert listed == plain


def test_a_certificate_of_another_ca_is_refused_by_nginx(deployment: Deployment) -> None:
    with deployment.via_nginx(FOREIGN, deployment.foreign) as http:
        response = http.post("/graphql", json={"query": LIST})
    assert response.status_code == 400
    assert "The SSL certificate error" in response.text


def test_a_revoked_certificate_is_refused_by_nginx(deployment: Deployment) -> None:
    with deployment.via_nginx(REVOKED) as http:
        response = http.post("/graphql", json={"query": LIST})
    assert response.status_code == 400
    assert "The SSL certificate error" in response.text


def test_a_proxy_that_forwards_a_certificate_of_another_ca_as_verified_is_not_believed(
    deployment: Deployment,
) -> None:
    """Defence in depth: a misconfigured proxy (another CA bundle, no CRL) says SUCCESS for a
    certificate mulu's client CA did not issue, or revoked; mulu checks it again and refuses."""
    for forged in (
        deployment.forged(FOREIGN, deployment.foreign),
        deployment.forged(REVOKED),
    ):
        with deployment.direct(PROXY) as http:
            response = http.post("/graphql", json={"query": LIST}, headers=forged)
        assert response.status_code == 400
        error = response.json()["errors"][0]
        assert error["extensions"]["field"] == "X-SSL-Client-Cert", error
