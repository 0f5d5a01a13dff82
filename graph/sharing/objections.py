"""Objections (疑义/纠错): a report that an entry, or its data, is wrong — a pure decision.

A department that finds something wrong with an entry, or with the data it received (Sichuan
第二十四条: 对获取的共享信息有疑义或发现有明显错误的), reports it at the entry's origin, naming
what is wrong: fields of the entry (`graph.model.Resource`'s names) or ``data`` — the data
itself — and a text. On an extranet instance the public (``reporter = "public"``) may report
on an entry open to the public; nowhere else.

    REPORTED ──confirm──▶ CONFIRMED ──correct──▶ CORRECTED
        │
        └──dismiss (reasons, always)──▶ DISMISSED

The providing department alone confirms, corrects or dismisses (谁主管，谁提供，谁负责); the
reporter is told through the objection's state. An objection is open while REPORTED or
CONFIRMED, and open objections show on the entry.

The clocks, from the rulebook in force (`graph.sharing.rulebook`), only where a rule sets them:

    report_due   REPORT_OBJECTION from the day the reporter found the problem (`found_on`,
                 when given): Sichuan 第二十四条, 5 working days. Informational — a late
                 report is still taken: refusing it would leave the error in place.
    answer_due   ANSWER_OBJECTION from the day received: Sichuan 第二十四条, the provider
                 "予以处理和回复" within 10 working days — confirming (or dismissing) and
                 correcting both; it runs while the objection is open.

The article sets one provider's clock of 10 days for handling and reply, not a clock of 5
for confirming and another of 10 for correcting: the 5 days are the reporter's. Where no
rule in force sets a clock — the State Council's 2025 regulation names a correction entry
point (纠错入口) but no figure known to us, the 2016 measures none (national 第十五条: 及时) —
there is none (None): a figure is never guessed. Selecting ``sichuan`` sets both.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from graph.codes import check_credit_code, check_resource_code
from graph.dates import beijing_date
from graph.enums import LifecycleState, Role, Zone
from graph.errors import InvalidTransition, InvalidValue, NotPermitted
from graph.fields import facts_of
from graph.model import Actor, Resource
from graph.sharing.calendar import WorkingCalendar
from graph.sharing.checks import check_instant, check_text, check_version, optional_text
from graph.sharing.clocks import Due, start_clock
from graph.sharing.requests import check_request_id
from graph.sharing.rulebook import DeadlineName, Rulebook

__all__ = [
    "DATA",
    "MAX_OBJECTION_STEPS",
    "OBJECTION_LIMITS",
    "OPEN_OBJECTION",
    "PUBLIC",
    "Objection",
    "ObjectionAction",
    "ObjectionState",
    "ObjectionStep",
    "check_objection_action",
    "confirm",
    "correct",
    "dismiss",
    "next_objection_state",
    "objection_clock",
    "objection_fields",
    "report",
]

PUBLIC = "public"  # the reporter of an objection made by the public on an extranet
DATA = "data"  # what is wrong is the data itself, not a field of the entry


class ObjectionState(StrEnum):
    """疑义状态: 已反馈 / 已确认 / 已更正 / 不予采纳."""

    REPORTED = "REPORTED"
    CONFIRMED = "CONFIRMED"
    CORRECTED = "CORRECTED"
    DISMISSED = "DISMISSED"


class ObjectionAction(StrEnum):
    REPORT = "report"
    CONFIRM = "confirm"
    CORRECT = "correct"
    DISMISS = "dismiss"


S = ObjectionState
A = ObjectionAction

_TRANSITIONS: dict[ObjectionAction, tuple[frozenset[ObjectionState], ObjectionState]] = {
    A.CONFIRM: (frozenset({S.REPORTED}), S.CONFIRMED),
    A.CORRECT: (frozenset({S.CONFIRMED}), S.CORRECTED),
    A.DISMISS: (frozenset({S.REPORTED}), S.DISMISSED),
}

OPEN_OBJECTION = frozenset({S.REPORTED, S.CONFIRMED})

OBJECTION_LIMITS: dict[str, int] = {
    "text": 2000,
    "reasons": 2000,
    "correction": 2000,
    "note": 1000,
    "actor": 100,
}
MAX_OBJECTION_STEPS = 8


# An entry's bookkeeping, which no one reports as wrong: the store and the lifecycle set it.
_BOOKKEEPING = frozenset({"state", "history", "version", "origin", "updated_at"})


def objection_fields() -> frozenset[str]:
    """What an objection may name: the fields of an entry its provider writes, and ``data``."""
    return (frozenset(facts_of(Resource)) - _BOOKKEEPING) | {DATA}


@dataclass(frozen=True, slots=True)
class ObjectionStep:
    """One step of an objection: who (`actor`) did `action`, leading to `state`, at `at`."""

    action: ObjectionAction
    state: ObjectionState
    actor: str
    at: datetime
    note: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "action", ObjectionAction(self.action))
        object.__setattr__(self, "state", ObjectionState(self.state))
        limit = OBJECTION_LIMITS["actor"]
        object.__setattr__(self, "actor", check_text("actor", self.actor, limit))
        object.__setattr__(self, "at", check_instant(self.at, "at"))
        note = optional_text("note", self.note, OBJECTION_LIMITS["note"])
        object.__setattr__(self, "note", note)


def _check_fields(value: object) -> tuple[str, ...]:
    known = objection_fields()
    accepted = f"1 to {len(known)} names of the entry's fields ({', '.join(sorted(known))})"
    if isinstance(value, str) or not isinstance(value, tuple | list | frozenset | set):
        raise InvalidValue("fields", value, accepted)
    if not value or len(value) > len(known):
        raise InvalidValue("fields", f"{len(value)} fields", accepted)
    names: list[str] = []
    for i, name in enumerate(value):
        if not isinstance(name, str) or name not in known or name in names:
            raise InvalidValue(f"fields[{i}]", name, accepted + ", each once")
        names.append(name)
    return tuple(names)


@dataclass(frozen=True, slots=True)
class Objection:
    """疑义/纠错: what `reporter` (a department's code, or ``"public"``) says is wrong with the
    entry `resource_code` — `fields` and `text` — and how its provider answered: `reasons`
    for a dismissal, `correction` for what was corrected."""

    id: str
    resource_code: str
    provider_code: str
    reporter: str
    fields: tuple[str, ...]
    text: str
    state: ObjectionState
    received_at: datetime
    history: tuple[ObjectionStep, ...]
    version: int
    found_on: date | None = None
    report_due: Due | None = None
    answer_due: Due | None = None
    reasons: str | None = None
    correction: str | None = None

    def __post_init__(self) -> None:
        set_ = object.__setattr__
        set_(self, "id", check_request_id(self.id))
        set_(self, "resource_code", check_resource_code(self.resource_code, "resource_code"))
        set_(self, "provider_code", check_credit_code(self.provider_code, "provider_code"))
        if self.reporter != PUBLIC:
            set_(self, "reporter", check_credit_code(self.reporter, "reporter"))
        set_(self, "fields", _check_fields(self.fields))
        set_(self, "text", check_text("text", self.text, OBJECTION_LIMITS["text"]))
        set_(self, "state", ObjectionState(self.state))
        set_(self, "received_at", check_instant(self.received_at, "received_at"))
        set_(self, "version", check_version(self.version))
        for name in ("reasons", "correction"):
            set_(self, name, optional_text(name, getattr(self, name), OBJECTION_LIMITS[name]))
        if self.found_on is not None and (
            not isinstance(self.found_on, date) or isinstance(self.found_on, datetime)
        ):
            raise InvalidValue("found_on", self.found_on, "a date, or none")
        for name in ("report_due", "answer_due"):
            if getattr(self, name) is not None and not isinstance(getattr(self, name), Due):
                raise InvalidValue(name, getattr(self, name), "a running clock (Due), or none")
        history = self.history
        if not isinstance(history, tuple) or not all(isinstance(s, ObjectionStep) for s in history):
            raise InvalidValue("history", history, "a tuple of ObjectionStep")
        if not 1 <= len(history) <= MAX_OBJECTION_STEPS:
            raise InvalidValue(
                "history", f"{len(history)} steps", f"1 to {MAX_OBJECTION_STEPS} steps"
            )
        if history[-1].state is not self.state:
            raise InvalidValue("history", history[-1].state.value, f"a last step to {self.state}")
        if self.version != len(history):
            raise InvalidValue("version", self.version, f"{len(history)}: one per step")
        if self.state is S.DISMISSED and self.reasons is None:
            raise InvalidValue("reasons", None, "the reasons the objection is dismissed")
        if self.state is S.CORRECTED and self.correction is None:
            raise InvalidValue("correction", None, "what was corrected")

    @property
    def open(self) -> bool:
        """Whether it waits on the provider (REPORTED or CONFIRMED): shown on the entry."""
        return self.state in OPEN_OBJECTION


def next_objection_state(action: ObjectionAction, objection: Objection) -> ObjectionState:
    """The state `action` leads `objection` to, or `InvalidTransition`."""
    if action is A.REPORT:
        raise InvalidTransition(objection.id, objection.state.value, action.value, "no state")
    allowed, target = _TRANSITIONS[action]
    if objection.state not in allowed:
        raise InvalidTransition(
            objection.id, objection.state.value, action.value, " or ".join(sorted(allowed))
        )
    return target


def check_objection_action(
    actor: Actor | None, action: ObjectionAction, provider_code: str
) -> None:
    """Refuse (`NotPermitted`) `actor` (None: the public) doing `action` to an objection on an
    entry of `provider_code`. Whether the public may report there is `report`'s to decide."""
    if actor is None:
        if action is A.REPORT:
            return
        raise NotPermitted(f"only the providing department {provider_code} may {action.value}")
    if actor.role is not Role.PROVIDER:
        raise NotPermitted(
            f"{actor.department_code} acts as {actor.role.value}; objections are reported "
            "and answered by departments as themselves"
        )
    is_provider = actor.department_code == provider_code
    if action is A.REPORT and is_provider:
        raise NotPermitted(
            f"{provider_code} provides the entry: it corrects its own entry, it does not object"
        )
    if action is not A.REPORT and not is_provider:
        raise NotPermitted(
            f"only the providing department {provider_code} may {action.value} an objection "
            f"(谁主管，谁提供，谁负责); {actor.department_code} may not"
        )


def objection_clock(objection: Objection) -> Due | None:
    """The provider's clock running on `objection`: its answer while it is open."""
    return objection.answer_due if objection.open else None


def report(
    entry: Resource,
    reporter: Actor | None,
    fields: tuple[str, ...] | list[str],
    text: str,
    *,
    id: str,
    zone: Zone,
    at: datetime,
    calendar: WorkingCalendar,
    rulebook: Rulebook,
    found_on: date | None = None,
) -> Objection:
    """The objection `reporter` (None: the public) makes on `entry`, held at an instance of
    `zone`, received `at`."""
    check_objection_action(reporter, A.REPORT, entry.provider_code)
    if entry.state is not LifecycleState.PUBLISHED:
        raise InvalidValue("resource_code", entry.code, "a published entry")
    if reporter is None and (zone is not Zone.EXTRANET or not entry.open_to_public):
        raise NotPermitted(
            f"the public reports on entries open to the public on an extranet only; {entry.code} "
            + ("is not open to the public" if zone is Zone.EXTRANET else "is on an intranet")
        )
    at = check_instant(at, "at")
    if found_on is not None and found_on > beijing_date(at):
        raise InvalidValue(
            "found_on", found_on, f"a day no later than the day received, {beijing_date(at)}"
        )
    who = PUBLIC if reporter is None else reporter.department_code
    return Objection(
        id=id,
        resource_code=entry.code,
        provider_code=entry.provider_code,
        reporter=who,
        fields=tuple(fields),
        text=text,
        state=S.REPORTED,
        received_at=at,
        history=(ObjectionStep(A.REPORT, S.REPORTED, who, at),),
        version=1,
        found_on=found_on,
        report_due=(
            None
            if found_on is None
            else start_clock(rulebook.deadline(DeadlineName.REPORT_OBJECTION), found_on, calendar)
        ),
        answer_due=start_clock(rulebook.deadline(DeadlineName.ANSWER_OBJECTION), at, calendar),
    )


def _step(
    objection: Objection,
    actor: Actor,
    action: ObjectionAction,
    at: datetime,
    note: str | None = None,
    **changes: str,
) -> Objection:
    check_objection_action(actor, action, objection.provider_code)
    state = next_objection_state(action, objection)
    step = ObjectionStep(action, state, actor.department_code, at, note)
    return dataclasses.replace(
        objection,
        state=state,
        history=(*objection.history, step),
        version=objection.version + 1,
        **changes,  # type: ignore[arg-type]
    )


def confirm(objection: Objection, actor: Actor, at: datetime, note: str | None = None) -> Objection:
    """The provider confirms something is wrong; it corrects it next."""
    return _step(objection, actor, A.CONFIRM, at, note)


def correct(objection: Objection, actor: Actor, at: datetime, correction: str) -> Objection:
    """The provider has corrected what was wrong (`correction`: what it changed)."""
    check_objection_action(actor, A.CORRECT, objection.provider_code)
    next_objection_state(A.CORRECT, objection)
    written = check_text("correction", correction, OBJECTION_LIMITS["correction"])
    return _step(objection, actor, A.CORRECT, at, correction=written)


def dismiss(objection: Objection, actor: Actor, at: datetime, reasons: str | None) -> Objection:
    """The provider finds nothing wrong, stating its `reasons` (refused without them)."""
    check_objection_action(actor, A.DISMISS, objection.provider_code)
    next_objection_state(A.DISMISS, objection)
    if reasons is None or not reasons.strip():
        raise InvalidValue("reasons", reasons, "the reasons the objection is dismissed")
    written = check_text("reasons", reasons, OBJECTION_LIMITS["reasons"])
    return _step(objection, actor, A.DISMISS, at, reasons=written)
