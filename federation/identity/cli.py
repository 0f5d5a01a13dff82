"""`mulu pki`: the platform CA for development, tests and small deployments.

$ mulu pki init --name "成都市政务信息资源共享平台 CA"
$ mulu pki issue department 91510100MB0000001Y --name 成都市公安局
$ mulu pki issue instance 510100/intranet --dns catalog.cd.example --ip 10.0.0.5
$ mulu pki revoke 91510100MB0000001Y        # or its serial
$ mulu pki crl && mulu pki list
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from federation.identity.ca import PlatformCA
from federation.identity.errors import PkiError

__all__ = ["pki"]

pki = typer.Typer(
    name="pki",
    help="The platform CA: department and instance certificates, revocation, the CRL.",
    no_args_is_help=True,
)
issue = typer.Typer(help="Issue a certificate from the platform CA.", no_args_is_help=True)
pki.add_typer(issue, name="issue")

DirOption = Annotated[
    Path | None,
    typer.Option("--dir", help="the CA's directory (default: <data_dir>/pki of the settings)"),
]
ConfigOption = Annotated[
    Path | None,
    typer.Option("--config", "-c", help="a TOML settings file (for data_dir)"),
]
DaysOption = Annotated[int, typer.Option(help="how many days the certificate is valid", min=1)]


def _directory(directory: Path | None, config: Path | None) -> Path:
    if directory is not None:
        return directory
    from federation.settings import load_settings

    return load_settings(config).data_dir / "pki"


def _fail(command: str, exc: Exception) -> typer.Exit:
    typer.echo(f"mulu pki {command}: {exc}", err=True)
    return typer.Exit(1)


def _open(directory: Path | None, config: Path | None, command: str) -> PlatformCA:
    try:
        return PlatformCA.open(_directory(directory, config))
    except PkiError as exc:
        raise _fail(command, exc) from None


@pki.command()
def init(
    directory: DirOption = None,
    config: ConfigOption = None,
    name: Annotated[str, typer.Option(help="the CA's common name")] = "mulu platform CA",
    days: Annotated[int, typer.Option(help="how many days the CA is valid", min=1)] = 3650,
) -> None:
    """Make the CA: its key (0600) and self-signed certificate, and an empty CRL. Refused
    when the directory already holds a CA."""
    try:
        ca = PlatformCA.init(_directory(directory, config), name=name, days=days)
    except PkiError as exc:
        raise _fail("init", exc) from None
    print(f"CA {name!r} in {ca.directory}: certificate {ca.cert_path}, CRL {ca.crl_path}")


@issue.command("department")
def issue_department(
    code: Annotated[str, typer.Argument(help="the department's 统一社会信用代码 (18 characters)")],
    name: Annotated[str | None, typer.Option(help="its name, e.g. 成都市公安局")] = None,
    days: DaysOption = 365,
    directory: DirOption = None,
    config: ConfigOption = None,
) -> None:
    """A client certificate for a department; its subject carries the credit code
    (organizationIdentifier)."""
    ca = _open(directory, config, "issue department")
    try:
        cert, key = ca.issue_department(code, name=name, days=days)
    except PkiError as exc:
        raise _fail("issue department", exc) from None
    print(f"department {code}: certificate {cert}, key {key}")


@issue.command("instance")
def issue_instance(
    instance: Annotated[str, typer.Argument(help="the instance id, e.g. 510100/intranet")],
    dns: Annotated[list[str] | None, typer.Option(help="another DNS name it is reached by")] = None,
    ip: Annotated[list[str] | None, typer.Option(help="another IP address it listens on")] = None,
    days: DaysOption = 365,
    directory: DirOption = None,
    config: ConfigOption = None,
) -> None:
    """A server and client certificate for an instance (SAN: 127.0.0.1, localhost, and each
    --dns and --ip)."""
    ca = _open(directory, config, "issue instance")
    try:
        cert, key = ca.issue_instance(instance, dns=dns or (), ips=ip or (), days=days)
    except PkiError as exc:
        raise _fail("issue instance", exc) from None
    print(f"instance {instance}: certificate {cert}, key {key}")


@issue.command("server")
def issue_server(
    name: Annotated[str, typer.Argument(help="the service, e.g. kafka-1")],
    dns: Annotated[list[str] | None, typer.Option(help="a DNS name it is reached by")] = None,
    ip: Annotated[list[str] | None, typer.Option(help="an IP address it listens on")] = None,
    days: DaysOption = 365,
    directory: DirOption = None,
    config: ConfigOption = None,
) -> None:
    """A server certificate for a service of the platform that is no instance — the Kafka
    broker's listeners (SAN: 127.0.0.1, localhost, and each --dns and --ip)."""
    ca = _open(directory, config, "issue server")
    try:
        cert, key = ca.issue_server(name, dns=dns or (), ips=ip or (), days=days)
    except PkiError as exc:
        raise _fail("issue server", exc) from None
    print(f"server {name}: certificate {cert}, key {key}")


@pki.command()
def revoke(
    which: Annotated[
        str, typer.Argument(help="a serial (hex), or a department code or instance id")
    ],
    directory: DirOption = None,
    config: ConfigOption = None,
) -> None:
    """Revoke a certificate and rewrite the CRL (servers read it when they start)."""
    ca = _open(directory, config, "revoke")
    try:
        revoked = ca.revoke(which)
    except PkiError as exc:
        raise _fail("revoke", exc) from None
    print(f"revoked {revoked.serial} ({revoked.kind} {revoked.name}); CRL {ca.crl_path}")


@pki.command()
def crl(
    days: Annotated[int, typer.Option(help="how many days the CRL is valid", min=1)] = 30,
    directory: DirOption = None,
    config: ConfigOption = None,
) -> None:
    """Write the CRL again (its next update `days` ahead): before the last one expires, a
    server with tls.crl refuses every client certificate."""
    ca = _open(directory, config, "crl")
    print(f"CRL {ca.write_crl(days=days)}")


@pki.command("list")
def list_issued(directory: DirOption = None, config: ConfigOption = None) -> None:
    """Every certificate the CA issued, with its status (valid, expired, revoked)."""
    ca = _open(directory, config, "list")
    table = Table("serial", "kind", "name", "not after", "status")
    now = dt.datetime.now(dt.UTC)
    for row in ca.issued():
        table.add_row(row.serial, row.kind, row.name, row.not_after[:19], row.status(now))
    Console(width=160).print(table)
