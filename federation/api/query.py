"""The discovery root: catalogs, resources, lineage, departments, themes and facets.

Resolvers are thin: arguments in, the caller's limits applied, one store call or loader, a
type out.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import date

import strawberry

from federation.api.administration import Grant, grants
from federation.api.audit import AuditConnection, AuditFilterInput, audit_log
from federation.api.catalogs import CatalogNode, catalog_tree, linked
from federation.api.connection import ResourceConnection
from federation.api.context import Info
from federation.api.enums import Scope
from federation.api.facets import Facets
from federation.api.fields import field
from federation.api.inputs import ResourceFilterInput, as_filter
from federation.api.lineage import Lineage
from federation.api.onesource import CollectedItemNode, one_source
from federation.api.projects import ProjectNode
from federation.api.projects import project as project_catalog
from federation.api.sharing import (
    AccessDetailsNode,
    DepartmentOverdue,
    ForwardedShareRequestConnection,
    ObjectionConnection,
    ObjectionFilterInput,
    ShareRequestConnection,
    ShareRequestFilterInput,
    ShareRequestNode,
    access_details_of,
    forwarded_share_requests,
    objections,
    overdue,
    share_request,
    share_requests,
)
from federation.api.statistics import (
    PeriodInput,
    RectificationItem,
    SharingStatistics,
    rectification_list,
    statistics,
)
from federation.api.types import Department, Resource, Theme, load_resource
from federation.api.viewer import Caller, caller_of
from federation.discovery.scope import local_only
from graph import THEMES, CatalogStore, Level, NotFound, ResourceFilter
from graph.codes import check_credit_code, check_resource_code
from graph.queries import Direction, ResourcePage, check_depth, check_page_size, check_search
from graph.search import SearchPlan, did_you_mean

__all__ = ["Query"]

_ASKING = (Scope.PEERS, Scope.ANCESTORS)


@strawberry.type
class Query:
    @field("目录: the catalogs known here as a tree (the roots), or those of a level/region.")
    async def catalogs(
        self, info: Info, level: Level | None = None, region: str | None = None
    ) -> list[CatalogNode]:
        return await catalog_tree(info, level, region)

    @field("One catalog by id, e.g. 510100/intranet.")
    async def catalog(self, info: Info, id: strawberry.ID) -> CatalogNode | None:
        node = linked(await info.context.loaders.tree()).get(str(id))
        if node is not None:
            return node
        known = (await info.context.loaders.catalogs()).get(str(id))
        return CatalogNode.of(known) if known else None

    @field(
        "Entries by filter and full-text search (relevance order), a page at a time. `scope`: "
        "LOCAL (this catalog's own), AGGREGATED (all held here), ANCESTORS (also the catalogs "
        "above, through the parent), or PEERS (also the parent's ANCESTORS and the direct "
        "children's answers; merged in code order — by score then code when searching — and "
        "de-duplicated by code, the origin's copy winning)."
    )
    async def resources(
        self,
        info: Info,
        filter: ResourceFilterInput | None = None,
        search: str | None = None,
        first: int = 20,
        after: str | None = None,
        scope: Scope = Scope.AGGREGATED,
    ) -> ResourceConnection:
        context = info.context
        search = check_search(search)
        # The search's plan is read by the store for the page; the highlights read it again
        # only if a field asks for them (once per request).
        plan = None if search is None else _plan_of(context.store, search)
        where = context.viewer.restrict(as_filter(filter))
        first = check_page_size(first)
        instance = context.store.catalog.id
        if scope in _ASKING and context.cross_level is not None:
            merged, failures = await context.cross_level.resources(
                context.store,
                context.viewer,
                where,
                search,
                first,
                after,
                upward_only=scope is Scope.ANCESTORS,
            )
            context.unreachable_peers.extend(failures)
            context.loaders.prime([e.entry for e in merged.edges if e.source == instance])
            return ResourceConnection.merged(merged, failures, plan)
        if scope is Scope.LOCAL:
            narrowed = local_only(where, instance)
            if narrowed is None:
                return ResourceConnection.of(ResourcePage((), 0, None, False), instance)
            where = narrowed
        page = await context.store.find(where, search, first, after)
        context.loaders.prime(page.items)
        connection = ResourceConnection.of(page, instance, plan)
        if search is not None and page.total_count == 0 and after is None:
            connection.did_you_mean = await _did_you_mean(context.store, where, search)
        return connection

    @field(
        "One entry by its resource code, when visible to the caller: held here (AGGREGATED), "
        "owned here (LOCAL), or, when not held here, as the parent or a child holds it (PEERS; "
        "ANCESTORS asks the parent only)."
    )
    async def resource(
        self, info: Info, code: str, scope: Scope = Scope.AGGREGATED
    ) -> Resource | None:
        context = info.context
        code = check_resource_code(code)
        found = await load_resource(info, code)
        if scope is Scope.LOCAL:
            return found if found and found.origin == context.store.catalog.id else None
        if found is not None or scope not in _ASKING or context.cross_level is None:
            return found
        entry, failures = await context.cross_level.resource(
            code, context.viewer, upward_only=scope is Scope.ANCESTORS
        )
        context.unreachable_peers.extend(failures)
        return Resource.of(entry) if entry is not None else None

    @field("What an entry derives from (UPSTREAM), what derives from it (DOWNSTREAM), or both.")
    async def lineage(
        self, info: Info, code: str, direction: Direction = Direction.BOTH, depth: int = 3
    ) -> Lineage:
        code = check_resource_code(code)
        walked = await info.context.store.lineage(code, direction, check_depth(depth))
        # The walk holds the root's entry (None when not held here): one round trip, not two.
        root = walked.nodes.get(code)
        if root is not None and not info.context.viewer.can_see(root):
            raise NotFound("resource", code)
        return Lineage.of(walked, info.context.viewer)

    @field("政务部门 registered here (all, or those with the given codes), ordered by code.")
    async def departments(self, info: Info, codes: list[str] | None = None) -> list[Department]:
        checked = None if codes is None else [check_credit_code(c, "codes") for c in codes]
        found = await info.context.store.departments(checked)
        info.context.loaders.departments.prime_many({d.code: d for d in found})
        return [Department.of(d) for d in found]

    @field("One department by its 统一社会信用代码.")
    async def department(self, info: Info, code: str) -> Department | None:
        found = await info.context.loaders.departments.load(check_credit_code(code, "code"))
        return Department.of(found) if found else None

    @field("项目信息资源目录: a project's promised resources and what is present (第二十一条).")
    async def project(self, info: Info, id: str) -> ProjectNode:
        return await project_catalog(info, id)

    @field(
        "一数一源: the data items more than one department collects, most widely first, each "
        "with the one source the base libraries name (at most 500)."
    )
    async def one_source(self, info: Info, first: int = 100) -> list[CollectedItemNode]:
        return await one_source(info, first)

    @field("主题: every theme, with the published entries about it.")
    def themes(self) -> list[Theme]:
        return [Theme(name=name) for name in THEMES]

    @field("Counts of the entries a filter and search select, by provider, theme, share type.")
    async def facets(
        self, info: Info, filter: ResourceFilterInput | None = None, search: str | None = None
    ) -> Facets:
        search = check_search(search)
        where = info.context.viewer.restrict(as_filter(filter))
        if search is None:  # counted once per request with the departments' and themes' counts
            return Facets.of(await info.context.loaders.counts(where))
        return Facets.of(await info.context.store.facets(where, search))

    @field(
        "审计日志: the audit log in record order — for the instance's auditor alone "
        "(GB/T 39477). `first` at most 500."
    )
    async def audit_log(
        self,
        info: Info,
        filter: AuditFilterInput | None = None,
        first: int = 100,
        after: str | None = None,
    ) -> AuditConnection:
        return await audit_log(info, filter, first, after)

    @field(
        "Who this instance takes the caller to be: department and role (from its certificate, "
        "or development headers where believed), a peer, or anonymous."
    )
    def viewer(self, info: Info) -> Caller:
        return caller_of(info)

    @field("The roles granted at this instance — for its administrator.")
    async def grants(self, info: Info) -> list[Grant]:
        return await grants(info)

    @field(
        "共享申请 by id: for its requester, its provider and the reviewer; a request held at "
        "another instance (its id names it) is asked there."
    )
    async def share_request(self, info: Info, id: str) -> ShareRequestNode | None:
        return await share_request(info, id)

    @field(
        "Share requests held here, in the order received: the reviewer's all; a department's "
        "those it made and those for its entries."
    )
    async def share_requests(
        self,
        info: Info,
        filter: ShareRequestFilterInput | None = None,
        first: int = 20,
        after: str | None = None,
    ) -> ShareRequestConnection:
        return await share_requests(info, filter, first, after)

    @field(
        "The caller's share requests made at this instance for entries whose origin is "
        "another instance (they live there): each as its origin answers now, oldest first."
    )
    async def forwarded_share_requests(
        self, info: Info, first: int = 20, after: str | None = None
    ) -> ForwardedShareRequestConnection:
        return await forwarded_share_requests(info, first, after)

    @field(
        "疑义/纠错 held here, in the order received: the reviewer's all; a department's those "
        "it reported and those on its entries."
    )
    async def objections(
        self,
        info: Info,
        filter: ObjectionFilterInput | None = None,
        first: int = 20,
        after: str | None = None,
    ) -> ObjectionConnection:
        return await objections(info, filter, first, after)

    @field(
        "整改清单: answers, deliveries and objections past due today (Beijing), by the "
        "department late — the reviewer's all, a department's own."
    )
    async def overdue(self, info: Info) -> list[DepartmentOverdue]:
        return await overdue(info)

    @field(
        "共享统计: this instance's sharing figures per providing department over a period (default "
        "this year to today) — for departments, the reviewer, the administrator and the auditor."
    )
    async def statistics(self, info: Info, period: PeriodInput | None = None) -> SharingStatistics:
        return await statistics(info, period)

    @field("整改清单: what is overdue on `day` (default today), with its department.")
    async def rectification_list(
        self, info: Info, day: date | None = None, first: int = 100
    ) -> list[RectificationItem]:
        return await rectification_list(info, day, first)

    @field(
        "数据挂接: how entry `code`'s data is reached, as its share type allows the caller — "
        "asked at the entry's origin, which holds it, wherever the department asks."
    )
    async def access_details(self, info: Info, code: str) -> AccessDetailsNode | None:
        return await access_details_of(info, code)


def _plan_of(store: CatalogStore, search: str) -> Callable[[], SearchPlan | None]:
    @functools.cache
    def plan() -> SearchPlan | None:
        return store.searcher.read(search)

    return plan


async def _did_you_mean(store: CatalogStore, where: ResourceFilter, search: str) -> str | None:
    """A near spelling of `search` that finds something among what `where` lets the caller
    see (counted, never shown: the suggestion is a word of the vocabulary)."""

    async def finds(text: str) -> bool:
        return (await store.find(where, text, first=0)).total_count > 0

    return await did_you_mean(store.searcher, search, finds)
