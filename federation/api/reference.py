"""Reference data — catalogs, departments, categories — kept up to 30 s per process.

A resource's catalog path needs the instance's catalogs and its provider a department: without
this, every detail and every search page would read them again, a round trip each. They change
rarely, and only through `put_catalogs` / `put_departments` / `put_categories` (or when `apply`
adds a placeholder for a catalog or provider it has not seen), so one `ReferenceCache` per open
store serves every request: a change shows within `ttl_seconds` (30 s by default: a
department's new name, a catalog's new parent). A code the store does not know is never
remembered, so a department or category added since is found at once. Each department is kept
from its own read; requests missing the same codes share a read, and a read renews the kept
codes about to expire with it, so the few hundred departments of a national catalog cost a
few reads a minute, not one per page. Entries (resources) are never cached here.

    reference = ReferenceCache(store, ttl_seconds=30)
    catalogs = await reference.catalogs()
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Sequence
from typing import Generic, TypeVar

from graph import Catalog, CatalogStore, Category, Department

__all__ = ["ReferenceCache"]

T = TypeVar("T")

DEFAULT_TTL_SECONDS = 30.0


# At most this many kept codes are read again beside the missing ones (see `_ByCode.get`).
RENEW_AT_ONCE = 1000


class _ByCode(Generic[T]):
    """Values by code, each kept for `ttl` seconds after it was read.

    Requests that miss the same codes at once share one read. A read for missing codes also
    reads again the kept ones that would expire within half the ttl (at most `RENEW_AT_ONCE`),
    so the codes in use come to expire together and are renewed a read at a time: 450
    departments cost a few reads a minute instead of one read per department per ttl, each a
    round trip some request would wait for."""

    def __init__(
        self,
        read: Callable[[list[str]], Awaitable[dict[str, T]]],
        ttl: float,
        clock: Callable[[], float],
    ) -> None:
        self._read = read
        self._ttl = ttl
        self._clock = clock
        self._kept: dict[str, tuple[float, T]] = {}
        self._reading: dict[str, asyncio.Future[dict[str, T]]] = {}

    async def get(self, codes: Sequence[str]) -> dict[str, T]:
        now = self._clock()
        found: dict[str, T] = {}
        missing: list[str] = []
        waits: list[asyncio.Future[dict[str, T]]] = []
        for code in codes:
            kept = self._kept.get(code)
            if kept is not None and kept[0] > now:
                found[code] = kept[1]
            elif code in self._reading:
                waits.append(self._reading[code])
            else:
                missing.append(code)
        if missing:
            waits.append(self._start(missing, now))
        for reading in dict.fromkeys(waits):  # each read once
            read = await asyncio.shield(reading)
            found.update((code, read[code]) for code in codes if code in read)
        return found

    def _start(self, missing: list[str], now: float) -> asyncio.Future[dict[str, T]]:
        """One read of `missing` and of the kept codes soon to expire, shared by whoever asks
        for any of them until it ends (failed or not: a failure is not kept)."""
        soon = now + self._ttl / 2
        renewed = [
            code
            for code, (expires, _value) in self._kept.items()
            if expires <= soon and code not in self._reading
        ]
        batch = list(dict.fromkeys(missing + renewed[:RENEW_AT_ONCE]))
        reading = asyncio.ensure_future(self._read(batch))

        def done(finished: asyncio.Future[dict[str, T]]) -> None:
            for code in batch:
                if self._reading.get(code) is finished:
                    del self._reading[code]
            if finished.cancelled() or finished.exception() is not None:
                return
            expires = self._clock() + self._ttl
            for code, value in finished.result().items():
                self._kept[code] = (expires, value)

        reading.add_done_callback(done)
        for code in batch:
            self._reading[code] = reading
        return reading

    def kept(self, code: str) -> T | None:
        """The value of `code` while it is kept (None: it would have to be read)."""
        kept = self._kept.get(code)
        return kept[1] if kept is not None and kept[0] > self._clock() else None

    def forget(self, codes: Sequence[str]) -> None:
        """Read `codes` again next time (they were just written here)."""
        for code in codes:
            self._kept.pop(code, None)
            self._reading.pop(code, None)


class ReferenceCache:
    """The reference data of `store`, re-read at most every `ttl_seconds` (0: every call)."""

    def __init__(
        self,
        store: CatalogStore,
        ttl_seconds: float = DEFAULT_TTL_SECONDS,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.store = store
        self._ttl = ttl_seconds
        self._clock = clock
        self._catalogs: asyncio.Future[dict[str, Catalog]] | None = None
        self._catalogs_expire = 0.0
        self._departments = _ByCode(self._read_departments, ttl_seconds, clock)
        self._categories = _ByCode(self._read_categories, ttl_seconds, clock)

    async def catalogs(self) -> dict[str, Catalog]:
        """Every catalog the store knows, by id; concurrent callers share one read."""
        if self._catalogs is None or self._clock() >= self._catalogs_expire:
            self._catalogs = asyncio.ensure_future(self._read_catalogs())
            self._catalogs_expire = self._clock() + self._ttl
        reading = self._catalogs
        try:
            return await asyncio.shield(reading)
        except BaseException:
            if self._catalogs is reading and reading.done():
                self._catalogs = None  # a failed read is not kept: the next call tries again
            raise

    async def departments(self, codes: Sequence[str]) -> dict[str, Department]:
        """The departments among `codes` the store knows, by code."""
        return await self._departments.get(codes)

    def kept_department(self, code: str) -> Department | None:
        """Department `code` when it is kept now, without reading (None: ask `departments`)."""
        return self._departments.kept(code)

    def forget_departments(self, codes: Sequence[str]) -> None:
        """Read the departments `codes` again next time (registered or renamed here)."""
        self._departments.forget(codes)

    async def categories(self, codes: Sequence[str]) -> dict[str, Category]:
        """The categories among `codes` the store knows, by code."""
        return await self._categories.get(codes)

    async def _read_catalogs(self) -> dict[str, Catalog]:
        return {c.id: c for c in await self.store.catalogs()}

    async def _read_departments(self, codes: list[str]) -> dict[str, Department]:
        return {d.code: d for d in await self.store.departments(codes)}

    async def _read_categories(self, codes: list[str]) -> dict[str, Category]:
        return {c.code: c for c in await self.store.categories(codes)}
