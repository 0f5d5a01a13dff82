"""The change event: what one write to a catalog entry sends along the sync links.

An event names the entry (`resource_code`), its `version` (monotonic per entry, set by its
origin), what happened (`operation`), the entry's snapshot, its classification, the instance
it comes from (`origin`, a `graph.model.catalog_id`, and `origin_zone`) and the instances it
has passed (`hops`, appended by the guard of each link it crossed). On the wire it is JSON,
UTF-8, with sorted keys — `sync/schema/change-event.v1.json` describes it — and an outbox row
is just `encode(event)`.

    event = event_for(entry)            # at the origin, right after the write
    assert decode(encode(event)) == event

An event is decoded once per process: `decode` remembers the events of the last
`REMEMBERED_EVENTS` payloads it decoded (a pure function of the bytes, so the same bytes give
the same event), and `encode(event, remember=True)` remembers the bytes it made — what a relay
sends is decoded by the next hop's consumer, in the same process when both instances run in
it. The consumer of a link writes the bytes it received into its store's outbox, which the
instance's own relays read again: the second decode is a look-up. Treat a decoded event's
snapshot as read-only: it is shared.

The bytes are parsed by orjson where it reads them as json would (no whole number beyond 64
bits, no deep nesting: `_orjson_reads_as_json`), else by json; either way to the same values,
and text that is not JSON, or nests deeper than the reader goes, is a `MalformedEvent`.
"""

from __future__ import annotations

import json
import re
import threading
import uuid
from dataclasses import dataclass
from enum import StrEnum
from json.encoder import encode_basestring
from typing import Any, TypeVar

import orjson

from graph.codes import check_resource_code
from graph.enums import Classification, LifecycleState, Zone
from graph.errors import InvalidValue
from graph.model import Resource
from graph.outbox import OutboxRecord
from graph.snapshot import resource_to_sorted_json
from sync.errors import MalformedEvent
from sync.instances import ACCEPTED_INSTANCE_ID, parse_instance_id, zone_of
from sync.snapshots import check_snapshot, resource_from_dict, resource_to_dict

__all__ = [
    "FORMAT_VERSION",
    "MAX_EVENT_BYTES",
    "MAX_HOPS",
    "REMEMBERED_EVENTS",
    "ChangeEvent",
    "Operation",
    "decode",
    "encode",
    "encode_entry",
    "event_for",
    "outbox_record",
    "resource_from_dict",
    "resource_to_dict",
]

FORMAT_VERSION = 1
# An instance tree is national → provincial → municipal → county, times two zones; an event
# that passed more instances than this is looping or forged.
MAX_HOPS = 16
# A full entry (5,000 items at most, graph.rules.LIMITS) stays well under this.
MAX_EVENT_BYTES = 8 * 1024 * 1024

# Payloads whose events `decode` remembers, the oldest forgotten first: a few batches of each
# link of a process (an event of the sample catalog is about 3 KB, its decoded form a few more).
REMEMBERED_EVENTS = 8192

E = TypeVar("E", bound=StrEnum)

_KEYS = frozenset(
    {
        "event_id",
        "resource_code",
        "version",
        "operation",
        "snapshot",
        "classification",
        "origin",
        "origin_zone",
        "hops",
        "format",
    }
)


class Operation(StrEnum):
    """UPSERT: the entry as it now is; RETIRE: it was retired (已撤销) and stays as a retired
    copy; REDACT: the target removes its copy (deleted, unpublished or reclassified)."""

    UPSERT = "UPSERT"
    RETIRE = "RETIRE"
    REDACT = "REDACT"


@dataclass(frozen=True, slots=True)
class ChangeEvent:
    """One change of one entry. `snapshot` is `resource_to_dict` of the entry (possibly with
    fields removed by a link's guard), None for REDACT; treat it as read-only."""

    event_id: str
    resource_code: str
    version: int
    operation: Operation
    snapshot: dict[str, Any] | None
    classification: Classification | None
    origin: str
    origin_zone: Zone
    hops: tuple[str, ...] = ()
    format: int = FORMAT_VERSION


