"""The `mulu` command.

$ mulu settings                      # the effective configuration, secrets masked
$ mulu serve --sample 2000           # one instance with a sample catalog, on :8000
$ mulu sync -c 510100-intranet.toml  # only the sync links of one instance
$ mulu calendar show 2027            # a year's holidays and make-up workdays (调休)
$ mulu rules                         # the deadlines and rules in force, with their articles
$ mulu report yearly 2026 --out out/ # the yearly report of sharing: xlsx and html
$ mulu kafka provision TOPOLOGY      # a topology's principals, link topics and ACLs
$ mulu import 目录.xlsx -d CODE      # a department's catalog spreadsheet, as its drafts
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console

from federation.audit.cli import audit
from federation.exchange.cli import export_command, import_command
from federation.identity.cli import pki
from federation.identity.departments import departments
from federation.options import ConfigOption
from federation.provision import kafka
from federation.reports.cli import report
from federation.settings import Settings, load_settings
from federation.sharing.cli import calendar, rules

if TYPE_CHECKING:
    from contextlib import AbstractAsyncContextManager

    from sync.worker import SyncWorker

__all__ = ["app"]

app = typer.Typer(
    name="mulu",
    help="mulu (目录): the federated catalog of government information resources.",
    no_args_is_help=True,
    add_completion=False,
)
app.add_typer(pki)
app.add_typer(audit)
app.add_typer(departments)
app.add_typer(calendar)
app.add_typer(report)
app.add_typer(kafka)
app.command("rules")(rules)
app.command("import")(import_command)
app.command("export")(export_command)


@app.callback()
def main() -> None:
    """mulu (目录): the federated catalog of government information resources."""


@app.command()
def settings(config: ConfigOption = None) -> None:
    """Print the effective settings (environment + file + defaults), secrets masked."""
    Console().print_json(load_settings(config).model_dump_json())


@app.command()
def serve(
    config: ConfigOption = None,
    sample: Annotated[
        int | None,
        typer.Option(help="first load about this many sample entries into the catalog", min=1),
    ] = None,
    host: Annotated[str | None, typer.Option(help="address to listen on")] = None,
    port: Annotated[int | None, typer.Option(help="port to listen on", min=0, max=65535)] = None,
) -> None:
    """Run one instance: /graphql (GraphiQL in a browser), /health and /metrics."""
    import asyncio
    from collections.abc import AsyncIterator
    from contextlib import asynccontextmanager

    import uvicorn

    from federation.app import create_app
    from federation.dev_identity import warn_dev_identity
    from federation.garbage import settle_after_start
    from federation.identity.tls import HandshakeRefusals, uvicorn_options
    from federation.instance import Instance, check_sync, open_instance, open_sync
    from federation.logging import configure_logging
    from federation.runtime import http_options
    from federation.sample import load_instance_sample
    from federation.topology import load_topology
    from graph import CatalogStore
    from sync.errors import SyncError

    overrides: dict[str, Any] = {}
    if host is not None:
        overrides["host"] = host
    if port is not None:
        overrides["port"] = port
    try:
        chosen = load_settings(config, **overrides)
        # Its peers and links; its store comes from the settings, so no secret is read.
        topology = load_topology(chosen.topology, None) if chosen.topology else None
        if topology is not None:
            topology.instance(chosen.catalog().id)  # it names this instance
        refusals = HandshakeRefusals()  # certificates the handshake refuses, for the audit log
        tls_options = uvicorn_options(chosen.tls, refusals)  # files read now: a bad one stops
    except (OSError, ValueError) as exc:  # a missing file, an invalid setting or topology
        raise typer.BadParameter(str(exc), param_hint="--config / MULU_*") from exc
    configure_logging(chosen.log_level)
    if chosen.dev_identity_header and not chosen.tls.identifies:  # TLS: the headers are ignored
        warn_dev_identity({chosen.catalog().id: (chosen.host, chosen.port)})
    try:  # Kafka refusing this instance's principal: one line, before the server starts
        asyncio.run(check_sync(chosen, topology, chosen.catalog().id))
    except SyncError as exc:
        Console(stderr=True, highlight=False).print(f"mulu serve: {exc}", soft_wrap=True)
        raise typer.Exit(1) from None

    async def load(store: CatalogStore) -> None:
        if sample is not None:
            await load_instance_sample(store, sample)

    def sync(store: CatalogStore) -> AbstractAsyncContextManager[SyncWorker | None]:
        return open_sync(chosen, topology, store)  # the topology's links of this instance

    @asynccontextmanager
    async def opened() -> AsyncIterator[Instance]:
        async with open_instance(chosen, topology=topology, prepare=load, sync=sync) as started:
            settle_after_start()  # as a Runtime does once its instances have started
            yield started

    instance = create_app(chosen, opened, handshake_refusals=refusals)
    uvicorn.run(
        instance,
        host=chosen.host,
        port=chosen.port,
        log_config=None,
        access_log=False,
        lifespan="on",
        **http_options(tls_options),
    )


@app.command("load")
def load(
    file: Annotated[
        Path | None,
        typer.Argument(help="JSON Lines: one entry a line, as graph.snapshot writes one"),
    ] = None,
    sample: Annotated[
        int | None,
        typer.Option(help="the sample catalog's own entries of this instance, about this many"),
    ] = None,
    config: ConfigOption = None,
) -> None:
    """Write entries into this instance's store with their change events, as its own
    maintenance would, so that its links carry them on (the instance may be running)."""
    import asyncio

    from federation.loading import LoadRefused, load_entries, own_sample, read_entries
    from federation.options import settings_from, store_of
    from graph.errors import CatalogError

    if (file is None) == (sample is None):
        raise typer.BadParameter("give a FILE or --sample N, not both", param_hint="FILE")
    settings = settings_from(config)

    async def run() -> str:
        async with store_of(settings) as store:
            if sample is not None:
                reference, entries = own_sample(store.catalog, sample)
                report = await load_entries(store, entries, where="sample", reference=reference)
            else:
                assert file is not None
                entries = await asyncio.to_thread(read_entries, file)
                report = await load_entries(store, entries, where=str(file))
            return (
                f"mulu load: {report.written} entries written to {store.catalog.id} with their "
                f"change events; {report.skipped} already held at that version or newer"
            )

    try:
        typer.echo(asyncio.run(run()))
    except (LoadRefused, OSError) as exc:
        typer.echo(f"mulu load: {exc}; nothing was written", err=True)
        raise typer.Exit(2) from None
    except CatalogError as exc:  # the store failed mid-way: each batch is whole or absent
        typer.echo(
            f"mulu load: {exc}; the batches before it were written — run it again: what is "
            "held is skipped",
            err=True,
        )
        raise typer.Exit(1) from None


@app.command("sync")
def sync_links(config: ConfigOption = None) -> None:
    """Run only the sync of one instance — the relays and consumers of the links its topology
    names for it — until Ctrl-C; its status is logged every minute."""
    import asyncio
    import contextlib

    from federation.logging import configure_logging

    try:
        chosen = load_settings(config)
    except (OSError, ValueError) as exc:
        raise typer.BadParameter(str(exc), param_hint="--config / MULU_*") from exc
    if chosen.topology is None:
        raise typer.BadParameter(
            "no topology: set `topology` (and `instance`) so the links can be found",
            param_hint="--config / MULU_TOPOLOGY",
        )
    configure_logging(chosen.log_level)
    with contextlib.suppress(KeyboardInterrupt):  # Ctrl-C: the workers stop cleanly
        asyncio.run(_run_sync(chosen, chosen.topology))


async def _run_sync(settings: Settings, topology_file: Path) -> None:
    import asyncio
    import logging

    from federation.instance import open_store, open_sync
    from federation.topology import load_topology

    log = logging.getLogger("mulu.sync")
    topology = load_topology(topology_file, None)  # its store comes from the settings
    async with open_store(settings) as store, open_sync(settings, topology, store) as worker:
        if worker is None:
            raise typer.BadParameter(
                f"the topology names no link of {store.catalog.id}", param_hint="--config"
            )
        log.info("sync running", extra={"links": [s.link for s in worker.statuses()]})
        while True:
            await asyncio.sleep(60)
            log.info("sync status", extra={"links": [s.as_dict() for s in worker.statuses()]})


@app.command()
def demo(
    port_base: Annotated[
        int,
        typer.Option(help="the instances listen on 127.0.0.1, ports base+1 … base+6", min=0),
    ] = 8100,
    sample: Annotated[
        int, typer.Option(help="about this many entries of 成都 and 四川, synced upward", min=1)
    ] = 2000,
    data_dir: Annotated[
        Path | None,
        typer.Option(
            help="keep the stores, the log and the certificates here (default: a temporary "
            "directory)"
        ),
    ] = None,
    tls: Annotated[
        bool,
        typer.Option(
            help="HTTPS with the demo's own CA and certificates (--no-tls: plain HTTP, callers "
            "named by the development headers; for development only)"
        ),
    ] = True,
    processes: Annotated[
        int | None,
        typer.Option(
            help="1: every instance in this process; 2 to 4: the extranets in child "
            "processes (default: 2 where the machine has a second core, else 1)"
        ),
    ] = None,
) -> None:
    """The nation, 四川 and 成都 (intranet + extranet), with a synced sample catalog, GraphiQL
    and example queries; no servers needed. Ctrl-C stops it."""
    import asyncio
    import shutil
    import tempfile

    from federation.demo import demo_groups, demo_processes, run_demo
    from federation.identity import PkiError
    from federation.logging import configure_logging
    from federation.processes import ChildDied

    if port_base + 6 > 65535:
        raise typer.BadParameter(f"{port_base} + 6 is above 65535", param_hint="--port-base")
    count = demo_processes() if processes is None else processes
    try:
        demo_groups(count)
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--processes") from exc
    configure_logging("WARNING")
    chosen = (data_dir or Path(tempfile.mkdtemp(prefix="mulu-demo-"))).resolve()
    try:
        asyncio.run(run_demo(port_base, sample, chosen, tls=tls, processes=count))
    except (OSError, PkiError, ChildDied) as exc:  # a port in use; a kept CA refusing
        Console(stderr=True).print(f"mulu demo: {exc}")
        raise typer.Exit(1) from None
    finally:
        if data_dir is None:
            shutil.rmtree(chosen, ignore_errors=True)


TopologyArgument = Annotated[
    Path, typer.Argument(help="the topology file, e.g. topologies/demo.toml", exists=True)
]


@app.command()
def up(
    topology: TopologyArgument,
    config: ConfigOption = None,
    detach: Annotated[
        bool,
        typer.Option(help="run in the background: pid file and log under the data_dir"),
    ] = False,
    start_servers: Annotated[
        bool,
        typer.Option(
            help="first start a Neo4j server (infra/, loopback) for each Neo4j-backed instance "
            "on its URI's port, with the password its password_env names"
        ),
    ] = False,
    log_file: Annotated[
        Path | None,
        typer.Option(
            help="append the JSON log lines to this file, rotated (with --detach: "
            "<data_dir>/mulu-up.log)"
        ),
    ] = None,
    wait: Annotated[
        float, typer.Option(help="with --detach: seconds to wait until it is ready", min=1)
    ] = 120.0,
    processes: Annotated[
        int,
        typer.Option(
            help="run the instances in this many child processes, Python using a core in each: "
            "with 2 or more the nation's instances get one of their own, the others are shared "
            "out by count (1: every instance in this process)"
        ),
    ] = 1,
    group: Annotated[
        str | None,
        typer.Option(hidden=True, help="these instances alone, as a child of --processes"),
    ] = None,
) -> None:
    """Start every instance of a topology, with its sync workers: in this process, or in
    --processes N processes."""
    import asyncio
    import os

    from federation.logging import configure_logging
    from federation.processes import ChildDied, check_processes
    from federation.topology import TopologyError, load_topology
    from federation.up import pid_file, run_processes, run_up, running_pid
    from sync.errors import SyncError

    try:
        chosen = load_settings(config)
        if chosen.tls.enabled:
            raise ValueError(
                "tls.cert and tls.key name one instance's certificate: mulu up takes each "
                "instance's from the topology ([tls] and the instances' tls), so leave them out"
            )
        loaded = load_topology(topology)  # its secrets too: a missing one is refused here
        pid_path = pid_file(loaded)
    except (OSError, ValueError) as exc:  # TopologyError is a ValueError
        hint = "TOPOLOGY" if isinstance(exc, TopologyError) else "--config / MULU_*"
        raise typer.BadParameter(str(exc), param_hint=hint) from exc
    try:
        check_processes(processes, loaded)
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--processes") from exc
    if group is not None:  # a child of `mulu up --processes`: its parent checked the rest
        configure_logging(chosen.log_level)  # to stderr, which the parent writes to its log
        members = [i for i in group.split(",") if i]
        try:
            asyncio.run(run_up(loaded, chosen, group=members))
        except (OSError, SyncError, ValueError) as exc:
            Console(stderr=True, highlight=False).print(f"mulu up: {exc}", soft_wrap=True)
            raise typer.Exit(1) from None
        return
    already = running_pid(pid_path)
    if already is not None and already != os.getpid():  # a detached run is its own pid
        Console(stderr=True).print(
            f"mulu up: {topology} is already running (pid {already}); `mulu down {topology}`"
        )
        raise typer.Exit(1)
    if detach:
        _detach(topology, config, pid_path, start_servers, wait, processes)
        return
    configure_logging(chosen.log_level, path=log_file)
    try:
        if processes == 1:
            asyncio.run(run_up(loaded, chosen, start_servers=start_servers))
        else:
            asyncio.run(
                run_processes(
                    topology,
                    loaded,
                    chosen,
                    processes,
                    config=config,
                    start_servers=start_servers,
                )
            )
    except (OSError, SyncError, ChildDied) as exc:  # a port in use, a store or Kafka refusing
        Console(stderr=True, highlight=False).print(f"mulu up: {exc}", soft_wrap=True)
        raise typer.Exit(1) from None


def _detach(
    topology: Path,
    config: Path | None,
    pid_path: Path,
    start_servers: bool,
    wait: float,
    processes: int = 1,
) -> None:
    """`mulu up` again in a new session: its JSON log appended to <data_dir>/mulu-up.log
    (rotated), what it prints appended to <data_dir>/mulu-up.out — a restart keeps the log of
    the run before it; returns once it is ready, or says why it is not."""
    import subprocess
    import sys
    import time

    from federation.runtime import READY
    from federation.up import STARTING

    pid_path.parent.mkdir(parents=True, exist_ok=True)
    log_path = pid_path.with_suffix(".log")
    out_path = pid_path.with_suffix(".out")
    command = [sys.executable, "-c", "from federation.cli import app; app()", "up", str(topology)]
    command += ["--log-file", str(log_path)]
    if config is not None:
        command += ["--config", str(config)]
    if start_servers:
        command.append("--start-servers")
    if processes != 1:
        command += ["--processes", str(processes)]
    with out_path.open("a", encoding="utf-8") as out:
        out.write(f"-- mulu up --detach at {time.strftime('%Y-%m-%d %H:%M:%S %z')}\n")
        out.flush()
        began = out.tell()
        child = subprocess.Popen(
            command,
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    pid_path.write_text(f"{child.pid}\n", encoding="utf-8")
    deadline = time.monotonic() + wait

    def said() -> str:
        with out_path.open(encoding="utf-8", errors="replace") as handle:
            handle.seek(began)
            return handle.read()

    while READY not in said():
        code = child.poll()
        if code is not None or time.monotonic() > deadline:
            lines = said().splitlines()
            steps = [line.removeprefix(STARTING) for line in lines if line.startswith(STARTING)]
            reached = f"; the last step it began: {steps[-1]}" if steps else ""
            if code is None:
                child.terminate()
                try:
                    child.wait(15)
                    ended = "stopped it"
                except subprocess.TimeoutExpired:
                    child.kill()
                    ended = "it did not stop on SIGTERM within 15 s: killed it"
                why = f"it was not ready after {wait:.0f} s (--wait){reached}; {ended}"
            else:
                said_why = [line for line in lines if line.startswith("mulu up: ")]
                said_why = [line for line in said_why if not line.startswith(STARTING)]
                because = f": {said_why[-1].removeprefix('mulu up: ')}" if said_why else ""
                why = f"it exited with code {code}{because}{reached}"
            pid_path.unlink(missing_ok=True)
            tail = "\n".join(lines[-15:])
            Console(stderr=True, highlight=False).print(
                f"mulu up: did not start: {why}. The end of {out_path}:\n{tail}\n"
                f"(its log: {log_path})",
                soft_wrap=True,
            )
            raise typer.Exit(1)
        time.sleep(0.2)
    print(f"mulu up: {topology} running in the background (pid {child.pid}); log: {log_path}")
    print(f"stop it with: mulu down {topology}")


@app.command()
def down(
    topology: TopologyArgument,
    timeout: Annotated[
        float, typer.Option(help="seconds to wait after SIGTERM before SIGKILL", min=1)
    ] = 60.0,
) -> None:
    """Stop a `mulu up --detach` of the topology — its instances side by side — and say which
    did not stop in time and what they waited for; harmless when it is not running."""
    from federation.topology import TopologyError, load_topology
    from federation.up import pid_file, stop_detached

    try:
        path = pid_file(load_topology(topology, None))  # no secret needed
    except TopologyError as exc:
        raise typer.BadParameter(str(exc), param_hint="TOPOLOGY") from exc
    stopped = stop_detached(path, timeout)
    if stopped is None:
        print(f"mulu down: {topology} was not running")
    elif stopped.killed:
        which = "".join(f"\n  {i}: {why}" for i, why in stopped.not_stopped.items())
        which = (
            f" The instances still stopping, and what they waited for:{which}"
            if which
            else " (its log named no instance still stopping: it may not have begun to stop)"
        )
        Console(stderr=True, highlight=False).print(
            f"mulu down: {topology} (pid {stopped.pid}) did not stop within {timeout:.0f} s "
            f"of SIGTERM (--timeout); sent SIGKILL.{which}\nIts last log lines:\n"
            f"{stopped.last_words}",
            soft_wrap=True,
        )
        raise typer.Exit(1)
    else:
        print(f"mulu down: stopped {topology} (pid {stopped.pid}) in {stopped.seconds:.1f} s")
