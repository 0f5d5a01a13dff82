"""The explorer in headless Chromium: how long until a view is usable, and what it transfers.

One instance (embedded store, national intranet) under uvicorn in a process of its own, with
a sample catalog and a synthetic lineage of 1,111 entries (a root derived from 10 sources,
each from 10, each from 10: depth 3) written through the store like any other entries. Debian's
Chromium through Playwright (no browser download), every request to another address refused.

Measured, `--runs` times each, median reported:

- search: from navigation to ``#/search?q=人口`` until the results are on screen
  (``data-ready="search"``), against the same view's GraphQL request timed alone (the raw
  request from Python, over the same HTTP);
- lineage: from navigation to the 1,111-node view (all nodes, not grouped) until it is laid
  out, a frame of it drawn and the page interactive (a tap on a node opens its panel) — laid
  out by the server (Graphviz's dot, the default beyond 300 nodes: the page draws at its
  positions) and laid out in the browser by dagre (``layout=browser``) — with the layout time
  alone and the request's time in the page; and the same view grouped by catalog; against the
  page's lineage request timed alone (columns and layout), the same without the layout, and
  the object-per-node form (``nodes { resource { … } }``) the page asked before; the first
  request after the start (nothing decoded or laid out yet) apart; and dot alone on the same
  graph, no cache;
- bytes transferred per view: the first visit (every script and style sheet) and a view
  changed within the page (the GraphQL answer alone).

    python bench/explorer_bench.py --runs 5
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import multiprocessing
import os
import shutil
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import httpx
import uvicorn

from federation.app import create_app
from federation.instance import open_instance
from federation.layout import Graphviz
from federation.sample import load_instance_sample
from federation.settings import Settings
from graph import CatalogStore
from graph.queries import ResourceFilter
from infra.net import free_port

FAN, DEPTH = 10, 3
SEARCH_QUERY = "人口"


async def _synthetic_lineage(store: CatalogStore) -> str:
    """1 + 10 + 100 + 1000 published entries, each level derived from the one below; the
    root's code. Copies of a sample entry of each catalog, so the graph spans the levels."""
    page = await store.find(ResourceFilter(), None, 100, None)  # published ones
    templates = list(page.items)
    by_origin: dict[str, Any] = {}
    for entry in templates:
        by_origin.setdefault(entry.origin, entry)
    pool = list(by_origin.values())
    serial = iter(range(900000, 999999))

    def made(template: Any, sources: tuple[str, ...], label: str) -> Any:
        code = template.code.split("/")[0] + f"/{next(serial):06d}"
        return dataclasses.replace(
            template, code=code, name=f"{template.name}（血缘基准 {label}）", derived_from=sources
        )

    level = [made(pool[i % len(pool)], (), f"L{DEPTH}-{i}") for i in range(FAN**DEPTH)]
    await store.apply(level)
    for depth in range(DEPTH - 1, -1, -1):
        parents = []
        for i in range(FAN**depth):
            sources = tuple(e.code for e in level[i * FAN : (i + 1) * FAN])
            parents.append(made(pool[(i + depth) % len(pool)], sources, f"L{depth}-{i}"))
        await store.apply(parents)
        level = parents
    root: str = level[0].code
    return root


async def _timed(run: Callable[[], Awaitable[Any]], runs: int) -> list[float]:
    found = []
    for _ in range(runs):
        started = time.perf_counter()
        await run()
        found.append(time.perf_counter() - started)
    return found


def _serve(port: int, sample: int, data_dir: Path, roots: Connection) -> None:
    """The instance, in its own process (so the browser's driver here does not share its
    event loop): sample and synthetic lineage loaded, the root's code sent back, then served."""
    settings = Settings(data_dir=data_dir, region_code="100000")

    async def prepare(store: CatalogStore) -> None:
        await load_instance_sample(store, sample)
        roots.send(await _synthetic_lineage(store))

    app = create_app(settings, lambda: open_instance(settings, prepare=prepare))
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning")


