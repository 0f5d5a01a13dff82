"""The audit log's pure parts: entries, the hash chain and its verification, checkpoints,
retention (Chengdu 第二十六条) and export — no store."""

from __future__ import annotations

import dataclasses
import io
import json
from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from graph import InvalidValue
from graph.audit import (
    GENESIS,
    AuditEntry,
    AuditFilter,
    AuditHead,
    AuditKind,
    AuditRecord,
    BrokenCheckpoint,
    Problem,
    Verifier,
    checker,
    cutoff,
    due,
    extend,
    record_hash,
    sign_checkpoint,
    verify,
)
from graph.audit.chain import canonical, content
from graph.audit.checkpoint import check_checkpoint
from graph.audit.export import line, lines, record_from_line
from graph.audit.retention import RETENTION
from graph.dates import beijing_date
from tests.graph.audit_data import T0, audit_entry, instance_key

EMPTY = AuditHead()


def chain(count: int, head: AuditHead = EMPTY) -> list[AuditRecord]:
    return extend(head, [audit_entry(n) for n in range(1, count + 1)])


def head_of(records: list[AuditRecord], anchor: AuditHead = EMPTY) -> AuditHead:
    last = records[-1] if records else None
    return dataclasses.replace(
        anchor,
        seq=last.seq if last else anchor.seq,
        hash=last.hash if last else anchor.hash,
    )


# -- entries ----------------------------------------------------------------------------------
def test_an_entry_keeps_its_instant_in_utc_and_refuses_a_naive_one() -> None:
    beijing = timezone(timedelta(hours=8))
    entry = audit_entry(1, at=datetime(2026, 3, 1, 9, 30, tzinfo=beijing))
    assert entry.at == datetime(2026, 3, 1, 1, 30, tzinfo=UTC)
    assert entry.at.tzinfo is UTC
    with pytest.raises(InvalidValue, match="at = "):
        audit_entry(1, at=datetime(2026, 3, 1, 9, 30))


def test_a_detail_over_4_kb_is_refused_with_its_size() -> None:
    audit_entry(1, detail={"note": "说" * 1300})  # 3,900 bytes: accepted
    with pytest.raises(InvalidValue, match=r"detail = '\d+ bytes'.*at most 4096 bytes"):
        audit_entry(1, detail={"note": "说" * 1400})


@pytest.mark.parametrize("value", [1.5, [1], {"a": 1}, b"x"])
def test_a_detail_holds_flat_values_only(value: object) -> None:
    with pytest.raises(InvalidValue, match=r"detail\.v"):
        audit_entry(1, detail={"v": value})


def test_an_entry_needs_an_actor_and_an_action() -> None:
    with pytest.raises(InvalidValue, match="actor"):
        audit_entry(1, actor=" ")
    with pytest.raises(InvalidValue, match="action"):
        audit_entry(1, action="")


def test_a_filter_selects_by_kind_actor_subject_and_instants() -> None:
    (record,) = extend(EMPTY, [audit_entry(5)])
    assert AuditFilter().holds(record)
    assert AuditFilter(kinds=frozenset({AuditKind.CATALOG_WRITE})).holds(record)
    assert not AuditFilter(kinds=frozenset({AuditKind.LIFECYCLE})).holds(record)
    assert not AuditFilter(actor="someone else").holds(record)
    assert AuditFilter(subject="301001001/000005").holds(record)
    at = record.entry.at
    assert AuditFilter(since=at, until=at + timedelta(microseconds=1)).holds(record)
    assert not AuditFilter(until=at).holds(record)


# -- the chain --------------------------------------------------------------------------------
def test_the_canonical_encoding_is_sorted_compact_utf8_with_microseconds() -> None:
    encoded = canonical(content(1, GENESIS, audit_entry(1)))
    text = encoded.decode("utf-8")
    assert "更新说明" in text
    assert ", " not in text
    assert '"at":"2026-03-01T01:30:01.000000+00:00"' in text
    assert list(json.loads(text)) == sorted(json.loads(text))


def test_records_are_numbered_from_one_and_each_is_chained_to_the_one_before() -> None:
    records = chain(3)
    assert [r.seq for r in records] == [1, 2, 3]
    assert records[0].previous_hash == GENESIS
    assert records[1].previous_hash == records[0].hash
    assert records[2].hash == record_hash(3, records[1].hash, records[2].entry)
    more = extend(head_of(records), [audit_entry(9)])
    assert more[0].seq == 4
    assert more[0].previous_hash == records[2].hash


def test_the_hash_covers_the_seq_and_every_field() -> None:
    entry = audit_entry(1)
    base = record_hash(1, GENESIS, entry)
    assert record_hash(2, GENESIS, entry) != base
    assert record_hash(1, "1" * 64, entry) != base
    for change in (
        {"actor": "x"},
        {"action": "x"},
        {"subject": None},
        {"version_before": 0},
        {"version_after": 0},
        {"detail": {}},
        {"at": entry.at + timedelta(microseconds=1)},
        {"kind": AuditKind.LIFECYCLE},
    ):
        assert record_hash(1, GENESIS, dataclasses.replace(entry, **change)) != base


