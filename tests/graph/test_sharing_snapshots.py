"""Share requests, objections and access details as the stores keep them
(graph.sharing.snapshots): every state reads back equal, and a stored text that breaks a bound
is refused when read like any other input."""

from __future__ import annotations

import json

import pytest

from graph import InvalidValue
from graph.sharing import ObjectionState, RequestState
from graph.sharing.snapshots import (
    access_from_json,
    access_to_json,
    objection_columns,
    objection_from_json,
    objection_to_json,
    request_columns,
    request_from_json,
    request_to_json,
)
from tests.graph import test_objections, test_share_requests
from tests.graph.test_access_details import details


@pytest.mark.parametrize("state", list(RequestState))
def test_a_request_in_every_state_reads_back_equal(state: RequestState) -> None:
    request = test_share_requests.in_state(state)
    assert request_from_json(request_to_json(request)) == request


def test_a_requests_columns_carry_its_running_clock() -> None:
    submitted = test_share_requests.in_state(RequestState.SUBMITTED)
    columns = request_columns(submitted)
    assert columns["due_on"] == "2026-10-20"
    assert columns["due_provisional"] is False
    assert columns["received_at"] == "2026-09-30T02:00:00.000000+00:00"
    closed = request_columns(test_share_requests.in_state(RequestState.CLOSED))
    assert (closed["due_on"], closed["due_provisional"]) == (None, None)


@pytest.mark.parametrize("state", list(ObjectionState))
def test_an_objection_in_every_state_reads_back_equal(state: ObjectionState) -> None:
    objection = test_objections.in_state(state)
    assert objection_from_json(objection_to_json(objection)) == objection
    assert (objection_columns(objection)["due_on"] is None) == (not objection.open)


def test_access_details_read_back_equal() -> None:
    held = details(exchange_table="QZJ_HJRK", note="每日凌晨更新")
    assert access_from_json(access_to_json(held)) == held


def test_a_stored_text_that_breaks_a_bound_is_refused_when_read() -> None:
    raw = json.loads(request_to_json(test_share_requests.in_state(RequestState.REFUSED)))
    raw["reasons"] = None
    with pytest.raises(InvalidValue, match="reasons"):
        request_from_json(json.dumps(raw))
