"""Errors of the catalog graph.

    CatalogError
    ├── InvalidValue          a write broke a rule; names the field, the value, what is accepted
    ├── NotFound              no entry (or department, catalog…) with that key
    ├── NotPermitted          the actor may not do this (谁主管，谁提供，谁负责; reviewers publish)
    ├── InvalidTransition     the lifecycle does not allow this step from the current state
    ├── VersionConflict       someone else wrote the entry first; re-read and retry
    ├── DeadlinePassed        the database ended a read at its caller's deadline (TIMEOUT)
    └── StoreUnavailable      the database did not answer; `retriable` is True

Store implementations translate driver errors into these at their boundary, so callers only
ever see domain errors.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "CatalogError",
    "DeadlinePassed",
    "InvalidTransition",
    "InvalidValue",
    "NotFound",
    "NotPermitted",
    "StoreUnavailable",
    "VersionConflict",
]


class CatalogError(Exception):
    """Base of every domain error. `code` is a stable machine-readable name."""

    code = "CATALOG_ERROR"
    retriable = False

    def extensions(self) -> dict[str, Any]:
        """What an API may show a client about this error, besides its message."""
        return {"code": self.code}


class InvalidValue(CatalogError):
    """A value a rule refuses: `field` (a dotted path such as ``items[2].share_type``),
    the offending `value`, and `accepted`, a sentence saying what would be accepted."""

    code = "INVALID_VALUE"

    def __init__(self, field: str, value: object, accepted: str, rule: str | None = None) -> None:
        self.field = field
        self.value = value
        self.accepted = accepted
        self.rule = rule
        where = f" ({rule})" if rule else ""
        super().__init__(f"{field} = {value!r} is refused{where}: {accepted}")

    def extensions(self) -> dict[str, Any]:
        plain = isinstance(self.value, str | int | float | bool | None)
        shown = self.value if plain else str(self.value)
        ext: dict[str, Any] = {
            "code": self.code,
            "field": self.field,
            "value": shown,
            "accepted": self.accepted,
        }
        if self.rule:
            ext["rule"] = self.rule
        return ext


class NotFound(CatalogError):
    code = "NOT_FOUND"

    def __init__(self, what: str, key: str) -> None:
        self.what = what
        self.key = key
        super().__init__(f"no {what} with code {key!r}")

    def extensions(self) -> dict[str, Any]:
        return {"code": self.code, "what": self.what, "key": self.key}


class NotPermitted(CatalogError):
    code = "NOT_PERMITTED"


class InvalidTransition(CatalogError):
    code = "INVALID_TRANSITION"

    def __init__(self, resource_code: str, state: str, action: str, allowed_from: str) -> None:
        self.resource_code = resource_code
        self.state = state
        self.action = action
        super().__init__(
            f"cannot {action} {resource_code!r} while it is {state}; {action} is allowed from "
            f"{allowed_from}"
        )

    def extensions(self) -> dict[str, Any]:
        return {"code": self.code, "state": self.state, "action": self.action}


class VersionConflict(CatalogError):
    code = "VERSION_CONFLICT"
    retriable = True

    def __init__(self, resource_code: str, expected: int, found: int) -> None:
        self.resource_code = resource_code
        self.expected = expected
        self.found = found
        super().__init__(
            f"{resource_code!r} is at version {found}, not {expected}: it changed meanwhile; "
            "read it again and retry"
        )


class DeadlinePassed(CatalogError):
    """The database ended a read when its caller's time was up (`graph.deadline`): the same
    answer as a request stopped for time."""

    code = "TIMEOUT"


class StoreUnavailable(CatalogError):
    code = "STORE_UNAVAILABLE"
    retriable = True
