"""Statistics of sharing over GraphQL (federation.api.statistics), in a tiny schema of its two
fields over an embedded store holding the sample year: the figures equal graph.sharing's, the
rectification list is bounded, and an anonymous caller is refused."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
import strawberry

from federation.api.context import CatalogContext
from federation.api.identity import Viewer
from federation.api.statistics import rectification_list, statistics
from graph import Zone
from graph.dates import beijing_date
from graph.embedded import EmbeddedStore
from graph.sharing import Period, RectificationKind, WorkingCalendar, sharing_statistics
from graph.sharing import rectification_list as domain_rectification_list
from tests.graph.activity_data import RULEBOOK, YEAR, load_activity
from tests.graph.conftest import CHENGDU_INTRANET
from tests.graph.entries import POLICE


@strawberry.type
class Query:
    statistics = strawberry.field(resolver=statistics)
    rectification_list = strawberry.field(resolver=rectification_list)


SCHEMA = strawberry.Schema(query=Query)
STATISTICS = """
query ($start: Date!, $end: Date!) {
  statistics(period: {start: $start, end: $end}) {
    catalogId asOf provisional
    total { requestsReceived requestsAnswered overdueDeliveries answerTime { count median p95 }
            requestsByState { state count } entriesByState { state count } }
    departments { code requestsReceived }
    mostRequested { code requests }
  }
}
"""
RECTIFICATION = """
query ($day: Date!, $first: Int!) {
  rectificationList(day: $day, first: $first) { kind departmentCode resourceCode subject due }
}
"""


async def execute(store: Any, query: str, variables: dict[str, Any], department: str | None) -> Any:
    context = CatalogContext(
        store=store, viewer=Viewer(Zone.INTRANET, department_code=department), rulebook=RULEBOOK
    )
    return await SCHEMA.execute(query, variable_values=variables, context_value=context)


async def test_the_statistics_and_the_rectification_list_equal_the_domains(
    tmp_path: Path,
) -> None:
    async with EmbeddedStore.open(tmp_path / "s.db", CHENGDU_INTRANET) as store:
        await load_activity(store, entries=150, requests=50, objections=10)
        period = {"start": f"{YEAR}-01-01", "end": f"{YEAR}-12-31"}
        result = await execute(store, STATISTICS, period, POLICE.code)
        assert result.errors is None
        found = result.data["statistics"]
        # The instance's calendar is not in this context: the official one counts.
        # Judged on the year's last day, or today while it runs.
        as_of = min(date(YEAR, 12, 31), beijing_date(datetime.now(UTC)))
        expected = await sharing_statistics(
            store, WorkingCalendar.official(), RULEBOOK, Period.year(YEAR), as_of=as_of
        )
        assert found["catalogId"] == CHENGDU_INTRANET.id
        assert found["asOf"] == expected.as_of.isoformat()
        total = found["total"]
        assert total["requestsReceived"] == expected.total.requests_received
        assert total["requestsAnswered"] == expected.total.requests_answered
        assert total["overdueDeliveries"] == expected.total.overdue_deliveries
        assert total["answerTime"] == {
            "count": expected.total.answer_time.count,
            "median": expected.total.answer_time.median,
            "p95": expected.total.answer_time.p95,
        }
        assert {s["state"]: s["count"] for s in total["requestsByState"]} == {
            s.value: n for s, n in expected.total.requests_by_state.items()
        }
        assert [d["code"] for d in found["departments"]] == [d.code for d in expected.departments]
        assert [(m["code"], m["requests"]) for m in found["mostRequested"]] == [
            (m.code, m.requests) for m in expected.most_requested
        ]

        day = date(YEAR, 12, 31)
        result = await execute(
            store, RECTIFICATION, {"day": day.isoformat(), "first": 5}, POLICE.code
        )
        assert result.errors is None
        listed = result.data["rectificationList"]
        todo = await domain_rectification_list(store, WorkingCalendar.official(), RULEBOOK, day)
        assert len(todo) > 5
        assert [(i["kind"], i["resourceCode"], i["subject"]) for i in listed] == [
            (i.kind.value, i.resource_code, i.subject) for i in todo[:5]
        ]
        assert {RectificationKind(i["kind"]) for i in listed} <= set(RectificationKind)


@pytest.mark.parametrize(
    ("query", "variables"),
    [
        (STATISTICS, {"start": "2026-01-01", "end": "2026-12-31"}),
        (RECTIFICATION, {"day": "2026-12-31", "first": 5}),
    ],
)
async def test_an_anonymous_caller_is_refused(
    tmp_path: Path, query: str, variables: dict[str, Any]
) -> None:
    async with EmbeddedStore.open(tmp_path / "s.db", CHENGDU_INTRANET) as store:
        result = await execute(store, query, variables, None)
    assert result.errors is not None
    assert "departments" in result.errors[0].message


async def test_a_rectification_list_longer_than_1000_is_refused(tmp_path: Path) -> None:
    async with EmbeddedStore.open(tmp_path / "s.db", CHENGDU_INTRANET) as store:
        result = await execute(
            store, RECTIFICATION, {"day": "2026-12-31", "first": 1001}, POLICE.code
        )
    assert result.errors is not None
    assert "1 to 1000" in result.errors[0].message
