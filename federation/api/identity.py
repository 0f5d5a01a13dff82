"""Who is asking, and what they may see.

Until department certificates come (DESIGN "Security and audit"), a caller names itself with
development headers, honoured only when the instance's ``dev_identity_header`` setting is on:

    X-Mulu-Dev-Department: 11510100MB0000001Y    (a 统一社会信用代码)
    X-Mulu-Dev-Role: PROVIDER | REVIEWER          (PROVIDER when absent)

Otherwise every caller is anonymous. Only PUBLISHED entries are shown outside the providing
department (谁主管，谁提供，谁负责); the reviewer sees every entry of the instance; an anonymous
caller of an extranet instance sees only what is open to the public.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass

from graph import Actor, InvalidValue, LifecycleState, NotPermitted, Resource, Role, Zone
from graph.codes import check_credit_code
from graph.queries import ResourceFilter

__all__ = ["DEPARTMENT_HEADER", "ROLE_HEADER", "Viewer", "viewer_from_headers"]

DEPARTMENT_HEADER = "x-mulu-dev-department"
ROLE_HEADER = "x-mulu-dev-role"

_PUBLISHED = LifecycleState.PUBLISHED
_CALLER_ROLES = (Role.PROVIDER, Role.REVIEWER)


@dataclass(frozen=True, slots=True)
class Viewer:
    """The caller of one request, in the instance of `zone`; anonymous when `department_code`
    is None."""

    zone: Zone
    department_code: str | None = None
    role: Role = Role.PROVIDER

    @property
    def is_anonymous(self) -> bool:
        return self.department_code is None

    @property
    def is_reviewer(self) -> bool:
        return self.department_code is not None and self.role is Role.REVIEWER

    def actor(self) -> Actor:
        """The actor of a maintenance step; anonymous callers have none."""
        if self.department_code is None:
            raise NotPermitted(
                "anonymous callers cannot change the catalog: a department connects with its "
                "certificate (or, in development, names itself with the X-Mulu-Dev-Department "
                "header when the instance enables dev_identity_header)"
            )
        return Actor(self.department_code, self.role)

    def can_see(self, entry: Resource) -> bool:
        if self.is_reviewer:
            return True
        if entry.state is not _PUBLISHED:
            return self.department_code == entry.provider_code
        if self.is_anonymous and self.zone is Zone.EXTRANET:
            return entry.open_to_public
        return True

    def restrict(self, where: ResourceFilter) -> ResourceFilter:
        """`where` narrowed to what this caller may list, or a refusal that says why."""
        if self.is_reviewer:
            return where
        if self.is_anonymous and self.zone is Zone.EXTRANET:
            if where.open_to_public is False:
                raise InvalidValue(
                    "filter.openToPublic",
                    False,
                    "true or empty: anonymous callers of the extranet see only open entries",
                )
            where = dataclasses.replace(where, open_to_public=True)
        unpublished = sorted(s.value for s in where.states if s is not _PUBLISHED)
        if not unpublished:
            return where
        if self.department_code is None:
            raise InvalidValue(
                "filter.state",
                unpublished[0],
                "PUBLISHED: only published entries are shown to anonymous callers",
            )
        if where.provider_code not in (None, self.department_code):
            raise InvalidValue(
                "filter.provider",
                where.provider_code,
                f"{self.department_code} (your own department) or PUBLISHED entries only: "
                "entries not yet published are shown to their providing department alone",
            )
        return dataclasses.replace(where, provider_code=self.department_code)


def viewer_from_headers(headers: Mapping[str, str], zone: Zone, *, trusted: bool) -> Viewer:
    """The caller named by the development headers when they are `trusted`, else anonymous."""
    department = headers.get(DEPARTMENT_HEADER)
    if not trusted or not department:
        return Viewer(zone)
    code = check_credit_code(department, field="X-Mulu-Dev-Department")
    role_name = (headers.get(ROLE_HEADER) or Role.PROVIDER.value).strip().upper()
    if role_name not in {r.value for r in _CALLER_ROLES}:
        raise InvalidValue("X-Mulu-Dev-Role", role_name, "PROVIDER or REVIEWER")
    return Viewer(zone, code, Role(role_name))
