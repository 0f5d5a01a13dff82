"""Role grants (授权): which role a subject holds at an instance, a pure decision.

Departments and role grants are data of the instance: the administrator registers departments
and grants roles. A subject (a department's 统一社会信用代码, or a person's certificate
subject) holds one role at an instance. The decision, for granting `new` to a subject holding
`current` (None: no role) that ever held `ever_held`:

    new is SYNC                                        → refused: the sync acts as an
                                                         instance, never by grant
    new is AUDITOR, ADMINISTRATOR held now or ever     → refused (GB/T 39477)
    new is ADMINISTRATOR, AUDITOR held now or ever     → refused (GB/T 39477)
    otherwise (PROVIDER, REVIEWER; the same role again) → granted

GB/T 39477 keeps the administrator and the auditor apart: one who administers is never the
one who audits the administration, and a revoke in between does not make them so. The stores
keep every role a subject ever held (`CatalogStore.grant_role` checks against it in the
transaction of the grant).

    check_grant(subject, current=None, new=Role.AUDITOR, ever_held={Role.ADMINISTRATOR})
    # InvalidValue: role = 'AUDITOR' is refused (GB/T 39477): ...
"""

from __future__ import annotations

from collections.abc import Set

from graph.enums import Role
from graph.errors import InvalidValue

__all__ = ["GRANTABLE", "check_grant", "check_subject"]

GRANTABLE = (Role.PROVIDER, Role.REVIEWER, Role.ADMINISTRATOR, Role.AUDITOR)

# Each role GB/T 39477 keeps apart from the other.
_APART = {Role.AUDITOR: Role.ADMINISTRATOR, Role.ADMINISTRATOR: Role.AUDITOR}


def check_subject(subject: str) -> str:
    """`subject` stripped; refused when empty."""
    if not isinstance(subject, str) or not subject.strip():
        raise InvalidValue("subject", subject, "the subject of a certificate, not empty")
    return subject.strip()


def check_grant(subject: str, current: Role | None, new: Role, ever_held: Set[Role]) -> Role:
    """The role to grant, or `InvalidValue` (field ``role``) naming what would be accepted."""
    new = Role(new)
    if new is Role.SYNC:
        raise InvalidValue(
            "role",
            new.value,
            f"one of {', '.join(r.value for r in GRANTABLE)}: the sync acts as an instance "
            "with its certificate, never by a grant",
        )
    apart = _APART.get(new)
    held = set(ever_held) | ({current} if current is not None else set())
    if apart is not None and apart in held:
        now = "holds" if current is apart else "held"
        accepted = [r.value for r in GRANTABLE if r not in (new, apart)]
        raise InvalidValue(
            "role",
            new.value,
            f"{subject} {now} {apart.value}, and administrator and auditor are never one "
            f"person; {' or '.join(accepted)} may be granted",
            rule="GB/T 39477",
        )
    return new
