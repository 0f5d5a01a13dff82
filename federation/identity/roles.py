"""`RoleBook`: the role each certified department holds at this instance, from its grants.

A department's certificate says who it is, never what it may do: that is the instance's own
data (`CatalogStore.grants`, changed by its administrator). The rules:

1. A department with no grant acts as PROVIDER (a department: reads, maintains its own).
2. A grant names one role (REVIEWER, ADMINISTRATOR or AUDITOR; `graph.grants` refuses one
   subject holding administrator and auditor, ever — GB/T 39477).
3. Grants are read from the store and kept `ttl` seconds (5 by default); a grant or revoke
   made at this instance is seen by its next request (`forget`). The development headers
   name their role themselves and never reach here.

    role = await RoleBook(store).role_of("11510100MB0000001Y")
"""

from __future__ import annotations

import time
from collections.abc import Callable

from federation.api.identity import Viewer
from graph.enums import Role
from graph.store import CatalogStore

__all__ = ["RoleBook"]

TTL_SECONDS = 5.0


class RoleBook:
    def __init__(
        self,
        store: CatalogStore,
        *,
        ttl: float = TTL_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._store = store
        self._ttl = ttl
        self._clock = clock
        self._grants: dict[str, Role] | None = None
        self._read_at = 0.0

    async def role_of(self, subject: str) -> Role:
        """The role `subject` (a credit code) holds here; PROVIDER when granted none."""
        now = self._clock()
        if self._grants is None or now - self._read_at > self._ttl:
            self._grants = await self._store.grants()
            self._read_at = now
        return self._grants.get(subject, Role.PROVIDER)

    async def viewer(self, viewer: Viewer) -> Viewer:
        """`viewer` (a certified department) acting in the role its grant gives."""
        if viewer.department_code is None:
            return viewer
        role = await self.role_of(viewer.department_code)
        return Viewer(viewer.zone, viewer.department_code, role, viewer.instance)

    def forget(self) -> None:
        """Read the grants again at the next request (one was just changed here)."""
        self._grants = None
