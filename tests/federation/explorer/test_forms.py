"""The explorer's browsing by category, its facets, its forms and its identity, in Debian's
Chromium on the demo topology: from the nation down to a 目 and a 细目 with their counts;
every facet counted and narrowing by share mode, update cycle and level; a department files a
共享申请 through the form (a bad one shows the API's refusal beside the field it names) and
sees its state and working-day clock; the development picker changes who the page asks as
(an unpublished own entry appears), and is absent where TLS names callers; a spreadsheet is
uploaded, its dry run reported row by row, then imported. No request leaves the instance."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from federation.explorer.labels import ENUM_LABELS
from graph.enums import ShareMode
from infra.net import free_port
from tests.federation.explorer import test_browser as shared
from tests.federation.explorer.support import Topology, Visit, visit
from tests.federation.explorer.test_browser import CITY_I, NATION_I, clean, then, total
from tests.federation.test_proxy_rules import Authority, pem
from tests.federation.test_serve import mulu
from tests.graph.exchange.sheets import department_xlsx, entry_row, item_row

# The demo topology and the browser of the explorer's browser tests, one of each for this module.
topology = shared.topology
browser = shared.browser

FACETS = """query($f: ResourceFilterInput, $s: String) { resources(filter: $f, search: $s, first: 0)
  { totalCount } facets(filter: $f, search: $s) { byProvider { key count } byTheme { key count }
  byShareType { key count } byShareMode { key count } byUpdateCycle { key count }
  byOpenToPublic { key count } byLevel { key count } byKind { key count }
  byCategory { key label count } } }"""


def dev(department: str, role: str = "PROVIDER") -> dict[str, str]:
    return {"X-Mulu-Dev-Department": department, "X-Mulu-Dev-Role": role}


async def cards(v: Visit) -> dict[str, str]:
    """The category cards shown: code → their accessible name (with the count)."""
    found = await v.page.eval_on_selector_all(
        "a[data-category]",
        "els => els.map(e => [e.dataset.category, e.getAttribute('aria-label')])",
    )
    return dict(found)


async def test_browsing_goes_from_the_nation_down_to_a_目_and_细目_with_counts(
    topology: Topology, browser: Any
) -> None:
    v = await visit(browser, topology.urls[NATION_I])
    await v.open("browse", "browse")
    path = []
    category = None
    for _rank in ("类", "项", "目"):
        where = {"category": category} if category else {}
        counted = topology.graphql(NATION_I, FACETS, f=where)["facets"]["byCategory"]
        shown = await cards(v)
        assert set(shown) == {c["key"] for c in counted}
        for c in counted:
            assert shown[c["key"]].endswith(f"，{c['count']} 条"), shown[c["key"]]
        category = "3" if category is None else counted[0]["key"]  # the departments' 类 first
        path.append(category)
        await then(v, v.page.locator(f'a[data-category="{category}"]').click(), "browse")
        assert f"category={category}" in v.page.url
    assert [len(p) for p in path] == [1, 3, 6]
    await v.shot("browse-category-目")
    details = topology.graphql(NATION_I, FACETS, f={"category": category})["facets"]["byCategory"]
    shown = await cards(v)
    assert set(shown) == {c["key"] for c in details}
    detail = details[0]
    assert len(detail["key"]) > 6  # a 细目
    assert detail["label"] != detail["key"]  # named
    assert detail["label"] in shown[detail["key"]]
    await then(v, v.page.locator(f'a[data-category="{detail["key"]}"]').click(), "search")
    assert f"category={detail['key']}" in v.page.url
    assert await v.page.inner_text("#result-count") == f"共 {detail['count']} 条"
    assert detail["count"] == total(topology, NATION_I, category=detail["key"])
    await v.shot("browse-category-细目-entries")
    clean(v)


def _facet_rows(rows: list[list[str]]) -> dict[str, int]:
    return {text: int(count) for text, count in rows}


async def test_every_facet_has_counts_and_narrows_by_share_mode_update_cycle_and_level(
    topology: Topology, browser: Any
) -> None:
    v = await visit(browser, topology.urls[NATION_I])
    page = v.page
    await v.open("search?q=信息", "search")
    api = topology.graphql(NATION_I, FACETS, s="信息")
    sections = {
        "共享类型": ("byShareType", "ShareType"),
        "共享方式": ("byShareMode", "ShareMode"),
        "更新周期": ("byUpdateCycle", "UpdateCycle"),
        "是否向社会开放": ("byOpenToPublic", None),
        "目录层级": ("byLevel", "Level"),
        "信息资源分类": ("byKind", "ResourceKind"),
        "提供部门": ("byProvider", None),
        "主题": ("byTheme", None),
    }

    async def shown(title: str) -> dict[str, int]:
        rows = await page.eval_on_selector_all(
            f'section[aria-label="{title}"] li a',
            "els => els.map(e => [e.children[0].textContent, e.children[1].textContent])",
        )
        return _facet_rows(rows)

    enums = {
        name: {str(k): text for k, text in labels.items()} for name, labels in ENUM_LABELS.items()
    }
    for title, (source, enum) in sections.items():
        counts = await shown(title)
        assert counts, title
        assert sum(counts.values()) == sum(f["count"] for f in api["facets"][source]), title
        if enum is not None:
            assert counts == {enums[enum][f["key"]]: f["count"] for f in api["facets"][source]}
    assert sum((await shown("目录层级")).values()) == api["resources"]["totalCount"]

    narrowing = [
        ("共享方式", "shareMode", ShareMode.INTERFACE, "ShareMode"),
        ("更新周期", "updateCycle", None, "UpdateCycle"),
        ("目录层级", "level", None, "Level"),
    ]
    for title, key, wanted, enum in narrowing:
        counts = await shown(title)
        text = enums[enum][wanted.value] if wanted else next(iter(counts))
        value = {t: k for k, t in enums[enum].items()}[text]
        await then(
            v,
            page.locator(f'section[aria-label="{title}"] li a', has_text=text).first.click(),
            "search",
        )
        assert f"{key}={value}" in page.url
        assert await page.inner_text("#result-count") == f"共 {counts[text]} 条"
        chips = await page.inner_text(".chips")
        assert f"{title}：{text}" in chips
    filter_ = {
        "shareMode": ShareMode.INTERFACE.value,
        "updateCycle": [re.search(r"updateCycle=(\w+)", page.url).group(1)],  # type: ignore[union-attr]
        "level": [re.search(r"level=(\w+)", page.url).group(1)],  # type: ignore[union-attr]
    }
    narrowed = topology.graphql(NATION_I, FACETS, f=filter_, s="信息")["resources"]["totalCount"]
    assert await page.inner_text("#result-count") == f"共 {narrowed} 条"
    assert narrowed > 0
    await v.shot("search-every-facet")
    clean(v)


def _requestable(topology: Topology) -> tuple[dict[str, Any], str]:
    """A published CONDITIONAL entry of 成都 with items and share modes, and a department
    other than its provider."""
    query = """{ resources(filter: {shareType: [CONDITIONAL], catalog: "510100/intranet"},
      first: 50) { edges { node { code name providerCode shareModes items { name } } } }
      departments { code name } }"""
    found = topology.graphql(CITY_I, query)
    entry = next(
        e["node"]
        for e in found["resources"]["edges"]
        if e["node"]["items"] and e["node"]["shareModes"]
    )
    other = next(d["code"] for d in found["departments"] if d["code"] != entry["providerCode"])
    return entry, other


async def test_a_department_files_a_share_request_through_the_form_and_sees_its_clock(
    topology: Topology, browser: Any
) -> None:
    entry, department = _requestable(topology)
    v = await visit(browser, topology.urls[CITY_I], dev(department))
    page = v.page
    await v.open(f"resource/{entry['code']}", "resource")
    assert department in await page.get_attribute("#identity-name", "data-department")
    await page.get_by_role("button", name="申请共享").click()
    form = page.get_by_role("form", name="申请共享")
    await form.get_by_label("用途").fill("住所核查")
    await form.get_by_label("应用场景").fill("市场主体登记")
    await form.get_by_label("使用期限自").fill("2026-12-10")
    await form.get_by_label("至").fill("2026-12-01")  # before the start: the API refuses it
    await form.get_by_role("button", name="提交申请").click()
    await v.until("() => document.querySelector('#request-form .form-error').textContent")
    alert = await form.get_by_role("alert").inner_text()
    assert "period_end" in alert
    assert "2026-12-10" in alert
    invalid = await page.eval_on_selector_all(
        "#request-form [aria-invalid='true']", "els => els.map(e => e.dataset.field)"
    )
    assert invalid == ["period_end"]
    assert "period_end" in await page.inner_text("#f-period_end-error")
    await v.shot("share-request-refused")

    await form.get_by_label("至").fill("2027-06-30")
    await form.get_by_role("button", name="提交申请").click()
    await v.until("() => document.querySelector('#result-state')")
    state = await page.inner_text("#result-state")
    request_id = await page.inner_text("#result-id")
    clocks = await page.eval_on_selector_all(".result-clock", "els => els.map(e => e.textContent)")
    query = """query($id: String!) { shareRequest(id: $id) { state requesterCode
      answerDue { date workingDays } deliveryDue { date workingDays } } }"""
    api = topology.graphql(CITY_I, query, dev(department), id=request_id)["shareRequest"]
    assert api["requesterCode"] == department
    assert state == ENUM_LABELS["RequestState"][api["state"]]  # type: ignore[index]
    # Conditional items wait for the provider (the answer's clock); unconditional ones are
    # approved on submission (the delivery's clock).
    running, due = (0, "answerDue") if api["state"] == "SUBMITTED" else (1, "deliveryDue")
    assert api["state"] in ("SUBMITTED", "APPROVED")
    assert f"{api[due]['date']} 前（{api[due]['workingDays']} 个工作日" in clocks[running]
    await v.shot("share-request-filed")
    # The #/sharing view lists it, with the same clock.
    await then(v, page.get_by_role("link", name="查看本条目的共享申请与疑义").click(), "sharing")
    row = page.locator(f'tr[data-id="{request_id}"]')
    assert f"{api[due]['workingDays']} 个工作日" in await row.inner_text()
    clean(v)


async def test_an_objection_is_reported_through_the_form(topology: Topology, browser: Any) -> None:
    entry, department = _requestable(topology)
    v = await visit(browser, topology.urls[CITY_I], dev(department))
    page = v.page
    await v.open(f"resource/{entry['code']}", "resource")
    await page.get_by_role("button", name="报告疑义").click()
    form = page.get_by_role("form", name="报告疑义")
    await form.get_by_role("button", name="提交疑义").click()  # no field named
    await v.until("() => document.querySelector('#objection-form .form-error').textContent")
    assert await page.eval_on_selector_all(
        "#objection-form [aria-invalid='true']", "els => els.map(e => e.dataset.field)"
    ) == ["fields"]
    await form.get_by_label("信息资源摘要").check()
    await form.get_by_label("疑义内容").fill("摘要与实际数据不符")
    await form.get_by_role("button", name="提交疑义").click()
    await v.until("() => document.querySelector('#result-state')")
    assert await page.inner_text("#result-state") == ENUM_LABELS["ObjectionState"]["REPORTED"]  # type: ignore[index]
    clean(v)


async def test_the_development_picker_changes_who_asks_and_an_own_draft_appears(
    topology: Topology, browser: Any
) -> None:
    reviewer = dev(topology.reviewer, "REVIEWER")
    query = """{ resources(filter: {state: [DRAFT, SUBMITTED]}, first: 5) { edges { node {
      code name providerCode } } } }"""
    drafts = topology.graphql(CITY_I, query, reviewer)["resources"]["edges"]
    assert drafts, "the demo's year of catalog maintenance leaves unpublished entries"
    draft = drafts[0]["node"]
    v = await visit(browser, topology.urls[CITY_I])
    page = v.page
    await v.open(f"resource/{draft['code']}", "resource")
    assert await page.inner_text("h1") == "未找到"
    assert "匿名访问" in await page.inner_text("#identity-name")
    await page.get_by_role("button", name="切换身份（开发）").click()
    await page.get_by_label("以哪个部门的身份").select_option(draft["providerCode"])
    await page.get_by_label("以何种角色").select_option("PROVIDER")
    await v.page.evaluate("delete document.documentElement.dataset.ready")
    await page.get_by_role("button", name="确定").click()
    await v.wait("resource")
    assert await page.inner_text("h1") == draft["name"]
    assert await page.get_attribute("#identity-name", "data-department") == draft["providerCode"]
    assert "（政务部门）" in await page.inner_text("#identity-name")
    await v.shot("identity-picker-own-draft")
    # The choice is the tab's: another view carries it too; back to anonymous hides the draft.
    await v.open("browse", "browse")
    assert await page.get_attribute("#identity-name", "data-department") == draft["providerCode"]
    await page.get_by_role("button", name="切换身份（开发）").click()
    await page.get_by_label("以哪个部门的身份").select_option("")
    await v.page.evaluate("delete document.documentElement.dataset.ready")
    await page.get_by_role("button", name="确定").click()
    await v.wait("browse")
    assert "匿名访问" in await page.inner_text("#identity-name")
    clean(v)


@pytest.fixture
def behind_tls(tmp_path: Path) -> Iterator[str]:
    """`mulu serve` where TLS names callers (a trusted proxy's forwarded certificates; the
    browser is not that proxy) — with `dev_identity_header` on, which TLS overrides."""
    ca = tmp_path / "ca.crt"
    ca.write_bytes(pem(Authority.make("platform CA").certificate))
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("MULU_")}
    env |= {
        "MULU_DEV_IDENTITY_HEADER": "true",
        "MULU_TLS__CLIENT_CA": str(ca),
        "MULU_TLS__TRUSTED_PROXIES": '["127.0.0.2"]',
    }
    log = (tmp_path / "serve.log").open("w")
    process = subprocess.Popen(
        [*mulu(), "serve", "--sample", "100", "--port", str(port)],
        cwd=tmp_path,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            assert process.poll() is None, (tmp_path / "serve.log").read_text()
            try:
                if httpx.get(f"{url}/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "mulu serve did not become healthy in 90 s"
            time.sleep(0.2)
        yield url
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


async def test_under_tls_there_is_no_picker_and_no_development_header_is_sent(
    behind_tls: str, browser: Any
) -> None:
    v = await visit(browser, behind_tls)
    sent: list[dict[str, str]] = []
    v.page.on("request", lambda r: sent.append(r.headers) if "/graphql" in r.url else None)
    # Even a choice left in the tab from elsewhere is not sent.
    await v.page.add_init_script(
        "sessionStorage.setItem('mulu.devIdentity', "
        "JSON.stringify({department: '11510100MB0000001Y', role: 'REVIEWER'}))"
    )
    await v.open("browse", "browse")
    assert "匿名访问" in await v.page.inner_text("#identity-name")
    assert await v.page.locator("#identity-switch").count() == 0
    assert sent
    assert not any("x-mulu-dev-department" in h for h in sent)
    clean(v)


async def test_a_spreadsheet_is_uploaded_dry_run_first_then_imported(
    topology: Topology, browser: Any, tmp_path: Path
) -> None:
    query = """{ departments { code name } }"""
    departments = topology.graphql(CITY_I, query)["departments"]
    department = next(d for d in departments if d["code"].startswith("11510100"))
    mine = {"信息资源提供方": department["name"], "信息资源提供方代码": department["code"]}
    sheet = department_xlsx(
        tmp_path / "目录.xlsx",
        [
            entry_row(**mine, 信息资源名称="浏览器导入测试信息"),
            item_row("姓名", "字符型", 50),
            entry_row(**mine, 信息资源名称="缺共享条件的信息", 共享条件=None),
        ],
    )
    v = await visit(browser, topology.urls[CITY_I], dev(department["code"]))
    page = v.page
    await v.open("import", "import")
    assert "512 KiB" in await page.inner_text("#import-bound")
    await v.page.evaluate("delete document.documentElement.dataset.ready")
    await page.set_input_files("#import-file", str(sheet))
    await v.wait("import")
    summary = await page.inner_text("#import-summary")
    assert "共 2 条，有误 1 条" in summary
    rows = await page.eval_on_selector_all(
        "#import-problems tbody tr", "rows => rows.map(r => [...r.cells].map(c => c.textContent))"
    )
    assert [r[:4] for r in rows] == [["目录.xlsx", "5", "L", "共享条件"]] or rows[0][
        3
    ] == "共享条件"
    assert await page.get_by_role("button", name="全部导入").is_disabled()
    await v.shot("import-dry-run")
    await v.page.evaluate("delete document.documentElement.dataset.ready")
    await page.get_by_role("button", name="仅导入无误的 1 条").click()
    await v.wait("import")
    assert "新建 1 条" in await page.inner_text("#import-summary")
    codes = await page.eval_on_selector_all("#import-codes a", "els => els.map(e => e.textContent)")
    assert len(codes) == 1
    check = """query($c: String!) { resource(code: $c) { name state providerCode } }"""
    made = topology.graphql(CITY_I, check, dev(department["code"]), c=codes[0])["resource"]
    assert made == {
        "name": "浏览器导入测试信息",
        "state": "DRAFT",
        "providerCode": department["code"],
    }
    await v.shot("import-done")
    clean(v)
