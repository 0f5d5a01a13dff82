"""Errors of the sync.

    SyncError                  base; `retriable` says whether trying again may succeed
    ├── MalformedEvent         an event that does not decode; names the field and what is accepted
    ├── InvalidLink            a link that breaks the topology (upward: child → parent, same zone;
    │                          mirror: same region, other zone; extranet clearance UNCLASSIFIED)
    └── LogError               the change log failed
        ├── LogUnavailable     the broker or database did not answer; `retriable` is True
        ├── LogNotPermitted    the principal may not do this on that topic or group (ACLs)
        ├── LogNotTrusted      TLS to the broker failed: its certificate does not verify against
        │                      the CA given (ssl_cafile), or it refused ours; or the two ends
        │                      disagree on TLS (security_protocol)
        ├── UnknownTopic       no such topic: links' topics are created, never auto-created
        └── LogClosed          the log (or reader) was used after it was closed

A refused event is not an error: the guard returns `Refuse` and the target records a security
event and goes on (DESIGN "Instances and sync", point 4). Log implementations translate their
driver's errors (aiokafka, sqlite3) into these at their boundary.
"""

from __future__ import annotations

__all__ = [
    "InvalidLink",
    "LogClosed",
    "LogError",
    "LogNotAuthenticated",
    "LogNotPermitted",
    "LogNotTrusted",
    "LogUnavailable",
    "MalformedEvent",
    "SyncError",
    "UnknownTopic",
]


class SyncError(Exception):
    """Base of every sync error. `code` is a stable machine-readable name."""

    code = "SYNC_ERROR"
    retriable = False


class MalformedEvent(SyncError):
    """An event that cannot be decoded: `field` (a dotted path such as ``snapshot.items[2]``),
    the offending `value`, and `accepted`, a sentence saying what would be accepted."""

    code = "MALFORMED_EVENT"

    def __init__(self, field: str, value: object, accepted: str) -> None:
        self.field = field
        self.value = value
        self.accepted = accepted
        shown = repr(value)
        if len(shown) > 120:
            shown = shown[:117] + "..."
        super().__init__(f"{field} = {shown} is refused: {accepted}")


class InvalidLink(SyncError):
    code = "INVALID_LINK"


class LogError(SyncError):
    code = "LOG_ERROR"


class LogUnavailable(LogError):
    code = "LOG_UNAVAILABLE"
    retriable = True


class LogClosed(LogError):
    code = "LOG_CLOSED"


class LogNotPermitted(LogError):
    code = "LOG_NOT_PERMITTED"


class LogNotTrusted(LogError):
    code = "LOG_NOT_TRUSTED"


class LogNotAuthenticated(LogError):
    """The brokers refused this principal's SASL credentials (a wrong or missing password,
    an unknown user): waiting does not help."""

    code = "LOG_NOT_AUTHENTICATED"


class UnknownTopic(LogError):
    code = "UNKNOWN_TOPIC"

    def __init__(self, topic: str) -> None:
        self.topic = topic
        super().__init__(f"no topic {topic!r}: create it first (create_topic)")
