"""A year of sample sharing activity: share requests, their answers and objections, made
through the real `Sharing` service on a frozen clock that advances, so that every clock,
deadline and audit record is what the service itself computed.

The rules:

1. The same (store contents, year, seed, counts, calendar, rulebook) make the same activity:
   one `random.Random(seed)` draws everything, the ids are numbered (``{year}-r0001``,
   ``{year}-o0001``) and the events run in the order of their instants (then of their
   scheduling).
2. Requests and objections are received on working days of `year` (Beijing, 09:00–17:30), on
   the published entries of the store's own catalog — a few of them popular — from the
   departments of its region (mostly) and of the regions above it, other than the entry's
   provider and the reviewers.
3. Each step is scheduled when the one before it has run, from the state the service left:
       SUBMITTED   approved (about 3 in 4) or refused with reasons, within the 10 working days
                   mostly, late now and then (about 1 in 6), never answered sometimes; or
                   withdrawn
       APPROVED    delivered within the 20 working days mostly, late now and then, never
                   sometimes
       DELIVERED   closed by the requester, mostly
       REFUSED     disputed now and then: negotiated to an approval, or escalated to the
                   reviewer (the coordinator), who overturns or upholds; or withdrawn
       REPORTED    confirmed then corrected (the entry revised and published again), or
                   dismissed with reasons; late now and then, never handled sometimes
   and catalog maintenance (`updates`): a published entry revised and submitted by its
   provider and published by the reviewer the same day (Sichuan 第十条); and data refreshes
   (`data_updates`): the provider records that an entry's data was updated (on the day, or
   up to three days before: reported late) — so that some entries are kept up to date and
   others fall behind their update cycle.
4. Nothing happens after the last day of `year`: what is pending then stays pending, and
   what is past due is overdue (`graph.sharing.overdue`).
5. Bounded: at most `requests` requests, `objections` objections, `updates` maintenance
   rounds and `data_updates` refreshes (each at most 10,000), on at most `MAX_ENTRIES`
   entries read in pages.
6. The entries' new versions go through `Cataloguing` with its audit records; with `outbox`
   (the runtime's change events) the sync carries them as it carries every change.

    made = await make_activity(store, sample, 2026, requests=200, objections=40)
"""

from __future__ import annotations

import heapq
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from graph.cataloguing import Cataloguing
from graph.dates import BEIJING
from graph.enums import LifecycleState, Role, ShareMode, ShareType
from graph.model import Actor, Resource
from graph.outbox import OutboxHook
from graph.queries import ResourceFilter
from graph.sample.generate import SampleCatalog
from graph.sharing.calendar import WorkingCalendar
from graph.sharing.objections import DATA
from graph.sharing.requests import Application, RequestState
from graph.sharing.rulebook import STATE_COUNCIL_2025, Rulebook
from graph.sharing.service import Sharing
from graph.store import CatalogStore

__all__ = ["MAX_ACTIVITY", "MAX_ENTRIES", "SampleActivity", "make_activity"]

MAX_ACTIVITY = 10_000
MAX_ENTRIES = 2_000
_PAGE = 100

_PURPOSES = (
    "行政审批事项办理中核验申请人信息",
    "开展联合执法检查，核对监管对象基本情况",
    "社会救助对象资格审核",
    "政务服务“一网通办”减少群众提交材料",
    "信用体系建设，归集失信惩戒信息",
)
_SCENARIOS = (
    "窗口受理时在线查询比对",
    "每月批量比对后人工复核",
    "业务系统通过接口实时调用",
    "年度统计分析，不对外提供明细",
)
_REFUSALS = (
    "申请用途与本部门履职无直接关联，且未说明所需信息项的必要性",
    "所申请信息项涉及个人隐私，申请材料未提供相应法律依据",
    "申请的共享方式不满足数据安全要求，建议改为数据比对方式重新申请",
)
_GROUNDS = (
    "该信息为本部门法定职责所必需，依据相关法规有权获取",
    "已补充说明用途，仅用于比对核验，不落地存储",
)
_OBJECTIONS = (
    ("summary",),
    ("update_cycle",),
    ("items",),
    (DATA,),
    ("share_condition",),
)
_OBJECTION_TEXTS = (
    "资源摘要与实际提供的数据内容不一致",
    "更新周期标注为每日，实际数据已超过一个月未更新",
    "信息项缺少统一社会信用代码字段",
    "获取的数据中存在明显错误的日期",
    "共享条件表述不清，无法判断申请所需材料",
)


@dataclass(frozen=True, slots=True)
class SampleActivity:
    """What `make_activity` made: the ids of its requests and objections, in the order made."""

    requests: tuple[str, ...]
    objections: tuple[str, ...]


