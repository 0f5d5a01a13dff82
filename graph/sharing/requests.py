"""Share requests (共享申请) and their answers: a pure decision, no storage.

A department (the requester, 需求部门/使用部门) asks for one published entry — its purpose (用途),
scenario (应用场景), the items it needs, a share mode the entry offers and a period — and the
request lives at the entry's origin instance, whichever instance it was asked from. The
providing department answers it.

    SUBMITTED ──approve──▶ APPROVED ──deliver──▶ DELIVERED ──close──▶ CLOSED
        │                   ▲    ▲
      refuse          approve    overturn
        ▼                   │    │
     REFUSED ──dispute──▶ DISPUTED ──escalate──▶ ESCALATED ──uphold──▶ UPHELD
     (reasons, always)   (negotiation)           (the coordinator)    (the refusal stands)

    withdraw (the requester): SUBMITTED | APPROVED | DISPUTED | ESCALATED ──▶ WITHDRAWN

Who acts (a department acts as itself, role PROVIDER):

    submit                 any department but the entry's provider
    approve, refuse,
      deliver              the providing department (谁主管，谁提供，谁负责)
    withdraw, dispute      the requester
    escalate, close        the requester or the provider (negotiation failed / data received)
    uphold, overturn       the coordinator: the instance's REVIEWER — the same-level 主管部门
                           that reviews and publishes the catalog also coordinates disputes
                           (national 第十二条; Sichuan 第二十五条) — never a party to the request
    anyone else            refused; the sync, the administrator and the auditor never act

The rules of submission (`submit`):

- Only a PUBLISHED entry is requested. The share mode is one the entry offers (a NONE entry
  offers none: any is taken, for the negotiation that may follow); the items are
  names of the entry's items, at least one when it has any (Kunming 第二十五条: a request states
  its purpose and the items it asks for). The period ends no earlier than the day received.
- The request is decided under the most restrictive share type of what it asks for — each
  item's own, else the entry's — so a request for the base items of a base resource is
  UNCONDITIONAL (national 第十条(二)):
      UNCONDITIONAL  approved at once by the instance, without a person (the actor is the
                     instance's catalog id); its answer clock (1 working day, the 2025
                     regulation) is met on the day, the delivery clock starts.
      CONDITIONAL    SUBMITTED; answered within 10 working days (national 第十二条; Sichuan
                     第二十三条; Kunming 第二十五条), a refusal with written reasons.
      NONE           refused at once by the instance, the entry's legal basis quoted
                     (national 第十条(一)); the requester may still dispute it (national 第十二条:
                     what is not shared, a department that needs it negotiates).
- A refusal always states its reasons: without them it is refused (`InvalidValue`, field
  ``reasons``) — national 第十二条, the 2025 regulation's written reasons.
- An approval's terms default to the condition the entry publishes; the published condition is
  kept on the request beside them (the 2025 regulation: no condition beyond the published one).
- Data is delivered within 20 working days of approval (the 2025 regulation), counted from the
  approval — or from the coordinator's overturning, or the negotiated approval.
- A dispute runs a clock only where the operator's rule sets one (no regulation gives a figure:
  `graph.sharing.rulebook.OPERATOR_DEADLINES`): `negotiation_due` counts NEGOTIATE_DISPUTE
  from the dispute and runs while DISPUTED, `decision_due` counts DECIDE_DISPUTE from the
  escalation and runs while ESCALATED; the negotiation is owed by the provider, the decision
  by the coordinator.

Every request is bounded: texts by `LIMITS`, at most `MAX_ITEMS` items, a period of at most
`MAX_PERIOD_DAYS`. Each step adds one `RequestStep` to the history and one to the version,
so ``version == len(history)``: the audit log records each step with its versions.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from graph.codes import check_credit_code, check_resource_code
from graph.dates import beijing_date
from graph.enums import LifecycleState, Role, ShareMode, ShareType
from graph.errors import InvalidTransition, InvalidValue, NotPermitted
from graph.model import Actor, Resource, parse_catalog_id
from graph.sharing.calendar import WorkingCalendar
from graph.sharing.checks import check_instant, check_text, check_version, optional_text
from graph.sharing.clocks import Due, start_clock
from graph.sharing.rulebook import DeadlineName, Rulebook

__all__ = [
    "LIMITS",
    "MAX_ITEMS",
    "MAX_PERIOD_DAYS",
    "MAX_STEPS",
    "Application",
    "RequestAction",
    "RequestState",
    "RequestStep",
    "ShareRequest",
    "approve",
    "check_request_action",
    "check_request_id",
    "close",
    "decide",
    "deliver",
    "dispute",
    "escalate",
    "next_request_state",
    "pending_clock",
    "refuse",
    "submit",
    "withdraw",
]


class RequestState(StrEnum):
    """共享申请状态: 已提交 / 已同意 / 不予共享 / 已提供 / 已办结 / 已撤回 / 协商中 / 已提请协调 /
    维持不予共享."""

    SUBMITTED = "SUBMITTED"
    APPROVED = "APPROVED"
    REFUSED = "REFUSED"
    DELIVERED = "DELIVERED"
    CLOSED = "CLOSED"
    WITHDRAWN = "WITHDRAWN"
    DISPUTED = "DISPUTED"  # negotiation between requester and provider
    ESCALATED = "ESCALATED"  # with the platform's coordinator
    UPHELD = "UPHELD"  # the coordinator let the refusal stand


class RequestAction(StrEnum):
    SUBMIT = "submit"
    APPROVE = "approve"
    REFUSE = "refuse"
    DELIVER = "deliver"
    CLOSE = "close"
    WITHDRAW = "withdraw"
    DISPUTE = "dispute"
    ESCALATE = "escalate"
    UPHOLD = "uphold"
    OVERTURN = "overturn"


S = RequestState
A = RequestAction

# action → (states it is allowed from, the state it leads to)
_TRANSITIONS: dict[RequestAction, tuple[frozenset[RequestState], RequestState]] = {
    A.APPROVE: (frozenset({S.SUBMITTED, S.DISPUTED}), S.APPROVED),
    A.REFUSE: (frozenset({S.SUBMITTED}), S.REFUSED),
    A.DELIVER: (frozenset({S.APPROVED}), S.DELIVERED),
    A.CLOSE: (frozenset({S.DELIVERED}), S.CLOSED),
    A.WITHDRAW: (frozenset({S.SUBMITTED, S.APPROVED, S.DISPUTED, S.ESCALATED}), S.WITHDRAWN),
    A.DISPUTE: (frozenset({S.REFUSED}), S.DISPUTED),
    A.ESCALATE: (frozenset({S.DISPUTED}), S.ESCALATED),
    A.UPHOLD: (frozenset({S.ESCALATED}), S.UPHELD),
    A.OVERTURN: (frozenset({S.ESCALATED}), S.APPROVED),
}

_BY_PROVIDER = frozenset({A.APPROVE, A.REFUSE, A.DELIVER})
_BY_REQUESTER = frozenset({A.WITHDRAW, A.DISPUTE})
_BY_EITHER = frozenset({A.CLOSE, A.ESCALATE})
_BY_COORDINATOR = frozenset({A.UPHOLD, A.OVERTURN})

# The longest text of each field (characters).
LIMITS: dict[str, int] = {
    "purpose": 1000,
    "scenario": 2000,
    "item": 200,  # an item's name (graph.model.DataItem.name)
    "terms": 4000,
    "condition": 2000,  # the entry's published share condition
    "reasons": 4000,  # room for the legal basis quoted whole (2,000) and its citation
    "delivery_note": 2000,
    "grounds": 2000,
    "decision": 4000,
    "note": 1000,
    "actor": 100,
}
MAX_ITEMS = 5000  # an entry's items (graph.model.Resource.items)
# A bound, not a rule of the regulations: a request names a period, and nothing is shared for
# ever; ten years is longer than any project's.
MAX_PERIOD_DAYS = 3653
# The longest path through the states is seven steps; the bound leaves room.
MAX_STEPS = 16

_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:/-]{0,99}$")
_OPEN_DISPUTE = frozenset({S.DISPUTED, S.ESCALATED, S.UPHELD})
_HAS_TERMS = frozenset({S.APPROVED, S.DELIVERED, S.CLOSED})
_REFUSED = frozenset({S.REFUSED}) | _OPEN_DISPUTE
_RESTRICTIVENESS = (ShareType.UNCONDITIONAL, ShareType.CONDITIONAL, ShareType.NONE)

_NATIONAL_10 = "《政务信息资源共享管理暂行办法》(国发〔2016〕51号) 第十条(一)"


def check_request_id(value: object, field: str = "id") -> str:
    """A request's or objection's id: 1–100 letters, digits and ``._:/-`` (a UUID, say)."""
    if not isinstance(value, str) or not _ID.match(value):
        raise InvalidValue(field, value, "1 to 100 letters, digits and ._:/- (a UUID, say)")
    return value


@dataclass(frozen=True, slots=True)
class RequestStep:
    """One step of a request: who (`actor`: a department's code, or the instance's catalog id
    for what it decides on its own) did `action`, leading to `state`, at `at`."""

    action: RequestAction
    state: RequestState
    actor: str
    at: datetime
    note: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "action", RequestAction(self.action))
        object.__setattr__(self, "state", RequestState(self.state))
        object.__setattr__(self, "actor", check_text("actor", self.actor, LIMITS["actor"]))
        object.__setattr__(self, "at", check_instant(self.at, "at"))
        object.__setattr__(self, "note", optional_text("note", self.note, LIMITS["note"]))


def _check_items(field: str, items: object) -> tuple[str, ...]:
    if isinstance(items, str) or not isinstance(items, tuple | list | frozenset | set):
        raise InvalidValue(field, items, f"a list of item names, at most {MAX_ITEMS}")
    if len(items) > MAX_ITEMS:
        raise InvalidValue(field, f"{len(items)} items", f"at most {MAX_ITEMS} items")
    names = tuple(check_text(f"{field}[{i}]", name, LIMITS["item"]) for i, name in enumerate(items))
    seen: set[str] = set()
    for i, name in enumerate(names):
        if name in seen:
            raise InvalidValue(f"{field}[{i}]", name, "each item named once")
        seen.add(name)
    return names


def _check_date(field: str, value: object) -> date:
    if not isinstance(value, date) or isinstance(value, datetime):
        raise InvalidValue(field, value, "a date")
    return value


def _check_period(start_value: object, end_value: object) -> None:
    start = _check_date("period_start", start_value)
    end = _check_date("period_end", end_value)
    if end < start:
        raise InvalidValue("period_end", end.isoformat(), f"on or after {start.isoformat()}")
    if (end - start).days > MAX_PERIOD_DAYS:
        raise InvalidValue(
            "period_end", end.isoformat(), f"at most {MAX_PERIOD_DAYS} days after the start"
        )


@dataclass(frozen=True, slots=True)
class Application:
    """What a requester asks for: one entry, why (`purpose` 用途, `scenario` 应用场景), which
    `items`, by which `share_mode`, for which period (Beijing dates, both included)."""

    resource_code: str
    purpose: str
    scenario: str
    items: tuple[str, ...]
    share_mode: ShareMode
    period_start: date
    period_end: date

    def __post_init__(self) -> None:
        object.__setattr__(self, "resource_code", check_resource_code(self.resource_code))
        object.__setattr__(self, "purpose", check_text("purpose", self.purpose, LIMITS["purpose"]))
        object.__setattr__(
            self, "scenario", check_text("scenario", self.scenario, LIMITS["scenario"])
        )
        object.__setattr__(self, "items", _check_items("items", self.items))
        try:
            object.__setattr__(self, "share_mode", ShareMode(self.share_mode))
        except ValueError:
            raise InvalidValue(
                "share_mode", self.share_mode, "one of " + ", ".join(ShareMode)
            ) from None
        _check_period(self.period_start, self.period_end)


@dataclass(frozen=True, slots=True)
class ShareRequest:
    """共享申请: a department's request for one entry, held at the entry's origin.

    `share_type` is what it was decided under (the most restrictive of what it asks for);
    `condition` the entry's published share condition when it was made. `answer_due` and
    `delivery_due` are its clocks (`graph.sharing.clocks.Due`; None where no regulation in
    force sets one), `negotiation_due` and `decision_due` those of a dispute (None where the
    operator sets none). `grounds` are the requester's in a dispute, `decision` the coordinator's.
    """

    id: str
    resource_code: str
    provider_code: str
    requester_code: str
    requested_from: str  # the catalog id of the instance the requester asked from
    purpose: str
    scenario: str
    items: tuple[str, ...]
    share_mode: ShareMode
    period_start: date
    period_end: date
    share_type: ShareType
    state: RequestState
    received_at: datetime
    history: tuple[RequestStep, ...]
    version: int
    condition: str | None = None
    answer_due: Due | None = None
    delivery_due: Due | None = None
    negotiation_due: Due | None = None
    decision_due: Due | None = None
    terms: str | None = None
    reasons: str | None = None
    delivery_note: str | None = None
    grounds: str | None = None
    decision: str | None = None

    def __post_init__(self) -> None:
        set_ = object.__setattr__
        set_(self, "id", check_request_id(self.id))
        set_(self, "resource_code", check_resource_code(self.resource_code, "resource_code"))
        set_(self, "provider_code", check_credit_code(self.provider_code, "provider_code"))
        set_(self, "requester_code", check_credit_code(self.requester_code, "requester_code"))
        parse_catalog_id(self.requested_from, "requested_from")
        set_(self, "purpose", check_text("purpose", self.purpose, LIMITS["purpose"]))
        set_(self, "scenario", check_text("scenario", self.scenario, LIMITS["scenario"]))
        set_(self, "items", _check_items("items", self.items))
        set_(self, "share_mode", ShareMode(self.share_mode))
        _check_period(self.period_start, self.period_end)
        set_(self, "share_type", ShareType(self.share_type))
        set_(self, "state", RequestState(self.state))
        set_(self, "received_at", check_instant(self.received_at, "received_at"))
        set_(self, "version", check_version(self.version))
        for name in ("condition", "terms", "reasons", "delivery_note", "grounds", "decision"):
            set_(self, name, optional_text(name, getattr(self, name), LIMITS[name]))
        for name in ("answer_due", "delivery_due", "negotiation_due", "decision_due"):
            if getattr(self, name) is not None and not isinstance(getattr(self, name), Due):
                raise InvalidValue(name, getattr(self, name), "a running clock (Due), or none")
        self._check_history()
        if self.state in _REFUSED and self.reasons is None:
            raise InvalidValue(
                "reasons",
                None,
                "the reasons of the refusal, in writing: a refusal always states them",
                rule="national 第十二条",
            )
        if self.state in _OPEN_DISPUTE and self.grounds is None:
            raise InvalidValue("grounds", None, "the requester's grounds of the dispute")
        if self.state is S.UPHELD and self.decision is None:
            raise InvalidValue("decision", None, "the coordinator's decision")
        if self.state in _HAS_TERMS and self.terms is None:
            raise InvalidValue("terms", None, "the terms an approval sets")

    def _check_history(self) -> None:
        history = self.history
        if not isinstance(history, tuple) or not all(isinstance(s, RequestStep) for s in history):
            raise InvalidValue("history", history, "a tuple of RequestStep")
        if not 1 <= len(history) <= MAX_STEPS:
            raise InvalidValue("history", f"{len(history)} steps", f"1 to {MAX_STEPS} steps")
        if history[0].action is not A.SUBMIT:
            raise InvalidValue("history[0].action", history[0].action.value, "submit")
        if history[-1].state is not self.state:
            raise InvalidValue(
                "history", history[-1].state.value, f"a last step leading to {self.state.value}"
            )
        if self.version != len(history):
            raise InvalidValue(
                "version", self.version, f"{len(history)}: one version per step of the history"
            )

    @property
    def parties(self) -> tuple[str, str]:
        """(requester, provider)."""
        return self.requester_code, self.provider_code


def next_request_state(action: RequestAction, request: ShareRequest) -> RequestState:
    """The state `action` leads `request` to, or `InvalidTransition`."""
    if action is A.SUBMIT:
        raise InvalidTransition(request.id, request.state.value, action.value, "no state")
    allowed, target = _TRANSITIONS[action]
    if request.state not in allowed:
        raise InvalidTransition(
            request.id, request.state.value, action.value, " or ".join(sorted(allowed))
        )
    return target


def check_request_action(
    actor: Actor, action: RequestAction, provider_code: str, requester_code: str | None
) -> None:
    """Refuse (`NotPermitted`) `actor` doing `action` to a request of `requester_code` for an
    entry of `provider_code` (None: the request is not made yet)."""
    code, role = actor.department_code, actor.role
    if role in (Role.SYNC, Role.ADMINISTRATOR, Role.AUDITOR):
        raise NotPermitted(
            f"{code} acts as {role.value}, which never acts on share requests: a department "
            "requests and answers, the reviewer coordinates disputes"
        )
    if action in _BY_COORDINATOR:
        if role is not Role.REVIEWER:
            raise NotPermitted(
                f"only the platform's coordinator (the instance's REVIEWER) may {action.value} "
                f"a refusal in dispute (national 第十二条; Sichuan 第二十五条); {code} acts as "
                f"{role.value}"
            )
        if code in (provider_code, requester_code):
            raise NotPermitted(
                f"{code} is a party to the dispute and may not decide it as coordinator"
            )
        return
    if role is not Role.PROVIDER:
        raise NotPermitted(
            f"{code} acts as {role.value}; a department requests and answers as itself, "
            "the reviewer only coordinates disputes"
        )
    if action is A.SUBMIT:
        if code == provider_code:
            raise NotPermitted(f"{code} provides the entry: a department does not request its own")
        return
    allowed = (
        {provider_code}
        if action in _BY_PROVIDER
        else {requester_code}
        if action in _BY_REQUESTER
        else {provider_code, requester_code}
    )
    if code not in allowed:
        who = (
            f"the providing department {provider_code} (谁主管，谁提供，谁负责)"
            if action in _BY_PROVIDER
            else f"the requester {requester_code}"
            if action in _BY_REQUESTER
            else f"the requester {requester_code} or the provider {provider_code}"
        )
        raise NotPermitted(f"only {who} may {action.value} this request; {code} may not")


def pending_clock(request: ShareRequest) -> Due | None:
    """The clock running on `request`: its answer while SUBMITTED, its delivery while APPROVED,
    the negotiation while DISPUTED and the coordinator's decision while ESCALATED (where the
    operator's rule sets those); none otherwise."""
    if request.state is S.SUBMITTED:
        return request.answer_due
    if request.state is S.APPROVED:
        return request.delivery_due
    if request.state is S.DISPUTED:
        return request.negotiation_due
    if request.state is S.ESCALATED:
        return request.decision_due
    return None


