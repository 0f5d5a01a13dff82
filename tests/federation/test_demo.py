"""`mulu demo` as a new user runs it from the README: started (over TLS, with the certificates
it issues), every printed curl example run with curl as printed — CA bundle, client certificate
and key included — and its answer checked against what the example claims, then stopped with
Ctrl-C; and, on a small sample, what it says on stderr when it starts (with `--no-tls`, the
development headers' warning), where it listens, and how it stops on SIGTERM."""

from __future__ import annotations

import contextlib
import ipaddress
import json
import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509

from federation.demo import DEMO_INSTANCES, demo_credentials, demo_groups, demo_processes
from federation.identity import PlatformCA, subject_of
from infra.net import free_port
from tests.federation.test_serve import mulu

# The README's examples are curl commands, and the test runs them as printed.
CURL = shutil.which("curl")

Answer = dict[str, Any]


def port_base(count: int) -> int:
    """A base such that base+1 … base+count are free on loopback now."""
    for _ in range(50):
        first = free_port()
        if first + count > 65535:
            continue
        sockets = []
        try:
            for port in range(first, first + count):
                sock = socket.socket()
                sockets.append(sock)
                sock.bind(("127.0.0.1", port))
        except OSError:
            continue
        finally:
            for sock in sockets:
                sock.close()
        return first - 1
    raise RuntimeError(f"no {count} consecutive free ports found")


class Demo:
    def __init__(
        self, process: subprocess.Popen[str], out: Path, err: Path, base: int, started: float
    ) -> None:
        self.process = process
        self.out = out
        self.err = err
        self.base = base
        self.started = started
        self.lines: list[str] = []

    def wait_ready(self, seconds: float = 120) -> float:
        deadline = time.monotonic() + seconds
        while True:
            self.lines = self.out.read_text(encoding="utf-8").splitlines()
            if any(line.startswith("ready in ") for line in self.lines):
                return time.monotonic() - self.started
            assert self.process.poll() is None, "\n".join(self.lines)
            assert time.monotonic() < deadline, "mulu demo was not ready in time"
            time.sleep(0.1)

    def examples(self) -> dict[str, str]:
        """The printed examples: key → curl command line."""
        found: dict[str, str] = {}
        key = None
        for line in self.lines:
            heading = re.match(r"# \[([a-z-]+)\]", line)
            if heading:
                key = heading.group(1)
            elif line.startswith("curl ") and key:
                found[key] = line
                key = None
        return found


@pytest.fixture
def start_demo(tmp_path: Path) -> Iterator[Callable[..., Demo]]:
    """Starts `mulu demo` with extra arguments, as a user would; killed at the end if alive."""
    started: list[Demo] = []

    def start(*args: str) -> Demo:
        base = port_base(6)
        out, err = tmp_path / "demo.out", tmp_path / "demo.err"
        env = {k: v for k, v in os.environ.items() if not k.startswith("MULU_")}
        began = time.monotonic()
        with out.open("w", encoding="utf-8") as stdout, err.open("w") as stderr:
            process = subprocess.Popen(
                [*mulu(), "demo", "--port-base", str(base), *args],
                cwd=tmp_path,
                env=env,
                stdout=stdout,
                stderr=stderr,
                text=True,
            )
        started.append(Demo(process, out, err, base, began))
        return started[-1]

    try:
        yield start
    finally:
        for demo in started:
            if demo.process.poll() is None:
                demo.process.kill()
                demo.process.wait()


@pytest.fixture
def demo(start_demo: Callable[..., Demo]) -> Demo:
    """The demo in two processes (the default where there is a second core): the extranets in a
    child, every example answered all the same."""
    return start_demo("--processes", "2")


def run_curl(command: str) -> Answer:
    words = shlex.split(command)
    assert words[0] == "curl"
    assert CURL is not None, "curl is needed to run the README's examples as a user would"
    done = subprocess.run(
        [CURL, *words[1:]], capture_output=True, text=True, timeout=30, check=True
    )
    answer: Answer = json.loads(done.stdout)
    assert not answer.get("errors"), answer
    return answer["data"]  # type: ignore[no-any-return]


def code_in(command: str) -> str:
    found = re.search(r'code: \\"([^\\]+)\\"', command)
    assert found, command
    return found.group(1)


def peers_national(data: Answer, command: str) -> None:
    found = data["resource"]
    assert found["code"] == code_in(command)
    assert found["origin"] == "national/intranet"


def peers_provincial(data: Answer, command: str) -> None:
    page = data["resources"]
    assert page["edges"], "no provincial entry found through the parent"
    assert {e["node"]["origin"] for e in page["edges"]} == {"510000/intranet"}
    assert page["unreachablePeers"] == []


