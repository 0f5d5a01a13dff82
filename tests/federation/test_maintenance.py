"""Maintenance over HTTP: each lifecycle mutation, each refusal with its extensions, and who
sees entries that are not published."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from graph import Role
from tests.federation.catalog import (
    HOUSEHOLD,
    JINJIANG_COPY,
    MARKET_SUBMITTED,
    POLICE_DRAFT,
    REVIEWER_CODE,
)
from tests.federation.support import GraphQLCaller, data, only_error
from tests.graph.entries import MARKET, POLICE, credit_code

CATEGORY = "301001001"
# The seeded catalog holds 301001001/000001 to 000003 and the copy 000010: the next is 000011.
NEW = "301001001/000011"
UNREGISTERED = credit_code("510100", "MB0000077")

DRAFT_FIELDS = "code name state version providerCode providerName history { state actor note }"
CREATE = f"""mutation ($category: String! = "{CATEGORY}", $input: ResourceInput!) {{
  createDraft(category: $category, input: $input) {{ {DRAFT_FIELDS} }} }}"""
UPDATE = f"""mutation ($code: String! = "{NEW}", $input: ResourceInput!, $version: Int!) {{
  updateDraft(code: $code, input: $input, expectedVersion: $version) {{ {DRAFT_FIELDS} }} }}"""


def step(name: str) -> str:
    return f"""mutation ($code: String!, $note: String) {{
      {name}(code: $code, note: $note) {{ {DRAFT_FIELDS} }} }}"""


def draft_input(**overrides: Any) -> dict[str, Any]:
    entry = {
        "name": "居住证信息",
        "summary": "居住证的申领与签发信息",
        "formatClass": "DATABASE",
        "formatType": "Oracle",
        "shareType": "UNCONDITIONAL",
        "shareModes": ["INTERFACE"],
        "updateCycle": "DAILY",
        "classification": "UNCLASSIFIED",
        "items": [{"name": "居住证号", "dataType": "字符型", "length": 20}],
        "themes": ["社会保障"],
    }
    return {**entry, **overrides}


AS_POLICE = {"department": POLICE.code}
AS_MARKET = {"department": MARKET.code}
AS_REVIEWER = {"department": REVIEWER_CODE, "role": Role.REVIEWER}


async def test_a_draft_lives_from_creation_to_retirement(gql: GraphQLCaller) -> None:
    created = data(await gql(CREATE, {"input": draft_input()}, **AS_POLICE))["createDraft"]
    assert (created["code"], created["state"], created["version"]) == (NEW, "DRAFT", 1)
    assert (created["providerCode"], created["providerName"]) == (POLICE.code, POLICE.name)

    renamed = draft_input(name="居住证办理信息")
    updated = data(await gql(UPDATE, {"input": renamed, "version": 1}, **AS_POLICE))
    assert (updated["updateDraft"]["name"], updated["updateDraft"]["version"]) == (
        "居住证办理信息",
        2,
    )

    submitted = data(await gql(step("submit"), {"code": NEW, "note": "请审核"}, **AS_POLICE))
    assert submitted["submit"]["state"] == "SUBMITTED"
    published = data(await gql(step("publish"), {"code": NEW}, **AS_REVIEWER))["publish"]
    assert (published["state"], published["version"]) == ("PUBLISHED", 4)
    assert [h["state"] for h in published["history"]] == ["DRAFT", "SUBMITTED", "PUBLISHED"]
    assert published["history"][1]["note"] == "请审核"
    assert published["history"][2]["actor"] == REVIEWER_CODE

    # Published: anyone sees it now.
    anyone = data(await gql(f'{{ resource(code: "{NEW}") {{ name }} }}'))["resource"]
    assert anyone == {"name": "居住证办理信息"}

    revised = data(await gql(step("revise"), {"code": NEW}, **AS_POLICE))["revise"]
    assert revised["state"] == "DRAFT"
    retired = data(await gql(step("retire"), {"code": NEW}, **AS_POLICE))["retire"]
    assert retired["state"] == "RETIRED"


async def test_the_reviewer_rejects_back_to_draft(gql: GraphQLCaller) -> None:
    note = {"code": MARKET_SUBMITTED, "note": "缺少共享条件说明"}
    rejected = data(await gql(step("reject"), note, **AS_REVIEWER))["reject"]
    assert rejected["state"] == "DRAFT"
    assert rejected["history"][-1]["note"] == "缺少共享条件说明"


async def test_the_provider_name_comes_from_the_registry_or_the_input(gql: GraphQLCaller) -> None:
    stranger = {"department": UNREGISTERED}
    error = only_error(await gql(CREATE, {"input": draft_input()}, **stranger))
    assert error["extensions"]["code"] == "INVALID_VALUE"
    assert error["extensions"]["field"] == "input.providerName"
    named = draft_input(providerName="成都市新设局")
    created = data(await gql(CREATE, {"input": named}, **stranger))["createDraft"]
    assert (created["providerCode"], created["providerName"]) == (UNREGISTERED, "成都市新设局")


@pytest.mark.parametrize(
    ("overrides", "field", "rule"),
    [
        ({"shareType": "NONE", "shareModes": []}, "legal_basis", "national 第十条(一)"),
        ({"shareType": "CONDITIONAL"}, "share_condition", "national 第九条"),
        ({"shareModes": []}, "share_modes", None),
        ({"themes": ["天气"]}, "themes", None),
        (
            {"items": [{"name": "号码", "dataType": "字符型", "isBaseItem": True}]},
            "items[0].is_base_item",
            None,
        ),
    ],
)
async def test_a_draft_breaking_a_rule_is_refused_with_field_value_and_accepted(
    gql: GraphQLCaller, overrides: dict[str, Any], field: str, rule: str | None
) -> None:
    error = only_error(await gql(CREATE, {"input": draft_input(**overrides)}, **AS_POLICE))
    extensions = error["extensions"]
    assert extensions["code"] == "INVALID_VALUE"
    assert extensions["field"] == field
    assert "value" in extensions
    assert extensions["accepted"]
    assert extensions.get("rule") == rule
    assert field in error["message"]
    assert "Traceback" not in str(error)


async def test_anonymous_callers_cannot_change_the_catalog(gql: GraphQLCaller) -> None:
    error = only_error(await gql(CREATE, {"input": draft_input()}))
    assert error["extensions"] == {"code": "NOT_PERMITTED"}
    assert "anonymous" in error["message"]
    error = only_error(await gql(step("submit"), {"code": POLICE_DRAFT}))
    assert error["extensions"] == {"code": "NOT_PERMITTED"}


async def test_a_department_edits_only_its_own_entries(gql: GraphQLCaller) -> None:
    error = only_error(await gql(step("submit"), {"code": POLICE_DRAFT}, **AS_MARKET))
    assert error["extensions"] == {"code": "NOT_PERMITTED"}
    assert POLICE.code in error["message"]


async def test_only_the_reviewer_publishes(gql: GraphQLCaller) -> None:
    error = only_error(await gql(step("publish"), {"code": MARKET_SUBMITTED}, **AS_MARKET))
    assert error["extensions"] == {"code": "NOT_PERMITTED"}
    assert "reviewer" in error["message"]


async def test_a_step_the_lifecycle_does_not_allow(gql: GraphQLCaller) -> None:
    error = only_error(await gql(step("publish"), {"code": POLICE_DRAFT}, **AS_REVIEWER))
    assert error["extensions"] == {
        "code": "INVALID_TRANSITION",
        "state": "DRAFT",
        "action": "publish",
    }


async def test_a_stale_version_conflicts(gql: GraphQLCaller) -> None:
    stale = {"code": POLICE_DRAFT, "input": draft_input(), "version": 7}
    error = only_error(await gql(UPDATE, stale, **AS_POLICE))
    assert error["extensions"] == {"code": "VERSION_CONFLICT"}
    assert "version 1, not 7" in error["message"]


# -- the instance numbers new entries (issue 13, defect class 5) -----------------------------


async def test_the_caller_names_a_category_and_the_instance_numbers_the_entry(
    gql: GraphQLCaller,
) -> None:
    """1272 guide: the 后段码 is a sequence number of the category, the instance's to give."""
    first = data(await gql(CREATE, {"input": draft_input()}, **AS_POLICE))["createDraft"]
    other = {"category": "302001001", "input": draft_input(name="广告经营信息")}
    second = data(await gql(CREATE, other, **AS_MARKET))["createDraft"]
    third = data(await gql(CREATE, {"input": draft_input()}, **AS_MARKET))["createDraft"]
    assert [first["code"], second["code"], third["code"]] == [
        NEW,
        "302001001/000003",
        "301001001/000012",
    ]


