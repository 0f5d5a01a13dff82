"""GraphQL fuzzing of an extranet instance (issue 13): queries generated from the schema
(hypothesis-graphql), sent to the 成都 extranet app in this process, each answer checked.

The extranet's store is made the way a deployment fills it: the sample catalog's 成都 entries
written at the intranet with their change events, carried over the mirror (the real relay and
consumer on the embedded log), then some entries that other mirrored entries name reclassified
as 涉密 and synced again. On top, a few copies as an older source left them: naming, in related
codes and derived-from, the codes of classified entries the extranet does not hold — so the
readers are tried whatever the source does. A finding is an HTTP 500, a log record with a
traceback or at ERROR, or the code of a classified entry in an answer whose request did not
name it.

    holdings = asyncio.run(build_extranet(directory))
    with Target(holdings) as target:
        target.check(query, caller)       # raises Finding
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import dataclasses
import logging
import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC
from functools import partial
from pathlib import Path

import graphql
import httpx
import hypothesis_graphql
from hypothesis import strategies as st
from hypothesis_graphql import nodes

from federation.api.schema import build_schema
from federation.app import create_app
from federation.instance import open_instance
from federation.settings import Settings
from graph import (
    Classification,
    LifecycleState,
    Resource,
    ResourceFilter,
    Zone,
    check_resource,
)
from graph.embedded import EmbeddedStore
from graph.sample import generate_catalog
from sync.events import outbox_record
from sync.links import Link
from sync.log.embedded import EmbeddedLog
from tests.federation.support import serve
from tests.sync.mesh import CATALOGS, Mesh

__all__ = ["CALLERS", "Finding", "Holdings", "Target", "build_extranet"]

CITY_I, CITY_E = "510100/intranet", "510100/extranet"
RESOURCE_KINDS = ("Resource", "Department", "Catalog", "Nothing")


class Finding(AssertionError):
    """What one request showed that it must not: `kinds` name each problem briefly (to count
    them), the message has the request and the detail."""

    def __init__(self, kinds: tuple[str, ...], message: str) -> None:
        super().__init__(message)
        self.kinds = kinds


@dataclass(frozen=True)
class Holdings:
    """The extranet store's file and what the fuzzer needs to know about the catalogs."""

    extranet: Path
    secret: frozenset[str]  # codes of entries classified on the intranet
    held: tuple[str, ...]  # codes the extranet holds
    referrers: tuple[str, ...]  # held codes whose copy names a secret code
    words: tuple[str, ...]  # other strings worth asking with: ids, departments, names
    reviewer: str
    provider: str


async def build_extranet(directory: Path, size: int = 6000, seed: int = 3) -> Holdings:
    """The 成都 intranet and extranet stores under `directory`, synced as described above."""
    sample = generate_catalog(size, seed)
    city = [check_resource(e, Zone.INTRANET) for e in sample.resources_for(CITY_I)]
    paths = {i: directory / f"{i.replace('/', '-')}.db" for i in (CITY_I, CITY_E)}
    async with (
        EmbeddedStore.open(paths[CITY_I], CATALOGS[CITY_I]) as intranet,
        EmbeddedStore.open(paths[CITY_E], CATALOGS[CITY_E]) as extranet,
    ):
        for store in (intranet, extranet):
            await store.put_regions(sample.regions)
            await store.put_catalogs([c for c in sample.catalogs if c.zone is store.catalog.zone])
            await store.put_departments(sample.departments)
            await store.put_categories(sample.categories)
        await intranet.apply(city, outbox=[outbox_record(e) for e in city])
        log = EmbeddedLog(directory / "sync-log.db")
        await log.connect()
        try:
            async with Mesh(log, {CITY_I: intranet, CITY_E: extranet}, [_mirror()]) as mesh:
                await mesh.settle()
                for entry in _referenced(city):  # B was mirrored naming A; A becomes 涉密
                    secret = check_resource(_classified(entry), Zone.INTRANET)
                    await intranet.save(secret, entry.version, outbox=outbox_record(secret))
                await mesh.settle()
        finally:
            await log.close()
        secret_codes = frozenset(
            e.code for e in await _all(intranet) if e.classification is Classification.CLASSIFIED
        )
        held = await _all(extranet)
        leaked = sorted(c for c in secret_codes if c in {e.code for e in held})
        assert not leaked, f"the mirror let classified entries through: {leaked}"
        await extranet.apply(_as_an_older_source_left_them(held, sorted(secret_codes)))
        held = await _all(extranet)
    referrers = tuple(e.code for e in held if secret_codes & {*e.related_codes, *e.derived_from})
    assert referrers, "no held copy names a classified code: nothing to try the readers on"
    words = (
        CITY_I,
        CITY_E,
        "510000/extranet",
        "510100",
        *(d.code for d in sample.departments[:20]),
        *(e.name[:2] for e in held[:20]),
        *sorted({t for e in held for t in e.themes})[:10],
        *sorted({e.code.split("/")[0] for e in held})[:10],
    )
    return Holdings(
        extranet=paths[CITY_E],
        secret=secret_codes,
        held=tuple(e.code for e in held),
        referrers=referrers,
        words=words,
        reviewer=sample.reviewer("510100").code,
        provider=held[0].provider_code,
    )


