"""The administrator's acts: register departments, grant and revoke roles — never catalog
content (GB/T 39477; `graph.lifecycle` refuses the administrator every catalog step).

Each act is written with its audit record in one transaction (ADMINISTRATION: who, what, to
whom); a refusal (not the administrator; administrator and auditor on one subject) changes
nothing and is audited as a refused authorisation (`federation.api.audit`).
"""

from __future__ import annotations

import strawberry

from federation.api.context import Info
from federation.api.types import Department
from graph import model
from graph.audit.records import AuditEntry, AuditKind
from graph.codes import check_credit_code, check_region_code
from graph.enums import Role
from graph.errors import InvalidValue

__all__ = ["Grant", "grant_role", "grants", "register_department", "revoke_role"]

_MAX_NAME = 100
_GRANTABLE = (Role.REVIEWER, Role.ADMINISTRATOR, Role.AUDITOR)


@strawberry.type(description="A role granted to a department at this instance.")
class Grant:
    subject: str = strawberry.field(description="统一社会信用代码 of the department.")
    role: Role


async def register_department(info: Info, code: str, name: str, region_code: str) -> Department:
    admin = info.context.viewer.require(Role.ADMINISTRATOR, "registering a department")
    code = check_credit_code(code, field="code")
    name = name.strip()
    if not name or len(name) > _MAX_NAME:
        raise InvalidValue("name", name, f"the department's name, 1 to {_MAX_NAME} characters")
    region = check_region_code(region_code, field="regionCode")
    department = model.Department(code, name, region)
    audit = AuditEntry(
        AuditKind.ADMINISTRATION,
        admin,
        "register department",
        subject=code,
        detail={"name": name, "region": region},
    )
    await info.context.store.put_departments([department], audit=audit)
    if info.context.reference is not None:
        info.context.reference.forget_departments([code])
    return Department.of(department)


async def grant_role(info: Info, subject: str, role: Role) -> Grant:
    admin = info.context.viewer.require(Role.ADMINISTRATOR, "granting a role")
    subject = check_credit_code(subject, field="subject")
    if role not in _GRANTABLE:
        raise InvalidValue("role", role.value, " or ".join(r.value for r in _GRANTABLE))
    audit = AuditEntry(
        AuditKind.ADMINISTRATION, admin, "grant role", subject=subject, detail={"role": role.value}
    )
    await info.context.store.grant_role(subject, role, audit)
    info.context.grants_changed()
    return Grant(subject=subject, role=role)


async def revoke_role(info: Info, subject: str) -> Grant:
    admin = info.context.viewer.require(Role.ADMINISTRATOR, "revoking a role")
    subject = check_credit_code(subject, field="subject")
    held = (await info.context.store.grants([subject])).get(subject)
    audit = AuditEntry(
        AuditKind.ADMINISTRATION,
        admin,
        "revoke role",
        subject=subject,
        detail={"role": held.value if held else None},
    )
    await info.context.store.revoke_role(subject, audit)
    info.context.grants_changed()
    return Grant(subject=subject, role=Role.PROVIDER)


async def grants(info: Info) -> list[Grant]:
    info.context.viewer.require(Role.ADMINISTRATOR, "reading the role grants")
    held = await info.context.store.grants()
    return [Grant(subject=s, role=r) for s, r in sorted(held.items())]
