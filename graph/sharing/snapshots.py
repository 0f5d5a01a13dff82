"""Share requests, objections and access details as the JSON both stores keep, and the columns
they are found by.

Every field has a key of the same name: enums by value, dates and instants in ISO 8601,
tuples as lists. Reading one back builds the value through its constructor, so a stored text
that breaks a bound is refused like any other input. `request_columns` and
`objection_columns` are what a store indexes beside the text, the same columns for both: the
`party` (the requester of a request, the reporter of an objection), the entry, its provider,
the state, when received (fixed-width UTC, so the text sorts as the instants do), the version
and the running clock (`due_on`, `due_provisional`; None when none runs).

    request_from_json(request_to_json(request)) == request
"""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

from graph.audit.chain import instant
from graph.sharing.access import AccessDetails
from graph.sharing.clocks import Due
from graph.sharing.objections import Objection, ObjectionStep, objection_clock
from graph.sharing.requests import RequestStep, ShareRequest, pending_clock

__all__ = [
    "access_from_json",
    "access_to_json",
    "objection_columns",
    "objection_from_json",
    "objection_to_json",
    "request_columns",
    "request_from_json",
    "request_to_json",
]


def _dumps(value: dict[str, Any]) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _due(due: Due | None) -> dict[str, Any] | None:
    if due is None:
        return None
    return {
        "deadline": due.deadline.value,
        "started": due.started.isoformat(),
        "working_days": due.working_days,
        "source": due.source,
        "date": due.date.isoformat(),
        "provisional": due.provisional,
    }


def _due_from(raw: dict[str, Any] | None) -> Due | None:
    if raw is None:
        return None
    return Due(
        raw["deadline"],
        date.fromisoformat(raw["started"]),
        raw["working_days"],
        raw["source"],
        date.fromisoformat(raw["date"]),
        raw["provisional"],
    )


def _step(step: RequestStep | ObjectionStep) -> dict[str, Any]:
    return {
        "action": step.action.value,
        "state": step.state.value,
        "actor": step.actor,
        "at": step.at.isoformat(),
        "note": step.note,
    }