async def test_a_code_invented_by_the_caller_is_not_accepted(gql: GraphQLCaller) -> None:
    invented = only_error(await gql(CREATE, {"input": draft_input(code=HOUSEHOLD)}, **AS_POLICE))
    assert "code" in invented["message"]  # ResourceInput has no such field any more
    whole = {"category": HOUSEHOLD, "input": draft_input()}
    error = only_error(await gql(CREATE, whole, **AS_POLICE))
    extensions = error["extensions"]
    assert (extensions["code"], extensions["field"], extensions["value"]) == (
        "INVALID_VALUE",
        "category",
        HOUSEHOLD,
    )
    assert "前段码 alone" in extensions["accepted"]
    held = data(await gql(f'{{ resource(code: "{HOUSEHOLD}") {{ name }} }}'))["resource"]
    assert held == {"name": "户籍人口信息"}


async def test_concurrent_creates_get_different_codes(gql: GraphQLCaller) -> None:
    answers = await asyncio.gather(
        *(gql(CREATE, {"input": draft_input(name=f"居住证信息{n}")}, **AS_POLICE) for n in range(8))
    )
    codes = sorted(data(a)["createDraft"]["code"] for a in answers)
    assert codes == [f"{CATEGORY}/{n:06d}" for n in range(11, 19)]