@dataclass(order=True)
class _Event:
    at: datetime
    seq: int
    run: Callable[[], Awaitable[None]] = field(compare=False)


class _Year:
    """The activity's clock, its queue of events and its draws."""

    def __init__(self, year: int, seed: int, calendar: WorkingCalendar) -> None:
        self.year = year
        self.rng = random.Random(seed)
        self.calendar = calendar
        self.now = datetime(year, 1, 1, tzinfo=BEIJING).astimezone(UTC)
        self._end = datetime(year + 1, 1, 1, tzinfo=BEIJING).astimezone(UTC)
        self._queue: list[_Event] = []
        self._seq = 0

    def clock(self) -> datetime:
        return self.now

    def working_days_later(self, days: int) -> datetime:
        """An instant during office hours `days` working days after now (later the same day
        for 0)."""
        day = self.calendar.add_working_days(self.now, days).date
        if days == 0:
            return self.now + timedelta(minutes=self.rng.randint(5, 120))
        return self.office_hours(day)

    def office_hours(self, day: date) -> datetime:
        minute = self.rng.randrange(9 * 60, 17 * 60 + 30)
        local = datetime.combine(day, time(minute // 60, minute % 60), BEIJING)
        return local.astimezone(UTC)

    def working_day(self) -> date:
        """A working day of the year, drawn evenly."""
        while True:
            day = date(self.year, 1, 1) + timedelta(days=self.rng.randrange(365))
            if day.year == self.year and self.calendar.is_working_day(day):
                return day

    def schedule(self, at: datetime, run: Callable[[], Awaitable[None]]) -> None:
        """Run `run` at `at`, unless that is after the year (rule 4)."""
        if at < self._end:
            self._seq += 1
            heapq.heappush(self._queue, _Event(max(at, self.now), self._seq, run))

    async def run(self) -> None:
        while self._queue:
            event = heapq.heappop(self._queue)
            # An event that took time (a review the same day) may end after the next began.
            self.now = max(self.now, event.at)
            await event.run()

    def later_today(self, low: int, high: int) -> None:
        """Move the clock on by `low` to `high` minutes, within an event."""
        self.now += timedelta(minutes=self.rng.randint(low, high))


async def _own_entries(store: CatalogStore) -> list[Resource]:
    where = ResourceFilter(
        catalog_id=store.catalog.id, states=frozenset({LifecycleState.PUBLISHED})
    )
    found: list[Resource] = []
    after = None
    while len(found) < MAX_ENTRIES:
        page = await store.find(where, first=_PAGE, after=after)
        found += page.items
        if not page.has_next_page:
            break
        after = page.end_cursor
    return found[:MAX_ENTRIES]


def _regions_above(sample: SampleCatalog, region_code: str) -> set[str]:
    """The regions above `region_code` (its province, the nation): whose departments ask too."""
    parents = {region.code: region.parent_code for region in sample.regions}
    above: set[str] = set()
    code = parents.get(region_code)
    while code is not None and code not in above:
        above.add(code)
        code = parents.get(code)
    return above


async def make_activity(
    store: CatalogStore,
    sample: SampleCatalog,
    year: int,
    *,
    requests: int = 200,
    objections: int = 40,
    updates: int = 100,
    data_updates: int = 0,
    seed: int = 1,
    calendar: WorkingCalendar | None = None,
    rulebook: Rulebook = STATE_COUNCIL_2025,
    outbox: OutboxHook | None = None,
) -> SampleActivity:
    """A year of requests and objections on the published own entries of `store` (the
    sample `sample` loaded into it), through `Sharing` (the module's rules)."""
    for name, count in (
        ("requests", requests),
        ("objections", objections),
        ("updates", updates),
        ("data_updates", data_updates),
    ):
        if not 0 <= count <= MAX_ACTIVITY:
            raise ValueError(f"{name} = {count}: a number from 0 to {MAX_ACTIVITY}")
    entries = await _own_entries(store)
    if not entries:
        raise ValueError(
            f"{store.catalog.id} holds no published entry of its own: load the sample first"
        )
    world = _Year(year, seed, calendar or WorkingCalendar.official())
    ids: list[str] = []
    sharing = Sharing(store, world.calendar, rulebook, world.clock, lambda: ids[-1])
    reviewer = sample.reviewer(store.catalog.region_code)
    coordinator = Actor(reviewer.code, Role.REVIEWER)
    reviewers = {sample.reviewer(region.code).code for region in sample.regions}
    askers = [d for d in sample.departments if d.code not in reviewers]
    local = [d.code for d in askers if d.region_code == store.catalog.region_code]
    above = _regions_above(sample, store.catalog.region_code)
    others = [d.code for d in askers if d.region_code in above]
    popular = world.rng.sample(entries, min(len(entries), 8))
    cataloguing = Cataloguing(store, world.clock, outbox=outbox, rulebook=rulebook)
    story = _Stories(world, store, sharing, cataloguing, coordinator, ids)

    def requester_for(entry: Resource) -> str:
        pool = local if not others or world.rng.random() < 0.8 else others
        candidates = [code for code in pool if code != entry.provider_code]
        if not candidates:
            raise ValueError(f"no department of the sample may ask for {entry.code}")
        return world.rng.choice(candidates)

    made_requests: list[str] = []
    made_objections: list[str] = []
    for n in range(1, requests + 1):
        entry = world.rng.choice(popular if world.rng.random() < 0.4 else entries)
        when = world.office_hours(world.working_day())
        request_id = f"{year}-r{n:04d}"
        made_requests.append(request_id)
        world.schedule(when, story.request(request_id, entry, requester_for(entry)))
    for n in range(1, objections + 1):
        entry = world.rng.choice(entries)
        when = world.office_hours(world.working_day())
        objection_id = f"{year}-o{n:04d}"
        made_objections.append(objection_id)
        world.schedule(when, story.objection(objection_id, entry, requester_for(entry)))
    for _ in range(updates):
        entry = world.rng.choice(entries)
        when = world.office_hours(world.working_day())
        world.schedule(when, story.maintain(entry.code, "目录定期维护，信息项及更新情况核对"))
    for _ in range(data_updates):
        entry = world.rng.choice(entries)
        when = world.office_hours(world.working_day())
        world.schedule(when, story.refresh(entry.code))
    await world.run()
    return SampleActivity(tuple(made_requests), tuple(made_objections))


class _Stories:
    """The steps of each request and objection, each scheduling the next (rule 3)."""

    def __init__(
        self,
        world: _Year,
        store: CatalogStore,
        sharing: Sharing,
        cataloguing: Cataloguing,
        coordinator: Actor,
        ids: list[str],
    ) -> None:
        self.world = world
        self.store = store
        self.sharing = sharing
        self.cataloguing = cataloguing
        self.coordinator = coordinator
        self._ids = ids

    def _chance(self, p: float) -> bool:
        return self.world.rng.random() < p

    def _answer_in(self, allowed: int) -> int | None:
        """Working days until an answer: within `allowed` mostly, late about 1 in 6, never
        about 1 in 20 (None)."""
        roll = self.world.rng.random()
        if roll < 0.05:
            return None
        if roll < 0.21:
            return self.world.rng.randint(allowed + 1, allowed * 2)
        return self.world.rng.randint(1, allowed)

    def _then(self, days: int | None, run: Callable[[], Awaitable[None]]) -> None:
        if days is not None:
            self.world.schedule(self.world.working_days_later(days), run)

    # -- share requests ---------------------------------------------------------------------
    def request(self, id: str, entry: Resource, requester: str) -> Callable[[], Awaitable[None]]:
        async def submit() -> None:
            rng = self.world.rng
            names = [item.name for item in entry.items]
            items = tuple(rng.sample(names, min(len(names), rng.randint(1, 4))))
            modes = sorted(entry.share_modes) or sorted(ShareMode)
            today = self.world.now.astimezone(BEIJING).date()
            application = Application(
                resource_code=entry.code,
                purpose=rng.choice(_PURPOSES),
                scenario=rng.choice(_SCENARIOS),
                items=items,
                share_mode=rng.choice(modes),
                period_start=today,
                period_end=today + timedelta(days=365),
            )
            self._ids.append(id)
            made = await self.sharing.request(Actor(requester), application)
            self._next(made.id, made.state, made.share_type, made.parties)

        return submit

    def _next(
        self, id: str, state: RequestState, share_type: ShareType, parties: tuple[str, str]
    ) -> None:
        rng = self.world.rng
        if state is RequestState.SUBMITTED:
            if self._chance(0.06):
                self._then(rng.randint(1, 5), self._act(id, "withdraw"))
            else:
                self._then(self._answer_in(10), self._act(id, "answer"))
        elif state is RequestState.APPROVED:
            if self._chance(0.03):
                self._then(rng.randint(1, 10), self._act(id, "withdraw"))
            else:
                self._then(self._answer_in(20), self._act(id, "deliver"))
        elif state is RequestState.DELIVERED:
            if self._chance(0.75):
                self._then(rng.randint(1, 10), self._act(id, "close"))
        elif state is RequestState.REFUSED:
            # A refusal of what is not shared at all is disputed less often.
            if self._chance(0.15 if share_type is ShareType.NONE else 0.35):
                self._then(rng.randint(1, 5), self._act(id, "dispute"))
        elif state is RequestState.DISPUTED:
            roll = rng.random()
            action = "agree" if roll < 0.4 else "escalate" if roll < 0.85 else "withdraw"
            if action == "escalate" and self.coordinator.department_code in parties:
                action = "withdraw"  # the reviewer is a party: it cannot coordinate
            self._then(rng.randint(2, 10), self._act(id, action))
        elif state is RequestState.ESCALATED:
            self._then(rng.randint(3, 15), self._act(id, "decide"))

    def _act(self, id: str, action: str) -> Callable[[], Awaitable[None]]:
        async def run() -> None:
            current = await self.sharing.share_request(id)
            provider, requester = Actor(current.provider_code), Actor(current.requester_code)
            rng = self.world.rng
            s = self.sharing
            if action == "answer":
                if self._chance(0.75):
                    after = await s.approve(provider, id)
                else:
                    after = await s.refuse(provider, id, rng.choice(_REFUSALS))
            elif action == "withdraw":
                after = await s.withdraw(requester, id, "业务需求变化，撤回申请")
            elif action == "deliver":
                after = await s.deliver(provider, id, "已通过共享平台接口开通调用权限")
            elif action == "close":
                after = await s.close(requester, id, "数据已接收，办结")
            elif action == "dispute":
                after = await s.dispute(requester, id, rng.choice(_GROUNDS))
            elif action == "agree":
                after = await s.approve(provider, id, note="经协商同意共享")
            elif action == "escalate":
                after = await s.escalate(requester, id, "协商未达成一致，提请协调")
            else:
                overturn = self._chance(0.5)
                decision = (
                    "经协调，申请用途符合履职需要，应予共享"
                    if overturn
                    else "经协调，维持不予共享意见"
                )
                after = await s.decide(self.coordinator, id, overturn=overturn, decision=decision)
            self._next(id, after.state, after.share_type, after.parties)

        return run

    # -- objections -------------------------------------------------------------------------
    def objection(self, id: str, entry: Resource, reporter: str) -> Callable[[], Awaitable[None]]:
        async def report() -> None:
            rng = self.world.rng
            which = rng.randrange(len(_OBJECTIONS))
            today = self.world.now.astimezone(BEIJING).date()
            found_on = today - timedelta(days=rng.randint(0, 6))
            self._ids.append(id)
            await self.sharing.report_objection(
                Actor(reporter),
                entry.code,
                _OBJECTIONS[which],
                _OBJECTION_TEXTS[which],
                found_on=max(found_on, date(self.world.year, 1, 1)),
            )
            if self._chance(0.65):
                self._then(self._answer_in(5), self._handle(id, "confirm"))
            else:
                self._then(self._answer_in(10), self._handle(id, "dismiss"))

        return report

    def _handle(self, id: str, action: str) -> Callable[[], Awaitable[None]]:
        async def run() -> None:
            current = await self.sharing.objection(id)
            provider = Actor(current.provider_code)
            if action == "confirm":
                await self.sharing.confirm(provider, id, "经核实，确有错误")
                self._then(self._answer_in(5), self._handle(id, "correct"))
            elif action == "correct":
                await self.sharing.correct(provider, id, "已更正目录信息并重新发布")
                await self.maintain(current.resource_code, "按疑义纠错意见更正")()
            else:
                await self.sharing.dismiss(provider, id, "经核实，目录信息与数据一致，不予采纳")

        return run

    # -- data refreshes -----------------------------------------------------------------------
    def refresh(self, code: str) -> Callable[[], Awaitable[None]]:
        """The provider records that the data of a published entry was updated today, or up
        to three days before (reported late)."""

        async def run() -> None:
            entry = await self.store.get(code)
            if entry is None or entry.state is not LifecycleState.PUBLISHED:
                return
            today = self.world.clock().astimezone(BEIJING).date()
            on = today - timedelta(days=self.world.rng.randint(0, 3))
            await self.sharing.record_data_update(
                Actor(entry.provider_code), code, on, "数据例行更新"
            )

        return run

    # -- catalog maintenance ----------------------------------------------------------------
    def maintain(self, code: str, note: str) -> Callable[[], Awaitable[None]]:
        """The provider revises a published entry and submits it again, and the reviewer
        publishes it later the same day (Sichuan 第十条): its last update is today."""

        async def run() -> None:
            entry = await self.store.get(code)
            if entry is None or entry.state is not LifecycleState.PUBLISHED:
                return
            provider = Actor(entry.provider_code)
            await self.cataloguing.revise(provider, code, note)
            self.world.later_today(5, 30)
            await self.cataloguing.submit(provider, code)
            self.world.later_today(30, 180)
            await self.cataloguing.publish(self.coordinator, code, "审核通过")

        return run
