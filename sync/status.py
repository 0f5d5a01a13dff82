"""`LinkStatus`: what one side of one link has done, for ``/health`` and the metrics.

A relay (the link's source side) counts what it produced into the link's topic, dropped (not
for the link: a loop, nothing the target needs) and refused; a consumer (the target side)
counts what it applied, skipped as stale, redacted and refused, and how far behind the topic
it is. Both keep their last error, cleared by the next success.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

__all__ = ["LinkState", "LinkStatus", "Side"]


class Side(StrEnum):
    RELAY = "relay"
    CONSUMER = "consumer"


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
    extra: dict[str, Any] = field(default_factory=dict)

    def failed(self, exc: BaseException) -> None:
        self.state = LinkState.RETRYING
        self.errors += 1
        self.last_error = f"{getattr(exc, 'code', type(exc).__name__)}: {exc}"
        self.last_error_at = datetime.now(UTC)

    def succeeded(self) -> None:
        self.state = LinkState.RUNNING
        self.last_error = None

    def as_dict(self) -> dict[str, Any]:
        shown = asdict(self)
        shown.pop("extra")
        shown["side"] = self.side.value
        shown["state"] = self.state.value
        if self.last_error_at is not None:
            shown["last_error_at"] = self.last_error_at.isoformat()
        return shown
