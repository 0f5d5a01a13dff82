"""Background work that stops cleanly: a loop told to stop finishes what it is doing.

A task cancelled in the middle of a database call can leave the driver's connection half used
(a socket never closed); so the instance's periodic work — checkpoints, the overdue watch, the
audit sink, the sharing events — is never cancelled while it works. The rules:

1. `periodic` runs `work` every `every` seconds (the first time after `first_after`) until the
   context exits; `work` handles its own errors (a loop that dies stops nothing else).
2. On exit the loop is told to stop and given `grace` seconds to finish the round it is in;
   only past that is it cancelled (a database that hangs does not hold up the instance's
   stop forever).
3. `wake` makes the next round start now rather than at the end of the pause; so does the
   event `wake_on()` returns, taken before each round (a store's `OutboxSignal.waiter`, say):
   set by anything that happened during the round, it starts the next one at once — or, with
   `settle`, no sooner than `settle` seconds after the round ended (`wake` still at once): a
   store committing a hundred times a second wakes the reader of its audit log once a second.
4. Waiting costs nothing: the pause is a wait on events, never a poll. `every` may be
   `UNTIL_WOKEN` (no round until woken), and `work` may return the seconds to pause before its
   next round (a number; anything else: `every`) — the audit sink waits for entries, and only
   a failed write comes back on a timer.

    async with periodic("audit checkpoints", checkpointer.sign_if_due, every=30.0):
        ...
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field

__all__ = ["UNTIL_WOKEN", "Periodic", "periodic"]

UNTIL_WOKEN = math.inf  # a pause that ends only when the loop is woken or stopped

_log = logging.getLogger("mulu.background")


@dataclass
class Periodic:
    """The handle of a running `periodic` loop."""

    stop: asyncio.Event = field(default_factory=asyncio.Event)
    woken: asyncio.Event = field(default_factory=asyncio.Event)

    def wake(self) -> None:
        self.woken.set()

    async def pause(self, seconds: float, also: asyncio.Event | None = None) -> bool:
        """Wait `seconds` (`UNTIL_WOKEN`: no limit), or less when woken, stopped or `also` is
        set; whether to stop."""
        if self.stop.is_set():
            return True
        if self.woken.is_set() or (also is not None and also.is_set()):
            self.woken.clear()
            return False
        events = [self.stop, self.woken] if also is None else [self.stop, self.woken, also]
        waits = [asyncio.ensure_future(event.wait()) for event in events]
        timeout = None if math.isinf(seconds) else seconds
        try:
            await asyncio.wait(waits, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for wait in waits:
                wait.cancel()
        self.woken.clear()
        return self.stop.is_set()


async def _settle(handle: Periodic, seconds: float) -> None:
    """Wait `seconds`, or less when woken or stopped (the event is left set: the pause after
    sees it at once)."""
    waits = [asyncio.ensure_future(event.wait()) for event in (handle.stop, handle.woken)]
    try:
        await asyncio.wait(waits, timeout=seconds, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for wait in waits:
            wait.cancel()


@contextlib.asynccontextmanager
async def periodic(
    name: str,
    work: Callable[[], Awaitable[object]],
    *,
    every: float,
    first_after: float = 0.0,
    grace: float = 5.0,
    wake_on: Callable[[], asyncio.Event] | None = None,
    settle: float = 0.0,
) -> AsyncIterator[Periodic]:
    handle = Periodic()

    async def loop() -> None:
        if first_after > 0 and await handle.pause(first_after):
            return
        while True:
            signal = wake_on() if wake_on is not None else None  # before the round: none missed
            pause: object = every
            try:
                pause = await work()
            except Exception:  # work handles its own errors; one it did not is logged
                _log.exception("background work failed; it runs again", extra={"task": name})
            seconds = (
                pause if isinstance(pause, int | float) and not isinstance(pause, bool) else every
            )
            if settle > 0 and signal is not None:
                await _settle(handle, min(settle, seconds))
            if await handle.pause(seconds, signal):
                return

    task = asyncio.create_task(loop(), name=name)
    try:
        yield handle
    finally:
        handle.stop.set()
        try:
            await asyncio.wait_for(asyncio.shield(task), grace)
        except TimeoutError:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
