"""`mulu serve` with a topology: the instance's app runs its sync links in its lifespan and
shows them in /health and /metrics (federation.instance.open_sync)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from starlette.testclient import TestClient

from federation.app import create_app
from federation.instance import open_instance, open_sync
from federation.settings import Settings
from federation.topology import load_topology
from graph import CatalogStore
from sync.events import outbox_record
from tests.sync import samples

TOPOLOGY = """
data_dir = "{data}"

[[instances]]
id = "510100/intranet"
graphql = "127.0.0.1:18105"
store = {{ kind = "embedded" }}

[[instances]]
id = "510100/extranet"
graphql = "127.0.0.1:18106"
store = {{ kind = "embedded" }}

[[links]]
source = "510100/intranet"
target = "510100/extranet"
"""


def test_serve_runs_the_links_of_its_instance_and_reports_them(tmp_path: Path) -> None:
    topology = tmp_path / "topology.toml"
    topology.write_text(TOPOLOGY.format(data=tmp_path / "data"), encoding="utf-8")
    settings = Settings(instance="510100/intranet", topology=topology, data_dir=tmp_path)

    async def prepare(store: CatalogStore) -> None:
        entry = samples.entry(related_codes=(), derived_from=())
        await store.save(entry, None, outbox=outbox_record(entry))

    def sync(store: CatalogStore) -> Any:
        return open_sync(settings, load_topology(topology), store)

    app = create_app(settings, lambda: open_instance(settings, prepare=prepare, sync=sync))
    with TestClient(app) as client:
        deadline = time.monotonic() + 10
        while True:
            links = client.get("/health").json()["sync"]["links"]
            if (links and links[0]["produced"] == 1) or time.monotonic() > deadline:
                break
            time.sleep(0.05)
        assert [(s["link"], s["side"], s["produced"]) for s in links] == [
            ("510100/intranet>510100/extranet", "relay", 1)
        ]
        metrics = client.get("/metrics").text
        assert (
            'mulu_sync_events_produced_total{link="510100/intranet>510100/extranet"} 1.0' in metrics
        )
        assert 'mulu_sync_link_up{link="510100/intranet>510100/extranet",side="relay"} 1.0' in (
            metrics
        )
