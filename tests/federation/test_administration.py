"""The administrator's and the auditor's GraphQL (federation.api.administration, .audit): the
administrator registers departments and grants roles, never edits the catalog; the auditor
reads the audit log, nothing else (GB/T 39477; Chengdu 第二十六条: the log is kept); every
refused authorisation is itself a record.

Over HTTP in-process, on both stores, with the development headers naming each caller."""

from __future__ import annotations

import asyncio
import itertools
import json
from typing import Any

from graph import CatalogStore, Role
from tests.federation.catalog import MARKET_SUBMITTED, REVIEWER_CODE
from tests.federation.support import GraphQLCaller, data, only_error
from tests.federation.test_maintenance import CREATE, draft_input, step
from tests.graph.entries import MARKET, POLICE, credit_code

ADMIN = credit_code("510100", "MB0000081")
AUDITOR = credit_code("510100", "MB0000082")
NEWCOMER = credit_code("510100", "MB0000083")

AS_ADMIN = {"department": ADMIN, "role": Role.ADMINISTRATOR}
AS_AUDITOR = {"department": AUDITOR, "role": Role.AUDITOR}
AS_POLICE = {"department": POLICE.code}
AS_REVIEWER = {"department": REVIEWER_CODE, "role": Role.REVIEWER}

REGISTER = """mutation ($code: String!, $name: String!, $region: String!) {
  registerDepartment(code: $code, name: $name, regionCode: $region) { code name regionCode } }"""
GRANT = """mutation ($subject: String!, $role: Role!) {
  grantRole(subject: $subject, role: $role) { subject role } }"""
REVOKE = "mutation ($subject: String!) { revokeRole(subject: $subject) { subject role } }"
GRANTS = "{ grants { subject role } }"
LOG = """query ($filter: AuditFilterInput, $first: Int = 100, $after: String) {
  auditLog(filter: $filter, first: $first, after: $after) {
    headSeq pageInfo { hasNextPage endCursor }
    edges { cursor node { seq hash previousHash kind actor action subject
                          versionBefore versionAfter detail at day } } } }"""


async def records(gql: GraphQLCaller, **filter: Any) -> list[dict[str, Any]]:
    answer = data(await gql(LOG, {"filter": filter or None}, **AS_AUDITOR))
    return [edge["node"] for edge in answer["auditLog"]["edges"]]


async def eventually(gql: GraphQLCaller, **filter: Any) -> list[dict[str, Any]]:
    """The records `filter` selects once the instance's sink has written them (bounded)."""
    for _ in range(100):
        found = await records(gql, **filter)
        if found:
            return found
        await asyncio.sleep(0.05)
    raise AssertionError(f"no audit record {filter} within 5 s")


async def test_the_administrator_registers_a_department(
    gql: GraphQLCaller, store: CatalogStore
) -> None:
    variables = {"code": NEWCOMER, "name": "成都市数据局", "region": "510100"}
    registered = data(await gql(REGISTER, variables, **AS_ADMIN))["registerDepartment"]
    assert registered == {"code": NEWCOMER, "name": "成都市数据局", "regionCode": "510100"}
    assert [d.name for d in await store.departments([NEWCOMER])] == ["成都市数据局"]
    (record,) = await records(gql, kinds=["ADMINISTRATION"], subject=NEWCOMER)
    assert (record["actor"], record["action"]) == (ADMIN, "register department")
    assert json.loads(record["detail"]) == {"name": "成都市数据局", "region": "510100"}


async def test_grants_and_revokes_are_the_administrators_and_recorded(
    gql: GraphQLCaller, store: CatalogStore
) -> None:
    granted = await gql(GRANT, {"subject": MARKET.code, "role": "REVIEWER"}, **AS_ADMIN)
    assert data(granted)["grantRole"] == {"subject": MARKET.code, "role": "REVIEWER"}
    assert data(await gql(GRANTS, **AS_ADMIN))["grants"] == [
        {"subject": MARKET.code, "role": "REVIEWER"}
    ]
    assert await store.grants([MARKET.code]) == {MARKET.code: Role.REVIEWER}
    revoked = data(await gql(REVOKE, {"subject": MARKET.code}, **AS_ADMIN))["revokeRole"]
    assert revoked == {"subject": MARKET.code, "role": "PROVIDER"}
    assert data(await gql(GRANTS, **AS_ADMIN))["grants"] == []
    actions = [r["action"] for r in await records(gql, kinds=["ADMINISTRATION"])]
    assert actions == ["grant role", "revoke role"]


