"""Access details (graph.sharing.access), without a store: who sees them by share type, every
combination (DESIGN "Identity, roles and audit"), approvals in force, bounded values, and that
they are never a field of an entry — so never in what crosses a link."""

from __future__ import annotations

import dataclasses
from datetime import date
from typing import Any

import pytest

from graph import InvalidValue, LifecycleState, Resource, ShareType
from graph.fields import facts_of
from graph.sharing import AccessDetails, has_approval, visible_access
from graph.sharing.requests import approve, deliver, withdraw
from tests.graph.sharing_data import (
    CALENDAR,
    OTHER,
    PROVIDER,
    RECEIVED,
    REQUESTER,
    conditional_entry,
    later,
    submit_for,
)


def details(code: str = "101001001/000001", **overrides: Any) -> AccessDetails:
    fields: dict[str, Any] = {
        "resource_code": code,
        "updated_by": PROVIDER.department_code,
        "updated_at": RECEIVED,
        "interface_url": "https://data.cd.example/api/hukou/v1",
        "credentials": "向市大数据中心申请接口令牌（AppKey），凭共享申请编号办理",
        **overrides,
    }
    return AccessDetails(**fields)


VIEWERS = {
    "provider": PROVIDER.department_code,
    "approved": REQUESTER.department_code,
    "other": OTHER.department_code,
    "anonymous": None,
}


def entry_of(share_type: ShareType, published: bool) -> Resource:
    state = LifecycleState.PUBLISHED if published else LifecycleState.SUBMITTED
    fields: dict[str, Any] = {"share_type": share_type, "state": state}
    if share_type is ShareType.UNCONDITIONAL:
        fields.update(share_condition=None, items=())
    if share_type is ShareType.NONE:
        fields.update(
            share_condition=None, legal_basis="《中华人民共和国保守国家秘密法》", items=()
        )
    return conditional_entry(**fields)


def expected(share_type: ShareType, published: bool, viewer: str, approved: bool) -> bool:
    """The module's table, written out again."""
    if share_type is ShareType.NONE:
        return False
    if viewer == "provider":
        return True
    if not published or viewer == "anonymous":
        return False
    return share_type is ShareType.UNCONDITIONAL or approved


@pytest.mark.parametrize("approved", [True, False])
@pytest.mark.parametrize("viewer", list(VIEWERS))
@pytest.mark.parametrize("published", [True, False])
@pytest.mark.parametrize("share_type", list(ShareType))
def test_who_sees_access_details(
    share_type: ShareType, published: bool, viewer: str, approved: bool
) -> None:
    entry = entry_of(share_type, published)
    held = details(entry.code)
    shown = visible_access(entry, held, VIEWERS[viewer], approved)
    assert shown == (held if expected(share_type, published, viewer, approved) else None)


def test_only_an_approved_requester_sees_conditional_access_details() -> None:
    entry = entry_of(ShareType.CONDITIONAL, published=True)
    held = details(entry.code)
    assert visible_access(entry, held, REQUESTER.department_code, approved=True) == held
    assert visible_access(entry, held, REQUESTER.department_code, approved=False) is None
    assert visible_access(entry, held, OTHER.department_code, approved=False) is None


def test_details_of_another_entry_are_never_shown() -> None:
    entry = entry_of(ShareType.UNCONDITIONAL, published=True)
    assert visible_access(entry, details("301001001/000009"), OTHER.department_code, True) is None
    assert visible_access(entry, None, OTHER.department_code, True) is None


def test_an_approval_is_in_force_while_approved_or_delivered_within_its_period() -> None:
    entry = conditional_entry()
    submitted = submit_for(entry)
    approved = approve(submitted, PROVIDER, later(RECEIVED), CALENDAR, _rulebook())
    delivered = deliver(approved, PROVIDER, later(RECEIVED, 2), "接口已开通")
    code, me = entry.code, REQUESTER.department_code
    inside, after = date(2026, 10, 9), date(2027, 9, 1)
    assert not has_approval([submitted], me, code, inside)
    assert has_approval([approved], me, code, inside)
    assert has_approval([delivered], me, code, inside)
    assert not has_approval([delivered], me, code, after)  # the period ended 2027-08-31
    assert not has_approval([delivered], OTHER.department_code, code, inside)
    assert not has_approval([delivered], me, "301001001/000009", inside)
    assert not has_approval([withdraw(approved, REQUESTER, later(RECEIVED, 2))], me, code, inside)


def _rulebook() -> Any:
    from graph.sharing import STATE_COUNCIL_2025

    return STATE_COUNCIL_2025


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"interface_url": "ftp://data.cd.example/x"}, "interface_url"),
        ({"interface_url": "https://a b"}, "interface_url"),
        ({"interface_url": "https://x/" + "a" * 2000}, "interface_url"),
        ({"interface_url": None, "credentials": None}, "interface_url"),  # no way at all
        ({"interface_url": None, "download_location": "/共享/户籍"}, "credentials"),
        ({"exchange_table": "表" * 501}, "exchange_table"),
        ({"updated_by": "not a code"}, "updated_by"),
        ({"version": 0}, "version"),
    ],
)
def test_access_details_are_bounded(overrides: dict[str, Any], field: str) -> None:
    with pytest.raises(InvalidValue) as refused:
        details(**overrides)
    assert refused.value.field == field


def test_a_front_end_table_or_a_download_location_alone_will_do() -> None:
    table = details(interface_url=None, credentials=None, exchange_table="QZJ_HJRK_2026")
    assert table.exchange_table == "QZJ_HJRK_2026"
    download = details(interface_url=None, credentials=None, download_location="sftp://x/hj/")
    assert download.download_location == "sftp://x/hj/"


def test_access_details_are_no_field_of_an_entry_so_never_cross_a_link() -> None:
    entry_fields = set(facts_of(Resource))
    ways = {"interface_url", "credentials", "exchange_table", "download_location"}
    assert ways <= {f.name for f in dataclasses.fields(AccessDetails)}
    assert not entry_fields & ways