def _optional_date(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


def request_to_json(request: ShareRequest) -> str:
    return _dumps(
        {
            "id": request.id,
            "resource_code": request.resource_code,
            "provider_code": request.provider_code,
            "requester_code": request.requester_code,
            "requested_from": request.requested_from,
            "purpose": request.purpose,
            "scenario": request.scenario,
            "items": list(request.items),
            "share_mode": request.share_mode.value,
            "period_start": request.period_start.isoformat(),
            "period_end": request.period_end.isoformat(),
            "share_type": request.share_type.value,
            "state": request.state.value,
            "received_at": request.received_at.isoformat(),
            "history": [_step(step) for step in request.history],
            "version": request.version,
            "condition": request.condition,
            "answer_due": _due(request.answer_due),
            "delivery_due": _due(request.delivery_due),
            "negotiation_due": _due(request.negotiation_due),
            "decision_due": _due(request.decision_due),
            "terms": request.terms,
            "reasons": request.reasons,
            "delivery_note": request.delivery_note,
            "grounds": request.grounds,
            "decision": request.decision,
        }
    )


def request_from_json(text: str) -> ShareRequest:
    raw = json.loads(text)
    return ShareRequest(
        id=raw["id"],
        resource_code=raw["resource_code"],
        provider_code=raw["provider_code"],
        requester_code=raw["requester_code"],
        requested_from=raw["requested_from"],
        purpose=raw["purpose"],
        scenario=raw["scenario"],
        items=tuple(raw["items"]),
        share_mode=raw["share_mode"],
        period_start=date.fromisoformat(raw["period_start"]),
        period_end=date.fromisoformat(raw["period_end"]),
        share_type=raw["share_type"],
        state=raw["state"],
        received_at=datetime.fromisoformat(raw["received_at"]),
        history=tuple(
            RequestStep(
                s["action"], s["state"], s["actor"], datetime.fromisoformat(s["at"]), s["note"]
            )
            for s in raw["history"]
        ),
        version=raw["version"],
        condition=raw["condition"],
        answer_due=_due_from(raw["answer_due"]),
        delivery_due=_due_from(raw["delivery_due"]),
        # absent from the snapshots made before disputes had clocks
        negotiation_due=_due_from(raw.get("negotiation_due")),
        decision_due=_due_from(raw.get("decision_due")),
        terms=raw["terms"],
        reasons=raw["reasons"],
        delivery_note=raw["delivery_note"],
        grounds=raw["grounds"],
        decision=raw["decision"],
    )


def _clock_columns(due: Due | None) -> dict[str, Any]:
    return {
        "due_on": None if due is None else due.date.isoformat(),
        "due_provisional": None if due is None else due.provisional,
    }


def request_columns(request: ShareRequest) -> dict[str, Any]:
    """What a store finds requests by."""
    return {
        "id": request.id,
        "resource_code": request.resource_code,
        "party": request.requester_code,
        "provider_code": request.provider_code,
        "state": request.state.value,
        "received_at": instant(request.received_at),
        "version": request.version,
        **_clock_columns(pending_clock(request)),
    }


def objection_to_json(objection: Objection) -> str:
    return _dumps(
        {
            "id": objection.id,
            "resource_code": objection.resource_code,
            "provider_code": objection.provider_code,
            "reporter": objection.reporter,
            "fields": list(objection.fields),
            "text": objection.text,
            "state": objection.state.value,
            "received_at": objection.received_at.isoformat(),
            "history": [_step(step) for step in objection.history],
            "version": objection.version,
            "found_on": _optional_date(objection.found_on),
            "report_due": _due(objection.report_due),
            "answer_due": _due(objection.answer_due),
            "reasons": objection.reasons,
            "correction": objection.correction,
        }
    )


def objection_from_json(text: str) -> Objection:
    raw = json.loads(text)
    return Objection(
        id=raw["id"],
        resource_code=raw["resource_code"],
        provider_code=raw["provider_code"],
        reporter=raw["reporter"],
        fields=tuple(raw["fields"]),
        text=raw["text"],
        state=raw["state"],
        received_at=datetime.fromisoformat(raw["received_at"]),
        history=tuple(
            ObjectionStep(
                s["action"], s["state"], s["actor"], datetime.fromisoformat(s["at"]), s["note"]
            )
            for s in raw["history"]
        ),
        version=raw["version"],
        found_on=None if raw["found_on"] is None else date.fromisoformat(raw["found_on"]),
        report_due=_due_from(raw["report_due"]),
        answer_due=_due_from(raw["answer_due"]),
        reasons=raw["reasons"],
        correction=raw["correction"],
    )


def objection_columns(objection: Objection) -> dict[str, Any]:
    """What a store finds objections by."""
    return {
        "id": objection.id,
        "resource_code": objection.resource_code,
        "party": objection.reporter,
        "provider_code": objection.provider_code,
        "state": objection.state.value,
        "received_at": instant(objection.received_at),
        "version": objection.version,
        **_clock_columns(objection_clock(objection)),
    }


def access_to_json(details: AccessDetails) -> str:
    return _dumps(
        {
            "resource_code": details.resource_code,
            "updated_by": details.updated_by,
            "updated_at": details.updated_at.isoformat(),
            "version": details.version,
            "interface_url": details.interface_url,
            "credentials": details.credentials,
            "exchange_table": details.exchange_table,
            "download_location": details.download_location,
            "note": details.note,
        }
    )


def access_from_json(text: str) -> AccessDetails:
    raw = json.loads(text)
    return AccessDetails(
        resource_code=raw["resource_code"],
        updated_by=raw["updated_by"],
        updated_at=datetime.fromisoformat(raw["updated_at"]),
        version=raw["version"],
        interface_url=raw["interface_url"],
        credentials=raw["credentials"],
        exchange_table=raw["exchange_table"],
        download_location=raw["download_location"],
        note=raw["note"],
    )
