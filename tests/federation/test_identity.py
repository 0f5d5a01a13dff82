"""Who sees what: `Viewer` decisions, exhaustively, without a server."""

from __future__ import annotations

import dataclasses

import pytest

from federation.api.identity import Viewer, viewer_from_headers
from graph import InvalidValue, LifecycleState, NotPermitted, Role, Zone
from graph.queries import ResourceFilter
from tests.graph.entries import MARKET, POLICE, resource

S = LifecycleState
REVIEWER = Viewer(Zone.INTRANET, MARKET.code, Role.REVIEWER)


@pytest.mark.parametrize("zone", list(Zone))
@pytest.mark.parametrize("state", list(S))
@pytest.mark.parametrize("open_to_public", [True, False])
def test_who_sees_an_entry(zone: Zone, state: LifecycleState, open_to_public: bool) -> None:
    entry = resource(state=state, open_to_public=open_to_public)
    published = state is S.PUBLISHED
    assert Viewer(zone, POLICE.code).can_see(entry)  # its own department, always
    assert Viewer(zone, MARKET.code, Role.REVIEWER).can_see(entry)  # the reviewer, always
    assert Viewer(zone, MARKET.code).can_see(entry) is published
    anonymous = published and (zone is Zone.INTRANET or open_to_public)
    assert Viewer(zone).can_see(entry) is anonymous


def test_anonymous_callers_list_published_entries_only() -> None:
    assert Viewer(Zone.INTRANET).restrict(ResourceFilter()) == ResourceFilter()
    with pytest.raises(InvalidValue) as refused:
        Viewer(Zone.INTRANET).restrict(ResourceFilter(states=frozenset({S.DRAFT})))
    assert refused.value.field == "filter.state"


def test_anonymous_extranet_callers_list_open_entries_only() -> None:
    narrowed = Viewer(Zone.EXTRANET).restrict(ResourceFilter())
    assert narrowed.open_to_public is True
    with pytest.raises(InvalidValue):
        Viewer(Zone.EXTRANET).restrict(ResourceFilter(open_to_public=False))
    department = Viewer(Zone.EXTRANET, POLICE.code)
    assert department.restrict(ResourceFilter()).open_to_public is None


def test_a_department_lists_its_own_unpublished_entries() -> None:
    drafts = ResourceFilter(states=frozenset({S.DRAFT, S.PUBLISHED}))
    narrowed = Viewer(Zone.INTRANET, POLICE.code).restrict(drafts)
    assert narrowed == dataclasses.replace(drafts, provider_code=POLICE.code)
    with pytest.raises(InvalidValue) as refused:
        Viewer(Zone.INTRANET, POLICE.code).restrict(
            dataclasses.replace(drafts, provider_code=MARKET.code)
        )
    assert refused.value.field == "filter.provider"
    assert REVIEWER.restrict(drafts) == drafts


def test_only_named_callers_act() -> None:
    with pytest.raises(NotPermitted):
        Viewer(Zone.INTRANET).actor()
    actor = Viewer(Zone.INTRANET, POLICE.code).actor()
    assert (actor.department_code, actor.role) == (POLICE.code, Role.PROVIDER)


@pytest.mark.parametrize(
    ("headers", "trusted", "expected"),
    [
        ({}, True, Viewer(Zone.INTRANET)),
        ({"x-mulu-dev-department": POLICE.code}, False, Viewer(Zone.INTRANET)),
        ({"x-mulu-dev-department": POLICE.code}, True, Viewer(Zone.INTRANET, POLICE.code)),
        (
            {"x-mulu-dev-department": POLICE.code.lower(), "x-mulu-dev-role": "reviewer"},
            True,
            Viewer(Zone.INTRANET, POLICE.code, Role.REVIEWER),
        ),
    ],
)
def test_the_development_headers(headers: dict[str, str], trusted: bool, expected: Viewer) -> None:
    assert viewer_from_headers(headers, Zone.INTRANET, trusted=trusted) == expected


@pytest.mark.parametrize(
    ("headers", "field"),
    [
        ({"x-mulu-dev-department": "11510100MB0000001X"}, "X-Mulu-Dev-Department"),
        ({"x-mulu-dev-department": POLICE.code, "x-mulu-dev-role": "SYNC"}, "X-Mulu-Dev-Role"),
        ({"x-mulu-dev-department": POLICE.code, "x-mulu-dev-role": "admin"}, "X-Mulu-Dev-Role"),
    ],
)
def test_malformed_development_headers(headers: dict[str, str], field: str) -> None:
    with pytest.raises(InvalidValue) as refused:
        viewer_from_headers(headers, Zone.INTRANET, trusted=True)
    assert refused.value.field == field


@pytest.mark.parametrize("zone", list(Zone))
@pytest.mark.parametrize("state", list(S))
@pytest.mark.parametrize("open_to_public", [True, False])
def test_what_the_administrator_and_the_auditor_see(
    zone: Zone, state: LifecycleState, open_to_public: bool
) -> None:
    """The administrator reads as a department; the auditor reads the log and sees the
    catalog as an anonymous caller does — neither sees a draft, not even one of its own
    department (GB/T 39477: they govern, they do not catalogue)."""
    entry = resource(state=state, open_to_public=open_to_public)
    published = state is S.PUBLISHED
    administrator = Viewer(zone, POLICE.code, Role.ADMINISTRATOR)
    auditor = Viewer(zone, POLICE.code, Role.AUDITOR)
    assert administrator.can_see(entry) is published
    assert auditor.can_see(entry) is (published and (zone is Zone.INTRANET or open_to_public))
    with pytest.raises(InvalidValue, match="ADMINISTRATOR"):
        administrator.restrict(ResourceFilter(states=frozenset({S.DRAFT})))
    if zone is Zone.EXTRANET:
        assert auditor.restrict(ResourceFilter()).open_to_public is True


@pytest.mark.parametrize("role", [Role.ADMINISTRATOR, Role.AUDITOR, Role.REVIEWER])
def test_each_duty_is_its_own_roles_alone(role: Role) -> None:
    """`require` lets the role it names through and refuses every other caller by name."""
    assert Viewer(Zone.INTRANET, POLICE.code, role).require(role, "granting") == POLICE.code
    others = [Viewer(Zone.INTRANET), Viewer(Zone.INTRANET, instance="510000/intranet")]
    others += [Viewer(Zone.INTRANET, POLICE.code, r) for r in Role if r is not role]
    for other in others:
        with pytest.raises(NotPermitted, match=f"granting is for the instance's {role.lower()}"):
            other.require(role, "granting")


def test_a_caller_is_named_in_the_audit_log() -> None:
    assert Viewer(Zone.INTRANET).name == "anonymous"
    assert Viewer(Zone.INTRANET, POLICE.code).name == POLICE.code
    assert Viewer(Zone.INTRANET, instance="510000/intranet").name == "instance:510000/intranet"


def test_the_development_role_header_names_every_role() -> None:
    for role in (Role.PROVIDER, Role.REVIEWER, Role.ADMINISTRATOR, Role.AUDITOR):
        headers = {"x-mulu-dev-department": POLICE.code, "x-mulu-dev-role": role.value}
        assert viewer_from_headers(headers, Zone.INTRANET, trusted=True).role is role
    with pytest.raises(InvalidValue, match="PROVIDER or REVIEWER or ADMINISTRATOR or AUDITOR"):
        viewer_from_headers(
            {"x-mulu-dev-department": POLICE.code, "x-mulu-dev-role": "SYNC"},
            Zone.INTRANET,
            trusted=True,
        )
