"""项目信息资源目录: what a government IT project promises at approval and delivers at
acceptance (national 第二十一条; Sichuan 第三十五条; Kunming 第三十七条).

    DECLARED (立项) ──accept──▶ ACCEPTED (验收)

At approval the building department (建设单位) declares the resources the project will
produce (a name, and the 前段码 it will be filed under) and those it will use (codes of
entries in the catalog). At acceptance it names, for each resource it promised to produce,
the code of the entry that catalogues it. The catalog then shows, per project, what was
promised and what is present: a produced resource is present when its entry is held here
and published, a used one when the entry it names is; anything else is listed as missing,
or as catalogued and not yet published.

Only the building department declares and accepts its projects (谁主管，谁提供，谁负责); every
step is audited.

    project = declare("510100-2026-001", "智慧社区平台", department, produce=[...], use=[...])
    accepted = accept(project, {"社区网格信息": "301001001/000042"})
    rows = standing(accepted, held)
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from graph.codes import check_category_code, check_credit_code, check_resource_code
from graph.enums import LifecycleState
from graph.errors import InvalidTransition, InvalidValue
from graph.model import Resource

__all__ = [
    "Project",
    "ProjectStage",
    "Promise",
    "PromiseKind",
    "Standing",
    "accept",
    "declare",
    "project_from_json",
    "project_to_json",
    "standing",
]

MAX_PROMISES = 500
_ID = re.compile(r"^[0-9A-Za-z][0-9A-Za-z_.-]{0,63}\Z")


class ProjectStage(StrEnum):
    """立项 (declared at approval) / 验收 (accepted)."""

    DECLARED = "DECLARED"
    ACCEPTED = "ACCEPTED"


class PromiseKind(StrEnum):
    """产生 (the project produces the resource) / 使用 (it uses one in the catalog)."""

    PRODUCE = "PRODUCE"
    USE = "USE"


@dataclass(frozen=True, slots=True)
class Promise:
    """One resource a project promised: to produce `name` (filed under `category`), or to
    use the entry `code`; `code` of a produced one is named at acceptance."""

    kind: PromiseKind
    name: str
    category: str | None = None
    code: str | None = None


@dataclass(frozen=True, slots=True)
class Project:
    """项目: an IT project of `department_code`, with its promises; `version` grows with each
    step."""

    id: str
    name: str
    department_code: str
    stage: ProjectStage
    promises: tuple[Promise, ...]
    version: int = 1


def _name(field: str, value: object) -> str:
    if not isinstance(value, str) or not value.strip() or len(value) > 200:
        raise InvalidValue(field, value, "a non-blank name of at most 200 characters")
    return value.strip()


def declare(
    project_id: str,
    name: str,
    department_code: str,
    produce: Sequence[tuple[str, str]],
    use: Sequence[str],
) -> Project:
    """A project declared at approval: `produce` as (name, 前段码) pairs, `use` as codes."""
    if not isinstance(project_id, str) or not _ID.match(project_id):
        raise InvalidValue(
            "id", project_id, "a project number of 1–64 letters, digits, '-', '_' or '.'"
        )
    if len(produce) + len(use) > MAX_PROMISES:
        raise InvalidValue("promises", len(produce) + len(use), f"at most {MAX_PROMISES} resources")
    if not produce and not use:
        raise InvalidValue("promises", 0, "at least one resource it produces or uses")
    promises: list[Promise] = []
    seen: set[str] = set()
    for i, (resource_name, category) in enumerate(produce):
        checked = _name(f"produce[{i}].name", resource_name)
        if checked in seen:
            raise InvalidValue(f"produce[{i}].name", resource_name, "a name promised once")
        seen.add(checked)
        front = check_category_code(category, f"produce[{i}].category")
        promises.append(Promise(PromiseKind.PRODUCE, checked, front))
    used: set[str] = set()
    for i, code in enumerate(use):
        checked_code = check_resource_code(code, f"use[{i}]")
        if checked_code in used:
            raise InvalidValue(f"use[{i}]", code, "a code named once")
        used.add(checked_code)
        promises.append(Promise(PromiseKind.USE, checked_code, code=checked_code))
    return Project(
        project_id,
        _name("name", name),
        check_credit_code(department_code, "department"),
        ProjectStage.DECLARED,
        tuple(promises),
    )


def accept(project: Project, delivered: Mapping[str, str]) -> Project:
    """`project` at acceptance: `delivered` names, for each resource it promised to produce,
    the code of its entry. A resource left out stays missing; a name not promised is
    refused."""
    if project.stage is not ProjectStage.DECLARED:
        raise InvalidTransition(project.id, project.stage.value, "accept", "DECLARED")
    promised = {p.name for p in project.promises if p.kind is PromiseKind.PRODUCE}
    for name in delivered:
        if name not in promised:
            raise InvalidValue(
                "delivered",
                name,
                "the name of a resource the project promised to produce: "
                + ("、".join(sorted(promised)) or "it promised none"),
            )
    promises = tuple(
        dataclasses.replace(p, code=check_resource_code(delivered[p.name], f"delivered[{p.name}]"))
        if p.kind is PromiseKind.PRODUCE and p.name in delivered
        else p
        for p in project.promises
    )
    return dataclasses.replace(
        project, stage=ProjectStage.ACCEPTED, promises=promises, version=project.version + 1
    )


class Standing(StrEnum):
    """Where a promise stands: 已编目发布 / 已编目未发布 / 缺失."""

    PRESENT = "PRESENT"
    NOT_PUBLISHED = "NOT_PUBLISHED"
    MISSING = "MISSING"


def standing(project: Project, held: Mapping[str, Resource]) -> list[tuple[Promise, Standing]]:
    """Each promise of `project` and where it stands against the entries `held` here."""
    rows = []
    for promise in project.promises:
        entry = held.get(promise.code) if promise.code else None
        if entry is None:
            state = Standing.MISSING
        elif entry.state is LifecycleState.PUBLISHED:
            state = Standing.PRESENT
        else:
            state = Standing.NOT_PUBLISHED
        rows.append((promise, state))
    return rows


def project_to_json(project: Project) -> str:
    import json

    return json.dumps(
        {
            "id": project.id,
            "name": project.name,
            "department_code": project.department_code,
            "stage": project.stage.value,
            "version": project.version,
            "promises": [[p.kind.value, p.name, p.category, p.code] for p in project.promises],
        },
        ensure_ascii=False,
        separators=(",", ":"),
    )


def project_from_json(text: str) -> Project:
    import json

    raw = json.loads(text)
    return Project(
        raw["id"],
        raw["name"],
        raw["department_code"],
        ProjectStage(raw["stage"]),
        tuple(Promise(PromiseKind(k), n, c, code) for k, n, c, code in raw["promises"]),
        raw["version"],
    )
