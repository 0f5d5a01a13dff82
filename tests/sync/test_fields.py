"""The sync side of each field's facts (graph.fields): the snapshot a change event carries
reads every field back, by both paths of `sync.snapshots`; the guard sends exactly the fields
that declare they cross, each as the origin wrote it, references only where cleared.

Defect class: a field the hand-written snapshot readers forget (it would arrive as its default
at every other instance, silently), and a field that crosses a link, or is held back, against
what the model declares for it.
"""

from __future__ import annotations

import dataclasses

import pytest

from graph.fields import facts_of
from graph.model import DataItem, Resource
from graph.snapshot import resource_to_dict
from sync.events import event_for
from sync.guard import CROSSING_FIELDS, Forward, guard_source, guard_target
from sync.links import Link
from sync.snapshots import _careful_resource, _from_plain, _is_plain, resource_from_dict
from tests.graph.every_field import EVERY_FIELD
from tests.sync import samples

CI, CE, SI = samples.CHENGDU_INTRANET, samples.CHENGDU_EXTRANET, samples.SICHUAN_INTRANET
# The entry at 成都's intranet, its origin.
AT_ORIGIN = dataclasses.replace(EVERY_FIELD, origin=CI)
REFERENCE_FIELDS = [name for name, f in facts_of(Resource).items() if f.reference]


def test_a_snapshot_with_every_field_is_read_back_whole_by_both_paths() -> None:
    snapshot = resource_to_dict(EVERY_FIELD)
    assert _is_plain(snapshot)
    assert _from_plain(snapshot) == EVERY_FIELD
    assert _careful_resource(snapshot, "snapshot") == EVERY_FIELD
    assert resource_from_dict(snapshot) == EVERY_FIELD


def test_the_fields_that_cross_are_those_declared_to() -> None:
    assert {name for name, f in facts_of(Resource).items() if f.crosses} == CROSSING_FIELDS


def test_every_field_of_an_item_crosses() -> None:
    """The guard sends an entry's items whole: an item field declared not to cross would still
    be sent, until the guard learns to strip it."""
    assert all(f.crosses for f in facts_of(DataItem).values())


@pytest.mark.parametrize("target", [CE, SI])
def test_the_guard_sends_each_field_that_crosses_as_written_and_no_other(target: str) -> None:
    link = Link.between(CI, target)
    verdict = guard_source(event_for(AT_ORIGIN), link, cleared=lambda code: True, held=set())
    assert isinstance(verdict, Forward)
    snapshot = verdict.event.snapshot
    assert snapshot is not None
    written = resource_to_dict(AT_ORIGIN)
    assert snapshot == {
        name: written[name] for name in facts_of(Resource) if name in CROSSING_FIELDS
    }
    assert isinstance(guard_target(verdict.event, link), Forward)


def test_the_guard_empties_each_reference_field_whose_entries_are_not_cleared() -> None:
    link = Link.between(CI, CE)
    verdict = guard_source(event_for(AT_ORIGIN), link, cleared=set(), held=set())
    assert isinstance(verdict, Forward)
    snapshot = verdict.event.snapshot
    assert snapshot is not None
    assert REFERENCE_FIELDS  # else this would check nothing
    assert all(snapshot[name] == [] for name in REFERENCE_FIELDS)
    written = resource_to_dict(AT_ORIGIN)
    unchanged = CROSSING_FIELDS - set(REFERENCE_FIELDS)
    assert {name: snapshot[name] for name in unchanged} == {
        name: written[name] for name in unchanged
    }


def test_a_withheld_field_crosses_only_as_its_link_allows() -> None:
    """`extensions` cross for the keys a link names; `history` never."""
    link = Link.between(CI, CE, extensions=frozenset({"contact"}))
    verdict = guard_source(event_for(AT_ORIGIN), link, cleared=set(), held=set())
    assert isinstance(verdict, Forward)
    snapshot = verdict.event.snapshot
    assert snapshot is not None
    assert snapshot["extensions"] == [["contact", "028-12345678"]]
    assert "history" not in snapshot
