"""`graph.exchange.spill`: the checked batches of an all-or-nothing import, kept on disk and read
back in order, equal to what was kept — and a file cut short is an error, not a short import."""

from __future__ import annotations

import dataclasses

import pytest

from graph.exchange.spill import Spill
from graph.sample import generate_catalog
from tests.graph.every_field import EVERY_FIELD


def test_batches_come_back_in_order_and_equal() -> None:
    sample = generate_catalog(250, seed=4)
    entries = [sample.resource(i) for i in range(len(sample))]
    batches = [
        ([(i + 3, e) for i, e in enumerate(entries[:100])], []),
        ([], []),  # a batch of refused rows only: kept as empty, read back as empty
        (
            [(i + 200, e) for i, e in enumerate(entries[100:250])],
            [(7, EVERY_FIELD, dataclasses.replace(EVERY_FIELD, name="改过的名称"))],
        ),
    ]
    with Spill() as spill:
        for new, updates in batches:
            spill.keep(new, updates)
        read = list(spill.batches())
    assert read == batches
    # Every field survives (a field the spill dropped would come back as its default).
    assert read[2][1][0][1] == EVERY_FIELD


def test_a_file_cut_short_is_an_error() -> None:
    entry = generate_catalog(5, seed=4).resource(0)
    with Spill() as spill:
        spill.keep([(3, entry)], [])
        spill.keep([(4, entry)], [])
        assert spill._file is not None
        spill._file.flush()
        spill._file.truncate(spill._file.tell() - 10)
        batches = spill.batches()
        assert next(batches) == ([(3, entry)], [])
        with pytest.raises(OSError, match="ends inside a batch"):
            next(batches)


def test_drafts_added_one_at_a_time_join_their_batch_in_the_order_of_their_rows() -> None:
    sample = generate_catalog(6, seed=4)
    a, b, c, d = (sample.resource(i) for i in range(4))
    with Spill() as spill:
        spill.add(9, c)
        spill.add(4, a)
        spill.keep([(6, b)], [(5, d, d)])  # a brought entry checked with the batch's end
        spill.add(12, d)
        spill.keep([], [])
        read = list(spill.batches())
    assert read == [([(4, a), (6, b), (9, c)], [(5, d, d)]), ([(12, d)], [])]
