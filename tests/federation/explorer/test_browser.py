"""The explorer in Debian's Chromium, on the demo topology (embedded stores, six instances in
one process): browse from the nation to a city, with the mouse and with the keyboard; search
人口 and narrow by a facet; read an entry under the 1272 guide's labels; follow its lineage and
expand it; run a query in GraphiQL; and, on an extranet instance, find no classified entry in
the page, the graph or any answer the page received. Every request to another address is
refused and counted, and must be none. One browser and one topology for the module; the
screenshots are kept in ``tests/federation/explorer/screenshots/``."""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pytest

from federation.layout import LayoutUnavailable
from federation.reports.labels import REQUEST_LABELS
from graph.fields import facts_of
from graph.model import Resource
from graph.sharing import RequestState
from tests.federation.explorer.support import Topology, Visit, chromium, demo_topology, visit

NATION_I, NATION_E = "national/intranet", "national/extranet"
CITY_I = "510100/intranet"
# The demo's lineage example: a national theme entry that derives from provincial entries,
# which derive from the city's.
LINEAGE_ROOT = "209001002/000001"


@pytest.fixture(scope="module")
def topology(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Topology]:
    with demo_topology(tmp_path_factory.mktemp("explorer")) as started:
        yield started


@pytest.fixture(scope="module")
async def browser() -> AsyncIterator[Any]:
    try:
        from playwright.async_api import async_playwright
    except ImportError as exc:  # the dev extras name it
        raise RuntimeError("playwright is not installed: pip install -e '.[dev]'") from exc
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(
            executable_path=chromium(), args=["--no-sandbox"]
        )
        yield launched
        await launched.close()


async def then(v: Visit, action: Any, ready: str) -> None:
    """Run `action` (a click, a key) that changes the view, and wait for the new one."""
    await v.page.evaluate("delete document.documentElement.dataset.ready")
    await action
    await v.wait(ready)


def clean(v: Visit) -> None:
    assert v.refused == [], f"requests to other addresses: {v.refused}"
    assert v.problems == []


def total(topology: Topology, instance: str, **filter_: Any) -> int:
    query = "query($f: ResourceFilterInput) { resources(filter: $f, first: 0) { totalCount } }"
    count: int = topology.graphql(instance, query, f=filter_)["resources"]["totalCount"]
    return count


async def test_browsing_goes_from_the_nation_to_a_city_and_lists_its_entries(
    topology: Topology, browser: Any
) -> None:
    v = await visit(browser, topology.urls[NATION_I])
    await v.open("browse", "browse")
    tree = v.page.get_by_role("tree")
    nation = tree.get_by_role("treeitem", name=re.compile("^国家政务信息资源目录"))
    assert await nation.get_attribute("aria-expanded") == "true"
    sichuan = tree.get_by_role("treeitem", name=re.compile("^四川省政务信息资源目录"))
    chengdu = tree.get_by_role("treeitem", name=re.compile("^成都市政务信息资源目录"))
    assert not await chengdu.is_visible()
    await sichuan.locator(":scope > .row .twisty").click()
    assert await sichuan.get_attribute("aria-expanded") == "true"
    expected = total(topology, NATION_I, catalog=CITY_I)
    assert expected > 0
    assert (await chengdu.get_attribute("aria-label")).endswith(f"市级，{expected} 条")
    await v.shot("browse-nation-to-city")
    await then(v, chengdu.locator(":scope > .row .name").click(), "search")
    assert "catalog=510100%2Fintranet" in v.page.url
    assert await v.page.inner_text("#result-count") == f"共 {expected} 条"
    assert await v.page.locator("article.hit").count() == min(expected, 20)
    await v.shot("browse-city-entries")
    clean(v)