async def bench(origin: str, root: str, runs: int, only: str | None = None) -> dict[str, Any]:
    from playwright.async_api import async_playwright

    chromium = shutil.which("chromium")
    if chromium is None:
        raise SystemExit("chromium is not installed (apt-get install chromium)")
    results: dict[str, Any] = {"root": root}
    async with httpx.AsyncClient(base_url=origin, timeout=60) as http:
        for _ in range(600):  # the server listens a moment after the lineage is written
            with contextlib.suppress(httpx.TransportError):
                if (await http.get("/health")).status_code == 200:
                    break
            await asyncio.sleep(0.1)
        search = await _page_query(http, "search", {"search": SEARCH_QUERY})
        lineage = await _page_query(http, "lineage", {"code": root})
        started = time.perf_counter()
        await lineage()  # the first: every entry decoded, dot run
        results["raw_lineage_first"] = time.perf_counter() - started
        results["raw_search"] = await _timed(search, runs)
        results["raw_lineage"] = await _timed(lineage, runs)
        for form in ("columns", "objects"):
            results[f"raw_lineage_{form}"] = await _timed(
                await _page_query(http, "lineage", {"code": root}, form), runs
            )
        answer = (await http.post("/graphql", json=_lineage_body(root))).json()
        results["nodes"] = len(answer["data"]["l0"]["columns"]["codes"])
        results["bytes_answer"] = {
            form: len((await http.post("/graphql", json=_lineage_body(root, form))).content)
            for form in ("page", "columns", "objects")
        }
        results["dot_alone"] = await _dot_alone(answer["data"]["l0"]["columns"], runs)
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        try:
            results.update(await _browse(browser, origin, root, runs, only))
        finally:
            await browser.close()
    return results


async def _dot_alone(columns: dict[str, Any], runs: int) -> list[float]:
    """Graphviz's dot on the lineage's graph, a new cache each time: the server's cold cost."""
    edges = list(zip(columns["edgeSource"], columns["edgeDerived"], strict=True))
    count = len(columns["codes"])

    async def run() -> None:
        await Graphviz().layered(count, edges)

    return await _timed(run, runs)


# The page's lineage request (federation/explorer/static/explorer.js): the answer in columns,
# and the server's layout beyond 300 nodes; without the layout; and the object-per-node form
# the page asked before the columns.
LINEAGE_FORMS = {
    "page": "{ root truncated columns { codes names providerCodes providerNames shareTypes "
    "updateCycles origins catalogs { id name level } catalogIndex edgeDerived edgeSource } "
    "layout(ifMoreThan: 300) { engine codes x y width height } }",
    "columns": "{ root truncated columns { codes names providerCodes providerNames shareTypes "
    "updateCycles origins catalogs { id name level } catalogIndex edgeDerived edgeSource } }",
    "objects": "{ root truncated nodes { code resource { name providerName providerCode "
    "shareType updateCycle origin catalog { id name level } } } edges { derived source } }",
}


def _lineage_body(root: str, form: str = "page") -> dict[str, Any]:
    query = (
        "query($code: String!) { l0: lineage(code: $code, direction: BOTH, depth: 3) "
        + LINEAGE_FORMS[form]
        + " }"
    )
    return {"query": query, "variables": {"code": root}}


async def _page_query(
    http: httpx.AsyncClient, view: str, variables: dict[str, Any], form: str = "page"
) -> Callable[[], Awaitable[Any]]:
    """The same GraphQL request the page makes for the view, sent from Python."""
    if view == "lineage":
        body = _lineage_body(variables["code"], form)
    else:
        query = (
            "query($search: String) { resources(search: $search, first: 20) { totalCount "
            "pageInfo { hasNextPage endCursor } edges { node { code name summary providerName "
            "shareType updateCycle openToPublic catalog { id name level } } } } "
            "facets(search: $search) { byProvider { key label count } "
            "byTheme { key label count } byShareType { key count } byShareMode { key count } "
            "byUpdateCycle { key count } byOpenToPublic { key count } byLevel { key count } "
            "byKind { key count } } "
            "mulu_viewer: viewer { anonymous departmentCode role instance zone "
            "developmentHeaders department { name } } }"
        )
        body = {"query": query, "variables": variables}

    async def run() -> None:
        answer = await http.post("/graphql", json=body)
        answer.raise_for_status()
        assert "errors" not in answer.json(), answer.text

    return run


