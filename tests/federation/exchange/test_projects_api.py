"""Project catalogs over GraphQL (national 第二十一条): a department declares its project,
accepts it naming the entries delivered, and any department reads what was promised beside
what is present; anonymous callers neither write nor read them."""

from __future__ import annotations

from tests.federation.catalog import HOUSEHOLD, POLICE_DRAFT
from tests.federation.support import GraphQLCaller, data, only_error
from tests.graph.entries import MARKET, POLICE

FIELDS = "id stage promised present promises { kind name code standing }"
DECLARE = f"""mutation ($id: String!, $produce: [ProduceInput!]!, $use: [String!]!) {{
  declareProject(id: $id, name: "出入境一网通办", produce: $produce, use: $use) {{ {FIELDS} }} }}"""
ACCEPT = f"""mutation ($id: String!, $delivered: [DeliveredInput!]!) {{
  acceptProject(id: $id, delivered: $delivered) {{ {FIELDS} }} }}"""
READ = f"""query ($id: String!) {{ project(id: $id) {{ {FIELDS} }} }}"""


async def test_a_project_is_declared_accepted_and_read_promised_beside_present(
    gql: GraphQLCaller,
) -> None:
    declared = {
        "id": "510100-2026-007",
        "produce": [{"name": "出入境证件信息", "category": "301001001"}],
        "use": [HOUSEHOLD],
    }
    made = data(await gql(DECLARE, declared, department=POLICE.code))["declareProject"]
    assert (made["stage"], made["promised"], made["present"]) == ("DECLARED", 2, 1)
    delivered = {
        "id": "510100-2026-007",
        "delivered": [{"name": "出入境证件信息", "code": POLICE_DRAFT}],
    }
    error = only_error(await gql(ACCEPT, delivered, department=MARKET.code))
    assert error["extensions"]["code"] == "NOT_PERMITTED"
    accepted = data(await gql(ACCEPT, delivered, department=POLICE.code))["acceptProject"]
    assert accepted["stage"] == "ACCEPTED"
    read = data(await gql(READ, {"id": "510100-2026-007"}, department=MARKET.code))["project"]
    assert read["promises"] == [
        {
            "kind": "PRODUCE",
            "name": "出入境证件信息",
            "code": POLICE_DRAFT,
            "standing": "NOT_PUBLISHED",
        },
        {"kind": "USE", "name": HOUSEHOLD, "code": HOUSEHOLD, "standing": "PRESENT"},
    ]
    assert (read["promised"], read["present"]) == (2, 1)
    error = only_error(await gql(READ, {"id": "510100-2026-007"}))
    assert error["extensions"]["code"] == "NOT_PERMITTED"
    error = only_error(await gql(DECLARE, declared))
    assert error["extensions"]["code"] == "NOT_PERMITTED"