def event_for(entry: Resource, event_id: str | None = None) -> ChangeEvent:
    """The event the origin emits for `entry` as just written: RETIRE when it is retired,
    UPSERT otherwise (whether it may be shared is each link's guard's decision)."""
    retired = entry.state is LifecycleState.RETIRED
    return ChangeEvent(
        event_id=event_id or str(uuid.uuid4()),
        resource_code=entry.code,
        version=entry.version,
        operation=Operation.RETIRE if retired else Operation.UPSERT,
        snapshot=resource_to_dict(entry),
        classification=entry.classification,
        origin=entry.origin,
        origin_zone=zone_of(entry.origin),
        hops=(),
    )


def outbox_record(entry: Resource) -> OutboxRecord:
    """The outbox record of `entry` as its origin just wrote it: its encoded event. This is
    the `graph.Cataloguing` outbox hook of an instance that syncs."""
    return OutboxRecord(entry.code, encode_entry(entry))


def encode_entry(entry: Resource, event_id: str | None = None) -> bytes:
    """`encode(event_for(entry, event_id))`, byte for byte, written straight from the entry
    (`graph.snapshot.resource_to_sorted_json`) rather than through the event's dicts — an
    import writes one an entry. An entry whose event fields are not plainly typed, or that
    fails on the way, takes the general path, which writes or refuses it as ever."""
    code, origin, version, classification = (
        entry.code,
        entry.origin,
        entry.version,
        entry.classification,
    )
    if (
        type(code) is str
        and type(origin) is str
        and type(version) is int
        and (classification is None or type(classification) is Classification)
        and type(entry.state) is LifecycleState
    ):
        try:
            zone = zone_of(origin)
            snapshot = resource_to_sorted_json(entry)
            retired = entry.state is LifecycleState.RETIRED
            operation = Operation.RETIRE if retired else Operation.UPSERT
            shown = "null" if classification is None else _json(classification.value)
            return (
                f'{{"classification":{shown}'
                f',"event_id":{_json(event_id or str(uuid.uuid4()))}'
                f',"format":{FORMAT_VERSION}'
                ',"hops":[]'
                f',"operation":{_json(operation.value)}'
                f',"origin":{_json(origin)}'
                f',"origin_zone":{_json(zone.value)}'
                f',"resource_code":{_json(code)}'
                f',"snapshot":{snapshot}'
                f',"version":{version!r}}}'
            ).encode()
        except Exception:  # the general path raises what it raises
            pass
    return encode(event_for(entry, event_id))


# A str as `json.dumps(..., ensure_ascii=False)` writes it.
_json = encode_basestring


def encode(event: ChangeEvent, *, remember: bool = False) -> bytes:
    """JSON, UTF-8, sorted keys, no insignificant whitespace: equal events, equal bytes.

    `remember`: `decode` of the bytes returns `event` without parsing them — only for an event
    `decode` would return for them, one made by a link's guard from an event decoded here (its
    snapshot JSON's own lists, strings and numbers)."""
    document = {
        "event_id": event.event_id,
        "resource_code": event.resource_code,
        "version": event.version,
        "operation": event.operation.value,
        "snapshot": event.snapshot,
        "classification": event.classification.value if event.classification else None,
        "origin": event.origin,
        "origin_zone": event.origin_zone.value,
        "hops": list(event.hops),
        "format": event.format,
    }
    data = json.dumps(
        document, sort_keys=True, ensure_ascii=False, separators=(",", ":"), allow_nan=False
    ).encode("utf-8")
    if remember:
        _remember(data, event)
    return data