async def test_the_tree_is_walked_with_the_keyboard(topology: Topology, browser: Any) -> None:
    v = await visit(browser, topology.urls[NATION_I])
    await v.open("browse", "browse")
    page = v.page
    assert await page.locator('[role="treeitem"][tabindex="0"]').count() == 1  # one tab stop
    await page.locator('[role="treeitem"][tabindex="0"]').focus()

    async def focused() -> str:
        label: str = await page.evaluate("document.activeElement.getAttribute('aria-label')")
        return label

    assert (await focused()).startswith("国家政务信息资源目录")
    for _ in range(20):
        if (await focused()).startswith("四川省"):
            break
        await page.keyboard.press("ArrowDown")
    sichuan = page.get_by_role("treeitem", name=re.compile("^四川省政务信息资源目录"))
    assert (await focused()).startswith("四川省")
    assert await sichuan.get_attribute("aria-selected") == "true"
    await page.keyboard.press("ArrowRight")  # expands
    assert await sichuan.get_attribute("aria-expanded") == "true"
    await page.keyboard.press("ArrowRight")  # into its first city
    assert (await focused()).startswith("成都市")
    await page.keyboard.press("ArrowLeft")  # back to the province
    assert (await focused()).startswith("四川省")
    await page.keyboard.press("ArrowLeft")  # collapses it
    assert await sichuan.get_attribute("aria-expanded") == "false"
    await page.keyboard.press("ArrowRight")
    await page.keyboard.press("ArrowRight")
    await then(v, page.keyboard.press("Enter"), "search")
    assert "catalog=510100%2Fintranet" in page.url
    clean(v)


async def test_screen_readers_find_the_landmarks_and_every_control_named(
    topology: Topology, browser: Any
) -> None:
    v = await visit(browser, topology.urls[NATION_I])
    page = v.page
    await v.open("browse", "browse")
    assert await page.get_by_role("navigation", name="主导航").count() == 1
    assert await page.get_by_role("search", name="检索目录").count() == 1
    assert await page.get_by_role("searchbox", name="检索词").count() == 1
    assert await page.get_by_role("tree", name="目录（按层级与行政区划）").count() == 1
    items = await page.eval_on_selector_all(
        '[role="treeitem"]',
        "els => els.map(e => [e.getAttribute('aria-level'), e.getAttribute('aria-label')])",
    )
    assert len(items) > 10
    assert all(level and label and "条" in label for level, label in items)
    await v.open("search?q=人口", "search")
    assert await page.get_by_role("complementary", name="筛选").count() == 1
    assert await page.get_by_role("navigation", name="翻页").count() == 1
    await v.open(f"lineage/{LINEAGE_ROOT}", "lineage")
    assert await page.get_by_role("img", name=re.compile("的血缘关系图：")).count() == 1
    assert await page.get_by_role("searchbox", name="查找节点").count() == 1
    unnamed = await page.eval_on_selector_all(
        "button, select, input",
        "els => els.filter(e => !(e.textContent.trim() || e.getAttribute('aria-label')"
        " || e.closest('label'))).length",
    )
    assert unnamed == 0
    clean(v)


async def test_searching_人口_shows_the_words_marked_and_a_facet_narrows_it(
    topology: Topology, browser: Any
) -> None:
    v = await visit(browser, topology.urls[NATION_I])
    page = v.page
    await v.open("search?q=人口", "search")
    query = """query($s: String) { resources(search: $s, first: 0) { totalCount }
      facets(search: $s) { byProvider { key label count } } }"""
    api = topology.graphql(NATION_I, query, s="人口")
    assert api["resources"]["totalCount"] > 1
    assert await page.inner_text("#result-count") == f"共 {api['resources']['totalCount']} 条"
    marks = await page.eval_on_selector_all(
        "article.hit mark", "els => els.map(e => e.textContent)"
    )
    assert marks
    assert set(marks) <= {"人口", "人", "口"}
    provider = api["facets"]["byProvider"][0]
    facet = page.locator('section[aria-label="提供部门"] li a', has_text=provider["label"]).first
    await then(v, facet.click(), "search")
    assert f"provider={provider['key']}" in page.url
    assert "q=" in page.url
    assert await page.inner_text("#result-count") == f"共 {provider['count']} 条"
    metas = await page.eval_on_selector_all(
        "article.hit .meta", "els => els.map(e => e.textContent)"
    )
    assert len(metas) == provider["count"]
    assert all(provider["label"] in m for m in metas)
    await v.shot("search-facet")
    shared = page.url  # the address alone brings the same view back
    other = await visit(browser, topology.urls[NATION_I])
    await other.page.goto(shared)
    await other.wait("search")
    assert await other.page.inner_text("#result-count") == f"共 {provider['count']} 条"
    clean(v)
    clean(other)


