"""Project catalogs at an instance: declaring and accepting a project as its building
department, each step written with its audit record, and what each promise stands at.

    project = await declare_project(store, actor, "510100-2026-001", "智慧社区平台", produce, use)
    await accept_project(store, actor, project.id, {"社区网格信息": "301001001/000042"})
    rows = await project_standing(store, project.id)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from graph.audit.records import AuditEntry, AuditKind
from graph.errors import NotFound, NotPermitted
from graph.model import Actor
from graph.projects import Project, Promise, Standing, accept, declare, standing
from graph.store import CatalogStore

__all__ = ["accept_project", "declare_project", "project_standing"]


def _audit(actor: Actor, action: str, project: Project) -> AuditEntry:
    return AuditEntry(
        AuditKind.CATALOG_WRITE,
        actor.department_code,
        action,
        subject=f"project:{project.id}",
        version_before=project.version - 1 or None,
        version_after=project.version,
        detail={"stage": project.stage.value, "promises": len(project.promises)},
    )


async def declare_project(
    store: CatalogStore,
    actor: Actor,
    project_id: str,
    name: str,
    produce: Sequence[tuple[str, str]],
    use: Sequence[str],
) -> Project:
    """立项: the project of `actor`'s department; `VersionConflict` when its id is held."""
    project = declare(project_id, name, actor.department_code, produce, use)
    await store.put_project(project, None, _audit(actor, "declare project", project))
    return project


async def accept_project(
    store: CatalogStore, actor: Actor, project_id: str, delivered: Mapping[str, str]
) -> Project:
    """验收: the codes of the entries that catalogue what the project produced."""
    held = (await store.projects([project_id])).get(project_id)
    if held is None:
        raise NotFound("project", project_id)
    if held.department_code != actor.department_code:
        raise NotPermitted(
            f"only {held.department_code}, the project's building department, accepts "
            f"{project_id}; {actor.department_code} is not it"
        )
    accepted = accept(held, delivered)
    await store.put_project(accepted, held.version, _audit(actor, "accept project", accepted))
    return accepted


async def project_standing(
    store: CatalogStore, project_id: str
) -> tuple[Project, list[tuple[Promise, Standing]]]:
    """The project and where each promise stands against the entries held here."""
    project = (await store.projects([project_id])).get(project_id)
    if project is None:
        raise NotFound("project", project_id)
    codes = [p.code for p in project.promises if p.code]
    return project, standing(project, await store.get_many(codes))
