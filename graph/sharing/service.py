"""`Sharing`: share requests, objections and access details as departments act on them.

Each step reads what the store holds, decides with a pure function (`graph.sharing.requests`,
`graph.sharing.objections`, `graph.sharing.access`) and writes the next version with a
compare-and-set, its audit records in the same transaction — so two concurrent answers never
both win (the second gets `VersionConflict`), and every step is in the audit log: the actor
(a department's code, or this instance's catalog id for what it decides on its own), the
step, the request's or objection's id, the versions before and after, and in `detail` the
entry's code, the actor's role, the states before and after and the step's note.

A request, an objection and access details live at the entry's origin instance: the entry
must be held here as its own (`InvalidValue`, field ``resource_code``, naming the origin to
ask — the federation forwards there), and PUBLISHED for a request or an objection.

    sharing = Sharing(store, WorkingCalendar.official(), rulebook)
    request = await sharing.request(Actor(requester), application)      # SUBMITTED, or decided
    await sharing.approve(Actor(provider), request.id, terms="仅限…")    # the delivery clock runs
    late = await sharing.overdue()                                      # what is past due today
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime

from graph.audit.records import AuditEntry, AuditKind, DetailValue
from graph.dates import beijing_date
from graph.enums import LifecycleState, Role, ShareType
from graph.errors import InvalidValue, NotFound, NotPermitted
from graph.model import Actor, Resource
from graph.sharing import objections as objecting
from graph.sharing import requests as requesting
from graph.sharing.access import AccessDetails, has_approval, visible_access
from graph.sharing.calendar import WorkingCalendar
from graph.sharing.data_updates import DataUpdate, data_update
from graph.sharing.objections import Objection, ObjectionStep
from graph.sharing.overdue import Overdue, overdue_of
from graph.sharing.queries import ObjectionFilter, Page, RequestFilter
from graph.sharing.requests import Application, RequestState, RequestStep, ShareRequest
from graph.sharing.rulebook import STATE_COUNCIL_2025, Rulebook
from graph.store import CatalogStore

__all__ = ["Sharing"]

# The longest note an audit record repeats; the whole of it is in the history.
_NOTE_IN_AUDIT = 500
_IN_FORCE = frozenset({RequestState.APPROVED, RequestState.DELIVERED})
# The most a list of what is overdue holds, and the page it is read in.
MAX_OVERDUE = 1000
_PAGE = 100


def _now() -> datetime:
    return datetime.now(UTC)


def _new_id() -> str:
    return str(uuid.uuid4())


class Sharing:
    """The share requests, objections and access details of one instance's own entries."""

    def __init__(
        self,
        store: CatalogStore,
        calendar: WorkingCalendar,
        rulebook: Rulebook = STATE_COUNCIL_2025,
        clock: Callable[[], datetime] = _now,
        new_id: Callable[[], str] = _new_id,
    ) -> None:
        self._store = store
        self._calendar = calendar
        self._rulebook = rulebook
        self._clock = clock
        self._new_id = new_id

    @property
    def _instance(self) -> str:
        return self._store.catalog.id

    # -- reading -----------------------------------------------------------------------------
    async def _own_entry(self, code: str, *, published: bool = True) -> Resource:
        entry = await self._store.get(code)
        if entry is None:
            raise NotFound("resource", code)
        if entry.origin != self._instance:
            raise InvalidValue(
                "resource_code",
                code,
                f"an entry of this catalog: {code} is held here as a copy; its origin "
                f"{entry.origin} holds its requests, objections and access details — ask there",
            )
        if published and entry.state is not LifecycleState.PUBLISHED:
            raise InvalidValue(
                "resource_code", code, "a published entry: only published entries are shared"
            )
        return entry

    async def share_request(self, id: str) -> ShareRequest:
        found = (await self._store.share_requests([id])).get(id)
        if found is None:
            raise NotFound("share request", id)
        return found

    async def objection(self, id: str) -> Objection:
        found = (await self._store.objections([id])).get(id)
        if found is None:
            raise NotFound("objection", id)
        return found

    # -- audit -------------------------------------------------------------------------------
    def _records(
        self,
        kind: AuditKind,
        subject: str,
        code: str,
        history: Sequence[RequestStep] | Sequence[ObjectionStep],
        before: int,
        actor: Actor | None,
    ) -> list[AuditEntry]:
        """One record per step of `history` after version `before`."""
        records = []
        for i in range(before, len(history)):
            step = history[i]
            acting = actor is not None and step.actor == actor.department_code
            role = actor.role.value if acting and actor is not None else None
            detail: dict[str, DetailValue] = {
                "resource_code": code,
                "role": role or ("INSTANCE" if step.actor == self._instance else None),
                "state_before": history[i - 1].state.value if i else None,
                "state_after": step.state.value,
                "note": None if step.note is None else step.note[:_NOTE_IN_AUDIT],
            }
            records.append(
                AuditEntry(
                    kind,
                    step.actor,
                    step.action.value,
                    subject=subject,
                    version_before=i or None,
                    version_after=i + 1,
                    detail=detail,
                    at=step.at,
                )
            )
        return records

    # -- share requests ----------------------------------------------------------------------
    async def request(
        self, requester: Actor, application: Application, requested_from: str | None = None
    ) -> ShareRequest:
        """`requester`'s request for an entry of this catalog, made from the instance
        `requested_from` (this one when None): SUBMITTED, or decided at once by its share type
        (`graph.sharing.requests`)."""
        entry = await self._own_entry(application.resource_code)
        made = requesting.submit(
            entry,
            requester,
            application,
            id=self._new_id(),
            requested_from=requested_from or self._instance,
            instance=self._instance,
            at=self._clock(),
            calendar=self._calendar,
            rulebook=self._rulebook,
        )
        audit = self._records(
            AuditKind.SHARE_REQUEST, made.id, made.resource_code, made.history, 0, requester
        )
        await self._store.create_share_request(made, audit)
        return made

    async def _step(
        self, actor: Actor, id: str, decide: Callable[[ShareRequest], ShareRequest]
    ) -> ShareRequest:
        current = await self.share_request(id)
        after = decide(current)
        audit = self._records(
            AuditKind.SHARE_REQUEST,
            id,
            after.resource_code,
            after.history,
            current.version,
            actor,
        )
        await self._store.update_share_request(after, current.version, audit)
        return after

    async def approve(
        self, actor: Actor, id: str, terms: str | None = None, note: str | None = None
    ) -> ShareRequest:
        """The provider approves, on `terms` (default: the entry's published condition)."""
        return await self._step(
            actor,
            id,
            lambda r: requesting.approve(
                r, actor, self._clock(), self._calendar, self._rulebook, terms, note
            ),
        )

    async def refuse(self, actor: Actor, id: str, reasons: str | None) -> ShareRequest:
        """The provider refuses, with its reasons in writing (refused without them)."""
        return await self._step(
            actor, id, lambda r: requesting.refuse(r, actor, self._clock(), reasons)
        )

    async def deliver(self, actor: Actor, id: str, note: str | None = None) -> ShareRequest:
        return await self._step(
            actor, id, lambda r: requesting.deliver(r, actor, self._clock(), note)
        )

    async def close(self, actor: Actor, id: str, note: str | None = None) -> ShareRequest:
        return await self._step(
            actor, id, lambda r: requesting.close(r, actor, self._clock(), note)
        )

    async def withdraw(self, actor: Actor, id: str, note: str | None = None) -> ShareRequest:
        return await self._step(
            actor, id, lambda r: requesting.withdraw(r, actor, self._clock(), note)
        )

    async def dispute(self, actor: Actor, id: str, grounds: str) -> ShareRequest:
        """The requester disputes a refusal: negotiation with the provider."""
        return await self._step(
            actor,
            id,
            lambda r: requesting.dispute(
                r, actor, self._clock(), grounds, self._calendar, self._rulebook
            ),
        )

    async def escalate(self, actor: Actor, id: str, note: str | None = None) -> ShareRequest:
        """Negotiation failed: either party takes the dispute to the coordinator."""
        return await self._step(
            actor,
            id,
            lambda r: requesting.escalate(
                r, actor, self._clock(), self._calendar, self._rulebook, note
            ),
        )

    async def decide(
        self,
        coordinator: Actor,
        id: str,
        *,
        overturn: bool,
        decision: str,
        terms: str | None = None,
    ) -> ShareRequest:
        """The coordinator (the instance's REVIEWER) lets the refusal stand, or overturns it."""
        return await self._step(
            coordinator,
            id,
            lambda r: requesting.decide(
                r,
                coordinator,
                self._clock(),
                self._calendar,
                self._rulebook,
                overturn=overturn,
                decision=decision,
                terms=terms,
            ),
        )

    # -- objections --------------------------------------------------------------------------
    async def report_objection(
        self,
        reporter: Actor | None,
        code: str,
        fields: Sequence[str],
        text: str,
        found_on: date | None = None,
    ) -> Objection:
        """`reporter`'s objection (None: the public, on an extranet, for an open entry);
        `found_on`: the day it found the problem, when it says."""
        entry = await self._own_entry(code)
        made = objecting.report(
            entry,
            reporter,
            tuple(fields),
            text,
            id=self._new_id(),
            zone=self._store.catalog.zone,
            at=self._clock(),
            calendar=self._calendar,
            rulebook=self._rulebook,
            found_on=found_on,
        )
        audit = self._records(AuditKind.OBJECTION, made.id, code, made.history, 0, reporter)
        await self._store.create_objection(made, audit)
        return made

    async def _objection_step(
        self, actor: Actor, id: str, decide: Callable[[Objection], Objection]
    ) -> Objection:
        current = await self.objection(id)
        after = decide(current)
        audit = self._records(
            AuditKind.OBJECTION, id, after.resource_code, after.history, current.version, actor
        )
        await self._store.update_objection(after, current.version, audit)
        return after

    async def confirm(self, actor: Actor, id: str, note: str | None = None) -> Objection:
        return await self._objection_step(
            actor, id, lambda o: objecting.confirm(o, actor, self._clock(), note)
        )

    async def correct(self, actor: Actor, id: str, correction: str) -> Objection:
        return await self._objection_step(
            actor, id, lambda o: objecting.correct(o, actor, self._clock(), correction)
        )

    async def dismiss(self, actor: Actor, id: str, reasons: str | None) -> Objection:
        return await self._objection_step(
            actor, id, lambda o: objecting.dismiss(o, actor, self._clock(), reasons)
        )

    async def open_objections(self, code: str, limit: int = 20) -> list[Objection]:
        """The open objections of entry `code`, oldest first: what shows on it."""
        return (await self._store.open_objections([code], limit)).get(code, [])

    # -- access details ----------------------------------------------------------------------
    async def set_access_details(
        self,
        actor: Actor,
        code: str,
        *,
        interface_url: str | None = None,
        credentials: str | None = None,
        exchange_table: str | None = None,
        download_location: str | None = None,
        note: str | None = None,
    ) -> AccessDetails:
        """The provider records how the data of its entry `code` is reached (in place of what
        it recorded before). Never on a NONE entry: it is never reached through the platform."""
        entry = await self._own_entry(code, published=False)
        if actor.role is not Role.PROVIDER or actor.department_code != entry.provider_code:
            raise NotPermitted(
                f"only the providing department {entry.provider_code} records how the data of "
                f"{code} is reached (谁主管，谁提供，谁负责); {actor.department_code} acts as "
                f"{actor.role.value}"
            )
        if entry.share_type is ShareType.NONE:
            raise InvalidValue(
                "share_type",
                entry.share_type.value,
                "UNCONDITIONAL or CONDITIONAL: a NONE entry shows its legal basis, never how "
                "its data is reached",
            )
        held = (await self._store.access_details([code])).get(code)
        now = self._clock()
        details = AccessDetails(
            resource_code=code,
            updated_by=actor.department_code,
            updated_at=now,
            version=1 if held is None else held.version + 1,
            interface_url=interface_url,
            credentials=credentials,
            exchange_table=exchange_table,
            download_location=download_location,
            note=note,
        )
        audit = AuditEntry(
            AuditKind.ACCESS_DETAILS,
            actor.department_code,
            "set access details",
            subject=code,
            version_before=None if held is None else held.version,
            version_after=details.version,
            detail={
                "role": actor.role.value,
                "interface": details.interface_url is not None,
                "exchange_table": details.exchange_table is not None,
                "download": details.download_location is not None,
            },
            at=now,
        )
        await self._store.put_access_details(details, None if held is None else held.version, audit)
        return details

    async def record_data_update(
        self, actor: Actor, code: str, updated_on: date, note: str | None = None
    ) -> DataUpdate:
        """The provider says the data of its entry `code` was brought up to date on
        `updated_on` (graph.sharing.data_updates), recorded with its audit record."""
        entry = await self._own_entry(code, published=False)
        now = self._clock()
        update = data_update(entry, actor, updated_on, note, now)
        audit = AuditEntry(
            AuditKind.DATA_UPDATE,
            actor.department_code,
            "record data update",
            subject=code,
            detail={"updated_on": updated_on.isoformat(), "role": actor.role.value},
            at=now,
        )
        await self._store.record_data_update(update, audit)
        return update

    async def access_for(self, viewer_department: str | None, code: str) -> AccessDetails | None:
        """The access details of entry `code` that `viewer_department` (None: anonymous) may
        see (`graph.sharing.access.visible_access`), or None. A read that shows CONDITIONAL
        details is recorded (ACCESS_READ): who read how to reach which data."""
        entry = await self._store.get(code)
        if entry is None:
            raise NotFound("resource", code)
        details = (await self._store.access_details([code])).get(code)
        now = self._clock()
        approved = False
        if (
            details is not None
            and viewer_department is not None
            and entry.share_type is ShareType.CONDITIONAL
            and viewer_department != entry.provider_code
        ):
            page = await self._store.find_share_requests(
                RequestFilter(
                    resource_code=code, requester_code=viewer_department, states=_IN_FORCE
                ),
                first=_PAGE,
            )
            approved = has_approval(page.items, viewer_department, code, beijing_date(now))
        shown = visible_access(entry, details, viewer_department, approved)
        if shown is not None and entry.share_type is ShareType.CONDITIONAL:
            await self._store.append_audit(
                [
                    AuditEntry(
                        AuditKind.ACCESS_READ,
                        viewer_department or "anonymous",
                        "read access details",
                        subject=code,
                        version_after=shown.version,
                        detail={"provider": viewer_department == entry.provider_code},
                        at=now,
                    )
                ]
            )
        return shown

    # -- supervision -------------------------------------------------------------------------
    async def overdue(self, now: datetime | None = None, limit: int = MAX_OVERDUE) -> list[Overdue]:
        """The answers, deliveries and objections of this instance past due on the Beijing day
        of `now` (default: the clock's), the longest due first, at most `limit`; provisional
        clocks counted again on the calendar in force (`graph.sharing.overdue`)."""
        day = beijing_date(now or self._clock())
        requests = await self._all_requests(RequestFilter(due_before=day), limit)
        requests += await self._all_requests(RequestFilter(provisional=True), limit)
        objections = await self._all_objections(ObjectionFilter(due_before=day), limit)
        objections += await self._all_objections(ObjectionFilter(provisional=True), limit)
        return overdue_of(requests, objections, day, self._calendar)[:limit]

    async def _all_requests(self, where: RequestFilter, limit: int) -> list[ShareRequest]:
        found: list[ShareRequest] = []
        after = None
        while len(found) < limit:
            page: Page[ShareRequest] = await self._store.find_share_requests(
                where, first=_PAGE, after=after
            )
            found += page.items
            if not page.has_next_page:
                break
            after = page.end_cursor
        return found

    async def _all_objections(self, where: ObjectionFilter, limit: int) -> list[Objection]:
        found: list[Objection] = []
        after = None
        while len(found) < limit:
            page: Page[Objection] = await self._store.find_objections(
                where, first=_PAGE, after=after
            )
            found += page.items
            if not page.has_next_page:
                break
            after = page.end_cursor
        return found
