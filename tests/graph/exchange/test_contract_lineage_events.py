"""Contract: dataset mappings held by both stores (written with their audit records), and
OpenLineage run events recorded as lineage through `Cataloguing` — on COMPLETE only, for the
department that provides the output entry, once; a published output through revise → update
→ submit, awaiting review."""

from __future__ import annotations

from typing import Any

import pytest

from graph import (
    Actor,
    CatalogStore,
    Cataloguing,
    Direction,
    InvalidTransition,
    LifecycleState,
    NotFound,
    NotPermitted,
)
from graph.audit.records import AuditEntry, AuditKind
from graph.enums import Role
from graph.exchange.datasets import DatasetKey, check_mapping
from graph.exchange.errors import EventRefused
from graph.exchange.openlineage import parse_run_event, record_run
from sync.events import outbox_record
from tests.graph.entries import MARKET, POLICE, credit_code, resource

PERSONS = DatasetKey("postgres://db:5432", "public.persons")
RESIDENTS = DatasetKey("postgres://db:5432", "public.residents")
REPORT = DatasetKey("s3://warehouse", "marts/population")
REVIEWER = Actor(credit_code("510100", "MB0000099"), Role.REVIEWER)


def audit(action: str) -> AuditEntry:
    return AuditEntry(AuditKind.CATALOG_WRITE, POLICE.code, action)


def event(event_type: str = "COMPLETE", **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "eventType": event_type,
        "eventTime": "2026-12-06T10:00:00Z",
        "run": {"runId": "0193c4d2-7a2e-7000-8000-000000000001"},
        "job": {"namespace": "etl", "name": "build_population"},
        "inputs": [{"namespace": k.namespace, "name": k.name} for k in (PERSONS, RESIDENTS)],
        "outputs": [{"namespace": REPORT.namespace, "name": REPORT.name}],
        "producer": "https://example.org/etl",
    }
    body.update(overrides)
    return body


async def test_mappings_are_held_replaced_and_removed_with_their_audit(
    store: CatalogStore,
) -> None:
    assert await store.dataset_mappings() == {}
    await store.put_dataset_mapping(
        check_mapping(PERSONS.namespace, PERSONS.name, "301001001/000001"), audit("map dataset")
    )
    await store.put_dataset_mapping(
        check_mapping(REPORT.namespace, REPORT.name, "301001001/000002"), audit("map dataset")
    )
    await store.put_dataset_mapping(
        check_mapping(REPORT.namespace, REPORT.name, "301001001/000003"), audit("map dataset")
    )
    assert await store.dataset_mappings([PERSONS, REPORT, RESIDENTS]) == {
        PERSONS: "301001001/000001",
        REPORT: "301001001/000003",
    }
    await store.remove_dataset_mapping(PERSONS, audit("unmap dataset"))
    assert await store.dataset_mappings() == {REPORT: "301001001/000003"}
    with pytest.raises(NotFound):
        await store.remove_dataset_mapping(PERSONS, audit("unmap dataset"))
    actions = [r.entry.action for r in await store.audit_records(0, 10)]
    assert actions == ["map dataset"] * 3 + ["unmap dataset"]


@pytest.fixture
async def mapped(store: CatalogStore) -> Cataloguing:
    """Two published sources and a draft output of the 成都市公安局, each mapped."""
    cataloguing = Cataloguing(store)
    await store.save(resource("301001001/000001"), None)
    await store.save(resource("301001001/000002", name="居住证信息"), None)
    await store.save(
        resource("301001001/000003", name="人口综合库", state=LifecycleState.DRAFT), None
    )
    for key, code in ((PERSONS, "1"), (RESIDENTS, "2"), (REPORT, "3")):
        mapping = check_mapping(key.namespace, key.name, f"301001001/00000{code}")
        await store.put_dataset_mapping(mapping, audit("map dataset"))
    return cataloguing


async def test_complete_records_each_output_as_derived_from_each_input(
    store: CatalogStore, mapped: Cataloguing
) -> None:
    result = await record_run(mapped, store, Actor(POLICE.code), parse_run_event(event()))
    assert result.recorded == {"301001001/000003": ["301001001/000001", "301001001/000002"]}
    output = await store.get("301001001/000003")
    assert output is not None
    assert output.derived_from == ("301001001/000001", "301001001/000002")
    assert output.version == 2  # an update, as a hand-typed edit is
    lineage = await store.lineage("301001001/000003", Direction.UPSTREAM, 1)
    assert set(lineage.nodes) >= {"301001001/000001", "301001001/000002"}
    again = await record_run(mapped, store, Actor(POLICE.code), parse_run_event(event()))
    assert (again.recorded, again.unchanged) == ({}, ["301001001/000003"])


async def test_start_records_nothing_and_says_so(store: CatalogStore, mapped: Cataloguing) -> None:
    result = await record_run(mapped, store, Actor(POLICE.code), parse_run_event(event("START")))
    assert result.recorded == {}
    assert result.reason is not None
    assert "COMPLETE" in result.reason