async def test_an_entry_shows_every_element_under_its_chinese_label(
    topology: Topology, browser: Any
) -> None:
    v = await visit(browser, topology.urls[NATION_I])
    page = v.page
    await v.open("search?q=人口", "search")
    first = page.locator("article.hit a.title").first
    await then(v, first.click(), "resource")
    code = unquote(page.url.split("#/resource/")[1])
    query = """query($c: String!) { resource(code: $c) { name items { name }
      history { state } catalogPath { name } } }"""
    api = topology.graphql(NATION_I, query, c=code)["resource"]
    assert await page.inner_text("h1") == api["name"]
    labels = await page.eval_on_selector_all("dl.fields dt", "els => els.map(e => e.textContent)")
    expected = [f.label_zh for f in facts_of(Resource).values() if f.graphql_name is not None]
    assert labels == expected
    items = await page.eval_on_selector_all(
        "#items-title ~ table tbody tr", "rows => rows.map(r => r.cells[0].textContent)"
    )
    assert items == [item["name"] for item in api["items"]]
    path = await page.inner_text('nav[aria-label="目录路径"]')
    assert all(c["name"] in path for c in api["catalogPath"])
    steps = await page.locator("#history-title ~ table tbody tr").count()
    assert steps == len(api["history"])
    await v.shot("resource")
    clean(v)


async def test_the_lineage_expands_two_nodes_to_the_second_level_as_the_api_walks_it(
    topology: Topology, browser: Any
) -> None:
    lineage = """query($c: String!, $d: Int!) { lineage(code: $c, direction: UPSTREAM, depth: $d)
      { truncated nodes { code } edges { source derived } } }"""
    one = topology.graphql(NATION_I, lineage, c=LINEAGE_ROOT, d=1)["lineage"]
    two = topology.graphql(NATION_I, lineage, c=LINEAGE_ROOT, d=2)["lineage"]
    level_one = sorted({n["code"] for n in one["nodes"]} - {LINEAGE_ROOT})
    assert one["truncated"]
    assert len(level_one) >= 2
    assert len(two["nodes"]) > len(one["nodes"])

    v = await visit(browser, topology.urls[NATION_I])
    page = v.page
    await v.open(f"lineage/{LINEAGE_ROOT}?dir=UPSTREAM&depth=1", "lineage")

    async def shown() -> tuple[set[str], set[tuple[str, str]]]:
        nodes = await page.evaluate("mulu.cy.nodes().map(n => n.id())")
        edges = await page.evaluate("mulu.cy.edges().map(e => [e.source().id(), e.target().id()])")
        return set(nodes), {(s, d) for s, d in edges}

    nodes, _ = await shown()
    assert nodes == {n["code"] for n in one["nodes"]}
    assert "已达深度上限" in await page.inner_text("#lineage-status")
    cut = await page.evaluate("mulu.cy.nodes('[cut = 1]').map(n => n.id())")
    assert sorted(cut) == level_one

    async def click_node(code: str) -> None:
        x, y = await page.evaluate(
            """code => { const n = mulu.cy.getElementById(code), p = n.renderedPosition(),
              r = mulu.cy.container().getBoundingClientRect();
              return [r.left + p.x, r.top + p.y]; }""",
            code,
        )
        await page.mouse.click(x, y)
        await v.until(
            "code => document.querySelector('#node-panel').textContent.includes(code)", code
        )

    for code in level_one[:2]:
        await click_node(code)
        await then(v, page.get_by_role("button", name="展开上游").click(), "lineage")
    nodes, edges = await shown()
    expected_nodes = {n["code"] for n in one["nodes"]}
    expected_edges = {(e["source"], e["derived"]) for e in one["edges"]}
    for code in level_one[:2]:
        more = topology.graphql(NATION_I, lineage, c=code, d=1)["lineage"]
        expected_nodes |= {n["code"] for n in more["nodes"]}
        expected_edges |= {(e["source"], e["derived"]) for e in more["edges"]}
    assert nodes == expected_nodes
    assert len(nodes) > len(one["nodes"])
    assert edges == expected_edges
    assert "x=U%3A" in page.url or "x=U:" in unquote(page.url)
    await v.shot("lineage-expanded")
    # The address alone brings the expanded graph back, in one request.
    again = await visit(browser, topology.urls[NATION_I])
    await again.page.goto(page.url)
    await again.wait("lineage")
    assert set(await again.page.evaluate("mulu.cy.nodes().map(n => n.id())")) == nodes
    assert await again.page.evaluate("mulu.requests") == 1
    clean(again)
    # Collapsing the first expansion takes back what only it brought.
    await click_node(level_one[0])
    await then(v, page.get_by_role("button", name="收起").click(), "lineage")
    after, _ = await shown()
    assert after == expected_nodes_without(topology, level_one[1:2])
    assert after < nodes
    clean(v)


