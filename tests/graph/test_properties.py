"""Property tests (hypothesis) of the code formats and of `check_resource`."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from graph import (
    THEMES,
    Classification,
    InvalidValue,
    Resource,
    ShareMode,
    ShareType,
    Zone,
    check_resource,
)
from graph.codes import (
    CREDIT_ALPHABET,
    check_credit_code,
    check_resource_code,
    credit_check_character,
    parse_resource_code,
)
from tests.graph.entries import resource

bodies = st.text(alphabet=CREDIT_ALPHABET, min_size=17, max_size=17)


@given(bodies)
def test_any_body_with_its_check_character_is_accepted(body: str) -> None:
    code = body + credit_check_character(body)
    assert check_credit_code(code) == code
    assert check_credit_code(code.lower()) == code


@given(bodies, st.sampled_from(CREDIT_ALPHABET))
def test_any_other_check_character_is_refused(body: str, last: str) -> None:
    if last == credit_check_character(body):
        return
    with pytest.raises(InvalidValue, match="check character"):
        check_credit_code(body + last)


def digits(n: int, m: int | None = None) -> st.SearchStrategy[str]:
    return st.text(alphabet="0123456789", min_size=n, max_size=n if m is None else m)


resource_codes = st.builds(
    lambda c, i, t, d, s: f"{c}{i}{t}{d}/{s}",
    st.sampled_from("123"),
    digits(2),
    digits(3),
    digits(0, 6),
    digits(6),
)


@given(resource_codes)
def test_codes_of_the_grammar_round_trip(code: str) -> None:
    parsed = parse_resource_code(code)
    assert str(parsed) == code
    assert check_resource_code(code) == code
    assert parsed.front == code.split("/")[0]


def _mutations(code: str, at: int, char: str) -> list[str]:
    """Changes that always leave the grammar, whatever the code."""
    front, _, sequence = code.partition("/")
    digit_at = at % len(front)
    return [
        code[:digit_at] + char + code[digit_at + 1 :],  # a non-digit where a digit was
        str(at % 10 if at % 10 not in (1, 2, 3) else 0) + code[1:],  # 类 other than 1, 2, 3
        front + "/" + sequence[:-1],  # a sequence number of 5 digits
        front + "/" + sequence + "0",  # … or 7
        front + sequence,  # no '/'
        front[:5] + "/" + sequence if len(front) >= 6 else front[:-1] + "/" + sequence,
        " " + code,
        code + "\n",
    ]


@given(
    resource_codes,
    st.integers(min_value=0, max_value=1000),
    st.characters(blacklist_categories=["Cs"]).filter(lambda c: c not in "0123456789"),
)
def test_mutated_codes_are_refused(code: str, at: int, char: str) -> None:
    for mutated in _mutations(code, at, char):
        with pytest.raises(InvalidValue):
            check_resource_code(mutated)


entries = st.builds(
    lambda base, classification, share_type, modes, basis, condition, public, themes, code: (
        dataclasses.replace(
            base,
            code=code,
            classification=classification,
            share_type=share_type,
            share_modes=modes,
            legal_basis=basis,
            share_condition=condition,
            open_to_public=public,
            themes=themes,
        )
    ),
    st.just(resource()),
    st.sampled_from([None, *Classification]),
    st.sampled_from(ShareType),
    st.frozensets(st.sampled_from(ShareMode)),
    st.sampled_from([None, "", "《统计法》"]),
    st.sampled_from([None, " ", "经审批"]),
    st.booleans(),
    st.frozensets(st.sampled_from(THEMES), max_size=3),
    resource_codes,
)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(entries, st.sampled_from(Zone))
def test_check_resource_never_lets_a_classified_entry_onto_the_extranet(
    entry: Resource, zone: Zone
) -> None:
    try:
        checked = check_resource(entry, zone)
    except InvalidValue:
        return
    assert checked.classification is not None
    if zone is Zone.EXTRANET:
        assert checked.classification is Classification.UNCLASSIFIED
    if entry.classification is None:
        assert checked.classification is Classification.CLASSIFIED


@settings(max_examples=300)
@given(entries, st.sampled_from(Zone))
def test_check_resource_is_idempotent_and_keeps_the_sharing_rules(
    entry: Resource, zone: Zone
) -> None:
    try:
        checked = check_resource(entry, zone)
    except InvalidValue:
        return
    assert check_resource(checked, zone) == checked
    if checked.share_type is ShareType.NONE:
        assert checked.legal_basis
        assert not checked.share_modes
    else:
        assert checked.share_modes
    if checked.share_type is ShareType.CONDITIONAL:
        assert checked.share_condition
    if checked.open_to_public:
        assert checked.classification is Classification.UNCLASSIFIED
