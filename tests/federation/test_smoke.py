from __future__ import annotations

from tests.federation.support import GraphQLCaller, data


async def test_resources_answer(gql: GraphQLCaller) -> None:
    answer = await gql(
        "{ resources { totalCount edges { cursor node { code name provider { name } } } } }"
    )
    print(answer)
    assert data(answer)["resources"]["totalCount"] == 7
