"""`mulu up TOPOLOGY --processes N`: the instances in child processes, really started on
loopback. An entry written at 成都 crosses into the processes of 四川's extranet-less neighbours
— the nation and 成都's extranet — within seconds, a classified one still held back from the
extranet; a child killed makes the parent stop the others and exit non-zero naming it; SIGTERM
to the parent stops every child; `--detach` and `mulu down` work on the parent; a bad
--processes is refused naming it. And the grouping rule, exhaustively on the national
simulation's topology."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import subprocess
import time
from pathlib import Path

import pytest

from federation.processes import check_processes, groups
from federation.runtime import READY, Runtime
from federation.topology import load_topology
from graph import Classification
from graph.embedded import EmbeddedStore
from infra.net import free_ports, port_answers
from sync.events import outbox_record
from tests.federation.test_demo import assert_stopped_cleanly
from tests.federation.test_serve import mulu
from tests.federation.test_up import found, run, until
from tests.sync import samples
from tests.sync.mesh import CATALOGS

NATION, PROVINCE = "national/intranet", "510000/intranet"
CITY, CITY_E = "510100/intranet", "510100/extranet"
OPEN = "301001001/000601"
SECRET = "301001001/000602"


def write_topology(path: Path, ports: dict[str, int]) -> None:
    """The nation, 四川 and 成都 (in that order) and 成都's extranet: with --processes 3 the
    groups are the nation, 四川 with 成都, and 成都's extranet."""
    blocks = ['data_dir = "state"\n']
    for instance, port in ports.items():
        blocks.append(
            f'[[instances]]\nid = "{instance}"\ngraphql = "127.0.0.1:{port}"\n'
            'store = { kind = "embedded" }\n'
        )
    for source, target in ((CITY, PROVINCE), (PROVINCE, NATION), (CITY, CITY_E)):
        blocks.append(f'[[links]]\nsource = "{source}"\ntarget = "{target}"\n')
    path.write_text("\n".join(blocks), encoding="utf-8")


def small(tmp_path: Path) -> tuple[Path, dict[str, int]]:
    ports = dict(zip((NATION, PROVINCE, CITY, CITY_E), free_ports(4), strict=True))
    topology = tmp_path / "small.toml"
    write_topology(topology, ports)
    return topology, ports


async def publish_at_the_city(store_path: Path) -> None:
    """The city's maintenance, from another process: an open entry and a classified one,
    each with its change event."""
    async with EmbeddedStore.open(store_path, CATALOGS[CITY]) as city:
        for entry in (
            samples.entry(OPEN, related_codes=(), derived_from=(), open_to_public=True),
            samples.entry(
                SECRET, related_codes=(), derived_from=(), classification=Classification.CLASSIFIED
            ),
        ):
            await city.save(entry, None, outbox=outbox_record(entry))


def children_of(out: str) -> list[int]:
    """The children's pids, from the parent's ready line."""
    line = next(line for line in out.splitlines() if line.startswith(READY))
    listed = re.search(r"its children ([\d, ]+)\)", line)
    assert listed, line
    return [int(pid) for pid in listed.group(1).split(", ")]


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A child the test's process did not start is reaped by its parent: a zombie is gone too.
    stat = Path(f"/proc/{pid}/stat")
    return stat.exists() and stat.read_text().rsplit(")", 1)[1].split()[0] != "Z"


