"""Security events and dead letters: what either side of a link refused, and where it goes.

Whatever a side of a link refuses leaves one `SecurityEvent` — never an error, and the link
goes on (DESIGN "Instances and sync", point 4) — and one dead letter in the link's
``<topic>.dlq``:

    side      refused                                   refusal            dead letter's payload
    relay     an event `guard_source` refuses           the guard's        none
    relay     an outbox record that does not decode     MALFORMED          none
    relay     a record that failed `POISON_AFTER`
              times alone, store and log answering      UNPROCESSABLE      none
    consumer  bytes that do not decode                  MALFORMED          the bytes, when
    consumer  an event `guard_target` refuses           the guard's          found by the
    consumer  an entry breaking a rule of the store     INVALID_ENTRY        event id
    consumer  a code held here from another origin      ORIGIN_CONFLICT

The rules:

- One refused event, one security event: `ApplyReport.refused` counts them.
- Each is handed to the side's `on_security_event` (by default `log_security_event`: WARNING
  on the ``mulu.sync.security`` logger, for the audit log kept 15 years, Chengdu 第二十六条);
  `SyncWorker` also keeps the latest (`SyncWorker.security_events`).
- The relay's dead letters carry no payload: an event refused at the source may not leave
  the source's zone, and a record moved aside may be classified — it stays in the outbox.
- A dead letter that cannot be written stalls nothing (`send_dead_letters`): an outage
  (a retriable `LogError`) is raised, so the batch is tried again; any other failure marks the
  side failing, and the security events stand.

    security = SecurityEvent(at, link.id, event_id, code, Refusal.MALFORMED, reason)
    on_security_event(security)
    letter = dead_letter(security, Side.CONSUMER, payload=record.value)
    await send_dead_letters(log.append(link.dead_letter_topic, [letter]), status)
"""

from __future__ import annotations

import base64
import json
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime

from sync.errors import LogError
from sync.guard import Refusal
from sync.status import LinkStatus, Side

__all__ = [
    "OnSecurityEvent",
    "SecurityEvent",
    "dead_letter",
    "log_security_event",
    "send_dead_letters",
]

_security_log = logging.getLogger("mulu.sync.security")


@dataclass(frozen=True, slots=True)
class SecurityEvent:
    """An event a side of a link refused, for the audit log (kept 15 years, Chengdu 第二十六条)."""

    at: datetime
    link: str
    event_id: str | None
    resource_code: str | None
    refusal: Refusal
    reason: str


OnSecurityEvent = Callable[[SecurityEvent], None]


def log_security_event(event: SecurityEvent) -> None:
    """The default `OnSecurityEvent`: a WARNING on the ``mulu.sync.security`` logger."""
    _security_log.warning(
        "sync refused an event",
        extra={
            "link": event.link,
            "event_id": event.event_id,
            "resource_code": event.resource_code,
            "refusal": event.refusal.value,
            "reason": event.reason,
        },
    )


def dead_letter(
    event: SecurityEvent, side: Side, payload: bytes | None = None
) -> tuple[str, bytes]:
    """The (key, value) of the dead letter of `event`, refused by `side`."""
    document = {
        "at": event.at.isoformat(),
        "link": event.link,
        "side": side.value,
        "event_id": event.event_id,
        "resource_code": event.resource_code,
        "refusal": event.refusal.value,
        "reason": event.reason,
        "payload": None if payload is None else base64.b64encode(payload).decode("ascii"),
    }
    value = json.dumps(document, ensure_ascii=False, sort_keys=True).encode("utf-8")
    return event.resource_code or "?", value


async def send_dead_letters(append: Awaitable[object], status: LinkStatus) -> None:
    """Await `append`, the log's append of dead letters to a link's ``<topic>.dlq``: an outage
    is raised; any other `LogError` is shown on `status` and the link goes on."""
    try:
        await append
    except LogError as exc:
        if exc.retriable:
            raise
        status.failed(exc)
