"""Role grants, the pure decision (graph.grants): every role granted to every history."""

from __future__ import annotations

from itertools import combinations

import pytest

from graph import InvalidValue, Role
from graph.grants import check_grant, check_subject

SUBJECT = "11510100MB0000001X"
HISTORIES = [set(c) for n in range(3) for c in combinations(list(Role), n)]


@pytest.mark.parametrize("new", list(Role))
@pytest.mark.parametrize("current", [None, *Role])
@pytest.mark.parametrize("ever_held", HISTORIES)
def test_every_grant_is_decided_by_the_table(
    new: Role, current: Role | None, ever_held: set[Role]
) -> None:
    held = ever_held | ({current} if current else set())
    refused = (
        new is Role.SYNC
        or (new is Role.AUDITOR and Role.ADMINISTRATOR in held)
        or (new is Role.ADMINISTRATOR and Role.AUDITOR in held)
    )
    if refused:
        with pytest.raises(InvalidValue) as raised:
            check_grant(SUBJECT, current, new, ever_held)
        assert raised.value.field == "role"
    else:
        assert check_grant(SUBJECT, current, new, ever_held) is new


def test_an_administrator_is_never_made_auditor_gb_t_39477() -> None:
    with pytest.raises(InvalidValue, match=r"GB/T 39477.*PROVIDER or REVIEWER may be granted"):
        check_grant(SUBJECT, Role.ADMINISTRATOR, Role.AUDITOR, {Role.ADMINISTRATOR})


def test_nor_after_the_administrator_role_was_revoked_gb_t_39477() -> None:
    with pytest.raises(InvalidValue, match=f"{SUBJECT} held ADMINISTRATOR") as raised:
        check_grant(SUBJECT, None, Role.AUDITOR, {Role.ADMINISTRATOR})
    assert raised.value.rule == "GB/T 39477"
    with pytest.raises(InvalidValue, match="GB/T 39477"):
        check_grant(SUBJECT, Role.PROVIDER, Role.ADMINISTRATOR, {Role.AUDITOR, Role.PROVIDER})


def test_the_sync_role_is_never_granted() -> None:
    with pytest.raises(InvalidValue, match="never by a grant"):
        check_grant(SUBJECT, None, Role.SYNC, set())


def test_a_subject_is_not_empty() -> None:
    assert check_subject(f" {SUBJECT} ") == SUBJECT
    with pytest.raises(InvalidValue, match="subject"):
        check_subject("  ")