def expected_nodes_without(topology: Topology, kept: list[str]) -> set[str]:
    """The nodes of the root's depth-1 lineage plus the expansions still kept."""
    lineage = """query($c: String!) { lineage(code: $c, direction: UPSTREAM, depth: 1)
      { nodes { code } } }"""
    codes = {
        n["code"] for n in topology.graphql(NATION_I, lineage, c=LINEAGE_ROOT)["lineage"]["nodes"]
    }
    for code in kept:
        codes |= {
            n["code"] for n in topology.graphql(NATION_I, lineage, c=code)["lineage"]["nodes"]
        }
    return codes


async def test_graphiql_loads_from_the_instance_and_runs_a_query(
    topology: Topology, browser: Any
) -> None:
    v = await visit(browser, topology.urls[NATION_I])
    page = v.page
    await page.goto(topology.urls[NATION_I] + "/graphql")
    run = page.locator(".graphiql-execute-button")
    await run.wait_for(timeout=20_000)
    await run.click()
    await v.until(
        "() => document.querySelector('.result-window')?.textContent.includes('national/intranet')"
    )
    await v.shot("graphiql")
    clean(v)


async def test_an_extranet_visitor_sees_no_classified_entry_anywhere(
    topology: Topology, browser: Any
) -> None:
    entries = every_entry(topology, NATION_I)
    unclassified_names = {e["name"] for e in entries if e["classification"] != "CLASSIFIED"}
    classified = [e for e in entries if e["classification"] == "CLASSIFIED"]
    assert classified, "the demo's intranet holds classified entries"
    secrets = {e["code"] for e in classified} | (
        {e["name"] for e in classified} - unclassified_names
    )
    # A lineage on the intranet that passes through a classified entry, opened from an
    # unclassified neighbour on the extranet.
    roots = []
    for entry in classified[:40]:
        query = """query($c: String!) { lineage(code: $c, depth: 2)
          { nodes { code resource { classification } } } }"""
        nodes = topology.graphql(NATION_I, query, c=entry["code"])["lineage"]["nodes"]
        roots += [n["code"] for n in nodes if n["resource"]["classification"] != "CLASSIFIED"]
    on_extranet = {e["code"] for e in every_entry(topology, NATION_E)}
    roots = [code for code in roots if code in on_extranet]
    assert roots, "some classified entry has an unclassified neighbour, mirrored, in its lineage"

    v = await visit(browser, topology.urls[NATION_E])
    seen: list[str] = []
    views = [
        ("browse", "browse"),
        ("search?q=人口", "search"),
        (f"search?q={classified[0]['name']}", "search"),
        (f"resource/{classified[0]['code']}", "resource"),
        (f"lineage/{roots[0]}?depth=3", "lineage"),
        ("stats", "stats"),
    ]
    for fragment, ready in views:
        await v.open(fragment, ready)
        seen.append(await v.page.inner_text("body"))
        if ready == "lineage":
            seen.append(json.dumps(await v.page.evaluate("mulu.cy.json()"), ensure_ascii=False))
    # The classified entry asked for by its code is simply not there; its name, searched for,
    # finds nothing of it. The code and the name the visitor typed are echoed, nothing else.
    assert "没有代码为" in seen[3]
    assert classified[0]["name"] not in seen[3]
    typed = {classified[0]["code"], classified[0]["name"]}
    await v.shot("extranet-lineage")
    await v.page.wait_for_timeout(200)  # the last answers' bodies
    everything = seen + v.bodies
    assert len(v.bodies) >= len(views)
    leaked = sorted(s for s in secrets - typed if any(s in text for text in everything))
    assert leaked == []
    clean(v)