def _share_type_asked(entry: Resource, items: tuple[str, ...]) -> ShareType:
    if not items:
        return entry.share_type
    by_name = {item.name: item for item in entry.items}
    types = {by_name[name].share_type or entry.share_type for name in items}
    return max(types, key=_RESTRICTIVENESS.index)


def _check_application(entry: Resource, application: Application, today: date) -> None:
    code = entry.code
    if application.resource_code != code:
        raise InvalidValue("resource_code", application.resource_code, f"{code}")
    if entry.state is not LifecycleState.PUBLISHED:
        raise InvalidValue(
            "resource_code", code, "a published entry: only published entries are shared"
        )
    # A NONE entry offers no share mode (graph.rules): the mode asked for is what the requester
    # would need, for the negotiation that may follow its refusal.
    if entry.share_type is not ShareType.NONE and application.share_mode not in entry.share_modes:
        offered = ", ".join(sorted(entry.share_modes)) or "none"
        raise InvalidValue(
            "share_mode", application.share_mode.value, f"a share mode {code} offers: {offered}"
        )
    names = [item.name for item in entry.items]
    if names and not application.items:
        raise InvalidValue(
            "items",
            [],
            f"at least one of the items of {code} (Kunming 第二十五条: a request names the "
            "items it asks for)",
        )
    known = set(names)
    for i, name in enumerate(application.items):
        if name not in known:
            shown = ", ".join(names[:20]) + (" …" if len(names) > 20 else "")
            raise InvalidValue(f"items[{i}]", name, f"an item of {code}: {shown or 'it has none'}")
    if application.period_end < today:
        raise InvalidValue(
            "period_end",
            application.period_end.isoformat(),
            f"a date no earlier than the day received, {today.isoformat()}",
        )