def decode(data: bytes | bytearray | memoryview) -> ChangeEvent:
    """The event `data` encodes, or `MalformedEvent` naming the first field that is wrong.

    Structure and types are checked here; whether the event may cross a link (classification,
    loops, forged origins) is the guard's decision (`sync.guard`).
    """
    raw = data if isinstance(data, bytes) else None
    if raw is not None:
        known = _remembered.get(raw)
        if known is not None:
            return known
    event = _decode(data)
    if raw is not None:
        _remember(raw, event)
    return event


_remembered: dict[bytes, ChangeEvent] = {}
_remembering = threading.Lock()


def _remember(data: bytes, event: ChangeEvent) -> None:
    with _remembering:
        if len(_remembered) >= REMEMBERED_EVENTS:
            _remembered.pop(next(iter(_remembered)), None)  # the oldest
        _remembered[data] = event


def _decode(data: bytes | bytearray | memoryview) -> ChangeEvent:
    document = _document(data)
    if document.keys() != _KEYS:
        unknown = sorted(set(document) - _KEYS)
        if unknown:
            accepted = "no such key: an event has " + ", ".join(sorted(_KEYS))
            raise MalformedEvent(unknown[0], document[unknown[0]], accepted)
        missing = sorted(_KEYS - set(document))
        raise MalformedEvent(missing[0], None, "a value: every key of the event is required")

    fmt = document["format"]
    if fmt != FORMAT_VERSION or isinstance(fmt, bool):
        raise MalformedEvent("format", fmt, f"{FORMAT_VERSION}: the only format this reader knows")
    event_id = _event_id(document["event_id"])
    code = _resource_code(document["resource_code"])
    version = document["version"]
    if isinstance(version, bool) or not isinstance(version, int) or not 1 <= version < 2**63:
        raise MalformedEvent("version", version, "a whole number from 1 to 2^63 - 1")
    operation = _choice("operation", document["operation"], _OPERATIONS)
    classification = document["classification"]
    if classification is not None:
        classification = _choice("classification", classification, _CLASSIFICATIONS)
    origin = _instance("origin", document["origin"])
    origin_zone = _choice("origin_zone", document["origin_zone"], _ZONES)
    hops = _hops(document["hops"])
    snapshot = _snapshot(document["snapshot"], operation, code, version)
    return ChangeEvent(
        event_id=event_id,
        resource_code=code,
        version=version,
        operation=operation,
        snapshot=snapshot,
        classification=classification,
        origin=origin,
        origin_zone=origin_zone,
        hops=hops,
        format=FORMAT_VERSION,
    )


def _document(data: object) -> dict[str, Any]:
    if not isinstance(data, bytes | bytearray | memoryview):
        raise MalformedEvent("event", type(data).__name__, "bytes: a UTF-8 JSON object")
    raw = bytes(data)
    if len(raw) > MAX_EVENT_BYTES:
        raise MalformedEvent("event", f"{len(raw)} bytes", f"at most {MAX_EVENT_BYTES} bytes")
    document = _parsed(raw)
    if not isinstance(document, dict):
        raise MalformedEvent("event", document, "a JSON object")
    return document


def _parsed(raw: bytes) -> object:
    """The JSON value `raw` holds: by orjson where it reads it as json would, else by json."""
    if _orjson_reads_as_json(raw):
        try:
            return orjson.loads(raw)
        except orjson.JSONDecodeError:
            pass  # json decides, and says why in its own words
    try:
        text = raw.decode("utf-8")
        # `json.loads` would build a decoder per call; it also refuses a leading BOM, so such
        # text still goes through it, for its message.
        if text.startswith("\ufeff"):
            return json.loads(text, parse_constant=_no_constant)
        return _DECODER.decode(text)
    except (UnicodeDecodeError, ValueError) as exc:
        raise MalformedEvent("event", raw[:60], f"a UTF-8 JSON object ({exc})") from None
    except RecursionError:  # nesting no event has: refused like any other bad text
        raise MalformedEvent(
            "event", raw[:60], "a UTF-8 JSON object nested a few levels deep, not hundreds"
        ) from None


