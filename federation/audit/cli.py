"""``mulu audit``: verify the audit log, export it, prune what the retention lets go.

$ mulu audit verify -c 510100-intranet.toml     # exit 1 naming the first broken record
$ mulu audit export --from 2026-01-01 --to 2026-02-01 > january.jsonl
$ mulu audit prune                              # records older than the retention only

Dates are Beijing dates (Asia/Shanghai): ``--from 2026-01-01`` starts at 00:00 Beijing time;
``--to`` is exclusive. An instant with its offset (``2026-01-01T08:00:00+08:00``) is taken as
given.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Annotated, TextIO

import typer
from cryptography import x509

from federation.options import ConfigOption, settings_from, store_of
from graph.audit.chain import Verification, Verifier
from graph.audit.checkpoint import checker
from graph.audit.export import line
from graph.audit.records import AuditFilter, AuditRecord
from graph.audit.retention import cutoff
from graph.dates import BEIJING
from graph.store import CatalogStore

__all__ = ["audit", "read_records", "verify_store"]

PAGE = 5_000

audit = typer.Typer(
    name="audit",
    help="The instance's audit log: verify, export, prune.",
    no_args_is_help=True,
)


def _moment(text: str, option: str) -> datetime:
    """A Beijing date (its 00:00 in Beijing) or an instant with its offset, in UTC."""
    try:
        if len(text) == 10:
            return datetime.combine(date.fromisoformat(text), time(), BEIJING).astimezone(UTC)
        moment = datetime.fromisoformat(text)
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        raise typer.BadParameter(
            f"{text!r}: give a Beijing date (2026-01-01) or an instant with its offset "
            "(2026-01-01T08:00:00+08:00)",
            param_hint=option,
        )
    return moment.astimezone(UTC)


async def read_records(
    store: CatalogStore, where: AuditFilter | None = None, page: int = PAGE
) -> AsyncIterator[AuditRecord]:
    """Every record `where` selects, in seq order, read `page` at a time."""
    after = 0
    while True:
        records = await store.audit_records(after, page, where)
        for record in records:
            yield record
        if len(records) < page:
            return
        after = records[-1].seq


async def verify_store(
    store: CatalogStore, certificate: x509.Certificate | None = None
) -> Verification:
    """The verification of `store`'s whole log (checkpoints checked against `certificate`)."""
    head = await store.audit_head()
    verifier = Verifier(head, checker(certificate) if certificate is not None else None)
    async for record in read_records(store):
        if not verifier.feed(record):
            break
    return verifier.result()


@audit.command("verify")
def verify_command(
    config: ConfigOption = None,
    cert: Annotated[
        Path | None,
        typer.Option(
            help="the instance certificate that signed the checkpoints (default tls.cert)"
        ),
    ] = None,
) -> None:
    """Check the whole chain; exit 1 naming the first broken record."""
    settings = settings_from(config)
    certificate_path = cert or settings.tls.cert
    certificate = (
        x509.load_pem_x509_certificate(certificate_path.read_bytes())
        if certificate_path is not None
        else None
    )

    async def run() -> Verification:
        async with store_of(settings) as store:
            return await verify_store(store, certificate)

    verification = asyncio.run(run())
    signed = "checkpoints checked" if certificate else "checkpoints NOT checked (no certificate)"
    if verification.ok:
        typer.echo(
            f"audit log intact: {verification.checked} records, up to {verification.last_seq}; "
            f"{signed}"
        )
        return
    typer.echo(
        f"audit log BROKEN at record {verification.broken_seq}: "
        f"{verification.problem.value if verification.problem else ''} — {verification.reason}",
        err=True,
    )
    raise typer.Exit(1)


@audit.command("export")
def export_command(
    since: Annotated[str, typer.Option("--from", help="a Beijing date or an instant")],
    until: Annotated[str, typer.Option("--to", help="exclusive; a Beijing date or an instant")],
    config: ConfigOption = None,
    out: Annotated[Path | None, typer.Option(help="a file (default: standard output)")] = None,
) -> None:
    """Write the records of [--from, --to) as JSON lines."""
    settings = settings_from(config)
    where = AuditFilter(since=_moment(since, "--from"), until=_moment(until, "--to"))

    async def run(stream: TextIO) -> int:
        count = 0
        async with store_of(settings) as store:
            async for record in read_records(store, where):
                stream.write(line(record))
                count += 1
        return count

    if out is None:
        count = asyncio.run(run(sys.stdout))
    else:
        with out.open("w", encoding="utf-8") as stream:
            count = asyncio.run(run(stream))
    typer.echo(f"{count} records exported", err=True)


@audit.command("prune")
def prune_command(config: ConfigOption = None) -> None:
    """Delete the records older than the retention (audit.retention_years, at least 15)."""
    settings = settings_from(config)
    before = cutoff(datetime.now(UTC), settings.audit.retention_years)

    async def run() -> int:
        async with store_of(settings) as store:
            return await store.prune_audit(before)

    typer.echo(f"{asyncio.run(run())} records older than {before.isoformat()} pruned")
