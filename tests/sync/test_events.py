"""The change event: its dict form of an entry, its wire form, and the schema describing it
(DESIGN "Instances and sync", point 2)."""

from __future__ import annotations

import contextlib
import dataclasses
import json
import uuid
from importlib.resources import files
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from graph import Classification, LifecycleState, Resource, Zone
from graph.sample import generate_catalog
from sync.errors import MalformedEvent
from sync.events import (
    FORMAT_VERSION,
    ChangeEvent,
    Operation,
    _document,
    decode,
    encode,
    encode_entry,
    event_for,
    outbox_record,
    resource_from_dict,
    resource_to_dict,
)
from sync.snapshots import RESOURCE_FIELDS
from tests.sync import samples
from tests.sync.schema_lite import violations
from tests.sync.strategies import codes, instances, resources

SCHEMA = json.loads(files("sync").joinpath("schema/change-event.v1.json").read_text("utf-8"))


def wire(**changes: Any) -> bytes:
    """A valid encoded event with some keys of its JSON replaced (or removed, for `...`)."""
    document = json.loads(encode(samples.event()))
    for key, value in changes.items():
        if value is ...:
            del document[key]
        else:
            document[key] = value
    return json.dumps(document).encode()


# -- the entry as a dict ---------------------------------------------------------------------


def test_every_field_of_resource_has_a_key() -> None:
    assert set(resource_to_dict(samples.entry())) == RESOURCE_FIELDS


@given(resources)
def test_resource_round_trip(entry: Resource) -> None:
    document = resource_to_dict(entry)
    assert json.loads(json.dumps(document)) == document  # JSON-able, nothing lost in JSON
    assert resource_from_dict(document) == entry


def test_dict_form_is_plain_values() -> None:
    document = resource_to_dict(samples.entry())
    assert document["share_modes"] == ["BATCH_DOWNLOAD", "INTERFACE"]  # frozensets sorted
    assert document["published_on"] == "2024-03-01"
    assert document["updated_at"] == "2024-03-01T08:30:00+00:00"
    assert document["classification"] == "UNCLASSIFIED"
    assert document["items"][1]["share_type"] == "UNCONDITIONAL"
    assert document["extensions"] == [
        ["internal_ticket", "OA-2024-17"],
        ["contact", "028-12345678"],
    ]


def test_missing_optional_fields_take_their_defaults() -> None:
    document = resource_to_dict(samples.entry())
    del document["history"], document["extensions"]
    assert resource_from_dict(document) == samples.entry(history=(), extensions=())


@pytest.mark.parametrize(
    ("path", "value", "field"),
    [
        (("format_class",), "PDF", "snapshot.format_class"),
        (("items", 0, "length"), "18", "snapshot.items[0].length"),
        (("items", 0, "colour"), "red", "snapshot.items[0].colour"),
        (("history", 0, "at"), "yesterday", "snapshot.history[0].at"),
        (("share_modes",), "INTERFACE", "snapshot.share_modes"),
        (("open_to_public",), 1, "snapshot.open_to_public"),
        (("extensions", 0), ["only-a-key"], "snapshot.extensions[0]"),
        (("version",), 0, "snapshot.version"),
        (("nickname",), "x", "snapshot.nickname"),
    ],
)
def test_resource_from_dict_names_the_field(path: tuple[Any, ...], value: Any, field: str) -> None:
    document = resource_to_dict(samples.entry())
    target: Any = document
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = value
    with pytest.raises(MalformedEvent) as refused:
        resource_from_dict(document)
    assert refused.value.field == field


def test_a_required_field_must_be_present() -> None:
    document = resource_to_dict(samples.entry())
    del document["summary"]
    with pytest.raises(MalformedEvent, match="summary"):
        resource_from_dict(document)


# -- the event on the wire -------------------------------------------------------------------


def test_event_for_a_written_entry() -> None:
    event = event_for(samples.entry())
    assert event.operation is Operation.UPSERT
    assert event.version == 3
    assert event.origin == "510100/intranet"
    assert event.origin_zone is Zone.INTRANET
    assert event.hops == ()
    assert event.classification is Classification.UNCLASSIFIED
    assert event.format == FORMAT_VERSION
    retired = event_for(samples.entry(state=LifecycleState.RETIRED))
    assert retired.operation is Operation.RETIRE
    assert event_for(samples.entry()).event_id != event.event_id  # a fresh id each time


