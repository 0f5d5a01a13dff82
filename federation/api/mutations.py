"""Maintenance: the lifecycle of entries through `graph.Cataloguing`, as the caller.

Every refusal is the domain's own error (`InvalidValue`, `NotPermitted`, `InvalidTransition`,
`VersionConflict`, `NotFound`), shown to the client with its extensions; see `errors`.
"""

from __future__ import annotations

from datetime import date

import strawberry

from federation.api.administration import (
    Grant,
    grant_role,
    register_department,
    revoke_role,
)
from federation.api.context import Info
from federation.api.exchange import (
    DatasetMappingNode,
    ImportResult,
    import_spreadsheet,
    map_dataset,
    unmap_dataset,
)
from federation.api.fields import mutation
from federation.api.inputs import ResourceInput
from federation.api.projects import DeliveredInput, ProduceInput, ProjectNode
from federation.api.projects import accept as accept_project
from federation.api.projects import declare as declare_project
from federation.api.sharing import (
    AccessDetailsInput,
    AccessDetailsNode,
    DataUpdateNode,
    ObjectionNode,
    ShareRequestInput,
    ShareRequestNode,
    objection_step,
    record_data_update,
    report_objection,
    request_share,
    request_step,
    set_access_details,
)
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

    @mutation(
        "Import a catalog spreadsheet (the 1272 guide's template, .xlsx or .csv, base64) as "
        "DRAFT entries of the caller's department, every row checked by the rules of any "
        "write; all or nothing unless `partial`; `dryRun` writes nothing."
    )
    async def import_spreadsheet(
        self,
        info: Info,
        filename: str,
        content_base64: str,
        dry_run: bool = False,
        partial: bool = False,
    ) -> ImportResult:
        return await import_spreadsheet(info, filename, content_base64, dry_run, partial)

    @mutation(
        "Map an OpenLineage dataset (namespace, name) to the entry `code` that catalogues it, "
        "so run events posted to /api/v1/lineage record its lineage; by the entry's provider."
    )
    async def map_dataset(
        self, info: Info, namespace: str, name: str, code: str
    ) -> DatasetMappingNode:
        return await map_dataset(info, namespace, name, code)

    @mutation("Remove an OpenLineage dataset's mapping; by the mapped entry's provider.")
    async def unmap_dataset(self, info: Info, namespace: str, name: str) -> DatasetMappingNode:
        return await unmap_dataset(info, namespace, name)

    @mutation(
        "立项: declare a government IT project of the caller's department with the resources "
        "it will produce (name, 前段码) and use (codes) — national 第二十一条."
    )
    async def declare_project(
        self,
        info: Info,
        id: str,
        name: str,
        produce: list[ProduceInput],
        use: list[str],
    ) -> ProjectNode:
        return await declare_project(info, id, name, produce, use)

    @mutation("验收: name the entries that catalogue what the project produced.")
    async def accept_project(
        self, info: Info, id: str, delivered: list[DeliveredInput]
    ) -> ProjectNode:
        return await accept_project(info, id, delivered)

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

    # -- sharing (federation.api.sharing) ------------------------------------------------------

    @mutation(
        "共享申请: the caller's department asks for an entry; held at the entry's origin (asked "
        "here for a copy, it is forwarded there). UNCONDITIONAL is approved at once, NONE refused."
    )
    async def request_share(self, info: Info, input: ShareRequestInput) -> ShareRequestNode:
        return await request_share(info, input)

    @mutation("The provider approves on `terms` (default: the entry's published condition).")
    async def approve_share(
        self, info: Info, id: str, terms: str | None = None, note: str | None = None
    ) -> ShareRequestNode:
        args = {"terms": ("String", terms), "note": ("String", note)}
        return await request_step(
            info,
            "approveShare",
            id,
            args,
            lambda a: info.context.sharing.approve(a, id, terms, note),
        )

    @mutation("The provider refuses, its reasons in writing (refused without them).")
    async def refuse_share(
        self, info: Info, id: str, reasons: str | None = None
    ) -> ShareRequestNode:
        args = {"reasons": ("String", reasons)}
        return await request_step(
            info, "refuseShare", id, args, lambda a: info.context.sharing.refuse(a, id, reasons)
        )

    @mutation("The provider has delivered the data (`note`: how, where).")
    async def deliver_share(self, info: Info, id: str, note: str | None = None) -> ShareRequestNode:
        args = {"note": ("String", note)}
        return await request_step(
            info, "deliverShare", id, args, lambda a: info.context.sharing.deliver(a, id, note)
        )

    @mutation("The requester or the provider closes a delivered request.")
    async def close_share(self, info: Info, id: str, note: str | None = None) -> ShareRequestNode:
        args = {"note": ("String", note)}
        return await request_step(
            info, "closeShare", id, args, lambda a: info.context.sharing.close(a, id, note)
        )

    @mutation("The requester withdraws its request.")
    async def withdraw_share(
        self, info: Info, id: str, note: str | None = None
    ) -> ShareRequestNode:
        args = {"note": ("String", note)}
        return await request_step(
            info, "withdrawShare", id, args, lambda a: info.context.sharing.withdraw(a, id, note)
        )

    @mutation("The requester disputes a refusal: negotiation with the provider.")
    async def dispute_share(self, info: Info, id: str, grounds: str) -> ShareRequestNode:
        args = {"grounds": ("String!", grounds)}
        return await request_step(
            info, "disputeShare", id, args, lambda a: info.context.sharing.dispute(a, id, grounds)
        )

    @mutation("Negotiation failed: either party takes the dispute to the coordinator.")
    async def escalate_share(
        self, info: Info, id: str, note: str | None = None
    ) -> ShareRequestNode:
        args = {"note": ("String", note)}
        return await request_step(
            info, "escalateShare", id, args, lambda a: info.context.sharing.escalate(a, id, note)
        )

    @mutation(
        "The coordinator (the instance's reviewer) decides an escalated dispute: the refusal "
        "stands, or `overturn` approves on `terms`."
    )
    async def decide_share(
        self, info: Info, id: str, overturn: bool, decision: str, terms: str | None = None
    ) -> ShareRequestNode:
        args = {
            "overturn": ("Boolean!", overturn),
            "decision": ("String!", decision),
            "terms": ("String", terms),
        }
        return await request_step(
            info,
            "decideShare",
            id,
            args,
            lambda a: info.context.sharing.decide(
                a, id, overturn=overturn, decision=decision, terms=terms
            ),
        )

    @mutation(
        "疑义/纠错: report what is wrong with entry `code` (`fields`: its field names, or data), "
        "`foundOn` the day it was found."
    )
    async def report_objection(
        self,
        info: Info,
        code: str,
        fields: list[str],
        text: str,
        found_on: date | None = None,
    ) -> ObjectionNode:
        return await report_objection(info, code, fields, text, found_on)

    @mutation("The provider confirms an objection; it corrects next.")
    async def confirm_objection(
        self, info: Info, id: str, note: str | None = None
    ) -> ObjectionNode:
        args = {"note": ("String", note)}
        return await objection_step(
            info, "confirmObjection", id, args, lambda a: info.context.sharing.confirm(a, id, note)
        )

    @mutation("The provider has corrected what the objection named.")
    async def correct_objection(self, info: Info, id: str, correction: str) -> ObjectionNode:
        args = {"correction": ("String!", correction)}
        return await objection_step(
            info,
            "correctObjection",
            id,
            args,
            lambda a: info.context.sharing.correct(a, id, correction),
        )

    @mutation("The provider dismisses an objection, with its reasons.")
    async def dismiss_objection(
        self, info: Info, id: str, reasons: str | None = None
    ) -> ObjectionNode:
        args = {"reasons": ("String", reasons)}
        return await objection_step(
            info,
            "dismissObjection",
            id,
            args,
            lambda a: info.context.sharing.dismiss(a, id, reasons),
        )

    @mutation(
        "数据更新: the provider records that the data of its entry `code` was brought up to date "
        "on `updatedOn` (a Beijing date, not after today) — what 'overdue for update' is "
        "judged on (Kunming 第十八条)."
    )
    async def record_data_update(
        self, info: Info, code: str, updated_on: date, note: str | None = None
    ) -> DataUpdateNode:
        return await record_data_update(info, code, updated_on, note)

    @mutation("数据挂接: the provider records how the data of its entry `code` is reached.")
    async def set_access_details(
        self, info: Info, code: str, input: AccessDetailsInput
    ) -> AccessDetailsNode:
        return await set_access_details(info, code, input)


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
