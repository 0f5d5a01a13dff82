"""Contract: project catalogs (national 第二十一条) on both stores — declared at approval,
accepted with the entries that catalogue what was produced, each promise's standing
(present, catalogued and not published, missing); only the building department steps; every
step audited; versions compared and set."""

from __future__ import annotations

import pytest

from graph import (
    Actor,
    CatalogStore,
    InvalidTransition,
    InvalidValue,
    LifecycleState,
    NotFound,
    NotPermitted,
    VersionConflict,
)
from graph.projects import Standing
from graph.projects.service import accept_project, declare_project, project_standing
from tests.graph.entries import MARKET, POLICE, resource

OWNER = Actor(POLICE.code)


async def test_a_project_shows_what_it_promised_and_what_is_present(store: CatalogStore) -> None:
    await store.save(resource("301001001/000001"), None)  # used, published
    await store.save(resource("301001001/000002", state=LifecycleState.DRAFT), None)
    project = await declare_project(
        store,
        OWNER,
        "510100-2026-001",
        "智慧社区平台",
        produce=[("社区网格信息", "301001001"), ("社区走访记录", "301001002")],
        use=["301001001/000001", "301001001/000099"],
    )
    _, rows = await project_standing(store, project.id)
    assert [(p.kind, p.name, s) for p, s in rows] == [
        ("PRODUCE", "社区网格信息", Standing.MISSING),
        ("PRODUCE", "社区走访记录", Standing.MISSING),
        ("USE", "301001001/000001", Standing.PRESENT),
        ("USE", "301001001/000099", Standing.MISSING),
    ]
    accepted = await accept_project(store, OWNER, project.id, {"社区网格信息": "301001001/000002"})
    assert (accepted.stage, accepted.version) == ("ACCEPTED", 2)
    _, rows = await project_standing(store, project.id)
    assert [s for _, s in rows] == [
        Standing.NOT_PUBLISHED,  # catalogued, not yet published
        Standing.MISSING,  # promised, never delivered
        Standing.PRESENT,
        Standing.MISSING,
    ]
    actions = [r.entry.action for r in await store.audit_records(0, 10)]
    assert actions == ["declare project", "accept project"]


async def test_only_the_building_department_accepts_once(store: CatalogStore) -> None:
    project = await declare_project(store, OWNER, "P-1", "平台", [("网格", "301001001")], [])
    with pytest.raises(NotPermitted):
        await accept_project(store, Actor(MARKET.code), "P-1", {})
    with pytest.raises(InvalidValue, match="the name of a resource the project promised"):
        await accept_project(store, OWNER, "P-1", {"别的": "301001001/000001"})
    await accept_project(store, OWNER, project.id, {})
    with pytest.raises(InvalidTransition):
        await accept_project(store, OWNER, project.id, {})
    with pytest.raises(NotFound):
        await accept_project(store, OWNER, "P-2", {})


async def test_a_project_id_is_declared_once(store: CatalogStore) -> None:
    await declare_project(store, OWNER, "P-1", "平台", [], ["301001001/000001"])
    with pytest.raises(VersionConflict):
        await declare_project(store, OWNER, "P-1", "另一平台", [], ["301001001/000001"])
    assert (await store.projects(["P-1"]))["P-1"].name == "平台"
    assert list(await store.projects()) == ["P-1"]


@pytest.mark.parametrize(
    ("project_id", "produce", "use", "field"),
    [
        ("", [], ["301001001/000001"], "id"),
        ("P 1", [], ["301001001/000001"], "id"),
        ("P-1", [], [], "promises"),
        ("P-1", [("网格", "301001001/000001")], [], "produce[0].category"),
        ("P-1", [("网格", "301001001"), ("网格", "301001002")], [], "produce[1].name"),
        ("P-1", [], ["301001001"], "use[0]"),
    ],
)
async def test_a_declaration_breaking_a_rule_names_the_field(
    store: CatalogStore,
    project_id: str,
    produce: list[tuple[str, str]],
    use: list[str],
    field: str,
) -> None:
    with pytest.raises(InvalidValue) as refused:
        await declare_project(store, OWNER, project_id, "平台", produce, use)
    assert refused.value.field == field
    assert await store.projects() == {}
