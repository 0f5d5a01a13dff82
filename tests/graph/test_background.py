"""graph.background: a loop told to stop finishes the round it is in — a database call is never
cut in the middle — and is cancelled only past its grace; `wake` starts a round now."""

from __future__ import annotations

import asyncio

from graph.background import periodic


async def test_a_round_under_way_is_finished_not_cut() -> None:
    started, finished = asyncio.Event(), []

    async def work() -> None:
        started.set()
        await asyncio.sleep(0.2)  # a database call, say
        finished.append(True)

    async with periodic("test", work, every=60.0):
        await started.wait()
    assert finished == [True]


async def test_past_its_grace_a_round_is_cancelled() -> None:
    started, cancelled = asyncio.Event(), []

    async def work() -> None:
        started.set()
        try:
            await asyncio.sleep(60)
        except asyncio.CancelledError:
            cancelled.append(True)
            raise

    async with periodic("test", work, every=60.0, grace=0.1):
        await started.wait()
    assert cancelled == [True]


async def test_wake_starts_a_round_now_and_an_error_does_not_end_the_loop() -> None:
    rounds: list[int] = []

    async def work() -> None:
        rounds.append(len(rounds))
        if len(rounds) == 1:
            raise RuntimeError("a bug in one round")

    async with periodic("test", work, every=60.0) as handle:
        await asyncio.sleep(0.05)
        handle.wake()
        await asyncio.sleep(0.05)
    assert rounds == [0, 1]


async def test_nothing_runs_before_first_after() -> None:
    rounds: list[int] = []

    async def work() -> None:
        rounds.append(1)

    async with periodic("test", work, every=60.0, first_after=60.0):
        await asyncio.sleep(0.05)
    assert rounds == []