def test_encoding_is_canonical_json() -> None:
    data = encode(samples.event())
    text = data.decode("utf-8")
    assert "企业登记信息" in text  # UTF-8, not \\u escapes
    document = json.loads(text)
    assert list(document) == sorted(document)
    assert json.dumps(document, sort_keys=True, ensure_ascii=False, separators=(",", ":")) == text


@given(resources, instances, st.lists(instances, max_size=4), st.sampled_from(Operation))
def test_event_round_trip(
    entry: Resource, origin: str, hops: list[str], operation: Operation
) -> None:
    event = dataclasses.replace(
        event_for(dataclasses.replace(entry, origin=origin)), hops=tuple(hops)
    )
    if operation is Operation.REDACT:
        event = dataclasses.replace(event, operation=operation, snapshot=None, classification=None)
    assert decode(encode(event)) == event


@given(resources, instances, st.lists(instances, max_size=4))
def test_every_encoded_event_validates_against_the_schema(
    entry: Resource, origin: str, hops: list[str]
) -> None:
    event = dataclasses.replace(
        event_for(dataclasses.replace(entry, origin=origin)), hops=tuple(hops)
    )
    assert violations(SCHEMA, json.loads(encode(event))) == []
    redact = dataclasses.replace(event, operation=Operation.REDACT, snapshot=None)
    assert violations(SCHEMA, json.loads(encode(redact))) == []


def test_schema_refuses_what_decode_refuses() -> None:
    for bad in [wire(format=2), wire(operation="DELETE"), wire(snapshot=None), wire(hops=...)]:
        with pytest.raises(MalformedEvent):
            decode(bad)
        assert violations(SCHEMA, json.loads(bad)) != []


def test_schema_is_valid_for_jsonschema() -> None:
    import jsonschema

    jsonschema.Draft202012Validator.check_schema(SCHEMA)
    validator = jsonschema.Draft202012Validator(SCHEMA)
    validator.validate(json.loads(encode(samples.event())))
    assert not validator.is_valid(json.loads(wire(operation="REDACT")))  # a REDACT with a snapshot


def test_schema_names_every_resource_field() -> None:
    assert set(SCHEMA["$defs"]["resource"]["properties"]) == RESOURCE_FIELDS
    assert set(SCHEMA["properties"]) == {f.name for f in dataclasses.fields(ChangeEvent)}


@pytest.mark.parametrize(
    ("data", "field", "accepted"),
    [
        (b"\xff\xfe", "event", "UTF-8 JSON"),
        (b"[1, 2]", "event", "JSON object"),
        (b'{"version": NaN}', "event", "JSON"),
        (wire(format=2), "format", "1"),
        (wire(format=True), "format", "1"),
        (wire(event_id="not-a-uuid"), "event_id", "UUID"),
        (wire(event_id="7D3F0C1E-2B4A-4C5D-9E8F-0A1B2C3D4E5F"), "event_id", "canonical"),
        (wire(resource_code="301001001-000001"), "resource_code", "前段码/后段码"),
        (wire(version=0), "version", "from 1"),
        (wire(version=True), "version", "whole number"),
        (wire(version="3"), "version", "whole number"),
        (wire(operation="DELETE"), "operation", "UPSERT, RETIRE, REDACT"),
        (wire(classification="SECRET"), "classification", "CLASSIFIED, UNCLASSIFIED"),
        (wire(origin="510100"), "origin", "instance"),
        (wire(origin="100000/intranet"), "origin", "national"),
        (wire(origin_zone="DMZ"), "origin_zone", "INTRANET, EXTRANET"),
        (wire(hops="510100/intranet"), "hops", "array"),
        (wire(hops=["510100/intranet"] * 17), "hops", "at most 16"),
        (wire(hops=["510100/Intranet"]), "hops[0]", "instance"),
        (wire(snapshot=None), "snapshot", "UPSERT carries"),
        (wire(operation="REDACT"), "snapshot", "null"),
        (wire(resource_code="301001001/000009"), "snapshot.code", "resource_code"),
        (wire(version=4), "snapshot.version", "event's version"),
        (wire(colour="red"), "colour", "no such key"),
        (wire(hops=...), "hops", "required"),
    ],
)
def test_decode_names_the_field_and_what_is_accepted(
    data: bytes, field: str, accepted: str
) -> None:
    with pytest.raises(MalformedEvent) as refused:
        decode(data)
    assert refused.value.field == field
    assert accepted in refused.value.accepted
    assert field in str(refused.value)
    assert refused.value.retriable is False


