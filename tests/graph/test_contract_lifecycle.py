"""Contract: the lifecycle through `Cataloguing` on a real store — draft → submitted →
published (→ retired), reviewed one by one (Sichuan 第十条); a department edits only its own
entries (谁主管，谁提供，谁负责); every step is recorded with its actor and time."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import pytest

from graph import (
    Actor,
    CatalogStore,
    Cataloguing,
    InvalidTransition,
    InvalidValue,
    LifecycleState,
    NotFound,
    NotPermitted,
    ResourceFilter,
    Role,
    ShareType,
    VersionConflict,
)
from graph.dates import beijing_date
from tests.graph.entries import MARKET, POLICE, WHEN, code, credit_code, resource

S = LifecycleState
REVIEWER = Actor(credit_code("510100", "MB0000099"), Role.REVIEWER)
OWNER = Actor(POLICE.code)
OTHER = Actor(MARKET.code)
CATEGORY = "301001001"  # a new entry names its 前段码; the store numbers it


def ticking() -> Iterator[datetime]:
    moment = WHEN
    while True:
        yield moment
        moment += timedelta(minutes=1)


@pytest.fixture
def cataloguing(store: CatalogStore) -> Cataloguing:
    clock = ticking()
    return Cataloguing(store, clock=lambda: next(clock))


async def test_an_entry_lives_from_draft_to_retired(
    store: CatalogStore, cataloguing: Cataloguing
) -> None:
    draft = await cataloguing.create(
        OWNER, resource(CATEGORY, state=S.PUBLISHED, version=9, origin="")
    )
    assert (draft.state, draft.version, draft.origin) == (S.DRAFT, 1, store.catalog.id)
    # Not shown outside the department until published.
    assert (await store.find(ResourceFilter())).total_count == 0

    edited = await cataloguing.update(OWNER, dataclasses.replace(draft, name="户籍人口登记信息"), 1)
    submitted = await cataloguing.submit(OWNER, draft.code, "请审核")
    published = await cataloguing.publish(REVIEWER, draft.code)
    assert (edited.version, submitted.version, published.version) == (2, 3, 4)
    assert published.state is S.PUBLISHED
    assert published.published_on == beijing_date(published.history[-1].at)
    assert [e.code for e in (await store.find(ResourceFilter())).items] == [draft.code]

    revised = await cataloguing.revise(OWNER, draft.code)
    assert revised.state is S.DRAFT
    assert (await store.find(ResourceFilter())).total_count == 0
    retired = await cataloguing.retire(OWNER, draft.code, "系统下线")
    assert retired.state is S.RETIRED

    stored = await store.get(draft.code)
    assert stored == retired
    assert stored.name == "户籍人口登记信息"
    assert [(step.state, step.actor, step.note) for step in stored.history] == [
        (S.DRAFT, OWNER.department_code, None),
        (S.SUBMITTED, OWNER.department_code, "请审核"),
        (S.PUBLISHED, REVIEWER.department_code, None),
        (S.DRAFT, OWNER.department_code, None),
        (S.RETIRED, OWNER.department_code, "系统下线"),
    ]
    times = [step.at for step in stored.history]
    assert times == sorted(times)
    assert len(set(times)) == len(times)
    assert all(t.tzinfo is not None for t in times)


async def test_the_publication_date_is_the_beijing_date(store: CatalogStore) -> None:
    """Published at 07:30 on 1 January Beijing time (23:30 on 31 December UTC): published on
    1 January — the date the regulations count is Beijing's (DESIGN "Identity, roles and
    audit": dates)."""
    moments = iter([WHEN, WHEN, datetime(2025, 12, 31, 23, 30, tzinfo=UTC)])
    cataloguing = Cataloguing(store, clock=lambda: next(moments))
    draft = await cataloguing.create(OWNER, resource(CATEGORY))
    await cataloguing.submit(OWNER, draft.code)
    published = await cataloguing.publish(REVIEWER, draft.code)
    assert published.published_on == date(2026, 1, 1)
    stored = await store.get(draft.code)
    assert stored is not None
    assert stored.published_on == date(2026, 1, 1)
    assert stored.history[-1].at == datetime(2025, 12, 31, 23, 30, tzinfo=UTC)


