"""Background work that stops cleanly: a loop told to stop finishes what it is doing.

A task cancelled in the middle of a database call can leave the driver's connection half used
(a socket never closed); so the instance's periodic work — checkpoints, the overdue watch, the
audit sink, the sharing events — is never cancelled while it works. The rules:

1. `periodic` runs `work` every `every` seconds (the first time after `first_after`) until the
   context exits; `work` handles its own errors (a loop that dies stops nothing else).
2. On exit the loop is told to stop and given `grace` seconds to finish the round it is in;
   only past that is it cancelled (a database that hangs does not hold up the instance's
   stop forever).
3. `wake` makes the next round start now rather than at the end of the pause.

    async with periodic("audit checkpoints", checkpointer.sign_if_due, every=30.0):
        ...
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field

__all__ = ["Periodic", "periodic"]

_log = logging.getLogger("mulu.background")


@dataclass
class Periodic:
    """The handle of a running `periodic` loop."""

    stop: asyncio.Event = field(default_factory=asyncio.Event)
    woken: asyncio.Event = field(default_factory=asyncio.Event)

    def wake(self) -> None:
        self.woken.set()

    async def pause(self, seconds: float) -> bool:
        """Wait `seconds`, or less when woken or stopped; whether to stop."""
        if self.stop.is_set():
            return True
        waits = [asyncio.ensure_future(self.stop.wait()), asyncio.ensure_future(self.woken.wait())]
        try:
            await asyncio.wait(waits, timeout=seconds, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for wait in waits:
                wait.cancel()
        self.woken.clear()
        return self.stop.is_set()


@contextlib.asynccontextmanager
async def periodic(
    name: str,
    work: Callable[[], Awaitable[object]],
    *,
    every: float,
    first_after: float = 0.0,
    grace: float = 5.0,
) -> AsyncIterator[Periodic]:
    handle = Periodic()

    async def loop() -> None:
        if first_after > 0 and await handle.pause(first_after):
            return
        while True:
            try:
                await work()
            except Exception:  # work handles its own errors; one it did not is logged
                _log.exception("background work failed; it runs again", extra={"task": name})
            if await handle.pause(every):
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