class Parent:
    """`mulu up TOPOLOGY --processes N` in the foreground, its output in files."""

    def __init__(self, tmp_path: Path, topology: Path, processes: int) -> None:
        self.out, self.err = tmp_path / "up.out", tmp_path / "up.err"
        environment = {k: v for k, v in os.environ.items() if not k.startswith("MULU_")}
        with self.out.open("w") as stdout, self.err.open("w") as stderr:
            self.process = subprocess.Popen(
                [*mulu(), "up", str(topology), "--processes", str(processes)],
                cwd=tmp_path,
                env=environment,
                stdout=stdout,
                stderr=stderr,
                text=True,
            )

    def wait_ready(self, seconds: float = 60) -> list[int]:
        until(lambda: READY in self.out.read_text() or self.process.poll() is not None, seconds)
        assert self.process.poll() is None, self.out.read_text() + self.err.read_text()
        return children_of(self.out.read_text())

    def end(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()


def test_entries_cross_between_processes_and_down_stops_every_one(tmp_path: Path) -> None:
    topology, ports = small(tmp_path)
    started = run(tmp_path, "up", str(topology), "--detach", "--processes", "3")
    assert started.returncode == 0, started.stdout + started.stderr
    pid = int((tmp_path / "state" / "mulu-up.pid").read_text())
    said = (tmp_path / "state" / "mulu-up.out").read_text(encoding="utf-8")
    children = children_of(said)
    try:
        assert len(children) == 3
        assert all(port_answers(port) for port in ports.values())
        for instance, port in ports.items():  # each child's instances, as mulu up prints them
            assert f"  {instance}  http://127.0.0.1:{port}/graphql  (" in said

        began = time.monotonic()
        asyncio.run(publish_at_the_city(tmp_path / "state" / "510100-intranet.db"))
        # 成都 → 四川 in one process, 四川 → the nation into another: a hop between processes.
        until(lambda: found(ports[NATION], OPEN) is not None, 20)
        until(lambda: found(ports[NATION], SECRET) is not None, 20)  # intranet: classified ok
        # 成都 → its extranet, another process: the mirror's guard, per link, as before.
        until(lambda: found(ports[CITY_E], OPEN) is not None, 20)
        crossed = time.monotonic() - began
        assert found(ports[CITY_E], SECRET) is None
        assert found(ports[NATION], OPEN)["origin"] == CITY
        assert crossed < 10, f"two hops and a crossing took {crossed:.1f} s"
    finally:
        stopped = run(tmp_path, "down", str(topology))
    assert stopped.returncode == 0, stopped.stderr
    assert f"pid {pid}" in stopped.stdout
    assert not any(port_answers(port) for port in ports.values())
    assert not any(alive(p) for p in [pid, *children])
    log = (tmp_path / "state" / "mulu-up.log").read_text(encoding="utf-8")
    assert log.count('"message": "topology running"') == 3  # every child's lines, one file
    said = (tmp_path / "state" / "mulu-up.out").read_text(encoding="utf-8")
    assert said.splitlines()[-1] == "mulu up: stopped."
    assert_stopped_cleanly(said + log)


def test_a_child_killed_stops_the_others_and_the_parent_exits_naming_it(tmp_path: Path) -> None:
    topology, ports = small(tmp_path)
    parent = Parent(tmp_path, topology, 2)
    try:
        nation, rest = parent.wait_ready()
        os.kill(nation, signal.SIGKILL)
        code = parent.process.wait(timeout=30)
    finally:
        parent.end()
    assert code == 1
    err = " ".join(parent.err.read_text().split())
    assert (
        f"mulu up: the process of {NATION} (pid {nation}) exited with code -9 "
        "(killed by SIGKILL); the other processes were stopped"
    ) in err
    until(lambda: not alive(rest), 10)
    assert not any(port_answers(port) for port in ports.values())


def test_sigterm_to_the_parent_stops_every_child(tmp_path: Path) -> None:
    topology, ports = small(tmp_path)
    parent = Parent(tmp_path, topology, 2)
    try:
        children = parent.wait_ready()
        parent.process.send_signal(signal.SIGTERM)
        code = parent.process.wait(timeout=30)
    finally:
        parent.end()
    assert code == 0, parent.err.read_text()[-3000:]
    assert parent.out.read_text().splitlines()[-1] == "mulu up: stopped."
    assert not any(alive(pid) for pid in children)
    assert not any(port_answers(port) for port in ports.values())
    assert_stopped_cleanly(parent.err.read_text())


def test_a_child_exits_when_its_parent_dies(tmp_path: Path) -> None:
    """SIGKILL leaves the parent no time to stop anyone: each child sees its pipe from the
    parent end, and stops."""
    topology, ports = small(tmp_path)
    parent = Parent(tmp_path, topology, 2)
    try:
        children = parent.wait_ready()
        parent.process.kill()
        parent.process.wait()
        until(lambda: not any(alive(pid) for pid in children), 30)
    finally:
        parent.end()
        for pid in children:
            if alive(pid):
                os.kill(pid, signal.SIGKILL)
    assert not any(port_answers(port) for port in ports.values())


@pytest.mark.parametrize("processes", ["0", "99", "-1"])
def test_a_processes_value_out_of_bounds_is_refused_naming_the_option(
    tmp_path: Path, processes: str
) -> None:
    topology, _ = small(tmp_path)
    refused = run(tmp_path, "up", str(topology), "--processes", processes)
    assert refused.returncode == 2
    said = " ".join(refused.stderr.split())
    assert "--processes" in said
    assert "give 1 to" in said, said


NATIONAL_62 = Path(__file__).resolve().parents[2] / "topologies" / "national-62.toml"


@pytest.mark.parametrize("processes", [1, 2, 3, 4, 7])
def test_the_nation_has_a_process_of_its_own_and_the_rest_are_shared_by_count(
    processes: int,
) -> None:
    topology = load_topology(NATIONAL_62)
    ids = list(topology.instances)
    chosen = groups(topology, processes)
    assert len(chosen) == processes
    assert [i for group in chosen for i in group] == ids  # every one once, in the file's order
    assert chosen == groups(topology, processes)  # deterministic
    if processes == 1:
        assert chosen == [tuple(ids)]
        return
    assert chosen[0] == ("national/intranet", "national/extranet")
    sizes = [len(group) for group in chosen[1:]]
    assert max(sizes) - min(sizes) <= 1
    assert sizes == sorted(sizes, reverse=True)


def test_the_bound_of_processes_is_four_a_core_and_a_process_per_group(tmp_path: Path) -> None:
    topology, _ = small(tmp_path)
    loaded = load_topology(topology)
    check_processes(3, loaded, cores=2)  # the nation, then 四川, 成都 and 成都's extranet
    assert [len(g) for g in groups(loaded, 3)] == [1, 2, 1]
    assert [len(g) for g in groups(loaded, 4)] == [1, 1, 1, 1]
    with pytest.raises(ValueError, match=r"--processes 5: give 1 to 4"):
        check_processes(5, loaded, cores=2)
    with pytest.raises(ValueError, match=r"--processes 0: give 1 to 4"):
        check_processes(0, loaded, cores=2)


def test_a_runtime_refuses_to_run_an_instance_its_topology_does_not_name(tmp_path: Path) -> None:
    topology, _ = small(tmp_path)
    loaded = load_topology(topology)
    assert Runtime(loaded, only=[NATION]).only == {NATION}
    assert Runtime(loaded).only == set(loaded.instances)
    with pytest.raises(ValueError, match="the topology has no instance 440100/intranet"):
        Runtime(loaded, only=[NATION, "440100/intranet"])
    with pytest.raises(ValueError, match="not none"):
        Runtime(loaded, only=[])
