"""`Together`: the same part of every instance (its server, its sync worker, its store), opened
one instance after another and closed all at once, saying which instances are slow to stop.

`mulu up` runs every instance of a topology in one process; stopping them one after another
took a minute for 222. A `Together` closes its members side by side, and while any is still
closing it logs, every `REPORT_SECONDS`, which instances are and what they wait for (`why`:
open connections, a link still writing) — the lines `mulu down` quotes when it has to kill.

    async with Together("server", why=open_connections) as servers:
        for spec in specs:
            await servers.enter(spec.id, serving(spec))
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager, AsyncExitStack
from typing import Any, TypeVar

__all__ = ["NOT_STOPPED", "REPORT_SECONDS", "Together"]

T = TypeVar("T")
REPORT_SECONDS = 5.0
# The message of the log record naming the instances still stopping (`mulu down` reads it).
NOT_STOPPED = "instances still stopping"

_log = logging.getLogger("mulu.runtime")


class Together:
    """Members by instance id; `why(id)` says what a member still stopping waits for."""

    def __init__(self, part: str, why: Callable[[str], str] | None = None) -> None:
        self.part = part
        self._why = why or (lambda _: f"its {part} is closing")
        self._stacks: dict[str, AsyncExitStack] = {}

    async def enter(self, instance: str, context: AbstractAsyncContextManager[T]) -> T:
        stack = AsyncExitStack()
        self._stacks[instance] = stack
        return await stack.enter_async_context(context)

    async def __aenter__(self) -> Together:
        return self

    async def __aexit__(self, *exc_info: Any) -> None:
        await self.close()

    async def close(self) -> None:
        """Close every member at once; return when all are closed (the first error raised)."""
        stacks, self._stacks = self._stacks, {}
        if not stacks:
            return
        began = time.monotonic()
        tasks = {i: asyncio.ensure_future(s.aclose()) for i, s in stacks.items()}
        pending = set(tasks.values())
        while pending:
            _, pending = await asyncio.wait(pending, timeout=REPORT_SECONDS)
            if pending:
                slow = {i: self._why(i) for i, t in tasks.items() if t in pending}
                seconds = time.monotonic() - began
                _log.warning(
                    f"{NOT_STOPPED} after {seconds:.0f} s: {len(slow)} {self.part}s",
                    extra={"part": self.part, "not_stopped": slow},
                )
        errors = [t.exception() for t in tasks.values() if not t.cancelled() and t.exception()]
        if errors:
            raise errors[0]  # type: ignore[misc]
