"""Project catalogs in the schema (graph.projects): declareProject and acceptProject by the
building department, project(id) with each promise's standing — what was promised, what is
present (national 第二十一条). Read by departments; anonymous callers are refused."""

from __future__ import annotations

import strawberry

from federation.api.context import Info
from graph.projects import Project, ProjectStage, Promise, PromiseKind, Standing
from graph.projects.service import accept_project, declare_project, project_standing

__all__ = [
    "DeliveredInput",
    "ProduceInput",
    "ProjectNode",
    "accept",
    "declare",
    "project",
]

strawberry.enum(ProjectStage, description="立项 DECLARED / 验收 ACCEPTED")
strawberry.enum(PromiseKind, description="产生 PRODUCE / 使用 USE")
strawberry.enum(
    Standing, description="已编目发布 PRESENT / 已编目未发布 NOT_PUBLISHED / 缺失 MISSING"
)


@strawberry.input(description="A resource the project will produce: its name and 前段码.")
class ProduceInput:
    name: str
    category: str


@strawberry.input(description="At acceptance: the entry that catalogues a produced resource.")
class DeliveredInput:
    name: str
    code: str


@strawberry.type(description="One promise of a project and where it stands in the catalog.")
class PromiseNode:
    kind: PromiseKind
    name: str
    category: str | None
    code: str | None
    standing: Standing


@strawberry.type(description="项目信息资源目录: a government IT project's promised resources.")
class ProjectNode:
    id: str
    name: str
    department_code: str
    stage: ProjectStage
    version: int
    promises: list[PromiseNode]
    promised: int
    present: int

    @staticmethod
    def of(project: Project, rows: list[tuple[Promise, Standing]]) -> ProjectNode:
        return ProjectNode(
            id=project.id,
            name=project.name,
            department_code=project.department_code,
            stage=project.stage,
            version=project.version,
            promises=[
                PromiseNode(kind=p.kind, name=p.name, category=p.category, code=p.code, standing=s)
                for p, s in rows
            ],
            promised=len(rows),
            present=sum(s is Standing.PRESENT for _, s in rows),
        )


async def declare(
    info: Info, id: str, name: str, produce: list[ProduceInput], use: list[str]
) -> ProjectNode:
    actor = info.context.viewer.actor()
    made = await declare_project(
        info.context.store, actor, id, name, [(p.name, p.category) for p in produce], use
    )
    return ProjectNode.of(*(await project_standing(info.context.store, made.id)))


async def accept(info: Info, id: str, delivered: list[DeliveredInput]) -> ProjectNode:
    actor = info.context.viewer.actor()
    await accept_project(info.context.store, actor, id, {d.name: d.code for d in delivered})
    return ProjectNode.of(*(await project_standing(info.context.store, id)))


async def project(info: Info, id: str) -> ProjectNode:
    info.context.viewer.party()  # departments read project catalogs; anonymous callers do not
    return ProjectNode.of(*(await project_standing(info.context.store, id)))