def test_decode_refuses_what_is_not_bytes() -> None:
    with pytest.raises(MalformedEvent, match="bytes"):
        decode("{}")  # type: ignore[arg-type]


@given(st.binary(max_size=200))
def test_decode_only_ever_raises_malformed_event(data: bytes) -> None:
    with contextlib.suppress(MalformedEvent):
        decode(data)


def _as_json_reads(data: bytes) -> tuple[Any, ...]:
    """What json alone makes of `data` (the reader before orjson): its value, or the refusal."""
    try:
        text = data.decode("utf-8")
        return ("value", json.loads(text, parse_constant=_no_constant))
    except (UnicodeDecodeError, ValueError):
        return ("refused",)


def _no_constant(name: str) -> object:
    raise ValueError(name)


def _reads(data: bytes) -> tuple[Any, ...]:
    try:
        return ("value", _document(data))
    except MalformedEvent:
        return ("refused",)


# JSON values as text, with what orjson and json read apart: whole numbers beyond 64 bits,
# numbers beyond a float, lone surrogates, NaN, deep nesting; and text around them.
_json_texts = st.recursive(
    st.one_of(
        st.integers(min_value=-(2**70), max_value=2**70).map(str),
        st.floats(allow_nan=False, allow_infinity=False).map(repr),
        st.sampled_from(["1e400", "-1e400", "NaN", "Infinity", "-0", "-0.0", "1E5", "0.1e1"]),
        st.text(max_size=8).map(lambda t: json.dumps(t, ensure_ascii=False)),
        st.sampled_from(['"\\ud800"', '"\\udc00x"', '"\\u0000"', "true", "null", "tru"]),
    ),
    lambda inner: st.one_of(
        st.lists(inner, max_size=4).map(lambda xs: "[" + ",".join(xs) + "]"),
        st.dictionaries(st.text(max_size=3), inner, max_size=4).map(
            lambda d: "{" + ",".join(f"{json.dumps(k)}:{v}" for k, v in d.items()) + "}"
        ),
    ),
    max_leaves=12,
)


@settings(max_examples=400)
@given(_json_texts, st.sampled_from(["", " ", "\ufeff", "\n"]), st.sampled_from(["", "\t", "x"]))
def test_decode_reads_any_text_as_json_does(text: str, before: str, after: str) -> None:
    data = f'{before}{{"v":{text}}}{after}'.encode("utf-8", "surrogatepass")
    expected = _as_json_reads(data)
    if expected[0] == "value" and not isinstance(expected[1], dict):
        expected = ("refused",)
    assert repr(_reads(data)) == repr(expected)


def test_decode_reads_deep_nesting_and_long_numbers_as_json_does() -> None:
    deep = b'{"v":' + b"[" * 600 + b"]" * 600 + b"}"
    assert _reads(deep) == ("value", {"v": json.loads(b"[" * 600 + b"]" * 600)})
    for number in (b"-9223372036854775809", b"123456789012345678901234567890"):
        kind, document = _reads(b'{"v":' + number + b"}")
        assert (kind, document) == ("value", {"v": int(number)})
        assert type(document["v"]) is int  # not a float near it


@pytest.mark.parametrize("depth", [5_000, 1_000_000])
def test_decode_refuses_nesting_too_deep_for_the_reader(depth: int) -> None:
    # Once a RecursionError out of the JSON reader: a consumer re-read the record for ever.
    data = b'{"event_id":' + b"[" * depth + b"]" * depth + b"}"
    with pytest.raises(MalformedEvent, match="nested") as refused:
        decode(data)
    assert refused.value.field == "event"


@given(codes)
def test_decode_accepts_any_canonical_code(code: str) -> None:
    event = samples.event()
    assert event.snapshot is not None
    moved = dataclasses.replace(
        event, resource_code=code, snapshot={**event.snapshot, "code": code}
    )
    assert decode(encode(moved)).resource_code == code


uuid_like = st.one_of(
    st.uuids().map(str),
    st.uuids().map(lambda u: str(u).upper()),
    st.uuids().map(lambda u: u.hex),
    st.uuids().map(lambda u: "{" + str(u) + "}"),
    st.uuids().map(lambda u: str(u) + "\n"),
    st.text(alphabet="0123456789abcdefABCDEF-{}urn:_ ", max_size=45),
)


