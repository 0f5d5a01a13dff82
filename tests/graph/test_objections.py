"""Objections (graph.sharing.objections), without a store: the table of actions × states ×
actors, the clocks of Sichuan 第二十四条 only where selected, the public on an extranet only,
and a dismissal that always states its reasons."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from graph import Actor, InvalidTransition, InvalidValue, NotPermitted, Zone
from graph.sharing import (
    MEASURES_2016,
    PUBLIC,
    STATE_COUNCIL_2025,
    DeadlineName,
    Objection,
    ObjectionAction,
    ObjectionState,
    Rulebook,
    objection_clock,
    rulebook_named,
)
from graph.sharing.objections import (
    check_objection_action,
    confirm,
    correct,
    dismiss,
    next_objection_state,
    report,
)
from tests.graph.sharing_data import (
    ADMIN,
    CALENDAR,
    COORDINATOR,
    OTHER,
    PROVIDER,
    RECEIVED,
    REQUESTER,
    at,
    conditional_entry,
    later,
)

S = ObjectionState
A = ObjectionAction
WITH_SICHUAN = rulebook_named("state-council-2025", ["sichuan"])


def reported(
    rulebook: Rulebook = WITH_SICHUAN,
    reporter: Actor | None = REQUESTER,
    zone: Zone = Zone.INTRANET,
    **overrides: Any,
) -> Objection:
    entry = overrides.pop("entry", None) or conditional_entry()
    return report(
        entry,
        reporter,
        overrides.pop("fields", ("summary", "data")),
        overrides.pop("text", "摘要所述范围与数据不符，部分户籍地址缺失"),
        id="obj-1",
        zone=zone,
        at=RECEIVED,
        calendar=CALENDAR,
        rulebook=rulebook,
        **overrides,
    )


def in_state(state: ObjectionState) -> Objection:
    objection = reported()
    if state is S.CONFIRMED:
        return confirm(objection, PROVIDER, later(RECEIVED))
    if state is S.CORRECTED:
        return correct(
            confirm(objection, PROVIDER, later(RECEIVED)), PROVIDER, later(RECEIVED, 2), "已补录"
        )
    if state is S.DISMISSED:
        return dismiss(objection, PROVIDER, later(RECEIVED), "经核实数据无误")
    return objection


def act(objection: Objection, action: ObjectionAction, actor: Actor = PROVIDER) -> Objection:
    t = later(RECEIVED, 3)
    if action is A.CONFIRM:
        return confirm(objection, actor, t)
    if action is A.CORRECT:
        return correct(objection, actor, t, "已更正摘要")
    return dismiss(objection, actor, t, "经核实数据无误")


ALLOWED = {
    (A.CONFIRM, S.REPORTED): S.CONFIRMED,
    (A.CORRECT, S.CONFIRMED): S.CORRECTED,
    (A.DISMISS, S.REPORTED): S.DISMISSED,
}
STEPS = [A.CONFIRM, A.CORRECT, A.DISMISS]


@pytest.mark.parametrize("action", STEPS)
@pytest.mark.parametrize("state", list(S))
def test_transition_table(action: ObjectionAction, state: ObjectionState) -> None:
    objection = in_state(state)
    if (action, state) in ALLOWED:
        assert next_objection_state(action, objection) is ALLOWED[(action, state)]
        stepped = act(objection, action)
        assert stepped.state is ALLOWED[(action, state)]
        assert stepped.version == objection.version + 1 == len(stepped.history)
    else:
        with pytest.raises(InvalidTransition):
            next_objection_state(action, objection)
        with pytest.raises(InvalidTransition):
            act(objection, action)


@pytest.mark.parametrize("action", list(A))
@pytest.mark.parametrize(
    ("who", "actor"),
    [
        ("provider", PROVIDER),
        ("requester", REQUESTER),
        ("other", OTHER),
        ("reviewer", COORDINATOR),
        ("administrator", ADMIN),
        ("public", None),
    ],
)
def test_who_may_act(who: str, actor: Actor | None, action: ObjectionAction) -> None:
    may = {
        A.REPORT: {"requester", "other", "public"},  # the public: on an extranet, see below
        A.CONFIRM: {"provider"},
        A.CORRECT: {"provider"},
        A.DISMISS: {"provider"},
    }[action]
    if who in may:
        check_objection_action(actor, action, PROVIDER.department_code)
    else:
        with pytest.raises(NotPermitted):
            check_objection_action(actor, action, PROVIDER.department_code)


def test_open_objections_are_reported_and_confirmed_ones() -> None:
    assert [s for s in S if in_state(s).open] == [S.REPORTED, S.CONFIRMED]


# -- clocks (Sichuan 第二十四条) -------------------------------------------------------------------
def test_with_sichuans_rules_the_provider_answers_within_10_working_days_sichuan_24() -> None:
    objection = reported(found_on=date(2026, 9, 28))
    assert objection.answer_due is not None
    # Received 30 September: National Day, then the make-up Saturday 10 October counts.
    assert objection.answer_due.date == date(2026, 10, 20)
    assert objection.answer_due.deadline is DeadlineName.ANSWER_OBJECTION
    assert objection.answer_due.source.endswith("第二十四条")
    # The reporter's own 5 working days from finding it (28 September: 29, 30 September, 8, 9
    # and the make-up Saturday 10 October): reported in time.
    assert objection.report_due is not None
    assert objection.report_due.date == date(2026, 10, 10)
    assert not objection.report_due.late_on(date(2026, 9, 30))
    assert objection_clock(objection) == objection.answer_due
    confirmed = in_state(S.CONFIRMED)
    assert objection_clock(confirmed) == confirmed.answer_due  # still runs until corrected
    assert objection_clock(in_state(S.CORRECTED)) is None
    assert objection_clock(in_state(S.DISMISSED)) is None


@pytest.mark.parametrize("rulebook", [STATE_COUNCIL_2025, MEASURES_2016])
def test_without_a_rule_that_sets_one_an_objection_has_no_clock(rulebook: Rulebook) -> None:
    objection = reported(rulebook, found_on=date(2026, 9, 28))
    assert objection.answer_due is None
    assert objection.report_due is None
    assert objection_clock(objection) is None


def test_a_late_report_is_taken_all_the_same_and_shows_it() -> None:
    objection = reported(found_on=date(2026, 9, 1))
    assert objection.state is S.REPORTED
    assert objection.report_due is not None
    assert objection.report_due.late_on(date(2026, 9, 30))


# -- who reports, and what ------------------------------------------------------------------------
def test_the_public_reports_only_on_an_open_entry_of_an_extranet() -> None:
    open_entry = conditional_entry(open_to_public=True)
    public = reported(reporter=None, zone=Zone.EXTRANET, entry=open_entry)
    assert public.reporter == PUBLIC
    assert public.history[0].actor == PUBLIC
    with pytest.raises(NotPermitted, match="intranet"):
        reported(reporter=None, zone=Zone.INTRANET, entry=open_entry)
    with pytest.raises(NotPermitted, match="not open"):
        reported(reporter=None, zone=Zone.EXTRANET)


def test_the_provider_corrects_its_own_entry_instead_of_objecting() -> None:
    with pytest.raises(NotPermitted, match="its own entry"):
        reported(reporter=PROVIDER)


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"fields": ()}, "fields"),
        ({"fields": ("no_such_field",)}, "fields[0]"),
        ({"fields": ("summary", "summary")}, "fields[1]"),
        ({"fields": ("version",)}, "fields[0]"),  # bookkeeping, set by the store
        ({"text": ""}, "text"),
        ({"text": "错" * 2001}, "text"),
        ({"found_on": date(2026, 10, 1)}, "found_on"),  # after the day received
    ],
)
def test_an_objection_is_bounded(overrides: dict[str, Any], field: str) -> None:
    with pytest.raises(InvalidValue) as refused:
        reported(**overrides)
    assert refused.value.field == field


@pytest.mark.parametrize("reasons", [None, "", "  "])
def test_a_dismissal_without_reasons_is_refused(reasons: str | None) -> None:
    with pytest.raises(InvalidValue) as refused:
        dismiss(reported(), PROVIDER, later(RECEIVED), reasons)
    assert refused.value.field == "reasons"


def test_a_correction_says_what_was_corrected() -> None:
    with pytest.raises(InvalidValue) as refused:
        correct(in_state(S.CONFIRMED), PROVIDER, at(2026, 10, 9), " ")
    assert refused.value.field == "correction"
    assert in_state(S.CORRECTED).correction == "已补录"