def submit(
    entry: Resource,
    requester: Actor,
    application: Application,
    *,
    id: str,
    requested_from: str,
    instance: str,
    at: datetime,
    calendar: WorkingCalendar,
    rulebook: Rulebook,
) -> ShareRequest:
    """The request `requester` makes for `entry` (held at its origin, `instance`), received
    `at`: SUBMITTED, or decided at once by the instance (the module's rules)."""
    check_request_action(requester, A.SUBMIT, entry.provider_code, None)
    at = check_instant(at, "at")
    _check_application(entry, application, beijing_date(at))
    share_type = _share_type_asked(entry, application.items)
    answer = (
        DeadlineName.ANSWER_UNCONDITIONAL
        if share_type is ShareType.UNCONDITIONAL
        else DeadlineName.ANSWER_CONDITIONAL
    )
    request = ShareRequest(
        id=id,
        resource_code=entry.code,
        provider_code=entry.provider_code,
        requester_code=requester.department_code,
        requested_from=requested_from,
        purpose=application.purpose,
        scenario=application.scenario,
        items=application.items,
        share_mode=application.share_mode,
        period_start=application.period_start,
        period_end=application.period_end,
        share_type=share_type,
        condition=entry.share_condition,
        state=S.SUBMITTED,
        received_at=at,
        history=(RequestStep(A.SUBMIT, S.SUBMITTED, requester.department_code, at),),
        version=1,
        answer_due=(
            None
            if share_type is ShareType.NONE
            else start_clock(rulebook.deadline(answer), at, calendar)
        ),
    )
    if share_type is ShareType.UNCONDITIONAL:
        terms = "无条件共享 (UNCONDITIONAL): shared without conditions (national 第十二条)"
        return _approved(request, instance, A.APPROVE, at, terms, calendar, rulebook)
    if share_type is ShareType.NONE:
        reasons = (
            f"不予共享 (NONE): {entry.code} is not shared, on the legal basis it names "
            f"({_NATIONAL_10}): {entry.legal_basis or '(none recorded)'}"
        )
        return _step(
            request, instance, A.REFUSE, S.REFUSED, at, reasons=reasons[: LIMITS["reasons"]]
        )
    return request