async def test_administrator_and_auditor_are_never_one_department(gql: GraphQLCaller) -> None:
    """GB/T 39477: a subject that was administrator never becomes auditor, even after its
    grant is revoked; the refusal names the field and changes nothing."""
    await gql(GRANT, {"subject": NEWCOMER, "role": "ADMINISTRATOR"}, **AS_ADMIN)
    await gql(REVOKE, {"subject": NEWCOMER}, **AS_ADMIN)
    error = only_error(await gql(GRANT, {"subject": NEWCOMER, "role": "AUDITOR"}, **AS_ADMIN))
    assert error["extensions"]["code"] == "INVALID_VALUE"
    assert error["extensions"]["field"] == "role"
    assert data(await gql(GRANTS, **AS_ADMIN))["grants"] == []


async def test_the_administrator_never_changes_catalog_content(gql: GraphQLCaller) -> None:
    error = only_error(await gql(CREATE, {"input": draft_input()}, **AS_ADMIN))
    assert error["extensions"]["code"] == "NOT_PERMITTED"
    error = only_error(await gql(step("publish"), {"code": MARKET_SUBMITTED}, **AS_ADMIN))
    assert error["extensions"]["code"] == "NOT_PERMITTED"


async def test_only_the_administrator_administers(gql: GraphQLCaller) -> None:
    variables = {"subject": POLICE.code, "role": "REVIEWER"}
    for caller in ({}, AS_POLICE, AS_REVIEWER, AS_AUDITOR):
        error = only_error(await gql(GRANT, variables, **caller))
        assert error["extensions"]["code"] == "NOT_PERMITTED"
        assert "for the instance's administrator only" in error["message"]
    assert data(await gql(GRANTS, **AS_ADMIN))["grants"] == []


async def test_only_the_auditor_reads_the_log(gql: GraphQLCaller) -> None:
    for caller in ({}, AS_POLICE, AS_REVIEWER, AS_ADMIN):
        error = only_error(await gql(LOG, **caller))
        assert error["extensions"]["code"] == "NOT_PERMITTED"
        assert "for the instance's auditor only" in error["message"]


async def test_a_refused_authorisation_is_a_record(gql: GraphQLCaller) -> None:
    only_error(await gql(GRANT, {"subject": POLICE.code, "role": "REVIEWER"}, **AS_POLICE))
    (record,) = await eventually(gql, kinds=["AUTHORISATION_REFUSED"], actor=POLICE.code)
    assert record["action"] == "grantRole"
    assert "administrator only" in json.loads(record["detail"])["reason"]


async def test_the_log_records_each_step_with_its_actor_and_versions(
    gql: GraphQLCaller,
) -> None:
    created = data(await gql(CREATE, {"input": draft_input()}, **AS_POLICE))["createDraft"]
    code = created["code"]
    await gql(step("submit"), {"code": code}, **AS_POLICE)
    await gql(step("publish"), {"code": code}, **AS_REVIEWER)
    found = await records(gql, subject=code)
    steps = [
        (r["kind"], r["actor"], r["action"], r["versionBefore"], r["versionAfter"]) for r in found
    ]
    assert steps == [
        ("CATALOG_WRITE", POLICE.code, "create", None, 1),
        ("LIFECYCLE", POLICE.code, "submit", 1, 2),
        ("LIFECYCLE", REVIEWER_CODE, "publish", 2, 3),
    ]
    # One chain: each record names the hash of the one before it.
    every = await records(gql)
    assert all(b["previousHash"] == a["hash"] for a, b in itertools.pairwise(every))
    assert [r["seq"] for r in every] == list(range(every[0]["seq"], every[0]["seq"] + len(every)))


async def test_the_log_is_read_in_pages(gql: GraphQLCaller) -> None:
    for index in range(5):
        await gql(CREATE, {"input": draft_input(name=f"居住证信息{index}")}, **AS_POLICE)
    seen: list[int] = []
    after = None
    while True:
        page = data(await gql(LOG, {"first": 2, "after": after}, **AS_AUDITOR))["auditLog"]
        seen += [edge["node"]["seq"] for edge in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert seen == sorted(seen)
    assert len(seen) == len(set(seen)) >= 5
    assert page["headSeq"] == seen[-1]
    error = only_error(await gql(LOG, {"first": 501}, **AS_AUDITOR))
    assert error["extensions"]["field"] == "first"
