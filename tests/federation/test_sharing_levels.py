"""Share requests across levels (federation.sharing.forwarding): a 成都 department asks at 成都's
intranet instance for a national entry; the request lives at the nation (its origin), reached
through 四川 (成都's parent, which holds no copy); the nation's provider answers; the department
reads the answer, and acts on its request, from 成都 — every step in the audit logs.

Three in-process instances, each an app over its own embedded store, joined by a topology file
and asking each other over httpx's ASGI transport (no sockets), development headers naming
the callers (the forwarding instance forwards them, as discovery does without TLS).
"""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from starlette.types import Receive, Scope, Send

from federation.api.identity import Viewer
from federation.api.schema import build_schema
from federation.api.sharing import OBJECTION_FIELDS, REQUEST_FIELDS
from federation.app import create_app
from federation.identity.ca import PlatformCA
from federation.identity.peering import on_behalf_of
from federation.instance import embedded_log, open_instance
from federation.settings import Settings
from federation.sharing.forwarding import MAX_HOPS, origin_of, request_id
from graph import CatalogStore, NotPermitted, Role, ShareMode, ShareType, Zone
from tests.federation.support import GraphQLCaller, data, only_error
from tests.federation.test_sharing_api import (
    APPROVE,
    CONFIRM,
    LOG,
    REPORT,
    REQUEST,
    REQUEST_SHARE,
    SET_ACCESS,
    SHARE_REQUEST,
    SHARE_REQUESTS,
)
from tests.graph.entries import credit_code, resource

NATION_ENTRY = "101001001/000100"  # 国家企业信用信息, CONDITIONAL, at the nation
NATION = "national/intranet"
PROVINCE = "510000/intranet"
CITY = "510100/intranet"
NATIONAL_BODY = credit_code("100000", "MB0000010")
CITY_DEPT = credit_code("510100", "MB0000012")
CITY_OTHER = credit_code("510100", "MB0000013")
PROVINCE_DEPT = credit_code("510000", "MB0000014")
NATION_AUDITOR = credit_code("100000", "MB0000082")
CITY_AUDITOR = credit_code("510100", "MB0000082")
PORTS = {NATION: 9101, PROVINCE: 9102, CITY: 9103}

WITHDRAW = f"""mutation ($id: String!) {{ withdrawShare(id: $id) {{ {REQUEST} }} }}"""


def nation_entry() -> Any:
    return resource(
        NATION_ENTRY,
        origin=NATION,
        provider_code=NATIONAL_BODY,
        provider_name="国家市场监督管理总局",
        name="国家企业信用信息",
        share_type=ShareType.CONDITIONAL,
        share_condition="仅限政务用途",
        share_modes=frozenset({ShareMode.INTERFACE}),
    )


def seeder(instance: str) -> Any:
    async def seed(store: CatalogStore) -> None:
        if instance == NATION:
            await store.save(nation_entry(), None)
        elif instance == CITY:
            await store.apply([nation_entry()])  # a copy: its origin is the nation

    return seed


class Router(httpx.AsyncBaseTransport):
    """Routes each peer call to the in-process app listening on its address."""

    def __init__(self) -> None:
        self.apps: dict[int, httpx.ASGITransport] = {}

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        app = self.apps.get(request.url.port or 80)
        if app is None:  # that instance is down
            raise httpx.ConnectError("connection refused", request=request)
        return await app.handle_async_request(request)


def write_topology(path: Path) -> None:
    path.write_text(
        "\n".join(
            f'[[instances]]\nid = "{i}"\ngraphql = "127.0.0.1:{port}"\n'
            f'store = {{ kind = "embedded", path = "{path.parent / i.replace("/", "-")}.db" }}\n'
            for i, port in PORTS.items()
        ),
        encoding="utf-8",
    )


@dataclass
class Levels:
    callers: dict[str, GraphQLCaller]
    raw: dict[str, httpx.AsyncClient]
    router: Router

    async def ask(self, at: str, query: str, variables: dict[str, Any], **who: Any) -> Any:
        return data(await self.callers[at](query, variables, **who))


