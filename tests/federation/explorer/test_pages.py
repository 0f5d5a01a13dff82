"""The explorer's pages as the instance serves them, without a browser: from the package, with
a Content-Security-Policy that keeps the browser on the instance, GraphiQL's page naming no
CDN, the vendored libraries at the versions the lock file pins, ECharts served from its one
copy, and a Chinese label for every value the pages show."""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator
from importlib.resources import files
from pathlib import Path

import httpx
import pytest

from federation.explorer import CONTENT_SECURITY_POLICY
from federation.explorer.labels import ENUM_LABELS, page_labels
from federation.explorer.vendor import ASSETS, VENDOR, VENDORED
from federation.reports.labels import REQUEST_LABELS
from federation.settings import Settings
from graph import enums
from graph.embedded import EmbeddedStore
from graph.fields import facts_of
from graph.model import DataItem, Resource
from graph.sharing import ObjectionState, RequestState
from tests.federation.catalog import CHENGDU, seed
from tests.federation.support import app_over, serve

STATIC = Path(str(files("federation.explorer").joinpath("static")))


@pytest.fixture
async def http(tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    async with EmbeddedStore.open(tmp_path / "catalog.db", CHENGDU) as store:
        await seed(store)
        async with serve(app_over(Settings(data_dir=tmp_path), store)) as client:
            yield client


async def test_the_explorer_is_served_at_the_root_with_its_labels_and_policy(
    http: httpx.AsyncClient,
) -> None:
    page = await http.get("/")
    assert page.status_code == 200
    assert page.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    labels = re.search(r'<script type="application/json" id="labels">(.*?)</script>', page.text)
    assert labels is not None
    assert json.loads(labels.group(1)) == page_labels()
    for src in re.findall(r'(?:src|href)="([^"]+)"', page.text):
        if src.startswith("#") or src.startswith("data:"):
            continue
        assert src.startswith("/"), src  # this instance only
        assert (await http.get(src)).status_code == 200, src


async def test_graphiql_is_the_packages_page_and_names_no_other_address(
    http: httpx.AsyncClient,
) -> None:
    page = await http.get("/graphql", headers={"Accept": "text/html"})
    assert page.status_code == 200
    assert page.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    assert "GraphiQL" in page.text
    assert "://" not in page.text  # strawberry's page loads React and GraphiQL from unpkg.com
    scripts = re.findall(r'<script src="([^"]+)"', page.text)
    assert "/explorer/static/vendor/graphiql.min.js" in scripts
    for src in scripts:
        answer = await http.get(src)
        assert answer.status_code == 200
        assert "javascript" in answer.headers["content-type"]


def test_no_page_script_or_style_of_the_explorer_names_another_address() -> None:
    own = [p for p in STATIC.iterdir() if p.suffix in {".html", ".js", ".css"}]
    assert {p.name for p in own} >= {"index.html", "explorer.js", "graphiql.html"}
    for path in own:
        addresses = set(re.findall(r"\w+://[^\s\"'`)]+", path.read_text(encoding="utf-8")))
        assert addresses <= {"http://www.w3.org/2000/svg"}, (path.name, addresses)


async def test_echarts_is_served_from_the_reports_one_copy(http: httpx.AsyncClient) -> None:
    served = await http.get("/explorer/echarts/echarts.min.js")
    assert served.status_code == 200
    report_copy = files("federation.reports").joinpath("static/echarts.min.js").read_bytes()
    assert served.content == report_copy


def test_the_explorer_keeps_no_copy_of_echarts() -> None:
    assert not list(STATIC.rglob("echarts*"))


async def test_a_path_out_of_the_static_folder_is_not_found(http: httpx.AsyncClient) -> None:
    for path in ("/explorer/static/../pages.py", "/explorer/static/%2e%2e/pages.py"):
        assert (await http.get(path)).status_code == 404


def test_the_vendored_files_are_the_versions_the_lock_file_pins() -> None:
    lock = json.loads((ASSETS / "package-lock.json").read_text(encoding="utf-8"))
    wanted = json.loads((ASSETS / "package.json").read_text(encoding="utf-8"))["dependencies"]
    licences = (VENDOR / "LICENSES.txt").read_text(encoding="utf-8")
    for package, _built, served in VENDORED:
        assert (VENDOR / served).stat().st_size > 1000, served
        pinned = lock["packages"][f"node_modules/{package}"]["version"]
        assert pinned == wanted[package]  # exact versions, no ranges
        assert f"{package} {pinned} (MIT)" in licences
    assert {p.name for p in VENDOR.iterdir()} == {s for _, _, s in VENDORED} | {"LICENSES.txt"}


def test_every_value_the_pages_show_has_its_chinese_label() -> None:
    vocabularies = {
        "Level": enums.Level,
        "Zone": enums.Zone,
        "Classification": enums.Classification,
        "ShareType": enums.ShareType,
        "ShareMode": enums.ShareMode,
        "UpdateCycle": enums.UpdateCycle,
        "ResourceKind": enums.ResourceKind,
        "FormatClass": enums.FormatClass,
        "LifecycleState": enums.LifecycleState,
        "RequestState": RequestState,
        "ObjectionState": ObjectionState,
        "Role": enums.Role,
    }
    assert set(ENUM_LABELS) == set(vocabularies)
    for name, enum in vocabularies.items():
        labels = ENUM_LABELS[name]
        assert set(labels) == set(enum), name
        assert all(text.strip() for text in labels.values()), name
    assert ENUM_LABELS["RequestState"] is REQUEST_LABELS  # one place, the report's


def test_the_field_labels_are_graph_fields_labels() -> None:
    sent = page_labels()["fields"]
    for type_name, cls in (("Resource", Resource), ("DataItem", DataItem)):
        declared = {f.graphql_name: f.label_zh for f in facts_of(cls).values() if f.graphql_name}
        assert sent[type_name] == declared
    assert page_labels()["baseLibraries"] == list(enums.BASE_LIBRARIES)
