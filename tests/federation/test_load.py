"""``mulu load``: entries written into a running instance's store from another process, with
their change events, cross its links (federation.loading); a second load sends nothing; a
source with a stranger's entry is refused whole."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from federation.loading import own_sample
from federation.runtime import Runtime
from federation.settings import Settings
from federation.topology import load_topology
from graph import LifecycleState, Zone
from graph.model import Catalog
from graph.snapshot import resource_to_json

ROOT = Path(__file__).resolve().parents[2]
CITY, PROVINCE = "510100/intranet", "510000/intranet"
CITY_CATALOG = Catalog("510100", Zone.INTRANET, "成都市（内网）")
PROVINCE_CATALOG = Catalog("510000", Zone.INTRANET, "四川省（内网）")


def free_ports(count: int) -> list[int]:
    sockets = [socket.socket() for _ in range(count)]
    for s in sockets:
        s.bind(("127.0.0.1", 0))
    ports = [s.getsockname()[1] for s in sockets]
    for s in sockets:
        s.close()
    return ports


def mulu_load(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """`mulu load` as 成都's intranet, in a process of its own."""
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "MULU_INSTANCE": CITY,
        "MULU_DATA_DIR": str(data_dir),
    }
    return subprocess.run(
        [sys.executable, "-c", "from federation.cli import app; app()", "load", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=300,
    )


async def test_loaded_entries_cross_the_links_of_the_running_instance(tmp_path: Path) -> None:
    data = tmp_path / "data"
    ports = free_ports(2)
    topology = tmp_path / "t.toml"
    topology.write_text(
        f'data_dir = "{data}"\n'
        f'[[instances]]\nid = "{CITY}"\ngraphql = "127.0.0.1:{ports[0]}"\n'
        'store = { kind = "embedded" }\n'
        f'[[instances]]\nid = "{PROVINCE}"\ngraphql = "127.0.0.1:{ports[1]}"\n'
        'store = { kind = "embedded" }\n'
        f'[[links]]\nsource = "{CITY}"\ntarget = "{PROVINCE}"\n',
        encoding="utf-8",
    )
    _, entries = own_sample(CITY_CATALOG, 120)
    published = [e.code for e in entries if e.state is LifecycleState.PUBLISHED]
    assert published
    async with Runtime(load_topology(topology), settings=Settings(log_level="WARNING")) as up:
        province = up.instances[PROVINCE].store
        city = up.instances[CITY].store
        loaded = await asyncio.to_thread(mulu_load, data, "--sample", "120")
        assert loaded.returncode == 0, loaded.stderr
        assert f"{len(entries)} entries written to {CITY}" in loaded.stdout
        started = time.monotonic()
        while len(await province.get_many(published)) < len(published):
            assert time.monotonic() - started < 30, "the loaded entries did not cross"
            await asyncio.sleep(0.1)
        assert time.monotonic() - started < 15  # not the relay's minute-long safety look

        sent = await city.outbox_after(0, 100_000)
        again = await asyncio.to_thread(mulu_load, data, "--sample", "120")
        assert again.returncode == 0, again.stderr
        assert "0 entries written" in again.stdout
        assert f"{len(entries)} already held" in again.stdout
        assert await city.outbox_after(0, 100_000) == sent  # nothing sent twice


async def test_a_file_naming_another_catalogs_entry_is_refused_whole(tmp_path: Path) -> None:
    _, own = own_sample(CITY_CATALOG, 5)
    _, strangers = own_sample(PROVINCE_CATALOG, 1)
    lines = [resource_to_json(e) for e in [*own[:3], strangers[0]]]
    source = tmp_path / "entries.jsonl"
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    data = tmp_path / "data"
    refused = await asyncio.to_thread(mulu_load, data, str(source))
    assert refused.returncode == 2
    assert "entry 4" in refused.stderr
    assert "only this instance's own entries" in refused.stderr
    assert "nothing was written" in refused.stderr

    good = tmp_path / "good.jsonl"
    good.write_text("\n".join(lines[:3]) + "\n", encoding="utf-8")
    loaded = await asyncio.to_thread(mulu_load, data, str(good))
    assert loaded.returncode == 0, loaded.stderr
    assert "3 entries written" in loaded.stdout


def test_a_line_nested_too_deep_is_refused_naming_it(tmp_path: Path) -> None:
    from federation.loading import LoadRefused, read_entries

    source = tmp_path / "entries.jsonl"
    source.write_text("\n" + "[" * 100_000 + "]" * 100_000 + "\n", encoding="utf-8")
    with pytest.raises(LoadRefused, match="line 2: not an entry"):  # once a RecursionError
        read_entries(source)
