"""Access details (数据挂接): where the data of an entry is reached, and who may see it.

The providing department records, on its own entry, how the data itself is reached: an
interface's address and how to obtain credentials for it (never the credentials), a table of
the front-end exchange database (前置机), a download location. They are kept apart from the
entry — a value of their own, stored beside it, never a field of `graph.model.Resource` — so
they are never in the snapshot a sync link carries nor in a change event.

Who sees them (`visible_access`), by the entry's share type (DESIGN "Identity, roles and
audit"):

    NONE                                       → no one, ever (the entry and its legal basis
                                                 are shown; how to reach the data is not)
    the viewer is the providing department     → shown (it recorded them)
    the entry is not PUBLISHED                 → no one else
    anonymous (no department)                  → never
    UNCONDITIONAL                              → any department
    CONDITIONAL                                → a department with an approval in force:
                                                 a request APPROVED or DELIVERED whose period
                                                 holds the day (`has_approval`)

Bounded: each text at most `ACCESS_LIMITS` characters, an interface address an http(s) URL.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from graph.codes import check_credit_code, check_resource_code
from graph.enums import LifecycleState, ShareType
from graph.errors import InvalidValue
from graph.model import Resource
from graph.sharing.checks import check_instant, check_version, optional_text
from graph.sharing.requests import RequestState, ShareRequest

__all__ = ["ACCESS_LIMITS", "AccessDetails", "has_approval", "visible_access"]

ACCESS_LIMITS: dict[str, int] = {
    "interface_url": 2000,
    "credentials": 2000,
    "exchange_table": 500,
    "download_location": 2000,
    "note": 2000,
}
_WAYS = ("interface_url", "exchange_table", "download_location")
_IN_FORCE = frozenset({RequestState.APPROVED, RequestState.DELIVERED})


@dataclass(frozen=True, slots=True)
class AccessDetails:
    """数据挂接: how the data of entry `resource_code` is reached — `interface_url` (an http(s)
    address) with `credentials` (how to obtain them), `exchange_table` (a table of the
    front-end exchange database), `download_location` — at least one way; recorded by the
    provider `updated_by` at `updated_at`, `version` one more with every change."""

    resource_code: str
    updated_by: str
    updated_at: datetime
    version: int = 1
    interface_url: str | None = None
    credentials: str | None = None
    exchange_table: str | None = None
    download_location: str | None = None
    note: str | None = None

    def __post_init__(self) -> None:
        set_ = object.__setattr__
        set_(self, "resource_code", check_resource_code(self.resource_code, "resource_code"))
        set_(self, "updated_by", check_credit_code(self.updated_by, "updated_by"))
        set_(self, "updated_at", check_instant(self.updated_at, "updated_at"))
        set_(self, "version", check_version(self.version))
        for name, limit in ACCESS_LIMITS.items():
            set_(self, name, optional_text(name, getattr(self, name), limit))
        url = self.interface_url
        if url is not None and (
            not url.lower().startswith(("http://", "https://")) or any(c.isspace() for c in url)
        ):
            raise InvalidValue("interface_url", url, "an http:// or https:// address")
        if all(getattr(self, name) is None for name in _WAYS):
            raise InvalidValue(
                "interface_url",
                None,
                "at least one way to reach the data: an interface address, a front-end "
                "exchange table or a download location",
            )
        if self.credentials is not None and url is None:
            raise InvalidValue(
                "credentials", "(given)", "credentials go with an interface address; give it too"
            )


def has_approval(requests: Iterable[ShareRequest], department: str, code: str, day: date) -> bool:
    """Whether `department` holds an approval in force on `day` for entry `code`: a request of
    its own, APPROVED or DELIVERED, whose period holds `day`."""
    return any(
        r.requester_code == department
        and r.resource_code == code
        and r.state in _IN_FORCE
        and r.period_start <= day <= r.period_end
        for r in requests
    )


def visible_access(
    entry: Resource,
    details: AccessDetails | None,
    viewer_department: str | None,
    approved: bool,
) -> AccessDetails | None:
    """The access details `viewer_department` (None: anonymous) may see of `entry`, or None
    (the module's table); `approved`: whether it holds an approval in force (`has_approval`)."""
    if details is None or details.resource_code != entry.code:
        return None
    if entry.share_type is ShareType.NONE:
        return None
    if viewer_department is not None and viewer_department == entry.provider_code:
        return details
    if entry.state is not LifecycleState.PUBLISHED or viewer_department is None:
        return None
    if entry.share_type is ShareType.UNCONDITIONAL:
        return details
    return details if approved else None
