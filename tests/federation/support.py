"""Test helpers: an app served in-process over httpx, a GraphQL caller, a counting spy store.

async with serve(app) as http:
    answer = await GraphQLCaller(http)("{ resources { totalCount } }")
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from typing import Any

import httpx
from starlette.applications import Starlette
from starlette.types import Receive, Scope, Send

from federation.app import create_app
from federation.instance import open_instance
from federation.settings import Settings
from graph import CatalogStore, Role


@asynccontextmanager
async def serve(app: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    """Run `app`'s lifespan and talk to it over HTTP in this process.

    httpx's ASGITransport sends no lifespan events, so the lifespan runs here and its state
    is handed to every request as a server would hand it.
    """
    async with app.router.lifespan_context(app) as state:

        async def with_state(scope: Scope, receive: Receive, send: Send) -> None:
            await app({**scope, "state": dict(state or {})}, receive, send)

        transport = httpx.ASGITransport(app=with_state)
        async with httpx.AsyncClient(transport=transport, base_url="http://mulu.test") as http:
            yield http


@dataclass
class GraphQLCaller:
    """POSTs a GraphQL request as a department (or anonymously) and returns the JSON answer."""

    http: httpx.AsyncClient

    async def __call__(
        self,
        query: str,
        variables: dict[str, Any] | None = None,
        *,
        department: str | None = None,
        role: Role | None = None,
        expect_status: int = 200,
    ) -> dict[str, Any]:
        headers = {}
        if department:
            headers["X-Mulu-Dev-Department"] = department
        if role:
            headers["X-Mulu-Dev-Role"] = role.value
        body: dict[str, Any] = {"query": query}
        if variables is not None:
            body["variables"] = variables
        response = await self.http.post("/graphql", json=body, headers=headers)
        assert response.status_code == expect_status, response.text
        answer: dict[str, Any] = response.json()
        return answer


def only_error(answer: dict[str, Any]) -> dict[str, Any]:
    """The one error of `answer`, asserting there is exactly one."""
    errors = answer.get("errors") or []
    assert len(errors) == 1, answer
    error: dict[str, Any] = errors[0]
    return error


def data(answer: dict[str, Any]) -> dict[str, Any]:
    """The data of an answer that has no errors."""
    assert not answer.get("errors"), answer["errors"]
    result: dict[str, Any] = answer["data"]
    return result


class SpyStore:
    """A real store, counting the calls made to it; `fail` makes one method raise instead.

    A spy, not a fake: every call reaches the real store underneath.
    """

    def __init__(self, store: CatalogStore) -> None:
        self._store = store
        self.calls: Counter[str] = Counter()
        self.faults: dict[str, BaseException] = {}
        self.delays: dict[str, float] = {}

    @property
    def catalog(self) -> Any:
        return self._store.catalog

    def fail(self, method: str, error: BaseException) -> None:
        self.faults[method] = error

    def slow(self, method: str, seconds: float) -> None:
        self.delays[method] = seconds

    def reset(self) -> None:
        self.calls.clear()

    def __getattr__(self, name: str) -> Any:
        target = getattr(self._store, name)
        if not callable(target):
            return target

        async def spied(*args: Any, **kwargs: Any) -> Any:
            self.calls[name] += 1
            if name in self.delays:
                await asyncio.sleep(self.delays[name])
            if name in self.faults:
                raise self.faults[name]
            return await target(*args, **kwargs)

        return spied


def opener(store: CatalogStore) -> Callable[[], AbstractAsyncContextManager[CatalogStore]]:
    """An app's store opener handing over a store the test already opened (and will close)."""

    @asynccontextmanager
    async def borrowed() -> AsyncIterator[CatalogStore]:
        yield store

    return borrowed


def app_over(settings: Settings, store: CatalogStore) -> Starlette:
    """The app of the instance `settings` describe, over a store the test already opened."""
    return create_app(settings, lambda: open_instance(settings, store=opener(store)))