@pytest.fixture
async def levels(tmp_path: Path) -> AsyncIterator[Levels]:
    topology = tmp_path / "topology.toml"
    write_topology(topology)
    router = Router()
    async with AsyncExitStack() as stack:
        callers, raw = {}, {}
        for instance, port in PORTS.items():
            settings = Settings(
                data_dir=tmp_path / instance.replace("/", "-"),
                instance=instance,
                topology=topology,
                peer_timeout_seconds=5.0,
                catalog_name=instance,
                dev_identity_header=True,
            )

            def opener(settings: Settings = settings, instance: str = instance) -> Any:
                return open_instance(
                    settings,
                    prepare=seeder(instance),
                    peer_transport=router,
                    events_log=embedded_log(settings.data_dir / "events.db"),
                )

            app: Starlette = create_app(settings, opener)
            state = await stack.enter_async_context(app.router.lifespan_context(app))

            def with_state(app: Starlette = app, state: Any = state) -> Any:
                async def asgi(scope: Scope, receive: Receive, send: Send) -> None:
                    await app({**scope, "state": dict(state or {})}, receive, send)

                return asgi

            transport = httpx.ASGITransport(app=with_state())
            router.apps[port] = transport
            http = await stack.enter_async_context(
                httpx.AsyncClient(transport=transport, base_url=f"http://127.0.0.1:{port}")
            )
            callers[instance], raw[instance] = GraphQLCaller(http), http
        yield Levels(callers, raw, router)


ASK = {
    "input": {
        "resourceCode": NATION_ENTRY,
        "purpose": "企业信用核查",
        "scenario": "政府采购供应商资格审查",
        "items": [],
        "shareMode": "INTERFACE",
        "periodStart": "2026-01-01",
        "periodEnd": "2036-01-01",
    }
}


async def test_a_city_department_asks_for_a_national_entry_and_gets_its_answer_back(
    levels: Levels,
) -> None:
    made = (await levels.ask(CITY, REQUEST_SHARE, ASK, department=CITY_DEPT))["requestShare"]
    assert (made["origin"], made["state"], made["requesterCode"], made["requestedFrom"]) == (
        NATION,
        "SUBMITTED",
        CITY_DEPT,
        CITY,
    )
    assert made["id"].startswith(f"{NATION}:")
    assert made["answerDue"]["workingDays"] == 10
    assert isinstance(made["answerDue"]["provisional"], bool)

    # The nation holds it; its provider sees it and answers there.
    listed = await levels.ask(NATION, SHARE_REQUESTS, {}, department=NATIONAL_BODY)
    assert [e["node"]["id"] for e in listed["shareRequests"]["edges"]] == [made["id"]]
    assert (await levels.ask(CITY, SHARE_REQUESTS, {}, department=CITY_DEPT))["shareRequests"][
        "totalCount"
    ] == 0
    approved = await levels.ask(
        NATION, APPROVE, {"id": made["id"], "terms": "仅限采购审查"}, department=NATIONAL_BODY
    )
    assert approved["approveShare"]["state"] == "APPROVED"

    # 成都's department reads the answer, its state and clocks, from 成都.
    seen = (await levels.ask(CITY, SHARE_REQUEST, {"id": made["id"]}, department=CITY_DEPT))[
        "shareRequest"
    ]
    assert (seen["state"], seen["terms"], seen["origin"]) == ("APPROVED", "仅限采购审查", NATION)
    assert seen["deliveryDue"]["workingDays"] == 20
    assert [s["action"] for s in seen["history"]] == ["submit", "approve"]

    # Another department of 成都 is no party: the nation refuses it, and 成都 relays why.
    error = only_error(
        await levels.callers[CITY](SHARE_REQUEST, {"id": made["id"]}, department=CITY_OTHER)
    )
    assert (error["extensions"]["code"], error["extensions"]["origin"]) == (
        "NOT_PERMITTED",
        NATION,
    )

    # It acts on its request from 成都 as well.
    withdrawn = await levels.ask(CITY, WITHDRAW, {"id": made["id"]}, department=CITY_DEPT)
    assert withdrawn["withdrawShare"]["state"] == "WITHDRAWN"

    # Every step in the nation's audit log, and the forwarding in 成都's.
    audit = {"filter": {"kinds": ["SHARE_REQUEST"], "subject": made["id"]}}
    nation = await levels.ask(NATION, LOG, audit, department=NATION_AUDITOR, role=Role.AUDITOR)
    steps = [(n["node"]["actor"], n["node"]["action"]) for n in nation["auditLog"]["edges"]]
    assert steps == [
        (CITY_DEPT, "submit"),
        (NATIONAL_BODY, "approve"),
        (CITY_DEPT, "withdraw"),
    ]
    city = await levels.ask(CITY, LOG, audit, department=CITY_AUDITOR, role=Role.AUDITOR)
    forwarded = [n["node"] for n in city["auditLog"]["edges"]]
    assert [(r["actor"], r["action"]) for r in forwarded] == [
        (CITY_DEPT, "forward requestShare"),
        (CITY_DEPT, "forward withdrawShare"),
    ]
    assert json.loads(forwarded[0]["detail"])["origin"] == NATION