def every_entry(topology: Topology, instance: str) -> list[dict[str, Any]]:
    query = """query($a: String) { resources(first: 100, after: $a) {
      pageInfo { hasNextPage endCursor } edges { node { code name classification } } } }"""
    found: list[dict[str, Any]] = []
    after = None
    while True:
        page = topology.graphql(instance, query, a=after)["resources"]
        found += [edge["node"] for edge in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            return found
        after = page["pageInfo"]["endCursor"]


async def test_the_lineage_finds_a_node_groups_by_catalog_and_exports_png_and_svg(
    topology: Topology, browser: Any
) -> None:
    query = """query($c: String!) { lineage(code: $c, depth: 2) { nodes { code resource
      { name catalog { id } } } } }"""
    nodes = topology.graphql(NATION_I, query, c=LINEAGE_ROOT)["lineage"]["nodes"]
    v = await visit(browser, topology.urls[NATION_I])
    page = v.page
    await v.open(f"lineage/{LINEAGE_ROOT}?depth=2", "lineage")
    wanted = next(n for n in nodes if n["code"] != LINEAGE_ROOT)
    await page.get_by_role("searchbox", name="查找节点").fill(wanted["resource"]["name"])
    await page.get_by_role("button", name="查找", exact=True).click()
    found = await v.until("() => mulu.cy.nodes('.found').map(n => n.id())")
    assert wanted["code"] in found
    await v.until(
        "code => document.querySelector('#node-panel').textContent.includes(code)", wanted["code"]
    )

    async with page.expect_download() as png:
        await page.get_by_role("button", name="导出 PNG").click()
    png_bytes = downloaded(await (await png.value).path())
    assert png_bytes.startswith(b"\x89PNG\r\n\x1a\n")
    async with page.expect_download() as svg:
        await page.get_by_role("button", name="导出 SVG").click()
    drawing = downloaded(await (await svg.value).path()).decode("utf-8")
    assert drawing.startswith("<svg")
    assert all(n["resource"]["name"] in drawing for n in nodes)
    assert drawing.count("<line") == await page.evaluate("mulu.cy.edges().length")

    await then(v, page.get_by_role("button", name="按目录分组").click(), "lineage")
    assert "group=1" in page.url
    groups = await page.evaluate(
        "mulu.cy.nodes().map(n => [n.id(), n.data('members').split(',').length])"
    )
    by_catalog: dict[str, int] = {}
    for n in nodes:
        catalog = n["resource"]["catalog"]["id"]
        by_catalog[f"group:{catalog}"] = by_catalog.get(f"group:{catalog}", 0) + 1
    assert dict(groups) == by_catalog
    await v.shot("lineage-grouped")
    clean(v)


def downloaded(path: str | Path) -> bytes:
    return Path(path).read_bytes()


# The server-side layout (Graphviz): the page asks for it beyond 300 nodes, or always with
# layout=server; these tests ask for it on the demo's small lineages.
OVERVIEW = """query($c: String!, $depth: Int!) { lineage(code: $c, direction: BOTH, depth: $depth) {
  nodes { code resource { providerCode classification } }
  layout(ifMoreThan: 0) { engine codes x y } } }"""


async def test_the_overview_is_drawn_where_the_server_laid_it_out(
    topology: Topology, browser: Any
) -> None:
    api = topology.graphql(NATION_I, OVERVIEW, c=LINEAGE_ROOT, depth=3)["lineage"]
    laid = api["layout"]
    assert laid["engine"] == "graphviz dot"
    v = await visit(browser, topology.urls[NATION_I])
    page = v.page
    scripts: list[str] = []
    page.on("request", lambda r: scripts.append(r.url) if r.url.endswith(".js") else None)
    await v.open(f"lineage/{LINEAGE_ROOT}?depth=3&layout=server", "lineage")
    assert await page.evaluate("mulu.lineageDrawing") == "server"
    assert "由服务器布局（Graphviz" in await page.inner_text("#lineage-status")
    drawn = await page.evaluate(
        "Object.fromEntries(mulu.cy.nodes().map(n => [n.id(), [n.position('x'), n.position('y')]]))"
    )
    assert set(drawn) == set(laid["codes"])
    for i, code in enumerate(laid["codes"]):
        assert drawn[code] == pytest.approx([laid["x"][i], laid["y"][i]]), code
    # Laid out without dagre: its script is never loaded; one request for the view.
    assert not [s for s in scripts if "dagre" in s]
    assert await page.evaluate("mulu.requests") == 1

    # Labels are short beside the server's positions; 查找 and the SVG use the full names.
    named = await page.evaluate("mulu.cy.nodes().map(n => n.data('name'))")
    longest = max(named, key=len)
    await page.get_by_role("searchbox", name="查找节点").fill(longest)
    await page.get_by_role("button", name="查找", exact=True).click()
    assert await v.until("() => mulu.cy.nodes('.found').length") >= 1
    async with page.expect_download() as svg:
        await page.get_by_role("button", name="导出 SVG").click()
    drawing = downloaded(await (await svg.value).path()).decode("utf-8")
    assert all(name in drawing for name in named)

    # Still a working view: a node's panel, and expanding upstream places the new nodes
    # beside it, to its left.
    source = next(e for e in laid["codes"] if e != LINEAGE_ROOT)
    await page.evaluate("code => { mulu.cy.getElementById(code).emit('tap'); }", source)
    panel = "code => document.querySelector('#node-panel').textContent.includes(code)"
    await v.until(panel, source)
    await then(v, page.get_by_role("button", name="展开上游").click(), "lineage")
    assert await page.evaluate("mulu.lineageDrawing") == "server"
    x_of = "code => mulu.cy.getElementById(code).position('x')"
    added = await page.evaluate(
        "laid => mulu.cy.nodes().map(n => n.id()).filter(c => !laid.includes(c))", laid["codes"]
    )
    for code in added:
        assert await page.evaluate(x_of, code) < await page.evaluate(x_of, source)

    # Grouped by providing department: one group per provider, its entries counted.
    await then(v, page.get_by_role("button", name="按提供部门分组").click(), "lineage")
    assert "group=provider" in page.url
    members = "mulu.cy.nodes().map(n => [n.id(), n.data('members').split(',').length])"
    groups = dict(await page.evaluate(members))
    by_provider: dict[str, int] = {}
    for n in api["nodes"]:
        key = f"group:{n['resource']['providerCode']}"
        by_provider[key] = by_provider.get(key, 0) + 1
    assert groups == by_provider
    await v.shot("lineage-server-layout")
    # A lineage this small is laid out in the browser unless the address asks the server.
    await v.open(f"lineage/{LINEAGE_ROOT}?depth=3", "lineage")
    assert await page.evaluate("mulu.lineageDrawing") == "dagre"
    clean(v)


async def test_an_extranet_overview_is_laid_out_on_what_the_visitor_may_see(
    topology: Topology, browser: Any
) -> None:
    """The layout names exactly the nodes of the extranet's own answer: no classified entry
    reaches the page, in the answer, the layout or the drawing."""
    classified = {e["code"] for e in every_entry(topology, NATION_I)} - {
        e["code"] for e in every_entry(topology, NATION_E)
    }
    assert classified, "the intranet holds entries the extranet does not"
    # A root on both networks whose intranet lineage reaches a classified entry.
    root = None
    for code in sorted(classified)[:40]:
        nodes = topology.graphql(NATION_I, OVERVIEW, c=code, depth=2)["lineage"]["nodes"]
        shared = [n["code"] for n in nodes if n["code"] not in classified]
        if shared:
            root = shared[0]
            break
    assert root is not None, "a classified entry has a mirrored neighbour in its lineage"
    inner = topology.graphql(NATION_I, OVERVIEW, c=root, depth=3)["lineage"]["layout"]["codes"]
    outer = topology.graphql(NATION_E, OVERVIEW, c=root, depth=3)["lineage"]
    assert set(inner) & classified, "the intranet's layout of that lineage has a classified node"

    v = await visit(browser, topology.urls[NATION_E])
    await v.open(f"lineage/{root}?depth=3&layout=server", "lineage")
    assert await v.page.evaluate("mulu.lineageDrawing") == "server"
    drawn = set(await v.page.evaluate("mulu.cy.nodes().map(n => n.id())"))
    assert drawn == set(outer["layout"]["codes"]) == {n["code"] for n in outer["nodes"]}
    await v.page.wait_for_timeout(200)  # the answer's body
    answers = [json.loads(b) for b in v.bodies if b.startswith('{"data":{"l0"')]
    assert len(answers) == 1
    assert answers[0]["data"]["l0"]["layout"]["codes"] == outer["layout"]["codes"]
    leaked = sorted(c for c in classified if any(c in body for body in v.bodies))
    assert leaked == []
    assert not drawn & classified
    clean(v)


async def test_without_the_servers_layout_the_page_says_so_and_lays_it_out_itself(
    topology: Topology, browser: Any
) -> None:
    """One fault injected into a real answer: the layout refused as an instance without
    Graphviz refuses it (the rest of the answer as the instance gave it)."""
    refusal = LayoutUnavailable()
    v = await visit(browser, topology.urls[NATION_I])

    async def without_graphviz(route: Any) -> None:
        response = await route.fetch()
        answer = await response.json()
        if "l0" in (answer.get("data") or {}) and answer["data"]["l0"].get("layout"):
            answer["data"]["l0"]["layout"] = None
            error = {"message": str(refusal), "path": ["l0", "layout"]}
            answer["errors"] = [{**error, "extensions": refusal.extensions()}]
        await route.fulfill(response=response, json=answer)

    await v.page.route("**/graphql", without_graphviz)
    await v.open(f"lineage/{LINEAGE_ROOT}?depth=2&layout=server", "lineage")
    refused = await v.page.inner_text("#layout-refused")
    assert "服务器未能布局" in refused
    assert "Graphviz" in refused
    assert "已改为在浏览器内布局" in refused
    assert await v.page.evaluate("mulu.lineageDrawing") == "dagre"
    assert await v.page.evaluate("mulu.cy.nodes().length") > 1
    clean(v)


async def test_a_reviewer_sees_the_statistics_as_charts_with_the_apis_figures(
    topology: Topology, browser: Any
) -> None:
    headers = {"X-Mulu-Dev-Department": topology.reviewer, "X-Mulu-Dev-Role": "REVIEWER"}
    query = "{ statistics { catalogName total { entries requestsReceived requestsAnswered } } }"
    stats = topology.graphql(NATION_I, query, headers)["statistics"]
    v = await visit(browser, topology.urls[NATION_I], headers)
    await v.open("stats", "stats")
    page = v.page
    assert await page.inner_text("h1") == f"统计：{stats['catalogName']}"
    summary = await page.inner_text("main p.note")
    total = stats["total"]
    assert f"共 {total['entries']} 条目" in summary
    assert f"收到申请 {total['requestsReceived']} 件" in summary
    assert f"已答复 {total['requestsAnswered']} 件" in summary
    drawn = await page.eval_on_selector_all(
        "div.chart", "els => els.map(e => !!e.querySelector('svg'))"
    )
    assert len(drawn) == 5
    assert all(drawn)
    await v.shot("statistics-reviewer")
    anonymous = await visit(browser, topology.urls[NATION_E])
    await anonymous.open("stats", "stats")
    assert await anonymous.page.inner_text("h1") == "统计（公开信息资源）"
    clean(v)
    clean(anonymous)


async def test_a_reviewer_sees_share_requests_and_objections_with_their_clocks(
    topology: Topology, browser: Any
) -> None:
    headers = {"X-Mulu-Dev-Department": topology.reviewer, "X-Mulu-Dev-Role": "REVIEWER"}
    query = """{ shareRequests(first: 50) { totalCount edges { node { id state
      answerDue { workingDays } } } }
      objections(first: 50) { totalCount edges { node { id } } } }"""
    api = topology.graphql(CITY_I, query, headers)  # held at the entries' origin
    requests = [e["node"] for e in api["shareRequests"]["edges"]]
    assert requests, "the demo's year of activity holds share requests"
    v = await visit(browser, topology.urls[CITY_I], headers)
    page = v.page
    await v.open("sharing", "sharing")
    title = await page.inner_text("#requests-title")
    assert title == f"申请共享（{api['shareRequests']['totalCount']}）"
    rows = await page.eval_on_selector_all(
        "#requests-title ~ table tbody tr",
        "rows => rows.map(r => [r.dataset.id, r.cells[3].textContent, r.cells[4].textContent])",
    )
    assert [r[0] for r in rows] == [r["id"] for r in requests]
    for (_, state, due), request in zip(rows, requests, strict=True):
        assert state == REQUEST_LABELS[RequestState(request["state"])]
        if request["answerDue"]:
            assert f"{request['answerDue']['workingDays']} 个工作日" in due
        if request["state"] != "SUBMITTED":  # answered: its deadline is no longer running
            assert "已逾期" not in due
    objections = await page.locator("#objections-title ~ table tbody tr").count()
    assert objections == len(api["objections"]["edges"])
    await v.shot("sharing-reviewer")
    anonymous = await visit(browser, topology.urls[NATION_E])
    await anonymous.open("sharing", "sharing")
    assert "请以部门身份" in await anonymous.page.inner_text("main")
    clean(v)
    clean(anonymous)


async def test_every_view_is_one_graphql_request(topology: Topology, browser: Any) -> None:
    v = await visit(browser, topology.urls[NATION_I])
    graphql: list[str] = []
    v.page.on(
        "request", lambda r: graphql.append(r.post_data or "") if "/graphql" in r.url else None
    )
    views = [
        ("browse", "browse"),
        ("search?q=人口&shareType=UNCONDITIONAL", "search"),
        (f"resource/{LINEAGE_ROOT}", "resource"),
        (f"lineage/{LINEAGE_ROOT}?depth=2&x=U:{LINEAGE_ROOT}", "lineage"),
    ]
    for fragment, ready in views:
        before = len(graphql)
        await v.open(fragment, ready)
        assert len(graphql) - before == 1, fragment
    clean(v)