def nation_finds_city(data: Answer, command: str) -> None:
    page = data["resources"]
    assert page["totalCount"] > 100
    assert {e["node"]["origin"] for e in page["edges"]} == {"510100/intranet"}


def classified_here(data: Answer, command: str) -> None:
    assert data["resource"]["code"] == code_in(command)
    assert data["resource"]["classification"] == "CLASSIFIED"


def absent(data: Answer, command: str) -> None:
    assert data["resource"] is None


def lineage_upstream(data: Answer, command: str) -> None:
    lineage = data["lineage"]
    root = code_in(command)
    assert lineage["root"] == root
    assert any(edge["derived"] == root for edge in lineage["edges"])
    origins = {n["resource"]["origin"] for n in lineage["nodes"] if n["resource"]}
    assert len(origins) >= 2, "the upstream stays within one level"


CLAIMS: dict[str, Callable[[Answer, str], None]] = {
    "peers-national-from-city": peers_national,
    "peers-provincial-from-city-extranet": peers_provincial,
    "nation-finds-city": nation_finds_city,
    "classified-on-city-intranet": classified_here,
    "classified-absent-city-extranet": absent,
    "classified-absent-national-extranet": absent,
    "lineage-upstream": lineage_upstream,
}


def test_mulu_demo_answers_every_printed_example_and_stops_on_ctrl_c(demo: Demo) -> None:
    ready = demo.wait_ready()
    print(f"mulu demo ready in {ready:.1f} s (as measured by the test)")
    printed = demo.examples()
    assert set(printed) == set(CLAIMS), printed
    for key, command in printed.items():
        words = shlex.split(command)
        assert "--cacert" in words, command  # over TLS, with the demo's own CA
        assert "X-Mulu-Dev-Department" not in command
        if key != "peers-provincial-from-city-extranet":  # the anonymous one
            assert {"--cert", "--key"} <= set(words), command
        CLAIMS[key](run_curl(command), command)
    graphiql = [line for line in demo.lines if "/graphql" in line and line.startswith("  ")]
    assert len(graphiql) == 6
    assert all("https://127.0.0.1:" in line for line in graphiql)
    assert "identity headers" not in demo.err.read_text(encoding="utf-8")
    assert any(line.startswith("ready in ") and "in 2 processes" in line for line in demo.lines)
    sync = next(line for line in demo.lines if line.startswith("sync: "))
    applied, held_back = map(int, re.findall(r"\((\d+) copies applied, (\d+) classified", sync)[0])
    assert applied > 2000  # every process's copies: the extranets' child applies most
    assert held_back > 0

    demo.process.send_signal(signal.SIGINT)
    assert demo.process.wait(timeout=30) == 0
    lines = demo.out.read_text(encoding="utf-8").splitlines()
    assert lines[-1] == "mulu demo: stopped."
    assert_stopped_cleanly(demo.err.read_text(encoding="utf-8"))


def assert_stopped_cleanly(stderr: str) -> None:
    """Nothing on stderr that says a task or a request failed while the process stopped."""
    for sign in ("Task exception was never retrieved", "Traceback", '"level": "ERROR"'):
        assert sign not in stderr, stderr[-4000:]


def test_mulu_demo_stops_on_sigterm_with_exit_code_0_and_nothing_failed_on_stderr(
    start_demo: Callable[..., Demo],
) -> None:
    """Defect class 8 of issue 13: on SIGTERM every link's reader was left reading a change log
    that had been closed under it ("Task exception was never retrieved … LogClosed" once per
    link); the readers stop before the log closes."""
    demo = start_demo("--sample", "100")
    demo.wait_ready()
    demo.process.send_signal(signal.SIGTERM)
    assert demo.process.wait(timeout=30) == 0
    assert demo.out.read_text(encoding="utf-8").splitlines()[-1] == "mulu demo: stopped."
    assert_stopped_cleanly(demo.err.read_text(encoding="utf-8"))


def listening(pid: int) -> set[tuple[str, int]]:
    """The TCP addresses process `pid` listens on (Linux: its sockets in /proc/<pid>/net)."""
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        with contextlib.suppress(OSError):  # closed meanwhile
            target = os.readlink(fd)
            if target.startswith("socket:["):
                inodes.add(target[len("socket:[") : -1])
    found = set()
    for table in ("tcp", "tcp6"):
        for row in Path(f"/proc/{pid}/net/{table}").read_text().splitlines()[1:]:
            fields = row.split()
            local, state, inode = fields[1], fields[3], fields[9]
            if state != "0A" or inode not in inodes:  # 0A: LISTEN
                continue
            raw, port = local.split(":")
            # The kernel prints each 32-bit word of the address in host (little-endian) order.
            words = [bytes.fromhex(raw[i : i + 8])[::-1] for i in range(0, len(raw), 8)]
            found.add((str(ipaddress.ip_address(b"".join(words))), int(port, 16)))
    return found


