"""Property tests (hypothesis) of the code formats and of `check_resource`."""

from __future__ import annotations

import dataclasses
from collections.abc import Collection
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from graph import (
    THEMES,
    Classification,
    DataItem,
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
from graph.model import parse_catalog_id
from graph.rules import HANDS_DATA_OVER
from graph.sample import generate_catalog
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
    if ShareMode.DATA_COMPARISON in checked.share_modes:  # 数据不落地 (Sichuan 第二十三条)
        assert not checked.share_modes & HANDS_DATA_OVER
    if checked.open_to_public:
        assert checked.classification is Classification.UNCLASSIFIED


item_names = st.sampled_from(["姓名", " 姓名 ", "住址", "", "  ", "名" * 201, 7])
entry_items = st.lists(
    st.builds(
        DataItem,
        name=item_names,
        data_type=st.sampled_from(["string", " date ", "", "t" * 51]),
        length=st.sampled_from([None, 18, 0, True, 2**40]),
        is_base_item=st.booleans(),
        share_type=st.sampled_from([None, *ShareType]),
    ),
    max_size=3,
).map(tuple)


# Ways of giving an entry's enumerated fields that `check_resource` takes as well as members.
PLAIN_FORMS = (
    "format_class",
    "share_type",
    "update_cycle",
    "classification",
    "share_modes",
    "share_mode_values",
    "state",
    "items",
    "item_share_types",
)


def in_plain_form(entry: Resource, forms: Collection[str] = PLAIN_FORMS) -> Resource:
    """`entry` with some enumerated fields as plain string values, its set of share modes as a
    `set` or of values, its items as a list, as `forms` says."""
    changes: dict[str, Any] = {}
    for name in ("format_class", "share_type", "update_cycle", "classification", "state"):
        value = getattr(entry, name)
        if name in forms and value is not None:
            changes[name] = value.value
    modes = [mode.value if "share_mode_values" in forms else mode for mode in entry.share_modes]
    changes["share_modes"] = (set if "share_modes" in forms else frozenset)(modes)
    items = [
        dataclasses.replace(item, share_type=item.share_type.value)
        if "item_share_types" in forms and item.share_type
        else item
        for item in entry.items
    ]
    changes["items"] = items if "items" in forms else tuple(items)
    return dataclasses.replace(entry, **changes)


def checked(entry: Resource, zone: Zone) -> tuple[object, ...]:
    try:
        stored = check_resource(entry, zone)
    except InvalidValue as exc:
        return ("refused", exc.field, repr(exc.value), exc.accepted, exc.rule, str(exc))
    # Equal is not enough: a set equals a frozenset, a member its value.
    types = [
        type(getattr(value, field.name))
        for value in (stored, *stored.items)
        for field in dataclasses.fields(value)
    ]
    return ("stored", stored, types, {type(mode) for mode in stored.share_modes})


@settings(max_examples=300)
@given(entries, entry_items, st.sets(st.sampled_from(PLAIN_FORMS)), st.sampled_from(Zone))
def test_members_and_their_plain_values_are_checked_alike(
    entry: Resource, items: tuple[DataItem, ...], forms: set[str], zone: Zone
) -> None:
    """An entry whose enumerated fields all hold members skips their coercion; one holding any
    plain value goes through it: all come to the same stored entry, or the same refusal."""
    entry = dataclasses.replace(entry, items=items)
    assert checked(in_plain_form(entry, forms), zone) == checked(in_plain_form(entry), zone)


def test_sample_entries_in_any_plain_form_are_stored_alike() -> None:
    sample = generate_catalog(200, seed=1)
    for entry in (sample.resource(i) for i in range(len(sample))):
        zone = parse_catalog_id(entry.origin)[1]
        stored = checked(in_plain_form(entry), zone)
        assert stored[0] == "stored"
        for form in [(), *((form,) for form in PLAIN_FORMS)]:
            assert checked(in_plain_form(entry, form), zone) == stored, form