def test_an_intact_chain_verifies() -> None:
    records = chain(50)
    verification = verify(records, head_of(records))
    assert verification.ok
    assert verification.checked == 50
    assert verification.last_seq == 50
    assert verify([], EMPTY).ok


def _edited(records: list[AuditRecord], i: int) -> list[AuditRecord]:
    entry = dataclasses.replace(records[i].entry, action=records[i].entry.action + "!")
    return [*records[:i], dataclasses.replace(records[i], entry=entry), *records[i + 1 :]]


def _swapped(records: list[AuditRecord], i: int) -> list[AuditRecord]:
    # Two records change places: each now stands at the other's seq.
    a, b = records[i], records[i + 1]
    return [
        *records[:i],
        dataclasses.replace(b, seq=a.seq),
        dataclasses.replace(a, seq=b.seq),
        *records[i + 2 :],
    ]


@given(st.integers(2, 40), st.data())
def test_verify_names_the_first_broken_record(count: int, data: st.DataObject) -> None:
    records = chain(count)
    head = head_of(records)
    i = data.draw(st.integers(0, count - 2), label="index")
    seq = i + 1
    cases = {
        Problem.EDITED: _edited(records, i),
        Problem.DELETED: records[:i] + records[i + 1 :],
        Problem.REORDERED: _swapped(records, i),
        Problem.TRUNCATED: records[:i],
    }
    for problem, tampered in cases.items():
        verification = verify(tampered, head)
        assert (verification.problem, verification.broken_seq) == (problem, seq), problem
        assert not verification.ok
        assert verification.reason


def test_the_last_record_edited_and_rehashed_differs_from_the_head() -> None:
    records = chain(5)
    entry = dataclasses.replace(records[4].entry, actor="someone else")
    forged = AuditRecord(5, entry, records[3].hash, record_hash(5, records[3].hash, entry))
    verification = verify([*records[:4], forged], head_of(records))
    assert (verification.problem, verification.broken_seq) == (Problem.EDITED, 5)


def test_a_record_rewritten_with_a_fresh_hash_is_named_by_the_next_link() -> None:
    records = chain(5)
    entry = dataclasses.replace(records[1].entry, actor="someone else")
    rewritten = AuditRecord(2, entry, records[0].hash, record_hash(2, records[0].hash, entry))
    verification = verify([records[0], rewritten, *records[2:]], head_of(records))
    assert (verification.problem, verification.broken_seq) == (Problem.EDITED, 2)


def test_records_read_out_of_order_are_reordered() -> None:
    records = chain(4)
    verification = verify([records[0], records[2], records[1], records[3]], head_of(records))
    # Record 2 is missing where it was expected: the first broken seq is 2 either way.
    assert verification.broken_seq == 2
    out_of_order = verify([records[0], records[1], records[0]], head_of(records))
    assert (out_of_order.problem, out_of_order.broken_seq) == (Problem.REORDERED, 1)


def test_a_pruned_log_verifies_from_its_anchor() -> None:
    records = chain(10)
    anchor = records[3]
    head = AuditHead(10, records[-1].hash, anchor.seq, anchor.hash)
    assert verify(records[4:], head).ok
    assert verify(records[2:], head).ok  # a prune not finished: what the anchor covers is passed
    broken = verify(records[5:], head)
    assert (broken.problem, broken.broken_seq) == (Problem.DELETED, 5)


def test_the_verifier_takes_records_one_at_a_time() -> None:
    records = chain(20)
    verifier = Verifier(head_of(records))
    for record in records[:10]:
        assert verifier.feed(record)
    assert not verifier.feed(records[12])
    assert not verifier.feed(records[10])  # broken stays broken
    assert verifier.result().broken_seq == 11


# -- checkpoints ------------------------------------------------------------------------------
def _with_checkpoint(count: int) -> tuple[list[AuditRecord], AuditRecord]:
    key, certificate = instance_key()
    records = chain(count)
    (checkpoint,) = extend(head_of(records), [sign_checkpoint(head_of(records), key, certificate)])
    return [*records, checkpoint], checkpoint


def test_a_checkpoint_signs_the_head_and_checks_with_the_certificate() -> None:
    _, certificate = instance_key()
    records, checkpoint = _with_checkpoint(5)
    check_checkpoint(checkpoint, certificate)
    assert checkpoint.entry.detail["seq"] == 5
    assert checkpoint.entry.detail["hash"] == records[4].hash
    head = dataclasses.replace(head_of(records), checkpoint_seq=6)
    assert verify(records, head, checker(certificate)).ok