@given(uuid_like)
def test_an_event_id_is_accepted_exactly_in_canonical_form(value: str) -> None:
    try:
        canonical = str(uuid.UUID(value)) == value
    except ValueError:
        canonical = False
    if canonical:
        assert decode(wire(event_id=value)).event_id == value
    else:
        with pytest.raises(MalformedEvent) as refused:
            decode(wire(event_id=value))
        assert refused.value.field == "event_id"


def test_an_event_is_decoded_once_and_bad_bytes_every_time() -> None:
    """`decode` remembers what it decoded; what it refused it refuses again."""
    data = encode(event_for(samples.entry()))
    first = decode(data)
    assert decode(bytes(data)) is first
    assert decode(bytearray(data)) == first
    bad = data.replace(b'"format":1', b'"format":2')
    for _ in range(2):
        with pytest.raises(MalformedEvent, match="format"):
            decode(bad)


def test_an_event_encoded_to_be_remembered_decodes_to_itself() -> None:
    event = event_for(samples.entry())
    assert decode(encode(event, remember=True)) is event
    assert decode(encode(event)) is event  # the same bytes


def test_a_decoded_snapshot_is_checked_once_and_a_crossed_one_only_when_whole(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """What a guard made of a known snapshot without a required key is still refused."""
    from sync import snapshots

    snapshot = decode(encode(event_for(samples.entry(name="已知的条目")))).snapshot
    assert snapshot is not None
    checks: list[object] = []
    is_plain = snapshots._is_plain

    def spy(data: object) -> bool:
        checks.append(data)
        return is_plain(data)

    monkeypatch.setattr(snapshots, "_is_plain", spy)
    assert resource_from_dict(snapshot).name == "已知的条目"
    assert checks == []  # known since it was decoded
    whole = {**snapshot, "related_codes": []}
    snapshots.crossed(snapshot, whole)
    assert resource_from_dict(whole).related_codes == ()
    assert checks == []
    partial = {k: v for k, v in snapshot.items() if k != "name"}
    snapshots.crossed(snapshot, partial)
    with pytest.raises(MalformedEvent, match="name"):
        resource_from_dict(partial)


# -- the event written straight from the entry (`encode_entry`, each outbox record's) ----------


def encoded(write: Any, entry: Resource) -> tuple[Any, ...]:
    try:
        return ("written", write(entry))
    except Exception as exc:
        return ("refused", type(exc), str(exc))


def test_an_outbox_record_is_the_encoded_event_of_the_entry() -> None:
    event_id = str(uuid.uuid4())
    sample = generate_catalog(300, seed=5)
    for entry in (sample.resource(i) for i in range(len(sample))):
        assert encode_entry(entry, event_id) == encode(event_for(entry, event_id))
    entry = samples.entry()
    record = outbox_record(entry)
    assert record.key == entry.code
    assert record.payload == encode(event_for(entry, decode(record.payload).event_id))


@settings(suppress_health_check=[HealthCheck.too_slow])  # entries are large; the machine shared
@given(resources, instances)
def test_encode_entry_writes_what_encode_writes(entry: Resource, origin: str) -> None:
    entry = dataclasses.replace(entry, origin=origin)
    event_id = "0c5e3ab8-6f83-4b4e-9d6a-1f8f0f4b6c11"
    assert encode_entry(entry, event_id) == encode(event_for(entry, event_id))


@pytest.mark.parametrize(
    "change",
    [
        {"classification": "CLASSIFIED"},
        {"classification": Classification.CLASSIFIED},
        {"state": LifecycleState.RETIRED},
        {"state": "RETIRED"},
        {"origin": "not an instance"},
        {"origin": None},
        {"version": True},
        {"version": float("nan")},
        {"code": None},
        {"share_type": None},
        {"name": 7},
        {"name": "孤\ud800"},
    ],
)
def test_encode_entry_writes_or_refuses_an_odd_entry_as_encode_does(change: dict[str, Any]) -> None:
    entry = dataclasses.replace(samples.entry(), **change)
    event_id = "0c5e3ab8-6f83-4b4e-9d6a-1f8f0f4b6c11"
    assert encoded(lambda e: encode_entry(e, event_id), entry) == encoded(
        lambda e: encode(event_for(e, event_id)), entry
    )
