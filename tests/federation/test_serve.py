"""`mulu serve --sample 500` as a user runs it: a process on a free port, asked over HTTP like
curl would, then stopped with SIGTERM."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from infra.net import free_port

QUERY = """{
  resources(search: "人口", first: 3) {
    totalCount
    edges { node { code name provider { name } catalogPath { id } } }
  }
}"""


def mulu() -> list[str]:
    installed = shutil.which("mulu")
    return (
        [installed]
        if installed
        else [sys.executable, "-c", "from federation.cli import app; app()"]
    )


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, subprocess.Popen[str]]]:
    port = free_port()
    log = (tmp_path / "serve.log").open("w")
    env = {k: v for k, v in os.environ.items() if not k.startswith("MULU_")}
    process = subprocess.Popen(
        [*mulu(), "serve", "--sample", "500", "--port", str(port)],
        cwd=tmp_path,  # the embedded store goes to ./var
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        text=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert process.poll() is None, (tmp_path / "serve.log").read_text()
            try:
                if httpx.get(f"{url}/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "mulu serve did not become healthy in 60 s"
            time.sleep(0.2)
        yield url, process
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        log.close()


def test_mulu_serve_answers_like_curl(
    served: tuple[str, subprocess.Popen[str]], tmp_path: Path
) -> None:
    url, process = served
    answer = httpx.post(f"{url}/graphql", json={"query": QUERY}, timeout=10).json()
    assert "errors" not in answer, answer
    page = answer["data"]["resources"]
    assert page["totalCount"] > 0
    first = page["edges"][0]["node"]
    assert first["catalogPath"][-1]["id"] == "national/intranet"

    total = httpx.post(f"{url}/graphql", json={"query": "{ resources { totalCount } }"}).json()
    assert 400 <= total["data"]["resources"]["totalCount"] <= 600  # about 500 published or not

    health = httpx.get(f"{url}/health").json()
    assert health["store"] == {"kind": "embedded", "state": "up"}
    metrics = httpx.get(f"{url}/metrics").text
    assert "mulu_http_requests_total" in metrics
    # Started, the process froze its start-up heap (federation.garbage.settle_after_start).
    frozen = re.search(r"^mulu_gc_frozen_objects (\S+)$", metrics, re.MULTILINE)
    assert frozen is not None
    assert float(frozen.group(1)) > 0
    assert "graphiql" in httpx.get(f"{url}/graphql", headers={"Accept": "text/html"}).text.lower()

    process.send_signal(signal.SIGTERM)
    # uvicorn shuts down gracefully, then re-raises the signal it caught.
    assert process.wait(timeout=20) in (0, -signal.SIGTERM)
    lines = (tmp_path / "serve.log").read_text().splitlines()
    assert any('"message": "instance stopping"' in line for line in lines)
    assert any('"message": "Application shutdown complete."' in line for line in lines)
    assert (tmp_path / "var" / "510100-intranet.db").is_file()