def test_a_forged_signature_is_found() -> None:
    _, certificate = instance_key()
    other_key, _ = instance_key("someone else")
    records, checkpoint = _with_checkpoint(5)
    forged_entry = sign_checkpoint(head_of(records[:5]), other_key, instance_key("someone else")[1])
    # The forger's signature under this instance's key id.
    detail = {**forged_entry.detail, "key": checkpoint.entry.detail["key"]}
    entry = dataclasses.replace(checkpoint.entry, detail=detail)
    with pytest.raises(BrokenCheckpoint, match="forged"):
        check_checkpoint(dataclasses.replace(checkpoint, entry=entry), certificate)
    forged = extend(head_of(records[:5]), [entry])
    verification = verify([*records[:5], *forged], head_of(forged), checker(certificate))
    assert (verification.problem, verification.broken_seq) == (Problem.CHECKPOINT, 6)
    with pytest.raises(BrokenCheckpoint, match="names key"):
        check_checkpoint(checkpoint, instance_key("someone else")[1])


def test_a_chain_rewritten_with_fresh_hashes_is_found_by_its_checkpoint() -> None:
    _, certificate = instance_key()
    records, _ = _with_checkpoint(5)
    # Record 3 edited, and every hash from it on computed again: the chain itself holds.
    entries = [r.entry for r in records]
    entries[2] = dataclasses.replace(entries[2], actor="someone else")
    rewritten = extend(EMPTY, entries)
    verification = verify(rewritten, head_of(rewritten), checker(certificate))
    assert (verification.problem, verification.broken_seq) == (Problem.CHECKPOINT, 5)


def test_a_tail_truncated_with_its_head_is_found_by_a_checkpoint_kept_elsewhere() -> None:
    records, checkpoint = _with_checkpoint(5)
    shorter = records[:3]
    assert verify(shorter, head_of(shorter)).ok  # the head moved back with the tail
    verification = verify(shorter, head_of(shorter), last_checkpoint=checkpoint)
    assert (verification.problem, verification.broken_seq) == (Problem.TRUNCATED, 4)
    head = dataclasses.replace(head_of(shorter), checkpoint_seq=6)
    assert verify(shorter, head).problem is Problem.TRUNCATED


def test_a_checkpoint_is_due_every_n_records_or_every_hour() -> None:
    _, checkpoint = _with_checkpoint(5)
    at = checkpoint.entry.at
    head = AuditHead(seq=6, hash="a" * 64)
    assert not due(AuditHead(), None, at)
    assert due(head, None, at)
    assert not due(head, checkpoint, at)  # nothing written since
    head = AuditHead(seq=10, hash="a" * 64)
    assert not due(head, checkpoint, at + timedelta(minutes=59))
    assert due(head, checkpoint, at + timedelta(hours=1))
    assert due(head, checkpoint, at, every_records=4)


# -- retention (Chengdu 第二十六条) --------------------------------------------------------------
def test_retention_is_15_years_and_refuses_fewer_chengdu_26() -> None:
    assert RETENTION == 15
    now = datetime(2026, 3, 1, 12, tzinfo=UTC)
    assert cutoff(now) == datetime(2011, 2, 28, 16, tzinfo=UTC)  # 2011-03-01 00:00 Beijing
    assert cutoff(now, 20) == datetime(2006, 2, 28, 16, tzinfo=UTC)
    with pytest.raises(InvalidValue, match=r"retention_years = 14.*Chengdu 第二十六条"):
        cutoff(now, 14)


def test_retention_counts_beijing_dates() -> None:
    # 23:30 UTC on 29 February 2028 is already 1 March in Beijing.
    late = datetime(2028, 2, 29, 23, 30, tzinfo=UTC)
    assert beijing_date(late) == date(2028, 3, 1)
    assert cutoff(late) == datetime(2013, 2, 28, 16, tzinfo=UTC)
    leap = datetime(2028, 2, 29, 4, tzinfo=UTC)  # 29 February in Beijing: no such day in 2013
    assert cutoff(leap) == datetime(2013, 2, 27, 16, tzinfo=UTC)


# -- export -----------------------------------------------------------------------------------
def test_export_writes_one_line_per_record_with_the_beijing_day() -> None:
    late = AuditEntry(
        AuditKind.ADMINISTRATION, "admin", "grant", at=datetime(2026, 3, 1, 17, tzinfo=UTC)
    )
    records = extend(EMPTY, [audit_entry(1), late])
    out = io.StringIO()
    out.writelines(lines(records))
    objects = [json.loads(text) for text in out.getvalue().splitlines()]
    assert [o["seq"] for o in objects] == [1, 2]
    assert objects[0]["day"] == "2026-03-01"
    assert objects[1]["day"] == "2026-03-02"  # 01:00 in Beijing
    assert set(objects[0]) == {
        "seq", "hash", "previous_hash", "kind", "actor", "action", "subject",
        "version_before", "version_after", "detail", "at", "day",
    }  # fmt: skip
    assert "更新说明" in out.getvalue()


def test_export_selects_the_instants_and_reads_back_as_a_verifiable_chain() -> None:
    records = chain(10)
    selected = list(lines(records, T0 + timedelta(seconds=3), T0 + timedelta(seconds=6)))
    assert [json.loads(text)["seq"] for text in selected] == [3, 4, 5]
    back = [record_from_line(line(r)) for r in records]
    assert back == records
    assert verify(back, head_of(records)).ok