def family(pid: int) -> list[int]:
    """`pid` and its descendants (Linux: /proc/<pid>/task/*/children): the demo's child
    processes serve its extranets."""
    found = [pid]
    for task in Path(f"/proc/{pid}/task").iterdir():
        with contextlib.suppress(OSError):
            for child in (task / "children").read_text().split():
                found += family(int(child))
    return found


def test_mulu_demo_without_tls_says_on_stderr_that_anyone_on_its_ports_can_act_as_any_department_and_listens_on_loopback_only(  # noqa: E501
    start_demo: Callable[..., Demo],
) -> None:
    """Defect class 7 of issue 13: without TLS every instance of the demo believes the
    development identity headers — extranets included — and nothing said so. It says it before
    any instance listens (a block on stderr and a WARNING record in the log), and listens on
    127.0.0.1 alone, over plain HTTP."""
    demo = start_demo("--sample", "100", "--no-tls")
    demo.wait_ready()
    err = demo.err.read_text(encoding="utf-8")
    assert err.startswith("!!!!"), err[:500]  # first, before anything else the demo logs
    assert "development identity headers are ON" in err
    assert "can act as ANY department or reviewer" in err
    for offset, (instance, _) in enumerate(DEMO_INSTANCES, start=1):
        assert re.search(
            rf"^ +{re.escape(instance)} +127\.0\.0\.1:{demo.base + offset}  \(this machine only\)$",
            err,
            re.MULTILINE,
        ), instance
    records = [json.loads(line) for line in err.splitlines() if line.startswith("{")]
    warning = next(r for r in records if r["logger"] == "mulu.identity")
    assert warning["level"] == "WARNING"
    assert warning["loopback_only"] is True
    assert set(warning["instances"]) == {instance for instance, _ in DEMO_INSTANCES}
    assert any("X-Mulu-Dev-" in line and "any department" in line for line in demo.lines)

    ports = {demo.base + offset for offset in range(1, len(DEMO_INSTANCES) + 1)}
    found = set().union(*(listening(pid) for pid in family(demo.process.pid)))
    assert found == {("127.0.0.1", port) for port in ports}
    assert any(f"http://127.0.0.1:{demo.base + 1}/graphql" in line for line in demo.lines)


def test_the_demo_s_certificates_are_issued_once_and_re_used_with_a_kept_data_dir(
    tmp_path: Path,
) -> None:
    department, reviewer = "11510100044697436U", "1110000005865586X6"
    first = demo_credentials(tmp_path / "pki", department, reviewer)
    issued = {p: p.read_bytes() for p in (tmp_path / "pki").rglob("*.crt")}
    ca = PlatformCA.open(tmp_path / "pki")
    assert {(r.kind, r.name) for r in ca.issued()} == {
        *(("instance", instance) for instance, _ in DEMO_INSTANCES),
        ("department", department),
        ("department", reviewer),
    }
    crl = ca.crl_path.read_bytes()
    again = demo_credentials(tmp_path / "pki", department, reviewer)
    assert again == first
    assert {p: p.read_bytes() for p in (tmp_path / "pki").rglob("*.crt")} == issued
    assert ca.crl_path.read_bytes() != crl  # written again: a kept CRL would expire
    city = x509.load_pem_x509_certificate(
        (tmp_path / "pki" / "instances" / "510100-intranet.crt").read_bytes()
    )
    assert subject_of(city).instance_id == "510100/intranet"
    for (cert, _), code in ((first.department, department), (first.reviewer, reviewer)):
        named = subject_of(x509.load_pem_x509_certificate(cert.read_bytes()))
        assert named.department_code == code


@pytest.mark.parametrize(("cores", "processes"), [(1, 1), (2, 2), (8, 2)])
def test_the_demo_runs_in_two_processes_where_the_machine_has_a_second_core(
    cores: int, processes: int
) -> None:
    assert demo_processes(cores) == processes


def test_the_demo_s_groups_keep_the_intranets_in_its_own_process() -> None:
    intranets = ("national/intranet", "510000/intranet", "510100/intranet")
    assert demo_groups(2) == [
        intranets,
        ("national/extranet", "510000/extranet", "510100/extranet"),
    ]
    assert demo_groups(4)[1:] == [
        ("national/extranet",),
        ("510000/extranet",),
        ("510100/extranet",),
    ]
    with pytest.raises(ValueError, match="--processes 5: give 1 to 4"):
        demo_groups(5)