async def test_the_reviewer_rejects_back_to_draft(
    store: CatalogStore, cataloguing: Cataloguing
) -> None:
    """Sichuan 第十条: each entry is reviewed on its own; a rejected one goes back to draft."""
    draft = await cataloguing.create(OWNER, resource(CATEGORY))
    await cataloguing.submit(OWNER, draft.code)
    rejected = await cataloguing.reject(REVIEWER, draft.code, "摘要不完整")
    assert rejected.state is S.DRAFT
    assert rejected.history[-1].actor == REVIEWER.department_code
    assert rejected.history[-1].note == "摘要不完整"
    assert await store.get(draft.code) == rejected


async def test_another_department_cannot_touch_an_entry(
    store: CatalogStore, cataloguing: Cataloguing
) -> None:
    """谁主管，谁提供，谁负责: only the providing department edits, submits, revises."""
    draft = await cataloguing.create(OWNER, resource(CATEGORY))
    with pytest.raises(NotPermitted, match=POLICE.code):
        await cataloguing.update(OTHER, dataclasses.replace(draft, name="篡改"), 1)
    with pytest.raises(NotPermitted):
        await cataloguing.submit(OTHER, draft.code)
    with pytest.raises(NotPermitted):
        await cataloguing.retire(OTHER, draft.code)
    with pytest.raises(NotPermitted):
        await cataloguing.create(OTHER, resource(CATEGORY))
    assert await store.get(draft.code) == draft
    assert await store.get(code(2)) is None


async def test_a_provider_cannot_publish_its_own_entry(
    store: CatalogStore, cataloguing: Cataloguing
) -> None:
    """Sichuan 第十条: publication is the reviewer's, one entry at a time."""
    draft = await cataloguing.create(OWNER, resource(CATEGORY))
    submitted = await cataloguing.submit(OWNER, draft.code)
    with pytest.raises(NotPermitted, match="reviewer"):
        await cataloguing.publish(OWNER, draft.code)
    with pytest.raises(NotPermitted):
        await cataloguing.reject(OWNER, draft.code)
    with pytest.raises(NotPermitted):
        await cataloguing.publish(Actor(OWNER.department_code, Role.SYNC), draft.code)
    assert await store.get(draft.code) == submitted


async def test_steps_out_of_order_are_refused(
    store: CatalogStore, cataloguing: Cataloguing
) -> None:
    draft = await cataloguing.create(OWNER, resource(CATEGORY))
    with pytest.raises(InvalidTransition, match="allowed from SUBMITTED"):
        await cataloguing.publish(REVIEWER, draft.code)
    with pytest.raises(InvalidTransition):
        await cataloguing.revise(OWNER, draft.code)
    await cataloguing.submit(OWNER, draft.code)
    with pytest.raises(InvalidTransition):
        await cataloguing.update(OWNER, draft, 2)
    retired = await cataloguing.retire(REVIEWER, draft.code)
    with pytest.raises(InvalidTransition):
        await cataloguing.submit(OWNER, draft.code)
    assert await store.get(draft.code) == retired


async def test_each_create_is_numbered_anew(cataloguing: Cataloguing) -> None:
    """The instance numbers new entries (issue 13, defect class 5): the same content created
    twice is two entries, never one code twice."""
    first = await cataloguing.create(OWNER, resource(CATEGORY))
    second = await cataloguing.create(OWNER, resource(CATEGORY, name="重复"))
    assert (first.code, second.code) == (code(1), code(2))


async def test_an_update_from_a_stale_read_conflicts(
    store: CatalogStore, cataloguing: Cataloguing
) -> None:
    draft = await cataloguing.create(OWNER, resource(CATEGORY))
    first = await cataloguing.update(OWNER, dataclasses.replace(draft, name="第一次"), 1)
    with pytest.raises(VersionConflict):
        await cataloguing.update(OWNER, dataclasses.replace(draft, name="第二次"), 1)
    assert await store.get(draft.code) == first


async def test_rules_hold_through_the_service(
    store: CatalogStore, cataloguing: Cataloguing
) -> None:
    with pytest.raises(InvalidValue, match="share_condition"):
        await cataloguing.create(OWNER, resource(CATEGORY, share_type=ShareType.CONDITIONAL))
    assert await store.get(code(1)) is None


async def test_unknown_and_foreign_entries(store: CatalogStore, cataloguing: Cataloguing) -> None:
    with pytest.raises(NotFound):
        await cataloguing.submit(OWNER, code(404))
    copy = resource(code(5), origin="510000/intranet")
    await store.apply([copy])
    with pytest.raises(InvalidValue, match="510000/intranet"):
        await cataloguing.revise(OWNER, copy.code)
    assert await store.get(copy.code) == copy
