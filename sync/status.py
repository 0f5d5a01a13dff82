"""`LinkStatus`: what one side of one link has done, for ``/health`` and the metrics.

A relay (the link's source side) counts what it produced into the link's topic, dropped (not
for the link: a loop, nothing the target needs) and refused; a consumer (the target side)
counts what it applied, skipped as stale, redacted and refused, and how far behind the topic
it is. Both keep their last error, cleared by the next success.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

__all__ = ["STALLED_SECONDS", "LinkState", "LinkStatus", "Side"]

# A relay whose oldest unsent event has waited this long is failing, even without an error:
# a backlog this old is a link that does not keep up.
STALLED_SECONDS = 60.0


class Side(StrEnum):
    RELAY = "relay"
    CONSUMER = "consumer"
    URGENT_CONSUMER = "consumer-urgent"  # the consumer of the link's urgent lane


class LinkState(StrEnum):
    STARTING = "starting"
    RUNNING = "running"
    RETRYING = "retrying"  # the last attempt failed; it will try again after a pause
    STOPPED = "stopped"


@dataclass(slots=True)
class LinkStatus:
    """Mutable counters of one side of one link; read them, never write them from outside."""

    link: str
    side: Side
    topic: str
    state: LinkState = LinkState.STARTING
    produced: int = 0
    dropped: int = 0
    refused: int = 0
    applied: int = 0
    stale: int = 0
    redacted: int = 0
    lag: int | None = None
    position: int | None = None
    last_error: str | None = None
    last_error_at: datetime | None = None
    errors: int = 0
    # Events moved aside: they failed alone, again and again (sync.relay, POISON_AFTER).
    moved_aside: int = 0
    # time.monotonic() when the relay first saw the record now oldest in its outbox unsent;
    # None when it has sent everything. Shown as `oldest_unsent_seconds`.
    pending_since: float | None = None

    def failed(self, exc: BaseException) -> None:
        self.state = LinkState.RETRYING
        self.errors += 1
        self.last_error = f"{getattr(exc, 'code', type(exc).__name__)}: {exc}"
        self.last_error_at = datetime.now(UTC)

    def succeeded(self) -> None:
        self.state = LinkState.RUNNING
        self.last_error = None

    @property
    def oldest_unsent_seconds(self) -> float | None:
        """How long the oldest event of the relay's outbox has waited unsent (at least)."""
        if self.pending_since is None:
            return None
        return max(0.0, time.monotonic() - self.pending_since)

    @property
    def failing(self) -> bool:
        """Whether this side's last attempt failed (it retries after a pause), or the oldest
        event of its outbox has waited longer than `STALLED_SECONDS`."""
        age = self.oldest_unsent_seconds
        return self.state is LinkState.RETRYING or (age is not None and age > STALLED_SECONDS)

    def as_dict(self) -> dict[str, Any]:
        shown = asdict(self)
        shown.pop("pending_since")
        age = self.oldest_unsent_seconds
        shown["oldest_unsent_seconds"] = None if age is None else round(age, 3)
        shown["failing"] = self.failing
        shown["side"] = self.side.value
        shown["state"] = self.state.value
        if self.last_error_at is not None:
            shown["last_error_at"] = self.last_error_at.isoformat()
        return shown
