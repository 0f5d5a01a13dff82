"""The rulebook (graph.sharing.rulebook): the deadlines and rules in force at an instance, each
with its article — the State Council's 2025 regulation by default, the 2016 measures
selectable, Sichuan's and Kunming's rules on top — and the write rule Kunming adds."""

from __future__ import annotations

import dataclasses
from datetime import date

import pytest

from graph import DataItem, InvalidValue, ShareType
from graph.sharing import (
    KUNMING,
    LOCAL_RULES,
    MEASURES_2016,
    RULEBOOKS,
    SICHUAN,
    STATE_COUNCIL_2025,
    Deadline,
    DeadlineName,
    LocalRules,
    RuleName,
    WorkingCalendar,
    WorkingDate,
    rulebook_named,
)
from tests.graph.entries import resource

D = DeadlineName


def days(rulebook_deadline: Deadline | None) -> int | None:
    return None if rulebook_deadline is None else rulebook_deadline.working_days


def test_the_default_is_the_state_councils_2025_regulation() -> None:
    rulebook = rulebook_named("state-council-2025")
    assert rulebook.key == "state-council-2025"
    # Unconditional requests answered within 1 working day, conditional within 10, data
    # delivered within 20 of approval (《政务数据共享条例》, as its summaries give them).
    assert days(rulebook.deadline(D.ANSWER_UNCONDITIONAL)) == 1
    assert days(rulebook.deadline(D.ANSWER_CONDITIONAL)) == 10
    assert days(rulebook.deadline(D.DELIVER_DATA)) == 20
    for name in (D.ANSWER_UNCONDITIONAL, D.ANSWER_CONDITIONAL, D.DELIVER_DATA):
        deadline = rulebook.deadline(name)
        assert deadline is not None
        assert deadline.source == "《政务数据共享条例》(国务院令第809号)"
    assert rulebook.rule(RuleName.REFUSAL_REASONS) is not None
    assert rulebook.rule(RuleName.NO_EXTRA_CONDITIONS) is not None
    assert not rulebook.has_write_rules


def test_the_2025_catalog_update_figure_is_the_2016_measures_and_says_so() -> None:
    # National 第八条: 15 working days after a legal or functional change.
    update = STATE_COUNCIL_2025.deadline(D.UPDATE_CATALOG)
    assert update is not None
    assert update.working_days == 15
    assert update.source.endswith("(国发〔2016〕51号) 第八条")
    assert "2016 measures' figure" in update.note


def test_the_2016_measures_answer_conditional_requests_within_10_and_update_within_15() -> None:
    rulebook = rulebook_named("measures-2016")
    assert rulebook == MEASURES_2016
    answer, update = rulebook.deadline(D.ANSWER_CONDITIONAL), rulebook.deadline(D.UPDATE_CATALOG)
    assert answer is not None
    assert update is not None
    assert (answer.working_days, answer.source.endswith("第十二条")) == (10, True)
    assert (update.working_days, update.source.endswith("第八条")) == (15, True)
    # No request for unconditional data in 2016 (got directly on the platform, 第十二条).
    assert rulebook.deadline(D.ANSWER_UNCONDITIONAL) is None
    assert rulebook.deadline(D.DELIVER_DATA) is None


def test_sichuan_adds_its_objection_clocks() -> None:
    # Sichuan 第二十四条: report within 5 working days of finding it, answered within 10.
    rulebook = rulebook_named("state-council-2025", ["sichuan"])
    assert rulebook.local == ("sichuan",)
    report, answer = rulebook.deadline(D.REPORT_OBJECTION), rulebook.deadline(D.ANSWER_OBJECTION)
    assert report is not None
    assert answer is not None
    assert (report.working_days, answer.working_days) == (5, 10)
    assert (
        report.source
        == answer.source
        == "《四川省政务信息资源共享管理实施细则（暂行）》 第二十四条"
    )
    assert STATE_COUNCIL_2025.deadline(D.REPORT_OBJECTION) is None


def test_kunming_adds_data_updates_within_5_and_the_legal_basis_rule() -> None:
    rulebook = rulebook_named("measures-2016", ["kunming"])
    update_data = rulebook.deadline(D.UPDATE_DATA)
    assert update_data is not None
    assert (update_data.working_days, update_data.source.endswith("第十八条")) == (5, True)
    rule = rulebook.rule(RuleName.LEGAL_BASIS_FOR_CONDITIONAL)
    assert rule is not None
    assert rule.source.endswith("第十二、十三条")
    assert rulebook.has_write_rules