# Where the search page's time goes, from the navigation's start (the page's own clock): the
# HTML received, the style sheet and script received, the GraphQL request sent and answered,
# and the results on screen.
_PHASES = """() => {
  const nav = performance.getEntriesByType("navigation")[0];
  const of = (part) => performance.getEntriesByType("resource").find((e) => e.name.includes(part));
  const css = of("explorer.css"), js = of("explorer.js"), gql = of("/graphql");
  return { html: nav.responseEnd, css: css ? css.responseEnd : 0, js: js ? js.responseEnd : 0,
    request_sent: gql ? gql.startTime : 0, answered: gql ? gql.responseEnd : 0,
    shown: performance.now(), rendered: mulu.renderMs };
}"""


async def _browse(
    browser: Any, origin: str, root: str, runs: int, only: str | None = None
) -> dict[str, Any]:
    views = {
        "search": f"#/search?q={SEARCH_QUERY}",
        "lineage_server": f"#/lineage/{root}?depth=3",
        "lineage_dagre": f"#/lineage/{root}?depth=3&group=0&layout=browser",
        "lineage_grouped": f"#/lineage/{root}?depth=3&group=1",
    }
    drawing = {"lineage_server": "server", "lineage_dagre": "dagre", "lineage_grouped": "grouped"}
    found: dict[str, list[float]] = {}
    for view in views:
        found[view] = []
        if view != "search":
            found[f"{view}_layout"], found[f"{view}_fetch"] = [], []
    transferred: dict[str, int] = {}
    refused: list[str] = []
    for view, fragment in views.items():
        if only is not None and not view.startswith(only):
            continue
        for run in range(runs):
            context = await browser.new_context(viewport={"width": 1400, "height": 900})
            page = await context.new_page()
            received = [0]

            async def gate(route: Any) -> None:
                if route.request.url.startswith(origin):
                    await route.continue_()
                else:
                    refused.append(route.request.url)
                    await route.abort()

            def count(response: Any, received: list[int] = received) -> None:
                length = response.headers.get("content-length")
                received[0] += int(length) if length else 0

            await context.route("**/*", gate)
            page.on("response", count)
            started = time.perf_counter()
            await page.goto(f"{origin}/{fragment}")
            ready = "search" if view == "search" else "lineage"
            await page.wait_for_selector(f'html[data-ready="{ready}"]', state="attached")
            if view != "search":
                # Interactive: a tap on a node opens its panel at once.
                await page.evaluate("() => { mulu.cy.nodes()[0].emit('tap'); }")
                assert await page.inner_text("#node-panel")
            elapsed = time.perf_counter() - started
            found[view].append(elapsed)
            if view == "search":
                for phase, ms in (await page.evaluate(_PHASES)).items():
                    found.setdefault(f"search_{phase}", []).append(ms / 1000)
            if view != "search":
                fetch_ms, layout_ms, drawn = await page.evaluate(
                    "[mulu.fetchMs, mulu.drawnMs, mulu.lineageDrawing]"
                )
                assert drawn == drawing[view], (view, drawn)
                found[f"{view}_fetch"].append(fetch_ms / 1000)
                found[f"{view}_layout"].append(layout_ms / 1000)
            if run == 0:
                transferred[f"{view}_first_visit"] = received[0]
                before = received[0]
                await page.evaluate("delete document.documentElement.dataset.ready")
                await page.evaluate(f"window.location.hash = '{fragment}&again=1'")
                await page.wait_for_selector(f'html[data-ready="{ready}"]', state="attached")
                transferred[f"{view}_within_page"] = received[0] - before
            await context.close()
    if refused:
        raise SystemExit(f"requests to other addresses: {refused}")
    return {**found, "bytes": transferred}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--sample", type=int, default=500)
    parser.add_argument("--only", choices=["search", "lineage"], help="measure these views alone")
    parser.add_argument(
        "--port", type=int, default=0, help="the instance's port (default: a free one)"
    )
    args = parser.parse_args()
    before = os.getloadavg()
    data_dir = Path(tempfile.mkdtemp(prefix="explorer-bench-"))
    port = args.port or free_port()
    receiving, sending = multiprocessing.Pipe(duplex=False)
    server = multiprocessing.get_context("spawn").Process(
        target=_serve, args=(port, args.sample, data_dir, sending), daemon=True
    )
    server.start()
    try:
        if not receiving.poll(600):
            raise SystemExit("the instance did not load its sample in 600 s")
        root = receiving.recv()
        origin = f"http://127.0.0.1:{port}"
        if os.environ.get("EXPLORER_BENCH_SERVE"):  # look at it in a browser instead
            print(f"{origin}/#/lineage/{root}?depth=3", flush=True)
            server.join()
        results = asyncio.run(bench(origin, root, args.runs, args.only))
    finally:
        server.terminate()
        server.join(30)
        shutil.rmtree(data_dir, ignore_errors=True)
    ms = lambda xs: f"{statistics.median(xs) * 1000:.0f} ms"  # noqa: E731
    after = os.getloadavg()
    print(
        f"load average: {before[0]:.2f} {before[1]:.2f} {before[2]:.2f} before, "
        f"{after[0]:.2f} {after[1]:.2f} {after[2]:.2f} after; runs: {args.runs} (medians)"
    )
    print(f"lineage: root {results['root']}, {results['nodes']} nodes (depth 3)")
    if not results["search"]:
        results["search"] = [float("nan")]
    s, rs = statistics.median(results["search"]), statistics.median(results["raw_search"])
    print(
        f"search 人口 shown:        {ms(results['search'])} (goal < 1000 ms); "
        f"its GraphQL request alone {ms(results['raw_search'])}; ratio {s / rs:.1f}"
    )
    if "search_html" in results:
        phases = ("html", "css", "js", "request_sent", "answered", "shown", "rendered")
        print(
            "search page, from navigation: "
            + ", ".join(f"{p} {ms(results['search_' + p])}" for p in phases)
        )
    if not results["lineage_server"]:
        for name, size in results["bytes"].items():
            print(f"bytes {name}: {size:,}")
        return
    rl = statistics.median(results["raw_lineage"])
    print(
        f"lineage request alone (the page's: columns and layout): {ms(results['raw_lineage'])}; "
        f"the first after the start {results['raw_lineage_first'] * 1000:.0f} ms; "
        f"without the layout {ms(results['raw_lineage_columns'])}; "
        f"the object-per-node form {ms(results['raw_lineage_objects'])}; "
        f"dot alone, uncached {ms(results['dot_alone'])}"
    )
    for view, name in (
        ("lineage_server", "laid out by the server (Graphviz)"),
        ("lineage_dagre", "laid out in the browser (dagre)"),
        ("lineage_grouped", "grouped by catalog"),
    ):
        li = statistics.median(results[view])
        print(
            f"lineage {results['nodes']} nodes {name}: {ms(results[view])} (goal < 2000 ms); "
            f"layout and first frame {ms(results[view + '_layout'])}; request in the page "
            f"{ms(results[view + '_fetch'])}; ratio to the request alone {li / rl:.1f}"
        )
    for form, size in results["bytes_answer"].items():
        print(f"bytes lineage answer ({form}): {size:,}")
    for name, size in results["bytes"].items():
        print(f"bytes {name}: {size:,}")


if __name__ == "__main__":
    main()