def _step(
    request: ShareRequest,
    actor: str,
    action: RequestAction,
    state: RequestState,
    at: datetime,
    note: str | None = None,
    **changes: object,
) -> ShareRequest:
    step = RequestStep(action, state, actor, at, note)
    return dataclasses.replace(
        request,
        state=state,
        history=(*request.history, step),
        version=request.version + 1,
        **changes,  # type: ignore[arg-type]
    )


def _approved(
    request: ShareRequest,
    actor: str,
    action: RequestAction,
    at: datetime,
    terms: str,
    calendar: WorkingCalendar,
    rulebook: Rulebook,
    note: str | None = None,
    **changes: object,
) -> ShareRequest:
    delivery = start_clock(rulebook.deadline(DeadlineName.DELIVER_DATA), at, calendar)
    return _step(
        request, actor, action, S.APPROVED, at, note, terms=terms, delivery_due=delivery, **changes
    )


def _acted(request: ShareRequest, actor: Actor, action: RequestAction) -> RequestState:
    check_request_action(actor, action, request.provider_code, request.requester_code)
    return next_request_state(action, request)


def approve(
    request: ShareRequest,
    actor: Actor,
    at: datetime,
    calendar: WorkingCalendar,
    rulebook: Rulebook,
    terms: str | None = None,
    note: str | None = None,
) -> ShareRequest:
    """The provider approves (a SUBMITTED request, or one DISPUTED once negotiation agreed),
    on `terms` — by default the condition the entry publishes."""
    _acted(request, actor, A.APPROVE)
    chosen = optional_text("terms", terms, LIMITS["terms"]) or request.condition
    if chosen is None:
        chosen = "as published on the entry"
    return _approved(
        request,
        actor.department_code,
        A.APPROVE,
        check_instant(at, "at"),
        chosen,
        calendar,
        rulebook,
        note,
    )


