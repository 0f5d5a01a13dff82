"""Hypothesis strategies: any Resource (not only rule-valid ones) and events around them."""

from __future__ import annotations

from datetime import UTC, timedelta, timezone

from hypothesis import strategies as st

from graph import (
    Classification,
    DataItem,
    FormatClass,
    LifecycleState,
    LifecycleStep,
    Resource,
    ShareMode,
    ShareType,
    UpdateCycle,
)

codes = st.from_regex(r"\A[1-3][0-9]{5}[0-9]{0,6}/[0-9]{6}\Z")
instances = st.sampled_from(
    [
        "national/intranet",
        "national/extranet",
        "510000/intranet",
        "510000/extranet",
        "510100/intranet",
        "510100/extranet",
        "530100/intranet",
        "530100/extranet",
    ]
)
_zones = st.sampled_from([None, UTC, timezone(timedelta(hours=8))])
datetimes = st.datetimes(timezones=_zones)
texts = st.text(max_size=20)
optional_texts = st.none() | texts

items = st.builds(
    DataItem,
    name=texts,
    data_type=texts,
    length=st.none() | st.integers(-(2**40), 2**40),
    is_base_item=st.booleans(),
    share_type=st.none() | st.sampled_from(ShareType),
)
steps = st.builds(
    LifecycleStep,
    state=st.sampled_from(LifecycleState),
    actor=texts,
    at=datetimes,
    note=optional_texts,
)

resources = st.builds(
    Resource,
    code=codes,
    name=texts,
    provider_code=texts,
    provider_name=texts,
    summary=texts,
    format_class=st.sampled_from(FormatClass),
    format_type=texts,
    share_type=st.sampled_from(ShareType),
    update_cycle=st.sampled_from(UpdateCycle),
    classification=st.none() | st.sampled_from(Classification),
    items=st.lists(items, max_size=3).map(tuple),
    share_condition=optional_texts,
    legal_basis=optional_texts,
    share_modes=st.frozensets(st.sampled_from(ShareMode)),
    open_to_public=st.booleans(),
    open_condition=optional_texts,
    published_on=st.none() | st.dates(),
    related_codes=st.lists(codes, max_size=3).map(tuple),
    derived_from=st.lists(codes, max_size=3).map(tuple),
    themes=st.frozensets(texts, max_size=3),
    state=st.sampled_from(LifecycleState),
    history=st.lists(steps, max_size=3).map(tuple),
    version=st.integers(1, 2**63 - 1),
    origin=instances,
    updated_at=st.none() | datetimes,
    extensions=st.lists(st.tuples(texts, texts), max_size=3).map(tuple),
)