# orjson parses text a few times faster than json and, whatever it accepts, to the same values
# — except a whole number beyond 64 bits, which it reads as a float, and nesting deeper than
# json's recursion allows. Text where either could occur (a run of 19 digits or more; more
# than `_BRACKETS` brackets) is left to json; what orjson refuses (NaN, a lone surrogate, a
# number beyond a float, bad UTF-8, a BOM) too, so that its refusal reads as it always did.
_BRACKETS = 500
_DIGITS_AS_ZEROS = bytes.maketrans(b"0123456789", b"0" * 10)
_LONG_DIGITS = b"0" * 19


def _orjson_reads_as_json(raw: bytes) -> bool:
    return raw.count(b"[") + raw.count(b"{") <= _BRACKETS and _LONG_DIGITS not in raw.translate(
        _DIGITS_AS_ZEROS
    )


def _no_constant(name: str) -> object:
    raise ValueError(f"{name} is not JSON")


_DECODER = json.JSONDecoder(parse_constant=_no_constant)
# What `str(uuid.UUID(value)) == value` accepts: 32 lower-case hex digits grouped 8-4-4-4-12.
_CANONICAL_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def _event_id(value: object) -> str:
    if isinstance(value, str) and _CANONICAL_UUID.fullmatch(value):
        return value
    accepted = "a UUID in canonical form, e.g. '7d3f0c1e-2b4a-4c5d-9e8f-0a1b2c3d4e5f'"
    if not isinstance(value, str):
        raise MalformedEvent("event_id", value, accepted)
    try:
        parsed = uuid.UUID(value)
    except ValueError:
        raise MalformedEvent("event_id", value, accepted) from None
    if str(parsed) != value:
        raise MalformedEvent("event_id", value, accepted)
    return value


def _resource_code(value: object) -> str:
    try:
        code = check_resource_code(value, "resource_code")  # type: ignore[arg-type]
    except InvalidValue as exc:
        raise MalformedEvent("resource_code", value, exc.accepted) from None
    if code != value:
        raise MalformedEvent("resource_code", value, f"the code in its canonical form, {code!r}")
    return code


def _members(kind: type[E]) -> dict[str, E]:
    return {member.value: member for member in kind}


_OPERATIONS = _members(Operation)
_CLASSIFICATIONS = _members(Classification)
_ZONES = _members(Zone)


def _choice(field: str, value: object, members: dict[str, E]) -> E:
    member = members.get(value) if isinstance(value, str) else None
    if member is None:
        raise MalformedEvent(field, value, "one of " + ", ".join(members))
    return member


def _instance(field: str, value: object) -> str:
    try:
        parse_instance_id(value)  # type: ignore[arg-type]
    except ValueError:
        raise MalformedEvent(field, value, ACCEPTED_INSTANCE_ID) from None
    assert isinstance(value, str)
    return value


def _hops(value: object) -> tuple[str, ...]:
    if not isinstance(value, list) or len(value) > MAX_HOPS:
        raise MalformedEvent("hops", value, f"a JSON array of at most {MAX_HOPS} instance ids")
    return tuple(_instance(f"hops[{i}]", hop) for i, hop in enumerate(value))


def _snapshot(
    value: object, operation: Operation, code: str, version: int
) -> dict[str, Any] | None:
    if operation is Operation.REDACT:
        if value is not None:
            raise MalformedEvent("snapshot", value, "null: a REDACT event carries no snapshot")
        return None
    if value is None:
        raise MalformedEvent(
            "snapshot", None, f"the entry's fields: {operation.value} carries them"
        )
    # The entry itself is not needed here: whoever applies the event builds it.
    check_snapshot(value)
    assert isinstance(value, dict)
    if value["code"] != code:
        raise MalformedEvent("snapshot.code", value["code"], f"{code!r}, the event's resource_code")
    if "version" not in value or value["version"] != version:
        raise MalformedEvent(
            "snapshot.version", value.get("version"), f"{version}, the event's version"
        )
    return value