def refuse(request: ShareRequest, actor: Actor, at: datetime, reasons: str | None) -> ShareRequest:
    """The provider refuses, stating its `reasons` (refused without them)."""
    state = _acted(request, actor, A.REFUSE)
    if reasons is None or (isinstance(reasons, str) and not reasons.strip()):
        raise InvalidValue(
            "reasons",
            reasons,
            "the reasons of the refusal, in writing (不予共享的，应说明理由)",
            rule="national 第十二条",
        )
    written = check_text("reasons", reasons, LIMITS["reasons"])
    return _step(request, actor.department_code, A.REFUSE, state, at, reasons=written)


def deliver(request: ShareRequest, actor: Actor, at: datetime, note: str | None) -> ShareRequest:
    """The provider has delivered the data (`note`: how, where)."""
    state = _acted(request, actor, A.DELIVER)
    written = optional_text("delivery_note", note, LIMITS["delivery_note"])
    return _step(request, actor.department_code, A.DELIVER, state, at, delivery_note=written)


def close(
    request: ShareRequest, actor: Actor, at: datetime, note: str | None = None
) -> ShareRequest:
    state = _acted(request, actor, A.CLOSE)
    return _step(request, actor.department_code, A.CLOSE, state, at, note)


def withdraw(
    request: ShareRequest, actor: Actor, at: datetime, note: str | None = None
) -> ShareRequest:
    state = _acted(request, actor, A.WITHDRAW)
    return _step(request, actor.department_code, A.WITHDRAW, state, at, note)


