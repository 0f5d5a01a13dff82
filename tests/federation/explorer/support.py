"""What the explorer's browser tests share: the demo topology on embedded stores (nation, 四川,
成都; intranet and extranet, synced), Debian's Chromium through Playwright with every request
to another address refused and counted, and the screenshots kept under `screenshots/`."""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import signal
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx

from federation.demo import DEMO_INSTANCES
from tests.federation.test_demo import port_base
from tests.federation.test_serve import mulu

SCREENSHOTS = Path(__file__).parent / "screenshots"


@dataclass(frozen=True)
class Topology:
    """The demo's six instances: their base URLs by instance id."""

    urls: dict[str, str]
    reviewer: str  # the demo's reviewer department, believed through the development headers

    def graphql(
        self, instance: str, query: str, headers: dict[str, str] | None = None, **variables: Any
    ) -> dict[str, Any]:
        """The instance's own answer, asked directly (not through a page)."""
        answer = httpx.post(
            self.urls[instance] + "/graphql",
            json={"query": query, "variables": variables},
            headers=headers or {},
            timeout=30,
        ).json()
        assert "errors" not in answer, answer
        data: dict[str, Any] = answer["data"]
        return data


@contextmanager
def demo_topology(data_dir: Path, sample: int = 300) -> Iterator[Topology]:
    """`mulu demo --no-tls` on free ports, until it says it is ready; Ctrl-C at the end."""
    base = port_base(len(DEMO_INSTANCES))
    out, err = data_dir / "demo.out", data_dir / "demo.err"
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    command = [*mulu(), "demo", "--no-tls", "--port-base", str(base), "--sample", str(sample)]
    command += ["--data-dir", str(data_dir / "demo")]
    with out.open("w") as stdout, err.open("w") as stderr:
        process = subprocess.Popen(command, stdout=stdout, stderr=stderr, env=env, text=True)
    try:
        deadline = time.monotonic() + 120
        while not any(line.startswith("ready in ") for line in out.read_text().splitlines()):
            assert process.poll() is None, out.read_text() + err.read_text()
            assert time.monotonic() < deadline, "mulu demo was not ready in 120 s"
            time.sleep(0.2)
        urls = {
            instance: f"http://127.0.0.1:{base + i}"
            for i, (instance, _) in enumerate(DEMO_INSTANCES, start=1)
        }
        printed = re.search(
            r"X-Mulu-Dev-Department: (\S+)' -H 'X-Mulu-Dev-Role: REVIEWER", out.read_text()
        )
        assert printed is not None, "the demo prints a reviewer's example"
        yield Topology(urls, printed.group(1))
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def chromium() -> str:
    """Debian's Chromium: the tests need it (`.ci/run` installs it); never skipped."""
    found = shutil.which("chromium")
    if found is None:
        raise RuntimeError(
            "chromium is not installed: the explorer is tested in Debian's Chromium "
            "(apt-get install chromium; .ci/run installs it)"
        )
    return found


@dataclass
class Visit:
    """One browser context on one instance: what it asked elsewhere (refused), what the
    instance answered, and what went wrong in the page."""

    origin: str
    page: Any
    refused: list[str] = field(default_factory=list)
    bodies: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    async def open(self, fragment: str, ready: str | None = None) -> None:
        """Go to ``/#/fragment`` and wait until the view says it is ready (or failed)."""
        await self.page.goto(f"{self.origin}/#/{fragment}")
        await self.wait(ready)

    async def until(self, script: str, arg: Any = None, seconds: float = 20) -> Any:
        """Poll `script` (a JS function of `arg`) until it answers truthy. Not Playwright's
        wait_for_function, which evaluates a string — and the pages' CSP forbids eval."""
        deadline = time.monotonic() + seconds
        while not (answer := await self.page.evaluate(script, arg)):
            assert time.monotonic() < deadline, f"not true after {seconds} s: {script}"
            await asyncio.sleep(0.05)
        return answer

    async def wait(self, ready: str | None = None) -> None:
        await self.until("() => document.documentElement.dataset.ready !== undefined")
        state = await self.page.evaluate("document.documentElement.dataset.ready")
        if ready is not None:
            assert state == ready, await self.page.inner_text("main")

    async def shot(self, name: str) -> None:
        SCREENSHOTS.mkdir(exist_ok=True)
        await self.page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


async def visit(browser: Any, origin: str, headers: dict[str, str] | None = None) -> Visit:
    """A fresh context on `origin`: any request to another address is aborted and counted.
    `headers` go with every request (the demo's development identity headers)."""
    context = await browser.new_context(
        viewport={"width": 1400, "height": 900},
        extra_http_headers=headers or {},
        accept_downloads=True,
    )
    page = await context.new_page()
    found = Visit(origin, page)
    own = urlsplit(origin).netloc

    async def gate(route: Any) -> None:
        if urlsplit(route.request.url).netloc == own:
            await route.continue_()
        else:
            found.refused.append(route.request.url)
            await route.abort()

    async def keep(response: Any) -> None:
        if "/vendor/" in response.url or "/explorer/echarts/" in response.url:
            return  # the libraries' own files: the same on every instance, no catalog data
        with suppress(Exception):
            found.bodies.append((await response.body()).decode("utf-8", "replace"))

    await context.route("**/*", gate)
    page.on("response", keep)
    page.on("pageerror", lambda error: found.problems.append(str(error)))
    page.on("console", lambda m: found.problems.append(m.text) if m.type == "error" else None)
    return found
