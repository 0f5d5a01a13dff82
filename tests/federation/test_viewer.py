"""`viewer`: who the instance takes the caller to be — what the explorer shows in its header —
and whether it believes the development identity headers (never when TLS names callers)."""

from __future__ import annotations

from pathlib import Path

from federation.settings import Settings, TlsSettings
from graph import Role
from tests.federation.catalog import REVIEWER_CODE
from tests.federation.support import GraphQLCaller, SpyStore, app_over, data, serve
from tests.federation.test_proxy_rules import Authority, pem
from tests.graph.entries import POLICE

VIEWER = """{ viewer { anonymous departmentCode role instance zone developmentHeaders
  department { code name } } }"""


async def test_a_department_named_by_the_development_headers_is_the_viewer(
    gql: GraphQLCaller,
) -> None:
    seen = data(await gql(VIEWER, department=POLICE.code))["viewer"]
    assert seen == {
        "anonymous": False,
        "departmentCode": POLICE.code,
        "role": "PROVIDER",
        "instance": None,
        "zone": "INTRANET",
        "developmentHeaders": True,
        "department": {"code": POLICE.code, "name": POLICE.name},
    }
    reviewer = data(await gql(VIEWER, department=REVIEWER_CODE, role=Role.REVIEWER))["viewer"]
    assert (reviewer["departmentCode"], reviewer["role"]) == (REVIEWER_CODE, "REVIEWER")
    anonymous = data(await gql(VIEWER))["viewer"]
    assert (anonymous["anonymous"], anonymous["role"], anonymous["department"]) == (
        True,
        None,
        None,
    )
    assert anonymous["developmentHeaders"] is True


async def test_under_tls_the_headers_are_not_believed_and_the_viewer_says_so(
    spy: SpyStore, tmp_path: Path
) -> None:
    ca = tmp_path / "ca.crt"
    ca.write_bytes(pem(Authority.make("platform CA").certificate))
    # Behind a proxy (TLS names callers there); this client is not the proxy: anonymous.
    tls = TlsSettings(client_ca=ca, trusted_proxies=["127.0.0.2"])
    settings = Settings(data_dir=tmp_path, dev_identity_header=True, tls=tls)
    async with serve(app_over(settings, spy)) as http:
        gql = GraphQLCaller(http)
        seen = data(await gql(VIEWER, department=POLICE.code, role=Role.REVIEWER))["viewer"]
    assert seen["anonymous"] is True
    assert seen["departmentCode"] is None
    assert seen["developmentHeaders"] is False