FORWARDED = """query ($first: Int = 20, $after: String) {
  forwardedShareRequests(first: $first, after: $after) {
    edges { cursor id origin askedAt error node { id state terms answerDue { date } } }
    pageInfo { hasNextPage endCursor } } }"""


async def test_a_department_lists_at_its_own_instance_the_requests_it_made_for_other_levels(
    levels: Levels,
) -> None:
    """The requester sees state and clock from where it asked: 成都 keeps no copy of the
    request, but its audit log knows each one a department made there, and the list asks
    each origin for the request as it stands now."""
    first = (await levels.ask(CITY, REQUEST_SHARE, ASK, department=CITY_DEPT))["requestShare"]
    second = (await levels.ask(CITY, REQUEST_SHARE, ASK, department=CITY_DEPT))["requestShare"]
    await levels.ask(
        NATION, APPROVE, {"id": first["id"], "terms": "仅限采购审查"}, department=NATIONAL_BODY
    )

    listed = (await levels.ask(CITY, FORWARDED, {}, department=CITY_DEPT))["forwardedShareRequests"]
    edges = listed["edges"]
    assert [(e["id"], e["origin"], e["error"]) for e in edges] == [
        (first["id"], NATION, None),
        (second["id"], NATION, None),
    ]
    assert [(e["node"]["state"], e["node"]["terms"]) for e in edges] == [
        ("APPROVED", "仅限采购审查"),
        ("SUBMITTED", None),
    ]
    assert edges[1]["node"]["answerDue"]["date"] == second["answerDue"]["date"]
    assert listed["pageInfo"]["hasNextPage"] is False

    # Paged one by one, the same two.
    page = (await levels.ask(CITY, FORWARDED, {"first": 1}, department=CITY_DEPT))[
        "forwardedShareRequests"
    ]
    assert [e["id"] for e in page["edges"]] == [first["id"]]
    assert page["pageInfo"]["hasNextPage"] is True
    after = {"first": 1, "after": page["pageInfo"]["endCursor"]}
    rest = (await levels.ask(CITY, FORWARDED, after, department=CITY_DEPT))[
        "forwardedShareRequests"
    ]
    assert [e["id"] for e in rest["edges"]] == [second["id"]]

    # The nation down: the list still names each request and says why it is not read.
    del levels.router.apps[PORTS[NATION]]
    down = (await levels.ask(CITY, FORWARDED, {}, department=CITY_DEPT))["forwardedShareRequests"]
    assert [(e["id"], e["node"]) for e in down["edges"]] == [
        (first["id"], None),
        (second["id"], None),
    ]
    assert all(e["error"] and NATION in e["error"] for e in down["edges"])

    # Another department of 成都 made none; the nation, where they live, lists none forwarded.
    other = await levels.ask(CITY, FORWARDED, {}, department=CITY_OTHER)
    assert other["forwardedShareRequests"]["edges"] == []
    assert (await levels.ask(NATION, FORWARDED, {}, department=CITY_DEPT))[
        "forwardedShareRequests"
    ]["edges"] == []
    # Anonymous callers have no requests; a page too large is refused naming the field.
    assert only_error(await levels.callers[CITY](FORWARDED, {}))["extensions"]["code"] == (
        "NOT_PERMITTED"
    )
    error = only_error(await levels.callers[CITY](FORWARDED, {"first": 51}, department=CITY_DEPT))
    assert (error["extensions"]["code"], error["extensions"]["field"]) == ("INVALID_VALUE", "first")


async def test_an_instance_without_a_copy_finds_the_origin_through_its_peers(
    levels: Levels,
) -> None:
    made = (await levels.ask(PROVINCE, REQUEST_SHARE, ASK, department=PROVINCE_DEPT))[
        "requestShare"
    ]
    assert (made["origin"], made["requestedFrom"], made["requesterCode"]) == (
        NATION,
        PROVINCE,
        PROVINCE_DEPT,
    )
    seen = await levels.ask(NATION, SHARE_REQUEST, {"id": made["id"]}, department=NATIONAL_BODY)
    assert seen["shareRequest"]["state"] == "SUBMITTED"


