"""Dead letters: what a guard refused, as a record of the link's ``<topic>.dlq``.

Each side of a link writes there what it refused (DESIGN "Instances and sync", point 4): the
security event, and — on the target side only — the bytes that arrived. The source never puts
the refused event itself there: it is refused because it may not leave the source's zone.

    key, value = dead_letter(security_event, side=Side.CONSUMER, payload=record.value)
"""

from __future__ import annotations

import base64
import json

from sync.apply import SecurityEvent
from sync.status import Side

__all__ = ["dead_letter"]


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
