"""`sync.relay.plan_batch`: the relay's one pure decision for a batch — what to send, redact,
drop, refuse, mark and unmark — tested like the guard, without a store or a log.
DESIGN "Instances and sync", points 4 and 5."""

from __future__ import annotations

import dataclasses
import json

from graph import Classification
from graph.outbox import OutboxRecord
from sync.events import Operation, decode, encode, event_for
from sync.guard import Forward, Refusal, guard_target
from sync.links import Link
from sync.relay import Crossed, RelayPlan, Row, crossed_as, plan_batch, refreshed_event
from tests.sync import samples

CI, CE = samples.CHENGDU_INTRANET, samples.CHENGDU_EXTRANET
SI, SE = samples.SICHUAN_INTRANET, samples.SICHUAN_EXTRANET
MIRROR = Link.between(CI, CE)
A, B, C = "301001001/000001", "301001001/000002", "301001001/000003"
AT = samples.AT


def row(position: int, record: OutboxRecord) -> Row:
    event = None if record.is_refresh else decode(record.payload)
    return (position, record, event)


def upsert(code: str, **changes: object) -> OutboxRecord:
    entry = samples.entry(code, **changes)
    return OutboxRecord(code, encode(event_for(entry)))


def test_a_refresh_re_sends_a_held_referrer_without_a_reference_no_longer_cleared() -> None:
    b = samples.entry(B, related_codes=(A,), derived_from=(A,))
    plan = plan_batch(
        [row(7, OutboxRecord.refresh(B))],
        MIRROR,
        cleared=set(),  # A was reclassified
        marked={B},
        current={B: b},
        at=AT,
    )
    ((key, value),) = plan.out
    sent = decode(value)
    assert (key, sent.operation, sent.version) == (B, Operation.UPSERT, b.version)
    assert sent.snapshot is not None
    assert (sent.snapshot["related_codes"], sent.snapshot["derived_from"]) == ([], [])
    assert A not in value.decode()  # the code itself does not cross
    assert isinstance(guard_target(sent, MIRROR), Forward)


def test_a_refresh_of_what_the_target_does_not_hold_sends_nothing() -> None:
    b = samples.entry(B, related_codes=(A,))
    for marked, current in [(set(), {B: b}), ({B}, {})]:
        plan = plan_batch(
            [row(1, OutboxRecord.refresh(B))],
            MIRROR,
            cleared=set(),
            marked=marked,
            current=current,
            at=AT,
        )
        assert (plan.out, plan.dropped, plan.mark, plan.unmark) == ([], 1, [], [])


def test_a_refresh_of_a_copy_starts_its_hops_at_the_copy_s_origin() -> None:
    copy = samples.entry(B, origin=CI)  # held at 四川 intranet, from 成都
    event = refreshed_event(copy, SI)
    assert event.hops == (CI,)
    plan = plan_batch(
        [row(1, OutboxRecord.refresh(B))],
        Link.between(SI, SE),
        cleared=set(),
        marked={B},
        current={B: copy},
        at=AT,
    )
    ((_, value),) = plan.out
    sent = decode(value)
    assert sent.hops == (CI, SI)
    assert isinstance(guard_target(sent, Link.between(SI, SE)), Forward)
    # The origin itself re-sends with no hops.
    assert refreshed_event(copy, CI).hops == ()


def test_the_urgent_lane_marks_but_never_unmarks_and_the_backlog_unmarks() -> None:
    reclassified = upsert(A, version=4, classification=Classification.CLASSIFIED)
    rows = [row(3, reclassified)]
    urgent = plan_batch(rows, MIRROR, cleared=set(), marked={A}, current={}, at=AT, unmark=False)
    backlog = plan_batch(rows, MIRROR, cleared=set(), marked={A}, current={}, at=AT)
    for plan in (urgent, backlog):
        ((_, value),) = plan.out
        assert decode(value).operation is Operation.REDACT
    assert (urgent.mark, urgent.unmark) == ([], [])
    assert (backlog.mark, backlog.unmark) == ([], [A])


