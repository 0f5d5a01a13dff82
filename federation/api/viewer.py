"""Who the API takes the caller to be (`viewer`): what a page shows in its header, so that a
person sees in whose name the catalog is shown and their requests are made.

It reports the decision `federation.api.identity.Viewer` already holds — from the client
certificate, a trusted proxy's forwarded one, or in development the ``X-Mulu-Dev-*`` headers —
and never decides anything itself. `developmentHeaders` says whether this instance believes
those headers (``dev_identity_header`` on and no TLS naming callers): only then may a page
offer to choose a department and role; under TLS the certificate alone says who asks.
"""

from __future__ import annotations

import strawberry

from federation.api.context import Info
from federation.api.enums import Role, Zone
from federation.api.fields import field
from federation.api.types import Department

__all__ = ["Caller", "caller_of"]


@strawberry.type(description="The caller of this request, as the instance identified it.")
class Caller:
    anonymous: bool
    department_code: str | None = strawberry.field(
        description="The caller's 统一社会信用代码; null for an anonymous caller or a peer."
    )
    role: Role | None = strawberry.field(description="Its role here; null when anonymous.")
    instance: str | None = strawberry.field(description="A peer instance's id, when one asks.")
    zone: Zone
    development_headers: bool = strawberry.field(
        description="Whether this instance believes X-Mulu-Dev-Department / X-Mulu-Dev-Role "
        "(development only; never when TLS names callers)."
    )

    @field("The caller's department as registered here, when it is.")
    async def department(self, info: Info) -> Department | None:
        if self.department_code is None:
            return None
        found = await info.context.loaders.departments.load(self.department_code)
        return Department.of(found) if found else None


def caller_of(info: Info) -> Caller:
    viewer = info.context.viewer
    return Caller(
        anonymous=viewer.is_anonymous,
        department_code=viewer.department_code,
        role=None if viewer.is_anonymous else viewer.role,
        instance=viewer.instance,
        zone=viewer.zone,
        development_headers=info.context.development_headers,
    )
