"""The rulebook (规则): the deadlines and rules in force at an instance, each with its article.

One place holds every figure the regulations set, as data with its source, never hard-wired
where it is used: the State Council's 2025 regulation is known to us from summaries only, so
its figures may be corrected here, and an instance may select the 2016 measures instead.

A rulebook is a base and the local rule sets selected on top of it:

    base                 STATE_COUNCIL_2025 (default) | MEASURES_2016
    local, any of        SICHUAN | KUNMING

    deadline (工作日)         STATE_COUNCIL_2025       MEASURES_2016      SICHUAN    KUNMING
    answer_unconditional     1   《条例》               —
    answer_conditional      10   《条例》              10  第十二条
    deliver_data            20   《条例》 (approval)    —
    update_catalog          15   2016 第八条 (*)        15  第八条
    report_objection                                                     5 第二十四条
    answer_objection                                                    10 第二十四条
    update_data                                                                    5 第十八条
    negotiate_dispute, decide_dispute: no regulation sets a figure — only the operator's own
                             rule (`with_operator`), cited as such; none where it sets none


    rule                     refusal_reasons (both bases), no_extra_conditions (2025),
                             legal_basis_for_conditional (KUNMING 第十二、十三条: a write rule)

    (*) the 2016 measures' figure: the 2025 regulation's is not known to us; kept until checked.

Where a local set names a deadline the base (or another local set) has too, the shorter binds
— meeting it meets both — and both are cited. A write rule (`Rule.check`) is applied by
`Rulebook.check_entry` to the instance's own entries when they are created or updated
(`graph.Cataloguing`); copies from other instances follow their origin's rules and are never
checked against this one's.

    rulebook = rulebook_named("state-council-2025", ["sichuan"])
    rulebook.deadline(DeadlineName.ANSWER_OBJECTION).working_days  # 10
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from functools import lru_cache

from graph.enums import ShareType
from graph.errors import InvalidValue
from graph.model import Resource
from graph.sharing.calendar import Day, WorkingCalendar, WorkingDate

__all__ = [
    "KUNMING",
    "LOCAL_RULES",
    "MEASURES_2016",
    "OPERATOR_DEADLINES",
    "RULEBOOKS",
    "SICHUAN",
    "STATE_COUNCIL_2025",
    "Deadline",
    "DeadlineName",
    "EntryCheck",
    "LocalRules",
    "Rule",
    "RuleName",
    "Rulebook",
    "rulebook_named",
]

EntryCheck = Callable[[Resource, str], None]  # (the entry, the rule's citation): raises


class DeadlineName(StrEnum):
    """The clocks the regulations set, each counted in working days."""

    ANSWER_UNCONDITIONAL = "answer_unconditional"  # 答复无条件共享申请
    ANSWER_CONDITIONAL = "answer_conditional"  # 答复有条件共享申请
    DELIVER_DATA = "deliver_data"  # 提供数据 (after approval)
    UPDATE_CATALOG = "update_catalog"  # 更新目录 (after a legal or functional change)
    UPDATE_DATA = "update_data"  # 更新数据 (after the data changes)
    REPORT_OBJECTION = "report_objection"  # 反馈疑义 (after finding it)
    ANSWER_OBJECTION = "answer_objection"  # 处理和回复疑义
    NEGOTIATE_DISPUTE = "negotiate_dispute"  # 协商解决 (after the requester disputes a refusal)
    DECIDE_DISPUTE = "decide_dispute"  # 协调处理 (after the dispute is escalated)


# Clocks the regulations name (协商解决, 协调解决: national 第十二条; Sichuan 第二十五条) but
# give no figure for: only an operator's own rule sets them (`Rulebook.with_operator`).
OPERATOR_DEADLINES: Mapping[DeadlineName, str] = {
    DeadlineName.NEGOTIATE_DISPUTE: "the requester disputes the refusal",
    DeadlineName.DECIDE_DISPUTE: "the dispute is escalated to the coordinator",
}


class RuleName(StrEnum):
    """The rules without a clock."""

    REFUSAL_REASONS = "refusal_reasons"  # 不予共享的，应说明理由
    NO_EXTRA_CONDITIONS = "no_extra_conditions"  # 不得擅自增设条件
    LEGAL_BASIS_FOR_CONDITIONAL = "legal_basis_for_conditional"  # 有条件共享须有依据


@dataclass(frozen=True, slots=True)
class Deadline:
    """A time limit of `working_days` working days from `counted_from`, and its `source`."""

    name: DeadlineName
    working_days: int
    counted_from: str
    source: str
    note: str = ""

    def due(self, start: Day, calendar: WorkingCalendar) -> WorkingDate:
        """The last day allowed when the clock starts on `start` (day 0)."""
        return calendar.add_working_days(start, self.working_days)


@dataclass(frozen=True, slots=True)
class Rule:
    """A rule without a clock and its `source`; `check`, when set, is a write rule on entries."""

    name: RuleName
    text: str
    source: str
    check: EntryCheck | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class LocalRules:
    """A local rule set (a province's or a city's), selectable on top of a base rulebook."""

    key: str
    title: str
    deadlines: tuple[Deadline, ...] = ()
    rules: tuple[Rule, ...] = ()


@dataclass(frozen=True, slots=True)
class Rulebook:
    """The deadlines and rules in force at an instance: a base and its local rule sets."""

    key: str
    title: str
    deadlines: tuple[Deadline, ...]
    rules: tuple[Rule, ...]
    local: tuple[str, ...] = ()

    def deadline(self, name: DeadlineName) -> Deadline | None:
        """The deadline `name` in force; None where no regulation in force sets one."""
        return next((d for d in self.deadlines if d.name is name), None)

    def rule(self, name: RuleName) -> Rule | None:
        """The rule `name` in force; None where none of the regulations in force sets it."""
        return next((r for r in self.rules if r.name is name), None)

    def with_local(self, *local: LocalRules) -> Rulebook:
        """This rulebook with `local` rule sets on top (a shorter deadline binds; both cited)."""
        deadlines = {d.name: d for d in self.deadlines}
        rules = {r.name: r for r in self.rules}
        keys = list(self.local)
        for one in local:
            if one.key in keys:
                raise ValueError(f"local rules {one.key!r} are selected twice; name them once")
            keys.append(one.key)
            for deadline in one.deadlines:
                held = deadlines.get(deadline.name)
                deadlines[deadline.name] = deadline if held is None else _binding(held, deadline)
            for rule in one.rules:
                held_rule = rules.get(rule.name)
                rules[rule.name] = (
                    rule
                    if held_rule is None
                    else Rule(
                        rule.name,
                        held_rule.text,
                        f"{held_rule.source}; {rule.source}",
                        held_rule.check or rule.check,
                    )
                )
        order = list(DeadlineName)
        return Rulebook(
            self.key,
            self.title,
            tuple(sorted(deadlines.values(), key=lambda d: order.index(d.name))),
            tuple(rules.values()),
            tuple(keys),
        )

    def with_operator(self, figures: Mapping[str, int], source: str | None) -> Rulebook:
        """This rulebook with the operator's own figures (working days) for the clocks no
        regulation gives one (`OPERATOR_DEADLINES`), each cited to `source` — the operator's
        document that sets it. A figure for any other clock is refused: the regulations' own
        figures are changed by choosing a rulebook, never overwritten."""
        if not figures:
            return self
        if source is None or not source.strip():
            raise InvalidValue(
                "operator_deadlines_source",
                source,
                "the operator's document that sets the figures (e.g. 共享争议处理规程): every "
                "figure is cited",
            )
        deadlines = {d.name: d for d in self.deadlines}
        for key, days in figures.items():
            field_name = f"operator_deadlines.{key}"
            try:
                name = DeadlineName(key)
            except ValueError:
                name = None
            if name not in OPERATOR_DEADLINES:
                raise InvalidValue(
                    field_name,
                    key,
                    "one of " + ", ".join(OPERATOR_DEADLINES) + ": the operator sets only the "
                    "clocks no regulation gives a figure for",
                )
            assert name is not None
            if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= 366:
                raise InvalidValue(field_name, days, "a whole number of working days, 1 to 366")
            deadlines[name] = Deadline(
                name,
                days,
                OPERATOR_DEADLINES[name],
                f"{source.strip()} (the platform operator's rule; no regulation sets a figure)",
            )
        order = list(DeadlineName)
        return Rulebook(
            self.key,
            self.title,
            tuple(sorted(deadlines.values(), key=lambda d: order.index(d.name))),
            self.rules,
            self.local,
        )

    @property
    def has_write_rules(self) -> bool:
        """Whether `check_entry` can refuse anything (a rule with a `check`)."""
        return any(rule.check is not None for rule in self.rules)

    def check_entry(self, entry: Resource) -> None:
        """Raise `InvalidValue` (its `rule` the citation) for the first write rule of this
        rulebook `entry` breaks; `entry` as `graph.rules.check_resource` returned it."""
        for rule in self.rules:
            if rule.check is not None:
                rule.check(entry, rule.source)


def _binding(held: Deadline, other: Deadline) -> Deadline:
    """Of two deadlines for the same clock, the one that binds: the shorter, both cited."""
    if other.working_days < held.working_days:
        return Deadline(
            other.name,
            other.working_days,
            other.counted_from,
            f"{other.source}; {held.source}",
            other.note,
        )
    return Deadline(
        held.name,
        held.working_days,
        held.counted_from,
        f"{held.source}; {other.source}",
        held.note,
    )


# The texts, as cited.
_REGULATION_2025 = "《政务数据共享条例》(国务院令第809号)"
_MEASURES = "《政务信息资源共享管理暂行办法》(国发〔2016〕51号)"
_SICHUAN = "《四川省政务信息资源共享管理实施细则（暂行）》"
_KUNMING = "《昆明市政务信息资源共享管理办法》(昆明市人民政府令第151号)"
_FROM_SUMMARIES = "known from summaries; its article to be checked"

_RECEIVED = "the request is received"
_UPDATE_CATALOG_2016 = Deadline(
    DeadlineName.UPDATE_CATALOG,
    15,
    "a law is revised or the department's duties change",
    f"{_MEASURES} 第八条",
)
_REFUSAL_REASONS_2016 = Rule(
    RuleName.REFUSAL_REASONS,
    "a refusal states its reasons (对不予共享的，提供部门应说明理由)",
    f"{_MEASURES} 第十二条",
)

STATE_COUNCIL_2025 = Rulebook(
    "state-council-2025",
    "《政务数据共享条例》(2025)",
    (
        Deadline(
            DeadlineName.ANSWER_UNCONDITIONAL, 1, _RECEIVED, _REGULATION_2025, _FROM_SUMMARIES
        ),
        Deadline(DeadlineName.ANSWER_CONDITIONAL, 10, _RECEIVED, _REGULATION_2025, _FROM_SUMMARIES),
        Deadline(
            DeadlineName.DELIVER_DATA,
            20,
            "the request is approved",
            _REGULATION_2025,
            _FROM_SUMMARIES,
        ),
        Deadline(
            _UPDATE_CATALOG_2016.name,
            _UPDATE_CATALOG_2016.working_days,
            _UPDATE_CATALOG_2016.counted_from,
            _UPDATE_CATALOG_2016.source,
            "the 2016 measures' figure: the 2025 regulation's is not known to us; kept until "
            "checked",
        ),
    ),
    (
        Rule(
            RuleName.REFUSAL_REASONS,
            "a refusal states its reasons in writing (不予共享的，书面说明理由)",
            _REGULATION_2025,
        ),
        Rule(
            RuleName.NO_EXTRA_CONDITIONS,
            "no condition beyond the one published on the entry (不得擅自增设条件)",
            _REGULATION_2025,
        ),
    ),
)

MEASURES_2016 = Rulebook(
    "measures-2016",
    "《政务信息资源共享管理暂行办法》(2016)",
    (
        Deadline(DeadlineName.ANSWER_CONDITIONAL, 10, _RECEIVED, f"{_MEASURES} 第十二条"),
        _UPDATE_CATALOG_2016,
    ),
    (_REFUSAL_REASONS_2016,),
)

SICHUAN = LocalRules(
    "sichuan",
    "四川: objections (疑义/纠错)",
    (
        Deadline(
            DeadlineName.REPORT_OBJECTION,
            5,
            "the consumer finds the problem",
            f"{_SICHUAN} 第二十四条",
        ),
        Deadline(
            DeadlineName.ANSWER_OBJECTION, 10, "the objection is received", f"{_SICHUAN} 第二十四条"
        ),
    ),
)


def _legal_basis_for_conditional(entry: Resource, source: str) -> None:
    """Kunming 第十三条(一): what is shared on conditions, or not at all, rests on a law, an
    administrative regulation or a central policy; an entry shared only in part is conditional
    (第十二条), so an item not shared unconditionally needs it as well."""
    if entry.legal_basis is not None and entry.legal_basis.strip():
        return
    partial = any(
        (item.share_type or entry.share_type) is not ShareType.UNCONDITIONAL for item in entry.items
    )
    if entry.share_type is ShareType.CONDITIONAL or partial:
        raise InvalidValue(
            "legal_basis",
            entry.legal_basis,
            "the law, administrative regulation or central policy the condition rests on "
            "(共享依据): an entry shared on conditions, or with items not shared "
            "unconditionally, must name it",
            rule=source,
        )


KUNMING = LocalRules(
    "kunming",
    "昆明: legal basis of conditional entries, data updates",
    (
        Deadline(
            DeadlineName.UPDATE_DATA, 5, "the data is produced or changes", f"{_KUNMING} 第十八条"
        ),
    ),
    (
        Rule(
            RuleName.LEGAL_BASIS_FOR_CONDITIONAL,
            "a CONDITIONAL entry names its legal basis (有条件共享须有法律、行政法规或政策依据)",
            f"{_KUNMING} 第十二、十三条",
            _legal_basis_for_conditional,
        ),
    ),
)

RULEBOOKS: Mapping[str, Rulebook] = {r.key: r for r in (STATE_COUNCIL_2025, MEASURES_2016)}
LOCAL_RULES: Mapping[str, LocalRules] = {r.key: r for r in (SICHUAN, KUNMING)}


@lru_cache(maxsize=32)
def _named(name: str, local: tuple[str, ...]) -> Rulebook:
    base = RULEBOOKS.get(name)
    if base is None:
        raise InvalidValue("rulebook", name, "one of " + ", ".join(RULEBOOKS))
    for i, key in enumerate(local):
        if key not in LOCAL_RULES:
            raise InvalidValue(f"local_rules[{i}]", key, "one of " + ", ".join(LOCAL_RULES))
        if key in local[:i]:
            raise InvalidValue(f"local_rules[{i}]", key, "local rules named once each")
    return base.with_local(*(LOCAL_RULES[key] for key in local))


def rulebook_named(name: str, local: Sequence[str] = ()) -> Rulebook:
    """The rulebook `name` (a key of `RULEBOOKS`) with the `local` rule sets (keys of
    `LOCAL_RULES`) on top; an unknown or repeated name is refused with `InvalidValue`."""
    return _named(name, tuple(local))
