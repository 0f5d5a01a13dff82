"""OpenLineage run events from data pipelines, recorded as lineage (来源资源代码).

A pipeline's job reads input datasets and writes output datasets; the instance keeps a
mapping from a dataset (namespace, name) to the resource code of the entry that catalogues it
(`DatasetMapping`, maintained by the entry's providing department and audited). On a
COMPLETE event each output that maps to an entry is recorded as derived from each input that
maps to one; other event types (START, RUNNING, ABORT, FAIL, OTHER) record nothing.

Lineage is the entry's content (its ``derived_from``, a core element that crosses the sync
links), so a run changes an entry the way a department's own edit does — through
`Cataloguing`, with every rule, an audit record and a change event for each version — and a
change to a published entry is reviewed before it is shared (Sichuan 第十条; Kunming 第十五条:
updates are reviewed; DESIGN "Entries move draft → submitted → published, reviewed one by
one"). By the state of the output entry:

    DRAFT       the lineage is added (`Cataloguing.update`): one version
    PUBLISHED   revised, the lineage added, submitted (`revise` → `update` → `submit`): three
                versions, each audited, each a change event; the entry awaits the reviewer,
                who publishes or rejects it as any change. Meanwhile it is not shared — the
                links withdraw their copies until it is published again, as for any revision
                — which a pipeline causes once per new source, not per run: a run that adds
                nothing writes nothing
    SUBMITTED   refused (409): it awaits review; post the run again once it is published or
                rejected
    RETIRED     refused (409): a retired entry does not change

Every output of the event is checked — who posts it (a department providing every output
entry: 谁主管，谁提供，谁负责, `graph.lifecycle`), its state, the rules on its changed content —
before any is written, so that a refusal leaves every entry as it was. Inputs without a
mapping are named in the answer and skipped; an output already derived from every mapped input
is left alone (a redelivered event changes nothing).

    event = parse_run_event(json.loads(body))
    result = await record_run(cataloguing, store, actor, event)
    result.submitted  # the published outputs now awaiting review
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from graph.cataloguing import Cataloguing
from graph.enums import LifecycleState
from graph.errors import InvalidTransition, InvalidValue, NotFound
from graph.exchange.datasets import (
    NAME_LIMIT,
    NAMESPACE_LIMIT,
    DatasetKey,
    DatasetMapping,
    check_mapping,
    checked_text,
)
from graph.exchange.errors import EventRefused
from graph.lifecycle import Action, check_action
from graph.model import Actor, Resource
from graph.store import CatalogStore

__all__ = [
    "DatasetKey",
    "DatasetMapping",
    "LineageResult",
    "RunEvent",
    "check_mapping",
    "parse_run_event",
    "record_run",
]

MAX_DATASETS = 100  # inputs, and outputs, of one event
_EVENT_TYPES = ("START", "RUNNING", "COMPLETE", "ABORT", "FAIL", "OTHER")


@dataclass(frozen=True, slots=True)
class RunEvent:
    """What mulu reads of an OpenLineage RunEvent: its type, run, job and datasets."""

    event_type: str
    run_id: str
    job: DatasetKey
    inputs: tuple[DatasetKey, ...]
    outputs: tuple[DatasetKey, ...]


def _object(body: object, where: str) -> Mapping[str, Any]:
    if not isinstance(body, dict):
        raise EventRefused(f"{where} is not a JSON object: an OpenLineage RunEvent has one")
    return body


def _datasets(event: Mapping[str, Any], side: str) -> tuple[DatasetKey, ...]:
    found = event.get(side, [])
    if not isinstance(found, list):
        raise EventRefused(f"{side} is not a list of datasets ({{namespace, name}})")
    if len(found) > MAX_DATASETS:
        raise EventRefused(f"{side} names {len(found)} datasets; at most {MAX_DATASETS}")
    keys = []
    for i, dataset in enumerate(found):
        item = _object(dataset, f"{side}[{i}]")
        try:
            keys.append(
                DatasetKey(
                    checked_text(f"{side}[{i}].namespace", item.get("namespace"), NAMESPACE_LIMIT),
                    checked_text(f"{side}[{i}].name", item.get("name"), NAME_LIMIT),
                )
            )
        except InvalidValue as exc:
            raise EventRefused(str(exc)) from None
    return tuple(dict.fromkeys(keys))


def parse_run_event(body: object) -> RunEvent:
    """The RunEvent in a decoded JSON `body`, or `EventRefused` saying what is missing."""
    event = _object(body, "the body")
    event_type = event.get("eventType", "OTHER")
    if event_type not in _EVENT_TYPES:
        raise EventRefused(f"eventType {event_type!r}: one of {', '.join(_EVENT_TYPES)}")
    run = _object(event.get("run"), "run")
    run_id = run.get("runId")
    if not isinstance(run_id, str) or not run_id or len(run_id) > 100:
        raise EventRefused("run.runId: the run's id (a UUID) is required")
    job = _object(event.get("job"), "job")
    try:
        job_key = DatasetKey(
            checked_text("job.namespace", job.get("namespace"), NAMESPACE_LIMIT),
            checked_text("job.name", job.get("name"), NAME_LIMIT),
        )
    except InvalidValue as exc:
        raise EventRefused(str(exc)) from None
    return RunEvent(
        event_type, run_id, job_key, _datasets(event, "inputs"), _datasets(event, "outputs")
    )


@dataclass
class LineageResult:
    """What an event recorded: per output entry, the input entries it is now derived from
    (`recorded`, only those newly added), the published outputs that were revised and
    submitted for review to record them (`submitted`), the datasets without a mapping, and
    why nothing was recorded when nothing was."""

    recorded: dict[str, list[str]] = field(default_factory=dict)
    submitted: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    unmapped: list[str] = field(default_factory=list)
    reason: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "recorded": self.recorded,
            "submitted": self.submitted,
            "unchanged": self.unchanged,
            "unmapped": self.unmapped,
            "reason": self.reason,
        }


_CHANGEABLE = frozenset({LifecycleState.DRAFT, LifecycleState.PUBLISHED})


async def record_run(
    cataloguing: Cataloguing, store: CatalogStore, actor: Actor, event: RunEvent
) -> LineageResult:
    """Record `event`'s lineage as `actor`; `EventRefused` when no output maps to an entry,
    `NotPermitted` / `InvalidTransition` / `InvalidValue` as the write's rules decide, before
    anything is written."""
    result = LineageResult()
    if event.event_type != "COMPLETE":
        result.reason = (
            f"a {event.event_type} event records nothing: lineage is recorded on COMPLETE"
        )
        return result
    mapped = await store.dataset_mappings([*event.inputs, *event.outputs])
    result.unmapped = [str(k) for k in (*event.inputs, *event.outputs) if k not in mapped]
    outputs = sorted({mapped[k] for k in event.outputs if k in mapped})
    inputs = sorted({mapped[k] for k in event.inputs if k in mapped})
    if not outputs:
        raise EventRefused(
            "no output dataset of the event maps to an entry of this catalog ("
            + (", ".join(str(k) for k in event.outputs) or "it names none")
            + "): the providing department maps a dataset to its entry first (mapDataset)"
        )
    held = await store.get_many(outputs)
    planned: list[tuple[Resource, list[str]]] = []
    for code in outputs:  # every output checked before any is written
        current = held.get(code)
        if current is None:
            raise NotFound("resource", code)
        sources = [c for c in inputs if c != code and c not in current.derived_from]
        if not sources:
            result.unchanged.append(code)
            continue
        check_action(actor, Action.UPDATE, current.provider_code)  # who, before what
        if current.state not in _CHANGEABLE:
            expected = "DRAFT or PUBLISHED"
            if current.state is LifecycleState.SUBMITTED:
                expected += (
                    " (it awaits review: post the run again once it is published or rejected)"
                )
            raise InvalidTransition(code, current.state.value, "record lineage", expected)
        changed = dataclasses.replace(current, derived_from=(*current.derived_from, *sources))
        cataloguing.check_change(actor, changed)
        planned.append((current, sources))
    note = f"lineage of OpenLineage run {event.run_id} (job {event.job})"
    for current, sources in planned:
        draft = current
        if current.state is LifecycleState.PUBLISHED:
            draft = await cataloguing.revise(actor, current.code, note)
        changed = dataclasses.replace(draft, derived_from=(*draft.derived_from, *sources))
        await cataloguing.update(actor, changed, draft.version)
        if current.state is LifecycleState.PUBLISHED:
            sourced = f"{note}: derived from {'、'.join(sources)}"
            await cataloguing.submit(actor, current.code, sourced)
            result.submitted.append(current.code)
        result.recorded[current.code] = sources
    if not result.recorded:
        result.reason = "every output is derived from these inputs already"
    return result
