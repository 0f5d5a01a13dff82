"""The lifecycle of an entry and who may move it: a pure decision, no storage.

    DRAFT ──submit──▶ SUBMITTED ──publish──▶ PUBLISHED ──retire──▶ RETIRED
      ▲                   │                      │
      └──────reject───────┘◀─────────revise──────┘ (back to DRAFT)

Providers (提供部门) edit, submit, revise and retire their own entries only (谁主管，谁提供，
谁负责); the instance's reviewer publishes or rejects, one entry at a time (Sichuan 第十条),
and may retire. Only PUBLISHED entries are shared, synced or shown outside the provider.
"""

from __future__ import annotations

from enum import StrEnum

from graph.enums import LifecycleState, Role
from graph.errors import InvalidTransition, NotPermitted
from graph.model import Actor, Resource

__all__ = ["Action", "check_action", "next_state"]

S = LifecycleState


class Action(StrEnum):
    CREATE = "create"
    UPDATE = "update"
    SUBMIT = "submit"
    PUBLISH = "publish"
    REJECT = "reject"
    REVISE = "revise"
    RETIRE = "retire"


# action → (states it is allowed from, the state it leads to; None keeps the state)
_TRANSITIONS: dict[Action, tuple[frozenset[LifecycleState], LifecycleState]] = {
    Action.UPDATE: (frozenset({S.DRAFT}), S.DRAFT),
    Action.SUBMIT: (frozenset({S.DRAFT}), S.SUBMITTED),
    Action.PUBLISH: (frozenset({S.SUBMITTED}), S.PUBLISHED),
    Action.REJECT: (frozenset({S.SUBMITTED}), S.DRAFT),
    Action.REVISE: (frozenset({S.PUBLISHED}), S.DRAFT),
    Action.RETIRE: (frozenset({S.DRAFT, S.SUBMITTED, S.PUBLISHED}), S.RETIRED),
}

_BY_REVIEWER = frozenset({Action.PUBLISH, Action.REJECT})
_BY_PROVIDER = frozenset({Action.CREATE, Action.UPDATE, Action.SUBMIT, Action.REVISE})


def next_state(action: Action, entry: Resource) -> LifecycleState:
    """The state `action` leads `entry` to, or `InvalidTransition`."""
    if action is Action.CREATE:
        return S.DRAFT
    allowed, target = _TRANSITIONS[action]
    if entry.state not in allowed:
        raise InvalidTransition(
            entry.code, entry.state.value, action.value, " or ".join(sorted(allowed))
        )
    return target


def check_action(actor: Actor, action: Action, provider_code: str) -> None:
    """Refuse `actor` doing `action` to an entry provided by `provider_code`."""
    if actor.role is Role.SYNC:
        raise NotPermitted("the sync applies snapshots; it does not act on the lifecycle")
    if actor.role in (Role.ADMINISTRATOR, Role.AUDITOR):
        raise NotPermitted(
            f"{actor.department_code} acts as {actor.role.value}, which never changes catalog "
            "content (GB/T 39477: administrators and auditors are apart from the content they "
            "govern); a department edits its own entries, the reviewer publishes"
        )
    if action in _BY_REVIEWER:
        if actor.role is not Role.REVIEWER:
            raise NotPermitted(
                f"only the instance's reviewer may {action.value} an entry "
                f"(Sichuan 第十条); {actor.department_code} acts as {actor.role.value}"
            )
        return
    is_provider = actor.role is Role.PROVIDER and actor.department_code == provider_code
    # RETIRE is open to the reviewer too; every other action is the provider's alone.
    if (action in _BY_PROVIDER or actor.role is Role.PROVIDER) and not is_provider:
        raise NotPermitted(
            f"only the providing department {provider_code} may {action.value} its entries "
            f"(谁主管，谁提供，谁负责); {actor.department_code} acts as {actor.role.value}"
        )