def dispute(
    request: ShareRequest,
    actor: Actor,
    at: datetime,
    grounds: str,
    calendar: WorkingCalendar,
    rulebook: Rulebook,
) -> ShareRequest:
    """The requester disputes the refusal (`grounds`): negotiation with the provider begins,
    on the operator's NEGOTIATE_DISPUTE clock where it sets one."""
    state = _acted(request, actor, A.DISPUTE)
    written = check_text("grounds", grounds, LIMITS["grounds"])
    at = check_instant(at, "at")
    clock = start_clock(rulebook.deadline(DeadlineName.NEGOTIATE_DISPUTE), at, calendar)
    return _step(
        request, actor.department_code, A.DISPUTE, state, at, grounds=written, negotiation_due=clock
    )


def escalate(
    request: ShareRequest,
    actor: Actor,
    at: datetime,
    calendar: WorkingCalendar,
    rulebook: Rulebook,
    note: str | None = None,
) -> ShareRequest:
    """Negotiation failed: either party takes the dispute to the coordinator, on the
    operator's DECIDE_DISPUTE clock where it sets one."""
    state = _acted(request, actor, A.ESCALATE)
    at = check_instant(at, "at")
    clock = start_clock(rulebook.deadline(DeadlineName.DECIDE_DISPUTE), at, calendar)
    return _step(request, actor.department_code, A.ESCALATE, state, at, note, decision_due=clock)


def decide(
    request: ShareRequest,
    actor: Actor,
    at: datetime,
    calendar: WorkingCalendar,
    rulebook: Rulebook,
    *,
    overturn: bool,
    decision: str,
    terms: str | None = None,
) -> ShareRequest:
    """The coordinator decides an ESCALATED dispute: the refusal stands (UPHELD), or it is
    overturned and the request APPROVED on `terms` (default: the published condition), its
    delivery clock starting now."""
    action = A.OVERTURN if overturn else A.UPHOLD
    state = _acted(request, actor, action)
    written = check_text("decision", decision, LIMITS["decision"])
    if not overturn:
        return _step(request, actor.department_code, action, state, at, decision=written)
    chosen = optional_text("terms", terms, LIMITS["terms"]) or request.condition
    return _approved(
        request,
        actor.department_code,
        action,
        check_instant(at, "at"),
        chosen or "as published on the entry",
        calendar,
        rulebook,
        decision=written,
    )
