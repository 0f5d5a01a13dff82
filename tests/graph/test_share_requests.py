"""Share requests (graph.sharing.requests), without a store: the whole table of actions ×
states × actors, submission decided by the share type (national 第十、十二条), deadlines in
working days on a frozen calendar, refusals that always state their reasons, and disputes
that go from negotiation to the coordinator (national 第十二条; Sichuan 第二十五条).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from graph import Actor, InvalidTransition, InvalidValue, LifecycleState, NotPermitted, ShareType
from graph.sharing import (
    MEASURES_2016,
    STATE_COUNCIL_2025,
    Application,
    DeadlineName,
    RequestAction,
    RequestState,
    Rulebook,
    ShareRequest,
    pending_clock,
    rulebook_named,
)
from graph.sharing.requests import (
    MAX_ITEMS,
    approve,
    check_request_action,
    close,
    decide,
    deliver,
    dispute,
    escalate,
    next_request_state,
    refuse,
    withdraw,
)
from tests.graph.sharing_data import (
    ADMIN,
    AUDITOR,
    CALENDAR,
    CONDITION,
    COORDINATOR,
    INSTANCE,
    LEGAL_BASIS,
    OTHER,
    PROVIDER,
    REQUESTER,
    SCHEDULE_2027,
    SYNC,
    application,
    at,
    conditional_entry,
    later,
    none_entry,
    replace,
    submit_for,
    unconditional_entry,
)

S = RequestState
A = RequestAction
RECEIVED = at(2026, 9, 30)  # the day before National Day (国庆节, 1–7 October 2026)

# (action, from) → to; every other pair is refused.
ALLOWED = {
    (A.APPROVE, S.SUBMITTED): S.APPROVED,
    (A.APPROVE, S.DISPUTED): S.APPROVED,  # negotiation reached agreement
    (A.REFUSE, S.SUBMITTED): S.REFUSED,
    (A.DELIVER, S.APPROVED): S.DELIVERED,
    (A.CLOSE, S.DELIVERED): S.CLOSED,
    (A.WITHDRAW, S.SUBMITTED): S.WITHDRAWN,
    (A.WITHDRAW, S.APPROVED): S.WITHDRAWN,
    (A.WITHDRAW, S.DISPUTED): S.WITHDRAWN,
    (A.WITHDRAW, S.ESCALATED): S.WITHDRAWN,
    (A.DISPUTE, S.REFUSED): S.DISPUTED,
    (A.ESCALATE, S.DISPUTED): S.ESCALATED,
    (A.UPHOLD, S.ESCALATED): S.UPHELD,
    (A.OVERTURN, S.ESCALATED): S.APPROVED,
}
STEPS = [a for a in A if a is not A.SUBMIT]


def in_state(state: RequestState) -> ShareRequest:
    """A valid request of the conditional entry, brought to `state` by the steps leading there."""
    request = submit_for(conditional_entry(), RECEIVED)
    t = RECEIVED
    paths = {
        S.SUBMITTED: [],
        S.APPROVED: [A.APPROVE],
        S.REFUSED: [A.REFUSE],
        S.DELIVERED: [A.APPROVE, A.DELIVER],
        S.CLOSED: [A.APPROVE, A.DELIVER, A.CLOSE],
        S.WITHDRAWN: [A.WITHDRAW],
        S.DISPUTED: [A.REFUSE, A.DISPUTE],
        S.ESCALATED: [A.REFUSE, A.DISPUTE, A.ESCALATE],
        S.UPHELD: [A.REFUSE, A.DISPUTE, A.ESCALATE, A.UPHOLD],
    }
    for action in paths[state]:
        t = later(t)
        request = act(request, action, t)
    assert request.state is state
    return request


def act(
    request: ShareRequest,
    action: RequestAction,
    t: datetime | None = None,
    actor: Actor | None = None,
    rulebook: Rulebook = STATE_COUNCIL_2025,
) -> ShareRequest:
    """`action` done by the actor who may do it (or `actor`), under `rulebook`."""
    t = t or later(RECEIVED)
    match action:
        case A.APPROVE:
            return approve(request, actor or PROVIDER, t, CALENDAR, rulebook)
        case A.REFUSE:
            return refuse(request, actor or PROVIDER, t, "涉及个人隐私，申请用途不明确")
        case A.DELIVER:
            return deliver(request, actor or PROVIDER, t, "接口已开通")
        case A.CLOSE:
            return close(request, actor or REQUESTER, t)
        case A.WITHDRAW:
            return withdraw(request, actor or REQUESTER, t)
        case A.DISPUTE:
            return dispute(
                request, actor or REQUESTER, t, "履行市场监管职责确需使用", CALENDAR, rulebook
            )
        case A.ESCALATE:
            return escalate(request, actor or REQUESTER, t, CALENDAR, rulebook, "协商未果")
        case A.UPHOLD | A.OVERTURN:
            return decide(
                request,
                actor or COORDINATOR,
                t,
                CALENDAR,
                rulebook,
                overturn=action is A.OVERTURN,
                decision="经协调，按申请用途予以共享" if action is A.OVERTURN else "维持",
            )
    raise AssertionError(action)


# -- the transition table ---------------------------------------------------------------------
@pytest.mark.parametrize("action", STEPS)
@pytest.mark.parametrize("state", list(S))
def test_transition_table(action: RequestAction, state: RequestState) -> None:
    request = in_state(state)
    if (action, state) in ALLOWED:
        assert next_request_state(action, request) is ALLOWED[(action, state)]
        stepped = act(request, action)
        assert stepped.state is ALLOWED[(action, state)]
        assert stepped.version == request.version + 1 == len(stepped.history)
        assert stepped.history[-1].action is action
    else:
        with pytest.raises(InvalidTransition) as refused:
            next_request_state(action, request)
        assert refused.value.state == state.value
        with pytest.raises(InvalidTransition):
            act(request, action)


@pytest.mark.parametrize("state", [S.CLOSED, S.WITHDRAWN, S.UPHELD])
def test_closed_withdrawn_and_upheld_are_final(state: RequestState) -> None:
    assert not [a for a in STEPS if (a, state) in ALLOWED]


# -- who may act ------------------------------------------------------------------------------
PARTY_COORDINATOR = Actor(PROVIDER.department_code, COORDINATOR.role)
ACTORS = {
    "provider": PROVIDER,
    "requester": REQUESTER,
    "other": OTHER,
    "coordinator": COORDINATOR,
    "coordinator who provides": PARTY_COORDINATOR,
    "administrator": ADMIN,
    "auditor": AUDITOR,
    "sync": SYNC,
}
# action → who may (by the keys of ACTORS); everyone else is refused.
WHO = {
    A.SUBMIT: {"requester", "other"},
    A.APPROVE: {"provider"},
    A.REFUSE: {"provider"},
    A.DELIVER: {"provider"},
    A.CLOSE: {"provider", "requester"},
    A.WITHDRAW: {"requester"},
    A.DISPUTE: {"requester"},
    A.ESCALATE: {"provider", "requester"},
    A.UPHOLD: {"coordinator"},  # national 第十二条; Sichuan 第二十五条: not a party
    A.OVERTURN: {"coordinator"},
}


@pytest.mark.parametrize("action", list(A))
@pytest.mark.parametrize("who", list(ACTORS))
def test_who_may_act(who: str, action: RequestAction) -> None:
    actor = ACTORS[who]
    requester = None if action is A.SUBMIT else REQUESTER.department_code
    if who in WHO[action]:
        check_request_action(actor, action, PROVIDER.department_code, requester)
    else:
        with pytest.raises(NotPermitted):
            check_request_action(actor, action, PROVIDER.department_code, requester)


def test_a_refused_actor_changes_nothing_and_is_named() -> None:
    request = in_state(S.SUBMITTED)
    with pytest.raises(NotPermitted, match=OTHER.department_code):
        approve(request, OTHER, later(RECEIVED), CALENDAR, STATE_COUNCIL_2025)


# -- submission, by share type (national 第十、十二条) ---------------------------------------------
def test_a_conditional_request_is_submitted_and_answered_within_10_working_days_national_12() -> (
    None
):
    request = submit_for(conditional_entry(), RECEIVED)
    assert request.state is S.SUBMITTED
    assert request.share_type is ShareType.CONDITIONAL
    assert request.condition == CONDITION
    assert request.answer_due is not None
    # Received Wednesday 30 September: 1–7 October are National Day, Saturday 10 October a
    # make-up workday; the 10th working day after is Tuesday 20 October.
    assert request.answer_due.date == date(2026, 10, 20)
    assert not request.answer_due.provisional
    assert request.answer_due.deadline is DeadlineName.ANSWER_CONDITIONAL
    assert request.answer_due.source == "《政务数据共享条例》(国务院令第809号)"
    assert request.delivery_due is None
    assert pending_clock(request) == request.answer_due
    assert [(s.action, s.actor) for s in request.history] == [(A.SUBMIT, REQUESTER.department_code)]


def test_under_the_2016_measures_the_clock_cites_national_12() -> None:
    request = submit_for(conditional_entry(), RECEIVED, rulebook=MEASURES_2016)
    assert request.answer_due is not None
    assert request.answer_due.date == date(2026, 10, 20)
    assert request.answer_due.source.endswith("第十二条")


def test_an_unconditional_request_is_approved_on_its_own_by_the_instance() -> None:
    request = submit_for(unconditional_entry(), RECEIVED)
    assert request.state is S.APPROVED
    assert request.version == 2
    assert [(s.action, s.state, s.actor) for s in request.history] == [
        (A.SUBMIT, S.SUBMITTED, REQUESTER.department_code),
        (A.APPROVE, S.APPROVED, INSTANCE),  # without a person
    ]
    assert request.terms is not None
    assert "UNCONDITIONAL" in request.terms
    # Answered on the day, within its 1 working day; data within 20 working days of approval.
    assert request.answer_due is not None
    assert request.answer_due.date == date(2026, 10, 8)
    assert request.delivery_due is not None
    assert request.delivery_due.deadline is DeadlineName.DELIVER_DATA
    # 8, 9, 10 (make-up) October, then four weeks of five and Monday 2 November: 3 November.
    assert request.delivery_due.date == date(2026, 11, 3)
    assert pending_clock(request) == request.delivery_due


def test_under_the_2016_measures_an_unconditional_request_has_no_clocks() -> None:
    request = submit_for(unconditional_entry(), RECEIVED, rulebook=MEASURES_2016)
    assert request.state is S.APPROVED
    assert request.answer_due is None
    assert request.delivery_due is None


def test_a_request_for_a_none_entry_is_refused_at_once_quoting_its_legal_basis_national_10() -> (
    None
):
    request = submit_for(none_entry(), RECEIVED)
    assert request.state is S.REFUSED
    assert request.reasons is not None
    assert LEGAL_BASIS in request.reasons
    assert "第十条(一)" in request.reasons
    assert request.history[-1].actor == INSTANCE
    assert request.answer_due is None
    assert pending_clock(request) is None
    # National 第十二条: a department that needs it negotiates all the same.
    assert (
        dispute(request, REQUESTER, later(RECEIVED), "确需使用", CALENDAR, STATE_COUNCIL_2025).state
        is S.DISPUTED
    )


def test_the_base_items_of_a_conditional_base_entry_are_unconditional_national_10_2() -> None:
    request = submit_for(conditional_entry(), RECEIVED, items=("公民身份号码", "姓名"))
    assert request.share_type is ShareType.UNCONDITIONAL
    assert request.state is S.APPROVED


def test_the_most_restrictive_item_decides() -> None:
    mixed = submit_for(conditional_entry(), RECEIVED, items=("姓名", "户籍地址"))
    assert mixed.share_type is ShareType.CONDITIONAL
    refused = submit_for(conditional_entry(), RECEIVED, items=("姓名", "犯罪记录"))
    assert refused.share_type is ShareType.NONE
    assert refused.state is S.REFUSED


# -- what a submission refuses -----------------------------------------------------------------
@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"items": ("不存在的信息项",)}, "items[0]"),
        ({"items": ()}, "items"),  # Kunming 第二十五条: a request names the items it asks for
        ({"share_mode": "BATCH_DOWNLOAD"}, "share_mode"),
        ({"period_end": date(2026, 9, 29), "period_start": date(2026, 9, 1)}, "period_end"),
    ],
)
def test_a_request_the_entry_does_not_allow_is_refused(
    overrides: dict[str, Any], field: str
) -> None:
    with pytest.raises(InvalidValue) as refused:
        submit_for(conditional_entry(), RECEIVED, **overrides)
    assert refused.value.field == field


def test_an_unpublished_entry_is_not_requested() -> None:
    with pytest.raises(InvalidValue, match="published") as refused:
        submit_for(conditional_entry(state=LifecycleState.SUBMITTED), RECEIVED)
    assert refused.value.field == "resource_code"


def test_the_provider_does_not_request_its_own_entry() -> None:
    with pytest.raises(NotPermitted, match="its own"):
        submit_for(conditional_entry(), RECEIVED, requester=PROVIDER)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("purpose", ""),
        ("purpose", "   "),
        ("purpose", "用" * 1001),
        ("scenario", "景" * 2001),
        ("items", tuple(f"项{i}" for i in range(MAX_ITEMS + 1))),
        ("items", ("姓名", "姓名")),
        ("items", ("名" * 201,)),
        ("share_mode", "CARRIER_PIGEON"),
        ("period_end", date(2026, 8, 31)),
        ("period_end", date(2040, 1, 1)),
    ],
)
def test_every_input_is_bounded(field: str, value: object) -> None:
    with pytest.raises(InvalidValue) as refused:
        application(conditional_entry(), **{field: value})
    assert refused.value.field.split("[")[0] == field


def test_a_long_text_is_refused_by_its_length_not_echoed() -> None:
    with pytest.raises(InvalidValue) as refused:
        application(conditional_entry(), purpose="用" * 5000)
    assert refused.value.value == "5000 characters"


# -- answers ------------------------------------------------------------------------------------
@pytest.mark.parametrize("reasons", [None, "", "   "])
def test_a_refusal_without_reasons_is_refused_national_12(reasons: str | None) -> None:
    request = in_state(S.SUBMITTED)
    with pytest.raises(InvalidValue) as refused:
        refuse(request, PROVIDER, later(RECEIVED), reasons)
    assert refused.value.field == "reasons"
    assert refused.value.rule == "national 第十二条"


def test_a_refused_request_can_never_be_held_without_reasons() -> None:
    request = in_state(S.REFUSED)
    with pytest.raises(InvalidValue) as refused:
        replace(request, reasons=None)
    assert refused.value.field == "reasons"


def test_an_approval_defaults_to_the_published_condition_and_starts_the_delivery_clock() -> None:
    request = in_state(S.SUBMITTED)
    approved = approve(request, PROVIDER, at(2026, 10, 9), CALENDAR, STATE_COUNCIL_2025)
    assert approved.terms == CONDITION
    assert approved.delivery_due is not None
    assert approved.delivery_due.started == date(2026, 10, 9)
    assert approved.delivery_due.working_days == 20
    assert pending_clock(approved) == approved.delivery_due
    on_terms = approve(
        request, PROVIDER, at(2026, 10, 9), CALENDAR, STATE_COUNCIL_2025, terms="按季度批量提供"
    )
    assert on_terms.terms == "按季度批量提供"


def test_delivery_stops_the_clock_and_closing_ends_the_request() -> None:
    delivered = in_state(S.DELIVERED)
    assert delivered.delivery_note == "接口已开通"
    assert pending_clock(delivered) is None
    closed = close(delivered, PROVIDER, later(RECEIVED, 5))
    assert closed.state is S.CLOSED


# -- deadlines past the known years --------------------------------------------------------------
def test_a_request_of_28_december_is_due_in_january_2027_provisionally_until_2027_is_loaded() -> (
    None
):
    request = submit_for(conditional_entry(), at(2026, 12, 28))
    due = request.answer_due
    assert due is not None
    # On weekends alone, 1 January 2027 counts: the 10th working day is Monday 11 January.
    assert (due.date, due.provisional) == (date(2027, 1, 11), True)
    exact = due.recounted(CALENDAR.with_schedule(SCHEDULE_2027))
    assert (exact.date, exact.provisional) == (date(2027, 1, 12), False)
    assert exact.recounted(CALENDAR.with_schedule(SCHEDULE_2027)) == exact


def test_a_clock_is_late_the_day_after_it_is_due() -> None:
    due = in_state(S.SUBMITTED).answer_due
    assert due is not None
    assert not due.late_on(date(2026, 10, 20))
    assert due.late_on(date(2026, 10, 21))


# -- disputes (national 第十二条; Sichuan 第二十五条) ----------------------------------------------
def test_a_dispute_goes_from_negotiation_to_the_coordinator_who_may_let_the_refusal_stand() -> None:
    upheld = in_state(S.UPHELD)
    assert upheld.grounds == "履行市场监管职责确需使用"
    assert upheld.decision == "维持"
    assert upheld.reasons == "涉及个人隐私，申请用途不明确"
    assert [s.action for s in upheld.history] == [
        A.SUBMIT,
        A.REFUSE,
        A.DISPUTE,
        A.ESCALATE,
        A.UPHOLD,
    ]
    assert upheld.history[-1].actor == COORDINATOR.department_code


def test_an_overturned_refusal_is_approved_and_its_delivery_clock_starts_at_the_decision() -> None:
    escalated = in_state(S.ESCALATED)
    decided_at = at(2026, 11, 2)
    overturned = act(escalated, A.OVERTURN, decided_at)
    assert overturned.state is S.APPROVED
    assert overturned.terms == CONDITION
    assert overturned.decision == "经协调，按申请用途予以共享"
    assert overturned.delivery_due is not None
    assert overturned.delivery_due.started == date(2026, 11, 2)
    assert overturned.history[-1].action is A.OVERTURN


def test_negotiation_that_agrees_ends_in_an_approval_by_the_provider() -> None:
    agreed = approve(
        in_state(S.DISPUTED), PROVIDER, later(RECEIVED, 9), CALENDAR, STATE_COUNCIL_2025
    )
    assert agreed.state is S.APPROVED


def test_a_dispute_needs_grounds_and_a_decision_needs_its_text() -> None:
    with pytest.raises(InvalidValue) as refused:
        dispute(in_state(S.REFUSED), REQUESTER, later(RECEIVED), " ", CALENDAR, STATE_COUNCIL_2025)
    assert refused.value.field == "grounds"
    with pytest.raises(InvalidValue) as refused:
        decide(
            in_state(S.ESCALATED),
            COORDINATOR,
            later(RECEIVED),
            CALENDAR,
            STATE_COUNCIL_2025,
            overturn=False,
            decision="",
        )
    assert refused.value.field == "decision"


def test_a_coordinator_who_is_a_party_may_not_decide() -> None:
    with pytest.raises(NotPermitted, match="party"):
        act(in_state(S.ESCALATED), A.UPHOLD, actor=PARTY_COORDINATOR)


# -- any sequence of steps keeps the request whole ------------------------------------------------
ACTOR_POOL = [PROVIDER, REQUESTER, OTHER, COORDINATOR, ADMIN]


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.tuples(st.sampled_from(STEPS), st.sampled_from(ACTOR_POOL)), max_size=12),
    st.sampled_from(["state-council-2025", "measures-2016"]),
)
def test_any_sequence_of_steps_follows_the_table_and_keeps_the_invariants(
    steps: list[tuple[RequestAction, Actor]], rulebook_key: str
) -> None:
    rulebook = rulebook_named(rulebook_key, ["sichuan"])
    request = submit_for(conditional_entry(), RECEIVED, rulebook=rulebook)
    t = RECEIVED
    for action, actor in steps:
        t = later(t)
        before = request
        try:
            request = act(request, action, t, actor, rulebook)
        except (NotPermitted, InvalidTransition):
            assert request is before
            continue
        assert (action, before.state) in ALLOWED
        assert request.state is ALLOWED[(action, before.state)]
        assert request.version == before.version + 1 == len(request.history)
        assert request.history[-1].actor == actor.department_code
        if request.state in (S.REFUSED, S.DISPUTED, S.ESCALATED, S.UPHELD):
            assert request.reasons
        if request.state is S.APPROVED:
            assert request.terms
            assert (request.delivery_due is None) == (
                rulebook.deadline(DeadlineName.DELIVER_DATA) is None
            )


def test_an_application_is_a_value_built_once() -> None:
    app = application(conditional_entry())
    assert isinstance(app, Application)
    assert app.items == ("户籍地址",)


# -- dispute clocks: the operator's rule, since no regulation gives a figure -------------------
# National 第十二条 and Sichuan 第二十五条 send a dispute to negotiation (协商解决), then to the
# coordinator (协调解决), and say nothing of how long either may take.
OPERATOR_RULE = "某市政务数据共享争议处理规程 第五条"
WITH_DISPUTE_CLOCKS = STATE_COUNCIL_2025.with_operator(
    {"negotiate_dispute": 5, "decide_dispute": 10}, OPERATOR_RULE
)


def test_without_the_operators_rule_a_dispute_runs_no_clock() -> None:
    disputed = act(in_state(S.REFUSED), A.DISPUTE, at(2026, 10, 12))
    assert disputed.negotiation_due is None
    assert pending_clock(disputed) is None
    escalated = act(disputed, A.ESCALATE, at(2026, 10, 13))
    assert escalated.decision_due is None
    assert pending_clock(escalated) is None


def test_the_operators_figures_start_the_negotiation_and_the_decision_clocks() -> None:
    refused = in_state(S.REFUSED)
    # Disputed on Friday 2026-10-16: 5 working days end on Friday 10-23.
    disputed = act(refused, A.DISPUTE, at(2026, 10, 16), rulebook=WITH_DISPUTE_CLOCKS)
    negotiation = disputed.negotiation_due
    assert negotiation is not None
    assert negotiation.deadline is DeadlineName.NEGOTIATE_DISPUTE
    assert (negotiation.started, negotiation.date) == (date(2026, 10, 16), date(2026, 10, 23))
    assert OPERATOR_RULE in negotiation.source
    assert "no regulation" in negotiation.source
    assert pending_clock(disputed) == negotiation
    # Escalated on Monday 10-26: 10 working days end on Monday 11-09.
    escalated = act(disputed, A.ESCALATE, at(2026, 10, 26), rulebook=WITH_DISPUTE_CLOCKS)
    decision = escalated.decision_due
    assert decision is not None
    assert decision.deadline is DeadlineName.DECIDE_DISPUTE
    assert (decision.started, decision.date) == (date(2026, 10, 26), date(2026, 11, 9))
    assert escalated.negotiation_due == negotiation  # the trail keeps both
    assert pending_clock(escalated) == decision
    # Decided: no clock runs on the dispute any more.
    upheld = act(escalated, A.UPHOLD, at(2026, 11, 12), rulebook=WITH_DISPUTE_CLOCKS)
    assert pending_clock(upheld) is None


def test_late_negotiation_is_the_providers_and_a_late_decision_the_coordinators() -> None:
    from graph.sharing import OverdueKind, overdue_of

    disputed = act(in_state(S.REFUSED), A.DISPUTE, at(2026, 10, 16), rulebook=WITH_DISPUTE_CLOCKS)
    assert overdue_of([disputed], [], date(2026, 10, 23), CALENDAR) == []
    [late] = overdue_of([disputed], [], date(2026, 10, 26), CALENDAR)
    assert (late.kind, late.department, late.working_days_late) == (
        OverdueKind.NEGOTIATION,
        PROVIDER.department_code,
        1,
    )
    escalated = act(disputed, A.ESCALATE, at(2026, 10, 26), rulebook=WITH_DISPUTE_CLOCKS)
    assert overdue_of([escalated], [], date(2026, 11, 9), CALENDAR) == []
    [late] = overdue_of([escalated], [], date(2026, 11, 11), CALENDAR)
    assert (late.kind, late.department, late.working_days_late) == (OverdueKind.DECISION, None, 2)


@pytest.mark.parametrize(
    ("figures", "source", "field"),
    [
        ({"answer_conditional": 3}, OPERATOR_RULE, "operator_deadlines.answer_conditional"),
        ({"negotiate_dispute": 0}, OPERATOR_RULE, "operator_deadlines.negotiate_dispute"),
        ({"decide_dispute": True}, OPERATOR_RULE, "operator_deadlines.decide_dispute"),
        ({"decide_dispute": 10}, " ", "operator_deadlines_source"),
        ({"no_such_clock": 10}, OPERATOR_RULE, "operator_deadlines.no_such_clock"),
    ],
)
def test_the_operator_sets_only_the_clocks_no_regulation_sets_and_cites_its_rule(
    figures: dict[str, int], source: str, field: str
) -> None:
    with pytest.raises(InvalidValue) as refused:
        STATE_COUNCIL_2025.with_operator(figures, source)
    assert refused.value.field == field