async def test_unmapped_inputs_are_named_and_skipped(
    store: CatalogStore, mapped: Cataloguing
) -> None:
    body = event(
        inputs=[
            {"namespace": "kafka://bus", "name": "events"},
            {"namespace": PERSONS.namespace, "name": PERSONS.name},
        ]
    )
    result = await record_run(mapped, store, Actor(POLICE.code), parse_run_event(body))
    assert result.unmapped == ["kafka://bus/events"]
    assert result.recorded == {"301001001/000003": ["301001001/000001"]}


async def test_an_event_whose_outputs_map_to_nothing_is_refused(
    store: CatalogStore, mapped: Cataloguing
) -> None:
    body = event(outputs=[{"namespace": "s3://other", "name": "x"}])
    with pytest.raises(EventRefused, match="no output dataset of the event maps to an entry"):
        await record_run(mapped, store, Actor(POLICE.code), parse_run_event(body))


async def test_only_the_providing_department_records(
    store: CatalogStore, mapped: Cataloguing
) -> None:
    with pytest.raises(NotPermitted):
        await record_run(mapped, store, Actor(MARKET.code), parse_run_event(event()))
    held = await store.get("301001001/000003")
    assert held is not None
    assert (held.version, held.derived_from) == (1, ())


async def publish(store: CatalogStore, cataloguing: Cataloguing, code: str) -> None:
    await cataloguing.submit(Actor(POLICE.code), code)
    await cataloguing.publish(REVIEWER, code)


async def test_a_published_output_is_revised_and_submitted_for_review_with_its_lineage(
    store: CatalogStore, mapped: Cataloguing
) -> None:
    """A change to a published entry is reviewed (Sichuan 第十条; Kunming 第十五条): the run's
    lineage goes through revise → update → submit, each step audited with its change event,
    and reaches the shared catalog once the reviewer publishes it."""
    mapped = Cataloguing(store, outbox=outbox_record)  # each version with its change event
    await publish(store, mapped, "301001001/000003")
    result = await record_run(mapped, store, Actor(POLICE.code), parse_run_event(event()))
    assert result.recorded == {"301001001/000003": ["301001001/000001", "301001001/000002"]}
    assert result.submitted == ["301001001/000003"]
    held = await store.get("301001001/000003")
    assert held is not None
    assert held.state is LifecycleState.SUBMITTED
    assert held.derived_from == ("301001001/000001", "301001001/000002")
    assert held.version == 6  # create, submit, publish; then revise, update, submit
    records = [r.entry for r in await store.audit_records(0, 100)]
    steps = [(r.action, r.actor) for r in records if r.subject == "301001001/000003"][-3:]
    assert steps == [("revise", POLICE.code), ("update", POLICE.code), ("submit", POLICE.code)]
    assert "OpenLineage run 0193c4d2-7a2e-7000-8000-000000000001" in str(records[-1].detail)
    outbox = await store.outbox_after(0, 100)
    # submit, publish; revise, update, submit: each version its change event
    assert [r.key for _, r in outbox].count("301001001/000003") == 5
    published = await mapped.publish(REVIEWER, "301001001/000003")
    assert published.derived_from == ("301001001/000001", "301001001/000002")
    again = await record_run(mapped, store, Actor(POLICE.code), parse_run_event(event()))
    assert (again.recorded, again.submitted, again.unchanged) == ({}, [], ["301001001/000003"])
    assert (await store.get("301001001/000003")).state is LifecycleState.PUBLISHED  # type: ignore[union-attr]


async def test_a_submitted_output_is_refused_and_a_refusal_leaves_every_output_as_it_was(
    store: CatalogStore, mapped: Cataloguing
) -> None:
    await store.save(
        resource("301001001/000004", name="人口统计报表", state=LifecycleState.DRAFT), None
    )
    second = DatasetKey("s3://warehouse", "marts/statistics")
    await store.put_dataset_mapping(
        check_mapping(second.namespace, second.name, "301001001/000004"), audit("map dataset")
    )
    await mapped.submit(Actor(POLICE.code), "301001001/000004")
    outputs = [{"namespace": k.namespace, "name": k.name} for k in (REPORT, second)]
    with pytest.raises(InvalidTransition, match="it awaits review"):
        await record_run(mapped, store, Actor(POLICE.code), parse_run_event(event(outputs=outputs)))
    for code in ("301001001/000003", "301001001/000004"):
        held = await store.get(code)
        assert held is not None
        assert held.derived_from == ()  # the DRAFT output was not written either


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ([], "the body is not a JSON object"),
        ({"eventType": "DONE"}, "eventType 'DONE'"),
        ({"eventType": "COMPLETE", "job": {}}, "run is not a JSON object"),
        ({"run": {"runId": "r"}, "job": {"namespace": "etl"}}, "job.name"),
        (
            {"run": {"runId": "r"}, "job": {"namespace": "e", "name": "j"}, "inputs": {}},
            "inputs is not a list",
        ),
        (
            {"run": {"runId": "r"}, "job": {"namespace": "e", "name": "j"}, "outputs": [{}] * 101},
            "at most 100",
        ),
    ],
)
def test_a_body_that_is_no_run_event_is_refused_saying_what_is_missing(
    body: object, message: str
) -> None:
    with pytest.raises(EventRefused, match=message):
        parse_run_event(body)