async def test_an_objection_on_a_national_entry_is_held_and_answered_at_the_nation(
    levels: Levels,
) -> None:
    variables = {"code": NATION_ENTRY, "fields": ["name"], "text": "名称与登记不符"}
    made = (await levels.ask(CITY, REPORT, variables, department=CITY_DEPT))["reportObjection"]
    assert (made["state"], made["reporter"]) == ("REPORTED", CITY_DEPT)
    assert made["id"].startswith(f"{NATION}:")
    on_entry = """query ($code: String!) { resource(code: $code) { openObjections { id } } }"""
    nation = await levels.ask(NATION, on_entry, {"code": NATION_ENTRY}, department=CITY_OTHER)
    assert nation["resource"]["openObjections"] == [{"id": made["id"]}]
    # The provider confirms from 成都 as well: the id names where the objection is held.
    confirmed = await levels.ask(CITY, CONFIRM, {"id": made["id"]}, department=NATIONAL_BODY)
    assert confirmed["confirmObjection"]["state"] == "CONFIRMED"
    audit = {"filter": {"kinds": ["OBJECTION"], "subject": made["id"]}}
    log = await levels.ask(NATION, LOG, audit, department=NATION_AUDITOR, role=Role.AUDITOR)
    steps = [(n["node"]["actor"], n["node"]["action"]) for n in log["auditLog"]["edges"]]
    assert steps == [(CITY_DEPT, "report"), (NATIONAL_BODY, "confirm")]


async def test_the_origins_refusal_comes_back_with_its_extensions(levels: Levels) -> None:
    wrong = {"input": {**ASK["input"], "items": ["没有这个信息项"]}}
    error = only_error(await levels.callers[CITY](REQUEST_SHARE, wrong, department=CITY_DEPT))
    assert error["extensions"]["code"] == "INVALID_VALUE"
    assert error["extensions"]["field"] == "items[0]"
    assert error["extensions"]["origin"] == NATION
    anonymous = only_error(await levels.callers[CITY](REQUEST_SHARE, ASK))
    assert anonymous["extensions"]["code"] == "NOT_PERMITTED"


async def test_a_question_that_passed_too_many_instances_is_refused(levels: Levels) -> None:
    response = await levels.raw[PROVINCE].post(
        "/graphql",
        json={"query": REQUEST_SHARE, "variables": ASK},
        headers={
            "X-Mulu-Dev-Department": CITY_DEPT,
            "X-Mulu-Forward-To": NATION,
            "X-Mulu-Hops": str(MAX_HOPS),
        },
    )
    (error,) = response.json()["errors"]
    assert (error["extensions"]["code"], error["extensions"]["field"]) == (
        "INVALID_VALUE",
        "X-Mulu-Hops",
    )


# -- pure: ids name their origin; a department named by a peer -------------------------------


def test_an_id_names_the_instance_that_holds_the_request() -> None:
    made = request_id(NATION)
    assert origin_of(made) == NATION
    assert origin_of("id-001") is None
    assert origin_of("nowhere:abc") is None


def test_a_department_is_believed_from_an_admitted_peer_only() -> None:
    assert on_behalf_of(None, CITY_DEPT, Zone.INTRANET) is None
    assert on_behalf_of(CITY, None, Zone.INTRANET) is None
    named = on_behalf_of(CITY, CITY_DEPT, Zone.INTRANET)
    assert named == Viewer(Zone.INTRANET, CITY_DEPT, Role.PROVIDER, instance=CITY)
    assert named is not None
    assert named.party().department_code == CITY_DEPT
    with pytest.raises(NotPermitted, match="forwards its share requests only"):
        named.actor()


# -- with TLS: the department named by an admitted peer, and by no one else --------------------

REVISE = f"""mutation {{ revise(code: "{NATION_ENTRY}") {{ code }} }}"""


@pytest.fixture
async def nation_over_tls(tmp_path: Path) -> AsyncIterator[Any]:
    """The nation with TLS on (its certificate from a platform CA), asked in-process with the
    client certificate a TLS server would have verified put in each request's scope."""
    ca = PlatformCA.init(tmp_path / "pki")
    cert, key = ca.issue_instance(NATION)
    certificates = {
        "peer": ca.issue_instance(PROVINCE)[0],
        "department": ca.issue_department(CITY_DEPT)[0],
    }
    topology = tmp_path / "topology.toml"
    write_topology(topology)
    settings = Settings(
        data_dir=tmp_path / "nation",
        instance=NATION,
        topology=topology,
        catalog_name=NATION,
        tls={"cert": cert, "key": key, "client_ca": ca.cert_path},
    )
    app = create_app(settings, lambda: open_instance(settings, prepare=seeder(NATION)))
    async with app.router.lifespan_context(app) as state:

        async def ask(
            query: str, variables: dict[str, Any], presented: str | None, **headers: str
        ) -> dict[str, Any]:
            chain = [] if presented is None else [certificates[presented].read_text()]

            async def asgi(scope: Scope, receive: Receive, send: Send) -> None:
                extensions = {**scope.get("extensions", {}), "tls": {"client_cert_chain": chain}}
                await app(
                    {**scope, "state": dict(state or {}), "extensions": extensions}, receive, send
                )

            async with httpx.AsyncClient(
                transport=httpx.ASGITransport(app=asgi), base_url="https://nation.test"
            ) as http:
                response = await http.post(
                    "/graphql", json={"query": query, "variables": variables}, headers=headers
                )
            answer: dict[str, Any] = response.json()
            return answer

        yield ask


