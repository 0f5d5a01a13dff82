"""Unit tests of the lifecycle decision (graph.lifecycle): the whole table of actions × states
× roles, without a store."""

from __future__ import annotations

import dataclasses

import pytest

from graph import Actor, InvalidTransition, LifecycleState, NotPermitted, Role
from graph.lifecycle import Action, check_action, next_state
from tests.graph.entries import MARKET, POLICE, resource

S = LifecycleState

# (action, from) → to; every pair not listed is refused.
ALLOWED = {
    (Action.UPDATE, S.DRAFT): S.DRAFT,
    (Action.SUBMIT, S.DRAFT): S.SUBMITTED,
    (Action.PUBLISH, S.SUBMITTED): S.PUBLISHED,
    (Action.REJECT, S.SUBMITTED): S.DRAFT,
    (Action.REVISE, S.PUBLISHED): S.DRAFT,
    (Action.RETIRE, S.DRAFT): S.RETIRED,
    (Action.RETIRE, S.SUBMITTED): S.RETIRED,
    (Action.RETIRE, S.PUBLISHED): S.RETIRED,
}
STEPS = [a for a in Action if a is not Action.CREATE]


@pytest.mark.parametrize("action", STEPS)
@pytest.mark.parametrize("state", list(S))
def test_transition_table(action: Action, state: LifecycleState) -> None:
    entry = resource(state=state)
    if (action, state) in ALLOWED:
        assert next_state(action, entry) is ALLOWED[(action, state)]
    else:
        with pytest.raises(InvalidTransition) as refused:
            next_state(action, entry)
        assert refused.value.state == state.value
        assert entry.code in str(refused.value)


def test_create_always_makes_a_draft() -> None:
    assert next_state(Action.CREATE, resource(state=S.PUBLISHED)) is S.DRAFT


def test_retired_is_final() -> None:
    entry = dataclasses.replace(resource(), state=S.RETIRED)
    for action in STEPS:
        with pytest.raises(InvalidTransition):
            next_state(action, entry)


OWNER = Actor(POLICE.code)
OTHER = Actor(MARKET.code)
REVIEWER = Actor(MARKET.code, Role.REVIEWER)
SYNC = Actor(POLICE.code, Role.SYNC)

# (actor, action) → permitted, for an entry provided by POLICE.
PERMITTED = {
    (OWNER, Action.CREATE): True,
    (OWNER, Action.UPDATE): True,
    (OWNER, Action.SUBMIT): True,
    (OWNER, Action.PUBLISH): False,  # Sichuan 第十条: the reviewer publishes
    (OWNER, Action.REJECT): False,
    (OWNER, Action.REVISE): True,
    (OWNER, Action.RETIRE): True,
    (OTHER, Action.CREATE): False,  # 谁主管，谁提供，谁负责
    (OTHER, Action.UPDATE): False,
    (OTHER, Action.SUBMIT): False,
    (OTHER, Action.PUBLISH): False,
    (OTHER, Action.REJECT): False,
    (OTHER, Action.REVISE): False,
    (OTHER, Action.RETIRE): False,
    (REVIEWER, Action.CREATE): False,
    (REVIEWER, Action.UPDATE): False,
    (REVIEWER, Action.SUBMIT): False,
    (REVIEWER, Action.PUBLISH): True,
    (REVIEWER, Action.REJECT): True,
    (REVIEWER, Action.REVISE): False,
    (REVIEWER, Action.RETIRE): True,
}


@pytest.mark.parametrize(("actor", "action"), list(PERMITTED))
def test_who_may_act(actor: Actor, action: Action) -> None:
    if PERMITTED[(actor, action)]:
        check_action(actor, action, POLICE.code)
    else:
        with pytest.raises(NotPermitted):
            check_action(actor, action, POLICE.code)


@pytest.mark.parametrize("action", list(Action))
def test_the_sync_never_acts_on_the_lifecycle(action: Action) -> None:
    with pytest.raises(NotPermitted, match="sync"):
        check_action(SYNC, action, POLICE.code)


def test_refusals_name_the_provider_and_the_actor() -> None:
    with pytest.raises(NotPermitted) as refused:
        check_action(OTHER, Action.SUBMIT, POLICE.code)
    assert POLICE.code in str(refused.value)
    assert MARKET.code in str(refused.value)


@pytest.mark.parametrize("role", [Role.ADMINISTRATOR, Role.AUDITOR])
@pytest.mark.parametrize("action", list(Action))
def test_administrator_and_auditor_never_change_catalog_content(role: Role, action: Action) -> None:
    """GB/T 39477: the administrator grants roles and the auditor reads the log; neither
    creates, edits or moves an entry — not even one its own department provides."""
    with pytest.raises(NotPermitted, match=role.value):
        check_action(Actor(MARKET.code, role), action, MARKET.code)