def test_a_deadline_is_due_on_the_calendar() -> None:
    calendar = WorkingCalendar.official(until=2026)
    answer = STATE_COUNCIL_2025.deadline(D.ANSWER_CONDITIONAL)
    assert answer is not None
    # Received Wednesday 30 September 2026: 国庆节 (10-01 – 10-07) rests, 10-08, 10-09, the
    # make-up Saturday 10-10 and the two weeks after count: the tenth is Tuesday 10-20.
    assert answer.due(date(2026, 9, 30), calendar) == WorkingDate(date(2026, 10, 20), False)


def test_a_shorter_local_deadline_binds_and_both_are_cited() -> None:
    stricter = LocalRules(
        "stricter",
        "a stricter city",
        (Deadline(D.ANSWER_CONDITIONAL, 5, "the request is received", "某市 第九条"),),
    )
    looser = LocalRules(
        "looser",
        "a looser city",
        (Deadline(D.ANSWER_CONDITIONAL, 15, "the request is received", "某市 第十条"),),
    )
    bound = STATE_COUNCIL_2025.with_local(stricter).deadline(D.ANSWER_CONDITIONAL)
    kept = STATE_COUNCIL_2025.with_local(looser).deadline(D.ANSWER_CONDITIONAL)
    assert bound is not None
    assert kept is not None
    assert (bound.working_days, bound.source) == (
        5,
        "某市 第九条; 《政务数据共享条例》(国务院令第809号)",
    )
    assert (kept.working_days, kept.source) == (
        10,
        "《政务数据共享条例》(国务院令第809号); 某市 第十条",
    )


@pytest.mark.parametrize(
    ("name", "local", "field", "accepted"),
    [
        ("state-council-2024", (), "rulebook", "one of state-council-2025, measures-2016"),
        ("state-council-2025", ("chengdu",), "local_rules[0]", "one of sichuan, kunming"),
        ("state-council-2025", ("sichuan", "sichuan"), "local_rules[1]", "named once each"),
    ],
)
def test_an_unknown_or_repeated_name_is_refused(
    name: str, local: tuple[str, ...], field: str, accepted: str
) -> None:
    with pytest.raises(InvalidValue) as refused:
        rulebook_named(name, local)
    assert (refused.value.field, refused.value.value) == (field, (name, *local)[-1])
    assert accepted in refused.value.accepted


def test_every_rulebook_and_local_set_is_selectable_by_its_key() -> None:
    assert set(RULEBOOKS) == {"state-council-2025", "measures-2016"}
    assert LOCAL_RULES == {"sichuan": SICHUAN, "kunming": KUNMING}


def test_every_deadline_and_rule_cites_its_source() -> None:
    for base in RULEBOOKS:
        rulebook = rulebook_named(base, list(LOCAL_RULES))
        for deadline in rulebook.deadlines:
            assert deadline.source.startswith("《")
            assert deadline.working_days >= 1
        for rule in rulebook.rules:
            assert rule.source.startswith("《")


CONDITIONAL = resource(share_type=ShareType.CONDITIONAL, share_condition="仅限政务用途")
KUNMING_RULES = rulebook_named("state-council-2025", ["kunming"])


def test_kunming_refuses_a_conditional_entry_without_a_legal_basis() -> None:
    # Kunming 第十三条(一): conditional (and not-shared) resources rest on a law, an
    # administrative regulation or a central policy.
    with pytest.raises(InvalidValue) as refused:
        KUNMING_RULES.check_entry(CONDITIONAL)
    assert (refused.value.field, refused.value.value) == ("legal_basis", None)
    assert (
        refused.value.rule
        == "《昆明市政务信息资源共享管理办法》(昆明市人民政府令第151号) 第十二、十三条"
    )
    assert "legal basis" not in refused.value.accepted  # said in the domain's words
    assert "共享依据" in refused.value.accepted


def test_kunming_takes_a_conditional_entry_that_names_its_basis() -> None:
    KUNMING_RULES.check_entry(dataclasses.replace(CONDITIONAL, legal_basis="《某某条例》第十条"))


def test_kunming_counts_an_entry_shared_in_part_as_conditional() -> None:
    # Kunming 第十二条: shared only in part with every department is the conditional class.
    partial = resource(
        items=(
            DataItem("姓名", "字符型"),
            DataItem("身份证号", "字符型", share_type=ShareType.CONDITIONAL),
        )
    )
    with pytest.raises(InvalidValue, match="legal_basis"):
        KUNMING_RULES.check_entry(partial)


def test_an_unconditional_entry_needs_no_basis_anywhere() -> None:
    KUNMING_RULES.check_entry(resource())


def test_the_state_council_and_the_2016_measures_add_no_write_rule() -> None:
    STATE_COUNCIL_2025.check_entry(CONDITIONAL)
    MEASURES_2016.check_entry(CONDITIONAL)
    rulebook_named("state-council-2025", ["sichuan"]).check_entry(CONDITIONAL)
