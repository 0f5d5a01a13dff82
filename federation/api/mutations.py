"""Maintenance: the lifecycle of entries through `graph.Cataloguing`, as the caller.

Every refusal is the domain's own error (`InvalidValue`, `NotPermitted`, `InvalidTransition`,
`VersionConflict`, `NotFound`), shown to the client with its extensions; see `errors`.
"""

from __future__ import annotations

import strawberry

from federation.api.administration import (
    Grant,
    grant_role,
    register_department,
    revoke_role,
)
from federation.api.context import Info
from federation.api.fields import mutation
from federation.api.inputs import ResourceInput
from federation.api.types import Department, Resource
from graph import InvalidValue, Role, model
from graph.codes import check_category_code, check_resource_code
from graph.lifecycle import Action, check_action

__all__ = ["Mutation"]


@strawberry.type
class Mutation:
    @mutation(
        "Create a DRAFT entry provided by the caller's department, filed under `category` (a "
        "前段码 such as 301001001); the catalog allocates the 后段码 of its code."
    )
    async def create_draft(self, info: Info, category: str, input: ResourceInput) -> Resource:
        actor = info.context.viewer.actor()
        check_action(actor, Action.CREATE, actor.department_code)  # who, before what
        front = check_category_code(category)
        name = input.provider_name or await _registered_name(info, actor.department_code)
        entry = input.to_entry(front, actor.department_code, name)
        return Resource.of(await info.context.cataloguing.create(actor, entry))

    @mutation("Replace the content of the DRAFT entry `code` at `expectedVersion`.")
    async def update_draft(
        self, info: Info, code: str, input: ResourceInput, expected_version: int
    ) -> Resource:
        actor = info.context.viewer.actor()
        check_action(actor, Action.UPDATE, actor.department_code)  # who, before what
        name = input.provider_name or await _registered_name(info, actor.department_code)
        entry = input.to_entry(_code(code), actor.department_code, name)
        return Resource.of(await info.context.cataloguing.update(actor, entry, expected_version))

    @mutation("报送: hand a DRAFT to the reviewer.")
    async def submit(self, info: Info, code: str, note: str | None = None) -> Resource:
        actor = info.context.viewer.actor()
        return Resource.of(await info.context.cataloguing.submit(actor, _code(code), note))

    @mutation("发布: the reviewer publishes a SUBMITTED entry.")
    async def publish(self, info: Info, code: str, note: str | None = None) -> Resource:
        actor = info.context.viewer.actor()
        return Resource.of(await info.context.cataloguing.publish(actor, _code(code), note))

    @mutation("退回: the reviewer sends a SUBMITTED entry back to DRAFT.")
    async def reject(self, info: Info, code: str, note: str | None = None) -> Resource:
        actor = info.context.viewer.actor()
        return Resource.of(await info.context.cataloguing.reject(actor, _code(code), note))

    @mutation("修订: take a PUBLISHED entry back to DRAFT to change it.")
    async def revise(self, info: Info, code: str, note: str | None = None) -> Resource:
        actor = info.context.viewer.actor()
        return Resource.of(await info.context.cataloguing.revise(actor, _code(code), note))

    @mutation("撤销: retire an entry; it is no longer shared.")
    async def retire(self, info: Info, code: str, note: str | None = None) -> Resource:
        actor = info.context.viewer.actor()
        return Resource.of(await info.context.cataloguing.retire(actor, _code(code), note))

    @mutation(
        "The administrator registers (or renames) a department of this instance by its "
        "统一社会信用代码."
    )
    async def register_department(
        self, info: Info, code: str, name: str, region_code: str
    ) -> Department:
        return await register_department(info, code, name, region_code)

    @mutation(
        "The administrator grants `role` (REVIEWER, ADMINISTRATOR or AUDITOR) to a department, "
        "in place of the one it holds; administrator and auditor never one subject "
        "(GB/T 39477)."
    )
    async def grant_role(self, info: Info, subject: str, role: Role) -> Grant:
        return await grant_role(info, subject, role)

    @mutation("The administrator takes a department's role away: it acts as PROVIDER again.")
    async def revoke_role(self, info: Info, subject: str) -> Grant:
        return await revoke_role(info, subject)


def _code(code: str) -> str:
    return check_resource_code(code)


async def _registered_name(info: Info, department_code: str) -> str:
    found: model.Department | None = await info.context.loaders.departments.load(department_code)
    if found is None:
        raise InvalidValue(
            "input.providerName",
            None,
            f"the providing department's name: {department_code} is not registered in this "
            "catalog, so give providerName",
        )
    return found.name