async def test_a_copy_is_maintained_where_it_comes_from(gql: GraphQLCaller) -> None:
    error = only_error(await gql(step("retire"), {"code": JINJIANG_COPY}, **AS_REVIEWER))
    assert error["extensions"]["field"] == "code"
    assert "510104/intranet" in error["extensions"]["accepted"]


async def test_stepping_an_unknown_entry(gql: GraphQLCaller) -> None:
    error = only_error(await gql(step("submit"), {"code": "301001001/000099"}, **AS_POLICE))
    assert error["extensions"] == {
        "code": "NOT_FOUND",
        "what": "resource",
        "key": "301001001/000099",
    }


LIST_STATES = """query ($filter: ResourceFilterInput) {
  resources(filter: $filter) { edges { node { code state } } } }"""


async def test_unpublished_entries_are_shown_to_their_department_and_the_reviewer(
    gql: GraphQLCaller,
) -> None:
    drafts = {"filter": {"state": ["DRAFT", "SUBMITTED"]}}
    own = data(await gql(LIST_STATES, drafts, **AS_POLICE))["resources"]["edges"]
    assert [e["node"]["code"] for e in own] == [POLICE_DRAFT]
    everyone = data(await gql(LIST_STATES, drafts, **AS_REVIEWER))["resources"]["edges"]
    assert {e["node"]["code"] for e in everyone} == {POLICE_DRAFT, MARKET_SUBMITTED}

    detail = f'{{ resource(code: "{POLICE_DRAFT}") {{ state }} }}'
    assert data(await gql(detail, **AS_POLICE))["resource"] == {"state": "DRAFT"}
    assert data(await gql(detail, **AS_REVIEWER))["resource"] == {"state": "DRAFT"}
    assert data(await gql(detail, **AS_MARKET))["resource"] is None


async def test_asking_for_others_unpublished_entries_is_refused(gql: GraphQLCaller) -> None:
    anonymous = only_error(await gql(LIST_STATES, {"filter": {"state": ["DRAFT"]}}))
    assert anonymous["extensions"]["field"] == "filter.state"
    others = {"filter": {"state": ["SUBMITTED"], "provider": MARKET.code}}
    error = only_error(await gql(LIST_STATES, others, **AS_POLICE))
    assert error["extensions"]["field"] == "filter.provider"
    assert POLICE.code in error["extensions"]["accepted"]


async def test_a_malformed_identity_header_is_a_bad_request(gql: GraphQLCaller) -> None:
    answer = await gql("{ themes { name } }", department="not-a-code", expect_status=400)
    assert answer["errors"][0]["extensions"]["field"] == "X-Mulu-Dev-Department"
    answer = await gql(
        "{ themes { name } }", department=POLICE.code, role=Role.SYNC, expect_status=400
    )
    assert answer["errors"][0]["extensions"]["field"] == "X-Mulu-Dev-Role"