def _mirror() -> Link:
    return Link.between(CITY_I, CITY_E)


async def _all(store: EmbeddedStore) -> list[Resource]:
    found: list[Resource] = []
    after = None
    while True:
        page = await store.find(ResourceFilter(states=frozenset()), first=100, after=after)
        found += page.items
        if not page.has_next_page:
            return found
        after = page.end_cursor


def _mirrored(entry: Resource) -> bool:
    return (
        entry.state is LifecycleState.PUBLISHED
        and entry.classification is Classification.UNCLASSIFIED
    )


def _referenced(city: Sequence[Resource], most: int = 8) -> list[Resource]:
    """Mirrored entries that other mirrored entries name (related codes, derived from)."""
    named = {c for e in city if _mirrored(e) for c in (*e.related_codes, *e.derived_from)}
    return [e for e in city if _mirrored(e) and e.code in named][:most]


def _classified(entry: Resource) -> Resource:
    return dataclasses.replace(
        entry,
        version=entry.version + 1,
        classification=Classification.CLASSIFIED,
        open_to_public=False,
        open_condition=None,
    )


def _as_an_older_source_left_them(
    held: Sequence[Resource], secret: Sequence[str]
) -> list[Resource]:
    """A next version of a few held copies naming classified codes — open to the public, so
    that anonymous callers meet them too."""
    copies = []
    for n, entry in enumerate(held[:12]):
        names = (secret[n % len(secret)], secret[(n + 1) % len(secret)])
        copies.append(
            dataclasses.replace(
                entry,
                version=entry.version + 1,
                related_codes=(*entry.related_codes, *names),
                derived_from=(*entry.derived_from, names[0]),
                open_to_public=True,
                open_condition=entry.open_condition or "依法向社会开放",
            )
        )
    return copies


# -- the queries -------------------------------------------------------------------------------

# Who asks: anonymous, a department, a reviewer (the development identity headers).
CALLERS = ("anonymous", "provider", "reviewer")


def query_strategy(holdings: Holdings, *, mutations: bool = False) -> st.SearchStrategy[str]:
    """Operations of the instance's schema whose String/ID arguments are often codes the
    extranet holds, codes of copies naming classified entries, classified codes (asking for
    one by name is allowed: it must change nothing), or other useful words; else any text."""
    schema = build_schema()._schema
    text = st.one_of(
        st.sampled_from(holdings.referrers),
        st.sampled_from(holdings.referrers),
        st.sampled_from(holdings.held),
        st.sampled_from(sorted(holdings.secret)),
        st.sampled_from(holdings.words),
        st.text(max_size=40),
    )
    strings = text.map(nodes.String)
    # Small numbers mostly, so that pages and lineage depths are often within their bounds.
    ints = st.one_of(st.integers(-1, 12), st.integers(-(2**31), 2**31 - 1)).map(nodes.Int)
    representation = st.builds(
        lambda kind, code: nodes.Object(
            [
                graphql.ObjectFieldNode(
                    name=graphql.NameNode(value="__typename"), value=nodes.String(kind)
                ),
                graphql.ObjectFieldNode(name=graphql.NameNode(value="code"), value=code),
            ]
        ),
        st.one_of(st.just("Resource"), st.sampled_from(RESOURCE_KINDS)),
        strings,
    )
    # Dates and instants: well-formed ones mostly (ISO 8601), some that are not.
    dates = st.one_of(
        st.dates().map(lambda d: d.isoformat()), st.sampled_from(["", "2026-02-30", "昨天"])
    ).map(nodes.String)
    instants = st.one_of(
        st.datetimes(timezones=st.just(UTC)).map(lambda t: t.isoformat()),
        st.datetimes().map(lambda t: t.isoformat()),  # no offset: refused by name
        st.sampled_from(["", "2026-13-01T00:00:00Z"]),
    ).map(nodes.String)
    fields = None
    if not mutations:
        fields = [name for name in schema.query_type.fields] if schema.query_type else None
    return hypothesis_graphql.from_schema(
        schema,
        fields=fields,
        custom_scalars={
            "String": strings,
            "ID": strings,
            "Int": ints,
            "_Any": representation,
            "Date": dates,
            "DateTime": instants,
        },
    ).map(str)