def test_a_batch_marks_what_it_sends_and_refuses_what_never_may_cross() -> None:
    rows = [
        row(1, upsert(A, related_codes=(B,))),
        row(2, upsert(B, classification=Classification.CLASSIFIED)),
        (3, OutboxRecord(B, b"not an event"), None),
    ]
    plan = plan_batch(rows, MIRROR, cleared={B}, marked=set(), current={}, at=AT)
    assert [key for key, _ in plan.out] == [A]
    sent = decode(plan.out[0][1])
    assert sent.snapshot is not None
    assert sent.snapshot["related_codes"] == [B]  # cleared: it stays
    assert plan.mark == [A]
    assert [s.refusal for s in plan.security] == [Refusal.ABOVE_CLEARANCE, Refusal.MALFORMED]
    # The source never puts a refused event in the dead letters, only what refused it.
    assert all(json.loads(value)["payload"] is None for _, value in plan.dead)


def test_a_plan_is_the_same_for_the_same_batch() -> None:
    rows = [row(1, upsert(A)), row(2, upsert(B, related_codes=(A,)))]
    one = plan_batch(rows, MIRROR, cleared={A}, marked={B}, current={}, at=AT)
    two = plan_batch(rows, MIRROR, cleared={A}, marked={B}, current={}, at=AT)
    assert [k for k, _ in one.out] == [k for k, _ in two.out]
    assert dataclasses.astuple(one)[3:] == dataclasses.astuple(two)[3:]


def test_a_refresh_that_would_cross_as_the_code_last_crossed_is_not_sent_again() -> None:
    b = samples.entry(B, related_codes=(A, C), derived_from=(A,))
    refresh = row(9, OutboxRecord.refresh(B))

    def plan(cleared: set[str], last: dict[str, Crossed] | None) -> RelayPlan:
        return plan_batch(
            [refresh], MIRROR, cleared=cleared, marked={B}, current={B: b}, at=AT, last_sent=last
        )

    first = plan({A}, None)
    ((_, value),) = first.out
    assert first.sent == {B: crossed_as(decode(value))}
    assert first.sent[B] == (b.version, Operation.UPSERT.value, ((A,), (A,)))
    # C was written, classified: the mirror still strips it, and B crosses as it did.
    again = plan({A}, dict(first.sent))
    assert (again.out, again.dropped, again.sent, again.mark) == ([], 1, {}, [])
    # C cleared: B crosses naming it too.
    changed = plan({A, C}, dict(first.sent))
    ((_, value),) = changed.out
    assert decode(value).snapshot["related_codes"] == [A, C]  # type: ignore[index]
    # Another version, or a redaction, is not what was sent.
    newer = plan_batch(
        [refresh],
        MIRROR,
        cleared={A},
        marked={B},
        current={B: dataclasses.replace(b, version=b.version + 1)},
        at=AT,
        last_sent=dict(first.sent),
    )
    assert len(newer.out) == 1


def test_a_record_is_sent_even_as_the_code_last_crossed() -> None:
    # Only refreshes are dropped: the backlog sends an urgent record again in its place, so
    # that the compacted topic ends with it too.
    record = row(1, upsert(A))
    first = plan_batch([record], MIRROR, cleared=set(), marked=set(), current={}, at=AT)
    again = plan_batch(
        [record], MIRROR, cleared=set(), marked={A}, current={}, at=AT, last_sent=first.sent
    )
    assert len(again.out) == 1
    assert again.sent == first.sent


def test_a_refresh_after_the_same_code_in_its_batch_compares_with_it() -> None:
    b = samples.entry(B, related_codes=(A,))
    rows = [row(1, upsert(B, related_codes=(A,))), row(2, OutboxRecord.refresh(B))]
    plan = plan_batch(rows, MIRROR, cleared={A}, marked=set(), current={B: b}, at=AT)
    assert [key for key, _ in plan.out] == [B]
    assert plan.dropped == 1
