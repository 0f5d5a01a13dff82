"""The file watcher of the embedded store and log (graph.embedded.changes): a commit another
process makes is told to the file's owner, and told again while it may not be visible yet."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest

from graph.embedded.changes import SETTLE_SECONDS, watch


async def _told_after_one_change(path: Path, every: float) -> tuple[list[float], float]:
    """When the callback of `path`, looked at every `every` seconds, was told, around one
    change of the file: (the times, the time of the change)."""
    await asyncio.to_thread(path.write_bytes, b"one")
    told: list[float] = []
    unwatch = watch(path, lambda: told.append(time.monotonic()), every=every)
    try:
        await asyncio.sleep(3 * every)
        assert told == []  # nothing changed: nothing told
        await asyncio.to_thread(path.write_bytes, b"two")  # one change, then none
        changed = time.monotonic()
        await asyncio.sleep(SETTLE_SECONDS + 4 * every)
        settled = len(told)
        await asyncio.sleep(4 * every)
        assert len(told) == settled  # settled: told no more
        return told, changed
    finally:
        unwatch()


@pytest.mark.parametrize("every", [0.05, 0.3])
async def test_a_change_is_told_again_after_it_though_the_stamp_stays(
    tmp_path: Path, every: float
) -> None:
    """A look can see a commit's frames in the ``-wal`` before a reader can see the commit
    (synced, then published in the WAL index, which has no stamp); the reader the callback
    wakes then finds nothing new, and the stamp will not move again. So the file is told again
    at the looks that follow, for `SETTLE_SECONDS`, though nothing changed since — then no
    more. (Told once only, a reader in another `EmbeddedLog` could sleep to its safety look a
    minute later.)"""
    told, changed = await _told_after_one_change(tmp_path / "file.db", every)
    assert len(told) >= 2, told  # at the change, and again after it
    assert told[0] - changed < every + 0.5
    assert told[-1] - changed >= min(SETTLE_SECONDS, every) - 0.05
    assert told[-1] - changed < SETTLE_SECONDS + every + 0.5