# -- the target --------------------------------------------------------------------------------


class _Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


class Target:
    """The 成都 extranet app over `holdings`, served in this process: its lifespan and requests
    run on an event loop of their own, in a thread, so that a synchronous Hypothesis test can
    send one request after the other."""

    def __init__(self, holdings: Holdings) -> None:
        self.holdings = holdings
        self.requests = 0
        self._records = _Records()
        codes = sorted(holdings.secret, key=len, reverse=True)
        self._secret = re.compile(r"(?<![\d/])(" + "|".join(map(re.escape, codes)) + r")(?!\d)")
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="fuzz-target")
        self._http: httpx.AsyncClient | None = None
        self._serving: concurrent.futures.Future[None] | None = None
        self._stop: asyncio.Event | None = None
        self._level = logging.WARNING

    def __enter__(self) -> Target:
        root = logging.getLogger()
        self._level = root.level
        root.setLevel(logging.INFO)
        root.addHandler(self._records)
        self._thread.start()
        ready: concurrent.futures.Future[None] = concurrent.futures.Future()
        self._serving = asyncio.run_coroutine_threadsafe(self._serve(ready), self._loop)
        ready.result(timeout=60)
        return self

    async def _serve(self, ready: concurrent.futures.Future[None]) -> None:
        settings = Settings(
            data_dir=self.holdings.extranet.parent,
            instance=CITY_E,
            catalog_name=CATALOGS[CITY_E].name,
            dev_identity_header=True,
            log_level="INFO",
        )
        path, catalog = self.holdings.extranet, CATALOGS[CITY_E]
        opened = partial(open_instance, settings, store=lambda: EmbeddedStore.open(path, catalog))
        app = create_app(settings, opened)
        self._stop = asyncio.Event()
        try:
            async with serve(app) as http:
                self._http = http
                ready.set_result(None)
                await self._stop.wait()
        except BaseException as exc:
            if not ready.done():
                ready.set_exception(exc)
            raise
        finally:
            self._http = None

    def __exit__(self, *exc_info: object) -> None:
        try:
            if self._stop is not None:
                self._loop.call_soon_threadsafe(self._stop.set)
            if self._serving is not None:
                self._serving.result(timeout=60)
        finally:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(timeout=60)
            self._loop.close()
            root = logging.getLogger()
            root.removeHandler(self._records)
            root.setLevel(self._level)

    def headers(self, caller: str) -> dict[str, str]:
        if caller == "reviewer":
            return {"X-Mulu-Dev-Department": self.holdings.reviewer, "X-Mulu-Dev-Role": "REVIEWER"}
        if caller == "provider":
            return {"X-Mulu-Dev-Department": self.holdings.provider}
        return {}

    def check(self, query: str, caller: str) -> None:
        """Send `query` as `caller`; a `Finding` says what it showed that it must not."""
        http = self._http
        if http is None:
            raise RuntimeError("enter the Target before checking queries")
        del self._records.records[:]
        request = http.post(
            "/graphql", json={"query": query}, headers=self.headers(caller), timeout=30
        )
        answer = asyncio.run_coroutine_threadsafe(request, self._loop).result(timeout=60)
        self.requests += 1
        kinds, details = [], []
        if answer.status_code >= 500:
            kinds.append(f"HTTP {answer.status_code}")
            details.append(answer.text[:500])
        for record in self._records.records:
            if record.exc_info or record.levelno >= logging.ERROR:
                error = record.exc_info[1] if record.exc_info else None
                kinds.append(f"log {record.levelname} {record.name} {type(error).__name__}")
                details.append(f"{record.getMessage()} {error!r}")
        asked = set(self._secret.findall(query))
        shown = set(self._secret.findall(answer.text.replace("\\/", "/"))) - asked
        if shown:
            try:
                paths = sorted(_paths(answer.json(), self._secret, asked))
            except ValueError:
                paths = ["(not JSON)"]
            kinds += [f"classified code at {path}" for path in paths]
            details.append(f"classified codes {sorted(shown)} at {', '.join(paths)}")
        if kinds:
            raise Finding(tuple(kinds), f"as {caller}: {query}\n" + "\n".join(details))


def _paths(value: object, codes: re.Pattern[str], asked: set[str], at: str = "") -> set[str]:
    """Where in an answer a classified code not `asked` shows: ``data.lineage.edges[].source``."""
    if isinstance(value, dict):
        return {p for k, v in value.items() for p in _paths(v, codes, asked, f"{at}.{k}")}
    if isinstance(value, list):
        return {p for v in value for p in _paths(v, codes, asked, f"{at}[]")}
    if isinstance(value, str) and set(codes.findall(value)) - asked:
        return {at.lstrip(".")}
    return set()
