"""How long the caller may still wait: a deadline carried by the context of a request.

The API sets one for each request (``with deadline_after(10): …``) beside its own
`asyncio.timeout`; a store reads `seconds_left()` to give its database no more time than the
request has left — Neo4j then ends the transaction itself, so the query does not run on after
its caller stopped waiting. Without a deadline (the sync, the CLI) a read takes what it takes.
Tasks started within the block (DataLoader batches) inherit it, as tasks inherit every context
variable.

    with deadline_after(2.5):
        left = seconds_left()  # about 2.5
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

__all__ = ["deadline_after", "seconds_left"]

_deadline: ContextVar[float | None] = ContextVar("mulu_deadline", default=None)


@contextmanager
def deadline_after(seconds: float) -> Iterator[None]:
    """Within the block, work started should end `seconds` from now (or sooner, when an outer
    deadline is earlier)."""
    outer = _deadline.get()
    at = time.monotonic() + seconds
    token = _deadline.set(at if outer is None else min(outer, at))
    try:
        yield
    finally:
        _deadline.reset(token)


def seconds_left() -> float | None:
    """Seconds until the current deadline (0 once it has passed); None without one."""
    at = _deadline.get()
    return None if at is None else max(0.0, at - time.monotonic())
