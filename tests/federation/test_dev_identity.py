"""The warning that instances believe the development identity headers (defect class 7 of
issue 13: anyone who reaches such a port can act as any department or reviewer, and nothing
said so). `mulu demo` and `mulu up` are checked in test_demo and test_up; here the block itself
and `mulu serve`."""

from __future__ import annotations

import json
import logging
import os
import signal
import subprocess
import time
from io import StringIO
from pathlib import Path

import httpx
import pytest

from federation.dev_identity import dev_identity_warning, is_loopback, warn_dev_identity
from infra.net import free_port
from tests.federation.test_serve import mulu


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True),
        ("127.0.0.2", True),
        ("::1", True),
        ("[::1]", True),
        ("localhost", True),
        ("0.0.0.0", False),
        ("::", False),
        ("10.1.2.3", False),
        ("catalog.example.gov.cn", False),
    ],
)
def test_only_loopback_addresses_count_as_this_machine_only(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback


def test_the_warning_names_every_instance_and_who_can_reach_it() -> None:
    block = dev_identity_warning(
        {"510100/intranet": ("127.0.0.1", 8105), "510100/extranet": ("0.0.0.0", 8106)}
    )
    assert "development identity headers are ON" in block
    assert "510100/intranet  127.0.0.1:8105  (this machine only)" in block
    assert "510100/extranet  0.0.0.0:8106  (REACHABLE FROM OTHER MACHINES)" in block
    assert "ANYONE ON THE NETWORK who reaches 510100/extranet" in block
    only_here = dev_identity_warning({"510100/intranet": ("127.0.0.1", 8105)})
    assert "every user and program on this machine" in only_here
    assert "ANYONE ON THE NETWORK" not in only_here


def test_the_warning_goes_to_the_stream_and_to_the_log_as_a_warning(
    caplog: pytest.LogCaptureFixture,
) -> None:
    stream = StringIO()
    with caplog.at_level(logging.WARNING, logger="mulu.identity"):
        warn_dev_identity({"510100/extranet": ("0.0.0.0", 8106)}, stream=stream)
    assert "REACHABLE FROM OTHER MACHINES" in stream.getvalue()
    (record,) = [r for r in caplog.records if r.name == "mulu.identity"]
    assert record.levelno == logging.WARNING
    assert record.__dict__["instances"] == {"510100/extranet": "0.0.0.0:8106"}
    assert record.__dict__["loopback_only"] is False


def serve_stderr(tmp_path: Path, **env: str) -> str:
    """`mulu serve` started until healthy, then SIGTERM: what it wrote on stderr."""
    port = free_port()
    err = tmp_path / "serve.err"
    environment = {k: v for k, v in os.environ.items() if not k.startswith("MULU_")}
    with err.open("w") as stderr:
        process = subprocess.Popen(
            [*mulu(), "serve", "--port", str(port)],
            cwd=tmp_path,
            env=environment | env,
            stdout=subprocess.DEVNULL,
            stderr=stderr,
            text=True,
        )
    try:
        deadline = time.monotonic() + 60
        while True:
            assert process.poll() is None, err.read_text()
            try:
                if httpx.get(f"http://127.0.0.1:{port}/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "mulu serve did not become healthy in 60 s"
            time.sleep(0.2)
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    return err.read_text(encoding="utf-8")


def test_mulu_serve_with_the_dev_identity_headers_on_says_so_before_it_listens(
    tmp_path: Path,
) -> None:
    err = serve_stderr(tmp_path, MULU_DEV_IDENTITY_HEADER="true")
    assert err.startswith("!!!!"), err[:500]  # before uvicorn's first line
    assert "development identity headers are ON" in err
    assert "510100/intranet  127.0.0.1:" in err
    records = [json.loads(line) for line in err.splitlines() if line.startswith("{")]
    warning = next(r for r in records if r["logger"] == "mulu.identity")
    assert warning["level"] == "WARNING"
    assert warning["loopback_only"] is True


def test_mulu_serve_without_them_says_nothing_of_them(tmp_path: Path) -> None:
    assert "identity headers" not in serve_stderr(tmp_path)
