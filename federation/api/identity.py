"""Who is asking, and what they may do and see: the one place roles are decided.

The caller comes from the certificate the server (or its trusted proxy) verified
(`federation.identity`), its role from the instance's grants (`federation.identity.roles`);
in development without TLS, from headers, honoured only when ``dev_identity_header`` is on:

    X-Mulu-Dev-Department: 11510100MB0000001Y    (a 统一社会信用代码)
    X-Mulu-Dev-Role: PROVIDER | REVIEWER | ADMINISTRATOR | AUDITOR   (PROVIDER when absent)

The rules (DESIGN "Identity, roles and audit"):

    anonymous      published entries; on the extranet, those open to the public only
    PROVIDER       published entries, and its own entries in every state; maintains its own
                   (谁主管，谁提供，谁负责 — `graph.lifecycle` decides each step)
    REVIEWER       every entry of the instance; publishes or rejects (Sichuan 第十条)
    ADMINISTRATOR  reads as a department; registers departments and grants roles; never
                   changes catalog content
    AUDITOR        reads the audit log; sees the catalog as an anonymous caller does
    a peer         an instance of the topology, named by its certificate: published entries
                   (never a draft), as an anonymous caller of its zone would
    a department   named by a peer that forwards its share request (X-Mulu-On-Behalf-Of,
      via a peer   `federation.identity.peering`): reads as a department, requests and
                   follows its requests (`party`), never changes an entry (`actor` refuses)

An administrator and an auditor are never one subject (GB/T 39477: `graph.grants`).
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
_CALLER_ROLES = (Role.PROVIDER, Role.REVIEWER, Role.ADMINISTRATOR, Role.AUDITOR)


@dataclass(frozen=True, slots=True)
class Viewer:
    """The caller of one request, in the instance of `zone`: a department acting as `role`,
    a peer instance (`instance`), or anonymous (neither)."""

    zone: Zone
    department_code: str | None = None
    role: Role = Role.PROVIDER
    instance: str | None = None

    @property
    def is_anonymous(self) -> bool:
        return self.department_code is None

    @property
    def is_reviewer(self) -> bool:
        return self.department_code is not None and self.role is Role.REVIEWER

    @property
    def is_administrator(self) -> bool:
        return self.department_code is not None and self.role is Role.ADMINISTRATOR

    @property
    def is_auditor(self) -> bool:
        return self.department_code is not None and self.role is Role.AUDITOR

    @property
    def name(self) -> str:
        """Who this is in an audit record: a credit code, ``instance:<id>``, or anonymous."""
        if self.department_code is not None:
            return self.department_code
        if self.instance is not None:
            return f"instance:{self.instance}"
        return "anonymous"

    @property
    def _reads_as_public(self) -> bool:
        """Sees published entries as an anonymous caller of its zone does."""
        return self.department_code is None or self.role is Role.AUDITOR

    def require(self, role: Role, doing: str) -> str:
        """The caller's credit code when it acts as `role`, else `NotPermitted` naming what
        `doing` needs."""
        if self.department_code is None or self.role is not role:
            raise NotPermitted(
                f"{doing} is for the instance's {role.value.lower()} only; you act as "
                f"{self._acting_as()}"
                + (
                    " (GB/T 39477: administrator and auditor are separate duties)"
                    if role in (Role.ADMINISTRATOR, Role.AUDITOR)
                    else ""
                )
            )
        return self.department_code

    def _acting_as(self) -> str:
        if self.department_code is None:
            return f"instance {self.instance}" if self.instance else "an anonymous caller"
        return f"{self.department_code} ({self.role.value})"

    def actor(self) -> Actor:
        """The actor of a maintenance step; anonymous callers have none, nor a department
        a peer forwarded (it only requests: `party`)."""
        if self.department_code is not None and self.instance is not None:
            raise NotPermitted(
                f"{self.department_code} is named by the peer {self.instance}, which forwards "
                "its share requests only: it changes entries at its own instance"
            )
        return self.party()

    def party(self) -> Actor:
        """The actor of a sharing step (a request, an answer, an objection): any department,
        one a peer forwarded included; anonymous callers have none."""
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
            return self.role is Role.PROVIDER and self.department_code == entry.provider_code
        if self._reads_as_public and self.zone is Zone.EXTRANET:
            return entry.open_to_public
        return True

    def restrict(self, where: ResourceFilter) -> ResourceFilter:
        """`where` narrowed to what this caller may list, or a refusal that says why."""
        if self.is_reviewer:
            return where
        if self._reads_as_public and self.zone is Zone.EXTRANET:
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
        if self.department_code is None or self.role is not Role.PROVIDER:
            raise InvalidValue(
                "filter.state",
                unpublished[0],
                f"PUBLISHED: only published entries are shown to {self._acting_as()}",
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
        raise InvalidValue(
            "X-Mulu-Dev-Role", role_name, " or ".join(r.value for r in _CALLER_ROLES)
        )
    return Viewer(zone, code, Role(role_name))