async def test_with_tls_the_origin_believes_the_department_an_admitted_peer_names(
    nation_over_tls: Any,
) -> None:
    ask = nation_over_tls
    on_behalf = {"X-Mulu-Instance": PROVINCE, "X-Mulu-On-Behalf-Of": CITY_DEPT}
    made = data(await ask(REQUEST_SHARE, ASK, "peer", **on_behalf))["requestShare"]
    assert (made["requesterCode"], made["state"]) == (CITY_DEPT, "SUBMITTED")
    # The department so named requests; it changes no entry here.
    refused = only_error(await ask(REVISE, {}, "peer", **on_behalf))
    assert refused["extensions"]["code"] == "NOT_PERMITTED"
    assert "forwards its share requests only" in refused["message"]
    # From anyone but a peer the header is ignored: a department is itself, anonymous is no one.
    other = {"X-Mulu-On-Behalf-Of": CITY_OTHER}
    own = data(await ask(REQUEST_SHARE, ASK, "department", **other))["requestShare"]
    assert own["requesterCode"] == CITY_DEPT
    anonymous = only_error(await ask(REQUEST_SHARE, ASK, None, **other))
    assert anonymous["extensions"]["code"] == "NOT_PERMITTED"


@pytest.mark.parametrize(
    ("type_name", "selection"),
    [("ShareRequest", REQUEST_FIELDS), ("Objection", OBJECTION_FIELDS)],
)
async def test_a_forwarded_answer_asks_the_origin_for_every_field(
    type_name: str, selection: str
) -> None:
    """What comes back from the origin is the whole node: none of its fields left out."""
    answer = await build_schema().execute(
        "query ($name: String!) { __type(name: $name) { fields { name } } }",
        variable_values={"name": type_name},
    )
    assert answer.errors is None
    assert answer.data is not None
    declared = {f["name"] for f in answer.data["__type"]["fields"]}
    top_level = set(re.sub(r"\{[^{}]*\}", " ", selection).split())
    assert top_level == declared


ACCESS_DETAILS = """query ($code: String!) { accessDetails(code: $code) {
  resourceCode interfaceUrl credentials updatedBy version } }"""


async def test_the_access_details_are_read_at_the_origin_from_wherever_the_department_asks(
    levels: Levels,
) -> None:
    """The nation holds the access details of its CONDITIONAL entry; 成都's approved department
    reads them from 成都 (asked at the nation on its behalf, through 四川), another department
    of 成都 sees none, and the read is recorded where the details are (ACCESS_READ)."""
    details = {"interfaceUrl": "https://data.gov.example/credit", "credentials": "向国家平台申请"}
    await levels.ask(
        NATION, SET_ACCESS, {"code": NATION_ENTRY, "input": details}, department=NATIONAL_BODY
    )
    made = (await levels.ask(CITY, REQUEST_SHARE, ASK, department=CITY_DEPT))["requestShare"]
    before = await levels.ask(CITY, ACCESS_DETAILS, {"code": NATION_ENTRY}, department=CITY_DEPT)
    assert before["accessDetails"] is None  # not approved yet
    await levels.ask(NATION, APPROVE, {"id": made["id"]}, department=NATIONAL_BODY)

    seen = await levels.ask(CITY, ACCESS_DETAILS, {"code": NATION_ENTRY}, department=CITY_DEPT)
    assert seen["accessDetails"]["interfaceUrl"] == "https://data.gov.example/credit"
    assert seen["accessDetails"]["updatedBy"] == NATIONAL_BODY
    other = await levels.ask(CITY, ACCESS_DETAILS, {"code": NATION_ENTRY}, department=CITY_OTHER)
    assert other["accessDetails"] is None
    anonymous = await levels.ask(CITY, ACCESS_DETAILS, {"code": NATION_ENTRY})
    assert anonymous["accessDetails"] is None

    audit = {"filter": {"kinds": ["ACCESS_READ"], "subject": NATION_ENTRY}}
    nation = await levels.ask(NATION, LOG, audit, department=NATION_AUDITOR, role=Role.AUDITOR)
    assert [n["node"]["actor"] for n in nation["auditLog"]["edges"]] == [CITY_DEPT]
