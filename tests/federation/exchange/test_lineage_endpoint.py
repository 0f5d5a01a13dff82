"""``POST /api/v1/lineage`` on a running instance, posted to by the real OpenLineage client
(openlineage-python): a pipeline's COMPLETE run records its output entry as derived from its
inputs; refused events answer with a 4xx JSON body saying why."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
import requests
from openlineage.client import OpenLineageClient
from openlineage.client.event_v2 import InputDataset, Job, OutputDataset, Run, RunEvent, RunState
from openlineage.client.transport.http import HttpConfig, HttpTransport

from federation.settings import Settings
from graph import Actor, CatalogStore, Cataloguing, LifecycleState, Role
from tests.federation.catalog import FLOATING, HOUSEHOLD, POLICE_DRAFT
from tests.federation.live import live
from tests.federation.support import GraphQLCaller, app_over, data, only_error
from tests.graph.entries import MARKET, POLICE, credit_code

MAP = """mutation ($ns: String!, $name: String!, $code: String!) {
  mapDataset(namespace: $ns, name: $name, code: $code) { namespace name code } }"""
UNMAP = """mutation ($ns: String!, $name: String!) {
  unmapDataset(namespace: $ns, name: $name) { code } }"""
DB = "postgres://db.chengdu.gov.cn:5432"


def client(url: str, department: str | None) -> OpenLineageClient:
    headers = {"X-Mulu-Dev-Department": department} if department else {}
    config = HttpConfig(url=url, custom_headers=headers, retry={"total": 0})
    return OpenLineageClient(transport=HttpTransport(config))


def run_event(state: RunState, outputs: list[str], inputs: list[str]) -> RunEvent:
    return RunEvent(
        eventType=state,
        eventTime=datetime.now(UTC).isoformat(),
        run=Run(runId=str(uuid.uuid4())),
        job=Job(namespace="chengdu-etl", name="build_exit_entry"),
        producer="https://github.com/OpenLineage/OpenLineage/tree/1.54.0/client/python",
        inputs=[InputDataset(namespace=DB, name=n) for n in inputs],
        outputs=[OutputDataset(namespace=DB, name=n) for n in outputs],
    )


async def map_all(gql: GraphQLCaller) -> None:
    for name, code in (
        ("public.household", HOUSEHOLD),
        ("public.floating", FLOATING),
        ("public.exit_entry", POLICE_DRAFT),
    ):
        variables = {"ns": DB, "name": name, "code": code}
        data(await gql(MAP, variables, department=POLICE.code))


async def test_the_openlineage_client_records_a_completed_runs_lineage(
    gql: GraphQLCaller, store: CatalogStore, tmp_path: Path
) -> None:
    await map_all(gql)
    settings = Settings(data_dir=tmp_path, dev_identity_header=True)
    async with live(app_over(settings, store)) as server:
        pipeline = client(server.url, POLICE.code)
        outputs, inputs = ["public.exit_entry"], ["public.household", "public.floating"]
        start = run_event(RunState.START, outputs, inputs)
        await asyncio.to_thread(pipeline.emit, start)
        assert (await store.get(POLICE_DRAFT)).derived_from == (HOUSEHOLD,)  # type: ignore[union-attr]
        complete = run_event(RunState.COMPLETE, outputs, inputs)
        await asyncio.to_thread(pipeline.emit, complete)
    held = await store.get(POLICE_DRAFT)
    assert held is not None
    assert held.derived_from == (HOUSEHOLD, FLOATING)
    records = await store.audit_records(0, 100)
    writes = [r.entry for r in records if r.entry.subject == POLICE_DRAFT]
    assert writes[-1].action == "update"
    assert writes[-1].actor == POLICE.code


async def test_the_openlineage_client_records_lineage_on_a_published_entry_for_review(
    gql: GraphQLCaller, store: CatalogStore, tmp_path: Path
) -> None:
    """A published output is not changed behind the reviewer's back: the run revises it, adds
    the lineage and submits it (each step audited as the posting department); the reviewer
    publishes it, lineage and all."""
    await map_all(gql)
    settings = Settings(data_dir=tmp_path, dev_identity_header=True)
    async with live(app_over(settings, store)) as server:
        pipeline = client(server.url, POLICE.code)
        complete = run_event(RunState.COMPLETE, ["public.household"], ["public.floating"])
        await asyncio.to_thread(pipeline.emit, complete)
        async with httpx.AsyncClient(base_url=server.url) as http:
            again = await http.post(
                "/api/v1/lineage",
                json=_json(run_event(RunState.COMPLETE, ["public.household"], [])),
                headers={"X-Mulu-Dev-Department": POLICE.code},
            )
            assert again.json()["reason"] == "every output is derived from these inputs already"
    held = await store.get(HOUSEHOLD)
    assert held is not None
    assert (held.state, held.derived_from) == (LifecycleState.SUBMITTED, (FLOATING,))
    records = [r.entry for r in await store.audit_records(0, 100)]
    steps = [(r.action, r.actor) for r in records if r.subject == HOUSEHOLD]
    assert steps[-3:] == [("revise", POLICE.code), ("update", POLICE.code), ("submit", POLICE.code)]
    reviewer = Actor(credit_code("510100", "MB0000099"), Role.REVIEWER)
    published = await Cataloguing(store).publish(reviewer, HOUSEHOLD)
    assert (published.state, published.derived_from) == (LifecycleState.PUBLISHED, (FLOATING,))


async def test_refused_events_say_why_in_json(
    gql: GraphQLCaller, store: CatalogStore, tmp_path: Path
) -> None:
    await map_all(gql)
    settings = Settings(data_dir=tmp_path, dev_identity_header=True)
    complete = run_event(RunState.COMPLETE, ["public.exit_entry"], ["public.floating"])
    async with live(app_over(settings, store)) as server:
        # The real client raises on a refusal: it is not silently dropped.
        with pytest.raises(requests.HTTPError):
            await asyncio.to_thread(client(server.url, None).emit, complete)
        async with httpx.AsyncClient(base_url=server.url) as http:

            async def post(body: object, department: str | None = POLICE.code) -> httpx.Response:
                headers = {"X-Mulu-Dev-Department": department} if department else {}
                return await http.post("/api/v1/lineage", json=body, headers=headers)

            anonymous = await post(_json(complete), None)
            assert anonymous.status_code == 403
            assert "anonymous callers cannot change the catalog" in anonymous.json()["message"]
            other = await post(_json(complete), MARKET.code)
            assert other.status_code == 403
            unmapped = _json(run_event(RunState.COMPLETE, ["public.unknown"], []))
            refused = await post(unmapped)
            assert refused.status_code == 422
            assert refused.json()["error"] == "EVENT_REFUSED"
            assert "mapDataset" in refused.json()["message"]
            await Cataloguing(store).submit(Actor(POLICE.code), POLICE_DRAFT)
            awaiting = await post(_json(complete))
            assert awaiting.status_code == 409
            assert awaiting.json()["error"] == "INVALID_TRANSITION"
            assert "it awaits review" in awaiting.json()["message"]
            broken = await post({"eventType": "COMPLETE"})
            assert broken.status_code == 400
            assert "run" in broken.json()["message"]
            not_json = await http.post(
                "/api/v1/lineage", content=b"{", headers={"X-Mulu-Dev-Department": POLICE.code}
            )
            assert not_json.status_code == 400
            deep = b"[" * 100_000 + b"]" * 100_000  # within the body's bound; once a 500
            nested = await http.post(
                "/api/v1/lineage", content=deep, headers={"X-Mulu-Dev-Department": POLICE.code}
            )
            assert nested.status_code == 400
            assert nested.json()["error"] == "BAD_REQUEST"
            too_big = await post({"x": "a" * 2_000_000})
            assert too_big.status_code == 413
    held = await store.get(POLICE_DRAFT)
    assert held is not None
    assert held.derived_from == (HOUSEHOLD,)


def _json(event: RunEvent) -> object:
    import json

    from openlineage.client.serde import Serde

    return json.loads(Serde.to_json(event))


async def test_only_the_provider_maps_a_dataset_to_its_entry(gql: GraphQLCaller) -> None:
    variables = {"ns": DB, "name": "public.household", "code": HOUSEHOLD}
    error = only_error(await gql(MAP, variables, department=MARKET.code))
    assert error["extensions"]["code"] == "NOT_PERMITTED"
    error = only_error(await gql(MAP, variables))
    assert error["extensions"]["code"] == "NOT_PERMITTED"
    data(await gql(MAP, variables, department=POLICE.code))
    error = only_error(
        await gql(UNMAP, {"ns": DB, "name": "public.household"}, department=MARKET.code)
    )
    assert error["extensions"]["code"] == "NOT_PERMITTED"
    gone = data(await gql(UNMAP, {"ns": DB, "name": "public.household"}, department=POLICE.code))
    assert gone["unmapDataset"]["code"] == HOUSEHOLD
