"""graph.background: a loop told to stop finishes the round it is in — a database call is never
cut in the middle — and is cancelled only past its grace; `wake` starts a round now."""

from __future__ import annotations

import asyncio
import itertools

from graph.background import UNTIL_WOKEN, periodic


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


async def test_a_round_that_asks_to_wait_until_woken_waits_without_a_timer() -> None:
    rounds: list[float] = []

    async def work() -> float:
        rounds.append(asyncio.get_running_loop().time())
        return UNTIL_WOKEN

    async with periodic("test", work, every=0.01) as handle:
        await asyncio.sleep(0.3)
        assert len(rounds) == 1  # not every 0.01 s: the round asked to wait
        handle.wake()
        await asyncio.sleep(0.05)
    assert len(rounds) == 2


async def test_the_event_wake_on_gives_starts_a_round_even_when_set_during_one() -> None:
    """The event is taken before each round: a write committed while the round reads is not
    missed (the store's OutboxSignal works so)."""
    signal = asyncio.Event()
    rounds: list[int] = []

    async def work() -> None:
        rounds.append(len(rounds))
        if len(rounds) == 1:
            signal.set()  # something happened during the first round
            await asyncio.sleep(0.01)

    def waiter() -> asyncio.Event:
        nonlocal signal
        if signal.is_set():  # a new generation, as OutboxSignal.notify makes
            signal = asyncio.Event()
        return signal

    async with periodic("test", work, every=UNTIL_WOKEN, wake_on=waiter):
        await asyncio.sleep(0.2)
    assert rounds == [0, 1]


async def test_with_settle_the_event_starts_a_round_no_sooner_but_wake_at_once() -> None:
    """A store committing all the time wakes a settled loop once a `settle` at most; `wake`
    (a step just committed) still starts the next round now."""
    signal = asyncio.Event()
    rounds: list[float] = []
    loop = asyncio.get_running_loop()

    async def work() -> None:
        rounds.append(loop.time())
        signal.set()  # a commit during every round

    def waiter() -> asyncio.Event:
        nonlocal signal
        if signal.is_set():
            signal = asyncio.Event()
        return signal

    async with periodic("test", work, every=UNTIL_WOKEN, wake_on=waiter, settle=0.2) as handle:
        await asyncio.sleep(0.5)
        signalled = len(rounds)
        handle.wake()
        await asyncio.sleep(0.05)
        woken = len(rounds)
    assert 2 <= signalled <= 3  # at 0, 0.2 and 0.4 s: not thousands
    assert all(b - a >= 0.19 for a, b in itertools.pairwise(rounds[:signalled]))
    assert woken == signalled + 1  # within 0.05 s of the wake, not after a settle
